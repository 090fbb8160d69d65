-- case: where_equality_case_insensitive
SELECT session_id FROM user_sessions WHERE user_id = 'ALICE' COLLATE "und-u-ks-level2"
-- expect:
{
  "find": "user_sessions",
  "filter": {"user_id": "ALICE"},
  "projection": {"_id": 0, "session_id": 1},
  "collation": {"locale": "en", "strength": 2}
}
rows: session_id <- session_id

-- case: order_by_numeric
SELECT session_id FROM user_sessions ORDER BY session_id COLLATE "en-u-kn-true"
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$session_id", null]}, null]}, 1, 0]},
        "__s0": "$session_id"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {},
  "collation": {"locale": "en", "numericOrdering": true}
}
rows: session_id <- c0

-- case: group_by_icu_locale
SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id COLLATE "de-x-icu"
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "a0": {"$sum": 1}}},
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {},
  "collation": {"locale": "de"}
}
rows: user_id <- c0, n <- c1

-- case: same_collation_twice
SELECT session_id FROM user_sessions WHERE user_id = 'a' COLLATE "und-u-ks-level2" ORDER BY user_id COLLATE "und-u-ks-level2"
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"user_id": "a"}},
    {
      "$project": {
        "_id": 0,
        "c0": "$session_id",
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$user_id", null]}, null]}, 1, 0]},
        "__s0": "$user_id"
      }
    },
    {"$sort": {"__n0": 1, "__s0": 1}},
    {"$unset": ["__n0", "__s0"]}
  ],
  "cursor": {},
  "collation": {"locale": "en", "strength": 2}
}
rows: session_id <- c0

-- case: c_collation_is_simple
SELECT session_id FROM user_sessions WHERE user_id > 'a' COLLATE "C"
-- expect:
{
  "find": "user_sessions",
  "filter": {"user_id": {"$gt": "a"}},
  "projection": {"_id": 0, "session_id": 1},
  "collation": {"locale": "simple"}
}
rows: session_id <- session_id

-- case: phonebook_and_keywords
SELECT session_id FROM user_sessions WHERE user_id < 'b' COLLATE "de-u-co-phonebk-ka-shifted-kf-upper"
-- expect:
{
  "find": "user_sessions",
  "filter": {"user_id": {"$lt": "b"}},
  "projection": {"_id": 0, "session_id": 1},
  "collation": {"locale": "de@collation=phonebook", "caseFirst": "upper", "alternate": "shifted"}
}
rows: session_id <- session_id

-- case: update_statement_collation
UPDATE user_sessions SET page_views = 0 WHERE user_id = 'BOB' COLLATE "und-u-ks-level1"
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {"user_id": "BOB"},
      "u": {"$set": {"page_views": 0}},
      "multi": true,
      "upsert": false,
      "collation": {"locale": "en", "strength": 1}
    }
  ]
}
affected

-- case: delete_statement_collation
DELETE FROM user_sessions WHERE user_id = 'BOB' COLLATE "en-US-x-icu"
-- expect:
{
  "delete": "user_sessions",
  "deletes": [{"q": {"user_id": "BOB"}, "limit": 0, "collation": {"locale": "en_US"}}]
}
affected

-- case: count_collation
SELECT COUNT(*) FROM user_sessions WHERE user_id = 'bob' COLLATE "und-u-ks-level2"
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"user_id": "bob"}},
    {"$group": {"_id": null, "a0": {"$sum": 1}}},
    {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
    {"$limit": 1},
    {"$project": {"_id": 0, "c0": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {},
  "collation": {"locale": "en", "strength": 2}
}
rows: count <- c0

-- case: create_collection_with_collation
CREATE COLLECTION people WITH (collation = 'und-u-ks-level2')
-- expect:
{"create": "people", "collation": {"locale": "en", "strength": 2}}
affected
