-- case: cache_get_and_count
UPDATE application_cache SET hit_count = hit_count + 1, last_accessed = NOW() WHERE cache_key = $1 AND expires_at > NOW() RETURNING data
-- expect:
{
  "find": "application_cache",
  "filter": {
    "$and": [{"cache_key": {"$eq": {"$param": NumberLong(1)}}}, {"$expr": {"$gt": ["$expires_at", "$$NOW"]}}]
  },
  "projection": {"_id": 1}
}
{
  "update": "application_cache",
  "updates": [
    {
      "q": {
        "$and": [
          {"cache_key": {"$eq": {"$param": NumberLong(1)}}},
          {"$expr": {"$gt": ["$expires_at", "$$NOW"]}},
          {"_id": {"$in": {"$stepIds": NumberLong(0)}}}
        ]
      },
      "u": [{"$set": {"hit_count": {"$add": ["$hit_count", 1]}, "last_accessed": "$$NOW"}}],
      "multi": true,
      "upsert": false
    }
  ]
}
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$match": {"_id": {"$in": {"$stepIds": NumberLong(0)}}}},
    {"$project": {"_id": 0, "c0": "$data"}}
  ],
  "cursor": {}
}
returning from step 2: data <- c0
note: RETURNING without an _id equality runs as several commands (find the rows, write them by _id, read them); it is not atomic: a concurrent write between the steps can change what is returned

-- case: update_by_id_find_and_modify
UPDATE user_sessions SET last_accessed = NOW() WHERE _id = $1 RETURNING session_id, expires_at AS until
-- expect:
{
  "findAndModify": "user_sessions",
  "query": {"_id": {"$eq": {"$param": NumberLong(1)}}},
  "update": [{"$set": {"last_accessed": "$$NOW"}}],
  "new": true,
  "fields": {"_id": 0, "c0": "$session_id", "c1": "$expires_at"}
}
returning from step 0: session_id <- c0, until <- c1

-- case: update_by_id_and_more
UPDATE user_sessions SET active = false WHERE _id = 'x' AND active = true RETURNING *
-- expect:
{
  "findAndModify": "user_sessions",
  "query": {"_id": "x", "active": true},
  "update": {"$set": {"active": false}},
  "new": true
}
returning from step 0: * (every field)

-- case: update_constants_returning_star
UPDATE user_sessions SET active = false WHERE user_id = 7 RETURNING *
-- expect:
{"find": "user_sessions", "filter": {"user_id": 7}, "projection": {"_id": 1}}
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {"$and": [{"user_id": 7}, {"_id": {"$in": {"$stepIds": NumberLong(0)}}}]},
      "u": {"$set": {"active": false}},
      "multi": true,
      "upsert": false
    }
  ]
}
{
  "aggregate": "user_sessions",
  "pipeline": [{"$match": {"_id": {"$in": {"$stepIds": NumberLong(0)}}}}],
  "cursor": {}
}
returning from step 2: * (every field)
note: RETURNING without an _id equality runs as several commands (find the rows, write them by _id, read them); it is not atomic: a concurrent write between the steps can change what is returned

-- case: update_returning_expression
UPDATE application_cache SET hit_count = hit_count + 1 WHERE cache_key = 'k' RETURNING cache_key, hit_count * 2 AS doubled
-- expect:
{"find": "application_cache", "filter": {"cache_key": "k"}, "projection": {"_id": 1}}
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"$and": [{"cache_key": "k"}, {"_id": {"$in": {"$stepIds": NumberLong(0)}}}]},
      "u": [{"$set": {"hit_count": {"$add": ["$hit_count", 1]}}}],
      "multi": true,
      "upsert": false
    }
  ]
}
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$match": {"_id": {"$in": {"$stepIds": NumberLong(0)}}}},
    {"$project": {"_id": 0, "c0": "$cache_key", "c1": {"$multiply": ["$hit_count", 2]}}}
  ],
  "cursor": {}
}
returning from step 2: cache_key <- c0, doubled <- c1
note: RETURNING without an _id equality runs as several commands (find the rows, write them by _id, read them); it is not atomic: a concurrent write between the steps can change what is returned

-- case: delete_by_id
DELETE FROM user_sessions WHERE _id = $1 RETURNING session_id
-- expect:
{
  "findAndModify": "user_sessions",
  "query": {"_id": {"$eq": {"$param": NumberLong(1)}}},
  "remove": true,
  "fields": {"_id": 0, "c0": "$session_id"}
}
returning from step 0: session_id <- c0

-- case: delete_returning
DELETE FROM user_sessions WHERE expires_at < NOW() RETURNING session_id, user_id
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
    {"$project": {"c0": "$session_id", "c1": "$user_id"}}
  ],
  "cursor": {}
}
{
  "delete": "user_sessions",
  "deletes": [
    {
      "q": {
        "$and": [
          {
            "$expr": {
              "$and": [{"$ne": [{"$ifNull": ["$expires_at", null]}, null]}, {"$lt": ["$expires_at", "$$NOW"]}]
            }
          },
          {"_id": {"$in": {"$stepIds": NumberLong(0)}}}
        ]
      },
      "limit": 0
    }
  ]
}
returning from step 0: session_id <- c0, user_id <- c1
note: RETURNING without an _id equality runs as several commands (find the rows, write them by _id, read them); it is not atomic: a concurrent write between the steps can change what is returned

-- case: delete_all_returning_star
DELETE FROM user_sessions RETURNING *
-- expect:
{"aggregate": "user_sessions", "pipeline": [{"$match": {}}], "cursor": {}}
{
  "delete": "user_sessions",
  "deletes": [{"q": {"_id": {"$in": {"$stepIds": NumberLong(0)}}}, "limit": 0}]
}
returning from step 0: * (every field)
note: RETURNING without an _id equality runs as several commands (find the rows, write them by _id, read them); it is not atomic: a concurrent write between the steps can change what is returned

-- case: refuse_aggregate
DELETE FROM user_sessions RETURNING COUNT(*)
-- error: aggregate functions are not allowed in RETURNING at 1:37
