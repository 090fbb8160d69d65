//! Real clients against `sqlmongo serve` with authentication and TLS: pymongo (`oracle/pymongo_auth.py`:
//! SCRAM-SHA-256 over TLS with client certificates, codes 13 / 18 / 11 / 51003 / 31, roles, users as
//! documents, SASLprep), the Node driver (`oracle/node_auth.js`), each skipped loudly when its tool is
//! missing and a failure with `SQLMONGO_REQUIRE_ORACLES=1`; and the `sqlmongo serve` binary with `--auth`
//! and the root user from the environment.

mod auth_support;
mod common;

use auth_support::{create, path_str, start, Certs};
use bson::Bson;
use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::{Security, Server, TlsMode};
use std::path::Path;
use std::time::Duration;
use tokio::sync::oneshot;

/// The binary with `--auth` and the root user from the environment: the driver authenticates as it, SQL
/// runs through sqlmongo's own `Client` with the credentials in the URI, and an anonymous client is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_binary_with_auth_and_a_root_user_from_the_environment() {
    let (mut child, addr, log, _rest) = common::spawn_serve(
        std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
            .args(["serve", "--auth", "--port", "0"])
            .env("SQLMONGO_ROOT_USERNAME", "admin_user")
            .env("SQLMONGO_ROOT_PASSWORD", "s3cret pass"),
        Duration::from_secs(30),
    );
    assert!(
        log.iter()
            .any(|l| l.contains("created the root user 'admin_user'")),
        "{log:?}"
    );
    let c = sqlmongo::Client::connect(
        &format!(
            "mongodb://admin_user:s3cret%20pass@{addr}/?directConnection=true&authSource=admin"
        ),
        "app",
    )
    .await
    .expect("connect with credentials");
    c.execute("INSERT INTO t (k) VALUES (1), (2)", &[])
        .await
        .expect("insert as root");
    assert_eq!(
        c.query("SELECT COUNT(*) AS n FROM t", &[])
            .await
            .expect("count")
            .rows,
        vec![vec![Bson::Int32(2)]]
    );
    let anon =
        sqlmongo::Client::connect(&format!("mongodb://{addr}/?directConnection=true"), "app")
            .await
            .expect("connect anonymously");
    match anon.query("SELECT COUNT(*) AS n FROM t", &[]).await {
        Err(sqlmongo::Error::Command(e)) => assert_eq!(e.code, 13, "{e:?}"),
        other => panic!("expected 13 Unauthorized, got {other:?}"),
    }
    let _ = child.kill();
    let _ = child.wait();
}

// --- pymongo ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pymongo_authenticates_with_scram_sha_256_over_tls() {
    let Some(py) = common::python_with_pymongo() else {
        let code = common::oracle_unavailable(
            "pymongo auth client",
            "no python3 with pymongo (scripts/test.sh installs python3-pymongo)",
        );
        assert_eq!(code, 0, "pymongo is required");
        return;
    };
    let certs = Certs::new("pymongo");
    // mongod's default iteration count here: pymongo's PBKDF2 is C.
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let server = Server::bind("127.0.0.1:0", engine)
        .await
        .expect("bind")
        .with_security(Security::new(true))
        .with_tls(certs.tls(TlsMode::Require, true));
    let addr = server.local_addr().expect("addr");
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = rx.await;
    }));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/pymongo_auth.py");
    let args: Vec<String> = vec![
        script.to_string(),
        addr.to_string(),
        path_str(&certs.path("ca.pem")),
        path_str(&certs.path("client.pem")),
    ];
    let out =
        tokio::task::spawn_blocking(move || std::process::Command::new(py).args(args).output())
            .await
            .expect("join")
            .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pymongo auth client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
    let _ = tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn node_driver_authenticates_with_scram_sha_256_over_tls() {
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle");
    let have_node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_node || !Path::new(oracle).join("node_modules/mongodb").is_dir() {
        let code = common::oracle_unavailable(
            "Node mongodb driver auth client",
            "node or oracle/node_modules/mongodb missing (scripts/test.sh runs npm ci in oracle/)",
        );
        assert_eq!(code, 0, "the Node driver is required");
        return;
    }
    let certs = Certs::new("node");
    let server = start(true, Some(certs.tls(TlsMode::Require, true))).await;
    create(
        &server.engine,
        "admin",
        "root",
        "r00t-pw",
        Bson::Array(vec!["root".into()]),
    );
    let args: Vec<String> = vec![
        format!("{oracle}/node_auth.js"),
        server.addr.to_string(),
        path_str(&certs.path("ca.pem")),
        path_str(&certs.path("client.pem")),
    ];
    let out =
        tokio::task::spawn_blocking(move || std::process::Command::new("node").args(args).output())
            .await
            .expect("join")
            .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "node auth client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
    server.shutdown().await;
}
