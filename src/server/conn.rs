//! One client connection: read a message, run its command on the engine, write the reply; repeat.
//!
//! A message that does not parse (truncated, bad length, over 48 MB, bad checksum, invalid BSON, an op code
//! the server does not serve) closes this connection with a logged reason; nothing a client sends can stop
//! the server. Command failures are replies (`ok: 0, errmsg, code, codeName`), as mongod shapes them.

use super::auth::Session;
use super::stats::{CommandSummary, ServerStats};
use super::wire::{self, Request, WireError};
use crate::command_error::CommandError;
use crate::command_error::ErrorCode;
use crate::engine::{CursorOwner, Engine};
use bson::{doc, Bson, Document};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI32, Ordering};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;

/// Fields a driver adds to every command that a standalone mongod accepts and the engine does not need.
const GENERIC_FIELDS: &[&str] = &[
    "$db",
    "lsid",
    "$clusterTime",
    "$readPreference",
    "$client",
    "$audit",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
];

/// Fields that ask for a transaction or a retryable write, which a standalone refuses.
const TRANSACTION_FIELDS: &[&str] = &["txnNumber", "autocommit", "startTransaction"];

/// Request ids of the server's replies.
static NEXT_REQUEST_ID: AtomicI32 = AtomicI32::new(1);

fn next_request_id() -> i32 {
    NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed)
}

/// What every connection shares: the read timeout and the server's counters.
#[derive(Debug, Clone)]
pub(super) struct ConnSettings {
    /// How long a client may pause in the middle of a message.
    pub read_timeout: std::time::Duration,
    /// The server's counters.
    pub stats: std::sync::Arc<ServerStats>,
    /// The replica set the server presents itself as, if any.
    pub repl_set: Option<std::sync::Arc<super::ReplSet>>,
}

/// Serves one connection (plain TCP or TLS) until the peer closes it, a message is malformed, or shutdown
/// is signalled. `session` holds the connection's authentication.
pub(super) async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    peer: SocketAddr,
    engine: Engine,
    session: Session,
    conn_id: i64,
    mut shutdown: watch::Receiver<bool>,
    settings: ConnSettings,
) {
    let ConnSettings {
        read_timeout,
        stats,
        repl_set,
    } = settings;
    let ctx = Shared {
        stats: &stats,
        repl: repl_set.as_deref(),
        stop: shutdown.clone(),
    };
    let _counted = stats.connection_opened();
    tracing::debug!(conn = conn_id, %peer, "connection accepted");
    loop {
        let msg = tokio::select! {
            m = wire::read_message_within(&mut stream, Some(read_timeout)) => m,
            _ = shutdown.changed() => {
                tracing::debug!(conn = conn_id, "closing connection: server shutting down");
                break;
            }
        };
        let msg = match msg {
            Ok(Some(m)) => m,
            Ok(None) => {
                tracing::debug!(conn = conn_id, %peer, "connection closed by the client");
                break;
            }
            Err(e) => {
                tracing::warn!(conn = conn_id, %peer, "closing connection: {e}");
                break;
            }
        };
        let reply = match handle(&engine, &session, conn_id, &ctx, &msg).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(conn = conn_id, %peer, "closing connection: {e}");
                break;
            }
        };
        if let Some(bytes) = reply {
            if let Err(e) = stream.write_all(&bytes).await {
                tracing::debug!(conn = conn_id, %peer, "closing connection: write failed: {e}");
                break;
            }
        }
    }
}

/// What a connection's commands share: the server's counters, the replica set it presents, shutdown.
pub(super) struct Shared<'a> {
    stats: &'a ServerStats,
    repl: Option<&'a super::ReplSet>,
    stop: watch::Receiver<bool>,
}

