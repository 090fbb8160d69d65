-- case: join
SELECT * FROM user_sessions s JOIN users u ON s.user_id = u.id
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: left_join
SELECT * FROM a LEFT JOIN b ON a.id = b.id
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: cross_join_comma
SELECT * FROM a, b
-- error: unsupported: SELECT * in a query with joins (select t.* of one table, or list the columns) at 1:1

-- case: right_join
SELECT s.session_id FROM user_sessions s RIGHT JOIN users u ON s.user_id = u.id
-- expect:
{
  "aggregate": "users",
  "pipeline": [
    {
      "$lookup": {
        "from": "user_sessions",
        "let": {"l0": "$id"},
        "pipeline": [
          {
            "$match": {
              "$expr": {
                "$and": [
                  {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                  {"$ne": [{"$ifNull": ["$$l0", null]}, null]},
                  {"$eq": ["$user_id", "$$l0"]}
                ]
              }
            }
          }
        ],
        "as": "__j1"
      }
    },
    {"$unwind": {"path": "$__j1", "preserveNullAndEmptyArrays": true}},
    {"$project": {"_id": 0, "c0": "$__j1.session_id"}}
  ],
  "cursor": {}
}
rows: session_id <- c0

-- case: truncate
TRUNCATE application_cache
-- error: unsupported: statement TRUNCATE application_cache at 1:10

-- case: begin_serializable
BEGIN ISOLATION LEVEL SERIALIZABLE
-- error: unsupported: transaction mode ISOLATION LEVEL SERIALIZABLE (MongoDB transactions read one snapshot: REPEATABLE READ) at 1:1

-- case: values_query
VALUES (1, 2)
-- error: unsupported: VALUES as a query at 1:8

-- case: sub_millisecond_timestamp_shift
SELECT created_at + INTERVAL '0.5 ms' FROM t
-- error: unsupported: a timestamp shifted by a fraction of a millisecond (MongoDB dates hold milliseconds) at 1:8

-- case: order_by_using_another_operator
SELECT a FROM c ORDER BY a USING <=
-- error: unsupported: ORDER BY ... USING <= (only USING < and USING >) at 1:26

-- case: order_by_using_after_a_set_operation
SELECT a FROM c UNION SELECT a FROM d ORDER BY a USING <=
-- error: unsupported: ORDER BY ... USING <= (only USING < and USING >) at 1:48

-- case: order_by_using_in_a_window
SELECT ROW_NUMBER() OVER (ORDER BY a USING <=) FROM c
-- error: unsupported: ORDER BY ... USING <= (only USING < and USING >) at 1:36

-- case: order_by_using_in_an_ordered_aggregate
SELECT STRING_AGG(a, ',' ORDER BY a USING <=) FROM c
-- error: unsupported: ORDER BY ... USING <= (only USING < and USING >) at 1:35

-- case: order_by_using_in_a_cte
WITH w AS (SELECT a FROM c ORDER BY a USING <=) SELECT a FROM w
-- error: unsupported: ORDER BY ... USING <= (only USING < and USING >) at 1:37

-- case: order_by_using_in_a_derived_table
SELECT x FROM (SELECT a AS x FROM c ORDER BY a USING <=) t
-- error: unsupported: ORDER BY ... USING <= (only USING < and USING >) at 1:46

-- case: order_by_using_in_a_view
CREATE VIEW v AS SELECT a FROM c ORDER BY a USING <=
-- error: unsupported: ORDER BY ... USING <= (only USING < and USING >) at 1:43

-- case: order_by_using_in_a_subquery
SELECT a FROM c WHERE a IN (SELECT b FROM d ORDER BY b USING <= LIMIT 3)
-- error: unsupported: ORDER BY ... USING <= (only USING < and USING >) at 1:54

-- case: order_by_position_past_a_set_operation_s_columns
SELECT a FROM c UNION SELECT a FROM d ORDER BY 2
-- error: position 2 is not in select list at 1:48

-- case: order_by_negative_position
SELECT a FROM c ORDER BY -1
-- error: position -1 is not in select list at 1:27

-- case: group_by_negative_position
SELECT a FROM c GROUP BY -1
-- error: position -1 is not in select list at 1:27

-- case: any_of_an_untyped_text_literal
SELECT k FROM c WHERE k = ANY('{a,b}')
-- error: unsupported: ANY / ALL of an untyped array literal compared with a value of unknown type (give the literal its type: '{...}'::int[], or write ARRAY[...]) at 1:31

-- case: two_qualified_stars_over_a_cross_join
SELECT t1.*, t2.* FROM a t1 CROSS JOIN b t2
-- error: unsupported: more than one * in the SELECT list (name the columns) at 1:14

-- case: star_and_qualified_star
SELECT *, t2.* FROM a t1 CROSS JOIN b t2
-- error: unsupported: more than one * in the SELECT list (name the columns) at 1:11

-- case: row_value_in_subquery
SELECT a FROM c WHERE (a, b) IN (SELECT x, y FROM d)
-- error: unsupported: row value IN (SELECT ...) at 1:24

-- case: order_by_expression_after_a_set_operation
SELECT a FROM c UNION SELECT a FROM d ORDER BY a + 1
-- error: unsupported: ORDER BY a + 1 after a set operation (name an output column or its position) at 1:48

-- case: groups_frame
SELECT SUM(a) OVER (ORDER BY a GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM c
-- error: unsupported: GROUPS frame at 1:8

-- case: order_by_inside_bool_and
SELECT BOOL_AND(a ORDER BY a) FROM c
-- error: unsupported: ORDER BY inside BOOL_AND() at 1:8

-- case: split_part_with_a_computed_position
SELECT SPLIT_PART(a, ',', b) FROM c
-- error: unsupported: SPLIT_PART with a field number that is not a non-zero constant at 1:27

-- case: column_type_without_a_bson_type
CREATE TABLE t (a money)
-- error: unsupported: column type money at 1:17

-- case: insert_values_with_fetch_first
INSERT INTO t (a) VALUES (1), (2) FETCH FIRST 1 ROW ONLY
-- error: unsupported: INSERT with ORDER BY/LIMIT/WITH at 1:1
