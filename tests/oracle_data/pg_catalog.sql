-- Issue 17 item 1: declared tables (CREATE TABLE on both sides) and the join forms they allow. Same format
-- as pg_queries.sql (`-- name:` starts a case; each statement ends with `;` at the end of a line). The data
-- script's user_sessions / application_cache are declared too.
-- ===== SELECT * over declared tables: the declared columns, in order, no _id =====
-- name: cat_star_declared_order
SELECT * FROM user_sessions ORDER BY session_id LIMIT 5;
-- name: cat_star_cache_where
SELECT * FROM application_cache WHERE priority > 2 ORDER BY cache_key;
-- name: cat_qualified_star_alias
SELECT c.* FROM application_cache c WHERE c.hit_count IS NULL OR c.hit_count < 3 ORDER BY c.cache_key;
-- name: cat_star_distinct
SELECT DISTINCT * FROM (SELECT user_id, login_method FROM user_sessions) d ORDER BY user_id, login_method;
-- name: cat_star_small_table
CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER, note TEXT);
INSERT INTO kv (k, v, note) VALUES ('a', 1, 'x'), ('b', NULL, NULL), ('c', 3, 'z');
SELECT * FROM kv ORDER BY k;
-- name: cat_star_missing_fields_are_null
CREATE TABLE kv (k TEXT, v INTEGER, note TEXT);
INSERT INTO kv (k) VALUES ('a');
INSERT INTO kv (k, note) VALUES ('b', 'n');
SELECT * FROM kv ORDER BY k;
-- name: cat_star_column_order_is_declared_not_inserted
CREATE TABLE kv (a INTEGER, b TEXT, c BOOLEAN);
INSERT INTO kv (c, b, a) VALUES (true, 'x', 1);
SELECT * FROM kv;
-- name: cat_star_with_order_by_expression
SELECT * FROM application_cache ORDER BY COALESCE(priority, 0) DESC, cache_key LIMIT 7;
-- name: cat_star_in_cte
WITH s AS (SELECT * FROM application_cache WHERE namespace = 'user') SELECT * FROM s ORDER BY cache_key;
-- name: cat_star_in_derived_table_count
SELECT COUNT(*) AS n FROM (SELECT * FROM user_sessions WHERE active) t;
-- name: cat_star_of_view
CREATE VIEW active_sessions AS SELECT session_id, user_id, page_views FROM user_sessions WHERE active;
SELECT * FROM active_sessions ORDER BY session_id;
-- name: cat_view_unqualified_join
CREATE VIEW big_cache AS SELECT cache_key, priority FROM application_cache WHERE priority >= 3;
SELECT session_id, cache_key FROM user_sessions JOIN big_cache ON priority = page_views ORDER BY session_id, cache_key;
-- name: cat_star_exists_subquery
SELECT session_id FROM user_sessions WHERE EXISTS (SELECT * FROM application_cache WHERE application_cache.priority = user_sessions.page_views) ORDER BY session_id;
-- name: cat_insert_returning_star
CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER);
INSERT INTO kv (k, v) VALUES ('a', 1), ('b', NULL) RETURNING *;
-- name: cat_update_returning_star
CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER);
INSERT INTO kv (k, v) VALUES ('a', 1), ('b', 2);
UPDATE kv SET v = v * 10 WHERE k = 'b' RETURNING *;
-- name: cat_delete_returning_star
CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER);
INSERT INTO kv (k, v) VALUES ('a', 1), ('b', 2);
DELETE FROM kv WHERE v > 1 RETURNING *;
-- ===== Unqualified names in joins, resolved by the declared columns =====
-- name: cat_join_unqualified_columns
SELECT session_id, cache_key, page_views, priority FROM user_sessions JOIN application_cache ON priority = page_views ORDER BY session_id, cache_key;
-- name: cat_join_unqualified_where_and_order
SELECT session_id, namespace FROM user_sessions s JOIN application_cache c ON c.priority = s.page_views WHERE active AND namespace <> 'tmp' ORDER BY session_id, namespace, cache_key;
-- name: cat_join_unqualified_group_by
SELECT namespace, COUNT(*) AS n, SUM(page_views) AS pv FROM user_sessions JOIN application_cache ON priority = page_views GROUP BY namespace ORDER BY namespace;
-- name: cat_left_join_unqualified
SELECT session_id, cache_key FROM user_sessions LEFT JOIN application_cache ON priority = page_views AND namespace = 'user' ORDER BY session_id, cache_key;
-- name: cat_join_qualified_common_column
SELECT s.session_id, c.cache_key, s.created_at FROM user_sessions s JOIN application_cache c ON c.created_at = s.created_at ORDER BY 1, 2;
-- name: cat_join_star_two_tables
CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER);
CREATE TABLE dept (dept_no INTEGER PRIMARY KEY, dname TEXT);
INSERT INTO emp (id, name, dept_id) VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', NULL), (4, 'di', 10);
INSERT INTO dept (dept_no, dname) VALUES (10, 'ops'), (20, 'dev'), (30, 'hr');
SELECT * FROM emp JOIN dept ON dept_no = dept_id ORDER BY id;
-- name: cat_left_join_star
CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER);
CREATE TABLE dept (dept_no INTEGER PRIMARY KEY, dname TEXT);
INSERT INTO emp (id, name, dept_id) VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', NULL), (4, 'di', 10);
INSERT INTO dept (dept_no, dname) VALUES (10, 'ops'), (20, 'dev'), (30, 'hr');
SELECT * FROM emp LEFT JOIN dept ON dept_no = dept_id ORDER BY id;
-- name: cat_join_table_star_and_column
CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER);
CREATE TABLE dept (dept_no INTEGER PRIMARY KEY, dname TEXT);
INSERT INTO emp (id, name, dept_id) VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', NULL);
INSERT INTO dept (dept_no, dname) VALUES (10, 'ops'), (20, 'dev');
SELECT e.*, dname FROM emp e LEFT JOIN dept d ON d.dept_no = e.dept_id ORDER BY id;
-- name: cat_join_two_table_stars
CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER);
CREATE TABLE dept (dept_no INTEGER PRIMARY KEY, dname TEXT);
INSERT INTO emp (id, name, dept_id) VALUES (1, 'ann', 10), (2, 'bob', 20);
INSERT INTO dept (dept_no, dname) VALUES (10, 'ops'), (20, 'dev');
SELECT d.*, e.* FROM emp e JOIN dept d ON d.dept_no = e.dept_id ORDER BY id;
-- name: cat_three_way_join_unqualified
CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER);
CREATE TABLE dept (dept_no INTEGER PRIMARY KEY, dname TEXT, site_id INTEGER);
CREATE TABLE site (sid INTEGER PRIMARY KEY, city TEXT);
INSERT INTO emp (id, name, dept_id) VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', 30);
INSERT INTO dept (dept_no, dname, site_id) VALUES (10, 'ops', 100), (20, 'dev', 200), (30, 'hr', NULL);
INSERT INTO site (sid, city) VALUES (100, 'oslo'), (200, 'rome');
SELECT name, dname, city FROM emp JOIN dept ON dept_no = dept_id LEFT JOIN site ON sid = site_id ORDER BY name;
-- ===== USING and NATURAL =====
-- name: cat_using_star
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT * FROM a JOIN b USING (k) ORDER BY k;
-- name: cat_left_using_star
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT * FROM a LEFT JOIN b USING (k) ORDER BY x;
-- name: cat_right_using
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT k, x, y FROM a RIGHT JOIN b USING (k) ORDER BY y;
-- name: cat_right_using_star
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT * FROM a RIGHT JOIN b USING (k) ORDER BY y;
-- name: cat_full_using_star
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT * FROM a FULL JOIN b USING (k) ORDER BY k, x, y;
-- name: cat_full_using_merged_in_where_and_group
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (2, 'a22'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT k, COUNT(*) AS n FROM a FULL JOIN b USING (k) WHERE k IS NOT NULL GROUP BY k ORDER BY k;
-- name: cat_using_two_columns
CREATE TABLE a (k INTEGER, j TEXT, x TEXT);
CREATE TABLE b (j TEXT, k INTEGER, y TEXT);
INSERT INTO a (k, j, x) VALUES (1, 'p', 'a1'), (1, 'q', 'a2'), (2, 'p', 'a3');
INSERT INTO b (j, k, y) VALUES ('p', 1, 'b1'), ('q', 2, 'b2'), ('p', 2, 'b3');
SELECT * FROM a JOIN b USING (k, j) ORDER BY x;
-- name: cat_using_chain_three_tables
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
CREATE TABLE c (k INTEGER, z TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2');
INSERT INTO b (k, y) VALUES (1, 'b1'), (2, 'b2');
INSERT INTO c (k, z) VALUES (2, 'c2'), (3, 'c3');
SELECT * FROM a JOIN b USING (k) LEFT JOIN c USING (k) ORDER BY k;
-- name: cat_using_then_other_key
CREATE TABLE a (k INTEGER, m INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
CREATE TABLE c (m INTEGER, z TEXT);
INSERT INTO a (k, m, x) VALUES (1, 10, 'a1'), (2, 20, 'a2');
INSERT INTO b (k, y) VALUES (1, 'b1'), (2, 'b2');
INSERT INTO c (m, z) VALUES (20, 'c20');
SELECT * FROM a JOIN b USING (k) JOIN c USING (m) ORDER BY k;
-- name: cat_natural_join
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT * FROM a NATURAL JOIN b;
-- name: cat_natural_left_join
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT * FROM a NATURAL LEFT JOIN b ORDER BY x;
-- name: cat_natural_right_join
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT * FROM a NATURAL RIGHT JOIN b ORDER BY y;
-- name: cat_natural_full_join
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (NULL, 'bn');
SELECT * FROM a NATURAL FULL JOIN b ORDER BY k, x, y;
-- name: cat_natural_two_common_columns
CREATE TABLE a (k INTEGER, j TEXT, x TEXT);
CREATE TABLE b (j TEXT, y TEXT, k INTEGER);
INSERT INTO a (k, j, x) VALUES (1, 'p', 'a1'), (1, 'q', 'a2'), (2, 'p', 'a3');
INSERT INTO b (j, y, k) VALUES ('p', 'b1', 1), ('q', 'b2', 2), ('p', 'b3', 2);
SELECT * FROM a NATURAL JOIN b ORDER BY x;
-- name: cat_natural_no_common_columns_is_cross
CREATE TABLE a (k INTEGER);
CREATE TABLE b (j INTEGER);
INSERT INTO a (k) VALUES (1), (2);
INSERT INTO b (j) VALUES (10), (20), (30);
SELECT * FROM a NATURAL JOIN b ORDER BY k, j;
-- name: cat_natural_join_of_session_tables
SELECT COUNT(*) AS n FROM (SELECT session_id, user_id FROM user_sessions) s NATURAL JOIN (SELECT user_id, MAX(page_views) AS top FROM user_sessions GROUP BY user_id) m;
-- ===== RIGHT / FULL among more than two relations =====
-- name: cat_join_then_right_join
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
CREATE TABLE c (k INTEGER, z TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (3, 'a3');
INSERT INTO b (k, y) VALUES (1, 'b1'), (2, 'b2'), (4, 'b4');
INSERT INTO c (k, z) VALUES (2, 'c2'), (5, 'c5'), (NULL, 'cn');
SELECT x, y, z FROM a JOIN b ON a.k = b.k RIGHT JOIN c ON c.k = b.k ORDER BY z;
-- name: cat_left_then_full_join
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
CREATE TABLE c (k INTEGER, z TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (3, 'a3');
INSERT INTO b (k, y) VALUES (1, 'b1'), (2, 'b2'), (4, 'b4');
INSERT INTO c (k, z) VALUES (2, 'c2'), (5, 'c5'), (NULL, 'cn');
SELECT x, y, z FROM a LEFT JOIN b ON a.k = b.k FULL JOIN c ON c.k = a.k ORDER BY x, z;
-- name: cat_full_then_left_join
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
CREATE TABLE c (k INTEGER, z TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2'), (3, 'a3');
INSERT INTO b (k, y) VALUES (1, 'b1'), (2, 'b2'), (4, 'b4');
INSERT INTO c (k, z) VALUES (2, 'c2'), (4, 'c4'), (NULL, 'cn');
SELECT x, y, z FROM a FULL JOIN b ON a.k = b.k LEFT JOIN c ON c.k = b.k ORDER BY x, y;
-- name: cat_right_then_inner_join
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
CREATE TABLE c (k INTEGER, z TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3'), (4, 'b4');
INSERT INTO c (k, z) VALUES (3, 'c3'), (1, 'c1');
SELECT x, y, z FROM a RIGHT JOIN b ON a.k = b.k JOIN c ON c.k = b.k ORDER BY y;
-- name: cat_two_right_joins
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
CREATE TABLE c (k INTEGER, z TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3');
INSERT INTO c (k, z) VALUES (3, 'c3'), (4, 'c4'), (1, 'c1');
SELECT x, y, z FROM a RIGHT JOIN b ON a.k = b.k RIGHT JOIN c ON c.k = b.k ORDER BY z;
-- name: cat_two_full_joins
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
CREATE TABLE c (k INTEGER, z TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2');
INSERT INTO b (k, y) VALUES (1, 'b1'), (3, 'b3');
INSERT INTO c (k, z) VALUES (3, 'c3'), (4, 'c4'), (1, 'c1');
SELECT x, y, z FROM a FULL JOIN b ON a.k = b.k FULL JOIN c ON c.k = COALESCE(a.k, b.k) ORDER BY x, y, z;
-- name: cat_full_join_star_three
CREATE TABLE a (ka INTEGER, x TEXT);
CREATE TABLE b (kb INTEGER, y TEXT);
CREATE TABLE c (kc INTEGER, z TEXT);
INSERT INTO a (ka, x) VALUES (1, 'a1'), (2, 'a2');
INSERT INTO b (kb, y) VALUES (1, 'b1'), (3, 'b3');
INSERT INTO c (kc, z) VALUES (3, 'c3'), (4, 'c4');
SELECT * FROM a JOIN b ON ka = kb FULL JOIN c ON kc = kb ORDER BY ka, kc;
-- name: cat_right_join_where_on_left
CREATE TABLE a (k INTEGER, x TEXT);
CREATE TABLE b (k INTEGER, y TEXT);
CREATE TABLE c (k INTEGER, z TEXT);
INSERT INTO a (k, x) VALUES (1, 'a1'), (2, 'a2');
INSERT INTO b (k, y) VALUES (1, 'b1'), (2, 'b2');
INSERT INTO c (k, z) VALUES (1, 'c1'), (5, 'c5');
SELECT x, z FROM a JOIN b ON a.k = b.k RIGHT JOIN c ON c.k = a.k WHERE x IS NULL OR x = 'a1' ORDER BY z;
-- name: cat_right_join_aggregate
SELECT c.namespace, COUNT(s.session_id) AS n FROM user_sessions s JOIN user_sessions t ON t.session_id = s.session_id RIGHT JOIN application_cache c ON c.priority = s.page_views GROUP BY c.namespace ORDER BY c.namespace;
-- name: cat_full_join_sessions_cache_three
SELECT COUNT(*) AS n, COUNT(s.session_id) AS s, COUNT(c.cache_key) AS c FROM user_sessions s JOIN user_sessions t ON t.session_id = s.session_id FULL JOIN application_cache c ON c.priority = s.page_views;
-- ===== Joins with CTEs and derived tables =====
-- name: cat_join_cte_on
WITH per_user AS (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) SELECT s.session_id, p.n FROM user_sessions s JOIN per_user p ON p.user_id = s.user_id ORDER BY s.session_id;
-- name: cat_join_cte_unqualified
WITH per_user AS (SELECT user_id AS uid, COUNT(*) AS n FROM user_sessions GROUP BY user_id) SELECT session_id, n FROM user_sessions JOIN per_user ON uid = user_id ORDER BY session_id;
-- name: cat_left_join_derived_table
SELECT s.session_id, d.top FROM user_sessions s LEFT JOIN (SELECT user_id, MAX(page_views) AS top FROM user_sessions WHERE active GROUP BY user_id) d ON d.user_id = s.user_id ORDER BY s.session_id;
-- name: cat_cte_first_then_table
WITH hot AS (SELECT cache_key AS hk, priority AS pr FROM application_cache WHERE priority >= 3) SELECT hk, session_id FROM hot JOIN user_sessions ON page_views = pr ORDER BY hk, session_id;
-- name: cat_join_cte_using
WITH per_user AS (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) SELECT user_id, n, session_id FROM user_sessions JOIN per_user USING (user_id) ORDER BY session_id;
-- name: cat_right_join_cte
WITH per_user AS (SELECT user_id, COUNT(*) AS n FROM user_sessions WHERE active GROUP BY user_id) SELECT p.user_id, p.n, s.session_id FROM user_sessions s JOIN user_sessions t ON t.session_id = s.session_id RIGHT JOIN per_user p ON p.user_id = s.user_id AND s.page_views > 50 ORDER BY p.user_id, s.session_id;
-- name: cat_full_join_two_derived_tables
SELECT a.u, a.n, b.m FROM (SELECT user_id AS u, COUNT(*) AS n FROM user_sessions WHERE active GROUP BY user_id) a FULL JOIN (SELECT user_id AS u, COUNT(*) AS m FROM user_sessions WHERE NOT active GROUP BY user_id) b ON a.u = b.u ORDER BY a.u, b.m;
-- name: cat_join_star_cte_and_table
CREATE TABLE prio (dept_no INTEGER PRIMARY KEY, dname TEXT);
INSERT INTO prio (dept_no, dname) VALUES (1, 'low'), (3, 'mid'), (5, 'top');
WITH e AS (SELECT cache_key AS id, priority AS d FROM application_cache WHERE priority IS NOT NULL) SELECT * FROM e JOIN prio ON dept_no = d ORDER BY id;
-- ===== Correlated subqueries: unqualified names resolve as PostgreSQL resolves them =====
-- name: cat_correlated_exists_unqualified
SELECT session_id FROM user_sessions WHERE EXISTS (SELECT 1 FROM application_cache WHERE priority = page_views AND namespace = 'user') ORDER BY session_id;
-- name: cat_correlated_scalar_unqualified
SELECT cache_key, (SELECT COUNT(*) FROM user_sessions WHERE page_views = priority) AS n FROM application_cache ORDER BY cache_key;
-- name: cat_correlated_in_unqualified
SELECT cache_key FROM application_cache WHERE hit_count IN (SELECT page_views FROM user_sessions WHERE page_views > priority) ORDER BY cache_key;
-- name: cat_correlated_not_exists
SELECT cache_key FROM application_cache WHERE NOT EXISTS (SELECT 1 FROM user_sessions WHERE page_views = hit_count) ORDER BY cache_key;
-- name: cat_correlated_own_column_shadows
SELECT session_id FROM user_sessions WHERE created_at > (SELECT MIN(created_at) FROM application_cache) ORDER BY session_id;
-- name: cat_correlated_in_join_query
SELECT session_id, cache_key FROM user_sessions JOIN application_cache ON priority = page_views WHERE EXISTS (SELECT 1 FROM user_sessions u2 WHERE u2.user_id = user_sessions.user_id AND u2.session_id <> session_id) ORDER BY session_id, cache_key;
-- name: cat_correlated_two_levels
SELECT cache_key FROM application_cache WHERE EXISTS (SELECT 1 FROM user_sessions WHERE page_views = priority AND EXISTS (SELECT 1 FROM user_sessions u3 WHERE u3.user_id = user_sessions.user_id AND namespace = 'user')) ORDER BY cache_key;
-- ===== INSERT into a declared table =====
-- name: cat_insert_without_column_list
CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER, note TEXT);
INSERT INTO kv VALUES ('a', 1, 'x'), ('b', 2, NULL);
INSERT INTO kv VALUES ('c');
SELECT * FROM kv ORDER BY k;
-- name: cat_insert_without_column_list_returning
CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER);
INSERT INTO kv VALUES ('a', 1), ('b', 2) RETURNING *;
-- ===== DEFAULT applied by INSERT (and UPDATE ... SET col = DEFAULT) =====
-- name: cat_default_omitted_columns
CREATE TABLE sess (id TEXT PRIMARY KEY, status TEXT NOT NULL DEFAULT 'active', hits INTEGER DEFAULT 0, note TEXT);
INSERT INTO sess (id) VALUES ('a'), ('b');
INSERT INTO sess (id, hits, note) VALUES ('c', 5, 'x');
SELECT * FROM sess ORDER BY id;
-- name: cat_default_keyword_in_values
CREATE TABLE sess (id TEXT PRIMARY KEY, status TEXT DEFAULT 'active', hits INTEGER DEFAULT 0, note TEXT);
INSERT INTO sess (id, status, hits, note) VALUES ('a', DEFAULT, 3, DEFAULT), ('b', 'idle', DEFAULT, 'n');
SELECT * FROM sess ORDER BY id;
-- name: cat_default_without_column_list
CREATE TABLE sess (id TEXT PRIMARY KEY, status TEXT DEFAULT 'active', hits INTEGER DEFAULT 7);
INSERT INTO sess VALUES ('a');
INSERT INTO sess VALUES ('b', 'gone');
INSERT INTO sess VALUES ('c', DEFAULT, 1);
SELECT * FROM sess ORDER BY id;
-- name: cat_default_values
CREATE TABLE counters (label TEXT DEFAULT 'none', n INTEGER DEFAULT 1, ok BOOLEAN DEFAULT true, amount NUMERIC DEFAULT 2.50);
INSERT INTO counters DEFAULT VALUES;
INSERT INTO counters DEFAULT VALUES;
SELECT label, n, ok, amount, COUNT(*) AS c FROM counters GROUP BY label, n, ok, amount;
-- name: cat_default_expressions
CREATE TABLE kv (k TEXT PRIMARY KEY, a INTEGER DEFAULT 1 + 2, b TEXT DEFAULT 'x' || 'y', c INTEGER DEFAULT NULL, d DOUBLE PRECISION DEFAULT -1.5);
INSERT INTO kv (k) VALUES ('a');
SELECT * FROM kv;
-- name: cat_default_now_is_the_statement_time
CREATE TABLE sess (id TEXT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), expires_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP + INTERVAL '30 minutes');
INSERT INTO sess (id) VALUES ('a'), ('b');
SELECT id, created_at <= now() AS past, expires_at > created_at AS later, expires_at - created_at = INTERVAL '30 minutes' AS thirty FROM sess ORDER BY id;
SELECT COUNT(DISTINCT created_at) AS one_time FROM sess;
-- name: cat_default_insert_select
CREATE TABLE archive (session_id TEXT, user_id TEXT, reason TEXT DEFAULT 'expired', moved INTEGER DEFAULT 1);
INSERT INTO archive (session_id, user_id) SELECT session_id, user_id FROM user_sessions WHERE NOT active;
SELECT reason, moved, COUNT(*) AS n FROM archive GROUP BY reason, moved;
-- name: cat_default_returning
CREATE TABLE sess (id TEXT PRIMARY KEY, status TEXT DEFAULT 'active', hits INTEGER DEFAULT 0);
INSERT INTO sess (id) VALUES ('a') RETURNING *;
INSERT INTO sess (id, hits) VALUES ('b', 4) RETURNING id, status, hits;
-- name: cat_default_on_conflict
CREATE TABLE sess (id TEXT PRIMARY KEY, status TEXT DEFAULT 'active', hits INTEGER DEFAULT 0);
INSERT INTO sess (id, hits) VALUES ('a', 1);
INSERT INTO sess (id) VALUES ('a'), ('b') ON CONFLICT (id) DO NOTHING;
SELECT * FROM sess ORDER BY id;
-- name: cat_update_set_default
CREATE TABLE sess (id TEXT PRIMARY KEY, status TEXT DEFAULT 'active', hits INTEGER DEFAULT 0, note TEXT);
INSERT INTO sess (id, status, hits, note) VALUES ('a', 'idle', 9, 'n'), ('b', 'gone', 3, 'm');
UPDATE sess SET status = DEFAULT, note = DEFAULT WHERE id = 'a';
UPDATE sess SET hits = DEFAULT, status = 'x' || status WHERE id = 'b';
SELECT * FROM sess ORDER BY id;
-- name: cat_numeric_literals_take_the_column_type
CREATE TABLE m (id TEXT PRIMARY KEY, i INTEGER, b BIGINT, d DOUBLE PRECISION, n NUMERIC);
INSERT INTO m VALUES ('a', 1.5, 2.5, 3, 1.50), ('b', -2.5, -3, -1.5, -0.10), ('c', 7, 8, 9.25, 1e3);
UPDATE m SET n = 2.50, i = 4.5 WHERE id = 'b';
SELECT id, i, b, d, n, d / 2 AS half, i / 2 AS idiv, n * 2 AS n2, CAST(n AS TEXT) AS nt FROM m ORDER BY id;
-- name: cat_numeric_literal_cast_keeps_its_scale
SELECT CAST(1.50 AS NUMERIC) AS a, CAST(-0.10 AS NUMERIC)::TEXT AS b, (2.500)::NUMERIC::TEXT AS c, CAST(1e3 AS NUMERIC)::TEXT AS d;
-- ===== Untyped literals take the type they meet (declared columns, timestamp expressions) =====
-- name: cat_untyped_literals_into_declared_columns
CREATE TABLE s (id TEXT PRIMARY KEY, a TIMESTAMPTZ, n INTEGER, big BIGINT, amt NUMERIC, ratio DOUBLE PRECISION, ok BOOLEAN, doc JSONB);
INSERT INTO s (id, a, n, big, amt, ratio, ok, doc) VALUES ('x', '2024-01-01 10:00:00+00', '42', '9000000000', '1.50', '0.25', 't', '{"k": [1, 2]}');
INSERT INTO s (id, a, n, ok) VALUES ('y', '2024-02-01 08:30:00+02', '-3', 'no');
SELECT id, a, n, big, amt, ratio, ok, doc, n + 1 AS n1, doc->'k'->1 AS k1 FROM s ORDER BY id;
-- name: cat_untyped_literal_in_update_and_default
CREATE TABLE s (id TEXT PRIMARY KEY, a TIMESTAMPTZ DEFAULT '2024-05-05 00:00:00+00', n INTEGER DEFAULT '5');
INSERT INTO s (id) VALUES ('x'), ('y');
UPDATE s SET a = '2025-01-01 00:00:00+00', n = '6' WHERE id = 'y';
SELECT id, a, n, n * 2 AS twice FROM s ORDER BY id;
-- name: cat_declared_timestamp_compared_with_untyped_literals
CREATE TABLE s (id TEXT PRIMARY KEY, created TIMESTAMPTZ, expires TIMESTAMPTZ);
INSERT INTO s (id, created, expires) VALUES ('a', TIMESTAMPTZ '2024-01-01 10:00:00+00', TIMESTAMPTZ '2024-01-01 10:30:00+00'), ('b', TIMESTAMPTZ '2024-01-02 10:00:00+00', TIMESTAMPTZ '2024-01-03 12:00:00+00'), ('c', NULL, TIMESTAMPTZ '2024-01-05 00:00:00+00');
SELECT id FROM s WHERE created > '2024-01-01 12:00:00+00' ORDER BY id;
SELECT id FROM s WHERE expires BETWEEN '2024-01-01 00:00:00+00' AND '2024-01-04 00:00:00+00' ORDER BY id;
SELECT id FROM s WHERE created IN ('2024-01-01 10:00:00+00', '2024-01-02 10:00:00+00') ORDER BY id;
SELECT id FROM s WHERE '2024-01-02 00:00:00+00' < expires ORDER BY id;
SELECT id FROM s WHERE created <> '2024-01-01 10:00:00+00' ORDER BY id;
-- name: cat_declared_timestamp_difference_is_an_interval
CREATE TABLE s (id TEXT PRIMARY KEY, created TIMESTAMPTZ, expires TIMESTAMPTZ);
INSERT INTO s (id, created, expires) VALUES ('a', TIMESTAMPTZ '2024-01-01 10:00:00+00', TIMESTAMPTZ '2024-01-01 10:30:00+00'), ('b', TIMESTAMPTZ '2024-01-02 10:00:00+00', TIMESTAMPTZ '2024-01-03 12:00:00.5+00'), ('c', NULL, TIMESTAMPTZ '2024-01-05 00:00:00+00');
SELECT id, expires - created AS lifetime FROM s ORDER BY id;
SELECT id FROM s WHERE expires - created > INTERVAL '1 hour' ORDER BY id;
SELECT MAX(expires - created) AS longest FROM s;
-- name: cat_timestamp_expressions_compared_with_untyped_literals
SELECT session_id FROM user_sessions WHERE created_at + INTERVAL '1 day' > '2026-11-20 00:00:00+00' AND now() > '2020-01-01' ORDER BY session_id LIMIT 5;
SELECT COUNT(*) AS n FROM user_sessions WHERE now() < '2020-01-01';
SELECT TIMESTAMPTZ '2024-01-01 10:00:00+00' > '2024-01-01 09:00:00+00' AS later, TIMESTAMP '2024-01-01 10:00:00' = '2024-01-01 10:00:00' AS same_wall;
