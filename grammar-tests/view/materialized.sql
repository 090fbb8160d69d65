-- case: create_dashboard_matview
CREATE MATERIALIZED VIEW user_stats AS SELECT user_id, COUNT(*) AS sessions, MAX(last_activity) AS last_seen FROM user_sessions GROUP BY user_id
-- expect:
{"create": "user_stats"}
{
  "create": "user_stats.sqlmongo_matview",
  "viewOn": "user_sessions",
  "pipeline": [
    {
      "$group": {
        "_id": {"g0": {"$ifNull": ["$user_id", null]}},
        "a0": {"$sum": 1},
        "a1": {"$max": "$last_activity"}
      }
    },
    {
      "$project": {
        "_id": 0,
        "user_id": {"$ifNull": ["$_id.g0", null]},
        "sessions": {"$ifNull": ["$a0", 0]},
        "last_seen": {"$ifNull": ["$a1", null]}
      }
    }
  ]
}
{"aggregate": "user_stats.sqlmongo_matview", "pipeline": [{"$out": "user_stats"}], "cursor": {}}
{"count": "user_stats", "query": {}}
affected

-- case: refresh
REFRESH MATERIALIZED VIEW user_stats
-- expect:
{"collMod": "user_stats.sqlmongo_matview"}
{"aggregate": "user_stats.sqlmongo_matview", "pipeline": [{"$out": "user_stats"}], "cursor": {}}
affected

-- case: refresh_concurrently
REFRESH MATERIALIZED VIEW CONCURRENTLY user_stats
-- expect:
{"collMod": "user_stats.sqlmongo_matview"}
{"aggregate": "user_stats.sqlmongo_matview", "pipeline": [{"$out": "user_stats"}], "cursor": {}}
affected

-- case: drop
DROP MATERIALIZED VIEW user_stats
-- expect:
{"drop": "user_stats.sqlmongo_matview"}
{"drop": "user_stats"}
affected

-- case: drop_if_exists
DROP MATERIALIZED VIEW IF EXISTS user_stats
-- expect:
{"drop": "user_stats.sqlmongo_matview"}
{"drop": "user_stats"}
affected
tolerated error codes: 26, 27

-- case: refresh_with_no_data_refused
REFRESH MATERIALIZED VIEW user_stats WITH NO DATA
-- error: unsupported: REFRESH MATERIALIZED VIEW ... WITH NO DATA (an unpopulated view cannot be told apart from an empty one) at 1:1

-- case: if_not_exists_refused
CREATE MATERIALIZED VIEW IF NOT EXISTS user_stats AS SELECT user_id FROM user_sessions
-- error: unsupported: CREATE MATERIALIZED VIEW IF NOT EXISTS (the query would still replace the rows) at 1:1

-- case: refresh_syntax_error
REFRESH MATERIALIZED user_stats
-- error: syntax error at 1:22: Expected: VIEW, found: user_stats
