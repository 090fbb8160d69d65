//! Walks over the expressions of one query level: a subquery's expressions belong to that subquery (its
//! aggregates, window calls and columns are its own), so the walk does not show them.

use sqlparser::ast::{Expr, Query, Visit, Visitor};
use std::ops::ControlFlow;

/// What to do at each expression of one query level, before and after its children.
pub(crate) trait LevelVisitor {
    /// Called before the children of `e`; `Break` ends the walk.
    fn pre(&mut self, e: &Expr) -> ControlFlow<()>;
    /// Called after the children of `e`.
    fn post(&mut self, _e: &Expr) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Adapts a [`LevelVisitor`] to sqlparser's visitor, counting how many subqueries deep the walk is.
struct OutsideSubqueries<'a, V> {
    depth: usize,
    visitor: &'a mut V,
}

impl<V: LevelVisitor> Visitor for OutsideSubqueries<'_, V> {
    type Break = ();
    fn pre_visit_query(&mut self, _q: &Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }
    fn post_visit_query(&mut self, _q: &Query) -> ControlFlow<()> {
        self.depth = self.depth.saturating_sub(1);
        ControlFlow::Continue(())
    }
    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        self.visitor.pre(e)
    }
    fn post_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        self.visitor.post(e)
    }
}

/// Walks `e` with `visitor`, skipping what is inside subqueries; `Break` when the visitor stopped it.
pub(crate) fn outside_subqueries<V: LevelVisitor>(e: &Expr, visitor: &mut V) -> ControlFlow<()> {
    e.visit(&mut OutsideSubqueries { depth: 0, visitor })
}

/// Whether some expression of `e`'s own query level satisfies `test`.
pub(crate) fn any_outside_subqueries(e: &Expr, test: impl FnMut(&Expr) -> bool) -> bool {
    struct Any<F>(F);
    impl<F: FnMut(&Expr) -> bool> LevelVisitor for Any<F> {
        fn pre(&mut self, e: &Expr) -> ControlFlow<()> {
            if (self.0)(e) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    outside_subqueries(e, &mut Any(test)).is_break()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(sql: &str) -> Expr {
        let stmt = crate::sql::parse(&format!("SELECT {sql}"))
            .expect("parse")
            .remove(0)
            .0;
        let crate::sql::Statement::Sql(stmt) = stmt else {
            panic!("a query")
        };
        let sqlparser::ast::Statement::Query(q) = *stmt else {
            panic!("a query")
        };
        let sqlparser::ast::SetExpr::Select(s) = *q.body else {
            panic!("a select")
        };
        match &s.projection[0] {
            sqlparser::ast::SelectItem::UnnamedExpr(e) => e.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn subqueries_are_not_walked() {
        let is_a = |e: &Expr| matches!(e, Expr::Identifier(i) if i.value == "a");
        assert!(any_outside_subqueries(&expr("1 + a"), is_a));
        assert!(!any_outside_subqueries(
            &expr("1 + (SELECT a FROM t)"),
            is_a
        ));
        assert!(!any_outside_subqueries(
            &expr("EXISTS (SELECT 1 FROM t WHERE a = 1)"),
            is_a
        ));
        assert!(any_outside_subqueries(
            &expr("a IN (SELECT b FROM t)"),
            is_a
        ));
    }
}
