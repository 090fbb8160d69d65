-- case: create_view_star
CREATE VIEW v AS SELECT * FROM t
-- expect:
{"create": "v", "viewOn": "t", "pipeline": []}
affected

-- case: create_view_columns
CREATE VIEW risky AS SELECT session_id, user_id, risk_score FROM user_sessions WHERE risk_score > 0.7
-- expect:
{
  "create": "risky",
  "viewOn": "user_sessions",
  "pipeline": [
    {"$match": {"risk_score": {"$gt": 0.7}}},
    {
      "$project": {
        "_id": 0,
        "session_id": {"$ifNull": ["$session_id", null]},
        "user_id": {"$ifNull": ["$user_id", null]},
        "risk_score": {"$ifNull": ["$risk_score", null]}
      }
    }
  ]
}
affected

-- case: create_view_column_list
CREATE VIEW per_ns (ns, n) AS SELECT namespace, COUNT(*) FROM application_cache GROUP BY namespace
-- expect:
{
  "create": "per_ns",
  "viewOn": "application_cache",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$namespace", null]}}, "a0": {"$sum": 1}}},
    {"$project": {"_id": 0, "ns": {"$ifNull": ["$_id.g0", null]}, "n": {"$ifNull": ["$a0", 0]}}}
  ]
}
affected

-- case: create_view_if_not_exists
CREATE VIEW IF NOT EXISTS v AS SELECT a FROM t
-- expect:
{
  "create": "v",
  "viewOn": "t",
  "pipeline": [{"$project": {"_id": 0, "a": {"$ifNull": ["$a", null]}}}]
}
affected
tolerated error codes: 48

-- case: create_view_without_from
CREATE VIEW health AS SELECT (SELECT COUNT(*) FROM user_sessions WHERE active = TRUE) AS active_sessions
-- expect:
{
  "create": "health",
  "viewOn": "user_sessions",
  "pipeline": [
    {"$limit": 1},
    {"$facet": {"one": [{"$limit": 1}]}},
    {"$project": {"one": 0}},
    {
      "$lookup": {
        "from": "user_sessions",
        "pipeline": [
          {"$match": {"active": true}},
          {"$group": {"_id": null, "a0": {"$sum": 1}}},
          {"$unionWith": {"pipeline": [{"$documents": [{}]}]}},
          {"$limit": 1},
          {"$project": {"_id": 0, "count": {"$ifNull": ["$a0", 0]}}},
          {"$limit": 2}
        ],
        "as": "__sq0"
      }
    },
    {
      "$project": {
        "_id": 0,
        "active_sessions": {
          "$ifNull": [
            {
              "$cond": [
                {"$gt": [{"$size": "$__sq0"}, 1]},
                {
                  "$toInt": {
                    "$concat": [
                      "more than one row returned by a subquery used as an expression, rows: ",
                      {"$toString": {"$size": "$__sq0"}}
                    ]
                  }
                },
                {"$arrayElemAt": ["$__sq0.count", 0]}
              ]
            },
            null
          ]
        }
      }
    }
  ]
}
affected

-- case: create_view_no_collection_refused
CREATE VIEW one AS SELECT 1 AS x
-- error: unsupported: a view reading no collection (MongoDB views need viewOn) at 1:1

-- case: create_or_replace_refused
CREATE OR REPLACE VIEW v AS SELECT a FROM t
-- error: unsupported: CREATE OR REPLACE VIEW (DROP VIEW, then CREATE VIEW) at 1:1

-- case: materialized_refused
CREATE MATERIALIZED VIEW v AS SELECT a FROM t
-- expect:
{"create": "v"}
{
  "create": "v.sqlmongo_matview",
  "viewOn": "t",
  "pipeline": [{"$project": {"_id": 0, "a": {"$ifNull": ["$a", null]}}}]
}
{"aggregate": "v.sqlmongo_matview", "pipeline": [{"$out": "v"}], "cursor": {}}
{"count": "v", "query": {}}
affected

-- case: select_from_view
SELECT session_id FROM risky WHERE risk_score > 0.9
-- expect:
{"find": "risky", "filter": {"risk_score": {"$gt": 0.9}}, "projection": {"_id": 0, "session_id": 1}}
rows: session_id <- session_id

-- case: drop_view
DROP VIEW v
-- expect:
{"drop": "v"}
affected

-- case: drop_view_if_exists
DROP VIEW IF EXISTS v, w
-- expect:
{"drop": "v"}
{"drop": "w"}
affected
tolerated error codes: 26, 27

-- case: create_view_with_parameter_refused
CREATE VIEW v AS SELECT a FROM t WHERE b = $1
-- error: unsupported: parameters in CREATE VIEW at 1:1
