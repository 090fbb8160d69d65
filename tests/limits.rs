//! mongod's limits through the engine's two entry points, each on a thread with a 2 MiB stack (a tokio
//! worker's default): commands nested far past `maxBSONDepth` (as `Engine::run_command` documents and as
//! `run_command_raw` bytes), filters and expressions nested up to the limit, documents grown one level per
//! update until storage refuses them, the 16 MiB document size, namespace lengths, cursor ownership, cursor
//! ids and the cap on open cursors.

use bson::{doc, rawdoc, Bson, Document};
use sqlmongo::engine::{CursorOwner, Engine, EngineOptions, MAX_OPEN_CURSORS};

const STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a fresh thread with a 2 MiB stack: a recursion without a limit overflows it (and aborts the
/// test binary), so passing proves the input is bounded before anything recursive reads it.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread finished")
}

fn engine() -> Engine {
    Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    })
}

/// `{a: {a: ... {a: 1}}}` with `n` levels, built without recursion.
fn nested(n: usize) -> Document {
    let mut d = doc! {"a": 1};
    for _ in 1..n {
        d = doc! {"a": d};
    }
    d
}

/// The BSON bytes of `{<prefix fields>, "a": {"a": ... {"a": 1}}}` with `n` levels, written by hand (the
/// `bson` encoder recurses).
fn nested_bytes(prefix: &[u8], n: usize) -> Vec<u8> {
    fn patch(b: &mut [u8], at: usize) {
        let len = (b.len() - at) as i32;
        b[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }
    let mut b = vec![0, 0, 0, 0];
    b.extend_from_slice(prefix);
    let mut starts = vec![0usize];
    for _ in 1..n {
        b.extend_from_slice(&[0x03, b'a', 0]);
        starts.push(b.len());
        b.extend_from_slice(&[0, 0, 0, 0]);
    }
    b.extend_from_slice(&[0x10, b'a', 0, 1, 0, 0, 0]);
    for at in starts.into_iter().rev() {
        b.push(0);
        patch(&mut b, at);
    }
    b
}

fn code(r: Result<Document, sqlmongo::engine::CommandError>) -> (i32, String) {
    let e = r.expect_err("refused");
    (e.code, e.code_name)
}

#[test]
fn commands_nested_past_max_bson_depth_are_refused_without_recursion() {
    on_small_stack(|| {
        let e = engine();
        // 1,400 levels: the crash (an 11 KB message); 100,000: far past anything (as bytes only: a
        // `Document` that deep cannot even be dropped on this stack, `Drop` recurses).
        for n in [201, 1_400, 100_000] {
            if n <= 1_400 {
                let cmd = doc! {"insert": "t", "documents": [nested(n)]};
                assert_eq!(
                    code(e.run_command("app", &cmd)),
                    (15, "Overflow".into()),
                    "{n}"
                );
            }
            let bytes = nested_bytes(b"\x02find\0\x02\0\0\0t\0", n);
            let raw = bson::RawDocument::from_bytes(&bytes).expect("framing");
            let err = e.run_command_raw("app", raw).expect_err("refused");
            assert_eq!((err.code, err.code_name.as_str()), (15, "Overflow"), "{n}");
        }
        // 198 levels of document inside `{insert, documents: [..]}` is 200 levels: accepted by the command
        // check, then refused by storage (180).
        let cmd = doc! {"insert": "t", "documents": [nested(198)]};
        let reply = e.run_command("app", &cmd).expect("reply");
        let err = reply.get_array("writeErrors").expect("writeErrors")[0]
            .as_document()
            .expect("error")
            .clone();
        assert_eq!(err.get_i32("code").ok(), Some(15));
        assert!(err
            .get_str("errmsg")
            .unwrap()
            .contains("exceeds 180 levels of nesting"));
        let ok = e
            .run_command(
                "app",
                &doc! {"insert": "t", "documents": [{"_id": 1, "v": nested(179)}]},
            )
            .expect("reply");
        assert_eq!(ok.get_i32("n").ok(), Some(1), "{ok}");
    });
}

/// `{$and: [{$and: [ ... {x: 1} ]}]}` with `n` operators (two BSON levels each).
fn nested_and(n: usize) -> Document {
    let mut f = doc! {"x": 1};
    for _ in 0..n {
        f = doc! {"$and": [f]};
    }
    f
}

/// `{$add: [{$add: [ ... 1, 1]}, 1]}` with `n` operators.
fn nested_add(n: usize) -> Bson {
    let mut e = Bson::Int32(1);
    for _ in 0..n {
        e = Bson::Document(doc! {"$add": [e, 1]});
    }
    e
}

#[test]
fn filters_and_expressions_up_to_the_depth_limit_run_on_a_small_stack() {
    on_small_stack(|| {
        let e = engine();
        e.run_command(
            "app",
            &doc! {"insert": "t", "documents": [{"_id": 1, "x": 1}]},
        )
        .expect("insert");
        // {find, filter: {$and: [..]}}: the filter's operators at depth 2, 4, ...: 98 fit in 200 levels.
        let r = e
            .run_command("app", &doc! {"find": "t", "filter": nested_and(98)})
            .expect("98 nested $and");
        let batch = r
            .get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap();
        assert_eq!(batch.len(), 1);
        for n in [100, 710] {
            let r = e.run_command("app", &doc! {"find": "t", "filter": nested_and(n)});
            assert_eq!(code(r), (15, "Overflow".into()), "{n} nested $and");
        }
        // {aggregate, pipeline: [{$project: {v: {$add: ..}}}]}: the expression starts at depth 4.
        let add = |n| doc! {"aggregate": "t", "pipeline": [{"$project": {"v": nested_add(n)}}], "cursor": {}};
        let r = e.run_command("app", &add(97)).expect("97 nested $add");
        let batch = r
            .get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap();
        assert_eq!(batch[0].as_document().unwrap().get_i32("v").ok(), Some(98));
        for n in [99, 710] {
            assert_eq!(
                code(e.run_command("app", &add(n))),
                (15, "Overflow".into()),
                "{n} nested $add"
            );
        }
        // The same expressions inside $expr and an update pipeline.
        let r = e.run_command(
            "app",
            &doc! {"find": "t", "filter": {"$expr": {"$eq": [nested_add(95), 96]}}},
        );
        assert_eq!(
            r.expect("$expr")
                .get_document("cursor")
                .unwrap()
                .get_array("firstBatch")
                .unwrap()
                .len(),
            1
        );
    });
}

#[test]
fn a_document_grown_one_level_per_update_is_refused_at_180_levels() {
    on_small_stack(|| {
        let e = engine();
        e.run_command(
            "app",
            &doc! {"insert": "s", "documents": [{"_id": 1, "v": 0}]},
        )
        .expect("insert");
        let grow = doc! {"update": "s", "updates": [{"q": {"_id": 1}, "u": [{"$set": {"v": {"a": "$v"}}}]}]};
        let mut refused_at = None;
        for i in 1..=400 {
            let reply = e.run_command("app", &grow).expect("update reply");
            if let Ok(errors) = reply.get_array("writeErrors") {
                let err = errors[0].as_document().unwrap();
                assert_eq!(err.get_i32("code").ok(), Some(15), "{err}");
                assert_eq!(
                    err.get_str("errmsg").ok(),
                    Some("Document exceeds maximum nesting depth of 180")
                );
                refused_at = Some(i);
                break;
            }
            assert_eq!(reply.get_i32("nModified").ok(), Some(1));
        }
        // `v` at depth 1 holds 179 levels of `a` after 179 updates; the 180th would make it 181.
        assert_eq!(refused_at, Some(180));
        // The stored document is still readable, compared and sorted at its full depth.
        let r = e
            .run_command(
                "app",
                &doc! {"find": "s", "filter": {"v": {"$exists": true}}, "sort": {"v": 1}},
            )
            .expect("find");
        assert_eq!(
            r.get_document("cursor")
                .unwrap()
                .get_array("firstBatch")
                .unwrap()
                .len(),
            1
        );
    });
}

#[test]
fn documents_over_16_mib_are_refused_as_mongod_refuses_them() {
    let e = engine();
    let max = 16 * 1024 * 1024;
    // {_id: 1, s: "x..."}: 5 + (1+4+4) + (1+2+4+n+1) bytes = n + 22.
    let doc_of = |n: usize| doc! {"_id": 1, "s": "x".repeat(n)};
    let reply = e
        .run_command(
            "app",
            &doc! {"insert": "big", "documents": [doc_of(max - 22 + 1)]},
        )
        .expect("reply");
    let err = reply.get_array("writeErrors").expect("writeErrors")[0]
        .as_document()
        .unwrap()
        .clone();
    assert_eq!(err.get_i32("code").ok(), Some(2), "{err}");
    assert_eq!(
        err.get_str("errmsg").ok(),
        Some("object to insert too large. size in bytes: 16777217, max size: 16777216")
    );
    let reply = e
        .run_command(
            "app",
            &doc! {"insert": "big", "documents": [doc_of(max - 22)]},
        )
        .expect("reply");
    assert_eq!(
        reply.get_i32("n").ok(),
        Some(1),
        "exactly 16 MiB is accepted"
    );
    // An update that grows it by one byte: 10334.
    let reply = e
        .run_command(
            "app",
            &doc! {"update": "big", "updates": [{"q": {"_id": 1}, "u": {"$set": {"s": "x".repeat(max - 22 + 1)}}}]},
        )
        .expect("reply");
    let err = reply.get_array("writeErrors").expect("writeErrors")[0]
        .as_document()
        .unwrap()
        .clone();
    assert_eq!(err.get_i32("code").ok(), Some(10334), "{err}");
}

#[test]
fn namespace_lengths_are_mongods() {
    let e = engine();
    let db63 = "d".repeat(63);
    e.run_command(&db63, &doc! {"insert": "t", "documents": [{"x": 1}]})
        .expect("63-character database name");
    let r = e.run_command(
        &"d".repeat(64),
        &doc! {"insert": "t", "documents": [{"x": 1}]},
    );
    assert_eq!(code(r), (73, "InvalidNamespace".into()));
    let r = e.run_command(&"d".repeat(10_000), &doc! {"ping": 1});
    assert_eq!(code(r), (73, "InvalidNamespace".into()));
    // "app." + 251 = 255 bytes: accepted; 252: refused.
    e.run_command(
        "app",
        &doc! {"insert": "c".repeat(251), "documents": [{"x": 1}]},
    )
    .expect("255-byte namespace");
    let r = e.run_command(
        "app",
        &doc! {"insert": "c".repeat(252), "documents": [{"x": 1}]},
    );
    assert_eq!(code(r), (73, "InvalidNamespace".into()));
    let r = e.run_command("app", &doc! {"create": "c".repeat(300)});
    assert_eq!(code(r), (73, "InvalidNamespace".into()));
}

fn open_cursor(e: &Engine, owner: &CursorOwner) -> i64 {
    let r = e
        .run_command_as(owner, "app", &doc! {"find": "c", "batchSize": 1})
        .expect("find");
    r.get_document("cursor").unwrap().get_i64("id").expect("id")
}

#[test]
fn cursors_belong_to_whoever_opened_them() {
    let e = engine();
    e.run_command(
        "app",
        &doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}, {"_id": 3}]},
    )
    .expect("insert");
    let a = CursorOwner::Connection(1);
    let b = CursorOwner::Session(vec![7; 16]);
    let id = open_cursor(&e, &a);
    assert_ne!(id, 0);
    let get_more = doc! {"getMore": id, "collection": "c", "batchSize": 1};
    for other in [&b, &CursorOwner::Connection(2), &CursorOwner::Local] {
        let err = e
            .run_command_as(other, "app", &get_more)
            .expect_err("not the owner");
        assert_eq!((err.code, err.code_name.as_str()), (13, "Unauthorized"));
        assert_eq!(
            err.errmsg,
            format!("cursor id {id} was not created by the authenticated user")
        );
        let err = e
            .run_command_as(other, "app", &doc! {"killCursors": "c", "cursors": [id]})
            .expect_err("not the owner");
        assert_eq!((err.code, err.code_name.as_str()), (13, "Unauthorized"));
    }
    // The owner still has it, untouched by the refused calls.
    let r = e
        .run_command_as(&a, "app", &get_more)
        .expect("owner's getMore");
    assert_eq!(
        r.get_document("cursor")
            .unwrap()
            .get_array("nextBatch")
            .unwrap()
            .len(),
        1
    );
    let r = e
        .run_command_as(
            &a,
            "app",
            &doc! {"killCursors": "c", "cursors": [id, 12345_i64]},
        )
        .expect("owner's killCursors");
    assert_eq!(
        r.get_array("cursorsKilled").unwrap(),
        &vec![Bson::Int64(id)]
    );
    assert_eq!(
        r.get_array("cursorsNotFound").unwrap(),
        &vec![Bson::Int64(12345)]
    );
    // A session's cursor is the session's on any connection; the library's own cursors work as before.
    let sid = open_cursor(&e, &b);
    let more = doc! {"getMore": sid, "collection": "c"};
    assert!(e.run_command_as(&b, "app", &more).is_ok());
    let lid = open_cursor(&e, &CursorOwner::Local);
    assert!(e
        .run_command("app", &doc! {"getMore": lid, "collection": "c"})
        .is_ok());
}

