-- PostgreSQL differential corpus: every case runs unchanged on PostgreSQL and on sqlmongo.
-- `-- name: NAME` starts a case; each statement ends with `;` at the end of a line.
-- Row order is compared only when the statement has ORDER BY (then ties are always broken by a key).
-- Data: tests/pg_oracle/data.rs (user_sessions 60 rows, application_cache 40 rows, seeded).

-- ===== projection and filters =====
-- name: select_star_order
SELECT * FROM user_sessions ORDER BY session_id;
-- name: select_star_cache
SELECT * FROM application_cache ORDER BY cache_key;
-- name: select_columns
SELECT session_id, user_id, page_views FROM user_sessions ORDER BY session_id;
-- name: select_alias
SELECT session_id AS id, page_views AS views FROM user_sessions ORDER BY id;
-- name: eq_text
SELECT session_id FROM user_sessions WHERE user_id = 'u01';
-- name: eq_int
SELECT session_id FROM user_sessions WHERE page_views = 10;
-- name: eq_bool
SELECT session_id FROM user_sessions WHERE active = TRUE;
-- name: eq_bool_false
SELECT session_id FROM user_sessions WHERE active = FALSE;
-- name: bool_column_predicate
SELECT session_id FROM user_sessions WHERE mfa_verified;
-- name: not_bool_column
SELECT session_id FROM user_sessions WHERE NOT mfa_verified;
-- name: ne_int_null_trap
SELECT session_id FROM user_sessions WHERE page_views <> 5;
-- name: bang_eq_text_null_trap
SELECT session_id FROM user_sessions WHERE login_method != 'password';
-- name: ne_missing_column_trap
SELECT session_id FROM user_sessions WHERE ip_address <> '10.0.1.1';
-- name: lt_int
SELECT session_id FROM user_sessions WHERE page_views < 5;
-- name: le_int
SELECT session_id FROM user_sessions WHERE page_views <= 0;
-- name: gt_double
SELECT session_id FROM user_sessions WHERE risk_score > 0.5;
-- name: ge_double
SELECT session_id FROM user_sessions WHERE risk_score >= 0.5;
-- name: gt_negative
SELECT session_id FROM user_sessions WHERE page_views > -2;
-- name: gt_bigint
SELECT session_id FROM user_sessions WHERE data_transferred > 3000000000;
-- name: gt_numeric
SELECT session_id FROM user_sessions WHERE cart_total > 12.5;
-- name: eq_numeric_scale
SELECT session_id FROM user_sessions WHERE cart_total = 12.5;
-- name: lt_text_byte_order
SELECT session_id FROM user_sessions WHERE user_id < 'u03';
-- name: text_uppercase_sorts_first
SELECT session_id FROM user_sessions WHERE user_id < 'u';
-- name: empty_string_eq
SELECT session_id FROM user_sessions WHERE user_id = '';
-- name: empty_string_ne
SELECT session_id FROM user_sessions WHERE user_id <> '';
-- name: and_or
SELECT session_id FROM user_sessions WHERE (page_views > 10 AND active) OR user_id = 'u02';
-- name: not_gt_null_trap
SELECT session_id FROM user_sessions WHERE NOT (page_views > 5);
-- name: not_and
SELECT session_id FROM user_sessions WHERE NOT (page_views > 5 AND risk_score < 0.5);
-- name: not_or
SELECT session_id FROM user_sessions WHERE NOT (user_id = 'u01' OR login_method = 'sso');
-- name: in_list
SELECT session_id FROM user_sessions WHERE user_id IN ('u01', 'u02', 'u03');
-- name: in_list_int
SELECT session_id FROM user_sessions WHERE page_views IN (1, 2, 3, 10, 20);
-- name: not_in_null_trap
SELECT session_id FROM user_sessions WHERE user_id NOT IN ('u01', 'u02');
-- name: not_in_int
SELECT session_id FROM user_sessions WHERE page_views NOT IN (0, 1, 2);
-- name: between_int
SELECT session_id FROM user_sessions WHERE page_views BETWEEN 5 AND 15;
-- name: not_between
SELECT session_id FROM user_sessions WHERE page_views NOT BETWEEN 5 AND 15;
-- name: between_double
SELECT cache_key FROM application_cache WHERE score BETWEEN -1.5 AND 1.5;
-- name: between_timestamps
SELECT session_id FROM user_sessions WHERE created_at BETWEEN TIMESTAMPTZ '2026-11-21T00:00:00Z' AND TIMESTAMPTZ '2026-11-22T00:00:00Z';
-- name: is_null
SELECT session_id FROM user_sessions WHERE user_id IS NULL;
-- name: is_null_missing_column
SELECT session_id FROM user_sessions WHERE ip_address IS NULL;
-- name: is_not_null
SELECT session_id FROM user_sessions WHERE risk_score IS NOT NULL;
-- name: is_not_null_jsonb
SELECT session_id FROM user_sessions WHERE session_data IS NOT NULL;
-- name: null_eq_null_is_unknown
SELECT session_id FROM user_sessions WHERE user_id = NULL;
-- name: ts_gt_literal
SELECT session_id FROM user_sessions WHERE expires_at > TIMESTAMPTZ '2026-11-22T10:00:00Z';
-- name: ts_le_literal
SELECT cache_key FROM application_cache WHERE expires_at <= TIMESTAMPTZ '2026-11-22T10:00:00Z';
-- name: ts_compare_columns
SELECT session_id FROM user_sessions WHERE last_accessed > expires_at;
-- name: col_compare_int
SELECT session_id FROM user_sessions WHERE actions_performed > page_views;

-- ===== LIKE / ILIKE =====
-- name: like_prefix
SELECT cache_key FROM application_cache WHERE cache_key LIKE 'user:%';
-- name: like_suffix
SELECT cache_key FROM application_cache WHERE cache_key LIKE '%:profile';
-- name: like_underscore
SELECT cache_key FROM application_cache WHERE cache_key LIKE 'tmp__';
-- name: like_contains
SELECT session_id FROM user_sessions WHERE login_method LIKE '%ass%';
-- name: like_escaped_percent
SELECT cache_key FROM application_cache WHERE cache_key LIKE '100\%%';
-- name: like_escaped_underscore
SELECT cache_key FROM application_cache WHERE cache_key LIKE 'tmp\_%';
-- name: like_regex_metachars
SELECT cache_key FROM application_cache WHERE cache_key LIKE 'page:/docs/%';
-- name: like_dot_is_literal
SELECT session_id FROM user_sessions WHERE ip_address LIKE '10.0.1.%';
-- name: like_no_wildcard
SELECT session_id FROM user_sessions WHERE login_method LIKE 'sso';
-- name: like_case_sensitive
SELECT session_id FROM user_sessions WHERE login_method LIKE 'pass%';
-- name: ilike
SELECT session_id FROM user_sessions WHERE login_method ILIKE 'pass%';
-- name: ilike_namespace
SELECT cache_key FROM application_cache WHERE namespace ILIKE 'api%';
-- name: not_like_null_trap
SELECT session_id FROM user_sessions WHERE login_method NOT LIKE 'pass%';
-- name: not_ilike
SELECT cache_key FROM application_cache WHERE namespace NOT ILIKE 'API';
-- name: like_parenthesis_bracket
SELECT cache_key FROM application_cache WHERE cache_key LIKE '%(%' OR cache_key LIKE '%[%';

-- ===== arrays =====
-- name: any_tags
SELECT session_id FROM user_sessions WHERE 'vip' = ANY(tags);
-- name: any_tags_cache
SELECT cache_key FROM application_cache WHERE 'a%b' = ANY(tags);
-- name: overlap_tags
SELECT session_id FROM user_sessions WHERE tags && ARRAY['beta', 'eu'];
-- name: overlap_tags_single
SELECT cache_key FROM application_cache WHERE tags && ARRAY['hot'];
-- name: not_any_tags
SELECT session_id FROM user_sessions WHERE NOT ('vip' = ANY(tags));
-- name: select_array
SELECT session_id, tags FROM user_sessions ORDER BY session_id;

-- ===== ORDER BY / LIMIT / OFFSET =====
-- name: order_desc_key
SELECT session_id FROM user_sessions ORDER BY session_id DESC;
-- name: order_nulls_default_asc
SELECT session_id, page_views FROM user_sessions ORDER BY page_views, session_id;
-- name: order_nulls_default_desc
SELECT session_id, page_views FROM user_sessions ORDER BY page_views DESC, session_id;
-- name: order_nulls_first
SELECT session_id, page_views FROM user_sessions ORDER BY page_views NULLS FIRST, session_id;
-- name: order_desc_nulls_last
SELECT session_id, risk_score FROM user_sessions ORDER BY risk_score DESC NULLS LAST, session_id;
-- name: order_missing_column
SELECT session_id, ip_address FROM user_sessions ORDER BY ip_address, session_id;
-- name: order_text_byte_order
SELECT session_id, user_id FROM user_sessions ORDER BY user_id, session_id;
-- name: order_ties_two_keys
SELECT session_id, user_id, page_views FROM user_sessions ORDER BY user_id DESC, page_views ASC, session_id;
-- name: order_by_ordinal
SELECT session_id, page_views FROM user_sessions ORDER BY 2 DESC, 1;
-- name: order_by_alias
SELECT session_id, page_views AS pv FROM user_sessions ORDER BY pv, session_id;
-- name: order_by_expression
SELECT session_id FROM user_sessions ORDER BY page_views + actions_performed, session_id;
-- name: order_timestamp
SELECT session_id, created_at FROM user_sessions ORDER BY created_at DESC, session_id;
-- name: order_bool
SELECT session_id, active FROM user_sessions ORDER BY active, session_id;
-- name: limit
SELECT session_id FROM user_sessions ORDER BY session_id LIMIT 5;
-- name: limit_offset
SELECT session_id FROM user_sessions ORDER BY session_id LIMIT 5 OFFSET 10;
-- name: offset_only
SELECT session_id FROM user_sessions ORDER BY session_id OFFSET 55;
-- name: limit_zero
SELECT session_id FROM user_sessions ORDER BY session_id LIMIT 0;
-- name: where_order_limit
SELECT session_id, risk_score FROM user_sessions WHERE active = TRUE ORDER BY risk_score DESC, session_id LIMIT 7;
-- name: top_cache_by_hits
SELECT cache_key, hit_count FROM application_cache WHERE hit_count IS NOT NULL ORDER BY hit_count DESC, cache_key LIMIT 10;

-- ===== DISTINCT =====
-- name: distinct_user
SELECT DISTINCT user_id FROM user_sessions;
-- name: distinct_user_ordered
SELECT DISTINCT user_id FROM user_sessions ORDER BY user_id;
-- name: distinct_two_columns
SELECT DISTINCT user_id, active FROM user_sessions;
-- name: distinct_namespace
SELECT DISTINCT namespace FROM application_cache ORDER BY namespace NULLS FIRST;

-- ===== aggregates =====
-- name: count_star
SELECT COUNT(*) AS n FROM user_sessions;
-- name: count_column_skips_null
SELECT COUNT(user_id) AS n FROM user_sessions;
-- name: count_missing_column
SELECT COUNT(ip_address) AS n FROM user_sessions;
-- name: count_distinct
SELECT COUNT(DISTINCT user_id) AS n FROM user_sessions;
-- name: count_distinct_missing
SELECT COUNT(DISTINCT device_fingerprint) AS n FROM user_sessions;
-- name: sum_int
SELECT SUM(page_views) AS s FROM user_sessions;
-- name: sum_bigint
SELECT SUM(data_transferred) AS s FROM user_sessions;
-- name: sum_numeric
SELECT SUM(cart_total) AS s FROM user_sessions;
-- name: avg_int
SELECT AVG(page_views) AS a FROM user_sessions;
-- name: avg_double
SELECT AVG(risk_score) AS a FROM user_sessions;
-- name: min_max
SELECT MIN(page_views) AS lo, MAX(page_views) AS hi FROM user_sessions;
-- name: min_max_text
SELECT MIN(user_id) AS lo, MAX(user_id) AS hi FROM user_sessions;
-- name: min_max_timestamp
SELECT MIN(created_at) AS first_seen, MAX(last_accessed) AS last_seen FROM user_sessions;
-- name: aggregates_empty_set
SELECT COUNT(*) AS n, COUNT(user_id) AS nu, SUM(page_views) AS s, AVG(page_views) AS a, MIN(page_views) AS lo, MAX(page_views) AS hi FROM user_sessions WHERE user_id = 'nobody';
-- name: sum_all_null
SELECT SUM(page_views) AS s FROM user_sessions WHERE page_views IS NULL;
-- name: count_filter
SELECT COUNT(*) FILTER (WHERE active) AS active_n, COUNT(*) FILTER (WHERE NOT active) AS inactive_n FROM user_sessions;
-- name: sum_filter
SELECT SUM(page_views) FILTER (WHERE mfa_verified = TRUE) AS s FROM user_sessions;
-- name: avg_filter
SELECT AVG(risk_score) FILTER (WHERE login_method = 'sso') AS a FROM user_sessions;
-- name: min_max_filter
SELECT MIN(page_views) FILTER (WHERE active) AS lo, MAX(page_views) FILTER (WHERE active) AS hi FROM user_sessions;
-- name: count_filter_empty
SELECT COUNT(*) FILTER (WHERE user_id = 'nobody') AS n, SUM(page_views) FILTER (WHERE user_id = 'nobody') AS s FROM user_sessions;
-- name: count_filter_eq_on_null_and_missing_values
SELECT COUNT(*) FILTER (WHERE risk_score = 0.5) AS a, COUNT(*) FILTER (WHERE NOT (ip_address = '10.0.0.1')) AS b, COUNT(*) FILTER (WHERE ip_address = '10.0.0.1' OR page_views = 7) AS c, SUM(page_views) FILTER (WHERE cart_total = 0) AS d FROM user_sessions;
-- name: case_eq_on_missing_value_and_its_negation
SELECT session_id, CASE WHEN ip_address = '10.0.0.1' THEN 'one' WHEN NOT (ip_address = '10.0.0.1') THEN 'other' ELSE 'unknown' END AS k, CASE WHEN page_views = 7 IS NOT TRUE THEN 'not seven' END AS s FROM user_sessions ORDER BY session_id;
-- name: count_filter_null_trap
SELECT COUNT(*) FILTER (WHERE page_views <> 5) AS n FROM user_sessions;
-- name: agg_arithmetic
SELECT SUM(page_views) + SUM(actions_performed) AS total FROM user_sessions;
-- name: agg_ratio
SELECT SUM(hit_count) * 1.0 / COUNT(*) AS ratio FROM application_cache;

