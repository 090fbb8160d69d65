-- case: timestamp_minus_timestamp_is_an_interval
SELECT expires_at - TIMESTAMPTZ '2026-01-01 00:00:00Z' AS left_ FROM user_sessions
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
              "us": {
                "$multiply": [{"$subtract": ["$expires_at", ISODate("2026-01-01T00:00:00Z")]}, NumberLong(1000)]
              }
            },
            "in": {
              "$cond": [
                {"$eq": [{"$ifNull": ["$$us", null]}, null]},
                null,
                {
                  "months": 0,
                  "days": {"$toInt": {"$trunc": [{"$divide": ["$$us", NumberLong(86400000000)]}]}},
                  "micros": {"$mod": ["$$us", NumberLong(86400000000)]}
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
rows: left_ <- c0

-- case: interval_times_column
SELECT INTERVAL '1 day' * page_views AS d FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"ia": {"months": 0, "days": 1, "micros": NumberLong(0)}, "fa": {"$toDouble": "$page_views"}},
            "in": {
              "$cond": [
                {"$eq": [{"$ifNull": ["$$fa", null]}, null]},
                null,
                {
                  "$cond": [
                    {"$eq": ["$$fa", {"$trunc": ["$$fa"]}]},
                    {
                      "months": 0,
                      "days": {"$toInt": {"$multiply": ["$$ia.days", "$$fa"]}},
                      "micros": {"$toLong": {"$round": [{"$multiply": ["$$ia.micros", "$$fa"]}, 0]}}
                    },
                    {
                      "$let": {
                        "vars": {"dp": {"$multiply": ["$$ia.days", "$$fa"]}},
                        "in": {
                          "$let": {
                            "vars": {"rd": {"$trunc": ["$$dp"]}},
                            "in": {
                              "$let": {
                                "vars": {
                                  "sr": {
                                    "$divide": [
                                      {
                                        "$round": [
                                          {
                                            "$multiply": [{"$multiply": [{"$subtract": ["$$dp", "$$rd"]}, 86400.0]}, 1000000.0]
                                          },
                                          0
                                        ]
                                      },
                                      1000000.0
                                    ]
                                  }
                                },
                                "in": {
                                  "$let": {
                                    "vars": {
                                      "carry": {
                                        "$cond": [
                                          {"$gte": [{"$abs": "$$sr"}, 86400.0]},
                                          {"$trunc": [{"$divide": ["$$sr", 86400.0]}]},
                                          0
                                        ]
                                      }
                                    },
                                    "in": {
                                      "months": 0,
                                      "days": {"$toInt": {"$add": ["$$rd", "$$carry"]}},
                                      "micros": {
                                        "$toLong": {
                                          "$round": [
                                            {
                                              "$add": [
                                                {"$multiply": ["$$ia.micros", "$$fa"]},
                                                {
                                                  "$multiply": [{"$subtract": ["$$sr", {"$multiply": ["$$carry", 86400.0]}]}, 1000000.0]
                                                }
                                              ]
                                            },
                                            0
                                          ]
                                        }
                                      }
                                    }
                                  }
                                }
                              }
                            }
                          }
                        }
                      }
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
rows: d <- c0

-- case: interval_divided_folds
SELECT INTERVAL '1 day' / 7 AS d
-- expect:
{
  "aggregate": 1,
  "pipeline": [{"$documents": [{}]}, {"$project": {"_id": 0, "c0": "03:25:42.857143"}}],
  "cursor": {}
}
rows: d <- c0

-- case: interval_plus_interval_folds
SELECT INTERVAL '1 day' + INTERVAL '90 minutes' - INTERVAL '1 mon' AS d
-- expect:
{
  "aggregate": 1,
  "pipeline": [{"$documents": [{}]}, {"$project": {"_id": 0, "c0": "-1 mons +1 day 01:30:00"}}],
  "cursor": {}
}
rows: d <- c0

-- case: timestamp_plus_computed_interval
SELECT created_at + INTERVAL '1 minute' * page_views AS t FROM user_sessions
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
              "ia": {
                "$let": {
                  "vars": {
                    "ia": {"months": 0, "days": 0, "micros": NumberLong(60000000)},
                    "fa": {"$toDouble": "$page_views"}
                  },
                  "in": {
                    "$cond": [
                      {"$eq": [{"$ifNull": ["$$fa", null]}, null]},
                      null,
                      {
                        "months": 0,
                        "days": 0,
                        "micros": {"$toLong": {"$round": [{"$multiply": ["$$ia.micros", "$$fa"]}, 0]}}
                      }
                    ]
                  }
                }
              }
            },
            "in": {
              "$dateAdd": {
                "startDate": {
                  "$dateAdd": {
                    "startDate": {"$dateAdd": {"startDate": "$created_at", "unit": "month", "amount": "$$ia.months"}},
                    "unit": "day",
                    "amount": "$$ia.days"
                  }
                },
                "unit": "millisecond",
                "amount": {"$toLong": {"$trunc": [{"$divide": ["$$ia.micros", 1000]}]}}
              }
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: t <- c0

-- case: interval_comparison
SELECT session_id FROM user_sessions WHERE expires_at - TIMESTAMPTZ '2026-01-01 00:00:00Z' > INTERVAL '1 day'
-- expect:
{
  "find": "user_sessions",
  "filter": {
    "$expr": {
      "$gt": [
        {
          "$let": {
            "vars": {
              "us": {
                "$multiply": [{"$subtract": ["$expires_at", ISODate("2026-01-01T00:00:00Z")]}, NumberLong(1000)]
              }
            },
            "in": {
              "$cond": [
                {"$eq": [{"$ifNull": ["$$us", null]}, null]},
                null,
                {
                  "$add": [
                    {"$multiply": [0, NumberLong(2592000000000)]},
                    {
                      "$multiply": [
                        {"$toInt": {"$trunc": [{"$divide": ["$$us", NumberLong(86400000000)]}]}},
                        NumberLong(86400000000)
                      ]
                    },
                    {"$mod": ["$$us", NumberLong(86400000000)]}
                  ]
                }
              ]
            }
          }
        },
        NumberLong(86400000000)
      ]
    }
  },
  "projection": {"_id": 0, "session_id": 1}
}
rows: session_id <- session_id

-- case: extract_from_interval
SELECT EXTRACT(HOUR FROM INTERVAL '1 minute' * page_views) AS h FROM user_sessions
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
              "ia": {
                "$let": {
                  "vars": {
                    "ia": {"months": 0, "days": 0, "micros": NumberLong(60000000)},
                    "fa": {"$toDouble": "$page_views"}
                  },
                  "in": {
                    "$cond": [
                      {"$eq": [{"$ifNull": ["$$fa", null]}, null]},
                      null,
                      {
                        "months": 0,
                        "days": 0,
                        "micros": {"$toLong": {"$round": [{"$multiply": ["$$ia.micros", "$$fa"]}, 0]}}
                      }
                    ]
                  }
                }
              }
            },
            "in": {"$trunc": [{"$divide": ["$$ia.micros", NumberLong(3600000000)]}]}
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: h <- c0

-- case: justify_interval
SELECT justify_interval(INTERVAL '1 hour' * page_views) AS j FROM user_sessions
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
              "ia": {"months": 0, "days": 0, "micros": NumberLong(3600000000)},
              "fa": {"$toDouble": "$page_views"}
            },
            "in": {
              "$cond": [
                {"$eq": [{"$ifNull": ["$$fa", null]}, null]},
                null,
                {
                  "$let": {
                    "vars": {
                      "m": 0,
                      "d": 0,
                      "u": {"$toLong": {"$round": [{"$multiply": ["$$ia.micros", "$$fa"]}, 0]}}
                    },
                    "in": {
                      "$let": {
                        "vars": {
                          "d": {
                            "$add": ["$$d", {"$toInt": {"$trunc": [{"$divide": ["$$u", NumberLong(86400000000)]}]}}]
                          },
                          "t": {"$mod": ["$$u", NumberLong(86400000000)]}
                        },
                        "in": {
                          "$let": {
                            "vars": {
                              "m": {"$add": ["$$m", {"$toInt": {"$trunc": [{"$divide": ["$$d", 30]}]}}]},
                              "d": {"$mod": ["$$d", 30]}
                            },
                            "in": {
                              "$let": {
                                "vars": {
                                  "fx": {
                                    "$cond": [
                                      {
                                        "$and": [
                                          {"$gt": ["$$m", 0]},
                                          {
                                            "$or": [{"$lt": ["$$d", 0]}, {"$and": [{"$eq": ["$$d", 0]}, {"$lt": ["$$t", 0]}]}]
                                          }
                                        ]
                                      },
                                      1,
                                      {
                                        "$cond": [
                                          {
                                            "$and": [
                                              {"$lt": ["$$m", 0]},
                                              {
                                                "$or": [{"$gt": ["$$d", 0]}, {"$and": [{"$eq": ["$$d", 0]}, {"$gt": ["$$t", 0]}]}]
                                              }
                                            ]
                                          },
                                          -1,
                                          0
                                        ]
                                      }
                                    ]
                                  }
                                },
                                "in": {
                                  "$let": {
                                    "vars": {
                                      "m": {"$subtract": ["$$m", "$$fx"]},
                                      "d": {"$add": ["$$d", {"$multiply": ["$$fx", 30]}]}
                                    },
                                    "in": {
                                      "$let": {
                                        "vars": {
                                          "fd": {
                                            "$cond": [
                                              {"$and": [{"$gt": ["$$d", 0]}, {"$lt": ["$$t", 0]}]},
                                              1,
                                              {"$cond": [{"$and": [{"$lt": ["$$d", 0]}, {"$gt": ["$$t", 0]}]}, -1, 0]}
                                            ]
                                          }
                                        },
                                        "in": {
                                          "months": "$$m",
                                          "days": {"$subtract": ["$$d", "$$fd"]},
                                          "micros": {"$add": ["$$t", {"$multiply": ["$$fd", NumberLong(86400000000)]}]}
                                        }
                                      }
                                    }
                                  }
                                }
                              }
                            }
                          }
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
rows: j <- c0

-- case: age_of_two_timestamps
SELECT age(expires_at, created_at) AS a FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"ha": "$expires_at", "la": "$created_at"},
            "in": {
              "$cond": [
                {
                  "$or": [
                    {"$eq": [{"$ifNull": ["$$ha", null]}, null]},
                    {"$eq": [{"$ifNull": ["$$la", null]}, null]}
                  ]
                },
                null,
                {
                  "$let": {
                    "vars": {
                      "sg": {"$cond": [{"$lt": ["$$ha", "$$la"]}, -1, 1]},
                      "l": {"$max": ["$$ha", "$$la"]},
                      "e": {"$min": ["$$ha", "$$la"]}
                    },
                    "in": {
                      "$let": {
                        "vars": {
                          "t": {"$mod": [{"$subtract": ["$$l", "$$e"]}, NumberLong(86400000)]},
                          "tl": {"$subtract": ["$$l", {"$dateTrunc": {"date": "$$l", "unit": "day"}}]},
                          "day": {"$subtract": [{"$dayOfMonth": "$$l"}, {"$dayOfMonth": "$$e"}]},
                          "mon": {"$dateDiff": {"startDate": "$$e", "endDate": "$$l", "unit": "month"}}
                        },
                        "in": {
                          "$let": {
                            "vars": {"day": {"$subtract": ["$$day", {"$cond": [{"$gt": ["$$t", "$$tl"]}, 1, 0]}]}},
                            "in": {
                              "months": {
                                "$toInt": {
                                  "$multiply": [{"$subtract": ["$$mon", {"$cond": [{"$lt": ["$$day", 0]}, 1, 0]}]}, "$$sg"]
                                }
                              },
                              "days": {
                                "$multiply": [
                                  {
                                    "$cond": [
                                      {"$lt": ["$$day", 0]},
                                      {
                                        "$add": [
                                          "$$day",
                                          {
                                            "$arrayElemAt": [
                                              [
                                                31,
                                                {
                                                  "$cond": [
                                                    {
                                                      "$let": {
                                                        "vars": {"yr": {"$year": "$$e"}},
                                                        "in": {
                                                          "$or": [
                                                            {
                                                              "$and": [
                                                                {"$eq": [{"$mod": ["$$yr", 4]}, 0]},
                                                                {"$ne": [{"$mod": ["$$yr", 100]}, 0]}
                                                              ]
                                                            },
                                                            {"$eq": [{"$mod": ["$$yr", 400]}, 0]}
                                                          ]
                                                        }
                                                      }
                                                    },
                                                    29,
                                                    28
                                                  ]
                                                },
                                                31,
                                                30,
                                                31,
                                                30,
                                                31,
                                                31,
                                                30,
                                                31,
                                                30,
                                                31
                                              ],
                                              {"$subtract": [{"$month": "$$e"}, 1]}
                                            ]
                                          }
                                        ]
                                      },
                                      "$$day"
                                    ]
                                  },
                                  "$$sg"
                                ]
                              },
                              "micros": {"$multiply": ["$$t", NumberLong(1000), "$$sg"]}
                            }
                          }
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
rows: a <- c0

-- case: fractional_interval_literal
SELECT INTERVAL '1.5 months' AS a, INTERVAL '0.5 day' AS b, INTERVAL '1 day 01:30:00' AS c
-- expect:
{
  "aggregate": 1,
  "pipeline": [
    {"$documents": [{}]},
    {"$project": {"_id": 0, "c0": "1 mon 15 days", "c1": "12:00:00", "c2": "1 day 01:30:00"}}
  ],
  "cursor": {}
}
rows: a <- c0, b <- c1, c <- c2
