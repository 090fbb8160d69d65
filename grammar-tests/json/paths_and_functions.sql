-- case: array_index_then_cast
SELECT (session_data->'items'->0->>'price')::numeric AS price FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$toDecimal": {
            "$let": {
              "vars": {
                "o": {
                  "$let": {
                    "vars": {"a": "$session_data.items"},
                    "in": {"$cond": [{"$isArray": ["$$a"]}, {"$arrayElemAt": ["$$a", NumberLong(0)]}, null]}
                  }
                }
              },
              "in": {"$cond": [{"$eq": [{"$type": "$$o"}, "object"]}, "$$o.price", null]}
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: price <- c0

-- case: negative_index
SELECT session_data->'items'-> -1 AS last FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"a": "$session_data.items"},
            "in": {"$cond": [{"$isArray": ["$$a"]}, {"$arrayElemAt": ["$$a", NumberLong(-1)]}, null]}
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: last <- c0

-- case: hash_arrow_path
SELECT session_data #>> '{items,0,sku}' AS sku FROM user_sessions
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
              "o": {
                "$let": {
                  "vars": {
                    "x": {
                      "$let": {
                        "vars": {"o": "$session_data"},
                        "in": {"$cond": [{"$eq": [{"$type": "$$o"}, "object"]}, "$$o.items", null]}
                      }
                    }
                  },
                  "in": {
                    "$cond": [
                      {"$isArray": ["$$x"]},
                      {"$arrayElemAt": ["$$x", NumberLong(0)]},
                      {
                        "$let": {
                          "vars": {"o": "$$x"},
                          "in": {"$cond": [{"$eq": [{"$type": "$$o"}, "object"]}, "$$o.0", null]}
                        }
                      }
                    ]
                  }
                }
              }
            },
            "in": {"$cond": [{"$eq": [{"$type": "$$o"}, "object"]}, "$$o.sku", null]}
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: sku <- c0

-- case: hash_arrow_key_runs
SELECT session_data #> '{cart,items,0,sku}' AS a, session_data->0->'a'->'b'->>'c' AS b FROM user_sessions
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
              "o": {
                "$let": {
                  "vars": {
                    "x": {
                      "$let": {
                        "vars": {"o": "$session_data"},
                        "in": {
                          "$cond": [
                            {
                              "$and": [{"$eq": [{"$type": "$$o"}, "object"]}, {"$eq": [{"$type": "$$o.cart"}, "object"]}]
                            },
                            "$$o.cart.items",
                            null
                          ]
                        }
                      }
                    }
                  },
                  "in": {
                    "$cond": [
                      {"$isArray": ["$$x"]},
                      {"$arrayElemAt": ["$$x", NumberLong(0)]},
                      {
                        "$let": {
                          "vars": {"o": "$$x"},
                          "in": {"$cond": [{"$eq": [{"$type": "$$o"}, "object"]}, "$$o.0", null]}
                        }
                      }
                    ]
                  }
                }
              }
            },
            "in": {"$cond": [{"$eq": [{"$type": "$$o"}, "object"]}, "$$o.sku", null]}
          }
        },
        "c1": {
          "$let": {
            "vars": {
              "o": {
                "$let": {
                  "vars": {"a": "$session_data"},
                  "in": {"$cond": [{"$isArray": ["$$a"]}, {"$arrayElemAt": ["$$a", NumberLong(0)]}, null]}
                }
              }
            },
            "in": {
              "$cond": [
                {
                  "$and": [
                    {"$eq": [{"$type": "$$o"}, "object"]},
                    {"$eq": [{"$type": "$$o.a"}, "object"]},
                    {"$eq": [{"$type": "$$o.a.b"}, "object"]}
                  ]
                },
                "$$o.a.b.c",
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
rows: a <- c0, b <- c1

-- case: key_of_a_computed_value
SELECT jsonb_build_object('a', page_views)->'a' AS a FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"o": {"$mergeObjects": [{"a": {"$ifNull": ["$page_views", null]}}]}},
            "in": {"$cond": [{"$eq": [{"$type": "$$o"}, "object"]}, "$$o.a", null]}
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: a <- c0

-- case: index_in_where_is_an_expr
SELECT session_id FROM user_sessions WHERE session_data->'items'->0->>'sku' = 'x'
-- expect:
{
  "find": "user_sessions",
  "filter": {
    "$expr": {
      "$eq": [
        {
          "$let": {
            "vars": {
              "o": {
                "$let": {
                  "vars": {"a": "$session_data.items"},
                  "in": {"$cond": [{"$isArray": ["$$a"]}, {"$arrayElemAt": ["$$a", NumberLong(0)]}, null]}
                }
              }
            },
            "in": {"$cond": [{"$eq": [{"$type": "$$o"}, "object"]}, "$$o.sku", null]}
          }
        },
        "x"
      ]
    }
  },
  "projection": {"_id": 0, "session_id": 1}
}
rows: session_id <- session_id

-- case: jsonb_build_array
SELECT jsonb_build_array(session_id, page_views, NULL) AS a FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": [
          {"$ifNull": ["$session_id", null]},
          {"$ifNull": ["$page_views", null]},
          {"$ifNull": [null, null]}
        ]
      }
    }
  ],
  "cursor": {}
}
rows: a <- c0

