-- case: create_user_sessions_ttl
CREATE COLLECTION user_sessions
WITH (
  ttl_field = 'expiresAt',
  expire_after_seconds = 0,
  storage_engine = 'wiredTiger',
  compression = 'snappy'
)
-- expect:
{
  "create": "user_sessions",
  "storageEngine": {"wiredTiger": {"configString": "block_compressor=snappy"}}
}
{
  "createIndexes": "user_sessions",
  "indexes": [{"key": {"expiresAt": 1}, "name": "expiresAt_1", "expireAfterSeconds": NumberLong(0)}]
}
affected

-- case: create_application_cache_ttl
CREATE COLLECTION application_cache
WITH (
  ttl_field = 'expiresAt', 
  expire_after_seconds = 0,
  storage_engine = 'wiredTiger',
  compression = 'zlib'
)
-- expect:
{
  "create": "application_cache",
  "storageEngine": {"wiredTiger": {"configString": "block_compressor=zlib"}}
}
{
  "createIndexes": "application_cache",
  "indexes": [{"key": {"expiresAt": 1}, "name": "expiresAt_1", "expireAfterSeconds": NumberLong(0)}]
}
affected

-- case: session_cache_dashboard_cte
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
         sa.sessions_with_cart, sa.avg_cart_value, sa.high_volume_carts
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"$and": [{"active": true}, {"$expr": {"$gt": ["$expires_at", "$$NOW"]}}]}},
    {
      "$project": {
        "_id": 0,
        "user_id": {"$ifNull": ["$user_id", null]},
        "ip_address": {"$ifNull": ["$ip_address", null]},
        "device_fingerprint": {"$ifNull": ["$device_fingerprint", null]},
        "session_duration_minutes": {
          "$ifNull": [
            {
              "$divide": [{"$divide": [{"$toLong": {"$subtract": ["$last_accessed", "$created_at"]}}, 1000]}, 60]
            },
            null
          ]
        },
        "session_status": {
          "$ifNull": [
            {
              "$switch": {
                "branches": [
                  {
                    "case": {
                      "$gt": [
                        "$last_accessed",
                        {"$dateSubtract": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(5)}}
                      ]
                    },
                    "then": "active"
                  },
                  {
                    "case": {
                      "$gt": [
                        "$last_accessed",
                        {"$dateSubtract": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(30)}}
                      ]
                    },
                    "then": "recent"
                  },
                  {
                    "case": {
                      "$gt": [
                        "$last_accessed",
                        {"$dateSubtract": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(2)}}
                      ]
                    },
                    "then": "idle"
                  }
                ],
                "default": "stale"
              }
            },
            null
          ]
        },
        "cart_items": {"$ifNull": ["$session_data.shoppingCart.items", null]},
        "cart_total": {"$ifNull": [{"$toDecimal": "$session_data.shoppingCart.total"}, null]},
        "page_views": {"$ifNull": ["$page_views", null]},
        "actions_performed": {"$ifNull": ["$actions_performed", null]},
        "data_transferred": {"$ifNull": ["$data_transferred", null]},
        "mfa_verified": {"$ifNull": ["$mfa_verified", null]},
        "risk_level": {
          "$ifNull": [
            {
              "$switch": {
                "branches": [
                  {"case": {"$gt": ["$risk_score", 0.8]}, "then": "high"},
                  {"case": {"$gt": ["$risk_score", 0.5]}, "then": "medium"},
                  {"case": {"$gt": ["$risk_score", 0.2]}, "then": "low"}
                ],
                "default": "minimal"
              }
            },
            null
          ]
        }
      }
    },
    {
      "$group": {
        "_id": null,
        "a0": {"$sum": 1},
        "a1": {
          "$addToSet": {"$cond": [{"$ne": [{"$ifNull": ["$user_id", null]}, null]}, "$user_id", "$$REMOVE"]}
        },
        "a2": {"$avg": "$session_duration_minutes"},
        "a3": {"$sum": {"$cond": [{"$eq": ["$session_status", "active"]}, 1, 0]}},
        "a4": {"$sum": {"$cond": [{"$eq": ["$session_status", "recent"]}, 1, 0]}},
        "a5": {"$sum": {"$cond": [{"$eq": ["$session_status", "idle"]}, 1, 0]}},
        "a6": {"$sum": {"$cond": [{"$eq": ["$session_status", "stale"]}, 1, 0]}},
        "a7": {
          "$sum": {
            "$cond": [
              {
                "$gt": [
                  {
                    "$cond": [{"$eq": [{"$ifNull": ["$cart_items", null]}, null]}, null, {"$size": "$cart_items"}]
                  },
                  0
                ]
              },
              1,
              0
            ]
          }
        },
        "a8": {"$avg": {"$cond": [{"$gt": ["$cart_total", 0]}, "$cart_total", null]}},
        "a9": {
          "$sum": {
            "$cond": [
              {
                "$gt": [
                  {
                    "$cond": [{"$eq": [{"$ifNull": ["$cart_items", null]}, null]}, null, {"$size": "$cart_items"}]
                  },
                  5
                ]
              },
              1,
              0
            ]
          }
        },
        "a10": {"$sum": {"$cond": [{"$eq": ["$risk_level", "high"]}, 1, 0]}},
        "a11": {"$sum": {"$cond": [{"$eq": ["$mfa_verified", true]}, 1, 0]}},
        "a12": {
          "$addToSet": {
            "$cond": [
              {"$ne": [{"$ifNull": ["$device_fingerprint", null]}, null]},
              "$device_fingerprint",
              "$$REMOVE"
            ]
          }
        },
        "a13": {
          "$addToSet": {"$cond": [{"$ne": [{"$ifNull": ["$ip_address", null]}, null]}, "$ip_address", "$$REMOVE"]}
        },
        "a14": {"$sum": "$page_views"},
        "a14n": {"$sum": {"$cond": [{"$isNumber": "$page_views"}, 1, 0]}},
        "a16": {"$sum": "$actions_performed"},
        "a16n": {"$sum": {"$cond": [{"$isNumber": "$actions_performed"}, 1, 0]}},
        "a18": {"$avg": "$page_views"},
        "a19": {"$avg": "$actions_performed"},
        "a20": {"$sum": "$data_transferred"},
        "a20n": {"$sum": {"$cond": [{"$isNumber": "$data_transferred"}, 1, 0]}}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "total_active_sessions": {"$ifNull": ["$a0", 0]},
        "unique_active_users": {"$ifNull": [{"$size": {"$ifNull": ["$a1", []]}}, null]},
        "avg_session_duration": {"$ifNull": ["$a2", null]},
        "active_sessions": {"$ifNull": ["$a3", 0]},
        "recent_sessions": {"$ifNull": ["$a4", 0]},
        "idle_sessions": {"$ifNull": ["$a5", 0]},
        "stale_sessions": {"$ifNull": ["$a6", 0]},
        "sessions_with_cart": {"$ifNull": ["$a7", 0]},
        "avg_cart_value": {"$ifNull": ["$a8", null]},
        "high_volume_carts": {"$ifNull": ["$a9", 0]},
        "high_risk_sessions": {"$ifNull": ["$a10", 0]},
        "mfa_verified_sessions": {"$ifNull": ["$a11", 0]},
        "unique_devices": {"$ifNull": [{"$size": {"$ifNull": ["$a12", []]}}, null]},
        "unique_ip_addresses": {"$ifNull": [{"$size": {"$ifNull": ["$a13", []]}}, null]}
      }
    },
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {"$match": {"$expr": {"$gt": ["$expires_at", "$$NOW"]}}},
          {
            "$project": {
              "_id": 0,
              "namespace": {"$ifNull": ["$namespace", null]},
              "data_size": {"$ifNull": ["$data_size", null]},
              "hit_count": {"$ifNull": ["$hit_count", null]},
              "ttl_hours": {
                "$ifNull": [
                  {
                    "$divide": [{"$divide": [{"$toLong": {"$subtract": ["$expires_at", "$created_at"]}}, 1000]}, 3600]
                  },
                  null
                ]
              },
              "size_category": {
                "$ifNull": [
                  {
                    "$switch": {
                      "branches": [
                        {"case": {"$gt": ["$data_size", 1048576]}, "then": "large"},
                        {"case": {"$gt": ["$data_size", 102400]}, "then": "medium"},
                        {"case": {"$gt": ["$data_size", 10240]}, "then": "small"}
                      ],
                      "default": "tiny"
                    }
                  },
                  null
                ]
              },
              "traffic_level": {
                "$ifNull": [
                  {
                    "$switch": {
                      "branches": [
                        {"case": {"$gt": ["$hit_count", 100]}, "then": "high_traffic"},
                        {"case": {"$gt": ["$hit_count", 10]}, "then": "medium_traffic"},
                        {"case": {"$gt": ["$hit_count", 0]}, "then": "low_traffic"}
                      ],
                      "default": "unused"
                    }
                  },
                  null
                ]
              },
              "effectiveness_rating": {
                "$ifNull": [
                  {
                    "$switch": {
                      "branches": [
                        {"case": {"$eq": ["$hit_count", 0]}, "then": "ineffective"},
                        {
                          "case": {
                            "$gt": [
                              {
                                "$let": {
                                  "vars": {
                                    "a": "$hit_count",
                                    "b": {
                                      "$max": [
                                        {
                                          "$let": {
                                            "vars": {"a": "$lifetime_minutes", "b": 60},
                                            "in": {
                                              "$cond": [
                                                {
                                                  "$and": [
                                                    {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                                                    {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                                                  ]
                                                },
                                                {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                                                {"$divide": ["$$a", "$$b"]}
                                              ]
                                            }
                                          }
                                        },
                                        1
                                      ]
                                    }
                                  },
                                  "in": {
                                    "$cond": [
                                      {
                                        "$and": [
                                          {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                                          {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                                        ]
                                      },
                                      {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                                      {"$divide": ["$$a", "$$b"]}
                                    ]
                                  }
                                }
                              },
                              10
                            ]
                          },
                          "then": "highly_effective"
                        },
                        {
                          "case": {
                            "$gt": [
                              {
                                "$let": {
                                  "vars": {
                                    "a": "$hit_count",
                                    "b": {
                                      "$max": [
                                        {
                                          "$let": {
                                            "vars": {"a": "$lifetime_minutes", "b": 60},
                                            "in": {
                                              "$cond": [
                                                {
                                                  "$and": [
                                                    {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                                                    {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                                                  ]
                                                },
                                                {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                                                {"$divide": ["$$a", "$$b"]}
                                              ]
                                            }
                                          }
                                        },
                                        1
                                      ]
                                    }
                                  },
                                  "in": {
                                    "$cond": [
                                      {
                                        "$and": [
                                          {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                                          {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                                        ]
                                      },
                                      {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                                      {"$divide": ["$$a", "$$b"]}
                                    ]
                                  }
                                }
                              },
                              1
                            ]
                          },
                          "then": "effective"
                        }
                      ],
                      "default": "moderately_effective"
                    }
                  },
                  null
                ]
              }
            }
          },
          {
            "$group": {
              "_id": {"g0": {"$ifNull": ["$namespace", null]}},
              "a0": {"$sum": 1},
              "a1": {"$sum": "$data_size"},
              "a1n": {"$sum": {"$cond": [{"$isNumber": "$data_size"}, 1, 0]}},
              "a3": {"$avg": "$data_size"},
              "a4": {"$sum": "$hit_count"},
              "a4n": {"$sum": {"$cond": [{"$isNumber": "$hit_count"}, 1, 0]}},
              "a6": {"$avg": "$hit_count"},
              "a7": {"$sum": {"$cond": [{"$eq": ["$hit_count", 0]}, 1, 0]}},
              "a8": {"$avg": "$ttl_hours"},
              "a9": {"$sum": {"$cond": [{"$gt": ["$ttl_hours", 24]}, 1, 0]}},
              "a10": {
                "$sum": {
                  "$cond": [
                    {"$and": [{"$ne": [{"$ifNull": ["$ttl_hours", null]}, null]}, {"$lt": ["$ttl_hours", 1]}]},
                    1,
                    0
                  ]
                }
              },
              "a11": {"$sum": {"$cond": [{"$eq": ["$size_category", "large"]}, 1, 0]}},
              "a12": {"$sum": {"$cond": [{"$eq": ["$size_category", "medium"]}, 1, 0]}},
              "a13": {"$sum": {"$cond": [{"$eq": ["$size_category", "small"]}, 1, 0]}},
              "a14": {"$sum": {"$cond": [{"$eq": ["$size_category", "tiny"]}, 1, 0]}},
              "a15": {"$sum": {"$cond": [{"$eq": ["$traffic_level", "high_traffic"]}, 1, 0]}},
              "a16": {"$sum": {"$cond": [{"$eq": ["$traffic_level", "medium_traffic"]}, 1, 0]}},
              "a17": {"$sum": {"$cond": [{"$eq": ["$traffic_level", "low_traffic"]}, 1, 0]}},
              "a18": {"$sum": {"$cond": [{"$eq": ["$traffic_level", "unused"]}, 1, 0]}},
              "a19": {"$sum": {"$cond": [{"$eq": ["$effectiveness_rating", "highly_effective"]}, 1, 0]}},
              "a20": {"$sum": {"$cond": [{"$eq": ["$effectiveness_rating", "effective"]}, 1, 0]}},
              "a21": {"$sum": {"$cond": [{"$eq": ["$effectiveness_rating", "moderately_effective"]}, 1, 0]}},
              "a22": {"$sum": {"$cond": [{"$eq": ["$effectiveness_rating", "ineffective"]}, 1, 0]}}
            }
          },
          {
            "$project": {
              "_id": 0,
              "namespace": {"$ifNull": ["$_id.g0", null]},
              "total_entries": {"$ifNull": ["$a0", 0]},
              "total_size_mb": {
                "$ifNull": [
                  {
                    "$let": {
                      "vars": {"a": {"$cond": [{"$gt": [{"$ifNull": ["$a1n", 0]}, 0]}, "$a1", null]}, "b": 1048576},
                      "in": {
                        "$cond": [
                          {
                            "$and": [
                              {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                              {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                            ]
                          },
                          {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                          {"$divide": ["$$a", "$$b"]}
                        ]
                      }
                    }
                  },
                  null
                ]
              },
              "avg_entry_size_bytes": {"$ifNull": ["$a3", null]},
              "total_hits": {"$ifNull": [{"$cond": [{"$gt": [{"$ifNull": ["$a4n", 0]}, 0]}, "$a4", null]}, null]},
              "avg_hits_per_entry": {"$ifNull": ["$a6", null]},
              "unused_entries": {"$ifNull": ["$a7", 0]},
              "avg_ttl_hours": {"$ifNull": ["$a8", null]},
              "long_lived_entries": {"$ifNull": ["$a9", 0]},
              "short_lived_entries": {"$ifNull": ["$a10", 0]},
              "large_entries": {"$ifNull": ["$a11", 0]},
              "medium_entries": {"$ifNull": ["$a12", 0]},
              "small_entries": {"$ifNull": ["$a13", 0]},
              "tiny_entries": {"$ifNull": ["$a14", 0]},
              "high_traffic_entries": {"$ifNull": ["$a15", 0]},
              "medium_traffic_entries": {"$ifNull": ["$a16", 0]},
              "low_traffic_entries": {"$ifNull": ["$a17", 0]},
              "unused_traffic_entries": {"$ifNull": ["$a18", 0]},
              "highly_effective_entries": {"$ifNull": ["$a19", 0]},
              "effective_entries": {"$ifNull": ["$a20", 0]},
              "moderately_effective_entries": {"$ifNull": ["$a21", 0]},
              "ineffective_entries": {"$ifNull": ["$a22", 0]}
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {
      "$group": {
        "_id": {
          "g0": {"$ifNull": ["$total_active_sessions", null]},
          "g1": {"$ifNull": ["$unique_active_users", null]},
          "g2": {"$ifNull": ["$avg_session_duration", null]},
          "g3": {"$ifNull": ["$active_sessions", null]},
          "g4": {"$ifNull": ["$recent_sessions", null]},
          "g5": {"$ifNull": ["$idle_sessions", null]},
          "g6": {"$ifNull": ["$stale_sessions", null]},
          "g7": {"$ifNull": ["$high_risk_sessions", null]},
          "g8": {"$ifNull": ["$mfa_verified_sessions", null]},
          "g9": {"$ifNull": ["$unique_devices", null]},
          "g10": {"$ifNull": ["$unique_ip_addresses", null]},
          "g11": {"$ifNull": ["$sessions_with_cart", null]},
          "g12": {"$ifNull": ["$avg_cart_value", null]},
          "g13": {"$ifNull": ["$high_volume_carts", null]}
        },
        "a0": {
          "$push": {
            "n": {
              "$cond": [
                {"$eq": [{"$type": "$__j1.namespace"}, "string"]},
                "$__j1.namespace",
                {"$toString": "$__j1.namespace"}
              ]
            },
            "v": {
              "$ifNull": [
                {
                  "$mergeObjects": [
                    {
                      "total_entries": {"$ifNull": ["$__j1.total_entries", null]},
                      "total_size_mb": {
                        "$ifNull": [
                          {
                            "$let": {
                              "vars": {"v": {"$toDecimal": {"$toDecimal": "$__j1.total_size_mb"}}},
                              "in": {
                                "$multiply": [
                                  {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                                  {
                                    "$divide": [
                                      {
                                        "$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+2")]}, 0.5]}
                                      },
                                      NumberDecimal("1E+2")
                                    ]
                                  }
                                ]
                              }
                            }
                          },
                          null
                        ]
                      },
                      "avg_entry_size_kb": {
                        "$ifNull": [
                          {
                            "$let": {
                              "vars": {
                                "v": {
                                  "$toDecimal": {
                                    "$toDecimal": {
                                      "$let": {
                                        "vars": {"a": "$__j1.avg_entry_size_bytes", "b": 1024},
                                        "in": {
                                          "$cond": [
                                            {
                                              "$and": [
                                                {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                                                {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                                              ]
                                            },
                                            {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                                            {"$divide": ["$$a", "$$b"]}
                                          ]
                                        }
                                      }
                                    }
                                  }
                                }
                              },
                              "in": {
                                "$multiply": [
                                  {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                                  {
                                    "$divide": [
                                      {
                                        "$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+1")]}, 0.5]}
                                      },
                                      NumberDecimal("1E+1")
                                    ]
                                  }
                                ]
                              }
                            }
                          },
                          null
                        ]
                      },
                      "total_hits": {"$ifNull": ["$__j1.total_hits", null]},
                      "avg_hits_per_entry": {
                        "$ifNull": [
                          {
                            "$let": {
                              "vars": {"v": {"$toDecimal": {"$toDecimal": "$__j1.avg_hits_per_entry"}}},
                              "in": {
                                "$multiply": [
                                  {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                                  {
                                    "$divide": [
                                      {
                                        "$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+1")]}, 0.5]}
                                      },
                                      NumberDecimal("1E+1")
                                    ]
                                  }
                                ]
                              }
                            }
                          },
                          null
                        ]
                      },
                      "unused_entry_percentage": {
                        "$ifNull": [
                          {
                            "$let": {
                              "vars": {
                                "v": {
                                  "$toDecimal": {
                                    "$toDecimal": {
                                      "$multiply": [
                                        {"$divide": [{"$toDouble": "$__j1.unused_entries"}, "$__j1.total_entries"]},
                                        100
                                      ]
                                    }
                                  }
                                }
                              },
                              "in": {
                                "$multiply": [
                                  {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                                  {
                                    "$divide": [
                                      {
                                        "$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+1")]}, 0.5]}
                                      },
                                      NumberDecimal("1E+1")
                                    ]
                                  }
                                ]
                              }
                            }
                          },
                          null
                        ]
                      },
                      "cache_efficiency": {
                        "$switch": {
                          "branches": [
                            {
                              "case": {
                                "$gt": [{"$divide": [{"$toDouble": "$__j1.unused_entries"}, "$__j1.total_entries"]}, 0.5]
                              },
                              "then": "poor"
                            },
                            {
                              "case": {
                                "$gt": [{"$divide": [{"$toDouble": "$__j1.unused_entries"}, "$__j1.total_entries"]}, 0.2]
                              },
                              "then": "fair"
                            },
                            {
                              "case": {
                                "$gt": [{"$divide": [{"$toDouble": "$__j1.unused_entries"}, "$__j1.total_entries"]}, 0.1]
                              },
                              "then": "good"
                            }
                          ],
                          "default": "excellent"
                        }
                      },
                      "size_distribution": {
                        "$mergeObjects": [
                          {
                            "large": {"$ifNull": ["$__j1.large_entries", null]},
                            "medium": {"$ifNull": ["$__j1.medium_entries", null]},
                            "small": {"$ifNull": ["$__j1.small_entries", null]},
                            "tiny": {"$ifNull": ["$__j1.tiny_entries", null]}
                          }
                        ]
                      },
                      "effectiveness_distribution": {
                        "$mergeObjects": [
                          {
                            "highly_effective": {"$ifNull": ["$__j1.highly_effective_entries", null]},
                            "effective": {"$ifNull": ["$__j1.effective_entries", null]},
                            "moderately_effective": {"$ifNull": ["$__j1.moderately_effective_entries", null]},
                            "ineffective": {"$ifNull": ["$__j1.ineffective_entries", null]}
                          }
                        ]
                      }
                    }
                  ]
                },
                null
              ]
            }
          }
        },
        "a1": {"$avg": {"$divide": [{"$toDouble": "$__j1.unused_entries"}, "$__j1.total_entries"]}},
        "a2": {"$avg": "$__j1.total_size_mb"},
        "a3": {"$avg": "$__j1.avg_hits_per_entry"}
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "System Performance Dashboard",
        "c1": "$$NOW",
        "c2": {
          "$mergeObjects": [
            {
              "total_active_sessions": {"$ifNull": ["$_id.g0", null]},
              "unique_active_users": {"$ifNull": ["$_id.g1", null]},
              "avg_session_duration_minutes": {
                "$ifNull": [
                  {
                    "$let": {
                      "vars": {"v": {"$toDecimal": {"$toDecimal": "$_id.g2"}}},
                      "in": {
                        "$multiply": [
                          {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                          {
                            "$divide": [
                              {"$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+1")]}, 0.5]}},
                              NumberDecimal("1E+1")
                            ]
                          }
                        ]
                      }
                    }
                  },
                  null
                ]
              },
              "session_distribution": {
                "$mergeObjects": [
                  {
                    "active": {"$ifNull": ["$_id.g3", null]},
                    "recent": {"$ifNull": ["$_id.g4", null]},
                    "idle": {"$ifNull": ["$_id.g5", null]},
                    "stale": {"$ifNull": ["$_id.g6", null]}
                  }
                ]
              },
              "security_metrics": {
                "$mergeObjects": [
                  {
                    "high_risk_sessions": {"$ifNull": ["$_id.g7", null]},
                    "mfa_verified_sessions": {"$ifNull": ["$_id.g8", null]},
                    "unique_devices": {"$ifNull": ["$_id.g9", null]},
                    "unique_ip_addresses": {"$ifNull": ["$_id.g10", null]}
                  }
                ]
              },
              "business_metrics": {
                "$mergeObjects": [
                  {
                    "sessions_with_cart": {"$ifNull": ["$_id.g11", null]},
                    "avg_cart_value": {
                      "$ifNull": [
                        {
                          "$let": {
                            "vars": {"v": {"$toDecimal": {"$toDecimal": "$_id.g12"}}},
                            "in": {
                              "$multiply": [
                                {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                                {
                                  "$divide": [
                                    {
                                      "$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+2")]}, 0.5]}
                                    },
                                    NumberDecimal("1E+2")
                                  ]
                                }
                              ]
                            }
                          }
                        },
                        null
                      ]
                    },
                    "high_volume_carts": {"$ifNull": ["$_id.g13", null]},
                    "cart_conversion_rate": {
                      "$ifNull": [
                        {
                          "$let": {
                            "vars": {
                              "v": {
                                "$toDecimal": {
                                  "$toDecimal": {"$multiply": [{"$divide": [{"$toDouble": "$_id.g11"}, "$_id.g0"]}, 100]}
                                }
                              }
                            },
                            "in": {
                              "$multiply": [
                                {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                                {
                                  "$divide": [
                                    {
                                      "$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+2")]}, 0.5]}
                                    },
                                    NumberDecimal("1E+2")
                                  ]
                                }
                              ]
                            }
                          }
                        },
                        null
                      ]
                    }
                  }
                ]
              }
            }
          ]
        },
        "c3": {
          "$cond": [
            {"$gt": [{"$size": {"$ifNull": ["$a0", []]}}, 0]},
            {
              "$arrayToObject": [{"$map": {"input": {"$ifNull": ["$a0", []]}, "in": {"k": "$$this.n", "v": "$$this.v"}}}]
            },
            null
          ]
        },
        "c4": {
          "$mergeObjects": [
            {
              "session_system_health": {
                "$switch": {
                  "branches": [
                    {
                      "case": {"$gt": [{"$divide": [{"$toDouble": "$_id.g7"}, "$_id.g0"]}, 0.1]},
                      "then": "critical"
                    },
                    {
                      "case": {"$and": [{"$ne": [{"$ifNull": ["$_id.g2", null]}, null]}, {"$lt": ["$_id.g2", 5]}]},
                      "then": "warning"
                    },
                    {
                      "case": {
                        "$and": [
                          {
                            "$ne": [{"$ifNull": [{"$divide": [{"$toDouble": "$_id.g1"}, "$_id.g0"]}, null]}, null]
                          },
                          {"$lt": [{"$divide": [{"$toDouble": "$_id.g1"}, "$_id.g0"]}, 0.5]}
                        ]
                      },
                      "then": "warning"
                    }
                  ],
                  "default": "healthy"
                }
              },
              "cache_system_health": {
                "$switch": {
                  "branches": [
                    {"case": {"$gt": [{"$ifNull": ["$a1", null]}, 0.5]}, "then": "critical"},
                    {"case": {"$gt": [{"$ifNull": ["$a2", null]}, 1024]}, "then": "warning"},
                    {
                      "case": {
                        "$and": [
                          {"$ne": [{"$ifNull": [{"$ifNull": ["$a3", null]}, null]}, null]},
                          {"$lt": [{"$ifNull": ["$a3", null]}, 5]}
                        ]
                      },
                      "then": "warning"
                    }
                  ],
                  "default": "healthy"
                }
              },
              "overall_system_status": {
                "$switch": {
                  "branches": [
                    {
                      "case": {"$or": [{"$gt": ["$_id.g7", 10]}, {"$gt": [{"$ifNull": ["$a1", null]}, 0.5]}]},
                      "then": "needs_attention"
                    },
                    {
                      "case": {"$and": [{"$gt": ["$_id.g2", 30]}, {"$gt": [{"$ifNull": ["$a3", null]}, 10]}]},
                      "then": "optimal"
                    }
                  ],
                  "default": "normal"
                }
              }
            }
          ]
        },
        "c5": [
          {
            "$switch": {
              "branches": [
                {
                  "case": {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$_id.g7", null]}, null]},
                      {"$ne": [{"$ifNull": [{"$multiply": ["$_id.g0", 0.05]}, null]}, null]},
                      {"$gt": ["$_id.g7", {"$multiply": ["$_id.g0", 0.05]}]}
                    ]
                  },
                  "then": "Review session security policies and risk scoring algorithms"
                }
              ],
              "default": null
            }
          },
          {
            "$switch": {
              "branches": [
                {
                  "case": {"$gt": [{"$ifNull": ["$a1", null]}, 0.3]},
                  "then": "Optimize cache TTL settings and review caching strategies"
                }
              ],
              "default": null
            }
          },
          {
            "$switch": {
              "branches": [
                {
                  "case": {"$and": [{"$ne": [{"$ifNull": ["$_id.g2", null]}, null]}, {"$lt": ["$_id.g2", 5]}]},
                  "then": "Investigate user engagement issues and session timeout settings"
                }
              ],
              "default": null
            }
          },
          {
            "$switch": {
              "branches": [
                {
                  "case": {"$gt": [{"$ifNull": ["$a2", null]}, 512]},
                  "then": "Consider cache data compression and size optimization"
                }
              ],
              "default": null
            }
          },
          {
            "$switch": {
              "branches": [
                {
                  "case": {
                    "$and": [
                      {"$ne": [{"$ifNull": [{"$divide": [{"$toDouble": "$_id.g11"}, "$_id.g0"]}, null]}, null]},
                      {"$lt": [{"$divide": [{"$toDouble": "$_id.g11"}, "$_id.g0"]}, 0.1]}
                    ]
                  },
                  "then": "Review shopping cart functionality and user experience"
                }
              ],
              "default": null
            }
          }
        ]
      }
    }
  ],
  "cursor": {}
}
rows: dashboard_title <- c0, report_generated_at <- c1, session_metrics <- c2, cache_metrics_by_namespace <- c3, system_health <- c4, recommendations <- c5

