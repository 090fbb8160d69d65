#!/usr/bin/env python3
"""Issue 16's command-validation and error-detail behaviour through `sqlmongo serve`, with pymongo.

    python3 oracle/pymongo_fidelity.py mongodb://127.0.0.1:PORT/?directConnection=true

Checks, each written from MongoDB 7.0's documented behaviour: wrongly typed command fields refused with
mongod's codes and messages (14 TypeMismatch, 51024, 9 FailedToParse, 2 BadValue); `hint` honoured by find,
count, aggregate, update, delete and findAndModify (a sparse index hinted gives only what it holds; an
unknown index is 2 BadValue; explain shows the hinted index); `errInfo.details` of validation failures
(121) for $jsonSchema and query-operator validators, in `writeErrors` with their `index`; the 7.0 rules for
`$`-prefixed field names in updates. Exits non-zero on the first mismatch. Works with pymongo 3.11+ and 4.x.
"""

import sys
import uuid

import pymongo
from pymongo.errors import BulkWriteError, OperationFailure, WriteError

checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def refused(db, cmd):
    """The (code, errmsg) mongod answers a command with."""
    try:
        db.command(cmd)
    except OperationFailure as e:
        return e.code, e.details.get("errmsg")
    check(False, f"{cmd} was accepted")


NUMBERS = "expected types '[long, int, decimal, double']"


def typed_fields(db):
    db.drop_collection("t")
    db.t.insert_many([{"_id": 1, "a": 1}, {"_id": 2, "a": 2}])
    cases = [
        ({"find": "t", "limit": "x"}, 14,
         f"BSON field 'FindCommandRequest.limit' is the wrong type 'string', {NUMBERS}"),
        ({"find": "t", "batchSize": -1}, 51024, "BSON field 'batchSize' value must be >= 0, actual value '-1'"),
        ({"find": "t", "sort": 1}, 14, "Expected field sortto be of type object"),
        ({"find": "t", "filter": []}, 14, "Expected field filterto be of type object"),
        ({"find": "t", "projection": 5}, 14, "Expected field projectionto be of type object"),
        ({"find": "t", "hint": 5}, 9, "Hint must be a string or an object"),
        ({"find": "t", "maxTimeMS": "a"}, 2, "maxTimeMS must be a number"),
        ({"insert": "t", "documents": [{"_id": 3}], "ordered": 1}, 14,
         "BSON field 'insert.ordered' is the wrong type 'int', expected type 'bool'"),
        ({"update": "t", "updates": [{"q": {}, "u": 5}]}, 9, "Update argument must be either an object or an array"),
        ({"update": "t", "updates": [{"q": {}, "u": {"$set": {"a": 0}}, "multi": "yes"}]}, 14,
         "BSON field 'update.updates.multi' is the wrong type 'string', expected type 'bool'"),
        ({"update": "t", "updates": [{"q": {}, "u": {"$set": {"a": 0}}, "sort": {"a": 1}}]}, 40415,
         "BSON field 'update.updates.sort' is an unknown field."),
        ({"delete": "t", "deletes": [{"q": {}, "limit": 2}]}, 9,
         "The limit field in delete objects must be 0 or 1. Got 2"),
        ({"aggregate": "t", "pipeline": {}, "cursor": {}}, 14, "'pipeline' option must be specified as an array"),
        ({"aggregate": "t", "pipeline": [], "cursor": 1}, 14,
         "BSON field 'aggregate.cursor' is the wrong type 'int', expected type 'object'"),
        ({"aggregate": "t", "pipeline": [], "explain": "x"}, 14,
         "Field 'explain' should be a boolean value, but found: string"),
    ]
    # (pymongo sends an insert's `documents` / an update's `updates` as an OP_MSG document sequence, so a
    # non-array there cannot be sent through it: tests/command_types.rs covers those.)
    for cmd, code, msg in cases:
        got = refused(db, cmd)
        check(got == (code, msg), f"{cmd}: {got}")
    check(db.t.count_documents({}) == 2 and db.t.count_documents({"a": 0}) == 0, "refused writes wrote nothing")


def ids(docs):
    return [d["_id"] for d in docs]


