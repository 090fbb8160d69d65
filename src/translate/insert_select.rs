//! `INSERT INTO t (cols) SELECT ...` -> two steps: the query's `aggregate`, ending in a `$project` that names
//! its output columns after the target columns (positionally, as PostgreSQL assigns them), and an `insert`
//! of that cursor's documents (`documents: [{$stepOutput: {step: 0, field: "$$ROOT"}}]`, see `mql::chain`).
//!
//! Why not `$merge`: MongoDB's reply to an aggregate ending in `$merge` carries no count, and PostgreSQL's
//! `INSERT 0 n` is the statement's result; the `insert` reply's `n` is exact. The rows travel through the
//! client (in process on the embedded engine; batches of at most 8 MiB against a deployment). Like the other
//! two-step plans, the statement is not atomic: a failing row (a duplicate key, the validator) stops the
//! insert, and the rows before it stay (docs/dialect.md).

use super::{Error, Position, Translated, Translator};
use crate::mql::chain::{step_output, WHOLE_DOCUMENTS};
use crate::mql::stage::Stage;
use crate::mql::{Command, Output};
use crate::translate::Refusal;
use bson::{Bson, Document};
use sqlparser::ast::Query;

impl Translator {
    /// Translates `INSERT INTO collection (cols) <query>`.
    pub(crate) fn insert_select(
        &mut self,
        collection: String,
        cols: Vec<String>,
        source: &Query,
        pos: Position,
    ) -> Result<Translated, Error> {
        let (mut steps, output) = self.query_to_plan(source)?;
        let Output::Rows { columns } = output else {
            return Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: "INSERT ... SELECT of this query".into(),
                position: pos,
            });
        };
        if columns.len() != cols.len() {
            let more = if columns.len() > cols.len() {
                "INSERT has more expressions than target columns"
            } else {
                "INSERT has more target columns than expressions"
            };
            return Err(Error::Invalid {
                message: more.into(),
                position: pos,
            });
        }
        let Some(last) = steps.pop() else {
            return Err(Error::Internal("a query without a command".into()));
        };
        let mut project = Document::new();
        if !cols.iter().any(|c| c == "_id") {
            project.insert("_id", Bson::Int32(0));
        }
        for (target, col) in cols.iter().zip(&columns) {
            project.insert(target.clone(), crate::mql::expr::field(&col.field));
        }
        // The declared defaults of the columns the list leaves out (`column_default.rs`).
        for (column, e) in self.column_defaults(&collection, pos)? {
            if cols
                .iter()
                .any(|c| c.split('.').next() == Some(column.as_str()))
            {
                continue;
            }
            let a = self.column_value(&collection, &column, &e)?;
            let value = match a.constant {
                Some(c) => crate::mql::expr::literal(c),
                None => a.expr,
            };
            project.insert(column, value);
        }
        let Some(read) = last.into_aggregate_with(vec![Stage::Project(project).into()]) else {
            return Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: "INSERT ... SELECT of this query".into(),
                position: pos,
            });
        };
        let read_step = steps.len();
        steps.push(read);
        let Bson::Document(placeholder) = step_output(read_step, WHOLE_DOCUMENTS) else {
            return Err(Error::Internal("a step placeholder is a document".into()));
        };
        steps.push(Command::Insert {
            collection,
            documents: vec![placeholder],
            ordered: true,
        });
        self.notes.push(
            "INSERT ... SELECT runs as two commands (the query, then an insert of its rows): not atomic"
                .into(),
        );
        Ok((steps, Output::Affected))
    }
}
