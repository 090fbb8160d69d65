//! `serve`'s limits over raw TCP: messages nested far past `maxBSONDepth` (the legacy `OP_QUERY` hello before
//! the handshake, an `OP_MSG` body, a document sequence) get mongod's error reply on tokio's default 2 MiB
//! worker stacks and the connection keeps serving; a cursor is its connection's or its session's; a message
//! that stops arriving is dropped after the read timeout while an idle connection stays open; a document
//! over 16 MiB is refused.

use bson::{doc, Document};
use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::wire::{self, Header, OP_MSG, OP_QUERY};
use sqlmongo::server::Server;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(read_timeout: Duration) -> SocketAddr {
    let engine = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    let server = Server::bind("127.0.0.1:0", engine)
        .await
        .expect("bind")
        .with_read_timeout(read_timeout);
    let addr = server.local_addr().expect("addr");
    tokio::spawn(server.serve_until(std::future::pending()));
    addr
}

/// Hand-written BSON: `{<prefix elements>, a: {a: ... {a: 1}}}` with `n` levels (the `bson` encoder
/// recurses, so it cannot write what this test sends).
fn nested_bytes(prefix: &[u8], n: usize) -> Vec<u8> {
    fn patch(b: &mut [u8], at: usize) {
        let len = (b.len() - at) as i32;
        b[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }
    let mut b = vec![0, 0, 0, 0];
    b.extend_from_slice(prefix);
    let mut starts = vec![0usize];
    for _ in 1..n {
        b.extend_from_slice(&[0x03, b'a', 0]);
        starts.push(b.len());
        b.extend_from_slice(&[0, 0, 0, 0]);
    }
    b.extend_from_slice(&[0x10, b'a', 0, 1, 0, 0, 0]);
    for at in starts.into_iter().rev() {
        b.push(0);
        patch(&mut b, at);
    }
    b
}

fn frame(op_code: i32, body: &[u8]) -> Vec<u8> {
    let mut out = Header {
        length: (16 + body.len()) as i32,
        request_id: 7,
        response_to: 0,
        op_code,
    }
    .to_bytes()
    .to_vec();
    out.extend_from_slice(body);
    out
}

/// An `OP_MSG` with one kind-0 section holding the BSON bytes `body`.
fn op_msg_bytes(body: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0, 0];
    b.extend_from_slice(body);
    frame(OP_MSG, &b)
}

fn op_msg(cmd: &Document) -> Vec<u8> {
    op_msg_bytes(&cmd.to_vec().expect("encode"))
}

/// The reply document of the next message on `s` (`OP_MSG` or `OP_REPLY`).
async fn reply(s: &mut TcpStream) -> Document {
    let msg = tokio::time::timeout(Duration::from_secs(10), wire::read_message(s))
        .await
        .expect("a reply within 10 s")
        .expect("readable")
        .expect("a message, not a close");
    let at = if msg.header.op_code == OP_MSG { 5 } else { 20 };
    Document::from_reader(&msg.body[at..]).expect("reply document")
}

async fn call(s: &mut TcpStream, cmd: &Document) -> Document {
    s.write_all(&op_msg(cmd)).await.expect("send");
    reply(s).await
}

