//! A nested EXISTS correlated two levels up, with its two existential quantifiers swapped.
//!
//! In: the subquery of an `EXISTS (...)`. Out: an equivalent subquery whose levels are each correlated to the
//! level just outside it, or `None` when the shape is not the one below (the subquery is then translated as
//! written). Depends on sqlparser's AST only.
//!
//! ```text
//! EXISTS (SELECT .. FROM t1 c WHERE A(c) AND EXISTS (SELECT .. FROM t2 o WHERE B_o(o, s) AND B_c(o, c)))
//!   ==  EXISTS (SELECT .. FROM t2 o WHERE B_o(o, s) AND EXISTS (SELECT .. FROM t1 c WHERE A(c) AND B_c(o, c)))
//! ```
//! `s` is a table of the enclosing query. Written as a nested loop, the inner level reads `s` and must run once
//! per outer row and `c` row; swapped, the inner level reads only `o` (a hash semi-join of `o` against `c`)
//! and the outer level compares `o` with `s` (a hash semi-join of `s` against the `o` rows that pass).
//!
//! Why it is exact: a row passes a WHERE when its condition is TRUE, and an AND is TRUE exactly when every
//! conjunct is TRUE, so both sides say "some pair (c, o) makes A, B_o and B_c all TRUE" (NULLs make a conjunct
//! NULL, never TRUE, on both sides); existential quantifiers commute. It holds for NOT EXISTS too (the same
//! predicate, negated). What must hold for that reading (else `None`):
//! - both levels are a plain SELECT of one table (no join, GROUP BY, HAVING, aggregate, DISTINCT, LIMIT,
//!   OFFSET, window, WITH, set operation): a level yields a row for each row of its table passing its WHERE;
//!   the SELECT list is constants and column references only (EXISTS reads none of it);
//! - the inner EXISTS is one conjunct of the first level's WHERE (not under OR / NOT);
//! - every column reference in both WHEREs is qualified (`alias.column`), the two levels' names differ, and no
//!   other subquery appears: which level a conjunct reads is then plain, and moving it keeps its meaning;
//! - A reads `c` only, and the conjuncts moved inward read only `c` and `o` (else nothing is gained).
//!
//! When the outer level's one reference to the enclosing query is an equality `o.col = x`, the swapped EXISTS
//! is planned as a probe of an uncorrelated subquery ([`Swapped::probe`]): `x` not NULL and equal to a row of
//! `SELECT o.col FROM t2 o WHERE <the rest>`. That subquery's stages (the inner semi-join included) then run
//! once per statement, not once per row of the enclosing query.

use super::join_where::flatten_and;
use sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, Ident, Query, Select, SelectFlavor, SelectItem, SetExpr,
    TableFactor, TableWithJoins, Visit, Visitor,
};
use std::ops::ControlFlow;

/// A nested EXISTS with its levels swapped.
pub(crate) struct Swapped {
    /// The swapped subquery.
    pub query: Query,
    /// When the outer level's only reference to the enclosing query is one equality `o.col = x`: `x` and
    /// the uncorrelated `SELECT o.col FROM t2 o WHERE <the other conjuncts>` (module doc).
    pub probe: Option<(Expr, Query)>,
}

