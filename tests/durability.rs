//! Crash test: a child `sqlmongo serve --data DIR` under a write load from several clients is killed with
//! SIGKILL at random moments, round after round (20 by default, `SQLMONGO_CRASH_ROUNDS` sets it). After each
//! restart: every acknowledged durable write is there (inserts with `j: true`, without a writeConcern
//! (synchronous commit), and two-document inserts), no write is half there (a two-document insert is both
//! documents or neither, acknowledged or not), the unique index agrees with the data (every document is
//! found through it, a duplicate is refused, as many distinct keys as documents), and the recovery time
//! the server logs is recorded.

mod common;

use bson::{doc, Bson, Document};
use rand::Rng;
use sqlmongo::Client;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod store_support;
use store_support::TempDir;

/// A running `sqlmongo serve --data DIR`.
struct Serve {
    child: std::process::Child,
    addr: String,
    /// Recovery time the server logged, in seconds (0 for a fresh directory).
    recovery_secs: f64,
}

impl Drop for Serve {
    /// A failing assertion must not leave the server running (it would hold the test's output pipe).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_serve(dir: &std::path::Path) -> Serve {
    let (child, addr, log, _rest) = common::spawn_serve(
        std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
            .arg("--data")
            .arg(dir)
            .args(["serve", "--bind", "127.0.0.1", "--port", "0"])
            .env("RUST_LOG", "info"),
        Duration::from_secs(30),
    );
    let recovery_secs = log
        .iter()
        .find_map(|line| line.split("journal commit(s), in ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    Serve {
        child,
        addr,
        recovery_secs,
    }
}

async fn connect(addr: &str) -> Client {
    let uri = format!(
        "mongodb://{addr}/app?directConnection=true&serverSelectionTimeoutMS=2000&retryWrites=false"
    );
    Client::connect(&uri, "")
        .await
        .unwrap_or_else(|e| panic!("connect {uri}: {e}"))
}

async fn cmd(c: &Client, command: Document) -> Result<Document, sqlmongo::Error> {
    c.backend().run_command("app", command).await
}

/// What the clients were told is durable, and every two-document insert they tried.
#[derive(Default)]
struct Ledger {
    acked: HashSet<String>,
    pairs: Vec<(String, String)>,
}

async fn writer(addr: String, id: u64, next: Arc<AtomicU64>, ledger: Arc<Mutex<Ledger>>) {
    let Ok(c) = tokio::time::timeout(Duration::from_secs(5), connect_quiet(&addr)).await else {
        return;
    };
    let Some(c) = c else { return };
    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let key = |k: u64| format!("w{id}-{k}");
        let (command, ids) = match n % 3 {
            0 => (
                doc! {"insert": "s", "documents": [{"_id": key(n), "u": key(n), "pad": "x".repeat(100)}], "writeConcern": {"w": 1, "j": true}},
                vec![key(n)],
            ),
            1 => (
                // No writeConcern: the server's synchronous commit makes it durable before the reply.
                doc! {"insert": "s", "documents": [{"_id": key(n), "u": key(n)}]},
                vec![key(n)],
            ),
            _ => {
                let (a, b) = (format!("{}a", key(n)), format!("{}b", key(n)));
                if let Ok(mut l) = ledger.lock() {
                    l.pairs.push((a.clone(), b.clone()));
                }
                (
                    doc! {"insert": "s", "documents": [{"_id": &a, "u": &a}, {"_id": &b, "u": &b}], "writeConcern": {"j": true}},
                    vec![a, b],
                )
            }
        };
        match cmd(&c, command).await {
            Ok(reply) if reply.get("writeErrors").is_none() => {
                if let Ok(mut l) = ledger.lock() {
                    l.acked.extend(ids);
                }
            }
            _ => return,
        }
    }
}

async fn connect_quiet(addr: &str) -> Option<Client> {
    let uri = format!(
        "mongodb://{addr}/app?directConnection=true&serverSelectionTimeoutMS=1000&retryWrites=false"
    );
    Client::connect(&uri, "").await.ok()
}

