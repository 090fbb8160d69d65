//! COPY end to end on the embedded engine through the library (`sqlmongo::copy`) and the binary (`run`, the
//! REPL's `\copy`): round trips of real files, located errors with nothing written, the undo of a refused
//! insert, ON_ERROR ignore, HEADER MATCH, the option rules, and JSON lines as mongoexport writes them.

use bson::{doc, Bson};
use sqlmongo::copy::{copy_sql, CopyError};
use sqlmongo::Client;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh scratch directory for one test.
fn dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "sqlmongo-copy-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn sql_path(p: &std::path::Path) -> String {
    p.display().to_string().replace('\'', "''")
}

async fn rows(client: &Client, sql: &str) -> Vec<Vec<Bson>> {
    client.query(sql, &[]).await.unwrap().rows
}

const TABLE: &str = "CREATE TABLE s (sid text PRIMARY KEY, uid integer, big bigint, ts timestamp, \
                     amount numeric, score double precision, ok boolean, data jsonb)";

/// Every kind of value PostgreSQL's CSV has rules for: NULL, '', quotes, the delimiter, newlines, unicode.
const CSV: &str = "sid,uid,big,ts,amount,score,ok,data\n\
s1,7,9000000000,2024-01-02 10:00:00+00,1.50,1.5,t,\"{\"\"a\"\": [1, 2]}\"\n\
\"\",,,,,,,\n\
\"a,b\",-3,0,2024-01-02 10:00:00.5+00,0.001,1e-05,f,\"\"\"x\"\"\"\n\
\"line\nbreak\",0,1,1999-12-31 23:59:59.999+00,-12,1e+20,t,[]\n\
\"quote\"\"d\",1,1,2024-02-29 00:00:00+00,100,-0.25,f,{}\n\
héllo ☃,2,2,2024-01-01 00:00:00+00,3.14159,0.1,t,\"{\"\"k\"\": \"\"ü\"\"}\"\n";

#[test]
fn a_csv_file_round_trips_byte_for_byte() {
    let d = dir();
    let input = d.join("in.csv");
    std::fs::write(&input, CSV).unwrap();
    rt().block_on(async {
        let client = Client::embedded();
        client.execute(TABLE, &[]).await.unwrap();
        let done = copy_sql(
            &client,
            &format!(
                "COPY s FROM '{}' (FORMAT csv, HEADER MATCH)",
                sql_path(&input)
            ),
        )
        .await
        .unwrap();
        assert_eq!(done.rows, 6);
        let got = rows(
            &client,
            "SELECT uid, big, ok, amount FROM s WHERE sid = 's1'",
        )
        .await;
        assert_eq!(
            got,
            vec![vec![
                Bson::Int32(7),
                Bson::Int64(9_000_000_000),
                Bson::Boolean(true),
                Bson::Decimal128("1.50".parse().unwrap()),
            ]]
        );
        // The quoted empty string is a value, the unquoted empty field NULL.
        let got = rows(&client, "SELECT sid, uid FROM s WHERE sid = ''").await;
        assert_eq!(got, vec![vec![Bson::String(String::new()), Bson::Null]]);
        let out = d.join("out.csv");
        let done = copy_sql(
            &client,
            &format!("COPY s TO '{}' (FORMAT csv, HEADER)", sql_path(&out)),
        )
        .await
        .unwrap();
        assert_eq!(done.rows, 6);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), CSV);
    });
}

#[test]
fn the_text_format_round_trips_its_escapes() {
    let d = dir();
    let input = d.join("in.txt");
    let text = "a\\tb\\\\c\t1\n\\N\t\\N\nline\\nbreak\\r\t2\nnull-ish \\\\N\t3\n";
    std::fs::write(&input, text).unwrap();
    rt().block_on(async {
        let client = Client::embedded();
        client
            .execute("CREATE TABLE t (s text, n integer)", &[])
            .await
            .unwrap();
        copy_sql(&client, &format!("COPY t FROM '{}'", sql_path(&input)))
            .await
            .unwrap();
        let got = rows(&client, "SELECT s FROM t WHERE n = 1").await;
        assert_eq!(got, vec![vec![Bson::String("a\tb\\c".into())]]);
        let got = rows(&client, "SELECT s FROM t WHERE n = 3").await;
        assert_eq!(got, vec![vec![Bson::String("null-ish \\N".into())]]);
        let out = d.join("out.txt");
        copy_sql(&client, &format!("COPY t TO '{}'", sql_path(&out)))
            .await
            .unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    });
}

