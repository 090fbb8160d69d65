//! The aggregation output stages `$out` and `$merge` (issue 16 item 3), as MongoDB's manual documents them:
//! `$out` replaces the target atomically and keeps its indexes and options; `$merge` upserts by its `on` fields
//! with each `whenMatched` / `whenNotMatched` mode; both only as the last stage; mongod's error codes; the
//! writes survive a reopen of a durable store. A property test holds `$merge` to a model of its documented
//! semantics on generated data.

mod store_support;

use bson::{doc, Bson, Document};
use proptest::prelude::*;
use sqlmongo::engine::Engine;
use store_support::TempDir;

fn run(e: &Engine, cmd: Document) -> Result<Document, sqlmongo::engine::CommandError> {
    e.run_command("app", &cmd)
}

fn ok(e: &Engine, cmd: Document) -> Document {
    run(e, cmd.clone()).unwrap_or_else(|err| panic!("{cmd}: {err}"))
}

fn code(e: &Engine, cmd: Document) -> i32 {
    match run(e, cmd.clone()) {
        Ok(r) => panic!("{cmd} should fail, got {r}"),
        Err(err) => err.code,
    }
}

/// The code of an insert's first write error.
fn write_error(e: &Engine, cmd: Document) -> i32 {
    let r = ok(e, cmd);
    let errs = r
        .get_array("writeErrors")
        .unwrap_or_else(|_| panic!("no write error in {r}"));
    errs[0].as_document().unwrap().get_i32("code").unwrap()
}

fn all(e: &Engine, db: &str, coll: &str) -> Vec<Document> {
    let r = e
        .run_command(
            db,
            &doc! {"find": coll, "filter": {}, "sort": {"_id": 1}, "batchSize": 10_000},
        )
        .unwrap();
    r.get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|d| d.as_document().unwrap().clone())
        .collect()
}

fn agg(coll: &str, pipeline: Vec<Document>) -> Document {
    doc! {"aggregate": coll, "pipeline": pipeline, "cursor": {}}
}

fn sessions() -> Engine {
    let e = Engine::in_memory();
    ok(
        &e,
        doc! {"insert": "sessions", "documents": [
            {"_id": "s1", "user": "ann", "views": 3, "active": true},
            {"_id": "s2", "user": "bob", "views": 9, "active": false},
            {"_id": "s3", "user": "ann", "views": 12, "active": true},
        ]},
    );
    e
}

#[test]
fn out_writes_the_result_and_replies_with_an_empty_cursor() {
    let e = sessions();
    let r = ok(
        &e,
        agg(
            "sessions",
            vec![
                doc! {"$group": {"_id": "$user", "views": {"$sum": "$views"}}},
                doc! {"$out": "per_user"},
            ],
        ),
    );
    let cursor = r.get_document("cursor").unwrap();
    assert_eq!(cursor.get_i64("id").unwrap(), 0);
    assert!(cursor.get_array("firstBatch").unwrap().is_empty());
    assert_eq!(
        all(&e, "app", "per_user"),
        vec![
            doc! {"_id": "ann", "views": 15},
            doc! {"_id": "bob", "views": 9}
        ]
    );
}

#[test]
fn out_replaces_the_target_and_keeps_its_indexes_and_options() {
    let e = sessions();
    ok(
        &e,
        doc! {"create": "active", "validator": {"user": {"$type": "string"}}},
    );
    ok(
        &e,
        doc! {"createIndexes": "active", "indexes": [{"key": {"user": 1}, "name": "user_1"}]},
    );
    ok(
        &e,
        doc! {"insert": "active", "documents": [{"_id": "old", "user": "zed"}]},
    );
    ok(
        &e,
        agg(
            "sessions",
            vec![
                doc! {"$match": {"active": true}},
                doc! {"$project": {"user": 1}},
                doc! {"$out": "active"},
            ],
        ),
    );
    assert_eq!(
        all(&e, "app", "active"),
        vec![
            doc! {"_id": "s1", "user": "ann"},
            doc! {"_id": "s3", "user": "ann"}
        ]
    );
    let ix = ok(&e, doc! {"listIndexes": "active"});
    let names: Vec<&str> = ix
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|d| d.as_document().unwrap().get_str("name").unwrap())
        .collect();
    assert_eq!(names, ["_id_", "user_1"]);
    // The validator stayed: a document it refuses fails the insert.
    assert_eq!(
        write_error(&e, doc! {"insert": "active", "documents": [{"user": 5}]}),
        121
    );
}

