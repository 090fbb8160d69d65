-- case: to_integer
SELECT risk_score::INTEGER FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"v": "$risk_score"},
            "in": {
              "$toInt": {
                "$switch": {
                  "branches": [
                    {"case": {"$eq": [{"$type": "$$v"}, "double"]}, "then": {"$round": ["$$v", 0]}},
                    {
                      "case": {"$eq": [{"$type": "$$v"}, "decimal"]},
                      "then": {
                        "$let": {
                          "vars": {"d": {"$toDecimal": "$$v"}},
                          "in": {
                            "$multiply": [
                              {"$cond": [{"$lt": ["$$d", 0]}, -1, 1]},
                              {"$floor": {"$add": [{"$abs": "$$d"}, 0.5]}}
                            ]
                          }
                        }
                      }
                    }
                  ],
                  "default": "$$v"
                }
              }
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: risk_score <- c0

-- case: to_bigint
SELECT CAST(data_size AS BIGINT) FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"v": "$data_size"},
            "in": {
              "$toLong": {
                "$switch": {
                  "branches": [
                    {"case": {"$eq": [{"$type": "$$v"}, "double"]}, "then": {"$round": ["$$v", 0]}},
                    {
                      "case": {"$eq": [{"$type": "$$v"}, "decimal"]},
                      "then": {
                        "$let": {
                          "vars": {"d": {"$toDecimal": "$$v"}},
                          "in": {
                            "$multiply": [
                              {"$cond": [{"$lt": ["$$d", 0]}, -1, 1]},
                              {"$floor": {"$add": [{"$abs": "$$d"}, 0.5]}}
                            ]
                          }
                        }
                      }
                    }
                  ],
                  "default": "$$v"
                }
              }
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: data_size <- c0

-- case: to_numeric
SELECT risk_score::NUMERIC FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$toDecimal": "$risk_score"}}}],
  "cursor": {}
}
rows: risk_score <- c0

-- case: to_decimal_precision
SELECT CAST(cart_total AS DECIMAL(10,2)) FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$toDecimal": "$cart_total"}}}],
  "cursor": {}
}
rows: cart_total <- c0

-- case: to_double
SELECT hits::DOUBLE PRECISION, hits::FLOAT FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$toDouble": "$hits"}, "c1": {"$toDouble": "$hits"}}}],
  "cursor": {}
}
rows: hits <- c0, hits <- c1

-- case: to_text
SELECT hit_count::TEXT, CAST(hit_count AS VARCHAR) FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$toString": "$hit_count"}, "c1": {"$toString": "$hit_count"}}}],
  "cursor": {}
}
rows: hit_count <- c0, hit_count <- c1

-- case: to_boolean
SELECT flag::BOOLEAN FROM t
-- expect:
{"aggregate": "t", "pipeline": [{"$project": {"_id": 0, "c0": {"$toBool": "$flag"}}}], "cursor": {}}
rows: flag <- c0

-- case: to_timestamp
SELECT created::TIMESTAMP FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$toDate": "$created"}}}],
  "cursor": {}
}
rows: created <- c0

-- case: literal_casts
SELECT '42'::INTEGER AS i, '2.5'::NUMERIC AS n, 'yes'::BOOLEAN AS b, 7::TEXT AS s FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$literal": 42},
        "c1": {"$literal": NumberDecimal("2.5")},
        "c2": {"$literal": true},
        "c3": "7"
      }
    }
  ],
  "cursor": {}
}
rows: i <- c0, n <- c1, b <- c2, s <- c3

-- case: literal_to_timestamptz
SELECT * FROM t WHERE ts > '2026-11-22T10:00:00Z'::TIMESTAMPTZ
-- expect:
{"find": "t", "filter": {"ts": {"$gt": ISODate("2026-11-22T10:00:00Z")}}}
rows: * (every field)

-- case: jsonb_literal
SELECT '{"k": 1}'::jsonb AS doc FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$literal": {"k": 1}}}}],
  "cursor": {}
}
rows: doc <- c0

-- case: bad_integer_literal
SELECT 'abc'::INTEGER FROM t
-- error: invalid input for type INTEGER: "abc" at 1:8

-- case: cast_to_array_refused
SELECT tags::TEXT[] FROM t
-- error: unsupported: cast of a non-literal array (only ARRAY[...]::T[] and '{...}'::T[] are translated) at 1:8

-- case: cast_to_uuid_refused
SELECT id::UUID FROM t
-- error: unsupported: cast to UUID at 1:8
