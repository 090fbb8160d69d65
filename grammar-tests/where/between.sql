-- case: between
SELECT * FROM t WHERE a BETWEEN 1 AND 10
-- expect:
{"find": "t", "filter": {"a": {"$gte": 1, "$lte": 10}}}
rows: * (every field)

-- case: not_between
SELECT * FROM t WHERE a NOT BETWEEN 1 AND 10
-- expect:
{"find": "t", "filter": {"$or": [{"a": {"$lt": 1}}, {"a": {"$gt": 10}}]}}
rows: * (every field)

-- case: between_timestamps
SELECT * FROM user_sessions WHERE created_at BETWEEN TIMESTAMP '2026-11-01 00:00:00' AND TIMESTAMP '2026-11-02 00:00:00'
-- expect:
{
  "find": "user_sessions",
  "filter": {"created_at": {"$gte": ISODate("2026-11-01T00:00:00Z"), "$lte": ISODate("2026-11-02T00:00:00Z")}}
}
rows: * (every field)

-- case: between_columns
SELECT * FROM t WHERE a BETWEEN b AND c
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$and": [
        {"$ne": [{"$ifNull": ["$a", null]}, null]},
        {"$ne": [{"$ifNull": ["$b", null]}, null]},
        {"$gte": ["$a", "$b"]},
        {"$ne": [{"$ifNull": ["$a", null]}, null]},
        {"$ne": [{"$ifNull": ["$c", null]}, null]},
        {"$lte": ["$a", "$c"]}
      ]
    }
  }
}
rows: * (every field)
