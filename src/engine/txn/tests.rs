//! Transactions, sessions and retryable writes, as the MongoDB manual describes them (transactions,
//! `commitTransaction`, `abortTransaction`, retryable writes, error codes 112 / 225 / 251 / 256 / 263).

use crate::engine::Engine;
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn lsid(n: u8) -> Document {
    doc! {"id": bson::Binary {subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![n; 16]}}
}

/// A command of transaction `txn` on session `s` (`start` on its first command).
fn in_txn(mut cmd: Document, s: u8, txn: i64, start: bool) -> Document {
    cmd.insert("lsid", lsid(s));
    cmd.insert("txnNumber", txn);
    cmd.insert("autocommit", false);
    if start {
        cmd.insert("startTransaction", true);
    }
    cmd
}

fn commit(e: &Engine, s: u8, txn: i64) -> Result<Document, crate::engine::CommandError> {
    e.run_command(
        "admin",
        &in_txn(doc! {"commitTransaction": 1}, s, txn, false),
    )
}

fn abort(e: &Engine, s: u8, txn: i64) -> Result<Document, crate::engine::CommandError> {
    e.run_command(
        "admin",
        &in_txn(doc! {"abortTransaction": 1}, s, txn, false),
    )
}

fn ids(e: &Engine, cmd: Document) -> Vec<Bson> {
    let r = e.run_command("db", &cmd).unwrap();
    r.get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|d| d.as_document().unwrap().get("_id").unwrap().clone())
        .collect()
}

fn all(e: &Engine) -> Vec<Bson> {
    ids(e, doc! {"find": "c", "sort": {"_id": 1}})
}

fn engine() -> Engine {
    let e = Engine::in_memory();
    e.run_command(
        "db",
        &doc! {"insert": "c", "documents": [{"_id": 1, "v": 1}]},
    )
    .unwrap();
    e
}

fn labels(e: &crate::engine::CommandError) -> Vec<String> {
    e.extra
        .as_ref()
        .and_then(|x| x.get_array("errorLabels").ok())
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn writes_are_invisible_until_commit_and_visible_inside() {
    let e = engine();
    let ins = in_txn(doc! {"insert": "c", "documents": [{"_id": 2}]}, 1, 1, true);
    e.run_command("db", &ins).unwrap();
    // Outside: nothing yet.
    assert_eq!(all(&e), vec![Bson::Int32(1)]);
    // Inside: its own write.
    let inside = ids(
        &e,
        in_txn(doc! {"find": "c", "sort": {"_id": 1}}, 1, 1, false),
    );
    assert_eq!(inside, vec![Bson::Int32(1), Bson::Int32(2)]);
    commit(&e, 1, 1).unwrap();
    assert_eq!(all(&e), vec![Bson::Int32(1), Bson::Int32(2)]);
    // Committing again is allowed (a retried commit); anything else is 256.
    commit(&e, 1, 1).unwrap();
    let err = e
        .run_command("db", &in_txn(doc! {"find": "c"}, 1, 1, false))
        .unwrap_err();
    assert_eq!(err.code, 256);
    assert_eq!(abort(&e, 1, 1).unwrap_err().code, 256);
}

#[test]
fn abort_discards_everything() {
    let e = engine();
    e.run_command(
        "db",
        &in_txn(doc! {"insert": "c", "documents": [{"_id": 2}]}, 1, 1, true),
    )
    .unwrap();
    e.run_command(
        "db",
        &in_txn(
            doc! {"delete": "c", "deletes": [{"q": {"_id": 1}, "limit": 1}]},
            1,
            1,
            false,
        ),
    )
    .unwrap();
    abort(&e, 1, 1).unwrap();
    assert_eq!(all(&e), vec![Bson::Int32(1)]);
    // The aborted transaction's number is gone: 251, labelled transient.
    let err = e
        .run_command("db", &in_txn(doc! {"find": "c"}, 1, 1, false))
        .unwrap_err();
    assert_eq!(err.code, 251);
    assert_eq!(labels(&err), vec!["TransientTransactionError"]);
    assert_eq!(commit(&e, 1, 1).unwrap_err().code, 251);
}

#[test]
fn snapshot_does_not_see_later_commits() {
    let e = engine();
    let first = ids(&e, in_txn(doc! {"find": "c"}, 1, 1, true));
    assert_eq!(first, vec![Bson::Int32(1)]);
    e.run_command("db", &doc! {"insert": "c", "documents": [{"_id": 3}]})
        .unwrap();
    let again = ids(&e, in_txn(doc! {"find": "c"}, 1, 1, false));
    assert_eq!(again, vec![Bson::Int32(1)]);
    // A read-only transaction commits.
    commit(&e, 1, 1).unwrap();
}

#[test]
fn conflicting_transactions_fail_with_write_conflict() {
    let e = engine();
    let upd = |s: u8, start: bool| {
        in_txn(
            doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$inc": {"v": 1}}}]},
            s,
            1,
            start,
        )
    };
    e.run_command("db", &upd(1, true)).unwrap();
    let err = e.run_command("db", &upd(2, true)).unwrap_err();
    assert_eq!(err.code, 112);
    assert_eq!(err.code_name, "WriteConflict");
    assert_eq!(labels(&err), vec!["TransientTransactionError"]);
    // The loser is aborted; the winner commits.
    assert_eq!(commit(&e, 2, 1).unwrap_err().code, 251);
    commit(&e, 1, 1).unwrap();
    let v = e
        .run_command("db", &doc! {"find": "c", "filter": {"_id": 1}})
        .unwrap();
    let doc = v
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()[0]
        .as_document()
        .unwrap()
        .clone();
    assert_eq!(doc.get_i32("v").unwrap(), 2);
}

#[test]
fn write_after_a_later_commit_conflicts() {
    let e = engine();
    ids(&e, in_txn(doc! {"find": "c"}, 1, 1, true));
    e.run_command(
        "db",
        &doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"v": 9}}}]},
    )
    .unwrap();
    let err = e
        .run_command(
            "db",
            &in_txn(
                doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"v": 5}}}]},
                1,
                1,
                false,
            ),
        )
        .unwrap_err();
    assert_eq!(err.code, 112);
}

