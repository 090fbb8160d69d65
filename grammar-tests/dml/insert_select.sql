-- case: archive_expired_sessions
INSERT INTO archived_sessions (session_id, user_id, ended_at) SELECT session_id, user_id, expires_at FROM user_sessions WHERE expires_at < NOW()
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$match": {
        "$expr": {
          "$and": [{"$ne": [{"$ifNull": ["$expires_at", null]}, null]}, {"$lt": ["$expires_at", "$$NOW"]}]
        }
      }
    },
    {"$project": {"_id": 0, "session_id": 1, "user_id": 1, "expires_at": 1}},
    {
      "$project": {"_id": 0, "session_id": "$session_id", "user_id": "$user_id", "ended_at": "$expires_at"}
    }
  ],
  "cursor": {}
}
{
  "insert": "archived_sessions",
  "documents": [{"$stepOutput": {"step": NumberLong(0), "field": "$$ROOT"}}],
  "ordered": true
}
affected
note: INSERT ... SELECT runs as two commands (the query, then an insert of its rows): not atomic

-- case: aggregate_into_a_summary
INSERT INTO user_stats (user_id, sessions, views) SELECT user_id, COUNT(*), SUM(page_views) FROM user_sessions GROUP BY user_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$user_id", null]}},
        "a0": {"$sum": 1},
        "a1": {"$sum": "$page_views"},
        "a1n": {"$sum": {"$cond": [{"$isNumber": "$page_views"}, 1, 0]}}
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": {"$ifNull": ["$a0", 0]},
        "c2": {"$cond": [{"$gt": [{"$ifNull": ["$a1n", 0]}, 0]}, "$a1", null]}
      }
    },
    {"$project": {"_id": 0, "user_id": "$c0", "sessions": "$c1", "views": "$c2"}}
  ],
  "cursor": {}
}
{
  "insert": "user_stats",
  "documents": [{"$stepOutput": {"step": NumberLong(0), "field": "$$ROOT"}}],
  "ordered": true
}
affected
note: INSERT ... SELECT runs as two commands (the query, then an insert of its rows): not atomic

-- case: explicit_id_column
INSERT INTO t (_id, a) SELECT id, a FROM u
-- expect:
{
  "aggregate": "u",
  "pipeline": [{"$project": {"_id": 0, "id": 1, "a": 1}}, {"$project": {"_id": "$id", "a": "$a"}}],
  "cursor": {}
}
{
  "insert": "t",
  "documents": [{"$stepOutput": {"step": NumberLong(0), "field": "$$ROOT"}}],
  "ordered": true
}
affected
note: INSERT ... SELECT runs as two commands (the query, then an insert of its rows): not atomic

-- case: ordered_and_limited
INSERT INTO t (a) SELECT a FROM u ORDER BY a DESC LIMIT 10
-- expect:
{
  "aggregate": "u",
  "pipeline": [
    {"$set": {"__n0": {"$cond": [{"$eq": [{"$ifNull": ["$a", null]}, null]}, 1, 0]}, "__s0": "$a"}},
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$limit": NumberLong(10)},
    {"$project": {"_id": 0, "c0": "$a"}},
    {"$project": {"_id": 0, "a": "$c0"}}
  ],
  "cursor": {}
}
{
  "insert": "t",
  "documents": [{"$stepOutput": {"step": NumberLong(0), "field": "$$ROOT"}}],
  "ordered": true
}
affected
note: INSERT ... SELECT runs as two commands (the query, then an insert of its rows): not atomic

-- case: without_from
INSERT INTO t (a, b) SELECT 1, 'x'
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {"$project": {"_id": 0, "c0": {"$literal": 1}, "c1": "x"}},
    {"$project": {"_id": 0, "a": "$c0", "b": "$c1"}}
  ],
  "cursor": {}
}
{
  "insert": "t",
  "documents": [{"$stepOutput": {"step": NumberLong(0), "field": "$$ROOT"}}],
  "ordered": true
}
affected
note: INSERT ... SELECT runs as two commands (the query, then an insert of its rows): not atomic

-- case: from_a_union
INSERT INTO t (a) SELECT a FROM u UNION ALL SELECT b FROM v
-- expect:
{
  "aggregate": "u",
  "pipeline": [
    {"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}},
    {
      "$unionWith": {"coll": "v", "pipeline": [{"$project": {"_id": 0, "u0": {"$ifNull": ["$b", null]}}}]}
    },
    {"$project": {"_id": 0, "a": "$u0"}}
  ],
  "cursor": {}
}
{
  "insert": "t",
  "documents": [{"$stepOutput": {"step": NumberLong(0), "field": "$$ROOT"}}],
  "ordered": true
}
affected
note: INSERT ... SELECT runs as two commands (the query, then an insert of its rows): not atomic

-- case: more_expressions_than_columns
INSERT INTO t (a) SELECT a, b FROM u
-- error: INSERT has more expressions than target columns at 1:1

-- case: more_columns_than_expressions
INSERT INTO t (a, b) SELECT a FROM u
-- error: INSERT has more target columns than expressions at 1:1

-- case: on_conflict_refused
INSERT INTO t (a) SELECT a FROM u ON CONFLICT (a) DO NOTHING
-- error: unsupported: INSERT ... SELECT with ON CONFLICT at 1:1
