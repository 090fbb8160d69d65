//! Command options mongod 7.0 documents (issue 16): the command-level `let` (item 2: variables bound once for
//! the whole command, visible as `$$name` in `$expr` filters, pipelines including `$lookup` sub-pipelines and
//! pipeline updates of find, aggregate, update, delete and findAndModify; mongod's errors for bad names and a
//! non-document `let`), and `hint` naming an existing index (item 4).

use bson::{doc, Bson, Document};
use sqlmongo::engine::Engine;

fn engine() -> Engine {
    let e = Engine::in_memory();
    e.run_command(
        "app",
        &doc! {"insert": "s", "documents": [
            {"_id": 1, "user": "ann", "views": 3},
            {"_id": 2, "user": "bob", "views": 9},
            {"_id": 3, "user": "ann", "views": 12},
        ]},
    )
    .unwrap();
    e
}

fn ids(reply: &Document) -> Vec<Bson> {
    reply
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()
        .iter()
        .map(|d| d.as_document().unwrap().get("_id").unwrap().clone())
        .collect()
}

#[test]
fn find_and_aggregate_see_the_variables() {
    let e = engine();
    let r = e
        .run_command(
            "app",
            &doc! {"find": "s", "filter": {"$expr": {"$eq": ["$_id", "$$id"]}}, "let": {"id": 1}},
        )
        .unwrap();
    assert_eq!(ids(&r), vec![Bson::Int32(1)]);
    // An expression, evaluated once; a later variable sees an earlier one.
    let r = e
        .run_command(
            "app",
            &doc! {"find": "s", "filter": {"$expr": {"$and": [{"$eq": ["$user", "$$who"]}, {"$gt": ["$views", "$$min"]}]}},
                   "sort": {"_id": 1}, "let": {"who": {"$concat": ["a", "nn"]}, "min": {"$add": [2, 3]}}},
        )
        .unwrap();
    assert_eq!(ids(&r), vec![Bson::Int32(3)]);
    let r = e
        .run_command(
            "app",
            &doc! {"aggregate": "s", "pipeline": [
                {"$match": {"$expr": {"$eq": ["$user", "$$who"]}}},
                {"$lookup": {"from": "s", "pipeline": [{"$match": {"$expr": {"$gt": ["$views", "$$min"]}}}], "as": "big"}},
                {"$project": {"n": {"$size": "$big"}, "tag": "$$tag"}},
                {"$sort": {"_id": 1}},
            ], "cursor": {}, "let": {"who": "ann", "min": 5, "tag": "t"}},
        )
        .unwrap();
    let batch = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(
        batch[0].as_document().unwrap(),
        &doc! {"_id": 1, "n": 2, "tag": "t"}
    );
}

#[test]
fn writes_see_the_variables() {
    let e = engine();
    let r = e
        .run_command(
            "app",
            &doc! {"update": "s", "updates": [{"q": {"$expr": {"$eq": ["$user", "$$who"]}}, "u": [{"$set": {"views": {"$add": ["$views", "$$inc"]}}}], "multi": true}],
                   "let": {"who": "ann", "inc": 100}},
        )
        .unwrap();
    assert_eq!(r.get_i32("nModified").unwrap(), 2, "{r}");
    let r = e
        .run_command(
            "app",
            &doc! {"find": "s", "filter": {"views": {"$gt": 100}}},
        )
        .unwrap();
    assert_eq!(ids(&r).len(), 2);
    let r = e
        .run_command(
            "app",
            &doc! {"findAndModify": "s", "query": {"$expr": {"$eq": ["$_id", "$$id"]}}, "update": [{"$set": {"seen": "$$now"}}], "new": true,
                   "let": {"id": 2, "now": "x"}},
        )
        .unwrap();
    assert_eq!(
        r.get_document("value").unwrap().get_str("seen").unwrap(),
        "x"
    );
    let r = e
        .run_command(
            "app",
            &doc! {"delete": "s", "deletes": [{"q": {"$expr": {"$eq": ["$user", "$$who"]}}, "limit": 0}], "let": {"who": "bob"}},
        )
        .unwrap();
    assert_eq!(r.get_i32("n").unwrap(), 1);
}

#[test]
fn bad_let_is_refused_as_mongod_refuses_it() {
    let e = engine();
    let code = |cmd: Document| e.run_command("app", &cmd).unwrap_err().code;
    assert_eq!(code(doc! {"find": "s", "let": 1}), 14);
    assert_eq!(code(doc! {"find": "s", "let": {"Id": 1}}), 16867);
    assert_eq!(code(doc! {"find": "s", "let": {"_x": 1}}), 16867);
    assert_eq!(code(doc! {"find": "s", "let": {"a-b": 1}}), 16868);
    assert_eq!(code(doc! {"find": "s", "let": {"": 1}}), 16866);
    // Without the variable the expression fails as before: undefined variable.
    assert!(e
        .run_command(
            "app",
            &doc! {"find": "s", "filter": {"$expr": {"$eq": ["$_id", "$$id"]}}}
        )
        .is_err());
}

/// `hint` must name an existing index (issue 16 item 4): by name, by key pattern, or `$natural`; otherwise
/// 2 BadValue as mongod, on find, aggregate, count and in update / delete statements.
#[test]
fn a_hint_must_name_an_existing_index() {
    let e = engine();
    e.run_command(
        "app",
        &doc! {"createIndexes": "s", "indexes": [{"key": {"user": 1, "views": -1}, "name": "uv"}]},
    )
    .unwrap();
    for hint in [
        Bson::from("uv"),
        Bson::from("_id_"),
        Bson::Document(doc! {"user": 1, "views": -1}),
        Bson::Document(doc! {"user": 1.0, "views": -1}),
        Bson::Document(doc! {"$natural": -1}),
    ] {
        let r = e
            .run_command(
                "app",
                &doc! {"find": "s", "filter": {"user": "ann"}, "hint": hint.clone()},
            )
            .unwrap_or_else(|err| panic!("{hint}: {err}"));
        assert_eq!(ids(&r).len(), 2, "{hint}");
    }
    let bad = |cmd: Document| {
        let err = e.run_command("app", &cmd).unwrap_err();
        assert_eq!(err.code, 2, "{err}");
        assert_eq!(
            err.errmsg,
            "hint provided does not correspond to an existing index"
        );
    };
    bad(doc! {"find": "s", "hint": "nope"});
    bad(doc! {"find": "s", "hint": {"views": -1, "user": 1}});
    bad(doc! {"aggregate": "s", "pipeline": [], "cursor": {}, "hint": {"x": 1}});
    bad(doc! {"count": "s", "hint": "x_1"});
    bad(doc! {"update": "s", "updates": [{"q": {}, "u": {"$set": {"a": 1}}, "hint": "x_1"}]});
    bad(doc! {"delete": "s", "deletes": [{"q": {}, "limit": 0, "hint": {"x": 1}}]});
    // Nothing was written by the refused commands.
    let r = e.run_command("app", &doc! {"count": "s"}).unwrap();
    assert_eq!(r.get_i32("n").unwrap(), 3);
}
