-- case: count_filter
SELECT COUNT(*) FILTER (WHERE risk_score > 0.8) AS high_risk FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$sum": {"$cond": [{"$gt": ["$risk_score", 0.8]}, 1, 0]}}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: high_risk <- c0

-- case: several_filters
SELECT COUNT(*) FILTER (WHERE hit_count = 0) AS unused, COUNT(*) FILTER (WHERE hit_count > 100) AS hot FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {"$sum": {"$cond": [{"$eq": ["$hit_count", 0]}, 1, 0]}},
        "a1": {"$sum": {"$cond": [{"$gt": ["$hit_count", 100]}, 1, 0]}}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", 0]}, "c1": {"$ifNull": ["$a1", 0]}}}
  ],
  "cursor": {}
}
rows: unused <- c0, hot <- c1

-- case: sum_filter
SELECT SUM(data_size) FILTER (WHERE namespace = 'products') FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {"$sum": {"$cond": [{"$eq": ["$namespace", "products"]}, "$data_size", null]}},
        "a0n": {
          "$sum": {"$cond": [{"$and": [{"$eq": ["$namespace", "products"]}, {"$isNumber": "$data_size"}]}, 1, 0]}
        }
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$cond": [{"$gt": [{"$ifNull": ["$a0n", 0]}, 0]}, "$a0", null]}}}
  ],
  "cursor": {}
}
rows: sum <- c0

-- case: avg_filter
SELECT AVG(cart_total) FILTER (WHERE cart_total > 0) AS avg_cart FROM sessions
-- expect:
{
  "aggregate": "sessions",
  "pipeline": [
    {
      "$group": {"_id": null, "a0": {"$avg": {"$cond": [{"$gt": ["$cart_total", 0]}, "$cart_total", null]}}}
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", null]}}}
  ],
  "cursor": {}
}
rows: avg_cart <- c0

-- case: count_distinct_filter
SELECT COUNT(DISTINCT user_id) FILTER (WHERE mfa_verified = true) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {
          "$addToSet": {
            "$cond": [
              {
                "$and": [{"$ne": [{"$ifNull": ["$user_id", null]}, null]}, {"$eq": ["$mfa_verified", true]}]
              },
              "$user_id",
              "$$REMOVE"
            ]
          }
        }
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$size": {"$ifNull": ["$a0", []]}}}}
  ],
  "cursor": {}
}
rows: count <- c0

-- case: max_filter
SELECT MAX(last_accessed) FILTER (WHERE active) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {"_id": null, "a0": {"$max": {"$cond": [{"$eq": ["$active", true]}, "$last_accessed", null]}}}
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", null]}}}
  ],
  "cursor": {}
}
rows: max <- c0

-- case: filter_on_scalar_refused
SELECT LOWER(k) FILTER (WHERE a = 1) FROM t
-- error: FILTER is only allowed on aggregate functions, not LOWER() at 1:8
