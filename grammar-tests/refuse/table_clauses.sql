-- case: tablesample_in_from
SELECT session_id FROM user_sessions TABLESAMPLE SYSTEM (10)
-- error: unsupported: this table clause at 1:24

-- case: with_ordinality_in_from
SELECT session_id FROM user_sessions WITH ORDINALITY
-- error: unsupported: this table clause at 1:24

-- case: tablesample_on_joined_table
SELECT s.session_id FROM user_sessions s JOIN users u TABLESAMPLE SYSTEM (5) ON s.user_id = u.id
-- error: unsupported: this table clause at 1:47

-- case: tablesample_beside_a_cte
WITH a AS (SELECT user_id FROM user_sessions) SELECT a.user_id, b.x FROM a, users b TABLESAMPLE SYSTEM (5)
-- error: unsupported: this table clause at 1:77
