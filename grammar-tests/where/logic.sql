-- case: and
SELECT * FROM user_sessions WHERE active = true AND user_id = 'u1'
-- expect:
{"find": "user_sessions", "filter": {"active": true, "user_id": "u1"}}
rows: * (every field)

-- case: and_same_field
SELECT * FROM t WHERE a > 1 AND a < 10
-- expect:
{"find": "t", "filter": {"$and": [{"a": {"$gt": 1}}, {"a": {"$lt": 10}}]}}
rows: * (every field)

-- case: or
SELECT * FROM user_sessions WHERE user_id = 'u1' OR user_id = 'u2'
-- expect:
{"find": "user_sessions", "filter": {"$or": [{"user_id": "u1"}, {"user_id": "u2"}]}}
rows: * (every field)

-- case: not_gt
SELECT * FROM t WHERE NOT (a > 5)
-- expect:
{"find": "t", "filter": {"a": {"$lte": 5}}}
rows: * (every field)

-- case: not_eq
SELECT * FROM t WHERE NOT a = 5
-- expect:
{"find": "t", "filter": {"a": {"$nin": [5, null]}}}
rows: * (every field)

-- case: not_and
SELECT * FROM t WHERE NOT (a = 1 AND b = 2)
-- expect:
{"find": "t", "filter": {"$or": [{"a": {"$nin": [1, null]}}, {"b": {"$nin": [2, null]}}]}}
rows: * (every field)

-- case: not_or
SELECT * FROM t WHERE NOT (a = 1 OR b = 2)
-- expect:
{"find": "t", "filter": {"a": {"$nin": [1, null]}, "b": {"$nin": [2, null]}}}
rows: * (every field)

-- case: mixed_ql_expr
SELECT * FROM t WHERE a = 1 AND b > c
-- expect:
{
  "find": "t",
  "filter": {
    "$and": [
      {"a": 1},
      {
        "$expr": {
          "$and": [
            {"$ne": [{"$ifNull": ["$b", null]}, null]},
            {"$ne": [{"$ifNull": ["$c", null]}, null]},
            {"$gt": ["$b", "$c"]}
          ]
        }
      }
    ]
  }
}
rows: * (every field)

-- case: or_with_expr
SELECT * FROM t WHERE a = 1 OR b > c
-- expect:
{
  "find": "t",
  "filter": {
    "$or": [
      {"a": 1},
      {
        "$expr": {
          "$and": [
            {"$ne": [{"$ifNull": ["$b", null]}, null]},
            {"$ne": [{"$ifNull": ["$c", null]}, null]},
            {"$gt": ["$b", "$c"]}
          ]
        }
      }
    ]
  }
}
rows: * (every field)

-- case: nested_parens
SELECT * FROM t WHERE ((a = 1) AND ((b = 2) OR (c = 3)))
-- expect:
{"find": "t", "filter": {"$and": [{"a": 1}, {"$or": [{"b": 2}, {"c": 3}]}]}}
rows: * (every field)

-- case: not_not
SELECT * FROM t WHERE NOT NOT a = 1
-- expect:
{"find": "t", "filter": {"a": 1}}
rows: * (every field)
