-- case: prefix
SELECT * FROM application_cache WHERE cache_key LIKE 'product:%'
-- expect:
{"find": "application_cache", "filter": {"cache_key": {"$regex": "^product:.*$", "$options": "s"}}}
rows: * (every field)

-- case: underscore
SELECT * FROM t WHERE code LIKE 'a_c'
-- expect:
{"find": "t", "filter": {"code": {"$regex": "^a.c$", "$options": "s"}}}
rows: * (every field)

-- case: metacharacters
SELECT * FROM t WHERE k LIKE 'a.b*c+(d)[e]{f}|g^h$i?%'
-- expect:
{
  "find": "t",
  "filter": {"k": {"$regex": "^a\\.b\\*c\\+\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\?.*$", "$options": "s"}}
}
rows: * (every field)

-- case: escaped_percent
SELECT * FROM t WHERE k LIKE '50\%'
-- expect:
{"find": "t", "filter": {"k": {"$regex": "^50%$", "$options": "s"}}}
rows: * (every field)

-- case: custom_escape
SELECT * FROM t WHERE k LIKE 'x!%y%' ESCAPE '!'
-- expect:
{"find": "t", "filter": {"k": {"$regex": "^x%y.*$", "$options": "s"}}}
rows: * (every field)

-- case: not_like
SELECT * FROM t WHERE k NOT LIKE 'tmp:%'
-- expect:
{"find": "t", "filter": {"k": {"$type": "string", "$not": {"$regex": "^tmp:.*$", "$options": "s"}}}}
rows: * (every field)

-- case: ilike
SELECT * FROM t WHERE k ILIKE 'Session:%'
-- expect:
{"find": "t", "filter": {"k": {"$regex": "^Session:.*$", "$options": "si"}}}
rows: * (every field)

-- case: not_ilike
SELECT * FROM t WHERE k NOT ILIKE 'session:%'
-- expect:
{
  "find": "t",
  "filter": {"k": {"$type": "string", "$not": {"$regex": "^session:.*$", "$options": "si"}}}
}
rows: * (every field)

-- case: like_in_or
SELECT * FROM application_cache WHERE cache_key LIKE 'product:%' OR cache_key LIKE 'catalog:%'
-- expect:
{
  "find": "application_cache",
  "filter": {
    "$or": [
      {"cache_key": {"$regex": "^product:.*$", "$options": "s"}},
      {"cache_key": {"$regex": "^catalog:.*$", "$options": "s"}}
    ]
  }
}
rows: * (every field)

