-- case: set_now
SET sqlmongo.now = '2026-01-01T00:00:00Z'
-- expect:
setting: sqlmongo.now = 2026-01-01T00:00:00Z

-- case: set_now_to_a_local_timestamp
SET sqlmongo.now TO '2026-01-01 12:30'
-- expect:
setting: sqlmongo.now = 2026-01-01T12:30:00Z

-- case: set_now_to_default
SET sqlmongo.now TO DEFAULT
-- expect:
setting: sqlmongo.now = DEFAULT (the clock runs)

-- case: reset_now
RESET sqlmongo.now
-- expect:
setting: sqlmongo.now = DEFAULT (the clock runs)

-- case: reset_all
RESET ALL
-- expect:
setting: sqlmongo.now = DEFAULT (the clock runs)

-- case: run_ttl_monitor
CALL sqlmongo.run_ttl_monitor()
-- expect:
run on admin: {sqlmongoRunTTLMonitor: 1, now: "$$NOW"}

-- case: bad_timestamp
SET sqlmongo.now = 'tomorrow'
-- error: invalid timestamp for sqlmongo.now: "tomorrow" (e.g. '2026-01-01T00:00:00Z') at 1:20

-- case: other_setting
SET search_path = 'public'
-- error: unsupported: setting search_path (sqlmongo.now is the one setting) at 1:1

-- case: other_procedure
CALL refresh_sessions()
-- error: unsupported: procedure refresh_sessions (sqlmongo.run_ttl_monitor() is the one procedure) at 1:1
