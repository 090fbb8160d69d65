//! Cursor commands: `getMore`, `killCursors`, and the reply that opens a cursor (`firstBatch`) for the read
//! commands.
//!
//! In: the command document; out: mongod's reply shapes (`cursor: {firstBatch | nextBatch, id, ns}`,
//! `cursorsKilled`). A cursor belongs to whoever opened it (`engine::cursor`).

use super::{coll_name, opt_i64, poisoned, Ctx};
use crate::engine::cursor::{Refusal, Results, DEFAULT_BATCH, MAX_OPEN_CURSORS};
use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use bson::{doc, Bson, Document};

/// The `batchSize` at `key` (mongod's default 101 when absent); negative is refused.
pub(super) fn batch_size(cmd: &Document, key: &str) -> Result<usize, CommandError> {
    match opt_i64(cmd, key)? {
        None => Ok(DEFAULT_BATCH),
        Some(n) if n < 0 => Err(CommandError::bad_value(format!(
            "BatchSize value must be non-negative, but received: {n}"
        ))),
        Some(n) => Ok(n as usize),
    }
}

pub(super) fn cursor_reply(
    ctx: &Ctx,
    ns: &str,
    docs: Results,
    batch: usize,
    single: bool,
) -> Result<Document, CommandError> {
    let b = ctx
        .inner
        .cursors
        .lock()
        .map_err(|_| poisoned())?
        .open(
            ns,
            ctx.owner,
            docs,
            batch,
            single,
            ctx.inner.opts.cursor_timeout,
        )
        .map_err(|e| refused(e, 0, ns))?;
    Ok(doc! {"cursor": batch_reply("firstBatch", b, ns)})
}

impl From<crate::engine::pipeline::Output> for Results {
    /// A pipeline's output as a cursor holds it.
    fn from(out: crate::engine::pipeline::Output) -> Results {
        use crate::engine::pipeline::Output;
        match out {
            Output::Docs(docs) => Results::Docs(docs),
            Output::Stored(docs) => Results::Stored(docs),
            Output::Rows(r) => {
                let fields = r.fields().into();
                match r.into_items() {
                    Ok(items) => Results::Rows(fields, items),
                    Err(stored) => Results::StoredRows(stored, fields),
                }
            }
        }
    }
}

/// The error for a refused operation on cursor `id` asked for on namespace `ns`, with mongod's messages.
fn refused(r: Refusal, id: i64, ns: &str) -> CommandError {
    match r {
        Refusal::NotFound => CommandError::new(ErrorCode::CursorNotFound, format!("cursor id {id} not found")),
        Refusal::NotOwner => CommandError::new(
            ErrorCode::Unauthorized,
            format!("cursor id {id} was not created by the authenticated user"),
        ),
        Refusal::OtherNamespace(theirs) => CommandError::new(
            ErrorCode::Unauthorized,
            format!("Requested getMore on namespace '{ns}', but cursor belongs to a different namespace {theirs}"),
        ),
        Refusal::TooMany => CommandError::new(
            ErrorCode::ExceededMemoryLimit,
            format!(
                "too many open cursors (at most {MAX_OPEN_CURSORS}): exhaust or kill some (killCursors) before opening more"
            ),
        ),
    }
}

pub(super) fn get_more(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let id = match cmd.get("getMore") {
        Some(Bson::Int64(i)) => *i,
        Some(Bson::Int32(i)) => *i as i64,
        _ => {
            return Err(CommandError::type_mismatch(
                "getMore cursor id must be a long",
            ))
        }
    };
    let coll = coll_name(cmd, "collection")?;
    let ns = ctx.ns(coll);
    if cmd.get("maxTimeMS").is_some_and(|v| *v != Bson::Null) {
        // mongod takes a getMore's maxTimeMS only for awaitData cursors (which the engine has none of).
        return Err(CommandError::bad_value(
            "cannot set maxTimeMS on getMore command for a non-awaitData cursor",
        ));
    }
    let batch = match opt_i64(cmd, "batchSize")? {
        Some(n) if n > 0 => n as usize,
        _ => usize::MAX,
    };
    let mut cursors = ctx.inner.cursors.lock().map_err(|_| poisoned())?;
    let b = cursors
        .more(id, &ns, ctx.owner, batch)
        .map_err(|r| refused(r, id, &ns))?;
    Ok(doc! {"cursor": batch_reply("nextBatch", b, &ns)})
}

/// A reply's `cursor` document: the batch under `key`, the id, the namespace, and for a result that goes
/// out as rows the fields of its arrays (`fields`, after mongod's keys).
fn batch_reply(key: &str, b: crate::engine::cursor::Batch, ns: &str) -> Document {
    let mut c = Document::new();
    c.insert(key, b.docs);
    c.insert("id", b.id);
    c.insert("ns", ns);
    if let Some(f) = b.fields {
        c.insert("fields", f.to_vec());
    }
    c
}

pub(super) fn kill_cursors(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    let ns = ctx.ns(coll_name(cmd, "killCursors")?);
    let Some(Bson::Array(ids)) = cmd.get("cursors") else {
        return Err(CommandError::failed_to_parse(
            "killCursors requires a 'cursors' array",
        ));
    };
    let ids = ids
        .iter()
        .map(|id| match id {
            Bson::Int64(i) => Ok(*i),
            Bson::Int32(i) => Ok(*i as i64),
            _ => Err(CommandError::type_mismatch("cursor ids must be longs")),
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let mut killed = Vec::new();
    let mut not_found = Vec::new();
    let mut cursors = ctx.inner.cursors.lock().map_err(|_| poisoned())?;
    // As mongod authorizes the whole command first: one cursor of someone else's and none is killed.
    if let Some(&id) = ids
        .iter()
        .find(|&&id| cursors.owned_by_other(id, ctx.owner))
    {
        return Err(refused(Refusal::NotOwner, id, &ns));
    }
    for id in ids {
        match cursors.kill(id, ctx.owner) {
            Ok(()) => killed.push(id),
            Err(_) => not_found.push(id),
        }
    }
    Ok(
        doc! {"cursorsKilled": killed, "cursorsNotFound": not_found, "cursorsAlive": [], "cursorsUnknown": []},
    )
}
