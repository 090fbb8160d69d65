-- case: count_star
SELECT COUNT(*) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$sum": 1}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: count <- c0

-- case: count_column
SELECT COUNT(invalidated_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {"$sum": {"$cond": [{"$ne": [{"$ifNull": ["$invalidated_at", null]}, null]}, 1, 0]}}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: count <- c0

-- case: count_distinct
SELECT COUNT(DISTINCT user_id) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {
          "$addToSet": {"$cond": [{"$ne": [{"$ifNull": ["$user_id", null]}, null]}, "$user_id", "$$REMOVE"]}
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

-- case: sum
SELECT SUM(page_views) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {"$sum": "$page_views"},
        "a0n": {"$sum": {"$cond": [{"$isNumber": "$page_views"}, 1, 0]}}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$cond": [{"$gt": [{"$ifNull": ["$a0n", 0]}, 0]}, "$a0", null]}}}
  ],
  "cursor": {}
}
rows: sum <- c0

-- case: avg
SELECT AVG(risk_score) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$avg": "$risk_score"}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", null]}}}
  ],
  "cursor": {}
}
rows: avg <- c0

-- case: min_max
SELECT MIN(created_at), MAX(created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$min": "$created_at"}, "a1": {"$max": "$created_at"}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", null]}, "c1": {"$ifNull": ["$a1", null]}}}
  ],
  "cursor": {}
}
rows: min <- c0, max <- c1

-- case: sum_distinct
SELECT SUM(DISTINCT hit_count) FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {
          "$addToSet": {"$cond": [{"$ne": [{"$ifNull": ["$hit_count", null]}, null]}, "$hit_count", "$$REMOVE"]}
        }
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [{"$gt": [{"$size": {"$ifNull": ["$a0", []]}}, 0]}, {"$sum": {"$ifNull": ["$a0", []]}}, null]
        }
      }
    }
  ],
  "cursor": {}
}
rows: sum <- c0

-- case: avg_distinct
SELECT AVG(DISTINCT hit_count) FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {
          "$addToSet": {"$cond": [{"$ne": [{"$ifNull": ["$hit_count", null]}, null]}, "$hit_count", "$$REMOVE"]}
        }
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [{"$gt": [{"$size": {"$ifNull": ["$a0", []]}}, 0]}, {"$avg": {"$ifNull": ["$a0", []]}}, null]
        }
      }
    }
  ],
  "cursor": {}
}
rows: avg <- c0

-- case: aggregate_with_where
SELECT COUNT(*) AS n FROM user_sessions WHERE active = true
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"active": true}},
    {"$group": {"_id": null, "a0": {"$sum": 1}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: n <- c0

-- case: aggregate_arithmetic
SELECT SUM(data_size) / (1024 * 1024) AS total_mb FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {"$sum": "$data_size"},
        "a0n": {"$sum": {"$cond": [{"$isNumber": "$data_size"}, 1, 0]}}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"a": {"$cond": [{"$gt": [{"$ifNull": ["$a0n", 0]}, 0]}, "$a0", null]}, "b": 1048576},
            "in": {
              "$cond": [
                {
                  "$and": [
                    {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                    {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                  ]
                },
                {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                {"$divide": ["$$a", "$$b"]}
              ]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: total_mb <- c0

-- case: aggregate_of_expression
SELECT SUM(hit_count * data_size) FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {"$sum": {"$multiply": ["$hit_count", "$data_size"]}},
        "a0n": {"$sum": {"$cond": [{"$isNumber": {"$multiply": ["$hit_count", "$data_size"]}}, 1, 0]}}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$cond": [{"$gt": [{"$ifNull": ["$a0n", 0]}, 0]}, "$a0", null]}}}
  ],
  "cursor": {}
}
rows: sum <- c0

-- case: nested_aggregate_refused
SELECT SUM(COUNT(*)) FROM t
-- error: aggregate function COUNT() is not allowed here at 1:12

-- case: aggregate_in_where_refused
SELECT * FROM t WHERE COUNT(*) > 1
-- error: aggregate functions are not allowed in WHERE at 1:23

-- case: bare_column_refused
SELECT user_id, COUNT(*) FROM user_sessions
-- error: column "user_id" must appear in the GROUP BY clause or be used in an aggregate function at 1:8

-- case: round_avg
SELECT ROUND(AVG(risk_score)::NUMERIC, 2) AS avg_risk FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$avg": "$risk_score"}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"v": {"$toDecimal": {"$toDecimal": {"$ifNull": ["$a0", null]}}}},
            "in": {
              "$multiply": [
                {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                {
                  "$divide": [
                    {"$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+2")]}, 0.5]}},
                    NumberDecimal("1E+2")
                  ]
                }
              ]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: avg_risk <- c0
