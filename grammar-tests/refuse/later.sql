-- case: cte
WITH a AS (SELECT * FROM t) SELECT * FROM a
-- error: unsupported: WITH (common table expressions) at 1:1

-- case: join
SELECT * FROM user_sessions s JOIN users u ON s.user_id = u.id
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: left_join
SELECT * FROM a LEFT JOIN b ON a.id = b.id
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: cross_join_comma
SELECT * FROM a, b
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: derived_table
SELECT * FROM (SELECT * FROM t) x
-- error: unsupported: subquery in FROM (derived table) at 1:16

-- case: scalar_subquery
SELECT (SELECT COUNT(*) FROM t) AS n FROM u
-- error: unsupported: subquery at 1:9

-- case: exists
SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u)
-- error: unsupported: subquery at 1:31

-- case: window_function
SELECT ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$created_at", null]}
        }
      }
    },
    {
      "$setWindowFields": {
        "partitionBy": {"$ifNull": ["$user_id", null]},
        "sortBy": {"__w0k": 1},
        "output": {"__w0": {"$documentNumber": {}}}
      }
    },
    {"$unset": "__w0k"},
    {"$project": {"_id": 0, "c0": "$__w0"}}
  ],
  "cursor": {}
}
rows: row_number <- c0

-- case: window_aggregate
SELECT SUM(hit_count) OVER () FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$set": {"__w0k": 0}},
    {
      "$setWindowFields": {
        "sortBy": {"__w0k": 1},
        "output": {
          "__w0": {"$sum": "$hit_count"},
          "__w0c": {"$sum": {"$cond": [{"$isNumber": "$hit_count"}, 1, 0]}}
        }
      }
    },
    {"$set": {"__w0": {"$cond": [{"$gt": ["$__w0c", 0]}, "$__w0", null]}}},
    {"$unset": ["__w0k", "__w0c"]},
    {"$project": {"_id": 0, "c0": "$__w0"}}
  ],
  "cursor": {}
}
rows: sum <- c0

-- case: union
SELECT a FROM t UNION SELECT a FROM u
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$project": {"_id": 0, "a": 1}},
    {"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}},
    {
      "$unionWith": {
        "coll": "u",
        "pipeline": [{"$project": {"_id": 0, "a": 1}}, {"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}}]
      }
    },
    {"$group": {"_id": {"u0": "$u0"}}},
    {"$replaceRoot": {"newRoot": "$_id"}}
  ],
  "cursor": {}
}
rows: a <- u0

-- case: union_all
SELECT a FROM t UNION ALL SELECT a FROM u
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$project": {"_id": 0, "a": 1}},
    {"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}},
    {
      "$unionWith": {
        "coll": "u",
        "pipeline": [{"$project": {"_id": 0, "a": 1}}, {"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}}]
      }
    }
  ],
  "cursor": {}
}
rows: a <- u0

-- case: create_view
CREATE VIEW v AS SELECT * FROM t
-- error: unsupported: CREATE VIEW at 1:1

-- case: string_agg
SELECT STRING_AGG(a, ',') FROM t
-- error: unknown or unsupported function STRING_AGG() at 1:8

-- case: json_object
SELECT JSON_OBJECT('a', a) FROM t
-- error: unknown or unsupported function JSON_OBJECT() at 1:8

-- case: json_extract
SELECT JSON_EXTRACT(session_data, '$.preferences.theme') FROM user_sessions
-- error: unknown or unsupported function JSON_EXTRACT() at 1:8

-- case: truncate
TRUNCATE application_cache
-- error: unsupported: statement TRUNCATE application_cache at 1:10

-- case: begin
BEGIN
-- error: unsupported: statement BEGIN at 1:1

-- case: values_query
VALUES (1, 2)
-- error: unsupported: VALUES as a query at 1:8

-- case: at_time_zone
SELECT created_at AT TIME ZONE 'UTC' FROM t
-- error: unsupported: AT TIME ZONE at 1:8
