-- case: inner_join_let_pipeline
SELECT s.session_id, c.cache_key FROM user_sessions s JOIN application_cache c ON c.priority = s.page_views
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
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__j1.cache_key"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, cache_key <- c1

-- case: left_join_unwind_preserves
SELECT a.session_id, b.session_id AS other FROM user_sessions a LEFT JOIN user_sessions b ON a.user_id = b.user_id AND b.page_views > a.page_views WHERE b.risk_score > 0.5 ORDER BY a.session_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$match": {
        "$and": [
          {"$expr": {"$ne": [{"$ifNull": ["$user_id", null]}, null]}},
          {"$expr": {"$ne": [{"$ifNull": ["$page_views", null]}, null]}}
        ]
      }
    },
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$user_id", "l1": "$page_views"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                  {"$eq": ["$$l0", "$user_id"]},
                  {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l1", null]}, null]},
                  {"$gt": ["$page_views", "$$l1"]},
                  {"$gt": ["$risk_score", 0.5]}
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
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "c1": "$__j1.session_id",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
        "__s0": "$session_id"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: session_id <- c0, other <- c1

-- case: three_way_join
SELECT a.session_id, b.user_id, c.cache_key FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id JOIN application_cache c ON c.priority = b.page_views AND c.hit_count > a.actions_performed
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$match": {
        "$and": [
          {"$expr": {"$ne": [{"$ifNull": ["$user_id", null]}, null]}},
          {"$expr": {"$ne": [{"$ifNull": ["$actions_performed", null]}, null]}}
        ]
      }
    },
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$user_id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                  {"$eq": ["$$l0", "$user_id"]}
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
        "from": "application_cache",
        "let": {"l0": "$__j1.page_views", "l1": "$actions_performed"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$priority", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$priority", "$$l0"]},
                  {"$ne": [{"$ifNull": ["$hit_count", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l1", null]}, null]},
                  {"$gt": ["$hit_count", "$$l1"]}
                ]
              }
            }
          }
        ],
        "as": "__j2"
      }
    },
    {"$unwind": "$__j2"},
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__j1.user_id", "c2": "$__j2.cache_key"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, user_id <- c1, cache_key <- c2

-- case: nested_path_key
SELECT a.session_id FROM user_sessions a JOIN user_sessions b ON a.session_data->'preferences'->>'theme' = b.session_data->'preferences'->>'theme'
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$session_data"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0.preferences.theme", null]}, null]},
                  {"$ne": [{"$ifNull": ["$session_data.preferences.theme", null]}, null]},
                  {"$eq": ["$$l0.preferences.theme", "$session_data.preferences.theme"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: qualified_star_first_table
SELECT a.* FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$user_id", null]}, null]}}},
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$user_id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                  {"$eq": ["$$l0", "$user_id"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$unset": ["__j1", "_id"]}
  ],
  "cursor": {}
}
rows: * (every field)

-- case: qualified_star_joined_table
SELECT b.* FROM user_sessions a LEFT JOIN application_cache b ON b.priority = a.page_views
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
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
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$replaceRoot": {"newRoot": {"$ifNull": ["$__j1", {}]}}},
    {"$unset": "_id"}
  ],
  "cursor": {}
}
rows: * (every field)

-- case: cross_join
SELECT a.session_id, c.cache_key FROM user_sessions a CROSS JOIN application_cache c
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$lookup": {"from": "application_cache", "pipeline": [], "as": "__j1"}},
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__j1.cache_key"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, cache_key <- c1

