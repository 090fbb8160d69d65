-- case: epoch_of_difference
SELECT EXTRACT(EPOCH FROM last_accessed - created_at) / 60 AS session_duration_minutes FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$divide": [{"$divide": [{"$toLong": {"$subtract": ["$last_accessed", "$created_at"]}}, 1000]}, 60]
        }
      }
    }
  ],
  "cursor": {}
}
rows: session_duration_minutes <- c0

-- case: epoch_of_timestamp
SELECT EXTRACT(EPOCH FROM created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$divide": [{"$toLong": "$created_at"}, 1000]}}}],
  "cursor": {}
}
rows: extract <- c0

-- case: epoch_now_minus_column
SELECT EXTRACT(EPOCH FROM CURRENT_TIMESTAMP - last_accessed) / 60 AS idle_minutes FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$divide": [{"$divide": [{"$subtract": ["$$NOW", "$last_accessed"]}, 1000]}, 60]}
      }
    }
  ],
  "cursor": {}
}
rows: idle_minutes <- c0

-- case: hour
SELECT EXTRACT(HOUR FROM created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$hour": "$created_at"}}}],
  "cursor": {}
}
rows: extract <- c0

-- case: dow
SELECT EXTRACT(DOW FROM created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$subtract": [{"$dayOfWeek": "$created_at"}, 1]}}}],
  "cursor": {}
}
rows: extract <- c0

-- case: day_month_year
SELECT EXTRACT(DAY FROM created_at), EXTRACT(MONTH FROM created_at), EXTRACT(YEAR FROM created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$dayOfMonth": "$created_at"},
        "c1": {"$month": "$created_at"},
        "c2": {"$year": "$created_at"}
      }
    }
  ],
  "cursor": {}
}
rows: extract <- c0, extract <- c1, extract <- c2

-- case: minute_second
SELECT EXTRACT(MINUTE FROM created_at), EXTRACT(SECOND FROM created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$minute": "$created_at"},
        "c1": {"$add": [{"$second": "$created_at"}, {"$divide": [{"$millisecond": "$created_at"}, 1000]}]}
      }
    }
  ],
  "cursor": {}
}
rows: extract <- c0, extract <- c1

-- case: group_by_hour
SELECT EXTRACT(HOUR FROM created_at) AS h, COUNT(*) FROM user_sessions GROUP BY 1 ORDER BY 1
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": [{"$hour": "$created_at"}, null]}}, "a0": {"$sum": 1}}},
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": {"$ifNull": ["$a0", 0]},
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$_id.g0", null]}, null]}, 1, 0]},
        "__s0": "$_id.g0"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: h <- c0, count <- c1

-- case: extract_timezone_refused
SELECT EXTRACT(TIMEZONE FROM created_at) FROM t
-- error: unsupported: EXTRACT(TIMEZONE ...) at 1:30
