-- analytics.sql: the seed's session and cache dashboards.
-- Run after sessions.sql and cache.sql on the same database (the tests do), or alone.
--
-- First the dashboards one collection at a time (each CTE of the seed's dashboard as its own query), then the
-- seed's statements verbatim: the one-statement dashboard (a chain of CTEs, a CROSS JOIN of the two summaries,
-- JSON_OBJECT / JSON_EXTRACT / JSON_ARRAY_LENGTH) and the cache_session_health_monitor view with a query on it.
-- `sqlmongo translate -f examples/analytics.sql` shows the MongoDB pipelines.

-- Some history so the dashboards have data (idempotent: ON CONFLICT DO NOTHING).
INSERT INTO user_sessions (session_id, user_id, created_at, last_accessed, expires_at, ip_address, device_fingerprint,
                           login_method, mfa_verified, risk_score, page_views, actions_performed, data_transferred, cart_total, active, session_data)
VALUES
  ('hist-1', 'erin', NOW() - INTERVAL '3 hours', NOW() - INTERVAL '2 minutes', NOW() + INTERVAL '28 minutes', '10.1.0.1', 'fp-1', 'password', true, 0.10, 40, 12, 5242880, 59.90, true, '{"shoppingCart": {"items": [{"sku": "a"}, {"sku": "b"}], "total": 59.90}, "preferences": {"theme": "dark", "language": "en"}, "navigation": {"lastPage": "/checkout"}}'::jsonb),
  ('hist-2', 'erin', NOW() - INTERVAL '2 hours', NOW() - INTERVAL '20 minutes', NOW() + INTERVAL '10 minutes', '10.1.0.1', 'fp-1', 'password', true, 0.20, 8, 2, 1048576, 0, true, '{"shoppingCart": {"items": [], "total": 0}, "preferences": {"theme": "light", "language": "de"}}'::jsonb),
  ('hist-3', 'frank', NOW() - INTERVAL '5 hours', NOW() - INTERVAL '90 minutes', NOW() + INTERVAL '1 day', '10.1.0.2', 'fp-2', 'sso', false, 0.85, 15, 4, 3145728, 120.00, true, '{"shoppingCart": {"items": [{"sku": "c"}], "total": 120.00}, "preferences": {"theme": "dark"}}'::jsonb),
  ('hist-4', 'grace', NOW() - INTERVAL '26 hours', NOW() - INTERVAL '25 hours', NOW() - INTERVAL '24 hours', '10.1.0.3', 'fp-3', 'oauth', false, 0.40, 3, 0, 10240, NULL, false, NULL)
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

-- The seed's dashboard, verbatim: CTEs inlined into one pipeline per collection, the two one-row summaries
-- joined with $lookup, JSON built with $mergeObjects-free object expressions.
WITH session_analytics AS (
  SELECT 
    user_id,
    session_id,
    created_at,
    last_accessed,
    expires_at,
    ip_address,
    device_fingerprint,
    risk_score,
    
    -- Session duration analysis
    EXTRACT(EPOCH FROM last_accessed - created_at) / 60 as session_duration_minutes,
    
    -- Session status classification
    CASE 
      WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '5 minutes' THEN 'active'
      WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '30 minutes' THEN 'recent' 
      WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '2 hours' THEN 'idle'
      ELSE 'stale'
    END as session_status,
    
    -- Shopping cart analysis
    CAST(JSON_EXTRACT(session_data, '$.shoppingCart.items') AS JSONB) as cart_items,
    CAST(JSON_EXTRACT(session_data, '$.shoppingCart.total') AS DECIMAL(10,2)) as cart_total,
    
    -- User preferences analysis
    JSON_EXTRACT(session_data, '$.preferences.theme') as preferred_theme,
    JSON_EXTRACT(session_data, '$.preferences.language') as preferred_language,
    
    -- Navigation patterns
    JSON_EXTRACT(session_data, '$.navigation.lastPage') as last_page,
    JSON_EXTRACT(session_data, '$.navigation.referrer') as referrer,
    
    -- Activity metrics
    page_views,
    actions_performed,
    data_transferred,
    
    -- Security indicators  
    mfa_verified,
    login_method,
    
    -- Risk assessment
    CASE 
      WHEN risk_score > 0.8 THEN 'high'
      WHEN risk_score > 0.5 THEN 'medium'
      WHEN risk_score > 0.2 THEN 'low'
      ELSE 'minimal'
    END as risk_level
    
  FROM user_sessions
  WHERE active = true 
    AND expires_at > CURRENT_TIMESTAMP
),

