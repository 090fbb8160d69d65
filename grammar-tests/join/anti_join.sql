-- case: left_join_key_is_null_anti_join
SELECT a.id FROM a LEFT JOIN b ON a.k = b.k WHERE b.k IS NULL ORDER BY a.id LIMIT 5
-- expect:
{
  "aggregate": "a",
  "pipeline": [
    {
      "$lookup": {
        "from": "b",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
                ]
              }
            }
          },
          {"$limit": 1}
        ],
        "as": "__j1"
      }
    },
    {"$match": {"__j1": {"$size": 0}}},
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$match": {"__j1.k": null}},
    {"$set": {"__n0": {"$cond": [{"$eq": [{"$ifNull": ["$id", null]}, null]}, 1, 0]}, "__s0": "$id"}},
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$limit": NumberLong(5)},
    {"$project": {"_id": 0, "c0": "$id"}}
  ],
  "cursor": {}
}
rows: id <- c0

-- case: left_join_strict_on_column_is_null_anti_join
SELECT a.session_id FROM s a LEFT JOIN s b ON a.ip = b.ip AND a.session_id <> b.session_id WHERE b.session_id IS NULL
-- expect:
{
  "aggregate": "s",
  "pipeline": [
    {
      "$lookup": {
        "from": "s",
        "let": {"l0": "$ip", "l1": "$session_id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$ip", null]}, null]},
                  {"$eq": ["$$l0", "$ip"]},
                  {"$ne": [{"$ifNull": ["$$l1", null]}, null]},
                  {"$ne": [{"$ifNull": ["$session_id", null]}, null]},
                  {"$ne": ["$$l1", "$session_id"]}
                ]
              }
            }
          },
          {"$limit": 1}
        ],
        "as": "__j1"
      }
    },
    {"$match": {"__j1": {"$size": 0}}},
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$match": {"__j1.session_id": null}},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: left_join_nullable_column_is_null_not_rewritten
SELECT a.id FROM a LEFT JOIN b ON a.k = b.k WHERE b.w IS NULL
-- expect:
{
  "aggregate": "a",
  "pipeline": [
    {
      "$lookup": {
        "from": "b",
        "let": {"l0": "$k"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$eq": ["$$l0", "$k"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$match": {"__j1.w": null}},
    {"$project": {"_id": 0, "c0": "$id"}}
  ],
  "cursor": {}
}
rows: id <- c0

-- case: left_join_or_on_is_null_not_rewritten
SELECT a.id FROM a LEFT JOIN b ON a.k = b.k OR a.id = 1 WHERE b.k IS NULL
-- expect:
{
  "aggregate": "a",
  "pipeline": [
    {
      "$lookup": {
        "from": "b",
        "let": {"l0": "$k", "l1": "$id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$or": [
                  {
                    "$and": [
                      {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                      {"$ne": [{"$ifNull": ["$k", null]}, null]},
                      {"$eq": ["$$l0", "$k"]}
                    ]
                  },
                  {"$eq": ["$$l1", 1]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$match": {"__j1.k": null}},
    {"$project": {"_id": 0, "c0": "$id"}}
  ],
  "cursor": {}
}
rows: id <- c0
