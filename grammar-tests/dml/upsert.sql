-- case: do_nothing_constants
INSERT INTO application_cache (cache_key, data, hit_count) VALUES ('k1', '{"v": 1}'::jsonb, 0) ON CONFLICT (cache_key) DO NOTHING
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_key": {"$eq": "k1"}},
      "u": {"$setOnInsert": {"cache_key": "k1", "data": {"v": 1}, "hit_count": 0}},
      "multi": false,
      "upsert": true
    }
  ]
}
affected: upserted rows
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: do_nothing_params_multi_row
INSERT INTO user_sessions (session_id, user_id) VALUES ($1, $2), ($3, $4) ON CONFLICT (session_id) DO NOTHING
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {"session_id": {"$eq": {"$param": NumberLong(1)}}},
      "u": {"$setOnInsert": {"session_id": {"$param": NumberLong(1)}, "user_id": {"$param": NumberLong(2)}}},
      "multi": false,
      "upsert": true
    },
    {
      "q": {"session_id": {"$eq": {"$param": NumberLong(3)}}},
      "u": {"$setOnInsert": {"session_id": {"$param": NumberLong(3)}, "user_id": {"$param": NumberLong(4)}}},
      "multi": false,
      "upsert": true
    }
  ]
}
affected: upserted rows
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: do_nothing_computed
INSERT INTO user_sessions (session_id, user_id, expires_at) VALUES ('s1', 7, NOW() + INTERVAL '30 minutes') ON CONFLICT (session_id) DO NOTHING
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {"session_id": {"$eq": "s1"}},
      "u": [
        {
          "$set": {
            "session_id": {"$cond": [{"$eq": [{"$type": "$_id"}, "missing"]}, "s1", "$session_id"]},
            "user_id": {"$cond": [{"$eq": [{"$type": "$_id"}, "missing"]}, 7, "$user_id"]},
            "expires_at": {
              "$cond": [
                {"$eq": [{"$type": "$_id"}, "missing"]},
                {"$dateAdd": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(30)}},
                "$expires_at"
              ]
            }
          }
        }
      ],
      "multi": false,
      "upsert": true
    }
  ]
}
affected: upserted rows
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: do_update_excluded_constants
INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at
-- expect:
{
  "update": "sessions",
  "updates": [
    {
      "q": {"id": {"$eq": {"$param": NumberLong(1)}}},
      "u": {
        "$setOnInsert": {"id": {"$param": NumberLong(1)}, "user_id": {"$param": NumberLong(2)}},
        "$set": {"data": {"$param": NumberLong(3)}, "expires_at": {"$param": NumberLong(4)}}
      },
      "multi": false,
      "upsert": true
    }
  ]
}
affected
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: do_update_computed
INSERT INTO application_cache (cache_key, data, hit_count, expires_at) VALUES ($1, $2, 0, NOW() + INTERVAL '1 hour') ON CONFLICT (cache_key) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at, hit_count = 0
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_key": {"$eq": {"$param": NumberLong(1)}}},
      "u": [
        {
          "$set": {
            "data": {
              "$cond": [
                {"$eq": [{"$type": "$_id"}, "missing"]},
                {"$literal": {"$param": NumberLong(2)}},
                {"$literal": {"$param": NumberLong(2)}}
              ]
            },
            "hit_count": {"$cond": [{"$eq": [{"$type": "$_id"}, "missing"]}, 0, 0]},
            "expires_at": {
              "$cond": [
                {"$eq": [{"$type": "$_id"}, "missing"]},
                {"$dateAdd": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(1)}},
                {"$dateAdd": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(1)}}
              ]
            }
          }
        }
      ],
      "multi": false,
      "upsert": true
    }
  ]
}
affected
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: do_update_existing_row
INSERT INTO application_cache (cache_key, hit_count) VALUES ('k1', 1) ON CONFLICT (cache_key) DO UPDATE SET hit_count = application_cache.hit_count + 1, last_accessed = NOW()
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_key": {"$eq": "k1"}},
      "u": [
        {
          "$set": {
            "hit_count": {"$cond": [{"$eq": [{"$type": "$_id"}, "missing"]}, 1, {"$add": ["$hit_count", 1]}]},
            "last_accessed": {"$cond": [{"$eq": [{"$type": "$_id"}, "missing"]}, "$$REMOVE", "$$NOW"]}
          }
        }
      ],
      "multi": false,
      "upsert": true
    }
  ]
}
affected
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: do_update_composite_key
INSERT INTO application_cache (cache_namespace, cache_key, data) VALUES ('ns', 'k1', 'x') ON CONFLICT (cache_namespace, cache_key) DO UPDATE SET data = EXCLUDED.data
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_namespace": {"$eq": "ns"}, "cache_key": {"$eq": "k1"}},
      "u": {"$setOnInsert": {"cache_namespace": "ns", "cache_key": "k1"}, "$set": {"data": "x"}},
      "multi": false,
      "upsert": true
    }
  ]
}
affected
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: do_update_excluded_not_inserted_is_null
INSERT INTO application_cache (cache_key, data) VALUES ('k1', 'x') ON CONFLICT (cache_key) DO UPDATE SET tags = EXCLUDED.tags
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_key": {"$eq": "k1"}},
      "u": {"$setOnInsert": {"cache_key": "k1", "data": "x"}, "$set": {"tags": null}},
      "multi": false,
      "upsert": true
    }
  ]
}
affected
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: id_key_do_nothing
INSERT INTO c (_id, v) VALUES ('a', 1) ON CONFLICT (_id) DO NOTHING
-- expect:
{
  "update": "c",
  "updates": [
    {
      "q": {"_id": {"$eq": "a"}},
      "u": {"$setOnInsert": {"_id": "a", "v": 1}},
      "multi": false,
      "upsert": true
    }
  ]
}
affected: upserted rows
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: refuse_id_key_computed
INSERT INTO c (_id, v) VALUES ('a', 1) ON CONFLICT (_id) DO UPDATE SET v = c.v + 1
-- error: unsupported: ON CONFLICT (_id) DO UPDATE other than SET col = EXCLUDED.col with constant values at 1:1