#[test]
fn a_failing_out_leaves_the_target_as_it_was() {
    let e = sessions();
    ok(
        &e,
        doc! {"insert": "report", "documents": [{"_id": 1, "kept": true}]},
    );
    // Two output documents with the same _id: mongod's DuplicateKey, and the old contents stay.
    let c = code(
        &e,
        agg(
            "sessions",
            vec![doc! {"$project": {"_id": "$user"}}, doc! {"$out": "report"}],
        ),
    );
    assert_eq!(c, 11000);
    assert_eq!(
        all(&e, "app", "report"),
        vec![doc! {"_id": 1, "kept": true}]
    );
    // The validator of the target refuses a document: 121, old contents stay.
    ok(
        &e,
        doc! {"collMod": "report", "validator": {"views": {"$gt": 5}}},
    );
    let c = code(&e, agg("sessions", vec![doc! {"$out": "report"}]));
    assert_eq!(c, 121);
    assert_eq!(
        all(&e, "app", "report"),
        vec![doc! {"_id": 1, "kept": true}]
    );
    // bypassDocumentValidation writes them all the same.
    let mut cmd = agg("sessions", vec![doc! {"$out": "report"}]);
    cmd.insert("bypassDocumentValidation", true);
    ok(&e, cmd);
    assert_eq!(all(&e, "app", "report").len(), 3);
}

#[test]
fn out_generates_ids_and_reads_the_collection_it_replaces() {
    let e = sessions();
    ok(
        &e,
        agg(
            "sessions",
            vec![
                doc! {"$project": {"_id": 0, "user": 1}},
                doc! {"$out": "users"},
            ],
        ),
    );
    let users = all(&e, "app", "users");
    assert_eq!(users.len(), 3);
    assert!(users
        .iter()
        .all(|d| matches!(d.get("_id"), Some(Bson::ObjectId(_)))));
    // $out into the collection the pipeline reads.
    ok(
        &e,
        agg(
            "sessions",
            vec![
                doc! {"$match": {"views": {"$gt": 5}}},
                doc! {"$out": "sessions"},
            ],
        ),
    );
    let left: Vec<Bson> = all(&e, "app", "sessions")
        .iter()
        .map(|d| d.get("_id").unwrap().clone())
        .collect();
    assert_eq!(left, [Bson::from("s2"), Bson::from("s3")]);
}

#[test]
fn output_stages_must_be_last_and_target_a_writable_collection() {
    let e = sessions();
    let last = |stage: Document| agg("sessions", vec![stage, doc! {"$match": {}}]);
    assert_eq!(code(&e, last(doc! {"$out": "x"})), 40601);
    assert_eq!(code(&e, last(doc! {"$merge": {"into": "x"}})), 40601);
    let inside_lookup = agg(
        "sessions",
        vec![doc! {"$lookup": {"from": "x", "as": "a", "pipeline": [{"$out": "y"}]}}],
    );
    assert_eq!(code(&e, inside_lookup), 40601);
    let inside_facet = agg("sessions", vec![doc! {"$facet": {"a": [{"$merge": "y"}]}}]);
    assert_eq!(code(&e, inside_facet), 40601);
    assert_eq!(
        code(&e, agg("sessions", vec![doc! {"$out": "system.js"}])),
        17385
    );
    assert_eq!(
        code(&e, agg("sessions", vec![doc! {"$merge": "system.js"}])),
        31319
    );
    assert_eq!(code(&e, agg("sessions", vec![doc! {"$out": 5}])), 16990);
    ok(
        &e,
        doc! {"create": "v", "viewOn": "sessions", "pipeline": []},
    );
    assert_eq!(code(&e, agg("sessions", vec![doc! {"$out": "v"}])), 166);
    assert_eq!(code(&e, agg("sessions", vec![doc! {"$merge": "v"}])), 166);
    ok(&e, doc! {"create": "capped", "capped": true, "size": 4096});
    assert_eq!(
        code(&e, agg("sessions", vec![doc! {"$out": "capped"}])),
        17152
    );
    // Nothing was created by the failures.
    let names = ok(&e, doc! {"listCollections": 1, "nameOnly": true});
    let names: Vec<&str> = names
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|d| d.as_document().unwrap().get_str("name").unwrap())
        .collect();
    assert_eq!(names, ["capped", "sessions", "v"]);
}

#[test]
fn merge_defaults_merge_matched_fields_and_insert_the_rest() {
    let e = sessions();
    ok(
        &e,
        doc! {"insert": "totals", "documents": [{"_id": "ann", "views": 1, "note": "kept"}]},
    );
    ok(
        &e,
        agg(
            "sessions",
            vec![
                doc! {"$group": {"_id": "$user", "views": {"$sum": "$views"}}},
                doc! {"$merge": "totals"},
            ],
        ),
    );
    assert_eq!(
        all(&e, "app", "totals"),
        vec![
            doc! {"_id": "ann", "views": 15, "note": "kept"},
            doc! {"_id": "bob", "views": 9}
        ]
    );
}

