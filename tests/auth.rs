//! `sqlmongo serve` security end to end: SCRAM-SHA-256 authentication, roles, users as documents in
//! `admin.system.users`, TLS with client certificates, the localhost exception, speculative authentication
//! in `hello`, and the refusal to listen on a non-loopback address without `--auth`.
//!
//! Clients: the official Rust driver (the `mongodb` crate, SCRAM and rustls of its own) and raw OP_MSG for
//! the `hello` fields; pymongo, the Node driver and the binary are in `tests/auth_clients.rs`. Certificates
//! are made at test time (rcgen): nothing committed expires.

mod auth_support;

use auth_support::{code, create, driver, start, Certs};
use bson::{doc, Bson, Document};
use sqlmongo::server::TlsMode;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scram_sha_256_over_tls_with_client_certificates() {
    let certs = Certs::new("tls");
    let server = start(true, Some(certs.tls(TlsMode::Require, true))).await;
    create(
        &server.engine,
        "admin",
        "root",
        "r00t",
        Bson::Array(vec!["root".into()]),
    );
    let root = driver(
        server.addr,
        Some(("root", "r00t", "admin")),
        Some((&certs, true)),
    )
    .await;
    assert_eq!(
        code(
            &root,
            "app",
            doc! {"insert": "c", "documents": [{"_id": 1}]}
        )
        .await,
        None
    );
    let status = root
        .database("admin")
        .run_command(doc! {"connectionStatus": 1})
        .await
        .expect("connectionStatus");
    assert_eq!(
        status.get_document("authInfo").expect("authInfo"),
        &doc! {"authenticatedUsers": [{"user": "root", "db": "admin"}], "authenticatedUserRoles": [{"role": "root", "db": "admin"}]}
    );
    // Without credentials: served, but refused (13).
    let anon = driver(server.addr, None, Some((&certs, true))).await;
    assert_eq!(code(&anon, "admin", doc! {"ping": 1}).await, None);
    assert_eq!(code(&anon, "app", doc! {"find": "c"}).await, Some(13));
    // Wrong password: 18.
    let bad = driver(
        server.addr,
        Some(("root", "nope", "admin")),
        Some((&certs, true)),
    )
    .await;
    assert_eq!(code(&bad, "admin", doc! {"ping": 1}).await, Some(18));
    // No client certificate, or no TLS at all: never served.
    let nocert = driver(
        server.addr,
        Some(("root", "r00t", "admin")),
        Some((&certs, false)),
    )
    .await;
    assert!(nocert
        .database("admin")
        .run_command(doc! {"ping": 1})
        .await
        .is_err());
    let plain = driver(server.addr, Some(("root", "r00t", "admin")), None).await;
    assert!(plain
        .database("admin")
        .run_command(doc! {"ping": 1})
        .await
        .is_err());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_tls_serves_plain_and_tls_clients() {
    let certs = Certs::new("allow");
    let server = start(false, Some(certs.tls(TlsMode::Allow, false))).await;
    let tls = driver(server.addr, None, Some((&certs, false))).await;
    assert_eq!(
        code(&tls, "app", doc! {"insert": "c", "documents": [{"_id": 1}]}).await,
        None
    );
    let plain = driver(server.addr, None, None).await;
    assert_eq!(code(&plain, "app", doc! {"count": "c"}).await, None);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_decide_what_a_user_may_run() {
    let server = start(true, None).await;
    let e = &server.engine;
    create(e, "admin", "root", "pw", Bson::Array(vec!["root".into()]));
    create(e, "app", "reader", "pw", Bson::Array(vec!["read".into()]));
    create(
        e,
        "app",
        "writer",
        "pw",
        Bson::Array(vec!["readWrite".into()]),
    );
    create(e, "app", "dba", "pw", Bson::Array(vec!["dbAdmin".into()]));
    create(
        e,
        "admin",
        "anyreader",
        "pw",
        Bson::Array(vec![Bson::Document(
            doc! {"role": "readAnyDatabase", "db": "admin"},
        )]),
    );
    let reader = driver(server.addr, Some(("reader", "pw", "app")), None).await;
    let writer = driver(server.addr, Some(("writer", "pw", "app")), None).await;
    let dba = driver(server.addr, Some(("dba", "pw", "app")), None).await;
    let any = driver(server.addr, Some(("anyreader", "pw", "admin")), None).await;
    let insert = || doc! {"insert": "c", "documents": [{"x": 1}]};
    assert_eq!(code(&writer, "app", insert()).await, None);
    assert_eq!(code(&reader, "app", insert()).await, Some(13));
    assert_eq!(
        code(&reader, "app", doc! {"find": "c", "filter": {"x": 1}}).await,
        None
    );
    assert_eq!(code(&reader, "other", doc! {"find": "c"}).await, Some(13));
    assert_eq!(code(&dba, "app", doc! {"find": "c"}).await, Some(13));
    assert_eq!(
        code(
            &dba,
            "app",
            doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_1"}]}
        )
        .await,
        None
    );
    assert_eq!(code(&dba, "app", doc! {"collMod": "c"}).await, None);
    assert_eq!(code(&writer, "app", doc! {"collMod": "c"}).await, Some(13));
    assert_eq!(code(&any, "other", doc! {"find": "c"}).await, None);
    assert_eq!(code(&any, "app", insert()).await, Some(13));
    // `$out` needs a write role: a writer's runs, a reader is refused before the engine reads the pipeline.
    assert_eq!(
        code(
            &writer,
            "app",
            doc! {"aggregate": "c", "pipeline": [{"$out": "d"}], "cursor": {}}
        )
        .await,
        None
    );
    assert_eq!(
        code(
            &reader,
            "app",
            doc! {"aggregate": "c", "pipeline": [{"$out": "d"}], "cursor": {}}
        )
        .await,
        Some(13)
    );
    // User administration and the users' collection need userAdmin / root.
    assert_eq!(
        code(
            &writer,
            "app",
            doc! {"createUser": "x", "pwd": "x", "roles": []}
        )
        .await,
        Some(13)
    );
    assert_eq!(
        code(&any, "admin", doc! {"find": "system.users"}).await,
        Some(13)
    );
    assert_eq!(
        code(
            &any,
            "admin",
            doc! {"aggregate": "other", "pipeline": [{"$unionWith": "system.users"}], "cursor": {}}
        )
        .await,
        Some(13),
        "no reading the users through another collection's pipeline"
    );
    // A user administrator of one database cannot hand out roles of another (no escalation to root).
    create(
        e,
        "app",
        "appadmin",
        "pw",
        Bson::Array(vec!["userAdmin".into()]),
    );
    let appadmin = driver(server.addr, Some(("appadmin", "pw", "app")), None).await;
    assert_eq!(
        code(
            &appadmin,
            "app",
            doc! {"createUser": "x", "pwd": "x", "roles": [{"role": "root", "db": "admin"}]}
        )
        .await,
        Some(13)
    );
    assert_eq!(
        code(&appadmin, "app", doc! {"grantRolesToUser": "appadmin", "roles": [{"role": "readWriteAnyDatabase", "db": "admin"}]}).await,
        Some(13)
    );
    assert_eq!(
        code(
            &appadmin,
            "app",
            doc! {"createUser": "x", "pwd": "x", "roles": ["dbOwner"]}
        )
        .await,
        None
    );
    let root = driver(server.addr, Some(("root", "pw", "admin")), None).await;
    let stored = root
        .database("admin")
        .collection::<Document>("system.users")
        .find_one(doc! {"_id": "app.reader"})
        .await
        .expect("find")
        .expect("the user document");
    let scram = stored
        .get_document("credentials")
        .and_then(|c| c.get_document("SCRAM-SHA-256"))
        .expect("SCRAM-SHA-256 credentials");
    let mut keys: Vec<&str> = scram.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["iterationCount", "salt", "serverKey", "storedKey"]);
    assert_eq!(
        stored.get_array("roles").expect("roles"),
        &vec![Bson::Document(doc! {"role": "read", "db": "app"})]
    );
    assert!(!stored.contains_key("pwd"));
    // The roles a user has are re-read after a change, on an open connection.
    assert_eq!(
        code(
            &root,
            "app",
            doc! {"grantRolesToUser": "reader", "roles": ["readWrite"]}
        )
        .await,
        None
    );
    assert_eq!(code(&reader, "app", insert()).await, None);
    assert_eq!(code(&root, "app", doc! {"dropUser": "reader"}).await, None);
    assert_eq!(code(&reader, "app", doc! {"find": "c"}).await, Some(13));
    assert_eq!(
        code(&root, "app", doc! {"dropUser": "reader"}).await,
        Some(11)
    );
    // Unknown commands need root: refused to others before the engine says it does not know them.
    assert_eq!(code(&writer, "app", doc! {"shutdown": 1}).await, Some(13));
    assert_eq!(
        code(&root, "app", doc! {"noSuchCommand": 1}).await,
        Some(59)
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_localhost_exception_creates_the_first_user_only() {
    let server = start(true, None).await;
    let anon = driver(server.addr, None, None).await;
    assert_eq!(
        code(
            &anon,
            "app",
            doc! {"createUser": "u", "pwd": "p", "roles": ["read"]}
        )
        .await,
        Some(13),
        "the first user goes to admin"
    );
    assert_eq!(
        code(
            &anon,
            "admin",
            doc! {"createUser": "root", "pwd": "p", "roles": ["root"]}
        )
        .await,
        None
    );
    assert_eq!(
        code(
            &anon,
            "admin",
            doc! {"createUser": "again", "pwd": "p", "roles": ["root"]}
        )
        .await,
        Some(13)
    );
    let root = driver(server.addr, Some(("root", "p", "admin")), None).await;
    assert_eq!(
        code(
            &root,
            "admin",
            doc! {"createUser": "root", "pwd": "p", "roles": ["root"]}
        )
        .await,
        Some(51003)
    );
    let info = root
        .database("admin")
        .run_command(doc! {"usersInfo": "root"})
        .await
        .expect("usersInfo");
    let users = info.get_array("users").expect("users");
    assert_eq!(users.len(), 1);
    let u = users[0].as_document().expect("user");
    assert_eq!(u.get_str("user").ok(), Some("root"));
    assert_eq!(
        u.get_array("mechanisms").expect("mechanisms"),
        &vec![Bson::from("SCRAM-SHA-256")]
    );
    assert!(!u.contains_key("credentials"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_auth_nothing_is_refused_and_users_still_work() {
    let server = start(false, None).await;
    let anon = driver(server.addr, None, None).await;
    assert_eq!(
        code(&anon, "app", doc! {"insert": "c", "documents": [{}]}).await,
        None
    );
    assert_eq!(
        code(
            &anon,
            "app",
            doc! {"createUser": "u", "pwd": "p", "roles": ["read"]}
        )
        .await,
        None
    );
    let u = driver(server.addr, Some(("u", "p", "app")), None).await;
    assert_eq!(
        code(&u, "app", doc! {"insert": "c", "documents": [{}]}).await,
        None
    );
    let bad = driver(server.addr, Some(("u", "wrong", "app")), None).await;
    assert_eq!(code(&bad, "app", doc! {"ping": 1}).await, Some(18));
    server.shutdown().await;
}

// --- raw OP_MSG: hello's authentication fields ----------------------------------------------------------

async fn raw_command(s: &mut TcpStream, body: &Document) -> Document {
    let bytes = sqlmongo::server::wire::encode_op_msg(7, 0, 0, body).expect("encode");
    s.write_all(&bytes).await.expect("write");
    let msg = tokio::time::timeout(
        Duration::from_secs(10),
        sqlmongo::server::wire::read_message(s),
    )
    .await
    .expect("in time")
    .expect("parses")
    .expect("a reply");
    Document::from_reader(&msg.body[5..]).expect("reply document")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_names_mechanisms_and_starts_speculative_authentication() {
    let server = start(true, None).await;
    create(
        &server.engine,
        "admin",
        "root",
        "pw",
        Bson::Array(vec!["root".into()]),
    );
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    let payload = bson::Binary {
        subtype: bson::spec::BinarySubtype::Generic,
        bytes: b"n,,n=root,r=fyko+d2lbbFgONRv9qkxdawL".to_vec(),
    };
    let reply = raw_command(
        &mut s,
        &doc! {"hello": 1, "saslSupportedMechs": "admin.root", "$db": "admin",
        "speculativeAuthenticate": {"saslStart": 1, "mechanism": "SCRAM-SHA-256", "payload": payload.clone(), "db": "admin", "options": {"skipEmptyExchange": true}}},
    )
    .await;
    assert_eq!(
        reply.get_array("saslSupportedMechs").expect("mechs"),
        &vec![Bson::from("SCRAM-SHA-256")]
    );
    let spec = reply
        .get_document("speculativeAuthenticate")
        .expect("speculativeAuthenticate");
    assert_eq!(spec.get_bool("done").ok(), Some(false));
    let server_first = match spec.get("payload") {
        Some(Bson::Binary(b)) => String::from_utf8(b.bytes.clone()).expect("utf-8"),
        other => panic!("payload {other:?}"),
    };
    assert!(
        server_first.starts_with("r=fyko+d2lbbFgONRv9qkxdawL"),
        "{server_first}"
    );
    assert!(server_first.ends_with(",i=4096"), "{server_first}");
    // A bad proof for that conversation: 18; the conversation is then gone (17).
    let id = spec.get_i32("conversationId").expect("conversationId");
    let nonce = server_first.split(',').next().unwrap_or("").to_string();
    let bad = format!("c=biws,{nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    let r = raw_command(
        &mut s,
        &doc! {"saslContinue": 1, "conversationId": id, "payload": bson::Binary { subtype: bson::spec::BinarySubtype::Generic, bytes: bad.into_bytes() }, "$db": "admin"},
    )
    .await;
    assert_eq!(r.get_i32("code").ok(), Some(18), "{r}");
    assert_eq!(r.get_str("errmsg").ok(), Some("Authentication failed."));
    let r = raw_command(
        &mut s,
        &doc! {"saslContinue": 1, "conversationId": id, "payload": "", "$db": "admin"},
    )
    .await;
    assert_eq!(r.get_i32("code").ok(), Some(17), "{r}");
    // An unknown user: no mechanisms and no speculative reply (the driver starts over and fails there).
    let payload = bson::Binary {
        subtype: bson::spec::BinarySubtype::Generic,
        bytes: b"n,,n=nobody,r=fyko+d2lbbFgONRv9qkxdawL".to_vec(),
    };
    let reply = raw_command(
        &mut s,
        &doc! {"hello": 1, "saslSupportedMechs": "admin.nobody", "$db": "admin",
        "speculativeAuthenticate": {"saslStart": 1, "mechanism": "SCRAM-SHA-256", "payload": payload, "db": "admin"}},
    )
    .await;
    assert!(!reply.contains_key("saslSupportedMechs"), "{reply}");
    assert!(!reply.contains_key("speculativeAuthenticate"), "{reply}");
    // Unauthenticated finds are refused on the byte path too.
    let r = raw_command(
        &mut s,
        &doc! {"find": "c", "filter": {"_id": 1}, "$db": "app"},
    )
    .await;
    assert_eq!(r.get_i32("code").ok(), Some(13), "{r}");
    assert_eq!(
        r.get_str("errmsg").ok(),
        Some("Command find requires authentication")
    );
    server.shutdown().await;
}

// --- the binary ------------------------------------------------------------------------------------------

#[test]
fn serve_refuses_a_non_loopback_address_without_auth() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .args(["serve", "--bind", "0.0.0.0", "--port", "0"])
        .output()
        .expect("run sqlmongo serve");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to listen on the non-loopback address 0.0.0.0:")
            && stderr.contains("--allow-insecure-remote"),
        "{stderr}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo"))
        .args(["serve", "--port", "0", "--tlsMode", "requireTLS"])
        .output()
        .expect("run sqlmongo serve");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs --tlsCertificateKeyFile"),
        "{out:?}"
    );
}

/// `$listLocalSessions` with access control (the manual's stage page): `{}` lists the authenticated user's
/// sessions, `allUsers: true` every user's, `users: [...]` those users'; each listed session names its user.
/// The sessions are the drivers' implicit ones of plain commands (serve registers every command's `lsid`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_sessions_are_listed_per_user_with_access_control() {
    let server = start(true, None).await;
    let e = &server.engine;
    create(e, "admin", "alice", "pw", Bson::Array(vec!["root".into()]));
    create(e, "admin", "bob", "pw", Bson::Array(vec!["root".into()]));
    let alice = driver(server.addr, Some(("alice", "pw", "admin")), None).await;
    let bob = driver(server.addr, Some(("bob", "pw", "admin")), None).await;
    for c in [&alice, &bob] {
        assert_eq!(code(c, "app", doc! {"find": "c"}).await, None);
    }
    let names = |c: mongodb::Client, spec: Document| async move {
        let mut cursor = c
            .database("admin")
            .aggregate(vec![doc! {"$listLocalSessions": spec}])
            .await
            .expect("aggregate");
        let mut out = Vec::new();
        while cursor.advance().await.expect("advance") {
            let d = cursor.deserialize_current().expect("doc");
            let name = d
                .get_document("user")
                .and_then(|u| u.get_str("name"))
                .unwrap_or("")
                .to_string();
            out.push(name);
        }
        out.sort();
        out.dedup();
        out
    };
    assert_eq!(names(alice.clone(), doc! {}).await, ["alice@admin"]);
    assert_eq!(names(bob.clone(), doc! {}).await, ["bob@admin"]);
    assert_eq!(
        names(alice.clone(), doc! {"allUsers": true}).await,
        ["alice@admin", "bob@admin"]
    );
    assert_eq!(
        names(
            alice.clone(),
            doc! {"users": [{"user": "bob", "db": "admin"}]}
        )
        .await,
        ["bob@admin"]
    );
    server.shutdown().await;
}
