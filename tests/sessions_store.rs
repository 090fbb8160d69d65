//! The tower-sessions store (`sqlmongo::sessions::SqlmongoStore`, feature `tower-sessions`) on the three
//! backends a `Client` reaches: the in-memory engine, a durable directory, and the official driver against
//! `sqlmongo serve`. Each runs the same scenario: create / load / save / delete, ids never overwritten,
//! expiry by the backend's `NOW()` (fixed with `SET sqlmongo.now`), `delete_expired`, data kept exactly.

mod common;

use bson::Bson;
use serde_json::json;
use sqlmongo::sessions::SqlmongoStore;
use sqlmongo::{Client, RowExt};
use std::collections::{HashMap, HashSet};
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::{ExpiredDeletion, SessionStore};

type Expiry = time::OffsetDateTime;

fn in_minutes(m: i64) -> Expiry {
    // Millisecond precision, as stored.
    let t = time::OffsetDateTime::now_utc() + time::Duration::minutes(m);
    t.replace_nanosecond(t.millisecond() as u32 * 1_000_000)
        .unwrap()
}

fn record(data: serde_json::Value, expiry_date: Expiry) -> Record {
    let serde_json::Value::Object(map) = data else {
        panic!("data must be an object")
    };
    Record {
        id: Id::default(),
        data: map.into_iter().collect(),
        expiry_date,
    }
}

async fn count(client: &Client, where_: &str, id: &Id) -> i64 {
    let rows = client
        .query(
            &format!("SELECT COUNT(*) AS n FROM tower_sessions WHERE {where_}"),
            &[Bson::String(id.to_string())],
        )
        .await
        .unwrap();
    rows.rows[0].get_i64(0).unwrap()
}

