//! The `RetryableWriteError` label: mongod's rules (a retryable write or a transaction's commit / abort,
//! a retriable code or write concern error code), and the engine's own path to such an error (a command
//! interrupted because the server shuts down).

use super::*;
use crate::engine::Engine;
use bson::doc;

fn lsid() -> Document {
    doc! {"id": bson::Binary {subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![42; 16]}}
}

fn labels(e: &CommandError) -> Vec<String> {
    e.extra
        .as_deref()
        .and_then(|x| x.get_array("errorLabels").ok())
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_label_follows_mongods_rules() {
    let retryable = doc! {"insert": "c", "documents": [], "lsid": lsid(), "txnNumber": 1_i64};
    let plain = doc! {"insert": "c", "documents": []};
    let in_txn = doc! {"insert": "c", "lsid": lsid(), "txnNumber": 1_i64, "autocommit": false};
    let commit =
        doc! {"commitTransaction": 1, "lsid": lsid(), "txnNumber": 1_i64, "autocommit": false};
    let shutdown =
        || CommandError::new(ErrorCode::InterruptedAtShutdown, "interrupted at shutdown");
    assert_eq!(
        labels(&label_error(&retryable, shutdown())),
        [RETRYABLE_WRITE_ERROR]
    );
    assert_eq!(
        labels(&label_error(&commit, shutdown())),
        [RETRYABLE_WRITE_ERROR]
    );
    assert!(labels(&label_error(&plain, shutdown())).is_empty());
    assert!(labels(&label_error(&in_txn, shutdown())).is_empty());
    // Only retriable codes: a duplicate key or a killOp is not retried.
    let dup = CommandError::new(ErrorCode::DuplicateKey, "E11000");
    assert!(labels(&label_error(&retryable, dup)).is_empty());
    let killed = CommandError::new(ErrorCode::Interrupted, "operation was interrupted");
    assert!(labels(&label_error(&retryable, killed)).is_empty());
    for code in [
        6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
    ] {
        assert!(is_retriable(code), "{code}");
    }
    assert!(!is_retriable(50) && !is_retriable(11601) && !is_retriable(112));
    // Replies: an ok: 0 reply's code, or a write concern error's (labelled at the top level); once.
    let mut r = doc! {"ok": 0.0, "code": 10107, "codeName": "NotWritablePrimary"};
    label_reply(&retryable, &mut r);
    label_reply(&retryable, &mut r);
    assert_eq!(
        r.get_array("errorLabels").unwrap(),
        &vec![Bson::from(RETRYABLE_WRITE_ERROR)]
    );
    let mut r =
        doc! {"ok": 1.0, "n": 1, "writeConcernError": {"code": 91, "errmsg": "shutting down"}};
    label_reply(&retryable, &mut r);
    assert!(r.get_array("errorLabels").is_ok());
    let mut r = doc! {"ok": 1.0, "n": 1, "writeConcernError": {"code": 64, "errmsg": "timed out"}};
    label_reply(&retryable, &mut r);
    assert!(r.get("errorLabels").is_none());
    let mut r = doc! {"ok": 0.0, "code": 91};
    label_reply(&plain, &mut r);
    assert!(r.get("errorLabels").is_none());
    // A transient transaction error keeps its own label alone.
    let mut r = doc! {"ok": 0.0, "code": 91, "errorLabels": ["TransientTransactionError"]};
    label_reply(&commit, &mut r);
    assert_eq!(r.get_array("errorLabels").unwrap().len(), 1);
}

/// A long retryable write interrupted because the server shuts down fails with 11600
/// `InterruptedAtShutdown` and the label; the same write without a `txnNumber` gets no label.
#[test]
fn a_write_interrupted_at_shutdown_is_labelled_retryable() {
    let e = Engine::in_memory();
    let docs: Vec<Document> = (0..4000).map(|i| doc! {"_id": i, "v": i}).collect();
    e.run_command("db", &doc! {"insert": "c", "documents": docs})
        .unwrap();
    // A single-document update whose filter is slow to evaluate on every document (and matches none).
    let slow = doc! {"$expr": {"$eq": [
        {"$reduce": {"input": {"$range": [0, 1000]}, "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}},
        -1
    ]}};
    for (with_txn, want_label) in [(true, true), (false, false)] {
        let mut cmd =
            doc! {"update": "c", "updates": [{"q": slow.clone(), "u": {"$set": {"x": 1}}}]};
        if with_txn {
            cmd.insert("lsid", lsid());
            cmd.insert("txnNumber", 7_i64);
        }
        let runner = e.clone();
        let t = std::thread::spawn(move || runner.run_command("db", &cmd));
        let started = std::time::Instant::now();
        loop {
            let ops = e.run_command("admin", &doc! {"currentOp": 1}).unwrap();
            let busy = ops
                .get_array("inprog")
                .map(|a| {
                    a.iter().any(|o| {
                        o.as_document()
                            .is_some_and(|o| o.get_str("op").ok() == Some("update"))
                    })
                })
                .unwrap_or(false);
            if busy {
                break;
            }
            assert!(
                !t.is_finished(),
                "the update ended before it could be interrupted"
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(30));
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(e.interrupt_at_shutdown() >= 1);
        let err = t.join().unwrap().unwrap_err();
        assert_eq!(err.code, 11600, "{err:?}");
        assert_eq!(err.code_name, "InterruptedAtShutdown");
        assert_eq!(
            labels(&err) == [RETRYABLE_WRITE_ERROR],
            want_label,
            "{err:?}"
        );
    }
}
