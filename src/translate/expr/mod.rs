//! SQL expressions -> MongoDB aggregation expressions (`agg.rs`, `function.rs`, `datetime.rs`) and
//! query-language filters (`filter.rs`). The two target languages differ in null/missing rules, so they are
//! separate translators; SQL three-valued logic lives in `super::nulls`.

mod agg;
mod array_fn;
mod array_literal;
pub(crate) mod cast;
pub(crate) mod datetime;
mod filter;
mod function;
pub(crate) mod interval;
mod interval_expr;
mod interval_extreme;
#[cfg(test)]
mod interval_extreme_tests;
mod interval_sum;
#[cfg(test)]
mod interval_sum_tests;
#[cfg(test)]
mod interval_text_tests;
#[cfg(test)]
mod justify_tests;
pub(crate) mod literal;
mod predicate;
mod quantified;
#[cfg(test)]
mod scale_in_place_tests;
#[cfg(test)]
mod scale_tests;
pub(crate) mod time_fn;
mod to_char;
pub(crate) mod untyped;

pub(crate) use datetime::IntervalParts;
pub(crate) use function::{is_aggregate_name, plain_args as function_args};
pub(crate) use literal::literal_value;
pub(crate) use predicate::comparison;

use super::{Error, Position};
use crate::mql::Expr as ExprNode;
use crate::translate::Refusal;
use bson::Bson;
use sqlparser::ast::{Expr, Spanned};

/// What the translator knows of a translated scalar expression's SQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Not known at translation time (a field's value).
    Unknown,
    /// The NULL literal.
    Null,
    /// boolean.
    Bool,
    /// integer / bigint.
    Int,
    /// numeric / double precision.
    Number,
    /// text.
    Text,
    /// timestamp(tz).
    Timestamp,
    /// An interval: a `{months, days, micros}` document at run time (`interval.rs`).
    Interval,
    /// An array.
    Array,
    /// A document (jsonb object).
    Document,
}

/// A translated scalar expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Agg {
    /// The aggregation expression (typed where it is a field path, a literal, a comparison, ...).
    pub expr: ExprNode,
    /// Its SQL type, where known.
    pub kind: Kind,
    /// Whether it may be NULL.
    pub nullable: bool,
    /// The constant value, when the expression is a literal (used for folding and query-language filters).
    pub constant: Option<Bson>,
    /// The statement parameter this value is (`$n` / `?`, 1-based), when it is one: its `constant` (where set)
    /// is the `{$param: n}` placeholder bound at execution, not a value known here.
    pub param: Option<usize>,
    /// For an INTERVAL literal: its parts (kept apart so `ts + INTERVAL` becomes `$dateAdd`).
    pub interval: Option<IntervalParts>,
    /// A `timestamp without time zone` (a `TIMESTAMP '...'` literal, the result of `tstz AT TIME ZONE z`):
    /// a BSON date whose UTC fields are the wall-clock time. Other dates are instants (`timestamptz`).
    pub local_time: bool,
    /// For a computed interval: its `months` are 0 in every value (a difference of two timestamps and
    /// what keeps its months), so arithmetic on it leaves the month steps out (`interval_expr::Known`).
    pub no_months: bool,
    /// For a computed interval: its fields are a function of its span (no months; the days and the time of
    /// one sign, the time under a day, as a difference of two timestamps; or the time alone), so equal spans
    /// are equal documents: it groups on the document itself, not on its span (`select.rs`).
    pub canonical: bool,
}

impl Agg {
    /// An expression of the given kind.
    pub fn new(expr: impl Into<ExprNode>, kind: Kind, nullable: bool) -> Agg {
        Agg {
            expr: expr.into(),
            kind,
            nullable,
            constant: None,
            param: None,
            interval: None,
            local_time: false,
            no_months: false,
            canonical: false,
        }
    }
}

/// The best-known position of an expression: its span's start.
pub(crate) fn expr_pos(e: &Expr) -> Position {
    Position::from(e.span().start)
}

/// An "unsupported" error at `e`.
pub(crate) fn unsupported(kind: Refusal, construct: impl Into<String>, e: &Expr) -> Error {
    Error::Unsupported {
        kind,
        construct: construct.into(),
        position: expr_pos(e),
    }
}

/// An "invalid" error at `e`.
pub(crate) fn invalid(message: impl Into<String>, e: &Expr) -> Error {
    Error::Invalid {
        message: message.into(),
        position: expr_pos(e),
    }
}
