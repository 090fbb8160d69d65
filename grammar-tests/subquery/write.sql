-- case: delete_in_subquery
DELETE FROM user_sessions WHERE user_id IN (SELECT user_id FROM user_sessions WHERE risk_score > 0.8)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"i0": "$user_id"},
        "pipeline": [
          {"$match": {"risk_score": {"$gt": 0.8}}},
          {"$project": {"_id": 0, "user_id": {"$ifNull": ["$user_id", null]}}},
          {"$match": {"$expr": {"$eq": ["$user_id", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {"$and": [{"$ne": [{"$ifNull": ["$user_id", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]}
      }
    },
    {"$project": {"_id": 1}}
  ],
  "cursor": {}
}
{
  "delete": "user_sessions",
  "deletes": [{"q": {"_id": {"$in": {"$stepOutput": {"step": NumberLong(0), "field": "_id"}}}}, "limit": 0}]
}
affected
note: WHERE with a subquery: runs as two commands (aggregate the _ids, then write them), not atomically

-- case: delete_not_exists_correlated
DELETE FROM application_cache WHERE NOT EXISTS (SELECT 1 FROM user_sessions s WHERE s.page_views = application_cache.hit_count)
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "localField": "hit_count",
        "foreignField": "page_views",
        "let": {"o0": "$hit_count"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$eq": ["$page_views", "$$o0"]}
                ]
              }
            }
          },
          {"$project": {"_id": 0, "?column?": {"$literal": 1}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {"$match": {"$expr": {"$eq": [{"$size": "$__sq0"}, 0]}}},
    {"$project": {"_id": 1}}
  ],
  "cursor": {}
}
{
  "delete": "application_cache",
  "deletes": [{"q": {"_id": {"$in": {"$stepOutput": {"step": NumberLong(0), "field": "_id"}}}}, "limit": 0}]
}
affected
note: WHERE with a subquery: runs as two commands (aggregate the _ids, then write them), not atomically

-- case: update_scalar_where
UPDATE application_cache SET priority = 0 WHERE hit_count > (SELECT AVG(hit_count) FROM application_cache) AND namespace = $1
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {"$match": {"namespace": {"$eq": {"$param": NumberLong(1)}}}},
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {"$group": {"_id": null, "a0": {"$avg": "$hit_count"}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "avg": {"$ifNull": ["$a0", null]}}},
          {"$limit": 2}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {
          "$and": [
            {"$ne": [{"$ifNull": ["$hit_count", null]}, null]},
            {
              "$ne": [
                {
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
                        {"$arrayElemAt": ["$__sq0.avg", 0]}
                      ]
                    },
                    null
                  ]
                },
                null
              ]
            },
            {
              "$gt": [
                "$hit_count",
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
                    {"$arrayElemAt": ["$__sq0.avg", 0]}
                  ]
                }
              ]
            }
          ]
        }
      }
    },
    {"$project": {"_id": 1}}
  ],
  "cursor": {}
}
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"_id": {"$in": {"$stepOutput": {"step": NumberLong(0), "field": "_id"}}}},
      "u": {"$set": {"priority": 0}},
      "multi": true,
      "upsert": false
    }
  ]
}
affected
note: WHERE with a subquery: runs as two commands (aggregate the _ids, then write them), not atomically

-- case: explain_shows_both_steps
EXPLAIN DELETE FROM t WHERE a IN (SELECT u.b FROM u)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"i0": "$a"},
        "pipeline": [
          {"$project": {"_id": 0, "b": {"$ifNull": ["$b", null]}}},
          {"$match": {"$expr": {"$eq": ["$b", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {"$and": [{"$ne": [{"$ifNull": ["$a", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]}
      }
    },
    {"$project": {"_id": 1}}
  ],
  "cursor": {}
}
{
  "delete": "t",
  "deletes": [{"q": {"_id": {"$in": {"$stepOutput": {"step": NumberLong(0), "field": "_id"}}}}, "limit": 0}]
}
explain
note: WHERE with a subquery: runs as two commands (aggregate the _ids, then write them), not atomically

-- case: with_delete
WITH old AS (SELECT session_id FROM user_sessions WHERE expires_at < NOW()) DELETE FROM user_sessions WHERE session_id IN (SELECT session_id FROM old)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"i0": "$session_id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [{"$ne": [{"$ifNull": ["$expires_at", null]}, null]}, {"$lt": ["$expires_at", "$$NOW"]}]
              }
            }
          },
          {"$project": {"_id": 0, "session_id": {"$ifNull": ["$session_id", null]}}},
          {"$match": {"$expr": {"$eq": ["$session_id", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {
          "$and": [{"$ne": [{"$ifNull": ["$session_id", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]
        }
      }
    },
    {"$project": {"_id": 1}}
  ],
  "cursor": {}
}
{
  "delete": "user_sessions",
  "deletes": [{"q": {"_id": {"$in": {"$stepOutput": {"step": NumberLong(0), "field": "_id"}}}}, "limit": 0}]
}
affected
note: WHERE with a subquery: runs as two commands (aggregate the _ids, then write them), not atomically

-- case: with_update
WITH hot AS (SELECT namespace FROM application_cache GROUP BY namespace HAVING SUM(hit_count) > 1000) UPDATE application_cache SET priority = 1 WHERE namespace IN (SELECT namespace FROM hot)
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$lookup": {
        "from": "application_cache",
        "let": {"i0": "$namespace"},
        "pipeline": [
          {
            "$group": {
              "_id": {"g0": {"$ifNull": ["$namespace", null]}},
              "a0": {"$sum": "$hit_count"},
              "a0n": {"$sum": {"$cond": [{"$isNumber": "$hit_count"}, 1, 0]}}
            }
          },
          {
            "$match": {"$expr": {"$gt": [{"$cond": [{"$gt": [{"$ifNull": ["$a0n", 0]}, 0]}, "$a0", null]}, 1000]}}
          },
          {"$project": {"_id": 0, "namespace": {"$ifNull": ["$_id.g0", null]}}},
          {"$project": {"_id": 0, "namespace": {"$ifNull": ["$namespace", null]}}},
          {"$match": {"$expr": {"$eq": ["$namespace", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {
          "$and": [{"$ne": [{"$ifNull": ["$namespace", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]
        }
      }
    },
    {"$project": {"_id": 1}}
  ],
  "cursor": {}
}
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"_id": {"$in": {"$stepOutput": {"step": NumberLong(0), "field": "_id"}}}},
      "u": {"$set": {"priority": 1}},
      "multi": true,
      "upsert": false
    }
  ]
}
affected
note: WHERE with a subquery: runs as two commands (aggregate the _ids, then write them), not atomically