session_aggregations AS (
  SELECT 
    -- Overall session metrics
    COUNT(*) as total_active_sessions,
    COUNT(DISTINCT user_id) as unique_active_users,
    AVG(session_duration_minutes) as avg_session_duration,
    
    -- Session status distribution
    COUNT(*) FILTER (WHERE session_status = 'active') as active_sessions,
    COUNT(*) FILTER (WHERE session_status = 'recent') as recent_sessions,
    COUNT(*) FILTER (WHERE session_status = 'idle') as idle_sessions,
    COUNT(*) FILTER (WHERE session_status = 'stale') as stale_sessions,
    
    -- Business metrics
    COUNT(*) FILTER (WHERE JSON_ARRAY_LENGTH(cart_items) > 0) as sessions_with_cart,
    AVG(cart_total) FILTER (WHERE cart_total > 0) as avg_cart_value,
    COUNT(*) FILTER (WHERE JSON_ARRAY_LENGTH(cart_items) > 5) as high_volume_carts,
    
    -- Security metrics
    COUNT(*) FILTER (WHERE risk_level = 'high') as high_risk_sessions,
    COUNT(*) FILTER (WHERE mfa_verified = true) as mfa_verified_sessions,
    COUNT(DISTINCT device_fingerprint) as unique_devices,
    COUNT(DISTINCT ip_address) as unique_ip_addresses,
    
    -- Activity analysis
    SUM(page_views) as total_page_views,
    SUM(actions_performed) as total_actions,
    AVG(page_views) as avg_page_views_per_session,
    AVG(actions_performed) as avg_actions_per_session,
    
    -- Performance insights
    SUM(data_transferred) / (1024 * 1024) as total_data_mb_transferred
    
  FROM session_analytics
),

cache_performance AS (
  SELECT 
    namespace,
    cache_key,
    created_at,
    expires_at,
    last_accessed,
    data_size,
    hit_count,
    tags,
    
    -- Cache efficiency metrics
    EXTRACT(EPOCH FROM expires_at - created_at) / 3600 as ttl_hours,
    EXTRACT(EPOCH FROM last_accessed - created_at) / 60 as lifetime_minutes,
    EXTRACT(EPOCH FROM CURRENT_TIMESTAMP - last_accessed) / 60 as idle_minutes,
    
    -- Data size analysis
    CASE 
      WHEN data_size > 1024 * 1024 THEN 'large'
      WHEN data_size > 100 * 1024 THEN 'medium'
      WHEN data_size > 10 * 1024 THEN 'small'
      ELSE 'tiny'
    END as size_category,
    
    -- Access pattern analysis
    CASE 
      WHEN hit_count > 100 THEN 'high_traffic'
      WHEN hit_count > 10 THEN 'medium_traffic'
      WHEN hit_count > 0 THEN 'low_traffic'
      ELSE 'unused'
    END as traffic_level,
    
    -- Cache effectiveness
    CASE 
      WHEN hit_count = 0 THEN 'ineffective'
      WHEN hit_count / GREATEST(lifetime_minutes / 60, 1) > 10 THEN 'highly_effective'
      WHEN hit_count / GREATEST(lifetime_minutes / 60, 1) > 1 THEN 'effective'
      ELSE 'moderately_effective'
    END as effectiveness_rating
    
  FROM application_cache
  WHERE expires_at > CURRENT_TIMESTAMP
),