-- case: cache_invalidation_update
UPDATE application_cache 
SET expires_at = CURRENT_TIMESTAMP,
    invalidated_at = CURRENT_TIMESTAMP,
    invalidation_reason = 'product_update_cascade'
WHERE 
  -- Pattern-based invalidation
  (cache_key LIKE 'product:%' OR cache_key LIKE 'catalog:%')
  AND 
  -- Conditional invalidation based on tags
  ('product_catalog' = ANY(tags) OR 'inventory' = ANY(tags))
  AND
  -- Time-based invalidation criteria
  created_at < CURRENT_TIMESTAMP - INTERVAL '1 hour'
  AND
  -- Size-based invalidation for large entries
  data_size > 1024 * 1024; -- 1MB
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {
        "$and": [
          {
            "$or": [
              {"cache_key": {"$regex": "^product:.*$", "$options": "s"}},
              {"cache_key": {"$regex": "^catalog:.*$", "$options": "s"}}
            ]
          },
          {
            "$or": [
              {"tags": {"$elemMatch": {"$eq": "product_catalog"}}},
              {"tags": {"$elemMatch": {"$eq": "inventory"}}}
            ]
          },
          {
            "$expr": {
              "$and": [
                {"$ne": [{"$ifNull": ["$created_at", null]}, null]},
                {
                  "$lt": [
                    "$created_at",
                    {"$dateSubtract": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(1)}}
                  ]
                }
              ]
            }
          },
          {"data_size": {"$gt": 1048576}}
        ]
      },
      "u": [
        {
          "$set": {
            "expires_at": "$$NOW",
            "invalidated_at": "$$NOW",
            "invalidation_reason": "product_update_cascade"
          }
        }
      ],
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: session_security_cleanup_update
UPDATE user_sessions 
SET active = false,
    expires_at = CURRENT_TIMESTAMP,
    invalidated_at = CURRENT_TIMESTAMP,
    invalidation_reason = 'security_cleanup'
