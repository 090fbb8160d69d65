//! Operating `sqlmongo serve` (the binary): `serverStatus` counters that move with the traffic, the slow
//! operation log as JSON lines (`--log-format json`, `--slowms`, `{profile: 0, slowms}`), the Prometheus
//! endpoint scraped with a real HTTP GET, `--config FILE` with flags winning, and a graceful shutdown on
//! SIGTERM that lets a command in flight finish, checkpoints `--data` and exits 0.

mod common;

use bson::{doc, Bson, Document};
use std::io::{Read, Write};
use std::process::{Child, Command};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

fn sqlmongo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sqlmongo-serve-ops-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

async fn driver(addr: &str) -> mongodb::Client {
    mongodb::Client::with_uri_str(format!("mongodb://{addr}/?directConnection=true"))
        .await
        .expect("driver")
}

/// `GET path` on `addr` with a plain HTTP/1.1 request: (status line, body).
fn http_get(addr: &str, path: &str) -> (String, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the metrics endpoint");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: */*\r\n\r\n"
    )
    .expect("request");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("response");
    let (head, body) = out.split_once("\r\n\r\n").expect("head and body");
    let status = head.lines().next().unwrap_or_default().to_string();
    assert!(
        !status.starts_with("HTTP/1.1 200")
            || head.contains("Content-Type: application/openmetrics-text"),
        "{head}"
    );
    (status, body.to_string())
}

/// The value of the sample `name` (with its labels, e.g. `x_total{type="insert"}`) in an exposition.
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no sample {name} in\n{text}"))
        .trim()
        .parse()
        .expect("a number")
}

/// The next JSON log line that satisfies `pred` (within `wait`).
fn next_json_log(
    rx: &Receiver<String>,
    wait: Duration,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + wait;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("no such log line ({e}); saw:\n{}", seen.join("\n")));
        let v: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        if pred(&v) {
            return v;
        }
        seen.push(line);
    }
}

fn sigterm(child: &Child) {
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) with a pid this test spawned and a valid signal number reads no memory.
    let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(rc, 0, "kill -TERM");
}

