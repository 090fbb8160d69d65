-- case: update_from_join
UPDATE accts SET bal = accts.bal + pay.amount, tag = 'paid' FROM pay WHERE accts.id = pay.acct
-- expect:
{
  "aggregate": "accts",
  "pipeline": [
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$id", null]}, null]}}},
    {
      "$lookup": {
        "from": "pay",
        "let": {"l0": "$id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$acct", null]}, null]},
                  {"$eq": ["$$l0", "$acct"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$_id", "c1": {"$add": ["$bal", "$__j1.amount"]}, "c2": "paid"}},
    {"$group": {"_id": "$c0", "v0": {"$first": "$c1"}, "v1": {"$first": "$c2"}}}
  ],
  "cursor": {}
}
{
  "update": "accts",
  "updates": [
    {
      "$stepEach": {
        "step": NumberLong(0),
        "template": {
          "q": {"_id": {"$eq": {"$stepRow": "_id"}}},
          "u": {"$set": {"bal": {"$stepRow": "v0"}, "tag": {"$stepRow": "v1"}}},
          "multi": false,
          "upsert": false
        },
        "ifEmpty": {
          "q": {"_id": {"$in": []}},
          "u": {"$set": {"bal": null, "tag": null}},
          "multi": false,
          "upsert": false
        }
      }
    }
  ]
}
affected
note: UPDATE ... FROM / DELETE ... USING: runs as two commands (the join, then the writes by _id), not atomically

-- case: update_from_alias_no_where
UPDATE accts AS a SET bal = p.amount FROM pay p
-- expect:
{
  "aggregate": "accts",
  "pipeline": [
    {"$lookup": {"from": "pay", "pipeline": [{"$match": {"$expr": true}}], "as": "__j1"}},
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$_id", "c1": "$__j1.amount"}},
    {"$group": {"_id": "$c0", "v0": {"$first": "$c1"}}}
  ],
  "cursor": {}
}
{
  "update": "accts",
  "updates": [
    {
      "$stepEach": {
        "step": NumberLong(0),
        "template": {
          "q": {"_id": {"$eq": {"$stepRow": "_id"}}},
          "u": {"$set": {"bal": {"$stepRow": "v0"}}},
          "multi": false,
          "upsert": false
        },
        "ifEmpty": {"q": {"_id": {"$in": []}}, "u": {"$set": {"bal": null}}, "multi": false, "upsert": false}
      }
    }
  ]
}
affected
note: UPDATE ... FROM / DELETE ... USING: runs as two commands (the join, then the writes by _id), not atomically

-- case: update_from_two_tables
UPDATE accts SET bal = pay.amount * rate.m FROM pay, rate WHERE accts.id = pay.acct AND rate.k = pay.acct
-- expect:
{
  "aggregate": "accts",
  "pipeline": [
    {
      "$lookup": {
        "from": "pay",
        "let": {"l0": "$id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$acct", null]}, null]},
                  {"$eq": ["$$l0", "$acct"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {
      "$lookup": {
        "from": "rate",
        "let": {"l0": "$__j1.acct"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$k", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$k", "$$l0"]}
                ]
              }
            }
          }
        ],
        "as": "__j2"
      }
    },
    {"$unwind": "$__j2"},
    {"$project": {"_id": 0, "c0": "$_id", "c1": {"$multiply": ["$__j1.amount", "$__j2.m"]}}},
    {"$group": {"_id": "$c0", "v0": {"$first": "$c1"}}}
  ],
  "cursor": {}
}
{
  "update": "accts",
  "updates": [
    {
      "$stepEach": {
        "step": NumberLong(0),
        "template": {
          "q": {"_id": {"$eq": {"$stepRow": "_id"}}},
          "u": {"$set": {"bal": {"$stepRow": "v0"}}},
          "multi": false,
          "upsert": false
        },
        "ifEmpty": {"q": {"_id": {"$in": []}}, "u": {"$set": {"bal": null}}, "multi": false, "upsert": false}
      }
    }
  ]
}
affected
note: UPDATE ... FROM / DELETE ... USING: runs as two commands (the join, then the writes by _id), not atomically

