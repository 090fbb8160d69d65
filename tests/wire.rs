//! The wire-protocol server and the driver backend, end to end: `sqlmongo::server::Server` on an ephemeral
//! loopback port, `Client::connect` (the official `mongodb` crate) in front of it.
//!
//! - SQL run through driver + wire + server gives exactly what the same SQL gives on `Client::embedded()`
//!   (rows, counts, MongoDB error codes), for a session-store script and for every golden case.
//! - Raw TCP: document sequences, checksums, the legacy OP_QUERY handshake, mongod's error shapes; truncated,
//!   bogus and oversized messages close that connection and the server keeps serving.
//! - 32 clients x 1,000 `$inc` on one counter lose nothing; a client killed mid-cursor leaves no cursor
//!   behind (it times out); shutdown closes connections.
//! - Real clients against the server: `oracle/pymongo_client.py` (pymongo) and `oracle/node_client.js` (the
//!   Node driver); each is skipped loudly when its tool is missing, a failure with
//!   `SQLMONGO_REQUIRE_ORACLES=1`.

mod common;

use bson::{doc, Bson, Document};
use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::wire::{self, Header};
use sqlmongo::server::Server;
use sqlmongo::{Client, StatementResult};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// A server running on its own task.
struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    fn uri(&self) -> String {
        format!("mongodb://{}/?directConnection=true", self.addr)
    }

    async fn client(&self, db: &str) -> Client {
        Client::connect(&self.uri(), db)
            .await
            .unwrap_or_else(|e| panic!("connect {}: {e}", self.uri()))
    }

    async fn shutdown(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let r = tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("server stops within 10 s");
        r.expect("server task").expect("server result");
    }
}

async fn start() -> Running {
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let server = Server::bind("127.0.0.1:0", engine).await.expect("bind");
    let addr = server.local_addr().expect("local addr");
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_until(async {
        let _ = rx.await;
    }));
    Running {
        addr,
        stop: Some(tx),
        task,
    }
}

/// A statement's outcome, comparable across backends: the results, or the error (MongoDB errors by code
/// and codeName, others by message).
#[derive(Debug, PartialEq)]
enum Outcome {
    Ok(Vec<StatementResult>),
    Mongo(i32, String),
    Other(String),
}

async fn outcome(c: &Client, sql: &str) -> Outcome {
    match c.execute(sql, &[]).await {
        Ok(r) => Outcome::Ok(r),
        Err(sqlmongo::Error::Command(e)) => Outcome::Mongo(e.code, e.code_name),
        Err(e) => Outcome::Other(e.to_string()),
    }
}

/// Equal outcomes, except that dates produced by NOW() on two backends a few milliseconds apart and
/// generated ObjectIds compare equal.
fn close_enough(a: &Outcome, b: &Outcome) -> bool {
    fn bson_eq(a: &Bson, b: &Bson) -> bool {
        match (a, b) {
            // Generated `_id`s differ between two engines.
            (Bson::ObjectId(_), Bson::ObjectId(_)) => true,
            (Bson::DateTime(x), Bson::DateTime(y)) => {
                (x.timestamp_millis() - y.timestamp_millis()).abs() < 10_000
            }
            (Bson::Document(x), Bson::Document(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|((k1, v1), (k2, v2))| k1 == k2 && bson_eq(v1, v2))
            }
            (Bson::Array(x), Bson::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| bson_eq(p, q))
            }
            _ => a == b,
        }
    }
    match (a, b) {
        (Outcome::Ok(x), Outcome::Ok(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|(p, q)| match (p, q) {
                    (StatementResult::Rows(r1), StatementResult::Rows(r2)) => {
                        r1.columns == r2.columns
                            && r1.rows.len() == r2.rows.len()
                            && r1.rows.iter().zip(&r2.rows).all(|(u, v)| {
                                u.len() == v.len() && u.iter().zip(v).all(|(s, t)| bson_eq(s, t))
                            })
                    }
                    _ => p == q,
                })
        }
        _ => a == b,
    }
}

