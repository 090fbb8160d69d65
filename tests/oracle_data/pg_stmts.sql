-- Issue 17's statement forms (the stmts part): run-time LIKE / ILIKE, SIMILAR TO, ANY / ALL with every
-- operator, UPDATE ... FROM, DELETE ... USING, GROUPING SETS / ROLLUP / CUBE, CHECK constraints,
-- generate_series, unnest in FROM. Same format as pg_queries.sql (`-- name:` starts a case; each statement ends
-- with `;` at the end of a line).
-- ===== LIKE / ILIKE with patterns computed at run time =====
-- name: stmts_like_column_pattern
SELECT session_id, user_id, login_method FROM user_sessions WHERE login_method LIKE user_id || '%' OR 'password' LIKE login_method ORDER BY session_id;
-- name: stmts_like_concat_pattern
SELECT cache_key, namespace FROM application_cache WHERE cache_key LIKE namespace || ':%' ORDER BY cache_key;
-- name: stmts_like_pattern_with_metacharacters
CREATE TABLE pats (id INTEGER, p TEXT, s TEXT);
INSERT INTO pats (id, p, s) VALUES (1, 'a.c', 'abc'), (2, 'a.c', 'a.c'), (3, '(x)*', '(x)*'), (4, '(x)*', 'xx'), (5, '[ab]%', '[ab]c'), (6, '[ab]%', 'a'), (7, '50\%', '50%'), (8, '50\%', '500'), (9, 'a_c', 'abc'), (10, '$^|+?', '$^|+?'), (11, NULL, 'x'), (12, 'x', NULL), (13, '%', ''), (14, 'A%', 'abc'), (15, 'a\\b', 'a\b');
SELECT id, s LIKE p AS l, s NOT LIKE p AS nl, s ILIKE p AS il, s NOT ILIKE p AS nil FROM pats ORDER BY id;
-- name: stmts_like_pattern_escape_clause
CREATE TABLE pats (id INTEGER, p TEXT, s TEXT);
INSERT INTO pats (id, p, s) VALUES (1, 'a!%', 'a%'), (2, 'a!%', 'ab'), (3, '!_x', '_x'), (4, '!_x', 'ax'), (5, 'a\%', 'a\x'), (6, '!!', '!');
SELECT id, s LIKE p ESCAPE '!' AS bang, s LIKE p ESCAPE '' AS none FROM pats ORDER BY id;
-- name: stmts_like_pattern_in_where_and_case
CREATE TABLE pats (id INTEGER, p TEXT, s TEXT);
INSERT INTO pats (id, p, s) VALUES (1, 'ab%', 'abc'), (2, '%z', 'abc'), (3, NULL, 'abc'), (4, '_b_', 'abc');
SELECT id FROM pats WHERE s LIKE p ORDER BY id;
SELECT id FROM pats WHERE NOT (s LIKE p) ORDER BY id;
SELECT id, CASE WHEN s LIKE p THEN 'yes' WHEN s NOT LIKE p THEN 'no' ELSE 'unknown' END AS v FROM pats ORDER BY id;
-- name: stmts_like_upper_pattern
SELECT session_id FROM user_sessions WHERE UPPER(login_method) LIKE UPPER(SUBSTRING(login_method FROM 1 FOR 2)) || '%' ORDER BY session_id;
-- name: stmts_ilike_column_pattern
SELECT DISTINCT login_method FROM user_sessions WHERE login_method ILIKE LOWER(login_method) ORDER BY login_method;
-- name: stmts_like_any_array
SELECT session_id, login_method FROM user_sessions WHERE login_method LIKE ANY (ARRAY['pass%', '%_link']) ORDER BY session_id;
-- name: stmts_like_any_array_literal
SELECT session_id, login_method FROM user_sessions WHERE login_method ILIKE ANY ('{P%,sso}') ORDER BY session_id;
-- name: stmts_not_like_any
SELECT session_id FROM user_sessions WHERE NOT (login_method LIKE ANY (ARRAY['pass%', 'o%'])) ORDER BY session_id;
-- ===== SIMILAR TO =====
-- name: stmts_similar_to_alternation
SELECT session_id, login_method FROM user_sessions WHERE login_method SIMILAR TO '(pass|sso)%' ORDER BY session_id;
-- name: stmts_similar_to_classes_and_repeats
SELECT cache_key FROM application_cache WHERE cache_key SIMILAR TO '[a-z]+:[0-9]{1,3}%' ORDER BY cache_key;
-- name: stmts_not_similar_to
SELECT session_id, login_method FROM user_sessions WHERE login_method NOT SIMILAR TO '%(o|a)%' ORDER BY session_id;
-- name: stmts_similar_to_values
SELECT 'abc' SIMILAR TO 'abc' AS a, 'abc' SIMILAR TO 'a' AS b, 'abc' SIMILAR TO '%(b|d)%' AS c, 'abc' SIMILAR TO '(b|c)%' AS d, 'a.c' SIMILAR TO 'a.c' AS e, 'abc' SIMILAR TO 'a.c' AS f, 'xyz' SIMILAR TO '[x-z]*' AS g, 'x^$' SIMILAR TO 'x^$' AS h, 'a%' SIMILAR TO 'a#%' ESCAPE '#' AS i, 'ab' SIMILAR TO 'a#%' ESCAPE '#' AS j, NULL SIMILAR TO 'a' AS k, 'aaa' SIMILAR TO 'a{2,}' AS l, 'a+' SIMILAR TO 'a\+' AS m, 'ab' SIMILAR TO 'ab\' AS n;
-- name: stmts_similar_to_in_select
SELECT session_id, login_method SIMILAR TO '%_(link|auth)' AS m FROM user_sessions ORDER BY session_id;
-- ===== ANY / ALL =====
-- name: stmts_any_lt_array
SELECT session_id, page_views FROM user_sessions WHERE page_views < ANY (ARRAY[0, 5]) ORDER BY session_id;
-- name: stmts_all_gt_array
SELECT session_id, page_views FROM user_sessions WHERE page_views > ALL (ARRAY[10, 20, 30]) ORDER BY session_id;
-- name: stmts_any_every_operator_values
SELECT 3 < ANY (ARRAY[1, 2]) AS a, 3 <= ANY (ARRAY[3, 1]) AS b, 3 > ANY (ARRAY[5, 2]) AS c, 3 >= ALL (ARRAY[3, 1]) AS d, 3 <> ANY (ARRAY[3, 3]) AS e, 3 <> ALL (ARRAY[1, 2]) AS f, 3 = ALL (ARRAY[3, 3]) AS g, 3 < ALL (ARRAY[4, 2]) AS h, 3 = SOME (ARRAY[1, 3]) AS i;
-- name: stmts_any_null_rules
SELECT 1 = ANY ('{2,NULL}'::int[]) AS a, 2 = ANY ('{2,NULL}'::int[]) AS b, 1 <> ALL ('{2,NULL}'::int[]) AS c, 2 <> ALL ('{2,NULL}'::int[]) AS d, NULL::int = ANY ('{}'::int[]) AS e, NULL::int = ALL ('{}'::int[]) AS f, NULL::int = ANY ('{1}'::int[]) AS g, 1 = ANY (NULL::int[]) AS h, 1 < ALL ('{2,NULL}'::int[]) AS i, 3 < ALL ('{2,NULL}'::int[]) AS j, 5 > ANY ('{NULL,9}'::int[]) AS k;
-- name: stmts_any_array_literal_typed_by_operand
SELECT 2 = ANY ('{1,2,3}') AS a, 'b' = ANY ('{a,b}') AS b, 'x' <> ALL ('{a,b}') AS c, 2.5 < ANY ('{1,3}') AS d, 'a b' = ANY ('{"a b",c}') AS e;
-- name: stmts_any_array_column
SELECT session_id, tags FROM user_sessions WHERE 'mobile' <> ALL (tags) ORDER BY session_id;
-- name: stmts_any_text_lt_array_column
SELECT session_id, tags FROM user_sessions WHERE 'c' > ANY (tags) ORDER BY session_id;
-- name: stmts_any_all_in_select_list
SELECT session_id, 'vip' = ANY (tags) AS has_vip, 'vip' <> ALL (tags) AS no_vip, 'm' < ALL (tags) AS all_after_m FROM user_sessions ORDER BY session_id;
-- name: stmts_any_column_vs_literal_array
SELECT cache_key, hit_count FROM application_cache WHERE hit_count >= ALL ('{10,20}'::int[]) OR priority = ANY ('{1,NULL}'::int[]) ORDER BY cache_key;
-- name: stmts_any_cast_text_array
SELECT session_id FROM user_sessions WHERE login_method = ANY ('{sso,oauth}'::text[]) ORDER BY session_id;
-- name: stmts_all_not
SELECT session_id, page_views FROM user_sessions WHERE NOT (page_views > ALL (ARRAY[5, 10])) ORDER BY session_id;
-- name: stmts_any_subquery_operators
SELECT session_id, page_views FROM user_sessions WHERE page_views > ALL (SELECT c.hit_count FROM application_cache c WHERE c.hit_count IS NOT NULL) ORDER BY session_id;
-- name: stmts_any_subquery_lte
SELECT cache_key, priority FROM application_cache WHERE priority <= ANY (SELECT s.page_views FROM user_sessions s WHERE s.page_views < 2) ORDER BY cache_key;
-- ===== GROUPING SETS / ROLLUP / CUBE =====
-- name: stmts_rollup_two_keys
SELECT login_method, active, COUNT(*) AS n, SUM(page_views) AS pv, GROUPING(login_method, active) AS g FROM user_sessions GROUP BY ROLLUP (login_method, active);
-- name: stmts_cube_two_keys
SELECT user_id, mfa_verified, COUNT(*) AS n, MAX(risk_score) AS r FROM user_sessions GROUP BY CUBE (user_id, mfa_verified);
-- name: stmts_grouping_sets_explicit
SELECT namespace, priority, COUNT(*) AS n, AVG(hit_count) AS h FROM application_cache GROUP BY GROUPING SETS ((namespace), (priority), ());
-- name: stmts_grouping_sets_order_by_grouping
SELECT login_method, GROUPING(login_method) AS g, COUNT(*) AS n FROM user_sessions GROUP BY ROLLUP (login_method) ORDER BY g, login_method NULLS FIRST;
-- name: stmts_rollup_having
SELECT user_id, login_method, COUNT(*) AS n FROM user_sessions GROUP BY ROLLUP (user_id, login_method) HAVING COUNT(*) > 3;
-- name: stmts_plain_key_and_rollup
SELECT active, login_method, COUNT(*) AS n FROM user_sessions GROUP BY active, ROLLUP (login_method);
-- name: stmts_rollup_over_no_rows
SELECT login_method, COUNT(*) AS n, SUM(page_views) AS s FROM user_sessions WHERE page_views > 1000 GROUP BY ROLLUP (login_method);
-- name: stmts_grouping_sets_empty_only_over_no_rows
SELECT COUNT(*) AS n, MAX(page_views) AS m FROM user_sessions WHERE page_views > 1000 GROUP BY GROUPING SETS ((), (login_method));
-- name: stmts_rollup_expression_key_and_ordinal
SELECT page_views > 10 AS big, login_method, COUNT(*) AS n FROM user_sessions GROUP BY ROLLUP (1, login_method) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3;
-- name: stmts_cube_grouping_each
SELECT namespace, priority, GROUPING(namespace) AS gn, GROUPING(priority) AS gp, GROUPING(priority, namespace) AS gpn, SUM(hit_count) AS h FROM application_cache GROUP BY CUBE (namespace, priority);
-- name: stmts_rollup_composite_element
SELECT user_id, login_method, active, COUNT(*) AS n FROM user_sessions GROUP BY ROLLUP ((user_id, login_method), active);
-- name: stmts_grouping_sets_duplicate_sets
SELECT active, COUNT(*) AS n FROM user_sessions GROUP BY GROUPING SETS ((active), (active));
-- name: stmts_rollup_all_null_keys
SELECT NULLIF(login_method, login_method) AS k, GROUPING(NULLIF(login_method, login_method)) AS g, COUNT(*) AS n, SUM(cart_total) AS c FROM user_sessions GROUP BY ROLLUP (NULLIF(login_method, login_method)) ORDER BY g, k NULLS FIRST;
-- name: stmts_cube_over_no_rows_filtered
SELECT login_method, active, COUNT(*) AS n, SUM(page_views) AS s, AVG(risk_score) AS r, MAX(cart_total) AS m FROM user_sessions WHERE page_views < 0 GROUP BY CUBE (login_method, active);
-- name: stmts_grouping_sets_repeated_with_mixed_numbers
SELECT login_method, active, GROUPING(login_method, active) AS g, COUNT(*) AS n, SUM(cart_total) AS c, MIN(risk_score) AS lo, MAX(page_views) AS hi, AVG(data_transferred) AS a FROM user_sessions WHERE active GROUP BY GROUPING SETS ((login_method, active), (login_method), (login_method, active), ()) ORDER BY g, login_method NULLS FIRST, active NULLS FIRST, n;
-- name: stmts_rollup_nullable_keys_with_filter
SELECT mfa_verified, login_method, COUNT(*) AS n, SUM(page_views) AS pv FROM user_sessions WHERE page_views >= 2 GROUP BY ROLLUP (mfa_verified, login_method) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3;
-- name: stmts_rollup_string_agg
SELECT namespace, STRING_AGG(cache_key, ',' ORDER BY cache_key) AS keys FROM application_cache GROUP BY ROLLUP (namespace) ORDER BY GROUPING(namespace), namespace NULLS FIRST;
-- ===== UPDATE ... FROM / DELETE ... USING =====
-- name: stmts_update_from_one_match_per_row
CREATE TABLE accts (id INTEGER, bal INTEGER, tag TEXT);
CREATE TABLE pay (acct INTEGER, amount INTEGER);
INSERT INTO accts (id, bal, tag) VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c'), (4, NULL, 'd');
INSERT INTO pay (acct, amount) VALUES (1, 5), (3, 7), (4, 1), (9, 100);
UPDATE accts SET bal = accts.bal + pay.amount, tag = UPPER(accts.tag) FROM pay WHERE accts.id = pay.acct;
SELECT id, bal, tag FROM accts ORDER BY id;
-- name: stmts_update_from_alias_and_extra_condition
CREATE TABLE accts (id INTEGER, bal INTEGER, tag TEXT);
CREATE TABLE pay (acct INTEGER, amount INTEGER);
INSERT INTO accts (id, bal, tag) VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c');
INSERT INTO pay (acct, amount) VALUES (1, 5), (2, -7), (3, 8);
UPDATE accts AS a SET bal = p.amount * 2 FROM pay AS p WHERE a.id = p.acct AND p.amount > 0 AND a.tag <> 'c';
SELECT id, bal FROM accts ORDER BY id;
-- name: stmts_update_from_no_match
CREATE TABLE accts (id INTEGER, bal INTEGER);
CREATE TABLE pay (acct INTEGER, amount INTEGER);
INSERT INTO accts (id, bal) VALUES (1, 10), (2, 20);
INSERT INTO pay (acct, amount) VALUES (7, 5);
UPDATE accts SET bal = pay.amount FROM pay WHERE accts.id = pay.acct;
SELECT id, bal FROM accts ORDER BY id;
-- name: stmts_update_from_null_values_and_keys
CREATE TABLE accts (id INTEGER, bal INTEGER, note TEXT);
CREATE TABLE pay (acct INTEGER, amount INTEGER, note TEXT);
INSERT INTO accts (id, bal, note) VALUES (1, 10, 'x'), (NULL, 20, 'y'), (3, 30, 'z');
INSERT INTO pay (acct, amount, note) VALUES (1, NULL, NULL), (NULL, 5, 'n'), (3, 4, 'w');
UPDATE accts SET bal = pay.amount, note = pay.note FROM pay WHERE accts.id = pay.acct;
SELECT id, bal, note FROM accts ORDER BY id NULLS LAST;
-- name: stmts_update_from_counts_target_rows_once
CREATE TABLE accts (id INTEGER, hits INTEGER);
CREATE TABLE ev (acct INTEGER, kind TEXT);
INSERT INTO accts (id, hits) VALUES (1, 0), (2, 0), (3, 0);
INSERT INTO ev (acct, kind) VALUES (1, 'a'), (1, 'b'), (1, 'c'), (2, 'a'), (2, 'a');
UPDATE accts SET hits = accts.hits + 1 FROM ev WHERE ev.acct = accts.id;
SELECT id, hits FROM accts ORDER BY id;
-- name: stmts_update_from_cross_table_seed
UPDATE application_cache SET priority = user_sessions.page_views FROM user_sessions WHERE application_cache.cache_key = 'user:' || SUBSTRING(user_sessions.session_id FROM 2) || ':profile' AND user_sessions.page_views IS NOT NULL;
SELECT cache_key, priority FROM application_cache ORDER BY cache_key;
-- name: stmts_update_from_derived_values
CREATE TABLE accts (id INTEGER, total INTEGER);
CREATE TABLE pay (acct INTEGER, amount INTEGER);
INSERT INTO accts (id, total) VALUES (1, 0), (2, 0), (3, 0);
INSERT INTO pay (acct, amount) VALUES (1, 5), (1, 6), (2, 7);
UPDATE accts SET total = s.sum_amount FROM (SELECT acct, SUM(amount) AS sum_amount FROM pay GROUP BY acct) AS s WHERE accts.id = s.acct;
SELECT id, total FROM accts ORDER BY id;
-- name: stmts_update_from_two_tables
CREATE TABLE accts (id INTEGER, bal INTEGER);
CREATE TABLE pay (acct INTEGER, amount INTEGER);
CREATE TABLE rate (k INTEGER, m INTEGER);
INSERT INTO accts (id, bal) VALUES (1, 10), (2, 20), (3, 30);
INSERT INTO pay (acct, amount) VALUES (1, 5), (2, 6);
INSERT INTO rate (k, m) VALUES (1, 3), (2, 4);
UPDATE accts SET bal = pay.amount * rate.m FROM pay, rate WHERE accts.id = pay.acct AND rate.k = pay.acct;
SELECT id, bal FROM accts ORDER BY id;
-- name: stmts_delete_using
CREATE TABLE accts (id INTEGER, bal INTEGER);
CREATE TABLE closed (acct INTEGER, reason TEXT);
INSERT INTO accts (id, bal) VALUES (1, 10), (2, 20), (3, 30), (4, 40);
INSERT INTO closed (acct, reason) VALUES (1, 'x'), (1, 'y'), (3, 'fraud'), (NULL, 'z');
DELETE FROM accts USING closed WHERE accts.id = closed.acct;
SELECT id, bal FROM accts ORDER BY id;
-- name: stmts_delete_using_alias_condition
CREATE TABLE accts (id INTEGER, bal INTEGER);
CREATE TABLE closed (acct INTEGER, reason TEXT);
INSERT INTO accts (id, bal) VALUES (1, 10), (2, 20), (3, 30);
INSERT INTO closed (acct, reason) VALUES (1, 'x'), (2, 'fraud'), (3, 'fraud');
DELETE FROM accts a USING closed c WHERE a.id = c.acct AND c.reason = 'fraud' AND a.bal > 25;
SELECT id FROM accts ORDER BY id;
-- name: stmts_delete_using_seed_sessions
DELETE FROM application_cache USING user_sessions WHERE application_cache.namespace = user_sessions.login_method;
SELECT COUNT(*) AS n FROM application_cache;
-- name: stmts_delete_using_no_match
CREATE TABLE accts (id INTEGER);
CREATE TABLE closed (acct INTEGER);
INSERT INTO accts (id) VALUES (1), (2);
INSERT INTO closed (acct) VALUES (5);
DELETE FROM accts USING closed WHERE accts.id = closed.acct;
SELECT id FROM accts ORDER BY id;
-- ===== CREATE TABLE ... CHECK (rows whose checks are TRUE or NULL are kept; tests/check_constraints.rs has the refusals) =====
-- name: stmts_check_null_passes
CREATE TABLE items (id INTEGER PRIMARY KEY, price NUMERIC CHECK (price > 0), lo INTEGER, hi INTEGER, CONSTRAINT range_ok CHECK (lo <= hi));
INSERT INTO items (id, price, lo, hi) VALUES (1, 5, 1, 2), (2, NULL, NULL, 3), (3, 0.5, 4, NULL);
INSERT INTO items (id) VALUES (4);
SELECT id, price, lo, hi FROM items ORDER BY id;
-- name: stmts_check_update_within_bounds
CREATE TABLE items (id INTEGER, qty INTEGER CHECK (qty >= 0), name TEXT CHECK (name <> '' AND LENGTH(name) <= 5));
INSERT INTO items (id, qty, name) VALUES (1, 3, 'ab'), (2, 0, NULL);
UPDATE items SET qty = qty - 3 WHERE id = 1;
UPDATE items SET name = 'abcde' WHERE id = 2;
SELECT id, qty, name FROM items ORDER BY id;
-- name: stmts_check_boolean_and_in_list
CREATE TABLE items (id INTEGER, status TEXT CHECK (status IN ('new', 'done')), flag BOOLEAN, CHECK (flag OR status = 'new'));
INSERT INTO items (id, status, flag) VALUES (1, 'new', FALSE), (2, 'done', TRUE), (3, NULL, NULL), (4, 'done', NULL);
SELECT id, status, flag FROM items ORDER BY id;
-- ===== generate_series =====
-- name: stmts_generate_series_select_list
SELECT generate_series(1, 5) AS n;
-- name: stmts_generate_series_step_and_descending
SELECT generate_series(10, 1, -3) AS a;
-- name: stmts_generate_series_empty_and_null
SELECT COUNT(*) AS n FROM (SELECT generate_series(5, 1) AS x) t;
-- name: stmts_generate_series_numeric_step
SELECT generate_series(0, 1, 0.25) AS x;
-- name: stmts_generate_series_numeric_exact
SELECT generate_series(0.1, 0.5, 0.1) AS x;
-- name: stmts_generate_series_from_alias_columns
SELECT n, n * n AS sq FROM generate_series(1, 6, 2) AS g(n) ORDER BY n;
-- name: stmts_generate_series_from_default_name
SELECT generate_series FROM generate_series(3, 5) ORDER BY 1;
-- name: stmts_generate_series_from_alias_name
SELECT g FROM generate_series(-2, 2) AS g WHERE g <> 0 ORDER BY g;
-- name: stmts_generate_series_timestamps
SELECT d FROM generate_series(TIMESTAMPTZ '2026-11-22T00:00:00Z', TIMESTAMPTZ '2026-11-23T00:00:00Z', INTERVAL '6 hours') AS d ORDER BY d;
-- name: stmts_generate_series_bucket_counts
SELECT h.n, COUNT(s.session_id) AS sessions FROM generate_series(0, 5) AS h(n) CROSS JOIN user_sessions s WHERE s.page_views >= h.n * 10 GROUP BY h.n ORDER BY h.n;
-- name: stmts_generate_series_with_ordinality
SELECT v, i FROM generate_series(10, 30, 10) WITH ORDINALITY AS g(v, i) ORDER BY i;
-- name: stmts_generate_series_per_row
SELECT s.session_id, g.k FROM user_sessions s, generate_series(1, s.actions_performed) AS g(k) WHERE s.actions_performed < 3 ORDER BY 1, 2;
-- ===== unnest in FROM =====
-- name: stmts_unnest_from_lateral_comma
SELECT s.session_id, t.tag FROM user_sessions s, unnest(s.tags) AS t(tag) ORDER BY 1, 2;
-- name: stmts_unnest_from_cross_join_lateral
SELECT s.session_id, t.tag FROM user_sessions s CROSS JOIN LATERAL unnest(s.tags) AS t(tag) WHERE t.tag LIKE '%e%' ORDER BY 1, 2;
-- name: stmts_unnest_from_group_by_tag
SELECT t.tag, COUNT(*) AS n FROM user_sessions s, unnest(s.tags) AS t(tag) GROUP BY t.tag ORDER BY t.tag;
-- name: stmts_unnest_from_array_literal
SELECT x FROM unnest(ARRAY[3, 1, 2]) AS x ORDER BY x;
-- name: stmts_unnest_from_with_ordinality
SELECT c.cache_key, t.tag, t.pos FROM application_cache c, unnest(c.tags) WITH ORDINALITY AS t(tag, pos) ORDER BY 1, 3;
-- name: stmts_unnest_from_two_arrays_zip
SELECT a, b FROM unnest(ARRAY[1, 2, 3], ARRAY['x', 'y']) AS u(a, b) ORDER BY a;
-- name: stmts_unnest_from_unqualified_column
SELECT session_id, tag FROM user_sessions s, unnest(s.tags) AS t(tag) WHERE tag IN ('vip', 'beta') ORDER BY 1, 2;
-- ===== jsonb ? / ?| / ?& (sql/question.rs: the operator after an operand, a placeholder elsewhere) =====
-- name: stmts_jsonb_question_key
SELECT session_id, session_data ? 'shoppingCart' AS has_cart, session_data -> 'preferences' ? 'theme' AS has_theme FROM user_sessions ORDER BY session_id;
-- name: stmts_jsonb_question_in_where
SELECT session_id FROM user_sessions WHERE session_data -> 'preferences' ? 'language' ORDER BY session_id;
-- name: stmts_jsonb_question_any_all
SELECT session_id, session_data -> 'preferences' ?| ARRAY['theme', 'nope'] AS any_key, session_data -> 'preferences' ?& ARRAY['theme', 'language'] AS all_keys, session_data -> 'preferences' ?& '{theme}' AS lit FROM user_sessions ORDER BY session_id;
-- name: stmts_jsonb_question_array_elements_and_values
SELECT '["a", "b"]'::jsonb ? 'a' AS a, '["a", "b"]'::jsonb ? 'z' AS b, '"a"'::jsonb ? 'a' AS c, '{"a": null}'::jsonb ? 'a' AS d, '{"a": 1}'::jsonb ?| ARRAY['x', 'a'] AS e, '{"a": 1}'::jsonb ?& ARRAY['x', 'a'] AS f, '{"a": 1}'::jsonb ?& ARRAY[]::text[] AS g;
-- name: stmts_jsonb_question_on_cache_values
SELECT cache_key FROM application_cache WHERE value ?| '{v,l}' ORDER BY cache_key;
-- name: stmts_similar_to_computed_pattern
CREATE TABLE pats (id INTEGER, s TEXT, p TEXT);
INSERT INTO pats (id, s, p) VALUES (1, 'abc', 'a%'), (2, 'abc', '(a|x)bc'), (3, 'a.c', 'a.c'), (4, 'abc', 'a.c'), (5, 'abc', 'a[b]c'), (6, 'ab', '[a-c]+'), (7, 'ab', NULL), (8, NULL, '%'), (9, 'a$b', 'a$b'), (10, 'A', '_'), (11, 'a%', 'a!%');
SELECT id, s SIMILAR TO p AS m, s NOT SIMILAR TO p AS nm FROM pats ORDER BY id;
SELECT id, s SIMILAR TO p ESCAPE '!' AS m FROM pats WHERE id IN (10, 11) ORDER BY id;
SELECT id FROM pats WHERE s SIMILAR TO p || '%' ORDER BY id;
-- name: stmts_update_from_returning
CREATE TABLE s (id TEXT PRIMARY KEY, user_id INTEGER, hits INTEGER);
CREATE TABLE u (uid INTEGER PRIMARY KEY, bonus INTEGER, name TEXT);
INSERT INTO s (id, user_id, hits) VALUES ('a', 1, 10), ('b', 2, 20), ('c', 3, 30), ('d', 1, NULL);
INSERT INTO u (uid, bonus, name) VALUES (1, 5, 'ann'), (2, 7, 'bob');
UPDATE s SET hits = s.hits + u.bonus FROM u WHERE s.user_id = u.uid RETURNING s.id, s.hits, s.hits - u.bonus AS old, u.name, s.user_id;
SELECT * FROM s ORDER BY id;
-- name: stmts_delete_using_returning
CREATE TABLE s (id TEXT PRIMARY KEY, user_id INTEGER, hits INTEGER);
CREATE TABLE u (uid INTEGER PRIMARY KEY, name TEXT);
INSERT INTO s (id, user_id, hits) VALUES ('a', 1, 10), ('b', 2, 20), ('c', 2, 30);
INSERT INTO u (uid, name) VALUES (1, 'ann'), (2, 'bob');
DELETE FROM s USING u WHERE s.user_id = u.uid AND u.name = 'bob' RETURNING s.id, s.hits * 2 AS twice, u.name AS owner;
DELETE FROM s USING u WHERE s.user_id = u.uid AND u.name = 'nobody' RETURNING s.id;
SELECT * FROM s ORDER BY id;
-- name: stmts_update_from_returning_sessions
UPDATE user_sessions SET page_views = user_sessions.page_views + 1 FROM application_cache c WHERE c.priority = user_sessions.page_views AND c.namespace = 'user' RETURNING user_sessions.session_id, user_sessions.page_views;
-- name: stmts_insert_select_returning
CREATE TABLE arch (id TEXT PRIMARY KEY, n INTEGER, status TEXT DEFAULT 'archived', note TEXT);
CREATE TABLE src (k TEXT, v INTEGER);
INSERT INTO src (k, v) VALUES ('a', 1), ('b', 2), ('c', NULL);
INSERT INTO arch (n, id) SELECT v * 10, k FROM src RETURNING id, n + 1 AS n1, status, arch.note;
INSERT INTO arch (id, n) SELECT k || 'x', v FROM src WHERE v > 1 RETURNING *;
INSERT INTO arch (id) SELECT k FROM src WHERE false RETURNING id;
SELECT * FROM arch ORDER BY id;
-- name: stmts_insert_select_returning_sessions
CREATE TABLE archived (session_id TEXT, user_id TEXT, views INTEGER);
INSERT INTO archived (session_id, user_id, views) SELECT session_id, user_id, page_views FROM user_sessions WHERE NOT active RETURNING session_id, views * 2 AS double_views;
