-- case: union_all
SELECT user_id FROM user_sessions UNION ALL SELECT namespace FROM application_cache
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$project": {"_id": 0, "u0": {"$ifNull": ["$user_id", null]}}},
    {
      "$unionWith": {
        "coll": "application_cache",
        "pipeline": [{"$project": {"_id": 0, "u0": {"$ifNull": ["$namespace", null]}}}]
      }
    }
  ],
  "cursor": {}
}
rows: user_id <- u0

-- case: union_distinct_order_limit
SELECT user_id AS who, page_views FROM user_sessions UNION SELECT namespace, hit_count FROM application_cache ORDER BY who LIMIT 10
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {"_id": 0, "u0": {"$ifNull": ["$user_id", null]}, "u1": {"$ifNull": ["$page_views", null]}}
    },
    {
      "$unionWith": {
        "coll": "application_cache",
        "pipeline": [
          {
            "$project": {"_id": 0, "u0": {"$ifNull": ["$namespace", null]}, "u1": {"$ifNull": ["$hit_count", null]}}
          }
        ]
      }
    },
    {"$group": {"_id": {"u0": {"$ifNull": ["$u0", null]}, "u1": {"$ifNull": ["$u1", null]}}}},
    {"$replaceRoot": {"newRoot": "$_id"}},
    {"$set": {"__n0": {"$cond": [{"$eq": ["$u0", null]}, 1, 0]}}},
    {"$sort": {"__n0": 1, "u0": 1}},
    {"$limit": NumberLong(10)},
    {"$unset": ["__n0"]}
  ],
  "cursor": {}
}
rows: who <- u0, page_views <- u1

-- case: intersect
SELECT page_views FROM user_sessions INTERSECT SELECT priority FROM application_cache
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$project": {"_id": 0, "u0": {"$ifNull": ["$page_views", null]}, "__l": {"$literal": 1}}},
    {
      "$unionWith": {
        "coll": "application_cache",
        "pipeline": [{"$project": {"_id": 0, "u0": {"$ifNull": ["$priority", null]}, "__r": {"$literal": 1}}}]
      }
    },
    {
      "$group": {"_id": {"u0": {"$ifNull": ["$u0", null]}}, "l": {"$sum": "$__l"}, "r": {"$sum": "$__r"}}
    },
    {"$match": {"l": {"$gt": 0}, "r": {"$gt": 0}}},
    {"$replaceRoot": {"newRoot": "$_id"}}
  ],
  "cursor": {}
}
rows: page_views <- u0

-- case: except_all
SELECT user_id FROM user_sessions EXCEPT ALL SELECT user_id FROM user_sessions WHERE active
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$project": {"_id": 0, "u0": {"$ifNull": ["$user_id", null]}, "__l": {"$literal": 1}}},
    {
      "$unionWith": {
        "coll": "user_sessions",
        "pipeline": [
          {"$match": {"active": true}},
          {"$project": {"_id": 0, "u0": {"$ifNull": ["$user_id", null]}, "__r": {"$literal": 1}}}
        ]
      }
    },
    {
      "$group": {"_id": {"u0": {"$ifNull": ["$u0", null]}}, "l": {"$sum": "$__l"}, "r": {"$sum": "$__r"}}
    },
    {"$set": {"__times": {"$range": [0, {"$max": [{"$subtract": ["$l", "$r"]}, 0]}]}}},
    {"$unwind": "$__times"},
    {"$replaceRoot": {"newRoot": "$_id"}}
  ],
  "cursor": {}
}
rows: user_id <- u0

-- case: column_count_mismatch
SELECT user_id, page_views FROM user_sessions UNION SELECT namespace FROM application_cache
-- error: each UNION query must have the same number of columns (2 and 1) at 1:1

-- case: star_refused
SELECT * FROM user_sessions UNION ALL SELECT * FROM user_sessions
-- error: unsupported: SELECT * in a set operation (list the columns) at 1:1

-- case: order_by_expression_refused
SELECT page_views FROM user_sessions UNION SELECT hit_count FROM application_cache ORDER BY page_views + 1
-- error: unsupported: ORDER BY page_views + 1 after a set operation (name an output column or its position) at 1:93

-- case: star_in_second_operand_points_at_it
SELECT user_id FROM user_sessions UNION SELECT * FROM application_cache
-- error: unsupported: SELECT * in a set operation (list the columns) at 1:41

-- case: operand_without_a_collection_refused
SELECT user_id FROM user_sessions UNION SELECT 'none' AS user_id
-- error: unsupported: this operand of a set operation at 1:41

-- case: limit_zero_keeps_no_row
SELECT a FROM c UNION ALL SELECT a FROM d LIMIT 0
-- expect:
{
  "aggregate": "c",
  "pipeline": [
    {"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}},
    {
      "$unionWith": {"coll": "d", "pipeline": [{"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}}]}
    },
    {"$match": {"$expr": false}}
  ],
  "cursor": {}
}
rows: a <- u0