#[test]
fn cursor_ids_are_unpredictable_63_bit_values() {
    let e = engine();
    e.run_command(
        "app",
        &doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}]},
    )
    .expect("insert");
    let ids: Vec<i64> = (0..64)
        .map(|_| open_cursor(&e, &CursorOwner::Local))
        .collect();
    assert!(ids.iter().all(|&i| i > 0));
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
    // Sequential ids differ by a constant; these spread over the whole range.
    let steps: std::collections::HashSet<i64> =
        ids.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
    assert!(steps.len() > 60, "{steps:?}");
    assert!(ids.iter().any(|&i| i > 1 << 40), "{ids:?}");
    // Another engine does not repeat this one's sequence.
    let e2 = engine();
    e2.run_command(
        "app",
        &doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}]},
    )
    .expect("insert");
    assert_ne!(open_cursor(&e2, &CursorOwner::Local), ids[0]);
}

#[test]
fn open_cursors_are_capped() {
    let e = engine();
    e.run_command(
        "app",
        &doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}]},
    )
    .expect("insert");
    for _ in 0..MAX_OPEN_CURSORS {
        open_cursor(&e, &CursorOwner::Connection(1));
    }
    assert_eq!(e.open_cursors(), MAX_OPEN_CURSORS);
    let err = e
        .run_command_as(
            &CursorOwner::Connection(2),
            "app",
            &doc! {"find": "c", "batchSize": 1},
        )
        .expect_err("over the cap");
    assert_eq!(
        (err.code, err.code_name.as_str()),
        (146, "ExceededMemoryLimit")
    );
    // A result that fits one batch needs no cursor: still served.
    let r = e
        .run_command("app", &doc! {"find": "c"})
        .expect("single batch");
    assert_eq!(
        r.get_document("cursor").unwrap().get_i64("id").ok(),
        Some(0)
    );
    let _ = rawdoc! {};
}

