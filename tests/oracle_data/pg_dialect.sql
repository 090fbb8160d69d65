-- Issue 17: the statement and function forms a session-store user reaches for first. Same format as
-- pg_queries.sql (`-- name:` starts a case; each statement ends with `;` at the end of a line).
-- ===== INSERT ... RETURNING =====
-- name: insert_returning_one_row
INSERT INTO user_sessions (session_id, user_id, page_views) VALUES ('n001', 'u1', 3) RETURNING session_id, user_id, page_views;
SELECT COUNT(*) AS n FROM user_sessions;
-- name: insert_returning_multi_row_expressions
INSERT INTO user_sessions (session_id, user_id, page_views) VALUES ('n001', 'u1', 3), ('n002', 'u2', -4), ('n003', NULL, NULL) RETURNING session_id, page_views * 2 AS dbl, page_views + 1 AS next, COALESCE(user_id, '?') AS u, page_views IS NULL AS missing;
-- name: insert_returning_nulls_and_missing_columns
INSERT INTO user_sessions (session_id) VALUES ('n004') RETURNING session_id, user_id, page_views, risk_score, tags;
-- name: insert_returning_qualified_and_alias
INSERT INTO user_sessions (session_id, user_id) VALUES ('n005', 'u9') RETURNING user_sessions.session_id AS id, UPPER(user_sessions.user_id) AS up;
-- name: insert_returning_timestamps_and_intervals
INSERT INTO user_sessions (session_id, created_at, expires_at) VALUES ('n006', TIMESTAMPTZ '2026-11-22T10:00:00Z', TIMESTAMPTZ '2026-11-22T10:00:00Z' + INTERVAL '30 minutes') RETURNING session_id, created_at, expires_at, EXTRACT(EPOCH FROM expires_at - created_at) AS secs;
-- name: insert_returning_now_computed
INSERT INTO user_sessions (session_id, created_at, expires_at) VALUES ('n007', NOW(), NOW() + INTERVAL '1 hour') RETURNING session_id, expires_at > created_at AS later, created_at IS NOT NULL AS has_created;
-- name: insert_returning_array_and_jsonb
INSERT INTO application_cache (cache_key, tags, value, hit_count) VALUES ('n:1', ARRAY['a', 'b'], '{"v": {"x": 1}, "l": [1, 2]}'::jsonb, 0) RETURNING cache_key, tags, value, hit_count;
-- name: insert_returning_numeric_arithmetic
INSERT INTO user_sessions (session_id, cart_total, risk_score) VALUES ('n008', 12.50, 0.25) RETURNING cart_total * 2 AS twice, risk_score + 1 AS r, ROUND(cart_total, 1) AS rounded;
-- name: insert_returning_then_select
INSERT INTO application_cache (cache_key, namespace, hit_count) VALUES ('n:2', 'ret', 5), ('n:3', 'ret', 6) RETURNING cache_key, hit_count;
SELECT cache_key, hit_count FROM application_cache WHERE namespace = 'ret' ORDER BY cache_key;
-- name: insert_returning_star_declared_table
CREATE TABLE rt_star (k TEXT, v INTEGER, note TEXT);
INSERT INTO rt_star (k, v, note) VALUES ('a', 1, 'x'), ('b', NULL, NULL) RETURNING *;
-- name: insert_do_nothing_returning_only_inserted
INSERT INTO user_sessions (session_id, user_id, page_views) VALUES ('s001', 'zz', 1), ('n009', 'zz', 2) ON CONFLICT (session_id) DO NOTHING RETURNING session_id, user_id, page_views;
SELECT session_id, user_id FROM user_sessions WHERE session_id IN ('s001', 'n009') ORDER BY session_id;
-- name: insert_do_nothing_returning_all_conflict
INSERT INTO user_sessions (session_id, user_id) VALUES ('s001', 'zz'), ('s002', 'zz') ON CONFLICT (session_id) DO NOTHING RETURNING session_id;
-- name: insert_do_nothing_returning_same_key_twice
INSERT INTO application_cache (cache_key, hit_count) VALUES ('n:4', 1), ('n:4', 2) ON CONFLICT (cache_key) DO NOTHING RETURNING cache_key, hit_count;
-- name: insert_do_update_excluded_returning_whole_row
INSERT INTO user_sessions (session_id, user_id) VALUES ('s002', 'zz'), ('n010', 'yy') ON CONFLICT (session_id) DO UPDATE SET user_id = EXCLUDED.user_id RETURNING session_id, user_id, page_views, login_method;
-- name: insert_do_update_expression_returning
INSERT INTO user_sessions (session_id, page_views) VALUES ('s003', 1), ('n011', 4) ON CONFLICT (session_id) DO UPDATE SET page_views = COALESCE(user_sessions.page_views, 0) + EXCLUDED.page_views, login_method = 'upsert' RETURNING session_id, page_views, login_method;
-- name: insert_do_update_where_returning
INSERT INTO user_sessions (session_id, user_id, page_views) VALUES ('s005', 'zz', 1000), ('s006', 'zz', -100), ('n012', 'zz', 1) ON CONFLICT (session_id) DO UPDATE SET page_views = EXCLUDED.page_views, user_id = EXCLUDED.user_id WHERE user_sessions.page_views < EXCLUDED.page_views RETURNING session_id, user_id, page_views;
-- name: insert_do_update_where_is_null_returning
INSERT INTO user_sessions (session_id, risk_score) VALUES ('s007', 0.5), ('s008', 0.5), ('s009', 0.5), ('s010', 0.5) ON CONFLICT (session_id) DO UPDATE SET risk_score = EXCLUDED.risk_score WHERE user_sessions.risk_score IS NULL OR user_sessions.risk_score > EXCLUDED.risk_score RETURNING session_id, risk_score;
-- name: insert_do_update_computed_returning
INSERT INTO user_sessions (session_id, expires_at, page_views) VALUES ('s004', TIMESTAMPTZ '2026-11-22T10:00:00Z' + INTERVAL '1 hour', 3), ('n013', TIMESTAMPTZ '2026-11-22T10:00:00Z' + INTERVAL '2 hours', 4) ON CONFLICT (session_id) DO UPDATE SET expires_at = EXCLUDED.expires_at + INTERVAL '1 day', page_views = user_sessions.page_views * 2 RETURNING session_id, expires_at, page_views;
-- name: insert_do_update_cache_hit_returning
INSERT INTO application_cache (cache_key, hit_count) VALUES ('n:5', 1) ON CONFLICT (cache_key) DO UPDATE SET hit_count = application_cache.hit_count + 1 RETURNING cache_key, hit_count;
-- ===== DISTINCT ON =====
-- name: distinct_on_latest_session_per_user
SELECT DISTINCT ON (user_id) user_id, session_id, created_at FROM user_sessions ORDER BY user_id, created_at DESC, session_id;
-- name: distinct_on_star
SELECT DISTINCT ON (user_id) * FROM user_sessions ORDER BY user_id, created_at DESC, session_id;
-- name: distinct_on_desc_nulls_first
SELECT DISTINCT ON (user_id) user_id, page_views, session_id FROM user_sessions ORDER BY user_id DESC, page_views NULLS FIRST, session_id;
-- name: distinct_on_two_keys_other_order
SELECT DISTINCT ON (user_id, login_method) user_id, login_method, page_views, session_id FROM user_sessions ORDER BY login_method, user_id, page_views DESC NULLS LAST, session_id;
-- name: distinct_on_ordinal_alias_limit_offset
SELECT DISTINCT ON (1) user_id AS u, page_views, session_id FROM user_sessions ORDER BY u, page_views, session_id LIMIT 3 OFFSET 1;
-- name: distinct_on_expression_key
SELECT DISTINCT ON (page_views > 10) page_views > 10 AS big, session_id, page_views FROM user_sessions ORDER BY page_views > 10, page_views DESC, session_id;
-- name: distinct_on_with_where
SELECT DISTINCT ON (user_id) user_id, session_id, risk_score FROM user_sessions WHERE active ORDER BY user_id, risk_score DESC NULLS LAST, session_id;
-- name: distinct_on_cache_namespace_top_hits
SELECT DISTINCT ON (namespace) namespace, cache_key, hit_count FROM application_cache ORDER BY namespace, hit_count DESC NULLS LAST, cache_key;
-- name: distinct_on_boolean_null_key
SELECT DISTINCT ON (active) active, session_id FROM user_sessions ORDER BY active, session_id;
-- name: distinct_on_without_order_by
SELECT DISTINCT ON (user_id) user_id FROM user_sessions;
-- name: distinct_on_in_derived_table
SELECT COUNT(*) AS n, MAX(session_id) AS m FROM (SELECT DISTINCT ON (user_id) user_id, session_id FROM user_sessions ORDER BY user_id, session_id DESC) t;
-- name: distinct_on_json_key
SELECT DISTINCT ON (session_data->'preferences'->>'language') session_data->'preferences'->>'language' AS lang, session_id FROM user_sessions ORDER BY 1, session_id DESC;
-- name: distinct_on_in_cte
WITH latest AS (SELECT DISTINCT ON (user_id) user_id, session_id, page_views FROM user_sessions ORDER BY user_id, page_views DESC NULLS LAST, session_id) SELECT user_id, session_id FROM latest ORDER BY session_id;
-- name: distinct_on_timestamp_key
SELECT DISTINCT ON (DATE_TRUNC('day', created_at)) DATE_TRUNC('day', created_at) AS d, session_id FROM user_sessions ORDER BY DATE_TRUNC('day', created_at), created_at, session_id;
