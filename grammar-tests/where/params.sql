-- case: dollar_param
SELECT * FROM user_sessions WHERE session_id = $1
-- expect:
{"find": "user_sessions", "filter": {"session_id": {"$eq": {"$param": NumberLong(1)}}}}
rows: * (every field)

-- case: question_params
SELECT * FROM user_sessions WHERE user_id = ? AND session_id = ?
-- expect:
{
  "find": "user_sessions",
  "filter": {"user_id": {"$eq": {"$param": NumberLong(1)}}, "session_id": {"$eq": {"$param": NumberLong(2)}}}
}
rows: * (every field)

-- case: param_ne
SELECT * FROM t WHERE a <> $1
-- expect:
{"find": "t", "filter": {"a": {"$nin": [{"$param": NumberLong(1)}, null]}}}
rows: * (every field)

-- case: param_in
SELECT * FROM t WHERE a IN ($1, $2)
-- expect:
{"find": "t", "filter": {"a": {"$in": [{"$param": NumberLong(1)}, {"$param": NumberLong(2)}]}}}
rows: * (every field)

-- case: param_in_expression
SELECT * FROM t WHERE a + $1 > 10
-- expect:
{
  "find": "t",
  "filter": {"$expr": {"$gt": [{"$add": ["$a", {"$literal": {"$param": NumberLong(1)}}]}, 10]}}
}
rows: * (every field)

-- case: param_reused
SELECT * FROM t WHERE a = $1 OR b = $1
-- expect:
{
  "find": "t",
  "filter": {"$or": [{"a": {"$eq": {"$param": NumberLong(1)}}}, {"b": {"$eq": {"$param": NumberLong(1)}}}]}
}
rows: * (every field)

-- case: mixed_params_refused
SELECT * FROM t WHERE a = $1 AND b = ?
-- error: mixing ? and $n parameters at 1:1

-- case: param_zero_refused
SELECT * FROM t WHERE a = $0
-- error: invalid parameter $0 (use $1, $2, ... or ?) at 1:27

-- case: param_limit
SELECT * FROM t WHERE a = $1 LIMIT $2
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$match": {"a": {"$eq": {"$param": NumberLong(1)}}}}, {"$limit": {"$param": NumberLong(2)}}],
  "cursor": {}
}
rows: * (every field)
