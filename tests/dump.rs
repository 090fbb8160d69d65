//! `dump` / `restore` in mongodump's layout: a round trip keeps documents byte-equal and indexes and
//! options equal; a dump written here by hand in mongodump's own format (canonical Extended JSON metadata,
//! `$numberInt` index versions, a view) restores; `sqlmongo dump` reads a store while `sqlmongo serve`
//! writes it.

mod common;

use bson::{doc, Document, RawDocumentBuf};
use sqlmongo::dump::{read_dump, restore, write_dump, RestoreOptions};
use sqlmongo::engine::storage::Snapshot;
use sqlmongo::engine::Engine;
use sqlmongo::Client;
use std::path::Path;

mod store_support;
use store_support::TempDir;

fn run(e: &Engine, db: &str, cmd: Document) -> Document {
    e.run_command(db, &cmd)
        .unwrap_or_else(|err| panic!("{cmd} failed: {err}"))
}

fn workload(e: &Engine) {
    run(
        e,
        "app",
        doc! {"create": "checked", "validator": {"n": {"$gte": 10}}, "validationLevel": "strict"},
    );
    run(
        e,
        "app",
        doc! {"insert": "checked", "documents": [{"_id": 1, "n": 11}]},
    );
    run(
        e,
        "app",
        doc! {"create": "recent", "viewOn": "user_sessions", "pipeline": [{"$match": {"active": true}}]},
    );
    run(
        e,
        "app",
        doc! {"createIndexes": "user_sessions", "indexes": [
            {"key": {"session_id": 1}, "name": "session_id_1", "unique": true},
            {"key": {"expires_at": 1}, "name": "expires_at_1", "expireAfterSeconds": 3600},
            {"key": {"user_id": 1, "at": -1}, "name": "by_user", "partialFilterExpression": {"active": true}},
            {"key": {"tag": 1}, "name": "tag_1", "sparse": true},
        ]},
    );
    let docs: Vec<Document> = (0..300)
        .map(|i| {
            doc! {"_id": i, "session_id": format!("s{i}"), "user_id": i % 7, "active": i % 2 == 0,
            "expires_at": bson::DateTime::from_millis(1_700_000_000_000 + i64::from(i)),
            "nested": {"a": [1, 2.5, {"b": bson::Decimal128::from_bytes([1; 16])}], "bin": bson::Binary {subtype: bson::spec::BinarySubtype::Generic, bytes: vec![0, 1, 2]}},
            "oid": bson::oid::ObjectId::from_bytes([7; 12]), "i64": 1i64 << 40}
        })
        .collect();
    run(
        e,
        "app",
        doc! {"insert": "user_sessions", "documents": docs},
    );
    run(
        e,
        "app",
        doc! {"delete": "user_sessions", "deletes": [{"q": {"user_id": 3}, "limit": 0}]},
    );
    run(
        e,
        "admin",
        doc! {"insert": "system.users", "documents": [{"_id": "app.alice", "user": "alice", "db": "app"}]},
    );
}

/// One namespace: database, name, options, index specs, and each document's bytes in natural order.
type Contents = (String, String, Document, Vec<Document>, Vec<Vec<u8>>);