-- ===== GROUP BY / HAVING =====
-- name: group_by_user
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id;
-- name: group_by_user_ordered
SELECT user_id, COUNT(*) AS n, SUM(page_views) AS pv FROM user_sessions GROUP BY user_id ORDER BY user_id NULLS FIRST;
-- name: group_by_two
SELECT user_id, active, COUNT(*) AS n FROM user_sessions GROUP BY user_id, active;
-- name: group_by_ordinal
SELECT login_method, COUNT(*) AS n FROM user_sessions GROUP BY 1;
-- name: group_by_expression
SELECT page_views / 10 AS bucket, COUNT(*) AS n FROM user_sessions GROUP BY page_views / 10;
-- name: group_having_count
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id HAVING COUNT(*) > 6;
-- name: group_having_sum
SELECT namespace, SUM(hit_count) AS hits FROM application_cache GROUP BY namespace HAVING SUM(hit_count) > 100;
-- name: group_having_alias_free
SELECT login_method, AVG(page_views) AS avg_pv FROM user_sessions GROUP BY login_method HAVING AVG(page_views) > 25;
-- name: group_filter_aggregates
SELECT namespace, COUNT(*) AS total, COUNT(*) FILTER (WHERE hit_count = 0) AS unused, AVG(data_size) FILTER (WHERE hit_count > 0) AS avg_used FROM application_cache GROUP BY namespace;
-- name: group_count_distinct
SELECT user_id, COUNT(DISTINCT login_method) AS methods FROM user_sessions GROUP BY user_id;
-- name: group_order_by_aggregate
SELECT user_id, SUM(page_views) AS pv FROM user_sessions GROUP BY user_id ORDER BY SUM(page_views) DESC NULLS LAST, user_id NULLS FIRST;
-- name: group_where_having_limit
SELECT namespace, COUNT(*) AS n FROM application_cache WHERE data_size > 1000 GROUP BY namespace HAVING COUNT(*) >= 2 ORDER BY n DESC, namespace NULLS FIRST LIMIT 3;
-- name: group_min_max_ts
SELECT user_id, MIN(created_at) AS first_seen, MAX(expires_at) AS last_expiry FROM user_sessions GROUP BY user_id;
-- name: group_by_bool
SELECT mfa_verified, COUNT(*) AS n, AVG(risk_score) AS risk FROM user_sessions GROUP BY mfa_verified;
-- name: group_empty_input
SELECT user_id, COUNT(*) AS n FROM user_sessions WHERE user_id = 'nobody' GROUP BY user_id;

-- ===== CASE / COALESCE / NULLIF / GREATEST / LEAST =====
-- name: case_searched
SELECT session_id, CASE WHEN risk_score > 0.8 THEN 'high' WHEN risk_score > 0.5 THEN 'medium' WHEN risk_score > 0.2 THEN 'low' ELSE 'minimal' END AS risk_level FROM user_sessions ORDER BY session_id;
-- name: case_no_else_null
SELECT session_id, CASE WHEN page_views > 30 THEN 'busy' END AS busy FROM user_sessions ORDER BY session_id;
-- name: case_simple
SELECT session_id, CASE login_method WHEN 'password' THEN 1 WHEN 'sso' THEN 2 ELSE 0 END AS m FROM user_sessions ORDER BY session_id;
-- name: case_in_where
SELECT session_id FROM user_sessions WHERE CASE WHEN active THEN page_views ELSE 0 END > 20;
-- name: case_traffic_level
SELECT cache_key, CASE WHEN hit_count > 100 THEN 'high_traffic' WHEN hit_count > 10 THEN 'medium_traffic' WHEN hit_count > 0 THEN 'low_traffic' ELSE 'unused' END AS traffic FROM application_cache ORDER BY cache_key;
-- name: group_by_case
SELECT CASE WHEN data_size > 1000000 THEN 'large' WHEN data_size > 100000 THEN 'medium' ELSE 'small' END AS size_class, COUNT(*) AS n FROM application_cache GROUP BY 1;
-- name: coalesce_text
SELECT session_id, COALESCE(user_id, 'anonymous') AS who FROM user_sessions ORDER BY session_id;
-- name: coalesce_missing
SELECT session_id, COALESCE(ip_address, device_fingerprint, 'unknown') AS origin FROM user_sessions ORDER BY session_id;
-- name: coalesce_int
SELECT session_id, COALESCE(page_views, 0) + 1 AS pv FROM user_sessions ORDER BY session_id;
-- name: nullif_empty
SELECT session_id, NULLIF(user_id, '') AS uid FROM user_sessions ORDER BY session_id;
-- name: nullif_int
SELECT session_id, NULLIF(page_views, 0) AS pv FROM user_sessions ORDER BY session_id;
-- name: greatest_least
SELECT session_id, GREATEST(page_views, actions_performed) AS g, LEAST(page_views, actions_performed) AS l FROM user_sessions ORDER BY session_id;
-- name: greatest_with_constant
SELECT cache_key, GREATEST(hit_count, 1) AS h FROM application_cache ORDER BY cache_key;
-- name: least_timestamps
SELECT session_id, LEAST(last_accessed, expires_at) AS t FROM user_sessions ORDER BY session_id;

-- ===== arithmetic, ROUND, ABS, casts =====
-- name: arithmetic_int
SELECT session_id, page_views + actions_performed AS s, page_views - actions_performed AS d, page_views * 2 AS m FROM user_sessions ORDER BY session_id;
-- name: integer_division
SELECT session_id, page_views / 4 AS q FROM user_sessions ORDER BY session_id;
-- name: integer_division_negative
SELECT session_id, page_views / 3 AS q FROM user_sessions WHERE page_views < 0 ORDER BY session_id;
-- name: integer_modulo
SELECT session_id, page_views % 7 AS r FROM user_sessions ORDER BY session_id;
-- name: division_double
SELECT session_id, page_views / 4.0 AS q FROM user_sessions ORDER BY session_id;
-- name: bigint_division
SELECT session_id, data_transferred / (1024 * 1024) AS mb FROM user_sessions ORDER BY session_id;
-- name: arithmetic_null_propagates
SELECT session_id, risk_score * 100 AS pct FROM user_sessions ORDER BY session_id;
-- name: round_numeric_half
SELECT session_id, ROUND(cart_total) AS r FROM user_sessions ORDER BY session_id;
-- name: round_numeric_digits
SELECT session_id, ROUND(cart_total, 1) AS r1, ROUND(cart_total, 2) AS r2 FROM user_sessions ORDER BY session_id;
-- name: round_double_half_even
SELECT cache_key, ROUND(score) AS r FROM application_cache ORDER BY cache_key;
-- name: round_double_cast_numeric
SELECT cache_key, ROUND(score::NUMERIC, 1) AS r FROM application_cache ORDER BY cache_key;
-- name: round_negative_half
SELECT ROUND(-2.5) AS a, ROUND(2.5) AS b, ROUND(0.125, 2) AS c;
-- name: abs_values
SELECT cache_key, ABS(priority) AS p, ABS(score) AS s FROM application_cache ORDER BY cache_key;
-- name: cast_int_to_text
SELECT session_id, CAST(page_views AS TEXT) AS pv FROM user_sessions ORDER BY session_id;
-- name: cast_double_colon_text
SELECT session_id, page_views::TEXT AS pv FROM user_sessions ORDER BY session_id;
-- name: cast_text_to_int
SELECT CAST('42' AS INTEGER) AS a, '7'::BIGINT AS b, CAST('2.5' AS DOUBLE PRECISION) AS c;
-- name: cast_numeric
SELECT session_id, CAST(risk_score AS NUMERIC) AS r FROM user_sessions ORDER BY session_id;
-- name: cast_double_to_int_rounds
SELECT cache_key, CAST(score AS INTEGER) AS s FROM application_cache ORDER BY cache_key;
-- name: cast_int_to_double
SELECT session_id, page_views::DOUBLE PRECISION / 4 AS q FROM user_sessions ORDER BY session_id;
-- name: cast_float_division
SELECT session_id, actions_performed::FLOAT / NULLIF(page_views, 0) AS ratio FROM user_sessions ORDER BY session_id;
-- name: cast_bool_text
SELECT session_id, CAST(active AS TEXT) AS a FROM user_sessions ORDER BY session_id;
-- name: cast_text_timestamp
SELECT session_id FROM user_sessions WHERE created_at > '2026-11-21T12:00:00Z'::TIMESTAMPTZ;

-- ===== strings =====
-- name: lower_upper
SELECT session_id, LOWER(login_method) AS lo, UPPER(login_method) AS up FROM user_sessions ORDER BY session_id;
-- name: length
SELECT cache_key, LENGTH(cache_key) AS len FROM application_cache ORDER BY cache_key;
-- name: length_empty_and_null
SELECT session_id, LENGTH(user_id) AS len FROM user_sessions ORDER BY session_id;
-- name: substring_from_for
SELECT cache_key, SUBSTRING(cache_key FROM 1 FOR 4) AS head FROM application_cache ORDER BY cache_key;
-- name: substring_from
SELECT cache_key, SUBSTRING(cache_key FROM 6) AS tail FROM application_cache ORDER BY cache_key;
-- name: position
SELECT cache_key, POSITION(':' IN cache_key) AS p FROM application_cache ORDER BY cache_key;
-- name: concat_function_skips_null
SELECT session_id, CONCAT(user_id, '/', login_method) AS c FROM user_sessions ORDER BY session_id;
-- name: concat_operator_null
SELECT session_id, user_id || ':' || login_method AS c FROM user_sessions ORDER BY session_id;
-- name: concat_operator_int
SELECT session_id, 'pv=' || page_views AS c FROM user_sessions ORDER BY session_id;
-- name: trim
SELECT TRIM('  padded  ') AS t, LENGTH(TRIM('  x ')) AS n;
-- name: replace
SELECT cache_key, REPLACE(cache_key, ':', '/') AS k FROM application_cache ORDER BY cache_key;
-- name: split_part
SELECT cache_key, SPLIT_PART(cache_key, ':', 2) AS part FROM application_cache ORDER BY cache_key;
-- name: split_part_beyond
SELECT cache_key, SPLIT_PART(cache_key, ':', 5) AS part FROM application_cache ORDER BY cache_key;
-- name: string_filter_lower
SELECT session_id FROM user_sessions WHERE LOWER(login_method) = 'password';
-- name: string_filter_length
SELECT cache_key FROM application_cache WHERE LENGTH(cache_key) > 14;
-- name: group_by_split_part
SELECT SPLIT_PART(cache_key, ':', 1) AS prefix, COUNT(*) AS n FROM application_cache GROUP BY 1;

-- ===== JSON paths =====
-- name: json_arrow_text
SELECT session_id, session_data->'preferences'->>'theme' AS theme FROM user_sessions ORDER BY session_id;
-- name: json_arrow_object
SELECT session_id, session_data->'preferences' AS prefs FROM user_sessions ORDER BY session_id;
-- name: json_filter_text
SELECT session_id FROM user_sessions WHERE session_data->'preferences'->>'theme' = 'dark';
-- name: json_filter_missing_key
SELECT session_id FROM user_sessions WHERE session_data->'preferences'->>'theme' IS NULL;
-- name: json_filter_ne_null_trap
SELECT session_id FROM user_sessions WHERE session_data->'preferences'->>'theme' <> 'dark';
-- name: json_group_by
SELECT session_data->'preferences'->>'language' AS lang, COUNT(*) AS n FROM user_sessions GROUP BY 1;
-- name: json_nested_number_cast
SELECT session_id, (session_data->'shoppingCart'->>'total')::NUMERIC AS total FROM user_sessions ORDER BY session_id;
-- name: json_number_filter
SELECT session_id FROM user_sessions WHERE (session_data->'navigation'->>'visits')::INTEGER > 10;
-- name: json_like
SELECT session_id FROM user_sessions WHERE session_data->'navigation'->>'lastPage' LIKE '/products/%';
-- name: json_like_metachar
SELECT session_id FROM user_sessions WHERE session_data->'navigation'->>'lastPage' LIKE '%50\%\_off';
-- name: json_cache_meta
SELECT cache_key, value->'meta'->>'etag' AS etag FROM application_cache ORDER BY cache_key;
-- name: json_select_whole
SELECT cache_key, value FROM application_cache ORDER BY cache_key;

