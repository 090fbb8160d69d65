//! `INSERT INTO t (cols) SELECT ...` (issue 16): the query's rows are inserted with the target's column names,
//! PostgreSQL's row count is the result, an empty query inserts nothing (no empty `insert`, which mongod
//! refuses), and rows past a batch's limits (8 MiB, 100,000 documents) go in several `insert` commands, in
//! order. Results are also compared with PostgreSQL in tests/pg_oracle.rs (`insert_select_*`).

use bson::{doc, Document};
use sqlmongo::driver::{Backend, CommandFuture};
use sqlmongo::{Client, StatementResult};
use std::sync::{Arc, Mutex};

/// A backend over the embedded engine that records each command's name and, for inserts, its batch size
/// (catalog reads left out).
struct Recording {
    inner: sqlmongo::driver::embedded::EmbeddedBackend,
    seen: Mutex<Vec<(String, usize)>>,
}

impl Backend for Recording {
    fn run_command<'a>(&'a self, db: &'a str, command: Document) -> CommandFuture<'a> {
        let name = command.keys().next().cloned().unwrap_or_default();
        let docs = ["documents", "updates", "deletes"]
            .iter()
            .find_map(|l| command.get_array(*l).ok())
            .map_or(0, |d| d.len());
        // The client's catalog reads (one listCollections per statement) are not the plan's commands.
        if name != "listCollections" {
            self.seen.lock().unwrap().push((name, docs));
        }
        self.inner.run_command(db, command)
    }
}

fn recording() -> (Arc<Recording>, Client) {
    let r = Arc::new(Recording {
        inner: sqlmongo::driver::embedded::EmbeddedBackend::new(
            sqlmongo::engine::Engine::in_memory(),
        ),
        seen: Mutex::new(Vec::new()),
    });
    let c = Client::with_backend(r.clone(), "app");
    (r, c)
}

async fn affected(c: &Client, sql: &str) -> u64 {
    match c.execute(sql, &[]).await.unwrap().pop() {
        Some(StatementResult::Affected(n)) => n,
        other => panic!("{sql}: {other:?}"),
    }
}

#[tokio::test]
async fn rows_take_the_target_names_and_the_count_is_the_rows_inserted() {
    let (rec, c) = recording();
    affected(
        &c,
        "INSERT INTO s (id, u, v) VALUES (1, 'ann', 3), (2, 'bob', 5), (3, 'ann', 7)",
    )
    .await;
    rec.seen.lock().unwrap().clear();
    let n = affected(
        &c,
        "INSERT INTO t (who, total) SELECT u, SUM(v) FROM s GROUP BY u",
    )
    .await;
    assert_eq!(n, 2);
    assert_eq!(
        *rec.seen.lock().unwrap(),
        [("aggregate".to_string(), 0), ("insert".to_string(), 2)]
    );
    let rows = c
        .query("SELECT who, total FROM t ORDER BY who", &[])
        .await
        .unwrap();
    assert_eq!(rows.columns, ["who", "total"]);
    assert_eq!(rows.rows.len(), 2);
    assert_eq!(rows.rows[0][0], bson::Bson::String("ann".into()));
    assert_eq!(rows.rows[0][1], bson::Bson::Int32(10));
    // Nothing selected: 0 rows, and no insert command at all.
    rec.seen.lock().unwrap().clear();
    assert_eq!(
        affected(&c, "INSERT INTO t (who) SELECT u FROM s WHERE v > 100").await,
        0
    );
    assert_eq!(*rec.seen.lock().unwrap(), [("aggregate".to_string(), 0)]);
    // A duplicate _id stops the statement with mongod's DuplicateKey.
    affected(&c, "INSERT INTO k (_id, u) SELECT id, u FROM s").await;
    let err = c
        .execute("INSERT INTO k (_id, u) SELECT id, u FROM s", &[])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("E11000"), "{err}");
}

#[tokio::test]
async fn large_selections_are_inserted_in_batches_under_the_limits() {
    let (rec, c) = recording();
    // 40 documents of ~300 KB each: ~12 MB, past the 8 MiB batch.
    let pad = "x".repeat(300_000);
    let docs: Vec<Document> = (0..40)
        .map(|i| doc! {"_id": i, "pad": pad.clone()})
        .collect();
    c.backend()
        .run_command("app", doc! {"insert": "wide", "documents": docs})
        .await
        .unwrap();
    rec.seen.lock().unwrap().clear();
    let n = affected(&c, "INSERT INTO copy (_id, pad) SELECT _id, pad FROM wide").await;
    assert_eq!(n, 40);
    let inserts: Vec<usize> = rec
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(name, _)| name == "insert")
        .map(|(_, k)| *k)
        .collect();
    assert!(inserts.len() >= 2, "one insert for ~12 MB: {inserts:?}");
    assert_eq!(inserts.iter().sum::<usize>(), 40);
    assert!(
        inserts.iter().all(|k| *k * 300_000 <= 8 << 20),
        "{inserts:?}"
    );
    let rows = c
        .query("SELECT COUNT(*) AS n FROM copy", &[])
        .await
        .unwrap();
    assert!(
        matches!(
            rows.rows[0][0],
            bson::Bson::Int32(40) | bson::Bson::Int64(40)
        ),
        "{:?}",
        rows.rows
    );
}

#[tokio::test]
async fn per_row_writes_of_update_from_are_batched_too() {
    let (rec, c) = recording();
    // 40 target rows, each set to a ~300 KB value from a joined table: ~12 MB of update statements.
    let pad = "y".repeat(300_000);
    let targets: Vec<Document> = (0..40).map(|i| doc! {"_id": i, "k": i}).collect();
    let sources: Vec<Document> = (0..40)
        .map(|i| doc! {"_id": i, "k": i, "pad": pad.clone()})
        .collect();
    for (coll, docs) in [("t", targets), ("f", sources)] {
        c.backend()
            .run_command("app", doc! {"insert": coll, "documents": docs})
            .await
            .unwrap();
    }
    rec.seen.lock().unwrap().clear();
    let n = affected(&c, "UPDATE t SET pad = f.pad FROM f WHERE t.k = f.k").await;
    assert_eq!(n, 40);
    let updates: Vec<usize> = rec
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(name, _)| name == "update")
        .map(|(_, k)| *k)
        .collect();
    assert!(
        updates.len() >= 2,
        "one update command for ~12 MB: {updates:?}"
    );
    let rows = c
        .query(
            "SELECT COUNT(*) AS n FROM t WHERE LENGTH(pad) = 300000",
            &[],
        )
        .await
        .unwrap();
    assert!(
        matches!(
            rows.rows[0][0],
            bson::Bson::Int32(40) | bson::Bson::Int64(40)
        ),
        "{:?}",
        rows.rows
    );
}
