//! The declared `DEFAULT`s of the columns a COPY FROM leaves out, as PostgreSQL fills them.
//!
//! `CREATE TABLE` keeps a column's `DEFAULT expr` as SQL text in the `$jsonSchema` property's `description`
//! (translate/column_default.rs). PostgreSQL's COPY FROM evaluates the defaults of the columns its column
//! list leaves out for every row. The dialect's DEFAULT expressions are all stable (literals, `now()`,
//! arithmetic on them; a column reference or a subquery is refused by `CREATE TABLE`), so, as in
//! PostgreSQL within one statement, they have one value for the whole COPY: they are evaluated once, with
//! one `SELECT`, before the first row is inserted, and that row of values is added to every document. An
//! untyped literal takes the column's declared type (`DEFAULT '0'` of an integer column is `0`), as INSERT
//! assigns it.

use super::{CopyError, Declared};
use crate::Client;
use bson::{Bson, Document};

/// The defaulted columns a COPY fills, and their values.
#[derive(Debug, Default)]
pub(super) struct Defaults {
    values: Vec<(String, Bson)>,
}

impl Defaults {
    /// Evaluates the defaults of the declared columns not in `copied` (none: nothing to fill, no query).
    pub(super) async fn evaluate(
        client: &Client,
        collection: &str,
        declared: &[Declared],
        copied: &[String],
    ) -> Result<Defaults, CopyError> {
        let left_out: Vec<(&Declared, &str)> = declared
            .iter()
            .filter(|d| !copied.contains(&d.name))
            .filter_map(|d| d.default.as_deref().map(|text| (d, text)))
            .collect();
        if left_out.is_empty() {
            return Ok(Defaults::default());
        }
        let items: Vec<String> = left_out
            .iter()
            .enumerate()
            .map(|(i, (d, text))| format!("{} AS d{i}", typed_default(text, d.sql_type.as_deref())))
            .collect();
        let sql = format!("SELECT {}", items.join(", "));
        let rows = client.query(&sql, &[]).await.map_err(|e| {
            CopyError::invalid(format!(
                "the DEFAULTs of relation \"{collection}\" could not be evaluated: {e}"
            ))
        })?;
        let Some(row) = rows.rows.into_iter().next() else {
            return Err(CopyError::invalid(format!(
                "the DEFAULTs of relation \"{collection}\" gave no value"
            )));
        };
        let mut values = Vec::with_capacity(left_out.len());
        for ((d, _), v) in left_out.iter().zip(row) {
            if d.not_null && v == Bson::Null {
                return Err(CopyError::invalid(format!(
                    "null value in column \"{}\" of relation \"{collection}\" violates not-null constraint",
                    d.name
                )));
            }
            values.push((d.name.clone(), v));
        }
        Ok(Defaults { values })
    }

    /// Whether `column` gets a default (a NOT NULL column left out of the list is then satisfied).
    pub(super) fn fills(declared: &Declared, copied: &[String]) -> bool {
        declared.default.is_some() && !copied.contains(&declared.name)
    }

    /// Adds the default values to a row's document.
    pub(super) fn apply(&self, doc: &mut Document) {
        for (name, v) in &self.values {
            doc.insert(name.clone(), v.clone());
        }
    }
}

/// The default's SQL text as a SELECT item: an untyped string literal cast to the column's declared type.
fn typed_default(text: &str, sql_type: Option<&str>) -> String {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;
    let untyped = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .is_ok_and(|e| crate::translate::expr::untyped::is_untyped_string(&e));
    match sql_type {
        Some(ty) if untyped && ty != "text" => format!("CAST({text} AS {ty})"),
        _ => format!("({text})"),
    }
}

#[cfg(test)]
mod tests {
    use super::typed_default;

    #[test]
    fn only_an_untyped_literal_is_cast_to_the_declared_type() {
        assert_eq!(
            typed_default("'0'", Some("integer")),
            "CAST('0' AS integer)"
        );
        assert_eq!(typed_default("'x'", Some("text")), "('x')");
        assert_eq!(typed_default("now()", Some("timestamptz")), "(now())");
        assert_eq!(typed_default("'a'", None), "('a')");
    }
}
