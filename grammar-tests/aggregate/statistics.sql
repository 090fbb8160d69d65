-- case: stddev_and_variance
SELECT user_id, STDDEV(page_views) AS sd, STDDEV_POP(page_views) AS sp, VARIANCE(page_views) AS v, VAR_POP(page_views) AS vp FROM user_sessions GROUP BY user_id
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$user_id", null]}},
        "a0": {"$stdDevSamp": "$page_views"},
        "a1": {"$stdDevPop": "$page_views"}
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": {"$ifNull": ["$a0", null]},
        "c2": {"$ifNull": ["$a1", null]},
        "c3": {
          "$let": {
            "vars": {"sd": {"$ifNull": ["$a0", null]}},
            "in": {
              "$cond": [{"$eq": [{"$ifNull": ["$$sd", null]}, null]}, null, {"$multiply": ["$$sd", "$$sd"]}]
            }
          }
        },
        "c4": {
          "$let": {
            "vars": {"sd": {"$ifNull": ["$a1", null]}},
            "in": {
              "$cond": [{"$eq": [{"$ifNull": ["$$sd", null]}, null]}, null, {"$multiply": ["$$sd", "$$sd"]}]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: user_id <- c0, sd <- c1, sp <- c2, v <- c3, vp <- c4

-- case: stddev_with_filter_no_group
SELECT STDDEV_SAMP(risk_score) FILTER (WHERE active) AS sd FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {"$stdDevSamp": {"$cond": [{"$eq": ["$active", true]}, "$risk_score", null]}}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", null]}}}
  ],
  "cursor": {}
}
rows: sd <- c0

-- case: stddev_window
SELECT session_id, VAR_SAMP(page_views) OVER (PARTITION BY user_id) AS v FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$setWindowFields": {
        "partitionBy": {"p0": {"$ifNull": ["$user_id", null]}},
        "output": {"__w0": {"$stdDevSamp": "$page_views"}}
      }
    },
    {
      "$set": {
        "__w0": {
          "$let": {
            "vars": {"sd": "$__w0"},
            "in": {
              "$cond": [{"$eq": [{"$ifNull": ["$$sd", null]}, null]}, null, {"$multiply": ["$$sd", "$$sd"]}]
            }
          }
        }
      }
    },
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$__w0"}}
  ],
  "cursor": {}
}
rows: session_id <- c0, v <- c1

