-- case: row_number_partition
SELECT session_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at) AS rn FROM user_sessions
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
        "output": {"__w0": {"$documentNumber": {}}}
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, rn <- c1

-- case: rank_nulls_last_flag
SELECT session_id, RANK() OVER (ORDER BY page_views) AS r FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$page_views", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$page_views", null]}
        }
      }
    },
    {"$setWindowFields": {"sortBy": {"__w0k": 1}, "output": {"__w0": {"$rank": {}}}}},
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, r <- c1

-- case: sum_default_frame_peers
SELECT session_id, SUM(page_views) OVER (PARTITION BY user_id ORDER BY created_at) AS running FROM user_sessions
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
          "__w0": {"$sum": "$page_views", "window": {"range": ["unbounded", "current"]}},
          "__w0c": {
            "$sum": {"$cond": [{"$isNumber": "$page_views"}, 1, 0]},
            "window": {"range": ["unbounded", "current"]}
          }
        }
      }
    },
    {"$set": {"__w0": {"$cond": [{"$gt": ["$__w0c", 0]}, "$__w0", null]}}},
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, running <- c1

-- case: count_whole_partition
SELECT session_id, COUNT(*) OVER (PARTITION BY user_id) AS n FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$setWindowFields": {"partitionBy": {"p0": {"$ifNull": ["$user_id", null]}}, "output": {"__w0": {"$sum": 1}}}
    },
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, n <- c1

-- case: avg_rows_frame
SELECT session_id, AVG(page_views) OVER (ORDER BY created_at ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS m FROM user_sessions
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
        "sortBy": {"__w0k": 1},
        "output": {"__w0": {"$avg": "$page_views", "window": {"documents": [NumberLong(-2), NumberLong(1)]}}}
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, m <- c1

-- case: lag_with_default
SELECT session_id, LAG(page_views, 1, 0) OVER (ORDER BY created_at) AS prev FROM user_sessions
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
        "sortBy": {"__w0k": 1},
        "output": {
          "__w0": {
            "$shift": {
              "output": {"$ifNull": ["$page_views", null]},
              "by": NumberLong(-1),
              "default": {"$literal": 0}
            }
          }
        }
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, prev <- c1

-- case: percent_rank
SELECT session_id, PERCENT_RANK() OVER (ORDER BY risk_score DESC) AS pr FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$risk_score", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$risk_score", null]}
        }
      }
    },
    {
      "$setWindowFields": {"sortBy": {"__w0k": -1}, "output": {"__w0n": {"$sum": 1}, "__w0r": {"$rank": {}}}}
    },
    {
      "$set": {
        "__w0": {
          "$cond": [
            {"$lte": ["$__w0n", 1]},
            0.0,
            {"$divide": [{"$subtract": ["$__w0r", 1]}, {"$subtract": ["$__w0n", 1]}]}
          ]
        }
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, pr <- c1

-- case: rank_over_group
SELECT user_id, COUNT(*) AS n, RANK() OVER (ORDER BY COUNT(*) DESC) AS r FROM user_sessions GROUP BY user_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "a0": {"$sum": 1}}},
    {"$set": {"__w0k": {"s0": {"$ifNull": [{"$ifNull": ["$a0", 0]}, null]}}}},
    {"$setWindowFields": {"sortBy": {"__w0k": -1}, "output": {"__w0": {"$rank": {}}}}},
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}, "c2": "$__w0"}}
  ],
  "cursor": {}
}
rows: user_id <- c0, n <- c1, r <- c2

-- case: range_offsets_on_the_value
SELECT SUM(page_views) OVER (ORDER BY page_views DESC RANGE BETWEEN 5 PRECEDING AND CURRENT ROW) AS s FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$page_views", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$page_views", null]}
        }
      }
    },
    {
      "$set": {
        "__w0v": {
          "$cond": [{"$eq": [{"$ifNull": ["$page_views", null]}, null]}, -inf, {"$multiply": [-1, "$page_views"]}]
        }
      }
    },
    {
      "$setWindowFields": {
        "sortBy": {"__w0v": 1},
        "output": {
          "__w0": {"$sum": "$page_views", "window": {"range": [NumberLong(-5), "current"]}},
          "__w0c": {
            "$sum": {"$cond": [{"$isNumber": "$page_views"}, 1, 0]},
            "window": {"range": [NumberLong(-5), "current"]}
          }
        }
      }
    },
    {"$set": {"__w0": {"$cond": [{"$gt": ["$__w0c", 0]}, "$__w0", null]}}},
    {"$project": {"_id": 0, "c0": "$__w0"}}
  ],
  "cursor": {}
}
rows: s <- c0

-- case: range_offsets_need_one_key
SELECT SUM(page_views) OVER (ORDER BY page_views, risk_score RANGE BETWEEN 5 PRECEDING AND CURRENT ROW) FROM user_sessions
-- error: RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column at 1:8

