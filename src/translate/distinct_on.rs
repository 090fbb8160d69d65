//! `SELECT DISTINCT ON (exprs) ... ORDER BY ...`: the first row of each group of equal DISTINCT ON values in
//! the ORDER BY order (PostgreSQL's "latest session per user").
//!
//! After WHERE: `$set` the ORDER BY keys (with PostgreSQL's NULL placement, as a query's sort does), `$sort`,
//! `$group` on the DISTINCT ON values (NULL and missing one group, as SQL has one NULL) keeping `{$first:
//! "$$ROOT"}` — `$first` after `$sort` is the first document in that order —, `$replaceRoot` back to that
//! row and `$unset` of the helper keys. The SELECT list, ORDER BY (the output is sorted by it, as PostgreSQL's
//! is), OFFSET and LIMIT then apply to those rows as to any plain query.
//!
//! PostgreSQL's rule is kept: the DISTINCT ON expressions must match the leftmost ORDER BY expressions
//! (`SELECT DISTINCT ON expressions must match initial ORDER BY expressions` otherwise). DISTINCT ON with GROUP
//! BY, aggregates or window functions is refused (PostgreSQL computes those before DISTINCT ON; the plain
//! pipeline computes windows after the `$group` here).

use super::expr::expr_pos;
use super::query::SortKey;
use super::{Error, Translator};
use crate::mql::accumulator::Accumulator;
use crate::mql::expr as ex;
use crate::mql::stage::Stage;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{Bson, Document};
use sqlparser::ast::Expr;

/// The field of the `$group` that keeps each group's first row.
const ROW: &str = "__row";

/// PostgreSQL's check (`transformDistinctOnClause`): walking the ORDER BY keys, those that are DISTINCT ON
/// expressions must all come before any that is not, and when some key is not one, every DISTINCT ON
/// expression must be among the keys. Expressions are compared as written (after ordinals and output
/// names are resolved).
pub(crate) fn check_order(on: &[Expr], keys: &[SortKey]) -> Result<(), Error> {
    let same = |a: &Expr, b: &Expr| a.to_string() == b.to_string();
    let mut skipped = false;
    for k in keys {
        match on.iter().find(|e| same(e, &k.expr)) {
            Some(e) if skipped => return Err(mismatch(e)),
            Some(_) => {}
            None => skipped = true,
        }
    }
    if skipped {
        if let Some(e) = on.iter().find(|e| !keys.iter().any(|k| same(e, &k.expr))) {
            return Err(mismatch(e));
        }
    }
    Ok(())
}

fn mismatch(e: &Expr) -> Error {
    Error::Invalid {
        message: "SELECT DISTINCT ON expressions must match initial ORDER BY expressions".into(),
        position: expr_pos(e),
    }
}

/// Whether `e` holds a window call (at its own query level).
fn has_window(e: &Expr) -> bool {
    super::visit::any_outside_subqueries(e, |x| matches!(x, Expr::Function(f) if f.over.is_some()))
}

/// The refusal of DISTINCT ON together with `what`.
fn refuse_with(what: &str, at: &Expr) -> Error {
    super::expr::unsupported(
        Refusal::Clause,
        format!("DISTINCT ON together with {what}"),
        at,
    )
}

/// The checks of a DISTINCT ON query before it is translated: the ORDER BY rule, and the refused
/// combinations (GROUP BY / aggregates / HAVING, window functions).
pub(crate) fn check<'e>(
    on: &[Expr],
    keys: &[SortKey],
    mut columns: impl Iterator<Item = &'e Expr>,
    grouped: bool,
    having: Option<&Expr>,
) -> Result<(), Error> {
    let Some(first) = on.first() else {
        return Err(Error::Invalid {
            message: "DISTINCT ON needs at least one expression".into(),
            position: super::Position::default(),
        });
    };
    if grouped || having.is_some() {
        return Err(refuse_with(
            "GROUP BY, HAVING or aggregates (PostgreSQL applies DISTINCT ON after grouping; group in a derived table)",
            first,
        ));
    }
    if let Some(w) = columns
        .find(|e| has_window(e))
        .or_else(|| keys.iter().map(|k| &k.expr).find(|e| has_window(e)))
    {
        return Err(refuse_with(
            "window functions (they would see only the rows DISTINCT ON keeps; compute them in a derived table)",
            w,
        ));
    }
    check_order(on, keys)
}

impl Translator {
    /// The stages that keep the first row (in `keys` order) of each group of equal `on` values.
    pub(crate) fn distinct_on_stages(
        &mut self,
        cx: &mut QueryContext,
        on: &[Expr],
        keys: &[SortKey],
        pipeline: &mut Vec<Document>,
    ) -> Result<(), Error> {
        let mut set = Document::new();
        let mut sort = Document::new();
        for (i, k) in keys.iter().enumerate() {
            let a = self.agg(cx, &k.expr)?;
            for (f, d) in super::query::sort_spec(&mut set, i, &a, k) {
                sort.insert(f, d);
            }
        }
        let mut id = Document::new();
        for (i, e) in on.iter().enumerate() {
            let a = self.agg(cx, e)?;
            let key = if a.nullable {
                ex::or_null(a.expr)
            } else {
                a.expr
            };
            id.insert(format!("g{i}"), key);
        }
        self.no_subquery_here(cx, "DISTINCT ON", expr_pos(&on[0]))?;
        let helpers: Vec<String> = set.keys().cloned().collect();
        if !set.is_empty() {
            pipeline.push(Stage::Set(set).into_document());
        }
        if !sort.is_empty() {
            pipeline.push(Stage::Sort(sort).into_document());
        }
        let mut accumulators = Document::new();
        accumulators.insert(ROW, Accumulator::First.of(ex::root()));
        pipeline.push(
            Stage::Group {
                id: Bson::Document(id),
                accumulators,
            }
            .into_document(),
        );
        pipeline.push(Stage::ReplaceRoot(ex::field(ROW).into()).into_document());
        if !helpers.is_empty() {
            pipeline.push(Stage::Unset(helpers).into_document());
        }
        Ok(())
    }
}
