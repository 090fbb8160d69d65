//! The plan of an INSERT of literal rows read by [`crate::sql::literal_insert`] (the bulk-load fast path):
//! the one `insert` command the general translation gives for such a statement, built straight from the
//! literals. Into a collection the catalog does not declare ([`plan`]), each literal is the value the
//! translator folds it to; into a declared table ([`declared_plan`]), each literal takes its column's
//! declared type as the translator's assignment cast gives it (`column_default.rs` chooses the cast,
//! `expr/cast.rs` folds it: the same functions), and the columns left out get their constant DEFAULTs.
//! A literal the general path would refuse (a number out of range, `'x'` into an integer column), a
//! DEFAULT that is not a constant (`now()`), gives `None`, so that path makes the plan or reports the
//! error. tests/literal_insert.rs holds the fast plans equal to the general translation's.

use super::column_default::{declared_cast_type, takes_assignment_cast};
use super::context::QueryContext;
use super::expr::cast::{fold_cast, numeric_literal};
use super::expr::literal::number_literal;
use super::{Catalog, Position, Translator};
use crate::mql::room::Room;
use crate::mql::{Command, Output, StatementPlan};
use crate::sql::literal_insert::{Literal, LiteralInsert};
use bson::{Bson, Document};
use sqlparser::ast::DataType;
use std::sync::Arc;

/// The plan of `ins`, or `None` when the general translation must make it.
pub fn plan(ins: &LiteralInsert<'_>, catalog: &Catalog) -> Option<StatementPlan> {
    if catalog.tables.contains_key(ins.table) || catalog.views.contains_key(ins.table) {
        return None;
    }
    let mut documents = Vec::with_capacity(ins.rows.len());
    let room = Room::new(ins.columns.len());
    for row in &ins.rows {
        let mut d = room.document();
        for (column, v) in ins.columns.iter().zip(row) {
            d.insert(*column, value(v)?);
        }
        documents.push(d);
    }
    Some(insert_plan(ins, documents))
}

/// The plan of `ins` into the table `catalog` declares under its name, translated in session time zone
/// `time_zone`: each row's literals typed by their columns' declared types, then the constant DEFAULTs of
/// the declared columns the statement leaves out (in declared order), as the general translation writes
/// them. `None` when the table is not declared, a column is not, a value does not fold (the general path
/// then reports it), or a DEFAULT is not a constant.
pub fn declared_plan(
    ins: &LiteralInsert<'_>,
    catalog: &Arc<Catalog>,
    time_zone: Option<&str>,
) -> Option<StatementPlan> {
    let table = catalog.tables.get(ins.table)?;
    if catalog.views.contains_key(ins.table) {
        return None;
    }
    let mut casts: Vec<Option<DataType>> = Vec::with_capacity(ins.columns.len());
    for column in &ins.columns {
        let declared = table.columns.iter().find(|c| c.name == *column)?;
        casts.push(declared.ty.as_deref().and_then(declared_cast_type));
    }
    let defaults = left_out_defaults(ins, catalog, time_zone)?;
    let zone = time_zone.filter(|z| *z != "UTC");
    let mut documents = Vec::with_capacity(ins.rows.len());
    let room = Room::new(ins.columns.len() + defaults.len());
    for row in &ins.rows {
        let mut d = room.document();
        for ((column, v), cast) in ins.columns.iter().zip(row).zip(&casts) {
            d.insert(*column, typed_value(v, cast.as_ref(), zone)?);
        }
        for (column, v) in &defaults {
            d.insert(column.as_str(), v.clone());
        }
        documents.push(d);
    }
    Some(insert_plan(ins, documents))
}

/// The one `insert` command of `documents`, as the general translation plans an INSERT of constants.
fn insert_plan(ins: &LiteralInsert<'_>, documents: Vec<Document>) -> StatementPlan {
    StatementPlan {
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
    }
}

/// The DEFAULT values of the declared columns `ins` leaves out, in declared order, translated once by
/// the translator (`add_default_columns`' rule); `None` when one is not a constant, does not translate,
/// or adds a note to the plan.
fn left_out_defaults(
    ins: &LiteralInsert<'_>,
    catalog: &Arc<Catalog>,
    time_zone: Option<&str>,
) -> Option<Vec<(String, Bson)>> {
    let table = catalog.tables.get(ins.table)?;
    if !table
        .columns
        .iter()
        .any(|c| c.default.is_some() && !ins.columns.contains(&c.name.as_str()))
    {
        return Some(Vec::new());
    }
    let mut t = Translator {
        catalog: catalog.clone(),
        time_zone: time_zone.map(str::to_string),
        ..Translator::default()
    };
    let mut cx = QueryContext::default();
    let pos = Position { line: 1, column: 1 };
    let mut out = Vec::new();
    for (column, e) in t.column_defaults(ins.table, pos).ok()? {
        if ins.columns.contains(&column.as_str()) {
            continue;
        }
        let a = t.column_value(&mut cx, ins.table, &column, &e).ok()?;
        out.push((column, a.constant?));
    }
    t.notes.is_empty().then_some(out)
}

/// A literal written into a column whose declared type casts it to `cast` (`None`: no declared type the
/// translator casts to): cast as `Translator::column_value` casts it (an untyped string into any such
/// column, a number without a `+` into a numeric one), else the literal's own value.
fn typed_value(v: &Literal<'_>, cast: Option<&DataType>, zone: Option<&str>) -> Option<Bson> {
    let Some(ty) = cast else {
        return value(v);
    };
    let number = matches!(v, Literal::Number { plus: false, .. });
    if !takes_assignment_cast(ty, matches!(v, Literal::Str(_)), number) {
        return value(v);
    }
    if let Literal::Number {
        negative,
        plus: false,
        text,
    } = v
    {
        // A numeric literal into numeric keeps its text's scale (`cast`'s rule for a number literal).
        if matches!(ty, DataType::Numeric(_) | DataType::Decimal(_)) {
            let signed = if *negative {
                format!("-{text}")
            } else {
                text.to_string()
            };
            if let Some(d) = numeric_literal(ty, &signed) {
                return Some(d);
            }
        }
    }
    fold_cast(value(v)?, ty, zone).ok().map(|(b, _)| b)
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
