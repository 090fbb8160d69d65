//! Issue 16's command validation, hints, validation error details and `$`-field rules through `sqlmongo
//! serve` with real clients: `oracle/pymongo_fidelity.py` (pymongo) and `oracle/node_fidelity.js` (the Node.js
//! driver). Each is skipped loudly when its tool is missing, a failure with `SQLMONGO_REQUIRE_ORACLES=1`.

mod common;

use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::Server;
use tokio::sync::oneshot;

/// Runs `program script URI` against a fresh server and asserts it passed ("checks passed" on stdout).
async fn run_client(what: &str, program: String, script: String) {
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let server = Server::bind("127.0.0.1:0", engine).await.expect("bind");
    let addr = server.local_addr().expect("local addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = stopped.await;
    }));
    let uri = format!("mongodb://{addr}/?directConnection=true");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(program)
            .arg(script)
            .arg(uri)
            .output()
    })
    .await
    .expect("join")
    .expect("run the client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let _ = stop.send(());
    let _ = task.await;
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pymongo_sees_mongods_validation_hints_and_error_details() {
    let Some(py) = common::python_with_pymongo() else {
        let code = common::oracle_unavailable(
            "pymongo fidelity client",
            "no python3 with pymongo (scripts/test.sh installs python3-pymongo)",
        );
        assert_eq!(code, 0, "pymongo is required");
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/pymongo_fidelity.py");
    run_client("pymongo fidelity client", py, script.into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn node_driver_sees_mongods_validation_hints_and_error_details() {
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle");
    if !common::node_with_driver(oracle) {
        let code = common::oracle_unavailable(
            "node fidelity client",
            "node or oracle/node_modules/mongodb missing",
        );
        assert_eq!(code, 0, "node is required");
        return;
    }
    let script = format!("{oracle}/node_fidelity.js");
    run_client("node fidelity client", "node".into(), script).await;
}
