-- case: join
SELECT * FROM user_sessions s JOIN users u ON s.user_id = u.id
-- error: unsupported: JOIN at 1:36

-- case: left_join
SELECT * FROM a LEFT JOIN b ON a.id = b.id
-- error: unsupported: JOIN at 1:27

-- case: cross_join_comma
SELECT * FROM a, b
-- error: unsupported: SELECT * / t.* over a CROSS JOIN with a collection (name the columns) at 1:1

-- case: window_function
SELECT ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at) FROM user_sessions
-- error: unsupported: window function ROW_NUMBER() OVER (...) at 1:8

-- case: window_aggregate
SELECT SUM(hit_count) OVER () FROM application_cache
-- error: unsupported: window function SUM() OVER (...) at 1:8

-- case: union
SELECT a FROM t UNION SELECT a FROM u
-- error: unsupported: set operation UNION at 1:1

-- case: union_all
SELECT a FROM t UNION ALL SELECT a FROM u
-- error: unsupported: set operation UNION at 1:1

-- case: string_agg
SELECT STRING_AGG(a, ',') FROM t
-- error: unknown or unsupported function STRING_AGG() at 1:8

-- case: json_object
SELECT JSON_OBJECT('a', a) FROM t
-- error: unknown or unsupported function JSON_OBJECT() at 1:8

-- case: json_extract
SELECT JSON_EXTRACT(session_data, '$.preferences.theme') FROM user_sessions
-- error: unknown or unsupported function JSON_EXTRACT() at 1:8

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