#[test]
fn merge_modes_replace_keep_fail_discard() {
    let e = sessions();
    let seed = || doc! {"insert": "t", "documents": [{"_id": "s1", "old": true}]};
    let merge = |spec: Document| {
        agg(
            "sessions",
            vec![doc! {"$project": {"views": 1}}, doc! {"$merge": spec}],
        )
    };

    ok(&e, seed());
    ok(
        &e,
        merge(doc! {"into": "t", "whenMatched": "replace", "whenNotMatched": "discard"}),
    );
    assert_eq!(all(&e, "app", "t"), vec![doc! {"_id": "s1", "views": 3}]);

    ok(&e, doc! {"drop": "t"});
    ok(&e, seed());
    ok(&e, merge(doc! {"into": "t", "whenMatched": "keepExisting"}));
    assert_eq!(
        all(&e, "app", "t"),
        vec![
            doc! {"_id": "s1", "old": true},
            doc! {"_id": "s2", "views": 9},
            doc! {"_id": "s3", "views": 12}
        ]
    );

    // whenMatched fail: DuplicateKey with mongod's detail fields; the documents before it stay written.
    ok(&e, doc! {"drop": "t"});
    ok(
        &e,
        doc! {"insert": "t", "documents": [{"_id": "s2", "old": true}]},
    );
    let err = run(&e, merge(doc! {"into": "t", "whenMatched": "fail"})).unwrap_err();
    assert_eq!(err.code, 11000);
    assert_eq!(
        all(&e, "app", "t"),
        vec![
            doc! {"_id": "s1", "views": 3},
            doc! {"_id": "s2", "old": true}
        ]
    );

    // whenNotMatched fail: 13113 MergeStageNoMatchingDocument.
    ok(&e, doc! {"drop": "t"});
    ok(&e, seed());
    let err = run(&e, merge(doc! {"into": "t", "whenNotMatched": "fail"})).unwrap_err();
    assert_eq!(
        (err.code, err.code_name.as_str()),
        (13113, "MergeStageNoMatchingDocument")
    );
}

#[test]
fn merge_on_other_fields_needs_a_unique_index_and_whole_values() {
    let e = sessions();
    ok(
        &e,
        doc! {"insert": "by_user", "documents": [{"_id": 100, "user": "ann", "n": 0}]},
    );
    let pipeline = vec![
        doc! {"$group": {"_id": null, "user": {"$first": "$user"}}},
        doc! {"$project": {"_id": 0, "user": 1, "n": {"$literal": 1}}},
        doc! {"$merge": {"into": "by_user", "on": "user"}},
    ];
    assert_eq!(code(&e, agg("sessions", pipeline.clone())), 51183);
    ok(
        &e,
        doc! {"createIndexes": "by_user", "indexes": [{"key": {"user": 1}, "name": "u", "unique": true}]},
    );
    ok(&e, agg("sessions", pipeline));
    // Matched on `user`: the existing _id stays.
    assert_eq!(
        all(&e, "app", "by_user"),
        vec![doc! {"_id": 100, "user": "ann", "n": 1}]
    );
    // A missing, null or array `on` value is 51132.
    for bad in [Bson::Null, Bson::Array(vec![Bson::from("ann")])] {
        let p = vec![
            doc! {"$limit": 1},
            doc! {"$project": {"_id": 0, "user": {"$literal": bad}}},
            doc! {"$merge": {"into": "by_user", "on": ["user"]}},
        ];
        assert_eq!(code(&e, agg("sessions", p)), 51132);
    }
    let p = vec![
        doc! {"$project": {"_id": 0, "x": 1}},
        doc! {"$merge": {"into": "by_user", "on": "user"}},
    ];
    assert_eq!(code(&e, agg("sessions", p)), 51132);
    // A target that does not exist can only be merged into on _id.
    let p = vec![doc! {"$merge": {"into": "fresh", "on": "user"}}];
    assert_eq!(code(&e, agg("sessions", p)), 51183);
    // Replacing with a different _id is ImmutableField.
    let p = vec![
        doc! {"$limit": 1},
        doc! {"$project": {"_id": 7, "user": "ann"}},
        doc! {"$merge": {"into": "by_user", "on": "user", "whenMatched": "replace"}},
    ];
    assert_eq!(code(&e, agg("sessions", p)), 66);
}

