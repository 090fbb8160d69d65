#!/usr/bin/env python3
"""Collation through the wire with pymongo against `sqlmongo serve`.

    python3 oracle/pymongo_collation.py mongodb://127.0.0.1:PORT/?directConnection=true

Every expectation is written from the MongoDB manual's collation pages (collation document fields, locale
defaults, per-operation collation on find / count / distinct / aggregate / update / delete / findAndModify /
bulk writes, collection default collations, indexes with a collation). Exits non-zero on the first mismatch.
"""

import sys

import pymongo
from pymongo import DeleteMany, UpdateMany
from pymongo.collation import Collation, CollationAlternate, CollationCaseFirst, CollationStrength
from pymongo.errors import DuplicateKeyError, OperationFailure

checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def main(uri):
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
    db = client["collation_py"]
    client.drop_database("collation_py")
    ci = Collation(locale="en", strength=CollationStrength.SECONDARY)

    c = db["pings"]
    c.insert_many([{"_id": 1, "x": "ping"}, {"_id": 2, "x": "PING"}, {"_id": 3, "x": "pong"}])
    # Strength 2 compares base letters and accents, not case: "PING" finds "ping" too.
    got = sorted(d["_id"] for d in c.find({"x": "PING"}, collation=ci))
    check(got == [1, 2], f"find with strength 2: {got}")
    got = sorted(d["_id"] for d in c.find({"x": "PING"}))
    check(got == [2], f"find without collation compares bytes: {got}")
    check(c.count_documents({"x": "Ping"}, collation=ci) == 2, "count_documents with collation")
    vals = c.distinct("x", collation=ci)
    check(len(vals) == 2 and "pong" in vals, f"distinct under strength 2 gives one ping: {vals}")
    groups = list(c.aggregate([{"$group": {"_id": "$x", "n": {"$sum": 1}}}, {"$sort": {"n": -1}}], collation=ci))
    check(len(groups) == 2 and groups[0]["n"] == 2, f"$group keys under the collation: {groups}")
    r = c.update_many({"x": "pInG"}, {"$set": {"seen": True}}, collation=ci)
    check(r.modified_count == 2, f"update_many with collation: {r.modified_count}")
    doc = c.find_one_and_update({"x": "PONG"}, {"$set": {"y": 1}}, collation=ci, return_document=True)
    check(doc is not None and doc["_id"] == 3, f"find_one_and_update with collation: {doc}")
    r = c.bulk_write([UpdateMany({"x": "PONG"}, {"$inc": {"y": 1}}, collation=ci)])
    check(r.modified_count == 1, "bulk UpdateMany with collation")
    r = c.delete_many({"x": "PING"}, collation=ci)
    check(r.deleted_count == 2, f"delete_many with collation deletes both: {r.deleted_count}")
    r = c.bulk_write([DeleteMany({"x": "PoNg"}, collation=ci)])
    check(r.deleted_count == 1, "bulk DeleteMany with collation")

    # numericOrdering: digit runs compare by their numeric value.
    n = db["numbers"]
    n.insert_many([{"_id": i, "v": v} for i, v in enumerate(["10", "9", "2", "-1"])])
    got = [d["v"] for d in n.find().sort("v", 1).collation(Collation(locale="en", numericOrdering=True))]
    check(got == ["-1", "2", "9", "10"], f"numericOrdering sort: {got}")
    got = [d["v"] for d in n.find().sort("v", 1)]
    check(got == ["-1", "10", "2", "9"], f"simple sort is byte order: {got}")

    # caseFirst upper: at the tertiary level upper case sorts before lower case.
    k = db["cases"]
    k.insert_many([{"_id": 1, "v": "a"}, {"_id": 2, "v": "A"}, {"_id": 3, "v": "b"}])
    got = [d["v"] for d in k.find().sort("v", 1).collation(Collation(locale="en", caseFirst=CollationCaseFirst.UPPER))]
    check(got == ["A", "a", "b"], f"caseFirst upper: {got}")
    got = [d["v"] for d in k.find().sort("v", 1).collation(Collation(locale="en"))]
    check(got == ["a", "A", "b"], f"en default (lower before upper): {got}")

    # alternate shifted: spaces and punctuation are ignorable.
    p = db["punct"]
    p.insert_many([{"_id": 1, "v": "black bird"}, {"_id": 2, "v": "black-bird"}, {"_id": 3, "v": "blackbird"}])
    shifted = Collation(locale="en", strength=CollationStrength.PRIMARY, alternate=CollationAlternate.SHIFTED)
    check(p.count_documents({"v": "blackbird"}, collation=shifted) == 3, "alternate shifted ignores punctuation")
    check(p.count_documents({"v": "blackbird"}, collation=Collation(locale="en", strength=1)) == 1,
          "non-ignorable punctuation counts")

    # A collection's default collation applies when an operation gives none, and to its indexes.
    d = db.create_collection("users", collation=ci)
    opts = d.options()
    check(opts.get("collation", {}).get("strength") == 2 and opts["collation"].get("locale") == "en",
          f"listCollections shows the resolved default: {opts}")
    d.create_index("name", unique=True)
    d.insert_one({"name": "Alice"})
    try:
        d.insert_one({"name": "ALICE"})
        check(False, "unique index under strength 2 refuses a case variant")
    except DuplicateKeyError:
        check(True, "")
    check(d.count_documents({"name": "alice"}) == 1, "default collation used by find")
    check(d.count_documents({"name": "alice"}, collation=Collation(locale="simple")) == 0,
          "an operation's simple collation overrides the default (and skips the collated index)")
    ix = [i for i in d.list_indexes() if i["name"] == "name_1"][0]
    check(ix.get("collation", {}).get("strength") == 2, f"the index took the default collation: {ix}")

    # An index with its own collation serves only commands with that collation.
    e = db["emails"]
    e.insert_many([{"_id": 1, "m": "A@x.org"}, {"_id": 2, "m": "a@x.org"}])
    e.create_index("m", collation=ci, name="m_ci")
    check(e.count_documents({"m": "a@X.org"}, collation=ci) == 2, "collated index probe")
    check(e.count_documents({"m": "a@x.org"}) == 1, "simple query beside a collated index")

    # backwards: French secondary differences compared from the end of the string (the ICU documentation's
    # cote < côte < coté < côté), on any locale; fr_CA has it by default and can turn it off.
    f = db["french"]
    f.insert_many([{"_id": i, "w": w} for i, w in enumerate(["côté", "coté", "cote", "côte"])])
    back = Collation(locale="fr", backwards=True)
    forward = ["cote", "coté", "côte", "côté"]
    backward = ["cote", "côte", "coté", "côté"]
    got = [d["w"] for d in f.find().sort("w", 1).collation(back)]
    check(got == backward, f"backwards sort: {got}")
    got = [d["w"] for d in f.find().sort("w", 1).collation(Collation(locale="fr"))]
    check(got == forward, f"fr sort (no backwards): {got}")
    got = [d["w"] for d in f.find().sort("w", 1).collation(Collation(locale="fr_CA"))]
    check(got == backward, f"fr_CA sorts backwards by default: {got}")
    got = [d["w"] for d in f.find().sort("w", 1).collation(Collation(locale="fr_CA", backwards=False))]
    check(got == forward, f"fr_CA with backwards false: {got}")
    got = [d["w"] for d in f.find({"w": {"$lt": "coté"}}).sort("w", 1).collation(back)]
    check(got == ["cote", "côte"], f"backwards range comparison: {got}")
    f.create_index("w", name="w_back", collation=back)
    got = [d["w"] for d in f.find({"w": {"$gte": "côte"}}).hint("w_back").collation(back)]
    check(got == backward[1:], f"backwards index scan: {got}")
    ix = [i for i in f.list_indexes() if i["name"] == "w_back"][0]
    check(ix["collation"].get("backwards") is True, f"the index echoes backwards: {ix}")

    # Clients round-trip what the server echoes: the resolved collation (every field, normalization: false,
    # version) and the listed index spec are accepted back as they are.
    echoed = d.options()["collation"]
    check(echoed.get("normalization") is False and echoed.get("version") == "57.1"
          and len(echoed) == 10, f"the echoed collation has every field: {echoed}")
    copy = db.create_collection("users_copy", collation=echoed)
    check(copy.options()["collation"] == echoed, "create takes the echoed collation back verbatim")
    spec = [i for i in d.list_indexes() if i["name"] == "name_1"][0]
    check(db.command({"createIndexes": "users_copy", "indexes": [dict(spec)]})["ok"] == 1,
          "createIndexes takes the listed index spec back verbatim")
    copy.insert_one({"name": "Bob"})
    check(copy.count_documents({"name": "BOB"}, collation=echoed) == 1, "find takes the echoed collation back")
    norm = Collation(locale="en", normalization=True)
    check(f.count_documents({"w": "co\u0302te"}, collation=norm) == 1,
          "normalization: true matches the decomposed form")

    # Invalid collations get mongod's errors.
    for spec, code in [({"locale": "xx_XX"}, 2), ({"locale": "en", "strength": 6}, 9), ({"strength": 2}, 4),
                       ({"locale": "en", "caseFirst": "upper", "strength": 1}, 2)]:
        try:
            list(c.find({}, collation=spec))
            check(False, f"{spec} refused")
        except OperationFailure as err:
            check(err.code == code, f"{spec}: code {err.code}, wanted {code}")

    client.drop_database("collation_py")
    print(f"pymongo {pymongo.version}: {checks} collation checks passed")


if __name__ == "__main__":
    main(sys.argv[1])
