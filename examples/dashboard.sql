-- dashboard.sql: a session store's dashboard kept as a materialized view, and housekeeping with
-- INSERT ... SELECT and CREATE TABLE ... AS (MongoDB's $out underneath: docs/dialect.md).
-- `sqlmongo translate -f examples/dashboard.sql` shows the commands.

CREATE TABLE IF NOT EXISTS dash_sessions (session_id TEXT PRIMARY KEY, user_id TEXT, login_method TEXT,
                                          page_views INTEGER, created_at TIMESTAMPTZ, expires_at TIMESTAMPTZ);
DELETE FROM dash_sessions;
INSERT INTO dash_sessions (session_id, user_id, login_method, page_views, created_at, expires_at) VALUES
  ('d1', 'ann', 'password', 12, NOW() - INTERVAL '3 hours', NOW() + INTERVAL '1 hour'),
  ('d2', 'ann', 'sso', 3, NOW() - INTERVAL '2 days', NOW() - INTERVAL '1 day'),
  ('d3', 'bob', 'password', 40, NOW() - INTERVAL '1 hour', NOW() + INTERVAL '30 minutes'),
  ('d4', 'cyd', 'oauth', 1, NOW() - INTERVAL '5 days', NOW() - INTERVAL '4 days');

-- The per-user dashboard, computed once and read many times.
DROP MATERIALIZED VIEW IF EXISTS dash_per_user;
CREATE MATERIALIZED VIEW dash_per_user AS
  SELECT user_id,
         COUNT(*) AS sessions,
         COUNT(*) FILTER (WHERE expires_at > NOW()) AS live,
         SUM(page_views) AS views
  FROM dash_sessions GROUP BY user_id;
SELECT user_id, sessions, live, views FROM dash_per_user ORDER BY user_id;

-- New activity, then a refresh: readers see the old rows until the new ones are swapped in whole.
INSERT INTO dash_sessions (session_id, user_id, login_method, page_views, created_at, expires_at)
VALUES ('d5', 'bob', 'sso', 7, NOW(), NOW() + INTERVAL '2 hours');
REFRESH MATERIALIZED VIEW CONCURRENTLY dash_per_user;
SELECT user_id, sessions, live, views FROM dash_per_user ORDER BY user_id;

-- Housekeeping: archive expired sessions, then remove them from the live table.
CREATE TABLE IF NOT EXISTS dash_archive (session_id TEXT, user_id TEXT, ended_at TIMESTAMPTZ);
INSERT INTO dash_archive (session_id, user_id, ended_at)
  SELECT session_id, user_id, expires_at FROM dash_sessions WHERE expires_at <= NOW();
DELETE FROM dash_sessions WHERE expires_at <= NOW();
SELECT session_id, user_id FROM dash_archive ORDER BY session_id;

-- A one-off snapshot of the login methods.
DROP TABLE IF EXISTS dash_logins;
CREATE TABLE dash_logins AS SELECT login_method, COUNT(*) AS n FROM dash_sessions GROUP BY login_method;
SELECT login_method, n FROM dash_logins ORDER BY login_method;
