-- case: in_strings
SELECT * FROM application_cache WHERE namespace IN ('products', 'catalog')
-- expect:
{"find": "application_cache", "filter": {"namespace": {"$in": ["products", "catalog"]}}}
rows: * (every field)

-- case: in_numbers
SELECT * FROM t WHERE a IN (1, 2, 3)
-- expect:
{"find": "t", "filter": {"a": {"$in": [1, 2, 3]}}}
rows: * (every field)

-- case: not_in
SELECT * FROM t WHERE a NOT IN (1, 2)
-- expect:
{"find": "t", "filter": {"a": {"$nin": [1, 2, null]}}}
rows: * (every field)

-- case: in_with_null
SELECT * FROM t WHERE a IN (1, NULL)
-- expect:
{"find": "t", "filter": {"a": {"$in": [1]}}}
rows: * (every field)

-- case: not_in_with_null
SELECT * FROM t WHERE a NOT IN (1, NULL)
-- expect:
{"find": "t", "filter": {"$expr": false}}
rows: * (every field)

-- case: in_with_column
SELECT * FROM t WHERE a IN (b, 1)
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$and": [
        {"$ne": [{"$ifNull": ["$a", null]}, null]},
        {
          "$or": [
            {"$and": [{"$ne": [{"$ifNull": ["$b", null]}, null]}, {"$eq": ["$a", "$b"]}]},
            {"$eq": ["$a", 1]}
          ]
        }
      ]
    }
  }
}
rows: * (every field)

-- case: not_not_in
SELECT * FROM t WHERE NOT (a NOT IN (1, 2))
-- expect:
{"find": "t", "filter": {"a": {"$in": [1, 2]}}}
rows: * (every field)

-- case: in_subquery_refused
SELECT * FROM t WHERE a IN (SELECT u.b FROM u)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"i0": "$a"},
        "pipeline": [
          {"$project": {"_id": 0, "b": {"$ifNull": ["$b", null]}}},
          {"$match": {"$expr": {"$eq": ["$b", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$lookup": {
        "from": "u",
        "pipeline": [
          {"$project": {"_id": 0, "b": {"$ifNull": ["$b", null]}}},
          {
            "$group": {
              "_id": null,
              "nulls": {"$sum": {"$cond": [{"$eq": [{"$ifNull": ["$b", null]}, null]}, 1, 0]}}
            }
          }
        ],
        "as": "__sq1"
      }
    },
    {
      "$match": {
        "$expr": {"$and": [{"$ne": [{"$ifNull": ["$a", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]}
      }
    },
    {"$unset": ["__sq0", "__sq1"]}
  ],
  "cursor": {}
}
rows: * (every field)