-- case: like_column_pattern
SELECT * FROM t WHERE k LIKE other_column
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$and": [
        {"$eq": [{"$type": "$k"}, "string"]},
        {"$eq": [{"$type": "$other_column"}, "string"]},
        {
          "$regexMatch": {
            "input": "$k",
            "regex": {
              "$let": {
                "vars": {"lp0": "$other_column"},
                "in": {
                  "$cond": [
                    {
                      "$and": [
                        {"$eq": [{"$type": "$$lp0"}, "string"]},
                        {
                          "$not": [
                            {
                              "$regexMatch": {
                                "input": "$$lp0",
                                "regex": "[\\\\\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$\\#\\&\\-\\~\\/\\\\]",
                                "options": ""
                              }
                            }
                          ]
                        }
                      ]
                    },
                    {
                      "$concat": [
                        "^",
                        {
                          "$replaceAll": {
                            "input": {"$replaceAll": {"input": "$$lp0", "find": "%", "replacement": ".*"}},
                            "find": "_",
                            "replacement": "."
                          }
                        },
                        {"$literal": "$"}
                      ]
                    },
                    {
                      "$concat": [
                        {
                          "$reduce": {
                            "input": {
                              "$map": {
                                "input": {
                                  "$regexFindAll": {
                                    "input": "$$lp0",
                                    "regex": "\\\\.|\\\\|%|_|[\\\\\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$\\#\\&\\-\\~\\/]|[^\\\\\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$\\#\\&\\-\\~\\/%_\\\\]+",
                                    "options": "s"
                                  }
                                },
                                "as": "t",
                                "in": {
                                  "$switch": {
                                    "branches": [
                                      {"case": {"$eq": ["$$t.match", "%"]}, "then": ".*"},
                                      {"case": {"$eq": ["$$t.match", "_"]}, "then": "."},
                                      {"case": {"$eq": ["$$t.match", "\\"]}, "then": "("},
                                      {
                                        "case": {"$eq": [{"$substrCP": ["$$t.match", 0, 1]}, "\\"]},
                                        "then": {
                                          "$cond": [
                                            {
                                              "$in": [
                                                {"$substrCP": ["$$t.match", 1, 1]},
                                                {
                                                  "$literal": [
                                                    "\\",
                                                    ".",
                                                    "+",
                                                    "*",
                                                    "?",
                                                    "(",
                                                    ")",
                                                    "|",
                                                    "[",
                                                    "]",
                                                    "{",
                                                    "}",
                                                    "^",
                                                    "$",
                                                    "#",
                                                    "&",
                                                    "-",
                                                    "~",
                                                    "/"
                                                  ]
                                                }
                                              ]
                                            },
                                            {"$concat": ["\\", {"$substrCP": ["$$t.match", 1, 1]}]},
                                            {"$substrCP": ["$$t.match", 1, 1]}
                                          ]
                                        }
                                      }
                                    ],
                                    "default": {
                                      "$cond": [
                                        {
                                          "$in": [
                                            "$$t.match",
                                            {
                                              "$literal": [
                                                "\\",
                                                ".",
                                                "+",
                                                "*",
                                                "?",
                                                "(",
                                                ")",
                                                "|",
                                                "[",
                                                "]",
                                                "{",
                                                "}",
                                                "^",
                                                "$",
                                                "#",
                                                "&",
                                                "-",
                                                "~",
                                                "/"
                                              ]
                                            }
                                          ]
                                        },
                                        {"$concat": ["\\", "$$t.match"]},
                                        "$$t.match"
                                      ]
                                    }
                                  }
                                }
                              }
                            },
                            "initialValue": "^",
                            "in": {"$concat": ["$$value", "$$this"]}
                          }
                        },
                        {"$literal": "$"}
                      ]
                    }
                  ]
                }
              }
            },
            "options": "s"
          }
        }
      ]
    }
  }
}
rows: * (every field)

-- case: like_trailing_escape_refused
SELECT * FROM t WHERE k LIKE 'abc\'
-- error: LIKE pattern must not end with escape character at 1:30