fn contents(s: &Snapshot) -> Vec<Contents> {
    s.collections
        .iter()
        .map(|c| {
            (
                c.db.clone(),
                c.name.clone(),
                c.options.clone(),
                c.indexes.clone(),
                c.records.iter().map(|(_, d)| d.bytes().to_vec()).collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_dump_restores_byte_equal_with_indexes_and_options() {
    let src = TempDir::new("dump", "src");
    let out = TempDir::new("dump", "out");
    let dst = TempDir::new("dump", "dst");
    let engine = Engine::open(&src.0).unwrap();
    workload(&engine);
    let before = engine.snapshot().unwrap();
    let written = write_dump(&before, &out.0).unwrap();
    assert_eq!((written.collections, written.views), (3, 1));
    assert_eq!(written.documents, 300 - 43 + 1 + 1);
    assert!(out.0.join("app/user_sessions.bson").is_file());
    assert!(out.0.join("app/recent.metadata.json").is_file());
    assert!(!out.0.join("app/recent.bson").exists());
    assert!(out.0.join("admin/system.users.bson").is_file());
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.0.join("app/user_sessions.metadata.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(meta["collectionName"], "user_sessions");
    assert_eq!(meta["type"], "collection");
    assert_eq!(
        meta["indexes"][0]["v"],
        serde_json::json!({"$numberInt": "2"})
    );
    assert_eq!(read_dump(&out.0).unwrap().len(), 4);

    let client = Client::open(&dst.0).unwrap();
    let restored = restore(
        client.backend().as_ref(),
        &out.0,
        &RestoreOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(restored.documents, written.documents);
    assert_eq!(restored.failed_documents, 0);
    drop(client);
    // Reopened from disk: the restore itself was durable.
    let after = Engine::open(&dst.0).unwrap().snapshot().unwrap();
    assert_eq!(contents(&after), contents(&before));
    // Restoring again without --drop: every document is a duplicate, counted, nothing changes.
    let client = Client::open(&dst.0).unwrap();
    let again = restore(
        client.backend().as_ref(),
        &out.0,
        &RestoreOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(again.failed_documents, written.documents);
    let with_drop = restore(
        client.backend().as_ref(),
        &out.0,
        &RestoreOptions { drop: true },
    )
    .await
    .unwrap();
    assert_eq!(with_drop.failed_documents, 0);
}

/// A dump laid out exactly as mongodump 100.x writes one.
fn write_mongodump_layout(dir: &Path) {
    let app = dir.join("shop");
    std::fs::create_dir_all(&app).unwrap();
    let mut bson = Vec::new();
    for i in 0..5 {
        let d = doc! {"_id": bson::oid::ObjectId::from_bytes([i as u8; 12]), "sku": format!("k{i}"), "qty": i, "at": bson::DateTime::from_millis(1_000 * i64::from(i))};
        bson.extend_from_slice(RawDocumentBuf::try_from(&d).unwrap().as_bytes());
    }
    std::fs::write(app.join("items.bson"), &bson).unwrap();
    std::fs::write(
        app.join("items.metadata.json"),
        r#"{"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"},{"v":{"$numberInt":"2"},"unique":true,"key":{"sku":{"$numberInt":"1"}},"name":"sku_1"},{"v":{"$numberInt":"2"},"key":{"at":{"$numberInt":"1"}},"name":"at_1","expireAfterSeconds":{"$numberInt":"86400"}}],"uuid":"3b241101e2bb42558caf4136c566a962","collectionName":"items","type":"collection"}"#,
    )
    .unwrap();
    std::fs::write(
        app.join("in_stock.metadata.json"),
        r#"{"options":{"viewOn":"items","pipeline":[{"$match":{"qty":{"$gt":{"$numberInt":"0"}}}}]},"indexes":[],"collectionName":"in_stock","type":"view"}"#,
    )
    .unwrap();
}

#[test]
fn the_binary_restores_a_dump_in_mongodumps_layout() {
    let dump = TempDir::new("dump", "mongodump");
    let data = TempDir::new("dump", "data");
    write_mongodump_layout(&dump.0);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .arg("--data")
        .arg(&data.0)
        .arg("restore")
        .arg(&dump.0)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e = Engine::open(&data.0).unwrap();
    let r = run(
        &e,
        "shop",
        doc! {"aggregate": "in_stock", "pipeline": [{"$count": "n"}], "cursor": {}},
    );
    let n = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()[0]
        .as_document()
        .unwrap()
        .get_i32("n")
        .unwrap();
    assert_eq!(n, 4);
    let ix = run(&e, "shop", doc! {"listIndexes": "items"});
    let specs = ix
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(specs.len(), 3);
    let sku = specs[1].as_document().unwrap();
    assert_eq!(sku.get_str("name").unwrap(), "sku_1");
    assert!(sku.get_bool("unique").unwrap());
    let r = run(
        &e,
        "shop",
        doc! {"insert": "items", "documents": [{"sku": "k1"}]},
    );
    assert!(
        r.get_array("writeErrors").is_ok(),
        "the unique index was restored"
    );
}

#[test]
fn the_binary_dumps_a_store_while_serve_writes_it() {
    let data = TempDir::new("dump", "online");
    let out = TempDir::new("dump", "online-out");
    let (mut child, addr, _log, _rest) = common::spawn_serve(
        std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
            .arg("--data")
            .arg(&data.0)
            .args(["serve", "--port", "0"]),
        std::time::Duration::from_secs(30),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = rt
        .block_on(Client::connect(
            &format!("mongodb://{addr}/app?directConnection=true"),
            "",
        ))
        .unwrap();
    rt.block_on(client.execute("INSERT INTO t (k) VALUES (1), (2), (3)", &[]))
        .unwrap();
    let dumped = std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .arg("--data")
        .arg(&data.0)
        .arg("dump")
        .arg("--out")
        .arg(&out.0)
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        dumped.status.success(),
        "{}",
        String::from_utf8_lossy(&dumped.stderr)
    );
    let bytes = std::fs::read(out.0.join("app/t.bson")).unwrap();
    let mut n = 0;
    let mut at = 0;
    while at < bytes.len() {
        let len = i32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        at += len;
        n += 1;
    }
    assert_eq!(n, 3);
}
