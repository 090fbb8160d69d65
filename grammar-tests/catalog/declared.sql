-- catalog: {"tables": {"t": {"columns": [{"name": "k", "type": "text", "not_null": true, "primary_key": true}, {"name": "v", "type": "integer"}, {"name": "note", "type": "text"}]},
-- catalog: "u": {"columns": [{"name": "k", "type": "text"}, {"name": "w", "type": "integer"}]},
-- catalog: "x": {"columns": [{"name": "k", "type": "text"}, {"name": "z", "type": "integer"}]},
-- catalog: "counts": {"columns": [{"name": "id", "type": "integer", "primary_key": true}, {"name": "hits", "type": "integer", "not_null": true}, {"name": "misses", "type": "integer"}]}},
-- catalog: "views": {"vw": {"columns": ["k", "n"]}}}

-- case: star_is_the_declared_columns
SELECT * FROM t
-- expect:
{"find": "t", "filter": {}, "projection": {"_id": 0, "k": 1, "v": 1, "note": 1}}
rows: k <- k, v <- v, note <- note

-- case: star_with_where_and_order
SELECT * FROM t WHERE v > 1 ORDER BY k
-- expect:
{
  "find": "t",
  "filter": {"v": {"$gt": 1}},
  "projection": {"_id": 0, "k": 1, "v": 1, "note": 1},
  "sort": {"k": 1}
}
rows: k <- k, v <- v, note <- note

-- case: qualified_star_with_alias
SELECT a.* FROM t a
-- expect:
{"find": "t", "filter": {}, "projection": {"_id": 0, "k": 1, "v": 1, "note": 1}}
rows: k <- k, v <- v, note <- note

-- case: star_of_a_view
SELECT * FROM vw
-- expect:
{"find": "vw", "filter": {}, "projection": {"_id": 0, "k": 1, "n": 1}}
rows: k <- k, n <- n

-- case: distinct_star
SELECT DISTINCT * FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$group": {"_id": {"g0": "$k", "g1": {"$ifNull": ["$v", null]}, "g2": {"$ifNull": ["$note", null]}}}
    },
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": "$_id.g1", "c2": "$_id.g2"}}
  ],
  "cursor": {}
}
rows: k <- c0, v <- c1, note <- c2

-- case: system_id_by_name
SELECT _id, k FROM t
-- expect:
{"aggregate": "t", "pipeline": [{"$project": {"_id": 0, "c0": "$_id", "c1": "$k"}}], "cursor": {}}
rows: _id <- c0, k <- c1

-- case: unknown_column
SELECT nope FROM t
-- error: column "nope" does not exist at 1:8

-- case: unknown_qualified_column
SELECT t.nope FROM t
-- error: column t.nope does not exist at 1:8

-- case: unknown_column_in_where
SELECT k FROM t WHERE nope = 1
-- error: column "nope" does not exist at 1:23

-- case: schemaless_collection_keeps_its_rules
SELECT * FROM other
-- expect:
{"find": "other", "filter": {}}
rows: * (every field)

-- case: join_unqualified_names
SELECT v, w FROM t JOIN u ON t.k = u.k WHERE w > 2
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$match": {"k": {"$ne": null}}},
    {
      "$lookup": {
        "from": "u",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$match": {"__j1.w": {"$gt": 2}}},
    {"$project": {"_id": 0, "c0": "$v", "c1": "$__j1.w"}}
  ],
  "cursor": {}
}
rows: v <- c0, w <- c1

-- case: join_ambiguous_name
SELECT k FROM t JOIN u ON t.k = u.k
-- error: column reference "k" is ambiguous at 1:8

-- case: join_unknown_name
SELECT nope FROM t JOIN u ON t.k = u.k
-- error: column "nope" does not exist at 1:8

-- case: join_star
SELECT * FROM t JOIN u ON t.k = u.k
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$match": {"k": {"$ne": null}}},
    {
      "$lookup": {
        "from": "u",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$k", "c1": "$v", "c2": "$note", "c3": "$__j1.k", "c4": "$__j1.w"}}
  ],
  "cursor": {}
}
rows: k <- c0, v <- c1, note <- c2, k <- c3, w <- c4

-- case: join_using_star
SELECT * FROM t JOIN u USING (k)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$k", "c1": "$v", "c2": "$note", "c3": "$__j1.w"}}
  ],
  "cursor": {}
}
rows: k <- c0, v <- c1, note <- c2, w <- c3

-- case: join_using_missing_on_the_left
SELECT * FROM t JOIN u USING (w)
-- error: column "w" specified in USING clause does not exist in left table at 1:22

-- case: join_using_missing_on_the_right
SELECT * FROM t JOIN u USING (v)
-- error: column "v" specified in USING clause does not exist in right table at 1:22

-- case: natural_join
SELECT * FROM t NATURAL JOIN u
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$k", "c1": "$v", "c2": "$note", "c3": "$__j1.w"}}
  ],
  "cursor": {}
}
rows: k <- c0, v <- c1, note <- c2, w <- c3

-- case: natural_left_join_three
SELECT * FROM t NATURAL LEFT JOIN u NATURAL LEFT JOIN x
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
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
      "$lookup": {
        "from": "x",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
                ]
              }
            }
          }
        ],
        "as": "__j2"
      }
    },
    {"$unwind": {"path": "$__j2", "preserveNullAndEmptyArrays": true}},
    {"$project": {"_id": 0, "c0": "$k", "c1": "$v", "c2": "$note", "c3": "$__j1.w", "c4": "$__j2.z"}}
  ],
  "cursor": {}
}
rows: k <- c0, v <- c1, note <- c2, w <- c3, z <- c4