#[test]
fn values_built_deep_by_expressions_are_refused() {
    on_small_stack(|| {
        let e = engine();
        e.run_command("app", &doc! {"insert": "t", "documents": [{"_id": 1}]})
            .expect("insert");
        for (n, wrap) in [
            (5_000, Bson::Document(doc! {"a": "$$value"})),
            (5_000, Bson::Array(vec![Bson::String("$$value".into())])),
        ] {
            let cmd = doc! {"aggregate": "t", "pipeline": [{"$project": {"v": {"$reduce": {
            "input": {"$range": [0, n]}, "initialValue": {}, "in": wrap.clone()}}}}], "cursor": {}};
            let r = e.run_command("app", &cmd);
            assert_eq!(code(r), (15, "Overflow".into()), "{wrap}");
        }
    });
}

#[test]
fn views_that_read_each_other_are_refused_not_recursed() {
    on_small_stack(|| {
        let e = engine();
        e.run_command("app", &doc! {"insert": "t", "documents": [{"_id": 1}]})
            .expect("insert");
        let lookup = |from: &str| doc! {"$lookup": {"from": from, "pipeline": [], "as": "x"}};
        let union = |from: &str| doc! {"$unionWith": {"coll": from, "pipeline": []}};
        for stage in [lookup, union] {
            let _ = e.run_command("app", &doc! {"drop": "v1"});
            let _ = e.run_command("app", &doc! {"drop": "v2"});
            e.run_command(
                "app",
                &doc! {"create": "v1", "viewOn": "t", "pipeline": [stage("v2")]},
            )
            .expect("v1");
            let r = e.run_command(
                "app",
                &doc! {"create": "v2", "viewOn": "t", "pipeline": [stage("v1")]},
            );
            if r.is_ok() {
                // Created (mongod refuses the cycle at creation, 40255 GraphContainsCycle): reading it must
                // fail, not recurse without end.
                let r = e.run_command("app", &doc! {"find": "v1"});
                assert_eq!(code(r), (232, "MaxSubPipelineDepthExceeded".into()));
            }
        }
    });
}