fn code(r: &Document) -> Option<i32> {
    r.get_i32("code").ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_messages_get_an_error_reply_and_the_connection_keeps_serving() {
    let addr = start(Duration::from_secs(30)).await;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    // The crash: a legacy hello before the handshake carrying 1,400 levels (an 11 KB message).
    let mut q = 0i32.to_le_bytes().to_vec();
    q.extend_from_slice(b"admin.$cmd\0");
    q.extend_from_slice(&0i32.to_le_bytes());
    q.extend_from_slice(&(-1i32).to_le_bytes());
    q.extend_from_slice(&nested_bytes(b"\x10isMaster\0\x01\0\0\0", 1_400));
    s.write_all(&frame(OP_QUERY, &q)).await.expect("send");
    let r = reply(&mut s).await;
    assert_eq!(code(&r), Some(15), "{r}");
    assert_eq!(r.get_str("codeName").ok(), Some("Overflow"));
    // An OP_MSG body 100,000 levels deep, and one in a document sequence.
    let body = nested_bytes(b"\x10ping\0\x01\0\0\0\x02$db\0\x06\0\0\0admin\0", 100_000);
    s.write_all(&op_msg_bytes(&body)).await.expect("send");
    assert_eq!(code(&reply(&mut s).await), Some(15));
    let cmd = doc! {"insert": "t", "$db": "app"}.to_vec().expect("encode");
    let deep = nested_bytes(b"", 1_400);
    let mut b = vec![0, 0, 0, 0, 0];
    b.extend_from_slice(&cmd);
    b.push(1);
    b.extend_from_slice(&((4 + 10 + deep.len()) as i32).to_le_bytes());
    b.extend_from_slice(b"documents\0");
    b.extend_from_slice(&deep);
    s.write_all(&frame(OP_MSG, &b)).await.expect("send");
    assert_eq!(code(&reply(&mut s).await), Some(15));
    // Within the limit: a 180-level document is stored; the connection served everything after the refusals.
    let r = call(
        &mut s,
        &doc! {"insert": "t", "documents": [{"_id": 1}], "$db": "app"},
    )
    .await;
    assert_eq!(r.get_i32("n").ok(), Some(1), "{r}");
    let r = call(&mut s, &doc! {"ping": 1, "$db": "admin"}).await;
    assert_eq!(r.get_f64("ok").ok(), Some(1.0));
}

fn cursor_id(r: &Document) -> i64 {
    r.get_document("cursor")
        .and_then(|c| c.get_i64("id"))
        .unwrap_or_else(|_| panic!("a cursor: {r}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_is_its_connections_or_its_sessions() {
    let addr = start(Duration::from_secs(30)).await;
    let mut a = TcpStream::connect(addr).await.expect("connect");
    let mut b = TcpStream::connect(addr).await.expect("connect");
    let r = call(
        &mut a,
        &doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}, {"_id": 3}], "$db": "app"},
    )
    .await;
    assert_eq!(r.get_i32("n").ok(), Some(3));
    let find = doc! {"find": "c", "batchSize": 1, "$db": "app"};
    let id = cursor_id(&call(&mut a, &find).await);
    let more = doc! {"getMore": id, "collection": "c", "batchSize": 1, "$db": "app"};
    let r = call(&mut b, &more).await;
    assert_eq!(code(&r), Some(13), "{r}");
    assert_eq!(r.get_str("codeName").ok(), Some("Unauthorized"));
    let r = call(
        &mut b,
        &doc! {"killCursors": "c", "cursors": [id], "$db": "app"},
    )
    .await;
    assert_eq!(code(&r), Some(13), "{r}");
    let r = call(&mut a, &more).await;
    assert_eq!(cursor_id(&r), id, "the owner continues: {r}");
    // With a session id, the session owns it on any connection; another session does not.
    let lsid = |n: u8| {
        doc! {"id": bson::Binary { subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![n; 16] }}
    };
    let mut find = find.clone();
    find.insert("lsid", lsid(1));
    let id = cursor_id(&call(&mut a, &find).await);
    let mut more = doc! {"getMore": id, "collection": "c", "batchSize": 1, "$db": "app"};
    more.insert("lsid", lsid(2));
    assert_eq!(code(&call(&mut b, &more).await), Some(13));
    more.insert("lsid", lsid(1));
    let r = call(&mut b, &more).await;
    assert_eq!(cursor_id(&r), id, "same session, other connection: {r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_stops_arriving_is_dropped_an_idle_connection_is_not() {
    let addr = start(Duration::from_millis(300)).await;
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    let mut stalled = TcpStream::connect(addr).await.expect("connect");
    // A header announcing 1,000 bytes, then 10 of them, then nothing.
    let mut partial = Header {
        length: 1_000,
        request_id: 1,
        response_to: 0,
        op_code: OP_MSG,
    }
    .to_bytes()
    .to_vec();
    partial.extend_from_slice(&[0; 10]);
    stalled.write_all(&partial).await.expect("send");
    let started = std::time::Instant::now();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(10), stalled.read(&mut buf))
        .await
        .expect("closed within 10 s")
        .unwrap_or(0);
    assert_eq!(n, 0, "the server closed the stalled connection");
    assert!(started.elapsed() >= Duration::from_millis(250));
    // Three read timeouts of silence between messages: still served.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let r = call(&mut idle, &doc! {"ping": 1, "$db": "admin"}).await;
    assert_eq!(r.get_f64("ok").ok(), Some(1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_over_16_mib_is_refused() {
    let addr = start(Duration::from_secs(30)).await;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let max = 16 * 1024 * 1024;
    // {_id: 1, s: "x..."} is n + 22 bytes.
    let over = doc! {"_id": 1, "s": "x".repeat(max - 22 + 1024)};
    let r = call(
        &mut s,
        &doc! {"insert": "big", "documents": [over], "$db": "app"},
    )
    .await;
    let err = r.get_array("writeErrors").expect("writeErrors")[0]
        .as_document()
        .expect("error")
        .clone();
    assert_eq!(err.get_i32("code").ok(), Some(2), "{err}");
    // A command document over 16 MiB + 16 KiB is refused as it is read (mongod's 10334), the connection
    // kept.
    let huge = doc! {"_id": 2, "s": "x".repeat(max + 16 * 1024)};
    let r = call(
        &mut s,
        &doc! {"insert": "big", "documents": [huge], "$db": "app"},
    )
    .await;
    assert_eq!(code(&r), Some(10334), "{r}");
    let r = call(&mut s, &doc! {"count": "big", "$db": "app"}).await;
    assert_eq!(r.get_i32("n").ok(), Some(0));
    let r = call(&mut s, &doc! {"create": "c".repeat(300), "$db": "app"}).await;
    assert_eq!(code(&r), Some(73), "{r}");
}