/// The reply bytes for one message (`None` when the client asked for no reply).
async fn handle(
    engine: &Engine,
    session: &Session,
    conn_id: i64,
    ctx: &Shared<'_>,
    msg: &wire::RawMessage,
) -> Result<Option<Vec<u8>>, WireError> {
    let stats = ctx.stats;
    let request_to = msg.header.request_id;
    if let Some(reply) = find_from_bytes(engine, session, conn_id, stats, msg).await {
        return wire::encode_op_msg_bytes(next_request_id(), request_to, 0, &reply).map(Some);
    }
    let request = match wire::parse_request(msg) {
        Ok(r) => r,
        // A well-framed message whose content mongod refuses (BSON nested too deep): an error reply.
        Err(WireError::Refused(e)) => {
            let reply = error_reply(&e);
            let flags = msg
                .body
                .get(0..4)
                .map_or(0, |f| u32::from_le_bytes([f[0], f[1], f[2], f[3]]));
            if msg.header.op_code == wire::OP_MSG && flags & wire::FLAG_MORE_TO_COME != 0 {
                return Ok(None);
            }
            return if msg.header.op_code == wire::OP_QUERY {
                wire::encode_op_reply(next_request_id(), request_to, 0, &reply).map(Some)
            } else {
                wire::encode_op_msg(next_request_id(), request_to, 0, &reply).map(Some)
            };
        }
        Err(e) => return Err(e),
    };
    match request {
        Request::Msg(m) => {
            let more_to_come = m.flags & wire::FLAG_MORE_TO_COME != 0;
            tracing::trace!(
                conn = conn_id,
                command = m.body.keys().next().map(String::as_str).unwrap_or(""),
                sequences = m.sequences.len(),
                flags = m.flags,
                "OP_MSG"
            );
            let reply = match m.into_command() {
                Ok(cmd) => match cmd.get("$db") {
                    Some(Bson::String(db)) => {
                        let db = db.clone();
                        dispatch(engine, session, conn_id, ctx, &db, cmd).await
                    }
                    _ => error_reply(&CommandError::location(
                        40571,
                        "OP_MSG requests require a $db argument",
                    )),
                },
                Err(e) => error_reply(&e),
            };
            if more_to_come {
                return Ok(None);
            }
            wire::encode_op_msg(next_request_id(), request_to, 0, &reply).map(Some)
        }
        Request::Query(q) => {
            let Some(db) = q.full_collection_name.strip_suffix(".$cmd") else {
                let err = doc! {
                    "$err": format!("Unsupported OP_QUERY on {}: use OP_MSG", q.full_collection_name),
                    "code": 5739101,
                    "ok": 0.0,
                };
                return wire::encode_op_reply(
                    next_request_id(),
                    request_to,
                    wire::REPLY_QUERY_FAILURE,
                    &err,
                )
                .map(Some);
            };
            let db = db.to_string();
            tracing::trace!(conn = conn_id, ns = %q.full_collection_name, "OP_QUERY");
            let cmd = match q.query.get("$query") {
                Some(Bson::Document(inner)) => inner.clone(),
                _ => q.query,
            };
            let name = cmd.keys().next().cloned().unwrap_or_default();
            let reply = if matches!(name.as_str(), "hello" | "isMaster" | "ismaster") {
                dispatch(engine, session, conn_id, ctx, &db, cmd).await
            } else {
                error_reply(&CommandError::new(ErrorCode::UnsupportedOpQueryCommand, format!(
                        "Unsupported OP_QUERY command: {name}. The client driver may require an upgrade. \
                         For more details see https://dochub.mongodb.org/core/legacy-opcode-removal"
                    ),
                ))
            };
            wire::encode_op_reply(next_request_id(), request_to, 0, &reply).map(Some)
        }
    }
}

