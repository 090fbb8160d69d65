-- case: latest_session_per_user
SELECT DISTINCT ON (user_id) user_id, session_id, created_at FROM user_sessions ORDER BY user_id, created_at DESC
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s0": "$user_id",
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s1": "$created_at"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": -1, "__s1": -1}},
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "__row": {"$first": "$$ROOT"}}},
    {"$replaceRoot": {"newRoot": "$__row"}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1"]},
    {
      "$project": {
        "_id": 0,
        "c0": "$user_id",
        "c1": "$session_id",
        "c2": "$created_at",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s0": "$user_id",
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s1": "$created_at"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": -1, "__s1": -1}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1"]}
  ],
  "cursor": {}
}
rows: user_id <- c0, session_id <- c1, created_at <- c2

-- case: star_latest_per_user
SELECT DISTINCT ON (user_id) * FROM user_sessions WHERE active ORDER BY user_id, created_at DESC
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"active": true}},
    {
      "$set": {
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s0": "$user_id",
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s1": "$created_at"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": -1, "__s1": -1}},
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "__row": {"$first": "$$ROOT"}}},
    {"$replaceRoot": {"newRoot": "$__row"}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1"]},
    {
      "$set": {
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s0": "$user_id",
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s1": "$created_at"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": -1, "__s1": -1}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1"]}
  ],
  "cursor": {}
}
rows: * (every field)

-- case: two_keys_in_another_order
SELECT DISTINCT ON (user_id, login_method) user_id, login_method, page_views FROM user_sessions ORDER BY login_method, user_id, page_views DESC NULLS LAST
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$login_method", null]}, null]}, 1, 0]},
        "__s0": "$login_method",
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s1": "$user_id",
        "__s2": "$page_views"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": 1, "__s1": 1, "__s2": -1}},
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$user_id", null]}, "g1": {"$ifNull": ["$login_method", null]}},
        "__row": {"$first": "$$ROOT"}
      }
    },
    {"$replaceRoot": {"newRoot": "$__row"}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1", "__s2"]},
    {
      "$project": {
        "_id": 0,
        "c0": "$user_id",
        "c1": "$login_method",
        "c2": "$page_views",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$login_method", null]}, null]}, 1, 0]},
        "__s0": "$login_method",
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s1": "$user_id",
        "__s2": "$page_views"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": 1, "__s1": 1, "__s2": -1}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1", "__s2"]}
  ],
  "cursor": {}
}
rows: user_id <- c0, login_method <- c1, page_views <- c2

-- case: ordinal_and_alias
SELECT DISTINCT ON (1) user_id AS u, page_views FROM user_sessions ORDER BY u, page_views LIMIT 5 OFFSET 1
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s0": "$user_id",
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$page_views", null]}, null]}, 1, 0]},
        "__s1": "$page_views"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": 1, "__s1": 1}},
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "__row": {"$first": "$$ROOT"}}},
    {"$replaceRoot": {"newRoot": "$__row"}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1"]},
    {
      "$set": {
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s0": "$user_id",
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$page_views", null]}, null]}, 1, 0]},
        "__s1": "$page_views"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": 1, "__s1": 1}},
    {"$skip": NumberLong(1)},
    {"$limit": NumberLong(5)},
    {"$project": {"_id": 0, "c0": "$user_id", "c1": "$page_views"}}
  ],
  "cursor": {}
}
rows: u <- c0, page_views <- c1

-- case: expression_key
SELECT DISTINCT ON (LOWER(user_id)) user_id, created_at FROM user_sessions ORDER BY LOWER(user_id), created_at
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
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
                        {"$eq": [{"$ifNull": [{"$toString": "$user_id"}, null]}, null]},
                        null,
                        {"$toLower": {"$toString": "$user_id"}}
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
            {"$eq": [{"$ifNull": [{"$toString": "$user_id"}, null]}, null]},
            null,
            {"$toLower": {"$toString": "$user_id"}}
          ]
        },
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s1": "$created_at"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": 1, "__s1": 1}},
    {
      "$group": {
        "_id": {
          "g0": {
            "$ifNull": [
              {
                "$cond": [
                  {"$eq": [{"$ifNull": [{"$toString": "$user_id"}, null]}, null]},
                  null,
                  {"$toLower": {"$toString": "$user_id"}}
                ]
              },
              null
            ]
          }
        },
        "__row": {"$first": "$$ROOT"}
      }
    },
    {"$replaceRoot": {"newRoot": "$__row"}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1"]},
    {
      "$project": {
        "_id": 0,
        "c0": "$user_id",
        "c1": "$created_at",
        "__n0": {
          "$cond": [
            {
              "$eq": [
                {
                  "$ifNull": [
                    {
                      "$cond": [
                        {"$eq": [{"$ifNull": [{"$toString": "$user_id"}, null]}, null]},
                        null,
                        {"$toLower": {"$toString": "$user_id"}}
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
            {"$eq": [{"$ifNull": [{"$toString": "$user_id"}, null]}, null]},
            null,
            {"$toLower": {"$toString": "$user_id"}}
          ]
        },
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s1": "$created_at"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": 1, "__s1": 1}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1"]}
  ],
  "cursor": {}
}
rows: user_id <- c0, created_at <- c1

-- case: without_order_by
SELECT DISTINCT ON (user_id) user_id, session_id FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "__row": {"$first": "$$ROOT"}}},
    {"$replaceRoot": {"newRoot": "$__row"}},
    {"$project": {"_id": 0, "c0": "$user_id", "c1": "$session_id"}}
  ],
  "cursor": {}
}
rows: user_id <- c0, session_id <- c1

-- case: order_by_only_part_of_the_keys
SELECT DISTINCT ON (user_id, active) user_id, active FROM user_sessions ORDER BY user_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {"__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]}, "__s0": "$user_id"}
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$user_id", null]}, "g1": {"$ifNull": ["$active", null]}},
        "__row": {"$first": "$$ROOT"}
      }
    },
    {"$replaceRoot": {"newRoot": "$__row"}},
    {"$unset": ["__n0", "__s0"]},
    {
      "$project": {
        "_id": 0,
        "c0": "$user_id",
        "c1": "$active",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s0": "$user_id"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: user_id <- c0, active <- c1

-- case: error_order_by_does_not_start_with_the_keys
SELECT DISTINCT ON (user_id) user_id, created_at FROM user_sessions ORDER BY created_at, user_id
-- error: SELECT DISTINCT ON expressions must match initial ORDER BY expressions at 1:21

-- case: error_key_missing_from_a_longer_order_by
SELECT DISTINCT ON (user_id, active) user_id FROM user_sessions ORDER BY user_id, created_at
-- error: SELECT DISTINCT ON expressions must match initial ORDER BY expressions at 1:30

-- case: refuse_with_group_by
SELECT DISTINCT ON (user_id) user_id, COUNT(*) FROM user_sessions GROUP BY user_id ORDER BY user_id
-- error: unsupported: DISTINCT ON together with GROUP BY, HAVING or aggregates (PostgreSQL applies DISTINCT ON after grouping; group in a derived table) at 1:21

-- case: refuse_with_window
SELECT DISTINCT ON (user_id) user_id, ROW_NUMBER() OVER (ORDER BY created_at) AS r FROM user_sessions ORDER BY user_id
-- error: unsupported: DISTINCT ON together with window functions (they would see only the rows DISTINCT ON keeps; compute them in a derived table) at 1:39