-- ===== time =====
-- name: interval_add_minutes
SELECT session_id, last_accessed + INTERVAL '5 minutes' AS t FROM user_sessions ORDER BY session_id;
-- name: interval_sub_hours
SELECT session_id, expires_at - INTERVAL '2 hours' AS t FROM user_sessions ORDER BY session_id;
-- name: interval_days
SELECT cache_key, created_at + INTERVAL '30 days' AS t FROM application_cache ORDER BY cache_key;
-- name: interval_compound
SELECT cache_key, created_at + INTERVAL '1 day 2 hours' AS t FROM application_cache ORDER BY cache_key;
-- name: interval_in_filter
SELECT session_id FROM user_sessions WHERE last_accessed > TIMESTAMPTZ '2026-11-22T10:00:00Z' - INTERVAL '30 minutes';
-- name: interval_column_filter
SELECT session_id FROM user_sessions WHERE expires_at < created_at + INTERVAL '2 hours';
-- name: epoch_of_difference
SELECT session_id, EXTRACT(EPOCH FROM last_accessed - created_at) AS secs FROM user_sessions ORDER BY session_id;
-- name: epoch_minutes
SELECT session_id, EXTRACT(EPOCH FROM last_accessed - created_at) / 60 AS minutes FROM user_sessions ORDER BY session_id;
-- name: ttl_hours
SELECT cache_key, EXTRACT(EPOCH FROM expires_at - created_at) / 3600 AS ttl_hours FROM application_cache ORDER BY cache_key;
-- name: extract_hour
SELECT session_id, EXTRACT(HOUR FROM created_at) AS h FROM user_sessions ORDER BY session_id;
-- name: extract_dow
SELECT session_id, EXTRACT(DOW FROM created_at) AS dow FROM user_sessions ORDER BY session_id;
-- name: extract_day_month_year
SELECT session_id, EXTRACT(DAY FROM created_at) AS d, EXTRACT(MONTH FROM created_at) AS m, EXTRACT(YEAR FROM created_at) AS y FROM user_sessions ORDER BY session_id;
-- name: group_by_hour
SELECT EXTRACT(HOUR FROM created_at) AS h, COUNT(*) AS n FROM user_sessions GROUP BY 1;
-- name: date_trunc_hour
SELECT session_id, DATE_TRUNC('hour', created_at) AS h FROM user_sessions ORDER BY session_id;
-- name: date_trunc_minute
SELECT session_id, DATE_TRUNC('minute', last_accessed) AS m FROM user_sessions ORDER BY session_id;
-- name: date_trunc_day
SELECT session_id, DATE_TRUNC('day', created_at) AS d FROM user_sessions ORDER BY session_id;
-- name: date_trunc_week
SELECT session_id, DATE_TRUNC('week', created_at) AS w FROM user_sessions ORDER BY session_id;
-- name: date_trunc_month
SELECT cache_key, DATE_TRUNC('month', created_at) AS m FROM application_cache ORDER BY cache_key;
-- name: group_by_date_trunc
SELECT DATE_TRUNC('day', created_at) AS day, COUNT(*) AS n, SUM(page_views) AS pv FROM user_sessions GROUP BY 1 ORDER BY 1;
-- name: case_with_interval
SELECT session_id, CASE WHEN last_accessed > TIMESTAMPTZ '2026-11-22T10:00:00Z' - INTERVAL '5 minutes' THEN 'active' WHEN last_accessed > TIMESTAMPTZ '2026-11-22T10:00:00Z' - INTERVAL '30 minutes' THEN 'recent' WHEN last_accessed > TIMESTAMPTZ '2026-11-22T10:00:00Z' - INTERVAL '2 hours' THEN 'idle' ELSE 'stale' END AS status FROM user_sessions ORDER BY session_id;
-- name: now_is_stable_in_filter
SELECT COUNT(*) AS n FROM user_sessions WHERE created_at < NOW();
-- name: current_timestamp_relative
SELECT COUNT(*) AS n FROM application_cache WHERE created_at < CURRENT_TIMESTAMP - INTERVAL '1 day';

-- ===== seed-style dashboards =====
-- name: dashboard_sessions
SELECT COUNT(*) AS total_active_sessions, COUNT(DISTINCT user_id) AS unique_active_users, COUNT(*) FILTER (WHERE mfa_verified = TRUE) AS mfa_verified_sessions, COUNT(DISTINCT device_fingerprint) AS unique_devices, SUM(page_views) AS total_page_views, AVG(page_views) AS avg_page_views FROM user_sessions WHERE active = TRUE AND expires_at > TIMESTAMPTZ '2026-11-22T10:00:00Z';
-- name: dashboard_cache
SELECT namespace, COUNT(*) AS total_entries, SUM(data_size) / (1024 * 1024) AS total_size_mb, AVG(data_size) AS avg_entry_size_bytes, SUM(hit_count) AS total_hits, COUNT(*) FILTER (WHERE hit_count = 0) AS unused_entries FROM application_cache WHERE expires_at > TIMESTAMPTZ '2026-11-21T00:00:00Z' GROUP BY namespace ORDER BY namespace NULLS LAST;
-- name: dashboard_user_activity
SELECT user_id, COUNT(*) AS sessions, MAX(last_accessed) AS last_seen, ROUND(AVG(risk_score)::NUMERIC, 2) AS avg_risk FROM user_sessions WHERE user_id IS NOT NULL GROUP BY user_id HAVING COUNT(*) > 1 ORDER BY sessions DESC, user_id;
-- name: sessions_expired_per_user
SELECT user_id, COUNT(*) AS expired FROM user_sessions WHERE expires_at <= TIMESTAMPTZ '2026-11-22T10:00:00Z' GROUP BY user_id ORDER BY expired DESC, user_id NULLS LAST;

-- ===== DML followed by a SELECT of the table =====
-- name: update_set_constant
UPDATE user_sessions SET active = FALSE WHERE user_id = 'u01';
SELECT session_id, active FROM user_sessions ORDER BY session_id;
-- name: update_increment
UPDATE application_cache SET hit_count = hit_count + 1 WHERE namespace = 'api';
SELECT cache_key, hit_count FROM application_cache ORDER BY cache_key;
-- name: update_matched_not_changed
UPDATE user_sessions SET login_method = 'sso' WHERE login_method = 'sso';
SELECT COUNT(*) AS n FROM user_sessions WHERE login_method = 'sso';
-- name: update_null_trap_where
UPDATE user_sessions SET page_views = 0 WHERE page_views <> 5;
SELECT session_id, page_views FROM user_sessions ORDER BY session_id;
-- name: update_set_null
UPDATE user_sessions SET device_fingerprint = NULL WHERE risk_score > 0.8;
SELECT session_id, device_fingerprint FROM user_sessions ORDER BY session_id;
-- name: update_expression
UPDATE user_sessions SET actions_performed = page_views * 2 WHERE active = TRUE;
SELECT session_id, actions_performed FROM user_sessions ORDER BY session_id;
-- name: update_interval
UPDATE user_sessions SET expires_at = last_accessed + INTERVAL '30 minutes' WHERE mfa_verified = TRUE;
SELECT session_id, expires_at FROM user_sessions ORDER BY session_id;
-- name: update_no_match
UPDATE user_sessions SET active = TRUE WHERE user_id = 'nobody';
SELECT COUNT(*) FILTER (WHERE active) AS n FROM user_sessions;
-- name: update_two_columns
UPDATE application_cache SET hit_count = 0, priority = 1 WHERE hit_count > 100;
SELECT cache_key, hit_count, priority FROM application_cache ORDER BY cache_key;
-- name: delete_where
DELETE FROM user_sessions WHERE expires_at < TIMESTAMPTZ '2026-11-22T10:00:00Z';
SELECT session_id FROM user_sessions ORDER BY session_id;
-- name: delete_like
DELETE FROM application_cache WHERE cache_key LIKE 'user:%';
SELECT cache_key FROM application_cache ORDER BY cache_key;
-- name: delete_not_in_null_trap
DELETE FROM user_sessions WHERE user_id NOT IN ('u01', 'u02', 'u03');
SELECT session_id, user_id FROM user_sessions ORDER BY session_id;
-- name: delete_tag
DELETE FROM application_cache WHERE 'hot' = ANY(tags);
SELECT COUNT(*) AS n FROM application_cache;
-- name: delete_none
DELETE FROM user_sessions WHERE session_id = 'does-not-exist';
SELECT COUNT(*) AS n FROM user_sessions;
-- name: delete_then_aggregate_empty
DELETE FROM application_cache WHERE cache_key IS NOT NULL;
SELECT COUNT(*) AS n, SUM(hit_count) AS s, MAX(data_size) AS m FROM application_cache;
-- name: insert_then_select
INSERT INTO application_cache (cache_key, namespace, created_at, expires_at, hit_count, tags, value) VALUES ('new:1', 'api', TIMESTAMPTZ '2026-11-22T10:00:00Z', TIMESTAMPTZ '2026-11-22T11:00:00Z', 0, ARRAY['fresh'], '{"kind": "json", "n": 1}'::jsonb), ('new:2', NULL, TIMESTAMPTZ '2026-11-22T10:00:00Z', TIMESTAMPTZ '2026-11-23T10:00:00Z', NULL, NULL, NULL);
SELECT cache_key, namespace, expires_at, hit_count, tags, value FROM application_cache WHERE cache_key LIKE 'new:%' ORDER BY cache_key;

