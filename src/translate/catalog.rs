//! The catalog: what the translator knows of declared relations (issue 17 item 1).
//!
//! A [`Catalog`] holds, per table, the columns `CREATE TABLE` declared (in declared order, with their type,
//! NOT NULL / primary key and default when known) and, per view, its output columns. The translator reads it
//! for `SELECT *` / `t.*` (the declared columns, no `_id`), unknown columns (`column "x" does not exist`),
//! and the resolution of unqualified names in joins and correlated subqueries, as PostgreSQL resolves them.
//! A relation the catalog does not list is a schemaless collection: today's rules.
//!
//! Where it comes from: the client builds it per statement from the backend (`crate::client::catalog`, from `listCollections` entries: the `$jsonSchema` validator `CREATE TABLE` writes, a view's last
//! `$project`); offline translation reads a JSON file ([`Catalog::from_json`], written by `sqlmongo catalog
//! dump`). The file format:
//!
//! ```json
//! {"tables": {"t": {"columns": [{"name": "k", "type": "text", "not_null": true, "primary_key": true},
//!                               {"name": "v", "type": "integer"}]}},
//!  "views": {"v": {"columns": ["k", "n"]}}}
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Declared tables and views, by collection name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Tables (collections with declared columns), by name.
    #[serde(default)]
    pub tables: BTreeMap<String, Table>,
    /// Views with known output columns, by name.
    #[serde(default)]
    pub views: BTreeMap<String, View>,
}

/// A declared table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The columns, in declared order.
    pub columns: Vec<Column>,
}

/// A declared column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// Its SQL type as far as known (`text`, `integer`, `bigint`, `numeric`, `double precision`, `boolean`,
    /// `timestamptz`, `jsonb`, `array`); `None` when unknown.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// NOT NULL (also implied by PRIMARY KEY).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_null: bool,
    /// Part of the primary key (known from a catalog file; the validator does not record it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub primary_key: bool,
    /// The DEFAULT expression as SQL text, when declared (INSERT applies it: `column_default.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// A view's output columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// The output column names, in order.
    pub columns: Vec<String>,
}

impl Catalog {
    /// An empty catalog: every collection is schemaless.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// Whether the catalog declares nothing.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.views.is_empty()
    }

    /// The declared column names of a table or view, in order; `None` for a schemaless collection.
    pub fn columns(&self, relation: &str) -> Option<Vec<String>> {
        if let Some(t) = self.tables.get(relation) {
            return Some(t.columns.iter().map(|c| c.name.clone()).collect());
        }
        self.views.get(relation).map(|v| v.columns.clone())
    }

    /// The declared column `column` of table `table`.
    pub fn column(&self, table: &str, column: &str) -> Option<&Column> {
        self.tables
            .get(table)?
            .columns
            .iter()
            .find(|c| c.name == column)
    }

    /// Whether `table.column` is declared NOT NULL (or part of the primary key): a NULL can never be read
    /// from it (e.g. ORDER BY needs no NULL-ordering key on it). `false` when unknown.
    pub fn is_not_null(&self, table: &str, column: &str) -> bool {
        self.column(table, column)
            .is_some_and(|c| c.not_null || c.primary_key)
    }

    /// The catalog from a JSON file's text (the format in the module documentation).
    pub fn from_json(text: &str) -> Result<Catalog, String> {
        let c: Catalog = serde_json::from_str(text).map_err(|e| format!("catalog file: {e}"))?;
        for (name, t) in &c.tables {
            let mut seen: Vec<&str> = Vec::new();
            for col in &t.columns {
                if col.name.is_empty() || seen.contains(&col.name.as_str()) {
                    return Err(format!(
                        "catalog file: table \"{name}\": empty or repeated column \"{}\"",
                        col.name
                    ));
                }
                seen.push(&col.name);
            }
        }
        Ok(c)
    }

    /// The catalog as pretty JSON (what `sqlmongo catalog dump` writes).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }
}

/// The collection names a statement reads or writes (FROM items, join relations, subqueries' tables, the
/// target of INSERT / UPDATE / DELETE), each once, in text order: what the client asks the backend's
/// catalog about before translating it. CTE names are included (a CTE shadows a table of that name; the
/// extra entry is harmless).
pub fn relation_names(stmt: &crate::sql::Statement) -> Vec<String> {
    use std::ops::ControlFlow;
    let crate::sql::Statement::Sql(s) = stmt else {
        if let crate::sql::Statement::Explain(inner) = stmt {
            return relation_names(inner);
        }
        return Vec::new();
    };
    use sqlparser::ast::Statement as S;
    if !matches!(
        s.as_ref(),
        S::Query(_) | S::Insert(_) | S::Update(_) | S::Delete(_) | S::CreateView(_)
    ) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    let _ = sqlparser::ast::visit_relations(s.as_ref(), |name| {
        if let Some(last) = name.0.last().and_then(|p| p.as_ident()) {
            if !out.contains(&last.value) {
                out.push(last.value.clone());
            }
        }
        ControlFlow::<()>::Continue(())
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_file_round_trips_and_repeated_columns_are_refused() {
        let text = r#"{"tables": {"t": {"columns": [{"name": "k", "type": "text", "not_null": true,
            "primary_key": true}, {"name": "v"}]}}, "views": {"v": {"columns": ["a"]}}}"#;
        let c = Catalog::from_json(text).unwrap();
        assert!(c.is_not_null("t", "k"));
        assert_eq!(Catalog::from_json(&c.to_json()).unwrap(), c);
        assert_eq!(c.columns("v"), Some(vec!["a".into()]));
        let bad = r#"{"tables": {"t": {"columns": [{"name": "k"}, {"name": "k"}]}}}"#;
        assert!(Catalog::from_json(bad).unwrap_err().contains("repeated"));
        assert!(Catalog::from_json("{").is_err());
    }
}
