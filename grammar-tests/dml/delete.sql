-- case: by_key
DELETE FROM user_sessions WHERE session_id = 's1'
-- expect:
{"delete": "user_sessions", "deletes": [{"q": {"session_id": "s1"}, "limit": 0}]}
affected

-- case: by_param
DELETE FROM user_sessions WHERE session_id = $1
-- expect:
{
  "delete": "user_sessions",
  "deletes": [{"q": {"session_id": {"$eq": {"$param": NumberLong(1)}}}, "limit": 0}]
}
affected

-- case: all_of_user
DELETE FROM user_sessions WHERE user_id = 'u1'
-- expect:
{"delete": "user_sessions", "deletes": [{"q": {"user_id": "u1"}, "limit": 0}]}
affected

-- case: expired
DELETE FROM user_sessions WHERE expires_at < CURRENT_TIMESTAMP
-- expect:
{
  "delete": "user_sessions",
  "deletes": [
    {
      "q": {
        "$expr": {
          "$and": [{"$ne": [{"$ifNull": ["$expires_at", null]}, null]}, {"$lt": ["$expires_at", "$$NOW"]}]
        }
      },
      "limit": 0
    }
  ]
}
affected

-- case: pattern
DELETE FROM application_cache WHERE cache_key LIKE 'session:%'
-- expect:
{
  "delete": "application_cache",
  "deletes": [{"q": {"cache_key": {"$regex": "^session:.*$", "$options": "s"}}, "limit": 0}]
}
affected

-- case: tag
DELETE FROM application_cache WHERE 'stale' = ANY(tags)
-- expect:
{
  "delete": "application_cache",
  "deletes": [{"q": {"tags": {"$elemMatch": {"$eq": "stale"}}}, "limit": 0}]
}
affected

-- case: not_equal_keeps_nulls
DELETE FROM application_cache WHERE namespace <> 'keep'
-- expect:
{
  "delete": "application_cache",
  "deletes": [{"q": {"namespace": {"$nin": ["keep", null]}}, "limit": 0}]
}
affected

-- case: everything
DELETE FROM application_cache
-- expect:
{"delete": "application_cache", "deletes": [{"q": {}, "limit": 0}]}
affected

-- case: unsupported_predicate_refused
DELETE FROM t WHERE a ~ 'x'
-- error: unsupported: operator ~ at 1:21

-- case: returning_multi_step
DELETE FROM t WHERE a = 1 RETURNING *
-- expect:
{"aggregate": "t", "pipeline": [{"$match": {"a": 1}}], "cursor": {}}
{
  "delete": "t",
  "deletes": [{"q": {"$and": [{"a": 1}, {"_id": {"$in": {"$stepIds": NumberLong(0)}}}]}, "limit": 0}]
}
returning from step 0: * (every field)
note: RETURNING without an _id equality runs as several commands (find the rows, write them by _id, read them); it is not atomic: a concurrent write between the steps can change what is returned

-- case: using
DELETE FROM t USING u WHERE t.id = u.id
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$id", null]}, null]}}},
    {
      "$lookup": {
        "from": "u",
        "let": {"l0": "$id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$id", null]}, null]},
                  {"$eq": ["$$l0", "$id"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$_id"}},
    {"$group": {"_id": "$c0"}}
  ],
  "cursor": {}
}
{
  "delete": "t",
  "deletes": [
    {
      "$stepEach": {
        "step": NumberLong(0),
        "template": {"q": {"_id": {"$eq": {"$stepRow": "_id"}}}, "limit": 1},
        "ifEmpty": {"q": {"_id": {"$in": []}}, "limit": 1}
      }
    }
  ]
}
affected
note: UPDATE ... FROM / DELETE ... USING: runs as two commands (the join, then the writes by _id), not atomically

-- case: delete_from_only
DELETE FROM ONLY c WHERE v = 1
-- expect:
{"delete": "c", "deletes": [{"q": {"v": 1}, "limit": 0}]}
affected

-- case: delete_from_only_everything
DELETE FROM ONLY c
-- expect:
{"delete": "c", "deletes": [{"q": {}, "limit": 0}]}
affected