-- ===== CTEs, derived tables, subqueries (docs/dialect.md "Subqueries, CTEs and views") =====
-- name: cte_simple
WITH a AS (SELECT session_id, page_views FROM user_sessions WHERE active) SELECT session_id, page_views FROM a ORDER BY session_id;
-- name: cte_chained
WITH a AS (SELECT session_id, user_id, page_views FROM user_sessions WHERE page_views > 2), b AS (SELECT user_id, page_views * 2 AS pv2 FROM a WHERE user_id IS NOT NULL) SELECT user_id, pv2 FROM b ORDER BY user_id, pv2;
-- name: cte_aggregate_over_cte
WITH a AS (SELECT user_id, page_views FROM user_sessions) SELECT user_id, COUNT(*) AS n, SUM(page_views) AS s FROM a GROUP BY user_id ORDER BY user_id NULLS FIRST;
-- name: cte_grouped_then_filtered
WITH per_user AS (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) SELECT user_id, n FROM per_user WHERE n > 1 ORDER BY user_id NULLS FIRST;
-- name: cte_column_aliases
WITH a(id, views) AS (SELECT session_id, page_views FROM user_sessions) SELECT id, views FROM a WHERE views IS NULL ORDER BY id;
-- name: cte_star
WITH a AS (SELECT session_id, risk_score FROM user_sessions WHERE risk_score > 0.5) SELECT * FROM a ORDER BY session_id;
-- name: cte_used_twice_cross_join
WITH a AS (SELECT COUNT(*) AS n FROM user_sessions) SELECT x.n AS n1, y.n AS n2 FROM a x CROSS JOIN a y;
-- name: cte_dashboard_cross_join
WITH s AS (SELECT COUNT(*) AS sessions, COUNT(DISTINCT user_id) AS users FROM user_sessions WHERE active = TRUE), c AS (SELECT COUNT(*) AS entries, SUM(data_size) AS bytes FROM application_cache) SELECT s.sessions, s.users, c.entries, c.bytes FROM s CROSS JOIN c;
-- name: cte_dashboard_unqualified
WITH s AS (SELECT COUNT(*) AS sessions FROM user_sessions), c AS (SELECT MAX(hit_count) AS top_hits FROM application_cache) SELECT sessions, top_hits FROM s, c;
-- name: cte_cross_join_rows
WITH a AS (SELECT session_id FROM user_sessions WHERE page_views > 15), b AS (SELECT namespace FROM application_cache WHERE hit_count > 150) SELECT a.session_id, b.namespace FROM a CROSS JOIN b ORDER BY a.session_id, b.namespace NULLS FIRST;
-- name: cte_empty_cross_join
WITH a AS (SELECT session_id FROM user_sessions WHERE page_views > 100000), b AS (SELECT COUNT(*) AS n FROM application_cache) SELECT a.session_id, b.n FROM a CROSS JOIN b;
-- name: cte_no_from_row
WITH m AS (SELECT 1 AS one, 'x' AS label) SELECT one, label FROM m;
-- name: cte_order_limit_inside
WITH top3 AS (SELECT session_id, page_views FROM user_sessions WHERE page_views IS NOT NULL ORDER BY page_views DESC, session_id LIMIT 3) SELECT session_id FROM top3 ORDER BY session_id;
-- name: derived_table
SELECT t.user_id, t.n FROM (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) t WHERE t.n >= 2 ORDER BY t.user_id NULLS FIRST;
-- name: derived_table_alias_columns
SELECT k, v FROM (SELECT cache_key, hit_count FROM application_cache) AS d(k, v) WHERE v > 100 ORDER BY k;
-- name: derived_table_aggregate_of_aggregate
SELECT MAX(n) AS most, MIN(n) AS least FROM (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) per_user;
-- name: derived_nested
SELECT x FROM (SELECT v + 1 AS x FROM (SELECT page_views AS v FROM user_sessions) a) b WHERE x > 10 ORDER BY x;
-- name: select_without_from
SELECT 1 + 2 AS three, 'a' || 'b' AS ab;
-- name: select_literal_columns
SELECT session_id, 1 AS one, TRUE AS yes FROM user_sessions ORDER BY session_id LIMIT 3;
-- name: in_subquery
SELECT session_id FROM user_sessions WHERE user_id IN (SELECT user_id FROM user_sessions WHERE risk_score > 0.8) ORDER BY session_id;
-- name: in_subquery_other_table
SELECT cache_key FROM application_cache WHERE hit_count IN (SELECT us.page_views FROM user_sessions us) ORDER BY cache_key;
-- name: not_in_subquery_with_null
SELECT session_id FROM user_sessions WHERE page_views NOT IN (SELECT ac.hit_count FROM application_cache ac) ORDER BY session_id;
-- name: not_in_subquery_no_null
SELECT session_id FROM user_sessions WHERE page_views NOT IN (SELECT ac.hit_count FROM application_cache ac WHERE ac.hit_count IS NOT NULL) ORDER BY session_id;
-- name: not_in_empty_subquery
SELECT session_id FROM user_sessions WHERE page_views NOT IN (SELECT ac.hit_count FROM application_cache ac WHERE ac.hit_count > 100000) ORDER BY session_id;
-- name: in_subquery_as_value
SELECT session_id, page_views IN (SELECT ac.hit_count FROM application_cache ac) AS hit FROM user_sessions ORDER BY session_id;
-- name: not_in_subquery_as_value
SELECT session_id, user_id NOT IN (SELECT user_id FROM user_sessions WHERE page_views > 10) AS other FROM user_sessions ORDER BY session_id;
-- name: in_subquery_and_filter
SELECT session_id FROM user_sessions WHERE active AND user_id IN (SELECT user_id FROM user_sessions WHERE mfa_verified) ORDER BY session_id;
-- name: in_subquery_or
SELECT session_id FROM user_sessions WHERE page_views > 18 OR user_id IN (SELECT user_id FROM user_sessions WHERE login_method = 'sso') ORDER BY session_id;
-- name: exists_correlated
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id <> s.session_id) ORDER BY s.session_id;
-- name: not_exists_correlated
SELECT s.session_id FROM user_sessions s WHERE NOT EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id <> s.session_id) ORDER BY s.session_id;
-- name: exists_uncorrelated
SELECT COUNT(*) AS n FROM user_sessions WHERE EXISTS (SELECT 1 FROM application_cache ac WHERE ac.hit_count > 150);
-- name: exists_other_table_correlated
SELECT c.cache_key FROM application_cache c WHERE EXISTS (SELECT 1 FROM user_sessions s WHERE s.page_views = c.hit_count) ORDER BY c.cache_key;
-- name: exists_as_value
SELECT s.session_id, EXISTS (SELECT 1 FROM application_cache c WHERE c.priority = s.page_views) AS e FROM user_sessions s ORDER BY s.session_id;
-- name: scalar_subquery_select
SELECT session_id, (SELECT COUNT(*) FROM application_cache) AS entries FROM user_sessions ORDER BY session_id LIMIT 5;
-- name: scalar_subquery_where
SELECT session_id, page_views FROM user_sessions WHERE page_views > (SELECT AVG(page_views) FROM user_sessions) ORDER BY session_id;
-- name: scalar_subquery_correlated
SELECT s.session_id, (SELECT COUNT(*) FROM user_sessions o WHERE o.user_id = s.user_id) AS same_user FROM user_sessions s ORDER BY s.session_id;
-- name: scalar_subquery_correlated_max
SELECT s.session_id FROM user_sessions s WHERE s.page_views = (SELECT MAX(o.page_views) FROM user_sessions o WHERE o.user_id = s.user_id) ORDER BY s.session_id;
-- name: scalar_subquery_empty_is_null
SELECT session_id, (SELECT ac.hit_count FROM application_cache ac WHERE ac.cache_key = 'nope') AS h FROM user_sessions ORDER BY session_id LIMIT 3;
-- name: scalar_subquery_in_expression
SELECT session_id, page_views - (SELECT MIN(page_views) FROM user_sessions) AS above_min FROM user_sessions ORDER BY session_id;
-- name: scalar_subqueries_without_from
SELECT (SELECT COUNT(*) FROM user_sessions WHERE active = TRUE) AS active_sessions, (SELECT COUNT(*) FROM application_cache WHERE hit_count > 100) AS hot_entries, (SELECT SUM(data_size) FROM application_cache) AS bytes;
-- name: scalar_subquery_in_having
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id HAVING COUNT(*) > (SELECT COUNT(*) FROM application_cache ac WHERE ac.hit_count > 190) ORDER BY user_id NULLS FIRST;
-- name: scalar_subquery_order_by
SELECT s.session_id FROM user_sessions s ORDER BY (SELECT COUNT(*) FROM user_sessions o WHERE o.user_id = s.user_id) DESC, s.session_id LIMIT 10;
-- name: cte_monitor_view_shape
WITH m AS (SELECT (SELECT COUNT(*) FROM user_sessions WHERE active = TRUE) AS active_sessions, (SELECT COUNT(DISTINCT user_id) FROM user_sessions WHERE active = TRUE) AS users, (SELECT COUNT(*) FROM application_cache) AS entries) SELECT active_sessions, users, ROUND(users::NUMERIC / NULLIF(active_sessions, 0), 2) AS ratio, CASE WHEN entries > 30 THEN 'big' ELSE 'small' END AS size FROM m;
-- name: delete_in_subquery
DELETE FROM user_sessions WHERE user_id IN (SELECT user_id FROM user_sessions WHERE risk_score > 0.8);
SELECT session_id FROM user_sessions ORDER BY session_id;
-- name: delete_not_in_subquery_null
DELETE FROM user_sessions WHERE page_views NOT IN (SELECT ac.hit_count FROM application_cache ac);
SELECT COUNT(*) AS n FROM user_sessions;
-- name: delete_not_exists_correlated
DELETE FROM application_cache WHERE NOT EXISTS (SELECT 1 FROM user_sessions s WHERE s.page_views = application_cache.hit_count);
SELECT cache_key FROM application_cache ORDER BY cache_key;
-- name: update_exists_subquery
UPDATE user_sessions SET active = FALSE WHERE EXISTS (SELECT 1 FROM application_cache c WHERE c.hit_count = user_sessions.page_views);
SELECT session_id, active FROM user_sessions ORDER BY session_id;
-- name: update_scalar_subquery_where
UPDATE application_cache SET priority = 0 WHERE hit_count > (SELECT AVG(hit_count) FROM application_cache);
SELECT cache_key, priority FROM application_cache ORDER BY cache_key;
-- name: view_create_select
CREATE VIEW risky AS SELECT session_id, user_id, risk_score FROM user_sessions WHERE risk_score > 0.7;
SELECT session_id, risk_score FROM risky ORDER BY session_id;
-- name: view_aggregate_then_query
CREATE VIEW per_ns AS SELECT namespace, COUNT(*) AS n, SUM(hit_count) AS hits FROM application_cache GROUP BY namespace;
SELECT namespace, n, hits FROM per_ns WHERE n > 1 ORDER BY namespace NULLS FIRST;
-- name: view_without_from
CREATE VIEW health AS SELECT (SELECT COUNT(*) FROM user_sessions WHERE active = TRUE) AS active_sessions, (SELECT COUNT(*) FROM application_cache) AS entries;
SELECT active_sessions, entries FROM health;
-- name: view_drop
CREATE VIEW v1 AS SELECT session_id FROM user_sessions;
DROP VIEW v1;
DROP VIEW IF EXISTS v1;
-- name: exists_table_name_hidden_by_inner_alias
SELECT session_id FROM user_sessions WHERE EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = user_sessions.user_id AND o.session_id <> user_sessions.session_id) ORDER BY session_id;
-- name: in_subquery_null_operand_value
SELECT session_id, user_id IN (SELECT user_id FROM user_sessions WHERE page_views > 30) AS i FROM user_sessions ORDER BY session_id;
-- name: in_subquery_correlated
SELECT s.session_id FROM user_sessions s WHERE s.page_views IN (SELECT c.hit_count FROM application_cache c WHERE c.namespace IS NOT NULL AND c.priority < s.actions_performed) ORDER BY s.session_id;
-- name: in_subquery_of_cte
WITH risky AS (SELECT user_id FROM user_sessions WHERE risk_score > 0.7) SELECT session_id FROM user_sessions WHERE user_id IN (SELECT user_id FROM risky) AND active ORDER BY session_id;
-- name: in_subquery_distinct_grouped_inner
SELECT cache_key FROM application_cache WHERE namespace IN (SELECT namespace FROM application_cache GROUP BY namespace HAVING COUNT(*) > 5) ORDER BY cache_key;
-- name: exists_inner_aggregate_always_row
SELECT COUNT(*) AS n FROM user_sessions WHERE EXISTS (SELECT COUNT(*) FROM application_cache ac WHERE ac.hit_count > 100000);
-- name: nested_subqueries
SELECT session_id FROM user_sessions WHERE user_id IN (SELECT user_id FROM user_sessions WHERE page_views > (SELECT AVG(page_views) FROM user_sessions)) ORDER BY session_id;
-- name: scalar_subquery_order_limit_inside
SELECT session_id, (SELECT ac.cache_key FROM application_cache ac ORDER BY ac.hit_count DESC NULLS LAST, ac.cache_key LIMIT 1) AS top_key FROM user_sessions ORDER BY session_id LIMIT 4;
-- name: scalar_subquery_in_case
SELECT session_id, CASE WHEN page_views > (SELECT AVG(page_views) FROM user_sessions) THEN 'above' ELSE 'not above' END AS band FROM user_sessions ORDER BY session_id;
-- name: scalar_subquery_null_compare
SELECT session_id FROM user_sessions WHERE page_views = (SELECT ac.hit_count FROM application_cache ac WHERE ac.cache_key = 'nope') ORDER BY session_id;
-- name: not_exists_and_plain_filter
SELECT c.cache_key FROM application_cache c WHERE c.hit_count > 10 AND NOT EXISTS (SELECT 1 FROM user_sessions s WHERE s.page_views = c.hit_count) ORDER BY c.cache_key;
-- name: exists_or_condition
SELECT s.session_id FROM user_sessions s WHERE s.page_views > 30 OR EXISTS (SELECT 1 FROM application_cache c WHERE c.priority = s.page_views) ORDER BY s.session_id;
-- name: derived_distinct
SELECT u FROM (SELECT DISTINCT user_id AS u FROM user_sessions) d ORDER BY u NULLS FIRST;
-- name: derived_star_outer_filter
SELECT * FROM (SELECT session_id, page_views FROM user_sessions WHERE active) d WHERE page_views < 10 ORDER BY session_id;
-- name: cte_in_scalar_subquery
WITH total AS (SELECT COUNT(*) AS n FROM user_sessions) SELECT user_id, COUNT(*) AS n, (SELECT n FROM total) AS all_sessions FROM user_sessions GROUP BY user_id ORDER BY user_id NULLS FIRST;
-- name: cte_grouped_cross_join_group_by
WITH a AS (SELECT user_id, page_views FROM user_sessions), b AS (SELECT COUNT(*) AS n FROM application_cache) SELECT a.user_id, SUM(a.page_views) AS s, b.n FROM a CROSS JOIN b GROUP BY a.user_id, b.n ORDER BY a.user_id NULLS FIRST;
-- name: cross_join_tables
SELECT s.session_id, c.cache_key FROM user_sessions s CROSS JOIN application_cache c WHERE s.page_views = 1 AND c.hit_count > 190 ORDER BY s.session_id, c.cache_key;
-- name: update_in_subquery_other_table
UPDATE application_cache SET priority = 99 WHERE namespace IN (SELECT us.login_method FROM user_sessions us);
SELECT cache_key, priority FROM application_cache ORDER BY cache_key;
-- name: delete_scalar_subquery_correlated
DELETE FROM user_sessions WHERE page_views < (SELECT AVG(o.page_views) FROM user_sessions o WHERE o.user_id = user_sessions.user_id);
SELECT session_id FROM user_sessions ORDER BY session_id;
-- name: view_over_cte_with_cross_join
CREATE VIEW dash AS WITH s AS (SELECT COUNT(*) AS sessions FROM user_sessions), c AS (SELECT COUNT(*) AS entries FROM application_cache) SELECT s.sessions, c.entries FROM s CROSS JOIN c;
SELECT sessions, entries FROM dash;
-- name: view_in_subquery
CREATE VIEW hot AS SELECT cache_key, hit_count FROM application_cache WHERE hit_count > 100;
SELECT session_id FROM user_sessions WHERE page_views IN (SELECT hot.hit_count FROM hot) ORDER BY session_id;
-- name: scalar_subquery_correlated_without_from
SELECT s.session_id, (SELECT s.page_views * 2) AS d FROM user_sessions s ORDER BY s.session_id;
-- name: not_in_correlated_empty_is_true
SELECT s.session_id FROM user_sessions s WHERE s.page_views NOT IN (SELECT o.page_views FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id <> s.session_id) ORDER BY s.session_id;
-- name: exists_in_having_uncorrelated
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id HAVING EXISTS (SELECT 1 FROM application_cache ac WHERE ac.hit_count > 150) ORDER BY user_id NULLS FIRST;
-- name: cte_referenced_in_from_and_subquery
WITH a AS (SELECT user_id, page_views FROM user_sessions WHERE page_views IS NOT NULL) SELECT user_id, page_views FROM a WHERE page_views = (SELECT MAX(page_views) FROM a) ORDER BY user_id;
-- name: unqualified_outer_column_through_cte_columns
WITH c AS (SELECT hit_count AS n FROM application_cache) SELECT session_id FROM user_sessions WHERE EXISTS (SELECT 1 FROM c WHERE n = page_views) ORDER BY session_id;
-- name: eq_any_subquery
SELECT session_id FROM user_sessions WHERE page_views = ANY (SELECT ac.hit_count FROM application_cache ac) ORDER BY session_id;
-- name: ne_all_subquery_null_trap
SELECT session_id FROM user_sessions WHERE page_views <> ALL (SELECT ac.hit_count FROM application_cache ac) ORDER BY session_id;
-- name: gt_all_subquery
SELECT session_id FROM user_sessions WHERE page_views > ALL (SELECT ac.priority FROM application_cache ac WHERE ac.priority IS NOT NULL) ORDER BY session_id;
-- name: lt_any_subquery_value
SELECT session_id, page_views < ANY (SELECT ac.hit_count FROM application_cache ac WHERE ac.hit_count < 5) AS lt FROM user_sessions ORDER BY session_id;
-- name: ge_all_empty_subquery_is_true
SELECT COUNT(*) AS n FROM user_sessions WHERE page_views >= ALL (SELECT ac.hit_count FROM application_cache ac WHERE ac.hit_count > 100000);
-- name: correlated_scalar_in_grouped_select
SELECT s.user_id, COUNT(*) AS sessions, (SELECT COUNT(*) FROM user_sessions o WHERE o.user_id = s.user_id AND o.active) AS active_sessions FROM user_sessions s GROUP BY s.user_id ORDER BY s.user_id NULLS FIRST;
-- name: correlated_exists_in_having
SELECT user_id, COUNT(*) AS n FROM user_sessions s GROUP BY user_id HAVING EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.page_views > 20) ORDER BY user_id;
-- name: cte_cross_join_star
WITH s AS (SELECT COUNT(*) AS sessions, MAX(page_views) AS top FROM user_sessions), c AS (SELECT COUNT(*) AS entries FROM application_cache) SELECT * FROM s CROSS JOIN c;
-- name: correlated_two_levels_up
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM application_cache c WHERE c.hit_count > 100 AND EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.page_views = c.priority)) ORDER BY s.session_id;
-- name: derived_table_in_subquery_reads_outer_query
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM (SELECT c.cache_key FROM application_cache c WHERE c.hit_count = s.page_views) d) ORDER BY s.session_id;
-- name: scalar_two_levels_up_in_select
SELECT s.session_id, (SELECT COUNT(*) FROM application_cache c WHERE c.priority IN (SELECT o.page_views FROM user_sessions o WHERE o.user_id = s.user_id)) AS n FROM user_sessions s ORDER BY s.session_id;
-- name: any_all_summary_every_operator
SELECT session_id, page_views > ANY (SELECT hit_count FROM application_cache WHERE hit_count < 30) AS gt_any, page_views <= ANY (SELECT priority FROM application_cache) AS le_any, page_views >= ALL (SELECT hit_count FROM application_cache WHERE hit_count < 3) AS ge_all, page_views < ALL (SELECT priority FROM application_cache) AS lt_all, page_views <> ANY (SELECT priority FROM application_cache WHERE priority = 1) AS ne_any, page_views = ALL (SELECT priority FROM application_cache WHERE priority = 1) AS eq_all FROM user_sessions ORDER BY session_id;
-- name: any_all_summary_empty_and_null_x
SELECT session_id, page_views > ANY (SELECT hit_count FROM application_cache WHERE hit_count > 100000) AS any_empty, page_views > ALL (SELECT hit_count FROM application_cache WHERE hit_count > 100000) AS all_empty, CAST(NULL AS INTEGER) < ALL (SELECT hit_count FROM application_cache WHERE hit_count > 100000) AS null_all_empty, CAST(NULL AS INTEGER) < ANY (SELECT hit_count FROM application_cache) AS null_any FROM user_sessions ORDER BY session_id;
-- name: any_all_summary_under_not
SELECT session_id FROM user_sessions WHERE NOT (page_views >= ALL (SELECT priority FROM application_cache)) AND NOT (page_views < ANY (SELECT hit_count FROM application_cache WHERE hit_count < 4)) ORDER BY session_id;
-- name: any_all_correlated_summary
SELECT s.session_id, s.page_views < ANY (SELECT o.page_views FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id <> s.session_id) AS lt_any, s.page_views >= ALL (SELECT o.page_views FROM user_sessions o WHERE o.user_id = s.user_id) AS ge_all, s.actions_performed <> ANY (SELECT o.actions_performed FROM user_sessions o WHERE o.login_method = s.login_method AND o.page_views > 50) AS ne_any, s.page_views = ALL (SELECT o.page_views FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id = s.session_id) AS eq_all_self FROM user_sessions s ORDER BY s.session_id;
-- name: in_correlated_probes_null_rules
SELECT s.session_id, s.page_views IN (SELECT o.actions_performed FROM user_sessions o WHERE o.user_id = s.user_id) AS in_v, s.page_views NOT IN (SELECT o.actions_performed FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id <> s.session_id) AS not_in_v, s.page_views = ANY (SELECT o.page_views FROM user_sessions o WHERE o.login_method = s.login_method AND o.session_id > s.session_id) AS eq_any, s.page_views <> ALL (SELECT o.page_views FROM user_sessions o WHERE o.device_fingerprint = s.device_fingerprint AND o.page_views IS NOT NULL AND o.session_id <> s.session_id) AS ne_all FROM user_sessions s ORDER BY s.session_id;
-- name: not_in_correlated_where_and_not
SELECT s.session_id FROM user_sessions s WHERE NOT (s.page_views NOT IN (SELECT o.page_views FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id < s.session_id)) ORDER BY s.session_id;
-- name: constant_conditions_fold
SELECT session_id FROM user_sessions WHERE page_views > 1 AND 1 = 0;
SELECT session_id FROM user_sessions WHERE (1 = 0 OR page_views > 40) AND 2 > 1 ORDER BY session_id;
SELECT session_id FROM user_sessions WHERE NULL OR 1 = 1 ORDER BY session_id;
SELECT session_id FROM user_sessions WHERE NOT (NULL AND 1 = 0) ORDER BY session_id;
SELECT session_id FROM user_sessions WHERE NOT (NULL AND 1 = 1);
SELECT session_id, 1 = 1 AS t, 1 = 0 AS f, 1.5 > 1 AS g, 'a' = 'a' AS s, NOT (2 < 1) AS n FROM user_sessions ORDER BY session_id LIMIT 3;
SELECT COUNT(*) AS n, MAX(page_views) AS m FROM user_sessions WHERE 1 = 0;
-- name: constant_join_conditions_fold
SELECT COUNT(*) AS n FROM user_sessions a JOIN application_cache c ON 1 = 0;
SELECT a.session_id, c.cache_key FROM user_sessions a LEFT JOIN application_cache c ON 1 = 0 WHERE a.page_views > 55 ORDER BY a.session_id;
SELECT a.session_id FROM user_sessions a JOIN user_sessions b ON false;
SELECT a.session_id FROM user_sessions a CROSS JOIN application_cache c WHERE 1 = 0;
SELECT a.session_id, b.session_id AS b FROM user_sessions a JOIN user_sessions b ON a.session_id = b.session_id AND 1 = 1 WHERE a.page_views > 50 ORDER BY a.session_id;
-- ===== joins ($lookup with let + pipeline) =====
-- name: join_self_inner_user
SELECT a.session_id, b.session_id AS other FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id AND a.session_id < b.session_id ORDER BY a.session_id, other;
-- name: join_self_null_keys_never_match
SELECT a.session_id, b.session_id AS other FROM user_sessions a INNER JOIN user_sessions b ON a.device_fingerprint = b.device_fingerprint WHERE a.session_id = b.session_id ORDER BY a.session_id;
-- name: join_left_keeps_unmatched
SELECT a.session_id, b.session_id AS later FROM user_sessions a LEFT JOIN user_sessions b ON a.user_id = b.user_id AND b.created_at > a.created_at AND b.page_views > 40 ORDER BY a.session_id, later;
-- name: join_left_unmatched_is_null
SELECT a.session_id FROM user_sessions a LEFT JOIN user_sessions b ON a.ip_address = b.ip_address AND a.session_id <> b.session_id WHERE b.session_id IS NULL ORDER BY a.session_id;
-- name: join_left_unmatched_not_is_not_null
SELECT a.session_id FROM user_sessions a LEFT JOIN user_sessions b ON a.ip_address = b.ip_address AND a.session_id <> b.session_id WHERE NOT (b.session_id IS NOT NULL) ORDER BY a.session_id;
-- name: join_left_where_on_joined_column
SELECT a.session_id, b.page_views AS bv FROM user_sessions a LEFT JOIN user_sessions b ON a.user_id = b.user_id AND a.session_id <> b.session_id WHERE b.page_views > 50 ORDER BY a.session_id, bv;
-- name: join_two_tables_int_key
SELECT s.session_id, c.cache_key FROM user_sessions s JOIN application_cache c ON s.page_views = c.priority ORDER BY s.session_id, c.cache_key;
-- name: join_two_tables_left_count
SELECT s.session_id, COUNT(c.cache_key) AS n FROM user_sessions s LEFT JOIN application_cache c ON s.actions_performed = c.hit_count GROUP BY s.session_id ORDER BY s.session_id;
-- name: join_group_by_joined_column
SELECT c.namespace, COUNT(*) AS n, SUM(s.page_views) AS views FROM user_sessions s JOIN application_cache c ON s.page_views = c.priority GROUP BY c.namespace ORDER BY c.namespace;
-- name: join_nested_json_key
SELECT a.session_id, b.session_id AS same_theme FROM user_sessions a JOIN user_sessions b ON a.session_data->'preferences'->>'theme' = b.session_data->'preferences'->>'theme' AND a.session_id < b.session_id WHERE a.user_id = 'u01' ORDER BY a.session_id, same_theme;
-- name: join_three_way
SELECT a.session_id, b.session_id AS b_id, c.cache_key FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id AND a.session_id < b.session_id JOIN application_cache c ON c.priority = b.page_views AND c.hit_count > a.actions_performed ORDER BY a.session_id, b_id, c.cache_key;
-- name: join_three_way_left
SELECT a.session_id, b.session_id AS b_id, c.cache_key FROM user_sessions a LEFT JOIN user_sessions b ON a.user_id = b.user_id AND b.page_views > a.page_views + 30 LEFT JOIN application_cache c ON c.priority = b.actions_performed ORDER BY a.session_id, b_id, c.cache_key;
-- name: join_qualified_star_left_table
SELECT a.* FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id AND b.page_views > 55 ORDER BY a.session_id;
-- name: join_qualified_star_right_table
SELECT c.* FROM user_sessions s JOIN application_cache c ON s.page_views = c.priority WHERE s.session_id = 's001';
-- name: join_expression_columns
SELECT a.session_id, a.page_views + b.page_views AS total, UPPER(b.user_id) AS u FROM user_sessions a JOIN user_sessions b ON a.session_id = b.session_id WHERE a.page_views > 30 ORDER BY a.session_id;
-- name: join_cross
SELECT a.session_id, c.cache_key FROM user_sessions a CROSS JOIN application_cache c WHERE a.page_views > 55 AND c.priority = 5 ORDER BY a.session_id, c.cache_key;
-- name: join_comma_cross_with_where
SELECT a.session_id, c.cache_key FROM user_sessions a, application_cache c WHERE a.page_views = c.priority AND c.hit_count > 100 ORDER BY a.session_id, c.cache_key;
-- name: join_or_condition
SELECT a.session_id, b.session_id AS other FROM user_sessions a JOIN user_sessions b ON (a.ip_address = b.ip_address OR a.device_fingerprint = b.device_fingerprint) AND a.session_id < b.session_id WHERE a.user_id = 'u02' ORDER BY a.session_id, other;
-- name: join_limit_offset
SELECT a.session_id, b.session_id AS other FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id ORDER BY a.session_id, other LIMIT 7 OFFSET 3;
-- name: join_is_not_distinct_from_matches_nulls
SELECT a.session_id, b.session_id AS other FROM user_sessions a JOIN user_sessions b ON a.login_method IS NOT DISTINCT FROM b.login_method AND a.session_id < b.session_id WHERE a.login_method IS NULL ORDER BY a.session_id, other;
-- name: join_order_by_joined_nulls_last
SELECT a.session_id, b.risk_score AS r FROM user_sessions a LEFT JOIN user_sessions b ON a.user_id = b.user_id AND a.session_id < b.session_id AND b.page_views > 45 ORDER BY r, a.session_id;

