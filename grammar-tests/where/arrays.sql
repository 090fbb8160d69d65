-- case: any
SELECT * FROM application_cache WHERE 'product_catalog' = ANY(tags)
-- expect:
{"find": "application_cache", "filter": {"tags": {"$elemMatch": {"$eq": "product_catalog"}}}}
rows: * (every field)

-- case: any_or_any
SELECT * FROM application_cache WHERE 'product_catalog' = ANY(tags) OR 'inventory' = ANY(tags)
-- expect:
{
  "find": "application_cache",
  "filter": {
    "$or": [
      {"tags": {"$elemMatch": {"$eq": "product_catalog"}}},
      {"tags": {"$elemMatch": {"$eq": "inventory"}}}
    ]
  }
}
rows: * (every field)

-- case: not_any
SELECT * FROM application_cache WHERE NOT ('x' = ANY(tags))
-- expect:
{
  "find": "application_cache",
  "filter": {
    "$expr": {
      "$and": [
        {"$isArray": ["$tags"]},
        {
          "$or": [
            {"$eq": [{"$size": ["$tags"]}, 0]},
            {"$and": [{"$not": [{"$in": ["x", "$tags"]}]}, {"$not": [{"$in": [null, "$tags"]}]}]}
          ]
        }
      ]
    }
  }
}
rows: * (every field)

-- case: overlap
SELECT * FROM application_cache WHERE tags && ARRAY['a', 'b']
-- expect:
{
  "find": "application_cache",
  "filter": {
    "$expr": {
      "$and": [
        {"$isArray": ["$tags"]},
        {"$isArray": [["a", "b"]]},
        {"$gt": [{"$size": {"$setIntersection": ["$tags", ["a", "b"]]}}, 0]}
      ]
    }
  }
}
rows: * (every field)

-- case: contains
SELECT * FROM application_cache WHERE tags @> ARRAY['a', 'b']
-- expect:
{
  "find": "application_cache",
  "filter": {
    "$expr": {
      "$and": [{"$isArray": ["$tags"]}, {"$isArray": [["a", "b"]]}, {"$setIsSubset": [["a", "b"], "$tags"]}]
    }
  }
}
rows: * (every field)

-- case: any_gt
SELECT * FROM t WHERE 5 > ANY(scores)
-- expect:
{
  "find": "t",
  "filter": {
    "$expr": {
      "$and": [
        {"$isArray": ["$scores"]},
        {"$ne": [{"$ifNull": [{"$min": ["$scores"]}, null]}, null]},
        {"$gt": [5, {"$min": ["$scores"]}]}
      ]
    }
  }
}
rows: * (every field)
