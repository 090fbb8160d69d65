//! `a LEFT JOIN b ON ... WHERE b.c > 5` is an inner join (PostgreSQL's `reduce_outer_joins`): a top-level AND
//! term of WHERE that is never TRUE when `b.c` is NULL (a comparison `=`, `<>`, `<`, `<=`, `>`, `>=` with
//! `b.c` as an operand, `b.c IS NOT NULL`, `b.c [NOT] IN (...)`, `b.c [NOT] BETWEEN ...`, `b.c [NOT] [I]LIKE
//! ...`) drops every row the LEFT JOIN adds with `b`'s columns NULL, so the rows left are the inner join's.
//! As an inner join its ON condition and those WHERE terms probe and filter inside the `$lookup`
//! (join_where.rs) instead of joining every row and filtering the product.
//!
//! In: the FROM list and the WHERE condition; out: the FROM list with such LEFT JOINs written as inner joins,
//! or `None` when nothing changes. A FROM with a RIGHT or FULL join is left alone (as the anti-join does).

use super::anti_join::{folded, has_right_or_full, qualified};
use super::join_where::flatten_and;
use sqlparser::ast::{
    BinaryOperator, Expr, JoinOperator, ObjectNamePart, TableFactor, TableWithJoins,
};

/// The FROM list with every LEFT JOIN whose table a WHERE term rejects NULLs of written as an inner join;
/// `None` when there is none.
pub(crate) fn reduce(from: &[TableWithJoins], w: Option<&Expr>) -> Option<Vec<TableWithJoins>> {
    let w = w?;
    if has_right_or_full(from) {
        return None;
    }
    let mut terms = Vec::new();
    flatten_and(w, &mut terms);
    let strict: Vec<String> = terms.iter().filter_map(|t| strict_qualifier(t)).collect();
    if strict.is_empty() {
        return None;
    }
    let mut out = from.to_vec();
    let mut changed = false;
    for twj in &mut out {
        for j in &mut twj.joins {
            let constraint = match &j.join_operator {
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => c.clone(),
                _ => continue,
            };
            if qualifier(&j.relation).is_some_and(|q| strict.contains(&q)) {
                j.join_operator = JoinOperator::Inner(constraint);
                changed = true;
            }
        }
    }
    changed.then_some(out)
}

/// The qualifier `q` of a term that is not TRUE when `q.c` is NULL (see the module documentation): its
/// first qualified strict operand's.
fn strict_qualifier(t: &Expr) -> Option<String> {
    strict_operands(t)
        .into_iter()
        .find_map(|e| qualified(e).map(|(q, _)| q))
}

/// The operands of a top-level AND term that make it not TRUE when they are NULL: both sides of a comparison
/// `=`, `<>`, `<`, `<=`, `>`, `>=`, the operand of `IS NOT NULL`, `[NOT] IN (list)`, `[NOT] BETWEEN`, `[NOT]
/// [I]LIKE`; none for any other term.
pub(super) fn strict_operands(t: &Expr) -> Vec<&Expr> {
    match t {
        Expr::Nested(x) => strict_operands(x),
        Expr::BinaryOp {
            left,
            op:
                BinaryOperator::Eq
                | BinaryOperator::NotEq
                | BinaryOperator::Lt
                | BinaryOperator::LtEq
                | BinaryOperator::Gt
                | BinaryOperator::GtEq,
            right,
        } => vec![left.as_ref(), right.as_ref()],
        Expr::IsNotNull(x) => vec![x.as_ref()],
        Expr::InList { expr, .. } | Expr::Between { expr, .. } => vec![expr.as_ref()],
        Expr::Like { expr, .. } | Expr::ILike { expr, .. } => vec![expr.as_ref()],
        _ => Vec::new(),
    }
}

/// The name a FROM item's columns are qualified by: its alias, else a table's own name.
pub(super) fn qualifier(t: &TableFactor) -> Option<String> {
    match t {
        TableFactor::Table { alias: Some(a), .. } | TableFactor::Derived { alias: Some(a), .. } => {
            Some(folded(&a.name))
        }
        TableFactor::Table {
            name, alias: None, ..
        } => match name.0.last() {
            Some(ObjectNamePart::Identifier(i)) => Some(folded(i)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::{SetExpr, Statement};
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn kinds(sql: &str) -> Option<Vec<&'static str>> {
        let stmts = Parser::parse_sql(&PostgreSqlDialect {}, sql).expect("parses");
        let Some(Statement::Query(q)) = stmts.first() else {
            panic!("a query")
        };
        let SetExpr::Select(s) = q.body.as_ref() else {
            panic!("a select")
        };
        reduce(&s.from, s.selection.as_ref()).map(|f| {
            f.iter()
                .flat_map(|t| &t.joins)
                .map(|j| match j.join_operator {
                    JoinOperator::Inner(_) | JoinOperator::Join(_) => "inner",
                    JoinOperator::Left(_) | JoinOperator::LeftOuter(_) => "left",
                    _ => "other",
                })
                .collect()
        })
    }

    #[test]
    fn null_rejecting_where_terms_make_left_joins_inner() {
        let base = "SELECT 1 FROM a LEFT JOIN b ON a.k = b.k LEFT JOIN c ON c.k = a.k";
        assert_eq!(
            kinds(&format!("{base} WHERE b.x > 5")),
            Some(vec!["inner", "left"])
        );
        assert_eq!(
            kinds(&format!("{base} WHERE 5 <= C.x AND a.y = 1")),
            Some(vec!["left", "inner"])
        );
        assert_eq!(
            kinds(&format!("{base} WHERE b.x IS NOT NULL AND c.z LIKE 'p%'")),
            Some(vec!["inner", "inner"])
        );
        assert_eq!(
            kinds(&format!("{base} WHERE (b.x IN (1, 2))")),
            Some(vec!["inner", "left"])
        );
        // Terms true on NULL, under OR / NOT, or on the first table: nothing changes.
        for w in [
            "b.x IS NULL",
            "b.x IS DISTINCT FROM 5",
            "b.x > 5 OR a.y = 1",
            "COALESCE(b.x, 0) = 0",
            "a.x > 5",
            "x > 5",
        ] {
            assert_eq!(kinds(&format!("{base} WHERE {w}")), None, "{w}");
        }
        assert_eq!(kinds(base), None);
        // An alias names the table; RIGHT / FULL joins are left alone.
        assert_eq!(
            kinds("SELECT 1 FROM a LEFT JOIN bt AS q ON a.k = q.k WHERE q.v = 1"),
            Some(vec!["inner"])
        );
        assert_eq!(
            kinds(
                "SELECT 1 FROM a LEFT JOIN b ON a.k = b.k RIGHT JOIN c ON c.k = a.k WHERE b.x = 1"
            ),
            None
        );
    }
}
