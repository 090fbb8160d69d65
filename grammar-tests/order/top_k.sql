-- catalog: {"tables": {"t": {"columns": [{"name": "k", "type": "text", "not_null": true, "primary_key": true}, {"name": "v", "type": "integer"}, {"name": "note", "type": "text"}]},
-- catalog: "u": {"columns": [{"name": "k", "type": "text"}, {"name": "w", "type": "integer"}]}}}

-- case: not_null_key_sorts_the_documents_before_the_list
SELECT k, 1 AS one, v * 2 AS dbl FROM t ORDER BY k LIMIT 3
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$sort": {"k": 1}},
    {"$limit": NumberLong(3)},
    {"$project": {"_id": 0, "c0": "$k", "c1": {"$literal": 1}, "c2": {"$multiply": ["$v", 2]}}}
  ],
  "cursor": {}
}
rows: k <- c0, one <- c1, dbl <- c2

-- case: not_null_key_desc_with_offset
SELECT k, upper(note) AS n FROM t ORDER BY k DESC LIMIT 3 OFFSET 2
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$sort": {"k": -1}},
    {"$skip": NumberLong(2)},
    {"$limit": NumberLong(3)},
    {
      "$project": {
        "_id": 0,
        "c0": "$k",
        "c1": {
          "$cond": [
            {"$eq": [{"$ifNull": [{"$toString": "$note"}, null]}, null]},
            null,
            {"$toUpper": {"$toString": "$note"}}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: k <- c0, n <- c1

-- case: nullable_key_sets_its_flag_before_the_sort
SELECT k, v + 1 AS w FROM t ORDER BY v LIMIT 5
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$set": {"__n0": {"$cond": [{"$eq": [{"$ifNull": ["$v", null]}, null]}, 1, 0]}, "__s0": "$v"}},
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$limit": NumberLong(5)},
    {"$project": {"_id": 0, "c0": "$k", "c1": {"$add": ["$v", 1]}}}
  ],
  "cursor": {}
}
rows: k <- c0, w <- c1

-- case: nullable_key_in_mongodb_order_needs_no_flag
SELECT k, v + 1 AS w FROM t ORDER BY v DESC NULLS LAST LIMIT 5
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$sort": {"v": -1}},
    {"$limit": NumberLong(5)},
    {"$project": {"_id": 0, "c0": "$k", "c1": {"$add": ["$v", 1]}}}
  ],
  "cursor": {}
}
rows: k <- c0, w <- c1

-- case: computed_key_is_set_before_the_sort
SELECT k, 1 AS one FROM t ORDER BY length(note), k LIMIT 2
-- expect:
{
  "aggregate": "t",
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
                        {"$eq": [{"$ifNull": [{"$toString": "$note"}, null]}, null]},
                        null,
                        {"$strLenCP": {"$toString": "$note"}}
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
            {"$eq": [{"$ifNull": [{"$toString": "$note"}, null]}, null]},
            null,
            {"$strLenCP": {"$toString": "$note"}}
          ]
        },
        "__s1": "$k"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__s1": 1}},
    {"$limit": NumberLong(2)},
    {"$project": {"_id": 0, "c0": "$k", "c1": {"$literal": 1}}}
  ],
  "cursor": {}
}
rows: k <- c0, one <- c1

-- case: scalar_subquery_column_runs_after_the_limit
SELECT k, (SELECT MAX(w) FROM u) AS m FROM t ORDER BY k LIMIT 3
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$sort": {"k": 1}},
    {"$limit": NumberLong(3)},
    {
      "$lookup": {
        "from": "u",
        "pipeline": [
          {"$group": {"_id": null, "a0": {"$max": "$w"}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "max": {"$ifNull": ["$a0", null]}}},
          {"$limit": 2}
        ],
        "as": "__sq0"
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$k",
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
            {"$arrayElemAt": ["$__sq0.max", 0]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: k <- c0, m <- c1

-- case: subquery_in_a_key_keeps_the_list_first
SELECT k, 1 AS one FROM t ORDER BY (SELECT MAX(w) FROM u WHERE u.k = t.k), k LIMIT 3
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "localField": "k",
        "foreignField": "k",
        "let": {"o0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$eq": ["$k", "$$o0"]}
                ]
              }
            }
          },
          {"$group": {"_id": null, "a0": {"$max": "$w"}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "max": {"$ifNull": ["$a0", null]}}},
          {"$limit": 2}
        ],
        "as": "__sq0"
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$k",
        "c1": {"$literal": 1},
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
                        {"$arrayElemAt": ["$__sq0.max", 0]}
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
            {"$arrayElemAt": ["$__sq0.max", 0]}
          ]
        },
        "__s1": "$k"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__s1": 1}},
    {"$limit": NumberLong(3)},
    {"$unset": ["__n0", "__s0", "__s1"]}
  ],
  "cursor": {}
}
rows: k <- c0, one <- c1

-- case: window_keeps_the_list_first
SELECT k, row_number() OVER (ORDER BY k) AS rn FROM t ORDER BY k DESC LIMIT 3
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$setWindowFields": {"sortBy": {"k": 1}, "output": {"__w0": {"$documentNumber": {}}}}},
    {"$project": {"_id": 0, "c0": "$k", "c1": "$__w0", "__s0": "$k"}},
    {"$sort": {"__s0": -1}},
    {"$limit": NumberLong(3)},
    {"$unset": ["__s0"]}
  ],
  "cursor": {}
}
rows: k <- c0, rn <- c1

-- case: without_limit_the_list_comes_first
SELECT k, 1 AS one FROM t ORDER BY k
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$project": {"_id": 0, "c0": "$k", "c1": {"$literal": 1}, "__s0": "$k"}},
    {"$sort": {"__s0": 1}},
    {"$unset": ["__s0"]}
  ],
  "cursor": {}
}
rows: k <- c0, one <- c1

-- case: limit_zero_reads_nothing
SELECT k, 1 AS one FROM t ORDER BY k LIMIT 0
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$project": {"_id": 0, "c0": "$k", "c1": {"$literal": 1}, "__s0": "$k"}},
    {"$sort": {"__s0": 1}},
    {"$match": {"$expr": false}},
    {"$unset": ["__s0"]}
  ],
  "cursor": {}
}
rows: k <- c0, one <- c1

-- case: constant_false_where
SELECT k, 1 AS one FROM t WHERE v = NULL ORDER BY k LIMIT 3
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$match": {"$expr": false}},
    {"$sort": {"k": 1}},
    {"$limit": NumberLong(3)},
    {"$project": {"_id": 0, "c0": "$k", "c1": {"$literal": 1}}}
  ],
  "cursor": {}
}
rows: k <- c0, one <- c1
