//! `INSERT INTO t (cols) SELECT ...` -> two steps: the query's `aggregate`, ending in a `$project` that names
//! its output columns after the target columns (positionally, as PostgreSQL assigns them), and an `insert`
//! of that cursor's documents (`documents: [{$stepOutput: {step: 0, field: "$$ROOT"}}]`, see `mql::chain`).
//!
//! Why not `$merge`: MongoDB's reply to an aggregate ending in `$merge` carries no count, and PostgreSQL's
//! `INSERT 0 n` is the statement's result; the `insert` reply's `n` is exact. The rows travel through the
//! client (in process on the embedded engine; batches of at most 8 MiB against a deployment). Like the other
//! two-step plans, the statement is not atomic: a failing row (a duplicate key, the validator) stops the
//! insert, and the rows before it stay (docs/dialect.md).
//!
//! With RETURNING the query's documents are `{__ins: <row>, r0: ..., r1: ...}`: the insert takes the rows
//! (`mql::chain::documents_at`), the RETURNING values are read from the same documents (PostgreSQL's RETURNING
//! of an INSERT sees the inserted row, defaults applied).

use super::{Error, Position, Translated, Translator};
use crate::mql::chain::{documents_at, step_output, WHOLE_DOCUMENTS};
use crate::mql::stage::Stage;
use crate::mql::{Command, Output, OutputColumn};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{Expr, Ident, Query, SelectItem};

/// The field of each document of the query step that holds the row to insert, when RETURNING needs values
/// beside it.
const ROW: &str = "__ins";

impl Translator {
    /// Translates `INSERT INTO collection (cols) <query>`.
    pub(crate) fn insert_select(
        &mut self,
        cx: &mut QueryContext,
        collection: String,
        cols: Vec<String>,
        source: &Query,
        returning: Option<&[SelectItem]>,
        pos: Position,
    ) -> Result<Translated, Error> {
        let (mut steps, output) = self.query_to_plan(cx, source)?;
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
        if !cols.iter().any(|c| c == "_id") && returning.is_none() {
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
            let a = self.column_value(cx, &collection, &column, &e)?;
            let value = match a.constant {
                Some(c) => crate::mql::expr::literal(c),
                None => a.expr,
            };
            project.insert(column, value);
        }
        // With RETURNING, each document is `{ROW: <the row to insert>, r0: ..., r1: ...}`: the insert takes the
        // rows, the RETURNING values are read from the same documents.
        let mut stages = Vec::new();
        let mut returned = None;
        match returning {
            None => stages.push(Stage::Project(project).into()),
            Some(items) => {
                // A declared table's columns in declared order (`*`), else the listed ones.
                let all_columns = self
                    .catalog
                    .columns(&collection)
                    .unwrap_or_else(|| cols.clone());
                let (set, columns) =
                    self.returned_values(cx, &collection, &all_columns, items, pos)?;
                stages.push(Stage::Project(doc! {"_id": 0, ROW: project}).into());
                stages.push(Stage::Set(set).into_document());
                returned = Some(columns);
            }
        }
        let Some(read) = last.into_aggregate_with(stages) else {
            return Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: "INSERT ... SELECT of this query".into(),
                position: pos,
            });
        };
        let read_step = steps.len();
        steps.push(read);
        let whole = match returned {
            Some(_) => documents_at(read_step, ROW),
            None => step_output(read_step, WHOLE_DOCUMENTS),
        };
        let Bson::Document(placeholder) = whole else {
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
        let output = match returned {
            Some(columns) => Output::Returned {
                columns,
                step: read_step,
            },
            None => Output::Affected,
        };
        Ok((steps, output))
    }

    /// The RETURNING items of an `INSERT ... SELECT` as a `$set` of `r0`, `r1`, ... over the documents
    /// `{ROW: <row>}`: a column of the target is read from the row (`columns` are those the row may hold);
    /// `*` is those columns. Returns the stage's fields and the output columns.
    fn returned_values(
        &mut self,
        cx: &mut QueryContext,
        collection: &str,
        columns: &[String],
        items: &[SelectItem],
        pos: Position,
    ) -> Result<(Document, Vec<OutputColumn>), Error> {
        let target = Ident::new(collection);
        let mut set = Document::new();
        let mut out = Vec::new();
        let mut add = |t: &mut Translator, name: String, e: &Expr| -> Result<(), Error> {
            if super::aggregate::contains_aggregate(e) {
                return Err(super::expr::invalid(
                    "aggregate functions are not allowed in RETURNING",
                    e,
                ));
            }
            let e = row_columns(e, &target, columns);
            let a = t.agg(cx, &e)?;
            let f = format!("r{}", out.len());
            out.push(OutputColumn {
                name,
                field: f.clone(),
                local_time: a.local_time,
                interval: a.kind == super::expr::Kind::Interval,
            });
            set.insert(f, a.expr);
            Ok(())
        };
        for item in items {
            match item {
                SelectItem::UnnamedExpr(e) => add(self, super::select::column_name(e), e)?,
                SelectItem::ExprWithAlias { expr, alias } => add(self, alias.value.clone(), expr)?,
                SelectItem::Wildcard(_) => {
                    for c in columns {
                        add(self, c.clone(), &Expr::Identifier(Ident::new(c)))?;
                    }
                }
                _ => {
                    return Err(Error::Unsupported {
                        kind: Refusal::Statement,
                        construct: "this RETURNING item".into(),
                        position: pos,
                    })
                }
            }
        }
        Ok((set, out))
    }
}

/// `e` with each reference to a target column (`c` or `t.c`, `c` among `columns`) read from the row
/// being inserted (`ROW.c`).
fn row_columns(e: &Expr, target: &Ident, columns: &[String]) -> Expr {
    let mut out = e.clone();
    let _ = sqlparser::ast::visit_expressions_mut(&mut out, |x| {
        let column = match x {
            Expr::Identifier(i) => Some(i.value.clone()),
            Expr::CompoundIdentifier(parts)
                if parts.len() == 2 && parts[0].value == target.value =>
            {
                Some(parts[1].value.clone())
            }
            _ => None,
        };
        if let Some(c) = column.filter(|c| columns.contains(c)) {
            *x = Expr::CompoundIdentifier(vec![Ident::new(ROW), Ident::new(c)]);
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    out
}
