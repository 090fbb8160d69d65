-- case: dashboard_cross_join
WITH s AS (SELECT COUNT(*) AS sessions FROM user_sessions WHERE active = TRUE), c AS (SELECT COUNT(*) AS entries, SUM(data_size) AS bytes FROM application_cache) SELECT s.sessions, c.entries, c.bytes FROM s CROSS JOIN c
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"active": true}},
    {"$group": {"_id": null, "a0": {"$sum": 1}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "sessions": {"$ifNull": ["$a0", 0]}}},
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {
            "$group": {
              "_id": null,
              "a0": {"$sum": 1},
              "a1": {"$sum": "$data_size"},
              "a1n": {"$sum": {"$cond": [{"$isNumber": "$data_size"}, 1, 0]}}
            }
          },
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {
            "$project": {
              "_id": 0,
              "entries": {"$ifNull": ["$a0", 0]},
              "bytes": {"$ifNull": [{"$cond": [{"$gt": [{"$ifNull": ["$a1n", 0]}, 0]}, "$a1", null]}, null]}
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$sessions", "c1": "$__j1.entries", "c2": "$__j1.bytes"}}
  ],
  "cursor": {}
}
rows: sessions <- c0, entries <- c1, bytes <- c2

-- case: comma_list_unqualified
WITH s AS (SELECT COUNT(*) AS sessions FROM user_sessions), c AS (SELECT MAX(hit_count) AS top_hits FROM application_cache) SELECT sessions, top_hits FROM s, c
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$sum": 1}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "sessions": {"$ifNull": ["$a0", 0]}}},
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {"$group": {"_id": null, "a0": {"$max": "$hit_count"}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "top_hits": {"$ifNull": ["$a0", null]}}}
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$sessions", "c1": "$__j1.top_hits"}}
  ],
  "cursor": {}
}
rows: sessions <- c0, top_hits <- c1

-- case: cte_used_twice
WITH a AS (SELECT COUNT(*) AS n FROM user_sessions) SELECT x.n AS n1, y.n AS n2 FROM a x CROSS JOIN a y
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$sum": 1}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "n": {"$ifNull": ["$a0", 0]}}},
    {
      "$lookup": {
        "from": "user_sessions",
        "pipeline": [
          {"$group": {"_id": null, "a0": {"$sum": 1}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "n": {"$ifNull": ["$a0", 0]}}}
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$n", "c1": "$__j1.n"}}
  ],
  "cursor": {}
}
rows: n1 <- c0, n2 <- c1

-- case: cross_join_tables
SELECT s.session_id, c.cache_key FROM user_sessions s CROSS JOIN application_cache c WHERE s.page_views = 1
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"page_views": 1}},
    {"$lookup": {"from": "application_cache", "pipeline": [], "as": "__j1"}},
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__j1.cache_key"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, cache_key <- c1

-- case: cross_join_star_of_ctes
WITH a AS (SELECT 1 AS x), b AS (SELECT 2 AS y) SELECT * FROM a CROSS JOIN b
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {"$project": {"_id": 0, "x": {"$literal": 1}}},
    {
      "$lookup": {
        "pipeline": [{"$documents": [{}]}, {"$project": {"_id": 0, "y": {"$literal": 2}}}],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$x", "c1": "$__j1.y"}}
  ],
  "cursor": {}
}
rows: x <- c0, y <- c1

-- case: ambiguous_column
WITH a AS (SELECT 1 AS x), b AS (SELECT 2 AS x) SELECT x FROM a CROSS JOIN b
-- error: column reference "x" is ambiguous at 1:56

-- case: join_on_cte
WITH a AS (SELECT user_id FROM user_sessions) SELECT a.user_id FROM a JOIN application_cache c ON c.namespace = a.user_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$project": {"_id": 0, "user_id": {"$ifNull": ["$user_id", null]}}},
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$user_id", null]}, null]}}},
    {
      "$lookup": {
        "from": "application_cache",
        "let": {"l0": "$user_id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$namespace", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$namespace", "$$l0"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$user_id"}}
  ],
  "cursor": {}
}
rows: user_id <- c0

-- case: cross_join_star_with_table_refused
WITH a AS (SELECT 1 AS x) SELECT * FROM a CROSS JOIN application_cache
-- error: unsupported: SELECT * / t.* over a CROSS JOIN with a collection (name the columns) at 1:27

-- case: left_join_derived_table
SELECT c.cache_key, t.n FROM application_cache c LEFT JOIN (SELECT page_views, COUNT(*) AS n FROM user_sessions GROUP BY page_views) t ON t.page_views = c.hit_count
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$hit_count"},
        "pipeline": [
          {"$group": {"_id": {"g0": {"$ifNull": ["$page_views", null]}}, "a0": {"$sum": 1}}},
          {
            "$project": {"_id": 0, "page_views": {"$ifNull": ["$_id.g0", null]}, "n": {"$ifNull": ["$a0", 0]}}
          },
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$page_views", "$$l0"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$project": {"_id": 0, "c0": "$cache_key", "c1": "$__j1.n"}}
  ],
  "cursor": {}
}
rows: cache_key <- c0, n <- c1

-- case: cte_first_in_join
WITH hot AS (SELECT cache_key, priority FROM application_cache WHERE hit_count > 100) SELECT h.cache_key, s.session_id FROM hot h JOIN user_sessions s ON s.page_views = h.priority
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$match": {"hit_count": {"$gt": 100}}},
    {
      "$project": {
        "_id": 0,
        "cache_key": {"$ifNull": ["$cache_key", null]},
        "priority": {"$ifNull": ["$priority", null]}
      }
    },
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$priority", null]}, null]}}},
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$priority"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$page_views", "$$l0"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$cache_key", "c1": "$__j1.session_id"}}
  ],
  "cursor": {}
}
rows: cache_key <- c0, session_id <- c1

-- case: join_from_less_cte_first_refused
WITH m AS (SELECT 1 AS x) SELECT m.x, c.cache_key FROM m JOIN application_cache c ON c.priority = m.x
-- error: unsupported: a query without FROM as the first relation of a join at 1:27
