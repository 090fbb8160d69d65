-- case: natural_join_without_declared_columns
SELECT * FROM a NATURAL JOIN b
-- error: unsupported: NATURAL JOIN with a collection without declared columns (the common columns are unknown: write USING (...) or ON) at 1:30

-- case: right_join_in_a_later_from_item
SELECT a.x FROM a, b RIGHT JOIN c ON c.k = b.k
-- error: unsupported: RIGHT / FULL JOIN inside a later item of a comma-separated FROM list (join the tables with CROSS JOIN instead of commas) at 1:33

-- case: unqualified_name_with_a_schemaless_collection
SELECT x FROM a JOIN b ON a.k = b.k
-- error: unsupported: unqualified column "x" in a query with joins over a collection without declared columns (qualify it with its table) at 1:8
