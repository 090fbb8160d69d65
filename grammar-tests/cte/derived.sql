-- case: derived_table
SELECT t.user_id, t.n FROM (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) t WHERE t.n >= 2
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "a0": {"$sum": 1}}},
    {"$project": {"_id": 0, "user_id": {"$ifNull": ["$_id.g0", null]}, "n": {"$ifNull": ["$a0", 0]}}},
    {"$match": {"n": {"$gte": 2}}},
    {"$project": {"_id": 0, "c0": "$user_id", "c1": "$n"}}
  ],
  "cursor": {}
}
rows: user_id <- c0, n <- c1

-- case: derived_star
SELECT * FROM (SELECT * FROM t) x
-- expect:
{"find": "t", "filter": {}}
rows: * (every field)

-- case: derived_alias_columns
SELECT k FROM (SELECT cache_key, hit_count FROM application_cache) AS d(k, v) WHERE v > 100 ORDER BY k
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {"_id": 0, "k": {"$ifNull": ["$cache_key", null]}, "v": {"$ifNull": ["$hit_count", null]}}
    },
    {"$match": {"v": {"$gt": 100}}},
    {
      "$project": {
        "_id": 0,
        "c0": "$k",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$k", null]}, null]}, 1, 0]},
        "__s0": "$k"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: k <- c0

-- case: derived_aggregate_of_aggregate
SELECT MAX(n) AS most FROM (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) per_user
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "a0": {"$sum": 1}}},
    {"$project": {"_id": 0, "n": {"$ifNull": ["$a0", 0]}}},
    {"$group": {"_id": null, "a0": {"$max": "$n"}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", null]}}}
  ],
  "cursor": {}
}
rows: most <- c0

-- case: derived_lateral_refused
SELECT x FROM user_sessions s, LATERAL (SELECT s.page_views AS x) l
-- error: unsupported: LATERAL at 1:41

-- case: derived_table_in_subquery_reads_outer_query
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM (SELECT c.cache_key FROM application_cache c WHERE c.hit_count = s.page_views) d)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "application_cache",
        "localField": "page_views",
        "foreignField": "hit_count",
        "let": {"o0": "$page_views"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$hit_count", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$eq": ["$hit_count", "$$o0"]}
                ]
              }
            }
          },
          {"$project": {"_id": 0, "cache_key": {"$ifNull": ["$cache_key", null]}}},
          {"$project": {"_id": 0, "?column?": {"$literal": 1}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {"$match": {"$expr": {"$gt": [{"$size": "$__sq0"}, 0]}}},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: select_without_from
SELECT 1 + 2 AS three, 'a' || 'b' AS ab
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {"$project": {"_id": 0, "c0": {"$literal": 3}, "c1": {"$concat": ["a", "b"]}}}
  ],
  "cursor": {}
}
rows: three <- c0, ab <- c1

-- case: star_without_from_invalid
SELECT *
-- error: SELECT * with no tables specified is not valid at 1:1
