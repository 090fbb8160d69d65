//! Wrongly typed command fields (issue 16): each is refused with the code and message mongod 7.0's
//! IDL-generated command parsers give, instead of being read as absent or coerced. Written from the
//! command definitions (find, aggregate, count, distinct, insert, update, delete, findAndModify): `safeInt64`
//! fields take any number (`null` = absent) and validate `>= 0`, `bool` fields take only a bool, find's object
//! fields refuse `null`, a hint is a string or an object, a delete's `limit` is 0 or 1.

use bson::{doc, Bson, Document};
use sqlmongo::engine::Engine;

fn engine() -> Engine {
    let e = Engine::in_memory();
    e.run_command(
        "app",
        &doc! {"insert": "c", "documents": [{"_id": 1, "a": 1}, {"_id": 2, "a": 2}]},
    )
    .unwrap();
    e
}

fn refused(e: &Engine, cmd: Document) -> (i32, String) {
    let err = e
        .run_command("app", &cmd)
        .expect_err(&format!("{cmd} should be refused"));
    (err.code, err.errmsg)
}

const NUMBERS: &str = "expected types '[long, int, decimal, double']";

#[test]
fn find_fields_are_typed_as_mongod_types_them() {
    let e = engine();
    let cases: Vec<(Document, i32, String)> = vec![
        (
            doc! {"find": "c", "limit": "x"},
            14,
            format!("BSON field 'FindCommandRequest.limit' is the wrong type 'string', {NUMBERS}"),
        ),
        (
            doc! {"find": "c", "skip": "1"},
            14,
            format!("BSON field 'FindCommandRequest.skip' is the wrong type 'string', {NUMBERS}"),
        ),
        (
            doc! {"find": "c", "batchSize": true},
            14,
            format!(
                "BSON field 'FindCommandRequest.batchSize' is the wrong type 'bool', {NUMBERS}"
            ),
        ),
        (
            doc! {"find": "c", "batchSize": -1},
            51024,
            "BSON field 'batchSize' value must be >= 0, actual value '-1'".into(),
        ),
        (
            doc! {"find": "c", "limit": -2_i64},
            51024,
            "BSON field 'limit' value must be >= 0, actual value '-2'".into(),
        ),
        (
            doc! {"find": "c", "sort": 1},
            14,
            "Expected field sortto be of type object".into(),
        ),
        (
            doc! {"find": "c", "filter": []},
            14,
            "Expected field filterto be of type object".into(),
        ),
        (
            doc! {"find": "c", "filter": Bson::Null},
            14,
            "Expected field filterto be of type object".into(),
        ),
        (
            doc! {"find": "c", "projection": 5},
            14,
            "Expected field projectionto be of type object".into(),
        ),
        (
            doc! {"find": "c", "hint": 5},
            9,
            "Hint must be a string or an object".into(),
        ),
        (
            doc! {"find": "c", "singleBatch": 1},
            14,
            "Field 'singleBatch' should be a boolean value, but found: int".into(),
        ),
        (
            doc! {"find": "c", "maxTimeMS": "a"},
            2,
            "maxTimeMS must be a number".into(),
        ),
        (
            doc! {"find": "c", "maxTimeMS": -5},
            2,
            "-5 value for maxTimeMS is out of range".into(),
        ),
    ];
    for (cmd, code, msg) in cases {
        assert_eq!(refused(&e, cmd.clone()), (code, msg), "{cmd}");
    }
    // null is "absent" for the numeric fields; doubles are truncated as mongod's numberLong truncates them.
    let reply = e
        .run_command(
            "app",
            &doc! {"find": "c", "limit": Bson::Null, "batchSize": 1.9, "sort": {"_id": 1}},
        )
        .unwrap();
    let first = reply
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(first.len(), 1);
}

#[test]
fn write_command_fields_are_typed() {
    let e = engine();
    let cases: Vec<(Document, i32, &str)> = vec![
        (
            doc! {"insert": "c", "documents": {}},
            14,
            "BSON field 'insert.documents' is the wrong type 'object', expected type 'array'",
        ),
        (
            doc! {"insert": "c", "documents": [{"_id": 9}, 5]},
            14,
            "BSON field 'insert.documents.1' is the wrong type 'int', expected type 'object'",
        ),
        (
            doc! {"insert": "c", "documents": [{"_id": 9}], "ordered": 1},
            14,
            "BSON field 'insert.ordered' is the wrong type 'int', expected type 'bool'",
        ),
        (
            doc! {"update": "c", "updates": {}},
            14,
            "BSON field 'update.updates' is the wrong type 'object', expected type 'array'",
        ),
        (
            doc! {"update": "c", "updates": [{"q": {}, "u": 5}]},
            9,
            "Update argument must be either an object or an array",
        ),
        (
            doc! {"update": "c", "updates": [{"q": {}, "u": {"$set": {"a": 0}}, "multi": "yes"}]},
            14,
            "BSON field 'update.updates.multi' is the wrong type 'string', expected type 'bool'",
        ),
        (
            doc! {"update": "c", "updates": [{"q": 1, "u": {}}]},
            14,
            "BSON field 'update.updates.q' is the wrong type 'int', expected type 'object'",
        ),
        (
            doc! {"update": "c", "updates": [{"q": {}, "u": {"$set": {"a": 0}}, "upsert": 1}]},
            14,
            "BSON field 'update.updates.upsert' is the wrong type 'int', expected type 'bool'",
        ),
        (
            doc! {"delete": "c", "deletes": [{"q": {}, "limit": 2}]},
            9,
            "The limit field in delete objects must be 0 or 1. Got 2",
        ),
        (
            doc! {"delete": "c", "deletes": [{"q": {}, "limit": 0, "hint": 1}]},
            9,
            "Hint must be a string or an object",
        ),
        (
            doc! {"findAndModify": "c", "query": {}, "remove": "yes"},
            14,
            "BSON field 'findAndModify.remove' is the wrong type 'string', expected types \
             '[bool, long, int, decimal, double']",
        ),
        (
            doc! {"findAndModify": "c", "query": [], "remove": true},
            14,
            "BSON field 'findAndModify.query' is the wrong type 'array', expected type 'object'",
        ),
    ];
    for (cmd, code, msg) in cases {
        assert_eq!(refused(&e, cmd.clone()), (code, msg.to_string()), "{cmd}");
    }
    // None of the refused writes wrote anything.
    let reply = e
        .run_command("app", &doc! {"count": "c", "query": {"a": 0}})
        .unwrap();
    assert_eq!(reply.get_i32("n").unwrap(), 0);
    let reply = e.run_command("app", &doc! {"count": "c"}).unwrap();
    assert_eq!(reply.get_i32("n").unwrap(), 2);
    // safeBool takes numbers: findAndModify's `new: 1` is `new: true`.
    let reply = e
        .run_command(
            "app",
            &doc! {"findAndModify": "c", "query": {"_id": 1}, "update": {"$set": {"a": 5}}, "new": 1},
        )
        .unwrap();
    assert_eq!(
        reply.get_document("value").unwrap().get_i32("a").unwrap(),
        5
    );
}