#[test]
fn long_dotted_paths_run_on_a_small_stack() {
    on_small_stack(|| {
        let e = engine();
        e.run_command(
            "app",
            &doc! {"insert": "t", "documents": [{"_id": 1, "a": nested(150)}]},
        )
        .expect("insert");
        for n in [200, 201, 5_000] {
            let path = vec!["a"; n].join(".");
            let field = format!("${path}");
            let cmds = [
                doc! {"find": "t", "filter": {&path: 1}},
                doc! {"find": "t", "filter": {&path: {"$exists": true}}, "sort": {&path: 1}, "projection": {&path: 1}},
                doc! {"aggregate": "t", "pipeline": [{"$project": {"v": &field}}, {"$group": {"_id": &field}}], "cursor": {}},
                doc! {"update": "t", "updates": [{"q": {"_id": 1}, "u": {"$set": {&path: 2}}}]},
                doc! {"update": "t", "updates": [{"q": {"_id": 1}, "u": {"$unset": {&path: 1}}}]},
                doc! {"createIndexes": "t", "indexes": [{"key": {&path: 1}, "name": "deep"}]},
                doc! {"distinct": "t", "key": &path},
            ];
            for cmd in cmds {
                // Within the limit: a reply or a typed error (the point is that the stack holds); past it,
                // mongod's refusal.
                let r = e.run_command("app", &cmd);
                if n > 200 {
                    let err = r.expect_err("too long");
                    assert_eq!(
                        (err.code, err.errmsg.as_str()),
                        (15, "FieldPath is too long")
                    );
                }
            }
        }
    });
}

#[test]
fn pipelines_that_deepen_documents_stage_by_stage_are_refused() {
    on_small_stack(|| {
        let e = engine();
        e.run_command("app", &doc! {"insert": "t", "documents": [{"_id": 1}]})
            .expect("insert");
        let stages: [fn() -> Document; 4] = [
            || doc! {"$replaceRoot": {"newRoot": {"a": "$$ROOT"}}},
            || doc! {"$project": {"_id": 0, "a": "$$ROOT"}},
            || doc! {"$addFields": {"a": "$$ROOT"}},
            || doc! {"$group": {"_id": "$$ROOT"}},
        ];
        for stage in stages {
            let pipeline: Vec<Document> = (0..3_000).map(|_| stage()).collect();
            let r = e.run_command(
                "app",
                &doc! {"aggregate": "t", "pipeline": pipeline, "cursor": {}},
            );
            // Nested one level per stage: too deep at stage 200. `$addFields` doubles the document each
            // stage: too large first.
            let want = if stage()
                .get_document("$addFields")
                .is_ok_and(|f| f.len() == 2)
            {
                (146, "ExceededMemoryLimit".into())
            } else {
                (15, "Overflow".into())
            };
            assert_eq!(code(r), want, "{}", stage());
        }
    });
}