#[test]
fn outside_write_after_the_transactions_write_fails_its_commit() {
    let e = engine();
    e.run_command(
        "db",
        &in_txn(
            doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"v": 5}}}]},
            1,
            1,
            true,
        ),
    )
    .unwrap();
    e.run_command(
        "db",
        &doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"v": 9}}}]},
    )
    .unwrap();
    let err = commit(&e, 1, 1).unwrap_err();
    assert_eq!(err.code, 112);
    let r = e.run_command("db", &doc! {"find": "c"}).unwrap();
    let d = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()[0]
        .as_document()
        .unwrap()
        .clone();
    assert_eq!(d.get_i32("v").unwrap(), 9);
}

#[test]
fn commit_merges_onto_later_unrelated_commits() {
    let e = engine();
    e.run_command(
        "db",
        &in_txn(doc! {"insert": "c", "documents": [{"_id": 2}]}, 1, 1, true),
    )
    .unwrap();
    e.run_command(
        "db",
        &in_txn(
            doc! {"insert": "other", "documents": [{"_id": "new"}]},
            1,
            1,
            false,
        ),
    )
    .unwrap();
    e.run_command("db", &doc! {"insert": "c", "documents": [{"_id": 3}]})
        .unwrap();
    commit(&e, 1, 1).unwrap();
    assert_eq!(
        all(&e),
        vec![Bson::Int32(1), Bson::Int32(2), Bson::Int32(3)]
    );
    assert_eq!(
        ids(&e, doc! {"find": "other"}),
        vec![Bson::String("new".into())]
    );
}

#[test]
fn unique_index_violation_at_commit_applies_nothing() {
    let e = engine();
    e.run_command(
        "db",
        &doc! {"createIndexes": "c", "indexes": [{"key": {"u": 1}, "name": "u_1", "unique": true}]},
    )
    .unwrap();
    e.run_command(
        "db",
        &in_txn(
            doc! {"insert": "c", "documents": [{"_id": 2, "u": 1}, {"_id": 3, "u": 7}]},
            1,
            1,
            true,
        ),
    )
    .unwrap();
    e.run_command(
        "db",
        &doc! {"insert": "c", "documents": [{"_id": 4, "u": 7}]},
    )
    .unwrap();
    let err = commit(&e, 1, 1).unwrap_err();
    assert_eq!(err.code, 11000);
    assert_eq!(all(&e), vec![Bson::Int32(1), Bson::Int32(4)]);
}

#[test]
fn a_failed_statement_aborts_the_transaction() {
    let e = engine();
    let err = e
        .run_command(
            "db",
            &in_txn(
                doc! {"insert": "c", "documents": [{"_id": 5}, {"_id": 1}]},
                1,
                1,
                true,
            ),
        )
        .unwrap_err();
    assert_eq!(err.code, 11000);
    assert_eq!(commit(&e, 1, 1).unwrap_err().code, 251);
    assert_eq!(all(&e), vec![Bson::Int32(1)]);
}

