-- case: exists_uncorrelated
SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "pipeline": [{"$project": {"_id": 0, "?column?": {"$literal": 1}}}, {"$limit": 1}],
        "as": "__sq0"
      }
    },
    {"$match": {"$expr": {"$gt": [{"$size": "$__sq0"}, 0]}}},
    {"$unset": ["__sq0"]}
  ],
  "cursor": {}
}
rows: * (every field)

-- case: exists_correlated
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id <> s.session_id)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
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

-- case: not_exists_correlated_table_name
SELECT session_id FROM user_sessions WHERE NOT EXISTS (SELECT 1 FROM application_cache c WHERE c.namespace = user_sessions.user_id)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "application_cache",
        "localField": "user_id",
        "foreignField": "namespace",
        "let": {"o0": "$user_id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$namespace", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$eq": ["$namespace", "$$o0"]}
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
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: exists_as_value
SELECT s.session_id, EXISTS (SELECT 1 FROM application_cache c WHERE c.priority = s.page_views) AS e FROM user_sessions s
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "application_cache",
        "localField": "page_views",
        "foreignField": "priority",
        "let": {"o0": "$page_views"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$priority", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$eq": ["$priority", "$$o0"]}
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
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "c1": {
          "$cond": [
            {"$gt": [{"$size": "$__sq0"}, 0]},
            true,
            {"$cond": [{"$eq": [{"$size": "$__sq0"}, 0]}, false, null]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: session_id <- c0, e <- c1

-- case: two_levels_up
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM application_cache c WHERE EXISTS (SELECT 1 FROM t WHERE t.a = s.page_views))
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "t",
        "let": {"i1": "$page_views"},
        "pipeline": [
          {
            "$lookup": {
              "from": "application_cache",
              "pipeline": [{"$project": {"_id": 0, "?column?": {"$literal": 1}}}, {"$limit": 1}],
              "as": "__sq0"
            }
          },
          {"$match": {"$expr": {"$gt": [{"$size": "$__sq0"}, 0]}}},
          {"$project": {"_id": 0, "a": {"$ifNull": ["$a", null]}}},
          {"$match": {"$expr": {"$eq": ["$a", "$$i1"]}}},
          {"$limit": 1}
        ],
        "as": "__sq1"
      }
    },
    {
      "$match": {
        "$expr": {
          "$and": [{"$ne": [{"$ifNull": ["$page_views", null]}, null]}, {"$gt": [{"$size": "$__sq1"}, 0]}]
        }
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: two_levels_up_swapped_into_two_semi_joins
SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM application_cache c WHERE c.hit_count > 100 AND EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.page_views = c.priority))
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"i1": "$user_id"},
        "pipeline": [
          {
            "$lookup": {
              "from": "application_cache",
              "localField": "page_views",
              "foreignField": "priority",
              "let": {"o0": "$page_views"},
              "pipeline": [
                {
                  "$match": {
                    "$and": [
                      {"hit_count": {"$gt": 100}},
                      {
                        "$expr": {
                          "$and": [
                            {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                            {"$ne": [{"$ifNull": ["$priority", null]}, null]},
                            {"$eq": ["$$o0", "$priority"]}
                          ]
                        }
                      }
                    ]
                  }
                },
                {"$project": {"_id": 0, "?column?": {"$literal": 1}}},
                {"$limit": 1}
              ],
              "as": "__sq0"
            }
          },
          {"$match": {"$expr": {"$gt": [{"$size": "$__sq0"}, 0]}}},
          {"$project": {"_id": 0, "user_id": {"$ifNull": ["$user_id", null]}}},
          {"$match": {"$expr": {"$eq": ["$user_id", "$$i1"]}}},
          {"$limit": 1}
        ],
        "as": "__sq1"
      }
    },
    {
      "$match": {
        "$expr": {"$and": [{"$ne": [{"$ifNull": ["$user_id", null]}, null]}, {"$gt": [{"$size": "$__sq1"}, 0]}]}
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: correlated_in_grouped_select_reads_group_key
SELECT s.user_id, EXISTS (SELECT 1 FROM application_cache c WHERE c.namespace = s.user_id) AS e FROM user_sessions s GROUP BY s.user_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}}},
    {
      "$lookup": {
        "from": "application_cache",
        "let": {"o0": "$_id.g0"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$namespace", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$eq": ["$namespace", "$$o0"]}
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
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": {
          "$cond": [
            {"$gt": [{"$size": "$__sq0"}, 0]},
            true,
            {"$cond": [{"$eq": [{"$size": "$__sq0"}, 0]}, false, null]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: user_id <- c0, e <- c1

-- case: unqualified_outer_column_through_known_inner_columns
WITH c AS (SELECT hit_count AS n FROM application_cache) SELECT session_id FROM user_sessions WHERE EXISTS (SELECT 1 FROM c WHERE n = page_views)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "application_cache",
        "let": {"o0": "$page_views"},
        "pipeline": [
          {"$project": {"_id": 0, "n": {"$ifNull": ["$hit_count", null]}}},
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$n", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$eq": ["$n", "$$o0"]}
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
    {"$match": {"$expr": {"$gt": [{"$size": "$__sq0"}, 0]}}},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: correlated_ungrouped_column_invalid
SELECT s.user_id, (SELECT COUNT(*) FROM application_cache c WHERE c.hit_count = s.page_views) AS n FROM user_sessions s GROUP BY s.user_id
-- error: subquery uses ungrouped column "s.page_views" from outer query at 1:81

-- case: correlated_to_a_joined_table
SELECT a.session_id FROM user_sessions a JOIN application_cache c ON c.priority = a.page_views WHERE EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = c.namespace)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$page_views", null]}, null]}}},
    {
      "$lookup": {
        "from": "application_cache",
        "let": {"l0": "$page_views"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$priority", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$priority", "$$l0"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"o0": "$__j1.namespace"},
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

-- case: subquery_in_join_on_refused
SELECT a.session_id FROM user_sessions a JOIN application_cache c ON c.priority IN (SELECT user_sessions.page_views FROM user_sessions)
-- error: unsupported: subquery in JOIN ... ON at 1:70

-- case: unqualified_name_that_may_be_the_enclosing_querys_refused
SELECT * FROM src WHERE EXISTS (SELECT * FROM target WHERE v = a)
-- error: unsupported: unqualified column "v" in a subquery over a collection: it may belong to the subquery's collection or to an enclosing query (qualify it: target.v, or the enclosing table's name) at 1:60

-- case: unqualified_name_over_the_same_collection_is_the_inner_column
SELECT k FROM c WHERE k IN (SELECT k FROM c WHERE v > 1)
-- expect:
{
  "aggregate": "c",
  "pipeline": [
    {
      "$lookup": {
        "from": "c",
        "let": {"i0": "$k"},
        "pipeline": [
          {"$match": {"v": {"$gt": 1}}},
          {"$project": {"_id": 0, "k": {"$ifNull": ["$k", null]}}},
          {"$match": {"$expr": {"$eq": ["$k", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {"$and": [{"$ne": [{"$ifNull": ["$k", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]}
      }
    },
    {"$project": {"_id": 0, "c0": "$k"}}
  ],
  "cursor": {}
}
rows: k <- c0

-- case: qualified_names_resolve_inner_and_outer
SELECT * FROM src s WHERE EXISTS (SELECT * FROM target t WHERE t.v = s.a)
-- expect:
{
  "aggregate": "src",
  "pipeline": [
    {
      "$lookup": {
        "from": "target",
        "localField": "a",
        "foreignField": "v",
        "let": {"o0": "$a"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$v", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$eq": ["$v", "$$o0"]}
                ]
              }
            }
          },
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {"$match": {"$expr": {"$gt": [{"$size": "$__sq0"}, 0]}}},
    {"$unset": ["__sq0"]}
  ],
  "cursor": {}
}
rows: * (every field)