cache_analytics AS (
  SELECT 
    namespace,
    
    -- Volume metrics
    COUNT(*) as total_entries,
    SUM(data_size) / (1024 * 1024) as total_size_mb,
    AVG(data_size) as avg_entry_size_bytes,
    
    -- Performance metrics
    SUM(hit_count) as total_hits,
    AVG(hit_count) as avg_hits_per_entry,
    COUNT(*) FILTER (WHERE hit_count = 0) as unused_entries,
    
    -- TTL analysis
    AVG(ttl_hours) as avg_ttl_hours,
    COUNT(*) FILTER (WHERE ttl_hours > 24) as long_lived_entries,
    COUNT(*) FILTER (WHERE ttl_hours < 1) as short_lived_entries,
    
    -- Size distribution
    COUNT(*) FILTER (WHERE size_category = 'large') as large_entries,
    COUNT(*) FILTER (WHERE size_category = 'medium') as medium_entries,
    COUNT(*) FILTER (WHERE size_category = 'small') as small_entries,
    COUNT(*) FILTER (WHERE size_category = 'tiny') as tiny_entries,
    
    -- Traffic analysis
    COUNT(*) FILTER (WHERE traffic_level = 'high_traffic') as high_traffic_entries,
    COUNT(*) FILTER (WHERE traffic_level = 'medium_traffic') as medium_traffic_entries,
    COUNT(*) FILTER (WHERE traffic_level = 'low_traffic') as low_traffic_entries,
    COUNT(*) FILTER (WHERE traffic_level = 'unused') as unused_traffic_entries,
    
    -- Effectiveness distribution
    COUNT(*) FILTER (WHERE effectiveness_rating = 'highly_effective') as highly_effective_entries,
    COUNT(*) FILTER (WHERE effectiveness_rating = 'effective') as effective_entries,
    COUNT(*) FILTER (WHERE effectiveness_rating = 'moderately_effective') as moderately_effective_entries,
    COUNT(*) FILTER (WHERE effectiveness_rating = 'ineffective') as ineffective_entries
    
  FROM cache_performance
  GROUP BY namespace
)