-- case: jsonb_exists_functions
SELECT jsonb_exists(session_data, 'cart') AS e, jsonb_exists_any(session_data, ARRAY['a', 'b']) AS y, jsonb_exists_all(session_data, ARRAY['a', 'b']) AS l FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"j": "$session_data", "k": "cart"},
            "in": {
              "$cond": [
                {
                  "$or": [{"$eq": [{"$ifNull": ["$$j", null]}, null]}, {"$eq": [{"$ifNull": ["$$k", null]}, null]}]
                },
                null,
                {
                  "$switch": {
                    "branches": [
                      {
                        "case": {"$eq": [{"$type": "$$j"}, "object"]},
                        "then": {
                          "$ne": [{"$type": {"$getField": {"field": {"$literal": "cart"}, "input": "$$j"}}}, "missing"]
                        }
                      },
                      {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "cart"}, "$$j"]}},
                      {
                        "case": {"$eq": [{"$type": "$$j"}, "string"]},
                        "then": {"$eq": ["$$j", {"$literal": "cart"}]}
                      }
                    ],
                    "default": false
                  }
                }
              ]
            }
          }
        },
        "c1": {
          "$let": {
            "vars": {"j": "$session_data", "k": ["a", "b"]},
            "in": {
              "$cond": [
                {
                  "$or": [{"$eq": [{"$ifNull": ["$$j", null]}, null]}, {"$eq": [{"$ifNull": ["$$k", null]}, null]}]
                },
                null,
                {
                  "$or": [
                    {
                      "$switch": {
                        "branches": [
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "object"]},
                            "then": {
                              "$ne": [{"$type": {"$getField": {"field": {"$literal": "a"}, "input": "$$j"}}}, "missing"]
                            }
                          },
                          {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "a"}, "$$j"]}},
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "string"]},
                            "then": {"$eq": ["$$j", {"$literal": "a"}]}
                          }
                        ],
                        "default": false
                      }
                    },
                    {
                      "$switch": {
                        "branches": [
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "object"]},
                            "then": {
                              "$ne": [{"$type": {"$getField": {"field": {"$literal": "b"}, "input": "$$j"}}}, "missing"]
                            }
                          },
                          {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "b"}, "$$j"]}},
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "string"]},
                            "then": {"$eq": ["$$j", {"$literal": "b"}]}
                          }
                        ],
                        "default": false
                      }
                    }
                  ]
                }
              ]
            }
          }
        },
        "c2": {
          "$let": {
            "vars": {"j": "$session_data", "k": ["a", "b"]},
            "in": {
              "$cond": [
                {
                  "$or": [{"$eq": [{"$ifNull": ["$$j", null]}, null]}, {"$eq": [{"$ifNull": ["$$k", null]}, null]}]
                },
                null,
                {
                  "$and": [
                    {
                      "$switch": {
                        "branches": [
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "object"]},
                            "then": {
                              "$ne": [{"$type": {"$getField": {"field": {"$literal": "a"}, "input": "$$j"}}}, "missing"]
                            }
                          },
                          {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "a"}, "$$j"]}},
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "string"]},
                            "then": {"$eq": ["$$j", {"$literal": "a"}]}
                          }
                        ],
                        "default": false
                      }
                    },
                    {
                      "$switch": {
                        "branches": [
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "object"]},
                            "then": {
                              "$ne": [{"$type": {"$getField": {"field": {"$literal": "b"}, "input": "$$j"}}}, "missing"]
                            }
                          },
                          {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "b"}, "$$j"]}},
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "string"]},
                            "then": {"$eq": ["$$j", {"$literal": "b"}]}
                          }
                        ],
                        "default": false
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
rows: e <- c0, y <- c1, l <- c2