/// The swapped form of `q` (an EXISTS subquery), or `None` when it is not the shape of the module doc.
pub(crate) fn swap_nested_exists(q: &Query) -> Option<Swapped> {
    let outer_sel = plain_select(q)?;
    let c = table_name(&outer_sel.from)?;
    let mut a_parts = Vec::new();
    flatten_and(outer_sel.selection.as_ref()?, &mut a_parts);
    // Exactly one conjunct is an EXISTS; the others are A.
    let mut inner: Option<&Query> = None;
    let mut a: Vec<Expr> = Vec::new();
    for p in a_parts {
        match p {
            Expr::Exists {
                subquery,
                negated: false,
            } if inner.is_none() => inner = Some(subquery),
            other => a.push(other.clone()),
        }
    }
    let inner = inner?;
    let inner_sel = plain_select(inner)?;
    let o = table_name(&inner_sel.from)?;
    if same_name(&c, &o) {
        return None;
    }
    let mut b_parts = Vec::new();
    flatten_and(inner_sel.selection.as_ref()?, &mut b_parts);
    let mut b_o: Vec<Expr> = Vec::new();
    let mut b_c: Vec<Expr> = Vec::new();
    for p in b_parts {
        let q = qualifiers(p)?;
        if q.iter().any(|n| same_name(n, &c)) {
            if !q.iter().all(|n| same_name(n, &c) || same_name(n, &o)) {
                return None;
            }
            b_c.push(p.clone());
        } else {
            b_o.push(p.clone());
        }
    }
    for p in &a {
        if !qualifiers(p)?.iter().all(|n| same_name(n, &c)) {
            return None;
        }
    }
    // Nothing to gain unless the inner level reads the enclosing query.
    let reads_enclosing = b_o
        .iter()
        .any(|p| qualifiers(p).is_some_and(|q| q.iter().any(|n| !same_name(n, &o))));
    if !reads_enclosing {
        return None;
    }
    // The new inner level: the first level's table, A and the conjuncts reading c.
    let mut new_inner = q.clone();
    let mut sel = outer_sel.clone();
    a.extend(b_c);
    sel.selection = and_all(a);
    *new_inner.body = SetExpr::Select(Box::new(sel));
    let exists = Expr::Exists {
        subquery: Box::new(new_inner),
        negated: false,
    };
    let probe = probe_of(inner, inner_sel, &o, &b_o, &exists);
    // The new outer level: the second level's table, the conjuncts reading o (and s), and EXISTS (new inner).
    let mut new_outer = inner.clone();
    let mut sel = inner_sel.clone();
    b_o.push(exists);
    sel.selection = and_all(b_o);
    *new_outer.body = SetExpr::Select(Box::new(sel));
    Some(Swapped {
        query: new_outer,
        probe,
    })
}

/// `EXISTS (SELECT .. FROM t2 o WHERE o.col = x AND R(o))`, R reading only `o` (and the new inner EXISTS,
/// which reads only `o`), is TRUE exactly when some row of `SELECT o.col FROM t2 o WHERE R(o)` equals a
/// non-NULL `x` (an `=` is TRUE only between two non-NULL equal values), and FALSE otherwise: an uncorrelated
/// subquery probed by `x`. `None` when the conjuncts are not that shape.
fn probe_of(
    inner: &Query,
    inner_sel: &Select,
    o: &Ident,
    b_o: &[Expr],
    exists: &Expr,
) -> Option<(Expr, Query)> {
    let reads_only_o = |e: &Expr| {
        qualifiers(e).is_some_and(|q| !q.is_empty() && q.iter().all(|n| same_name(n, o)))
    };
    let mut probe: Option<(Expr, Expr)> = None;
    let mut rest: Vec<Expr> = Vec::new();
    for p in b_o {
        if reads_only_o(p) {
            rest.push(p.clone());
            continue;
        }
        let Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } = p
        else {
            return None;
        };
        let outer_side = |e: &Expr| {
            qualifiers(e).is_some_and(|q| !q.is_empty() && q.iter().all(|n| !same_name(n, o)))
        };
        let column = |e: &Expr| {
            matches!(e, Expr::CompoundIdentifier(parts) if parts.len() == 2) && reads_only_o(e)
        };
        let pair = if column(left) && outer_side(right) {
            ((**left).clone(), (**right).clone())
        } else if column(right) && outer_side(left) {
            ((**right).clone(), (**left).clone())
        } else {
            return None;
        };
        if probe.replace(pair).is_some() {
            return None;
        }
    }
    let (col, x) = probe?;
    rest.push(exists.clone());
    let mut q = inner.clone();
    let mut sel = inner_sel.clone();
    sel.projection = vec![SelectItem::UnnamedExpr(col)];
    sel.selection = and_all(rest);
    *q.body = SetExpr::Select(Box::new(sel));
    Some((x, q))
}

