//! SQL transaction blocks (`BEGIN` / `START TRANSACTION`, `COMMIT` / `END`, `ROLLBACK` / `ABORT`) with
//! PostgreSQL's rules, on the embedded backend and through the official driver against `serve` presented
//! as a replica set; multi-command plans (UPDATE with a subquery, RETURNING) run in one transaction.

use sqlmongo::driver::embedded::EmbeddedBackend;
use sqlmongo::engine::Engine;
use sqlmongo::{Client, Error, StatementResult};
use std::sync::Arc;

fn client(engine: &Engine) -> Client {
    Client::with_backend(Arc::new(EmbeddedBackend::new(engine.clone())), "app")
}

async fn rows(c: &Client, sql: &str) -> Vec<Vec<bson::Bson>> {
    match c.execute(sql, &[]).await.unwrap().pop().unwrap() {
        StatementResult::Rows(r) => r.rows,
        other => panic!("{other:?}"),
    }
}

async fn setup(c: &Client) {
    c.execute(
        "CREATE TABLE acct (id int PRIMARY KEY, bal int); INSERT INTO acct VALUES (1, 100), (2, 0);",
        &[],
    )
    .await
    .unwrap();
}

async fn balances(c: &Client) -> Vec<i64> {
    rows(c, "SELECT bal FROM acct ORDER BY id")
        .await
        .into_iter()
        .map(|r| match &r[0] {
            bson::Bson::Int32(i) => i64::from(*i),
            bson::Bson::Int64(i) => *i,
            other => panic!("{other:?}"),
        })
        .collect()
}

async fn block_semantics(c: &Client, other: &Client) {
    setup(c).await;
    // ROLLBACK leaves nothing.
    c.execute(
        "BEGIN; UPDATE acct SET bal = bal - 10 WHERE id = 1; INSERT INTO acct VALUES (3, 5);",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(balances(c).await, vec![90, 0, 5], "own writes inside");
    assert_eq!(balances(other).await, vec![100, 0], "others see nothing");
    c.execute("ROLLBACK", &[]).await.unwrap();
    assert_eq!(balances(c).await, vec![100, 0]);
    // COMMIT keeps.
    c.execute(
        "START TRANSACTION; UPDATE acct SET bal = bal - 30 WHERE id = 1; UPDATE acct SET bal = bal + 30 WHERE id = 2; COMMIT;",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(balances(other).await, vec![70, 30]);
    // An error aborts the block: later statements fail until ROLLBACK; COMMIT rolls back.
    c.execute("BEGIN; UPDATE acct SET bal = 0 WHERE id = 1;", &[])
        .await
        .unwrap();
    let dup = c.execute("INSERT INTO acct VALUES (2, 1)", &[]).await;
    assert!(dup.is_err(), "{dup:?}");
    let next = c.execute("SELECT * FROM acct", &[]).await.unwrap_err();
    assert!(
        matches!(&next, Error::Transaction(m) if m.contains("current transaction is aborted")),
        "{next}"
    );
    c.execute("COMMIT", &[]).await.unwrap();
    assert_eq!(
        balances(c).await,
        vec![70, 30],
        "COMMIT of a failed block rolled back"
    );
    // BEGIN inside a block and COMMIT / ROLLBACK outside one only warn.
    c.execute("BEGIN; BEGIN; END; COMMIT; ROLLBACK; ABORT;", &[])
        .await
        .unwrap();
    // DDL that MongoDB refuses in a transaction: a clear error, and the block is failed.
    let err = c.execute("BEGIN; DROP TABLE acct;", &[]).await.unwrap_err();
    assert!(format!("{err}").contains("transaction"), "{err}");
    c.execute("ROLLBACK", &[]).await.unwrap();
    assert_eq!(balances(c).await, vec![70, 30]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_transaction_blocks() {
    let engine = Engine::in_memory();
    block_semantics(&client(&engine), &client(&engine)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_transaction_modes() {
    let c = Client::embedded();
    let err = c
        .execute("BEGIN ISOLATION LEVEL SERIALIZABLE", &[])
        .await
        .unwrap_err();
    assert!(format!("{err}").contains("REPEATABLE READ"), "{err}");
    c.execute("BEGIN ISOLATION LEVEL REPEATABLE READ; COMMIT", &[])
        .await
        .unwrap();
    let err = c.execute("BEGIN; SAVEPOINT a", &[]).await.unwrap_err();
    assert!(
        format!("{err}").to_lowercase().contains("savepoint"),
        "{err}"
    );
}

/// An UPDATE whose plan is several commands (a subquery read first) applies whole or not at all: a unique
/// violation on its second document leaves the first unchanged (it used to stay written).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_command_update_is_atomic() {
    let c = Client::embedded();
    c.execute(
        "CREATE TABLE t (id int PRIMARY KEY, k int UNIQUE, grp int); \
         INSERT INTO t VALUES (1, 1, 1), (2, 2, 1), (3, 10, 0);",
        &[],
    )
    .await
    .unwrap();
    let plan = c
        .execute(
            "EXPLAIN UPDATE t SET k = 10 WHERE grp IN (SELECT grp FROM t WHERE id = 1)",
            &[],
        )
        .await
        .unwrap();
    let steps = match &plan[0] {
        StatementResult::Rows(r) => r.rows.len(),
        other => panic!("{other:?}"),
    };
    assert!(steps >= 2, "a multi-command plan: {plan:?}");
    let before = rows(&c, "SELECT id, k FROM t ORDER BY id").await;
    let err = c
        .execute(
            "UPDATE t SET k = 3 WHERE grp IN (SELECT grp FROM t WHERE id = 1)",
            &[],
        )
        .await;
    assert!(err.is_err(), "two rows get k = 3: {err:?}");
    assert_eq!(
        rows(&c, "SELECT id, k FROM t ORDER BY id").await,
        before,
        "nothing half applied"
    );
}

#[cfg(feature = "server")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn driver_backend_transaction_blocks_against_a_replica_set() {
    let engine = Engine::in_memory();
    let server = sqlmongo::server::Server::bind("127.0.0.1:0", engine.clone())
        .await
        .unwrap()
        .with_repl_set("rs0");
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = rx.await;
    }));
    let uri = format!("mongodb://{addr}/?directConnection=true");
    let c = Client::connect(&uri, "app").await.unwrap();
    let other = Client::connect(&uri, "app").await.unwrap();
    block_semantics(&c, &other).await;
    c.shutdown().await;
    other.shutdown().await;
    let _ = tx.send(());
    task.await.unwrap().unwrap();
}