-- ===== window functions ($setWindowFields) =====
-- name: win_row_number_partition
SELECT session_id, user_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at, session_id) AS rn FROM user_sessions ORDER BY session_id;
-- name: win_row_number_no_partition_desc
SELECT session_id, ROW_NUMBER() OVER (ORDER BY session_id DESC) AS rn FROM user_sessions ORDER BY session_id;
-- name: win_rank_nulls_last
SELECT session_id, page_views, RANK() OVER (ORDER BY page_views) AS r FROM user_sessions ORDER BY session_id;
-- name: win_rank_desc_nulls_first
SELECT session_id, page_views, RANK() OVER (ORDER BY page_views DESC) AS r FROM user_sessions ORDER BY session_id;
-- name: win_dense_rank_partition
SELECT session_id, DENSE_RANK() OVER (PARTITION BY login_method ORDER BY risk_score) AS dr FROM user_sessions ORDER BY session_id;
-- name: win_rank_nulls_first_explicit
SELECT session_id, RANK() OVER (ORDER BY risk_score ASC NULLS FIRST) AS r FROM user_sessions ORDER BY session_id;
-- name: win_rank_two_keys
SELECT session_id, RANK() OVER (ORDER BY login_method, page_views) AS r FROM user_sessions ORDER BY session_id;
-- name: win_percent_rank
SELECT session_id, PERCENT_RANK() OVER (PARTITION BY user_id ORDER BY page_views) AS pr FROM user_sessions ORDER BY session_id;
-- name: win_cume_dist
SELECT session_id, CUME_DIST() OVER (ORDER BY actions_performed) AS cd FROM user_sessions ORDER BY session_id;
-- name: win_sum_whole_partition
SELECT session_id, SUM(page_views) OVER (PARTITION BY user_id) AS total FROM user_sessions ORDER BY session_id;
-- name: win_sum_running_with_peers
SELECT session_id, SUM(page_views) OVER (ORDER BY actions_performed) AS running FROM user_sessions ORDER BY session_id;
-- name: win_sum_all_null_partition
SELECT session_id, SUM(data_transferred) OVER (PARTITION BY login_method) AS s FROM user_sessions ORDER BY session_id;
-- name: win_count_star_and_column
SELECT session_id, COUNT(*) OVER (PARTITION BY user_id) AS n, COUNT(ip_address) OVER (PARTITION BY user_id) AS with_ip FROM user_sessions ORDER BY session_id;
-- name: win_avg_rows_frame
SELECT session_id, AVG(page_views) OVER (ORDER BY session_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving FROM user_sessions ORDER BY session_id;
-- name: win_sum_rows_following
SELECT session_id, SUM(actions_performed) OVER (PARTITION BY user_id ORDER BY session_id ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS s FROM user_sessions ORDER BY session_id;
-- name: win_min_max_range_unbounded
SELECT session_id, MIN(risk_score) OVER (PARTITION BY user_id ORDER BY created_at RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS lo, MAX(risk_score) OVER (PARTITION BY user_id ORDER BY created_at) AS hi_so_far FROM user_sessions ORDER BY session_id;
-- name: win_range_current_to_unbounded
SELECT session_id, COUNT(*) OVER (ORDER BY page_views RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS n_ge FROM user_sessions ORDER BY session_id;
-- name: win_lag_lead
SELECT session_id, LAG(page_views) OVER (ORDER BY session_id) AS prev, LEAD(page_views, 2) OVER (ORDER BY session_id) AS next2 FROM user_sessions ORDER BY session_id;
-- name: win_lag_default_partition
SELECT session_id, LAG(session_id, 1, 'none') OVER (PARTITION BY user_id ORDER BY session_id) AS prev FROM user_sessions ORDER BY session_id;
-- name: win_first_last_value
SELECT session_id, FIRST_VALUE(session_id) OVER (PARTITION BY user_id ORDER BY session_id) AS first_s, LAST_VALUE(session_id) OVER (PARTITION BY user_id ORDER BY session_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_s FROM user_sessions ORDER BY session_id;
-- name: win_last_value_default_frame_is_current
SELECT session_id, LAST_VALUE(session_id) OVER (ORDER BY session_id) AS l FROM user_sessions ORDER BY session_id;
-- name: win_over_group_by
SELECT user_id, COUNT(*) AS n, RANK() OVER (ORDER BY COUNT(*) DESC) AS r FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: win_sum_of_sum
SELECT login_method, SUM(page_views) AS v, SUM(SUM(page_views)) OVER () AS all_v FROM user_sessions GROUP BY login_method ORDER BY login_method;
-- name: win_order_by_window_and_limit
SELECT session_id, ROW_NUMBER() OVER (ORDER BY page_views DESC, session_id DESC) AS rn FROM user_sessions ORDER BY rn LIMIT 5;
-- name: win_with_where
SELECT session_id, COUNT(*) OVER (PARTITION BY active) AS n FROM user_sessions WHERE page_views > 20 ORDER BY session_id;
-- name: win_partition_two_keys
SELECT session_id, ROW_NUMBER() OVER (PARTITION BY user_id, active ORDER BY session_id) AS rn FROM user_sessions ORDER BY session_id;
-- name: win_expression_over_window
SELECT session_id, page_views - AVG(page_views) OVER (PARTITION BY user_id) AS diff FROM user_sessions WHERE page_views IS NOT NULL ORDER BY session_id;
-- name: win_join_rank
SELECT a.session_id, c.cache_key, RANK() OVER (PARTITION BY a.session_id ORDER BY c.cache_key) AS r FROM user_sessions a JOIN application_cache c ON c.priority = a.page_views ORDER BY a.session_id, c.cache_key;

-- ===== set operations ($unionWith) =====
-- name: setop_union_all
SELECT user_id AS who FROM user_sessions WHERE page_views > 50 UNION ALL SELECT namespace FROM application_cache WHERE priority = 5;
-- name: setop_union_distinct_with_nulls
SELECT login_method FROM user_sessions UNION SELECT namespace FROM application_cache;
-- name: setop_union_two_columns_order
SELECT user_id, active FROM user_sessions UNION SELECT namespace, priority > 0 FROM application_cache ORDER BY 1, 2;
-- name: setop_union_order_by_name_desc_limit
SELECT page_views AS n FROM user_sessions UNION SELECT hit_count FROM application_cache ORDER BY n DESC LIMIT 8;
-- name: setop_union_all_three
SELECT session_id AS k FROM user_sessions WHERE page_views > 55 UNION ALL SELECT cache_key FROM application_cache WHERE hit_count > 200 UNION ALL SELECT session_id FROM user_sessions WHERE page_views < -2 ORDER BY k;
-- name: setop_union_numbers_int_double_equal
SELECT priority AS v FROM application_cache UNION SELECT score FROM application_cache ORDER BY v;
-- name: setop_intersect
SELECT page_views AS v FROM user_sessions INTERSECT SELECT priority FROM application_cache ORDER BY v;
-- name: setop_intersect_all
SELECT page_views AS v FROM user_sessions INTERSECT ALL SELECT hit_count FROM application_cache ORDER BY v;
-- name: setop_except
SELECT user_id FROM user_sessions EXCEPT SELECT user_id FROM user_sessions WHERE active ORDER BY user_id;
-- name: setop_except_all
SELECT user_id FROM user_sessions EXCEPT ALL SELECT user_id FROM user_sessions WHERE page_views > 20 ORDER BY user_id;
-- name: setop_union_grouped_sides
SELECT user_id AS k, COUNT(*) AS n FROM user_sessions GROUP BY user_id UNION ALL SELECT namespace, COUNT(*) FROM application_cache GROUP BY namespace ORDER BY k, n;
-- name: setop_parenthesized_side_with_limit
SELECT session_id FROM user_sessions WHERE page_views > 50 UNION ALL (SELECT cache_key FROM application_cache ORDER BY cache_key DESC LIMIT 2) ORDER BY session_id;
-- name: setop_limit_zero
SELECT user_id AS who FROM user_sessions UNION ALL SELECT namespace FROM application_cache LIMIT 0;
-- name: setop_fetch_first_rows_only
SELECT page_views AS n FROM user_sessions UNION SELECT hit_count FROM application_cache ORDER BY n DESC FETCH FIRST 4 ROWS ONLY;
-- name: setop_except_fetch_first_applies_to_the_result
SELECT page_views AS v FROM user_sessions EXCEPT SELECT priority FROM application_cache ORDER BY v FETCH FIRST 3 ROWS ONLY;
-- name: select_offset_rows_fetch_next_row_only
SELECT session_id FROM user_sessions ORDER BY session_id OFFSET 2 ROWS FETCH NEXT ROW ONLY;
-- name: select_fetch_first_rows_only_grouped
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id ORDER BY n DESC, user_id FETCH FIRST 3 ROWS ONLY;
-- name: setop_union_null_column_order_nulls_last
SELECT ip_address AS a FROM user_sessions UNION SELECT NULL::TEXT FROM application_cache ORDER BY a;
-- name: setop_union_join_side
SELECT a.session_id AS k FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id AND b.page_views > 57 UNION SELECT c.cache_key FROM application_cache c WHERE c.priority = -5 ORDER BY k;

-- ===== collecting aggregates and JSON =====
-- name: agg_string_agg_ordered
SELECT user_id, STRING_AGG(session_id, ',' ORDER BY session_id) AS ids FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: agg_string_agg_desc_skips_nulls
SELECT STRING_AGG(login_method, '|' ORDER BY login_method DESC) AS m FROM user_sessions WHERE page_views > 30;
-- name: agg_string_agg_nothing_is_null
SELECT STRING_AGG(ip_address, ',' ORDER BY ip_address) AS ips FROM user_sessions WHERE user_id = 'nobody';
-- name: agg_string_agg_distinct
SELECT STRING_AGG(DISTINCT login_method, ',' ORDER BY login_method) AS m FROM user_sessions;
-- name: agg_string_agg_filter
SELECT user_id, STRING_AGG(session_id, ';' ORDER BY session_id) FILTER (WHERE active) AS act FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: agg_array_agg_ordered_keeps_nulls
SELECT user_id, ARRAY_AGG(page_views ORDER BY session_id) AS views FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: agg_array_agg_order_nulls_last
SELECT ARRAY_AGG(risk_score ORDER BY risk_score) AS r FROM user_sessions WHERE user_id IN ('u01', 'u02');
-- name: agg_array_agg_order_desc_two_keys
SELECT ARRAY_AGG(session_id ORDER BY page_views DESC, session_id DESC) AS s FROM user_sessions WHERE user_id = 'u03';
-- name: agg_array_agg_distinct_ordered
SELECT ARRAY_AGG(DISTINCT namespace ORDER BY namespace) AS ns FROM application_cache;
-- name: agg_array_agg_empty_is_null
SELECT ARRAY_AGG(session_id ORDER BY session_id) AS s FROM user_sessions WHERE page_views > 1000;
-- name: agg_bool_and_or
SELECT user_id, BOOL_AND(active) AS all_active, BOOL_OR(mfa_verified) AS any_mfa, EVERY(page_views > 0) AS all_pos FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: agg_bool_and_no_rows
SELECT BOOL_AND(active) AS a, BOOL_OR(active) AS o FROM user_sessions WHERE user_id = 'nobody';
-- name: agg_json_agg_ordered
SELECT namespace, JSON_AGG(hit_count ORDER BY cache_key) AS hits FROM application_cache GROUP BY namespace ORDER BY namespace;
-- name: agg_json_object_agg_ordered
SELECT JSON_OBJECT_AGG(cache_key, hit_count ORDER BY cache_key) AS o FROM application_cache WHERE priority > 2;
-- name: agg_jsonb_object_agg_key_order
SELECT namespace, JSONB_OBJECT_AGG(cache_key, data_size) AS o FROM application_cache WHERE namespace IS NOT NULL GROUP BY namespace ORDER BY namespace;
-- name: agg_json_object_agg_numeric_key
SELECT JSON_OBJECT_AGG(page_views, session_id ORDER BY session_id) AS o FROM user_sessions WHERE user_id = 'u04' AND page_views IS NOT NULL;
-- name: json_build_object_columns
SELECT session_id, JSON_BUILD_OBJECT('user', user_id, 'views', page_views, 'active', active) AS j FROM user_sessions ORDER BY session_id;
-- name: json_build_object_nested
SELECT session_id, JSON_BUILD_OBJECT('id', session_id, 'prefs', JSON_BUILD_OBJECT('theme', session_data->'preferences'->>'theme', 'risk', risk_score)) AS j FROM user_sessions ORDER BY session_id;
-- name: jsonb_build_object_sorted_keys
SELECT cache_key, JSONB_BUILD_OBJECT('namespace', namespace, 'ns', namespace, 'hits', hit_count) AS j FROM application_cache ORDER BY cache_key;
-- name: json_build_object_over_group
SELECT user_id, JSON_BUILD_OBJECT('n', COUNT(*), 'views', SUM(page_views), 'max_risk', MAX(risk_score)) AS stats FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: json_build_object_constants
SELECT session_id, JSON_BUILD_OBJECT('kind', 'session', 'one', 1, 'none', NULL) AS j FROM user_sessions WHERE page_views > 55 ORDER BY session_id;
-- name: json_object_agg_of_build_object
SELECT JSON_OBJECT_AGG(session_id, JSON_BUILD_OBJECT('user', user_id, 'views', page_views) ORDER BY session_id) AS o FROM user_sessions WHERE page_views > 50;
-- name: json_extract_path_text
SELECT session_id, JSONB_EXTRACT_PATH_TEXT(session_data, 'preferences', 'theme') AS theme FROM user_sessions ORDER BY session_id;
-- name: json_extract_path_object
SELECT cache_key, JSONB_EXTRACT_PATH(value, 'meta') AS meta FROM application_cache ORDER BY cache_key;
-- name: json_array_length_items
SELECT session_id, JSONB_ARRAY_LENGTH(session_data->'shoppingCart'->'items') AS n FROM user_sessions ORDER BY session_id;
-- name: array_constructor_columns
SELECT session_id, ARRAY[user_id, login_method] AS pair FROM user_sessions ORDER BY session_id;
-- name: array_constructor_cast_text
SELECT session_id, ARRAY[CASE WHEN page_views > 30 THEN 'busy' END, CASE WHEN risk_score > 0.5 THEN 'risky' END]::TEXT[] AS flags FROM user_sessions ORDER BY session_id;
-- name: array_agg_window_join
SELECT a.user_id, ARRAY_AGG(c.cache_key ORDER BY c.cache_key) AS keys FROM user_sessions a JOIN application_cache c ON c.priority = a.page_views GROUP BY a.user_id ORDER BY a.user_id;

-- ===== joins, windows and set operations: more edge cases =====
-- name: join_left_condition_on_outer_only
SELECT a.session_id, COUNT(b.cache_key) AS n FROM user_sessions a LEFT JOIN application_cache b ON a.page_views > 55 AND b.priority = 5 GROUP BY a.session_id ORDER BY a.session_id;
-- name: join_false_condition_inner_is_empty
SELECT a.session_id FROM user_sessions a JOIN user_sessions b ON 1 = 0;
-- name: join_having_on_joined_aggregate
SELECT a.user_id, COUNT(DISTINCT b.device_fingerprint) AS fps FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id GROUP BY a.user_id HAVING COUNT(DISTINCT b.device_fingerprint) > 1 ORDER BY a.user_id;
-- name: join_order_by_joined_desc_nulls_last
SELECT a.session_id, b.data_size AS ds FROM user_sessions a LEFT JOIN application_cache b ON b.priority = a.page_views ORDER BY ds DESC NULLS LAST, a.session_id, b.cache_key;
-- name: join_params_free_bool_join_key
SELECT a.session_id, b.session_id AS other FROM user_sessions a JOIN user_sessions b ON a.mfa_verified = b.mfa_verified AND a.active = b.active AND a.session_id < b.session_id WHERE a.page_views > 50 ORDER BY a.session_id, other;
-- name: win_rows_unbounded_start_only
SELECT session_id, COUNT(*) OVER (ORDER BY session_id ROWS UNBOUNDED PRECEDING) AS n FROM user_sessions ORDER BY session_id;
-- name: win_range_current_row_peers_only
SELECT session_id, COUNT(*) OVER (ORDER BY login_method RANGE CURRENT ROW) AS peers FROM user_sessions ORDER BY session_id;
-- name: win_first_value_desc_nulls_last
SELECT session_id, FIRST_VALUE(session_id) OVER (PARTITION BY user_id ORDER BY risk_score DESC NULLS LAST, session_id DESC) AS riskiest FROM user_sessions ORDER BY session_id;
-- name: win_partition_by_json_path
SELECT session_id, COUNT(*) OVER (PARTITION BY session_data->'preferences'->>'theme') AS same_theme FROM user_sessions ORDER BY session_id;
-- name: win_running_sum_timestamp_nulls
SELECT session_id, SUM(actions_performed) OVER (ORDER BY last_accessed) AS s FROM user_sessions ORDER BY session_id;
-- name: win_dense_rank_text_desc
SELECT cache_key, DENSE_RANK() OVER (ORDER BY namespace DESC) AS dr FROM application_cache ORDER BY cache_key;
-- name: win_avg_sliding_partition
SELECT cache_key, AVG(score) OVER (PARTITION BY namespace ORDER BY cache_key ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS a FROM application_cache ORDER BY cache_key;
-- name: setop_union_with_window_side
SELECT session_id AS k, ROW_NUMBER() OVER (ORDER BY session_id) AS n FROM user_sessions WHERE page_views > 50 UNION ALL SELECT cache_key, hit_count FROM application_cache WHERE hit_count > 200 ORDER BY k;
-- name: setop_except_with_nulls
SELECT login_method FROM user_sessions EXCEPT SELECT login_method FROM user_sessions WHERE page_views > 10 ORDER BY login_method;
-- name: setop_intersect_two_columns
SELECT user_id, active FROM user_sessions WHERE page_views > 20 INTERSECT SELECT user_id, active FROM user_sessions WHERE risk_score > 0.2 ORDER BY user_id, active;
-- name: setop_union_limit_offset
SELECT user_id AS u FROM user_sessions UNION SELECT namespace FROM application_cache ORDER BY u DESC LIMIT 4 OFFSET 2;
-- ===== INSERT ... ON CONFLICT (row counts: inserted + updated; DO NOTHING counts inserted rows only) =====
-- name: upsert_do_nothing
INSERT INTO user_sessions (session_id, user_id, page_views) VALUES ('s001', 'zz', 1), ('s999', 'zz', 2) ON CONFLICT (session_id) DO NOTHING;
SELECT session_id, user_id, page_views FROM user_sessions ORDER BY session_id;
-- name: upsert_do_nothing_all_conflict
INSERT INTO user_sessions (session_id, user_id) VALUES ('s001', 'zz'), ('s002', 'zz') ON CONFLICT (session_id) DO NOTHING;
SELECT COUNT(*) AS n FROM user_sessions WHERE user_id = 'zz';
-- name: upsert_do_update_excluded
INSERT INTO user_sessions (session_id, user_id, page_views) VALUES ('s002', 'zz', 1), ('s998', 'yy', 2) ON CONFLICT (session_id) DO UPDATE SET user_id = EXCLUDED.user_id;
SELECT session_id, user_id, page_views FROM user_sessions ORDER BY session_id;
-- name: upsert_do_update_existing_row
INSERT INTO user_sessions (session_id, page_views) VALUES ('s003', 1), ('s997', 4) ON CONFLICT (session_id) DO UPDATE SET page_views = COALESCE(user_sessions.page_views, 0) + EXCLUDED.page_views, login_method = 'upsert';
SELECT session_id, page_views, login_method FROM user_sessions ORDER BY session_id;
-- name: upsert_do_update_computed
INSERT INTO user_sessions (session_id, expires_at, page_views) VALUES ('s004', TIMESTAMPTZ '2026-11-22T10:00:00Z' + INTERVAL '1 hour', 3), ('s996', TIMESTAMPTZ '2026-11-22T10:00:00Z' + INTERVAL '2 hours', 4) ON CONFLICT (session_id) DO UPDATE SET expires_at = EXCLUDED.expires_at + INTERVAL '1 day', page_views = user_sessions.page_views * 2;
SELECT session_id, expires_at, page_views FROM user_sessions ORDER BY session_id;
-- name: upsert_do_update_identical_values_count
INSERT INTO application_cache (cache_key, hit_count) VALUES ('zz:1', 1) ON CONFLICT (cache_key) DO NOTHING;
INSERT INTO application_cache (cache_key, hit_count) VALUES ('zz:1', 1) ON CONFLICT (cache_key) DO UPDATE SET hit_count = EXCLUDED.hit_count;
SELECT cache_key, hit_count FROM application_cache WHERE cache_key = 'zz:1';
-- name: upsert_do_update_where
INSERT INTO user_sessions (session_id, user_id, page_views) VALUES ('s005', 'zz', 1000), ('s006', 'zz', 0), ('s995', 'zz', 1) ON CONFLICT (session_id) DO UPDATE SET page_views = EXCLUDED.page_views, user_id = EXCLUDED.user_id WHERE user_sessions.page_views < EXCLUDED.page_views;
SELECT session_id, user_id, page_views FROM user_sessions ORDER BY session_id;
-- name: upsert_do_update_where_null_existing
INSERT INTO user_sessions (session_id, risk_score) VALUES ('s007', 0.5), ('s008', 0.5), ('s009', 0.5), ('s010', 0.5) ON CONFLICT (session_id) DO UPDATE SET risk_score = EXCLUDED.risk_score WHERE user_sessions.risk_score IS NULL OR user_sessions.risk_score > EXCLUDED.risk_score;
SELECT session_id, risk_score FROM user_sessions ORDER BY session_id;
-- name: win_rank_mixed_directions
SELECT session_id, RANK() OVER (ORDER BY user_id, page_views DESC) AS r FROM user_sessions ORDER BY session_id;
-- name: win_dense_rank_mixed_directions_partition
SELECT session_id, DENSE_RANK() OVER (PARTITION BY active ORDER BY login_method DESC, risk_score) AS dr FROM user_sessions ORDER BY session_id;
-- name: win_sum_mixed_directions_peers
SELECT session_id, SUM(page_views) OVER (ORDER BY login_method DESC NULLS LAST, mfa_verified) AS s FROM user_sessions ORDER BY session_id;
-- name: win_row_number_mixed_directions
SELECT session_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY page_views DESC NULLS LAST, session_id ASC) AS rn FROM user_sessions ORDER BY session_id;
-- name: agg_string_agg_mixed_directions
SELECT user_id, STRING_AGG(session_id, ',' ORDER BY active DESC, session_id) AS s FROM user_sessions GROUP BY user_id ORDER BY user_id;
-- name: agg_array_agg_mixed_directions_nulls
SELECT ARRAY_AGG(page_views ORDER BY login_method NULLS FIRST, page_views DESC) AS v FROM user_sessions WHERE user_id IN ('u01', 'u05');
-- name: win_ntile_uneven
SELECT session_id, NTILE(7) OVER (ORDER BY session_id) AS bucket FROM user_sessions ORDER BY session_id;
-- name: win_ntile_more_buckets_than_rows
SELECT session_id, NTILE(5) OVER (PARTITION BY user_id ORDER BY session_id) AS bucket FROM user_sessions ORDER BY session_id;
-- name: win_ntile_bucket_counts_each_partition_size
SELECT session_id, NTILE(1) OVER (PARTITION BY user_id ORDER BY session_id) AS b1, NTILE(2) OVER (PARTITION BY user_id ORDER BY session_id) AS b2, NTILE(3) OVER (PARTITION BY login_method ORDER BY session_id) AS b3, NTILE(13) OVER (PARTITION BY active ORDER BY session_id) AS b13, NTILE(4) OVER (ORDER BY page_views NULLS FIRST, session_id DESC) AS b4, NTILE(1000) OVER (ORDER BY session_id) AS bbig FROM user_sessions ORDER BY session_id;
-- name: win_ntile_one_row
SELECT s.session_id, NTILE(3) OVER (ORDER BY s.session_id) AS b FROM user_sessions s WHERE s.session_id = (SELECT MIN(session_id) FROM user_sessions);
-- name: win_ntile_no_rows
SELECT session_id, NTILE(2) OVER (ORDER BY session_id) AS b FROM user_sessions WHERE page_views < 0;
-- name: win_nth_value_frames
SELECT session_id, NTH_VALUE(session_id, 2) OVER (PARTITION BY user_id ORDER BY session_id) AS second_so_far, NTH_VALUE(page_views, 3) OVER (PARTITION BY user_id ORDER BY session_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS third FROM user_sessions ORDER BY session_id;
-- name: join_right_two_tables
SELECT c.cache_key, s.session_id FROM user_sessions s RIGHT JOIN application_cache c ON s.page_views = c.priority ORDER BY c.cache_key, s.session_id;
-- name: join_right_outer_where_left_null
SELECT c.cache_key FROM user_sessions s RIGHT OUTER JOIN application_cache c ON s.actions_performed = c.hit_count WHERE s.session_id IS NULL ORDER BY c.cache_key;
-- name: join_full_two_tables
SELECT s.session_id, c.cache_key FROM user_sessions s FULL OUTER JOIN application_cache c ON s.page_views = c.hit_count ORDER BY s.session_id, c.cache_key;
-- name: join_full_counts
SELECT COUNT(*) AS n, COUNT(s.session_id) AS with_s, COUNT(c.cache_key) AS with_c FROM user_sessions s FULL JOIN application_cache c ON s.page_views = c.priority AND c.score > 0;
-- name: join_full_self_null_keys
SELECT a.session_id AS l, b.session_id AS r FROM user_sessions a FULL JOIN user_sessions b ON a.device_fingerprint = b.device_fingerprint AND a.session_id < b.session_id AND a.page_views > 50 ORDER BY l, r;
-- name: join_using_unqualified_merged_column
SELECT user_id, a.session_id, b.session_id AS other FROM user_sessions a JOIN user_sessions b USING (user_id) WHERE a.session_id < b.session_id ORDER BY user_id, a.session_id, other;
-- name: join_using_left_two_columns
SELECT a.session_id, user_id, login_method, b.session_id AS other FROM user_sessions a LEFT JOIN user_sessions b USING (user_id, login_method) WHERE a.page_views > 45 ORDER BY a.session_id, other;
-- name: join_using_three_tables_group
SELECT user_id, COUNT(*) AS n FROM user_sessions a JOIN user_sessions b USING (user_id) JOIN user_sessions c USING (user_id) GROUP BY user_id ORDER BY user_id;
-- name: join_where_pushdown_mixed_conjuncts
SELECT a.session_id, b.session_id AS other FROM user_sessions a LEFT JOIN user_sessions b ON a.user_id = b.user_id AND a.session_id <> b.session_id WHERE a.page_views > 40 AND (b.active OR b.session_id IS NULL) AND a.risk_score >= 0 ORDER BY a.session_id, other;
-- name: join_full_where_left_is_null_keeps_right_only
SELECT s.session_id, c.cache_key FROM user_sessions s FULL JOIN application_cache c ON s.page_views = c.priority WHERE s.page_views IS NULL ORDER BY s.session_id, c.cache_key;
-- name: join_right_where_on_preserved_side
SELECT c.cache_key, s.session_id FROM user_sessions s RIGHT JOIN application_cache c ON s.page_views = c.priority WHERE c.hit_count > 50 ORDER BY c.cache_key, s.session_id;
-- name: win_filter_on_window_aggregates
SELECT session_id, COUNT(*) FILTER (WHERE active) OVER (PARTITION BY user_id) AS n_active, SUM(page_views) FILTER (WHERE mfa_verified) OVER (ORDER BY session_id ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS mfa_views, MAX(risk_score) FILTER (WHERE login_method = 'sso') OVER () AS sso_max FROM user_sessions ORDER BY session_id;
-- name: win_partition_by_array_column
SELECT cache_key, COUNT(*) OVER (PARTITION BY tags) AS same_tags FROM application_cache ORDER BY cache_key;
-- name: select_numeric_and_boolean_constants
SELECT session_id, 1 AS one, TRUE AS t, 'x' AS s FROM user_sessions ORDER BY session_id LIMIT 2;
-- name: setop_union_constant_columns
SELECT 1 AS k, user_id FROM user_sessions WHERE page_views > 55 UNION SELECT 2, namespace FROM application_cache WHERE priority = 5 ORDER BY k, user_id;
-- name: win_named_window_clause
SELECT session_id, ROW_NUMBER() OVER w AS rn, SUM(page_views) OVER w AS running, COUNT(*) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS last2 FROM user_sessions WINDOW w AS (PARTITION BY user_id ORDER BY session_id) ORDER BY session_id;
-- name: win_named_window_add_order
SELECT session_id, RANK() OVER (p ORDER BY page_views DESC) AS r FROM user_sessions WINDOW p AS (PARTITION BY active) ORDER BY session_id;
-- name: win_range_offsets_numeric
SELECT session_id, COUNT(*) OVER (ORDER BY page_views RANGE BETWEEN 5 PRECEDING AND 5 FOLLOWING) AS near, SUM(actions_performed) OVER (ORDER BY page_views RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) AS s FROM user_sessions ORDER BY session_id;
-- name: win_range_offsets_desc_partition
SELECT session_id, COUNT(*) OVER (PARTITION BY active ORDER BY page_views DESC RANGE BETWEEN 3 PRECEDING AND 1 FOLLOWING) AS n FROM user_sessions ORDER BY session_id;
-- name: win_range_offsets_nulls_first_unbounded
SELECT session_id, COUNT(*) OVER (ORDER BY actions_performed NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING) AS n, MAX(risk_score) OVER (ORDER BY actions_performed RANGE BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING) AS m FROM user_sessions ORDER BY session_id;
-- name: join_on_array_columns_empty_arrays_match
UPDATE user_sessions SET tags = ARRAY[]::TEXT[] WHERE session_id IN ('s001', 's002');
SELECT a.session_id, b.session_id AS other FROM user_sessions a JOIN user_sessions b ON a.tags = b.tags AND a.session_id < b.session_id ORDER BY a.session_id, other;
-- name: win_array_agg_running
SELECT session_id, ARRAY_AGG(page_views) OVER (PARTITION BY user_id ORDER BY session_id) AS so_far FROM user_sessions ORDER BY session_id;
-- name: win_string_agg_rows_frame_filter
SELECT session_id, STRING_AGG(login_method, '>') OVER (ORDER BY session_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS last3, STRING_AGG(session_id, ',') FILTER (WHERE active) OVER (PARTITION BY user_id ORDER BY session_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS active_ids FROM user_sessions ORDER BY session_id;
-- name: win_json_agg_and_bool_window
SELECT session_id, JSON_AGG(risk_score) OVER (ORDER BY session_id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) AS next2, BOOL_AND(active) OVER (PARTITION BY user_id) AS all_active, BOOL_OR(mfa_verified) FILTER (WHERE page_views > 10) OVER (PARTITION BY user_id) AS some_mfa FROM user_sessions ORDER BY session_id;
-- name: subquery_in_query_with_joins
SELECT a.session_id, c.cache_key FROM user_sessions a JOIN application_cache c ON c.priority = a.page_views WHERE a.user_id IN (SELECT o.user_id FROM user_sessions o WHERE o.risk_score > 0.5) ORDER BY a.session_id, c.cache_key;
-- name: correlated_to_joined_table
SELECT a.session_id, c.cache_key FROM user_sessions a LEFT JOIN application_cache c ON c.priority = a.page_views WHERE NOT EXISTS (SELECT 1 FROM user_sessions o WHERE o.page_views = c.hit_count) ORDER BY a.session_id, c.cache_key NULLS FIRST;
-- name: scalar_subquery_correlated_with_join_select
SELECT a.session_id, (SELECT COUNT(*) FROM application_cache x WHERE x.namespace = c.namespace) AS same_ns FROM user_sessions a JOIN application_cache c ON c.priority = a.page_views ORDER BY a.session_id, same_ns;
-- name: window_in_derived_table_in_subquery
SELECT session_id FROM user_sessions WHERE session_id IN (SELECT session_id FROM (SELECT session_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at DESC, session_id DESC) AS rn FROM user_sessions) t WHERE rn = 1) ORDER BY session_id;
-- name: window_and_scalar_subquery_in_select
SELECT session_id, ROW_NUMBER() OVER (ORDER BY session_id) AS rn, (SELECT COUNT(*) FROM application_cache c WHERE c.priority = s.page_views) AS n FROM user_sessions s ORDER BY session_id;
-- name: window_inside_scalar_subquery
SELECT s.session_id, (SELECT MAX(r) FROM (SELECT RANK() OVER (ORDER BY hit_count DESC NULLS LAST) AS r FROM application_cache) t) AS ranks FROM user_sessions s ORDER BY s.session_id LIMIT 3;
-- name: cte_with_window_then_filter
WITH ranked AS (SELECT user_id, session_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY page_views DESC NULLS LAST, session_id DESC) AS rn FROM user_sessions) SELECT user_id, session_id FROM ranked WHERE rn = 1 ORDER BY user_id NULLS FIRST;
-- name: union_in_in_subquery
SELECT session_id FROM user_sessions WHERE user_id IN (SELECT user_id FROM user_sessions WHERE page_views > 40 UNION SELECT ac.namespace FROM application_cache ac) ORDER BY session_id;
-- name: join_table_to_grouped_cte
WITH per_user AS (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) SELECT s.session_id, p.n FROM user_sessions s JOIN per_user p ON p.user_id = s.user_id ORDER BY s.session_id;
-- name: left_join_derived_table
SELECT c.cache_key, t.n FROM application_cache c LEFT JOIN (SELECT page_views, COUNT(*) AS n FROM user_sessions GROUP BY page_views) t ON t.page_views = c.hit_count ORDER BY c.cache_key;
-- name: join_cte_first
WITH hot AS (SELECT cache_key, priority FROM application_cache WHERE hit_count > 100) SELECT h.cache_key, s.session_id FROM hot h JOIN user_sessions s ON s.page_views = h.priority ORDER BY h.cache_key, s.session_id;
-- name: join_two_ctes_renamed_columns
WITH a AS (SELECT user_id AS u, page_views AS pv FROM user_sessions), b AS (SELECT namespace AS ns, hit_count AS hc FROM application_cache) SELECT a.u, b.ns FROM a JOIN b ON b.hc = a.pv ORDER BY a.u NULLS FIRST, b.ns NULLS FIRST;
-- name: join_cte_first_where_on_computed_column
WITH x AS (SELECT user_id AS u, page_views + 1 AS p, session_id AS sid FROM user_sessions) SELECT x.sid, x.p, a.session_id FROM x JOIN user_sessions a ON x.u = a.user_id WHERE x.u = 'u03' AND x.p > 3 ORDER BY 1, 3;
-- name: join_derived_first_where_on_renamed_column
SELECT d.k, d.n, c.cache_key FROM (SELECT page_views AS k, COALESCE(actions_performed, -1) AS n FROM user_sessions) d JOIN application_cache c ON c.priority = d.k WHERE d.n >= 0 AND d.k < 4 ORDER BY 1, 2, 3;
-- name: join_null_keys_of_first_table_with_where
SELECT s.session_id, t.session_id AS other FROM user_sessions s JOIN user_sessions t ON s.user_id = t.user_id AND s.page_views < t.page_views WHERE s.active ORDER BY 1, 2;
-- name: join_null_keys_first_table_in_list_and_like
SELECT s.session_id, c.cache_key FROM user_sessions s JOIN application_cache c ON s.page_views IN (1, 2, 3) AND s.user_id LIKE 'u0%' AND c.priority = s.page_views ORDER BY 1, 2;
-- ===== issue 13: silently wrong results =====
-- name: order_by_using_gt
SELECT session_id, page_views FROM user_sessions ORDER BY page_views USING >, session_id;
-- name: order_by_using_lt_nulls_first
SELECT session_id, risk_score FROM user_sessions ORDER BY risk_score USING < NULLS FIRST, session_id;
-- name: union_order_by_using_gt
SELECT user_id FROM user_sessions UNION SELECT namespace FROM application_cache ORDER BY 1 USING >;
-- name: window_order_by_using_gt
SELECT session_id, ROW_NUMBER() OVER (ORDER BY page_views USING >, session_id) AS r FROM user_sessions ORDER BY session_id;
-- name: group_by_null_and_missing_one_group
SELECT ip_address, COUNT(*) AS n FROM user_sessions GROUP BY ip_address ORDER BY ip_address;
-- name: group_by_two_keys_null_and_missing
SELECT ip_address, device_fingerprint IS NULL AS nofp, COUNT(*) AS n FROM user_sessions GROUP BY 1, 2 ORDER BY 1, 2;
-- name: distinct_null_and_missing_one_row
SELECT DISTINCT ip_address FROM user_sessions ORDER BY ip_address;
-- name: delete_from_only
DELETE FROM ONLY application_cache WHERE namespace = 'api';
SELECT cache_key FROM application_cache ORDER BY cache_key;
-- name: update_only_replace_empty_pattern
UPDATE ONLY user_sessions SET login_method = REPLACE(login_method, '', '-');
SELECT session_id, login_method FROM user_sessions ORDER BY session_id;
-- name: select_from_only
SELECT session_id FROM ONLY user_sessions WHERE page_views = 10 ORDER BY session_id;
-- name: replace_empty_pattern
SELECT session_id, REPLACE(user_id, '', 'x') AS r, REPLACE(user_id, '', NULL) AS n, REPLACE(user_id, 'u', '') AS d FROM user_sessions ORDER BY session_id;
-- name: round_extreme_places
SELECT ROUND(2.5, 308) AS a, ROUND(2.5, 400) AS b, ROUND(123.456, -400) AS c, ROUND(-2.5, 21) AS d, ROUND(123.456, -21) AS e, ROUND(6e29::numeric, -30) AS f;
-- name: round_extreme_places_of_a_column
SELECT cache_key, ROUND(hit_count, 40) AS a, ROUND(hit_count, -40) AS b FROM application_cache ORDER BY cache_key;
-- ===== INSERT ... SELECT (issue 16: two steps, the query then an insert of its rows) =====
-- name: insert_select_archive_then_read
CREATE TABLE archived (sid TEXT, uid TEXT, views INTEGER);
INSERT INTO archived (sid, uid, views) SELECT session_id, user_id, page_views FROM user_sessions WHERE page_views > 20;
SELECT sid, uid, views FROM archived ORDER BY sid;
-- name: insert_select_aggregate_summary
CREATE TABLE per_user (uid TEXT, n BIGINT, views BIGINT);
INSERT INTO per_user (uid, n, views) SELECT user_id, COUNT(*), SUM(page_views) FROM user_sessions GROUP BY user_id;
SELECT uid, n, views FROM per_user ORDER BY uid NULLS FIRST;
-- name: insert_select_nothing
CREATE TABLE none_here (k TEXT);
INSERT INTO none_here (k) SELECT session_id FROM user_sessions WHERE page_views > 1000000;
SELECT COUNT(*) AS n FROM none_here;
-- name: insert_select_limit_and_constants
CREATE TABLE top3 (k TEXT, tag TEXT);
INSERT INTO top3 (k, tag) SELECT session_id, 'top' FROM user_sessions ORDER BY page_views DESC NULLS LAST, session_id LIMIT 3;
INSERT INTO top3 (k, tag) SELECT 'literal', NULL;
SELECT k, tag FROM top3 ORDER BY k;
-- name: insert_select_into_existing_rows
INSERT INTO application_cache (cache_key, namespace, hit_count) SELECT 'copy:' || session_id, 'copies', page_views FROM user_sessions WHERE user_id = 'u1';
SELECT cache_key, namespace, hit_count FROM application_cache WHERE namespace = 'copies' ORDER BY cache_key;
-- ===== CREATE TABLE ... AS (issue 16: create, the query into $out, count) =====
-- name: create_table_as_summary
CREATE TABLE per_user_as AS SELECT user_id, COUNT(*) AS n, MAX(page_views) AS top FROM user_sessions GROUP BY user_id;
SELECT user_id, n, top FROM per_user_as ORDER BY user_id NULLS FIRST;
-- name: create_table_as_renamed_columns
CREATE TABLE renamed_as AS SELECT session_id AS sid, page_views AS views FROM user_sessions WHERE active ORDER BY session_id LIMIT 4;
SELECT sid, views FROM renamed_as ORDER BY sid;
-- name: create_table_as_empty
CREATE TABLE empty_as AS SELECT session_id FROM user_sessions WHERE page_views > 1000000;
SELECT COUNT(*) AS n FROM empty_as;
-- ===== Materialized views (issue 16: a collection filled by $out from a definition view) =====
-- name: matview_create_read_refresh
CREATE MATERIALIZED VIEW mv_users AS SELECT user_id, COUNT(*) AS n, SUM(page_views) AS views FROM user_sessions GROUP BY user_id;
SELECT user_id, n, views FROM mv_users ORDER BY user_id NULLS FIRST;
INSERT INTO user_sessions (session_id, user_id, page_views) VALUES ('mv1', 'u1', 1000), ('mv2', 'new_user', 1);
SELECT user_id, n, views FROM mv_users ORDER BY user_id NULLS FIRST;
REFRESH MATERIALIZED VIEW mv_users;
SELECT user_id, n, views FROM mv_users ORDER BY user_id NULLS FIRST;
-- name: matview_refresh_concurrently_and_drop
CREATE MATERIALIZED VIEW mv_active AS SELECT session_id, page_views FROM user_sessions WHERE active;
CREATE UNIQUE INDEX mv_active_sid ON mv_active (session_id);
DELETE FROM user_sessions WHERE active AND page_views > 10;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_active;
SELECT session_id, page_views FROM mv_active ORDER BY session_id;
DROP MATERIALIZED VIEW mv_active;
-- name: join_anti_left_is_null_null_keys_duplicates
CREATE TABLE aj_a (id INTEGER, k INTEGER, v TEXT);
CREATE TABLE aj_b (id INTEGER, k INTEGER, w TEXT);
INSERT INTO aj_a (id, k, v) VALUES (1, 1, 'x'), (2, 2, NULL), (3, NULL, 'y'), (4, 4, 'z'), (5, 1, 'q'), (6, NULL, NULL);
INSERT INTO aj_b (id, k, w) VALUES (10, 1, 'p'), (11, 1, NULL), (12, NULL, 'n'), (13, 2, NULL), (14, NULL, NULL), (15, 5, 'r');
SELECT a.id, a.k, b.k AS bk FROM aj_a a LEFT JOIN aj_b b ON a.k = b.k WHERE b.k IS NULL ORDER BY a.id;
SELECT a.id FROM aj_a a LEFT JOIN aj_b b ON b.k = a.k AND b.id > 10 WHERE b.k IS NULL AND a.id < 6 ORDER BY a.id;
SELECT a.id, b.w FROM aj_a a LEFT JOIN aj_b b ON a.k = b.k WHERE b.w IS NULL ORDER BY a.id, b.w;
SELECT a.id FROM aj_a a LEFT JOIN aj_b b ON a.k = b.k OR a.id = 6 WHERE b.k IS NULL ORDER BY a.id;
SELECT a.id FROM aj_a a LEFT JOIN aj_b b ON a.id < b.id AND a.k <> b.k WHERE b.id IS NULL ORDER BY a.id DESC LIMIT 2;
SELECT count(*) AS n FROM aj_a a LEFT JOIN aj_b b ON a.k = b.k WHERE b.k IS NULL;
