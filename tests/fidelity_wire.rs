//! Issue 16's command validation, hints, validation error details and `$`-field rules through `sqlmongo
//! serve` with a real client: `oracle/pymongo_fidelity.py` (pymongo). Skipped loudly when python3 with
//! pymongo is missing, a failure with `SQLMONGO_REQUIRE_ORACLES=1`.

mod common;

use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::Server;
use tokio::sync::oneshot;

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
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/pymongo_fidelity.py");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(py).arg(script).arg(uri).output()
    })
    .await
    .expect("join")
    .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let _ = stop.send(());
    let _ = task.await;
    assert!(
        out.status.success(),
        "pymongo fidelity client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
}

/// The same behaviours through the official Node.js driver (`oracle/node_fidelity.js`). Skipped loudly when
/// node or the driver is missing, a failure with `SQLMONGO_REQUIRE_ORACLES=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn node_driver_sees_mongods_validation_hints_and_error_details() {
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle");
    let have_node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_node
        || !std::path::Path::new(oracle)
            .join("node_modules/mongodb")
            .is_dir()
    {
        let code = common::oracle_unavailable(
            "node fidelity client",
            "node or oracle/node_modules/mongodb missing",
        );
        assert_eq!(code, 0, "node is required");
        return;
    }
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
        std::process::Command::new("node")
            .arg(format!("{oracle}/node_fidelity.js"))
            .arg(uri)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let _ = stop.send(());
    let _ = task.await;
    assert!(
        out.status.success(),
        "node fidelity client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
}
