//! `CHECK (...)` constraints of `CREATE TABLE` (column and table level) -> the collection validator: beside
//! the `$jsonSchema` of the declared types, an `$expr` that rejects a row for which a check is FALSE. As in
//! PostgreSQL, a check that is NULL (unknown) passes: the validator tests the FALSE form of each check
//! (`nulls::Pred`), never "not TRUE". Every insert and update is validated by the server (error 121
//! `DocumentValidationFailure`).

use super::aggregate::contains_aggregate;
use super::expr::invalid;
use super::nulls::and;
use super::{Error, Position, Translator};
use crate::mql::expr as ex;
use crate::mql::filter::Filter;
use bson::Document;
use sqlparser::ast::{Expr, Visit, Visitor};
use std::ops::ControlFlow;

/// The first column reference of a check that names no declared column (a clone: its span is its
/// position in the statement).
fn unknown_column(e: &Expr, table: &str, columns: &[&str]) -> Option<Expr> {
    struct Find<'c> {
        table: &'c str,
        columns: &'c [&'c str],
    }
    impl Visitor for Find<'_> {
        type Break = Expr;
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<Expr> {
            let first = match e {
                Expr::Identifier(i) => Some(&i.value),
                // `t.col` (the table's own name) or `col.path` (inside a document column).
                Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                    [t, c, ..] if t.value == self.table => Some(&c.value),
                    [c, ..] => Some(&c.value),
                    [] => None,
                },
                _ => None,
            };
            match first {
                Some(name) if !self.columns.contains(&name.as_str()) => {
                    ControlFlow::Break(e.clone())
                }
                _ => ControlFlow::Continue(()),
            }
        }
    }
    match e.visit(&mut Find { table, columns }) {
        ControlFlow::Break(found) => Some(found),
        ControlFlow::Continue(()) => None,
    }
}

impl Translator {
    /// The validator of a table: its `$jsonSchema` document, and with checks an `$expr` rejecting a row
    /// any check holds FALSE for.
    pub(crate) fn check_validator(
        &mut self,
        schema: Document,
        checks: &[&Expr],
        table: &str,
        columns: &[&str],
        pos: Position,
    ) -> Result<Filter, Error> {
        let schema = Filter::JsonSchema(schema);
        if checks.is_empty() {
            return Ok(schema);
        }
        let mut pass = Vec::new();
        for c in checks {
            if let Some(e) = unknown_column(c, table, columns) {
                return Err(invalid(format!("column \"{e}\" does not exist"), &e));
            }
            if contains_aggregate(c) {
                return Err(invalid(
                    "aggregate functions are not allowed in check constraints",
                    c,
                ));
            }
            // Translated as a condition of a query over the table (`t.col` is the table's column).
            let f = self.in_child_query(|t, cx| {
                cx.tables.push(table.to_string());
                let p = t.pred(cx, c)?;
                t.no_subquery_here(cx, "a CHECK constraint", pos)?;
                Ok(p.f)
            })?;
            pass.push(ex::not(f));
        }
        Ok(Filter::all_of(vec![schema, Filter::Expr(and(pass))]))
    }
}