-- case: update_from_returning
UPDATE accts SET bal = accts.bal - pay.amount FROM pay WHERE accts.id = pay.acct RETURNING accts.id, accts.bal AS new_bal, pay.amount
-- expect:
{
  "aggregate": "accts",
  "pipeline": [
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$id", null]}, null]}}},
    {
      "$lookup": {
        "from": "pay",
        "let": {"l0": "$id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$acct", null]}, null]},
                  {"$eq": ["$$l0", "$acct"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {
      "$project": {
        "_id": 0,
        "c0": "$_id",
        "c1": {"$subtract": ["$bal", "$__j1.amount"]},
        "c2": "$id",
        "c3": {"$subtract": ["$bal", "$__j1.amount"]},
        "c4": "$__j1.amount"
      }
    },
    {
      "$group": {
        "_id": "$c0",
        "v0": {"$first": "$c1"},
        "v1": {"$first": "$c2"},
        "v2": {"$first": "$c3"},
        "v3": {"$first": "$c4"}
      }
    }
  ],
  "cursor": {}
}
{
  "update": "accts",
  "updates": [
    {
      "$stepEach": {
        "step": NumberLong(0),
        "template": {
          "q": {"_id": {"$eq": {"$stepRow": "_id"}}},
          "u": {"$set": {"bal": {"$stepRow": "v0"}}},
          "multi": false,
          "upsert": false
        },
        "ifEmpty": {"q": {"_id": {"$in": []}}, "u": {"$set": {"bal": null}}, "multi": false, "upsert": false}
      }
    }
  ]
}
returning from step 0: id <- v1, new_bal <- v2, amount <- v3
note: UPDATE ... FROM / DELETE ... USING: runs as two commands (the join, then the writes by _id), not atomically

-- case: update_from_returning_star_refused
UPDATE accts SET bal = 0 FROM pay WHERE accts.id = pay.acct RETURNING *
-- error: unsupported: RETURNING * with FROM / USING (name the columns) at 1:1

-- case: delete_using
DELETE FROM accts USING closed WHERE accts.id = closed.acct AND closed.reason = 'fraud'
-- expect:
{
  "aggregate": "accts",
  "pipeline": [
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$id", null]}, null]}}},
    {
      "$lookup": {
        "from": "closed",
        "let": {"l0": "$id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$acct", null]}, null]},
                  {"$eq": ["$$l0", "$acct"]},
                  {"$eq": ["$reason", "fraud"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$_id"}},
    {"$group": {"_id": "$c0"}}
  ],
  "cursor": {}
}
{
  "delete": "accts",
  "deletes": [
    {
      "$stepEach": {
        "step": NumberLong(0),
        "template": {"q": {"_id": {"$eq": {"$stepRow": "_id"}}}, "limit": 1},
        "ifEmpty": {"q": {"_id": {"$in": []}}, "limit": 1}
      }
    }
  ]
}
affected
note: UPDATE ... FROM / DELETE ... USING: runs as two commands (the join, then the writes by _id), not atomically

-- case: delete_using_returning
DELETE FROM accts USING closed WHERE accts.id = closed.acct RETURNING accts.id, closed.reason
-- expect:
{
  "aggregate": "accts",
  "pipeline": [
    {"$match": {"$expr": {"$ne": [{"$ifNull": ["$id", null]}, null]}}},
    {
      "$lookup": {
        "from": "closed",
        "let": {"l0": "$id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$ne": [{"$ifNull": ["$acct", null]}, null]},
                  {"$eq": ["$$l0", "$acct"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": "$__j1"},
    {"$project": {"_id": 0, "c0": "$_id", "c1": "$id", "c2": "$__j1.reason"}},
    {"$group": {"_id": "$c0", "v0": {"$first": "$c1"}, "v1": {"$first": "$c2"}}}
  ],
  "cursor": {}
}
{
  "delete": "accts",
  "deletes": [
    {
      "$stepEach": {
        "step": NumberLong(0),
        "template": {"q": {"_id": {"$eq": {"$stepRow": "_id"}}}, "limit": 1},
        "ifEmpty": {"q": {"_id": {"$in": []}}, "limit": 1}
      }
    }
  ]
}
returning from step 0: id <- v0, reason <- v1
note: UPDATE ... FROM / DELETE ... USING: runs as two commands (the join, then the writes by _id), not atomically