-- case: mixed_directions_rank_of_peer_group
SELECT RANK() OVER (ORDER BY user_id, page_views DESC) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$user_id", null]},
          "n1": {"$cond": [{"$eq": [{"$ifNull": ["$page_views", null]}, null]}, 1, 0]},
          "s1": {"$ifNull": ["$page_views", null]}
        }
      }
    },
    {
      "$setWindowFields": {
        "sortBy": {"__w0k.n0": 1, "__w0k.s0": 1, "__w0k.n1": -1, "__w0k.s1": -1},
        "output": {"__w0p": {"$documentNumber": {}}}
      }
    },
    {"$setWindowFields": {"partitionBy": "$__w0k", "output": {"__w0r0": {"$min": "$__w0p"}}}},
    {"$set": {"__w0": "$__w0r0"}},
    {"$project": {"_id": 0, "c0": "$__w0"}}
  ],
  "cursor": {}
}
rows: rank <- c0

-- case: groups_frame_refused
SELECT SUM(page_views) OVER (ORDER BY page_views GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM user_sessions
-- error: unsupported: GROUPS frame at 1:8

-- case: ntile
SELECT NTILE(4) OVER (ORDER BY page_views) AS q FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$page_views", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$page_views", null]}
        }
      }
    },
    {
      "$setWindowFields": {"sortBy": {"__w0k": 1}, "output": {"__w0r": {"$documentNumber": {}}, "__w0n": {"$sum": 1}}}
    },
    {
      "$set": {
        "__w0": {
          "$toLong": {
            "$let": {
              "vars": {
                "q": {"$floor": {"$divide": ["$__w0n", NumberLong(4)]}},
                "r": {"$mod": ["$__w0n", NumberLong(4)]}
              },
              "in": {
                "$cond": [
                  {"$lte": ["$__w0r", {"$multiply": ["$$r", {"$add": ["$$q", 1]}]}]},
                  {"$ceil": {"$divide": ["$__w0r", {"$add": ["$$q", 1]}]}},
                  {"$ceil": {"$divide": [{"$subtract": ["$__w0r", "$$r"]}, "$$q"]}}
                ]
              }
            }
          }
        }
      }
    },
    {"$project": {"_id": 0, "c0": "$__w0"}}
  ],
  "cursor": {}
}
rows: q <- c0

-- case: nth_value
SELECT NTH_VALUE(session_id, 2) OVER (PARTITION BY user_id ORDER BY created_at) AS second FROM user_sessions
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
          "__w0": {
            "$firstN": {"input": {"$ifNull": ["$session_id", null]}, "n": NumberLong(2)},
            "window": {"range": ["unbounded", "current"]}
          }
        }
      }
    },
    {"$set": {"__w0": {"$ifNull": [{"$arrayElemAt": ["$__w0", NumberLong(1)]}, null]}}},
    {"$project": {"_id": 0, "c0": "$__w0"}}
  ],
  "cursor": {}
}
rows: second <- c0

-- case: ntile_non_constant_refused
SELECT NTILE(page_views) OVER (ORDER BY page_views) FROM user_sessions
-- error: unsupported: ntile() argument other than a positive integer constant at 1:14

-- case: window_in_where_refused
SELECT session_id FROM user_sessions WHERE ROW_NUMBER() OVER (ORDER BY session_id) < 3
-- error: unsupported: window function ROW_NUMBER() OVER (...) at 1:44

-- case: lag_non_constant_default_refused
SELECT LAG(page_views, 1, actions_performed) OVER (ORDER BY session_id) FROM user_sessions
-- error: unsupported: LAG() default other than a constant at 1:27

-- case: window_in_having_refused
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id HAVING RANK() OVER (ORDER BY COUNT(*)) < 3
-- error: window functions are not allowed in HAVING at 1:74

-- case: named_window
SELECT session_id, RANK() OVER w AS r FROM user_sessions WINDOW w AS (PARTITION BY user_id ORDER BY created_at)
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
        "output": {"__w0": {"$rank": {}}}
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, r <- c1

-- case: named_window_unknown
SELECT RANK() OVER nope FROM user_sessions WINDOW w AS (ORDER BY created_at)
-- error: window "nope" does not exist at 1:8