/// The query's SELECT when the query is a plain one-table SELECT (module doc).
fn plain_select(q: &Query) -> Option<&Select> {
    let plain_query = q.with.is_none()
        && q.order_by.is_none()
        && q.limit_clause.is_none()
        && q.fetch.is_none()
        && q.locks.is_empty()
        && q.for_clause.is_none()
        && q.settings.is_none()
        && q.format_clause.is_none()
        && q.pipe_operators.is_empty();
    let SetExpr::Select(s) = q.body.as_ref() else {
        return None;
    };
    let no_grouping =
        matches!(&s.group_by, GroupByExpr::Expressions(g, m) if g.is_empty() && m.is_empty());
    let plain = plain_query
        && no_grouping
        && s.optimizer_hints.is_empty()
        && s.distinct.is_none()
        && s.select_modifiers.is_none()
        && s.top.is_none()
        && s.exclude.is_none()
        && s.into.is_none()
        && s.lateral_views.is_empty()
        && s.prewhere.is_none()
        && s.connect_by.is_empty()
        && s.cluster_by.is_empty()
        && s.distribute_by.is_empty()
        && s.sort_by.is_empty()
        && s.having.is_none()
        && s.named_window.is_empty()
        && s.qualify.is_none()
        && s.value_table_mode.is_none()
        && matches!(s.flavor, SelectFlavor::Standard)
        && s.projection.iter().all(|i| match i {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                matches!(
                    e,
                    Expr::Value(_) | Expr::Identifier(_) | Expr::CompoundIdentifier(_)
                )
            }
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => true,
            SelectItem::ExprWithAliases { .. } => false,
        });
    plain.then_some(s.as_ref())
}

/// The name a one-table FROM is referred to by: its alias, else the table's last name part.
fn table_name(from: &[TableWithJoins]) -> Option<Ident> {
    let [t] = from else { return None };
    if !t.joins.is_empty() {
        return None;
    }
    let TableFactor::Table {
        name,
        alias,
        args: None,
        with_hints,
        version: None,
        with_ordinality: false,
        partitions,
        json_path: None,
        sample: None,
        index_hints,
    } = &t.relation
    else {
        return None;
    };
    if !with_hints.is_empty() || !partitions.is_empty() || !index_hints.is_empty() {
        return None;
    }
    match alias {
        Some(a) if a.columns.is_empty() => Some(a.name.clone()),
        Some(_) => None,
        None => name.0.last()?.as_ident().cloned(),
    }
}

/// Whether two names refer to the same table (unquoted names fold to lower case, as PostgreSQL does).
fn same_name(a: &Ident, b: &Ident) -> bool {
    let fold = |i: &Ident| match i.quote_style {
        None => i.value.to_lowercase(),
        Some(_) => i.value.clone(),
    };
    fold(a) == fold(b)
}

/// The table names an expression's column references are qualified by; `None` when one is unqualified
/// (or longer than `table.column`) or the expression holds a subquery.
fn qualifiers(e: &Expr) -> Option<Vec<Ident>> {
    struct Names(Vec<Ident>);
    impl Visitor for Names {
        type Break = ();
        fn pre_visit_query(&mut self, _q: &Query) -> ControlFlow<()> {
            ControlFlow::Break(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match e {
                Expr::Identifier(_) => ControlFlow::Break(()),
                Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                    [t, _] => {
                        self.0.push(t.clone());
                        ControlFlow::Continue(())
                    }
                    _ => ControlFlow::Break(()),
                },
                _ => ControlFlow::Continue(()),
            }
        }
    }
    let mut names = Names(Vec::new());
    match e.visit(&mut names) {
        ControlFlow::Break(()) => None,
        ControlFlow::Continue(()) => Some(names.0),
    }
}