const SCRIPT: &[&str] = &[
    "CREATE COLLECTION user_sessions WITH (ttl_field = 'expires_at', expire_after_seconds = 0)",
    "CREATE UNIQUE INDEX ON user_sessions (session_id)",
    "CREATE INDEX idx_user ON user_sessions (user_id, created_at DESC)",
    "INSERT INTO user_sessions (session_id, user_id, created_at, expires_at, active, page_views, tags) VALUES
      ('s1', 'u1', TIMESTAMP '2026-11-22 09:00:00', TIMESTAMP '2099-01-01 00:00:00', true, 10, ARRAY['web', 'mfa']),
      ('s2', 'u1', TIMESTAMP '2026-11-22 08:00:00', TIMESTAMP '2099-01-01 00:00:00', false, 3, ARRAY['web']),
      ('s3', 'u2', TIMESTAMP '2026-11-22 07:00:00', TIMESTAMP '2099-01-01 00:00:00', true, NULL, ARRAY['mobile']),
      ('s4', 'u3', TIMESTAMP '2026-11-21 07:00:00', TIMESTAMP '2099-01-01 00:00:00', NULL, 7, NULL),
      ('s5', 'u3', TIMESTAMP '2026-11-20 07:00:00', TIMESTAMP '2099-01-01 00:00:00', true, 1, ARRAY[]::text[])",
    "SELECT * FROM user_sessions ORDER BY session_id",
    "SELECT session_id, page_views FROM user_sessions WHERE page_views > 2 AND active = true ORDER BY page_views DESC",
    "SELECT session_id FROM user_sessions WHERE active <> true OR page_views IS NULL ORDER BY session_id",
    "SELECT user_id, COUNT(*) AS n, SUM(page_views) AS views, MAX(created_at) AS last FROM user_sessions GROUP BY user_id ORDER BY user_id",
    "SELECT user_id, COUNT(*) FILTER (WHERE active) AS live FROM user_sessions GROUP BY user_id HAVING COUNT(*) > 1 ORDER BY user_id DESC",
    "SELECT session_id FROM user_sessions WHERE user_id IN ('u1', 'u3') AND session_id LIKE 's%' ORDER BY session_id LIMIT 2 OFFSET 1",
    "SELECT session_id, page_views FROM user_sessions ORDER BY page_views NULLS FIRST, session_id",
    "UPDATE user_sessions SET page_views = page_views + 1, active = false WHERE user_id = 'u1'",
    "SELECT session_id, page_views, active FROM user_sessions WHERE user_id = 'u1' ORDER BY session_id",
    "INSERT INTO user_sessions (session_id, user_id) VALUES ('s1', 'dup')",
    "DELETE FROM user_sessions WHERE active = false",
    "SELECT COUNT(*) AS n FROM user_sessions",
    "SHOW INDEXES FROM user_sessions",
    "ALTER COLLECTION user_sessions SET (expire_after_seconds = 60)",
    "SHOW INDEXES FROM user_sessions",
    "SHOW COLLECTIONS",
    "EXPLAIN SELECT session_id FROM user_sessions WHERE user_id = 'u3'",
    "SELECT nope FROM",
    "DROP COLLECTION user_sessions",
    "SHOW COLLECTIONS",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sql_through_the_wire_matches_the_embedded_engine() {
    let server = start().await;
    let remote = server.client("app").await;
    let local = Client::embedded();
    let mut rows_seen = 0;
    for sql in SCRIPT {
        let a = outcome(&local, sql).await;
        let b = outcome(&remote, sql).await;
        assert!(
            close_enough(&a, &b),
            "{sql}\n  embedded: {a:?}\n  wire:     {b:?}"
        );
        if let Outcome::Ok(r) = &a {
            for s in r {
                if let StatementResult::Rows(rows) = s {
                    rows_seen += rows.rows.len();
                }
            }
        }
    }
    // The script really returned data (not two empty results compared), and the expected error codes.
    assert!(rows_seen >= 10, "{rows_seen}");
    assert_eq!(
        outcome(
            &remote,
            "CREATE COLLECTION t; CREATE UNIQUE INDEX ON t (k); INSERT INTO t (k) VALUES (1), (1)"
        )
        .await,
        Outcome::Mongo(11000, "DuplicateKey".into())
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn large_results_page_through_the_driver_cursor() {
    let server = start().await;
    let remote = server.client("app").await;
    let local = Client::embedded();
    let values: Vec<String> = (0..1500)
        .map(|i| format!("('k{i:04}', {}, 'payload-{i}')", i % 13))
        .collect();
    let insert = format!(
        "INSERT INTO application_cache (cache_key, bucket, value) VALUES {}",
        values.join(", ")
    );
    for sql in [
        insert.as_str(),
        "SELECT * FROM application_cache ORDER BY cache_key",
        "SELECT bucket, COUNT(*) AS n FROM application_cache GROUP BY bucket ORDER BY bucket",
        "SELECT cache_key FROM application_cache WHERE bucket = 3 ORDER BY cache_key DESC",
    ] {
        let a = outcome(&local, sql).await;
        let b = outcome(&remote, sql).await;
        assert!(
            close_enough(&a, &b),
            "{sql}\n  embedded: {a:?}\n  wire:     {b:?}"
        );
    }
    let rows = remote
        .query("SELECT cache_key FROM application_cache", &[])
        .await
        .expect("select");
    assert_eq!(rows.rows.len(), 1500);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn database_from_the_uri_and_server_errors_keep_their_code() {
    let server = start().await;
    let uri = format!("mongodb://{}/fromuri?directConnection=true", server.addr);
    let c = Client::connect(&uri, "").await.expect("connect");
    assert_eq!(c.database(), "fromuri");
    let c = Client::connect(&uri, "explicit").await.expect("connect");
    assert_eq!(c.database(), "explicit");
    let e = Client::connect(&server.uri(), "").await.unwrap_err();
    assert!(matches!(e, sqlmongo::Error::Parameter(_)), "{e}");
    // The same bad command on both backends: the same code, codeName and errmsg.
    let local = Client::embedded();
    for cmd in [
        doc! {"find": 5},
        doc! {"noSuchCommand": 1},
        doc! {"aggregate": "c", "pipeline": [{"$bogus": 1}], "cursor": {}},
        doc! {"insert": "c"},
    ] {
        let a = local.backend().run_command("app", cmd.clone()).await;
        let b = c.backend().run_command("app", cmd.clone()).await;
        match (a, b) {
            (Err(sqlmongo::Error::Command(x)), Err(sqlmongo::Error::Command(y))) => {
                assert_eq!(x, y, "{cmd}")
            }
            other => panic!("{cmd}: {other:?}"),
        }
    }
    server.shutdown().await;
}

// --- raw TCP ------------------------------------------------------------------------------------------

fn op_msg_bytes(
    request_id: i32,
    flags: u32,
    body: &Document,
    seq: Option<(&str, &[Document])>,
) -> Vec<u8> {
    let mut payload = Vec::new();
    payload.extend_from_slice(&flags.to_le_bytes());
    payload.push(0);
    payload.extend_from_slice(&body.to_vec().expect("bson"));
    if let Some((name, docs)) = seq {
        let mut s = name.as_bytes().to_vec();
        s.push(0);
        for d in docs {
            s.extend_from_slice(&d.to_vec().expect("bson"));
        }
        payload.push(1);
        payload.extend_from_slice(&((s.len() + 4) as i32).to_le_bytes());
        payload.extend_from_slice(&s);
    }
    let checksum = flags & wire::FLAG_CHECKSUM_PRESENT != 0;
    let len = wire::HEADER_LEN + payload.len() + if checksum { 4 } else { 0 };
    let mut out = Header {
        length: len as i32,
        request_id,
        response_to: 0,
        op_code: wire::OP_MSG,
    }
    .to_bytes()
    .to_vec();
    out.extend_from_slice(&payload);
    if checksum {
        let c = crc32c::crc32c(&out);
        out.extend_from_slice(&c.to_le_bytes());
    }
    out
}

/// Reads one reply and returns its header and its (single) document.
async fn read_reply(s: &mut TcpStream) -> (Header, Document) {
    let msg = tokio::time::timeout(Duration::from_secs(10), wire::read_message(s))
        .await
        .expect("reply in time")
        .expect("reply parses")
        .expect("a reply, not EOF");
    let doc_at = match msg.header.op_code {
        wire::OP_MSG => 5,
        wire::OP_REPLY => 20,
        other => panic!("reply op code {other}"),
    };
    let doc = Document::from_reader(&msg.body[doc_at..]).expect("reply document");
    (msg.header, doc)
}

async fn command(s: &mut TcpStream, id: i32, body: &Document) -> Document {
    s.write_all(&op_msg_bytes(id, 0, body, None))
        .await
        .expect("write");
    let (h, d) = read_reply(s).await;
    assert_eq!(h.response_to, id);
    d
}

/// mongod's detail fields in an `ok: 0` reply (issue 16 item 7): a findAndModify upsert that hits a unique
/// index replies `keyPattern` and `keyValue` beside `code` 11000.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_replies_carry_mongods_detail_fields() {
    let server = start().await;
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    command(
        &mut s,
        1,
        &doc! {"insert": "d", "documents": [{"_id": 1, "n": 1}], "$db": "raw"},
    )
    .await;
    command(&mut s, 2, &doc! {"createIndexes": "d", "indexes": [{"key": {"n": 1}, "name": "n_1", "unique": true}], "$db": "raw"}).await;
    let reply = command(
        &mut s,
        3,
        &doc! {"findAndModify": "d", "query": {"_id": 2}, "update": {"$set": {"n": 1}}, "upsert": true, "$db": "raw"},
    )
    .await;
    assert_eq!(reply.get_f64("ok").ok(), Some(0.0), "{reply}");
    assert_eq!(reply.get_i32("code").ok(), Some(11000));
    assert_eq!(reply.get_str("codeName").ok(), Some("DuplicateKey"));
    assert_eq!(reply.get_document("keyPattern").ok(), Some(&doc! {"n": 1}));
    assert_eq!(reply.get_document("keyValue").ok(), Some(&doc! {"n": 1}));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn op_msg_sequences_checksums_and_mongod_error_shapes() {
    let server = start().await;
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    // insert with a kind-1 `documents` sequence and a CRC-32C checksum.
    let docs = [doc! {"_id": 1, "n": 0}, doc! {"_id": 2, "n": 5}];
    s.write_all(&op_msg_bytes(
        7,
        wire::FLAG_CHECKSUM_PRESENT,
        &doc! {"insert": "c", "$db": "raw", "lsid": {"id": Bson::Binary(bson::Binary{subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![0; 16]})}, "$clusterTime": {"clusterTime": bson::Timestamp{time: 1, increment: 1}}},
        Some(("documents", &docs)),
    ))
    .await
    .expect("write");
    let (h, reply) = read_reply(&mut s).await;
    assert_eq!(h.response_to, 7);
    assert_eq!(reply.get_i32("n").ok(), Some(2));
    assert_eq!(reply.get_f64("ok").ok(), Some(1.0));
    // update with an `updates` sequence.
    let ups = [doc! {"q": {"_id": 2}, "u": {"$inc": {"n": 1}}}];
    s.write_all(&op_msg_bytes(
        8,
        0,
        &doc! {"update": "c", "$db": "raw", "$readPreference": {"mode": "primary"}},
        Some(("updates", &ups)),
    ))
    .await
    .expect("write");
    let (_, reply) = read_reply(&mut s).await;
    assert_eq!(reply.get_i32("nModified").ok(), Some(1));
    let found = command(
        &mut s,
        9,
        &doc! {"find": "c", "filter": {"_id": 2}, "$db": "raw"},
    )
    .await;
    assert_eq!(
        found
            .get_document("cursor")
            .and_then(|c| c.get_array("firstBatch"))
            .ok(),
        Some(&vec![Bson::Document(doc! {"_id": 2, "n": 6})])
    );
    // mongod's error shape: ok 0, errmsg, code, codeName.
    let err = command(&mut s, 10, &doc! {"frobnicate": 1, "$db": "raw"}).await;
    assert_eq!(
        err,
        doc! {"ok": 0.0, "errmsg": "no such command: 'frobnicate'", "code": 59, "codeName": "CommandNotFound"}
    );
    let err = command(&mut s, 11, &doc! {"ping": 1}).await;
    assert_eq!(err.get_i32("code").ok(), Some(40571), "{err}");
    let err = command(
        &mut s,
        12,
        &doc! {"insert": "c", "documents": [{}], "txnNumber": 1i64, "$db": "raw"},
    )
    .await;
    assert_eq!(
        err.get_str("codeName").ok(),
        Some("IllegalOperation"),
        "{err}"
    );
    // A body field and a sequence of the same name.
    s.write_all(&op_msg_bytes(
        13,
        0,
        &doc! {"insert": "c", "documents": [], "$db": "raw"},
        Some(("documents", &docs)),
    ))
    .await
    .expect("write");
    let (_, err) = read_reply(&mut s).await;
    assert_eq!(err.get_f64("ok").ok(), Some(0.0), "{err}");
    // moreToCome: no reply; the next command's reply is the next message on the wire.
    s.write_all(&op_msg_bytes(
        14,
        wire::FLAG_MORE_TO_COME,
        &doc! {"insert": "c", "documents": [{"_id": 3}], "$db": "raw"},
        None,
    ))
    .await
    .expect("write");
    let count = command(&mut s, 15, &doc! {"count": "c", "$db": "raw"}).await;
    assert_eq!(count.get_i32("n").ok(), Some(3), "{count}");
    // hello: per-connection id, 7.0's wire version, writable primary.
    let hello = command(&mut s, 16, &doc! {"hello": 1, "$db": "admin"}).await;
    assert_eq!(hello.get_bool("isWritablePrimary").ok(), Some(true));
    assert_eq!(hello.get_i32("maxWireVersion").ok(), Some(21));
    assert_eq!(hello.get_i32("minWireVersion").ok(), Some(0));
    assert_eq!(hello.get_i32("maxMessageSizeBytes").ok(), Some(48_000_000));
    assert!(hello.get_datetime("localTime").is_ok());
    let id1 = hello.get_i64("connectionId").expect("connectionId");
    let mut s2 = TcpStream::connect(server.addr).await.expect("connect");
    let hello2 = command(&mut s2, 1, &doc! {"isMaster": 1, "$db": "admin"}).await;
    assert_eq!(hello2.get_bool("ismaster").ok(), Some(true));
    assert_ne!(hello2.get_i64("connectionId").expect("connectionId"), id1);
    server.shutdown().await;
}

fn op_query_bytes(id: i32, ns: &str, query: &Document) -> Vec<u8> {
    let mut body = 0i32.to_le_bytes().to_vec();
    body.extend_from_slice(ns.as_bytes());
    body.push(0);
    body.extend_from_slice(&0i32.to_le_bytes());
    body.extend_from_slice(&(-1i32).to_le_bytes());
    body.extend_from_slice(&query.to_vec().expect("bson"));
    let mut out = Header {
        length: (wire::HEADER_LEN + body.len()) as i32,
        request_id: id,
        response_to: 0,
        op_code: wire::OP_QUERY,
    }
    .to_bytes()
    .to_vec();
    out.extend_from_slice(&body);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_op_query_handshake() {
    let server = start().await;
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    s.write_all(&op_query_bytes(
        3,
        "admin.$cmd",
        &doc! {"isMaster": 1, "helloOk": true, "client": {"driver": {"name": "test", "version": "0"}}},
    ))
    .await
    .expect("write");
    let (h, d) = read_reply(&mut s).await;
    assert_eq!((h.op_code, h.response_to), (wire::OP_REPLY, 3));
    assert_eq!(d.get_bool("ismaster").ok(), Some(true), "{d}");
    assert_eq!(d.get_i32("maxWireVersion").ok(), Some(21));
    // $query-wrapped, as old drivers send with a read preference.
    s.write_all(&op_query_bytes(
        4,
        "admin.$cmd",
        &doc! {"$query": {"ismaster": 1}, "$readPreference": {"mode": "primaryPreferred"}},
    ))
    .await
    .expect("write");
    let (_, d) = read_reply(&mut s).await;
    assert_eq!(d.get_bool("ismaster").ok(), Some(true), "{d}");
    // Anything else over OP_QUERY is refused as 7.0 refuses it; the connection stays usable.
    s.write_all(&op_query_bytes(5, "app.$cmd", &doc! {"find": "c"}))
        .await
        .expect("write");
    let (_, d) = read_reply(&mut s).await;
    assert_eq!(d.get_i32("code").ok(), Some(352), "{d}");
    let ping = command(&mut s, 6, &doc! {"ping": 1, "$db": "admin"}).await;
    assert_eq!(ping, doc! {"ok": 1.0});
    server.shutdown().await;
}

/// Sends `bytes` (then, if `close_write`, half-closes) and expects the server to close the connection.
async fn expect_closed(addr: SocketAddr, bytes: &[u8], close_write: bool, what: &str) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(bytes).await.expect("write");
    if close_write {
        s.shutdown().await.expect("shutdown");
    }
    let mut buf = [0u8; 64];
    match tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await {
        Ok(Ok(0)) => {}
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Ok(other) => panic!("{what}: expected the server to close, got {other:?}"),
        Err(_) => panic!("{what}: the server kept the connection open"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_messages_close_only_their_connection() {
    let server = start().await;
    let addr = server.addr;
    // A healthy connection opened before the attacks keeps working after them.
    let mut healthy = TcpStream::connect(addr).await.expect("connect");
    assert_eq!(
        command(&mut healthy, 1, &doc! {"ping": 1, "$db": "admin"}).await,
        doc! {"ok": 1.0}
    );
    let good = op_msg_bytes(1, 0, &doc! {"ping": 1, "$db": "admin"}, None);
    let header = |length: i32, op: i32| {
        Header {
            length,
            request_id: 1,
            response_to: 0,
            op_code: op,
        }
        .to_bytes()
        .to_vec()
    };
    expect_closed(addr, &good[..8], true, "truncated header").await;
    expect_closed(addr, &header(5, wire::OP_MSG), false, "length below 16").await;
    expect_closed(addr, &header(-7, wire::OP_MSG), false, "negative length").await;
    expect_closed(
        addr,
        &header(48_000_001, wire::OP_MSG),
        false,
        "oversized length",
    )
    .await;
    expect_closed(addr, &good[..good.len() - 4], true, "truncated body").await;
    let mut bad_bson = good.clone();
    bad_bson[21..25].copy_from_slice(&1000i32.to_le_bytes());
    expect_closed(addr, &bad_bson, false, "BSON length past the message").await;
    let mut garbage = header(40, wire::OP_MSG);
    garbage.extend_from_slice(&[0xAB; 24]);
    expect_closed(addr, &garbage, false, "garbage body").await;
    let mut bad_sum = op_msg_bytes(
        1,
        wire::FLAG_CHECKSUM_PRESENT,
        &doc! {"ping": 1, "$db": "admin"},
        None,
    );
    let n = bad_sum.len();
    bad_sum[n - 1] ^= 0x5A;
    expect_closed(addr, &bad_sum, false, "checksum mismatch").await;
    let mut legacy_insert = good.clone();
    legacy_insert[12..16].copy_from_slice(&2002i32.to_le_bytes());
    expect_closed(addr, &legacy_insert, false, "removed OP_INSERT").await;
    let mut compressed = good.clone();
    compressed[12..16].copy_from_slice(&wire::OP_COMPRESSED.to_le_bytes());
    expect_closed(addr, &compressed, false, "OP_COMPRESSED (not advertised)").await;
    // The server still serves: the old connection, a new raw one, and a driver.
    assert_eq!(
        command(&mut healthy, 2, &doc! {"ping": 1, "$db": "admin"}).await,
        doc! {"ok": 1.0}
    );
    let c = server.client("app").await;
    c.execute("INSERT INTO t (k) VALUES (1)", &[])
        .await
        .expect("insert");
    assert_eq!(
        c.query("SELECT k FROM t", &[]).await.expect("select").rows,
        vec![vec![Bson::Int32(1)]]
    );
    assert!(!server.task.is_finished());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_increments_lose_nothing() {
    const CLIENTS: usize = 32;
    const EACH: usize = 1_000;
    let server = start().await;
    let setup = server.client("app").await;
    setup
        .execute("INSERT INTO counters (_id, n) VALUES ('c', 0)", &[])
        .await
        .expect("setup");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let c = server.client("app").await;
        tasks.spawn(async move {
            let inc = c
                .prepare("UPDATE counters SET n = n + 1 WHERE _id = 'c'")
                .expect("prepare");
            // One update per statement whose new value is computed from the stored one in the same
            // write (a pipeline `$set` of `$add`: `n` is schemaless here, so not `$inc`).
            assert!(inc.plan().to_golden().contains("\"$add\": [\"$n\", 1]"));
            for _ in 0..EACH {
                assert_eq!(inc.affected(&[]).await.expect("inc"), 1);
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.expect("client task");
    }
    let rows = setup
        .query("SELECT n FROM counters WHERE _id = 'c'", &[])
        .await
        .expect("select");
    assert_eq!(rows.rows, vec![vec![Bson::Int32((CLIENTS * EACH) as i32)]]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_connections_and_stops_listening() {
    let server = start().await;
    let addr = server.addr;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    assert_eq!(
        command(&mut s, 1, &doc! {"ping": 1, "$db": "admin"}).await,
        doc! {"ok": 1.0}
    );
    server.shutdown().await;
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("closed in time")
        .unwrap_or(0);
    assert_eq!(n, 0);
    assert!(TcpStream::connect(addr).await.is_err());
}

// --- the golden corpus through the wire -------------------------------------------------------------------

/// Every golden case that translates (no parameters) runs on a fresh database on both backends: the same
/// rows, counts or MongoDB error codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn golden_cases_run_the_same_through_the_wire() {
    let server = start().await;
    let remote = server.client("g").await;
    let local_engine = Engine::in_memory();
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/grammar-tests"
    ))];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("grammar-tests").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "sql") {
                files.push(p);
            }
        }
    }
    files.sort();
    let (mut ran, mut failures) = (0, Vec::new());
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for (i, sql) in golden_sql(&text).into_iter().enumerate() {
            let Ok(plan) = sqlmongo::translate(&sql) else {
                continue;
            };
            if plan.statements.iter().any(|s| s.param_count > 0) {
                continue;
            }
            // A transaction statement opens or closes the shared connection's block: its cases run in
            // tests/sql_transactions.rs against a replica set.
            if plan.statements.iter().any(|s| {
                matches!(
                    s.output,
                    sqlmongo::mql::Output::Setting(sqlmongo::mql::Setting::Transaction(_))
                )
            }) {
                continue;
            }
            let db = format!("g{ran}_{i}");
            let local = Client::with_engine(local_engine.clone(), db.clone());
            let wired = Client::with_backend(remote.backend().clone(), db);
            // Seed what most cases read so the comparison sees rows, not two empty results.
            for c in [&local, &wired] {
                c.execute(SEED, &[]).await.expect("seed");
            }
            let a = outcome(&local, &sql).await;
            let b = outcome(&wired, &sql).await;
            if !close_enough(&a, &b) {
                failures.push(format!(
                    "{}: {sql}\n  embedded: {a:?}\n  wire:     {b:?}",
                    f.display()
                ));
            }
            ran += 1;
        }
    }
    assert!(ran > 100, "only {ran} golden cases ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    server.shutdown().await;
}

const SEED: &str = "INSERT INTO user_sessions (session_id, user_id, created_at, last_accessed, expires_at, active, page_views, tags, data) VALUES
  ('s1', 'u1', TIMESTAMP '2026-11-22 09:00:00', TIMESTAMP '2026-11-22 09:30:00', TIMESTAMP '2099-01-01 00:00:00', true, 10, ARRAY['web', 'mfa'], '{\"theme\": \"dark\"}'),
  ('s2', 'u1', TIMESTAMP '2026-11-22 08:00:00', NULL, TIMESTAMP '2020-01-01 00:00:00', false, 3, ARRAY['web'], NULL),
  ('s3', 'u2', TIMESTAMP '2026-11-21 07:00:00', TIMESTAMP '2026-11-21 07:05:00', TIMESTAMP '2099-01-01 00:00:00', NULL, NULL, NULL, '{}');
INSERT INTO application_cache (cache_key, namespace, value, data_size, hits, expires_at) VALUES
  ('user:42:profile', 'users', 'v1', 2048, 5, TIMESTAMP '2099-01-01 00:00:00'),
  ('user:7:cart', 'carts', 'v2', 12, 0, TIMESTAMP '2020-01-01 00:00:00')";

/// The SQL of each `-- case:` with an `-- expect:` in a golden file.
fn golden_sql(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_sql = false;
    for line in text.lines() {
        if line.starts_with("-- case:") {
            cur.clear();
            in_sql = true;
        } else if line == "-- expect:" {
            if in_sql && !cur.trim().is_empty() {
                out.push(cur.trim().to_string());
            }
            in_sql = false;
        } else if line.starts_with("-- error:") {
            in_sql = false;
        } else if in_sql {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    out
}

// --- a real client ------------------------------------------------------------------------------------

/// A Python interpreter that has pymongo, if any.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pymongo_client_against_the_server() {
    let Some(py) = common::python_with_pymongo() else {
        let code = common::oracle_unavailable(
            "pymongo client",
            "no python3 with pymongo (scripts/test.sh installs python3-pymongo)",
        );
        assert_eq!(code, 0, "pymongo is required");
        return;
    };
    let server = start().await;
    let uri = server.uri();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/pymongo_client.py");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(py).arg(script).arg(uri).output()
    })
    .await
    .expect("join")
    .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pymongo client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn node_driver_against_the_server() {
    let oracle = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle");
    if !common::node_with_driver(oracle) {
        let code = common::oracle_unavailable(
            "Node mongodb driver client",
            "node or oracle/node_modules/mongodb missing (scripts/test.sh runs npm ci in oracle/)",
        );
        assert_eq!(code, 0, "the Node driver is required");
        return;
    }
    let server = start().await;
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(format!("{oracle}/node_client.js"))
            .arg(uri)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "node client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{}", stdout.trim());
    server.shutdown().await;
}

/// The binary: `sqlmongo serve --port 0` logs where it listens, serves a driver, and exits 0 on Ctrl-C
/// (SIGINT).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlmongo_serve_binary_stops_cleanly_on_ctrl_c() {
    let (mut child, addr, _log, rx) = common::spawn_serve(
        std::process::Command::new(env!("CARGO_BIN_EXE_sqlmongo")).args([
            "serve",
            "--bind",
            "127.0.0.1",
            "--port",
            "0",
        ]),
        Duration::from_secs(20),
    );
    let c = Client::connect(&format!("mongodb://{addr}/app?directConnection=true"), "")
        .await
        .expect("connect to the binary");
    c.execute("INSERT INTO t (k) VALUES (1), (2)", &[])
        .await
        .expect("insert");
    assert_eq!(
        c.query("SELECT COUNT(*) AS n FROM t", &[])
            .await
            .expect("count")
            .rows,
        vec![vec![Bson::Int32(2)]]
    );
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill -INT");
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "sqlmongo serve did not stop on SIGINT"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    // The log reader may still be forwarding the last lines: read until it closes (the child has exited).
    let mut rest: Vec<String> = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
        rest.push(line);
    }
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}

/// A message larger than one BSON document may be (16 MiB) but under 48 MB: an insert of 20 one-megabyte
/// documents in one document sequence is read whole and inserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20_mb_document_sequence_is_accepted() {
    let server = start().await;
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    let blob = "x".repeat(1 << 20);
    let docs: Vec<Document> = (0..20).map(|i| doc! {"_id": i, "blob": &blob}).collect();
    let bytes = op_msg_bytes(
        1,
        wire::FLAG_CHECKSUM_PRESENT,
        &doc! {"insert": "big", "$db": "raw"},
        Some(("documents", &docs)),
    );
    assert!(bytes.len() > 20 << 20 && bytes.len() < wire::MAX_MESSAGE_SIZE);
    s.write_all(&bytes).await.expect("write");
    let (_, reply) = read_reply(&mut s).await;
    assert_eq!(reply.get_i32("n").ok(), Some(20), "{reply}");
    let count = command(&mut s, 2, &doc! {"count": "big", "$db": "raw"}).await;
    assert_eq!(count.get_i32("n").ok(), Some(20), "{count}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_killed_mid_cursor_leaves_no_cursor_behind() {
    // A fast cursor timeout and monitor, as mongod's cursorTimeoutMillis would be in a test.
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: Some(Duration::from_millis(50)),
        cursor_timeout: Duration::from_millis(300),
        ..EngineOptions::default()
    });
    let watch = engine.clone();
    let server = Server::bind("127.0.0.1:0", engine).await.expect("bind");
    let addr = server.local_addr().expect("address");
    let task = tokio::spawn(server.serve_until(std::future::pending::<()>()));
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let docs: Vec<Bson> = (0..50).map(|i| Bson::Document(doc! {"_id": i})).collect();
    let r = command(
        &mut s,
        1,
        &doc! {"insert": "c", "documents": docs, "$db": "app"},
    )
    .await;
    assert_eq!(r.get_i32("n").ok(), Some(50), "{r}");
    let r = command(&mut s, 2, &doc! {"find": "c", "batchSize": 5, "$db": "app"}).await;
    let id = r
        .get_document("cursor")
        .and_then(|c| c.get_i64("id"))
        .expect("a cursor id");
    assert_ne!(id, 0, "the cursor stays open after the first batch");
    assert_eq!(watch.open_cursors(), 1);
    // The client dies without killCursors.
    drop(s);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while watch.open_cursors() != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the abandoned cursor was never reaped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The server still serves, and the reaped cursor id is gone as mongod reports it.
    let mut s = TcpStream::connect(addr).await.expect("reconnect");
    let r = command(
        &mut s,
        3,
        &doc! {"getMore": id, "collection": "c", "$db": "app"},
    )
    .await;
    assert_eq!(r.get_i32("code").ok(), Some(43), "CursorNotFound: {r}");
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn query_rows_stream_in_batches_on_both_backends() {
    let server = start().await;
    let wire = server.client("stream").await;
    let embedded = Client::embedded();
    let values: Vec<String> = (0..2500).map(|i| format!("({i})")).collect();
    let insert = format!("INSERT INTO c (k) VALUES {}", values.join(", "));
    let plan = sqlmongo::translate("SELECT k FROM c WHERE k >= 0 ORDER BY k")
        .expect("translate")
        .statements
        .remove(0);
    for (name, client) in [("wire", &wire), ("embedded", &embedded)] {
        client.execute(&insert, &[]).await.expect("insert");
        let mut batches = 0;
        let mut seen: Vec<i64> = Vec::new();
        let streamed = client
            .stream_plan(&plan, &[], &mut |rows| {
                batches += 1;
                seen.extend(rows.iter().filter_map(|r| match r.first() {
                    Some(Bson::Int32(i)) => Some(i64::from(*i)),
                    _ => None,
                }));
                Ok(())
            })
            .await
            .expect("stream");
        assert!(streamed, "{name}: a one-step query streams");
        assert_eq!(
            seen,
            (0..2500).collect::<Vec<i64>>(),
            "{name}: every row, in order"
        );
        // The engine answers like mongod (a first batch of 101, then getMore batches of up to 16 MB); the driver
        // backend hands on batches of 1,000.
        let at_least = if name == "wire" { 3 } else { 2 };
        assert!(
            batches >= at_least,
            "{name}: rows arrive in batches ({batches})"
        );
    }
    // Not streamable: SELECT * (its columns are the union over all rows) and DML.
    let star = sqlmongo::translate("SELECT * FROM c")
        .expect("translate")
        .statements
        .remove(0);
    assert!(!wire
        .stream_plan(&star, &[], &mut |_| Ok(()))
        .await
        .expect("star"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cli_csv_and_jsonl_through_the_wire_match_the_embedded_engine() {
    let server = start().await;
    let values: Vec<String> = (0..1500)
        .map(|i| {
            format!(
                "('k{i:04}', {}, {})",
                i % 7,
                if i % 5 == 0 {
                    "NULL".to_string()
                } else {
                    i.to_string()
                }
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO c (k, g, v) VALUES {}; SELECT k, g, v FROM c WHERE g <> 3 ORDER BY k",
        values.join(", ")
    );
    let bin = env!("CARGO_BIN_EXE_sqlmongo");
    for format in ["csv", "jsonl"] {
        let run = |extra: &[String]| {
            let out = std::process::Command::new(bin)
                .args(extra)
                .args(["--format", format, "exec", &sql])
                .output()
                .expect("run sqlmongo");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).to_string()
        };
        let embedded = run(&[]);
        let wire = run(&[
            "--uri".to_string(),
            server.uri(),
            "--db".to_string(),
            format!("cli_{format}"),
        ]);
        assert_eq!(wire, embedded, "{format}");
        assert!(
            embedded.lines().count() > 1200,
            "{format}: {} lines",
            embedded.lines().count()
        );
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_answered_from_bytes_equal_the_parsed_path() {
    // A plain OP_MSG `find` runs on its bytes (point lookups never parse the stored document); the same
    // command with a checksum takes the parsed path. Both replies must be the same documents.
    let server = start().await;
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    let docs: Vec<Document> = (0..5)
        .map(
            |i| doc! {"_id": format!("sess-{i}"), "user_id": i % 2, "tags": ["a", format!("t{i}")]},
        )
        .collect();
    let reply = command(
        &mut s,
        1,
        &doc! {"insert": "sessions", "documents": docs, "$db": "raw"},
    )
    .await;
    assert_eq!(reply.get_i32("n").ok(), Some(5));
    let finds = [
        doc! {"find": "sessions", "filter": {"_id": "sess-3"}, "limit": 1, "$db": "raw"},
        doc! {"find": "sessions", "filter": {"_id": {"$eq": "sess-9"}}, "$db": "raw"},
        doc! {"find": "sessions", "filter": {"user_id": 1}, "sort": {"_id": -1}, "$db": "raw"},
        doc! {"find": "sessions", "filter": {"tags": "a"}, "batchSize": 2, "singleBatch": true, "$db": "raw"},
        doc! {"find": "sessions", "filter": {"_id": "sess-1"}, "limit": -1, "$db": "raw"},
        doc! {"find": "sessions", "filter": {"_id": "sess-1"}, "$db": "bad.db"},
    ];
    for (i, f) in finds.iter().enumerate() {
        let id = 10 + i as i32 * 2;
        let plain = command(&mut s, id, f).await;
        s.write_all(&op_msg_bytes(id + 1, wire::FLAG_CHECKSUM_PRESENT, f, None))
            .await
            .expect("write");
        let (_, parsed) = read_reply(&mut s).await;
        assert_eq!(plain, parsed, "{f}");
    }
    let one = command(&mut s, 40, &finds[0]).await;
    assert_eq!(
        one,
        doc! {"cursor": {"firstBatch": [{"_id": "sess-3", "user_id": 1, "tags": ["a", "t3"]}], "id": 0i64, "ns": "raw.sessions"}, "ok": 1.0}
    );
    let bad = command(&mut s, 41, &finds[4]).await;
    assert_eq!(bad.get_f64("ok").ok(), Some(0.0));
    // A negative limit: mongod 7.0's find parser answers 51024 (`limit` must be >= 0).
    assert_eq!(bad.get_i32("code").ok(), Some(51024));
}
