-- case: asc_default_nulls_last
SELECT user_id FROM user_sessions ORDER BY created_at
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$user_id",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s0": "$created_at"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: user_id <- c0

-- case: desc_default_nulls_first
SELECT user_id FROM user_sessions ORDER BY created_at DESC
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$user_id",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s0": "$created_at"
      }
    },
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: user_id <- c0

-- case: asc_nulls_first_find
SELECT * FROM user_sessions ORDER BY created_at ASC NULLS FIRST
-- expect:
{"find": "user_sessions", "filter": {}, "sort": {"created_at": 1}}
rows: * (every field)

-- case: desc_nulls_last_find
SELECT * FROM user_sessions ORDER BY created_at DESC NULLS LAST LIMIT 5
-- expect:
{"find": "user_sessions", "filter": {}, "sort": {"created_at": -1}, "limit": NumberLong(5)}
rows: * (every field)

-- case: multiple_keys
SELECT user_id, created_at FROM user_sessions ORDER BY user_id, created_at DESC
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$user_id",
        "c1": "$created_at",
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
rows: user_id <- c0, created_at <- c1

-- case: ordinal
SELECT user_id, created_at FROM user_sessions ORDER BY 2 DESC
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$user_id",
        "c1": "$created_at",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s0": "$created_at"
      }
    },
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: user_id <- c0, created_at <- c1

-- case: alias
SELECT hit_count * 2 AS doubled FROM application_cache ORDER BY doubled
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$multiply": ["$hit_count", 2]},
        "__n0": {"$cond": [{"$eq": [{"$ifNull": [{"$multiply": ["$hit_count", 2]}, null]}, null]}, 1, 0]},
        "__s0": {"$multiply": ["$hit_count", 2]}
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: doubled <- c0

-- case: expression
SELECT cache_key FROM application_cache ORDER BY data_size / 1024 DESC
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$cache_key",
        "__n0": {
          "$cond": [
            {
              "$eq": [
                {
                  "$ifNull": [
                    {
                      "$let": {
                        "vars": {"a": "$data_size", "b": 1024},
                        "in": {
                          "$cond": [
                            {
                              "$and": [
                                {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                                {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                              ]
                            },
                            {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                            {"$divide": ["$$a", "$$b"]}
                          ]
                        }
                      }
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
          "$let": {
            "vars": {"a": "$data_size", "b": 1024},
            "in": {
              "$cond": [
                {
                  "$and": [
                    {"$in": [{"$type": "$$a"}, ["int", "long"]]},
                    {"$in": [{"$type": "$$b"}, ["int", "long"]]}
                  ]
                },
                {"$trunc": [{"$divide": ["$$a", "$$b"]}]},
                {"$divide": ["$$a", "$$b"]}
              ]
            }
          }
        }
      }
    },
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: cache_key <- c0

-- case: ordinal_out_of_range
SELECT user_id FROM user_sessions ORDER BY 3
-- error: position 3 is not in select list at 1:44

-- case: limit
SELECT * FROM user_sessions LIMIT 10
-- expect:
{"find": "user_sessions", "filter": {}, "limit": NumberLong(10)}
rows: * (every field)

-- case: limit_offset
SELECT * FROM user_sessions LIMIT 10 OFFSET 20
-- expect:
{"find": "user_sessions", "filter": {}, "skip": NumberLong(20), "limit": NumberLong(10)}
rows: * (every field)

-- case: offset_only
SELECT * FROM user_sessions OFFSET 5
-- expect:
{"find": "user_sessions", "filter": {}, "skip": NumberLong(5)}
rows: * (every field)

-- case: limit_all
SELECT * FROM user_sessions LIMIT ALL
-- expect:
{"find": "user_sessions", "filter": {}}
rows: * (every field)

-- case: sorted_limit_offset
SELECT session_id FROM user_sessions WHERE user_id = 'u1' ORDER BY last_accessed DESC LIMIT 5 OFFSET 5
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"user_id": "u1"}},
    {
      "$set": {
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$last_accessed", null]}, null]}, 1, 0]},
        "__s0": "$last_accessed"
      }
    },
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$skip": NumberLong(5)},
    {"$limit": NumberLong(5)},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: negative_limit_refused
SELECT * FROM t LIMIT -1
-- error: LIMIT must be a non-negative integer at 1:24

-- case: fetch_first_is_a_limit
SELECT * FROM t FETCH FIRST 5 ROWS ONLY
-- expect:
{"find": "t", "filter": {}, "limit": NumberLong(5)}
rows: * (every field)

-- case: offset_rows_fetch_next_row_only
SELECT a FROM t ORDER BY a OFFSET 2 ROWS FETCH NEXT ROW ONLY
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$set": {"__n0": {"$cond": [{"$eq": [{"$ifNull": ["$a", null]}, null]}, 1, 0]}, "__s0": "$a"}},
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$skip": NumberLong(2)},
    {"$limit": NumberLong(1)},
    {"$project": {"_id": 0, "c0": "$a"}}
  ],
  "cursor": {}
}
rows: a <- c0

-- case: fetch_first_with_ties_refused
SELECT a FROM t ORDER BY a FETCH FIRST 3 ROWS WITH TIES
-- error: unsupported: FETCH FIRST ... WITH TIES at 1:1

-- case: fetch_first_percent_refused
SELECT a FROM t FETCH FIRST 10 PERCENT ROWS ONLY
-- error: unsupported: FETCH FIRST ... PERCENT at 1:1

-- case: limit_and_fetch_first
SELECT a FROM t LIMIT 2 FETCH FIRST 3 ROWS ONLY
-- error: multiple LIMIT clauses not allowed at 1:1

-- case: fetch_first_after_a_set_operation
SELECT a FROM c UNION ALL SELECT a FROM d FETCH FIRST 2 ROWS ONLY
-- expect:
{
  "aggregate": "c",
  "pipeline": [
    {"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}},
    {
      "$unionWith": {"coll": "d", "pipeline": [{"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}}]}
    },
    {"$limit": NumberLong(2)}
  ],
  "cursor": {}
}
rows: a <- u0

-- case: distinct
SELECT DISTINCT user_id FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}}},
    {"$project": {"_id": 0, "c0": "$_id.g0"}}
  ],
  "cursor": {}
}
rows: user_id <- c0

-- case: distinct_two_columns
SELECT DISTINCT user_id, device_fingerprint FROM user_sessions ORDER BY user_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$user_id", null]}, "g1": {"$ifNull": ["$device_fingerprint", null]}}
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": "$_id.g1",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$_id.g0", null]}, null]}, 1, 0]},
        "__s0": "$_id.g0"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: user_id <- c0, device_fingerprint <- c1

