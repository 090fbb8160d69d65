-- case: star
SELECT * FROM user_sessions
-- expect:
{"find": "user_sessions", "filter": {}}
rows: * (every field)

-- case: columns
SELECT session_id, user_id FROM user_sessions
-- expect:
{"find": "user_sessions", "filter": {}, "projection": {"_id": 0, "session_id": 1, "user_id": 1}}
rows: session_id <- session_id, user_id <- user_id

-- case: alias_same_name
SELECT session_id AS session_id FROM user_sessions
-- expect:
{"find": "user_sessions", "filter": {}, "projection": {"_id": 0, "session_id": 1}}
rows: session_id <- session_id

-- case: alias
SELECT user_id AS uid, session_id AS sid FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": "$user_id", "c1": "$session_id"}}],
  "cursor": {}
}
rows: uid <- c0, sid <- c1

-- case: duplicate_column
SELECT user_id, user_id FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": "$user_id", "c1": "$user_id"}}],
  "cursor": {}
}
rows: user_id <- c0, user_id <- c1

-- case: qualified_by_table
SELECT user_sessions.user_id FROM user_sessions
-- expect:
{"find": "user_sessions", "filter": {}, "projection": {"_id": 0, "user_id": 1}}
rows: user_id <- user_id

-- case: qualified_by_alias
SELECT s.user_id FROM user_sessions s WHERE s.active = true
-- expect:
{"find": "user_sessions", "filter": {"active": true}, "projection": {"_id": 0, "user_id": 1}}
rows: user_id <- user_id

-- case: quoted_identifier
SELECT "userId" FROM user_sessions
-- expect:
{"find": "user_sessions", "filter": {}, "projection": {"_id": 0, "userId": 1}}
rows: userId <- userId

-- case: select_star_with_column
SELECT *, user_id FROM user_sessions
-- error: unsupported: * together with other columns at 1:1

-- case: no_from
SELECT 1
-- expect:
{
  "aggregate": 1,
  "pipeline": [{"$documents": [{}]}, {"$project": {"_id": 0, "c0": {"$literal": 1}}}],
  "cursor": {}
}
rows: ?column? <- c0

-- case: constant_column
SELECT 'x' AS tag, 42 AS answer FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": "x", "c1": {"$literal": 42}}}],
  "cursor": {}
}
rows: tag <- c0, answer <- c1

-- case: dollar_string_literal
SELECT '$where' AS s FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$literal": "$where"}}}],
  "cursor": {}
}
rows: s <- c0

-- case: select_from_only
SELECT k FROM ONLY c WHERE v = 1
-- expect:
{"find": "c", "filter": {"v": 1}, "projection": {"_id": 0, "k": 1}}
rows: k <- k

-- case: select_from_quoted_only_is_that_collection
SELECT k FROM "ONLY" c
-- expect:
{"find": "ONLY", "filter": {}, "projection": {"_id": 0, "k": 1}}
rows: k <- k
