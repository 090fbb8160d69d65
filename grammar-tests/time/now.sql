-- case: current_timestamp
SELECT CURRENT_TIMESTAMP AS now FROM t
-- expect:
{"aggregate": "t", "pipeline": [{"$project": {"_id": 0, "c0": "$$NOW"}}], "cursor": {}}
rows: now <- c0

-- case: now_function
SELECT NOW() FROM t
-- expect:
{"aggregate": "t", "pipeline": [{"$project": {"_id": 0, "c0": "$$NOW"}}], "cursor": {}}
rows: now <- c0

-- case: expires_after_now
SELECT * FROM user_sessions WHERE expires_at > CURRENT_TIMESTAMP
-- expect:
{"find": "user_sessions", "filter": {"$expr": {"$gt": ["$expires_at", "$$NOW"]}}}
rows: * (every field)

-- case: expired
SELECT session_id FROM user_sessions WHERE expires_at <= NOW()
-- expect:
{
  "find": "user_sessions",
  "filter": {
    "$expr": {
      "$and": [{"$ne": [{"$ifNull": ["$expires_at", null]}, null]}, {"$lte": ["$expires_at", "$$NOW"]}]
    }
  },
  "projection": {"_id": 0, "session_id": 1}
}
rows: session_id <- session_id

-- case: timestamp_literal
SELECT * FROM user_sessions WHERE created_at >= TIMESTAMP '2026-11-22 10:00:00'
-- expect:
{"find": "user_sessions", "filter": {"created_at": {"$gte": ISODate("2026-11-22T10:00:00Z")}}}
rows: * (every field)

-- case: timestamptz_literal
SELECT * FROM user_sessions WHERE created_at < TIMESTAMPTZ '2026-11-22T10:00:00+02:00'
-- expect:
{"find": "user_sessions", "filter": {"created_at": {"$lt": ISODate("2026-11-22T08:00:00Z")}}}
rows: * (every field)

-- case: date_literal
SELECT * FROM user_sessions WHERE created_at >= DATE '2026-11-22'
-- expect:
{"find": "user_sessions", "filter": {"created_at": {"$gte": ISODate("2026-11-22T00:00:00Z")}}}
rows: * (every field)

-- case: bad_timestamp
SELECT * FROM t WHERE ts > TIMESTAMP 'yesterday'
-- error: invalid timestamp literal 'yesterday' at 1:38
