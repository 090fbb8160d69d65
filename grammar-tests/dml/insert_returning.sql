-- case: one_row_constants
INSERT INTO user_sessions (session_id, user_id) VALUES ('s1', 'u1') RETURNING _id
-- expect:
{
  "findAndModify": "user_sessions",
  "query": {"_id": {"$exists": false}},
  "update": {"session_id": "s1", "user_id": "u1"},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$_id"}
}
returning the value of each step: _id <- c0

-- case: multi_row_star
INSERT INTO c (k, v) VALUES ('a', 1), ('b', 2) RETURNING *
-- expect:
{
  "findAndModify": "c",
  "query": {"_id": {"$exists": false}},
  "update": {"k": "a", "v": 1},
  "upsert": true,
  "new": true
}
{
  "findAndModify": "c",
  "query": {"_id": {"$exists": false}},
  "update": {"k": "b", "v": 2},
  "upsert": true,
  "new": true
}
returning the value of each step: * (every field)

-- case: expressions_over_inserted_columns
INSERT INTO c (k, v) VALUES ('a', 1) RETURNING v * 2 AS doubled, UPPER(k) AS k, c.v, _id IS NOT NULL AS has_id
-- expect:
{
  "findAndModify": "c",
  "query": {"_id": {"$exists": false}},
  "update": {"k": "a", "v": 1},
  "upsert": true,
  "new": true,
  "fields": {
    "_id": 0,
    "c0": {"$multiply": ["$v", 2]},
    "c1": {
      "$cond": [
        {"$eq": [{"$ifNull": [{"$toString": "$k"}, null]}, null]},
        null,
        {"$toUpper": {"$toString": "$k"}}
      ]
    },
    "c2": "$v",
    "c3": {"$ne": [{"$ifNull": ["$_id", null]}, null]}
  }
}
returning the value of each step: doubled <- c0, k <- c1, v <- c2, has_id <- c3

-- case: computed_values_and_parameters
INSERT INTO user_sessions (session_id, user_id, created_at, expires_at) VALUES ($1, $2, NOW(), NOW() + INTERVAL '30 minutes') RETURNING _id, expires_at
-- expect:
{
  "findAndModify": "user_sessions",
  "query": {"_id": {"$exists": false}},
  "update": [
    {
      "$set": {
        "session_id": {"$literal": {"$param": NumberLong(1)}},
        "user_id": {"$literal": {"$param": NumberLong(2)}},
        "created_at": "$$NOW",
        "expires_at": {"$dateAdd": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(30)}}
      }
    }
  ],
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$_id", "c1": "$expires_at"}
}
returning the value of each step: _id <- c0, expires_at <- c1

-- case: nested_column
INSERT INTO c (k, meta.source) VALUES ('a', 'web') RETURNING meta.source
-- expect:
{
  "findAndModify": "c",
  "query": {"_id": {"$exists": false}},
  "update": {"k": "a", "meta": {"source": "web"}},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$meta.source"}
}
returning the value of each step: source <- c0

-- case: explicit_id
INSERT INTO c (_id, k) VALUES (7, 'a') RETURNING _id, k
-- expect:
{
  "findAndModify": "c",
  "query": {"_id": {"$exists": false}},
  "update": {"_id": 7, "k": "a"},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$_id", "c1": "$k"}
}
returning the value of each step: _id <- c0, k <- c1

-- case: on_conflict_do_nothing
INSERT INTO c (k, v) VALUES ('a', 1), ('b', 2) ON CONFLICT (k) DO NOTHING RETURNING k, v
-- expect:
{
  "findAndModify": "c",
  "query": {"k": {"$eq": "a"}},
  "update": {"$setOnInsert": {"k": "a", "v": 1}},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$k", "c1": "$v"}
}
{
  "findAndModify": "c",
  "query": {"k": {"$eq": "b"}},
  "update": {"$setOnInsert": {"k": "b", "v": 2}},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$k", "c1": "$v"}
}
returning the value of each step: k <- c0, v <- c1
only when it inserted (lastErrorObject.upserted): steps 0, 1
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: on_conflict_do_update_excluded
INSERT INTO c (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v RETURNING *
-- expect:
{
  "findAndModify": "c",
  "query": {"k": {"$eq": "a"}},
  "update": {"$setOnInsert": {"k": "a"}, "$set": {"v": 1}},
  "upsert": true,
  "new": true
}
returning the value of each step: * (every field)
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: on_conflict_do_update_expression
INSERT INTO c (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = c.v + EXCLUDED.v RETURNING k, v
-- expect:
{
  "findAndModify": "c",
  "query": {"k": {"$eq": "a"}},
  "update": [{"$set": {"v": {"$cond": [{"$eq": [{"$type": "$_id"}, "missing"]}, 1, {"$add": ["$v", 1]}]}}}],
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$k", "c1": "$v"}
}
returning the value of each step: k <- c0, v <- c1
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: on_conflict_do_update_where
INSERT INTO c (k, v) VALUES ('a', 1), ('b', 2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v WHERE c.v < EXCLUDED.v RETURNING k, v
-- expect:
{
  "findAndModify": "c",
  "query": {
    "k": {"$eq": "a"},
    "$expr": {"$and": [{"$ne": [{"$ifNull": ["$v", null]}, null]}, {"$lt": ["$v", 1]}]}
  },
  "update": [{"$set": {"v": 1}}],
  "upsert": false,
  "new": true,
  "fields": {"_id": 0, "c0": "$k", "c1": "$v"}
}
{
  "findAndModify": "c",
  "query": {"k": {"$eq": "a"}},
  "update": {"$setOnInsert": {"k": "a", "v": 1}},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$k", "c1": "$v"}
}
{
  "findAndModify": "c",
  "query": {
    "k": {"$eq": "b"},
    "$expr": {"$and": [{"$ne": [{"$ifNull": ["$v", null]}, null]}, {"$lt": ["$v", 2]}]}
  },
  "update": [{"$set": {"v": 2}}],
  "upsert": false,
  "new": true,
  "fields": {"_id": 0, "c0": "$k", "c1": "$v"}
}
{
  "findAndModify": "c",
  "query": {"k": {"$eq": "b"}},
  "update": {"$setOnInsert": {"k": "b", "v": 2}},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$k", "c1": "$v"}
}
returning the value of each step: k <- c0, v <- c1
only when it inserted (lastErrorObject.upserted): steps 1, 3
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: refuse_aggregate
INSERT INTO c (k) VALUES ('a') RETURNING COUNT(*)
-- error: aggregate functions are not allowed in RETURNING at 1:42

-- case: refuse_star_with_columns
INSERT INTO c (k) VALUES ('a') RETURNING *, k
-- error: unsupported: RETURNING * together with other columns at 1:1

-- case: insert_select_returning
INSERT INTO c (k) SELECT k FROM d RETURNING k, upper(k) AS up
-- expect:
{
  "aggregate": "d",
  "pipeline": [
    {"$project": {"_id": 0, "k": 1}},
    {"$project": {"_id": 0, "__ins": {"k": "$k"}}},
    {
      "$set": {
        "r0": "$__ins.k",
        "r1": {
          "$cond": [
            {"$eq": [{"$ifNull": [{"$toString": "$__ins.k"}, null]}, null]},
            null,
            {"$toUpper": {"$toString": "$__ins.k"}}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
{
  "insert": "c",
  "documents": [{"$stepOutput": {"step": NumberLong(0), "field": "$$ROOT.__ins"}}],
  "ordered": true
}
returning from step 0: k <- r0, up <- r1
note: INSERT ... SELECT runs as two commands (the query, then an insert of its rows): not atomic
