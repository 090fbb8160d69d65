//! The scope of one query level ([`QueryContext`]), kept apart from the statement-wide state of the
//! [`Translator`] (parameters, notes, depth, CTEs and enclosing frames, counters).
//!
//! Every query level — the statement's query, a CTE body, a derived table, a subquery, one side of a set
//! operation — is translated in a context of its own, passed explicitly as `cx: &mut QueryContext` to every
//! function that reads or sets it (as DataFusion passes its `PlannerContext`): [`Translator::in_child_query`]
//! hands the nested query a fresh context, and the borrow checker, not a save / restore, keeps the levels
//! apart. Everything a query level sets (its tables, FROM qualifiers, join / GROUP BY / window scopes, pending subquery stages) is a field
//! here, so a field added later is scoped with the others: nothing can leak from a subquery into the query
//! around it, or the other way (the enclosing query is seen only through `rel.outer` frames, built
//! explicitly by `subquery.rs` / `cte/`).

use super::aggregate::GroupScope;
use super::cte::Binding;
use super::join::JoinScope;
use super::window::WindowScope;
use super::{Error, Position, Translator};
use crate::translate::Refusal;
use bson::Document;

/// The state of the query level being translated (like DataFusion's `PlannerContext`).
#[derive(Debug, Default)]
pub(crate) struct QueryContext {
    /// Table names and aliases usable as qualifiers that are dropped from column references (`s.user_id`).
    pub tables: Vec<String>,
    /// Qualifiers of the current FROM (`cte/`).
    pub scope: Vec<Binding>,
    /// Column resolution of a query with joins (`join.rs`).
    pub join: Option<JoinScope>,
    /// GROUP BY scope: set while the SELECT list / HAVING / ORDER BY of a grouped query translate.
    pub group: Option<GroupScope>,
    /// The SELECT list / HAVING / ORDER BY of a grouped query is being translated (also inside aggregate
    /// arguments, where `group` is taken).
    pub grouped_phase: bool,
    /// Window calls of the current SELECT and their fields (`window/`).
    pub windows: Option<WindowScope>,
    /// `$lookup` stages of subqueries translated but not yet placed in a pipeline (`subquery.rs`).
    pub pending: Vec<Document>,
    /// Set-returning calls of the SELECT list (`unnest(...)`, `srf.rs`): the call as written and the field
    /// holding its current element.
    pub srfs: Vec<(String, String)>,
    /// The `q.c IS NULL` top-level WHERE terms of the SELECT whose FROM is being planned, taken by
    /// `plan_from` (`anti_join.rs`).
    pub where_is_null: Vec<(String, String)>,
    /// The WHERE terms of the SELECT whose FROM is being planned that may move into an inner join's ON
    /// condition, taken by `plan_from` (`join_where.rs`).
    pub where_to_on: Vec<sqlparser::ast::Expr>,
    /// The WHERE terms `plan_from` moved into ON conditions: `where_filters` leaves them out.
    pub where_moved: Vec<sqlparser::ast::Expr>,
    /// How this level's SELECT list hands out intervals (set by the level's reader, taken by the SELECT or set
    /// operation that produces the rows).
    pub intervals: Intervals,
    /// The SELECT whose FROM is being planned names its columns (no `*`): a joined CTE's or derived table's
    /// interval columns stay documents, typed through `JoinTable::intervals` (`join.rs`), instead of their
    /// text.
    pub join_intervals_typed: bool,
}

/// How a query level's output columns hold intervals.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intervals {
    /// As PostgreSQL's text, formatted by the pipeline (a level whose reader knows no interval: a subquery, a
    /// view body).
    #[default]
    Text,
    /// The statement's result, returned to the client: a computed interval is its `{months, days, micros}`
    /// document, printed by the row layer (`OutputColumn::interval`); a constant is its text.
    Client,
    /// Read by the query around it (a set-operation side, a CTE, a derived table): every interval column, a
    /// constant too, is its document and flagged `OutputColumn::interval`, so the reader orders and compares
    /// it by PostgreSQL's span and prints it only at the end.
    Values,
}

impl Translator {
    /// Translates a nested query (CTE body, derived table, subquery, set-operation side) with `f` in a fresh
    /// context of its own (`f`'s `cx`, which shadows the caller's): what `f` sets there ends with it, and the
    /// enclosing query's context is out of `f`'s reach unless `f` names it. Subquery stages the nested query left unplaced are refused (a `$lookup` nobody runs
    /// would read as an empty subquery), as they are at the statement's end.
    pub(crate) fn in_child_query<T>(
        &mut self,
        f: impl FnOnce(&mut Translator, &mut QueryContext) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut child = QueryContext::default();
        let out = f(self, &mut child)?;
        child.refuse_unplaced()?;
        Ok(out)
    }
}

impl QueryContext {
    /// Refuses a query level that left subquery stages unplaced (`pending`): a `$lookup` nobody runs would
    /// read as an empty subquery.
    pub(crate) fn refuse_unplaced(&self) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        Err(Error::Unsupported {
            kind: Refusal::Subquery,
            construct: "subquery in this position".into(),
            position: Position::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_query_starts_empty() {
        let mut t = Translator::default();
        let mut cx = QueryContext::default();
        cx.tables.push("outer".into());
        cx.grouped_phase = true;
        let seen = t
            .in_child_query(|_, cx| {
                let empty = cx.tables.is_empty() && !cx.grouped_phase && cx.pending.is_empty();
                cx.tables.push("inner".into());
                cx.grouped_phase = true;
                Ok(empty)
            })
            .unwrap();
        assert!(seen, "the child inherited the parent's query state");
        assert_eq!(cx.tables, vec!["outer".to_string()]);
        assert!(cx.grouped_phase);
    }

    #[test]
    fn unplaced_subquery_stages_of_a_child_are_refused() {
        let mut t = Translator::default();
        let r = t.in_child_query(|_, cx| {
            cx.pending.push(bson::doc! {"$lookup": {}});
            Ok(())
        });
        assert!(
            matches!(&r, Err(Error::Unsupported { construct, .. }) if construct.contains("subquery")),
            "{r:?}"
        );
    }
}
