-- case: rollup_two_keys_with_grouping
SELECT a, b, SUM(v), GROUPING(a, b) FROM t GROUP BY ROLLUP (a, b)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$set": {"__gs": {"$literal": [0, 1, 2]}}},
    {"$unwind": "$__gs"},
    {
      "$group": {
        "_id": {
          "g0": {"$cond": [{"$in": ["$__gs", {"$literal": [0, 1]}]}, {"$ifNull": ["$a", null]}, null]},
          "g1": {"$cond": [{"$in": ["$__gs", {"$literal": [0]}]}, {"$ifNull": ["$b", null]}, null]},
          "__gs": "$__gs"
        },
        "a0": {"$sum": "$v"},
        "a0n": {"$sum": {"$cond": [{"$isNumber": "$v"}, 1, 0]}}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{"_id": {"g0": null, "g1": null, "__gs": 2}}]}]}},
    {"$group": {"_id": "$_id", "d": {"$first": "$$ROOT"}}},
    {"$replaceRoot": {"newRoot": "$d"}},
    {
      "$project": {
        "_id": 0,
        "c0": "$_id.g0",
        "c1": "$_id.g1",
        "c2": {"$cond": [{"$gt": [{"$ifNull": ["$a0n", 0]}, 0]}, "$a0", null]},
        "c3": {
          "$add": [
            {"$cond": [{"$in": ["$_id.__gs", {"$literal": [2]}]}, 2, 0]},
            {"$cond": [{"$in": ["$_id.__gs", {"$literal": [1, 2]}]}, 1, 0]}
          ]
        }
      }
    }
  ],
  "cursor": {}
}
rows: a <- c0, b <- c1, sum <- c2, grouping <- c3

-- case: cube
SELECT a, b, COUNT(*) FROM t GROUP BY CUBE (a, b)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$set": {"__gs": {"$literal": [0, 1, 2, 3]}}},
    {"$unwind": "$__gs"},
    {
      "$group": {
        "_id": {
          "g0": {"$cond": [{"$in": ["$__gs", {"$literal": [0, 1]}]}, {"$ifNull": ["$a", null]}, null]},
          "g1": {"$cond": [{"$in": ["$__gs", {"$literal": [0, 2]}]}, {"$ifNull": ["$b", null]}, null]},
          "__gs": "$__gs"
        },
        "a0": {"$sum": 1}
      }
    },
    {"$unionWith": {"pipeline": [{"$documents": [{"_id": {"g0": null, "g1": null, "__gs": 3}}]}]}},
    {"$group": {"_id": "$_id", "d": {"$first": "$$ROOT"}}},
    {"$replaceRoot": {"newRoot": "$d"}},
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": "$_id.g1", "c2": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: a <- c0, b <- c1, count <- c2

-- case: grouping_sets_without_empty_set
SELECT a, b, MAX(v) FROM t GROUP BY GROUPING SETS ((a), (b))
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$set": {"__gs": {"$literal": [0, 1]}}},
    {"$unwind": "$__gs"},
    {
      "$group": {
        "_id": {
          "g0": {"$cond": [{"$in": ["$__gs", {"$literal": [0]}]}, {"$ifNull": ["$a", null]}, null]},
          "g1": {"$cond": [{"$in": ["$__gs", {"$literal": [1]}]}, {"$ifNull": ["$b", null]}, null]},
          "__gs": "$__gs"
        },
        "a0": {"$max": "$v"}
      }
    },
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": "$_id.g1", "c2": {"$ifNull": ["$a0", null]}}}
  ],
  "cursor": {}
}
rows: a <- c0, b <- c1, max <- c2

-- case: plain_key_times_rollup
SELECT x, a, COUNT(*) FROM t GROUP BY x, ROLLUP (a)
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$set": {"__gs": {"$literal": [0, 1]}}},
    {"$unwind": "$__gs"},
    {
      "$group": {
        "_id": {
          "g0": {"$ifNull": ["$x", null]},
          "g1": {"$cond": [{"$in": ["$__gs", {"$literal": [0]}]}, {"$ifNull": ["$a", null]}, null]},
          "__gs": "$__gs"
        },
        "a0": {"$sum": 1}
      }
    },
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": "$_id.g1", "c2": {"$ifNull": ["$a0", 0]}}}
  ],
  "cursor": {}
}
rows: x <- c0, a <- c1, count <- c2

-- case: grouping_of_a_plain_key_is_zero
SELECT a, GROUPING(a) FROM t GROUP BY a
-- expect:
{
  "aggregate": "t",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$a", null]}}}},
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$literal": 0}}}
  ],
  "cursor": {}
}
rows: a <- c0, grouping <- c1

-- case: grouping_of_a_non_key
SELECT a, GROUPING(b) FROM t GROUP BY ROLLUP (a)
-- error: arguments to GROUPING must be grouping expressions of the associated query level at 1:20

-- case: grouping_in_where
SELECT a FROM t WHERE GROUPING(a) = 0 GROUP BY a
-- error: grouping operations are not allowed here (GROUPING reads the GROUP BY of its query) at 1:23

-- case: nested_rollup_in_grouping_sets_refused
SELECT a FROM t GROUP BY GROUPING SETS (ROLLUP (a, b))
-- error: unknown or unsupported function ROLLUP() at 1:41

-- case: too_many_grouping_sets_refused
SELECT 1 FROM t GROUP BY CUBE (a, b, c, d, e, f, g, h, i)
-- error: unsupported: more than 256 grouping sets (each row is copied once per set) at 1:32