#[test]
fn misuse_errors() {
    let e = engine();
    // Not allowed in a transaction.
    let err = e
        .run_command("db", &in_txn(doc! {"count": "c"}, 1, 1, true))
        .unwrap_err();
    assert_eq!(
        (err.code, err.code_name.as_str()),
        (263, "OperationNotSupportedInTransaction")
    );
    let err = e
        .run_command("db", &in_txn(doc! {"drop": "c"}, 1, 1, true))
        .unwrap_err();
    assert_eq!(err.code, 263);
    // Creating an existing collection, indexes on an existing one.
    let err = e
        .run_command("db", &in_txn(doc! {"create": "c"}, 1, 2, true))
        .unwrap_err();
    assert_eq!(err.code, 48);
    let err = e
        .run_command(
            "db",
            &in_txn(
                doc! {"createIndexes": "c", "indexes": [{"key": {"v": 1}, "name": "v_1"}]},
                1,
                3,
                true,
            ),
        )
        .unwrap_err();
    assert_eq!(err.code, 263);
    // startTransaction twice at one number; an older number.
    e.run_command("db", &in_txn(doc! {"find": "c"}, 1, 10, true))
        .unwrap();
    let err = e
        .run_command("db", &in_txn(doc! {"find": "c"}, 1, 10, true))
        .unwrap_err();
    assert_eq!(err.code, 117);
    let err = e
        .run_command("db", &in_txn(doc! {"find": "c"}, 1, 9, true))
        .unwrap_err();
    assert_eq!(
        (err.code, err.code_name.as_str()),
        (225, "TransactionTooOld")
    );
    // A continuation with another number.
    let err = e
        .run_command("db", &in_txn(doc! {"find": "c"}, 1, 11, false))
        .unwrap_err();
    assert_eq!(err.code, 251);
    // autocommit: true.
    let mut c = in_txn(doc! {"find": "c"}, 1, 12, true);
    c.insert("autocommit", true);
    assert_eq!(e.run_command("db", &c).unwrap_err().code, 72);
    // A read concern mongod does not run transactions at.
    let mut c = in_txn(doc! {"find": "c"}, 1, 13, true);
    c.insert("readConcern", doc! {"level": "linearizable"});
    assert_eq!(e.run_command("db", &c).unwrap_err().code, 72);
    let mut c = in_txn(doc! {"find": "c"}, 1, 14, true);
    c.insert("readConcern", doc! {"level": "snapshot"});
    e.run_command("db", &c).unwrap();
    // A txnNumber on a command that is no retryable write.
    let err = e
        .run_command(
            "db",
            &doc! {"find": "c", "lsid": lsid(2), "txnNumber": 1_i64},
        )
        .unwrap_err();
    assert_eq!(err.code, 50768);
}

#[test]
fn collections_created_in_a_transaction() {
    let e = engine();
    e.run_command("db", &in_txn(doc! {"create": "fresh"}, 1, 1, true))
        .unwrap();
    e.run_command(
        "db",
        &in_txn(
            doc! {"createIndexes": "fresh", "indexes": [{"key": {"k": 1}, "name": "k_1", "unique": true}]},
            1,
            1,
            false,
        ),
    )
    .unwrap();
    e.run_command(
        "db",
        &in_txn(
            doc! {"insert": "fresh", "documents": [{"_id": 1, "k": 1}]},
            1,
            1,
            false,
        ),
    )
    .unwrap();
    let listed = e.run_command("db", &doc! {"listCollections": 1}).unwrap();
    let names = format!("{listed:?}");
    assert!(!names.contains("fresh"), "{names}");
    // An unrelated commit meanwhile: the merge path carries the new collection over whole.
    e.run_command("db", &doc! {"insert": "c", "documents": [{"_id": 2}]})
        .unwrap();
    commit(&e, 1, 1).unwrap();
    assert_eq!(ids(&e, doc! {"find": "fresh"}), vec![Bson::Int32(1)]);
    let ix = e.run_command("db", &doc! {"listIndexes": "fresh"}).unwrap();
    assert!(format!("{ix:?}").contains("k_1"));
}

