-- case: group_by_column
SELECT namespace, COUNT(*) FROM application_cache GROUP BY namespace
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$namespace", null]}}, "a0": {"$sum": 1}}},
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: namespace <- c0, count <- c1

-- case: group_by_two
SELECT user_id, device_fingerprint, COUNT(*) AS n FROM user_sessions GROUP BY user_id, device_fingerprint
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$user_id", null]}, "g1": {"$ifNull": ["$device_fingerprint", null]}},
        "a0": {"$sum": 1}
      }
    },
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": "$_id.g1", "c2": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: user_id <- c0, device_fingerprint <- c1, n <- c2

-- case: group_by_ordinal
SELECT namespace, SUM(hit_count) FROM application_cache GROUP BY 1
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$namespace", null]}},
        "a0": {"$sum": "$hit_count"},
        "a0n": {"$sum": {"$cond": [{"$isNumber": "$hit_count"}, 1, 0]}}
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": {"$cond": [{"$gt": [{"$ifNull": ["$a0n", 0]}, 0]}, "$a0", null]}
      }
    }
  ],
  "cursor": {}
}
rows: namespace <- c0, sum <- c1

-- case: group_by_alias
SELECT LOWER(namespace) AS ns, COUNT(*) FROM application_cache GROUP BY ns
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": {
          "g0": {
            "$ifNull": [
              {
                "$cond": [
                  {"$eq": [{"$ifNull": [{"$toString": "$namespace"}, null]}, null]},
                  null,
                  {"$toLower": {"$toString": "$namespace"}}
                ]
              },
              null
            ]
          }
        },
        "a0": {"$sum": 1}
      }
    },
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: ns <- c0, count <- c1

-- case: group_by_expression
SELECT DATE_TRUNC('hour', created_at) AS hour, COUNT(*) FROM user_sessions GROUP BY DATE_TRUNC('hour', created_at)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": [{"$dateTrunc": {"date": "$created_at", "unit": "hour"}}, null]}},
        "a0": {"$sum": 1}
      }
    },
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: hour <- c0, count <- c1

-- case: group_by_order_by_aggregate
SELECT namespace, COUNT(*) AS n FROM application_cache GROUP BY namespace ORDER BY n DESC
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$namespace", null]}}, "a0": {"$sum": 1}}},
    {
      "$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}, "__s0": {"$ifNull": ["$a0", 0]}}
    },
    {"$sort": {"__s0": -1}},
    {"$unset": ["__s0"]}
  ],
  "cursor": {}
}
rows: namespace <- c0, n <- c1

-- case: group_by_order_by_count
SELECT namespace FROM application_cache GROUP BY namespace ORDER BY COUNT(*) DESC, namespace
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$namespace", null]}}, "a0": {"$sum": 1}}},
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "__s0": {"$ifNull": ["$a0", 0]},
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$_id.g0", null]}, null]}, 1, 0]},
        "__s1": "$_id.g0"
      }
    },
    {"$sort": {"__s0": -1, "__n1": 1, "__s1": 1}},
    {"$unset": ["__s0", "__n1", "__s1"]}
  ],
  "cursor": {}
}
rows: namespace <- c0

-- case: having
SELECT user_id, COUNT(*) AS sessions FROM user_sessions GROUP BY user_id HAVING COUNT(*) > 5
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "a0": {"$sum": 1}}},
    {"$match": {"$expr": {"$gt": [{"$ifNull": ["$a0", 0]}, 5]}}},
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: user_id <- c0, sessions <- c1

-- case: having_without_group
SELECT COUNT(*) FROM user_sessions HAVING COUNT(*) > 0
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$sum": 1}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$match": {"$expr": {"$gt": [{"$ifNull": ["$a0", 0]}, 0]}}},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: count <- c0

-- case: having_key
SELECT namespace, COUNT(*) FROM application_cache GROUP BY namespace HAVING namespace <> 'tmp'
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$namespace", null]}}, "a0": {"$sum": 1}}},
    {
      "$match": {
        "$expr": {"$and": [{"$ne": [{"$ifNull": ["$_id.g0", null]}, null]}, {"$ne": ["$_id.g0", "tmp"]}]}
      }
    },
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: namespace <- c0, count <- c1

-- case: group_key_expression_in_select
SELECT hit_count > 10 AS hot, COUNT(*) FROM application_cache GROUP BY hit_count > 10
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": {
          "g0": {
            "$ifNull": [
              {
                "$cond": [
                  {"$gt": ["$hit_count", 10]},
                  true,
                  {
                    "$cond": [
                      {
                        "$and": [{"$ne": [{"$ifNull": ["$hit_count", null]}, null]}, {"$lte": ["$hit_count", 10]}]
                      },
                      false,
                      null
                    ]
                  }
                ]
              },
              null
            ]
          }
        },
        "a0": {"$sum": 1}
      }
    },
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: hot <- c0, count <- c1

-- case: column_not_grouped_refused
SELECT namespace, cache_key FROM application_cache GROUP BY namespace
-- error: column "cache_key" must appear in the GROUP BY clause or be used in an aggregate function at 1:19

-- case: group_by_aggregate_refused
SELECT COUNT(*) FROM t GROUP BY COUNT(*)
-- error: aggregate functions are not allowed in GROUP BY at 1:33

-- case: group_by_with_rollup_refused
SELECT a, COUNT(*) FROM t GROUP BY a WITH ROLLUP
-- error: syntax error at 1:38: Expected: end of statement, found: WITH

-- case: group_limit
SELECT user_id, MAX(last_accessed) AS latest FROM user_sessions GROUP BY user_id ORDER BY latest DESC LIMIT 10
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "a0": {"$max": "$last_accessed"}}},
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": {"$ifNull": ["$a0", null]},
        "__n0": {"$cond": [{"$eq": [{"$ifNull": [{"$ifNull": ["$a0", null]}, null]}, null]}, 1, 0]},
        "__s0": {"$ifNull": ["$a0", null]}
      }
    },
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$limit": NumberLong(10)},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: user_id <- c0, latest <- c1
