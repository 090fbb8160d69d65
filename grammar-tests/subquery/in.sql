-- case: in_subquery
SELECT session_id FROM user_sessions WHERE user_id IN (SELECT user_id FROM user_sessions WHERE risk_score > 0.8)
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
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: not_in_subquery
SELECT session_id FROM user_sessions WHERE page_views NOT IN (SELECT ac.hit_count FROM application_cache ac)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "application_cache",
        "let": {"i0": "$page_views"},
        "pipeline": [
          {"$project": {"_id": 0, "hit_count": {"$ifNull": ["$hit_count", null]}}},
          {"$match": {"$expr": {"$eq": ["$hit_count", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {"$project": {"_id": 0, "hit_count": {"$ifNull": ["$hit_count", null]}}},
          {
            "$group": {
              "_id": null,
              "nulls": {"$sum": {"$cond": [{"$eq": [{"$ifNull": ["$hit_count", null]}, null]}, 1, 0]}}
            }
          }
        ],
        "as": "__sq1"
      }
    },
    {
      "$match": {
        "$expr": {
          "$or": [
            {"$eq": [{"$size": "$__sq1"}, 0]},
            {
              "$and": [
                {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                {"$not": [{"$gt": [{"$size": "$__sq0"}, 0]}]},
                {"$not": [{"$gt": [{"$arrayElemAt": ["$__sq1.nulls", 0]}, 0]}]}
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

-- case: in_subquery_as_value
SELECT session_id, page_views IN (SELECT ac.hit_count FROM application_cache ac) AS hit FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "application_cache",
        "let": {"i0": "$page_views"},
        "pipeline": [
          {"$project": {"_id": 0, "hit_count": {"$ifNull": ["$hit_count", null]}}},
          {"$match": {"$expr": {"$eq": ["$hit_count", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {"$project": {"_id": 0, "hit_count": {"$ifNull": ["$hit_count", null]}}},
          {
            "$group": {
              "_id": null,
              "nulls": {"$sum": {"$cond": [{"$eq": [{"$ifNull": ["$hit_count", null]}, null]}, 1, 0]}}
            }
          }
        ],
        "as": "__sq1"
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "c1": {
          "$cond": [
            {
              "$and": [{"$ne": [{"$ifNull": ["$page_views", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]
            },
            true,
            {
              "$cond": [
                {
                  "$or": [
                    {"$eq": [{"$size": "$__sq1"}, 0]},
                    {
                      "$and": [
                        {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                        {"$not": [{"$gt": [{"$size": "$__sq0"}, 0]}]},
                        {"$not": [{"$gt": [{"$arrayElemAt": ["$__sq1.nulls", 0]}, 0]}]}
                      ]
                    }
                  ]
                },
                false,
                null
              ]
            }
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: session_id <- c0, hit <- c1

-- case: in_subquery_star_refused
SELECT a FROM t WHERE a IN (SELECT * FROM u)
-- error: unsupported: SELECT * in a subquery used as a value at 1:23

-- case: in_subquery_two_columns
SELECT a FROM t WHERE a IN (SELECT u.b, u.c FROM u)
-- error: subquery has too many columns at 1:23

-- case: row_in_subquery_refused
SELECT a FROM t WHERE (a, b) IN (SELECT b, c FROM u)
-- error: unsupported: row value IN (SELECT ...) at 1:24

-- case: plain_conjuncts_run_first
SELECT session_id FROM user_sessions WHERE active = TRUE AND user_id IN (SELECT user_id FROM user_sessions WHERE mfa_verified) AND page_views > $1
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"active": true, "page_views": {"$gt": {"$param": NumberLong(1)}}}},
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"i0": "$user_id"},
        "pipeline": [
          {"$match": {"mfa_verified": true}},
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
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: question_marks_keep_text_order
SELECT session_id FROM user_sessions WHERE user_id IN (SELECT user_id FROM user_sessions WHERE login_method = ?) AND page_views > ?
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"i0": "$user_id"},
        "pipeline": [
          {"$match": {"login_method": {"$eq": {"$param": NumberLong(1)}}}},
          {"$project": {"_id": 0, "user_id": {"$ifNull": ["$user_id", null]}}},
          {"$match": {"$expr": {"$eq": ["$user_id", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$and": [
          {
            "$expr": {
              "$and": [{"$ne": [{"$ifNull": ["$user_id", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]
            }
          },
          {"page_views": {"$gt": {"$param": NumberLong(2)}}}
        ]
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: eq_any_subquery
SELECT session_id FROM user_sessions WHERE page_views = ANY (SELECT ac.hit_count FROM application_cache ac)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "application_cache",
        "let": {"i0": "$page_views"},
        "pipeline": [
          {"$project": {"_id": 0, "hit_count": {"$ifNull": ["$hit_count", null]}}},
          {"$match": {"$expr": {"$eq": ["$hit_count", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {
          "$and": [{"$ne": [{"$ifNull": ["$page_views", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]
        }
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: gt_all_subquery
SELECT session_id FROM user_sessions WHERE page_views > ALL (SELECT ac.hit_count FROM application_cache ac WHERE ac.namespace = 'api')
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "application_cache",
        "pipeline": [
          {"$match": {"namespace": "api"}},
          {"$project": {"_id": 0, "hit_count": {"$ifNull": ["$hit_count", null]}}},
          {
            "$group": {
              "_id": null,
              "nulls": {"$sum": {"$cond": [{"$eq": [{"$ifNull": ["$hit_count", null]}, null]}, 1, 0]}},
              "lo": {"$min": "$hit_count"},
              "hi": {"$max": "$hit_count"}
            }
          }
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {
          "$or": [
            {"$eq": [{"$size": "$__sq0"}, 0]},
            {
              "$and": [
                {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                {"$not": [{"$gt": [{"$arrayElemAt": ["$__sq0.nulls", 0]}, 0]}]},
                {
                  "$or": [
                    {"$eq": [{"$ifNull": [{"$arrayElemAt": ["$__sq0.hi", 0]}, null]}, null]},
                    {"$gt": ["$page_views", {"$arrayElemAt": ["$__sq0.hi", 0]}]}
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

-- case: latest_session_per_user_window_in_subquery
SELECT session_id FROM user_sessions WHERE session_id IN (SELECT session_id FROM (SELECT session_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at DESC) AS rn FROM user_sessions) t WHERE rn = 1)
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
            "$set": {
              "__w0k": {
                "n0": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
                "s0": {"$ifNull": ["$created_at", null]}
              }
            }
          },
          {
            "$setWindowFields": {
              "partitionBy": {"p0": {"$ifNull": ["$user_id", null]}},
              "sortBy": {"__w0k": -1},
              "output": {"__w0": {"$documentNumber": {}}}
            }
          },
          {
            "$project": {
              "_id": 0,
              "session_id": {"$ifNull": ["$session_id", null]},
              "rn": {"$ifNull": ["$__w0", null]}
            }
          },
          {"$match": {"rn": 1}},
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
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0
