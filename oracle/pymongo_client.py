#!/usr/bin/env python3
"""A real MongoDB client (pymongo) against `sqlmongo serve`.

    python3 oracle/pymongo_client.py mongodb://127.0.0.1:PORT/?directConnection=true

Exercises the handshake (legacy OP_QUERY isMaster for pymongo 3, OP_MSG hello for 4), writes with document
sequences (insert_many / bulk updates), finds with filter + sort + projection, aggregations with $group and
$lookup, update operators and upserts, findAndModify, a TTL index, error codes, and a 1,000-document cursor
paged 100 at a time with getMore (counted by command monitoring). Every expectation is written out here from
MongoDB's documented behaviour; exits non-zero on the first mismatch. Works with pymongo 3.11+ and 4.x.
"""

import sys

import pymongo
from pymongo import monitoring
from pymongo.errors import DuplicateKeyError, OperationFailure


class Commands(monitoring.CommandListener):
    def __init__(self):
        self.counts = {}

    def started(self, event):
        self.counts[event.command_name] = self.counts.get(event.command_name, 0) + 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def main():
    uri = sys.argv[1] if len(sys.argv) > 1 else "mongodb://127.0.0.1:27017/?directConnection=true"
    commands = Commands()
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000, event_listeners=[commands])
    check(client.admin.command("ping")["ok"] == 1.0, "ping")
    hello = client.admin.command("isMaster")
    check(hello["ismaster"] is True and hello["maxWireVersion"] == 21, f"isMaster: {hello}")
    check(hello["maxMessageSizeBytes"] == 48000000, "maxMessageSizeBytes")
    build = client.admin.command("buildInfo")
    check(build["version"].startswith("7.0"), f"buildInfo version {build.get('version')}")

    db = client["pyclient"]
    db.drop_collection("sessions")
    db.drop_collection("users")
    db.drop_collection("big")

    # --- inserts (insert_many goes out as a kind-1 document sequence) --------------------------------
    users = [
        {"_id": "u1", "name": "Ada", "plan": "pro"},
        {"_id": "u2", "name": "Bob", "plan": "free"},
        {"_id": "u3", "name": "Cy", "plan": "pro"},
    ]
    check(db.users.insert_many(users).inserted_ids == ["u1", "u2", "u3"], "insert_many ids")
    sessions = [
        {"_id": "s1", "user": "u1", "hits": 5, "tags": ["web"]},
        {"_id": "s2", "user": "u1", "hits": 2, "tags": ["web", "mfa"]},
        {"_id": "s3", "user": "u2", "hits": 9, "tags": []},
        {"_id": "s4", "user": "u3", "hits": None},
        {"_id": "s5", "user": "u3"},
    ]
    db.sessions.insert_many(sessions)
    check(db.sessions.insert_one({"_id": "s6", "user": "u2", "hits": 1}).inserted_id == "s6", "insert_one")
    try:
        db.sessions.insert_one({"_id": "s1"})
        check(False, "duplicate _id must fail")
    except DuplicateKeyError as e:
        check(e.code == 11000, f"duplicate key code {e.code}")

    # --- find: filter + sort + projection ------------------------------------------------------------
    got = list(db.sessions.find({"hits": {"$gte": 2}}, {"_id": 1, "hits": 1}).sort([("hits", -1), ("_id", 1)]))
    check(got == [{"_id": "s3", "hits": 9}, {"_id": "s1", "hits": 5}, {"_id": "s2", "hits": 2}], f"find sorted: {got}")
    # {hits: null} matches null and missing.
    got = sorted(d["_id"] for d in db.sessions.find({"hits": None}))
    check(got == ["s4", "s5"], f"null matches missing: {got}")
    check(db.sessions.count_documents({"user": "u1"}) == 2, "count_documents")
    check(db.sessions.estimated_document_count() == 6, "estimated_document_count")
    check(sorted(db.sessions.distinct("user")) == ["u1", "u2", "u3"], "distinct")
    got = list(db.sessions.find({"tags": "mfa"}))
    check([d["_id"] for d in got] == ["s2"], f"array element match: {got}")
    got = list(db.sessions.find({}).sort("_id", 1).skip(2).limit(2))
    check([d["_id"] for d in got] == ["s3", "s4"], f"skip/limit: {got}")

    # --- aggregate: $group and $lookup -----------------------------------------------------------------
    got = list(
        db.sessions.aggregate(
            [
                {"$group": {"_id": "$user", "n": {"$sum": 1}, "hits": {"$sum": "$hits"}}},
                {"$sort": {"_id": 1}},
            ]
        )
    )
    check(
        got == [{"_id": "u1", "n": 2, "hits": 7}, {"_id": "u2", "n": 2, "hits": 10}, {"_id": "u3", "n": 2, "hits": 0}],
        f"$group: {got}",
    )
    got = list(
        db.users.aggregate(
            [
                {"$match": {"plan": "pro"}},
                {"$lookup": {"from": "sessions", "localField": "_id", "foreignField": "user", "as": "s"}},
                {"$project": {"_id": 1, "sessions": {"$size": "$s"}}},
                {"$sort": {"_id": 1}},
            ]
        )
    )
    check(got == [{"_id": "u1", "sessions": 2}, {"_id": "u3", "sessions": 2}], f"$lookup: {got}")

    # --- updates: operators, upsert, findAndModify -------------------------------------------------------
    r = db.sessions.update_one({"_id": "s1"}, {"$inc": {"hits": 10}, "$push": {"tags": "api"}, "$set": {"seen": True}})
    check((r.matched_count, r.modified_count) == (1, 1), "update_one counts")
    check(db.sessions.find_one({"_id": "s1"}) == {"_id": "s1", "user": "u1", "hits": 15, "tags": ["web", "api"], "seen": True}, "update_one result")
    r = db.sessions.update_many({"user": "u3"}, {"$set": {"hits": 0}})
    check((r.matched_count, r.modified_count) == (2, 2), "update_many counts")
    r = db.sessions.update_one({"_id": "s9"}, {"$set": {"user": "u9"}, "$setOnInsert": {"hits": 1}}, upsert=True)
    check(r.upserted_id == "s9" and r.matched_count == 0, f"upsert: {r.raw_result}")
    check(db.sessions.find_one({"_id": "s9"}) == {"_id": "s9", "user": "u9", "hits": 1}, "upserted document")
    r = db.sessions.update_one({"_id": "s9"}, {"$set": {"user": "u9"}}, upsert=True)
    check(r.upserted_id is None and r.matched_count == 1 and r.modified_count == 0, "no-op update")
    doc = db.sessions.find_one_and_update(
        {"_id": "s2"}, {"$inc": {"hits": 1}}, return_document=pymongo.ReturnDocument.AFTER
    )
    check(doc["hits"] == 3, f"find_one_and_update: {doc}")
    r = db.sessions.bulk_write(
        [
            pymongo.UpdateOne({"_id": "s3"}, {"$unset": {"tags": ""}}),
            pymongo.DeleteOne({"_id": "s6"}),
            pymongo.InsertOne({"_id": "s7", "user": "u1"}),
        ]
    )
    check((r.modified_count, r.deleted_count, r.inserted_count) == (1, 1, 1), f"bulk_write: {r.bulk_api_result}")
    try:
        db.sessions.update_one({"_id": "s1"}, {"$inc": {"user": 1}})
        check(False, "$inc on a string must fail")
    except OperationFailure as e:
        check(e.code == 14, f"$inc on a string: code {e.code}")
    check(db.sessions.delete_many({"user": "u3"}).deleted_count == 2, "delete_many")

    # --- TTL index ---------------------------------------------------------------------------------------
    name = db.sessions.create_index([("expires_at", pymongo.ASCENDING)], expireAfterSeconds=0)
    check(name == "expires_at_1", f"index name {name}")
    info = db.sessions.index_information()
    check(info["expires_at_1"]["expireAfterSeconds"] == 0, f"TTL index: {info}")
    check(info["expires_at_1"]["key"] == [("expires_at", 1)], f"TTL key: {info}")
    check("_id_" in info, "default _id index")
    check(set(db.list_collection_names()) == {"sessions", "users"}, f"collections: {db.list_collection_names()}")
    check("pyclient" in client.list_database_names(), "list_database_names")

    # --- a large cursor paged with getMore ----------------------------------------------------------------
    db.big.insert_many([{"_id": i, "v": i % 7} for i in range(1000)])
    before = commands.counts.get("getMore", 0)
    ids = [d["_id"] for d in db.big.find({}, batch_size=100).sort("_id", 1)]
    check(ids == list(range(1000)), "1,000 documents in order through getMore")
    more = commands.counts.get("getMore", 0) - before
    check(9 <= more <= 10, f"getMore round trips for 1,000 docs at batch size 100: {more}")
    before = commands.counts.get("getMore", 0)
    got = list(db.big.aggregate([{"$match": {"v": 3}}, {"$sort": {"_id": -1}}], batchSize=10))
    check([d["_id"] for d in got] == [i for i in range(999, -1, -1) if i % 7 == 3], "aggregate cursor")
    check(commands.counts.get("getMore", 0) - before >= 14, "aggregate getMore")
    # An abandoned cursor is killed (killCursors) when closed.
    cur = db.big.find({}, batch_size=5)
    next(cur)
    cur.close()

    # --- errors keep MongoDB's code ----------------------------------------------------------------------
    try:
        db.command("noSuchCommand")
        check(False, "unknown command must fail")
    except OperationFailure as e:
        check(e.code == 59, f"CommandNotFound code {e.code}")
    try:
        list(db.big.aggregate([{"$bogus": {}}]))
        check(False, "unknown stage must fail")
    except OperationFailure as e:
        check(e.code == 40324, f"unknown stage code {e.code}")

    # --- $out and $merge (aggregate output stages) ----------------------------------------------------------
    db.big.aggregate([{"$group": {"_id": "$v", "n": {"$sum": 1}}}, {"$out": "by_v"}])
    check(sorted((d["_id"], d["n"]) for d in db.by_v.find()) == [(v, 143 if v < 6 else 142) for v in range(7)], "$out")
    db.by_v.create_index("n")
    db.big.aggregate([{"$match": {"v": 0}}, {"$group": {"_id": "$v", "n": {"$sum": 1}}}, {"$out": "by_v"}])
    check([d["n"] for d in db.by_v.find()] == [143], "$out replaces the target")
    check("n_1" in db.by_v.index_information(), "$out keeps the target's indexes")
    db.big.aggregate([{"$match": {"_id": {"$lt": 2}}}, {"$project": {"_id": "$v", "n": {"$literal": -1}}},
                      {"$merge": {"into": "by_v", "whenMatched": "merge", "whenNotMatched": "insert"}}])
    check(sorted((d["_id"], d["n"]) for d in db.by_v.find()) == [(0, -1), (1, -1)], "$merge")
    try:
        list(db.big.aggregate([{"$project": {"_id": "$v"}}, {"$merge": {"into": "by_v", "whenMatched": "fail"}}]))
        check(False, "$merge whenMatched fail must fail")
    except OperationFailure as e:
        check(e.code == 11000, f"$merge whenMatched fail code {e.code}")
    try:
        list(db.big.aggregate([{"$out": "x"}, {"$match": {}}]))
        check(False, "$out not last must fail")
    except OperationFailure as e:
        check(e.code == 40601, f"$out not last code {e.code}")
    db.drop_collection("by_v")

    db.drop_collection("big")
    client.close()
    print(f"pymongo {pymongo.version}: {checks} checks passed")


if __name__ == "__main__":
    main()
