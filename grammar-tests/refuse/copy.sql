-- case: copy_from_a_file_is_run_by_the_client
COPY user_sessions FROM 'sessions.csv' (FORMAT csv, HEADER)
-- error: unsupported: COPY in a translation (COPY runs in the client: `sqlmongo run`, the REPL, \copy, or sqlmongo::copy::copy) at 1:1

-- case: copy_to_is_run_by_the_client
COPY (SELECT session_id FROM user_sessions) TO 'out.csv' (FORMAT csv)
-- error: unsupported: COPY in a translation (COPY runs in the client: `sqlmongo run`, the REPL, \copy, or sqlmongo::copy::copy) at 1:1

-- case: copy_program_is_refused
COPY user_sessions TO PROGRAM 'gzip > out.csv.gz'
-- error: unsupported: COPY ... PROGRAM (sqlmongo runs no shell commands; use a file) at 1:1

-- case: copy_query_from_is_a_syntax_error
COPY (SELECT 1) FROM 'x.csv'
-- error: syntax error at 1:22: COPY (query) FROM is not allowed: a query can only be copied TO a file
