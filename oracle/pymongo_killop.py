"""currentOp / killOp / maxTimeMS through `sqlmongo serve`, as a pymongo user runs them.

Usage: pymongo_killop.py URI  (the server holds app.big, 4,000 documents; tests/concurrency.rs starts it).
Prints "checks passed" when every check holds; exits non-zero otherwise.
"""
import sys
import threading
import time

import pymongo
from pymongo.errors import ExecutionTimeout, OperationFailure

uri = sys.argv[1]
client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
db = client.app

LONG = [
    {"$lookup": {"from": "big", "let": {"k": "$k"}, "pipeline": [
        {"$match": {"$expr": {"$lt": ["$k", "$$k"]}}}, {"$count": "n"}], "as": "below"}},
    {"$group": {"_id": None, "n": {"$sum": 1}}},
]

# maxTimeMS: ExecutionTimeout, code 50.
t = time.monotonic()
try:
    list(db.big.aggregate(LONG, maxTimeMS=200))
    raise SystemExit("the aggregate was not stopped by maxTimeMS")
except ExecutionTimeout as e:
    assert e.code == 50, e.details
elapsed = time.monotonic() - t
assert elapsed < 3, elapsed

# killOp from another client while the aggregate runs.
outcome = {}


def run():
    try:
        list(db.big.aggregate(LONG))
        outcome["result"] = "finished"
    except OperationFailure as e:
        outcome["result"] = e.code
        outcome["msg"] = e.details.get("errmsg")


worker = threading.Thread(target=run)
worker.start()
other = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
opid = None
deadline = time.monotonic() + 10
while opid is None and time.monotonic() < deadline:
    ops = other.admin.command("currentOp")["inprog"]
    for op in ops:
        if op.get("ns") == "app.big" and "aggregate" in op.get("command", {}):
            assert op["op"] == "command", op
            # pymongo sends a session id: the op shows it (and its connection description).
            assert op["desc"].startswith("conn") and "lsid" in op, op
            assert op["secs_running"] >= 0 and op["microsecs_running"] >= 0, op
            opid = op["opid"]
    time.sleep(0.01)
assert opid is not None, "currentOp never listed the aggregate"
# An insert is not held up meanwhile.
t = time.monotonic()
db.big.insert_one({"_id": "during", "k": -1})
assert time.monotonic() - t < 0.5, time.monotonic() - t
reply = other.admin.command("killOp", op=opid)
assert reply["info"] == "attempting to kill op", reply
worker.join(10)
assert not worker.is_alive(), "the killed aggregate kept running"
assert outcome.get("result") == 11601, outcome
assert outcome.get("msg") == "operation was interrupted", outcome
assert db.big.count_documents({}) == 4001
print("pymongo currentOp/killOp/maxTimeMS: checks passed")
