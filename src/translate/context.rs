//! The scope of one query level ([`QueryContext`]), kept apart from the statement-wide state of the
//! [`Translator`] (parameters, notes, depth, CTEs and enclosing frames, counters).
//!
//! Every query level — the statement's query, a CTE body, a derived table, a subquery, one side of a set
//! operation — is translated in a context of its own: [`Translator::in_child_query`] gives the nested query a
//! fresh context and puts the enclosing one back afterwards, whatever the outcome. Everything a query level
//! sets (its tables, FROM qualifiers, join / GROUP BY / window scopes, pending subquery stages) is a field
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
}

impl QueryContext {
    /// The context a query nested in this one starts with: nothing of the enclosing level is inherited (the
    /// enclosing query's columns are reached through `rel.outer` frames, which the caller pushes).
    pub(crate) fn child(&self) -> QueryContext {
        QueryContext::default()
    }
}

impl Translator {
    /// Translates a nested query (CTE body, derived table, subquery, set-operation side) with `f` in a child
    /// context, then restores the enclosing query's context. Subquery stages the nested query left unplaced are
    /// refused (a `$lookup` nobody runs would read as an empty subquery), as they are at the statement's end.
    pub(crate) fn in_child_query<T>(
        &mut self,
        f: impl FnOnce(&mut Translator) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let child = self.cx.child();
        let parent = std::mem::replace(&mut self.cx, child);
        let result = f(self);
        let child = std::mem::replace(&mut self.cx, parent);
        let out = result?;
        if !child.pending.is_empty() {
            return Err(Error::Unsupported {
                kind: Refusal::Subquery,
                construct: "subquery in this position".into(),
                position: Position::default(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_query_starts_empty_and_the_parent_is_restored() {
        let mut t = Translator::default();
        t.cx.tables.push("outer".into());
        t.cx.grouped_phase = true;
        t.cx.pending.push(bson::doc! {"$lookup": {}});
        let seen = t
            .in_child_query(|t| {
                let empty =
                    t.cx.tables.is_empty() && !t.cx.grouped_phase && t.cx.pending.is_empty();
                t.cx.tables.push("inner".into());
                t.cx.grouped_phase = true;
                Ok(empty)
            })
            .unwrap();
        assert!(seen, "the child inherited the parent's query state");
        assert_eq!(t.cx.tables, vec!["outer".to_string()]);
        assert!(t.cx.grouped_phase);
        assert_eq!(t.cx.pending.len(), 1);
    }

    #[test]
    fn the_parent_is_restored_after_an_error() {
        let mut t = Translator::default();
        t.cx.tables.push("outer".into());
        let r: Result<(), Error> = t.in_child_query(|t| {
            t.cx.tables.push("inner".into());
            Err(Error::Internal("x".into()))
        });
        assert!(r.is_err());
        assert_eq!(t.cx.tables, vec!["outer".to_string()]);
    }

    #[test]
    fn unplaced_subquery_stages_of_a_child_are_refused() {
        let mut t = Translator::default();
        let r = t.in_child_query(|t| {
            t.cx.pending.push(bson::doc! {"$lookup": {}});
            Ok(())
        });
        assert!(
            matches!(&r, Err(Error::Unsupported { construct, .. }) if construct.contains("subquery")),
            "{r:?}"
        );
        assert!(t.cx.pending.is_empty(), "the child's stages leaked");
    }
}
