//! Transactions through the wire: `serve` as a one-member replica set (`Server::with_repl_set`), driven
//! by pymongo (`oracle/pymongo_txn.py`) and the Node driver (`oracle/node_txn.js`); each is skipped loudly
//! when its tool is missing, a failure with `SQLMONGO_REQUIRE_ORACLES=1`. A standalone server still refuses
//! `txnNumber` as a standalone mongod does.

mod common;

use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::Server;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    fn uri(&self) -> String {
        format!("mongodb://{}/?directConnection=true", self.addr)
    }

    async fn shutdown(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let r = tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("server stops within 10 s");
        r.expect("server task").expect("server result");
    }
}

async fn start(repl_set: Option<&str>) -> Running {
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let mut server = Server::bind("127.0.0.1:0", engine).await.expect("bind");
    if let Some(name) = repl_set {
        server = server.with_repl_set(name);
    }
    let addr = server.local_addr().expect("local addr");
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = rx.await;
    }));
    Running {
        addr,
        stop: Some(tx),
        task,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pymongo_transactions_against_a_replica_set() {
    let Some(py) = common::python_with_pymongo() else {
        let code = common::oracle_unavailable(
            "pymongo transactions",
            "no python3 with pymongo (scripts/test.sh installs python3-pymongo)",
        );
        assert_eq!(code, 0, "pymongo is required");
        return;
    };
    let server = start(Some("rs0")).await;
    let uri = server.uri();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/pymongo_txn.py");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(py).arg(script).arg(uri).output()
    })
    .await
    .expect("join")
    .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pymongo transactions failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pymongo_client_suite_passes_against_a_replica_set() {
    let Some(py) = common::python_with_pymongo() else {
        let code = common::oracle_unavailable("pymongo client (replica set)", "no pymongo");
        assert_eq!(code, 0, "pymongo is required");
        return;
    };
    let server = start(Some("rs0")).await;
    let uri = server.uri();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/pymongo_client.py");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(py).arg(script).arg(uri).output()
    })
    .await
    .expect("join")
    .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pymongo client (replica set) failed:\n{stdout}\n{stderr}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn node_driver_transactions_against_a_replica_set() {
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle");
    if !common::node_with_driver(oracle) {
        let code = common::oracle_unavailable(
            "node transactions",
            "node or oracle/node_modules/mongodb missing",
        );
        assert_eq!(code, 0, "node is required");
        return;
    }
    let server = start(Some("rs0")).await;
    let uri = format!("mongodb://{}/?replicaSet=rs0", server.addr);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(format!("{oracle}/node_txn.js"))
            .arg(uri)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "node transactions failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    server.shutdown().await;
}

/// Without `--repl-set` the server is a standalone: `hello` names no set and `txnNumber` is refused
/// (20 IllegalOperation), as a standalone mongod refuses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_refuses_transactions_and_replica_set_takes_them() {
    let standalone = start(None).await;
    let client = mongodb::Client::with_uri_str(standalone.uri())
        .await
        .unwrap();
    let db = client.database("t");
    let hello = db.run_command(bson::doc! {"hello": 1}).await.unwrap();
    assert!(hello.get("setName").is_none());
    let err = db
        .run_command(bson::doc! {"insert": "c", "documents": [{"_id": 1}], "txnNumber": 1_i64, "lsid": {"id": bson::Uuid::new()}})
        .await
        .unwrap_err();
    assert!(format!("{err}").contains("IllegalOperation"), "{err}");
    standalone.shutdown().await;

    let rs = start(Some("rs0")).await;
    let client = mongodb::Client::with_uri_str(rs.uri()).await.unwrap();
    let coll = client.database("t").collection::<bson::Document>("c");
    let mut session = client.start_session().await.unwrap();
    session.start_transaction().await.unwrap();
    coll.insert_one(bson::doc! {"_id": 1})
        .session(&mut session)
        .await
        .unwrap();
    assert_eq!(coll.count_documents(bson::doc! {}).await.unwrap(), 0);
    session.commit_transaction().await.unwrap();
    assert_eq!(coll.count_documents(bson::doc! {}).await.unwrap(), 1);
    rs.shutdown().await;
}

/// mongod 4.4+: a retryable write (a `txnNumber` outside a transaction) still running when the server
/// shuts down is interrupted with 11600 `InterruptedAtShutdown` and labelled `RetryableWriteError`, so its
/// driver retries it; `serve` interrupts what still runs at the end of its shutdown timeout and sends that
/// reply before closing the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retryable_write_running_at_shutdown_is_labelled_retryable() {
    use bson::{doc, Document};
    use tokio::io::AsyncWriteExt;
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let docs: Vec<Document> = (0..4000).map(|i| doc! {"_id": i, "v": i}).collect();
    engine
        .run_command("db", &doc! {"insert": "c", "documents": docs})
        .expect("insert");
    let server = Server::bind("127.0.0.1:0", engine.clone())
        .await
        .expect("bind")
        .with_repl_set("rs0")
        .with_shutdown_timeout(Duration::from_millis(50));
    let addr = server.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = stopped.await;
    }));
    // A single-document update whose filter is slow on every document (it matches none).
    let slow = doc! {"$expr": {"$eq": [
        {"$reduce": {"input": {"$range": [0, 1000]}, "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}},
        -1
    ]}};
    let lsid =
        doc! {"id": bson::Binary {subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![3; 16]}};
    let cmd = doc! {"update": "c", "updates": [{"q": slow, "u": {"$set": {"x": 1}}}],
    "lsid": lsid, "txnNumber": 1_i64, "$db": "db"};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let bytes = sqlmongo::server::wire::encode_op_msg(1, 0, 0, &cmd).expect("encode");
    s.write_all(&bytes).await.expect("write");
    let started = std::time::Instant::now();
    loop {
        let ops = engine
            .run_command("admin", &doc! {"currentOp": 1})
            .expect("currentOp");
        let busy = ops.get_array("inprog").is_ok_and(|a| {
            a.iter().any(|o| {
                o.as_document()
                    .is_some_and(|o| o.get_str("op").ok() == Some("update"))
            })
        });
        if busy {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the update never ran"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = stop.send(());
    let msg = tokio::time::timeout(
        Duration::from_secs(10),
        sqlmongo::server::wire::read_message(&mut s),
    )
    .await
    .expect("a reply in time")
    .expect("parses")
    .expect("a reply before the connection closes");
    let reply = Document::from_reader(&msg.body[5..]).expect("reply document");
    assert_eq!(reply.get_i32("code").ok(), Some(11600), "{reply}");
    assert_eq!(
        reply.get_str("codeName").ok(),
        Some("InterruptedAtShutdown")
    );
    let labels = reply.get_array("errorLabels").expect("labels");
    assert!(
        labels
            .iter()
            .any(|l| l.as_str() == Some("RetryableWriteError")),
        "{reply}"
    );
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
}
