#!/usr/bin/env python3
"""pymongo against `sqlmongo serve --auth` over TLS: SCRAM-SHA-256, roles, users as documents.

    python3 oracle/pymongo_auth.py HOST:PORT CA.pem CLIENT.pem

The server must require authentication, have NO user yet, and serve TLS with a certificate for HOST issued by
CA.pem, requiring client certificates issued by the same CA (CLIENT.pem: certificate + key). Every
expectation is written out here from MongoDB's documented behaviour (codes 13 Unauthorized, 18
AuthenticationFailed, 11 UserNotFound, 51003 user exists); exits non-zero on the first mismatch. Works with
pymongo 3.11+ and 4.x.
"""

import sys

import pymongo
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def code_of(fn):
    """The server error code fn() raises (None when it succeeds)."""
    try:
        fn()
    except OperationFailure as e:
        return e.code
    return None


def main():
    hostport, ca, client_pem = sys.argv[1], sys.argv[2], sys.argv[3]
    host, port = hostport.rsplit(":", 1)
    port = int(port)
    tls = dict(tls=True, tlsCAFile=ca, tlsCertificateKeyFile=client_pem)

    def connect(**kw):
        return pymongo.MongoClient(
            host, port, directConnection=True, serverSelectionTimeoutMS=5000, **tls, **kw
        )

    # TLS is required: a plain client never gets a server.
    plain = pymongo.MongoClient(host, port, directConnection=True, serverSelectionTimeoutMS=1500)
    try:
        plain.admin.command("ping")
        check(False, "a plain (non-TLS) client was served")
    except ServerSelectionTimeoutError:
        pass
    # A client certificate is required: a TLS client without one never gets a server either.
    nocert = pymongo.MongoClient(
        host, port, directConnection=True, serverSelectionTimeoutMS=1500, tls=True, tlsCAFile=ca
    )
    try:
        nocert.admin.command("ping")
        check(False, "a client without a certificate was served")
    except ServerSelectionTimeoutError:
        pass

    # Unauthenticated: the handshake and ping work, data does not (13 Unauthorized).
    anon = connect()
    check(anon.admin.command("ping")["ok"] == 1.0, "ping without credentials")
    check(code_of(lambda: anon.app.c.find_one()) == 13, "find without credentials: 13")
    check(code_of(lambda: anon.app.c.insert_one({"a": 1})) == 13, "insert without credentials: 13")
    try:
        anon.app.c.find_one()
    except OperationFailure as e:
        check("requires authentication" in str(e), f"message: {e}")
    status = anon.admin.command("connectionStatus")
    check(status["authInfo"]["authenticatedUsers"] == [], f"anonymous connectionStatus {status}")

    # The localhost exception: the first user, then no more.
    anon.admin.command("createUser", "root", pwd="r00t-pw", roles=["root"])
    check(
        code_of(lambda: anon.admin.command("createUser", "second", pwd="x", roles=["root"])) == 13,
        "second createUser without credentials: 13",
    )

    # SCRAM-SHA-256 over TLS, the mechanism named and the default (negotiated by saslSupportedMechs).
    root = connect(username="root", password="r00t-pw", authSource="admin", authMechanism="SCRAM-SHA-256")
    check(root.admin.command("ping")["ok"] == 1.0, "root ping")
    status = root.admin.command("connectionStatus")
    check(
        status["authInfo"]["authenticatedUsers"] == [{"user": "root", "db": "admin"}],
        f"root connectionStatus {status}",
    )
    check(
        status["authInfo"]["authenticatedUserRoles"] == [{"role": "root", "db": "admin"}],
        f"root roles {status}",
    )
    default_mech = connect(username="root", password="r00t-pw")
    check(default_mech.app.c.count_documents({}) == 0, "default mechanism")

    # Wrong password, unknown user: 18 AuthenticationFailed.
    bad = connect(username="root", password="wrong", authMechanism="SCRAM-SHA-256")
    check(code_of(lambda: bad.admin.command("ping")) == 18, "wrong password: 18")
    nobody = connect(username="nobody", password="x", authMechanism="SCRAM-SHA-256")
    check(code_of(lambda: nobody.admin.command("ping")) == 18, "unknown user: 18")

    # Users and roles.
    app = root.app
    app.command("createUser", "reader", pwd="read-pw", roles=["read"])
    app.command("createUser", "writer", pwd="write-pw", roles=[{"role": "readWrite", "db": "app"}])
    check(
        code_of(lambda: app.command("createUser", "reader", pwd="x", roles=["read"])) == 51003,
        "duplicate user: 51003",
    )
    check(
        code_of(lambda: app.command("createUser", "x", pwd="x", roles=["nosuchrole"])) == 31,
        "unknown role: 31 RoleNotFound",
    )
    writer = connect(username="writer", password="write-pw", authSource="app")
    writer.app.c.insert_many([{"_id": i, "v": i * 10} for i in range(5)])
    check(writer.app.c.count_documents({}) == 5, "writer reads its writes")
    reader = connect(username="reader", password="read-pw", authSource="app")
    check(reader.app.c.find_one({"_id": 3})["v"] == 30, "reader finds")
    check(code_of(lambda: reader.app.c.insert_one({"_id": 9})) == 13, "reader cannot insert: 13")
    check(code_of(lambda: reader.app.c.delete_many({})) == 13, "reader cannot delete: 13")
    check(code_of(lambda: reader.other.c.find_one()) == 13, "reader cannot read another database: 13")
    check(code_of(lambda: writer.admin.command("createUser", "y", pwd="y", roles=[])) == 13,
          "writer cannot create users: 13")
    check(code_of(lambda: reader.admin.system.users.find_one()) == 13, "reader cannot read admin.system.users")
    names = [d["name"] for d in reader.admin.command("listDatabases")["databases"]]
    check(names == ["app"], f"reader's listDatabases shows only app: {names}")

    # usersInfo, and the users as documents in admin.system.users (keys, never the password).
    info = app.command("usersInfo", "reader")["users"]
    check(len(info) == 1 and info[0]["user"] == "reader" and info[0]["db"] == "app", f"usersInfo {info}")
    check(info[0]["roles"] == [{"role": "read", "db": "app"}], f"usersInfo roles {info}")
    check(info[0]["mechanisms"] == ["SCRAM-SHA-256"], f"usersInfo mechanisms {info}")
    check("credentials" not in info[0], "usersInfo hides credentials")
    every = app.command("usersInfo", 1)["users"]
    check(sorted(u["user"] for u in every) == ["reader", "writer"], f"usersInfo 1: {every}")
    mine = reader.app.command("usersInfo", "reader")["users"]
    check(len(mine) == 1, "a user may see its own usersInfo")
    check(code_of(lambda: reader.app.command("usersInfo", "writer")) == 13, "but not another's: 13")
    stored = root.admin.system.users.find_one({"_id": "app.reader"})
    scram = stored["credentials"]["SCRAM-SHA-256"]
    check(set(scram) == {"iterationCount", "salt", "storedKey", "serverKey"}, f"stored credentials {stored}")
    check(scram["iterationCount"] >= 4096, "iteration count")
    check("read-pw" not in str(stored) and "pwd" not in stored, "no password stored")
    check(stored["user"] == "reader" and stored["db"] == "app", f"stored user {stored}")

    # Grants take effect on open connections; a new password replaces the old; a dropped user loses access.
    app.command("grantRolesToUser", "reader", roles=["readWrite"])
    reader.app.c.insert_one({"_id": 9})
    check(reader.app.c.count_documents({}) == 6, "granted readWrite: insert works")
    app.command("revokeRolesFromUser", "reader", roles=["readWrite"])
    check(code_of(lambda: reader.app.c.insert_one({"_id": 10})) == 13, "revoked: 13 again")
    app.command("updateUser", "writer", pwd="new-pw")
    old = connect(username="writer", password="write-pw", authSource="app")
    check(code_of(lambda: old.app.c.find_one()) == 18, "old password after updateUser: 18")
    new = connect(username="writer", password="new-pw", authSource="app")
    check(new.app.c.count_documents({}) == 6, "new password works")
    app.command("dropUser", "writer")
    check(code_of(lambda: app.command("dropUser", "writer")) == 11, "drop a dropped user: 11")
    check(code_of(lambda: new.app.c.find_one()) == 13, "a dropped user's connection is refused: 13")

    # A password SASLprep maps (RFC 4013: soft hyphen maps to nothing) authenticates both ways.
    app.command("createUser", "prep", pwd="IX", roles=["read"])
    prep = connect(username="prep", password="I\u00adX", authSource="app", authMechanism="SCRAM-SHA-256")
    check(prep.app.c.count_documents({}) == 6, "SASLprep-equivalent password")

    # logout forgets the connection's user (one pooled connection, so the next command uses it).
    solo = connect(username="root", password="r00t-pw", maxPoolSize=1)
    check(solo.app.c.count_documents({}) == 6, "solo client authenticated")
    solo.admin.command("logout")
    status = solo.admin.command("connectionStatus")
    check(status["authInfo"]["authenticatedUsers"] == [], f"after logout: {status}")
    check(code_of(lambda: solo.app.c.find_one()) == 13, "after logout: 13")

    for c in (anon, root, default_mech, bad, nobody, writer, reader, old, new, prep, solo, plain, nocert):
        c.close()
    print(f"pymongo {pymongo.version}: {checks} checks passed")


if __name__ == "__main__":
    main()