def hints(db):
    db.drop_collection("h")
    db.h.insert_many([
        {"_id": 1, "a": 3, "tag": "x"},
        {"_id": 2, "a": 1},
        {"_id": 3, "a": 2, "tag": "y"},
        {"_id": 4, "a": 5},
    ])
    db.h.create_index([("a", 1)], name="a_1")
    db.h.create_index([("a", -1)], name="a_desc")
    db.h.create_index([("tag", 1)], name="tag_sparse", sparse=True)
    check(ids(db.h.find({}).hint("a_1")) == [2, 3, 1, 4], "find hinted by name reads in index order")
    check(ids(db.h.find({}).hint([("a", -1)])) == [4, 1, 3, 2], "find hinted by key pattern")
    check(ids(db.h.find({}).hint("tag_sparse")) == [1, 3], "a hinted sparse index holds only some documents")
    check(ids(db.h.find({}).hint([("$natural", -1)])) == [4, 3, 2, 1], "$natural: -1 reads backwards")
    check(db.h.count_documents({}, hint="tag_sparse") == 2, "count_documents with a hint")
    check(ids(db.h.aggregate([{"$match": {}}], hint="a_desc")) == [4, 1, 3, 2], "aggregate with a hint")
    plan = db.h.find({"tag": "x"}).hint("a_1").explain()["queryPlanner"]["winningPlan"]
    check(plan["stage"] == "FETCH" and plan["inputStage"]["stage"] == "IXSCAN", f"explain plan {plan}")
    check(plan["inputStage"]["indexName"] == "a_1" and plan["inputStage"]["keyPattern"] == {"a": 1},
          f"explain names the hinted index: {plan}")
    r = db.h.update_many({}, {"$set": {"seen": True}}, hint="tag_sparse")
    check(r.modified_count == 2, f"update_many with a hinted sparse index: {r.raw_result}")
    r = db.h.delete_one({}, hint=[("a", -1)])
    check(r.deleted_count == 1 and db.h.find_one({"_id": 4}) is None, "delete_one deletes the first in index order")
    doc = db.h.find_one_and_update({}, {"$set": {"top": True}}, hint="a_1")
    check(doc["_id"] == 2, f"find_one_and_update takes the first in index order: {doc}")
    for run in [
        lambda: list(db.h.find({}).hint("nope")),
        lambda: db.h.count_documents({}, hint="nope"),
        lambda: db.h.update_one({}, {"$set": {"z": 1}}, hint="nope"),
        lambda: db.h.delete_many({}, hint="nope"),
        lambda: db.h.find_one_and_delete({}, hint="nope"),
    ]:
        try:
            run()
            check(False, "an unknown index was accepted")
        except (OperationFailure, WriteError) as e:
            check(e.code == 2 and "hint provided does not correspond to an existing index" in str(e),
                  f"unknown index: {e}")
    check(db.h.count_documents({}) == 3, "nothing written by the refused hints")


def validation(db):
    db.drop_collection("students")
    db.create_collection("students", validator={"$jsonSchema": {
        "bsonType": "object",
        "required": ["name", "year"],
        "properties": {
            "name": {"bsonType": "string", "description": "must be a string"},
            "year": {"bsonType": "int", "minimum": 2017},
            "gpa": {"bsonType": ["double"], "description": "'gpa' must be a double if the field exists"},
        },
    }})
    try:
        db.students.insert_one({"_id": 1, "name": "Alice", "year": 2019, "gpa": 3})
        check(False, "an invalid document was inserted")
    except WriteError as e:
        check(e.code == 121, f"code {e.code}")
        info = e.details["errInfo"]
        check(info["failingDocumentId"] == 1, f"failingDocumentId {info}")
        check(info["details"] == {"operatorName": "$jsonSchema", "schemaRulesNotSatisfied": [
            {"operatorName": "properties", "propertiesNotSatisfied": [
                {"propertyName": "gpa", "description": "'gpa' must be a double if the field exists", "details": [
                    {"operatorName": "bsonType", "specifiedAs": {"bsonType": ["double"]},
                     "reason": "type did not match", "consideredValue": 3, "consideredType": "int"}]}]}]},
              f"details {info['details']}")
    try:
        db.students.insert_many([
            {"_id": 2, "name": "Bob", "year": 2020},
            {"_id": 3, "name": "Eve"},
            {"_id": 4, "name": "Dan", "year": 2016},
        ], ordered=False)
        check(False, "invalid documents were inserted")
    except BulkWriteError as e:
        errors = e.details["writeErrors"]
        check([w["index"] for w in errors] == [1, 2], f"writeErrors indexes {errors}")
        rules = errors[0]["errInfo"]["details"]["schemaRulesNotSatisfied"]
        check(rules == [{"operatorName": "required", "specifiedAs": {"required": ["name", "year"]},
                         "missingProperties": ["year"]}], f"required rule {rules}")
        rules = errors[1]["errInfo"]["details"]["schemaRulesNotSatisfied"]
        check(rules[0]["propertiesNotSatisfied"][0]["details"][0]["operatorName"] == "minimum", f"minimum {rules}")
    db.drop_collection("contacts")
    db.create_collection("contacts", validator={"$or": [
        {"phone": {"$type": "string"}},
        {"status": {"$in": ["Unknown", "Incomplete"]}},
    ]})
    try:
        db.contacts.insert_one({"_id": 1, "phone": 375, "status": "Active"})
        check(False, "an invalid contact was inserted")
    except WriteError as e:
        details = e.details["errInfo"]["details"]
        check(details["operatorName"] == "$or" and len(details["clausesNotSatisfied"]) == 2, f"$or {details}")
        first = details["clausesNotSatisfied"][0]
        check(first["index"] == 0 and first["details"]["reason"] == "type did not match", f"clause {first}")


