//! PostgreSQL's untyped literals: `'2024-01-01'` compared with a timestamp is a timestamp, not text.
//!
//! PostgreSQL gives a quoted literal the type of what it meets (`unknown` is resolved by the operator); MongoDB
//! would compare a date with a string by BSON type order (a date is greater than every string), a silent wrong
//! answer. So a quoted literal compared with an expression known to be a timestamp (`now()`, a
//! `TIMESTAMPTZ` literal, timestamp arithmetic, a declared `timestamptz` column) is read as a timestamp, in the
//! session time zone when it has no offset, as a `TIMESTAMP '...'` when the other side is a wall-clock time.

use super::{Agg, Kind};
use crate::translate::context::QueryContext;
use crate::translate::{Error, Translator};
use sqlparser::ast::{CastKind, DataType, Expr, TimezoneInfo, Value};

/// Whether `e` is a quoted literal of no declared type (`'...'`, also parenthesized).
pub(crate) fn is_untyped_string(e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) => is_untyped_string(inner),
        Expr::Value(v) => matches!(
            v.value,
            Value::SingleQuotedString(_) | Value::EscapedStringLiteral(_)
        ),
        _ => false,
    }
}

/// The text of a numeric literal (`1.50`, `-2`, `1e3`, also parenthesized), signed as written; `None` for
/// anything else.
pub(crate) fn number_literal_text(e: &Expr) -> Option<String> {
    match e {
        Expr::Nested(inner) => number_literal_text(inner),
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Minus,
            expr,
        } => number_literal_text(expr).map(|t| match t.strip_prefix('-') {
            Some(positive) => positive.to_string(),
            None => format!("-{t}"),
        }),
        Expr::Value(v) => match &v.value {
            Value::Number(text, _) => Some(text.clone()),
            _ => None,
        },
        _ => None,
    }
}

impl Translator {
    /// `value` (translated from `e`) as the type of `other` when `e` is an untyped literal and `other` is a
    /// timestamp; else `value` as it is.
    pub(crate) fn resolve_untyped(
        &mut self,
        cx: &mut QueryContext,
        e: &Expr,
        value: Agg,
        other: &Agg,
    ) -> Result<Agg, Error> {
        if other.kind != Kind::Timestamp || !is_untyped_string(e) {
            return Ok(value);
        }
        let tz = if other.local_time {
            TimezoneInfo::WithoutTimeZone
        } else {
            TimezoneInfo::WithTimeZone
        };
        self.agg(
            cx,
            &Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(e.clone()),
                data_type: DataType::Timestamp(None, tz),
                format: None,
            },
        )
    }
}
