//! The `sqlmongo` binary end to end: `run`, `exec`, `repl` (fed by standard input) and `translate`, in every
//! output format, with error reports and exit codes. Expected values come from the SQL itself (what was
//! inserted), not from earlier runs of the binary.

use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

impl Out {
    fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}\nstdout:\n{}", self.stdout))
            })
            .collect()
    }
}

/// Runs the binary with `args` and `stdin`, without MONGODB_URI from the environment.
fn sqlmongo(args: &[&str], stdin: &str) -> Out {
    sqlmongo_env(args, stdin, &[])
}

fn sqlmongo_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sqlmongo"));
    cmd.args(args)
        .env_remove("MONGODB_URI")
        .env("SQLMONGO_HISTORY", scratch_dir().join("history"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn sqlmongo");
    {
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for sqlmongo");
    Out {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn scratch_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-tests");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Writes a script to a fresh file and returns its path.
fn script(name: &str, text: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = scratch_dir().join(format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("script dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write script");
    path.to_string_lossy().into_owned()
}

const SETUP: &str = "\
CREATE COLLECTION user_sessions WITH (ttl_field = 'expires_at', expire_after_seconds = 0);
INSERT INTO user_sessions (session_id, user_id, created_at, tags, profile)
VALUES ('s1', 7, TIMESTAMP '2026-11-22 10:00:00', ARRAY['web', 'eu'], '{\"plan\": \"pro\", \"seats\": 3}'::jsonb),
       ('s2', 8, NULL, ARRAY['app'], NULL);
";

#[test]
fn json_has_one_line_per_statement_including_errors() {
    let path = script(
        "contract.sql",
        &format!(
            "{SETUP}SELECT session_id, user_id, created_at, tags, profile, nowhere FROM user_sessions ORDER BY session_id;\n\
             SELEC broken;\n\
             UPDATE user_sessions SET user_id = 9 WHERE session_id = 's2';\n\
             SELECT COUNT(*) AS n FROM user_sessions WHERE user_id = 9;\n"
        ),
    );
    let out = sqlmongo(
        &["--format", "json", "run", "--continue-on-error", &path],
        "",
    );
    let lines = out.json_lines();
    assert_eq!(lines.len(), 6, "stdout:\n{}", out.stdout);
    assert_eq!(lines[0], json!({"affected": 0}));
    assert_eq!(lines[1], json!({"affected": 2}));
    assert_eq!(
        lines[2],
        json!({
            "columns": ["session_id", "user_id", "created_at", "tags", "profile", "nowhere"],
            "rows": [
                ["s1", 7, {"$date": "2026-11-22T10:00:00.000Z"}, ["web", "eu"], {"plan": "pro", "seats": 3}, null],
                ["s2", 8, null, ["app"], null, null],
            ]
        })
    );
    let err = lines[3]["error"].as_str().expect("an error line");
    assert!(
        err.starts_with(&format!("{path}:6:1: syntax error")),
        "{err}"
    );
    assert_eq!(lines[4], json!({"affected": 1}));
    assert_eq!(lines[5], json!({"columns": ["n"], "rows": [[1]]}));
    // A failed statement still makes the exit code 1.
    assert_eq!(out.code, 1);
}

#[test]
fn run_stops_at_the_first_error_with_file_line_col_and_caret() {
    let path = script(
        "stop.sql",
        "CREATE COLLECTION c;\n\
         INSERT INTO c (k) VALUES (1);\n\
         SELECT k\n  FROM c\n  WHERE k = = 2;\n\
         INSERT INTO c (k) VALUES (2);\n",
    );
    let out = sqlmongo(&["--format", "json", "run", &path], "");
    assert_eq!(out.code, 1);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert_eq!(lines[1], json!({"affected": 1}));
    assert!(lines[2]["error"]
        .as_str()
        .is_some_and(|e| e.starts_with(&format!("{path}:5:13: "))));
    // stderr: the located message, the source line, a caret under column 13.
    let report: Vec<&str> = out.stderr.lines().collect();
    assert!(
        report[0].starts_with(&format!("{path}:5:13: syntax error")),
        "{}",
        out.stderr
    );
    assert_eq!(report[1], "    WHERE k = = 2;");
    assert_eq!(report[2], format!("  {}^", " ".repeat(12)));
}

#[test]
fn runtime_errors_point_at_the_statement() {
    let a = script(
        "a.sql",
        "CREATE COLLECTION c;\nCREATE UNIQUE INDEX c_k ON c (k);\nINSERT INTO c (k) VALUES ('y');\n",
    );
    let b = script(
        "b.sql",
        "SELECT k FROM c;\n   INSERT INTO c (k) VALUES ('y');\nSELECT 'never' AS x FROM c;\n",
    );
    let out = sqlmongo(&["--format", "jsonl", "run", &a, &b], "");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with(&format!("{b}:2:4: MongoDB error: E11000 duplicate key")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("(code 11000, DuplicateKey)"));
    // The statement after the failure did not run.
    assert!(!out.stdout.contains("never"), "{}", out.stdout);
}

#[test]
fn several_files_share_one_store() {
    let a = script(
        "sessions.sql",
        "CREATE COLLECTION s;\nINSERT INTO s (id, n) VALUES ('a', 1), ('b', 2), ('c', 3);\n",
    );
    let b = script(
        "cache.sql",
        "DELETE FROM s WHERE n >= 3;\nSELECT SUM(n) AS total, COUNT(*) AS rows FROM s;\n",
    );
    let out = sqlmongo(&["--format", "json", "run", &a, &b], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.json_lines(),
        vec![
            json!({"affected": 0}),
            json!({"affected": 3}),
            json!({"affected": 1}),
            json!({"columns": ["total", "rows"], "rows": [[3, 2]]}),
        ]
    );
}

#[test]
fn semicolons_in_strings_comments_and_dollar_quotes_do_not_split() {
    let path = script(
        "semi.sql",
        "-- a comment; with a semicolon\n\
         CREATE COLLECTION c; /* block; comment */\n\
         INSERT INTO c (k, v) VALUES ('a;b', $$x;y$$), ('it''s;', $tag$p;q$tag$);\n\
         SELECT k, v FROM c ORDER BY k -- trailing; comment\n",
    );
    let out = sqlmongo(&["--format", "json", "run", &path], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.json_lines(),
        vec![
            json!({"affected": 0}),
            json!({"affected": 2}),
            json!({"columns": ["k", "v"], "rows": [["a;b", "x;y"], ["it's;", "p;q"]]}),
        ]
    );
}

#[test]
fn jsonl_writes_one_object_per_row_in_column_order() {
    let out = sqlmongo(
        &[
            "--format",
            "jsonl",
            "exec",
            &format!("{SETUP}SELECT user_id, session_id, created_at FROM user_sessions ORDER BY user_id DESC"),
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            r#"{"affected":0}"#,
            r#"{"affected":2}"#,
            r#"{"user_id":8,"session_id":"s2","created_at":null}"#,
            r#"{"user_id":7,"session_id":"s1","created_at":{"$date":"2026-11-22T10:00:00.000Z"}}"#,
        ]
    );
}

#[test]
fn csv_quotes_per_rfc_4180() {
    let out = sqlmongo(
        &[
            "--format",
            "csv",
            "exec",
            "CREATE COLLECTION c; INSERT INTO c (i, k, note) VALUES (1, 'a,b', 'say \"hi\"'), (2, '', NULL), (3, 'two\nlines', 'x'); SELECT k, note FROM c ORDER BY i",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let expected =
        "affected\n0\naffected\n3\nk,note\n\"a,b\",\"say \"\"hi\"\"\"\n\"\",\n\"two\nlines\",x\n";
    assert_eq!(out.stdout, expected);
}

#[test]
fn table_shows_values_nulls_dates_and_row_counts() {
    let out = sqlmongo(
        &[
            "--format",
            "table",
            "exec",
            &format!("{SETUP}SELECT session_id, created_at, tags, profile FROM user_sessions ORDER BY session_id; DELETE FROM user_sessions WHERE user_id = 8"),
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = &out.stdout;
    assert!(s.starts_with("OK\n(2 rows affected)\n"), "{s}");
    let header = s
        .lines()
        .find(|l| l.contains("session_id"))
        .expect("header");
    let cols: Vec<&str> = ["session_id", "created_at", "tags", "profile"]
        .iter()
        .map(|c| {
            let at = header.find(c).expect("column in header");
            &header[at..at + c.len()]
        })
        .collect();
    assert_eq!(cols, ["session_id", "created_at", "tags", "profile"]);
    assert!(header.find("session_id") < header.find("created_at"));
    assert!(header.find("tags") < header.find("profile"));
    let s1 = s.lines().find(|l| l.contains(" s1 ")).expect("row s1");
    assert!(s1.contains("2026-11-22T10:00:00.000Z"), "{s1}");
    assert!(s1.contains(r#"["web","eu"]"#), "{s1}");
    assert!(s1.contains(r#"{"plan":"pro","seats":3}"#), "{s1}");
    let s2 = s.lines().find(|l| l.contains(" s2 ")).expect("row s2");
    assert_eq!(s2.matches("NULL").count(), 2, "{s2}");
    assert!(s.contains("\n(2 rows)\n"), "{s}");
    assert!(s.ends_with("(1 row affected)\n"), "{s}");
}

#[test]
fn exec_runs_each_statement_and_reports_errors_in_the_argument() {
    let out = sqlmongo(
        &[
            "--format",
            "json",
            "exec",
            "CREATE COLLECTION c; INSERT INTO c (k) VALUES ('a'); SELECT k FROM c WHERE k = ;",
        ],
        "",
    );
    assert_eq!(out.code, 1);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1], json!({"affected": 1}));
    assert!(out.stderr.starts_with("<sql>:1:"), "{}", out.stderr);
    let caret_line = out.stderr.lines().nth(2).expect("caret line");
    let src_line = out.stderr.lines().nth(1).expect("source line");
    let col = caret_line.find('^').expect("caret");
    assert_eq!(&src_line[col..col + 1], ";", "{}", out.stderr);
}

#[test]
fn run_reads_standard_input_with_dash() {
    let out = sqlmongo(
        &["--format", "jsonl", "run", "-"],
        "CREATE COLLECTION c;\nINSERT INTO c (k) VALUES (41), (1);\nSELECT SUM(k) AS s FROM c;\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().last(), Some(r#"{"s":42}"#));
}

#[test]
fn a_missing_file_fails_before_anything_runs() {
    let ok = script("ok.sql", "CREATE COLLECTION c;\n");
    let missing = format!("{ok}.does-not-exist");
    let out = sqlmongo(&["--format", "json", "run", &ok, &missing], "");
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with(&missing), "{}", out.stderr);
}

#[test]
fn repl_reads_statements_and_meta_commands_from_stdin() {
    let input = format!(
        "{SETUP}\\d\n\
         \\d user_sessions\n\
         \\format json\n\
         \\explain on\n\
         SELECT user_id\n  FROM user_sessions\n  WHERE session_id = 's1';\n\
         SELEC oops;\n\
         SELECT COUNT(*) AS n FROM user_sessions; SELECT session_id FROM user_sessions WHERE user_id = 8;\n\
         \\q\n\
         SELECT 'after quit' AS x FROM user_sessions;\n"
    );
    let out = sqlmongo(&["--format", "table", "repl"], &input);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let s = &out.stdout;
    // \d: the collection with its document count and TTL.
    let row = s
        .lines()
        .find(|l| l.contains("user_sessions") && l.contains("collection"))
        .expect("\\d row");
    assert!(row.contains(" 2 "), "{row}");
    assert!(row.contains("expires_at after 0s"), "{row}");
    // \d NAME: sampled fields with types, and the TTL index.
    let field = |name: &str| {
        s.lines()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("field {name} in:\n{s}"))
    };
    assert!(field("created_at").contains("date, null"));
    assert!(field("user_id").contains("int"));
    assert!(field("tags").contains("array"));
    assert!(field("profile.seats").contains("int"));
    assert!(s.contains(r#"{"expireAfterSeconds":0}"#), "{s}");
    assert!(s.contains("\nTTL: expires_at after 0s\n"), "{s}");
    // After \format json: one line per statement, errors included; nothing after \q.
    let json: Vec<Value> = s
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(
        json,
        vec![
            json!({"columns": ["user_id"], "rows": [[7]]}),
            json!({"error": "<stdin>:12:1: syntax error: Expected: an SQL statement, found: SELEC"}),
            json!({"columns": ["n"], "rows": [[2]]}),
            json!({"columns": ["session_id"], "rows": [["s2"]]}),
        ]
    );
    assert!(!s.contains("after quit"));
    // \explain on (json format): the commands go to stderr, before the result.
    assert!(
        out.stderr.contains(r#""find": "user_sessions""#),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(r#""session_id": "s1""#));
    // The error keeps the session alive and shows the statement with a caret.
    assert!(out.stderr.contains(
        "<stdin>:12:1: syntax error: Expected: an SQL statement, found: SELEC\n  SELEC oops;\n  ^"
    ));
}

#[test]
fn repl_positions_follow_the_input_across_statements_on_one_line() {
    let out = sqlmongo(
        &["--format", "json", "repl"],
        "CREATE COLLECTION c;\nSELECT 1 AS a FROM c; SELECT k FROM c WHERE k = = 1;\n",
    );
    assert!(
        out.stderr.contains("<stdin>:2:49: syntax error"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&format!("\n  {}^", " ".repeat(48))));
}

#[test]
fn no_subcommand_is_the_repl_and_a_last_statement_needs_no_semicolon() {
    let out = sqlmongo(
        &["--format", "jsonl"],
        "CREATE COLLECTION c;\nINSERT INTO c (k) VALUES ('v')\n;\nSELECT k\nFROM c",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().collect::<Vec<_>>(),
        vec![r#"{"affected":0}"#, r#"{"affected":1}"#, r#"{"k":"v"}"#]
    );
}

#[test]
fn repl_include_runs_a_file_in_the_session() {
    let path = script(
        "inc.sql",
        "CREATE COLLECTION c;\nINSERT INTO c (k) VALUES (5);\n",
    );
    let out = sqlmongo(
        &["--format", "jsonl", "repl"],
        &format!("\\i {path}\nSELECT k * 2 AS d FROM c;\n"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().last(), Some(r#"{"d":10}"#));
}

#[test]
fn uri_errors_are_one_clear_line_without_the_password() {
    for out in [
        sqlmongo(
            &[
                "--uri",
                "mongodb://app:s3cret@127.0.0.1:1/x",
                "exec",
                "SELECT 1",
            ],
            "",
        ),
        sqlmongo_env(
            &["run", "-"],
            "SELECT 1;",
            &[("MONGODB_URI", "mongodb://app:s3cret@127.0.0.1:1/x")],
        ),
    ] {
        assert_eq!(out.code, 2);
        assert_eq!(out.stdout, "");
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert!(
            out.stderr
                .starts_with("sqlmongo: cannot connect to mongodb://app:***@127.0.0.1:1/x: "),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("s3cret"));
    }
}

#[test]
fn explain_and_timing_flags_of_run() {
    let out = sqlmongo(
        &[
            "--format",
            "table",
            "exec",
            "--explain",
            "--timing",
            "CREATE COLLECTION c; SELECT k FROM c WHERE k = 1",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let explain_at = out.stdout.find(r#""find": "c""#).expect("explain output");
    let rows_at = out.stdout.find("(0 rows)").expect("row count");
    assert!(explain_at < rows_at);
    assert_eq!(out.stdout.matches("Time: ").count(), 2, "{}", out.stdout);
}

#[test]
fn translate_still_prints_the_commands() {
    let out = sqlmongo(
        &[
            "translate",
            "DELETE FROM application_cache WHERE cache_key = 'k'",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("pretty json");
    assert_eq!(v[0]["commands"][0]["delete"], json!("application_cache"));
    let out = sqlmongo(&["translate", "SELECT k FROM c WHERE k = = 1"], "");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with("<argument>:1:27: "),
        "{}",
        out.stderr
    );
}

#[test]
fn every_command_has_help() {
    for cmd in ["run", "exec", "repl", "translate"] {
        let out = sqlmongo(&[cmd, "--help"], "");
        assert_eq!(out.code, 0, "{cmd}");
        assert!(
            out.stdout.contains(&format!("Usage: sqlmongo {cmd}")),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("--format"), "{cmd}");
    }
    let out = sqlmongo(&["--help"], "");
    for word in [
        "run",
        "exec",
        "repl",
        "translate",
        "--uri",
        "MONGODB_URI",
        "--db",
    ] {
        assert!(out.stdout.contains(word), "{word}");
    }
}

#[test]
fn an_unterminated_string_is_reported_after_the_statements_before_it_ran() {
    let path = script(
        "open.sql",
        "CREATE COLLECTION c;\nINSERT INTO c (k) VALUES ('ok');\nINSERT INTO c (k) VALUES ('open;\n",
    );
    let out = sqlmongo(&["run", &path, "--format", "json"], "");
    assert_eq!(out.code, 1);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert_eq!(lines[1], json!({"affected": 1}));
    let err = lines[2]["error"].as_str().expect("error line");
    assert!(err.starts_with(&format!("{path}:3:")), "{err}");
    assert!(err.contains("Unterminated string literal"), "{err}");
}

#[test]
fn repl_meta_commands_change_format_and_timing_and_reject_unknown_ones() {
    let out = sqlmongo(
        &["--format", "table", "repl"],
        "CREATE COLLECTION c;\nINSERT INTO c (k, v) VALUES ('a,b', NULL);\n\\format csv\n\\timing on\nSELECT k, v FROM c;\n\\nope\n\\format yaml\n\\d missing\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with("k,v\n\"a,b\",\n"), "{}", out.stdout);
    assert!(out.stderr.contains("Timing is on."), "{}", out.stderr);
    assert!(out.stderr.contains("Time: "), "{}", out.stderr);
    assert!(out.stderr.contains("error: unknown command \\nope"));
    assert!(out
        .stderr
        .contains("error: \\format takes table, json, jsonl or csv"));
    assert!(out.stderr.contains("no collection named \"missing\""));
}

#[test]
fn translate_into_a_closed_pipe_ends_quietly() {
    // `sqlmongo translate ... | head -c 1`: the reader goes away after one byte.
    let mut child = Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .args(["translate", &"SELECT 1 AS a; ".repeat(2_000)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut one = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut one).expect("one byte");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// `sqlmongo serve` on a free port, stopped when dropped.
struct Served {
    child: std::process::Child,
    port: u16,
}

impl Served {
    fn start() -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
            .args(["serve", "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn serve");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "serve did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Served { child, port }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn uri_path_names_the_database_and_exit_is_clean() {
    let served = Served::start();
    let uri = format!("mongodb://127.0.0.1:{}/appdb", served.port);
    let base = format!("mongodb://127.0.0.1:{}", served.port);
    let run = |args: &[&str]| {
        let out = sqlmongo(args, "");
        // The driver's pools are shut down before the runtime: no panic at exit.
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    run(&["--uri", &uri, "exec", "INSERT INTO c (k) VALUES (7)"]);
    let select = "SELECT k FROM c";
    // Without --db: the URI's database.
    for _ in 0..10 {
        assert_eq!(
            run(&["--uri", &uri, "--format", "jsonl", "exec", select]),
            "{\"k\":7}\n"
        );
    }
    // --db wins over the URI's path; without either, `sqlmongo`.
    assert_eq!(
        run(&["--uri", &uri, "--db", "other", "--format", "jsonl", "exec", select]),
        ""
    );
    assert_eq!(
        run(&["--uri", &base, "--format", "jsonl", "exec", select]),
        ""
    );
    assert_eq!(
        run(&["--uri", &base, "--db", "appdb", "--format", "jsonl", "exec", select]),
        "{\"k\":7}\n"
    );
}

#[test]
fn catalog_dump_feeds_offline_translation() {
    let data = PathBuf::from(script("unused", "")).with_file_name("store");
    let d = data.to_string_lossy().into_owned();
    let out = sqlmongo(
        &[
            "--data",
            &d,
            "exec",
            "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER); CREATE VIEW vw AS SELECT k, v * 2 AS dbl FROM t",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file = data.with_file_name("catalog.json");
    let f = file.to_string_lossy().into_owned();
    let out = sqlmongo(&["--data", &d, "catalog", "dump", "--out", &f], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let catalog: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        catalog["tables"]["t"]["columns"],
        json!([{"name": "k", "type": "text", "not_null": true}, {"name": "v", "type": "integer"}])
    );
    assert_eq!(catalog["views"]["vw"]["columns"], json!(["k", "dbl"]));
    // Offline, with the file: the declared columns; without it: the schemaless `*`.
    let with = sqlmongo(&["translate", "--catalog", &f, "SELECT * FROM t"], "");
    assert_eq!(with.code, 0, "{}", with.stderr);
    let plan: Value = serde_json::from_str(&with.stdout).unwrap();
    let find = &plan[0]["commands"][0];
    assert_eq!(
        find["projection"],
        json!({"_id": 0, "k": 1, "v": 1}),
        "{}",
        with.stdout
    );
    let without = sqlmongo(&["translate", "SELECT * FROM t"], "");
    assert!(!without.stdout.contains("projection"), "{}", without.stdout);
    let unknown = sqlmongo(&["translate", "--catalog", &f, "SELECT nope FROM vw"], "");
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("column \"nope\" does not exist"),
        "{}",
        unknown.stderr
    );
    let bad = script("bad.json", "{\"tables\": 3}");
    let out = sqlmongo(&["translate", "--catalog", &bad, "SELECT 1"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// Text output shows instants in the session time zone (psql shows `timestamptz` in `TimeZone`), with the
/// offset of that instant; wall-clock `timestamp` values never move; JSON keeps the UTC instant.
#[test]
fn text_formats_show_dates_in_the_session_time_zone() {
    let script = "SELECT TIMESTAMPTZ '2024-07-01 10:00:00+00' AS t, TIMESTAMP '2024-07-01 10:00:00' AS wall;\n\
                  SET TIME ZONE 'Europe/Paris';\n\
                  SELECT TIMESTAMPTZ '2024-07-01 10:00:00+00' AS t, TIMESTAMP '2024-07-01 10:00:00' AS wall,\n\
                  TIMESTAMPTZ '2024-01-01 10:00:00+00' AS winter;\n";
    let csv = sqlmongo(&["run", "--format", "csv", "-"], script);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert!(
        lines.contains(&"2024-07-01T10:00:00.000Z,2024-07-01T10:00:00.000"),
        "{lines:?}"
    );
    assert!(
        lines.contains(
            &"2024-07-01T12:00:00.000+02:00,2024-07-01T10:00:00.000,2024-01-01T11:00:00.000+01:00"
        ),
        "{lines:?}"
    );
    let table = sqlmongo(&["run", "--format", "table", "-"], script);
    assert!(
        table.stdout.contains("2024-07-01T12:00:00.000+02:00"),
        "{}",
        table.stdout
    );
    let json = sqlmongo(&["run", "--format", "jsonl", "-"], script);
    let rows = json.json_lines();
    assert_eq!(
        rows[2]["t"]["$date"], "2024-07-01T10:00:00.000Z",
        "{rows:?}"
    );
}

#[test]
fn transaction_blocks_in_a_script_warn_as_psql_does() {
    let out = sqlmongo(
        &[
            "--format",
            "json",
            "exec",
            "CREATE COLLECTION c; BEGIN; BEGIN; INSERT INTO c (k) VALUES ('a'); ROLLBACK; COMMIT; \
             START TRANSACTION; INSERT INTO c (k) VALUES ('b'); END; SELECT k FROM c;",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("WARNING:  there is already a transaction in progress"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("WARNING:  there is no transaction in progress"),
        "{}",
        out.stderr
    );
    let lines = out.json_lines();
    assert_eq!(
        lines.last(),
        Some(&json!({"columns": ["k"], "rows": [["b"]]})),
        "{}",
        out.stdout
    );
}

#[test]
fn an_error_of_any_kind_in_a_script_fails_the_transaction_block_as_psql() {
    // A parse error and a translation refusal each fail the block: the INSERT after it is
    // refused ("current transaction is aborted") and COMMIT rolls back the INSERT before it.
    for bad in ["SELEC 1;", "SELECT no_such_function(k) FROM c;"] {
        let script = format!(
            "CREATE COLLECTION c; BEGIN; INSERT INTO c (k) VALUES ('a'); {bad}\n\
             INSERT INTO c (k) VALUES ('b'); COMMIT; SELECT count(*) AS n FROM c;"
        );
        let out = sqlmongo(
            &["--format", "json", "run", "--continue-on-error", "-"],
            &script,
        );
        assert_eq!(out.code, 1, "{bad}: {}", out.stderr);
        assert!(
            out.stderr.contains("current transaction is aborted"),
            "{bad}: {}",
            out.stderr
        );
        assert_eq!(
            out.json_lines().last(),
            Some(&json!({"columns": ["n"], "rows": [[0]]})),
            "{bad}: {}",
            out.stdout
        );
    }
}
