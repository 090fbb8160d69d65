-- case: dotted_path
SELECT session_data.preferences.theme FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": "$session_data.preferences.theme"}}],
  "cursor": {}
}
rows: theme <- c0

-- case: dotted_path_where
SELECT session_id FROM user_sessions WHERE session_data.preferences.theme = 'dark'
-- expect:
{
  "find": "user_sessions",
  "filter": {"session_data.preferences.theme": "dark"},
  "projection": {"_id": 0, "session_id": 1}
}
rows: session_id <- session_id

-- case: json_arrow
SELECT session_data->'preferences'->>'theme' AS theme FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [{"$project": {"_id": 0, "c0": "$session_data.preferences.theme"}}],
  "cursor": {}
}
rows: theme <- c0

-- case: json_arrow_where
SELECT session_id FROM user_sessions WHERE session_data->>'language' = 'en'
-- expect:
{
  "find": "user_sessions",
  "filter": {"session_data.language": "en"},
  "projection": {"_id": 0, "session_id": 1}
}
rows: session_id <- session_id

-- case: json_arrow_index
SELECT session_data->'cart'->0 AS first_item FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": {
          "$let": {
            "vars": {"a": "$session_data.cart"},
            "in": {"$cond": [{"$isArray": ["$$a"]}, {"$arrayElemAt": ["$$a", NumberLong(0)]}, null]}
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: first_item <- c0

-- case: dollar_field_refused
SELECT "$where" FROM user_sessions
-- error: field name "$where" starts with '$', which MongoDB reads as an operator at 1:8

-- case: dollar_json_key_refused
SELECT session_data->>'$gt' FROM user_sessions
-- error: field name "$gt" starts with '$', which MongoDB reads as an operator at 1:23

-- case: dot_in_quoted_name_refused
SELECT "a.b" FROM user_sessions
-- error: field name "a.b" contains '.', which MongoDB reads as a path at 1:8

-- case: dollar_collection_refused
SELECT * FROM "sys$tem"
-- error: invalid collection name "sys$tem" at 1:15
