//! `a LEFT JOIN b ON ... WHERE b.c IS NULL` (or `NOT (b.c IS NOT NULL)`) as an anti-join: when every matched row has `b.c` non-NULL (`b.c`
//! is an operand of a comparison `=`, `<>`, `<`, `<=`, `>`, `>=` that is a top-level AND term of the ON
//! condition: such a comparison is TRUE only between two non-NULL values; or `b` is a declared table and
//! `c` its NOT NULL / PRIMARY KEY column), the WHERE term keeps exactly
//! the rows of `a` that match no row of `b`, once each with `b`'s columns NULL. The `$lookup` then stops at
//! the first match (`$limit: 1`, as NOT EXISTS does) and the rows whose array is non-empty are dropped
//! before the `$unwind`; the WHERE term still runs after (true on every row left). Without such a term the
//! plan is the plain LEFT JOIN's. A two-table `a RIGHT JOIN b ... WHERE a.c IS NULL` is `b LEFT JOIN a`
//! (join_outer.rs) and becomes the same anti-join.

use super::join::JoinScope;
use super::{Error, Translator};
use crate::mql::filter;
use crate::mql::stage::Stage;
use crate::translate::context::QueryContext;
use bson::{Bson, Document};
use sqlparser::ast::{
    BinaryOperator, Expr, Ident, Join, JoinOperator, TableFactor, TableWithJoins, UnaryOperator,
};

/// The `q.c IS NULL` terms (qualifier, column) among the top-level AND terms of a WHERE condition.
pub(crate) fn is_null_terms(w: Option<&Expr>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(w) = w {
        collect_is_null(w, &mut out);
    }
    out
}

fn collect_is_null(e: &Expr, out: &mut Vec<(String, String)>) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            collect_is_null(left, out);
            collect_is_null(right, out);
        }
        Expr::Nested(x) => collect_is_null(x, out),
        Expr::IsNull(x) => {
            if let Some(qc) = qualified(x) {
                out.push(qc);
            }
        }
        // `NOT (q.c IS NOT NULL)`: the same two-valued test.
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => {
            if let Some(x) = is_not_null_operand(expr) {
                if let Some(qc) = qualified(x) {
                    out.push(qc);
                }
            }
        }
        _ => {}
    }
}

/// `x` of `x IS NOT NULL` (through parentheses).
fn is_not_null_operand(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Nested(x) => is_not_null_operand(x),
        Expr::IsNotNull(x) => Some(x),
        _ => None,
    }
}

/// `q.c` (through parentheses) as (qualifier, column).
pub(crate) fn qualified(e: &Expr) -> Option<(String, String)> {
    match e {
        Expr::Nested(x) => qualified(x),
        Expr::CompoundIdentifier(parts) => match parts.as_slice() {
            [q, c] => Some((folded(q), folded(c))),
            _ => None,
        },
        _ => None,
    }
}

/// An identifier as PostgreSQL compares it: unquoted ones folded to lower case.
pub(crate) fn folded(i: &Ident) -> String {
    match i.quote_style {
        None => i.value.to_lowercase(),
        Some(_) => i.value.clone(),
    }
}

/// Whether `q.c` is an operand of a comparison that is a top-level AND term of `on` (so non-NULL in every
/// row `on` matches).
pub(crate) fn strict_in_on(on: &Expr, q: &str, c: &str) -> bool {
    match on {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => strict_in_on(left, q, c) || strict_in_on(right, q, c),
        Expr::Nested(x) => strict_in_on(x, q, c),
        Expr::BinaryOp { left, op, right } => {
            matches!(
                op,
                BinaryOperator::Eq
                    | BinaryOperator::NotEq
                    | BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Gt
                    | BinaryOperator::GtEq
            ) && [left, right]
                .iter()
                .any(|x| qualified(x).is_some_and(|(xq, xc)| xq == q && xc == c))
        }
        _ => false,
    }
}

/// Whether a FROM list has a RIGHT or FULL join (its null-extended rows on the other side would change
/// if rows of an earlier LEFT JOIN were dropped before it; the anti-join is not used then).
pub(crate) fn has_right_or_full(from: &[TableWithJoins]) -> bool {
    from.iter().flat_map(|t| &t.joins).any(|j: &Join| {
        matches!(
            j.join_operator,
            JoinOperator::Right(_)
                | JoinOperator::RightOuter(_)
                | JoinOperator::FullOuter(_)
                | JoinOperator::RightSemi(_)
                | JoinOperator::RightAnti(_)
        )
    })
}

impl Translator {
    /// Whether column `c` of the joined relation `q` (read from `src`) is non-NULL in every row the ON
    /// condition `on` matches: an operand of a strict comparison of `on` ([`strict_in_on`]), or a column a
    /// declared table holds NOT NULL (PRIMARY KEY), which its validator keeps from ever being NULL.
    pub(crate) fn never_null_in_match(
        &self,
        src: &super::cte::Source,
        on: &Expr,
        q: &str,
        c: &str,
    ) -> bool {
        strict_in_on(on, q, c)
            || (self.is_declared(src)
                && src
                    .collection
                    .as_deref()
                    .is_some_and(|t| self.catalog.is_not_null(t, c)))
    }

    /// The LEFT JOIN of table `k` of `scope` as an anti-join (module comment): `$lookup` ending in
    /// `$limit: 1`, the rows with an empty array kept, `$unwind` keeping them (with the field removed).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn anti_join_one(
        &mut self,
        cx: &mut QueryContext,
        scope: &mut JoinScope,
        stages: &mut Vec<Document>,
        src: super::cte::Source,
        qualifier: String,
        relation: &TableFactor,
        on: &Expr,
    ) -> Result<(), Error> {
        let k = self.add_source_table(scope, qualifier, relation, &src)?;
        let field = format!("__j{k}");
        let mut lookup = self.lookup_doc(cx, scope, k, src, Some(on), &field)?;
        if let Ok(p) = lookup.get_array_mut("pipeline") {
            p.push(Bson::Document(Stage::Limit(Bson::Int32(1)).into_document()));
        }
        stages.push(Stage::Lookup(lookup).into_document());
        stages.push(Stage::Match(filter::field(&field, filter::size(0))).into_document());
        stages.push(Stage::UnwindPreserving(crate::mql::expr::field_ref(&field)).into_document());
        Ok(())
    }
}
