-- case: unnest_tags
SELECT session_id, unnest(tags) AS tag FROM user_sessions WHERE active ORDER BY tag
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"active": true}},
    {"$set": {"__u0": "$tags"}},
    {"$unwind": "$__u0"},
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "c1": "$__u0",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$__u0", null]}, null]}, 1, 0]},
        "__s0": "$__u0"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: session_id <- c0, tag <- c1

-- case: distinct_tags
SELECT DISTINCT unnest(tags) AS tag FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$set": {"__u0": "$tags"}},
    {"$unwind": "$__u0"},
    {"$group": {"_id": {"g0": {"$ifNull": ["$__u0", null]}}}},
    {"$project": {"_id": 0, "c0": "$_id.g0"}}
  ],
  "cursor": {}
}
rows: tag <- c0

-- case: two_unnests_zip
SELECT unnest(tags) AS t, unnest(ARRAY[1, 2]) AS n FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$set": {"__u0": {"$ifNull": ["$tags", []]}, "__u1": {"$ifNull": [[1, 2], []]}}},
    {"$set": {"__ui": {"$range": [0, {"$max": [{"$size": "$__u0"}, {"$size": "$__u1"}]}]}}},
    {"$unwind": "$__ui"},
    {
      "$set": {
        "__u0": {"$ifNull": [{"$arrayElemAt": ["$__u0", "$__ui"]}, null]},
        "__u1": {"$ifNull": [{"$arrayElemAt": ["$__u1", "$__ui"]}, null]}
      }
    },
    {"$project": {"_id": 0, "c0": "$__u0", "c1": "$__u1"}}
  ],
  "cursor": {}
}
rows: t <- c0, n <- c1

-- case: jsonb_object_keys
SELECT jsonb_object_keys(session_data) AS k FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__u0": {
          "$map": {
            "input": {
              "$sortArray": {
                "input": {
                  "$map": {
                    "input": {"$objectToArray": "$session_data"},
                    "in": {"l": {"$strLenBytes": "$$this.k"}, "k": "$$this.k"}
                  }
                },
                "sortBy": {"l": 1, "k": 1}
              }
            },
            "in": "$$this.k"
          }
        }
      }
    },
    {"$unwind": "$__u0"},
    {"$project": {"_id": 0, "c0": "$__u0"}}
  ],
  "cursor": {}
}
rows: k <- c0

-- case: error_unnest_in_where
SELECT session_id FROM user_sessions WHERE unnest(tags) = 'vip'
-- error: set-returning function unnest() is not allowed here (only in the SELECT list) at 1:44

-- case: refuse_unnest_with_aggregate
SELECT unnest(tags), COUNT(*) FROM user_sessions GROUP BY 1
-- error: unsupported: a set-returning function in the SELECT list of an aggregate or GROUP BY query (PostgreSQL expands it after grouping; group in a derived table) at 1:8

-- case: refuse_nested_unnest
SELECT unnest(unnest(tags)) FROM user_sessions
-- error: unsupported: a set-returning function inside another's argument at 1:15

-- case: refuse_unnest_of_two_arrays
SELECT unnest(tags, tags) FROM user_sessions
-- error: unsupported: unnest() of several arrays (write one unnest() per array) at 1:8