#[test]
fn retryable_write_runs_once() {
    let e = engine();
    let w = doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$inc": {"v": 1}}}], "lsid": lsid(3), "txnNumber": 7_i64};
    let first = e.run_command("db", &w).unwrap();
    let second = e.run_command("db", &w).unwrap();
    assert_eq!(first, second);
    let r = e.run_command("db", &doc! {"find": "c"}).unwrap();
    let d = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()[0]
        .as_document()
        .unwrap()
        .clone();
    assert_eq!(d.get_i32("v").unwrap(), 2);
    let mut old = w.clone();
    old.insert("txnNumber", 6_i64);
    assert_eq!(e.run_command("db", &old).unwrap_err().code, 225);
}

#[test]
fn end_sessions_aborts_and_lists() {
    let e = engine();
    e.run_command(
        "db",
        &in_txn(doc! {"insert": "c", "documents": [{"_id": 2}]}, 4, 1, true),
    )
    .unwrap();
    assert!(e
        .local_sessions()
        .iter()
        .any(|s| s.get_document("_id").unwrap() == &lsid(4)));
    e.run_command("admin", &doc! {"endSessions": [lsid(4)]})
        .unwrap();
    assert!(e.local_sessions().is_empty());
    // Its transaction is gone; another session may write the document.
    e.run_command(
        "db",
        &in_txn(doc! {"insert": "c", "documents": [{"_id": 2}]}, 5, 1, true),
    )
    .unwrap();
    commit(&e, 5, 1).unwrap();
    assert_eq!(all(&e), vec![Bson::Int32(1), Bson::Int32(2)]);
    let started = e.run_command("admin", &doc! {"startSession": 1}).unwrap();
    assert!(started.get_document("id").is_ok());
}

#[test]
fn commit_is_durable_across_reopen() {
    let dir = std::env::temp_dir().join(format!("sqlmongo-txn-durable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let e = Engine::open(&dir).unwrap();
        e.run_command("db", &doc! {"insert": "c", "documents": [{"_id": 1}]})
            .unwrap();
        e.run_command(
            "db",
            &in_txn(doc! {"insert": "c", "documents": [{"_id": 2}]}, 1, 1, true),
        )
        .unwrap();
        e.run_command(
            "db",
            &in_txn(
                doc! {"delete": "c", "deletes": [{"q": {"_id": 1}, "limit": 1}]},
                1,
                1,
                false,
            ),
        )
        .unwrap();
        e.run_command(
            "db",
            &in_txn(doc! {"insert": "c", "documents": [{"_id": 3}]}, 2, 1, true),
        )
        .unwrap();
        // Session 1 commits (with j: true), session 2 stays open and is lost with the process.
        let mut c = in_txn(doc! {"commitTransaction": 1}, 1, 1, false);
        c.insert("writeConcern", doc! {"w": "majority", "j": true});
        e.run_command("admin", &c).unwrap();
    }
    let e = Engine::open(&dir).unwrap();
    assert_eq!(all(&e), vec![Bson::Int32(2)]);
    drop(e);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One step of a random interleaving: which transaction, and what it does to which document.
#[derive(Debug, Clone)]
enum Step {
    Inc(usize, i32),
    Insert(usize, i32),
    Delete(usize, i32),
    Commit(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..2usize, 0..4i32).prop_map(|(t, d)| Step::Inc(t, d)),
        (0..2usize, 4..6i32).prop_map(|(t, d)| Step::Insert(t, d)),
        (0..2usize, 0..4i32).prop_map(|(t, d)| Step::Delete(t, d)),
        (0..2usize).prop_map(Step::Commit),
    ]
}

fn contents(e: &Engine) -> Vec<Document> {
    let r = e
        .run_command("db", &doc! {"find": "c", "sort": {"_id": 1}})
        .unwrap();
    r.get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|d| d.as_document().unwrap().clone())
        .collect()
}

fn seeded() -> Engine {
    let e = Engine::in_memory();
    e.run_command(
        "db",
        &doc! {"insert": "c", "documents": [{"_id": 0, "v": 0}, {"_id": 1, "v": 0}, {"_id": 2, "v": 0}, {"_id": 3, "v": 0}]},
    )
    .unwrap();
    e
}

