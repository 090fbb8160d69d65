//! Collation end to end: real clients (`oracle/pymongo_collation.py`, `oracle/node_collation.js`) against
//! `sqlmongo::server::Server`, and SQL `COLLATE` / `CREATE COLLECTION ... WITH (collation = ...)` on the
//! embedded engine. The client scripts are skipped loudly when their tool is missing, a failure with
//! `SQLMONGO_REQUIRE_ORACLES=1`.

mod common;
mod store_support;

use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::Server;
use sqlmongo::{Client, StatementResult};
use std::time::Duration;

async fn with_server(
    run: impl FnOnce(String) -> std::process::Output + Send + 'static,
) -> std::process::Output {
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let server = Server::bind("127.0.0.1:0", engine).await.expect("bind");
    let addr = server.local_addr().expect("local addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = rx.await;
    }));
    let uri = format!("mongodb://{addr}/?directConnection=true");
    let out = tokio::task::spawn_blocking(move || run(uri))
        .await
        .expect("join");
    let _ = tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
    out
}

fn check_output(out: &std::process::Output, what: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pymongo_collation_examples() {
    let Some(py) = common::python_with_pymongo() else {
        let code = common::oracle_unavailable("pymongo collation", "no python3 with pymongo");
        assert_eq!(code, 0, "pymongo is required");
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/pymongo_collation.py");
    let out = with_server(move |uri| {
        std::process::Command::new(py)
            .arg(script)
            .arg(uri)
            .output()
            .expect("run python")
    })
    .await;
    check_output(&out, "pymongo collation client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn node_driver_collation() {
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle");
    if !common::node_with_driver(oracle) {
        let code = common::oracle_unavailable(
            "Node driver collation",
            "node or oracle/node_modules/mongodb missing",
        );
        assert_eq!(code, 0, "the Node driver is required");
        return;
    }
    let out = with_server(move |uri| {
        std::process::Command::new("node")
            .arg(format!("{oracle}/node_collation.js"))
            .arg(uri)
            .output()
            .expect("run node")
    })
    .await;
    check_output(&out, "node collation client");
}

async fn rows(c: &Client, sql: &str) -> Vec<Vec<String>> {
    let mut results = c
        .execute(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    match results.pop() {
        Some(StatementResult::Rows(r)) => r
            .rows
            .iter()
            .map(|row| row.iter().map(|v| v.to_string()).collect())
            .collect(),
        other => panic!("{sql}: {other:?}"),
    }
}

#[tokio::test]
async fn sql_collate_runs_under_the_collation() {
    let c = Client::embedded();
    c.execute(
        "INSERT INTO t (k, v) VALUES ('ping', 1), ('PING', 2), ('pong', 3), ('10', 4), ('9', 5)",
        &[],
    )
    .await
    .unwrap();
    let got = rows(
        &c,
        r#"SELECT v FROM t WHERE k = 'Ping' COLLATE "und-u-ks-level2" ORDER BY v"#,
    )
    .await;
    assert_eq!(got, vec![vec!["1"], vec!["2"]]);
    let got = rows(&c, "SELECT v FROM t WHERE k = 'Ping' ORDER BY v").await;
    assert!(got.is_empty());
    let got = rows(
        &c,
        r#"SELECT k FROM t WHERE v >= 4 ORDER BY k COLLATE "en-u-kn-true""#,
    )
    .await;
    assert_eq!(got, vec![vec!["\"9\""], vec!["\"10\""]]);
    let got = rows(
        &c,
        r#"SELECT COUNT(*) AS n FROM t WHERE v < 4 GROUP BY k COLLATE "und-u-ks-level2" ORDER BY n"#,
    )
    .await;
    assert_eq!(got, vec![vec!["1"], vec!["2"]]);
    let e = c
        .execute(
            r#"SELECT v FROM t WHERE k = 'a' COLLATE "und-u-ks-level2" OR k = 'b' COLLATE "en-x-icu""#,
            &[],
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("two collations"), "{e}");
    // A collection's default collation.
    c.execute(
        r#"CREATE COLLECTION people WITH (collation = 'und-u-ks-level2')"#,
        &[],
    )
    .await
    .unwrap();
    c.execute(
        "INSERT INTO people (name) VALUES ('Zoë'), ('ZOË'), ('zoe')",
        &[],
    )
    .await
    .unwrap();
    let got = rows(&c, "SELECT COUNT(*) AS n FROM people WHERE name = 'zoë'").await;
    assert_eq!(got, vec![vec!["2"]]);
    let got = rows(
        &c,
        r#"SELECT COUNT(*) AS n FROM people WHERE name = 'zoë' COLLATE "C""#,
    )
    .await;
    assert_eq!(got, vec![vec!["0"]]);
    // DELETE and UPDATE carry the collation on their statements.
    c.execute(
        r#"UPDATE t SET v = v + 100 WHERE k = 'PONG' COLLATE "und-u-ks-level2""#,
        &[],
    )
    .await
    .unwrap();
    let got = rows(&c, "SELECT v FROM t WHERE k = 'pong'").await;
    assert_eq!(got, vec![vec!["103"]]);
    c.execute(
        r#"DELETE FROM t WHERE k = 'PiNg' COLLATE "und-u-ks-level2""#,
        &[],
    )
    .await
    .unwrap();
    let got = rows(&c, "SELECT COUNT(*) AS n FROM t").await;
    assert_eq!(got, vec![vec!["3"]]);
}

/// A collection's default collation and a collated unique index survive a reopen of a durable store (the
/// journal replays the resolved spec and the index spec).
#[test]
fn collations_survive_a_reopen() {
    use bson::doc;
    use sqlmongo::engine::storage::durable::{DurableOptions, DurableStorage};
    let dir = store_support::TempDir::new("collation", "reopen");
    let open = || {
        // 98 DBPathInUse: another test of this binary may be spawning a client (pymongo, node) at the moment the first engine
        // closes: between fork and exec the child holds a copy of the lock file's descriptor, and with it
        // the flock, for a moment. Reopening waits that out.
        let mut tries = 0;
        let storage = loop {
            match DurableStorage::open(&dir.0, DurableOptions::default()) {
                Ok(s) => break s,
                Err(e) if e.code == 98 && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => panic!("open: {e}"),
            }
        };
        Engine::try_with_options(EngineOptions {
            ttl_monitor_interval: None,
            storage: std::sync::Arc::new(storage),
            ..EngineOptions::default()
        })
        .expect("engine")
    };
    {
        let e = open();
        e.run_command(
            "db",
            &doc! {"create": "u", "collation": {"locale": "en", "strength": 2}},
        )
        .unwrap();
        e.run_command(
            "db",
            &doc! {"createIndexes": "u", "indexes": [{"key": {"name": 1}, "name": "name_1", "unique": true}]},
        )
        .unwrap();
        e.run_command(
            "db",
            &doc! {"insert": "u", "documents": [{"_id": "A", "name": "Alice"}]},
        )
        .unwrap();
    }
    let e = open();
    let r = e
        .run_command(
            "db",
            &doc! {"find": "u", "filter": {"name": "ALICE", "_id": "a"}},
        )
        .unwrap();
    let batch = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(batch.len(), 1);
    let r = e
        .run_command(
            "db",
            &doc! {"insert": "u", "documents": [{"name": "alice"}]},
        )
        .unwrap();
    let code = r.get_array("writeErrors").unwrap()[0]
        .as_document()
        .unwrap()
        .get_i32("code")
        .unwrap();
    assert_eq!(code, 11000);
}