/// `p1 AND p2 AND ...`; `None` for no conjunct.
fn and_all(parts: Vec<Expr>) -> Option<Expr> {
    parts.into_iter().reduce(|l, r| Expr::BinaryOp {
        left: Box::new(l),
        op: BinaryOperator::And,
        right: Box::new(r),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn exists_query(sql: &str) -> Query {
        let stmt = Parser::parse_sql(
            &PostgreSqlDialect {},
            &format!("SELECT 1 WHERE EXISTS ({sql})"),
        )
        .expect("parses")
        .remove(0);
        let sqlparser::ast::Statement::Query(q) = stmt else {
            panic!("query")
        };
        let SetExpr::Select(s) = *q.body else {
            panic!("select")
        };
        let Some(Expr::Exists { subquery, .. }) = s.selection else {
            panic!("exists")
        };
        *subquery
    }

    fn swapped(sql: &str) -> Option<String> {
        swap_nested_exists(&exists_query(sql)).map(|s| s.query.to_string())
    }

    fn probe(sql: &str) -> Option<(String, String)> {
        swap_nested_exists(&exists_query(sql))?
            .probe
            .map(|(x, q)| (x.to_string(), q.to_string()))
    }

    #[test]
    fn one_equality_with_the_enclosing_query_is_a_probe() {
        let sql = "SELECT 1 FROM a c WHERE c.h > 1 AND EXISTS (SELECT 1 FROM b o WHERE s.u = o.u AND o.p = c.p AND o.q > 0)";
        assert_eq!(
            probe(sql),
            Some((
                "s.u".to_string(),
                "SELECT o.u FROM b o WHERE o.q > 0 AND EXISTS (SELECT 1 FROM a c WHERE c.h > 1 AND o.p = c.p)"
                    .to_string()
            ))
        );
        for sql in [
            "SELECT 1 FROM a c WHERE EXISTS (SELECT 1 FROM b o WHERE o.u = s.u AND o.v = s.v AND o.p = c.p)",
            "SELECT 1 FROM a c WHERE EXISTS (SELECT 1 FROM b o WHERE o.u > s.u AND o.p = c.p)",
            "SELECT 1 FROM a c WHERE EXISTS (SELECT 1 FROM b o WHERE o.u + 1 = s.u AND o.p = c.p)",
            "SELECT 1 FROM a c WHERE EXISTS (SELECT 1 FROM b o WHERE o.u = s.u + o.v AND o.p = c.p)",
        ] {
            assert!(swapped(sql).is_some(), "{sql}");
            assert_eq!(probe(sql), None, "{sql}");
        }
    }

    #[test]
    fn two_levels_up_is_swapped() {
        assert_eq!(
            swapped(
                "SELECT 1 FROM application_cache c WHERE c.hit_count > 100 AND EXISTS (SELECT 1 FROM \
                 user_sessions o WHERE o.user_id = s.user_id AND o.page_views = c.priority)"
            )
            .as_deref(),
            Some(
                "SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND EXISTS (SELECT 1 FROM \
                 application_cache c WHERE c.hit_count > 100 AND o.page_views = c.priority)"
            )
        );
    }

    #[test]
    fn other_shapes_are_left_alone() {
        for sql in [
            // Correlated one level only: nothing to gain.
            "SELECT 1 FROM a c WHERE EXISTS (SELECT 1 FROM b o WHERE o.k = c.k)",
            // NOT EXISTS inside, EXISTS under OR, an unqualified column, an aggregate, a LIMIT, a join.
            "SELECT 1 FROM a c WHERE NOT EXISTS (SELECT 1 FROM b o WHERE o.k = s.k AND o.j = c.j)",
            "SELECT 1 FROM a c WHERE c.x > 1 OR EXISTS (SELECT 1 FROM b o WHERE o.k = s.k AND o.j = c.j)",
            "SELECT 1 FROM a c WHERE EXISTS (SELECT 1 FROM b o WHERE k = s.k AND o.j = c.j)",
            "SELECT COUNT(*) FROM a c WHERE EXISTS (SELECT 1 FROM b o WHERE o.k = s.k AND o.j = c.j)",
            "SELECT 1 FROM a c WHERE EXISTS (SELECT 1 FROM b o WHERE o.k = s.k AND o.j = c.j LIMIT 0)",
            "SELECT 1 FROM a c JOIN d ON true WHERE EXISTS (SELECT 1 FROM b o WHERE o.k = s.k AND o.j = c.j)",
            // A conjunct reading c and the enclosing query, A reading the enclosing query, one name twice.
            "SELECT 1 FROM a c WHERE EXISTS (SELECT 1 FROM b o WHERE o.k = s.k AND c.j = s.j)",
            "SELECT 1 FROM a c WHERE c.x = s.x AND EXISTS (SELECT 1 FROM b o WHERE o.k = s.k AND o.j = c.j)",
            "SELECT 1 FROM a x WHERE EXISTS (SELECT 1 FROM b X WHERE X.k = s.k)",
        ] {
            assert_eq!(swapped(sql), None, "{sql}");
        }
    }
}