fn op(step: &Step) -> Option<Document> {
    Some(match step {
        Step::Inc(_, d) => {
            doc! {"update": "c", "updates": [{"q": {"_id": d}, "u": {"$inc": {"v": 1}}}]}
        }
        Step::Insert(_, d) => doc! {"insert": "c", "documents": [{"_id": d, "v": 0}]},
        Step::Delete(_, d) => doc! {"delete": "c", "deletes": [{"q": {"_id": d}, "limit": 1}]},
        Step::Commit(_) => return None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Two transactions interleaved at random: the committed result equals running the committed ones
    /// serially (in commit order), and every failure is a write conflict (or a duplicate key of an insert
    /// both made, which the serial order fails the same way).
    #[test]
    fn interleavings_are_serializable(steps in proptest::collection::vec(step(), 1..16)) {
        let e = seeded();
        let mut alive = [true, true];
        let mut started = [false, false];
        let mut done: [Vec<Document>; 2] = [Vec::new(), Vec::new()];
        let mut order: Vec<usize> = Vec::new();
        for s in &steps {
            let t = match s { Step::Inc(t, _) | Step::Insert(t, _) | Step::Delete(t, _) | Step::Commit(t) => *t };
            if !alive[t] { continue; }
            match op(s) {
                Some(cmd) => {
                    let sid = t as u8 + 1;
                    let r = e.run_command("db", &in_txn(cmd.clone(), sid, 1, !started[t]));
                    started[t] = true;
                    match r {
                        Ok(_) => done[t].push(cmd),
                        Err(err) => {
                            prop_assert!(err.code == 112 || err.code == 11000, "{err:?}");
                            alive[t] = false;
                        }
                    }
                }
                None => {
                    if !started[t] { continue; }
                    alive[t] = false;
                    match commit(&e, t as u8 + 1, 1) {
                        Ok(_) => order.push(t),
                        Err(err) => prop_assert!(err.code == 112 || err.code == 11000, "{err:?}"),
                    }
                }
            }
        }
        // Serial replay of the committed transactions, in commit order.
        let serial = seeded();
        for t in &order {
            for cmd in &done[*t] {
                let r = serial.run_command("db", cmd).unwrap();
                prop_assert!(r.get("writeErrors").is_none(), "{r:?}");
            }
        }
        prop_assert_eq!(contents(&e), contents(&serial));
    }
}

#[test]
fn list_local_sessions_stage() {
    let e = engine();
    e.run_command("db", &doc! {"find": "c", "lsid": lsid(7)})
        .unwrap();
    e.run_command("db", &doc! {"find": "c", "lsid": lsid(8)})
        .unwrap();
    let listed = |spec: Document| -> Vec<Document> {
        let r = e
            .run_command(
                "admin",
                &doc! {"aggregate": 1, "pipeline": [{"$listLocalSessions": spec}, {"$sort": {"_id.id": 1}}], "cursor": {}},
            )
            .unwrap();
        r.get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
            .iter()
            .map(|d| d.as_document().unwrap().clone())
            .collect()
    };
    let all = listed(doc! {"allUsers": true});
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].get_document("_id").unwrap(), &lsid(7));
    assert!(all[0].get_datetime("lastUse").is_ok());
    assert_eq!(listed(doc! {}).len(), 2);
    assert_eq!(
        listed(doc! {"users": [{"user": "x", "db": "admin"}]}).len(),
        0
    );
    // A server registers the sessions of its users' commands ([`Engine::touch_session`]): `users` lists
    // theirs, each naming its user; an empty `users` is `{}`.
    e.touch_session(&lsid(9), Some(("x", "admin")));
    e.touch_session(&doc! {"id": 1}, Some(("x", "admin")));
    let xs = listed(doc! {"users": [{"user": "x", "db": "admin"}]});
    assert_eq!(xs.len(), 1);
    assert_eq!(xs[0].get_document("_id").unwrap(), &lsid(9));
    assert_eq!(
        xs[0].get_document("user").unwrap(),
        &doc! {"name": "x@admin"}
    );
    assert_eq!(listed(doc! {"users": []}).len(), 3);
    assert_eq!(
        listed(doc! {"allUsers": true, "users": [{"user": "y", "db": "admin"}]}).len(),
        3
    );
    for (bad, code) in [
        (doc! {"users": [1]}, 14),
        (doc! {"users": [{"user": "x"}]}, 40414),
    ] {
        let err = e
            .run_command(
                "admin",
                &doc! {"aggregate": 1, "pipeline": [{"$listLocalSessions": bad}], "cursor": {}},
            )
            .unwrap_err();
        assert_eq!(err.code, code);
    }
    let err = e
        .run_command(
            "admin",
            &doc! {"aggregate": "c", "pipeline": [{"$listLocalSessions": {}}], "cursor": {}},
        )
        .unwrap_err();
    assert_eq!(err.code, 73);
}
