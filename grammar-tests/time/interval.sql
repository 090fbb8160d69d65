-- case: minus_minutes
SELECT * FROM user_sessions WHERE last_accessed > CURRENT_TIMESTAMP - INTERVAL '5 minutes'
-- expect:
{
  "find": "user_sessions",
  "filter": {
    "$expr": {
      "$gt": [
        "$last_accessed",
        {"$dateSubtract": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(5)}}
      ]
    }
  }
}
rows: * (every field)

-- case: minus_hours
SELECT * FROM user_sessions WHERE last_accessed < CURRENT_TIMESTAMP - INTERVAL '2 hours'
-- expect:
{
  "find": "user_sessions",
  "filter": {
    "$expr": {
      "$and": [
        {"$ne": [{"$ifNull": ["$last_accessed", null]}, null]},
        {
          "$lt": [
            "$last_accessed",
            {"$dateSubtract": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(2)}}
          ]
        }
      ]
    }
  }
}
rows: * (every field)

-- case: plus_days
SELECT CURRENT_TIMESTAMP + INTERVAL '30 days' AS expires FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$project": {"_id": 0, "c0": {"$dateAdd": {"startDate": "$$NOW", "unit": "day", "amount": NumberLong(30)}}}
    }
  ],
  "cursor": {}
}
rows: expires <- c0

-- case: multi_unit
SELECT created_at + INTERVAL '1 day 2 hours' FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$dateAdd": {
            "startDate": {"$dateAdd": {"startDate": "$created_at", "unit": "day", "amount": NumberLong(1)}},
            "unit": "hour",
            "amount": NumberLong(2)
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: ?column? <- c0

-- case: interval_unit_syntax
SELECT created_at + INTERVAL '5' MINUTE FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$dateAdd": {"startDate": "$created_at", "unit": "minute", "amount": NumberLong(5)}}
      }
    }
  ],
  "cursor": {}
}
rows: ?column? <- c0

-- case: interval_plus_timestamp
SELECT INTERVAL '1 hour' + created_at FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$dateAdd": {"startDate": "$created_at", "unit": "hour", "amount": NumberLong(1)}}
      }
    }
  ],
  "cursor": {}
}
rows: ?column? <- c0

-- case: expiring_soon
SELECT COUNT(*) FROM user_sessions WHERE expires_at <= CURRENT_TIMESTAMP + INTERVAL '1 minute'
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$match": {
        "$expr": {
          "$and": [
            {"$ne": [{"$ifNull": ["$expires_at", null]}, null]},
            {
              "$lte": [
                "$expires_at",
                {"$dateAdd": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(1)}}
              ]
            }
          ]
        }
      }
    },
    {"$group": {"_id": null, "a0": {"$sum": 1}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: count <- c0

-- case: column_plus_interval
SELECT * FROM application_cache WHERE created_at < CURRENT_TIMESTAMP - INTERVAL '1 hour'
-- expect:
{
  "find": "application_cache",
  "filter": {
    "$expr": {
      "$and": [
        {"$ne": [{"$ifNull": ["$created_at", null]}, null]},
        {
          "$lt": [
            "$created_at",
            {"$dateSubtract": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(1)}}
          ]
        }
      ]
    }
  }
}
rows: * (every field)

-- case: timestamp_difference
SELECT expires_at - created_at AS ttl FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$subtract": ["$expires_at", "$created_at"]}}}],
  "cursor": {}
}
rows: ttl <- c0

-- case: bad_interval
SELECT NOW() + INTERVAL 'a while' FROM t
-- error: invalid input syntax for type interval: "a while" at 1:25

-- case: fractional_interval
SELECT NOW() + INTERVAL '1.5 hours' FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$dateAdd": {"startDate": "$$NOW", "unit": "millisecond", "amount": NumberLong(5400000)}}
      }
    }
  ],
  "cursor": {}
}
rows: ?column? <- c0

-- case: interval_times_number_folds
SELECT INTERVAL '1 hour' * 2 FROM t
-- expect:
{"aggregate": "t", "pipeline": [{"$project": {"_id": 0, "c0": "02:00:00"}}], "cursor": {}}
rows: ?column? <- c0