-- case: calls_sharing_a_window_share_one_stage
SELECT session_id, ROW_NUMBER() OVER w AS rn, SUM(page_views) OVER w AS running, COUNT(*) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS last2, RANK() OVER (ORDER BY page_views) AS r FROM user_sessions WINDOW w AS (PARTITION BY user_id ORDER BY session_id)
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$session_id", null]}
        }
      }
    },
    {
      "$setWindowFields": {
        "partitionBy": {"p0": {"$ifNull": ["$user_id", null]}},
        "sortBy": {"__w0k": 1},
        "output": {
          "__w0": {"$documentNumber": {}},
          "__w1d": {"$denseRank": {}},
          "__w2": {"$sum": 1, "window": {"documents": [NumberLong(-1), "current"]}}
        }
      }
    },
    {
      "$setWindowFields": {
        "partitionBy": {"p0": {"$ifNull": ["$user_id", null]}},
        "sortBy": {"__w1d": 1},
        "output": {
          "__w1": {"$sum": "$page_views", "window": {"range": ["unbounded", "current"]}},
          "__w1c": {
            "$sum": {"$cond": [{"$isNumber": "$page_views"}, 1, 0]},
            "window": {"range": ["unbounded", "current"]}
          }
        }
      }
    },
    {"$set": {"__w1": {"$cond": [{"$gt": ["$__w1c", 0]}, "$__w1", null]}}},
    {
      "$set": {
        "__w3k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$page_views", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$page_views", null]}
        }
      }
    },
    {"$setWindowFields": {"sortBy": {"__w3k": 1}, "output": {"__w3": {"$rank": {}}}}},
    {
      "$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0", "c2": "$__w1", "c3": "$__w2", "c4": "$__w3"}
    }
  ],
  "cursor": {}
}
rows: session_id <- c0, rn <- c1, running <- c2, last2 <- c3, r <- c4

-- case: named_window_partition_override_refused
SELECT RANK() OVER (w PARTITION BY active) FROM user_sessions WINDOW w AS (ORDER BY created_at)
-- error: cannot override PARTITION BY clause of window "w" at 1:8

-- case: window_inside_aggregate_refused
SELECT SUM(ROW_NUMBER() OVER (ORDER BY session_id)) FROM user_sessions
-- error: aggregate function calls cannot contain window function calls at 1:12

-- case: string_agg_window_delimiter_must_be_text
SELECT string_agg(ip_address, ip_address) OVER (ORDER BY created_at) FROM user_sessions
-- error: unsupported: string_agg() delimiter other than a text constant at 1:31

-- case: order_by_reuses_the_window_sort
SELECT session_id, NTILE(4) OVER (ORDER BY session_id) AS b, LAG(session_id) OVER (ORDER BY session_id) AS prev FROM user_sessions ORDER BY session_id LIMIT 5
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$session_id", null]}
        }
      }
    },
    {
      "$setWindowFields": {
        "sortBy": {"__w0k": 1},
        "output": {
          "__w0r": {"$documentNumber": {}},
          "__w0n": {"$sum": 1},
          "__w1": {"$shift": {"output": {"$ifNull": ["$session_id", null]}, "by": NumberLong(-1)}}
        }
      }
    },
    {
      "$set": {
        "__w0": {
          "$toLong": {
            "$let": {
              "vars": {
                "q": {"$floor": {"$divide": ["$__w0n", NumberLong(4)]}},
                "r": {"$mod": ["$__w0n", NumberLong(4)]}
              },
              "in": {
                "$cond": [
                  {"$lte": ["$__w0r", {"$multiply": ["$$r", {"$add": ["$$q", 1]}]}]},
                  {"$ceil": {"$divide": ["$__w0r", {"$add": ["$$q", 1]}]}},
                  {"$ceil": {"$divide": [{"$subtract": ["$__w0r", "$$r"]}, "$$q"]}}
                ]
              }
            }
          }
        }
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0", "c2": "$__w1"}},
    {"$limit": NumberLong(5)}
  ],
  "cursor": {}
}
rows: session_id <- c0, b <- c1, prev <- c2

-- case: order_by_after_a_partitioned_window_sorts
SELECT session_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY session_id) AS rn FROM user_sessions ORDER BY session_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$session_id", null]}
        }
      }
    },
    {
      "$setWindowFields": {
        "partitionBy": {"p0": {"$ifNull": ["$user_id", null]}},
        "sortBy": {"__w0k": 1},
        "output": {"__w0": {"$documentNumber": {}}}
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "c1": "$__w0",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
        "__s0": "$session_id"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {}
}
rows: session_id <- c0, rn <- c1

-- case: order_by_after_mixed_directions_sorts
SELECT session_id, RANK() OVER (ORDER BY user_id, session_id DESC) AS r FROM user_sessions ORDER BY user_id, session_id DESC
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$set": {
        "__w0k": {
          "n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
          "s0": {"$ifNull": ["$user_id", null]},
          "n1": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
          "s1": {"$ifNull": ["$session_id", null]}
        }
      }
    },
    {
      "$setWindowFields": {
        "sortBy": {"__w0k.n0": 1, "__w0k.s0": 1, "__w0k.n1": -1, "__w0k.s1": -1},
        "output": {"__w0p": {"$documentNumber": {}}}
      }
    },
    {"$setWindowFields": {"partitionBy": "$__w0k", "output": {"__w0r0": {"$min": "$__w0p"}}}},
    {"$set": {"__w0": "$__w0r0"}},
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "c1": "$__w0",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s0": "$user_id",
        "__n1": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
        "__s1": "$session_id"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1, "__n1": -1, "__s1": -1}},
    {"$unset": ["__n0", "__s0", "__n1", "__s1"]}
  ],
  "cursor": {}
}
rows: session_id <- c0, r <- c1
