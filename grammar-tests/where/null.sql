-- case: is_null
SELECT * FROM user_sessions WHERE invalidated_at IS NULL
-- expect:
{"find": "user_sessions", "filter": {"invalidated_at": null}}
rows: * (every field)

-- case: is_not_null
SELECT * FROM user_sessions WHERE invalidated_at IS NOT NULL
-- expect:
{"find": "user_sessions", "filter": {"invalidated_at": {"$ne": null}}}
rows: * (every field)

-- case: not_is_null
SELECT * FROM t WHERE NOT (a IS NULL)
-- expect:
{"find": "t", "filter": {"a": {"$ne": null}}}
rows: * (every field)

-- case: is_true
SELECT * FROM t WHERE active IS TRUE
-- expect:
{"find": "t", "filter": {"$expr": {"$eq": ["$active", true]}}}
rows: * (every field)

-- case: is_not_true
SELECT * FROM t WHERE active IS NOT TRUE
-- expect:
{"find": "t", "filter": {"$expr": {"$not": [{"$eq": ["$active", true]}]}}}
rows: * (every field)

-- case: is_false
SELECT * FROM t WHERE active IS FALSE
-- expect:
{"find": "t", "filter": {"$expr": {"$eq": ["$active", false]}}}
rows: * (every field)

-- case: is_distinct_from
SELECT * FROM t WHERE a IS DISTINCT FROM b
-- expect:
{
  "find": "t",
  "filter": {"$expr": {"$not": [{"$eq": [{"$ifNull": ["$a", null]}, {"$ifNull": ["$b", null]}]}]}}
}
rows: * (every field)

-- case: is_not_distinct_from
SELECT * FROM t WHERE a IS NOT DISTINCT FROM 5
-- expect:
{"find": "t", "filter": {"$expr": {"$eq": [{"$ifNull": ["$a", null]}, {"$ifNull": [5, null]}]}}}
rows: * (every field)

-- case: expression_is_null
SELECT * FROM t WHERE a + b IS NULL
-- expect:
{"find": "t", "filter": {"$expr": {"$eq": [{"$ifNull": [{"$add": ["$a", "$b"]}, null]}, null]}}}
rows: * (every field)
