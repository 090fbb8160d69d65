-- case: sessions_table
CREATE TABLE user_sessions (session_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ, session_data JSONB, active BOOLEAN, risk_score DOUBLE PRECISION)
-- expect:
{
  "create": "user_sessions",
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "required": ["session_id", "user_id", "created_at"],
      "properties": {
        "session_id": {"bsonType": ["string"]},
        "user_id": {"bsonType": ["string"]},
        "created_at": {"bsonType": ["date"]},
        "expires_at": {"bsonType": ["date", "null"]},
        "session_data": {},
        "active": {"bsonType": ["bool", "null"]},
        "risk_score": {"bsonType": ["double", "int", "long", "null"]}
      }
    }
  }
}
{
  "createIndexes": "user_sessions",
  "indexes": [{"key": {"session_id": 1}, "name": "user_sessions_pkey", "unique": true}]
}
affected

-- case: cache_table
CREATE TABLE application_cache (cache_key VARCHAR(255) NOT NULL, namespace TEXT, hit_count INTEGER NOT NULL, data_size BIGINT, tags TEXT[], cart_total NUMERIC(10,2), PRIMARY KEY (cache_key))
-- expect:
{
  "create": "application_cache",
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "required": ["cache_key", "hit_count"],
      "properties": {
        "cache_key": {"bsonType": ["string"]},
        "namespace": {"bsonType": ["string", "null"]},
        "hit_count": {"bsonType": ["int"]},
        "data_size": {"bsonType": ["int", "long", "null"]},
        "tags": {"bsonType": ["array", "null"]},
        "cart_total": {"bsonType": ["decimal", "double", "int", "long", "null"]}
      }
    }
  }
}
{
  "createIndexes": "application_cache",
  "indexes": [{"key": {"cache_key": 1}, "name": "application_cache_pkey", "unique": true}]
}
affected

-- case: unique_column
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE)
-- expect:
{
  "create": "users",
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "required": ["id"],
      "properties": {"id": {"bsonType": ["int"]}, "email": {"bsonType": ["string", "null"]}}
    }
  }
}
{
  "createIndexes": "users",
  "indexes": [
    {"key": {"id": 1}, "name": "users_pkey", "unique": true},
    {"key": {"email": 1}, "name": "users_email_key", "unique": true}
  ]
}
affected
note: UNIQUE on email: MongoDB's unique index allows only one NULL/missing value (PostgreSQL allows many)

-- case: composite_unique
CREATE TABLE t (a INT, b INT, UNIQUE (a, b))
-- expect:
{
  "create": "t",
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "properties": {"a": {"bsonType": ["int", "null"]}, "b": {"bsonType": ["int", "null"]}}
    }
  }
}
{"createIndexes": "t", "indexes": [{"key": {"a": 1, "b": 1}, "name": "t_a_b_key", "unique": true}]}
affected

-- case: default_kept_in_the_description
CREATE TABLE t (a INT DEFAULT 0)
-- expect:
{
  "create": "t",
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "properties": {"a": {"bsonType": ["int", "null"], "description": "DEFAULT 0"}}
    }
  }
}
affected

-- case: column_check
CREATE TABLE t (a INT CHECK (a > 0))
-- expect:
{
  "create": "t",
  "validator": {
    "$and": [
      {"$jsonSchema": {"bsonType": "object", "properties": {"a": {"bsonType": ["int", "null"]}}}},
      {
        "$expr": {"$not": [{"$and": [{"$ne": [{"$ifNull": ["$a", null]}, null]}, {"$lte": ["$a", 0]}]}]}
      }
    ]
  }
}
affected

-- case: foreign_key_refused
CREATE TABLE t (a INT REFERENCES u (id))
-- error: unsupported: column option REFERENCES u (id) at 1:17

-- case: unknown_type_refused
CREATE TABLE t (a INET)
-- error: unsupported: column type INET at 1:17

-- case: create_table_as_refused
CREATE TABLE t AS SELECT * FROM u
-- expect:
{"create": "t"}
{"aggregate": "u", "pipeline": [{"$project": {"_id": 0}}, {"$out": "t"}], "cursor": {}}
{"count": "t", "query": {}}
affected

-- case: if_not_exists
CREATE TABLE IF NOT EXISTS t (a INT)
-- expect:
{
  "create": "t",
  "validator": {"$jsonSchema": {"bsonType": "object", "properties": {"a": {"bsonType": ["int", "null"]}}}}
}
affected
tolerated error codes: 48

-- case: drop_table_if_exists
DROP TABLE IF EXISTS t, u
-- expect:
{"drop": "t"}
{"drop": "u"}
affected
tolerated error codes: 26, 27

-- case: table_check_constraints
CREATE TABLE items (id INT PRIMARY KEY, price NUMERIC CHECK (price > 0), lo INT, hi INT, CONSTRAINT range_ok CHECK (lo <= hi), CHECK (items.lo >= 0 OR hi IS NULL))
-- expect:
{
  "create": "items",
  "validator": {
    "$and": [
      {
        "$jsonSchema": {
          "bsonType": "object",
          "required": ["id"],
          "properties": {
            "id": {"bsonType": ["int"]},
            "price": {"bsonType": ["decimal", "double", "int", "long", "null"]},
            "lo": {"bsonType": ["int", "null"]},
            "hi": {"bsonType": ["int", "null"]}
          }
        }
      },
      {
        "$expr": {
          "$and": [
            {
              "$not": [{"$and": [{"$ne": [{"$ifNull": ["$price", null]}, null]}, {"$lte": ["$price", 0]}]}]
            },
            {
              "$not": [
                {
                  "$and": [
                    {"$ne": [{"$ifNull": ["$lo", null]}, null]},
                    {"$ne": [{"$ifNull": ["$hi", null]}, null]},
                    {"$gt": ["$lo", "$hi"]}
                  ]
                }
              ]
            },
            {
              "$not": [
                {
                  "$and": [
                    {"$ne": [{"$ifNull": ["$lo", null]}, null]},
                    {"$lt": ["$lo", 0]},
                    {"$ne": [{"$ifNull": ["$hi", null]}, null]}
                  ]
                }
              ]
            }
          ]
        }
      }
    ]
  }
}
{"createIndexes": "items", "indexes": [{"key": {"id": 1}, "name": "items_pkey", "unique": true}]}
affected

-- case: check_unknown_column
CREATE TABLE items (id INT, CHECK (price > 0))
-- error: column "price" does not exist at 1:36

-- case: check_subquery_refused
CREATE TABLE items (id INT CHECK (id IN (SELECT 1)))
-- error: unsupported: subquery in a CHECK constraint at 1:14

-- case: check_aggregate
CREATE TABLE items (id INT CHECK (MAX(id) > 0))
-- error: aggregate functions are not allowed in check constraints at 1:35
