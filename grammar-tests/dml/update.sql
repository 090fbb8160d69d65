-- case: set_constant
UPDATE user_sessions SET active = false WHERE session_id = 's1'
-- expect:
{
  "update": "user_sessions",
  "updates": [{"q": {"session_id": "s1"}, "u": {"$set": {"active": false}}, "multi": true, "upsert": false}]
}
affected

-- case: set_several
UPDATE user_sessions SET active = false, invalidation_reason = 'logout' WHERE user_id = 'u1'
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {"user_id": "u1"},
      "u": {"$set": {"active": false, "invalidation_reason": "logout"}},
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: increment
UPDATE application_cache SET hit_count = hit_count + 1 WHERE cache_key = 'k1'
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_key": "k1"},
      "u": [{"$set": {"hit_count": {"$add": ["$hit_count", 1]}}}],
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: decrement
UPDATE t SET n = n - 2 WHERE id = 1
-- expect:
{
  "update": "t",
  "updates": [
    {"q": {"id": 1}, "u": [{"$set": {"n": {"$subtract": ["$n", 2]}}}], "multi": true, "upsert": false}
  ]
}
affected

-- case: increment_and_set
UPDATE application_cache SET hit_count = hit_count + 1, namespace = 'x' WHERE cache_key = 'k1'
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_key": "k1"},
      "u": [{"$set": {"hit_count": {"$add": ["$hit_count", 1]}, "namespace": "x"}}],
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: now_pipeline
UPDATE user_sessions SET last_accessed = NOW() WHERE session_id = $1
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {"session_id": {"$eq": {"$param": NumberLong(1)}}},
      "u": [{"$set": {"last_accessed": "$$NOW"}}],
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: sliding_expiry
UPDATE user_sessions SET last_accessed = CURRENT_TIMESTAMP, expires_at = CURRENT_TIMESTAMP + INTERVAL '30 minutes' WHERE session_id = $1 AND expires_at > CURRENT_TIMESTAMP
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {
        "$and": [
          {"session_id": {"$eq": {"$param": NumberLong(1)}}},
          {"$expr": {"$gt": ["$expires_at", "$$NOW"]}}
        ]
      },
      "u": [
        {
          "$set": {
            "last_accessed": "$$NOW",
            "expires_at": {"$dateAdd": {"startDate": "$$NOW", "unit": "minute", "amount": NumberLong(30)}}
          }
        }
      ],
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: expression_pipeline
UPDATE t SET total = price * quantity WHERE id = 1
-- expect:
{
  "update": "t",
  "updates": [
    {
      "q": {"id": 1},
      "u": [{"$set": {"total": {"$multiply": ["$price", "$quantity"]}}}],
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: set_null
UPDATE t SET a = NULL WHERE id = 1
-- expect:
{
  "update": "t",
  "updates": [{"q": {"id": 1}, "u": {"$set": {"a": null}}, "multi": true, "upsert": false}]
}
affected

-- case: nested_path
UPDATE user_sessions SET session_data.preferences.theme = 'light' WHERE session_id = 's1'
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {"session_id": "s1"},
      "u": {"$set": {"session_data.preferences.theme": "light"}},
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: no_where
UPDATE t SET a = 1
-- expect:
{"update": "t", "updates": [{"q": {}, "u": {"$set": {"a": 1}}, "multi": true, "upsert": false}]}
affected

-- case: param_value
UPDATE application_cache SET data = $1 WHERE cache_key = $2
-- expect:
{
  "update": "application_cache",
  "updates": [
    {
      "q": {"cache_key": {"$eq": {"$param": NumberLong(2)}}},
      "u": {"$set": {"data": {"$param": NumberLong(1)}}},
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: set_id_refused
UPDATE t SET _id = 1
-- error: _id cannot be updated at 1:20

-- case: duplicate_target_refused
UPDATE t SET a = 1, a = 2
-- error: multiple assignments to the same column "a" at 1:25

-- case: returning_multi_step
UPDATE t SET a = 1 RETURNING a
-- expect:
{"find": "t", "filter": {}, "projection": {"_id": 1}}
{
  "update": "t",
  "updates": [
    {
      "q": {"_id": {"$in": {"$stepIds": NumberLong(0)}}},
      "u": {"$set": {"a": 1}},
      "multi": true,
      "upsert": false
    }
  ]
}
{
  "aggregate": "t",
  "pipeline": [{"$match": {"_id": {"$in": {"$stepIds": NumberLong(0)}}}}, {"$project": {"_id": 0, "c0": "$a"}}],
  "cursor": {}
}
returning from step 2: a <- c0
note: RETURNING without an _id equality runs as several commands (find the rows, write them by _id, read them); it is not atomic: a concurrent write between the steps can change what is returned

-- case: from
UPDATE t SET a = u.a FROM u WHERE t.id = u.id
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$id", null]}, null]}}},
    {
      "$lookup": {
        "from": "u",
        "let": {"l0": "$id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$id", null]}, null]},
                  {"$eq": ["$$l0", "$id"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$_id", "c1": "$__j1.a"}},
    {"$group": {"_id": "$c0", "v0": {"$first": "$c1"}}}
  ],
  "cursor": {}
}
{
  "update": "t",
  "updates": [
    {
      "$stepEach": {
        "step": NumberLong(0),
        "template": {
          "q": {"_id": {"$eq": {"$stepRow": "_id"}}},
          "u": {"$set": {"a": {"$stepRow": "v0"}}},
          "multi": false,
          "upsert": false
        },
        "ifEmpty": {"q": {"_id": {"$in": []}}, "u": {"$set": {"a": null}}, "multi": false, "upsert": false}
      }
    }
  ]
}
affected
note: UPDATE ... FROM / DELETE ... USING: runs as two commands (the join, then the writes by _id), not atomically

-- case: subquery_where_refused
UPDATE t SET a = 1 WHERE id IN (SELECT u.id FROM u)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {
      "$lookup": {
        "from": "u",
        "let": {"i0": "$id"},
        "pipeline": [
          {"$project": {"_id": 0, "id": {"$ifNull": ["$id", null]}}},
          {"$match": {"$expr": {"$eq": ["$id", "$$i0"]}}},
          {"$limit": 1}
        ],
        "as": "__sq0"
      }
    },
    {
      "$match": {
        "$expr": {"$and": [{"$ne": [{"$ifNull": ["$id", null]}, null]}, {"$gt": [{"$size": "$__sq0"}, 0]}]}
      }
    },
    {"$project": {"_id": 1}}
  ],
  "cursor": {}
}
{
  "update": "t",
  "updates": [
    {
      "q": {"_id": {"$in": {"$stepOutput": {"step": NumberLong(0), "field": "_id"}}}},
      "u": {"$set": {"a": 1}},
      "multi": true,
      "upsert": false
    }
  ]
}
affected
note: WHERE with a subquery: runs as two commands (aggregate the _ids, then write them), not atomically

-- case: invalidate_expired
UPDATE user_sessions SET active = false WHERE expires_at < NOW() AND active = true
-- expect:
{
  "update": "user_sessions",
  "updates": [
    {
      "q": {
        "$and": [
          {
            "$expr": {
              "$and": [{"$ne": [{"$ifNull": ["$expires_at", null]}, null]}, {"$lt": ["$expires_at", "$$NOW"]}]
            }
          },
          {"active": true}
        ]
      },
      "u": {"$set": {"active": false}},
      "multi": true,
      "upsert": false
    }
  ]
}
affected

-- case: update_only
UPDATE ONLY c SET v = 2 WHERE v = 1
-- expect:
{
  "update": "c",
  "updates": [{"q": {"v": 1}, "u": {"$set": {"v": 2}}, "multi": true, "upsert": false}]
}
affected

-- case: replace_with_an_empty_pattern_is_the_text
UPDATE c SET k = REPLACE(k, '', '-')
-- expect:
{
  "update": "c",
  "updates": [{"q": {}, "u": [{"$set": {"k": "$k"}}], "multi": true, "upsert": false}]
}
affected

-- case: replace_with_a_column_pattern_guards_the_empty_pattern
UPDATE c SET k = REPLACE(k, p, r)
-- expect:
{
  "update": "c",
  "updates": [
    {
      "q": {},
      "u": [
        {
          "$set": {
            "k": {
              "$cond": [
                {"$eq": ["$p", ""]},
                {"$cond": [{"$eq": [{"$ifNull": ["$r", null]}, null]}, null, "$k"]},
                {"$replaceAll": {"input": "$k", "find": "$p", "replacement": "$r"}}
              ]
            }
          }
        }
      ],
      "multi": true,
      "upsert": false
    }
  ]
}
affected