-- case: full_join_using_merges_with_coalesce
SELECT k, v, w FROM t FULL JOIN u USING (k)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
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
        "coll": "u",
        "pipeline": [
          {
            "$lookup": {
              "from": "t",
              "let": {"l0": "$k"},
              "pipeline": [
                {
                  "$match": {
                    "$expr": {
                      "$and": [
                        {"$ne": [{"$ifNull": ["$k", null]}, null]},
                        {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                        {"$eq": ["$k", "$$l0"]}
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
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$k", "$__j1.k"]}, "c1": "$v", "c2": "$__j1.w"}}
  ],
  "cursor": {}
}
rows: k <- c0, v <- c1, w <- c2

-- case: right_join_using
SELECT * FROM t RIGHT JOIN u USING (k)
-- expect:
{
  "aggregate": "u",
  "pipeline": [
    {
      "$lookup": {
        "from": "t",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$k", "$$l0"]}
                ]
              }
            }
          }
        ],
        "as": "__r"
      }
    },
    {"$unwind": {"path": "$__r", "preserveNullAndEmptyArrays": true}},
    {"$replaceRoot": {"newRoot": {"$mergeObjects": ["$__r", {"__j1": "$$ROOT"}]}}},
    {"$unset": "__j1.__r"},
    {"$project": {"_id": 0, "c0": "$__j1.k", "c1": "$v", "c2": "$note", "c3": "$__j1.w"}}
  ],
  "cursor": {}
}
rows: k <- c0, v <- c1, note <- c2, w <- c3

-- case: join_then_full_join
SELECT v, w, z FROM t JOIN u ON t.k = u.k FULL JOIN x ON x.k = u.k
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
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
        "from": "x",
        "let": {"l0": "$__j1.k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$k", "$$l0"]}
                ]
              }
            }
          }
        ],
        "as": "__j2"
      }
    },
    {"$unwind": {"path": "$__j2", "preserveNullAndEmptyArrays": true}},
    {
      "$unionWith": {
        "coll": "x",
        "pipeline": [
          {
            "$lookup": {
              "from": "t",
              "let": {"l0": "$k"},
              "pipeline": [
                {
                  "$lookup": {
                    "from": "u",
                    "let": {"l0": "$k"},
                    "pipeline": [
                      {
                        "$match": {
                          "$expr": {
                            "$and": [
                              {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                              {"$ne": [{"$ifNull": ["$k", null]}, null]},
                              {"$eq": ["$$l0", "$k"]}
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
                        {"$ne": [{"$ifNull": ["$__j1.k", null]}, null]},
                        {"$eq": ["$$l0", "$__j1.k"]}
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
          {"$replaceRoot": {"newRoot": {"__j2": "$$ROOT"}}}
        ]
      }
    },
    {"$project": {"_id": 0, "c0": "$v", "c1": "$__j1.w", "c2": "$__j2.z"}}
  ],
  "cursor": {}
}
rows: v <- c0, w <- c1, z <- c2

-- case: right_join_of_a_join_to_a_derived_table
SELECT v, n FROM t JOIN u ON t.k = u.k RIGHT JOIN (SELECT k AS dk, COUNT(*) AS n FROM x GROUP BY k) d ON d.dk = t.k
-- expect:
{
  "aggregate": "x",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$k", null]}}, "a0": {"$sum": 1}}},
    {"$project": {"_id": 0, "dk": {"$ifNull": ["$_id.g0", null]}, "n": {"$ifNull": ["$a0", 0]}}},
    {
      "$lookup": {
        "from": "t",
        "let": {"l0": "$dk"},
        "pipeline": [
          {
            "$lookup": {
              "from": "u",
              "let": {"l0": "$k"},
              "pipeline": [
                {
                  "$match": {
                    "$expr": {
                      "$and": [
                        {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                        {"$ne": [{"$ifNull": ["$k", null]}, null]},
                        {"$eq": ["$$l0", "$k"]}
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
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
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
    {"$unset": "__j2.__r"},
    {"$project": {"_id": 0, "c0": "$v", "c1": "$__j2.n"}}
  ],
  "cursor": {}
}
rows: v <- c0, n <- c1

-- case: join_with_a_view_unqualified
SELECT v, n FROM t JOIN vw ON vw.k = t.k
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$match": {"k": {"$ne": null}}},
    {
      "$lookup": {
        "from": "vw",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$k", "$$l0"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$v", "c1": "$__j1.n"}}
  ],
  "cursor": {}
}
rows: v <- c0, n <- c1

-- case: correlated_subquery_unqualified_outer_name
SELECT k FROM t WHERE EXISTS (SELECT 1 FROM u WHERE w > v)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"o0": "$v"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$w", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                  {"$gt": ["$w", "$$o0"]}
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
    {"$project": {"_id": 0, "c0": "$k"}}
  ],
  "cursor": {}
}
rows: k <- c0

-- case: correlated_subquery_own_column_first
SELECT k FROM t WHERE v IN (SELECT w FROM u WHERE k = 'a')
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"i0": "$v"},
        "pipeline": [
          {"$match": {"k": "a"}},
          {"$project": {"_id": 0, "w": {"$ifNull": ["$w", null]}}},
          {"$match": {"$expr": {"$eq": ["$w", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {"$and": [{"$ne": [{"$ifNull": ["$v", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]}
      }
    },
    {"$project": {"_id": 0, "c0": "$k"}}
  ],
  "cursor": {}
}
rows: k <- c0

-- case: correlated_subquery_unknown_name
SELECT k FROM t WHERE EXISTS (SELECT 1 FROM u WHERE nope = 1)
-- error: column "nope" does not exist at 1:53

-- case: returning_star
INSERT INTO t (k, v) VALUES ('a', 1) RETURNING *
-- expect:
{
  "findAndModify": "t",
  "query": {"_id": {"$exists": false}},
  "update": {"k": "a", "v": 1},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$k", "c1": "$v", "c2": "$note"}
}
returning the value of each step: k <- c0, v <- c1, note <- c2

-- case: update_unknown_column_in_where
UPDATE t SET v = 1 WHERE nope = 2
-- error: column "nope" does not exist at 1:26

-- case: insert_without_column_list_uses_declared_order
INSERT INTO t VALUES ('a', 1), ('b', 2)
-- expect:
{"insert": "t", "documents": [{"k": "a", "v": 1}, {"k": "b", "v": 2}], "ordered": true}
affected

-- case: insert_without_column_list_fewer_values
INSERT INTO t VALUES ('a')
-- expect:
{"insert": "t", "documents": [{"k": "a"}], "ordered": true}
affected

-- case: insert_too_many_values
INSERT INTO t VALUES ('a', 1, 'n', 4)
-- error: INSERT has more expressions than target columns at 1:1

-- case: insert_unknown_column
INSERT INTO t (k, nope) VALUES ('a', 1)
-- error: column "nope" of relation "t" does not exist at 1:1

-- case: order_by_not_null_column_desc_is_a_find_sort
SELECT k, v FROM t ORDER BY k DESC LIMIT 3
-- expect:
{
  "find": "t",
  "filter": {},
  "projection": {"_id": 0, "k": 1, "v": 1},
  "sort": {"k": -1},
  "limit": NumberLong(3)
}
rows: k <- k, v <- v

-- case: order_by_nullable_declared_column_keeps_the_null_flag
SELECT k, v FROM t ORDER BY v, k
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$k",
        "c1": "$v",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$v", null]}, null]}, 1, 0]},
        "__s0": "$v",
        "__s1": "$k"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__s1": 1}},
    {"$unset": ["__n0", "__s0", "__s1"]}
  ],
  "cursor": {}
}
rows: k <- c0, v <- c1

-- case: order_by_not_null_column_of_a_left_join_keeps_the_null_flag
SELECT t.k, u.w FROM u LEFT JOIN t ON t.k = u.k ORDER BY t.k
-- expect:
{
  "aggregate": "u",
  "pipeline": [
    {
      "$lookup": {
        "from": "t",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$k", "$$l0"]}
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
      "$project": {
        "_id": 0,
        "c0": "$__j1.k",
        "c1": "$w",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$__j1.k", null]}, null]}, 1, 0]},
        "__s0": "$__j1.k"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: k <- c0, w <- c1

-- case: increment_of_a_not_null_column_is_inc
UPDATE counts SET hits = hits + 1 WHERE id = 1
-- expect:
{
  "update": "counts",
  "updates": [{"q": {"id": 1}, "u": {"$inc": {"hits": 1}}, "multi": true, "upsert": false}]
}
affected

-- case: increment_of_a_nullable_column_is_a_pipeline_update
UPDATE counts SET hits = hits + 1, misses = misses - 1 WHERE id = 1
-- expect:
{
  "update": "counts",
  "updates": [
    {
      "q": {"id": 1},
      "u": [{"$set": {"hits": {"$add": ["$hits", 1]}, "misses": {"$subtract": ["$misses", 1]}}}],
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: right_join_primary_key_is_null_anti_join
SELECT u.w FROM t RIGHT JOIN u ON t.v = u.w WHERE t.k IS NULL
-- expect:
{
  "aggregate": "u",
  "pipeline": [
    {
      "$lookup": {
        "from": "t",
        "let": {"l0": "$w"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$v", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$v", "$$l0"]}
                ]
              }
            }
          },
          {"$limit": 1}
        ],
        "as": "__j1"
      }
    },
    {"$match": {"__j1": {"$size": 0}}},
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$match": {"__j1.k": null}},
    {"$project": {"_id": 0, "c0": "$w"}}
  ],
  "cursor": {}
}
rows: w <- c0

-- case: left_join_non_strict_on_primary_key_is_null_anti_join
SELECT u.w FROM u LEFT JOIN t ON t.v = u.w OR t.note = u.k WHERE t.k IS NULL
-- expect:
{
  "aggregate": "u",
  "pipeline": [
    {
      "$lookup": {
        "from": "t",
        "let": {"l0": "$w", "l1": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$or": [
                  {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$v", null]}, null]},
                      {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                      {"$eq": ["$v", "$$l0"]}
                    ]
                  },
                  {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$note", null]}, null]},
                      {"$ne": [{"$ifNull": ["$$l1", null]}, null]},
                      {"$eq": ["$note", "$$l1"]}
                    ]
                  }
                ]
              }
            }
          },
          {"$limit": 1}
        ],
        "as": "__j1"
      }
    },
    {"$match": {"__j1": {"$size": 0}}},
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$match": {"__j1.k": null}},
    {"$project": {"_id": 0, "c0": "$w"}}
  ],
  "cursor": {}
}
rows: w <- c0
