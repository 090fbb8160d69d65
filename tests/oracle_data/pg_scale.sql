-- Issue 12: the plans that scale (correlated subqueries as equality semi-joins with localField/foreignField,
-- ORDER BY ... LIMIT / OFFSET in index order, LIMIT 0), on NULLs, missing columns, duplicates and arrays.
-- Same format as pg_queries.sql (`-- name:` starts a case; each statement ends with `;` at the end of a line).
-- ===== correlated EXISTS / NOT EXISTS / IN / scalar with an equality =====
-- name: scale_exists_nullable_integer_key
SELECT c.cache_key FROM application_cache c WHERE EXISTS (SELECT 1 FROM user_sessions s WHERE s.page_views = c.priority) ORDER BY c.cache_key;
-- name: scale_not_exists_with_extra_condition
SELECT s.session_id FROM user_sessions s WHERE NOT EXISTS (SELECT 1 FROM application_cache c WHERE c.hit_count = s.page_views AND c.priority > 1) ORDER BY s.session_id;
-- name: scale_exists_two_equalities_and_a_range
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.login_method = s.login_method AND o.session_id < s.session_id) ORDER BY s.session_id;
-- name: scale_not_exists_self_duplicates
SELECT s.session_id, s.user_id FROM user_sessions s WHERE NOT EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id <> s.session_id) ORDER BY s.session_id;
-- name: scale_exists_after_uncorrelated_filter
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM application_cache c WHERE c.namespace IS NOT NULL AND c.priority = s.page_views AND c.hit_count > s.actions_performed) ORDER BY s.session_id;
-- name: scale_exists_text_array_key
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM user_sessions o WHERE o.tags = s.tags AND o.session_id <> s.session_id) ORDER BY s.session_id;
-- name: scale_exists_as_value_nullable
SELECT s.session_id, s.actions_performed, EXISTS (SELECT 1 FROM application_cache c WHERE c.priority = s.actions_performed) AS e FROM user_sessions s ORDER BY s.session_id;
-- name: scale_scalar_count_by_equality
SELECT s.session_id, (SELECT COUNT(*) FROM application_cache c WHERE c.priority = s.page_views) AS n FROM user_sessions s ORDER BY s.session_id;
-- name: scale_scalar_max_by_equality
SELECT s.session_id, (SELECT MAX(c.hit_count) FROM application_cache c WHERE c.priority = s.actions_performed) AS m FROM user_sessions s ORDER BY s.session_id;
-- name: scale_in_correlated_equality
SELECT s.session_id FROM user_sessions s WHERE s.page_views IN (SELECT c.hit_count FROM application_cache c WHERE c.priority = s.actions_performed) ORDER BY s.session_id;
-- name: scale_not_in_correlated_equality_nulls
SELECT s.session_id FROM user_sessions s WHERE s.page_views NOT IN (SELECT c.hit_count FROM application_cache c WHERE c.priority = s.actions_performed) ORDER BY s.session_id;
-- name: scale_count_exists_semi_join
SELECT COUNT(*) AS n FROM user_sessions s WHERE EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.page_views > s.page_views);
-- name: scale_delete_not_exists_equality
DELETE FROM user_sessions WHERE NOT EXISTS (SELECT 1 FROM application_cache c WHERE c.priority = user_sessions.page_views);
SELECT session_id FROM user_sessions ORDER BY session_id;
-- ===== ORDER BY ... LIMIT / OFFSET on the primary key (index order), LIMIT 0 =====
-- name: scale_pk_desc_limit_offset
SELECT session_id, user_id FROM user_sessions ORDER BY session_id DESC LIMIT 4 OFFSET 3;
-- name: scale_pk_offset_past_the_end
SELECT cache_key FROM application_cache ORDER BY cache_key LIMIT 3 OFFSET 1000;
-- name: scale_pk_filtered_limit_offset
SELECT session_id, page_views FROM user_sessions WHERE page_views > 10 ORDER BY session_id LIMIT 5 OFFSET 2;
-- name: scale_pk_nulls_first_limit_offset
SELECT session_id FROM user_sessions ORDER BY session_id NULLS FIRST LIMIT 3 OFFSET 1;
-- name: scale_limit_zero_grouped
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id ORDER BY user_id LIMIT 0;
-- name: scale_limit_zero_aggregate
SELECT COUNT(*) AS n FROM user_sessions LIMIT 0;
-- name: scale_limit_zero_offset
SELECT session_id FROM user_sessions ORDER BY session_id LIMIT 0 OFFSET 5;
