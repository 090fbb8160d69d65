//! Column defaults of declared tables: `CREATE TABLE t (c type DEFAULT expr)` keeps the expression, and
//! INSERT applies it to the columns a row does not give (left out of the column list, `DEFAULT` in VALUES,
//! `DEFAULT VALUES`, INSERT ... SELECT), as PostgreSQL does.
//!
//! Where it is kept: MongoDB's `$jsonSchema` has no `default` keyword (mongod refuses it), so the expression's
//! SQL text goes in the property's `description` as `DEFAULT <expr>` ([`DEFAULT_PREFIX`]); the catalog reads it
//! back (`crate::client::catalog`), and offline translation takes it from the catalog file's `default`.
//! The expression is evaluated by MongoDB when the row is inserted: a constant is written as it is, `now()` /
//! `CURRENT_TIMESTAMP` is the command's `$$NOW` (one value for the whole statement, as PostgreSQL's
//! transaction time). As in PostgreSQL, a default may not read a column or run a subquery.

use super::expr::{unsupported, Agg, Kind};
use super::{Error, Position, Translator};
use crate::mql::expr as ex;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::Bson;
use sqlparser::ast::{Expr, Visit, Visitor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// How a column's DEFAULT is written in its `$jsonSchema` property's `description`: this prefix, then the
/// expression's SQL text.
pub const DEFAULT_PREFIX: &str = "DEFAULT ";

/// The `DEFAULT` keyword where a VALUES item stands (sqlparser reads it as an unquoted identifier).
pub(crate) fn is_default_keyword(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("DEFAULT"))
}

/// PostgreSQL's refusals of a DEFAULT expression: no column references, no subqueries.
fn check_default_expr(e: &Expr) -> Result<(), Error> {
    struct Check(Option<(&'static str, Expr)>);
    impl Visitor for Check {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            let what = match e {
                Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                    "cannot use column reference in DEFAULT expression"
                }
                Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                    "cannot use subquery in DEFAULT expression"
                }
                _ => return ControlFlow::Continue(()),
            };
            self.0 = Some((what, e.clone()));
            ControlFlow::Break(())
        }
    }
    let mut check = Check(None);
    let _ = e.visit(&mut check);
    match check.0 {
        Some((message, at)) => Err(Error::Invalid {
            message: message.into(),
            position: super::expr::expr_pos(&at),
        }),
        None => Ok(()),
    }
}

/// The type an untyped literal written into a column of this catalog type is cast to; `None` for text and
/// types the catalog does not name.
pub(crate) fn declared_cast_type(ty: &str) -> Option<sqlparser::ast::DataType> {
    use sqlparser::ast::{DataType, ExactNumberInfo, TimezoneInfo};
    Some(match ty {
        "timestamptz" => DataType::Timestamp(None, TimezoneInfo::WithTimeZone),
        "timestamp" => DataType::Timestamp(None, TimezoneInfo::WithoutTimeZone),
        "date" => DataType::Date,
        "integer" => DataType::Integer(None),
        "bigint" => DataType::BigInt(None),
        "numeric" => DataType::Numeric(ExactNumberInfo::None),
        "double precision" => DataType::DoublePrecision,
        "boolean" => DataType::Boolean,
        "jsonb" => DataType::JSONB,
        _ => return None,
    })
}

/// Whether a value written into a column that [`declared_cast_type`] types as `data_type` is cast to it, as
/// PostgreSQL's assignment cast types it: an untyped string literal (`'2024-01-01'`, `'42'`, `'t'`), or a
/// number literal (`-1.5`, not `+1.5`) into a numeric column (`1.50` into numeric stays 1.50, `2.5` into
/// integer is 3, `3` into double precision is 3.0). Anything else is translated as it is (the validator
/// checks its type).
pub(crate) fn takes_assignment_cast(
    data_type: &sqlparser::ast::DataType,
    untyped_string: bool,
    number_literal: bool,
) -> bool {
    use sqlparser::ast::DataType;
    untyped_string
        || (number_literal
            && matches!(
                data_type,
                DataType::Integer(_)
                    | DataType::BigInt(_)
                    | DataType::Numeric(_)
                    | DataType::DoublePrecision
            ))
}

impl Translator {
    /// A `DEFAULT expr` of `CREATE TABLE`: checked as PostgreSQL checks it and translated once (so what
    /// cannot run is refused now, not at the first INSERT); returns the `description` that keeps it.
    pub(crate) fn declared_default(
        &mut self,
        cx: &mut QueryContext,
        e: &Expr,
    ) -> Result<String, Error> {
        check_default_expr(e)?;
        self.insert_value(cx, e)?;
        Ok(format!("{DEFAULT_PREFIX}{e}"))
    }

