//! The plan of an INSERT of literal rows read by [`crate::sql::literal_insert`] (the bulk-load fast path):
//! the one `insert` command the general translation gives for such a statement, built straight from the
//! literals. Only for a collection the catalog does not declare (a declared table's columns give values
//! their types, DEFAULTs and checks: the general path). A literal the general path would refuse (a number
//! out of range) gives `None`, so that path reports it. tests/literal_insert.rs holds the two equal.

use super::expr::literal::number_literal;
use super::Catalog;
use crate::mql::{Command, Output, StatementPlan};
use crate::sql::literal_insert::{Literal, LiteralInsert};
use bson::{Bson, Document};

/// The plan of `ins`, or `None` when the general translation must make it.
pub fn plan(ins: &LiteralInsert<'_>, catalog: &Catalog) -> Option<StatementPlan> {
    if catalog.tables.contains_key(ins.table) || catalog.views.contains_key(ins.table) {
        return None;
    }
    let mut documents = Vec::with_capacity(ins.rows.len());
    for row in &ins.rows {
        let mut d = Document::new();
        for (column, v) in ins.columns.iter().zip(row) {
            d.insert(*column, value(v)?);
        }
        documents.push(d);
    }
    Some(StatementPlan {
        sql: ins.text.to_string(),
        steps: vec![Command::Insert {
            collection: ins.table.to_string(),
            documents,
            ordered: true,
        }],
        output: Output::Affected,
        notes: Vec::new(),
        param_count: 0,
        tolerated_codes: Vec::new(),
    })
}

/// A literal's value, as the translator folds it (`-` of a constant included: translate/expr/agg.rs).
fn value(v: &Literal<'_>) -> Option<Bson> {
    Some(match v {
        Literal::Null => Bson::Null,
        Literal::Bool(b) => Bson::Boolean(*b),
        Literal::Str(s) => Bson::String(s.to_string()),
        Literal::Number { negative, text, .. } => {
            let dummy = sqlparser::ast::Expr::Value(sqlparser::ast::Value::Null.into());
            let n = number_literal(text, &dummy).ok()?;
            if !negative {
                return Some(n);
            }
            match n {
                Bson::Int32(i) => match i.checked_neg() {
                    Some(n) => Bson::Int32(n),
                    None => Bson::Int64(-(i64::from(i))),
                },
                Bson::Int64(i) => Bson::Int64(i.checked_neg()?),
                Bson::Double(d) => Bson::Double(-d),
                _ => return None,
            }
        }
    })
}
