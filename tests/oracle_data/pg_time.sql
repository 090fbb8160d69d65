-- Issue 17 item 3: time zones, interval arithmetic, date_bin, age, justify_*, to_char. Same format as
-- pg_queries.sql. The oracle's psql session runs with PGTZ=UTC; the cases that set the time zone say so.
-- Differences of two columns are written `a - b::timestamptz` (sqlmongo knows a column's type only from a cast:
-- docs/dialect.md, deviation 8).
-- ===== interval literals and constant arithmetic =====
-- name: time_interval_literals_print_as_postgres
SELECT INTERVAL '1 day 2 hours' AS a, INTERVAL '26 hours' AS b, INTERVAL '-30 minutes' AS c, INTERVAL '3 mons 2 days' AS d, INTERVAL '1 year -2 mons' AS e, INTERVAL '0 seconds' AS f;
-- name: time_fractional_interval_literals
SELECT INTERVAL '1.5 hours' AS a, INTERVAL '1.5 days' AS b, INTERVAL '1.5 weeks' AS c, INTERVAL '1.5 months' AS d, INTERVAL '1.5 years' AS e, INTERVAL '0.25 seconds' AS f, INTERVAL '2.5' MINUTE AS g, INTERVAL '1.75' HOUR AS h, INTERVAL '1.5' DAY AS i;
-- name: time_clock_and_ago_interval_literals
SELECT INTERVAL '01:30:15.25' AS a, INTERVAL '1 day 01:30' AS b, INTERVAL '2 hours ago' AS c, INTERVAL '-1 day 2 hours' AS d, INTERVAL '@ 3 days' AS e;
-- name: time_interval_times_number_constant
SELECT INTERVAL '1 day' * 1.5 AS a, 0.5 * INTERVAL '1 day' AS b, INTERVAL '1 month' * 1.5 AS c, INTERVAL '26 hours' * 2 AS d, INTERVAL '1 hour' * -3 AS e, INTERVAL '1 year' * 0.1 AS f;
-- name: time_interval_divided_constant
SELECT INTERVAL '1 day' / 7 AS a, INTERVAL '1 mon 1 day' / 3 AS b, INTERVAL '1 hour' / 2.5 AS c, INTERVAL '1 year' / 5 AS d;
-- name: time_interval_plus_minus_interval_constant
SELECT INTERVAL '1 day' + INTERVAL '90 minutes' AS a, INTERVAL '1 year' - INTERVAL '1 day 3 hours' AS b, INTERVAL '1 hour' - INTERVAL '2 hours' AS c, -INTERVAL '1 day 2 hours' AS d;
-- name: time_justify_constant
SELECT justify_hours(INTERVAL '50 hours') AS a, justify_days(INTERVAL '35 days') AS b, justify_interval(INTERVAL '1 mon -1 hour') AS c, justify_hours(INTERVAL '-27 hours') AS d, justify_days(INTERVAL '-35 days') AS e, justify_interval(INTERVAL '-1 mon 40 days 30 hours') AS f;
-- name: time_extract_from_interval_constant
SELECT EXTRACT(EPOCH FROM INTERVAL '1 day 2 hours') AS e, EXTRACT(HOUR FROM INTERVAL '26 hours 5 minutes') AS h, EXTRACT(MINUTE FROM INTERVAL '26 hours 5 minutes') AS m, EXTRACT(DAY FROM INTERVAL '3 mons 2 days') AS d, EXTRACT(MONTH FROM INTERVAL '14 mons') AS mo, EXTRACT(YEAR FROM INTERVAL '14 mons') AS y;
-- name: time_interval_comparisons_constant
SELECT INTERVAL '1 day' = INTERVAL '24 hours' AS a, INTERVAL '1 mon' > INTERVAL '29 days' AS b, INTERVAL '1.5 hours' < INTERVAL '91 minutes' AS c;
-- ===== timestamp - timestamp, timestamp ± computed intervals =====
-- name: time_timestamp_minus_timestamp
SELECT session_id, expires_at - created_at::timestamptz AS ttl FROM user_sessions ORDER BY session_id;
-- name: time_timestamp_minus_literal
SELECT session_id, created_at - TIMESTAMPTZ '2026-11-01 00:00:00Z' AS since FROM user_sessions ORDER BY session_id;
-- name: time_literal_minus_timestamp_negative
SELECT session_id, TIMESTAMPTZ '2026-01-01 00:00:00Z' - created_at AS until_new_year FROM user_sessions ORDER BY session_id;
-- name: time_interval_times_column
SELECT session_id, INTERVAL '1 minute' * page_views AS m, page_views * INTERVAL '1 day 1 hour' AS d FROM user_sessions ORDER BY session_id;
-- name: time_interval_times_double_column
SELECT session_id, INTERVAL '1 hour' * risk_score AS r, INTERVAL '1 month' * risk_score AS mo FROM user_sessions ORDER BY session_id;
-- name: time_difference_times_and_divided
SELECT session_id, (expires_at - created_at::timestamptz) * 2 AS twice, (expires_at - created_at::timestamptz) / 3 AS third FROM user_sessions ORDER BY session_id;
-- name: time_difference_plus_interval
SELECT session_id, (expires_at - created_at::timestamptz) + INTERVAL '1 mon' AS a, (expires_at - created_at::timestamptz) - INTERVAL '1 day' AS b FROM user_sessions ORDER BY session_id;
-- name: time_negated_difference
SELECT session_id, -(expires_at - created_at::timestamptz) AS neg FROM user_sessions ORDER BY session_id;
-- name: time_timestamp_plus_computed_interval
SELECT session_id, created_at + INTERVAL '1 minute' * page_views AS t, created_at - INTERVAL '1 day' * page_views AS u FROM user_sessions ORDER BY session_id;
-- name: time_timestamp_plus_month_interval_clamps
SELECT TIMESTAMPTZ '2026-01-31 10:00:00Z' + INTERVAL '1 month' AS a, TIMESTAMPTZ '2024-02-29 00:00:00Z' + INTERVAL '1 year' AS b, TIMESTAMPTZ '2026-03-31 00:00:00Z' - INTERVAL '1 mon 1 day' AS c, TIMESTAMPTZ '2026-01-31 00:00:00Z' + INTERVAL '1.5 months' AS d;
-- name: time_timestamp_plus_fractional_interval
SELECT session_id, created_at + INTERVAL '1.5 hours' AS a, created_at - INTERVAL '0.5 days' AS b FROM user_sessions ORDER BY session_id;
-- name: time_difference_compared_with_interval
SELECT session_id FROM user_sessions WHERE expires_at - created_at::timestamptz > INTERVAL '1 hour' ORDER BY session_id;
-- name: time_difference_compared_with_computed_interval
SELECT session_id, expires_at - created_at::timestamptz >= INTERVAL '1 minute' * page_views AS longer FROM user_sessions ORDER BY session_id;
-- name: time_two_column_difference_compared_with_interval
SELECT session_id FROM user_sessions WHERE expires_at - created_at <= INTERVAL '2 hours' ORDER BY session_id;
-- name: time_extract_from_difference
SELECT session_id, EXTRACT(EPOCH FROM expires_at - created_at::timestamptz) AS e, EXTRACT(HOUR FROM expires_at - created_at::timestamptz) AS h, EXTRACT(DAY FROM expires_at - created_at::timestamptz) AS d FROM user_sessions ORDER BY session_id;
-- name: time_justify_computed
SELECT session_id, justify_hours(INTERVAL '5 hours' * page_views) AS h, justify_days(INTERVAL '4 days' * page_views) AS d, justify_interval(INTERVAL '7 hours' * page_views) AS i FROM user_sessions ORDER BY session_id;
-- name: time_interval_in_group_by_output
SELECT user_id, MAX(expires_at) - MIN(created_at::timestamptz) AS span FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: time_interval_null_propagates
SELECT session_id, INTERVAL '1 day' * page_views IS NULL AS n, created_at + INTERVAL '1 minute' * page_views IS NULL AS tn FROM user_sessions ORDER BY session_id;
-- ===== age =====
-- name: time_age_two_timestamps
SELECT session_id, age(expires_at, created_at) AS a, age(created_at, expires_at) AS b FROM user_sessions ORDER BY session_id;
-- name: time_age_borrows_month_lengths
SELECT age(TIMESTAMPTZ '2026-03-01 00:00:00Z', TIMESTAMPTZ '2025-01-31 10:00:00Z') AS a, age(TIMESTAMPTZ '2024-03-01Z', TIMESTAMPTZ '2024-01-31Z') AS b, age(TIMESTAMPTZ '2025-01-31Z', TIMESTAMPTZ '2026-03-01Z') AS c, age(TIMESTAMPTZ '2026-05-15 08:30:00.250Z', TIMESTAMPTZ '2020-07-20 23:45:10.500Z') AS d;
-- name: time_age_against_literal
SELECT session_id, age(created_at, TIMESTAMPTZ '2000-02-29 12:00:00Z') AS a FROM user_sessions ORDER BY session_id;
-- ===== date_bin =====
-- name: time_date_bin_fifteen_minutes
SELECT session_id, date_bin(INTERVAL '15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00Z') AS slot FROM user_sessions ORDER BY session_id;
-- name: time_date_bin_origin_offset_and_before_origin
SELECT session_id, date_bin(INTERVAL '1 day 6 hours', created_at, TIMESTAMPTZ '2026-11-22 07:30:00Z') AS a, date_bin(INTERVAL '90 seconds', created_at, TIMESTAMPTZ '2030-01-01 00:00:10Z') AS b FROM user_sessions ORDER BY session_id;
-- name: time_date_bin_group_by
SELECT date_bin(INTERVAL '1 hour', created_at, TIMESTAMPTZ '2000-01-01 00:00:00Z') AS hour, COUNT(*) AS n FROM user_sessions GROUP BY 1 ORDER BY 1;
-- ===== AT TIME ZONE =====
-- name: time_at_time_zone_instant_to_wall_clock
SELECT session_id, created_at AT TIME ZONE 'Europe/Paris' AS paris, created_at AT TIME ZONE 'America/New_York' AS ny, created_at AT TIME ZONE 'Asia/Kolkata' AS kol FROM user_sessions ORDER BY session_id;
-- name: time_at_time_zone_utc_and_posix_offset
SELECT session_id, created_at AT TIME ZONE 'UTC' AS u, created_at AT TIME ZONE '+05' AS west5, created_at AT TIME ZONE '-03:30' AS east FROM user_sessions ORDER BY session_id;
-- name: time_at_time_zone_wall_clock_literal_to_instant
SELECT TIMESTAMP '2026-07-01 12:00:00' AT TIME ZONE 'Europe/Paris' AS summer, TIMESTAMP '2026-01-15 12:00:00' AT TIME ZONE 'Europe/Paris' AS winter, TIMESTAMP '2026-07-01 12:00:00' AT TIME ZONE 'America/Los_Angeles' AS la;
-- name: time_at_time_zone_round_trip
SELECT session_id, (created_at AT TIME ZONE 'Australia/Sydney') AT TIME ZONE 'Australia/Sydney' AS same, (created_at AT TIME ZONE 'America/New_York') AT TIME ZONE 'Asia/Tokyo' AS shifted FROM user_sessions ORDER BY session_id;
-- name: time_at_time_zone_in_where
SELECT session_id FROM user_sessions WHERE EXTRACT(HOUR FROM created_at AT TIME ZONE 'Asia/Tokyo') >= 12 ORDER BY session_id;
-- name: time_at_time_zone_case_insensitive_name
SELECT TIMESTAMPTZ '2026-07-01 12:00:00Z' AT TIME ZONE 'europe/paris' AS p;
-- name: time_at_time_zone_null
SELECT session_id, last_accessed AT TIME ZONE 'Europe/Berlin' AS b FROM user_sessions ORDER BY session_id;
-- ===== date_trunc / date_part in a zone =====
-- name: time_date_trunc_in_a_zone
SELECT session_id, date_trunc('day', created_at, 'Europe/Paris') AS d, date_trunc('month', created_at, 'America/New_York') AS m, date_trunc('hour', created_at, 'Asia/Kolkata') AS h FROM user_sessions ORDER BY session_id;
-- name: time_date_trunc_of_wall_clock
SELECT session_id, date_trunc('day', created_at AT TIME ZONE 'Asia/Tokyo') AS tokyo_day FROM user_sessions ORDER BY session_id;
-- name: time_date_part
SELECT session_id, date_part('hour', created_at) AS h, date_part('dow', created_at) AS dow, date_part('epoch', created_at) AS e FROM user_sessions ORDER BY session_id;
-- name: time_date_part_of_interval
SELECT date_part('hour', INTERVAL '26 hours 5 minutes') AS h, date_part('epoch', INTERVAL '1 mon') AS e;
-- ===== to_char =====
-- name: time_to_char_numeric_patterns
SELECT session_id, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS a, to_char(created_at, 'YYYY-MM-DD" at "HH24:MI:SS.MS') AS b, to_char(created_at, 'DD/MM/YY') AS c FROM user_sessions ORDER BY session_id;
-- name: time_to_char_names
SELECT session_id, to_char(created_at, 'Day Month') AS a, to_char(created_at, 'Dy Mon') AS b, to_char(created_at, 'DAY MONTH DY MON') AS c, to_char(created_at, 'day month dy mon') AS d FROM user_sessions ORDER BY session_id;
-- name: time_to_char_fill_mode
SELECT session_id, to_char(created_at, 'FMDay, FMDD FMMonth YYYY') AS a, to_char(created_at, 'FMMM/FMDD FMHH24:MI') AS b, to_char(created_at, 'FMHH12 am') AS c FROM user_sessions ORDER BY session_id;
-- name: time_to_char_twelve_hour_clock
SELECT session_id, to_char(created_at, 'HH12:MI:SS AM') AS a, to_char(created_at, 'HH:MI pm') AS b, to_char(created_at, 'HH12 A.M. p.m.') AS c FROM user_sessions ORDER BY session_id;
-- name: time_to_char_day_numbers_weeks_quarters
SELECT session_id, to_char(created_at, 'D ID DDD IW IYYY Q') AS a FROM user_sessions ORDER BY session_id;
-- name: time_to_char_milli_and_microseconds
SELECT to_char(TIMESTAMPTZ '2026-05-15 08:03:09.047Z', 'HH24:MI:SS.MS US') AS a, to_char(TIMESTAMPTZ '2026-05-15 08:03:09.047Z', 'FMMS FMUS FMSS') AS b;
-- name: time_to_char_zone_patterns
SELECT to_char(TIMESTAMPTZ '2026-05-15 08:03:09Z', 'HH24:MI TZ tz OF') AS a;
-- name: time_to_char_literal_text_and_percent
SELECT to_char(TIMESTAMPTZ '2026-05-15 08:03:09Z', '"Year" YYYY, 100% "done" - at HH24h') AS a;
-- name: time_to_char_null
SELECT session_id, to_char(last_accessed, 'YYYY-MM-DD') AS a FROM user_sessions ORDER BY session_id;
-- ===== the session time zone =====
-- name: time_set_time_zone_utc
SET TIME ZONE 'UTC';
SELECT TIMESTAMPTZ '2026-07-01 12:00:00' AS t, EXTRACT(HOUR FROM TIMESTAMPTZ '2026-07-01 12:00:00') AS h;
-- name: time_session_zone_literals_without_offset
SET TIME ZONE 'Europe/Paris';
SELECT TIMESTAMPTZ '2026-07-01 12:00:00' AS summer, TIMESTAMPTZ '2026-01-15 12:00:00' AS winter, TIMESTAMPTZ '2026-07-01 12:00:00+00' AS utc, '2026-07-01 08:00'::timestamptz AS cast_;
-- name: time_session_zone_literal_in_where
SET TIME ZONE 'America/New_York';
SELECT session_id FROM user_sessions WHERE created_at >= TIMESTAMPTZ '2026-11-21 12:00:00' ORDER BY session_id;
-- name: time_session_zone_extract_and_date_part
SET TIME ZONE 'Asia/Kolkata';
SELECT session_id, EXTRACT(HOUR FROM created_at) AS h, EXTRACT(MINUTE FROM created_at) AS m, EXTRACT(DAY FROM created_at) AS d, date_part('dow', created_at) AS dow, EXTRACT(EPOCH FROM created_at) AS e FROM user_sessions ORDER BY session_id;
-- name: time_session_zone_date_trunc
SET TIME ZONE 'Europe/Paris';
SELECT session_id, date_trunc('day', created_at) AS d, date_trunc('hour', created_at) AS h, date_trunc('month', created_at) AS m, date_trunc('day', created_at, 'UTC') AS d_utc FROM user_sessions ORDER BY session_id;
-- name: time_session_zone_group_by_local_day
SET TIME ZONE 'America/Los_Angeles';
SELECT date_trunc('day', created_at) AS day, COUNT(*) AS n FROM user_sessions GROUP BY 1 ORDER BY 1;
-- name: time_session_zone_to_char
SET TIME ZONE 'Australia/Sydney';
SELECT session_id, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS a, to_char(created_at, 'FMDay HH12 AM') AS b FROM user_sessions ORDER BY session_id;
-- name: time_session_zone_day_arithmetic_across_dst
SET TIME ZONE 'Europe/Paris';
SELECT TIMESTAMPTZ '2026-03-28 12:00:00' + INTERVAL '1 day' AS a, TIMESTAMPTZ '2026-03-28 12:00:00' + INTERVAL '24 hours' AS b, TIMESTAMPTZ '2026-10-24 12:00:00' + INTERVAL '1 day' * 2 AS c, TIMESTAMPTZ '2026-03-29 12:00:00' - INTERVAL '1 mon' AS d;
-- name: time_session_zone_age
SET TIME ZONE 'Europe/Paris';
SELECT age(TIMESTAMPTZ '2026-03-01 00:30:00Z', TIMESTAMPTZ '2026-01-31 23:30:00Z') AS a, age(TIMESTAMPTZ '2026-07-01 00:30:00', TIMESTAMPTZ '2026-06-30 23:00:00') AS b;
-- name: time_session_zone_at_time_zone_unchanged
SET TIME ZONE 'Asia/Tokyo';
SELECT session_id, created_at AT TIME ZONE 'UTC' AS u, TIMESTAMP '2026-07-01 12:00:00' AT TIME ZONE 'Europe/Paris' AS p FROM user_sessions ORDER BY session_id;
-- name: time_session_zone_posix_offset_and_reset
SET TIME ZONE '-05:30';
SELECT TIMESTAMPTZ '2026-07-01 12:00:00' AS t, EXTRACT(HOUR FROM TIMESTAMPTZ '2026-07-01 12:00:00Z') AS h;
SET TIME ZONE 'UTC';
SELECT TIMESTAMPTZ '2026-07-01 12:00:00' AS t;
-- name: time_session_zone_set_timezone_to
SET timezone TO 'Europe/Berlin';
SELECT EXTRACT(HOUR FROM TIMESTAMPTZ '2026-01-10 12:00:00Z') AS h, TIMESTAMPTZ '2026-01-10 12:00:00' AS t;
-- ===== intervals as group keys, DISTINCT, ORDER BY =====
-- name: time_interval_group_key
SELECT INTERVAL '1 minute' * page_views AS iv, COUNT(*) AS n FROM user_sessions GROUP BY 1 ORDER BY 1;
-- name: time_interval_distinct
SELECT DISTINCT INTERVAL '1 hour' * (page_views % 3) AS d FROM user_sessions ORDER BY 1;
-- name: time_interval_order_by_span
SELECT session_id, INTERVAL '1 day' * (page_views % 4) + INTERVAL '1 mon' * (page_views % 2) AS iv FROM user_sessions ORDER BY iv DESC, session_id;
-- name: time_order_by_difference_desc
SELECT session_id FROM user_sessions ORDER BY expires_at - created_at::timestamptz DESC NULLS LAST, session_id;
-- ===== more interval arithmetic =====
-- name: time_interval_negative_factors
SELECT INTERVAL '1 mon 10 days 5 hours' * -1.5 AS a, INTERVAL '-3 days' / 2 AS b, INTERVAL '1 year 1 mon' / -4 AS c;
-- name: time_interval_scale_by_column_divide
SELECT session_id, INTERVAL '1 mon' / NULLIF(page_views, 0) AS per_view FROM user_sessions ORDER BY session_id;
-- name: time_interval_year_and_week_units
SELECT INTERVAL '2 years 3 weeks' AS a, INTERVAL '1 decade' AS b, INTERVAL '1 century 1 millennium' AS c, INTERVAL '100 milliseconds 250 microseconds' AS d;
-- name: time_interval_sum_of_differences
SELECT session_id, (expires_at - created_at::timestamptz) + (last_accessed - created_at::timestamptz) AS both_ FROM user_sessions ORDER BY session_id;
-- name: time_timestamp_minus_difference
SELECT session_id, expires_at - (expires_at - created_at::timestamptz) = created_at AS back FROM user_sessions ORDER BY session_id;
-- name: time_interval_in_case_and_coalesce
SELECT session_id, CASE WHEN page_views > 10 THEN 'long' ELSE 'short' END AS kind, EXTRACT(EPOCH FROM COALESCE(INTERVAL '1 minute' * page_views, INTERVAL '0 seconds')) AS secs FROM user_sessions ORDER BY session_id;
-- name: time_interval_comparisons_computed
SELECT session_id, INTERVAL '1 day' * page_views > INTERVAL '1 mon' AS over_month, INTERVAL '1 hour' * page_views <= INTERVAL '1 day' AS within_day FROM user_sessions ORDER BY session_id;
-- name: time_interval_where_filter
SELECT session_id FROM user_sessions WHERE INTERVAL '1 minute' * page_views BETWEEN INTERVAL '5 minutes' AND INTERVAL '1 hour' ORDER BY session_id;
-- ===== more age / justify / date_bin =====
-- name: time_age_leap_and_end_of_month
SELECT age(TIMESTAMPTZ '2024-03-31Z', TIMESTAMPTZ '2024-02-29Z') AS a, age(TIMESTAMPTZ '2023-03-01Z', TIMESTAMPTZ '2023-01-31Z') AS b, age(TIMESTAMPTZ '2026-01-01Z', TIMESTAMPTZ '2025-12-31 23:59:59.999Z') AS c, age(TIMESTAMPTZ '2026-01-01Z', TIMESTAMPTZ '2026-01-01Z') AS d;
-- name: time_age_of_cache_entries
SELECT cache_key, age(expires_at, created_at) AS a FROM application_cache ORDER BY cache_key;
-- name: time_justify_differences
SELECT session_id, justify_days(expires_at - created_at::timestamptz) AS d, justify_interval((expires_at - created_at::timestamptz) * 40) AS i FROM user_sessions ORDER BY session_id;
-- name: time_date_bin_cache_entries_by_day
SELECT date_bin(INTERVAL '1 day', created_at, TIMESTAMPTZ '2026-01-01 06:00:00Z') AS day, COUNT(*) AS n FROM application_cache GROUP BY 1 ORDER BY 1;
-- name: time_date_bin_with_seconds_and_millis
SELECT date_bin(INTERVAL '2.5 seconds', TIMESTAMPTZ '2026-05-15 08:03:09.047Z', TIMESTAMPTZ '2026-05-15Z') AS a, date_bin(INTERVAL '1 week', TIMESTAMPTZ '2026-05-15 08:03:09Z', TIMESTAMPTZ '2026-01-05Z') AS b;
-- ===== more AT TIME ZONE / to_char =====
-- name: time_at_time_zone_half_hour_and_southern_zones
SELECT TIMESTAMPTZ '2026-01-15 12:00:00Z' AT TIME ZONE 'Asia/Kathmandu' AS kat, TIMESTAMPTZ '2026-01-15 12:00:00Z' AT TIME ZONE 'America/St_Johns' AS stj, TIMESTAMPTZ '2026-01-15 12:00:00Z' AT TIME ZONE 'Pacific/Auckland' AS akl, TIMESTAMPTZ '2026-07-15 12:00:00Z' AT TIME ZONE 'Pacific/Auckland' AS akl_winter;
-- name: time_at_time_zone_to_char_local
SELECT session_id, to_char(created_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD HH12:MI AM') AS ny FROM user_sessions ORDER BY session_id;
-- name: time_at_time_zone_group_by_local_hour
SELECT EXTRACT(HOUR FROM created_at AT TIME ZONE 'Europe/Paris') AS h, COUNT(*) AS n FROM user_sessions GROUP BY 1 ORDER BY 1;
-- name: time_to_char_cache_entries
SELECT cache_key, to_char(expires_at, 'Dy DD Mon YYYY HH24:MI:SS') AS e FROM application_cache ORDER BY cache_key;
-- name: time_to_char_iso_week_edges
SELECT to_char(TIMESTAMPTZ '2026-01-01Z', 'IYYY-IW-ID DDD D') AS a, to_char(TIMESTAMPTZ '2027-01-03Z', 'IYYY-IW-ID DDD D Q') AS b, to_char(TIMESTAMPTZ '2024-12-30Z', 'IYYY IW YYYY') AS c;
-- name: time_to_char_noon_midnight
SELECT to_char(TIMESTAMPTZ '2026-01-01 00:05:00Z', 'HH12:MI AM') AS a, to_char(TIMESTAMPTZ '2026-01-01 12:05:00Z', 'HH12:MI PM') AS b, to_char(TIMESTAMPTZ '2026-01-01 23:05:00Z', 'FMHH12 a.m.') AS c;
-- name: time_to_char_lowercase_patterns
SELECT to_char(TIMESTAMPTZ '2026-09-09 09:09:09Z', 'yyyy-mm-dd hh24:mi:ss month day mon dy') AS a;
-- ===== timestamp vs timestamptz casts =====
-- name: time_cast_instant_to_wall_clock_and_back
SELECT session_id, created_at::timestamp AS wall, created_at::timestamp::timestamptz = created_at AS same FROM user_sessions ORDER BY session_id;
-- name: time_cast_to_date_compares_by_day
SELECT session_id, created_at::date = DATE '2026-11-22' AS on_22nd, EXTRACT(DAY FROM created_at::date) AS d FROM user_sessions ORDER BY session_id;
-- name: time_session_zone_casts
SET TIME ZONE 'America/New_York';
SELECT session_id, created_at::timestamp AS ny_wall, created_at::date = DATE '2026-11-21' AS on_21st, (created_at::timestamp)::timestamptz = created_at AS round_trip FROM user_sessions ORDER BY session_id;
-- ===== intervals and zones in other clauses =====
-- name: time_interval_in_having
SELECT user_id, MAX(expires_at) - MIN(created_at::timestamptz) AS span FROM user_sessions GROUP BY user_id HAVING MAX(expires_at) - MIN(created_at::timestamptz) > INTERVAL '1 hour' ORDER BY user_id;
-- name: time_interval_from_cte
WITH d AS (SELECT session_id, expires_at - created_at::timestamptz AS ttl FROM user_sessions) SELECT session_id, ttl FROM d ORDER BY session_id;
-- name: time_interval_scalar_subquery
SELECT session_id, (SELECT MAX(expires_at) FROM user_sessions) - created_at::timestamptz AS to_last FROM user_sessions ORDER BY session_id;
-- name: time_date_trunc_zone_in_where
SELECT session_id FROM user_sessions WHERE date_trunc('day', created_at, 'Asia/Tokyo') = TIMESTAMPTZ '2026-11-22 00:00:00+09' ORDER BY session_id;
-- name: time_to_char_group_by_month_name
SELECT to_char(created_at, 'FMMonth YYYY') AS m, COUNT(*) AS n FROM user_sessions GROUP BY 1 ORDER BY 1;
-- name: time_session_zone_at_time_zone_and_to_char
SET TIME ZONE 'Asia/Tokyo';
SELECT session_id, to_char(created_at, 'YYYY-MM-DD HH24:MI') AS tokyo, to_char(created_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') AS london FROM user_sessions ORDER BY session_id;
-- name: time_session_zone_date_bin_is_absolute
SET TIME ZONE 'Europe/Paris';
SELECT session_id, date_bin(INTERVAL '1 hour', created_at, TIMESTAMPTZ '2000-01-01 00:00:00') AS h FROM user_sessions ORDER BY session_id;
-- name: time_session_zone_computed_interval_shift
SET TIME ZONE 'Europe/Paris';
SELECT TIMESTAMPTZ '2026-03-28 12:00:00' + INTERVAL '1 day' * 2 AS a, TIMESTAMPTZ '2026-03-28 12:00:00' + INTERVAL '12 hours' * 4 AS b, TIMESTAMPTZ '2026-10-24 12:00:00' + (TIMESTAMPTZ '2026-10-26 00:00:00' - TIMESTAMPTZ '2026-10-25 00:00:00') AS c;
-- name: time_session_zone_age_today_free
SET TIME ZONE 'Asia/Kolkata';
SELECT age(TIMESTAMPTZ '2026-06-01 00:00:00', TIMESTAMPTZ '2026-05-31 20:00:00') AS a;
-- name: time_extract_second_and_milliseconds_from_interval
SELECT EXTRACT(SECOND FROM INTERVAL '1 minute 5.25 seconds') AS s, EXTRACT(EPOCH FROM INTERVAL '-1 day 2 hours') AS e, EXTRACT(MINUTE FROM INTERVAL '-90 minutes') AS m;
-- ===== computed intervals printed by the row layer (the statement's rows) or the pipeline (read by the query) =====
-- name: time_interval_returning_update
UPDATE user_sessions SET page_views = page_views + 1 WHERE session_id IN ('s001', 's002', 's003') RETURNING session_id, expires_at - created_at::timestamptz AS ttl, INTERVAL '1 day 2 hours' AS c, INTERVAL '90 minutes' * page_views AS m;
-- name: time_interval_returning_delete
DELETE FROM user_sessions WHERE session_id IN ('s001', 's002') RETURNING session_id, justify_hours(expires_at - created_at::timestamptz) AS ttl;
-- name: time_interval_union_all_texts
SELECT session_id, expires_at - created_at::timestamptz AS iv FROM user_sessions UNION ALL SELECT session_id, INTERVAL '1 hour' * page_views FROM user_sessions;
-- name: time_interval_from_derived_table_and_outer
SELECT t.session_id, t.iv, (expires_at - created_at::timestamptz) * 2 AS twice FROM (SELECT session_id, expires_at, created_at, INTERVAL '1 mon -3 days' * page_views AS iv FROM user_sessions) t ORDER BY t.session_id;
-- name: time_interval_distinct_and_grouped_outputs
SELECT DISTINCT INTERVAL '1 day' * (page_views % 3) - INTERVAL '5 hours' AS iv FROM user_sessions ORDER BY iv;
-- name: time_interval_concatenated_and_outputs
SELECT session_id, 'ttl ' || (expires_at - created_at::timestamptz) AS t, (expires_at - created_at::timestamptz) AS iv FROM user_sessions WHERE session_id IN ('s001', 's002', 's003') ORDER BY session_id;
-- ===== intervals through set operations, CTEs and derived tables: ordered and compared by span =====
-- name: time_interval_union_all_ordered_by_span
SELECT session_id, INTERVAL '1 day' * (page_views % 3) AS iv FROM user_sessions UNION ALL SELECT session_id, INTERVAL '1 hour' * page_views FROM user_sessions ORDER BY iv, session_id;
-- name: time_interval_union_keeps_the_first_of_equal_spans
SELECT INTERVAL '1 day' * (page_views % 2) AS iv FROM user_sessions UNION SELECT INTERVAL '24 hours' * (page_views % 2) FROM user_sessions ORDER BY iv;
-- name: time_interval_intersect_by_span
SELECT INTERVAL '1 day' * (page_views % 4) AS iv FROM user_sessions INTERSECT SELECT INTERVAL '24 hours' * (page_views % 3) FROM user_sessions ORDER BY iv DESC;
-- name: time_interval_except_by_span
SELECT INTERVAL '1 day' * (page_views % 4) AS iv FROM user_sessions EXCEPT SELECT INTERVAL '24 hours' * (page_views % 3) FROM user_sessions ORDER BY 1;
-- name: time_interval_set_operation_in_derived_table_ordered_outside
SELECT session_id, iv FROM (SELECT session_id, INTERVAL '1 day' * (page_views % 3) AS iv FROM user_sessions UNION ALL SELECT session_id, INTERVAL '1 hour' * page_views FROM user_sessions) u ORDER BY iv DESC, session_id;
-- name: time_interval_parenthesized_side_ordered_by_span
SELECT session_id, INTERVAL '1 mon' AS iv FROM user_sessions WHERE session_id = 's001' UNION ALL (SELECT session_id, INTERVAL '1 day' * (page_views % 3) + INTERVAL '1 hour' * page_views FROM user_sessions ORDER BY 2 DESC NULLS LAST, session_id LIMIT 4) ORDER BY iv, session_id;
-- name: time_interval_cte_ordered_and_compared
WITH d AS (SELECT session_id, INTERVAL '1 day' * (page_views % 3) + INTERVAL '1 hour' * page_views AS iv FROM user_sessions) SELECT session_id, iv, iv > INTERVAL '1 day' AS over_day FROM d WHERE iv < INTERVAL '3 days' ORDER BY iv DESC, session_id;
-- name: time_interval_cte_renamed_columns
WITH d(s, iv) AS (SELECT session_id, expires_at - created_at::timestamptz FROM user_sessions) SELECT s, iv, iv * 2 AS twice FROM d ORDER BY iv, s;
-- name: time_interval_derived_table_star
SELECT * FROM (SELECT session_id, INTERVAL '1 day' * (page_views % 3) + INTERVAL '1 hour' * page_views AS iv FROM user_sessions) s ORDER BY iv, session_id;
-- name: time_interval_derived_table_joined_prints_text
SELECT u.session_id, d.iv FROM user_sessions u JOIN (SELECT session_id, INTERVAL '1 hour' * page_views AS iv FROM user_sessions) d ON d.session_id = u.session_id ORDER BY u.session_id;
-- name: interval_joined_left_null_negative_months_ordered_compared
SELECT u.session_id, d.iv, d.iv > INTERVAL '1 day' AS over_day, d.iv * 2 AS twice, -d.iv AS neg, EXTRACT(EPOCH FROM d.iv) AS secs FROM user_sessions u LEFT JOIN (SELECT session_id, user_id, CASE WHEN page_views % 4 = 0 THEN NULL ELSE INTERVAL '1 mon -3 days' * (page_views % 5 - 2) + INTERVAL '-1 hour' * page_views END AS iv FROM user_sessions WHERE page_views % 3 <> 1) d ON d.session_id = u.session_id ORDER BY d.iv NULLS FIRST, u.session_id;
-- name: interval_joined_using_unqualified_filtered
SELECT session_id, iv, iv + INTERVAL '2 days' AS later FROM user_sessions u JOIN (SELECT session_id, user_id, CASE WHEN page_views % 4 = 0 THEN NULL ELSE INTERVAL '1 mon -3 days' * (page_views % 5 - 2) + INTERVAL '-1 hour' * page_views END AS iv FROM user_sessions WHERE page_views % 3 <> 1) d USING (session_id) WHERE iv < INTERVAL '10 days' ORDER BY iv DESC, session_id;
-- name: interval_joined_on_span_equality
SELECT a.session_id, b.session_id AS other, a.iv, b.iv AS biv FROM (SELECT session_id, INTERVAL '1 day' * (page_views % 3) AS iv FROM user_sessions) a JOIN (SELECT session_id, INTERVAL '24 hours' * (page_views % 3) AS iv FROM user_sessions WHERE page_views < 4) b ON a.iv = b.iv AND a.session_id < b.session_id ORDER BY 1, 2;
-- name: interval_joined_grouped_sum_min_max
SELECT u.user_id, SUM(d.iv) AS s, MIN(d.iv) AS lo, MAX(d.iv) AS hi, COUNT(d.iv) AS n FROM user_sessions u LEFT JOIN (SELECT session_id, user_id, CASE WHEN page_views % 4 = 0 THEN NULL ELSE INTERVAL '1 mon -3 days' * (page_views % 5 - 2) + INTERVAL '-1 hour' * page_views END AS iv FROM user_sessions WHERE page_views % 3 <> 1) d ON d.session_id = u.session_id GROUP BY u.user_id ORDER BY u.user_id;
-- name: interval_joined_group_by_interval_and_distinct
SELECT d.iv, COUNT(*) AS n FROM user_sessions u JOIN (SELECT session_id, INTERVAL '1 day' * (page_views % 2) + INTERVAL '24 hours' * ((page_views + 1) % 2) AS iv FROM user_sessions) d ON d.session_id = u.session_id GROUP BY d.iv ORDER BY d.iv;
-- name: interval_joined_cte_scalar_subquery_and_outer_reference
WITH d AS (SELECT session_id, user_id, CASE WHEN page_views % 4 = 0 THEN NULL ELSE INTERVAL '1 mon -3 days' * (page_views % 5 - 2) + INTERVAL '-1 hour' * page_views END AS iv FROM user_sessions WHERE page_views % 3 <> 1) SELECT u.session_id, d.iv, (SELECT d.iv) AS same, (SELECT MAX(x.iv) FROM d x WHERE x.user_id = d.user_id) AS top FROM user_sessions u JOIN d ON d.session_id = u.session_id ORDER BY u.session_id;
-- name: interval_joined_star_and_qualified_star_print_text
SELECT d.*, u.page_views FROM user_sessions u JOIN (SELECT session_id, user_id, CASE WHEN page_views % 4 = 0 THEN NULL ELSE INTERVAL '1 mon -3 days' * (page_views % 5 - 2) + INTERVAL '-1 hour' * page_views END AS iv FROM user_sessions WHERE page_views % 3 <> 1) d ON d.session_id = u.session_id ORDER BY u.session_id;
-- name: interval_joined_set_operation_derived_table
SELECT u.session_id, s.iv FROM user_sessions u JOIN (SELECT session_id, INTERVAL '1 day' * (page_views % 3) AS iv FROM user_sessions UNION ALL SELECT session_id, INTERVAL '-1 mon 1 hour' * page_views FROM user_sessions) s ON s.session_id = u.session_id ORDER BY s.iv, u.session_id;
-- name: interval_joined_in_json_and_coalesce
SELECT u.session_id, json_build_object('iv', d.iv) AS j, COALESCE(d.iv, INTERVAL '0') AS c, d.iv::text AS t FROM user_sessions u LEFT JOIN (SELECT session_id, user_id, CASE WHEN page_views % 4 = 0 THEN NULL ELSE INTERVAL '1 mon -3 days' * (page_views % 5 - 2) + INTERVAL '-1 hour' * page_views END AS iv FROM user_sessions WHERE page_views % 3 <> 1) d ON d.session_id = u.session_id ORDER BY u.session_id;
-- name: interval_joined_right_join
SELECT u.session_id, d.iv FROM (SELECT session_id, user_id, CASE WHEN page_views % 4 = 0 THEN NULL ELSE INTERVAL '1 mon -3 days' * (page_views % 5 - 2) + INTERVAL '-1 hour' * page_views END AS iv FROM user_sessions WHERE page_views % 3 <> 1) d RIGHT JOIN user_sessions u ON d.session_id = u.session_id ORDER BY u.session_id;
-- name: time_interval_group_by_span
SELECT EXTRACT(EPOCH FROM iv) AS secs, COUNT(*) AS n FROM (SELECT INTERVAL '1 day' * (page_views % 2) + INTERVAL '24 hours' * ((page_views + 1) % 2) * (page_views % 3) AS iv FROM user_sessions) s GROUP BY iv ORDER BY 1;
-- name: time_interval_group_by_span_keeps_the_first
SELECT iv, COUNT(*) AS n FROM (SELECT INTERVAL '1 day' * (page_views % 2) AS iv FROM user_sessions WHERE page_views % 4 < 2 UNION ALL SELECT INTERVAL '24 hours' * (page_views % 2) FROM user_sessions WHERE page_views % 4 >= 2) s GROUP BY iv ORDER BY iv;
-- name: time_interval_distinct_by_span
SELECT COUNT(*) AS n, COUNT(iv) AS non_null FROM (SELECT DISTINCT INTERVAL '1 day' * (page_views % 2) + INTERVAL '24 hours' * ((page_views + 1) % 2) AS iv FROM user_sessions) d;
-- name: time_interval_min_max_by_span
SELECT user_id, MIN(iv) AS lo, MAX(iv) AS hi, MAX(iv) FILTER (WHERE iv < INTERVAL '1 day') AS hi_under_day FROM (SELECT user_id, INTERVAL '1 day' * (page_views % 3) + INTERVAL '1 hour' * page_views AS iv FROM user_sessions) s GROUP BY user_id ORDER BY user_id;
-- name: time_interval_times_integer_columns
SELECT session_id, INTERVAL '1 mon 2 days 03:00:00.5' * page_views AS a, INTERVAL '1 day' * (-page_views % 3) AS b, INTERVAL '1 hour' * (data_transferred % 1000) AS c, (expires_at - created_at) * (page_views - 2) AS d, 3 * INTERVAL '-1 day 1 minute' * actions_performed AS e FROM user_sessions ORDER BY session_id;
-- name: time_interval_min_max_of_one_day_and_25_hours
SELECT MIN(iv) AS lo, MAX(iv) AS hi FROM (SELECT INTERVAL '1 day' * (page_views % 2) + INTERVAL '25 hours' * ((page_views + 1) % 2) AS iv FROM user_sessions) s;
-- name: time_interval_sum_and_avg
SELECT page_views % 2 AS k, SUM(INTERVAL '1 mon 5 days' * page_views - INTERVAL '7 hours 3 minutes' * page_views) AS s, AVG(INTERVAL '1 mon 5 days' * page_views - INTERVAL '7 hours 3 minutes' * page_views) AS a FROM user_sessions GROUP BY 1 ORDER BY 1;
-- name: time_interval_sum_and_avg_filtered_and_empty
SELECT SUM(expires_at - created_at::timestamptz) FILTER (WHERE page_views > 3) AS s, AVG(expires_at - created_at::timestamptz) FILTER (WHERE page_views > 3) AS a, AVG(expires_at - created_at::timestamptz) FILTER (WHERE page_views < 0) AS none, SUM(iv) AS from_derived FROM (SELECT *, INTERVAL '1 hour' * page_views AS iv FROM user_sessions) s;
-- name: time_interval_greatest_least_by_span
SELECT session_id, GREATEST(INTERVAL '1 hour' * page_views, INTERVAL '1 day') AS g, LEAST(iv, INTERVAL '25 hours', NULL) AS l FROM (SELECT session_id, page_views, INTERVAL '1 day' * (page_views % 3) + INTERVAL '1 hour' * page_views AS iv FROM user_sessions) s ORDER BY session_id;
-- name: time_interval_in_json_and_arrays_as_text
SELECT session_id, json_build_object('ttl', expires_at - created_at::timestamptz) AS j, jsonb_build_array(iv) AS a FROM (SELECT session_id, expires_at, created_at, INTERVAL '1 hour' * page_views AS iv FROM user_sessions) s ORDER BY session_id;
-- name: time_interval_collected_as_text
SELECT user_id, array_agg(iv ORDER BY session_id) AS a, json_agg(expires_at - created_at::timestamptz ORDER BY session_id) AS j FROM (SELECT user_id, session_id, expires_at, created_at, INTERVAL '1 hour' * page_views AS iv FROM user_sessions) s GROUP BY user_id ORDER BY user_id;
-- name: time_interval_scalar_subquery_compared_and_printed
SELECT session_id, INTERVAL '1 hour' * page_views AS iv, (SELECT MAX(INTERVAL '1 day' * (page_views % 3) + INTERVAL '1 hour' * page_views) FROM user_sessions) AS top FROM user_sessions WHERE INTERVAL '1 hour' * page_views >= (SELECT MIN(x) FROM (SELECT INTERVAL '1 day' * (page_views % 3) + INTERVAL '1 hour' * page_views AS x FROM user_sessions) s) + INTERVAL '20 hours' ORDER BY session_id;
