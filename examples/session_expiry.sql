-- Session expiry with a fixed clock: run it as
--   sqlmongo --now 2026-01-01T00:00:00Z run examples/session_expiry.sql
-- and every line of its output is the same on every run (tests/reproducible_time.rs compares it).
-- SET sqlmongo.now moves the clock; CALL sqlmongo.run_ttl_monitor() runs the TTL monitor's pass now.
CREATE COLLECTION IF NOT EXISTS expiry_sessions WITH (ttl_field = 'expires_at', expire_after_seconds = 0);
INSERT INTO expiry_sessions (_id, user_id, created_at, expires_at)
VALUES ('s-short', 'alice', NOW(), NOW() + INTERVAL '15 minutes');
INSERT INTO expiry_sessions (_id, user_id, created_at, expires_at)
VALUES ('s-long', 'alice', NOW(), NOW() + INTERVAL '2 hours');
INSERT INTO expiry_sessions (_id, user_id, created_at, expires_at)
VALUES ('s-bob', 'bob', NOW(), NOW() + INTERVAL '45 minutes');
SELECT _id, created_at, expires_at FROM expiry_sessions ORDER BY expires_at;

-- 30 minutes later: s-short has expired; it is still stored (the monitor has not run) but no longer valid.
SET sqlmongo.now = '2026-01-01T00:30:00Z';
SELECT _id FROM expiry_sessions WHERE expires_at > NOW() ORDER BY _id;
-- Sliding expiry of bob's session, from the fixed now.
UPDATE expiry_sessions SET expires_at = NOW() + INTERVAL '45 minutes' WHERE _id = 's-bob' AND expires_at > NOW();
SELECT _id, expires_at FROM expiry_sessions WHERE _id = 's-bob';

-- One TTL pass deletes exactly the expired session.
CALL sqlmongo.run_ttl_monitor();
SELECT _id FROM expiry_sessions ORDER BY _id;

-- 90 minutes in: s-bob (slid to 01:15) has expired too; the application's own cleanup removes it.
SET sqlmongo.now = '2026-01-01T01:30:00Z';
DELETE FROM expiry_sessions WHERE expires_at < NOW();
SELECT _id, EXTRACT(EPOCH FROM expires_at - NOW()) / 60 AS minutes_left FROM expiry_sessions ORDER BY _id;
RESET sqlmongo.now;
