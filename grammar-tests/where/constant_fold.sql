-- case: and_false_matches_nothing
SELECT session_id FROM user_sessions WHERE page_views > 1 AND 1 = 0
-- expect:
{"find": "user_sessions", "filter": {"$expr": false}, "projection": {"_id": 0, "session_id": 1}}
rows: session_id <- session_id

-- case: and_true_disappears
SELECT session_id FROM user_sessions WHERE page_views > 1 AND 1 = 1 AND 2.5 >= 2
-- expect:
{
  "find": "user_sessions",
  "filter": {"page_views": {"$gt": 1}},
  "projection": {"_id": 0, "session_id": 1}
}
rows: session_id <- session_id

-- case: null_or_true_is_true
SELECT session_id FROM user_sessions WHERE NULL OR 1 = 1
-- expect:
{"find": "user_sessions", "filter": {}, "projection": {"_id": 0, "session_id": 1}}
rows: session_id <- session_id

-- case: inner_join_on_false_is_empty
SELECT a.session_id FROM user_sessions a JOIN user_sessions b ON 1 = 0
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$lookup": {"from": "user_sessions", "pipeline": [{"$match": {"$expr": false}}], "as": "__j1"}},
    {"$unwind": "$__j1"},
    {"$match": {"$expr": false}},
    {"$project": {"_id": 0, "c0": "$session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: constant_in_select_list
SELECT 1 = 1 AS t, 1 = 0 AS f, NOT (NULL AND 1 = 1) AS n FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {"_id": 0, "c0": {"$literal": true}, "c1": {"$literal": false}, "c2": {"$literal": null}}
    }
  ],
  "cursor": {}
}
rows: t <- c0, f <- c1, n <- c2