-- case: do_update_where
INSERT INTO c (k, v) VALUES ('a', 1), ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v WHERE c.v < EXCLUDED.v
-- expect:
{
  "update": "c",
  "updates": [
    {
      "q": {
        "k": {"$eq": "a"},
        "$expr": {"$and": [{"$ne": [{"$ifNull": ["$v", null]}, null]}, {"$lt": ["$v", 1]}]}
      },
      "u": [{"$set": {"v": 1}}],
      "multi": false,
      "upsert": false
    },
    {
      "q": {"k": {"$eq": "a"}},
      "u": {"$setOnInsert": {"k": "a", "v": 1}},
      "multi": false,
      "upsert": true
    },
    {
      "q": {
        "k": {"$eq": {"$param": NumberLong(1)}},
        "$expr": {
          "$and": [
            {"$ne": [{"$ifNull": ["$v", null]}, null]},
            {"$ne": [{"$ifNull": [{"$literal": {"$param": NumberLong(2)}}, null]}, null]},
            {"$lt": ["$v", {"$literal": {"$param": NumberLong(2)}}]}
          ]
        }
      },
      "u": [{"$set": {"v": {"$literal": {"$param": NumberLong(2)}}}}],
      "multi": false,
      "upsert": false
    },
    {
      "q": {"k": {"$eq": {"$param": NumberLong(1)}}},
      "u": {"$setOnInsert": {"k": {"$param": NumberLong(1)}, "v": {"$param": NumberLong(2)}}},
      "multi": false,
      "upsert": true
    }
  ]
}
affected: n - 2 + upserted rows (updated + inserted)
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: do_update_where_computed
INSERT INTO application_cache (cache_key, data, expires_at) VALUES ($1, $2, NOW() + INTERVAL '1 hour') ON CONFLICT (cache_key) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at WHERE application_cache.expires_at < NOW()
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {
        "cache_key": {"$eq": {"$param": NumberLong(1)}},
        "$expr": {
          "$and": [{"$ne": [{"$ifNull": ["$expires_at", null]}, null]}, {"$lt": ["$expires_at", "$$NOW"]}]
        }
      },
      "u": [
        {
          "$set": {
            "data": {"$literal": {"$param": NumberLong(2)}},
            "expires_at": {"$dateAdd": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(1)}}
          }
        }
      ],
      "multi": false,
      "upsert": false
    },
    {
      "q": {"cache_key": {"$eq": {"$param": NumberLong(1)}}},
      "u": [
        {
          "$set": {
            "cache_key": {
              "$cond": [
                {"$eq": [{"$type": "$_id"}, "missing"]},
                {"$literal": {"$param": NumberLong(1)}},
                "$cache_key"
              ]
            },
            "data": {
              "$cond": [{"$eq": [{"$type": "$_id"}, "missing"]}, {"$literal": {"$param": NumberLong(2)}}, "$data"]
            },
            "expires_at": {
              "$cond": [
                {"$eq": [{"$type": "$_id"}, "missing"]},
                {"$dateAdd": {"startDate": "$$NOW", "unit": "hour", "amount": NumberLong(1)}},
                "$expires_at"
              ]
            }
          }
        }
      ],
      "multi": false,
      "upsert": true
    }
  ]
}
affected: n - 1 + upserted rows (updated + inserted)
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice

-- case: refuse_no_target
INSERT INTO c (k, v) VALUES ('a', 1) ON CONFLICT DO NOTHING
-- error: unsupported: ON CONFLICT without conflict columns at 1:1

-- case: refuse_on_constraint
INSERT INTO c (k, v) VALUES ('a', 1) ON CONFLICT ON CONSTRAINT c_pkey DO NOTHING
-- error: unsupported: ON CONFLICT ON CONSTRAINT (name the conflict columns instead) at 1:1

-- case: refuse_key_not_inserted
INSERT INTO c (k, v) VALUES ('a', 1) ON CONFLICT (other) DO NOTHING
-- error: conflict column "other" must be one of the INSERT's columns at 1:51

-- case: refuse_computed_key
INSERT INTO c (k, v) VALUES (LOWER('A'), 1) ON CONFLICT (k) DO NOTHING
-- error: unsupported: a computed conflict key value at 1:1

-- case: refuse_null_key
INSERT INTO c (k, v) VALUES (NULL, 1) ON CONFLICT (k) DO NOTHING
-- error: unsupported: a NULL conflict key (it never conflicts in PostgreSQL) at 1:1

-- case: refuse_same_row_twice
INSERT INTO c (k, v) VALUES ('a', 1), ('a', 2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v
-- error: ON CONFLICT DO UPDATE command cannot affect row a second time at 1:1

-- case: insert_returning_translated
INSERT INTO c (k, v) VALUES ('a', 1) ON CONFLICT (k) DO NOTHING RETURNING k
-- expect:
{
  "findAndModify": "c",
  "query": {"k": {"$eq": "a"}},
  "update": {"$setOnInsert": {"k": "a", "v": 1}},
  "upsert": true,
  "new": true,
  "fields": {"_id": 0, "c0": "$k"}
}
returning the value of each step: k <- c0
only when it inserted (lastErrorObject.upserted): steps 0
note: ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice
