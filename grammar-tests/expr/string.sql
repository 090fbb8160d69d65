-- case: lower_upper
SELECT LOWER(namespace), UPPER(namespace) FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$eq": [{"$ifNull": [{"$toString": "$namespace"}, null]}, null]},
            null,
            {"$toLower": {"$toString": "$namespace"}}
          ]
        },
        "c1": {
          "$cond": [
            {"$eq": [{"$ifNull": [{"$toString": "$namespace"}, null]}, null]},
            null,
            {"$toUpper": {"$toString": "$namespace"}}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: lower <- c0, upper <- c1

-- case: length
SELECT LENGTH(cache_key) FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$eq": [{"$ifNull": [{"$toString": "$cache_key"}, null]}, null]},
            null,
            {"$strLenCP": {"$toString": "$cache_key"}}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: length <- c0

-- case: substring_from_for
SELECT SUBSTRING(ip_address FROM 1 FOR 7) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$eq": [{"$ifNull": [{"$toString": "$ip_address"}, null]}, null]},
            null,
            {"$substrCP": [{"$toString": "$ip_address"}, NumberLong(0), NumberLong(7)]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: substring <- c0

-- case: substring_comma
SELECT SUBSTRING(ip_address, 3) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {"$eq": [{"$ifNull": [{"$toString": "$ip_address"}, null]}, null]},
            null,
            {
              "$substrCP": [{"$toString": "$ip_address"}, NumberLong(2), {"$strLenCP": {"$toString": "$ip_address"}}]
            }
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: substring <- c0

-- case: substring_start_before_one
SELECT SUBSTRING('hello' FROM 0 FOR 3) FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$substrCP": ["hello", NumberLong(0), NumberLong(2)]}}}],
  "cursor": {}
}
rows: substring <- c0

-- case: position
SELECT POSITION('.' IN ip_address) FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {
              "$or": [
                {"$eq": [{"$ifNull": ["$ip_address", null]}, null]},
                {"$eq": [{"$ifNull": [".", null]}, null]}
              ]
            },
            null,
            {"$add": [{"$indexOfCP": ["$ip_address", "."]}, 1]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: position <- c0

-- case: concat
SELECT CONCAT(namespace, ':', cache_key) FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$concat": [
            {"$ifNull": [{"$toString": "$namespace"}, ""]},
            ":",
            {"$ifNull": [{"$toString": "$cache_key"}, ""]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: concat <- c0

-- case: concat_operator
SELECT namespace || ':' || cache_key AS full_key FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$concat": [{"$concat": [{"$toString": "$namespace"}, ":"]}, {"$toString": "$cache_key"}]}
      }
    }
  ],
  "cursor": {}
}
rows: full_key <- c0

-- case: concat_number
SELECT 'n=' || hit_count FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [{"$project": {"_id": 0, "c0": {"$concat": ["n=", {"$toString": "$hit_count"}]}}}],
  "cursor": {}
}
rows: ?column? <- c0

-- case: trim
SELECT TRIM(name), TRIM(LEADING 'x' FROM name), TRIM(BOTH ' ' FROM name) FROM t
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {"$trim": {"input": "$name", "chars": " "}},
        "c1": {"$ltrim": {"input": "$name", "chars": "x"}},
        "c2": {"$trim": {"input": "$name", "chars": " "}}
      }
    }
  ],
  "cursor": {}
}
rows: btrim <- c0, btrim <- c1, btrim <- c2

-- case: replace
SELECT REPLACE(cache_key, ':', '/') FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {"_id": 0, "c0": {"$replaceAll": {"input": "$cache_key", "find": ":", "replacement": "/"}}}
    }
  ],
  "cursor": {}
}
rows: replace <- c0

-- case: split_part
SELECT SPLIT_PART(cache_key, ':', 1) AS prefix, SPLIT_PART(cache_key, ':', -1) AS last FROM application_cache
-- expect:
{
  "aggregate": "application_cache",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$cond": [
            {
              "$or": [
                {"$eq": [{"$ifNull": ["$cache_key", null]}, null]},
                {"$eq": [{"$ifNull": [":", null]}, null]}
              ]
            },
            null,
            {"$ifNull": [{"$arrayElemAt": [{"$split": ["$cache_key", ":"]}, 0]}, ""]}
          ]
        },
        "c1": {
          "$cond": [
            {
              "$or": [
                {"$eq": [{"$ifNull": ["$cache_key", null]}, null]},
                {"$eq": [{"$ifNull": [":", null]}, null]}
              ]
            },
            null,
            {"$ifNull": [{"$arrayElemAt": [{"$split": ["$cache_key", ":"]}, -1]}, ""]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: prefix <- c0, last <- c1

-- case: split_part_zero_refused
SELECT SPLIT_PART(cache_key, ':', 0) FROM application_cache
-- error: unsupported: SPLIT_PART with a field number that is not a non-zero constant at 1:35

-- case: unknown_function
SELECT MD5(cache_key) FROM application_cache
-- error: unknown or unsupported function MD5() at 1:8

-- case: wrong_arity
SELECT LOWER(a, b) FROM t
-- error: LOWER() takes 1 argument(s), got 2 at 1:8
