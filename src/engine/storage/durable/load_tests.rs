//! Property tests of the checkpoint load: records copied on several threads (`load::copy_records`) are the
//! records copied on one, and a whole load of a checkpoint chain with parallel copying leaves the state a
//! sequential load leaves (records, their ids, every index's ordered and hashed entries) — over random
//! workloads with unique, partial, sparse and multikey indexes, deletes and incremental checkpoints.

use super::load::{self, Copying};
use super::{recover, DurableOptions, DurableStorage};
use crate::engine::storage::State;
use crate::engine::{Engine, EngineOptions};
use bson::{doc, Bson, Document, RawDocumentBuf};
use proptest::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// Everything of a state that a load builds: per collection its options, its records (id and bytes) and
/// every index's entries in key order and hashed entries.
fn dump(state: &State) -> Vec<String> {
    let mut out = Vec::new();
    for (db, d) in &state.databases {
        for (name, c) in &d.collections {
            out.push(format!("{db}.{name} {:?}", c.options()));
            out.extend(
                c.stored_records()
                    .map(|(rid, s)| format!("  {rid} {:?}", s.bytes())),
            );
            for ix in &c.indexes {
                out.push(format!("  index {}", ix.name));
                out.extend(ix.walk(true).map(|(k, r)| format!("    {:?} {r}", k.0)));
                let mut hashed: Vec<String> = ix
                    .hashed_entries()
                    .map(|(r, d)| format!("    # {r} {:?}", d.bytes()))
                    .collect();
                hashed.sort();
                out.extend(hashed);
            }
        }
    }
    out
}

fn value(v: u8) -> Bson {
    match v % 6 {
        0 => Bson::Int32(i32::from(v)),
        1 => Bson::String(format!("s{}", v % 4)),
        2 => Bson::Array(vec![Bson::Int32(1), Bson::Int32(i32::from(v))]),
        3 => Bson::Double(f64::from(v) / 2.0),
        4 => Bson::Null,
        _ => Bson::Document(doc! {"x": i32::from(v)}),
    }
}

/// One step of a workload.
#[derive(Debug, Clone)]
enum Op {
    Insert(u8, u16, u8),
    Delete(u8, u16),
    Update(u8, u16, u8),
    Checkpoint,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..2, 0u16..300, any::<u8>()).prop_map(|(c, n, v)| Op::Insert(c, n, v)),
        2 => (0u8..2, 0u16..300).prop_map(|(c, n)| Op::Delete(c, n)),
        2 => (0u8..2, 0u16..300, any::<u8>()).prop_map(|(c, n, v)| Op::Update(c, n, v)),
        1 => Just(Op::Checkpoint),
    ]
}

fn open(dir: &Path) -> (Engine, Arc<DurableStorage>) {
    let storage = Arc::new(
        DurableStorage::open(
            dir,
            DurableOptions {
                checkpoint_bytes: u64::MAX / 2,
                incremental_ratio: 0.9,
                ..DurableOptions::default()
            },
        )
        .expect("open"),
    );
    let engine = Engine::try_with_options(EngineOptions {
        ttl_monitor_interval: None,
        storage: storage.clone(),
        ..EngineOptions::default()
    })
    .expect("engine");
    (engine, storage)
}

/// Runs `ops` on a new store in `dir` (two collections, with indexes) and closes it after a last
/// checkpoint.
fn build(dir: &Path, ops: &[Op]) {
    let (e, _s) = open(dir);
    for c in ["c0", "c1"] {
        e.run_command(
            "app",
            &doc! {"createIndexes": c, "indexes": [
                {"key": {"u": 1}, "name": "u_1", "unique": true, "sparse": true},
                {"key": {"k": 1}, "name": "k_1"},
                {"key": {"k": 1, "n": -1}, "name": "k_n", "partialFilterExpression": {"n": {"$gt": 100}}},
            ]},
        )
        .expect("indexes");
    }
    let coll = |c: u8| format!("c{c}");
    for op in ops {
        // A write a unique index refuses is part of the workload (nothing is stored).
        let _ = match op {
            Op::Insert(c, n, v) => e.run_command(
                "app",
                &doc! {"insert": coll(*c), "documents": [
                    {"_id": i32::from(*n), "n": i32::from(*n), "k": value(*v), "u": i32::from(*v) * 1000 + i32::from(*n), "pad": "p".repeat(usize::from(*v))}
                ]},
            ),
            Op::Delete(c, n) => e.run_command(
                "app",
                &doc! {"delete": coll(*c), "deletes": [{"q": {"_id": i32::from(*n)}, "limit": 1}]},
            ),
            Op::Update(c, n, v) => e.run_command(
                "app",
                &doc! {"update": coll(*c), "updates": [{"q": {"_id": i32::from(*n)}, "u": {"$set": {"k": value(*v)}}}]},
            ),
            Op::Checkpoint => e.checkpoint().map(|()| Document::new()),
        };
    }
    e.checkpoint().expect("checkpoint");
}

fn load_with(dir: &Path, copying: Copying) -> (Vec<String>, Vec<(u64, u64)>, u64) {
    let files = recover::list(dir, false).expect("list");
    let newest = *files.checkpoints.last().expect("a checkpoint");
    let mut state = State::default();
    let (chain, records) = load::load(dir, newest, &mut state, copying).expect("load");
    (dump(&state), chain, records)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn records_copied_on_several_threads_are_those_copied_on_one(
        lens in proptest::collection::vec(0usize..70, 0..40),
        threads in 1usize..6,
    ) {
        let docs: Vec<Vec<(u64, RawDocumentBuf)>> = lens
            .iter()
            .enumerate()
            .map(|(c, n)| {
                (0..*n as u64)
                    .map(|i| {
                        let rid = c as u64 * 64 + i;
                        (rid, bson::rawdoc! {"_id": rid as i64})
                    })
                    .collect()
            })
            .collect();
        let borrowed = || -> Vec<Vec<(u64, &bson::RawDocument)>> {
            docs.iter()
                .map(|c| c.iter().map(|(r, d)| (*r, d.as_ref())).collect())
                .collect()
        };
        let flat = |parts: Vec<Vec<(u64, crate::engine::storage::Stored)>>| -> Vec<(u64, Vec<u8>)> {
            parts.into_iter().flatten().map(|(r, s)| (r, s.bytes().to_vec())).collect()
        };
        let one = load::copy_records(borrowed(), 1);
        prop_assert_eq!(one.len(), 1);
        let many = load::copy_records(borrowed(), threads);
        prop_assert!(many.len() <= threads.max(1));
        prop_assert_eq!(flat(one), flat(many));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn a_chain_loaded_with_parallel_copying_is_the_chain_loaded_sequentially(
        ops in proptest::collection::vec(op(), 1..120),
    ) {
        let dir = std::env::temp_dir().join(format!(
            "sqlmongo-load-tests-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        build(&dir, &ops);
        let sequential = load_with(&dir, Copying { threads: 1, min_records: usize::MAX });
        let parallel = load_with(&dir, Copying { threads: 3, min_records: 0 });
        let _ = std::fs::remove_dir_all(&dir);
        prop_assert_eq!(&sequential.1, &parallel.1);
        prop_assert_eq!(sequential.2, parallel.2);
        prop_assert_eq!(sequential.0, parallel.0);
    }
}
