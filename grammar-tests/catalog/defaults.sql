-- catalog: {"tables": {"sess": {"columns": [{"name": "id", "type": "text", "not_null": true, "primary_key": true},
-- catalog: {"name": "status", "type": "text", "not_null": true, "default": "'active'"},
-- catalog: {"name": "hits", "type": "integer", "default": "0"},
-- catalog: {"name": "created_at", "type": "timestamptz", "default": "now()"},
-- catalog: {"name": "note", "type": "text"}]},
-- catalog: "broken": {"columns": [{"name": "k", "type": "text"}, {"name": "v", "type": "integer", "default": "1 +"}]},
-- catalog: "reads": {"columns": [{"name": "k", "type": "text"}, {"name": "v", "type": "integer", "default": "k || 'x'"}]}}}

-- case: create_table_keeps_defaults_in_the_validator
CREATE TABLE s2 (id TEXT PRIMARY KEY, status TEXT DEFAULT 'active', created_at TIMESTAMPTZ DEFAULT now())
-- expect:
{
  "create": "s2",
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "required": ["id"],
      "properties": {
        "id": {"bsonType": ["string"]},
        "status": {"bsonType": ["string", "null"], "description": "DEFAULT 'active'"},
        "created_at": {"bsonType": ["date", "null"], "description": "DEFAULT now()"}
      }
    }
  }
}
{"createIndexes": "s2", "indexes": [{"key": {"id": 1}, "name": "s2_pkey", "unique": true}]}
affected

-- case: insert_leaves_out_defaulted_columns
INSERT INTO sess (id, hits) VALUES ('a', 1)
-- expect:
{
  "update": "sess",
  "updates": [
    {
      "q": {"_id": {"$exists": false}},
      "u": [{"$set": {"id": "a", "hits": 1, "status": "active", "created_at": "$$NOW"}}],
      "multi": false,
      "upsert": true
    }
  ]
}
affected

-- case: insert_default_keyword
INSERT INTO sess (id, status, note) VALUES ('a', DEFAULT, DEFAULT)
-- expect:
{
  "update": "sess",
  "updates": [
    {
      "q": {"_id": {"$exists": false}},
      "u": [
        {
          "$set": {"id": "a", "status": "active", "note": {"$literal": null}, "hits": 0, "created_at": "$$NOW"}
        }
      ],
      "multi": false,
      "upsert": true
    }
  ]
}
affected

-- case: insert_default_values
INSERT INTO sess DEFAULT VALUES
-- expect:
{
  "update": "sess",
  "updates": [
    {
      "q": {"_id": {"$exists": false}},
      "u": [{"$set": {"status": "active", "hits": 0, "created_at": "$$NOW"}}],
      "multi": false,
      "upsert": true
    }
  ]
}
affected

-- case: insert_select_adds_defaults
INSERT INTO sess (id) SELECT session_id FROM user_sessions
-- expect:
{
  "aggregate": "user_sessions",
  "pipeline": [
    {"$project": {"_id": 0, "session_id": 1}},
    {
      "$project": {
        "_id": 0,
        "id": "$session_id",
        "status": {"$literal": "active"},
        "hits": {"$literal": 0},
        "created_at": "$$NOW"
      }
    }
  ],
  "cursor": {}
}
{
  "insert": "sess",
  "documents": [{"$stepOutput": {"step": NumberLong(0), "field": "$$ROOT"}}],
  "ordered": true
}
affected
note: INSERT ... SELECT runs as two commands (the query, then an insert of its rows): not atomic

-- case: update_set_default
UPDATE sess SET hits = DEFAULT, note = DEFAULT WHERE id = 'a'
-- expect:
{
  "update": "sess",
  "updates": [{"q": {"id": "a"}, "u": {"$set": {"hits": 0, "note": null}}, "multi": true, "upsert": false}]
}
affected

-- case: refuse_default_reading_a_column
CREATE TABLE s3 (a INTEGER, b INTEGER DEFAULT a + 1)
-- error: cannot use column reference in DEFAULT expression at 1:47

-- case: refuse_default_subquery
CREATE TABLE s3 (a INTEGER DEFAULT (SELECT 1))
-- error: cannot use subquery in DEFAULT expression at 1:37

-- case: refuse_default_in_an_expression
INSERT INTO sess (id, hits) VALUES ('a', DEFAULT + 1)
-- error: unsupported: DEFAULT outside an INSERT's VALUES at 1:42

-- case: refuse_update_of_an_undeclared_column
UPDATE sess SET nope = 1
-- error: column "nope" of relation "sess" does not exist at 1:1

-- case: refuse_a_catalog_default_that_does_not_parse
INSERT INTO broken (k) VALUES ('a')
-- error: the DEFAULT of column "v" of relation "broken" does not parse (1 +): sql parser error: Expected: an expression, found: EOF at 1:1

-- case: refuse_a_catalog_default_that_reads_a_column
INSERT INTO reads (k) VALUES ('a')
-- error: the DEFAULT of column "v" of relation "reads" reads a column or a subquery (k || 'x') at 1:1
