-- case: searched_case
SELECT CASE WHEN risk_score > 0.8 THEN 'high' WHEN risk_score > 0.5 THEN 'medium' ELSE 'low' END AS risk_level FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$switch": {
            "branches": [
              {"case": {"$gt": ["$risk_score", 0.8]}, "then": "high"},
              {"case": {"$gt": ["$risk_score", 0.5]}, "then": "medium"}
            ],
            "default": "low"
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: risk_level <- c0

-- case: case_no_else
SELECT CASE WHEN hit_count = 0 THEN 'unused' END FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$switch": {"branches": [{"case": {"$eq": ["$hit_count", 0]}, "then": "unused"}], "default": null}
        }
      }
    }
  ],
  "cursor": {}
}
rows: case <- c0

-- case: simple_case
SELECT CASE namespace WHEN 'products' THEN 1 WHEN 'users' THEN 2 ELSE 0 END FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$switch": {
            "branches": [
              {
                "case": {
                  "$and": [{"$ne": [{"$ifNull": ["$namespace", null]}, null]}, {"$eq": ["$namespace", "products"]}]
                },
                "then": 1
              },
              {
                "case": {
                  "$and": [{"$ne": [{"$ifNull": ["$namespace", null]}, null]}, {"$eq": ["$namespace", "users"]}]
                },
                "then": 2
              }
            ],
            "default": 0
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: case <- c0

-- case: case_in_where
SELECT * FROM t WHERE CASE WHEN a > 1 THEN true ELSE false END
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$eq": [{"$switch": {"branches": [{"case": {"$gt": ["$a", 1]}, "then": true}], "default": false}}, true]
    }
  }
}
rows: * (every field)

-- case: coalesce
SELECT COALESCE(invalidation_reason, 'none') FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$ifNull": ["$invalidation_reason", "none"]}}}],
  "cursor": {}
}
rows: coalesce <- c0

-- case: coalesce_three
SELECT COALESCE(a, b, 0) FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$ifNull": ["$a", "$b", 0]}}}],
  "cursor": {}
}
rows: coalesce <- c0

-- case: nullif
SELECT NULLIF(hit_count, 0) FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {
              "$and": [
                {"$ne": [{"$ifNull": ["$hit_count", null]}, null]},
                {"$ne": [{"$ifNull": [0, null]}, null]},
                {"$eq": ["$hit_count", 0]}
              ]
            },
            null,
            "$hit_count"
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: nullif <- c0

-- case: nullif_division
SELECT hits::FLOAT / NULLIF(total, 0) FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$divide": [
            {"$toDouble": "$hits"},
            {
              "$cond": [
                {
                  "$and": [
                    {"$ne": [{"$ifNull": ["$total", null]}, null]},
                    {"$ne": [{"$ifNull": [0, null]}, null]},
                    {"$eq": ["$total", 0]}
                  ]
                },
                null,
                "$total"
              ]
            }
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: ?column? <- c0

-- case: greatest_least
SELECT GREATEST(a, b, 1), LEAST(a, b) FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$max": ["$a", "$b", 1]}, "c1": {"$min": ["$a", "$b"]}}}],
  "cursor": {}
}
rows: greatest <- c0, least <- c1

-- case: case_with_interval
SELECT CASE WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '5 minutes' THEN 'active' WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '30 minutes' THEN 'recent' WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '2 hours' THEN 'idle' ELSE 'stale' END AS session_status FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$switch": {
            "branches": [
              {
                "case": {
                  "$gt": [
                    "$last_accessed",
                    {"$dateSubtract": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(5)}}
                  ]
                },
                "then": "active"
              },
              {
                "case": {
                  "$gt": [
                    "$last_accessed",
                    {"$dateSubtract": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(30)}}
                  ]
                },
                "then": "recent"
              },
              {
                "case": {
                  "$gt": [
                    "$last_accessed",
                    {"$dateSubtract": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(2)}}
                  ]
                },
                "then": "idle"
              }
            ],
            "default": "stale"
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: session_status <- c0