/// A `find` in a plain `OP_MSG` runs on its bytes ([`Engine::run_command_raw`]): a point lookup by an
/// indexed key is answered from the stored bytes, never parsed on the way in or out. The generic fields
/// (`$db`, `lsid`, ...) a driver adds are ignored by `find`, so they need no stripping here. `None`: the
/// message takes the general path (as does a find the session must check first).
async fn find_from_bytes(
    engine: &Engine,
    session: &Session,
    conn_id: i64,
    stats: &ServerStats,
    msg: &wire::RawMessage,
) -> Option<Vec<u8>> {
    let started = std::time::Instant::now();
    let body = wire::plain_op_msg_body(msg)?;
    let (first, coll) = body.iter().next()?.ok()?;
    if first.as_str() != "find" {
        return None;
    }
    if !session.may_find_directly(body.get_str("$db").ok()?, coll.as_str().unwrap_or("")) {
        return None;
    }
    if TRANSACTION_FIELDS
        .iter()
        .any(|f| body.get(f).ok().flatten().is_some())
    {
        return None;
    }
    let db = body.get_str("$db").ok()?.to_string();
    let lsid = body.get_document("lsid").ok();
    let owner = match lsid.and_then(|l| l.get_binary("id").ok()) {
        Some(id) => CursorOwner::Session(id.bytes.to_vec()),
        None => CursorOwner::Connection(conn_id),
    };
    if let Some(lsid) = lsid.and_then(|l| Document::try_from(l).ok()) {
        touch_session(engine, session, &lsid);
    }
    let collection = coll.as_str().unwrap_or("").to_string();
    let cmd = body.to_owned();
    let slow_ms = engine.slow_ms();
    let engine = engine.clone();
    let db_name = db.clone();
    let reply =
        tokio::task::spawn_blocking(move || engine.run_command_raw_as(&owner, &db, &cmd)).await;
    let reply = match reply {
        Ok(Ok(bytes)) => bytes.into_bytes(),
        Ok(Err(e)) => error_reply(&e).to_vec().ok()?,
        Err(e) => error_reply(&CommandError::new(
            ErrorCode::InternalError,
            format!("command find failed inside the engine: {e}"),
        ))
        .to_vec()
        .ok()?,
    };
    stats.record_raw_find(
        conn_id,
        &db_name,
        &collection,
        &reply,
        started.elapsed(),
        slow_ms,
    );
    Some(reply)
}

/// Registers (or marks used) the logical session of a command's `lsid`, as the connection's user: mongod's
/// session cache learns of every session a command names, so `$listLocalSessions` lists it.
fn touch_session(engine: &Engine, session: &Session, lsid: &Document) {
    let user = session.user();
    engine.touch_session(lsid, user.as_ref().map(|(u, d)| (u.as_str(), d.as_str())));
}

/// With access control, `$listLocalSessions: {}` (or an empty `users`) lists the current user's sessions:
/// the engine, which has no users, is asked for that user's by name.
fn narrow_list_local_sessions(session: &Session, cmd: &mut Document) {
    if !session.access_control()
        || !matches!(
            cmd.get("aggregate"),
            Some(Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_))
        )
    {
        return;
    }
    let Some((user, db)) = session.user() else {
        return;
    };
    let Ok(pipeline) = cmd.get_array_mut("pipeline") else {
        return;
    };
    let Some(Bson::Document(first)) = pipeline.first_mut() else {
        return;
    };
    let Ok(spec) = first.get_document_mut("$listLocalSessions") else {
        return;
    };
    let all = matches!(spec.get("allUsers"), Some(Bson::Boolean(true)));
    let named = matches!(spec.get("users"), Some(Bson::Array(u)) if !u.is_empty());
    if !all && !named {
        spec.insert("users", vec![Bson::Document(doc! {"user": user, "db": db})]);
    }
}

/// The session a command runs in (its `lsid.id`), which owns the cursors it opens; without one, the
/// connection owns them.
fn session_owner(cmd: &Document) -> Option<CursorOwner> {
    match cmd.get_document("lsid").ok()?.get("id")? {
        Bson::Binary(b) => Some(CursorOwner::Session(b.bytes.clone())),
        _ => None,
    }
}

