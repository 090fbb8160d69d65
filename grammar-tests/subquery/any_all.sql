-- case: correlated_not_in_three_probes
SELECT s.session_id FROM user_sessions s WHERE s.page_views NOT IN (SELECT o.page_views FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id <> s.session_id) ORDER BY s.session_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "localField": "page_views",
        "foreignField": "page_views",
        "let": {"o0": "$user_id", "o1": "$session_id", "i0": "$page_views"},
        "pipeline": [
          {
            "$match": {
              "$and": [
                {"$expr": {"$eq": ["$page_views", "$$i0"]}},
                {
                  "$expr": {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                      {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                      {"$eq": ["$user_id", "$$o0"]}
                    ]
                  }
                },
                {
                  "$expr": {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$session_id", null]}, null]},
                      {"$ne": [{"$ifNull": ["$$o1", null]}, null]},
                      {"$ne": ["$session_id", "$$o1"]}
                    ]
                  }
                }
              ]
            }
          },
          {"$project": {"_id": 0, "page_views": {"$ifNull": ["$page_views", null]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$lookup": {
        "from": "user_sessions",
        "localField": "user_id",
        "foreignField": "user_id",
        "let": {"o0": "$user_id", "o1": "$session_id"},
        "pipeline": [
          {
            "$match": {
              "$and": [
                {
                  "$expr": {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                      {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                      {"$eq": ["$user_id", "$$o0"]}
                    ]
                  }
                },
                {
                  "$expr": {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$session_id", null]}, null]},
                      {"$ne": [{"$ifNull": ["$$o1", null]}, null]},
                      {"$ne": ["$session_id", "$$o1"]}
                    ]
                  }
                }
              ]
            }
          },
          {"$project": {"_id": 0, "page_views": {"$ifNull": ["$page_views", null]}}},
          {"$limit": 1}
        ],
        "as": "__sq1"
      }
    },
    {
      "$lookup": {
        "from": "user_sessions",
        "localField": "user_id",
        "foreignField": "user_id",
        "let": {"o0": "$user_id", "o1": "$session_id"},
        "pipeline": [
          {
            "$match": {
              "$and": [
                {
                  "$expr": {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                      {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                      {"$eq": ["$user_id", "$$o0"]}
                    ]
                  }
                },
                {
                  "$expr": {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$session_id", null]}, null]},
                      {"$ne": [{"$ifNull": ["$$o1", null]}, null]},
                      {"$ne": ["$session_id", "$$o1"]}
                    ]
                  }
                }
              ]
            }
          },
          {"$project": {"_id": 0, "page_views": {"$ifNull": ["$page_views", null]}}},
          {"$match": {"$expr": {"$eq": [{"$ifNull": ["$page_views", null]}, null]}}},
          {"$limit": 1}
        ],
        "as": "__sq2"
      }
    },
    {
      "$match": {
        "$expr": {
          "$or": [
            {"$not": [{"$gt": [{"$size": "$__sq1"}, 0]}]},
            {
              "$and": [
                {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                {"$not": [{"$gt": [{"$size": "$__sq0"}, 0]}]},
                {"$not": [{"$gt": [{"$size": "$__sq2"}, 0]}]}
              ]
            }
          ]
        }
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
        "__s0": "$session_id"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: correlated_gt_all_summary
SELECT s.session_id FROM user_sessions s WHERE s.page_views > ALL (SELECT o.page_views FROM user_sessions o WHERE o.user_id = s.user_id)
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
          {"$project": {"_id": 0, "page_views": {"$ifNull": ["$page_views", null]}}},
          {
            "$group": {
              "_id": null,
              "nulls": {"$sum": {"$cond": [{"$eq": [{"$ifNull": ["$page_views", null]}, null]}, 1, 0]}},
              "lo": {"$min": "$page_views"},
              "hi": {"$max": "$page_views"}
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

-- case: uncorrelated_ne_any_value
SELECT session_id, page_views <> ANY (SELECT priority FROM application_cache) AS v FROM user_sessions
-- error: unsupported: unqualified column "priority" in a subquery over a collection: it may belong to the subquery's collection or to an enclosing query (qualify it: application_cache.priority, or the enclosing table's name) at 1:46
