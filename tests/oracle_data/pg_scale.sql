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
-- ===== ORDER BY ... LIMIT with a computed SELECT list: sorted and cut before the list is computed =====
-- name: topk_computed_list_pk_offset
SELECT session_id, page_views * 2 AS dbl, upper(user_id) AS u, 1 AS one FROM user_sessions ORDER BY session_id LIMIT 4 OFFSET 2;
-- name: topk_computed_list_pk_desc
SELECT session_id, TRUE AS yes, 'x' || session_id AS tagged FROM user_sessions ORDER BY session_id DESC LIMIT 3;
-- name: topk_nullable_key_nulls_last_default
SELECT user_id, session_id, 'x' || session_id AS tagged FROM user_sessions ORDER BY user_id, session_id LIMIT 9;
-- name: topk_nullable_key_desc_default_nulls_first
SELECT last_accessed, session_id, 1 AS one FROM user_sessions ORDER BY last_accessed DESC, session_id LIMIT 8 OFFSET 1;
-- name: topk_nullable_key_desc_nulls_last
SELECT risk_score, session_id || '!' AS s FROM user_sessions ORDER BY risk_score DESC NULLS LAST, session_id LIMIT 6;
-- name: topk_nullable_key_asc_nulls_first_missing_fields
SELECT cart_total, session_id, 0 AS z FROM user_sessions ORDER BY cart_total NULLS FIRST, session_id LIMIT 14;
-- name: topk_single_nullable_key_ties_output_key_only
SELECT user_id, TRUE AS t FROM user_sessions ORDER BY user_id LIMIT 7;
-- name: topk_single_nullable_key_desc_ties_output_key_only
SELECT user_id, 2 AS two FROM user_sessions ORDER BY user_id DESC NULLS LAST LIMIT 12 OFFSET 3;
-- name: topk_sort_by_alias_of_computed
SELECT session_id, page_views + actions_performed AS total FROM user_sessions ORDER BY total DESC NULLS LAST, session_id LIMIT 5;
-- name: topk_sort_by_expression_not_selected
SELECT session_id, 0 AS z FROM user_sessions ORDER BY length(user_id) NULLS FIRST, session_id DESC LIMIT 6;
-- name: topk_ordinal_keys
SELECT page_views, session_id, 2 AS two FROM user_sessions ORDER BY 1 NULLS FIRST, 2 LIMIT 5;
-- name: topk_filtered
SELECT session_id, risk_score * 100 AS pct FROM user_sessions WHERE active ORDER BY created_at DESC, session_id LIMIT 3;
-- name: topk_scalar_subquery_column
SELECT session_id, (SELECT MAX(hit_count) FROM application_cache) AS m FROM user_sessions ORDER BY session_id DESC LIMIT 3;
-- name: topk_correlated_subquery_column
SELECT s.session_id, (SELECT COUNT(*) FROM application_cache c WHERE c.priority = s.page_views) AS n FROM user_sessions s ORDER BY s.session_id LIMIT 4 OFFSET 1;
-- name: topk_subquery_in_the_key
SELECT session_id, 1 AS one FROM user_sessions ORDER BY (SELECT COUNT(*) FROM application_cache c WHERE c.priority = user_sessions.page_views), session_id LIMIT 4;
-- name: topk_window_in_the_list
SELECT session_id, row_number() OVER (ORDER BY session_id) AS rn FROM user_sessions ORDER BY session_id DESC LIMIT 3;
-- name: topk_offset_past_the_end
SELECT session_id, 1 AS one FROM user_sessions ORDER BY session_id LIMIT 3 OFFSET 100000;
-- name: topk_same_key_twice
SELECT user_id, 1 AS one FROM user_sessions ORDER BY user_id, user_id DESC LIMIT 5;
-- name: topk_fetch_first
SELECT session_id, page_views - 1 AS p FROM user_sessions ORDER BY session_id DESC FETCH FIRST 2 ROWS ONLY;
-- ===== WHERE conditions that are never true (NULL comparisons): no row, no scan =====
-- name: never_eq_null_and
SELECT session_id FROM user_sessions WHERE user_id = NULL AND active ORDER BY session_id;
-- name: never_eq_null_or
SELECT session_id FROM user_sessions WHERE user_id = NULL OR page_views > 40 ORDER BY session_id;
-- name: never_not_eq_null
SELECT COUNT(*) AS n FROM user_sessions WHERE NOT (user_id = NULL);
-- name: never_in_null
SELECT session_id FROM user_sessions WHERE user_id IN (NULL) ORDER BY session_id;
-- name: never_not_in_with_null
SELECT session_id FROM user_sessions WHERE user_id NOT IN ('u01', NULL);
-- name: never_aggregates_still_one_row
SELECT COUNT(*) AS n, SUM(page_views) AS s, MAX(user_id) AS m FROM user_sessions WHERE user_id <> NULL;
-- name: never_grouped_no_rows
SELECT user_id, COUNT(*) AS n FROM user_sessions WHERE page_views > NULL GROUP BY user_id;
-- name: never_or_of_two
SELECT session_id FROM user_sessions WHERE user_id = NULL OR page_views IN (NULL);
-- name: never_with_order_limit
SELECT session_id, 1 AS one FROM user_sessions WHERE user_id = NULL ORDER BY session_id LIMIT 3;
-- name: never_literal_comparison
SELECT session_id FROM user_sessions WHERE 1 = 0;
-- name: never_update_matches_nothing
UPDATE user_sessions SET page_views = -7 WHERE user_id = NULL AND active;
SELECT COUNT(*) AS n FROM user_sessions WHERE page_views = -7;
-- name: update_increment_of_null_and_missing_stays_null
UPDATE user_sessions SET page_views = page_views + 1, actions_performed = 2 + actions_performed, risk_score = risk_score - 0.5 WHERE session_id IS NOT NULL;
SELECT session_id, page_views, actions_performed, risk_score FROM user_sessions ORDER BY session_id;
-- name: never_delete_matches_nothing
DELETE FROM user_sessions WHERE session_id IN (NULL) OR user_id = NULL;
SELECT COUNT(*) AS n FROM user_sessions;
-- ===== uncorrelated scalar subqueries (the engine runs them once, PostgreSQL's InitPlan), NOT IN with NULLs =====
-- name: initplan_where_avg_plus_constant
SELECT COUNT(*) AS n FROM user_sessions WHERE risk_score > (SELECT AVG(risk_score) + 0.1 FROM user_sessions);
-- name: initplan_where_no_row_is_null
SELECT session_id FROM user_sessions WHERE page_views > (SELECT page_views FROM user_sessions WHERE session_id = 'no such session') ORDER BY session_id;
-- name: initplan_where_null_value
SELECT session_id FROM user_sessions WHERE page_views <> (SELECT MAX(page_views) FROM user_sessions WHERE page_views > 1000000) ORDER BY session_id;
-- name: initplan_where_coalesce_of_no_row
SELECT session_id FROM user_sessions WHERE COALESCE((SELECT page_views FROM user_sessions WHERE session_id = 'none'), -1) < page_views ORDER BY session_id;
-- name: initplan_where_mixed_numeric_types
SELECT session_id FROM user_sessions WHERE cart_total >= (SELECT AVG(page_views) FROM user_sessions) OR data_transferred < (SELECT MIN(risk_score) FROM user_sessions) ORDER BY session_id;
-- name: initplan_where_equality_order_limit
SELECT session_id, risk_score FROM user_sessions WHERE session_id = (SELECT session_id FROM user_sessions ORDER BY risk_score DESC NULLS LAST, session_id LIMIT 1);
-- name: initplan_where_two_subqueries_and_or
SELECT session_id FROM user_sessions WHERE (page_views > (SELECT AVG(page_views) FROM user_sessions) AND risk_score < (SELECT AVG(risk_score) FROM user_sessions)) OR page_views IS NULL ORDER BY session_id;
-- name: initplan_where_nested
SELECT session_id FROM user_sessions WHERE page_views > (SELECT AVG(page_views) FROM user_sessions WHERE risk_score > (SELECT AVG(risk_score) FROM user_sessions)) ORDER BY session_id;
-- name: initplan_select_list_and_where
SELECT session_id, (SELECT MAX(page_views) FROM user_sessions) - page_views AS gap FROM user_sessions WHERE page_views * 2 > (SELECT MAX(page_views) FROM user_sessions) ORDER BY session_id;
-- name: initplan_in_cte
WITH hi AS (SELECT session_id, page_views FROM user_sessions WHERE page_views >= (SELECT AVG(page_views) FROM user_sessions)) SELECT COUNT(*) AS n, MIN(page_views) AS lo FROM hi;
-- name: initplan_having
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id HAVING COUNT(*) > (SELECT COUNT(*) FROM user_sessions) / 20 ORDER BY user_id;
-- name: initplan_update_where_avg
UPDATE user_sessions SET active = NOT active, page_views = 0 WHERE risk_score > (SELECT AVG(risk_score) FROM user_sessions);
SELECT session_id, page_views FROM user_sessions ORDER BY session_id;
-- name: initplan_update_where_order_limit
UPDATE user_sessions SET active = FALSE WHERE session_id = (SELECT session_id FROM user_sessions ORDER BY risk_score DESC NULLS LAST, session_id LIMIT 1);
SELECT session_id, active FROM user_sessions ORDER BY session_id;
-- name: initplan_delete_where_null_subquery
DELETE FROM user_sessions WHERE page_views < (SELECT page_views FROM user_sessions WHERE session_id = 'none');
SELECT COUNT(*) AS n FROM user_sessions;
-- name: initplan_delete_where_avg
DELETE FROM user_sessions WHERE page_views < (SELECT AVG(page_views) FROM user_sessions);
SELECT session_id FROM user_sessions ORDER BY session_id;
-- name: not_in_delete_nulls_on_both_sides
DELETE FROM application_cache WHERE priority NOT IN (SELECT page_views FROM user_sessions);
SELECT cache_key FROM application_cache ORDER BY cache_key;
-- name: not_in_delete_non_null_subquery
DELETE FROM application_cache WHERE priority NOT IN (SELECT page_views FROM user_sessions WHERE page_views IS NOT NULL);
SELECT cache_key, priority FROM application_cache ORDER BY cache_key;
-- name: not_in_delete_empty_subquery
DELETE FROM application_cache WHERE priority NOT IN (SELECT page_views FROM user_sessions WHERE page_views > 1000000);
SELECT COUNT(*) AS n FROM application_cache;
-- name: not_in_select_text_keys
SELECT COUNT(*) AS n FROM user_sessions WHERE user_id NOT IN (SELECT namespace FROM application_cache WHERE namespace IS NOT NULL);
