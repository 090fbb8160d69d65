//! The detail fields mongod puts in error replies (issue 16, item 7): `keyPattern` / `keyValue` of a
//! duplicate key (11000), `errInfo.failingDocumentId` of a validation failure (121), in `writeErrors`
//! entries and in `ok: 0` replies through the wire, and kept by the SQL executor's error.

use bson::{doc, Bson, Document};
use sqlmongo::engine::Engine;

fn first_write_error(reply: &Document) -> Document {
    reply
        .get_array("writeErrors")
        .unwrap_or_else(|_| panic!("writeErrors in {reply}"))[0]
        .as_document()
        .expect("a document")
        .clone()
}

#[test]
fn duplicate_keys_name_the_key_pattern_and_value() {
    let e = Engine::in_memory();
    e.run_command("app", &doc! {"createIndexes": "s", "indexes": [{"key": {"user_id": 1, "sid": -1}, "name": "u", "unique": true}]})
        .unwrap();
    e.run_command(
        "app",
        &doc! {"insert": "s", "documents": [{"_id": 1, "user_id": 7, "sid": "a"}]},
    )
    .unwrap();
    let reply = e
        .run_command(
            "app",
            &doc! {"insert": "s", "documents": [{"_id": 2, "user_id": 7, "sid": "a"}]},
        )
        .unwrap();
    let w = first_write_error(&reply);
    assert_eq!(w.get_i32("code").unwrap(), 11000);
    assert_eq!(w.get_i32("index").unwrap(), 0);
    assert_eq!(
        w.get_document("keyPattern").unwrap(),
        &doc! {"user_id": 1, "sid": -1}
    );
    assert_eq!(
        w.get_document("keyValue").unwrap(),
        &doc! {"user_id": 7, "sid": "a"}
    );

    // The _id index, and a missing field shown as null.
    e.run_command(
        "app",
        &doc! {"createIndexes": "t", "indexes": [{"key": {"k": 1}, "name": "k_1", "unique": true}]},
    )
    .unwrap();
    e.run_command("app", &doc! {"insert": "t", "documents": [{"_id": 1}]})
        .unwrap();
    let reply = e
        .run_command(
            "app",
            &doc! {"insert": "t", "documents": [{"_id": 2}, {"_id": 1, "k": 3}]},
        )
        .unwrap();
    let w = first_write_error(&reply);
    assert_eq!(w.get_document("keyValue").unwrap(), &doc! {"k": Bson::Null});
    let reply = e
        .run_command(
            "app",
            &doc! {"insert": "t", "documents": [{"_id": 1, "k": 4}], "ordered": false},
        )
        .unwrap();
    let w = first_write_error(&reply);
    assert_eq!(w.get_document("keyPattern").unwrap(), &doc! {"_id": 1});
    assert_eq!(w.get_document("keyValue").unwrap(), &doc! {"_id": 1});
}

#[test]
fn validation_failures_name_the_failing_document() {
    let e = Engine::in_memory();
    e.run_command(
        "app",
        &doc! {"create": "v", "validator": {"$jsonSchema": {"required": ["user_id"]}}},
    )
    .unwrap();
    let reply = e
        .run_command(
            "app",
            &doc! {"insert": "v", "documents": [{"_id": "s1", "user_id": 1}, {"_id": "s2"}]},
        )
        .unwrap();
    let w = first_write_error(&reply);
    assert_eq!(w.get_i32("code").unwrap(), 121);
    assert_eq!(w.get_i32("index").unwrap(), 1);
    let info = w.get_document("errInfo").unwrap();
    assert_eq!(info.get_str("failingDocumentId").unwrap(), "s2");
    // An update that breaks the validator names the updated document.
    let reply = e
        .run_command("app", &doc! {"update": "v", "updates": [{"q": {"_id": "s1"}, "u": {"$unset": {"user_id": ""}}}]})
        .unwrap();
    let w = first_write_error(&reply);
    assert_eq!(
        w.get_document("errInfo")
            .unwrap()
            .get_str("failingDocumentId")
            .unwrap(),
        "s1"
    );
    assert_eq!(
        w.get_document("errInfo")
            .unwrap()
            .get_document("details")
            .unwrap(),
        &doc! {"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
            {"operatorName": "required", "specifiedAs": {"required": ["user_id"]}, "missingProperties": ["user_id"]},
        ]}
    );
}

