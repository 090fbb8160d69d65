-- case: ttl
CREATE COLLECTION user_sessions WITH (ttl_field = 'expiresAt', expire_after_seconds = 0)
-- expect:
{"create": "user_sessions"}
{
  "createIndexes": "user_sessions",
  "indexes": [{"key": {"expiresAt": 1}, "name": "expiresAt_1", "expireAfterSeconds": NumberLong(0)}]
}
affected

-- case: plain
CREATE COLLECTION events
-- expect:
{"create": "events"}
affected

-- case: if_not_exists
CREATE COLLECTION IF NOT EXISTS events
-- expect:
{"create": "events"}
affected
tolerated error codes: 48

-- case: capped
CREATE COLLECTION log WITH (capped = true, size = 1048576, max = 1000)
-- expect:
{"create": "log", "capped": true, "size": NumberLong(1048576), "max": NumberLong(1000)}
affected

-- case: capped_without_size
CREATE COLLECTION log WITH (capped = true)
-- error: a capped collection needs size = <bytes> at 1:1

-- case: compression_zstd
CREATE COLLECTION c WITH (compression = 'zstd')
-- expect:
{"create": "c", "storageEngine": {"wiredTiger": {"configString": "block_compressor=zstd"}}}
affected

-- case: unknown_option
CREATE COLLECTION c WITH (ttl = 5)
-- error: unknown collection option ttl (known: ttl_field, expire_after_seconds, capped, size, max, storage_engine, compression, collation) at 1:27

-- case: repeated_option
CREATE COLLECTION c WITH (capped = true, capped = false)
-- error: syntax error at 1:42: option capped given twice

-- case: bad_compression
CREATE COLLECTION c WITH (compression = 'lz4')
-- error: option compression must be one of 'snappy', 'zlib', 'zstd', 'none' at 1:27

-- case: ttl_without_seconds
CREATE COLLECTION c WITH (ttl_field = 'expiresAt')
-- error: ttl_field needs expire_after_seconds at 1:27

-- case: negative_seconds
CREATE COLLECTION c WITH (ttl_field = 'expiresAt', expire_after_seconds = -1)
-- error: option expire_after_seconds must be a non-negative number at 1:52

-- case: ttl_field_dollar
CREATE COLLECTION c WITH (ttl_field = '$x', expire_after_seconds = 1)
-- error: option ttl_field must be a field name at 1:27

-- case: alter_ttl
ALTER COLLECTION user_sessions SET (ttl_field = 'expiresAt', expire_after_seconds = 3600)
-- expect:
{
  "collMod": "user_sessions",
  "index": {"keyPattern": {"expiresAt": 1}, "expireAfterSeconds": NumberLong(3600)}
}
affected

-- case: alter_without_field
ALTER COLLECTION user_sessions SET (expire_after_seconds = 60)
-- error: ALTER COLLECTION ... SET (expire_after_seconds = N) also needs ttl_field = '<field>' to name the TTL index at 1:1

-- case: drop
DROP COLLECTION user_sessions
-- expect:
{"drop": "user_sessions"}
affected

-- case: drop_if_exists
DROP COLLECTION IF EXISTS user_sessions
-- expect:
{"drop": "user_sessions"}
affected
tolerated error codes: 26

-- case: drop_table
DROP TABLE user_sessions
-- expect:
{"drop": "user_sessions"}
affected

-- case: show_collections
SHOW COLLECTIONS
-- expect:
{"listCollections": 1, "filter": {}, "cursor": {}}
rows: name <- name, type <- type

-- case: show_indexes
SHOW INDEXES FROM user_sessions
-- expect:
{"listIndexes": "user_sessions", "cursor": {}}
rows: name <- name, key <- key, unique <- unique, expireAfterSeconds <- expireAfterSeconds, partialFilterExpression <- partialFilterExpression

-- case: explain_select
EXPLAIN SELECT * FROM user_sessions WHERE session_id = 's1'
-- expect:
{"find": "user_sessions", "filter": {"session_id": "s1"}}
explain

-- case: explain_analyze_refused
EXPLAIN ANALYZE SELECT 1
-- error: syntax error at 1:9: Expected: a statement after EXPLAIN (EXPLAIN options are not supported), found: ANALYZE
