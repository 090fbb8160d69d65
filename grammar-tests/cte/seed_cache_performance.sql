-- case: seed_cache_performance_cte
WITH cache_performance AS (
    SELECT
        cache_namespace,
        COUNT(*) as total_entries,
        SUM(data_size) as total_size_bytes,
        AVG(data_size) as avg_entry_size,
        SUM(hit_count) as total_hits,
        SUM(miss_count) as total_misses,
        CASE
            WHEN SUM(hit_count + miss_count) > 0 THEN
                ROUND((SUM(hit_count)::FLOAT / SUM(hit_count + miss_count) * 100)::NUMERIC, 2)
            ELSE 0
        END as hit_ratio_percent,
        COUNT(*) FILTER (WHERE expires_at <= CURRENT_TIMESTAMP) as expired_entries,
        COUNT(*) FILTER (WHERE expires_at > CURRENT_TIMESTAMP + INTERVAL '1 hour') as long_lived_entries,
        AVG(hit_count) as avg_hits_per_entry,
        MAX(last_accessed) as most_recent_access,
        MIN(last_accessed) as oldest_access
    FROM application_cache
    GROUP BY cache_namespace
)
SELECT
    cp.cache_namespace,
    cp.total_entries,
    ROUND((cp.total_size_bytes / 1024.0 / 1024.0)::NUMERIC, 2) as size_mb,
    ROUND(cp.avg_entry_size::NUMERIC, 0) as avg_entry_size_bytes,
    cp.hit_ratio_percent,
    cp.expired_entries,
    cp.long_lived_entries,
    cp.avg_hits_per_entry,
    CASE
        WHEN cp.hit_ratio_percent > 90 THEN 'excellent'
        WHEN cp.hit_ratio_percent > 70 THEN 'good'
        WHEN cp.hit_ratio_percent > 50 THEN 'acceptable'
        ELSE 'poor'
    END as cache_efficiency,
    CASE
        WHEN cp.expired_entries > cp.total_entries * 0.1 THEN 'Consider shorter TTL or more frequent cleanup'
        WHEN cp.hit_ratio_percent < 50 THEN 'Review caching strategy and key patterns'
        WHEN cp.avg_entry_size > 1048576 THEN 'Consider data compression or smaller cache objects'
        ELSE 'Cache performance within normal parameters'
    END as recommendation
