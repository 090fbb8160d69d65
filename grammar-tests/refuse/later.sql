-- case: join
SELECT * FROM user_sessions s JOIN users u ON s.user_id = u.id
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: left_join
SELECT * FROM a LEFT JOIN b ON a.id = b.id
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: cross_join_comma
SELECT * FROM a, b
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: right_join
SELECT s.session_id FROM user_sessions s RIGHT JOIN users u ON s.user_id = u.id
-- error: unsupported: RIGHT JOIN (swap the tables and use LEFT JOIN) at 1:53

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
