//! Reproducible time (issue 18 item 5): `--now`, `SET sqlmongo.now` / `RESET`, and the TTL monitor run on
//! demand (`CALL sqlmongo.run_ttl_monitor()`), on the embedded engine, through the library, and through the
//! official driver against `sqlmongo serve` (where the fixed date takes the place of `$$NOW`).

mod common;

use bson::Bson;
use sqlmongo::{Client, RowExt, StatementResult};
use std::process::{Command, Stdio};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/session_expiry.sql");
const GOLDEN: &str = include_str!("golden_scripts/session_expiry.out");
const NOW: &str = "2026-01-01T00:00:00Z";

fn sqlmongo(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .args(args)
        .env_remove("MONGODB_URI")
        .env_remove("SQLMONGO_DATA")
        .stdin(Stdio::null())
        .output()
        .expect("run sqlmongo");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn run_with_now_gives_the_same_session_expiry_output_every_time() {
    let (stdout, stderr, code) = sqlmongo(&["--now", NOW, "run", SCRIPT]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, GOLDEN, "examples/session_expiry.sql output changed");
    // The TTL pass deleted exactly the one expired session (s-short), and the clock is the fixed one.
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&r#"{"_id":"s-long","minutes_left":30.0}"#));
}

#[test]
fn a_bad_now_is_refused_before_anything_runs() {
    let (stdout, stderr, code) = sqlmongo(&["--now", "yesterday-ish", "exec", "SELECT 1 AS x"]);
    assert_ne!(code, 0);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("--now"), "{stderr}");
    assert!(stderr.contains("2026-01-01T00:00:00Z"), "{stderr}");
}