FROM cache_performance cp
ORDER BY cp.total_entries DESC
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$cache_namespace", null]}},
        "a0": {"$sum": 1},
        "a1": {"$sum": "$data_size"},
        "a1n": {"$sum": {"$cond": [{"$isNumber": "$data_size"}, 1, 0]}},
        "a3": {"$avg": "$data_size"},
        "a4": {"$sum": "$hit_count"},
        "a4n": {"$sum": {"$cond": [{"$isNumber": "$hit_count"}, 1, 0]}},
        "a6": {"$sum": "$miss_count"},
        "a6n": {"$sum": {"$cond": [{"$isNumber": "$miss_count"}, 1, 0]}},
        "a8": {"$sum": {"$add": ["$hit_count", "$miss_count"]}},
        "a8n": {"$sum": {"$cond": [{"$isNumber": {"$add": ["$hit_count", "$miss_count"]}}, 1, 0]}},
        "a10": {
          "$sum": {
            "$cond": [
              {
                "$and": [{"$ne": [{"$ifNull": ["$expires_at", null]}, null]}, {"$lte": ["$expires_at", "$$NOW"]}]
              },
              1,
              0
            ]
          }
        },
        "a11": {
          "$sum": {
            "$cond": [
              {
                "$gt": [
                  "$expires_at",
                  {"$dateAdd": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(1)}}
                ]
              },
              1,
              0
            ]
          }
        },
        "a12": {"$avg": "$hit_count"},
        "a13": {"$max": "$last_accessed"},
        "a14": {"$min": "$last_accessed"}
      }
    },
    {
      "$project": {
        "_id": 0,
        "cache_namespace": {"$ifNull": ["$_id.g0", null]},
        "total_entries": {"$ifNull": ["$a0", 0]},
        "total_size_bytes": {"$ifNull": [{"$cond": [{"$gt": [{"$ifNull": ["$a1n", 0]}, 0]}, "$a1", null]}, null]},
        "avg_entry_size": {"$ifNull": ["$a3", null]},
        "hit_ratio_percent": {
          "$ifNull": [
            {
              "$switch": {
                "branches": [
                  {
                    "case": {"$gt": [{"$cond": [{"$gt": [{"$ifNull": ["$a8n", 0]}, 0]}, "$a8", null]}, 0]},
                    "then": {
                      "$let": {
                        "vars": {
                          "v": {
                            "$toDecimal": {
                              "$toDecimal": {
                                "$multiply": [
                                  {
                                    "$divide": [
                                      {"$toDouble": {"$cond": [{"$gt": [{"$ifNull": ["$a4n", 0]}, 0]}, "$a4", null]}},
                                      {"$cond": [{"$gt": [{"$ifNull": ["$a8n", 0]}, 0]}, "$a8", null]}
                                    ]
                                  },
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
                                {"$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+2")]}, 0.5]}},
                                NumberDecimal("1E+2")
                              ]
                            }
                          ]
                        }
                      }
                    }
                  }
                ],
                "default": 0
              }
            },
            null
          ]
        },
        "expired_entries": {"$ifNull": ["$a10", 0]},
        "long_lived_entries": {"$ifNull": ["$a11", 0]},
        "avg_hits_per_entry": {"$ifNull": ["$a12", null]}
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$cache_namespace",
        "c1": "$total_entries",
        "c2": {
          "$let": {
            "vars": {
              "v": {
                "$toDecimal": {"$toDecimal": {"$divide": [{"$divide": ["$total_size_bytes", 1024.0]}, 1024.0]}}
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
        "c3": {
          "$let": {
            "vars": {"v": {"$toDecimal": {"$toDecimal": "$avg_entry_size"}}},
            "in": {
              "$multiply": [
                {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                {
                  "$divide": [
                    {"$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1")]}, 0.5]}},
                    NumberDecimal("1")
                  ]
                }
              ]
            }
          }
        },
        "c4": "$hit_ratio_percent",
        "c5": "$expired_entries",
        "c6": "$long_lived_entries",
        "c7": "$avg_hits_per_entry",
        "c8": {
          "$switch": {
            "branches": [
              {"case": {"$gt": ["$hit_ratio_percent", 90]}, "then": "excellent"},
              {"case": {"$gt": ["$hit_ratio_percent", 70]}, "then": "good"},
              {"case": {"$gt": ["$hit_ratio_percent", 50]}, "then": "acceptable"}
            ],
            "default": "poor"
          }
        },
        "c9": {
          "$switch": {
            "branches": [
              {
                "case": {
                  "$and": [
                    {"$ne": [{"$ifNull": ["$expired_entries", null]}, null]},
                    {"$ne": [{"$ifNull": [{"$multiply": ["$total_entries", 0.1]}, null]}, null]},
                    {"$gt": ["$expired_entries", {"$multiply": ["$total_entries", 0.1]}]}
                  ]
                },
                "then": "Consider shorter TTL or more frequent cleanup"
              },
              {
                "case": {
                  "$and": [
                    {"$ne": [{"$ifNull": ["$hit_ratio_percent", null]}, null]},
                    {"$lt": ["$hit_ratio_percent", 50]}
                  ]
                },
                "then": "Review caching strategy and key patterns"
              },
              {
                "case": {"$gt": ["$avg_entry_size", 1048576]},
                "then": "Consider data compression or smaller cache objects"
              }
            ],
            "default": "Cache performance within normal parameters"
          }
        },
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$total_entries", null]}, null]}, 1, 0]},
        "__s0": "$total_entries"
      }
    },
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: cache_namespace <- c0, total_entries <- c1, size_mb <- c2, avg_entry_size_bytes <- c3, hit_ratio_percent <- c4, expired_entries <- c5, long_lived_entries <- c6, avg_hits_per_entry <- c7, cache_efficiency <- c8, recommendation <- c9