-- case: containment_of_an_object
SELECT session_id FROM user_sessions WHERE session_data @> '{"preferences": {"theme": "dark"}, "tags": ["a"]}'
-- expect:
{
  "find": "user_sessions",
  "filter": {
    "$expr": {
      "$and": [
        {"$ne": [{"$ifNull": ["$session_data", null]}, null]},
        {
          "$let": {
            "vars": {"c0": "$session_data"},
            "in": {
              "$and": [
                {"$eq": [{"$type": "$$c0"}, "object"]},
                {
                  "$let": {
                    "vars": {"c1": {"$getField": {"field": {"$literal": "preferences"}, "input": "$$c0"}}},
                    "in": {
                      "$and": [
                        {"$eq": [{"$type": "$$c1"}, "object"]},
                        {
                          "$eq": [
                            {"$getField": {"field": {"$literal": "theme"}, "input": "$$c1"}},
                            {"$literal": "dark"}
                          ]
                        }
                      ]
                    }
                  }
                },
                {
                  "$let": {
                    "vars": {"c1": {"$getField": {"field": {"$literal": "tags"}, "input": "$$c0"}}},
                    "in": {
                      "$and": [
                        {"$isArray": ["$$c1"]},
                        {
                          "$cond": [
                            {"$isArray": ["$$c1"]},
                            {
                              "$anyElementTrue": [
                                {
                                  "$map": {
                                    "input": "$$c1",
                                    "as": "e1",
                                    "in": {"$let": {"vars": {"c2": "$$e1"}, "in": {"$eq": ["$$c2", {"$literal": "a"}]}}}
                                  }
                                }
                              ]
                            },
                            false
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
      ]
    }
  },
  "projection": {"_id": 0, "session_id": 1}
}
rows: session_id <- session_id

-- case: jsonb_set
UPDATE application_cache SET value = jsonb_set(value, '{meta,etag}', '"new"') WHERE cache_key = $1
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_key": {"$eq": {"$param": NumberLong(1)}}},
      "u": [
        {
          "$set": {
            "value": {
              "$let": {
                "vars": {"t": "$value", "v": "new"},
                "in": {
                  "$cond": [
                    {
                      "$or": [
                        {"$eq": [{"$ifNull": ["$$t", null]}, null]},
                        {"$eq": [{"$ifNull": ["$$v", null]}, null]}
                      ]
                    },
                    null,
                    {
                      "$let": {
                        "vars": {"s0": "$$t"},
                        "in": {
                          "$switch": {
                            "branches": [
                              {
                                "case": {"$eq": [{"$type": "$$s0"}, "object"]},
                                "then": {
                                  "$cond": [
                                    {
                                      "$in": [
                                        {"$literal": "meta"},
                                        {"$map": {"input": {"$objectToArray": "$$s0"}, "in": "$$this.k"}}
                                      ]
                                    },
                                    {
                                      "$mergeObjects": [
                                        "$$s0",
                                        {
                                          "meta": {
                                            "$let": {
                                              "vars": {
                                                "s1": {
                                                  "$let": {
                                                    "vars": {"o": "$$s0"},
                                                    "in": {"$cond": [{"$eq": [{"$type": "$$o"}, "object"]}, "$$o.meta", null]}
                                                  }
                                                }
                                              },
                                              "in": {
                                                "$switch": {
                                                  "branches": [
                                                    {
                                                      "case": {"$eq": [{"$type": "$$s1"}, "object"]},
                                                      "then": {"$mergeObjects": ["$$s1", {"etag": "$$v"}]}
                                                    }
                                                  ],
                                                  "default": "$$s1"
                                                }
                                              }
                                            }
                                          }
                                        }
                                      ]
                                    },
                                    "$$s0"
                                  ]
                                }
                              }
                            ],
                            "default": "$$s0"
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
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: refuse_computed_path
SELECT session_data #> ARRAY[user_id] FROM user_sessions
-- error: unsupported: a #> path other than a constant text array ('{a,b}' or ARRAY['a', 'b']) at 1:30

-- case: question_mark_operator
SELECT session_id FROM user_sessions WHERE session_data ? 'cart'
-- expect:
{
  "find": "user_sessions",
  "filter": {
    "$expr": {
      "$eq": [
        {
          "$let": {
            "vars": {"j": "$session_data", "k": "cart"},
            "in": {
              "$cond": [
                {
                  "$or": [{"$eq": [{"$ifNull": ["$$j", null]}, null]}, {"$eq": [{"$ifNull": ["$$k", null]}, null]}]
                },
                null,
                {
                  "$switch": {
                    "branches": [
                      {
                        "case": {"$eq": [{"$type": "$$j"}, "object"]},
                        "then": {
                          "$ne": [{"$type": {"$getField": {"field": {"$literal": "cart"}, "input": "$$j"}}}, "missing"]
                        }
                      },
                      {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "cart"}, "$$j"]}},
                      {
                        "case": {"$eq": [{"$type": "$$j"}, "string"]},
                        "then": {"$eq": ["$$j", {"$literal": "cart"}]}
                      }
                    ],
                    "default": false
                  }
                }
              ]
            }
          }
        },
        true
      ]
    }
  },
  "projection": {"_id": 0, "session_id": 1}
}
rows: session_id <- session_id

-- case: question_pipe_and_ampersand_operators
SELECT session_data ?| ARRAY['cart', 'x'] AS a, session_data ?& '{cart,navigation}' AS b FROM user_sessions WHERE user_id = ?
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"user_id": {"$eq": {"$param": NumberLong(1)}}}},
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"j": "$session_data", "k": ["cart", "x"]},
            "in": {
              "$cond": [
                {
                  "$or": [{"$eq": [{"$ifNull": ["$$j", null]}, null]}, {"$eq": [{"$ifNull": ["$$k", null]}, null]}]
                },
                null,
                {
                  "$or": [
                    {
                      "$switch": {
                        "branches": [
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "object"]},
                            "then": {
                              "$ne": [
                                {"$type": {"$getField": {"field": {"$literal": "cart"}, "input": "$$j"}}},
                                "missing"
                              ]
                            }
                          },
                          {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "cart"}, "$$j"]}},
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "string"]},
                            "then": {"$eq": ["$$j", {"$literal": "cart"}]}
                          }
                        ],
                        "default": false
                      }
                    },
                    {
                      "$switch": {
                        "branches": [
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "object"]},
                            "then": {
                              "$ne": [{"$type": {"$getField": {"field": {"$literal": "x"}, "input": "$$j"}}}, "missing"]
                            }
                          },
                          {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "x"}, "$$j"]}},
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "string"]},
                            "then": {"$eq": ["$$j", {"$literal": "x"}]}
                          }
                        ],
                        "default": false
                      }
                    }
                  ]
                }
              ]
            }
          }
        },
        "c1": {
          "$let": {
            "vars": {"j": "$session_data", "k": {"$literal": ["cart", "navigation"]}},
            "in": {
              "$cond": [
                {
                  "$or": [{"$eq": [{"$ifNull": ["$$j", null]}, null]}, {"$eq": [{"$ifNull": ["$$k", null]}, null]}]
                },
                null,
                {
                  "$and": [
                    {
                      "$switch": {
                        "branches": [
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "object"]},
                            "then": {
                              "$ne": [
                                {"$type": {"$getField": {"field": {"$literal": "cart"}, "input": "$$j"}}},
                                "missing"
                              ]
                            }
                          },
                          {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "cart"}, "$$j"]}},
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "string"]},
                            "then": {"$eq": ["$$j", {"$literal": "cart"}]}
                          }
                        ],
                        "default": false
                      }
                    },
                    {
                      "$switch": {
                        "branches": [
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "object"]},
                            "then": {
                              "$ne": [
                                {"$type": {"$getField": {"field": {"$literal": "navigation"}, "input": "$$j"}}},
                                "missing"
                              ]
                            }
                          },
                          {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "navigation"}, "$$j"]}},
                          {
                            "case": {"$eq": [{"$type": "$$j"}, "string"]},
                            "then": {"$eq": ["$$j", {"$literal": "navigation"}]}
                          }
                        ],
                        "default": false
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
rows: a <- c0, b <- c1