-- case: similar_to_computed_pattern
SELECT k FROM t WHERE k SIMILAR TO p ESCAPE '!'
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$and": [
        {"$eq": [{"$type": "$k"}, "string"]},
        {"$eq": [{"$type": "$p"}, "string"]},
        {
          "$regexMatch": {
            "input": "$k",
            "regex": {
              "$let": {
                "vars": {"p": "$p"},
                "in": {
                  "$let": {
                    "vars": {
                      "f": {
                        "$reduce": {
                          "input": {"$range": [0, {"$strLenCP": "$$p"}]},
                          "initialValue": {"r": "", "e": false, "d": 0, "k": 0},
                          "in": {
                            "$let": {
                              "vars": {"c": {"$substrCP": ["$$p", "$$this", 1]}},
                              "in": {
                                "$cond": [
                                  {"$eq": ["$$value.d", -1]},
                                  "$$value",
                                  {
                                    "$cond": [
                                      "$$value.e",
                                      {
                                        "$cond": [
                                          {"$and": [{"$eq": ["$$c", "\""]}, {"$eq": ["$$value.d", 0]}]},
                                          {"r": "(", "e": true, "d": -1, "k": "$$value.k"},
                                          {
                                            "r": {"$concat": ["$$value.r", {"$concat": ["\\", "$$c"]}]},
                                            "e": false,
                                            "d": "$$value.d",
                                            "k": 3
                                          }
                                        ]
                                      },
                                      {
                                        "$cond": [
                                          {"$eq": ["$$c", "!"]},
                                          {"r": "$$value.r", "e": true, "d": "$$value.d", "k": "$$value.k"},
                                          {
                                            "$cond": [
                                              {"$gt": ["$$value.d", 0]},
                                              {
                                                "r": {
                                                  "$concat": ["$$value.r", {"$cond": [{"$eq": ["$$c", "\\"]}, "\\\\", "$$c"]}]
                                                },
                                                "e": false,
                                                "d": {
                                                  "$cond": [
                                                    {"$and": [{"$eq": ["$$c", "]"]}, {"$gt": ["$$value.k", 2]}]},
                                                    {"$subtract": ["$$value.d", 1]},
                                                    {
                                                      "$cond": [{"$eq": ["$$c", "["]}, {"$add": ["$$value.d", 1]}, "$$value.d"]
                                                    }
                                                  ]
                                                },
                                                "k": {
                                                  "$switch": {
                                                    "branches": [
                                                      {
                                                        "case": {"$eq": ["$$c", "]"]},
                                                        "then": {"$cond": [{"$gt": ["$$value.k", 2]}, "$$value.k", 3]}
                                                      },
                                                      {"case": {"$eq": ["$$c", "^"]}, "then": {"$add": ["$$value.k", 1]}}
                                                    ],
                                                    "default": 3
                                                  }
                                                }
                                              },
                                              {
                                                "$switch": {
                                                  "branches": [
                                                    {
                                                      "case": {"$eq": ["$$c", "["]},
                                                      "then": {"r": {"$concat": ["$$value.r", "["]}, "e": false, "d": 1, "k": 1}
                                                    },
                                                    {
                                                      "case": {"$eq": ["$$c", "%"]},
                                                      "then": {
                                                        "r": {"$concat": ["$$value.r", ".*"]},
                                                        "e": false,
                                                        "d": "$$value.d",
                                                        "k": "$$value.k"
                                                      }
                                                    },
                                                    {
                                                      "case": {"$eq": ["$$c", "_"]},
                                                      "then": {
                                                        "r": {"$concat": ["$$value.r", "."]},
                                                        "e": false,
                                                        "d": "$$value.d",
                                                        "k": "$$value.k"
                                                      }
                                                    },
                                                    {
                                                      "case": {"$eq": ["$$c", "("]},
                                                      "then": {
                                                        "r": {"$concat": ["$$value.r", "(?:"]},
                                                        "e": false,
                                                        "d": "$$value.d",
                                                        "k": "$$value.k"
                                                      }
                                                    },
                                                    {
                                                      "case": {"$in": ["$$c", {"$literal": ["\\", ".", "^", "$"]}]},
                                                      "then": {
                                                        "r": {"$concat": ["$$value.r", {"$concat": ["\\", "$$c"]}]},
                                                        "e": false,
                                                        "d": "$$value.d",
                                                        "k": "$$value.k"
                                                      }
                                                    }
                                                  ],
                                                  "default": {
                                                    "r": {"$concat": ["$$value.r", "$$c"]},
                                                    "e": false,
                                                    "d": "$$value.d",
                                                    "k": "$$value.k"
                                                  }
                                                }
                                              }
                                            ]
                                          }
                                        ]
                                      }
                                    ]
                                  }
                                ]
                              }
                            }
                          }
                        }
                      }
                    },
                    "in": {
                      "$cond": [{"$eq": ["$$f.d", -1]}, "(", {"$concat": ["^(?:", "$$f.r", {"$literal": ")$"}]}]
                    }
                  }
                }
              }
            },
            "options": "s"
          }
        }
      ]
    }
  },
  "projection": {"_id": 0, "k": 1}
}
rows: k <- k

-- case: similar_to
SELECT * FROM t WHERE k SIMILAR TO 'a|b'
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$and": [
        {"$eq": [{"$type": "$k"}, "string"]},
        {"$regexMatch": {"input": "$k", "regex": "^(?:a|b)$", "options": "s"}}
      ]
    }
  }
}
rows: * (every field)

-- case: like_on_expression
SELECT * FROM t WHERE LOWER(k) LIKE 'a%'
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$and": [
        {
          "$eq": [
            {
              "$type": {
                "$cond": [
                  {"$eq": [{"$ifNull": [{"$toString": "$k"}, null]}, null]},
                  null,
                  {"$toLower": {"$toString": "$k"}}
                ]
              }
            },
            "string"
          ]
        },
        {
          "$regexMatch": {
            "input": {
              "$cond": [
                {"$eq": [{"$ifNull": [{"$toString": "$k"}, null]}, null]},
                null,
                {"$toLower": {"$toString": "$k"}}
              ]
            },
            "regex": "^a.*$",
            "options": "s"
          }
        }
      ]
    }
  }
}
rows: * (every field)