#[test]
fn now_and_current_timestamp_read_the_fixed_time_in_every_position() {
    let (stdout, stderr, code) = sqlmongo(&[
        "--now",
        "2026-03-04 05:06:07",
        "exec",
        "SELECT NOW() AS a, CURRENT_TIMESTAMP AS b; \
         INSERT INTO t (k, at) VALUES (1, NOW()); \
         UPDATE t SET later = NOW() + INTERVAL '1 day' WHERE at = NOW(); \
         SELECT k, at, later FROM t WHERE later > NOW()",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let d = |s: &str| format!(r#"{{"$date":"{s}"}}"#);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        vec![
            format!(
                r#"{{"a":{},"b":{}}}"#,
                d("2026-03-04T05:06:07.000Z"),
                d("2026-03-04T05:06:07.000Z")
            ),
            r#"{"affected":1}"#.to_string(),
            r#"{"affected":1}"#.to_string(),
            format!(
                r#"{{"k":1,"at":{},"later":{}}}"#,
                d("2026-03-04T05:06:07.000Z"),
                d("2026-03-05T05:06:07.000Z")
            ),
        ]
    );
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn ids(rows: &sqlmongo::Rows) -> Vec<String> {
    rows.rows
        .iter()
        .map(|r| r.get_str(0).unwrap_or_default().to_string())
        .collect()
}

#[test]
fn set_and_reset_through_the_library_and_a_ttl_pass_deletes_exactly_the_expired() {
    rt().block_on(async {
        let client = Client::embedded();
        client
            .execute(
                "SET sqlmongo.now = '2026-01-01T00:00:00Z';
                 CREATE COLLECTION s WITH (ttl_field = 'expires_at', expire_after_seconds = 0)",
                &[],
            )
            .await
            .unwrap();
        let insert = client
            .prepare("INSERT INTO s (_id, expires_at) VALUES ($1, $2)")
            .unwrap();
        let base = 1_767_225_600_000i64; // 2026-01-01T00:00:00Z
        for i in 0..20i64 {
            let expires = bson::DateTime::from_millis(base + (i + 1) * 60_000);
            insert
                .affected(&[Bson::String(format!("s{i:02}")), Bson::DateTime(expires)])
                .await
                .unwrap();
        }
        // 10.5 minutes later: s00..s09 (1..10 minutes) have expired, s10..s19 not.
        client
            .execute("SET sqlmongo.now TO '2026-01-01 00:10:30'", &[])
            .await
            .unwrap();
        let deleted = client
            .execute("CALL sqlmongo.run_ttl_monitor()", &[])
            .await
            .unwrap();
        assert!(
            matches!(deleted.as_slice(), [StatementResult::Affected(10)]),
            "{deleted:?}"
        );
        let left = client
            .query("SELECT _id FROM s ORDER BY _id", &[])
            .await
            .unwrap();
        assert_eq!(
            ids(&left),
            (10..20).map(|i| format!("s{i:02}")).collect::<Vec<_>>()
        );
        // A second pass finds nothing; RESET lets the real clock (past 2026-01-01) run again.
        let again = client
            .execute("CALL sqlmongo.run_ttl_monitor()", &[])
            .await
            .unwrap();
        assert!(matches!(again.as_slice(), [StatementResult::Affected(0)]));
        client.execute("RESET sqlmongo.now", &[]).await.unwrap();
        let now = client.query("SELECT NOW() AS n", &[]).await.unwrap();
        let Some(Bson::DateTime(t)) = now.rows[0].first() else {
            panic!("{now:?}")
        };
        assert!(t.timestamp_millis() > bson::DateTime::now().timestamp_millis() - 60_000);
    });
}

#[test]
fn settings_errors_are_typed_with_positions() {
    rt().block_on(async {
        let client = Client::embedded();
        for (sql, needle) in [
            ("SET sqlmongo.now = 'soon'", "invalid timestamp"),
            ("SET search_path = 'x'", "setting search_path"),
            ("RESET work_mem", "setting work_mem"),
            ("CALL sqlmongo.vacuum()", "procedure sqlmongo.vacuum"),
            ("CALL sqlmongo.run_ttl_monitor(1)", "takes no arguments"),
            ("SET sqlmongo.now = 5", "timestamp string or DEFAULT"),
        ] {
            let err = client.execute(sql, &[]).await.unwrap_err();
            let text = err.to_string();
            assert!(text.contains(needle), "{sql}: {text}");
            assert!(
                matches!(err, sqlmongo::Error::Translate(_)),
                "{sql}: {err:?}"
            );
        }
        // DEFAULT is the running clock.
        client
            .execute("SET sqlmongo.now = '2020-01-01'", &[])
            .await
            .unwrap();
        client
            .execute("SET sqlmongo.now = DEFAULT", &[])
            .await
            .unwrap();
        let now = client
            .query("SELECT NOW() > TIMESTAMP '2025-01-01' AS t", &[])
            .await
            .unwrap();
        assert_eq!(now.rows[0].get_bool(0), Some(true));
    });
}

/// `--now` on a URI: the official driver sends the date in place of `$$NOW` (mongod's clock cannot be set),
/// and `CALL sqlmongo.run_ttl_monitor()` is the admin command `sqlmongoRunTTLMonitor`, which `serve` answers:
/// the whole script gives the embedded run's output line for line.
#[test]
fn now_on_a_uri_against_serve_gives_the_same_output() {
    let (mut child, addr, _log, _rest) = common::spawn_serve(
        Command::new(env!("CARGO_BIN_EXE_sqlmongo")).args(["serve", "--port", "0"]),
        std::time::Duration::from_secs(30),
    );
    let uri = format!("mongodb://{addr}/timedb?directConnection=true");
    let (stdout, stderr, code) = sqlmongo(&["--uri", &uri, "--now", NOW, "run", SCRIPT]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, GOLDEN);
}

/// A backend that knows no command, as a mongod without sqlmongo's admin command.
struct NoSuchCommand;

impl sqlmongo::driver::Backend for NoSuchCommand {
    fn run_command<'a>(
        &'a self,
        _db: &'a str,
        command: bson::Document,
    ) -> sqlmongo::driver::CommandFuture<'a> {
        let name = command.keys().next().cloned().unwrap_or_default();
        Box::pin(async move {
            Ok(bson::doc! {
                "ok": 0.0,
                "code": 59,
                "codeName": "CommandNotFound",
                "errmsg": format!("no such command: '{name}'"),
            })
        })
    }
}

#[test]
fn the_ttl_pass_is_refused_clearly_where_the_server_cannot_run_it() {
    rt().block_on(async {
        let client = Client::with_backend(std::sync::Arc::new(NoSuchCommand), "db");
        let err = client
            .execute("CALL sqlmongo.run_ttl_monitor()", &[])
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cannot run its TTL monitor on demand"),
            "{err}"
        );
        assert!(err.contains("DELETE ... WHERE expires_at < NOW()"), "{err}");
        // Fixing NOW() needs a backend that can: this one cannot.
        let err = client
            .execute("SET sqlmongo.now = '2026-01-01'", &[])
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot fix NOW()"), "{err}");
    });
}