/// The scenario every backend passes.
async fn scenario(client: Client) {
    let store = SqlmongoStore::new(client.clone()).unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // idempotent

    // create + load: exactly the record.
    let mut alice = record(json!({"user": "alice", "counter": 1}), in_minutes(10));
    store.create(&mut alice).await.unwrap();
    assert_eq!(store.load(&alice.id).await.unwrap(), Some(alice.clone()));

    // The data is a nested document SQL reads.
    let rows = client
        .query(
            "SELECT data->>'user' AS u, data.counter AS c FROM tower_sessions WHERE _id = $1",
            &[Bson::String(alice.id.to_string())],
        )
        .await
        .unwrap();
    assert_eq!(rows.rows[0].get_str(0), Some("alice"));
    assert_eq!(rows.rows[0].get_i64(1), Some(1));

    // create with a taken id: a new id, the first session untouched.
    let mut intruder = record(json!({"user": "mallory"}), in_minutes(10));
    intruder.id = alice.id;
    store.create(&mut intruder).await.unwrap();
    assert_ne!(intruder.id, alice.id);
    assert_eq!(store.load(&alice.id).await.unwrap(), Some(alice.clone()));
    assert_eq!(
        store.load(&intruder.id).await.unwrap(),
        Some(intruder.clone())
    );

    // save replaces data and expiry.
    alice.data.insert("counter".into(), json!(2));
    alice.expiry_date = in_minutes(20);
    store.save(&alice).await.unwrap();
    assert_eq!(store.load(&alice.id).await.unwrap(), Some(alice.clone()));

    // Data a document cannot hold exactly comes back exactly all the same.
    let mut odd = record(
        json!({"$weird": {"a.b": [1, 2.5, null]}, "big": u64::MAX, "s": "x", "oid": {"$oid": "507f1f77bcf86cd799439011"}}),
        in_minutes(10),
    );
    store.create(&mut odd).await.unwrap();
    assert_eq!(store.load(&odd.id).await.unwrap(), Some(odd.clone()));

    // Save of a new id inserts (tower-sessions saves a session it never created when ids cycle).
    let fresh = record(json!({}), in_minutes(5));
    store.save(&fresh).await.unwrap();
    assert_eq!(store.load(&fresh.id).await.unwrap(), Some(fresh.clone()));

    // Expired but not reaped: stored, never loaded; delete_expired removes exactly it.
    let mut old = record(json!({"user": "bob"}), in_minutes(-1));
    store.create(&mut old).await.unwrap();
    assert_eq!(count(&client, "_id = $1", &old.id).await, 1);
    assert_eq!(store.load(&old.id).await.unwrap(), None);
    store.delete_expired().await.unwrap();
    assert_eq!(count(&client, "_id = $1", &old.id).await, 0);
    for live in [&alice, &intruder, &odd, &fresh] {
        assert!(store.load(&live.id).await.unwrap().is_some());
    }

    // A fixed clock 15 minutes ahead: the 10-minute sessions have expired, alice's 20 minutes have not.
    let ahead = (time::OffsetDateTime::now_utc() + time::Duration::minutes(15))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    client
        .execute(&format!("SET sqlmongo.now = '{ahead}'"), &[])
        .await
        .unwrap();
    assert_eq!(store.load(&intruder.id).await.unwrap(), None);
    assert_eq!(store.load(&fresh.id).await.unwrap(), None);
    assert!(store.load(&alice.id).await.unwrap().is_some());
    assert_eq!(store.delete_expired_count().await.unwrap(), 3); // intruder, odd, fresh
    client.execute("RESET sqlmongo.now", &[]).await.unwrap();
    assert_eq!(store.load(&alice.id).await.unwrap(), Some(alice.clone()));

    // delete.
    store.delete(&alice.id).await.unwrap();
    assert_eq!(store.load(&alice.id).await.unwrap(), None);
    store.delete(&alice.id).await.unwrap(); // deleting a missing session is no error

    // Concurrent creates all proposing one id: every one ends with its own id, none overwritten.
    let shared = Id::default();
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut r = record(json!({"n": i}), in_minutes(10));
                r.id = shared;
                store.create(&mut r).await.unwrap();
                r
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(store.load(&r.id).await.unwrap(), Some(r.clone()));
        ids.insert(r.id);
    }
    assert_eq!(ids.len(), 32);
    assert!(ids.contains(&shared));

    // A custom collection name.
    let other = SqlmongoStore::with_collection(client.clone(), "web_sessions").unwrap();
    other.migrate().await.unwrap();
    let mut r = record(json!({"k": "v"}), in_minutes(1));
    other.create(&mut r).await.unwrap();
    assert_eq!(other.load(&r.id).await.unwrap(), Some(r.clone()));
    assert_eq!(store.load(&r.id).await.unwrap(), None);
    let _: HashMap<String, serde_json::Value> = r.data;
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_store_on_the_embedded_engine() {
    rt().block_on(scenario(Client::embedded()));
}

#[test]
fn the_store_on_a_durable_directory_keeps_sessions_across_a_reopen() {
    let dir = std::env::temp_dir().join(format!("sqlmongo-sessions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rt = rt();
    rt.block_on(scenario(Client::open(&dir).unwrap()));
    let kept = rt.block_on(async {
        let client = Client::open(&dir).unwrap();
        let store = SqlmongoStore::new(client).unwrap();
        let mut r = record(json!({"user": "carol"}), in_minutes(10));
        store.create(&mut r).await.unwrap();
        r
    });
    let loaded = rt.block_on(async {
        let store = SqlmongoStore::new(Client::open(&dir).unwrap()).unwrap();
        store.load(&kept.id).await.unwrap()
    });
    assert_eq!(loaded, Some(kept));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_store_through_the_official_driver_against_serve() {
    let (mut child, addr, _log, _rest) = common::spawn_serve(
        std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo")).args(["serve", "--port", "0"]),
        std::time::Duration::from_secs(30),
    );
    let rt = rt();
    rt.block_on(async {
        let client = Client::connect(&format!("mongodb://{addr}/web?directConnection=true"), "")
            .await
            .unwrap();
        scenario(client.clone()).await;
        client.shutdown().await;
    });
    let _ = child.kill();
    let _ = child.wait();
}
