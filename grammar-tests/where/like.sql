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
                "vars": {"p": "$other_column"},
                "in": {
                  "$let": {
                    "vars": {
                      "f": {
                        "$reduce": {
                          "input": {"$range": [0, {"$strLenCP": "$$p"}]},
                          "initialValue": {"r": "", "e": false},
                          "in": {
                            "$let": {
                              "vars": {"c": {"$substrCP": ["$$p", "$$this", 1]}},
                              "in": {
                                "$cond": [
                                  "$$value.e",
                                  {
                                    "r": {
                                      "$concat": [
                                        "$$value.r",
                                        {
                                          "$cond": [
                                            {
                                              "$in": [
                                                "$$c",
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
                                            {"$concat": ["\\", "$$c"]},
                                            "$$c"
                                          ]
                                        }
                                      ]
                                    },
                                    "e": false
                                  },
                                  {
                                    "$cond": [
                                      {"$eq": ["$$c", "\\"]},
                                      {"r": "$$value.r", "e": true},
                                      {
                                        "$switch": {
                                          "branches": [
                                            {
                                              "case": {"$eq": ["$$c", "%"]},
                                              "then": {"r": {"$concat": ["$$value.r", ".*"]}, "e": false}
                                            },
                                            {
                                              "case": {"$eq": ["$$c", "_"]},
                                              "then": {"r": {"$concat": ["$$value.r", "."]}, "e": false}
                                            }
                                          ],
                                          "default": {
                                            "r": {
                                              "$concat": [
                                                "$$value.r",
                                                {
                                                  "$cond": [
                                                    {
                                                      "$in": [
                                                        "$$c",
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
                                                    {"$concat": ["\\", "$$c"]},
                                                    "$$c"
                                                  ]
                                                }
                                              ]
                                            },
                                            "e": false
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
                    },
                    "in": {"$cond": ["$$f.e", "(", {"$concat": ["^", "$$f.r", {"$literal": "$"}]}]}
                  }
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
