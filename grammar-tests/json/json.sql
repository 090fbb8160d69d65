-- case: string_agg_ordered
SELECT user_id, STRING_AGG(session_id, ',' ORDER BY created_at DESC) AS ids FROM user_sessions GROUP BY user_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$user_id", null]}},
        "a0": {
          "$push": {
            "$cond": [
              {"$ne": [{"$ifNull": ["$session_id", null]}, null]},
              {
                "k": {
                  "n0": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
                  "s0": {"$ifNull": ["$created_at", null]}
                },
                "v": {"$ifNull": ["$session_id", null]}
              },
              "$$REMOVE"
            ]
          }
        }
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": {
          "$reduce": {
            "input": {
              "$map": {
                "input": {"$sortArray": {"input": {"$ifNull": ["$a0", []]}, "sortBy": {"k": -1}}},
                "in": "$$this.v"
              }
            },
            "initialValue": null,
            "in": {
              "$cond": [{"$eq": ["$$value", null]}, "$$this", {"$concat": ["$$value", {"$literal": ","}, "$$this"]}]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: user_id <- c0, ids <- c1

-- case: array_agg_nulls_last
SELECT ARRAY_AGG(page_views ORDER BY page_views) AS v FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$push": {"$ifNull": ["$page_views", null]}}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$gt": [{"$size": {"$ifNull": ["$a0", []]}}, 0]},
            {
              "$concatArrays": [
                {
                  "$sortArray": {
                    "input": {"$filter": {"input": {"$ifNull": ["$a0", []]}, "cond": {"$ne": ["$$this", null]}}},
                    "sortBy": 1
                  }
                },
                {"$filter": {"input": {"$ifNull": ["$a0", []]}, "cond": {"$eq": ["$$this", null]}}}
              ]
            },
            null
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: v <- c0

-- case: bool_and_or
SELECT BOOL_AND(active) AS a, BOOL_OR(mfa_verified) AS m FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": null, "a0": {"$min": "$active"}, "a1": {"$max": "$mfa_verified"}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", null]}, "c1": {"$ifNull": ["$a1", null]}}}
  ],
  "cursor": {}
}
rows: a <- c0, m <- c1

-- case: json_object_agg
SELECT JSON_OBJECT_AGG(cache_key, hit_count ORDER BY cache_key) AS o FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {
          "$push": {
            "k": {
              "n0": {"$cond": [{"$eq": [{"$ifNull": ["$cache_key", null]}, null]}, 1, 0]},
              "s0": {"$ifNull": ["$cache_key", null]}
            },
            "n": {
              "$cond": [{"$eq": [{"$type": "$cache_key"}, "string"]}, "$cache_key", {"$toString": "$cache_key"}]
            },
            "v": {"$ifNull": ["$hit_count", null]}
          }
        }
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$gt": [{"$size": {"$ifNull": ["$a0", []]}}, 0]},
            {
              "$arrayToObject": [
                {
                  "$map": {
                    "input": {"$sortArray": {"input": {"$ifNull": ["$a0", []]}, "sortBy": {"k": 1}}},
                    "in": {"k": "$$this.n", "v": "$$this.v"}
                  }
                }
              ]
            },
            null
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: o <- c0

-- case: json_build_object
SELECT JSON_BUILD_OBJECT('user', user_id, 'views', page_views) AS j FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$mergeObjects": [{"user": {"$ifNull": ["$user_id", null]}, "views": {"$ifNull": ["$page_views", null]}}]
        }
      }
    }
  ],
  "cursor": {}
}
rows: j <- c0

-- case: json_object_nested_mysql_style
SELECT JSON_OBJECT('total', COUNT(*), 'by_state', JSON_OBJECT('active', COUNT(*) FILTER (WHERE active), 'mfa', COUNT(*) FILTER (WHERE mfa_verified))) AS m FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {"$sum": 1},
        "a1": {"$sum": {"$cond": [{"$eq": ["$active", true]}, 1, 0]}},
        "a2": {"$sum": {"$cond": [{"$eq": ["$mfa_verified", true]}, 1, 0]}}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$mergeObjects": [
            {
              "total": {"$ifNull": ["$a0", 0]},
              "by_state": {"$mergeObjects": [{"active": {"$ifNull": ["$a1", 0]}, "mfa": {"$ifNull": ["$a2", 0]}}]}
            }
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: m <- c0

