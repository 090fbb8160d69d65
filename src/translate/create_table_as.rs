//! `CREATE TABLE t AS <query>` -> `create t` (48 NamespaceExists when it exists, as PostgreSQL's
//! `relation "t" already exists`), the query's `aggregate` ending in a `$project` that names the columns and
//! `{$out: t}`, then `count t` for PostgreSQL's `SELECT n`. `$out` swaps the whole result in at once, so the
//! table never shows part of it.

use super::names::check_field_segment;
use super::{Error, Position, Translated, Translator};
use crate::mql::stage::Stage;
use crate::mql::{Command, Output};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{Bson, Document};
use sqlparser::ast::{CreateTable, Query};

impl Translator {
    /// Translates `CREATE TABLE name AS query`.
    pub(crate) fn create_table_as(
        &mut self,
        cx: &mut QueryContext,
        ct: &CreateTable,
        query: &Query,
        collection: String,
        pos: Position,
    ) -> Result<Translated, Error> {
        let refuse = |what: &str| {
            Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: what.to_string(),
                position: pos,
            })
        };
        if ct.if_not_exists {
            // PostgreSQL then skips the query entirely; the plan's steps cannot stop after a tolerated `create`.
            return refuse(
                "CREATE TABLE IF NOT EXISTS ... AS (the query would still replace the table)",
            );
        }
        let (mut steps, output) = self.query_to_plan(cx, query)?;
        let Output::Rows { columns } = output else {
            return refuse("CREATE TABLE ... AS of this query");
        };
        if !ct.columns.is_empty() {
            // sqlparser reads a column list here only with types, which PostgreSQL's grammar does not allow.
            return refuse("a column list in CREATE TABLE ... AS (name the columns in the query)");
        }
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        let mut project = Document::new();
        if !names.iter().any(|n| n == "_id") {
            project.insert("_id", Bson::Int32(0));
        }
        for (name, col) in names.iter().zip(&columns) {
            check_field_segment(name, pos)?;
            if project.contains_key(name) {
                return Err(Error::Invalid {
                    message: format!("column \"{name}\" specified more than once"),
                    position: pos,
                });
            }
            project.insert(name.clone(), crate::mql::expr::field(&col.field));
        }
        let Some(last) = steps.pop() else {
            return Err(Error::Internal("a query without a command".into()));
        };
        let tail = [
            Stage::Project(project).into(),
            Stage::Out(collection.clone()).into(),
        ];
        let Some(read) = last.into_aggregate_with(tail.into()) else {
            return refuse("CREATE TABLE ... AS of this query");
        };
        let mut out = vec![Command::Create {
            collection: collection.clone(),
            options: Document::new(),
        }];
        out.extend(steps);
        out.push(read);
        out.push(Command::Count {
            collection,
            query: Document::new(),
        });
        Ok((out, Output::Affected))
    }
}
