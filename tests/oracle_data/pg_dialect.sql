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
-- ===== statistical and ordered-set aggregates =====
-- name: stddev_family_over_integers
SELECT STDDEV(page_views) AS sd, STDDEV_SAMP(page_views) AS ss, STDDEV_POP(page_views) AS sp, VARIANCE(page_views) AS v, VAR_SAMP(page_views) AS vs, VAR_POP(page_views) AS vp FROM user_sessions;
-- name: stddev_family_over_doubles
SELECT STDDEV(risk_score) AS sd, STDDEV_POP(risk_score) AS sp, VARIANCE(risk_score) AS v, VAR_POP(risk_score) AS vp FROM user_sessions;
-- name: stddev_family_over_numeric
SELECT STDDEV_SAMP(cart_total) AS ss, VAR_POP(cart_total) AS vp FROM user_sessions;
-- name: stddev_family_over_bigint
SELECT STDDEV(data_transferred) AS sd, VAR_POP(data_transferred) AS vp FROM user_sessions;
-- name: stddev_by_user_single_rows_are_null
SELECT user_id, COUNT(page_views) AS n, STDDEV(page_views) AS sd, STDDEV_POP(page_views) AS sp, VARIANCE(page_views) AS v FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: stddev_over_no_rows
SELECT STDDEV(page_views) AS sd, STDDEV_POP(page_views) AS sp, VAR_SAMP(page_views) AS v, VAR_POP(page_views) AS vp FROM user_sessions WHERE session_id = 'none';
-- name: stddev_with_filter
SELECT login_method, STDDEV(page_views) FILTER (WHERE active) AS sd_active, VAR_POP(risk_score) FILTER (WHERE page_views > 10) AS vp FROM user_sessions GROUP BY login_method ORDER BY login_method;
-- name: stddev_in_having_and_order
SELECT user_id, ROUND(STDDEV(page_views)::numeric, 6) AS sd FROM user_sessions GROUP BY user_id HAVING STDDEV(page_views) > 5 ORDER BY STDDEV(page_views) DESC, user_id;
-- name: stddev_of_an_expression
SELECT namespace, STDDEV_POP(hit_count * 2 + 1) AS sp, VARIANCE(score) AS v FROM application_cache GROUP BY namespace ORDER BY namespace;
-- name: stddev_window_partition
SELECT session_id, user_id, STDDEV(page_views) OVER (PARTITION BY user_id) AS sd FROM user_sessions ORDER BY session_id;
-- name: var_pop_window_running_frame
SELECT session_id, VAR_POP(page_views) OVER (ORDER BY session_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS vp, STDDEV_SAMP(page_views) OVER (ORDER BY session_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS ss FROM user_sessions ORDER BY session_id;
-- name: percentile_cont_quartiles
SELECT PERCENTILE_CONT(0) WITHIN GROUP (ORDER BY page_views) AS p0, PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY page_views) AS p25, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY page_views) AS p50, PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY page_views) AS p90, PERCENTILE_CONT(1) WITHIN GROUP (ORDER BY page_views) AS p100 FROM user_sessions;
-- name: percentile_cont_desc_and_doubles
SELECT PERCENTILE_CONT(0.3) WITHIN GROUP (ORDER BY risk_score DESC) AS d, PERCENTILE_CONT(0.3) WITHIN GROUP (ORDER BY risk_score) AS a, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY cart_total) AS c FROM user_sessions;
-- name: percentile_cont_by_group
SELECT user_id, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY page_views) AS med, PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY actions_performed) AS p75 FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: percentile_disc_values
SELECT PERCENTILE_DISC(0) WITHIN GROUP (ORDER BY page_views) AS d0, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY page_views) AS d50, PERCENTILE_DISC(0.51) WITHIN GROUP (ORDER BY page_views) AS d51, PERCENTILE_DISC(1) WITHIN GROUP (ORDER BY page_views DESC) AS d100 FROM user_sessions;
-- name: percentile_disc_text_and_timestamp
SELECT PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY user_id) AS u, PERCENTILE_DISC(0.25) WITHIN GROUP (ORDER BY created_at) AS t FROM user_sessions;
-- name: percentile_by_group_with_filter_and_empty
SELECT namespace, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY hit_count) FILTER (WHERE priority > 2) AS d, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY score) FILTER (WHERE priority > 100) AS none FROM application_cache GROUP BY namespace ORDER BY namespace;
-- name: percentile_over_no_rows
SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY page_views) AS c, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY page_views) AS d, MODE() WITHIN GROUP (ORDER BY page_views) AS m FROM user_sessions WHERE session_id = 'none';
-- name: mode_values
SELECT MODE() WITHIN GROUP (ORDER BY user_id) AS u, MODE() WITHIN GROUP (ORDER BY login_method) AS l, MODE() WITHIN GROUP (ORDER BY page_views) AS p, MODE() WITHIN GROUP (ORDER BY page_views DESC) AS pd FROM user_sessions;
-- name: mode_by_group_ties_take_the_first_in_order
SELECT user_id, MODE() WITHIN GROUP (ORDER BY login_method) AS a, MODE() WITHIN GROUP (ORDER BY login_method DESC) AS d, MODE() WITHIN GROUP (ORDER BY active) AS b FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: mode_of_numeric_and_bool
SELECT MODE() WITHIN GROUP (ORDER BY cart_total) AS c, MODE() WITHIN GROUP (ORDER BY mfa_verified) AS m, MODE() WITHIN GROUP (ORDER BY risk_score DESC) AS r FROM user_sessions;
-- name: median_of_cache_hits_per_namespace_having
SELECT namespace, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY hit_count) AS med FROM application_cache GROUP BY namespace HAVING PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY hit_count) > 1 ORDER BY namespace;
-- ===== array functions, angles, byte lengths, timestamp precision =====
-- name: array_length_and_cardinality
SELECT session_id, array_length(tags, 1) AS l, cardinality(tags) AS c FROM user_sessions ORDER BY session_id;
-- name: array_length_of_literals
SELECT array_length(ARRAY[1, 2, 3], 1) AS a, array_length(ARRAY[]::integer[], 1) AS e, cardinality(ARRAY[]::integer[]) AS ce, array_length(NULL::integer[], 1) AS n, cardinality(ARRAY['x', NULL]) AS cn;
-- name: array_length_in_where_and_order
SELECT session_id FROM user_sessions WHERE array_length(tags, 1) >= 2 ORDER BY array_length(tags, 1) DESC, session_id;
-- name: array_length_grouped
SELECT cardinality(tags) AS c, COUNT(*) AS n FROM user_sessions GROUP BY cardinality(tags) ORDER BY c NULLS FIRST;
-- name: array_position_of_tags
SELECT session_id, array_position(tags, 'vip') AS v, array_position(tags, 'mobile') AS m, array_position(tags, 'nope') AS n FROM user_sessions ORDER BY session_id;
-- name: array_position_with_start_and_nulls
SELECT array_position(ARRAY['a', 'b', 'a'], 'a', 2) AS s2, array_position(ARRAY['a', NULL, 'b'], NULL) AS np, array_position(ARRAY['a'], 'a', -3) AS neg, array_position(ARRAY[1, 2, 3], 4) AS nf, array_position(NULL::text[], 'a') AS na;
-- name: array_remove_tags
SELECT session_id, array_remove(tags, 'vip') AS r FROM user_sessions ORDER BY session_id;
-- name: array_remove_literals
SELECT array_remove(ARRAY[1, 2, 1, 3], 1) AS r, array_remove(ARRAY['a', NULL, 'b'], NULL) AS rn, array_remove(ARRAY[1], 1) AS e, array_remove(NULL::integer[], 1) AS n;
-- name: array_append_prepend_cat
SELECT session_id, array_append(tags, 'new') AS a, array_prepend('first', tags) AS p, array_cat(tags, ARRAY['z']) AS c FROM user_sessions ORDER BY session_id;
-- name: array_append_to_null_and_cat_nulls
SELECT array_append(NULL::text[], 'x') AS a, array_prepend(1, NULL::integer[]) AS p, array_cat(NULL::integer[], ARRAY[1]) AS c1, array_cat(ARRAY[1], NULL::integer[]) AS c2, array_cat(NULL::integer[], NULL::integer[]) AS c3, array_append(ARRAY[1], NULL) AS an;
-- name: update_with_array_append
UPDATE user_sessions SET tags = array_append(tags, 'touched') WHERE session_id IN ('s001', 's002', 's003');
SELECT session_id, tags FROM user_sessions WHERE session_id IN ('s001', 's002', 's003') ORDER BY session_id;
-- name: update_with_array_remove
UPDATE user_sessions SET tags = array_remove(tags, 'beta');
SELECT session_id, tags, cardinality(tags) AS c FROM user_sessions ORDER BY session_id;
-- name: degrees_and_radians
SELECT degrees(1) AS d1, degrees(0.5) AS dh, radians(180) AS r180, radians(-45.5) AS rn, degrees(NULL::float8) AS dn, radians(degrees(2)) AS rt;
-- name: pi_and_degrees
SELECT pi() AS p, degrees(pi()) AS d, radians(180) = pi() AS same, pi() * 2 AS tau;
-- name: degrees_of_columns
SELECT session_id, degrees(risk_score) AS d, radians(page_views) AS r FROM user_sessions ORDER BY session_id;
-- name: octet_and_bit_length
SELECT octet_length('héllo') AS o, bit_length('héllo') AS b, octet_length('') AS e, octet_length(NULL::text) AS n, octet_length('日本') AS j, length('日本') AS l;
-- name: octet_length_of_columns
SELECT session_id, octet_length(user_id) AS o, bit_length(login_method) AS b FROM user_sessions ORDER BY session_id;
-- name: current_timestamp_precision
SELECT CURRENT_TIMESTAMP(0) = DATE_TRUNC('second', CURRENT_TIMESTAMP(0)) AS whole, ABS(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP(0) - NOW())) <= 0.5 AS near, ABS(EXTRACT(EPOCH FROM LOCALTIMESTAMP(1) - NOW())) <= 0.05 AS near1, CURRENT_TIMESTAMP(3) <= NOW() + INTERVAL '1 second' AS p3;
-- name: current_timestamp_precision_in_insert
INSERT INTO user_sessions (session_id, created_at) VALUES ('n020', CURRENT_TIMESTAMP(0));
SELECT session_id, created_at = DATE_TRUNC('second', created_at) AS whole FROM user_sessions WHERE session_id = 'n020';
-- ===== set-returning functions in the SELECT list =====
-- name: unnest_tags
SELECT session_id, unnest(tags) AS tag FROM user_sessions ORDER BY session_id, tag;
-- name: unnest_distinct_tags
SELECT DISTINCT unnest(tags) AS tag FROM user_sessions ORDER BY tag;
-- name: unnest_with_where_limit
SELECT session_id, unnest(tags) AS tag FROM user_sessions WHERE page_views > 10 ORDER BY session_id, tag LIMIT 7 OFFSET 2;
-- name: unnest_in_an_expression
SELECT session_id, UPPER(unnest(tags)) AS t, unnest(tags) || '!' AS bang FROM user_sessions WHERE session_id < 's010' ORDER BY session_id, t;
-- name: unnest_literal_arrays
SELECT unnest(ARRAY[3, 1, 2]) AS n;
-- name: unnest_two_arrays_zip
SELECT unnest(ARRAY[1, 2, 3]) AS a, unnest(ARRAY['x', 'y']) AS b;
-- name: unnest_zip_with_column
SELECT session_id, unnest(tags) AS t, unnest(ARRAY[10, 20]) AS n FROM user_sessions WHERE session_id < 's008' ORDER BY session_id, n NULLS LAST, t;
-- name: unnest_then_count_in_derived_table
SELECT tag, COUNT(*) AS n FROM (SELECT unnest(tags) AS tag FROM user_sessions) t GROUP BY tag ORDER BY tag;
-- name: unnest_distinct_on
SELECT DISTINCT ON (tag) unnest(tags) AS tag, session_id FROM user_sessions ORDER BY tag, session_id;
-- name: unnest_in_cte
WITH t AS (SELECT session_id, unnest(tags) AS tag FROM user_sessions) SELECT tag, MIN(session_id) AS first FROM t GROUP BY tag ORDER BY tag;
-- name: unnest_null_and_empty_give_no_rows
SELECT COUNT(*) AS n FROM (SELECT unnest(tags) FROM user_sessions WHERE tags IS NULL OR cardinality(tags) = 0) t;
-- name: jsonb_object_keys_of_session_data
SELECT session_id, jsonb_object_keys(session_data) AS k FROM user_sessions ORDER BY session_id, k;
-- name: jsonb_object_keys_order_of_a_literal
SELECT jsonb_object_keys('{"bbb": 1, "a": 2, "cc": 3, "ab": 4}'::jsonb) AS k;
-- name: jsonb_object_keys_nested
SELECT DISTINCT jsonb_object_keys(session_data->'preferences') AS k FROM user_sessions ORDER BY k;
-- name: jsonb_object_keys_null_empty_nested
CREATE TABLE jk (id INTEGER, j JSONB);
INSERT INTO jk (id, j) VALUES (1, '{"b": [1, {"k": 2}], "a": null, "k": {"v": 1, "k": [3]}}'), (2, NULL), (3, '{}'), (4, '{"v": "x", "kk": 1.5, "k": null}'), (5, '{"k": {}}');
SELECT id, jsonb_object_keys(j) AS k FROM jk ORDER BY id, k;
SELECT id, jsonb_object_keys(j->'k') AS k FROM jk WHERE id <> 4 ORDER BY id, k;
SELECT id, k, length(k) AS n FROM (SELECT id, jsonb_object_keys(j) AS k FROM jk) t ORDER BY n, k, id;
-- name: jsonb_array_elements_of_a_literal
SELECT jsonb_array_elements('[1, "a", null, {"k": 2}]'::jsonb) AS e;
-- ===== JSON: array indexes, #> paths, jsonb functions, containment =====
-- name: json_array_index_then_cast
SELECT session_id, (session_data->'shoppingCart'->'items'->0->>'qty')::numeric AS q0, session_data->'shoppingCart'->'items'->1->>'sku' AS s1 FROM user_sessions ORDER BY session_id;
-- name: json_negative_index
SELECT session_id, session_data->'shoppingCart'->'items'-> -1->>'sku' AS last, session_data->'shoppingCart'->'items'-> -9 AS far FROM user_sessions ORDER BY session_id;
-- name: json_index_past_the_end_and_on_objects
SELECT session_id, session_data->'shoppingCart'->'items'->5 AS past, session_data->'preferences'->0 AS obj, session_data->'shoppingCart'->'items'->1->'nope' AS nokey FROM user_sessions ORDER BY session_id;
-- name: json_index_in_where
SELECT session_id FROM user_sessions WHERE (session_data->'shoppingCart'->'items'->0->>'qty')::int = 1 ORDER BY session_id;
-- name: json_index_in_order_by
SELECT session_id, session_data->'shoppingCart'->'items'->0->>'sku' AS s FROM user_sessions ORDER BY s NULLS FIRST, session_id;
-- name: json_hash_arrow_paths
SELECT session_id, session_data #> '{shoppingCart,items,0,sku}' AS a, session_data #>> '{preferences,theme}' AS b, session_data #> '{navigation}' AS c, session_data #> '{shoppingCart,items,-1,qty}' AS d FROM user_sessions ORDER BY session_id;
-- name: json_hash_arrow_array_path
SELECT cache_key, value #> ARRAY['meta', 'etag'] AS etag, value #> '{meta,gz}' AS gz, value #> '{}' AS whole FROM application_cache ORDER BY cache_key;
-- name: json_index_of_literal
SELECT '[1, [2, 3], {"a": 4}]'::jsonb->1->0 AS a, '[1, [2, 3], {"a": 4}]'::jsonb->2->'a' AS b, '[1, 2]'::jsonb-> -2 AS c, '{"0": 5}'::jsonb->0 AS d;
-- name: jsonb_array_elements_then_key
SELECT session_id, jsonb_array_elements(session_data->'shoppingCart'->'items')->>'sku' AS sku FROM user_sessions WHERE session_id < 's020' ORDER BY session_id, sku;
-- name: jsonb_array_length_of_items
SELECT session_id, jsonb_array_length(session_data->'shoppingCart'->'items') AS n FROM user_sessions ORDER BY session_id;
-- name: jsonb_build_array_values
SELECT session_id, jsonb_build_array(session_id, page_views, session_data->'preferences'->>'language') AS a FROM user_sessions ORDER BY session_id;
-- name: jsonb_build_array_literals
SELECT jsonb_build_array(1, 'two', NULL, TRUE) AS a, jsonb_build_array() AS e;
-- name: jsonb_exists_keys
SELECT session_id, jsonb_exists(session_data->'preferences', 'theme') AS t, jsonb_exists_any(session_data->'preferences', ARRAY['x', 'language']) AS anyk, jsonb_exists_all(session_data->'preferences', ARRAY['theme', 'language']) AS allk FROM user_sessions ORDER BY session_id;
-- name: jsonb_exists_in_where
SELECT COUNT(*) AS n FROM user_sessions WHERE jsonb_exists(session_data->'preferences', 'theme');
-- name: jsonb_exists_on_arrays_and_strings
SELECT jsonb_exists('["a", "b", 1]'::jsonb, 'a') AS a, jsonb_exists('["a", 1]'::jsonb, '1') AS n, jsonb_exists('"a"'::jsonb, 'a') AS s, jsonb_exists('{"k": null}'::jsonb, 'k') AS nullval, jsonb_exists(NULL::jsonb, 'k') AS nul;
-- name: jsonb_containment_objects
SELECT session_id FROM user_sessions WHERE session_data @> '{"preferences": {"theme": "dark"}}' ORDER BY session_id;
-- name: jsonb_containment_nested_array
SELECT cache_key FROM application_cache WHERE value @> '{"meta": {"gz": true}}'::jsonb ORDER BY cache_key;
-- name: jsonb_containment_values
SELECT session_id, session_data @> '{"preferences": {"language": "en"}}' AS en, session_data @> '{}' AS empty, session_data @> '{"shoppingCart": {"items": [{"sku": "s0"}]}}' AS has_s0 FROM user_sessions ORDER BY session_id;
-- name: jsonb_containment_literals
SELECT '{"a": 1, "b": [1, 2, {"c": 3}]}'::jsonb @> '{"b": [{"c": 3}, 2]}' AS x, '{"a": 1}'::jsonb @> '{"a": 1.0}' AS y, '{"a": [1]}'::jsonb @> '{"a": 1}' AS z, '{"a": null}'::jsonb @> '{"a": null}' AS w, '{"a": {"b": 1}}'::jsonb @> '{"a": {}}' AS v;
-- name: jsonb_contained_by
SELECT cache_key, '{"kind": "html"}' <@ value AS html FROM application_cache ORDER BY cache_key;
-- name: jsonb_set_values
SELECT session_id, jsonb_set(session_data, '{preferences,theme}', '"light"') #>> '{preferences,theme}' AS t, jsonb_set(session_data->'preferences', '{extra}', '1', false) AS nocreate FROM user_sessions ORDER BY session_id;
-- name: jsonb_set_array_elements
SELECT jsonb_set('[1, 2, 3]'::jsonb, '{1}', '9') AS a, jsonb_set('[1, 2, 3]'::jsonb, '{-1}', '9') AS b, jsonb_set('[1, 2]'::jsonb, '{5}', '9') AS c, jsonb_set('[1, 2]'::jsonb, '{-5}', '9') AS d, jsonb_set('[1, 2]'::jsonb, '{5}', '9', false) AS e, jsonb_set('{"a": [1, {"b": 2}]}'::jsonb, '{a,1,b}', '"x"') AS f;
-- name: jsonb_set_nulls
SELECT jsonb_set(NULL::jsonb, '{a}', '1') AS a, jsonb_set('{"a": 1}'::jsonb, '{a}', NULL) AS b, jsonb_set('{"a": 1}'::jsonb, '{x,y}', '1') AS c;
-- name: update_with_jsonb_set
UPDATE application_cache SET value = jsonb_set(value, '{meta,etag}', '"new"') WHERE priority > 2;
SELECT cache_key, value #>> '{meta,etag}' AS etag FROM application_cache ORDER BY cache_key;
