-- case: array_length_dimension_one
SELECT array_length(tags, 1) AS l FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"a": "$tags"},
            "in": {
              "$cond": [
                {"$isArray": ["$$a"]},
                {"$cond": [{"$eq": [{"$size": "$$a"}, 0]}, null, {"$size": "$$a"}]},
                null
              ]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: l <- c0

-- case: cardinality
SELECT cardinality(tags) AS c FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {"vars": {"a": "$tags"}, "in": {"$cond": [{"$isArray": ["$$a"]}, {"$size": "$$a"}, null]}}
        }
      }
    }
  ],
  "cursor": {}
}
rows: c <- c0

-- case: array_position_with_start
SELECT array_position(tags, 'vip', 2) AS p FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {
              "a": "$tags",
              "st": {
                "$cond": [
                  {"$eq": [{"$ifNull": [2, null]}, null]},
                  null,
                  {"$max": [{"$toInt": {"$subtract": [2, 1]}}, 0]}
                ]
              }
            },
            "in": {
              "$cond": [
                {"$or": [{"$not": [{"$isArray": ["$$a"]}]}, {"$eq": ["$$st", null]}]},
                null,
                {
                  "$let": {
                    "vars": {"i": {"$indexOfArray": ["$$a", {"$ifNull": ["vip", null]}, "$$st"]}},
                    "in": {"$cond": [{"$lt": ["$$i", 0]}, null, {"$add": ["$$i", 1]}]}
                  }
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
rows: p <- c0

-- case: array_remove
SELECT array_remove(tags, 'beta') AS r FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$isArray": ["$tags"]},
            {"$filter": {"input": "$tags", "cond": {"$ne": ["$$this", {"$ifNull": ["beta", null]}]}}},
            null
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: r <- c0

-- case: array_append_prepend_cat
SELECT array_append(tags, 'x') AS a, array_prepend('x', tags) AS p, array_cat(tags, ARRAY['y']) AS c FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$concatArrays": [{"$ifNull": ["$tags", []]}, [{"$ifNull": ["x", null]}]]},
        "c1": {"$concatArrays": [[{"$ifNull": ["x", null]}], {"$ifNull": ["$tags", []]}]},
        "c2": {
          "$cond": [
            {
              "$and": [{"$eq": [{"$ifNull": ["$tags", null]}, null]}, {"$eq": [{"$ifNull": [["y"], null]}, null]}]
            },
            null,
            {"$concatArrays": [{"$ifNull": ["$tags", []]}, {"$ifNull": [["y"], []]}]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: a <- c0, p <- c1, c <- c2

-- case: update_array_append
UPDATE user_sessions SET tags = array_append(tags, 'seen') WHERE session_id = $1
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {"session_id": {"$eq": {"$param": NumberLong(1)}}},
      "u": [
        {
          "$set": {"tags": {"$concatArrays": [{"$ifNull": ["$tags", []]}, [{"$ifNull": ["seen", null]}]]}}
        }
      ],
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: pi
SELECT pi() AS p, pi() * risk_score AS q FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$literal": 3.141592653589793},
        "c1": {"$multiply": [3.141592653589793, "$risk_score"]}
      }
    }
  ],
  "cursor": {}
}
rows: p <- c0, q <- c1

-- case: degrees_radians
SELECT degrees(risk_score) AS d, radians(180) AS r FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$eq": [{"$ifNull": ["$risk_score", null]}, null]},
            null,
            {"$divide": [{"$toDouble": "$risk_score"}, 0.017453292519943295]}
          ]
        },
        "c1": {"$multiply": [{"$toDouble": 180}, 0.017453292519943295]}
      }
    }
  ],
  "cursor": {}
}
rows: d <- c0, r <- c1

-- case: octet_and_bit_length
SELECT octet_length(user_id) AS o, bit_length(user_id) AS b FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$eq": [{"$ifNull": [{"$toString": "$user_id"}, null]}, null]},
            null,
            {"$strLenBytes": {"$toString": "$user_id"}}
          ]
        },
        "c1": {
          "$cond": [
            {"$eq": [{"$ifNull": [{"$toString": "$user_id"}, null]}, null]},
            null,
            {"$multiply": [{"$strLenBytes": {"$toString": "$user_id"}}, 8]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: o <- c0, b <- c1

-- case: current_timestamp_rounded_to_seconds
SELECT CURRENT_TIMESTAMP(0) AS t, LOCALTIMESTAMP(3) AS l
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$toDate": {
            "$toLong": {
              "$multiply": [
                {
                  "$floor": {"$divide": [{"$add": [{"$toLong": "$$NOW"}, NumberLong(500)]}, NumberLong(1000)]}
                },
                NumberLong(1000)
              ]
            }
          }
        },
        "c1": "$$NOW"
      }
    }
  ],
  "cursor": {}
}
rows: t <- c0, l <- c1

-- case: refuse_array_length_other_dimension
SELECT array_length(tags, 2) FROM user_sessions
-- error: unsupported: array_length with a dimension other than the constant 1 (BSON arrays of arrays are not PostgreSQL's multi-dimensional arrays) at 1:27

-- case: error_negative_precision
SELECT CURRENT_TIMESTAMP(-1)
-- error: CURRENT_TIMESTAMP(-1) precision must not be negative at 1:8
