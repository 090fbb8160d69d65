//! Fuzzing, as property tests: nothing a client sends panics or overflows the stack.
//!
//! - The wire decoder: random and mutated `OP_MSG` / `OP_QUERY` messages (flipped, cut, spliced bytes;
//!   deep nesting) through `wire::read_message_within`, `parse_request` and `plain_op_msg_body`, and some of
//!   them into a running server's connection handler, which must keep serving.
//! - Commands straight into the engine: generated command documents (every command, query and update
//!   operators, expressions, stages, any BSON type, nesting up to and past the limits) through
//!   `Engine::run_command` and, as bytes, `Engine::run_command_raw`: each gives a reply or a typed error whose
//!   `codeName` is the table's name for its code.
//!
//! Every case runs on a test thread, 2 MiB of stack. The case counts are small by default (about 20 s in
//! all, for CI); `SQLMONGO_FUZZ_CASES=1000000 cargo test --release --test fuzz` runs a long campaign (each
//! property that many cases).

use bson::{doc, Bson, Document};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sqlmongo::engine::error_codes::ErrorCode;
use sqlmongo::engine::{Engine, EngineOptions};
use sqlmongo::server::wire::{self, Header, RawMessage, OP_MSG, OP_QUERY};

/// The number of cases of each property: `SQLMONGO_FUZZ_CASES`, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("SQLMONGO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(default: u32) -> Config {
    Config {
        cases: cases(default),
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------- values and commands

const KEYS: &[&str] = &[
    "_id",
    "a",
    "b",
    "x",
    "v",
    "a.b",
    "$and",
    "$or",
    "$nor",
    "$not",
    "$eq",
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$exists",
    "$type",
    "$size",
    "$all",
    "$elemMatch",
    "$regex",
    "$mod",
    "$expr",
    "$add",
    "$subtract",
    "$multiply",
    "$divide",
    "$concat",
    "$cond",
    "$ifNull",
    "$let",
    "$map",
    "$filter",
    "$reduce",
    "$arrayElemAt",
    "$toString",
    "$toInt",
    "$convert",
    "$dateToString",
    "$set",
    "$unset",
    "$inc",
    "$push",
    "$pull",
    "$addToSet",
    "$rename",
    "$min",
    "$max",
    "$mul",
    "$currentDate",
    "$match",
    "$group",
    "$project",
    "$sort",
    "$limit",
    "$skip",
    "$unwind",
    "$lookup",
    "$facet",
    "$count",
    "$addFields",
    "$replaceRoot",
    "$sum",
    "$avg",
    "$first",
    "$push",
    "$setWindowFields",
    "$documents",
    "$literal",
    "$$ROOT",
    "$[]",
    "$[e]",
    "$",
    "",
    "input",
    "as",
    "in",
    "initialValue",
    "vars",
    "from",
    "localField",
    "foreignField",
    "pipeline",
    "newRoot",
    "path",
    "q",
    "u",
    "upsert",
    "multi",
    "limit",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(KEYS).prop_map(str::to_string),
        2 => "[a-z$.]{0,6}",
        // Dotted paths around mongod's 200-component limit.
        1 => (150usize..260).prop_map(|n| vec!["a"; n].join(".")),
    ]
}

fn scalar() -> impl Strategy<Value = Bson> {
    prop_oneof![
        any::<i32>().prop_map(Bson::Int32),
        (-3i32..5).prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(f64::NAN),
            Just(f64::INFINITY),
            any::<f64>()
        ]
        .prop_map(Bson::Double),
        proptest::sample::select(KEYS).prop_map(|k| Bson::String(k.to_string())),
        "\\$?[a-z.$]{0,8}".prop_map(Bson::String),
        (150usize..260).prop_map(|n| Bson::String(format!("${}", vec!["a"; n].join(".")))),
        any::<bool>().prop_map(Bson::Boolean),
        Just(Bson::Null),
        Just(Bson::Undefined),
        Just(Bson::MinKey),
        Just(Bson::MaxKey),
        any::<i64>().prop_map(|t| Bson::DateTime(bson::DateTime::from_millis(t))),
        any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
        any::<[u8; 16]>().prop_map(|b| Bson::Decimal128(bson::Decimal128::from_bytes(b))),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(|bytes| {
            Bson::Binary(bson::Binary {
                subtype: bson::spec::BinarySubtype::Generic,
                bytes,
            })
        }),
        (any::<u32>(), any::<u32>())
            .prop_map(|(time, increment)| Bson::Timestamp(bson::Timestamp { time, increment })),
    ]
}

fn value() -> impl Strategy<Value = Bson> {
    scalar().prop_recursive(6, 48, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Bson::Array),
            proptest::collection::vec((key(), inner), 0..5)
                .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
        ]
    })
}

/// `v` wrapped in `levels` levels of `{op: [..]}` / `{op: ..}`, alternating (deep filters, expressions).
fn deepen(mut v: Bson, levels: usize, op: &str) -> Bson {
    for i in 0..levels {
        v = if i % 2 == 0 {
            Bson::Document(doc! {op: [v]})
        } else {
            Bson::Document(doc! {op: v})
        };
    }
    v
}

