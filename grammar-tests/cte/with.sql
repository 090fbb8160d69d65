-- case: cte_star_is_the_table
WITH a AS (SELECT * FROM t) SELECT * FROM a
-- expect:
{"find": "t", "filter": {}}
rows: * (every field)

-- case: cte_filtered
WITH active AS (SELECT session_id, user_id FROM user_sessions WHERE active = TRUE) SELECT user_id FROM active WHERE user_id <> 'u1'
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"active": true}},
    {"$project": {"_id": 0, "user_id": {"$ifNull": ["$user_id", null]}}},
    {"$match": {"user_id": {"$nin": ["u1", null]}}},
    {"$project": {"_id": 0, "c0": "$user_id"}}
  ],
  "cursor": {}
}
rows: user_id <- c0

-- case: cte_chained
WITH a AS (SELECT user_id, page_views FROM user_sessions WHERE page_views > 2), b AS (SELECT user_id, page_views * 2 AS pv2 FROM a) SELECT user_id, pv2 FROM b ORDER BY pv2 DESC
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"page_views": {"$gt": 2}}},
    {
      "$project": {
        "_id": 0,
        "user_id": {"$ifNull": ["$user_id", null]},
        "page_views": {"$ifNull": ["$page_views", null]}
      }
    },
    {
      "$project": {
        "_id": 0,
        "user_id": {"$ifNull": ["$user_id", null]},
        "pv2": {"$ifNull": [{"$multiply": ["$page_views", 2]}, null]}
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$user_id",
        "c1": "$pv2",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$pv2", null]}, null]}, 1, 0]},
        "__s0": "$pv2"
      }
    },
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: user_id <- c0, pv2 <- c1

-- case: cte_grouped_then_filtered
WITH per_user AS (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) SELECT user_id, n FROM per_user WHERE n > 1
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "a0": {"$sum": 1}}},
    {"$project": {"_id": 0, "user_id": {"$ifNull": ["$_id.g0", null]}, "n": {"$ifNull": ["$a0", 0]}}},
    {"$match": {"n": {"$gt": 1}}},
    {"$project": {"_id": 0, "c0": "$user_id", "c1": "$n"}}
  ],
  "cursor": {}
}
rows: user_id <- c0, n <- c1

-- case: cte_column_aliases
WITH a(id, views) AS (SELECT session_id, page_views FROM user_sessions) SELECT id FROM a WHERE views IS NULL
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {"_id": 0, "id": {"$ifNull": ["$session_id", null]}, "views": {"$ifNull": ["$page_views", null]}}
    },
    {"$match": {"views": null}},
    {"$project": {"_id": 0, "c0": "$id"}}
  ],
  "cursor": {}
}
rows: id <- c0

-- case: cte_qualified_columns
WITH a AS (SELECT session_id FROM user_sessions) SELECT x.session_id FROM a AS x
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$project": {"_id": 0, "session_id": {"$ifNull": ["$session_id", null]}}},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: cte_without_from
WITH m AS (SELECT 1 AS one, 'x' AS label) SELECT one, label FROM m
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {"$project": {"_id": 0, "one": {"$literal": 1}, "label": {"$ifNull": ["x", null]}}},
    {"$project": {"_id": 0, "c0": "$one", "c1": "$label"}}
  ],
  "cursor": {}
}
rows: one <- c0, label <- c1

-- case: cte_with_parameters
WITH a AS (SELECT session_id, page_views FROM user_sessions WHERE user_id = $1) SELECT session_id FROM a WHERE page_views > $2
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"user_id": {"$eq": {"$param": NumberLong(1)}}}},
    {
      "$project": {
        "_id": 0,
        "session_id": {"$ifNull": ["$session_id", null]},
        "page_views": {"$ifNull": ["$page_views", null]}
      }
    },
    {"$match": {"page_views": {"$gt": {"$param": NumberLong(2)}}}},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: cte_shadows_a_table
WITH user_sessions AS (SELECT session_id FROM application_cache) SELECT session_id FROM user_sessions
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$project": {"_id": 0, "session_id": {"$ifNull": ["$session_id", null]}}},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: cte_recursive_refused
WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r
-- error: unsupported: WITH RECURSIVE at 1:1

-- case: cte_name_twice
WITH a AS (SELECT 1 AS x), a AS (SELECT 2 AS x) SELECT x FROM a
-- error: WITH query name "a" specified more than once at 1:28

-- case: cte_duplicate_column_refused
WITH a AS (SELECT COUNT(*), COUNT(*) FROM t) SELECT * FROM a
-- error: unsupported: duplicate column name "count" in a CTE / derived table at 1:6

-- case: cte_too_many_aliases
WITH a(x, y) AS (SELECT session_id FROM user_sessions) SELECT x FROM a
-- error: the relation has 1 columns available but 2 columns specified at 1:6

-- case: cte_dml_body_refused
WITH d AS (DELETE FROM t WHERE a = 1) SELECT 1 AS x FROM d
-- error: unsupported: this kind of query at 1:12

-- case: unknown_column_of_cte
WITH a AS (SELECT 1 AS x) SELECT y FROM a
-- error: column "y" does not exist at 1:34

-- case: unknown_column_without_from
SELECT nope
-- error: column "nope" does not exist at 1:8
