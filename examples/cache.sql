-- cache.sql: an application cache on a TTL collection, in the sqlmongo SQL dialect.
-- Run it after sessions.sql (same database) or alone: `sqlmongo run examples/cache.sql`.

-- TTL collection: entries disappear once expires_at has passed (the TTL monitor runs once a minute, so reads
-- also filter on expires_at).
CREATE COLLECTION application_cache WITH (ttl_field = 'expires_at', expire_after_seconds = 0, compression = 'zstd');

-- The cache key is unique: required for race-free upserts (ON CONFLICT), as in PostgreSQL.
CREATE UNIQUE INDEX ON application_cache (cache_key);
CREATE INDEX ON application_cache (namespace, cache_key);
CREATE INDEX ON application_cache (tags);

-- Set: insert or overwrite (upsert). A new entry starts with hit_count 0; overwriting resets it.
INSERT INTO application_cache (cache_key, namespace, data, tags, data_size, hit_count, created_at, last_accessed, expires_at)
VALUES
  ('user:1:profile', 'users', '{"name": "Ada", "plan": "pro"}'::jsonb, ARRAY['user', 'profile'], 2048, 0, NOW(), NOW(), NOW() + INTERVAL '1 hour'),
  ('user:1:cart', 'users', '{"items": 3}'::jsonb, ARRAY['user', 'cart'], 512, 0, NOW(), NOW(), NOW() + INTERVAL '15 minutes'),
  ('user:10:profile', 'users', '{"name": "Grace"}'::jsonb, ARRAY['user', 'profile'], 1024, 0, NOW(), NOW(), NOW() + INTERVAL '1 hour'),
  ('product:42', 'products', '{"price": 19.99, "stock": 7}'::jsonb, ARRAY['product_catalog', 'inventory'], 4096, 0, NOW() - INTERVAL '2 hours', NOW(), NOW() + INTERVAL '1 day'),
  ('product:43', 'products', '{"price": 5.00, "stock": 0}'::jsonb, ARRAY['product_catalog'], 2000000, 0, NOW() - INTERVAL '3 hours', NOW(), NOW() + INTERVAL '1 day'),
  ('catalog:summer', 'products', '{"count": 120}'::jsonb, ARRAY['product_catalog'], 3000000, 0, NOW() - INTERVAL '3 hours', NOW(), NOW() + INTERVAL '1 day'),
  ('feed:home', 'feeds', '{"posts": [1, 2, 3]}'::jsonb, ARRAY['feed'], 8192, 0, NOW(), NOW(), NOW() + INTERVAL '5 minutes'),
  ('stale:1', 'feeds', '{"old": true}'::jsonb, ARRAY['feed'], 100, 0, NOW() - INTERVAL '1 hour', NOW() - INTERVAL '1 hour', NOW() - INTERVAL '1 minute')
ON CONFLICT (cache_key) DO UPDATE
SET data = EXCLUDED.data, tags = EXCLUDED.tags, data_size = EXCLUDED.data_size, hit_count = 0,
    last_accessed = EXCLUDED.last_accessed, expires_at = EXCLUDED.expires_at;

-- Set again: the entry is overwritten in place (one row updated, no duplicate).
INSERT INTO application_cache (cache_key, namespace, data, tags, data_size, hit_count, created_at, last_accessed, expires_at)
VALUES ('user:1:profile', 'users', '{"name": "Ada", "plan": "enterprise"}'::jsonb, ARRAY['user', 'profile'], 2100, 0, NOW(), NOW(), NOW() + INTERVAL '1 hour')
ON CONFLICT (cache_key) DO UPDATE
SET data = EXCLUDED.data, data_size = EXCLUDED.data_size, hit_count = 0, expires_at = EXCLUDED.expires_at;

-- Set if absent: an existing entry is kept (0 rows), a new one is inserted.
INSERT INTO application_cache (cache_key, namespace, data, tags, hit_count, expires_at)
VALUES ('user:1:profile', 'users', '{"name": "someone else"}'::jsonb, ARRAY['user'], 0, TIMESTAMPTZ '2099-01-01 00:00:00+00')
ON CONFLICT (cache_key) DO NOTHING;

-- Conditional set: replace the entry only when the new version is newer (0 rows otherwise).
INSERT INTO application_cache (cache_key, namespace, data, version, expires_at)
VALUES ('user:10:profile', 'users', '{"name": "Grace H."}'::jsonb, 0, NOW() + INTERVAL '1 hour')
ON CONFLICT (cache_key) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version
WHERE COALESCE(application_cache.version, 0) < EXCLUDED.version;

INSERT INTO application_cache (cache_key, namespace, data, version, expires_at)
VALUES ('user:10:profile', 'users', '{"name": "Grace Hopper"}'::jsonb, 2, NOW() + INTERVAL '1 hour')
ON CONFLICT (cache_key) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version
WHERE COALESCE(application_cache.version, 0) < EXCLUDED.version;

-- Get with hit counting: count the hit and return the data in one statement, only while the entry is live.
-- (RETURNING without an _id equality runs as find + update + read, not atomic as a whole: docs/dialect.md.)
UPDATE application_cache SET hit_count = hit_count + 1, last_accessed = NOW()
WHERE cache_key = 'product:42' AND expires_at > NOW()
RETURNING data, hit_count;

UPDATE application_cache SET hit_count = hit_count + 1, last_accessed = NOW()
WHERE cache_key = 'product:42' AND expires_at > NOW()
RETURNING data.price AS price, hit_count;

-- A get of an expired entry is a miss: no row, and nothing is counted.
UPDATE application_cache SET hit_count = hit_count + 1, last_accessed = NOW()
WHERE cache_key = 'stale:1' AND expires_at > NOW()
RETURNING data;

-- Plain read of a live entry.
SELECT cache_key, data, hit_count, expires_at FROM application_cache
WHERE cache_key = 'user:1:profile' AND expires_at > NOW();

-- Invalidate by key.
DELETE FROM application_cache WHERE cache_key = 'user:1:cart';

-- Invalidate by pattern: LIKE is an anchored regex with metacharacters escaped, so 'user:1:%' does not
-- match 'user:10:profile'.
DELETE FROM application_cache WHERE cache_key LIKE 'user:1:%' RETURNING cache_key;

-- Invalidate by tag.
DELETE FROM application_cache WHERE 'inventory' = ANY(tags);

-- Soft invalidation (from the seed): expire entries now instead of deleting them; reads stop returning them
-- and the TTL monitor removes them.
UPDATE application_cache
SET expires_at = CURRENT_TIMESTAMP, invalidated_at = CURRENT_TIMESTAMP, invalidation_reason = 'product_update_cascade'
WHERE (cache_key LIKE 'product:%' OR cache_key LIKE 'catalog:%')
  AND ('product_catalog' = ANY(tags) OR 'inventory' = ANY(tags))
  AND created_at < CURRENT_TIMESTAMP - INTERVAL '1 hour'
  AND data_size > 1024 * 1024;

-- Invalidate a whole namespace.
DELETE FROM application_cache WHERE namespace = 'feeds' AND tags && ARRAY['feed', 'timeline'];

-- Cleanup of expired entries (the TTL index does this too, within a minute).
DELETE FROM application_cache WHERE expires_at <= NOW();

-- What is left, per namespace.
SELECT namespace, COUNT(*) AS entries, SUM(hit_count) AS hits, SUM(data_size) AS bytes
FROM application_cache
WHERE expires_at > NOW()
GROUP BY namespace
ORDER BY namespace;