const COMMANDS: &[&str] = &[
    "find",
    "aggregate",
    "insert",
    "update",
    "delete",
    "findAndModify",
    "count",
    "distinct",
    "create",
    "createIndexes",
    "getMore",
    "killCursors",
    "drop",
    "listIndexes",
    "collMod",
    "explain",
    "dropIndexes",
];

const FIELDS: &[&str] = &[
    "filter",
    "pipeline",
    "documents",
    "updates",
    "deletes",
    "query",
    "update",
    "sort",
    "projection",
    "limit",
    "skip",
    "batchSize",
    "singleBatch",
    "key",
    "indexes",
    "cursor",
    "collection",
    "cursors",
    "validator",
    "arrayFilters",
    "let",
    "new",
    "upsert",
    "remove",
    "fields",
    "viewOn",
    "ordered",
];

fn command() -> impl Strategy<Value = Document> {
    let field = (proptest::sample::select(FIELDS), value());
    (
        proptest::sample::select(COMMANDS),
        prop_oneof![
            4 => Just(Bson::String("t".into())),
            1 => value(),
        ],
        proptest::collection::vec(field, 0..5),
        prop_oneof![
            6 => Just(None),
            1 => (0usize..260, proptest::sample::select(&["$and", "$add", "a", "$not", "$elemMatch"][..]))
                .prop_map(Some),
        ],
    )
        .prop_map(|(name, target, fields, deep)| {
            let mut cmd = doc! {name: target};
            for (k, v) in fields {
                cmd.insert(k, v);
            }
            if let Some((levels, op)) = deep {
                let key = if name == "aggregate" { "pipeline" } else { "filter" };
                cmd.insert(key, deepen(Bson::Int32(1), levels, op));
            }
            cmd
        })
}

fn engine() -> Engine {
    let e = Engine::with_options(EngineOptions {
        ttl_monitor_interval: None,
        ..EngineOptions::default()
    });
    e.run_command(
        "app",
        &doc! {"insert": "t", "documents": [
            {"_id": 1, "a": 1, "b": [1, 2, {"c": 3}], "x": "s", "v": {"a": {"b": null}}},
            {"_id": 2, "a": 2.5, "b": [], "x": {"y": [[1], [2]]}},
            {"_id": 3, "a": null, "x": bson::DateTime::from_millis(0)},
            {"_id": "k", "a": [1, [2, [3]]]},
        ]},
    )
    .expect("seed");
    e.run_command(
        "app",
        &doc! {"createIndexes": "t", "indexes": [{"key": {"a": 1}, "name": "a_1"}]},
    )
    .expect("index");
    e
}

fn check_outcome(r: Result<Document, sqlmongo::engine::CommandError>) -> Result<(), TestCaseError> {
    if let Err(e) = r {
        prop_assert!(e.code != 0, "error without a code: {e}");
        prop_assert_eq!(
            ErrorCode::location(e.code).name(),
            e.code_name.as_str(),
            "the table's name for {}",
            e.code
        );
    }
    Ok(())
}

#[test]
fn generated_commands_get_a_reply_or_a_typed_error() {
    let e = engine();
    let mut runner = TestRunner::new(config(250));
    runner
        .run(&command(), |cmd| {
            check_outcome(e.run_command("app", &cmd))?;
            if let Ok(bytes) = bson::RawDocumentBuf::try_from(&cmd) {
                let r = e.run_command_raw("app", &bytes).map(|_| Document::new());
                check_outcome(r)?;
            }
            Ok(())
        })
        .expect("no command panics");
}

// ---------------------------------------------------------------- wire messages

fn frame(op_code: i32, body: &[u8]) -> Vec<u8> {
    let mut out = Header {
        length: (16 + body.len()) as i32,
        request_id: 1,
        response_to: 0,
        op_code,
    }
    .to_bytes()
    .to_vec();
    out.extend_from_slice(body);
    out
}

/// A well-formed message: an `OP_MSG` (with a document sequence, maybe a checksum) or an `OP_QUERY`.
fn valid_message() -> impl Strategy<Value = Vec<u8>> {
    (
        command(),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(value(), 0..3),
    )
        .prop_map(|(mut cmd, query, checksum, seq)| {
            cmd.insert("$db", "app");
            let body = cmd
                .to_vec()
                .unwrap_or_else(|_| doc! {"ping": 1}.to_vec().expect("ping"));
            if query {
                let mut b = 0i32.to_le_bytes().to_vec();
                b.extend_from_slice(b"admin.$cmd\0");
                b.extend_from_slice(&0i32.to_le_bytes());
                b.extend_from_slice(&(-1i32).to_le_bytes());
                b.extend_from_slice(&body);
                return frame(OP_QUERY, &b);
            }
            let flags: u32 = if checksum { 1 } else { 0 };
            let mut b = flags.to_le_bytes().to_vec();
            b.push(0);
            b.extend_from_slice(&body);
            if !seq.is_empty() {
                let docs: Vec<u8> = seq
                    .iter()
                    .filter_map(|v| doc! {"v": v.clone()}.to_vec().ok())
                    .flatten()
                    .collect();
                b.push(1);
                b.extend_from_slice(&((4 + 10 + docs.len()) as i32).to_le_bytes());
                b.extend_from_slice(b"documents\0");
                b.extend_from_slice(&docs);
            }
            let mut m = frame(OP_MSG, &b);
            if checksum {
                let len = m.len() + 4;
                m[0..4].copy_from_slice(&(len as i32).to_le_bytes());
                let crc = crc32c::crc32c(&m);
                m.extend_from_slice(&crc.to_le_bytes());
            }
            m
        })
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
    Nest(usize),
}

