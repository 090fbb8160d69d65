-- catalog: {"tables": {"sess": {"columns": [{"name": "id", "type": "text", "not_null": true, "primary_key": true},
-- catalog: {"name": "expires_at", "type": "timestamptz"}, {"name": "hits", "type": "integer"},
-- catalog: {"name": "ok", "type": "boolean"}, {"name": "data", "type": "jsonb"}]}}}

-- case: declared_timestamp_compared_with_an_untyped_literal_keeps_the_query_language
SELECT id FROM sess WHERE expires_at < '2026-01-01 00:00:00+00'
-- expect:
{
  "find": "sess",
  "filter": {"expires_at": {"$lt": ISODate("2026-01-01T00:00:00Z")}},
  "projection": {"_id": 0, "id": 1}
}
rows: id <- id

-- case: declared_timestamp_between_and_in_untyped_literals
SELECT id FROM sess WHERE expires_at BETWEEN '2026-01-01' AND '2026-02-01' OR expires_at IN ('2025-12-24 18:00:00+01')
-- expect:
{
  "find": "sess",
  "filter": {
    "$or": [
      {
        "expires_at": {"$gte": ISODate("2026-01-01T00:00:00Z"), "$lte": ISODate("2026-02-01T00:00:00Z")}
      },
      {"expires_at": {"$in": [ISODate("2025-12-24T17:00:00Z")]}}
    ]
  },
  "projection": {"_id": 0, "id": 1}
}
rows: id <- id

-- case: timestamp_expression_compared_with_an_untyped_literal
SELECT id FROM sess WHERE now() > '2026-01-01' AND expires_at - INTERVAL '1 hour' < '2026-01-01'
-- expect:
{
  "find": "sess",
  "filter": {
    "$and": [
      {"$expr": {"$gt": ["$$NOW", ISODate("2026-01-01T00:00:00Z")]}},
      {
        "$expr": {
          "$and": [
            {
              "$ne": [
                {
                  "$ifNull": [
                    {"$dateSubtract": {"startDate": "$expires_at", "unit": "hour", "amount": NumberLong(1)}},
                    null
                  ]
                },
                null
              ]
            },
            {
              "$lt": [
                {"$dateSubtract": {"startDate": "$expires_at", "unit": "hour", "amount": NumberLong(1)}},
                ISODate("2026-01-01T00:00:00Z")
              ]
            }
          ]
        }
      }
    ]
  },
  "projection": {"_id": 0, "id": 1}
}
rows: id <- id

-- case: declared_timestamps_subtract_to_an_interval
SELECT id, expires_at - expires_at AS zero FROM sess
-- expect:
{
  "aggregate": "sess",
  "pipeline": [
    {
      "$project": {
        "_id": 0,
        "c0": "$id",
        "c1": {
          "$let": {
            "vars": {"us": {"$multiply": [{"$subtract": ["$expires_at", "$expires_at"]}, NumberLong(1000)]}},
            "in": {
              "$cond": [
                {"$eq": [{"$ifNull": ["$$us", null]}, null]},
                null,
                {
                  "months": 0,
                  "days": {"$toInt": {"$trunc": [{"$divide": ["$$us", NumberLong(86400000000)]}]}},
                  "micros": {"$mod": ["$$us", NumberLong(86400000000)]}
                }
              ]
            }
          }
        }
      }
    }
  ],
  "cursor": {}
}
rows: id <- c0, zero <- c1

-- case: untyped_literals_take_the_declared_column_types
INSERT INTO sess (id, expires_at, hits, ok, data) VALUES ('a', '2026-01-01 00:00:00+00', '3', 'yes', '{"k": 1}')
-- expect:
{
  "insert": "sess",
  "documents": [
    {
      "id": "a",
      "expires_at": ISODate("2026-01-01T00:00:00Z"),
      "hits": 3,
      "ok": true,
      "data": {"k": 1}
    }
  ],
  "ordered": true
}
affected

-- case: text_compared_with_an_untyped_literal_stays_text
SELECT id FROM sess WHERE id > '2026-01-01'
-- expect:
{"find": "sess", "filter": {"id": {"$gt": "2026-01-01"}}, "projection": {"_id": 0, "id": 1}}
rows: id <- id

-- case: refuse_an_untyped_literal_that_is_not_the_declared_type
INSERT INTO sess (id, hits) VALUES ('a', 'many')
-- error: invalid input for type INTEGER: "many" at 1:42
