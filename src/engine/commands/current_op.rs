//! `currentOp` and `killOp` (admin database only, as mongod).
//!
//! In: the command document; out: `{inprog: [...]}` (the registry's entries, filtered by the command's other
//! fields as a query) and `{info: "attempting to kill op"}`. The killed op fails with 11601 `Interrupted` at
//! its next interrupt check ([`crate::engine::ops`]).

use super::Ctx;
use crate::engine::error_codes::ErrorCode;
use crate::engine::matcher::Matcher;
use crate::engine::numeric::Num;
use crate::engine::CommandError;
use bson::{doc, Bson, Document};

/// Fields of `currentOp` that are options or generic arguments, not part of its filter.
const NOT_FILTER: &[&str] = &[
    "$all",
    "$ownOps",
    "$truncateOps",
    "comment",
    "lsid",
    "$db",
    "$readPreference",
    "$clusterTime",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
    "maxTimeMS",
    "txnNumber",
];

fn admin_only(ctx: &Ctx, name: &str) -> Result<(), CommandError> {
    if ctx.db == "admin" {
        return Ok(());
    }
    Err(CommandError::new(
        ErrorCode::Unauthorized,
        format!("{name} may only be run against the admin database."),
    ))
}

/// `currentOp`: the running ops (this one included) that match the command's filter fields.
pub(super) fn current_op(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    admin_only(ctx, "currentOp")?;
    let mut filter = Document::new();
    for (k, v) in cmd.iter().skip(1) {
        if !NOT_FILTER.contains(&k.as_str()) {
            filter.insert(k.clone(), v.clone());
        }
    }
    let matcher = if filter.is_empty() {
        None
    } else {
        Some(Matcher::compile(&filter)?)
    };
    let mut inprog = Vec::new();
    for op in ctx.inner.ops.in_progress() {
        let keep = match &matcher {
            Some(m) => m.matches(&op, &ctx.vars)?,
            None => true,
        };
        if keep {
            inprog.push(Bson::Document(op));
        }
    }
    Ok(doc! {"inprog": inprog})
}

/// `killOp {op: <opid>}`: marks the op killed (an op that already ended is no error, as in mongod).
pub(super) fn kill_op(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    admin_only(ctx, "killOp")?;
    let opid = match cmd.get("op") {
        None => {
            return Err(CommandError::new(
                ErrorCode::BadValue,
                "Did not provide \"op\" field",
            ))
        }
        Some(v) => Num::from_bson(v)
            .and_then(|n| n.to_i64_exact())
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| {
                CommandError::new(
                    ErrorCode::TypeMismatch,
                    "\"op\" must be a 32-bit integer opid",
                )
            })?,
    };
    ctx.inner.ops.kill(opid);
    Ok(doc! {"info": "attempting to kill op"})
}

/// `{sqlmongoRunTTLMonitor: 1[, now: DATE]}` on `admin` (sqlmongo's own; mongod has no such command): one
/// pass of the TTL monitor now, or as of `now` when it is a date (a client's fixed `sqlmongo.now`), replying
/// `{deleted: n}`. `CALL sqlmongo.run_ttl_monitor()` sends it, also through `serve`.
pub(super) fn run_ttl_monitor(ctx: &Ctx, cmd: &Document) -> Result<Document, CommandError> {
    admin_only(ctx, "sqlmongoRunTTLMonitor")?;
    let deleted = match cmd.get("now") {
        Some(Bson::DateTime(t)) => super::super::ttl::pass_at(ctx.inner, t.timestamp_millis()),
        None | Some(Bson::String(_)) => super::super::ttl::pass(ctx.inner),
        Some(other) => {
            return Err(CommandError::new(
                ErrorCode::TypeMismatch,
                format!(
                    "sqlmongoRunTTLMonitor: now must be a date, not {:?}",
                    other.element_type()
                ),
            ))
        }
    };
    Ok(bson::doc! {"deleted": deleted as i64})
}