-- case: question_mark_after_a_keyword_named_column
SELECT k FROM t WHERE value ? 'k'
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$eq": [
        {
          "$let": {
            "vars": {"j": "$value", "k": "k"},
            "in": {
              "$cond": [
                {
                  "$or": [{"$eq": [{"$ifNull": ["$$j", null]}, null]}, {"$eq": [{"$ifNull": ["$$k", null]}, null]}]
                },
                null,
                {
                  "$switch": {
                    "branches": [
                      {
                        "case": {"$eq": [{"$type": "$$j"}, "object"]},
                        "then": {
                          "$ne": [{"$type": {"$getField": {"field": {"$literal": "k"}, "input": "$$j"}}}, "missing"]
                        }
                      },
                      {"case": {"$isArray": ["$$j"]}, "then": {"$in": [{"$literal": "k"}, "$$j"]}},
                      {
                        "case": {"$eq": [{"$type": "$$j"}, "string"]},
                        "then": {"$eq": ["$$j", {"$literal": "k"}]}
                      }
                    ],
                    "default": false
                  }
                }
              ]
            }
          }
        },
        true
      ]
    }
  },
  "projection": {"_id": 0, "k": 1}
}
rows: k <- k

-- case: question_mark_after_where_is_a_placeholder
SELECT k FROM t WHERE ? 'k'
-- error: syntax error at 1:25: Expected: end of statement, found: 'k'
