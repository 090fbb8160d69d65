-- case: single_row
INSERT INTO user_sessions (session_id, user_id, active) VALUES ('s1', 'u1', true)
-- expect:
{
  "insert": "user_sessions",
  "documents": [{"session_id": "s1", "user_id": "u1", "active": true}],
  "ordered": true
}
affected

-- case: multi_row
INSERT INTO application_cache (cache_key, namespace, hit_count) VALUES ('k1', 'products', 0), ('k2', 'users', 3)
-- expect:
{
  "insert": "application_cache",
  "documents": [
    {"cache_key": "k1", "namespace": "products", "hit_count": 0},
    {"cache_key": "k2", "namespace": "users", "hit_count": 3}
  ],
  "ordered": true
}
affected

-- case: nulls
INSERT INTO user_sessions (session_id, invalidated_at) VALUES ('s1', NULL)
-- expect:
{
  "insert": "user_sessions",
  "documents": [{"session_id": "s1", "invalidated_at": null}],
  "ordered": true
}
affected

-- case: array
INSERT INTO application_cache (cache_key, tags) VALUES ('k1', ARRAY['product_catalog', 'inventory'])
-- expect:
{
  "insert": "application_cache",
  "documents": [{"cache_key": "k1", "tags": ["product_catalog", "inventory"]}],
  "ordered": true
}
affected

-- case: jsonb
INSERT INTO user_sessions (session_id, session_data) VALUES ('s1', '{"preferences": {"theme": "dark"}, "cart": [1, 2]}'::jsonb)
-- expect:
{
  "insert": "user_sessions",
  "documents": [{"session_id": "s1", "session_data": {"preferences": {"theme": "dark"}, "cart": [1, 2]}}],
  "ordered": true
}
affected

-- case: timestamps
INSERT INTO user_sessions (session_id, created_at) VALUES ('s1', TIMESTAMP '2026-11-22 10:00:00')
-- expect:
{
  "insert": "user_sessions",
  "documents": [{"session_id": "s1", "created_at": ISODate("2026-11-22T10:00:00Z")}],
  "ordered": true
}
affected

-- case: now_and_interval
INSERT INTO user_sessions (session_id, user_id, created_at, expires_at) VALUES ('s1', 'u1', NOW(), NOW() + INTERVAL '30 minutes')
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {"_id": {"$exists": false}},
      "u": [
        {
          "$set": {
            "session_id": "s1",
            "user_id": "u1",
            "created_at": "$$NOW",
            "expires_at": {"$dateAdd": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(30)}}
          }
        }
      ],
      "multi": false,
      "upsert": true
    }
  ]
}
affected

-- case: params
INSERT INTO user_sessions (session_id, user_id, session_data) VALUES ($1, $2, $3)
-- expect:
{
  "insert": "user_sessions",
  "documents": [
    {
      "session_id": {"$param": NumberLong(1)},
      "user_id": {"$param": NumberLong(2)},
      "session_data": {"$param": NumberLong(3)}
    }
  ],
  "ordered": true
}
affected

-- case: nested_column
INSERT INTO user_sessions (session_id, session_data.theme) VALUES ('s1', 'dark')
-- expect:
{
  "insert": "user_sessions",
  "documents": [{"session_id": "s1", "session_data": {"theme": "dark"}}],
  "ordered": true
}
affected

-- case: dollar_string_value
INSERT INTO t (a) VALUES ('$gt')
-- expect:
{"insert": "t", "documents": [{"a": "$gt"}], "ordered": true}
affected

-- case: numbers
INSERT INTO t (i, big, f, neg) VALUES (1, 9999999999, 2.5, -3)
-- expect:
{
  "insert": "t",
  "documents": [{"i": 1, "big": NumberLong(9999999999), "f": 2.5, "neg": -3}],
  "ordered": true
}
affected

-- case: jsonb_dollar_key_refused
INSERT INTO t (doc) VALUES ('{"$gt": 1}'::jsonb)
-- error: JSON key "$gt" is not allowed (starts with '$' or contains '.' or NUL) at 1:29

-- case: no_columns_refused
INSERT INTO t VALUES (1, 2)
-- error: unsupported: INSERT without a column list (collections have no column order) at 1:1

-- case: column_count_mismatch
INSERT INTO t (a, b) VALUES (1)
-- error: INSERT has 2 target columns but 1 values at 1:30

-- case: on_conflict_do_update
INSERT INTO application_cache (cache_key, data) VALUES ('k', 'v') ON CONFLICT (cache_key) DO UPDATE SET data = EXCLUDED.data
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_key": {"$eq": "k"}},
      "u": {"$setOnInsert": {"cache_key": "k"}, "$set": {"data": "v"}},
      "multi": false,
      "upsert": true
    }
  ]
}
affected
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: returning_translated
INSERT INTO t (a) VALUES (1) RETURNING a
-- expect:
{
  "findAndModify": "t",
  "query": {"_id": {"$exists": false}},
  "update": {"a": 1},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$a"}
}
returning the value of each step: a <- c0

-- case: dollar_column_refused
INSERT INTO t ("$set") VALUES (1)
-- error: field name "$set" starts with '$', which MongoDB reads as an operator at 1:16