-- case: percentile_cont_median
SELECT namespace, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY hit_count) AS med FROM application_cache GROUP BY namespace
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$namespace", null]}},
        "a0": {
          "$push": {
            "$cond": [{"$ne": [{"$ifNull": ["$hit_count", null]}, null]}, {"$toDouble": "$hit_count"}, "$$REMOVE"]
          }
        }
      }
    },
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": {
          "$let": {
            "vars": {"s": {"$sortArray": {"input": {"$ifNull": ["$a0", []]}, "sortBy": 1}}},
            "in": {
              "$cond": [
                {"$eq": [{"$size": "$$s"}, 0]},
                null,
                {
                  "$let": {
                    "vars": {"pos": {"$multiply": [0.5, {"$subtract": [{"$size": "$$s"}, 1]}]}},
                    "in": {
                      "$let": {
                        "vars": {
                          "lo": {"$arrayElemAt": ["$$s", {"$toLong": {"$floor": "$$pos"}}]},
                          "hi": {"$arrayElemAt": ["$$s", {"$toLong": {"$ceil": "$$pos"}}]}
                        },
                        "in": {
                          "$add": [
                            "$$lo",
                            {
                              "$multiply": [{"$subtract": ["$$hi", "$$lo"]}, {"$subtract": ["$$pos", {"$floor": "$$pos"}]}]
                            }
                          ]
                        }
                      }
                    }
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
rows: namespace <- c0, med <- c1

-- case: percentile_disc_desc
SELECT PERCENTILE_DISC(0.9) WITHIN GROUP (ORDER BY created_at DESC) AS t FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {
          "$push": {"$cond": [{"$ne": [{"$ifNull": ["$created_at", null]}, null]}, "$created_at", "$$REMOVE"]}
        }
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"s": {"$sortArray": {"input": {"$ifNull": ["$a0", []]}, "sortBy": -1}}},
            "in": {
              "$cond": [
                {"$eq": [{"$size": "$$s"}, 0]},
                null,
                {
                  "$arrayElemAt": [
                    "$$s",
                    {
                      "$toLong": {"$subtract": [{"$max": [{"$ceil": {"$multiply": [0.9, {"$size": "$$s"}]}}, 1]}, 1]}
                    }
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
rows: t <- c0

-- case: mode
SELECT MODE() WITHIN GROUP (ORDER BY login_method) AS m FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": null,
        "a0": {
          "$push": {"$cond": [{"$ne": [{"$ifNull": ["$login_method", null]}, null]}, "$login_method", "$$REMOVE"]}
        }
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"s": {"$sortArray": {"input": {"$ifNull": ["$a0", []]}, "sortBy": 1}}},
            "in": {
              "$cond": [
                {"$eq": [{"$size": "$$s"}, 0]},
                null,
                {
                  "$let": {
                    "vars": {
                      "r": {
                        "$reduce": {
                          "input": "$$s",
                          "initialValue": {"b": null, "bc": 0, "c": null, "cc": 0},
                          "in": {
                            "$let": {
                              "vars": {
                                "cc": {
                                  "$cond": [
                                    {"$and": [{"$gt": ["$$value.cc", 0]}, {"$eq": ["$$this", "$$value.c"]}]},
                                    {"$add": ["$$value.cc", 1]},
                                    1
                                  ]
                                }
                              },
                              "in": {
                                "b": {"$cond": [{"$gt": ["$$cc", "$$value.bc"]}, "$$this", "$$value.b"]},
                                "bc": {"$cond": [{"$gt": ["$$cc", "$$value.bc"]}, "$$cc", "$$value.bc"]},
                                "c": "$$this",
                                "cc": "$$cc"
                              }
                            }
                          }
                        }
                      }
                    },
                    "in": "$$r.b"
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
rows: m <- c0

-- case: refuse_distinct_stddev
SELECT STDDEV(DISTINCT page_views) FROM user_sessions
-- error: unsupported: DISTINCT inside STDDEV() (MongoDB has no standard deviation over an array; use a derived table of the distinct values) at 1:8

-- case: refuse_array_of_fractions
SELECT PERCENTILE_CONT(ARRAY[0.25, 0.5]) WITHIN GROUP (ORDER BY page_views) FROM user_sessions
-- error: unsupported: a percentile fraction other than a numeric constant (an array of fractions or a computed one) at 1:30

-- case: refuse_computed_fraction
SELECT PERCENTILE_CONT(page_views / 100.0) WITHIN GROUP (ORDER BY page_views) FROM user_sessions
-- error: unsupported: a percentile fraction other than a numeric constant (an array of fractions or a computed one) at 1:24

-- case: error_fraction_out_of_range
SELECT PERCENTILE_DISC(1.5) WITHIN GROUP (ORDER BY page_views) FROM user_sessions
-- error: percentile value 1.5 is not between 0 and 1 at 1:24

-- case: error_percentile_over
SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY page_views) OVER () FROM user_sessions
-- error: OVER is not supported for ordered-set aggregate percentile_cont at 1:8

-- case: error_percentile_without_within_group
SELECT PERCENTILE_CONT(0.5) FROM user_sessions
-- error: PERCENTILE_CONT() needs WITHIN GROUP (ORDER BY one expression) at 1:8

-- case: error_stddev_of_text
SELECT STDDEV(user_id || 'x') FROM user_sessions
-- error: function STDDEV() does not exist for a non-numeric argument at 1:8

-- case: error_within_group_on_stddev
SELECT STDDEV(page_views) WITHIN GROUP (ORDER BY page_views) FROM user_sessions
-- error: unsupported: this form of STDDEV() at 1:8