/// Checks the recovered store against the ledger; returns the number of documents.
async fn verify(c: &Client, ledger: &Ledger, round: usize) -> usize {
    let reply = cmd(
        c,
        doc! {"find": "s", "projection": {"_id": 1, "u": 1}, "batchSize": 10_000_000},
    )
    .await
    .expect("find all");
    let docs = reply
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .clone();
    let present: HashSet<String> = docs
        .iter()
        .map(|d| d.as_document().unwrap().get_str("_id").unwrap().to_string())
        .collect();
    assert_eq!(present.len(), docs.len(), "round {round}: duplicate _id");
    let lost: Vec<&String> = ledger
        .acked
        .iter()
        .filter(|id| !present.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "round {round}: {} acknowledged durable write(s) lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    for (a, b) in &ledger.pairs {
        assert_eq!(
            present.contains(a),
            present.contains(b),
            "round {round}: half of a two-document insert is visible ({a} / {b})"
        );
    }
    // The unique index agrees with the data.
    let distinct = cmd(c, doc! {"distinct": "s", "key": "u"})
        .await
        .expect("distinct");
    assert_eq!(
        distinct.get_array("values").unwrap().len(),
        docs.len(),
        "round {round}"
    );
    let mut rng = rand::rng();
    for _ in 0..20.min(docs.len()) {
        let d = docs[rng.random_range(0..docs.len())].as_document().unwrap();
        let u = d.get_str("u").unwrap();
        let r = cmd(c, doc! {"find": "s", "filter": {"u": u}, "hint": "u_1"})
            .await
            .expect("find by u");
        let batch = r
            .get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap();
        assert_eq!(batch.len(), 1, "round {round}: u {u} through the index");
        let dup = cmd(c, doc! {"insert": "s", "documents": [{"u": u}]})
            .await
            .expect("dup insert");
        let code = dup
            .get_array("writeErrors")
            .ok()
            .and_then(|e| e.first())
            .and_then(Bson::as_document)
            .and_then(|e| e.get_i32("code").ok());
        assert_eq!(code, Some(11000), "round {round}: duplicate u {u} accepted");
    }
    docs.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill() {
    let rounds: usize = std::env::var("SQLMONGO_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = TempDir::new("crash", "serve");
    let _ = std::fs::remove_dir_all(&dir.0);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut recoveries = Vec::new();
    let started = Instant::now();
    let mut rng = rand::rng();
    for round in 0..=rounds {
        let mut serve = spawn_serve(&dir.0);
        recoveries.push(serve.recovery_secs);
        let c = connect(&serve.addr).await;
        if round == 0 {
            cmd(&c, doc! {"createIndexes": "s", "indexes": [{"key": {"u": 1}, "name": "u_1", "unique": true}]})
                .await
                .expect("createIndexes");
        }
        let snapshot = {
            let l = ledger.lock().unwrap();
            Ledger {
                acked: l.acked.clone(),
                pairs: l.pairs.clone(),
            }
        };
        let n = verify(&c, &snapshot, round).await;
        if round == rounds {
            eprintln!(
                "crash test: {rounds} SIGKILL rounds, {n} documents, {} acknowledged durable writes verified, recovery max {:.3} s, mean {:.3} s, total {:.1} s",
                snapshot.acked.len(),
                recoveries.iter().copied().fold(0.0, f64::max),
                recoveries.iter().sum::<f64>() / recoveries.len() as f64,
                started.elapsed().as_secs_f64()
            );
            break;
        }
        let next = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for w in 0..6u64 {
            let id = (round as u64) * 100 + w;
            tasks.push(tokio::spawn(writer(
                serve.addr.clone(),
                id,
                next.clone(),
                ledger.clone(),
            )));
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(40..300))).await;
        serve.child.kill().expect("SIGKILL");
        serve.child.wait().expect("wait");
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(10), t).await;
        }
    }
    let total = ledger.lock().unwrap().acked.len();
    assert!(
        total > rounds * 10,
        "too few writes were acknowledged ({total}) for the test to mean anything"
    );
}