/// mongod's error reply.
fn error_reply(e: &CommandError) -> Document {
    let mut reply = doc! {"ok": 0.0};
    e.append_to(&mut reply);
    reply
}

/// Runs one command for this connection and returns the reply document (an error reply on failure);
/// counts it, logs it when slow, and adds the server's sections to a `serverStatus` reply.
pub(super) async fn dispatch(
    engine: &Engine,
    session: &Session,
    conn_id: i64,
    ctx: &Shared<'_>,
    db: &str,
    cmd: Document,
) -> Document {
    let stats = ctx.stats;
    let started = std::time::Instant::now();
    let name = cmd.keys().next().map(String::as_str).unwrap_or("");
    let summary = CommandSummary::of(name, &cmd);
    let is_hello = matches!(name, "hello" | "isMaster" | "ismaster");
    if let Some(wait) = ctx
        .repl
        .filter(|_| is_hello)
        .and_then(|rs| rs.hello_wait(&cmd))
    {
        // A driver's streaming monitor: nothing changes in a one-member set, so answer after its wait
        // (or at shutdown).
        let mut stop = ctx.stop.clone();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
    let labelled = crate::engine::error_labels::applies_to(&cmd);
    let mut reply = match run(engine, session, conn_id, ctx.repl.is_some(), db, cmd).await {
        Ok(d) => d,
        Err(e) => error_reply(&e),
    };
    if labelled {
        crate::engine::error_labels::label_reply_of_applicable(&mut reply);
    }
    if let Some(rs) = ctx.repl {
        if is_hello && reply.get_f64("ok").is_ok_and(|ok| ok == 1.0) {
            rs.decorate_hello(&mut reply);
        }
        rs.stamp(&mut reply);
    }
    if summary.name == "serverStatus" && reply.get_f64("ok").is_ok_and(|ok| ok == 1.0) {
        stats.decorate_server_status(&mut reply);
    }
    stats.record(
        conn_id,
        db,
        &summary,
        &reply,
        started.elapsed(),
        engine.slow_ms(),
    );
    reply
}

async fn run(
    engine: &Engine,
    session: &Session,
    conn_id: i64,
    repl_set: bool,
    db: &str,
    mut cmd: Document,
) -> Result<Document, CommandError> {
    let txn = TRANSACTION_FIELDS.iter().any(|f| cmd.contains_key(*f));
    if txn && !repl_set {
        return Err(CommandError::new(
            ErrorCode::IllegalOperation,
            "Transaction numbers are only allowed on a replica set member or mongos",
        ));
    }
    let owner = session_owner(&cmd).unwrap_or(CursorOwner::Connection(conn_id));
    if let Ok(lsid) = cmd.get_document("lsid") {
        touch_session(engine, session, lsid);
    }
    narrow_list_local_sessions(session, &mut cmd);
    // A replica set hands the engine the session of a transaction or retryable write.
    let keep_lsid = repl_set
        && (txn
            || matches!(
                cmd.keys().next().map(String::as_str),
                Some("commitTransaction" | "abortTransaction")
            ));
    for f in GENERIC_FIELDS {
        if !(keep_lsid && *f == "lsid") {
            cmd.remove(*f);
        }
    }
    let name = cmd
        .keys()
        .next()
        .cloned()
        .ok_or_else(|| CommandError::failed_to_parse("empty command document"))?;
    let is_hello = matches!(name.as_str(), "hello" | "isMaster" | "ismaster");
    let engine = engine.clone();
    let session = session.clone();
    let db = db.to_string();
    let cmd_name = name.clone();
    let mut reply = tokio::task::spawn_blocking(move || {
        session.run_command(&engine, &owner, &db, &cmd_name, cmd)
    })
    .await
    .map_err(|e| {
        CommandError::new(
            ErrorCode::InternalError,
            format!("command {name} failed inside the engine: {e}"),
        )
    })??;
    if is_hello {
        reply.insert("connectionId", conn_id);
    }
    Ok(reply)
}
