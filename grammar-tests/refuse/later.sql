-- case: cte
WITH a AS (SELECT * FROM t) SELECT * FROM a
-- error: unsupported: WITH (common table expressions) at 1:1

-- case: join
SELECT * FROM user_sessions s JOIN users u ON s.user_id = u.id
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: left_join
SELECT * FROM a LEFT JOIN b ON a.id = b.id
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: cross_join_comma
SELECT * FROM a, b
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: derived_table
SELECT * FROM (SELECT * FROM t) x
-- error: unsupported: subquery in FROM (derived table) at 1:16

-- case: scalar_subquery
SELECT (SELECT COUNT(*) FROM t) AS n FROM u
-- error: unsupported: subquery at 1:9

-- case: exists
SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u)
-- error: unsupported: subquery at 1:31

-- case: create_view
CREATE VIEW v AS SELECT * FROM t
-- error: unsupported: CREATE VIEW at 1:1

-- case: truncate
TRUNCATE application_cache
-- error: unsupported: statement TRUNCATE application_cache at 1:10

-- case: begin
BEGIN
-- error: unsupported: statement BEGIN at 1:1

-- case: values_query
VALUES (1, 2)
-- error: unsupported: VALUES as a query at 1:8

-- case: at_time_zone
SELECT created_at AT TIME ZONE 'UTC' FROM t
-- error: unsupported: AT TIME ZONE at 1:8
