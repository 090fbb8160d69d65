-- case: eq_string
SELECT * FROM user_sessions WHERE session_id = 'abc'
-- expect:
{"find": "user_sessions", "filter": {"session_id": "abc"}}
rows: * (every field)

-- case: eq_number
SELECT * FROM application_cache WHERE hit_count = 10
-- expect:
{"find": "application_cache", "filter": {"hit_count": 10}}
rows: * (every field)

-- case: eq_reversed
SELECT * FROM application_cache WHERE 10 = hit_count
-- expect:
{"find": "application_cache", "filter": {"hit_count": 10}}
rows: * (every field)

-- case: ne_three_valued
SELECT * FROM application_cache WHERE hit_count <> 5
-- expect:
{"find": "application_cache", "filter": {"hit_count": {"$nin": [5, null]}}}
rows: * (every field)

-- case: bang_eq
SELECT * FROM application_cache WHERE hit_count != 5
-- expect:
{"find": "application_cache", "filter": {"hit_count": {"$nin": [5, null]}}}
rows: * (every field)

-- case: lt
SELECT * FROM application_cache WHERE hit_count < 5
-- expect:
{"find": "application_cache", "filter": {"hit_count": {"$lt": 5}}}
rows: * (every field)

-- case: lte
SELECT * FROM application_cache WHERE hit_count <= 5
-- expect:
{"find": "application_cache", "filter": {"hit_count": {"$lte": 5}}}
rows: * (every field)

-- case: gt
SELECT * FROM application_cache WHERE data_size > 1024
-- expect:
{"find": "application_cache", "filter": {"data_size": {"$gt": 1024}}}
rows: * (every field)

-- case: gte
SELECT * FROM application_cache WHERE data_size >= 1024
-- expect:
{"find": "application_cache", "filter": {"data_size": {"$gte": 1024}}}
rows: * (every field)

-- case: constant_arithmetic
SELECT * FROM application_cache WHERE data_size > 1024 * 1024
-- expect:
{"find": "application_cache", "filter": {"data_size": {"$gt": 1048576}}}
rows: * (every field)

-- case: negative_number
SELECT * FROM t WHERE balance > -5
-- expect:
{"find": "t", "filter": {"balance": {"$gt": -5}}}
rows: * (every field)

-- case: double_literal
SELECT * FROM user_sessions WHERE risk_score > 0.8
-- expect:
{"find": "user_sessions", "filter": {"risk_score": {"$gt": 0.8}}}
rows: * (every field)

-- case: boolean_eq
SELECT * FROM user_sessions WHERE active = true
-- expect:
{"find": "user_sessions", "filter": {"active": true}}
rows: * (every field)

-- case: boolean_column
SELECT * FROM user_sessions WHERE active
-- expect:
{"find": "user_sessions", "filter": {"active": true}}
rows: * (every field)

-- case: not_boolean_column
SELECT * FROM user_sessions WHERE NOT active
-- expect:
{"find": "user_sessions", "filter": {"active": false}}
rows: * (every field)

-- case: column_vs_column
SELECT * FROM user_sessions WHERE last_accessed > created_at
-- expect:
{
  "find": "user_sessions",
  "filter": {
    "$expr": {
      "$and": [
        {"$ne": [{"$ifNull": ["$last_accessed", null]}, null]},
        {"$ne": [{"$ifNull": ["$created_at", null]}, null]},
        {"$gt": ["$last_accessed", "$created_at"]}
      ]
    }
  }
}
rows: * (every field)

-- case: column_vs_column_ne
SELECT * FROM t WHERE a <> b
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$and": [
        {"$ne": [{"$ifNull": ["$a", null]}, null]},
        {"$ne": [{"$ifNull": ["$b", null]}, null]},
        {"$ne": ["$a", "$b"]}
      ]
    }
  }
}
rows: * (every field)

-- case: compare_with_null_literal
SELECT * FROM t WHERE a = NULL
-- expect:
{"find": "t", "filter": {"$expr": false}}
rows: * (every field)

-- case: expression_compare
SELECT * FROM t WHERE a + 1 > 10
-- expect:
{"find": "t", "filter": {"$expr": {"$gt": [{"$add": ["$a", 1]}, 10]}}}
rows: * (every field)

-- case: string_with_quote
SELECT * FROM t WHERE name = 'O''Brien'
-- expect:
{"find": "t", "filter": {"name": "O'Brien"}}
rows: * (every field)

-- case: string_looks_like_operator
SELECT * FROM t WHERE name = '{"$gt": ""}'
-- expect:
{"find": "t", "filter": {"name": "{\"$gt\": \"\"}"}}
rows: * (every field)

-- case: where_true
SELECT * FROM t WHERE true
-- expect:
{"find": "t", "filter": {}}
rows: * (every field)

-- case: where_false
SELECT * FROM t WHERE false
-- expect:
{"find": "t", "filter": {"$expr": false}}
rows: * (every field)

-- case: where_number_refused
SELECT * FROM t WHERE 1
-- error: argument of WHERE/AND/OR must be type boolean: 1 at 1:23
