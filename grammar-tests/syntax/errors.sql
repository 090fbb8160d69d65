-- case: missing_expression
SELECT * FROM t WHERE
-- error: syntax error at 2:1: Expected: an expression, found: EOF

-- case: typo_keyword
SELEC * FROM t
-- error: syntax error at 1:1: Expected: an SQL statement, found: SELEC

-- case: unterminated_string
SELECT * FROM t WHERE a = 'abc
-- error: syntax error at 1:27: Unterminated string literal

-- case: second_line_position
SELECT *
FROM t
WHERE a = = 1
-- error: syntax error at 3:11: Expected: an expression, found: =

-- case: show_indexes_without_from
SHOW INDEXES t
-- error: syntax error at 1:14: Expected: FROM, found: t

-- case: two_statements
DELETE FROM t WHERE a = 1; DELETE FROM t WHERE b = 2
-- expect:
{"delete": "t", "deletes": [{"q": {"a": 1}, "limit": 0}]}
affected
{"delete": "t", "deletes": [{"q": {"b": 2}, "limit": 0}]}
affected

-- case: comments
-- leading comment
SELECT /* inline */ a FROM t -- trailing
-- expect:
{"find": "t", "filter": {}, "projection": {"_id": 0, "a": 1}}
rows: a <- a

-- case: semicolon_inside_string
SELECT * FROM t WHERE a = 'x;y'
-- expect:
{"find": "t", "filter": {"a": "x;y"}}
rows: * (every field)