#[test]
fn aggregate_count_and_distinct_fields_are_typed() {
    let e = engine();
    let cases: Vec<(Document, i32, &str)> = vec![
        (
            doc! {"aggregate": "c", "pipeline": {}, "cursor": {}},
            14,
            "'pipeline' option must be specified as an array",
        ),
        (
            doc! {"aggregate": "c", "pipeline": [1], "cursor": {}},
            14,
            "Each element of the 'pipeline' array must be an object",
        ),
        (
            doc! {"aggregate": "c", "pipeline": [], "cursor": 1},
            14,
            "BSON field 'aggregate.cursor' is the wrong type 'int', expected type 'object'",
        ),
        (
            doc! {"aggregate": "c", "pipeline": [], "cursor": {"batchSize": "x"}},
            14,
            "BSON field 'aggregate.cursor.batchSize' is the wrong type 'string', expected types \
             '[long, int, decimal, double']",
        ),
        (
            doc! {"aggregate": "c", "pipeline": [], "explain": "x"},
            14,
            "Field 'explain' should be a boolean value, but found: string",
        ),
        (
            doc! {"aggregate": "c", "pipeline": [], "cursor": {}, "maxTimeMS": "a"},
            14,
            "BSON field 'aggregate.maxTimeMS' is the wrong type 'string', expected types \
             '[long, int, decimal, double']",
        ),
        (
            doc! {"count": "c", "query": "x"},
            14,
            "BSON field 'count.query' is the wrong type 'string', expected type 'object'",
        ),
        (
            doc! {"distinct": "c", "key": 1},
            14,
            "BSON field 'distinctCommandRequest.key' is the wrong type 'int', expected type 'string'",
        ),
    ];
    for (cmd, code, msg) in cases {
        assert_eq!(refused(&e, cmd.clone()), (code, msg.to_string()), "{cmd}");
    }
}

#[test]
fn the_point_lookup_path_refuses_what_the_general_path_refuses() {
    let e = engine();
    for (cmd, code) in [
        (
            doc! {"find": "c", "filter": {"_id": 1}, "maxTimeMS": "a"},
            2,
        ),
        (doc! {"find": "c", "filter": {"_id": 1}, "maxTimeMS": -1}, 2),
        (doc! {"find": "c", "filter": {"_id": 1}, "limit": "x"}, 14),
        (
            doc! {"find": "c", "filter": {"_id": 1}, "singleBatch": 1},
            14,
        ),
    ] {
        let raw = bson::RawDocumentBuf::try_from(&cmd).unwrap();
        let err = e
            .run_command_raw("app", &raw)
            .expect_err(&format!("{cmd} should be refused"));
        assert_eq!(err.code, code, "{cmd}: {}", err.errmsg);
    }
}

#[test]
fn missing_required_fields_are_40414() {
    let e = engine();
    for (cmd, path) in [
        (doc! {"insert": "c"}, "insert.documents"),
        (doc! {"update": "c"}, "update.updates"),
        (
            doc! {"update": "c", "updates": [{"u": {"$set": {"a": 0}}}]},
            "update.updates.q",
        ),
        (
            doc! {"update": "c", "updates": [{"q": {}}]},
            "update.updates.u",
        ),
        (doc! {"delete": "c"}, "delete.deletes"),
        (
            doc! {"delete": "c", "deletes": [{"limit": 0}]},
            "delete.deletes.q",
        ),
        (
            doc! {"delete": "c", "deletes": [{"q": {}}]},
            "delete.deletes.limit",
        ),
    ] {
        // Statements are parsed with the command: a missing field fails the whole command.
        let err = e.run_command("app", &cmd).expect_err(&cmd.to_string());
        let (code, msg) = (err.code, err.errmsg);
        assert_eq!(
            (code, msg),
            (
                40414,
                format!("BSON field '{path}' is missing but a required field")
            ),
            "{cmd}"
        );
    }
    let n = e
        .run_command("app", &doc! {"count": "c", "query": {"a": 0}})
        .unwrap();
    assert_eq!(n.get_i32("n").unwrap(), 0);
}