-- Comprehensive session and cache monitoring dashboard
SELECT 
  'System Performance Dashboard' as dashboard_title,
  CURRENT_TIMESTAMP as report_generated_at,
  
  -- Session management metrics
  JSON_OBJECT(
    'total_active_sessions', sa.total_active_sessions,
    'unique_active_users', sa.unique_active_users,
    'avg_session_duration_minutes', ROUND(sa.avg_session_duration::NUMERIC, 1),
    'session_distribution', JSON_OBJECT(
      'active', sa.active_sessions,
      'recent', sa.recent_sessions,
      'idle', sa.idle_sessions,
      'stale', sa.stale_sessions
    ),
    'security_metrics', JSON_OBJECT(
      'high_risk_sessions', sa.high_risk_sessions,
      'mfa_verified_sessions', sa.mfa_verified_sessions,
      'unique_devices', sa.unique_devices,
      'unique_ip_addresses', sa.unique_ip_addresses
    ),
    'business_metrics', JSON_OBJECT(
      'sessions_with_cart', sa.sessions_with_cart,
      'avg_cart_value', ROUND(sa.avg_cart_value::NUMERIC, 2),
      'high_volume_carts', sa.high_volume_carts,
      'cart_conversion_rate', 
        ROUND((sa.sessions_with_cart::FLOAT / sa.total_active_sessions * 100)::NUMERIC, 2)
    )
  ) as session_metrics,
  
  -- Cache performance metrics by namespace
  JSON_OBJECT_AGG(
    ca.namespace,
    JSON_OBJECT(
      'total_entries', ca.total_entries,
      'total_size_mb', ROUND(ca.total_size_mb::NUMERIC, 2),
      'avg_entry_size_kb', ROUND((ca.avg_entry_size_bytes / 1024)::NUMERIC, 1),
      'total_hits', ca.total_hits,
      'avg_hits_per_entry', ROUND(ca.avg_hits_per_entry::NUMERIC, 1),
      'unused_entry_percentage', 
        ROUND((ca.unused_entries::FLOAT / ca.total_entries * 100)::NUMERIC, 1),
      'cache_efficiency', 
        CASE 
          WHEN ca.unused_entries::FLOAT / ca.total_entries > 0.5 THEN 'poor'
          WHEN ca.unused_entries::FLOAT / ca.total_entries > 0.2 THEN 'fair'
          WHEN ca.unused_entries::FLOAT / ca.total_entries > 0.1 THEN 'good'
          ELSE 'excellent'
        END,
      'size_distribution', JSON_OBJECT(
        'large', ca.large_entries,
        'medium', ca.medium_entries,
        'small', ca.small_entries,
        'tiny', ca.tiny_entries
      ),
      'effectiveness_distribution', JSON_OBJECT(
        'highly_effective', ca.highly_effective_entries,
        'effective', ca.effective_entries,
        'moderately_effective', ca.moderately_effective_entries,
        'ineffective', ca.ineffective_entries
      )
    )
  ) as cache_metrics_by_namespace,
  
  -- System health indicators
  JSON_OBJECT(
    'session_system_health', 
      CASE 
        WHEN sa.high_risk_sessions::FLOAT / sa.total_active_sessions > 0.1 THEN 'critical'
        WHEN sa.avg_session_duration < 5 THEN 'warning'
        WHEN sa.unique_active_users::FLOAT / sa.total_active_sessions < 0.5 THEN 'warning'
        ELSE 'healthy'
      END,
    'cache_system_health',
      CASE 
        WHEN AVG(ca.unused_entries::FLOAT / ca.total_entries) > 0.5 THEN 'critical'
        WHEN AVG(ca.total_size_mb) > 1024 THEN 'warning'  
        WHEN AVG(ca.avg_hits_per_entry) < 5 THEN 'warning'
        ELSE 'healthy'
      END,
    'overall_system_status',
      CASE 
        WHEN sa.high_risk_sessions > 10 OR AVG(ca.unused_entries::FLOAT / ca.total_entries) > 0.5 THEN 'needs_attention'
        WHEN sa.avg_session_duration > 30 AND AVG(ca.avg_hits_per_entry) > 10 THEN 'optimal'
        ELSE 'normal'
      END
  ) as system_health,
  
  -- Operational recommendations
  ARRAY[
    CASE WHEN sa.high_risk_sessions > sa.total_active_sessions * 0.05 
         THEN 'Review session security policies and risk scoring algorithms' END,
    CASE WHEN AVG(ca.unused_entries::FLOAT / ca.total_entries) > 0.3
         THEN 'Optimize cache TTL settings and review caching strategies' END,
    CASE WHEN sa.avg_session_duration < 5
         THEN 'Investigate user engagement issues and session timeout settings' END,
    CASE WHEN AVG(ca.total_size_mb) > 512
         THEN 'Consider cache data compression and size optimization' END,
    CASE WHEN sa.sessions_with_cart::FLOAT / sa.total_active_sessions < 0.1
         THEN 'Review shopping cart functionality and user experience' END
  ]::TEXT[] as recommendations

FROM session_aggregations sa
CROSS JOIN cache_analytics ca
GROUP BY sa.total_active_sessions, sa.unique_active_users, sa.avg_session_duration,
         sa.active_sessions, sa.recent_sessions, sa.idle_sessions, sa.stale_sessions,
         sa.high_risk_sessions, sa.mfa_verified_sessions, sa.unique_devices, sa.unique_ip_addresses,
         sa.sessions_with_cart, sa.avg_cart_value, sa.high_volume_carts;

