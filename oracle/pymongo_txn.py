#!/usr/bin/env python3
"""Transactions through `sqlmongo serve --repl-set rs0` with pymongo.

    python3 oracle/pymongo_txn.py mongodb://127.0.0.1:PORT/?directConnection=true

Every expectation is written from MongoDB's manual (Transactions, Drivers API, commitTransaction,
abortTransaction, retryable writes, error codes 112 WriteConflict / 263 OperationNotSupportedInTransaction,
the TransientTransactionError label); exits non-zero on the first mismatch.
"""

import sys

import pymongo
from bson.int64 import Int64
from bson.son import SON
from pymongo.errors import OperationFailure
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def main():
    uri = sys.argv[1]
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
    hello = client.admin.command("hello")
    check(hello.get("setName") == "rs0", f"hello setName: {hello}")
    check(hello.get("isWritablePrimary") is True, "isWritablePrimary")
    check(len(hello.get("hosts", [])) == 1 and hello.get("primary") == hello["hosts"][0], "hosts / primary")
    check("$clusterTime" in hello and "operationTime" in hello, "cluster time in replies")

    db = client["pytxn"]
    db.drop_collection("accounts")
    db.drop_collection("log")
    db.accounts.insert_many([{"_id": "a", "balance": 100}, {"_id": "b", "balance": 0}])
    db.create_collection("log")

    # with_transaction: both writes or neither.
    def transfer(session):
        db.accounts.update_one({"_id": "a"}, {"$inc": {"balance": -30}}, session=session)
        db.accounts.update_one({"_id": "b"}, {"$inc": {"balance": 30}}, session=session)
        db.log.insert_one({"what": "transfer", "amount": 30}, session=session)

    with client.start_session() as s:
        s.with_transaction(
            transfer,
            read_concern=ReadConcern("snapshot"),
            write_concern=WriteConcern("majority"),
        )
    balances = {d["_id"]: d["balance"] for d in db.accounts.find()}
    check(balances == {"a": 70, "b": 30}, f"with_transaction committed: {balances}")
    check(db.log.count_documents({}) == 1, "log written")

    # Inside: own writes visible; outside: nothing until commit; abort discards.
    with client.start_session() as s:
        s.start_transaction()
        db.accounts.insert_one({"_id": "c", "balance": 5}, session=s)
        check(db.accounts.find_one({"_id": "c"}, session=s) is not None, "own write visible inside")
        check(db.accounts.find_one({"_id": "c"}) is None, "invisible outside before commit")
        check(db.accounts.count_documents({}, session=s) == 3, "countDocuments inside (an aggregate)")
        s.abort_transaction()
    check(db.accounts.find_one({"_id": "c"}) is None, "abort discards")

    # A snapshot does not see a commit made after it started.
    with client.start_session() as s:
        s.start_transaction()
        check(db.accounts.find_one({"_id": "a"}, session=s)["balance"] == 70, "snapshot read")
        db.accounts.update_one({"_id": "b"}, {"$set": {"seen": True}})
        check("seen" not in db.accounts.find_one({"_id": "b"}, session=s), "later commit not seen")
        s.commit_transaction()

    # Two transactions writing one document: the second gets WriteConflict, labelled transient.
    s1 = client.start_session()
    s2 = client.start_session()
    s1.start_transaction()
    s2.start_transaction()
    db.accounts.update_one({"_id": "a"}, {"$inc": {"balance": 1}}, session=s1)
    try:
        db.accounts.update_one({"_id": "a"}, {"$inc": {"balance": 1}}, session=s2)
        check(False, "second writer should conflict")
    except OperationFailure as e:
        check(e.code == 112, f"WriteConflict code: {e.code} {e.details}")
        check(e.has_error_label("TransientTransactionError"), f"label: {e.details}")
    s1.commit_transaction()
    try:
        s2.abort_transaction()
    except OperationFailure:
        pass
    s1.end_session()
    s2.end_session()
    check(db.accounts.find_one({"_id": "a"})["balance"] == 71, "only the winner applied")

    # with_transaction retries a callback that hit a transient error.
    attempts = []
    blocker = client.start_session()
    blocker.start_transaction()
    db.accounts.update_one({"_id": "b"}, {"$inc": {"balance": 1}}, session=blocker)

    def contended(session):
        attempts.append(1)
        if len(attempts) == 2:
            blocker.commit_transaction()
        db.accounts.update_one({"_id": "b"}, {"$inc": {"balance": 10}}, session=session)

    with client.start_session() as s:
        s.with_transaction(contended)
    blocker.end_session()
    check(len(attempts) == 2, f"retried once: {len(attempts)}")
    check(db.accounts.find_one({"_id": "b"})["balance"] == 41, "both applied in order")

    # Commands a transaction may not run.
    with client.start_session() as s:
        s.start_transaction()
        try:
            db.command("count", "accounts", session=s)
            check(False, "count in a transaction should fail")
        except OperationFailure as e:
            check(e.code == 263, f"count: {e.code}")
        try:
            s.abort_transaction()
        except OperationFailure:
            pass

    # Retryable write: the same txnNumber twice applies once.
    with client.start_session() as s:
        cmd = SON([
            ("update", "accounts"),
            ("updates", [{"q": {"_id": "a"}, "u": {"$inc": {"balance": 100}}}]),
            ("txnNumber", Int64(42)),
        ])
        first = db.command(cmd, session=s)
        again = db.command(cmd, session=s)
        check(first["n"] == 1 and again["n"] == 1, f"replies: {first} {again}")
        # The driver would reuse this session with its own, lower, numbers: take it out of the pool.
        if hasattr(s, "_server_session") and hasattr(s._server_session, "mark_dirty"):
            s._server_session.mark_dirty()
    check(db.accounts.find_one({"_id": "a"})["balance"] == 171, "retried write applied once")

    # Ordinary retryable writes (the driver's default) keep working.
    db.log.insert_one({"what": "plain"})
    check(db.log.count_documents({}) == 2, "plain insert")
    print(f"{checks} checks passed")


if __name__ == "__main__":
    main()
