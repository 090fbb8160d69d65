-- analytics.sql: the seed's session and cache dashboards, as far as the dialect reaches today.
-- Run after sessions.sql and cache.sql on the same database (the tests do), or alone.
--
-- The seed writes its dashboard as one statement: a chain of CTEs (session_analytics -> session_aggregations,
-- cache_performance -> cache_analytics), a CROSS JOIN of the two, JSON_OBJECT / JSON_EXTRACT /
-- JSON_ARRAY_LENGTH, and a cache_session_health_monitor view. CTEs, joins, subqueries and views are on the
-- CTE/subquery issue, the JSON functions on the dialect issue; here each CTE's aggregate is one query over one
-- collection, with the CTE's computed columns written inline.

-- Some history so the dashboards have data (idempotent: ON CONFLICT DO NOTHING).
INSERT INTO user_sessions (session_id, user_id, created_at, last_accessed, expires_at, ip_address, device_fingerprint,
                           login_method, mfa_verified, risk_score, page_views, actions_performed, data_transferred, cart_total)
VALUES
  ('hist-1', 'erin', NOW() - INTERVAL '3 hours', NOW() - INTERVAL '2 minutes', NOW() + INTERVAL '28 minutes', '10.1.0.1', 'fp-1', 'password', true, 0.10, 40, 12, 5242880, 59.90),
  ('hist-2', 'erin', NOW() - INTERVAL '2 hours', NOW() - INTERVAL '20 minutes', NOW() + INTERVAL '10 minutes', '10.1.0.1', 'fp-1', 'password', true, 0.20, 8, 2, 1048576, 0),
  ('hist-3', 'frank', NOW() - INTERVAL '5 hours', NOW() - INTERVAL '90 minutes', NOW() + INTERVAL '1 day', '10.1.0.2', 'fp-2', 'sso', false, 0.85, 15, 4, 3145728, 120.00),
  ('hist-4', 'grace', NOW() - INTERVAL '26 hours', NOW() - INTERVAL '25 hours', NOW() - INTERVAL '24 hours', '10.1.0.3', 'fp-3', 'oauth', false, 0.40, 3, 0, 10240, NULL)
ON CONFLICT (session_id) DO NOTHING;

INSERT INTO application_cache (cache_key, namespace, data, tags, data_size, hit_count, miss_count, created_at, last_accessed, expires_at)
VALUES
  ('report:daily', 'reports', '{"rows": 1000}'::jsonb, ARRAY['report'], 2097152, 150, 10, NOW() - INTERVAL '2 hours', NOW(), NOW() + INTERVAL '46 hours'),
  ('report:weekly', 'reports', '{"rows": 7000}'::jsonb, ARRAY['report'], 204800, 12, 3, NOW() - INTERVAL '1 hour', NOW() - INTERVAL '10 minutes', NOW() + INTERVAL '30 minutes'),
  ('report:unused', 'reports', '{"rows": 0}'::jsonb, ARRAY['report'], 20480, 0, 5, NOW() - INTERVAL '10 minutes', NOW() - INTERVAL '10 minutes', NOW() + INTERVAL '20 minutes')
ON CONFLICT (cache_key) DO NOTHING;