    /// The declared defaults of `collection`'s columns, parsed: (column, expression), in declared order.
    /// Empty for a schemaless collection or a table without defaults.
    pub(crate) fn column_defaults(
        &self,
        collection: &str,
        pos: Position,
    ) -> Result<Vec<(String, Expr)>, Error> {
        let Some(table) = self.catalog.tables.get(collection) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for c in &table.columns {
            let Some(text) = &c.default else { continue };
            let parsed = Parser::new(&PostgreSqlDialect {})
                .try_with_sql(text)
                .and_then(|mut p| p.parse_expr())
                .map_err(|e| Error::Invalid {
                    message: format!(
                        "the DEFAULT of column \"{}\" of relation \"{collection}\" does not parse ({text}): {e}",
                        c.name
                    ),
                    position: pos,
                })?;
            check_default_expr(&parsed).map_err(|_| Error::Invalid {
                message: format!(
                    "the DEFAULT of column \"{}\" of relation \"{collection}\" reads a column or a subquery ({text})",
                    c.name
                ),
                position: pos,
            })?;
            out.push((c.name.clone(), parsed));
        }
        Ok(out)
    }

    /// The value a row gets for `column` when it gives none: its default, else NULL.
    pub(crate) fn default_value(
        &mut self,
        cx: &mut QueryContext,
        collection: &str,
        defaults: &[(String, Expr)],
        column: &str,
    ) -> Result<Agg, Error> {
        match defaults.iter().find(|(c, _)| c == column) {
            Some((_, e)) => self.column_value(cx, collection, column, e),
            None => {
                let mut a = Agg::new(ex::literal(Bson::Null), Kind::Null, true);
                a.constant = Some(Bson::Null);
                Ok(a)
            }
        }
    }

    /// Adds the defaulted columns a statement's column list leaves out: each row gets their default values
    /// (columns without a default are left out, which reads as NULL).
    pub(crate) fn add_default_columns(
        &mut self,
        cx: &mut QueryContext,
        collection: &str,
        defaults: &[(String, Expr)],
        cols: &mut Vec<String>,
        rows: &mut [Vec<Agg>],
    ) -> Result<(), Error> {
        for (column, e) in defaults {
            if cols
                .iter()
                .any(|c| c == column || c.split('.').next() == Some(column))
            {
                continue;
            }
            let value = self.column_value(cx, collection, column, e)?;
            cols.push(column.clone());
            for row in rows.iter_mut() {
                row.push(value.clone());
            }
        }
        Ok(())
    }

    /// A VALUES item of an INSERT into `column`: `DEFAULT` is the column's default, anything else is
    /// translated as a value.
    pub(crate) fn insert_item(
        &mut self,
        cx: &mut QueryContext,
        collection: &str,
        defaults: &[(String, Expr)],
        column: &str,
        v: &Expr,
    ) -> Result<Agg, Error> {
        if is_default_keyword(v) {
            return self.default_value(cx, collection, defaults, column);
        }
        self.column_value(cx, collection, column, v)
    }

    /// A value written into `collection.column`: an untyped literal (`'2024-01-01'`, `'42'`, `'t'`,
    /// `'{"a": 1}'`) takes the column's declared type, as PostgreSQL assigns it (a timestamp, a number, a
    /// boolean, a jsonb document); anything else is translated as it is (the validator checks its type).
    pub(crate) fn column_value(
        &mut self,
        cx: &mut QueryContext,
        collection: &str,
        column: &str,
        v: &Expr,
    ) -> Result<Agg, Error> {
        let declared = self
            .catalog
            .column(collection, column)
            .and_then(|c| c.ty.as_deref())
            .and_then(declared_cast_type);
        match declared {
            Some(data_type)
                if takes_assignment_cast(
                    &data_type,
                    super::expr::untyped::is_untyped_string(v),
                    super::expr::untyped::number_literal_text(v).is_some(),
                ) =>
            {
                self.insert_value(
                    cx,
                    &Expr::Cast {
                        kind: sqlparser::ast::CastKind::Cast,
                        expr: Box::new(v.clone()),
                        data_type,
                        format: None,
                    },
                )
            }
            _ => self.insert_value(cx, v),
        }
    }

    /// `DEFAULT` anywhere but as a whole VALUES item of an INSERT.
    pub(crate) fn misplaced_default(e: &Expr) -> Error {
        unsupported(Refusal::Statement, "DEFAULT outside an INSERT's VALUES", e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> Expr {
        Parser::new(&PostgreSqlDialect {})
            .try_with_sql(s)
            .and_then(|mut p| p.parse_expr())
            .unwrap()
    }

    #[test]
    fn column_references_and_subqueries_are_refused_in_a_default() {
        for (text, message) in [
            ("v + 1", "column reference"),
            ("t.v", "column reference"),
            ("(SELECT 1)", "subquery"),
            ("1 + (SELECT max(x) FROM t)", "subquery"),
        ] {
            let err = check_default_expr(&expr(text)).unwrap_err().to_string();
            assert!(err.contains(message), "{text}: {err}");
        }
        for ok in [
            "0",
            "'active'",
            "now()",
            "CURRENT_TIMESTAMP",
            "1 + 2",
            "NULL",
        ] {
            assert!(check_default_expr(&expr(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn only_the_unquoted_keyword_is_default() {
        assert!(is_default_keyword(&expr("DEFAULT")));
        assert!(is_default_keyword(&expr("default")));
        assert!(!is_default_keyword(&expr("\"DEFAULT\"")));
        assert!(!is_default_keyword(&expr("defaults")));
    }
}
