//! `$`-prefixed and dotted field names in writes, as MongoDB 7.0 documents them (the manual's "Field Names
//! with Periods and Dollar Signs"): inserts and replacements store them (a replacement's top-level field
//! names may not start with `$`, which would read as an operator), update operators may not write a
//! `$`-prefixed field (52 DollarPrefixedFieldName), a pipeline update reaches such fields with `$setField` /
//! `$getField`, and an `_id` may not hold `$`-prefixed fields.

use bson::{doc, Bson, Document};
use sqlmongo::engine::Engine;

fn engine() -> Engine {
    let e = Engine::in_memory();
    e.run_command(
        "app",
        &doc! {"insert": "c", "documents": [{"_id": 1, "$price": 5, "a.b": 1, "n": {"$x": 1}}]},
    )
    .unwrap();
    e
}

fn one(e: &Engine, id: i32) -> Document {
    let r = e
        .run_command("app", &doc! {"find": "c", "filter": {"_id": id}})
        .unwrap();
    r.get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap()[0]
        .as_document()
        .unwrap()
        .clone()
}

fn write_error(reply: &Document) -> (i32, String) {
    let w = reply.get_array("writeErrors").expect("writeErrors")[0]
        .as_document()
        .unwrap();
    (
        w.get_i32("code").unwrap(),
        w.get_str("errmsg").unwrap().to_string(),
    )
}

#[test]
fn inserts_store_dollar_and_dotted_names() {
    let e = engine();
    assert_eq!(
        one(&e, 1),
        doc! {"_id": 1, "$price": 5, "a.b": 1, "n": {"$x": 1}}
    );
}

#[test]
fn update_operators_may_not_write_dollar_prefixed_fields() {
    let e = engine();
    for (u, path, field) in [
        (doc! {"$set": {"$price": 6}}, "$price", "$price"),
        (doc! {"$inc": {"$count": 1}}, "$count", "$count"),
        (doc! {"$set": {"n.$y": 1}}, "n.$y", "$y"),
    ] {
        let r = e
            .run_command(
                "app",
                &doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": u.clone()}]},
            )
            .unwrap();
        assert_eq!(
            write_error(&r),
            (
                52,
                format!(
                    "The dollar ($) prefixed field '{field}' in '{path}' is not allowed in the context of an \
                     update's replacement document. Consider using an aggregation pipeline with $replaceWith."
                )
            ),
            "{u}"
        );
    }
    // A replacement whose top-level names start with `$` reads as operators mixed with fields.
    let r = e
        .run_command(
            "app",
            &doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"x": 1, "$price": 2}}]},
        )
        .unwrap();
    assert_eq!(write_error(&r).0, 52);
    assert_eq!(
        one(&e, 1),
        doc! {"_id": 1, "$price": 5, "a.b": 1, "n": {"$x": 1}}
    );
}

#[test]
fn replacements_keep_dotted_and_nested_dollar_names() {
    let e = engine();
    let r = e
        .run_command(
            "app",
            &doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"x.y": 2, "m": {"$k": 3}}}]},
        )
        .unwrap();
    assert_eq!(r.get_i32("nModified").unwrap(), 1, "{r}");
    assert_eq!(one(&e, 1), doc! {"_id": 1, "x.y": 2, "m": {"$k": 3}});
}

#[test]
fn pipeline_updates_reach_such_fields_with_set_field_and_get_field() {
    let e = engine();
    let r = e
        .run_command(
            "app",
            &doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": [
                {"$replaceWith": {"$setField": {
                    "field": {"$literal": "$price"},
                    "input": "$$ROOT",
                    "value": {"$add": [{"$getField": {"$literal": "$price"}}, 1]},
                }}},
                {"$replaceWith": {"$setField": {"field": "a.b", "input": "$$ROOT", "value": 10}}},
            ]}]},
        )
        .unwrap();
    assert_eq!(r.get_i32("nModified").unwrap(), 1, "{r}");
    assert_eq!(
        one(&e, 1),
        doc! {"_id": 1, "$price": 6, "a.b": 10, "n": {"$x": 1}}
    );
    // $getField reads them in queries too.
    let r = e
        .run_command(
            "app",
            &doc! {"find": "c", "filter": {"$expr": {"$eq": [{"$getField": "a.b"}, 10]}}},
        )
        .unwrap();
    assert_eq!(
        r.get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_id_may_not_hold_dollar_prefixed_fields() {
    let e = engine();
    let r = e
        .run_command(
            "app",
            &doc! {"insert": "c", "documents": [{"_id": {"$a": 1}}]},
        )
        .unwrap();
    assert_eq!(write_error(&r).0, 52);
    let r = e
        .run_command(
            "app",
            &doc! {"update": "c", "updates": [{"q": {"_id": 7}, "u": {"$set": {"v": 1}}, "upsert": true}, {"q": {"_id": {"$eq": {"k": {"$b": 1}}}}, "u": {"v": 1}, "upsert": true}]},
        )
        .unwrap();
    assert_eq!(write_error(&r).0, 52, "{r}");
    let r = e
        .run_command(
            "app",
            &doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"_id": {"$c": 1}}}]},
        )
        .unwrap();
    assert!(r.get_array("writeErrors").is_ok(), "{r}");
    let n = e.run_command("app", &doc! {"count": "c"}).unwrap();
    assert_eq!(n.get("n"), Some(&Bson::Int32(2)));
}