-- Session overview (the seed's session_aggregations over session_analytics), live sessions only.
SELECT
  COUNT(*) AS total_active_sessions,
  COUNT(DISTINCT user_id) AS unique_active_users,
  ROUND(AVG(EXTRACT(EPOCH FROM last_accessed - created_at) / 60)::NUMERIC, 2) AS avg_session_duration_minutes,
  COUNT(*) FILTER (WHERE last_accessed > CURRENT_TIMESTAMP - INTERVAL '5 minutes') AS active_sessions,
  COUNT(*) FILTER (WHERE last_accessed <= CURRENT_TIMESTAMP - INTERVAL '5 minutes'
                     AND last_accessed > CURRENT_TIMESTAMP - INTERVAL '30 minutes') AS recent_sessions,
  COUNT(*) FILTER (WHERE last_accessed <= CURRENT_TIMESTAMP - INTERVAL '30 minutes'
                     AND last_accessed > CURRENT_TIMESTAMP - INTERVAL '2 hours') AS idle_sessions,
  COUNT(*) FILTER (WHERE last_accessed <= CURRENT_TIMESTAMP - INTERVAL '2 hours') AS stale_sessions,
  AVG(cart_total) FILTER (WHERE cart_total > 0) AS avg_cart_value,
  COUNT(*) FILTER (WHERE risk_score > 0.7) AS high_risk_sessions,
  COUNT(*) FILTER (WHERE mfa_verified = true) AS mfa_verified_sessions,
  COUNT(DISTINCT device_fingerprint) AS unique_devices,
  COUNT(DISTINCT ip_address) AS unique_ip_addresses,
  SUM(page_views) AS total_page_views,
  SUM(actions_performed) AS total_actions,
  ROUND(AVG(page_views)::NUMERIC, 2) AS avg_page_views_per_session,
  SUM(data_transferred) / (1024 * 1024) AS total_data_mb_transferred
FROM user_sessions
WHERE expires_at > CURRENT_TIMESTAMP;

-- Session status distribution (the seed's session_status CASE), grouped by the expression.
SELECT
  CASE
    WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '5 minutes' THEN 'active'
    WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '30 minutes' THEN 'recent'
    WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '2 hours' THEN 'idle'
    ELSE 'stale'
  END AS session_status,
  COUNT(*) AS sessions
FROM user_sessions
WHERE expires_at > CURRENT_TIMESTAMP
GROUP BY 1
ORDER BY 1;

-- Security: sessions and average risk per login method (NULL method last, as PostgreSQL sorts).
SELECT login_method, COUNT(*) AS sessions, ROUND(AVG(risk_score)::NUMERIC, 2) AS avg_risk,
       COUNT(*) FILTER (WHERE mfa_verified) AS with_mfa
FROM user_sessions
GROUP BY login_method
ORDER BY login_method NULLS LAST;

-- Sessions created per hour of the day (DATE_TRUNC), with distinct users.
SELECT DATE_TRUNC('hour', created_at) AS hour, COUNT(*) AS sessions, COUNT(DISTINCT user_id) AS users
FROM user_sessions
GROUP BY DATE_TRUNC('hour', created_at)
ORDER BY hour;

-- Cache performance per entry (the seed's cache_performance).
SELECT
  cache_key,
  namespace,
  hit_count,
  EXTRACT(EPOCH FROM expires_at - created_at) / 3600 AS ttl_hours,
  EXTRACT(EPOCH FROM last_accessed - created_at) / 60 AS lifetime_minutes,
  EXTRACT(EPOCH FROM CURRENT_TIMESTAMP - last_accessed) / 60 AS idle_minutes,
  CASE
    WHEN data_size > 1024 * 1024 THEN 'large'
    WHEN data_size > 100 * 1024 THEN 'medium'
    WHEN data_size > 10 * 1024 THEN 'small'
    ELSE 'tiny'
  END AS size_category,
  CASE
    WHEN hit_count > 100 THEN 'high_traffic'
    WHEN hit_count > 10 THEN 'medium_traffic'
    WHEN hit_count > 0 THEN 'low_traffic'
    ELSE 'unused'
  END AS traffic_level,
  CASE
    WHEN hit_count = 0 THEN 'ineffective'
    WHEN hit_count / GREATEST(EXTRACT(EPOCH FROM last_accessed - created_at) / 3600, 1) > 10 THEN 'highly_effective'
    WHEN hit_count / GREATEST(EXTRACT(EPOCH FROM last_accessed - created_at) / 3600, 1) > 1 THEN 'effective'
    ELSE 'moderately_effective'
  END AS effectiveness_rating
FROM application_cache
WHERE expires_at > CURRENT_TIMESTAMP
ORDER BY hit_count DESC, cache_key;

-- Cache analytics per namespace (the seed's cache_analytics), with the hit ratio of its first dashboard.
SELECT
  namespace,
  COUNT(*) AS total_entries,
  SUM(data_size) / (1024 * 1024) AS total_size_mb,
  AVG(data_size) AS avg_entry_size_bytes,
  SUM(hit_count) AS total_hits,
  AVG(hit_count) AS avg_hits_per_entry,
  COUNT(*) FILTER (WHERE hit_count = 0) AS unused_entries,
  CASE
    WHEN SUM(hit_count + miss_count) > 0 THEN
      ROUND((SUM(hit_count)::FLOAT / SUM(hit_count + miss_count) * 100)::NUMERIC, 2)
    ELSE 0
  END AS hit_ratio_percent,
  ROUND(AVG(EXTRACT(EPOCH FROM expires_at - created_at) / 3600)::NUMERIC, 2) AS avg_ttl_hours,
  COUNT(*) FILTER (WHERE EXTRACT(EPOCH FROM expires_at - created_at) / 3600 > 24) AS long_lived_entries,
  COUNT(*) FILTER (WHERE EXTRACT(EPOCH FROM expires_at - created_at) / 3600 < 1) AS short_lived_entries,
  COUNT(*) FILTER (WHERE data_size > 1024 * 1024) AS large_entries,
  COUNT(*) FILTER (WHERE data_size > 100 * 1024 AND data_size <= 1024 * 1024) AS medium_entries,
  COUNT(*) FILTER (WHERE data_size > 10 * 1024 AND data_size <= 100 * 1024) AS small_entries,
  COUNT(*) FILTER (WHERE data_size <= 10 * 1024) AS tiny_entries,
  COUNT(*) FILTER (WHERE hit_count > 100) AS high_traffic_entries,
  COUNT(*) FILTER (WHERE hit_count > 10 AND hit_count <= 100) AS medium_traffic_entries,
  COUNT(*) FILTER (WHERE hit_count > 0 AND hit_count <= 10) AS low_traffic_entries,
  COUNT(*) FILTER (WHERE hit_count = 0) AS unused_traffic_entries
FROM application_cache
WHERE expires_at > CURRENT_TIMESTAMP
GROUP BY namespace
ORDER BY namespace;

-- Not here yet (CTE/subquery issue): the one-statement dashboard that CROSS JOINs session_aggregations with
-- cache_analytics into JSON_OBJECT columns, the per-session cart analysis with
-- JSON_ARRAY_LENGTH(JSON_EXTRACT(session_data, '$.shoppingCart.items')), and the
-- cache_session_health_monitor view.
