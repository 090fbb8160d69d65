//! WHERE conditions of a FROM made only of inner and cross joins moved into the ON condition of the join
//! that completes the tables they read: `FROM a JOIN b ON a.k = b.k WHERE a.s = b.s` joins on both columns
//! (one hash on the pair, not a bucket of every `k` match filtered afterwards), `FROM a CROSS JOIN c WHERE
//! c.p = 5` filters `c` once inside its `$lookup` instead of every pair, and `FROM a, c WHERE a.x = c.y` is
//! an equality join rather than a cross product filtered. For inner joins a WHERE term and an ON term mean
//! the same rows (PostgreSQL plans them alike); with an outer join anywhere in the FROM nothing moves.
//!
//! Only plain terms move: a top-level AND term that reads columns by qualified names (`t.c`) of tables
//! already joined, one of them the join's own table, and holds no subquery, aggregate, window or
//! parameter. The rest stays in WHERE (its first-table terms still run before the joins).

use sqlparser::ast::{BinaryOperator, Expr, TableWithJoins, Value};

/// The WHERE terms that may move into an ON condition (see the module documentation), or none when the
/// FROM holds an outer join or WHERE a subquery or an aggregate anywhere.
pub(crate) fn movable_terms(from: &[TableWithJoins], w: Option<&Expr>) -> Vec<Expr> {
    use sqlparser::ast::JoinOperator as J;
    let Some(w) = w else { return Vec::new() };
    let inner_only = from.iter().all(|t| {
        t.joins
            .iter()
            .all(|j| matches!(j.join_operator, J::Join(_) | J::Inner(_) | J::CrossJoin(_)))
    });
    if !inner_only || has_subquery(w) || super::aggregate::contains_aggregate(w) {
        return Vec::new();
    }
    let mut terms = Vec::new();
    flatten_and(w, &mut terms);
    terms.into_iter().filter(|t| plain(t)).cloned().collect()
}

/// The terms of `terms` not taken yet that read table `q` and only tables of `tables` (`q` among them):
/// marked taken and returned.
pub(crate) fn take_for(terms: &mut [(Expr, bool)], tables: &[String], q: &str) -> Vec<Expr> {
    let mut out = Vec::new();
    for (t, taken) in terms.iter_mut() {
        if *taken {
            continue;
        }
        let quals = qualifiers(t);
        if quals.iter().any(|x| x == q) && quals.iter().all(|x| tables.iter().any(|t| t == x)) {
            *taken = true;
            out.push(t.clone());
        }
    }
    out
}

/// `on AND t1 AND t2 ...` (just the terms without an ON condition).
pub(crate) fn and_all(on: Option<Expr>, terms: Vec<Expr>) -> Option<Expr> {
    let mut acc = on.map(|e| Expr::Nested(Box::new(e)));
    for t in terms {
        let t = Expr::Nested(Box::new(t));
        acc = Some(match acc {
            None => t,
            Some(a) => Expr::BinaryOp {
                left: Box::new(a),
                op: BinaryOperator::And,
                right: Box::new(t),
            },
        });
    }
    acc
}

/// The top-level AND operands of `e`.
pub(crate) fn flatten_and<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            flatten_and(left, out);
            flatten_and(right, out);
        }
        Expr::Nested(inner) => flatten_and(inner, out),
        other => out.push(other),
    }
}

/// Whether a term reads columns only through `t.c` names, and holds no parameter, function call with a
/// window, or unqualified name (which may be a USING column, an alias, or ambiguous).
fn plain(e: &Expr) -> bool {
    let mut any_column = false;
    let bad = super::visit::any_outside_subqueries(e, |x| match x {
        Expr::CompoundIdentifier(parts) => {
            any_column = true;
            parts.len() != 2
        }
        Expr::Value(v) => matches!(v.value, Value::Placeholder(_)),
        Expr::Identifier(_) => true,
        Expr::Function(f) => f.over.is_some(),
        _ => false,
    });
    !bad && any_column
}

/// The qualifiers of the `t.c` names a term reads.
fn qualifiers(e: &Expr) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    super::visit::any_outside_subqueries(e, |x| {
        if let Expr::CompoundIdentifier(parts) = x {
            if let Some(q) = parts.first() {
                if !out.contains(&q.value) {
                    out.push(q.value.clone());
                }
            }
        }
        false
    });
    out
}

fn has_subquery(e: &Expr) -> bool {
    use std::ops::ControlFlow;
    sqlparser::ast::visit_expressions(e, |x| match x {
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}