-- The seed's real-time health monitor, verbatim: a MongoDB view (viewOn + pipeline) of scalar subqueries.
CREATE VIEW cache_session_health_monitor AS
WITH real_time_metrics AS (
  SELECT 
    -- Current timestamp for dashboard refresh
    CURRENT_TIMESTAMP as monitor_timestamp,
    
    -- Active session metrics
    (SELECT COUNT(*) FROM user_sessions 
     WHERE active = true AND expires_at > CURRENT_TIMESTAMP) as current_active_sessions,
    
    (SELECT COUNT(DISTINCT user_id) FROM user_sessions 
     WHERE active = true AND expires_at > CURRENT_TIMESTAMP) as current_unique_users,
     
    -- Cache metrics
    (SELECT COUNT(*) FROM application_cache 
     WHERE expires_at > CURRENT_TIMESTAMP) as current_cache_entries,
     
    (SELECT SUM(data_size) / (1024 * 1024) FROM application_cache 
     WHERE expires_at > CURRENT_TIMESTAMP) as current_cache_size_mb,
     
    -- Recent activity (last 5 minutes)
    (SELECT COUNT(*) FROM user_sessions 
     WHERE last_accessed >= CURRENT_TIMESTAMP - INTERVAL '5 minutes') as recent_session_activity,
     
    (SELECT COUNT(*) FROM application_cache 
     WHERE last_accessed >= CURRENT_TIMESTAMP - INTERVAL '5 minutes') as recent_cache_activity,
     
    -- TTL efficiency metrics
    (SELECT COUNT(*) FROM user_sessions 
     WHERE expires_at <= CURRENT_TIMESTAMP + INTERVAL '1 minute') as sessions_expiring_soon,
     
    (SELECT COUNT(*) FROM application_cache 
     WHERE expires_at <= CURRENT_TIMESTAMP + INTERVAL '1 minute') as cache_expiring_soon,
     
    -- Risk indicators
    (SELECT COUNT(*) FROM user_sessions 
     WHERE active = true AND risk_score > 0.7) as high_risk_active_sessions
)

SELECT 
  monitor_timestamp,
  
  -- Session health indicators
  current_active_sessions,
  current_unique_users,
  ROUND(current_unique_users::FLOAT / NULLIF(current_active_sessions, 0), 2) as user_session_ratio,
  recent_session_activity,
  sessions_expiring_soon,
  
  -- Cache health indicators  
  current_cache_entries,
  ROUND(current_cache_size_mb::NUMERIC, 2) as cache_size_mb,
  recent_cache_activity,
  cache_expiring_soon,
  
  -- Security indicators
  high_risk_active_sessions,
  CASE 
    WHEN high_risk_active_sessions > current_active_sessions * 0.1 THEN 'critical'
    WHEN high_risk_active_sessions > current_active_sessions * 0.05 THEN 'warning'
    ELSE 'normal'
  END as security_status,
  
  -- Performance indicators
  CASE 
    WHEN current_active_sessions > 10000 THEN 'high_load'
    WHEN current_active_sessions > 5000 THEN 'medium_load'
    WHEN current_active_sessions > 1000 THEN 'normal_load'
    ELSE 'low_load'
  END as system_load,
  
  -- Cache efficiency
  CASE 
    WHEN recent_cache_activity::FLOAT / NULLIF(current_cache_entries, 0) > 0.1 THEN 'highly_active'
    WHEN recent_cache_activity::FLOAT / NULLIF(current_cache_entries, 0) > 0.05 THEN 'moderately_active'
    ELSE 'low_activity'
  END as cache_activity_level,
  
  -- TTL management effectiveness
  CASE 
    WHEN sessions_expiring_soon + cache_expiring_soon > 100 THEN 'high_turnover'
    WHEN sessions_expiring_soon + cache_expiring_soon > 50 THEN 'moderate_turnover'
    ELSE 'stable_turnover'
  END as ttl_turnover_rate

FROM real_time_metrics;

SELECT * FROM cache_session_health_monitor;

DROP VIEW cache_session_health_monitor;