-- case: group_by_joined_column
SELECT c.namespace, COUNT(*) AS n FROM user_sessions s JOIN application_cache c ON s.page_views = c.priority GROUP BY c.namespace
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
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$priority", null]}, null]},
                  {"$eq": ["$$l0", "$priority"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$group": {"_id": {"g0": {"$ifNull": ["$__j1.namespace", null]}}, "a0": {"$sum": 1}}},
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: namespace <- c0, n <- c1

-- case: right_join_two_tables
SELECT a.session_id, c.cache_key FROM user_sessions a RIGHT JOIN application_cache c ON c.priority = a.page_views
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$priority"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                  {"$eq": ["$$l0", "$page_views"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$project": {"_id": 0, "c0": "$__j1.session_id", "c1": "$cache_key"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, cache_key <- c1

-- case: right_join_three_tables
SELECT a.session_id FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id RIGHT JOIN application_cache c ON c.priority = a.page_views
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$priority"},
        "pipeline": [
          {
            "$lookup": {
              "from": "user_sessions",
              "let": {"l0": "$user_id"},
              "pipeline": [
                {
                  "$match": {
                    "$expr": {
                      "$and": [
                        {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                        {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                        {"$eq": ["$$l0", "$user_id"]}
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
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                  {"$eq": ["$$l0", "$page_views"]}
                ]
              }
            }
          }
        ],
        "as": "__r"
      }
    },
    {"$unwind": {"path": "$__r", "preserveNullAndEmptyArrays": true}},
    {"$replaceRoot": {"newRoot": {"$mergeObjects": ["$__r", {"__j2": "$$ROOT"}]}}},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: full_join_two_tables
SELECT a.session_id, c.cache_key FROM user_sessions a FULL JOIN application_cache c ON c.priority = a.page_views
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
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
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {
      "$unionWith": {
        "coll": "application_cache",
        "pipeline": [
          {
            "$lookup": {
              "from": "user_sessions",
              "let": {"l0": "$priority"},
              "pipeline": [
                {
                  "$match": {
                    "$expr": {
                      "$and": [
                        {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                        {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                        {"$eq": ["$$l0", "$page_views"]}
                      ]
                    }
                  }
                }
              ],
              "as": "__m"
            }
          },
          {"$match": {"__m": {"$size": 0}}},
          {"$unset": "__m"},
          {"$replaceRoot": {"newRoot": {"__j1": "$$ROOT"}}}
        ]
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__j1.cache_key"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, cache_key <- c1

-- case: using_merged_column
SELECT user_id, a.session_id FROM user_sessions a JOIN user_sessions b USING (user_id)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$user_id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                  {"$eq": ["$$l0", "$user_id"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$user_id", "c1": "$session_id"}}
  ],
  "cursor": {}
}
rows: user_id <- c0, session_id <- c1

-- case: using_after_several_tables_refused
SELECT a.session_id FROM user_sessions a JOIN application_cache c ON c.priority = a.page_views JOIN user_sessions b USING (user_id)
-- error: unsupported: USING (user_id) after several tables, some without declared columns (write ON t.user_id = b.user_id) at 1:101

-- case: natural_join_refused
SELECT a.session_id FROM user_sessions a NATURAL JOIN user_sessions b
-- error: unsupported: NATURAL JOIN with a collection without declared columns (the common columns are unknown: write USING (...) or ON) at 1:55

-- case: unqualified_column_refused
SELECT session_id FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id
-- error: unsupported: unqualified column "session_id" in a query with joins over a collection without declared columns (qualify it with its table) at 1:8

-- case: bare_star_refused
SELECT * FROM user_sessions a JOIN user_sessions b ON a.user_id = b.user_id
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: later_table_in_on_refused
SELECT a.session_id FROM user_sessions a JOIN user_sessions b ON a.user_id = c.user_id JOIN user_sessions c ON b.user_id = c.user_id
-- error: unsupported: column "c.user_id": "c" is not a table of FROM (in a query with joins every column is qualified) at 1:78

-- case: same_table_twice_without_alias
SELECT user_sessions.session_id FROM user_sessions JOIN user_sessions ON user_sessions.user_id = user_sessions.user_id
-- error: table name "user_sessions" specified more than once (use an alias) at 1:57

-- case: where_on_first_table_runs_before_the_lookup
SELECT a.session_id, b.session_id AS o FROM user_sessions a LEFT JOIN user_sessions b ON a.user_id = b.user_id WHERE a.session_id = $1 AND b.page_views > 3 AND a.active
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$match": {
        "$and": [
          {"$expr": {"$ne": [{"$ifNull": ["$user_id", null]}, null]}},
          {"session_id": {"$eq": {"$param": NumberLong(1)}}},
          {"active": true}
        ]
      }
    },
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$user_id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                  {"$eq": ["$$l0", "$user_id"]},
                  {"$gt": ["$page_views", 3]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__j1.session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, o <- c1

-- case: full_join_where_stays_after
SELECT a.session_id, c.cache_key FROM user_sessions a FULL JOIN application_cache c ON c.priority = a.page_views WHERE a.active
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
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
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {
      "$unionWith": {
        "coll": "application_cache",
        "pipeline": [
          {
            "$lookup": {
              "from": "user_sessions",
              "let": {"l0": "$priority"},
              "pipeline": [
                {
                  "$match": {
                    "$expr": {
                      "$and": [
                        {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                        {"$ne": [{"$ifNull": ["$page_views", null]}, null]},
                        {"$eq": ["$$l0", "$page_views"]}
                      ]
                    }
                  }
                }
              ],
              "as": "__m"
            }
          },
          {"$match": {"__m": {"$size": 0}}},
          {"$unset": "__m"},
          {"$replaceRoot": {"newRoot": {"__j1": "$$ROOT"}}}
        ]
      }
    },
    {"$match": {"active": true}},
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__j1.cache_key"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, cache_key <- c1
