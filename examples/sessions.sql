-- sessions.sql: a session store on a TTL collection, in the sqlmongo SQL dialect.
-- Run it with `sqlmongo run examples/sessions.sql` (embedded engine) and see the MongoDB commands of any
-- statement with `sqlmongo translate "..."`. Every statement translates to exact MongoDB commands; the row
-- counts and rows are PostgreSQL's.

-- A TTL collection: MongoDB's TTL monitor deletes a session once expires_at is in the past
-- (create + createIndexes {expires_at: 1} with expireAfterSeconds: 0).
CREATE COLLECTION user_sessions WITH (ttl_field = 'expires_at', expire_after_seconds = 0);

-- Session ids are unique; ON CONFLICT below relies on this index (see docs/dialect.md, "Upserts").
CREATE UNIQUE INDEX ON user_sessions (session_id);
CREATE INDEX ON user_sessions (user_id, created_at DESC);

-- Create sessions. Timestamps computed with NOW() are evaluated by MongoDB ($$NOW).
-- alice has four sessions (for the per-user limit below), created at fixed times.
INSERT INTO user_sessions (session_id, user_id, session_data, created_at, last_accessed, expires_at, remember_me, ip_address, login_method, mfa_verified, page_views)
VALUES
  ('sess-a1', 'alice', '{"cart": [{"sku": "A-1", "qty": 2}], "preferences": {"theme": "dark", "language": "en"}}'::jsonb,
   TIMESTAMP '2026-11-22 11:00:00', NOW(), NOW() + INTERVAL '10 minutes', false, '10.0.0.1', 'password', true, 12),
  ('sess-a2', 'alice', '{"cart": [], "preferences": {"theme": "light"}}'::jsonb,
   TIMESTAMP '2026-11-22 10:00:00', NOW() - INTERVAL '20 minutes', NOW() + INTERVAL '10 minutes', false, '10.0.0.2', 'password', false, 3),
  ('sess-a3', 'alice', '{"cart": []}'::jsonb,
   TIMESTAMP '2026-11-22 09:00:00', NOW() - INTERVAL '1 hour', NOW() + INTERVAL '5 minutes', false, '10.0.0.3', 'sso', false, 1),
  ('sess-a4', 'alice', '{"cart": []}'::jsonb,
   TIMESTAMP '2026-11-22 08:00:00', NOW() - INTERVAL '2 hours', NOW() + INTERVAL '5 minutes', false, '10.0.0.4', 'sso', false, 0),
  ('sess-c1', 'carol', '{"cart": []}'::jsonb,
   TIMESTAMP '2026-11-22 09:30:00', NOW(), NOW() + INTERVAL '30 minutes', false, '10.0.1.1', 'password', false, 5),
  ('sess-c2', 'carol', '{"cart": []}'::jsonb,
   TIMESTAMP '2026-11-22 09:45:00', NOW(), NOW() + INTERVAL '30 minutes', false, '10.0.1.2', 'oauth', true, 7),
  ('sess-d1', 'dave', '{"cart": [{"sku": "D-9", "qty": 1}]}'::jsonb,
   TIMESTAMP '2026-11-22 07:00:00', NOW() - INTERVAL '40 minutes', NOW() - INTERVAL '5 minutes', false, '10.0.2.1', 'password', false, 9);

-- Remember-me: a long expiry (30 days) instead of a 30-minute idle timeout.
INSERT INTO user_sessions (session_id, user_id, session_data, created_at, last_accessed, expires_at, remember_me, ip_address, login_method, mfa_verified, page_views)
VALUES ('sess-b1', 'bob', '{"cart": [], "preferences": {"theme": "dark"}}'::jsonb,
        NOW(), NOW(), NOW() + INTERVAL '30 days', true, '192.168.1.7', 'password', true, 1);

-- Save (upsert) a session's data: insert it, or replace the data of the existing session.
-- The same statement the seed's session store uses (ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data).
INSERT INTO user_sessions (session_id, user_id, session_data, created_at)
VALUES ('sess-b1', 'bob', '{"cart": [{"sku": "B-2", "qty": 1}], "preferences": {"theme": "dark"}}'::jsonb, TIMESTAMP '2026-11-22 12:00:00')
ON CONFLICT (session_id) DO UPDATE SET session_data = EXCLUDED.session_data;

-- Get a session only if it has not expired (the TTL monitor runs once a minute, so an expired document can
-- still be there: always filter on expires_at).
SELECT session_id, user_id, session_data, session_data.preferences.theme AS theme, expires_at
FROM user_sessions
WHERE session_id = 'sess-a1' AND expires_at > NOW();

-- dave's session expired five minutes ago: no row.
SELECT session_id, user_id FROM user_sessions WHERE session_id = 'sess-d1' AND expires_at > NOW();

-- Touch with sliding expiry: every request moves expires_at 30 minutes ahead (only while still valid).
UPDATE user_sessions
SET last_accessed = NOW(), expires_at = NOW() + INTERVAL '30 minutes', page_views = page_views + 1
WHERE session_id = 'sess-a1' AND expires_at > NOW();

-- Get-and-touch in one statement: RETURNING gives the touched row (several commands, see docs/dialect.md).
UPDATE user_sessions
SET last_accessed = NOW(), expires_at = NOW() + INTERVAL '30 minutes'
WHERE session_id = 'sess-a2' AND expires_at > NOW()
RETURNING session_id, user_id, expires_at;

-- Remember-me sessions slide by 30 days.
UPDATE user_sessions SET last_accessed = NOW(), expires_at = NOW() + INTERVAL '30 days'
WHERE session_id = 'sess-b1' AND remember_me = true AND expires_at > NOW();

-- Destroy one session (logout).
DELETE FROM user_sessions WHERE session_id = 'sess-c1';

-- Destroy all sessions of a user ("log out everywhere"), returning what was removed.
DELETE FROM user_sessions WHERE user_id = 'carol' RETURNING session_id;

-- Per-user session limit: keep alice's newest 2 sessions.
-- Step 1 reads the creation time of the 2nd newest session; step 2 deletes the older ones. An application
-- passes the value read in step 1 as $1 to step 2 (here written out). A single statement
-- (`created_at < (SELECT ... OFFSET 1)`) needs a subquery, which this dialect does not translate yet
-- (the CTE/subquery issue).
SELECT created_at FROM user_sessions WHERE user_id = 'alice' ORDER BY created_at DESC LIMIT 1 OFFSET 1;
DELETE FROM user_sessions WHERE user_id = 'alice' AND created_at < TIMESTAMP '2026-11-22 10:00:00'
RETURNING session_id, created_at;

-- Active sessions of one user, newest first.
SELECT session_id, ip_address, login_method, created_at, last_accessed, expires_at
FROM user_sessions
WHERE user_id = 'alice' AND expires_at > NOW()
ORDER BY created_at DESC;

-- Active sessions per user.
SELECT user_id, COUNT(*) AS active_sessions, MAX(last_accessed) AS last_seen,
       COUNT(*) FILTER (WHERE remember_me) AS remembered
FROM user_sessions
WHERE expires_at > NOW()
GROUP BY user_id
ORDER BY user_id;

-- Explicit cleanup of expired sessions (the TTL index does this too, within a minute).
DELETE FROM user_sessions WHERE expires_at <= NOW();