fn mutated_message() -> impl Strategy<Value = Vec<u8>> {
    let mutation = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Cut),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        (1usize..2_000).prop_map(Mutation::Nest),
    ];
    prop_oneof![
        3 => (valid_message(), proptest::collection::vec(mutation, 0..4)).prop_map(|(mut m, ms)| {
            for mu in ms {
                let n = m.len().max(1);
                match mu {
                    Mutation::Flip(i, b) => {
                        if let Some(x) = m.get_mut(i % n) {
                            *x ^= b | 1;
                        }
                    }
                    Mutation::Cut(i) => m.truncate(i % n),
                    Mutation::Insert(i, b) => {
                        let at = (i % n).min(m.len());
                        m.splice(at..at, b);
                    }
                    Mutation::Nest(levels) => {
                        // Replace the body with `levels` nested documents, the length fields left as they
                        // are or fixed, as the case falls.
                        let mut body = vec![0u8, 0, 0, 0, 0];
                        for _ in 0..levels {
                            body.extend_from_slice(&[0, 0, 0, 0, 0x03, b'a', 0]);
                        }
                        body.extend_from_slice(&[5, 0, 0, 0, 0]);
                        body.extend(std::iter::repeat_n(0u8, levels + 1));
                        m = frame(OP_MSG, &body);
                    }
                }
            }
            m
        }),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(|tail| {
            let mut m = frame(OP_MSG, &tail);
            if tail.len() % 3 == 0 {
                m[12..16].copy_from_slice(&OP_QUERY.to_le_bytes());
            }
            m
        }),
    ]
}

/// Decodes `bytes` as the server does: frame, then parse; `Ok` or a `WireError`, never a panic.
fn decode(bytes: &[u8]) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let mut r = bytes;
    let msg = rt.block_on(wire::read_message_within(
        &mut r,
        Some(std::time::Duration::from_millis(50)),
    ));
    if let Ok(Some(msg)) = msg {
        let _ = wire::plain_op_msg_body(&msg);
        if let Ok(wire::Request::Msg(m)) = wire::parse_request(&msg) {
            let _ = m.into_command();
        }
    }
    // The body alone, whatever its header says.
    if bytes.len() >= 16 {
        let header = Header::parse(bytes[..16].try_into().expect("16 bytes"));
        let raw = RawMessage {
            header,
            body: bytes[16..].to_vec(),
        };
        let _ = wire::parse_request(&raw);
        let _ = wire::plain_op_msg_body(&raw);
    }
    Ok(())
}

#[test]
fn mutated_messages_decode_or_fail_typed() {
    let mut runner = TestRunner::new(config(2_000));
    runner
        .run(&mutated_message(), |m| decode(&m))
        .expect("the decoder never panics");
}

#[test]
fn mutated_messages_never_stop_a_running_server() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let addr = rt.block_on(async {
        let server = sqlmongo::server::Server::bind("127.0.0.1:0", engine())
            .await
            .expect("bind")
            .with_read_timeout(std::time::Duration::from_millis(200));
        let addr = server.local_addr().expect("addr");
        tokio::spawn(server.serve_until(std::future::pending()));
        addr
    });
    let mut runner = TestRunner::new(config(100));
    runner
        .run(&mutated_message(), |m| {
            rt.block_on(async {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                let _ = s.write_all(&m).await;
                let _ = s.shutdown().await;
                let mut sink = Vec::new();
                let _ = tokio::time::timeout(
                    std::time::Duration::from_secs(5),
                    s.read_to_end(&mut sink),
                )
                .await;
            });
            Ok(())
        })
        .expect("cases ran");
    // Still serving.
    rt.block_on(async {
        use tokio::io::AsyncWriteExt;
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let ping = doc! {"ping": 1, "$db": "admin"}.to_vec().expect("ping");
        let mut b = vec![0, 0, 0, 0, 0];
        b.extend_from_slice(&ping);
        s.write_all(&frame(OP_MSG, &b)).await.expect("send");
        let reply = wire::read_message(&mut s)
            .await
            .expect("read")
            .expect("reply");
        let d = Document::from_reader(&reply.body[5..]).expect("doc");
        assert_eq!(d.get_f64("ok").ok(), Some(1.0), "{d}");
    });
}