#[test]
fn a_bad_row_is_file_line_and_nothing_is_inserted() {
    let d = dir();
    let input = d.join("bad.csv");
    let mut text = String::from("sid,uid\n");
    for i in 0..2500 {
        text.push_str(&format!("s{i},{i}\n"));
    }
    text.push_str("bad,12x\n");
    std::fs::write(&input, &text).unwrap();
    rt().block_on(async {
        let client = Client::embedded();
        client
            .execute("CREATE TABLE s (sid text PRIMARY KEY, uid integer)", &[])
            .await
            .unwrap();
        let e = copy_sql(
            &client,
            &format!("COPY s FROM '{}' (FORMAT csv, HEADER)", sql_path(&input)),
        )
        .await
        .unwrap_err();
        match &e {
            CopyError::Data { line, message, .. } => {
                assert_eq!(*line, 2502);
                assert_eq!(
                    message,
                    "invalid input syntax for type integer: \"12x\" (COPY s, column uid)"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(
            e.to_string().ends_with(
                "bad.csv:2502: invalid input syntax for type integer: \"12x\" (COPY s, column uid)"
            ),
            "{e}"
        );
        let n = rows(&client, "SELECT count(*) FROM s").await;
        assert_eq!(n, vec![vec![Bson::Int32(0)]]);
        // Column count and NOT NULL are checked too.
        std::fs::write(&input, "a,1\nb\n").unwrap();
        let e = copy_sql(
            &client,
            &format!("COPY s FROM '{}' (FORMAT csv)", sql_path(&input)),
        )
        .await
        .unwrap_err();
        assert!(
            e.to_string()
                .ends_with(":2: missing data for column \"uid\""),
            "{e}"
        );
        std::fs::write(&input, "a,1,2\n").unwrap();
        let e = copy_sql(
            &client,
            &format!("COPY s FROM '{}' (FORMAT csv)", sql_path(&input)),
        )
        .await
        .unwrap_err();
        assert!(
            e.to_string()
                .ends_with(":1: extra data after last expected column"),
            "{e}"
        );
        std::fs::write(&input, ",1\n").unwrap();
        let e = copy_sql(
            &client,
            &format!("COPY s FROM '{}' (FORMAT csv)", sql_path(&input)),
        )
        .await
        .unwrap_err();
        assert!(
            e.to_string().ends_with(
                ":1: null value in column \"sid\" of relation \"s\" violates not-null constraint"
            ),
            "{e}"
        );
    });
}

#[test]
fn a_refused_insert_part_way_removes_what_the_copy_inserted() {
    let d = dir();
    let input = d.join("dup.csv");
    let mut text = String::new();
    for i in 0..2500 {
        text.push_str(&format!("s{i},{i}\n"));
    }
    text.push_str("existing,1\n");
    std::fs::write(&input, &text).unwrap();
    rt().block_on(async {
        let client = Client::embedded();
        client
            .execute("CREATE TABLE s (sid text PRIMARY KEY, uid integer)", &[])
            .await
            .unwrap();
        client
            .execute("INSERT INTO s (sid, uid) VALUES ('existing', 42)", &[])
            .await
            .unwrap();
        let e = copy_sql(
            &client,
            &format!("COPY s FROM '{}' (FORMAT csv)", sql_path(&input)),
        )
        .await
        .unwrap_err();
        let CopyError::Data { line, message, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(*line, 2501);
        assert!(message.contains("duplicate key"), "{message}");
        // The 2,500 rows inserted in three batches before it are gone; the row that was there stays.
        let got = rows(&client, "SELECT sid, uid FROM s").await;
        assert_eq!(
            got,
            vec![vec![Bson::String("existing".into()), Bson::Int32(42)]]
        );
    });
}

#[test]
fn on_error_ignore_skips_rows_that_do_not_convert() {
    let d = dir();
    let input = d.join("mixed.csv");
    std::fs::write(&input, "a,1\nb,x\nc,3\nd,4000000000\n").unwrap();
    rt().block_on(async {
        let client = Client::embedded();
        client
            .execute("CREATE TABLE s (sid text, uid integer)", &[])
            .await
            .unwrap();
        let done = copy_sql(
            &client,
            &format!(
                "COPY s FROM '{}' (FORMAT csv, ON_ERROR ignore, LOG_VERBOSITY verbose)",
                sql_path(&input)
            ),
        )
        .await
        .unwrap();
        assert_eq!((done.rows, done.skipped), (2, 2));
        assert_eq!(
            done.notices.last().map(String::as_str),
            Some("2 rows were skipped due to data type incompatibility")
        );
        assert!(
            done.notices[0].starts_with("skipping row due to data type incompatibility at line 2")
        );
        let got = rows(&client, "SELECT sid FROM s ORDER BY sid").await;
        assert_eq!(got, vec![vec![Bson::from("a")], vec![Bson::from("c")]]);
    });
}

#[test]
fn header_match_and_the_options_follow_postgresql() {
    let d = dir();
    let input = d.join("h.csv");
    std::fs::write(&input, "sid,user\ns1,1\n").unwrap();
    let f = sql_path(&input);
    rt().block_on(async {
        let client = Client::embedded();
        client
            .execute("CREATE TABLE s (sid text, uid integer)", &[])
            .await
            .unwrap();
        let e = copy_sql(
            &client,
            &format!("COPY s FROM '{f}' (FORMAT csv, HEADER MATCH)"),
        )
        .await
        .unwrap_err();
        assert!(
            e.to_string().ends_with(
                ":1: column name mismatch in header line field 2: got \"user\", expected \"uid\""
            ),
            "{e}"
        );
        let cases = [
            (
                format!("COPY s FROM '{f}' (FORMAT csv, FORMAT text)"),
                "conflicting or redundant options",
            ),
            (
                format!("COPY s FROM '{f}' (QUOTE '\"')"),
                "COPY quote available only in CSV mode",
            ),
            (
                format!("COPY s FROM '{f}' (FORMAT csv, DELIMITER ';;')"),
                "COPY delimiter must be a single one-byte character",
            ),
            (
                format!("COPY s FROM '{f}' (FORMAT csv, FORCE_QUOTE *)"),
                "COPY force quote only available using COPY TO",
            ),
            (
                format!("COPY s TO '{f}' (FORMAT csv, HEADER MATCH)"),
                "cannot use \"match\" with HEADER in COPY TO",
            ),
            (
                format!("COPY s FROM '{f}' (FORMAT csv, FORCE_NOT_NULL (nope))"),
                "FORCE_NOT_NULL column \"nope\" not referenced by COPY",
            ),
            (
                format!("COPY s FROM '{f}' (FORMAT binary)"),
                "COPY format \"binary\" is not supported (use csv, text or json)",
            ),
            (
                format!("COPY s FROM '{f}' (FORMAT csv, ENCODING 'LATIN1')"),
                "COPY encoding \"LATIN1\": only UTF8 is supported",
            ),
            (
                format!("COPY s FROM '{f}' (FREEZE, WHATEVER 1)"),
                "option \"whatever\" not recognized",
            ),
            (
                format!("COPY s (nope) FROM '{f}'"),
                "column \"nope\" of relation \"s\" does not exist",
            ),
            (
                "COPY s FROM PROGRAM 'cat x'".to_string(),
                "COPY ... PROGRAM is not supported: sqlmongo runs no shell commands (use a file)",
            ),
            (
                "COPY s FROM STDIN".to_string(),
                "COPY FROM STDIN is not supported here",
            ),
        ];
        for (sql, want) in cases {
            let e = copy_sql(&client, &sql).await.unwrap_err();
            assert!(e.to_string().contains(want), "{sql}: {e}");
        }
        // The option errors point at the option.
        let e = copy_sql(
            &client,
            &format!("COPY s FROM '{f}' (FORMAT csv,\n  QUOTE 'ab')"),
        )
        .await
        .unwrap_err();
        let CopyError::Statement(e) = e else { panic!() };
        assert_eq!(e.position(), Some((2, 3)));
        // Legacy syntax: WITH CSV HEADER DELIMITER AS ';'.
        std::fs::write(&input, "sid;uid\nx;5\n").unwrap();
        let done = copy_sql(
            &client,
            &format!("COPY s FROM '{f}' WITH CSV HEADER DELIMITER AS ';'"),
        )
        .await
        .unwrap();
        assert_eq!(done.rows, 1);
    });
}

#[test]
fn a_collection_without_declared_columns_takes_text_in_named_columns() {
    let d = dir();
    let input = d.join("free.csv");
    std::fs::write(&input, "k1,1\nk2,\n").unwrap();
    let f = sql_path(&input);
    rt().block_on(async {
        let client = Client::embedded();
        let e = copy_sql(&client, &format!("COPY cache FROM '{f}' (FORMAT csv)"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("has no declared columns"), "{e}");
        copy_sql(
            &client,
            &format!("COPY cache (key, hits) FROM '{f}' (FORMAT csv)"),
        )
        .await
        .unwrap();
        let got = rows(&client, "SELECT key, hits FROM cache ORDER BY key").await;
        assert_eq!(
            got,
            vec![
                vec![Bson::from("k1"), Bson::from("1")],
                vec![Bson::from("k2"), Bson::Null]
            ]
        );
    });
}

#[test]
fn declared_defaults_fill_left_out_columns_with_one_statement_time() {
    // 2,500 rows: three insert batches, one `now()` (PostgreSQL's statement time) for all of them.
    let d = dir();
    let input = d.join("ids.csv");
    let text: String = (0..2500).map(|i| format!("s{i}\n")).collect();
    std::fs::write(&input, text).unwrap();
    let f = sql_path(&input);
    rt().block_on(async {
        let client = Client::embedded();
        client
            .execute(
                "CREATE TABLE sess (sid text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), \
                 expires_at timestamptz DEFAULT now() + INTERVAL '30 minutes', hits integer DEFAULT '0')",
                &[],
            )
            .await
            .unwrap();
        let done = copy_sql(&client, &format!("COPY sess (sid) FROM '{f}' (FORMAT csv)"))
            .await
            .unwrap();
        assert_eq!(done.rows, 2500);
        let got = rows(
            &client,
            "SELECT COUNT(*) AS n, COUNT(DISTINCT created_at) AS times, \
             MIN(expires_at - created_at) = INTERVAL '30 minutes' AS thirty, SUM(hits) AS hits, \
             MAX(created_at) <= now() AS past FROM sess",
        )
        .await;
        assert_eq!(
            got,
            vec![vec![
                Bson::Int32(2500),
                Bson::Int32(1),
                Bson::Boolean(true),
                Bson::Int32(0),
                Bson::Boolean(true)
            ]]
        );
        // The column list naming every column: no default is evaluated or written.
        let e = copy_sql(
            &client,
            &format!("COPY sess (sid, created_at) FROM '{f}' (FORMAT csv)"),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("missing data for column"), "{e}");
    });
}

#[test]
fn a_default_that_fails_or_is_null_for_a_not_null_column_fails_the_copy() {
    let d = dir();
    let input = d.join("ids.csv");
    std::fs::write(&input, "s1\ns2\n").unwrap();
    let f = sql_path(&input);
    rt().block_on(async {
        let client = Client::embedded();
        client
            .execute(
                "CREATE TABLE a (sid text, n integer NOT NULL DEFAULT NULL); \
                 CREATE TABLE b (sid text, n integer DEFAULT 1 / 0)",
                &[],
            )
            .await
            .unwrap();
        // PostgreSQL: null value in column "n" ... violates not-null constraint; nothing inserted.
        let e = copy_sql(&client, &format!("COPY a (sid) FROM '{f}' (FORMAT csv)"))
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains(
                "null value in column \"n\" of relation \"a\" violates not-null constraint"
            ),
            "{e}"
        );
        // PostgreSQL: division by zero (here MongoDB's "can't $divide by zero"); nothing inserted.
        let e = copy_sql(&client, &format!("COPY b (sid) FROM '{f}' (FORMAT csv)"))
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("the DEFAULTs of relation \"b\" could not be evaluated")
                && e.to_string().contains("divide by zero")
                && !e.to_string().contains("0:0"),
            "{e}"
        );
        for t in ["a", "b"] {
            let n = rows(&client, &format!("SELECT COUNT(*) AS n FROM {t}")).await;
            assert_eq!(n, vec![vec![Bson::Int32(0)]], "{t}");
        }
    });
}

#[test]
fn json_lines_are_what_mongoexport_writes_and_mongoimport_reads() {
    let d = dir();
    let out = d.join("out.json");
    rt().block_on(async {
        let client = Client::embedded();
        let oid = bson::oid::ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").unwrap();
        let when = bson::DateTime::from_millis(1_704_189_600_000); // 2024-01-02T10:00:00Z
        let reply = client
            .backend()
            .run_command(
                "sqlmongo",
                doc! {"insert": "events", "documents": [
                    {"_id": oid, "at": when, "amount": Bson::Decimal128("1.50".parse().unwrap()),
                     "n": 1, "big": 9_000_000_000i64, "f": 2.5, "tags": ["a"], "meta": {"ok": true}, "none": Bson::Null},
                ]},
            )
            .await
            .unwrap();
        assert_eq!(reply.get_i32("n").ok(), Some(1));
        copy_sql(&client, &format!("COPY events TO '{}' (FORMAT json)", sql_path(&out)))
            .await
            .unwrap();
        // mongoexport's relaxed Extended JSON v2, one compact document per line.
        let expected = r#"{"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"at":{"$date":"2024-01-02T10:00:00Z"},"amount":{"$numberDecimal":"1.50"},"n":1,"big":9000000000,"f":2.5,"tags":["a"],"meta":{"ok":true},"none":null}"#;
        assert_eq!(std::fs::read_to_string(&out).unwrap(), format!("{expected}\n"));
        let canonical = d.join("canonical.json");
        copy_sql(
            &client,
            &format!("COPY events TO '{}' (FORMAT json, JSON_FORMAT canonical)", sql_path(&canonical)),
        )
        .await
        .unwrap();
        let text = std::fs::read_to_string(&canonical).unwrap();
        assert!(text.contains(r#""at":{"$date":{"$numberLong":"1704189600000"}}"#), "{text}");
        assert!(text.contains(r#""n":{"$numberInt":"1"}"#), "{text}");
        // Both read back to the same documents.
        for file in [&out, &canonical] {
            client.execute("DROP TABLE IF EXISTS copy_back", &[]).await.unwrap();
            copy_sql(&client, &format!("COPY copy_back FROM '{}' (FORMAT json)", sql_path(file)))
                .await
                .unwrap();
            let a = client
                .backend()
                .run_command("sqlmongo", doc! {"find": "events"})
                .await
                .unwrap();
            let b = client
                .backend()
                .run_command("sqlmongo", doc! {"find": "copy_back"})
                .await
                .unwrap();
            assert_eq!(
                a.get_document("cursor").unwrap().get_array("firstBatch").unwrap(),
                b.get_document("cursor").unwrap().get_array("firstBatch").unwrap()
            );
        }
        // A query's rows as documents keyed by column.
        let q = d.join("q.json");
        copy_sql(
            &client,
            &format!("COPY (SELECT n, amount FROM events) TO '{}' (FORMAT json)", sql_path(&q)),
        )
        .await
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&q).unwrap(),
            "{\"n\":1,\"amount\":{\"$numberDecimal\":\"1.50\"}}\n"
        );
        // A bad line is FILE:LINE and nothing is inserted.
        std::fs::write(&q, "{\"a\": 1}\n\n{\"a\": \n").unwrap();
        let e = copy_sql(&client, &format!("COPY bad FROM '{}' (FORMAT json)", sql_path(&q)))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("q.json:3: invalid JSON"), "{e}");
        let n = rows(&client, "SELECT count(*) FROM bad").await;
        assert_eq!(n, vec![vec![Bson::Int32(0)]]);
    });
}

#[test]
fn a_failed_copy_to_leaves_no_file() {
    let d = dir();
    let out = d.join("never.csv");
    rt().block_on(async {
        let client = Client::embedded();
        client
            .execute("INSERT INTO t (a) VALUES (1)", &[])
            .await
            .unwrap();
        let e = copy_sql(
            &client,
            &format!(
                "COPY (SELECT a / (a - a) AS x FROM t) TO '{}' (FORMAT csv)",
                sql_path(&out)
            ),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("divide"), "{e}");
        assert!(!out.exists());
        let left: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(left.is_empty(), "{left:?}");
    });
}

fn bin(args: &[&str], stdin: &str, cwd: &std::path::Path) -> (String, String, i32) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .args(args)
        .current_dir(cwd)
        .env_remove("MONGODB_URI")
        .env("SQLMONGO_HISTORY", cwd.join("history"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn scripts_run_copy_relative_to_the_current_directory() {
    let d = dir();
    std::fs::write(d.join("in.csv"), "sid,uid\ns1,1\ns2,2\n").unwrap();
    std::fs::write(
        d.join("load.sql"),
        "CREATE TABLE s (sid text, uid integer);\n\
         COPY s FROM 'in.csv' (FORMAT csv, HEADER);\n\
         COPY (SELECT sid FROM s ORDER BY sid) TO STDOUT (FORMAT csv, HEADER);\n",
    )
    .unwrap();
    let (out, err, code) = bin(&["run", "load.sql", "--format", "table"], "", &d);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "OK\nCOPY 2\nsid\ns1\ns2\n");
    std::fs::write(d.join("bad.csv"), "s3,1\ns4,x\n").unwrap();
    std::fs::write(
        d.join("bad.sql"),
        "CREATE TABLE s (sid text, uid integer);\n\n  COPY s FROM 'bad.csv' (FORMAT csv);\n",
    )
    .unwrap();
    let (_, err, code) = bin(&["run", "bad.sql"], "", &d);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("bad.sql:3:3: bad.csv:2: invalid input syntax for type integer: \"x\" (COPY s, column uid)"),
        "{err}"
    );
}

#[test]
fn the_shell_copies_with_backslash_copy_and_bare_file_names() {
    let d = dir();
    std::fs::write(d.join("in.csv"), "sid,uid\ns1,1\n").unwrap();
    let script = "CREATE TABLE s (sid text, uid integer);\n\
                  \\copy s from in.csv with csv header\n\
                  \\copy (SELECT sid, uid + 1 AS next FROM s) to out.txt\n\
                  \\copy s from missing.csv csv\n\
                  \\copy s from stdin (format csv)\n\
                  s2,2\n\
                  \"s;3\",3\n\
                  \\.\n\
                  SELECT count(*) AS n FROM s;\n\
                  \\copy s (sid) from pstdin\n\
                  s4\n";
    let (out, err, code) = bin(&["repl", "--format", "table"], script, &d);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("COPY 1\nCOPY 1\n"), "{out}");
    assert!(out.contains("COPY 2\n"), "{out}");
    assert!(out.contains("│ 3 │"), "{out}");
    assert!(out.ends_with("COPY 1\n"), "{out}");
    assert_eq!(
        std::fs::read_to_string(d.join("out.txt")).unwrap(),
        "s1\t2\n"
    );
    assert!(err.contains("error: \\copy: missing.csv:"), "{err}");
}
