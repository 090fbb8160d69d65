//! `a JOIN b ON a.k = b.k` keeps no row of `a` whose `k` is NULL: a top-level AND term of an inner join's ON
//! condition that is never TRUE when a column of the first table is NULL (a comparison `=`, `<>`, `<`, `<=`,
//! `>`, `>=` with the column as an operand, `IS NOT NULL`, `[NOT] IN (...)`, `[NOT] BETWEEN`, `[NOT] [I]LIKE`)
//! implies `column IS NOT NULL` on the rows of the first table that can join. That filter runs before the
//! `$lookup`s, with WHERE's conditions on the first table (PostgreSQL derives the same from its strict join
//! clauses): the rows it drops (anonymous sessions joined on `user_id`) are never read whole nor joined, and an
//! index on the column serves it.
//!
//! The filter is exact whatever the column holds: `{c: {$ne: null}}` for a column of a known scalar type (a
//! declared table), else `{$expr: {$ne: [{$ifNull: ["$c", null]}, null]}}` (a query-language `$ne: null` would
//! also drop an array holding a NULL element, which PostgreSQL's comparison may match).
//!
//! In: the FROM list the joins are planned from, and the translated column; out: the filters. Only the joins
//! of the first FROM item (its `JOIN ... ON`s), and nothing when a RIGHT or FULL join is among them (the first
//! table's rows may then be added back).

use super::anti_join::{has_right_or_full, qualified};
use super::expr::Kind;
use super::join_where::flatten_and;
use super::outer_join_reduce::{qualifier, strict_operands};
use super::{Error, Translator};
use crate::mql::expr as ex;
use crate::mql::filter::{Cond, Filter};
use crate::translate::context::QueryContext;
use bson::Bson;
use sqlparser::ast::{Expr, JoinConstraint, JoinOperator, TableWithJoins};

/// The first table's columns (as written, `q.c`) that an inner join's ON condition requires non-NULL, each
/// once, in text order.
pub(crate) fn required_columns(from: &[TableWithJoins]) -> Vec<Expr> {
    let mut out: Vec<Expr> = Vec::new();
    let Some(first) = from.first() else {
        return out;
    };
    if has_right_or_full(from) {
        return out;
    }
    let Some(root) = qualifier(&first.relation) else {
        return out;
    };
    for j in &first.joins {
        let on = match &j.join_operator {
            JoinOperator::Inner(JoinConstraint::On(on))
            | JoinOperator::Join(JoinConstraint::On(on)) => on,
            _ => continue,
        };
        let mut terms = Vec::new();
        flatten_and(on, &mut terms);
        for t in terms {
            for c in strict_operands(t) {
                let is_root = qualified(c).is_some_and(|(q, _)| q == root);
                let seen = out
                    .iter()
                    .any(|o| qualified(o).is_some() && qualified(o) == qualified(c));
                if is_root && !seen {
                    out.push(c.clone());
                }
            }
        }
    }
    out
}

impl Translator {
    /// The filters of [`required_columns`] (see the module documentation), translated with the join's scope
    /// (`cx.join` set); a column that is not a plain field of the first table gives none. `root_table`: the
    /// first table's collection when it is a declared table (its column types are then known).
    pub(crate) fn join_not_null_filters(
        &mut self,
        cx: &mut QueryContext,
        columns: &[Expr],
        root_table: Option<&str>,
    ) -> Result<Vec<Filter>, Error> {
        let mut out = Vec::new();
        for c in columns {
            let a = self.agg(cx, c)?;
            let Some(path) = ex::field_path_of(&a.expr).map(str::to_string) else {
                continue;
            };
            // Only a field at the root: the first table's own column, not a joined one.
            if path.starts_with("__j") {
                continue;
            }
            let declared = match (root_table, qualified(c)) {
                (Some(t), Some((_, column))) => self.declared_scalar(t, &column),
                _ => false,
            };
            let scalar = declared
                || matches!(
                    a.kind,
                    Kind::Bool | Kind::Int | Kind::Number | Kind::Text | Kind::Timestamp
                );
            out.push(if scalar {
                Filter::Field(path, Cond::Cmp(ex::Cmp::Ne, Bson::Null))
            } else {
                Filter::Expr(ex::not_null(a.expr))
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::{SetExpr, Statement};
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn required(sql: &str) -> Vec<String> {
        let stmts = Parser::parse_sql(&PostgreSqlDialect {}, sql).expect("parses");
        let Some(Statement::Query(q)) = stmts.first() else {
            panic!("a query")
        };
        let SetExpr::Select(s) = q.body.as_ref() else {
            panic!("a select")
        };
        required_columns(&s.from)
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn strict_terms_of_inner_joins_on_the_first_table() {
        assert_eq!(
            required("SELECT 1 FROM a JOIN b ON a.k = b.k AND b.x > 5"),
            ["a.k"]
        );
        assert_eq!(
            required(
                "SELECT 1 FROM s AS a INNER JOIN b ON b.k = A.k JOIN c ON c.y < a.y AND a.k = c.k"
            ),
            ["A.k", "a.y"]
        );
        assert_eq!(
            required("SELECT 1 FROM a JOIN b ON (a.k IN (1, 2)) AND a.t LIKE 'x%'"),
            ["a.k", "a.t"]
        );
        // Not strict (true or unknown on NULL), not a top-level AND term, or not an inner join's: none.
        for sql in [
            "SELECT 1 FROM a JOIN b ON a.k IS NOT DISTINCT FROM b.k",
            "SELECT 1 FROM a JOIN b ON a.k = b.k OR b.x = 1",
            "SELECT 1 FROM a JOIN b ON COALESCE(a.k, 0) = b.k",
            "SELECT 1 FROM a LEFT JOIN b ON a.k = b.k",
            "SELECT 1 FROM a JOIN b ON a.k = b.k RIGHT JOIN c ON c.k = b.k",
            "SELECT 1 FROM a JOIN b ON a.k = b.k FULL JOIN c ON c.k = b.k",
            "SELECT 1 FROM a CROSS JOIN b",
            "SELECT 1 FROM a JOIN b USING (k)",
            "SELECT 1 FROM a, b WHERE a.k = b.k",
        ] {
            assert!(required(sql).is_empty(), "{sql}");
        }
        // A LEFT JOIN's column beside: only the inner join's.
        assert_eq!(
            required("SELECT 1 FROM a LEFT JOIN b ON a.k = b.k JOIN c ON a.z = c.z"),
            ["a.z"]
        );
    }
}
