-- case: minute
SELECT DATE_TRUNC('minute', created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$dateTrunc": {"date": "$created_at", "unit": "minute"}}}}],
  "cursor": {}
}
rows: date_trunc <- c0

-- case: hour
SELECT DATE_TRUNC('hour', created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$dateTrunc": {"date": "$created_at", "unit": "hour"}}}}],
  "cursor": {}
}
rows: date_trunc <- c0

-- case: day
SELECT DATE_TRUNC('day', created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$dateTrunc": {"date": "$created_at", "unit": "day"}}}}],
  "cursor": {}
}
rows: date_trunc <- c0

-- case: week
SELECT DATE_TRUNC('week', created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$dateTrunc": {"date": "$created_at", "unit": "week", "startOfWeek": "monday"}}
      }
    }
  ],
  "cursor": {}
}
rows: date_trunc <- c0

-- case: month
SELECT DATE_TRUNC('month', created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$dateTrunc": {"date": "$created_at", "unit": "month"}}}}],
  "cursor": {}
}
rows: date_trunc <- c0

-- case: bad_unit
SELECT DATE_TRUNC('fortnight', created_at) FROM user_sessions
-- error: unsupported: DATE_TRUNC unit 'fortnight' at 1:8

-- case: non_literal_unit_refused
SELECT DATE_TRUNC(unit, created_at) FROM t
-- error: unsupported: DATE_TRUNC with a non-literal unit at 1:19