#[test]
fn merge_with_a_pipeline_sees_new_and_let_variables() {
    let e = sessions();
    ok(
        &e,
        doc! {"insert": "t", "documents": [{"_id": "s1", "views": 100}, {"_id": "s3", "views": 1}]},
    );
    let p = vec![
        doc! {"$project": {"views": 1}},
        doc! {"$merge": {
            "into": "t",
            "let": {"add": "$views"},
            "whenMatched": [{"$set": {"views": {"$add": ["$views", "$$add"]}, "was": "$$new.views"}}],
            "whenNotMatched": "insert",
        }},
    ];
    ok(&e, agg("sessions", p));
    assert_eq!(
        all(&e, "app", "t"),
        vec![
            doc! {"_id": "s1", "views": 103, "was": 3},
            doc! {"_id": "s2", "views": 9},
            doc! {"_id": "s3", "views": 13, "was": 12},
        ]
    );
    // Only update-pipeline stages; `let` only with a pipeline.
    let bad = vec![doc! {"$merge": {"into": "t", "whenMatched": [{"$match": {}}]}}];
    assert_eq!(code(&e, agg("sessions", bad)), 51254);
    let bad = vec![doc! {"$merge": {"into": "t", "let": {"a": 1}, "whenMatched": "merge"}}];
    assert_eq!(code(&e, agg("sessions", bad)), 51199);
    let bad = vec![doc! {"$merge": {"into": "t", "bogus": 1}}];
    assert_eq!(code(&e, agg("sessions", bad)), 40415);
}

#[test]
fn merge_and_out_write_into_another_database() {
    let e = sessions();
    ok(
        &e,
        agg(
            "sessions",
            vec![
                doc! {"$match": {"user": "bob"}},
                doc! {"$merge": {"into": {"db": "archive", "coll": "s"}}},
            ],
        ),
    );
    ok(
        &e,
        agg(
            "sessions",
            vec![
                doc! {"$match": {"user": "ann"}},
                doc! {"$out": {"db": "archive2", "coll": "s"}},
            ],
        ),
    );
    assert_eq!(all(&e, "archive", "s").len(), 1);
    assert_eq!(all(&e, "archive2", "s").len(), 2);
    assert!(all(&e, "app", "s").is_empty());
}

#[test]
fn output_stages_survive_a_reopen() {
    let dir = TempDir::new("out_merge", "reopen");
    {
        let e = Engine::open(&dir.0).unwrap();
        ok(
            &e,
            doc! {"insert": "sessions", "documents": [{"_id": 1, "u": "a"}, {"_id": 2, "u": "b"}]},
        );
        ok(&e, doc! {"insert": "copy", "documents": [{"_id": 9}]});
        ok(
            &e,
            doc! {"createIndexes": "copy", "indexes": [{"key": {"u": 1}, "name": "u_1", "unique": true}]},
        );
        ok(&e, agg("sessions", vec![doc! {"$out": "copy"}]));
        ok(
            &e,
            agg(
                "sessions",
                vec![
                    doc! {"$set": {"seen": true}},
                    doc! {"$merge": {"into": "merged"}},
                ],
            ),
        );
    }
    let e = Engine::open(&dir.0).unwrap();
    assert_eq!(
        all(&e, "app", "copy"),
        vec![doc! {"_id": 1, "u": "a"}, doc! {"_id": 2, "u": "b"}]
    );
    // The unique index came back with the collection.
    assert_eq!(
        write_error(&e, doc! {"insert": "copy", "documents": [{"u": "a"}]}),
        11000
    );
    assert_eq!(all(&e, "app", "merged").len(), 2);
}

/// The documented semantics of `$merge` on `_id` with `whenMatched: merge` / `whenNotMatched: insert`, as a
/// model: matched documents get the incoming top-level fields, the rest are inserted.
fn model_merge(target: &[Document], incoming: &[Document]) -> Vec<Document> {
    let mut out: Vec<Document> = target.to_vec();
    for d in incoming {
        let id = d.get("_id").unwrap();
        match out.iter_mut().find(|t| t.get("_id") == Some(id)) {
            Some(t) => {
                for (k, v) in d {
                    t.insert(k.clone(), v.clone());
                }
            }
            None => out.push(d.clone()),
        }
    }
    out.sort_by_key(|d| d.get_i32("_id").unwrap());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn merge_matches_its_documented_model(
        target in proptest::collection::btree_map(0i32..20, (0i32..5, proptest::option::of(0i32..3)), 0..10),
        source in proptest::collection::btree_map(0i32..20, (0i32..5, proptest::option::of(0i32..3)), 0..10),
    ) {
        let make = |m: &std::collections::BTreeMap<i32, (i32, Option<i32>)>| -> Vec<Document> {
            m.iter().map(|(id, (a, b))| {
                let mut d = doc! {"_id": *id, "a": *a};
                if let Some(b) = b { d.insert("b", *b); }
                d
            }).collect()
        };
        let (t, s) = (make(&target), make(&source));
        let e = Engine::in_memory();
        if !t.is_empty() { ok(&e, doc! {"insert": "t", "documents": t.clone()}); }
        if !s.is_empty() { ok(&e, doc! {"insert": "s", "documents": s.clone()}); }
        ok(&e, agg("s", vec![doc! {"$merge": "t"}]));
        prop_assert_eq!(all(&e, "app", "t"), model_merge(&t, &s));
    }
}