-- case: json_object_sql_json_syntax
SELECT JSON_OBJECT('user' VALUE user_id, 'views': page_views) AS j FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$mergeObjects": [{"user": {"$ifNull": ["$user_id", null]}, "views": {"$ifNull": ["$page_views", null]}}]
        }
      }
    }
  ],
  "cursor": {}
}
rows: j <- c0

-- case: json_extract_mysql_path
SELECT JSON_EXTRACT(session_data, '$.preferences.theme') FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": "$session_data.preferences.theme"}}],
  "cursor": {}
}
rows: json_extract <- c0

-- case: jsonb_extract_path_text
SELECT JSONB_EXTRACT_PATH_TEXT(session_data, 'preferences', 'theme') AS t FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": "$session_data.preferences.theme"}}],
  "cursor": {}
}
rows: t <- c0

-- case: json_array_length
SELECT JSONB_ARRAY_LENGTH(session_data->'shoppingCart'->'items') AS n FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$eq": [{"$ifNull": ["$session_data.shoppingCart.items", null]}, null]},
            null,
            {"$size": "$session_data.shoppingCart.items"}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: n <- c0

-- case: array_constructor_text_cast
SELECT ARRAY[CASE WHEN page_views > 30 THEN 'busy' END, 'x']::TEXT[] AS flags FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": [
          {
            "$switch": {"branches": [{"case": {"$gt": ["$page_views", 30]}, "then": "busy"}], "default": null}
          },
          "x"
        ]
      }
    }
  ],
  "cursor": {}
}
rows: flags <- c0

-- case: string_agg_non_constant_delimiter_refused
SELECT STRING_AGG(session_id, user_id) FROM user_sessions
-- error: unsupported: string_agg() delimiter other than a text constant at 1:31

-- case: json_object_non_constant_key_refused
SELECT JSON_BUILD_OBJECT(user_id, 1) FROM user_sessions
-- error: unsupported: JSON object key other than a constant at 1:26

-- case: json_build_object_odd_arguments
SELECT JSON_BUILD_OBJECT('a', 1, 'b') FROM user_sessions
-- error: JSON_BUILD_OBJECT() needs key / value pairs (an even number of arguments) at 1:8

-- case: json_extract_complex_path_refused
SELECT JSON_EXTRACT(session_data, '$.items[0].sku') FROM user_sessions
-- error: unsupported: json_extract() path other than '$.key.key...' at 1:35

-- case: array_agg_window
SELECT ARRAY_AGG(session_id) OVER (PARTITION BY user_id ORDER BY created_at) AS so_far FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$created_at", null]}
        }
      }
    },
    {
      "$setWindowFields": {
        "partitionBy": {"p0": {"$ifNull": ["$user_id", null]}},
        "sortBy": {"__w0k": 1},
        "output": {"__w0d": {"$denseRank": {}}}
      }
    },
    {
      "$setWindowFields": {
        "partitionBy": {"p0": {"$ifNull": ["$user_id", null]}},
        "sortBy": {"__w0d": 1},
        "output": {
          "__w0": {"$push": {"$ifNull": ["$session_id", null]}, "window": {"range": ["unbounded", "current"]}}
        }
      }
    },
    {"$set": {"__w0": {"$cond": [{"$gt": [{"$size": "$__w0"}, 0]}, "$__w0", null]}}},
    {"$project": {"_id": 0, "c0": "$__w0"}}
  ],
  "cursor": {}
}
rows: so_far <- c0

-- case: string_agg_window_with_order_inside_refused
SELECT STRING_AGG(session_id, ',' ORDER BY session_id) OVER (PARTITION BY user_id) FROM user_sessions
-- error: unsupported: clauses inside STRING_AGG() at 1:8

-- case: distinct_order_by_other_expression
SELECT STRING_AGG(DISTINCT user_id, ',' ORDER BY session_id) FROM user_sessions
-- error: in an aggregate with DISTINCT, ORDER BY expressions must appear in the argument list at 1:8