fn wait_exit(child: &mut Child, wait: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + wait;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve did not exit within {wait:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn int(d: &Document, path: &[&str]) -> i64 {
    let mut cur = d;
    for p in &path[..path.len() - 1] {
        cur = cur
            .get_document(p)
            .unwrap_or_else(|_| panic!("{path:?} in {d}"));
    }
    match cur.get(path[path.len() - 1]) {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        other => panic!("{path:?}: {other:?} in {d}"),
    }
}

/// `--config` sets the log format, the metrics address and slowms; a flag (`--port`, `--slowms`) wins over
/// the file. serverStatus counts what the client did; the slow log shows each command at slowms 0; the
/// Prometheus endpoint's counters move with the traffic; SIGTERM ends it with exit status 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_status_slow_log_metrics_and_config_file() {
    let dir = temp_dir("config");
    let config = dir.join("serve.toml");
    std::fs::write(
        &config,
        "port = 1\nslowms = 100000\nlog_format = \"json\"\nmetrics_addr = \"127.0.0.1:0\"\n\
         ttl_monitor_sleep_secs = 1\n[security]\nauth = false\n",
    )
    .expect("config");
    let (mut child, addr, log, rx) = common::spawn_serve(
        sqlmongo()
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .args(["--port", "0", "--slowms", "0"]),
        Duration::from_secs(20),
    );
    // The lines before "listening on" are JSON too; one names the metrics address.
    let metrics_addr = log
        .iter()
        .find_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let msg = v["message"].as_str()?;
            Some(
                msg.strip_prefix("metrics: http://")?
                    .strip_suffix("/metrics (Prometheus)")?
                    .to_string(),
            )
        })
        .unwrap_or_else(|| panic!("no metrics line in {log:#?}"));
    let (status, before) = http_get(&metrics_addr, "/metrics");
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let inserts_before = sample(&before, "sqlmongo_opcounters_total{type=\"insert\"}");
    assert!(before.trim_end().ends_with("# EOF"), "{before}");
    let (status, _) = http_get(&metrics_addr, "/nope");
    assert!(status.starts_with("HTTP/1.1 404"), "{status}");

    let client = driver(&addr).await;
    let db = client.database("ops");
    let coll = db.collection::<Document>("events");
    let docs: Vec<Document> = (0..250).map(|i| doc! {"_id": i, "k": i % 7}).collect();
    coll.insert_many(docs).await.expect("insert");
    coll.update_many(doc! {"k": 1}, doc! {"$set": {"seen": true}})
        .await
        .expect("update");
    coll.delete_one(doc! {"_id": 0}).await.expect("delete");
    // A find that pages: one find and getMores.
    let mut cursor = coll.find(doc! {}).batch_size(100).await.expect("find");
    let mut n = 0;
    while cursor.advance().await.expect("advance") {
        n += 1;
    }
    assert_eq!(n, 249);
    drop(cursor);
    // A cursor left open shows in metrics.cursor.open.total.
    let open = db
        .run_command(doc! {"find": "events", "batchSize": 2})
        .await
        .expect("open cursor");
    assert_ne!(int(&open, &["cursor", "id"]), 0);

    let status = client
        .database("admin")
        .run_command(doc! {"serverStatus": 1})
        .await
        .expect("serverStatus");
    assert_eq!(int(&status, &["opcounters", "insert"]), 250, "{status}");
    assert_eq!(int(&status, &["opcounters", "update"]), 1);
    assert_eq!(int(&status, &["opcounters", "delete"]), 1);
    assert!(int(&status, &["opcounters", "query"]) >= 2, "{status}");
    assert!(int(&status, &["opcounters", "getmore"]) >= 2, "{status}");
    assert!(int(&status, &["opcounters", "command"]) >= 1, "{status}");
    assert!(int(&status, &["connections", "current"]) >= 1);
    assert!(
        int(&status, &["connections", "totalCreated"]) >= int(&status, &["connections", "current"])
    );
    assert!(int(&status, &["connections", "available"]) > 0);
    assert_eq!(
        int(&status, &["metrics", "cursor", "open", "total"]),
        1,
        "{status}"
    );
    assert_eq!(int(&status, &["metrics", "cursor", "timedOut"]), 0);
    assert!(int(&status, &["mem", "resident"]) > 0, "{status}");
    assert!(status.get_f64("uptime").expect("uptime") >= 0.0);
    assert!(
        matches!(status.get("localTime"), Some(Bson::DateTime(_))),
        "{status}"
    );
    assert_eq!(status.get_str("version").ok(), Some("7.0.0"));
    assert!(!status.get_str("host").unwrap_or_default().is_empty());

    // slowms 0 (the flag, not the file's 100000): every command is logged, with its namespace and counts.
    let slow = next_json_log(&rx, Duration::from_secs(10), |v| {
        v["message"] == "Slow query" && v["command"] == "insert"
    });
    assert_eq!(slow["target"], "sqlmongo::slow_query");
    assert_eq!(slow["ns"], "ops.events");
    assert_eq!(slow["n"], 250);
    assert!(slow["duration_ms"].is_u64(), "{slow}");
    let slow = next_json_log(&rx, Duration::from_secs(10), |v| {
        v["message"] == "Slow query" && v["command"] == "find"
    });
    assert_eq!(slow["nreturned"], 100, "{slow}");
    // profile reads and sets the threshold, as mongod's: at 100000 ms nothing more is slow.
    let was = db
        .run_command(doc! {"profile": 0, "slowms": 100000})
        .await
        .expect("profile");
    assert_eq!(int(&was, &["slowms"]), 0);
    assert_eq!(int(&was, &["was"]), 0);
    let now = db
        .run_command(doc! {"profile": -1})
        .await
        .expect("profile -1");
    assert_eq!(int(&now, &["slowms"]), 100000);
    let e = db
        .run_command(doc! {"profile": 2})
        .await
        .expect_err("level 2 is not served");
    assert!(e.to_string().contains("system.profile"), "{e}");

    let (_, after) = http_get(&metrics_addr, "/metrics");
    assert_eq!(
        sample(&after, "sqlmongo_opcounters_total{type=\"insert\"}") - inserts_before,
        250.0
    );
    assert!(sample(&after, "sqlmongo_opcounters_total{type=\"getmore\"}") >= 2.0);
    assert!(sample(&after, "sqlmongo_connections_current") >= 1.0);
    assert_eq!(sample(&after, "sqlmongo_cursors_open"), 1.0);
    assert!(sample(&after, "sqlmongo_slow_commands_total") >= 5.0);
    assert!(sample(&after, "sqlmongo_command_duration_seconds_count") >= 8.0);
    assert!(sample(&after, "sqlmongo_memory_resident_bytes") > 1e6);

    // (Client::shutdown would wait for the cursor left open above.)
    drop(client);
    sigterm(&child);
    let exit = wait_exit(&mut child, Duration::from_secs(30));
    assert!(exit.success(), "{exit:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// SIGTERM while a long write runs (an update whose pipeline sums a `$range` per document: seconds in a
/// debug build): the server stops accepting connections, the update finishes and its client
/// gets the reply, the process exits 0 after a checkpoint, and every document the update changed is in the
/// data directory when it is opened again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_command_in_flight_finish_and_the_data_persist() {
    let dir = temp_dir("shutdown");
    let data = dir.join("data");
    let (mut child, addr, _log, rx) = common::spawn_serve(
        sqlmongo().arg("--data").arg(&data).args([
            "serve",
            "--port",
            "0",
            "--shutdown-timeout-secs",
            "120",
        ]),
        Duration::from_secs(20),
    );
    let client = driver(&addr).await;
    let db = client.database("app");
    let n: i64 = 1500;
    let docs: Vec<Document> = (0..n).map(|i| doc! {"_id": i, "k": i}).collect();
    db.collection::<Document>("big")
        .insert_many(docs)
        .await
        .expect("fill");
    let update = doc! {
        "update": "big",
        "updates": [{
            "q": {},
            "u": [{"$set": {"s": {"$sum": {"$range": [0, {"$multiply": ["$k", 4]}]}}}}],
            "multi": true,
        }],
    };
    let runner = {
        let db = db.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let r = db.run_command(update).await;
            (r, started.elapsed())
        })
    };
    // Wait until the update is in flight, then SIGTERM.
    let admin = client.database("admin");
    let started = Instant::now();
    loop {
        let r = admin
            .run_command(doc! {"currentOp": 1, "ns": "app.big", "command.update": "big"})
            .await
            .expect("currentOp");
        if !r.get_array("inprog").expect("inprog").is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the update never showed in currentOp"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sigterm(&child);
    let (reply, took) = runner.await.expect("join");
    let reply = reply.expect("the command in flight finishes and gets its reply");
    assert_eq!(reply.get_f64("ok").ok(), Some(1.0), "{reply}");
    assert_eq!(int(&reply, &["nModified"]), n, "{reply}");
    let exit = tokio::task::spawn_blocking(move || {
        let s = wait_exit(&mut child, Duration::from_secs(60));
        (s, child)
    })
    .await
    .expect("join");
    assert!(exit.0.success(), "{:?}", exit.0);
    let log: Vec<String> = rx.iter().collect();
    let text = log.join("\n");
    assert!(text.contains("SIGTERM received"), "{text}");
    assert!(text.contains("checkpoint written"), "{text}");
    assert!(text.contains("stopped"), "{text}");
    eprintln!("update in flight at SIGTERM took {took:?}");
    drop(client);
    // The store holds what the command in flight wrote.
    let engine = sqlmongo::engine::Engine::open(&data).expect("reopen");
    let reply = engine
        .run_command(
            "app",
            &doc! {"aggregate": "big", "pipeline": [
                {"$match": {"s": {"$exists": true}}},
                {"$group": {"_id": null, "n": {"$sum": 1}, "s": {"$sum": "$s"}}},
            ], "cursor": {}},
        )
        .expect("aggregate");
    let row = reply
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .expect("batch")
        .first()
        .and_then(Bson::as_document)
        .cloned()
        .expect("one row");
    let expected: i64 = (0..n).map(|k| (4 * k) * (4 * k - 1) / 2).sum();
    assert_eq!(int(&row, &["n"]), n, "{row}");
    assert_eq!(int(&row, &["s"]), expected, "{row}");
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
}