-- case: distinct_on_translated
SELECT DISTINCT ON (user_id) user_id FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "__row": {"$first": "$$ROOT"}}},
    {"$replaceRoot": {"newRoot": "$__row"}},
    {"$project": {"_id": 0, "c0": "$user_id"}}
  ],
  "cursor": {}
}
rows: user_id <- c0

-- case: limit_zero_keeps_no_row
SELECT session_id FROM user_sessions ORDER BY session_id LIMIT 0
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
        "__s0": "$session_id"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$match": {"$expr": false}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: select_star_without_from_refused
SELECT *
-- error: SELECT * with no tables specified is not valid at 1:1

-- case: using_greater_is_descending
SELECT a FROM c ORDER BY a USING >
-- expect:
{
  "aggregate": "c",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$a",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$a", null]}, null]}, 1, 0]},
        "__s0": "$a"
      }
    },
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: a <- c0

-- case: using_less_nulls_first
SELECT a FROM c ORDER BY a USING < NULLS FIRST
-- expect:
{"find": "c", "filter": {}, "projection": {"_id": 0, "a": 1}, "sort": {"a": 1}}
rows: a <- a

-- case: using_greater_after_union
SELECT a FROM c UNION SELECT a FROM d ORDER BY 1 USING >
-- expect:
{
  "aggregate": "c",
  "pipeline": [
    {"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}},
    {
      "$unionWith": {"coll": "d", "pipeline": [{"$project": {"_id": 0, "u0": {"$ifNull": ["$a", null]}}}]}
    },
    {"$group": {"_id": {"u0": {"$ifNull": ["$u0", null]}}}},
    {"$replaceRoot": {"newRoot": "$_id"}},
    {"$set": {"__n0": {"$cond": [{"$eq": ["$u0", null]}, 1, 0]}}},
    {"$sort": {"__n0": -1, "u0": -1}},
    {"$unset": ["__n0"]}
  ],
  "cursor": {}
}
rows: a <- u0

-- case: using_greater_in_a_window
SELECT a, ROW_NUMBER() OVER (ORDER BY a USING >) AS r FROM c
-- expect:
{
  "aggregate": "c",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$a", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$a", null]}
        }
      }
    },
    {"$setWindowFields": {"sortBy": {"__w0k": -1}, "output": {"__w0": {"$documentNumber": {}}}}},
    {"$project": {"_id": 0, "c0": "$a", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: a <- c0, r <- c1