/// The manual's schema validation example: a `$jsonSchema` with `required` and typed `properties`, and a
/// query-operator validator; each failure's `errInfo.details` names the failing rules.
#[test]
fn validation_failures_explain_which_rules_failed() {
    let e = Engine::in_memory();
    e.run_command(
        "app",
        &doc! {"create": "students", "validator": {"$jsonSchema": {
            "bsonType": "object",
            "title": "Student Object Validation",
            "required": ["address", "major", "name", "year"],
            "properties": {
                "name": {"bsonType": "string", "description": "'name' must be a string and is required"},
                "year": {"bsonType": "int", "minimum": 2017, "maximum": 3017, "description": "'year' must be an integer in [ 2017, 3017 ] and is required"},
                "gpa": {"bsonType": ["double"], "description": "'gpa' must be a double if the field exists"},
            },
        }}},
    )
    .unwrap();
    let reply = e
        .run_command(
            "app",
            &doc! {"insert": "students", "ordered": false, "documents": [
                {"_id": 1, "name": "Alice", "year": 2019, "major": "History", "gpa": 3, "address": {"city": "NYC"}},
                {"_id": 2, "name": "Bob", "year": 2019, "major": "Math", "gpa": 3.5, "address": {}},
                {"_id": 3, "name": "Eve", "year": 2016, "gpa": 3.0},
            ]},
        )
        .unwrap();
    assert_eq!(reply.get_i32("n").unwrap(), 1);
    let errors = reply.get_array("writeErrors").unwrap();
    assert_eq!(errors.len(), 2);
    let first = errors[0].as_document().unwrap();
    assert_eq!(first.get_i32("index").unwrap(), 0);
    assert_eq!(
        first.get_document("errInfo").unwrap(),
        &doc! {"failingDocumentId": 1, "details": {"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
            {"operatorName": "properties", "propertiesNotSatisfied": [
                {"propertyName": "gpa", "description": "'gpa' must be a double if the field exists", "details": [
                    {"operatorName": "bsonType", "specifiedAs": {"bsonType": ["double"]}, "reason": "type did not match", "consideredValue": 3, "consideredType": "int"},
                ]},
            ]},
        ]}}
    );
    let third = errors[1].as_document().unwrap();
    assert_eq!(third.get_i32("index").unwrap(), 2);
    assert_eq!(
        third
            .get_document("errInfo")
            .unwrap()
            .get_document("details")
            .unwrap(),
        &doc! {"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
            {"operatorName": "required", "specifiedAs": {"required": ["address", "major", "name", "year"]}, "missingProperties": ["address", "major"]},
            {"operatorName": "properties", "propertiesNotSatisfied": [
                {"propertyName": "year", "description": "'year' must be an integer in [ 2017, 3017 ] and is required", "details": [
                    {"operatorName": "minimum", "specifiedAs": {"minimum": 2017}, "reason": "comparison failed", "consideredValue": 2016},
                ]},
            ]},
        ]}
    );
    // A query-operator validator.
    e.run_command(
        "app",
        &doc! {"create": "contacts", "validator": {"$or": [
            {"phone": {"$type": "string"}},
            {"status": {"$in": ["Unknown", "Incomplete"]}},
        ]}},
    )
    .unwrap();
    let err = e
        .run_command(
            "app",
            &doc! {"findAndModify": "contacts", "query": {"_id": 1}, "update": {"$set": {"phone": 5, "status": "Active"}}, "upsert": true},
        )
        .unwrap_err();
    assert_eq!(err.code, 121);
    let extra = err.extra.expect("errInfo");
    assert_eq!(
        extra
            .get_document("errInfo")
            .unwrap()
            .get_document("details")
            .unwrap(),
        &doc! {"operatorName": "$or", "clausesNotSatisfied": [
            {"index": 0, "details": {"operatorName": "$type", "specifiedAs": {"phone": {"$type": "string"}}, "reason": "type did not match", "consideredValue": 5, "consideredType": "int"}},
            {"index": 1, "details": {"operatorName": "$in", "specifiedAs": {"status": {"$in": ["Unknown", "Incomplete"]}}, "reason": "no matching value found in array", "consideredValue": "Active"}},
        ]}
    );
}

#[tokio::test]
async fn command_errors_carry_the_details_through_the_executor() {
    // The embedded backend through the SQL executor's error: a findAndModify upsert that collides with a
    // unique index is an `ok: 0` reply with keyPattern / keyValue at top level, kept in `CommandError::extra`.
    let client = sqlmongo::Client::embedded();
    let run = |cmd: Document| {
        let client = client.clone();
        async move { client.backend().run_command("sqlmongo", cmd).await }
    };
    run(doc! {"insert": "s", "documents": [{"_id": 1, "n": 1}, {"_id": 2, "n": 2}]})
        .await
        .unwrap();
    run(doc! {"createIndexes": "s", "indexes": [{"key": {"n": 1}, "name": "n_1", "unique": true}]})
        .await
        .unwrap();
    let err = run(doc! {"findAndModify": "s", "query": {"_id": 9}, "update": {"$set": {"n": 2}}, "upsert": true}).await;
    let Err(sqlmongo::Error::Command(e)) = err else {
        panic!("expected a duplicate key error, got {err:?}")
    };
    assert_eq!(e.code, 11000);
    let extra = e.extra.expect("detail fields kept");
    assert_eq!(extra.get_document("keyPattern").unwrap(), &doc! {"n": 1});
    assert_eq!(extra.get_document("keyValue").unwrap(), &doc! {"n": 2});
    // And an INSERT statement's duplicate (a writeErrors entry) keeps them too.
    let err = client
        .execute("INSERT INTO s (_id, n) VALUES (3, 1)", &[])
        .await;
    let Err(sqlmongo::Error::Command(e)) = err else {
        panic!("expected a duplicate key error, got {err:?}")
    };
    assert_eq!(
        e.extra.expect("details").get_document("keyValue").unwrap(),
        &doc! {"n": 1}
    );
}