#[test]
fn the_admin_command_runs_only_on_admin() {
    let engine = sqlmongo::engine::Engine::in_memory();
    let err = engine
        .run_command("app", &bson::doc! {"sqlmongoRunTTLMonitor": 1})
        .unwrap_err();
    assert_eq!(err.code, 13, "{err:?}");
    let reply = engine
        .run_command("admin", &bson::doc! {"sqlmongoRunTTLMonitor": 1})
        .unwrap();
    assert_eq!(reply.get_i64("deleted").ok(), Some(0));
    // As of a given time: what has expired by then.
    engine
        .run_command(
            "app",
            &bson::doc! {"insert": "s", "documents": [
                {"_id": 1, "at": bson::DateTime::from_millis(1_000)},
                {"_id": 2, "at": bson::DateTime::from_millis(5_000)},
            ]},
        )
        .unwrap();
    engine
        .run_command(
            "app",
            &bson::doc! {"createIndexes": "s", "indexes": [{"key": {"at": 1}, "name": "at_1", "expireAfterSeconds": 0}]},
        )
        .unwrap();
    let at = |ms| bson::doc! {"sqlmongoRunTTLMonitor": 1, "now": bson::DateTime::from_millis(ms)};
    let deleted = |r: bson::Document| r.get_i64("deleted").unwrap();
    assert_eq!(deleted(engine.run_command("admin", &at(500)).unwrap()), 0);
    assert_eq!(deleted(engine.run_command("admin", &at(2_000)).unwrap()), 1);
    assert_eq!(deleted(engine.run_command("admin", &at(9_000)).unwrap()), 1);
    let bad = engine
        .run_command("admin", &bson::doc! {"sqlmongoRunTTLMonitor": 1, "now": 5})
        .unwrap_err();
    assert_eq!(bad.code, 14);
}

#[test]
fn the_repl_reads_the_fixed_now() {
    let out = Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .args(["--now", "2026-07-01T12:00:00Z", "--format", "json", "repl"])
        .env_remove("MONGODB_URI")
        .env("SQLMONGO_HISTORY", std::env::temp_dir().join("sqlmongo-rt-history"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"SELECT NOW() AS n;\nSET sqlmongo.now = '2026-07-02';\nSELECT CURRENT_TIMESTAMP AS n;\n")?;
            child.wait_with_output()
        })
        .expect("run the REPL");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = stdout.find("2026-07-01T12:00:00").expect(&stdout);
    let second = stdout.find("2026-07-02T00:00:00").expect(&stdout);
    assert!(first < second, "{stdout}");
}

/// `serve --now`: the served engine's clock is fixed, for every client (here one without `--now`), and its
/// TTL pass expires by that time.
#[test]
fn serve_with_now_fixes_the_served_clock() {
    let (mut child, addr, _log, _rest) = common::spawn_serve(
        Command::new(env!("CARGO_BIN_EXE_sqlmongo")).args([
            "--now",
            "2026-01-01T00:00:00Z",
            "serve",
            "--port",
            "0",
        ]),
        std::time::Duration::from_secs(30),
    );
    let uri = format!("mongodb://{addr}/served?directConnection=true");
    let (stdout, stderr, code) = sqlmongo(&[
        "--uri",
        &uri,
        "exec",
        "CREATE COLLECTION s WITH (ttl_field = 'e', expire_after_seconds = 0); \
         INSERT INTO s (_id, e) VALUES ('past', TIMESTAMP '2025-12-31 23:59'), ('future', TIMESTAMP '2026-01-01 00:01'); \
         SELECT NOW() AS n; CALL sqlmongo.run_ttl_monitor(); SELECT _id FROM s",
    ]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        vec![
            r#"{"affected":0}"#,
            r#"{"affected":2}"#,
            r#"{"n":{"$date":"2026-01-01T00:00:00.000Z"}}"#,
            r#"{"affected":1}"#,
            r#"{"_id":"future"}"#,
        ]
    );
}
