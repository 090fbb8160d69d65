//! Set-returning functions in FROM: `unnest(a [, b ...])` and `generate_series(...)` (series.rs), with
//! `WITH ORDINALITY` and column aliases (`AS t(x, n)`), first in FROM or after other items — `FROM s,
//! unnest(s.tags) AS t(tag)`, `CROSS JOIN LATERAL unnest(...)`: as in PostgreSQL a function in FROM may read
//! the items before it (LATERAL is implied).
//!
//! The rows are an array of documents `{col: element[, ordinality: i]}` computed from the current row:
//! `$set` of it into the relation's field (`__jk`) and `$unwind` (a NULL or empty array gives no row); first in
//! FROM, the pipeline starts with `$documents: [{}]` and the element documents become the rows. Several
//! arrays zip as PostgreSQL does (as many rows as the longest, NULL-padded).

use super::expr::{Agg, Kind};
use super::{Error, Position, Translator};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{Bson, Document};
use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, ObjectName, Spanned, TableAlias, TableFactor,
};

/// A set-returning FROM item, translated.
pub(crate) struct TableFunction {
    /// The name the item is qualified by (its alias, else the function's name).
    pub qualifier: String,
    /// Its column names.
    pub columns: Vec<String>,
    /// The array of row documents (`{col: value, ...}`) for the current row.
    pub rows: Bson,
}

fn fn_name(name: &ObjectName) -> String {
    super::names::function_name(name)
}

/// Whether a FROM item is a set-returning function this file translates.
pub(crate) fn is_table_function(r: &TableFactor) -> bool {
    match r {
        TableFactor::UNNEST { .. } => true,
        TableFactor::Function { name, .. } => {
            matches!(fn_name(name).as_str(), "unnest" | "generate_series")
        }
        TableFactor::Table {
            name,
            args: Some(_),
            ..
        } => matches!(fn_name(name).as_str(), "unnest" | "generate_series"),
        _ => false,
    }
}

fn plain_args(args: &[FunctionArg], pos: Position) -> Result<Vec<&Expr>, Error> {
    args.iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e),
            _ => Err(Error::Unsupported {
                kind: Refusal::Relation,
                construct: "named or * arguments of a function in FROM".into(),
                position: pos,
            }),
        })
        .collect()
}

impl Translator {
    /// The FROM item as a set-returning function, or `None` when it is another kind of item.
    pub(crate) fn table_function(
        &mut self,
        cx: &mut QueryContext,
        r: &TableFactor,
    ) -> Result<Option<TableFunction>, Error> {
        if !is_table_function(r) {
            return Ok(None);
        }
        let pos = Position::from(r.span().start);
        let (name, args, alias, ordinality): (String, Vec<&Expr>, &Option<TableAlias>, bool) =
            match r {
                TableFactor::UNNEST {
                    alias,
                    array_exprs,
                    with_offset,
                    with_ordinality,
                    ..
                } => {
                    if *with_offset {
                        return Err(Error::Unsupported {
                            kind: Refusal::Relation,
                            construct: "UNNEST ... WITH OFFSET".into(),
                            position: pos,
                        });
                    }
                    (
                        "unnest".into(),
                        array_exprs.iter().collect(),
                        alias,
                        *with_ordinality,
                    )
                }
                TableFactor::Function {
                    name,
                    args,
                    with_ordinality,
                    alias,
                    ..
                } => (
                    fn_name(name),
                    plain_args(args, pos)?,
                    alias,
                    *with_ordinality,
                ),
                TableFactor::Table {
                    name,
                    args: Some(a),
                    alias,
                    with_ordinality,
                    ..
                } => (
                    fn_name(name),
                    plain_args(&a.args, pos)?,
                    alias,
                    *with_ordinality,
                ),
                _ => return Ok(None),
            };
        let qualifier = alias
            .as_ref()
            .map(|a| a.name.value.clone())
            .unwrap_or_else(|| name.clone());
        let arrays: Vec<Agg> = if name == "generate_series" {
            let e = args.first().copied().ok_or_else(|| Error::Invalid {
                message: "generate_series() takes 2 or 3 arguments".into(),
                position: pos,
            })?;
            vec![self.series_array(cx, &args, e)?]
        } else {
            if args.is_empty() {
                return Err(Error::Invalid {
                    message: "unnest() takes at least one argument".into(),
                    position: pos,
                });
            }
            args.iter()
                .map(|a| self.agg(cx, a))
                .collect::<Result<_, _>>()?
        };
        // Column names: the aliases, else the function's (PostgreSQL: a one-column function's column is
        // named after the alias, else after the function).
        let given: Vec<String> = alias
            .as_ref()
            .map(|a| a.columns.iter().map(|c| c.name.value.clone()).collect())
            .unwrap_or_default();
        let wanted = arrays.len() + usize::from(ordinality);
        if given.len() > wanted {
            return Err(Error::Invalid {
                message: format!(
                    "table \"{qualifier}\" has {wanted} columns available but {} columns specified",
                    given.len()
                ),
                position: pos,
            });
        }
        let mut columns = Vec::with_capacity(wanted);
        for i in 0..arrays.len() {
            columns.push(given.get(i).cloned().unwrap_or_else(|| {
                if arrays.len() == 1 {
                    alias
                        .as_ref()
                        .map(|a| a.name.value.clone())
                        .unwrap_or_else(|| name.clone())
                } else {
                    name.clone()
                }
            }));
        }
        if ordinality {
            columns.push(
                given
                    .get(arrays.len())
                    .cloned()
                    .unwrap_or_else(|| "ordinality".into()),
            );
        }
        for (i, c) in columns.iter().enumerate() {
            super::names::check_field_segment(c, pos)?;
            if columns[..i].contains(c) {
                return Err(Error::Unsupported {
                    kind: Refusal::Relation,
                    construct: format!("two columns named \"{c}\" in a function in FROM"),
                    position: pos,
                });
            }
        }
        let rows = if arrays.len() == 1 && !ordinality {
            let mut d = Document::new();
            d.insert(columns[0].clone(), ex::var("te"));
            ex::map(arrays[0].expr.clone(), Some("te"), Bson::Document(d))
        } else {
            // Zip by index: as many rows as the longest array (NULL / missing past an array's end).
            let sizes: Vec<Bson> = arrays
                .iter()
                .map(|a| ex::size(ex::if_null(a.expr.clone(), Bson::Array(Vec::new()))))
                .collect();
            let mut d = Document::new();
            for (i, a) in arrays.iter().enumerate() {
                d.insert(
                    columns[i].clone(),
                    ex::array_elem_at(a.expr.clone(), ex::var("ti")),
                );
            }
            if ordinality {
                d.insert(
                    columns[arrays.len()].clone(),
                    ex::add(vec![ex::var("ti").into(), Bson::Int64(1)]),
                );
            }
            ex::map(ex::range(0, ex::max(sizes)), Some("ti"), Bson::Document(d))
        };
        let scalar = |k: Kind| {
            matches!(
                k,
                Kind::Int | Kind::Text | Kind::Number | Kind::Bool | Kind::Timestamp
            )
        };
        if name == "unnest" && arrays.iter().any(|a| scalar(a.kind)) {
            return Err(Error::Invalid {
                message: "function unnest() requires an array argument".into(),
                position: pos,
            });
        }
        Ok(Some(TableFunction {
            qualifier,
            columns,
            rows,
        }))
    }
}
