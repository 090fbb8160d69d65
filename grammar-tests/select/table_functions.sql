-- case: generate_series_in_select_list
SELECT generate_series(1, 10, 3) AS n
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {
      "$set": {
        "__u0": {
          "$let": {
            "vars": {"gs_a": 1, "gs_b": 10, "gs_s": 3},
            "in": {
              "$cond": [
                {
                  "$or": [
                    {"$eq": [{"$ifNull": ["$$gs_a", null]}, null]},
                    {"$eq": [{"$ifNull": ["$$gs_b", null]}, null]},
                    {"$eq": [{"$ifNull": ["$$gs_s", null]}, null]}
                  ]
                },
                [],
                {
                  "$map": {
                    "input": {
                      "$range": [
                        0,
                        {
                          "$toLong": {
                            "$max": [
                              0,
                              {
                                "$add": [{"$floor": {"$divide": [{"$subtract": ["$$gs_b", "$$gs_a"]}, "$$gs_s"]}}, 1]
                              }
                            ]
                          }
                        }
                      ]
                    },
                    "in": {"$add": ["$$gs_a", {"$multiply": ["$$this", "$$gs_s"]}]}
                  }
                }
              ]
            }
          }
        }
      }
    },
    {"$unwind": "$__u0"},
    {"$project": {"_id": 0, "c0": "$__u0"}}
  ],
  "cursor": {}
}
rows: n <- c0

-- case: generate_series_from_alias_columns
SELECT n FROM generate_series(1, 5) AS g(n) ORDER BY n
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {
      "$set": {
        "__j0": {
          "$map": {
            "input": {
              "$let": {
                "vars": {"gs_a": 1, "gs_b": 5, "gs_s": 1},
                "in": {
                  "$cond": [
                    {
                      "$or": [
                        {"$eq": [{"$ifNull": ["$$gs_a", null]}, null]},
                        {"$eq": [{"$ifNull": ["$$gs_b", null]}, null]},
                        {"$eq": [{"$ifNull": ["$$gs_s", null]}, null]}
                      ]
                    },
                    [],
                    {
                      "$map": {
                        "input": {
                          "$range": [
                            0,
                            {
                              "$toLong": {
                                "$max": [
                                  0,
                                  {
                                    "$add": [{"$floor": {"$divide": [{"$subtract": ["$$gs_b", "$$gs_a"]}, "$$gs_s"]}}, 1]
                                  }
                                ]
                              }
                            }
                          ]
                        },
                        "in": {"$add": ["$$gs_a", {"$multiply": ["$$this", "$$gs_s"]}]}
                      }
                    }
                  ]
                }
              }
            },
            "as": "te",
            "in": {"n": "$$te"}
          }
        }
      }
    },
    {"$unwind": "$__j0"},
    {"$replaceRoot": {"newRoot": "$__j0"}},
    {
      "$project": {
        "_id": 0,
        "c0": "$n",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$n", null]}, null]}, 1, 0]},
        "__s0": "$n"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: n <- c0

-- case: generate_series_timestamps
SELECT d FROM generate_series(TIMESTAMPTZ '2026-01-01', TIMESTAMPTZ '2026-01-02', INTERVAL '6 hours') AS d
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {
      "$set": {
        "__j0": {
          "$map": {
            "input": {
              "$let": {
                "vars": {
                  "gs_a": ISODate("2026-01-01T00:00:00Z"),
                  "gs_b": ISODate("2026-01-02T00:00:00Z"),
                  "gs_s": NumberLong(21600000)
                },
                "in": {
                  "$cond": [
                    {
                      "$or": [
                        {"$eq": [{"$ifNull": ["$$gs_a", null]}, null]},
                        {"$eq": [{"$ifNull": ["$$gs_b", null]}, null]},
                        {"$eq": [{"$ifNull": ["$$gs_s", null]}, null]}
                      ]
                    },
                    [],
                    {
                      "$map": {
                        "input": {
                          "$range": [
                            0,
                            {
                              "$toLong": {
                                "$max": [
                                  0,
                                  {
                                    "$add": [{"$floor": {"$divide": [{"$subtract": ["$$gs_b", "$$gs_a"]}, "$$gs_s"]}}, 1]
                                  }
                                ]
                              }
                            }
                          ]
                        },
                        "in": {"$add": ["$$gs_a", {"$multiply": ["$$this", "$$gs_s"]}]}
                      }
                    }
                  ]
                }
              }
            },
            "as": "te",
            "in": {"d": "$$te"}
          }
        }
      }
    },
    {"$unwind": "$__j0"},
    {"$replaceRoot": {"newRoot": "$__j0"}},
    {"$project": {"_id": 0, "c0": "$d"}}
  ],
  "cursor": {}
}
rows: d <- c0

-- case: generate_series_too_long_refused
SELECT generate_series(1, 2000000)
-- error: unsupported: generate_series of more than 1000000 values at 1:8

-- case: generate_series_zero_step
SELECT generate_series(1, 5, 0)
-- error: step size cannot equal zero at 1:8

-- case: generate_series_month_step_refused
SELECT generate_series(TIMESTAMPTZ '2026-01-01', TIMESTAMPTZ '2026-12-01', INTERVAL '1 month')
-- error: unsupported: generate_series with a month or year step (months have no fixed length) at 1:8

-- case: unnest_from_lateral
SELECT s.id, t.tag FROM s, unnest(s.tags) AS t(tag)
-- expect:
{
  "aggregate": "s",
  "pipeline": [
    {"$set": {"__j1": {"$map": {"input": "$tags", "as": "te", "in": {"tag": "$$te"}}}}},
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$id", "c1": "$__j1.tag"}}
  ],
  "cursor": {}
}
rows: id <- c0, tag <- c1

-- case: unnest_from_cross_join_lateral_with_ordinality
SELECT s.id, t.tag, t.n FROM s CROSS JOIN LATERAL unnest(s.tags) WITH ORDINALITY AS t(tag, n)
-- expect:
{
  "aggregate": "s",
  "pipeline": [
    {
      "$set": {
        "__j1": {
          "$map": {
            "input": {"$range": [0, {"$max": [{"$size": {"$ifNull": ["$tags", []]}}]}]},
            "as": "ti",
            "in": {"tag": {"$arrayElemAt": ["$tags", "$$ti"]}, "n": {"$add": ["$$ti", NumberLong(1)]}}
          }
        }
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$id", "c1": "$__j1.tag", "c2": "$__j1.n"}}
  ],
  "cursor": {}
}
rows: id <- c0, tag <- c1, n <- c2

-- case: unnest_from_array
SELECT x FROM unnest(ARRAY[1, 2]) AS x
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {"$set": {"__j0": {"$map": {"input": [1, 2], "as": "te", "in": {"x": "$$te"}}}}},
    {"$unwind": "$__j0"},
    {"$replaceRoot": {"newRoot": "$__j0"}},
    {"$project": {"_id": 0, "c0": "$x"}}
  ],
  "cursor": {}
}
rows: x <- c0

-- case: unnest_with_offset_refused
SELECT x FROM unnest(ARRAY[1, 2]) AS x WITH OFFSET
-- error: unsupported: UNNEST ... WITH OFFSET at 1:28