def dollar_fields(db):
    db.drop_collection("d")
    # pymongo 3's insert_one refuses such keys client-side; the command itself carries them as 5.0+ drivers do.
    db.command({"insert": "d", "documents": [{"_id": 1, "$price": 5, "a.b": 1}]})
    check(db.d.find_one({"_id": 1}) == {"_id": 1, "$price": 5, "a.b": 1}, "$-prefixed and dotted names stored")
    try:
        db.d.update_one({"_id": 1}, {"$set": {"$price": 6}})
        check(False, "$set of a $-prefixed field was accepted")
    except WriteError as e:
        check(e.code == 52, f"$set of a $-prefixed field: {e.code}")
    db.d.update_one({"_id": 1}, [{"$replaceWith": {"$setField": {
        "field": {"$literal": "$price"}, "input": "$$ROOT",
        "value": {"$add": [{"$getField": {"$literal": "$price"}}, 1]}}}}])
    check(db.d.find_one({"_id": 1})["$price"] == 6, "$setField updates a $-prefixed field")
    r = db.command({"insert": "d", "documents": [{"_id": {"$a": 1}}]})
    check(r["writeErrors"][0]["code"] == 52, f"_id with a $-prefixed field: {r}")


def uuid_of(v):
    """A session id as a UUID (pymongo 3 gives a session's own id as Binary subtype 4, a listed one as UUID)."""
    return v if isinstance(v, uuid.UUID) else uuid.UUID(bytes=bytes(v))


def local_sessions(client, db):
    # $listLocalSessions lists every session a command named (mongod's session cache), not only those that
    # ran a transaction or a retryable write: a plain find in an explicit session shows it.
    db.s.insert_one({"_id": 1})
    with client.start_session() as s:
        list(db.s.find({}, session=s))
        sid = uuid_of(s.session_id["id"])
        listed = list(client.admin.aggregate([{"$listLocalSessions": {}}]))
        ids = [uuid_of(d["_id"]["id"]) for d in listed]
        check(sid in ids, f"a plain find's session is listed: {listed}")
        mine = [d for d in listed if uuid_of(d["_id"]["id"]) == sid][0]
        check("lastUse" in mine, f"the listed session has lastUse: {mine}")
        everyone = list(client.admin.aggregate([{"$listLocalSessions": {"allUsers": True}}]))
        check(sid in [uuid_of(d["_id"]["id"]) for d in everyone], "allUsers lists it too")
        named = list(client.admin.aggregate([{"$listLocalSessions": {"users": [{"user": "nobody", "db": "x"}]}}]))
        check(named == [], f"another user's sessions: none without access control: {named}")
        # A later stage sees the listed sessions as documents.
        n = list(client.admin.aggregate([{"$listLocalSessions": {}}, {"$match": {"_id.id": s.session_id["id"]}},
                                         {"$count": "n"}]))
        check(n == [{"n": 1}], f"$match after $listLocalSessions: {n}")
    try:
        list(db.s.aggregate([{"$listLocalSessions": {}}]))
        check(False, "$listLocalSessions on a collection is refused")
    except OperationFailure as e:
        check(e.code == 73, f"$listLocalSessions on a collection: {e.code}")


def main():
    uri = sys.argv[1] if len(sys.argv) > 1 else "mongodb://127.0.0.1:27017/?directConnection=true"
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
    db = client["pyfidelity"]
    typed_fields(db)
    hints(db)
    validation(db)
    dollar_fields(db)
    local_sessions(client, db)
    print(f"pymongo {pymongo.version}: {checks} checks passed")


if __name__ == "__main__":
    main()
