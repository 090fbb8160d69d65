-- case: to_char_unsupported_pattern
SELECT to_char(created_at, 'YYYY RM') FROM t
-- error: unsupported: to_char pattern RM (supported: YYYY YY IYYY MM Mon Month DD DDD D ID IW Dy Day HH HH12 HH24 MI SS MS US AM PM Q TZ OF, FM, "text") at 1:28

-- case: to_char_computed_format
SELECT to_char(created_at, fmt) FROM t
-- error: unsupported: to_char with a format that is not a string literal at 1:28

-- case: to_char_of_a_number
SELECT to_char(12.5, '999D9') FROM t
-- error: unsupported: to_char of a number (only timestamps are formatted) at 1:8

-- case: unknown_time_zone
SELECT created_at AT TIME ZONE 'Mars/Olympus' FROM t
-- error: time zone "Mars/Olympus" not recognized (Olson names such as 'Europe/Paris', 'UTC', or POSIX offsets: '-05:30' is east of Greenwich) at 1:32

-- case: time_zone_abbreviation
SELECT created_at AT TIME ZONE 'CET' FROM t
-- error: unsupported: time zone abbreviation 'CET' (PostgreSQL reads abbreviations from its own table of fixed offsets, unlike the zones of the same name: use an Olson name such as 'Europe/Paris') at 1:32

-- case: date_bin_with_months
SELECT date_bin(INTERVAL '1 month', created_at, TIMESTAMPTZ '2000-01-01') FROM t
-- error: timestamps cannot be binned into intervals containing months or years at 1:26

-- case: date_bin_computed_stride
SELECT date_bin(INTERVAL '1 minute' * n, created_at, TIMESTAMPTZ '2000-01-01') FROM t
-- error: unsupported: date_bin with a stride that is not a constant interval at 1:26

-- case: interval_times_interval
SELECT INTERVAL '1 day' * INTERVAL '1 day' FROM t
-- error: operator does not exist: interval * interval at 1:17

-- case: interval_minus_timestamp
SELECT INTERVAL '1 day' - created_at FROM t
-- error: operator does not exist: interval - timestamp at 1:17

-- case: unknown_session_time_zone
SET TIME ZONE 'Mars/Olympus'
-- error: invalid value for parameter "TimeZone": "Mars/Olympus" (Olson names such as 'Europe/Paris', 'UTC', or POSIX offsets: '-05:30' is east of Greenwich) at 1:15

-- case: to_char_zone_abbreviation_in_a_session_zone
SET TIME ZONE 'Europe/Paris';
SELECT to_char(created_at, 'HH24:MI TZ') FROM t
-- error: unsupported: to_char pattern TZ in a session time zone other than UTC (MongoDB has no zone abbreviations) at 2:28

-- case: storing_a_computed_interval
UPDATE t SET ttl = expires_at - created_at::timestamptz
-- error: unsupported: storing an INTERVAL value at 1:20
