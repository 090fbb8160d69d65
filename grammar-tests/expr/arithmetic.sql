-- case: add_sub_mul
SELECT hit_count + 1, hit_count - 1, hit_count * 2 FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$add": ["$hit_count", 1]},
        "c1": {"$subtract": ["$hit_count", 1]},
        "c2": {"$multiply": ["$hit_count", 2]}
      }
    }
  ],
  "cursor": {}
}
rows: ?column? <- c0, ?column? <- c1, ?column? <- c2

-- case: int_literal_division
SELECT 7 / 2 AS q FROM t
-- expect:
{"aggregate": "t", "pipeline": [{"$project": {"_id": 0, "c0": {"$literal": 3}}}], "cursor": {}}
rows: q <- c0

-- case: column_division
SELECT data_size / 1024 AS kb FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
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
    }
  ],
  "cursor": {}
}
rows: kb <- c0

-- case: float_division
SELECT data_size / 1024.0 AS kb FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$divide": ["$data_size", 1024.0]}}}],
  "cursor": {}
}
rows: kb <- c0

-- case: modulo
SELECT hit_count % 3 FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$mod": ["$hit_count", 3]}}}],
  "cursor": {}
}
rows: ?column? <- c0

-- case: unary_minus
SELECT -hit_count FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$subtract": [0, "$hit_count"]}}}],
  "cursor": {}
}
rows: ?column? <- c0

-- case: precedence
SELECT a + b * c - d / 2 FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$subtract": [
            {"$add": ["$a", {"$multiply": ["$b", "$c"]}]},
            {
              "$let": {
                "vars": {"a": "$d", "b": 2},
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
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: ?column? <- c0

-- case: abs
SELECT ABS(balance) FROM t
-- expect:
{"aggregate": "t", "pipeline": [{"$project": {"_id": 0, "c0": {"$abs": "$balance"}}}], "cursor": {}}
rows: abs <- c0

-- case: round_no_places
SELECT ROUND(risk_score) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$eq": [{"$type": "$risk_score"}, "double"]},
            {"$round": ["$risk_score", 0]},
            {
              "$let": {
                "vars": {"v": {"$toDecimal": "$risk_score"}},
                "in": {
                  "$multiply": [
                    {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                    {
                      "$divide": [
                        {"$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1")]}, 0.5]}},
                        NumberDecimal("1")
                      ]
                    }
                  ]
                }
              }
            }
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: round <- c0

-- case: round_places
SELECT ROUND(risk_score, 2) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"v": {"$toDecimal": "$risk_score"}},
            "in": {
              "$multiply": [
                {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                {
                  "$divide": [
                    {"$floor": {"$add": [{"$multiply": [{"$abs": "$$v"}, NumberDecimal("1E+2")]}, 0.5]}},
                    NumberDecimal("1E+2")
                  ]
                }
              ]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: round <- c0

-- case: round_non_constant_places_refused
SELECT ROUND(a, b) FROM t
-- error: unsupported: ROUND with a non-constant number of places at 1:17

-- case: ceil_floor
SELECT CEIL(x), FLOOR(x) FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$ceil": "$x"}, "c1": {"$floor": "$x"}}}],
  "cursor": {}
}
rows: ?column? <- c0, ?column? <- c1

-- case: boolean_result
SELECT hit_count > 10 AS hot FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$gt": ["$hit_count", 10]},
            true,
            {
              "$cond": [
                {"$and": [{"$ne": [{"$ifNull": ["$hit_count", null]}, null]}, {"$lte": ["$hit_count", 10]}]},
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
rows: hot <- c0

-- case: overflow_folds_to_bigint
SELECT 2147483647 + 1 AS big FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$literal": NumberLong(2147483648)}}}],
  "cursor": {}
}
rows: big <- c0

-- case: round_past_20_places_is_the_value
SELECT ROUND(v, 308) AS r FROM c
-- expect:
{"aggregate": "c", "pipeline": [{"$project": {"_id": 0, "c0": {"$toDecimal": "$v"}}}], "cursor": {}}
rows: r <- c0

-- case: round_before_minus_20_places_in_doubles
SELECT ROUND(v, -25) AS r, ROUND(v, -400) AS z FROM c
-- expect:
{
  "aggregate": "c",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"v": {"$toDouble": "$v"}},
            "in": {
              "$add": [
                {
                  "$multiply": [
                    {"$cond": [{"$lt": ["$$v", 0]}, -1, 1]},
                    {"$floor": {"$add": [{"$divide": [{"$abs": "$$v"}, 10000000000000000000000000]}, 0.5]}},
                    10000000000000000000000000
                  ]
                },
                0.0
              ]
            }
          }
        },
        "c1": {"$cond": [{"$eq": [{"$ifNull": ["$v", null]}, null]}, null, 0.0]}
      }
    }
  ],
  "cursor": {}
}
rows: r <- c0, z <- c1