WHERE 
  -- Risk-based cleanup
  risk_score > 0.8
  OR
  -- Inactive session cleanup
  (last_accessed < CURRENT_TIMESTAMP - INTERVAL '2 hours' AND remember_me = false)
  OR
  -- Device anomaly cleanup
  (device_fingerprint NOT IN (
    SELECT device_fingerprint 
    FROM user_sessions 
    WHERE user_id = user_sessions.user_id 
      AND created_at >= CURRENT_TIMESTAMP - INTERVAL '30 days'
    GROUP BY device_fingerprint
    HAVING COUNT(*) > 5
  ))
  OR
  -- Geographic anomaly cleanup
  (ip_address NOT SIMILAR TO (
    SELECT STRING_AGG(DISTINCT SUBSTRING(ip_address, 1, POSITION('.' IN ip_address, POSITION('.' IN ip_address) + 1)), '|')
    FROM user_sessions recent_sessions
    WHERE recent_sessions.user_id = user_sessions.user_id
      AND recent_sessions.created_at >= CURRENT_TIMESTAMP - INTERVAL '7 days'
  ))
-- error: syntax error at 25:73: Expected: (, found: ip_address

-- case: cache_session_health_monitor_view
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

FROM real_time_metrics
-- expect:
{
  "create": "cache_session_health_monitor",
  "viewOn": "user_sessions",
  "pipeline": [
    {"$limit": 1},
    {"$facet": {"one": [{"$limit": 1}]}},
    {"$project": {"one": 0}},
    {
      "$lookup": {
        "from": "user_sessions",
        "pipeline": [
          {"$match": {"$and": [{"active": true}, {"$expr": {"$gt": ["$expires_at", "$$NOW"]}}]}},
          {"$group": {"_id": null, "a0": {"$sum": 1}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "count": {"$ifNull": ["$a0", 0]}}},
          {"$limit": 2}
        ],
        "as": "__sq0"
      }
    },
    {
      "$lookup": {
        "from": "user_sessions",
        "pipeline": [
          {"$match": {"$and": [{"active": true}, {"$expr": {"$gt": ["$expires_at", "$$NOW"]}}]}},
          {
            "$group": {
              "_id": null,
              "a0": {
                "$addToSet": {"$cond": [{"$ne": [{"$ifNull": ["$user_id", null]}, null]}, "$user_id", "$$REMOVE"]}
              }
            }
          },
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "count": {"$ifNull": [{"$size": {"$ifNull": ["$a0", []]}}, null]}}},
          {"$limit": 2}
        ],
        "as": "__sq1"
      }
    },
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {"$match": {"$expr": {"$gt": ["$expires_at", "$$NOW"]}}},
          {"$group": {"_id": null, "a0": {"$sum": 1}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "count": {"$ifNull": ["$a0", 0]}}},
          {"$limit": 2}
        ],
        "as": "__sq2"
      }
    },
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {"$match": {"$expr": {"$gt": ["$expires_at", "$$NOW"]}}},
          {
            "$group": {
              "_id": null,
              "a0": {"$sum": "$data_size"},
              "a0n": {"$sum": {"$cond": [{"$isNumber": "$data_size"}, 1, 0]}}
            }
          },
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {
            "$project": {
              "_id": 0,
              "?column?": {
                "$ifNull": [
                  {
                    "$let": {
                      "vars": {"a": {"$cond": [{"$gt": [{"$ifNull": ["$a0n", 0]}, 0]}, "$a0", null]}, "b": 1048576},
                      "in": {
                        "$cond": [
                          {
                            "$and": [
                              {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                              {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                            ]
                          },
                          {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                          {"$divide": ["$$a", "$$b"]}
                        ]
                      }
                    }
                  },
                  null
                ]
              }
            }
          },
          {"$limit": 2}
        ],
        "as": "__sq3"
      }
    },
    {
      "$lookup": {
        "from": "user_sessions",
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$gte": [
                  "$last_accessed",
                  {"$dateSubtract": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(5)}}
                ]
              }
            }
          },
          {"$group": {"_id": null, "a0": {"$sum": 1}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "count": {"$ifNull": ["$a0", 0]}}},
          {"$limit": 2}
        ],
        "as": "__sq4"
      }
    },
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$gte": [
                  "$last_accessed",
                  {"$dateSubtract": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(5)}}
                ]
              }
            }
          },
          {"$group": {"_id": null, "a0": {"$sum": 1}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "count": {"$ifNull": ["$a0", 0]}}},
          {"$limit": 2}
        ],
        "as": "__sq5"
      }
    },
    {
      "$lookup": {
        "from": "user_sessions",
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$expires_at", null]}, null]},
                  {
                    "$lte": [
                      "$expires_at",
                      {"$dateAdd": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(1)}}
                    ]
                  }
                ]
              }
            }
          },
          {"$group": {"_id": null, "a0": {"$sum": 1}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "count": {"$ifNull": ["$a0", 0]}}},
          {"$limit": 2}
        ],
        "as": "__sq6"
      }
    },
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$expires_at", null]}, null]},
                  {
                    "$lte": [
                      "$expires_at",
                      {"$dateAdd": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(1)}}
                    ]
                  }
                ]
              }
            }
          },
          {"$group": {"_id": null, "a0": {"$sum": 1}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "count": {"$ifNull": ["$a0", 0]}}},
          {"$limit": 2}
        ],
        "as": "__sq7"
      }
    },
    {
      "$lookup": {
        "from": "user_sessions",
        "pipeline": [
          {"$match": {"active": true, "risk_score": {"$gt": 0.7}}},
          {"$group": {"_id": null, "a0": {"$sum": 1}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "count": {"$ifNull": ["$a0", 0]}}},
          {"$limit": 2}
        ],
        "as": "__sq8"
      }
    },
    {
      "$project": {
        "_id": 0,
        "monitor_timestamp": {"$ifNull": ["$$NOW", null]},
        "current_active_sessions": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq0"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq0"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq0.count", 0]}
              ]
            },
            null
          ]
        },
        "current_unique_users": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq1"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq1"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq1.count", 0]}
              ]
            },
            null
          ]
        },
        "current_cache_entries": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq2"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq2"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq2.count", 0]}
              ]
            },
            null
          ]
        },
        "current_cache_size_mb": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq3"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq3"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq3.?column?", 0]}
              ]
            },
            null
          ]
        },
        "recent_session_activity": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq4"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq4"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq4.count", 0]}
              ]
            },
            null
          ]
        },
        "recent_cache_activity": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq5"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq5"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq5.count", 0]}
              ]
            },
            null
          ]
        },
        "sessions_expiring_soon": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq6"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq6"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq6.count", 0]}
              ]
            },
            null
          ]
        },
        "cache_expiring_soon": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq7"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq7"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq7.count", 0]}
              ]
            },
            null
          ]
        },
        "high_risk_active_sessions": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq8"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq8"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq8.count", 0]}
              ]
            },
            null
          ]
        }
      }
    },
    {
      "$project": {
        "_id": 0,
        "monitor_timestamp": {"$ifNull": ["$monitor_timestamp", null]},
        "current_active_sessions": {"$ifNull": ["$current_active_sessions", null]},
        "current_unique_users": {"$ifNull": ["$current_unique_users", null]},
        "user_session_ratio": {
          "$ifNull": [
            {
              "$let": {
                "vars": {
                  "v": {
                    "$toDecimal": {
                      "$divide": [
                        {"$toDouble": "$current_unique_users"},
                        {
                          "$cond": [
                            {
                              "$and": [
                                {"$ne": [{"$ifNull": ["$current_active_sessions", null]}, null]},
                                {"$ne": [{"$ifNull": [0, null]}, null]},
                                {"$eq": ["$current_active_sessions", 0]}
                              ]
                            },
                            null,
                            "$current_active_sessions"
                          ]
                        }
                      ]
                    }
                  }
                },
                "in": {
                  "$multiply": [
                    {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                    {
                      "$divide": [
                        {"$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+2")]}, 0.5]}},
                        NumberDecimal("1E+2")
                      ]
                    }
                  ]
                }
              }
            },
            null
          ]
        },
        "recent_session_activity": {"$ifNull": ["$recent_session_activity", null]},
        "sessions_expiring_soon": {"$ifNull": ["$sessions_expiring_soon", null]},
        "current_cache_entries": {"$ifNull": ["$current_cache_entries", null]},
        "cache_size_mb": {
          "$ifNull": [
            {
              "$let": {
                "vars": {"v": {"$toDecimal": {"$toDecimal": "$current_cache_size_mb"}}},
                "in": {
                  "$multiply": [
                    {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                    {
                      "$divide": [
                        {"$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+2")]}, 0.5]}},
                        NumberDecimal("1E+2")
                      ]
                    }
                  ]
                }
              }
            },
            null
          ]
        },
        "recent_cache_activity": {"$ifNull": ["$recent_cache_activity", null]},
        "cache_expiring_soon": {"$ifNull": ["$cache_expiring_soon", null]},
        "high_risk_active_sessions": {"$ifNull": ["$high_risk_active_sessions", null]},
        "security_status": {
          "$ifNull": [
            {
              "$switch": {
                "branches": [
                  {
                    "case": {
                      "$and": [
                        {"$ne": [{"$ifNull": ["$high_risk_active_sessions", null]}, null]},
                        {"$ne": [{"$ifNull": [{"$multiply": ["$current_active_sessions", 0.1]}, null]}, null]},
                        {
                          "$gt": ["$high_risk_active_sessions", {"$multiply": ["$current_active_sessions", 0.1]}]
                        }
                      ]
                    },
                    "then": "critical"
                  },
                  {
                    "case": {
                      "$and": [
                        {"$ne": [{"$ifNull": ["$high_risk_active_sessions", null]}, null]},
                        {"$ne": [{"$ifNull": [{"$multiply": ["$current_active_sessions", 0.05]}, null]}, null]},
                        {
                          "$gt": ["$high_risk_active_sessions", {"$multiply": ["$current_active_sessions", 0.05]}]
                        }
                      ]
                    },
                    "then": "warning"
                  }
                ],
                "default": "normal"
              }
            },
            null
          ]
        },
        "system_load": {
          "$ifNull": [
            {
              "$switch": {
                "branches": [
                  {"case": {"$gt": ["$current_active_sessions", 10000]}, "then": "high_load"},
                  {"case": {"$gt": ["$current_active_sessions", 5000]}, "then": "medium_load"},
                  {"case": {"$gt": ["$current_active_sessions", 1000]}, "then": "normal_load"}
                ],
                "default": "low_load"
              }
            },
            null
          ]
        },
        "cache_activity_level": {
          "$ifNull": [
            {
              "$switch": {
                "branches": [
                  {
                    "case": {
                      "$gt": [
                        {
                          "$divide": [
                            {"$toDouble": "$recent_cache_activity"},
                            {
                              "$cond": [
                                {
                                  "$and": [
                                    {"$ne": [{"$ifNull": ["$current_cache_entries", null]}, null]},
                                    {"$ne": [{"$ifNull": [0, null]}, null]},
                                    {"$eq": ["$current_cache_entries", 0]}
                                  ]
                                },
                                null,
                                "$current_cache_entries"
                              ]
                            }
                          ]
                        },
                        0.1
                      ]
                    },
                    "then": "highly_active"
                  },
                  {
                    "case": {
                      "$gt": [
                        {
                          "$divide": [
                            {"$toDouble": "$recent_cache_activity"},
                            {
                              "$cond": [
                                {
                                  "$and": [
                                    {"$ne": [{"$ifNull": ["$current_cache_entries", null]}, null]},
                                    {"$ne": [{"$ifNull": [0, null]}, null]},
                                    {"$eq": ["$current_cache_entries", 0]}
                                  ]
                                },
                                null,
                                "$current_cache_entries"
                              ]
                            }
                          ]
                        },
                        0.05
                      ]
                    },
                    "then": "moderately_active"
                  }
                ],
                "default": "low_activity"
              }
            },
            null
          ]
        },
        "ttl_turnover_rate": {
          "$ifNull": [
            {
              "$switch": {
                "branches": [
                  {
                    "case": {"$gt": [{"$add": ["$sessions_expiring_soon", "$cache_expiring_soon"]}, 100]},
                    "then": "high_turnover"
                  },
                  {
                    "case": {"$gt": [{"$add": ["$sessions_expiring_soon", "$cache_expiring_soon"]}, 50]},
                    "then": "moderate_turnover"
                  }
                ],
                "default": "stable_turnover"
              }
            },
            null
          ]
        }
      }
    }
  ]
}
affected
