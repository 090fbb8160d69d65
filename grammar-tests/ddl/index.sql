-- case: simple
CREATE INDEX ON user_sessions (user_id)
-- expect:
{"createIndexes": "user_sessions", "indexes": [{"key": {"user_id": 1}, "name": "user_id_1"}]}
affected

-- case: named
CREATE INDEX idx_user ON user_sessions (user_id)
-- expect:
{"createIndexes": "user_sessions", "indexes": [{"key": {"user_id": 1}, "name": "idx_user"}]}
affected

-- case: unique
CREATE UNIQUE INDEX idx_session ON user_sessions (session_id)
-- expect:
{
  "createIndexes": "user_sessions",
  "indexes": [{"key": {"session_id": 1}, "name": "idx_session", "unique": true}]
}
affected

-- case: compound_desc
CREATE INDEX idx_user_time ON user_sessions (user_id, last_accessed DESC)
-- expect:
{
  "createIndexes": "user_sessions",
  "indexes": [{"key": {"user_id": 1, "last_accessed": -1}, "name": "idx_user_time"}]
}
affected

-- case: partial
CREATE INDEX idx_active ON user_sessions (user_id) WHERE active = true
-- expect:
{
  "createIndexes": "user_sessions",
  "indexes": [{"key": {"user_id": 1}, "name": "idx_active", "partialFilterExpression": {"active": true}}]
}
affected

-- case: partial_range
CREATE INDEX idx_big ON application_cache (namespace) WHERE data_size > 1024
-- expect:
{
  "createIndexes": "application_cache",
  "indexes": [
    {
      "key": {"namespace": 1},
      "name": "idx_big",
      "partialFilterExpression": {"data_size": {"$gt": 1024}}
    }
  ]
}
affected

-- case: partial_not_null
CREATE UNIQUE INDEX idx_email ON users (email) WHERE email IS NOT NULL
-- error: unsupported: index WHERE clause needing $ne (MongoDB partial indexes allow only =, <, <=, >, >=, IN, IS NOT NULL, AND, OR) at 1:54

-- case: partial_refused
CREATE INDEX idx_x ON t (a) WHERE b <> 1
-- error: unsupported: index WHERE clause needing $nin (MongoDB partial indexes allow only =, <, <=, >, >=, IN, IS NOT NULL, AND, OR) at 1:35

-- case: ttl_index
CREATE INDEX idx_ttl ON application_cache (expires_at) WITH (expire_after_seconds = 0)
-- expect:
{
  "createIndexes": "application_cache",
  "indexes": [{"key": {"expires_at": 1}, "name": "idx_ttl", "expireAfterSeconds": NumberLong(0)}]
}
affected

-- case: ttl_compound_refused
CREATE INDEX idx_ttl ON t (a, b) WITH (expire_after_seconds = 0)
-- error: a TTL index (expire_after_seconds) must have exactly one field at 1:25

-- case: expression_index_refused
CREATE INDEX ON t (LOWER(a))
-- error: unsupported: index on an expression at 1:20

-- case: hash_refused
CREATE INDEX ON t USING hash (a)
-- error: unsupported: index method HASH at 1:17

-- case: drop_qualified
DROP INDEX user_sessions.idx_user
-- expect:
{"dropIndexes": "user_sessions", "index": "idx_user"}
affected

-- case: drop_bare_refused
DROP INDEX idx_user
-- error: DROP INDEX idx_user: name the collection too, as DROP INDEX collection.index_name at 1:1

-- case: nested_field
CREATE INDEX ON user_sessions (session_data.preferences.theme)
-- expect:
{
  "createIndexes": "user_sessions",
  "indexes": [{"key": {"session_data.preferences.theme": 1}, "name": "session_data.preferences.theme_1"}]
}
affected

-- case: if_not_exists
CREATE UNIQUE INDEX IF NOT EXISTS idx_session ON user_sessions (session_id)
-- expect:
{
  "createIndexes": "user_sessions",
  "indexes": [{"key": {"session_id": 1}, "name": "idx_session", "unique": true}]
}
affected
tolerated error codes: 85, 86
