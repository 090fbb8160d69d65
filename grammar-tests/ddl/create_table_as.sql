-- case: summary_table
CREATE TABLE user_stats AS SELECT user_id, COUNT(*) AS sessions FROM user_sessions GROUP BY user_id
-- expect:
{"create": "user_stats"}
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$group": {"_id": {"g0": {"$ifNull": ["$user_id", null]}}, "a0": {"$sum": 1}}},
    {"$project": {"_id": 0, "c0": "$_id.g0", "c1": {"$ifNull": ["$a0", 0]}}},
    {"$project": {"_id": 0, "user_id": "$c0", "sessions": "$c1"}},
    {"$out": "user_stats"}
  ],
  "cursor": {}
}
{"count": "user_stats", "query": {}}
affected

-- case: aliases_from_find
CREATE TABLE recent AS SELECT session_id AS sid, user_id FROM user_sessions WHERE active ORDER BY created_at DESC LIMIT 100
-- expect:
{"create": "recent"}
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$match": {"active": true}},
    {
      "$set": {
        "__n0": {"$cond": [{"$eq": [{"$ifNull": ["$created_at", null]}, null]}, 1, 0]},
        "__s0": "$created_at"
      }
    },
    {"$sort": {"__n0": -1, "__s0": -1}},
    {"$limit": NumberLong(100)},
    {"$project": {"_id": 0, "c0": "$session_id", "c1": "$user_id"}},
    {"$project": {"_id": 0, "sid": "$c0", "user_id": "$c1"}},
    {"$out": "recent"}
  ],
  "cursor": {}
}
{"count": "recent", "query": {}}
affected

-- case: typed_column_list_refused
CREATE TABLE t (a INT) AS SELECT x FROM u
-- error: unsupported: a column list in CREATE TABLE ... AS (name the columns in the query) at 1:14

-- case: duplicate_names
CREATE TABLE t AS SELECT x, x FROM u
-- error: column "x" specified more than once at 1:14

-- case: if_not_exists_refused
CREATE TABLE IF NOT EXISTS t AS SELECT x FROM u
-- error: unsupported: CREATE TABLE IF NOT EXISTS ... AS (the query would still replace the table) at 1:28
