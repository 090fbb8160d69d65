-- case: scalar_in_select
SELECT (SELECT COUNT(*) FROM t) AS n FROM u
-- expect:
{
  "aggregate": "u",
  "pipeline": [
    {
      "$lookup": {
        "from": "t",
        "pipeline": [
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
      "$project": {
        "_id": 0,
        "c0": {
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
        }
      }
    }
  ],
  "cursor": {}
}
rows: n <- c0

-- case: scalar_in_where
SELECT session_id FROM user_sessions WHERE page_views > (SELECT AVG(page_views) FROM user_sessions)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "pipeline": [
          {"$group": {"_id": null, "a0": {"$avg": "$page_views"}}},
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
            {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
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
                "$page_views",
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
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: scalar_correlated
SELECT s.session_id, (SELECT COUNT(*) FROM user_sessions o WHERE o.user_id = s.user_id) AS same_user FROM user_sessions s
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "localField": "user_id",
        "foreignField": "user_id",
        "let": {"o0": "$user_id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$eq": ["$user_id", "$$o0"]}
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
        "as": "__sq0"
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "c1": {
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
        }
      }
    }
  ],
  "cursor": {}
}
rows: session_id <- c0, same_user <- c1

-- case: scalar_without_from
SELECT (SELECT COUNT(*) FROM user_sessions WHERE active = TRUE) AS active_sessions, (SELECT SUM(data_size) FROM application_cache) AS bytes
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {
      "$lookup": {
        "from": "user_sessions",
        "pipeline": [
          {"$match": {"active": true}},
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
        "from": "application_cache",
        "pipeline": [
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
              "sum": {"$ifNull": [{"$cond": [{"$gt": [{"$ifNull": ["$a0n", 0]}, 0]}, "$a0", null]}, null]}
            }
          },
          {"$limit": 2}
        ],
        "as": "__sq1"
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": {
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
        "c1": {
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
            {"$arrayElemAt": ["$__sq1.sum", 0]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: active_sessions <- c0, bytes <- c1

-- case: scalar_in_having
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id HAVING COUNT(*) > (SELECT COUNT(*) FROM application_cache)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "a0": {"$sum": 1}}},
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
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
      "$match": {
        "$expr": {
          "$and": [
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
                        {"$arrayElemAt": ["$__sq0.count", 0]}
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
                {"$ifNull": ["$a0", 0]},
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
                }
              ]
            }
          ]
        }
      }
    },
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: user_id <- c0, n <- c1

-- case: scalar_inside_aggregate_refused
SELECT SUM((SELECT COUNT(*) FROM t)) AS x FROM u
-- error: unsupported: subquery inside an aggregate function at 1:13

-- case: scalar_in_group_by_refused
SELECT COUNT(*) AS n FROM u GROUP BY (SELECT 1 AS x)
-- error: unsupported: subquery in GROUP BY / SELECT DISTINCT at 1:1

-- case: scalar_in_insert_refused
INSERT INTO t (a) VALUES ((SELECT COUNT(*) FROM u))
-- error: unsupported: subquery in this position at 1:1

-- case: scalar_in_update_set_refused
UPDATE t SET a = (SELECT COUNT(*) FROM u)
-- error: unsupported: subquery in UPDATE ... SET at 1:1

-- case: star_ordered_by_correlated_subquery
SELECT * FROM application_cache c ORDER BY (SELECT COUNT(*) FROM user_sessions s WHERE s.page_views = c.hit_count) DESC
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
      "$set": {
        "__n0": {
          "$cond": [
            {
              "$eq": [
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
                        {"$arrayElemAt": ["$__sq0.count", 0]}
                      ]
                    },
                    null
                  ]
                },
                null
              ]
            },
            1,
            0
          ]
        },
        "__s0": {
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
        }
      }
    },
    {"$unset": ["__sq0"]},
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: * (every field)
