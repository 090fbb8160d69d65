//! mongod's `RetryableWriteError` error label (4.4+): a retryable write (a write command with a `txnNumber`
//! outside a transaction) or a transaction's `commitTransaction` / `abortTransaction` that fails with a
//! retriable code, or whose `writeConcernError` has one, carries `errorLabels: ["RetryableWriteError"]`, so
//! a driver retries it once on a (new) primary. A command inside a transaction gets
//! `TransientTransactionError` instead, never both.
//!
//! In: the command (its session fields) and its error or reply; out: the same with the label added.

use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The label's name.
pub const RETRYABLE_WRITE_ERROR: &str = "RetryableWriteError";

/// mongod's `RetriableError` category (error_codes.yml): the codes a retried write may succeed after.
const RETRIABLE: &[ErrorCode] = &[
    ErrorCode::HostUnreachable,
    ErrorCode::HostNotFound,
    ErrorCode::NetworkTimeout,
    ErrorCode::ShutdownInProgress,
    ErrorCode::ReadConcernMajorityNotAvailableYet,
    ErrorCode::PrimarySteppedDown,
    ErrorCode::ExceededTimeLimit,
    ErrorCode::SocketException,
    ErrorCode::NotWritablePrimary,
    ErrorCode::InterruptedAtShutdown,
    ErrorCode::InterruptedDueToReplStateChange,
    ErrorCode::NotPrimaryNoSecondaryOk,
    ErrorCode::NotPrimaryOrSecondary,
];

/// Whether `code` is in mongod's `RetriableError` category.
pub fn is_retriable(code: i32) -> bool {
    RETRIABLE.iter().any(|c| c.code() == code)
}

/// Whether the label may apply to `cmd`: it has a `txnNumber`, and either no `autocommit` (a retryable
/// write) or it is `commitTransaction` / `abortTransaction`.
pub fn applies_to(cmd: &Document) -> bool {
    if cmd.get("txnNumber").is_none() {
        return false;
    }
    cmd.get("autocommit").is_none()
        || matches!(
            cmd.keys().next().map(String::as_str),
            Some("commitTransaction" | "abortTransaction")
        )
}

fn has_label(labels: Option<&Bson>, label: &str) -> bool {
    matches!(labels, Some(Bson::Array(a)) if a.iter().any(|l| l.as_str() == Some(label)))
}

fn push_label(target: &mut Document) {
    if has_label(target.get("errorLabels"), "TransientTransactionError")
        || has_label(target.get("errorLabels"), RETRYABLE_WRITE_ERROR)
    {
        return;
    }
    match target.get_mut("errorLabels") {
        Some(Bson::Array(a)) => a.push(Bson::String(RETRYABLE_WRITE_ERROR.into())),
        _ => {
            target.insert(
                "errorLabels",
                vec![Bson::String(RETRYABLE_WRITE_ERROR.into())],
            );
        }
    }
}

/// `error` of `cmd`, labelled `RetryableWriteError` where mongod labels it.
pub fn label_error(cmd: &Document, error: CommandError) -> CommandError {
    if !applies_to(cmd) || !is_retriable(error.code) {
        return error;
    }
    let mut extra = error.extra.as_deref().cloned().unwrap_or_default();
    push_label(&mut extra);
    let mut error = error;
    error.extra = Some(Box::new(extra));
    error
}

/// Adds the `RetryableWriteError` label to the reply of `cmd` where mongod adds it: an `ok: 0` reply with
/// a retriable `code`, or a reply whose `writeConcernError.code` is retriable (the label then goes at the
/// top level, as mongod puts it). Replies of other commands are left as they are.
pub fn label_reply(cmd: &Document, reply: &mut Document) {
    if applies_to(cmd) {
        label_reply_of_applicable(reply);
    }
}

/// [`label_reply`] for a reply whose command [`applies_to`] said yes to (a server that no longer holds the
/// command asks first).
pub fn label_reply_of_applicable(reply: &mut Document) {
    let failed = reply
        .get("ok")
        .and_then(Bson::as_f64)
        .or_else(|| reply.get("ok").and_then(Bson::as_i32).map(f64::from))
        == Some(0.0);
    let code = |d: &Document| d.get("code").and_then(Bson::as_i32);
    let retriable = (failed && code(reply).is_some_and(is_retriable))
        || reply
            .get_document("writeConcernError")
            .ok()
            .and_then(code)
            .is_some_and(is_retriable);
    if retriable {
        push_label(reply);
    }
}

#[cfg(test)]
#[path = "labels_tests.rs"]
mod tests;
