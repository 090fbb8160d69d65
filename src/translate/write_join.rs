//! `UPDATE t SET ... FROM f ... WHERE ...` and `DELETE FROM t USING f ... WHERE ...`, with PostgreSQL's
//! semantics: a target row joined to several FROM rows is written once (with one of them), and the row count
//! is the number of target rows written.
//!
//! Two steps, not atomic (as UPDATE / DELETE with a subquery): step 0 is the query `SELECT t._id, <SET
//! values> FROM t JOIN f ON <WHERE>` (one FROM item: the join's `$lookup`, which probes an index or a hash
//! table for equality conditions; several items: `FROM t, f, g WHERE ...`), grouped by `_id` keeping the first
//! joined row's values. Step 1 is one `delete` statement per row of step 0 (`{q: {_id: <id>}, limit: 1}`),
//! or one `update` statement per row, `{q: {_id: <id>}, u: {$set: {col: <value>}}}` (`mql::chain::step_each`):
//! the values were computed from the old row and the FROM row by step 0, so they are written as data.
//! `RETURNING expr, ...` is computed by step 0 too (a SET column there read as its new value, i.e. its SET
//! expression): the rows are step 0's, one per target row written.

use super::{Error, Position, Translated, Translator};
use crate::mql::accumulator::Accumulator;
use crate::mql::chain::step_row;
use crate::mql::command::{DeleteStatement, UpdateSpec, UpdateStatement};
use crate::mql::expr as ex;
use crate::mql::expr::Cmp;
use crate::mql::filter::{Cond, Filter};
use crate::mql::stage::Stage;
use crate::mql::update::UpdateOperators;
use crate::mql::{Command, Output, OutputColumn};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{Bson, Document};
use sqlparser::ast::{
    Assignment, Expr, Ident, Join, JoinConstraint, JoinOperator, ObjectNamePart, SelectItem,
    SetExpr, Statement, TableFactor, TableWithJoins,
};

/// The output field of the target row's `_id` in step 0.
const ID: &str = "_id";

fn refuse(what: &str, pos: Position) -> Error {
    Error::Unsupported {
        kind: Refusal::Statement,
        construct: what.to_string(),
        position: pos,
    }
}

/// RETURNING items as (output names, expressions, each passed through `map`); `*` is refused (the columns of
/// a join's relations are not all known).
fn returning_items(
    items: &[SelectItem],
    pos: Position,
    map: impl Fn(&Expr) -> Expr,
) -> Result<(Vec<String>, Vec<Expr>), Error> {
    let mut names = Vec::new();
    let mut exprs = Vec::new();
    for item in items {
        let (name, e) = match item {
            SelectItem::UnnamedExpr(e) => (super::select::column_name(e), e),
            SelectItem::ExprWithAlias { expr, alias } => (alias.value.clone(), expr),
            _ => {
                return Err(refuse(
                    "RETURNING * with FROM / USING (name the columns)",
                    pos,
                ))
            }
        };
        if super::aggregate::contains_aggregate(e) {
            return Err(super::expr::invalid(
                "aggregate functions are not allowed in RETURNING",
                e,
            ));
        }
        names.push(name);
        exprs.push(map(e));
    }
    Ok((names, exprs))
}

/// The output of a joined write: its row count, or with RETURNING the rows of step 0 (one per target row
/// written), whose values `v<first>`, `v<first + 1>`, ... are the RETURNING items.
fn returned_output(names: Option<Vec<String>>, first: usize) -> Output {
    match names {
        None => Output::Affected,
        Some(names) => Output::Returned {
            columns: names
                .into_iter()
                .enumerate()
                .map(|(i, n)| OutputColumn::new(n, format!("v{}", first + i)))
                .collect(),
            step: 0,
        },
    }
}

/// `e` with each reference to a column the SET list writes (`col` or `target.col`) replaced by its new
/// value, parenthesized: what RETURNING reads of the new row.
fn substitute_set_columns(e: &Expr, target: &Ident, paths: &[String], values: &[&Expr]) -> Expr {
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
        if let Some(k) = column.and_then(|c| paths.iter().position(|p| *p == c)) {
            *x = Expr::Nested(Box::new(values[k].clone()));
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    out
}

/// The name the target is referred to by: its alias, else its (last) table name.
fn target_qualifier(target: &TableWithJoins, pos: Position) -> Result<Ident, Error> {
    match &target.relation {
        TableFactor::Table { alias: Some(a), .. } => Ok(a.name.clone()),
        TableFactor::Table { name, .. } => match name.0.last() {
            Some(ObjectNamePart::Identifier(i)) => Ok(i.clone()),
            _ => Err(refuse("this target table", pos)),
        },
        _ => Err(refuse("this target table", pos)),
    }
}

/// The collection an UPDATE ... FROM writes (`None` when it is not a plain table name).
fn target_collection(target: &TableWithJoins) -> Option<String> {
    match &target.relation {
        TableFactor::Table { name, .. } => super::names::collection_name(name).ok(),
        _ => None,
    }
}

/// `SELECT <items> FROM target JOIN from ON <where>` (one FROM item) or `FROM target, from... WHERE <where>`.
fn join_query(
    target: &TableWithJoins,
    from: &[TableWithJoins],
    selection: Option<&Expr>,
    items: Vec<SelectItem>,
) -> Result<sqlparser::ast::Query, Error> {
    let skeleton = "SELECT 1 FROM t";
    let mut stmts =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, skeleton)
            .map_err(|e| Error::Internal(format!("UPDATE ... FROM skeleton: {e}")))?;
    let Some(Statement::Query(mut q)) = stmts.pop() else {
        return Err(Error::Internal("UPDATE ... FROM skeleton".into()));
    };
    let SetExpr::Select(s) = q.body.as_mut() else {
        return Err(Error::Internal("UPDATE ... FROM skeleton".into()));
    };
    s.projection = items;
    match from {
        [one] if one.joins.is_empty() => {
            let on = selection
                .cloned()
                .unwrap_or_else(|| Expr::value(sqlparser::ast::Value::Boolean(true)));
            let mut t = target.clone();
            t.joins.push(Join {
                relation: one.relation.clone(),
                global: false,
                join_operator: JoinOperator::Join(JoinConstraint::On(on)),
            });
            s.from = vec![t];
            s.selection = None;
        }
        _ => {
            s.from = std::iter::once(target.clone())
                .chain(from.iter().cloned())
                .collect();
            s.selection = selection.cloned();
        }
    }
    Ok(*q)
}

fn qualified_id(q: &Ident) -> Expr {
    Expr::CompoundIdentifier(vec![q.clone(), Ident::new("_id")])
}

impl Translator {
    /// Step 0: the `_id` of each target row the join keeps, with `values` (the SET expressions) as `v0`,
    /// `v1`, ... of one joined row.
    fn joined_rows_step(
        &mut self,
        target: &TableWithJoins,
        from: &[TableWithJoins],
        selection: Option<&Expr>,
        values: &[&Expr],
        pos: Position,
    ) -> Result<(String, Command), Error> {
        let collection = match &target.relation {
            TableFactor::Table { name, .. } => super::names::collection_name(name)?,
            _ => return Err(refuse("this target table", pos)),
        };
        let qual = target_qualifier(target, pos)?;
        let mut items = vec![SelectItem::ExprWithAlias {
            expr: qualified_id(&qual),
            alias: Ident::new("__id"),
        }];
        for (i, v) in values.iter().enumerate() {
            items.push(SelectItem::ExprWithAlias {
                expr: (*v).clone(),
                alias: Ident::new(format!("__v{i}")),
            });
        }
        let query = join_query(target, from, selection, items)?;
        let (mut cmds, output) = self.in_child_query(|t, cx| t.query_to_plan(cx, &query))?;
        let (Some(Command::Aggregate { pipeline, .. }), true, Output::Rows { columns }) =
            (cmds.pop(), cmds.is_empty(), output)
        else {
            return Err(refuse("this UPDATE ... FROM / DELETE ... USING form", pos));
        };
        let mut pipeline = pipeline;
        let field = |i: usize| -> Result<String, Error> {
            columns
                .get(i)
                .map(|c| ex::field_ref(&c.field))
                .ok_or_else(|| Error::Internal("joined write: missing column".into()))
        };
        let mut acc = Document::new();
        for i in 0..values.len() {
            acc.insert(format!("v{i}"), Accumulator::First.of(field(i + 1)?));
        }
        pipeline.push(
            Stage::Group {
                id: Bson::String(field(0)?),
                accumulators: acc,
            }
            .into_document(),
        );
        self.notes.push(
            "UPDATE ... FROM / DELETE ... USING: runs as two commands (the join, then the writes by _id), not atomically"
                .into(),
        );
        Ok((
            collection.clone(),
            Command::Aggregate {
                collection,
                pipeline,
            },
        ))
    }

    /// `UPDATE target SET ... FROM from WHERE ...`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn update_from_plan(
        &mut self,
        cx: &mut QueryContext,
        target: &TableWithJoins,
        assignments: &[Assignment],
        from: &[TableWithJoins],
        selection: Option<&Expr>,
        returning: Option<&[SelectItem]>,
        pos: Position,
    ) -> Result<Translated, Error> {
        if !target.joins.is_empty() {
            return Err(refuse("UPDATE of a join", pos));
        }
        let qual = target_qualifier(target, pos)?;
        let mut paths = Vec::new();
        let mut values = Vec::new();
        for (path, value) in self.assignment_targets(cx, assignments)? {
            // `SET t.col = ...`: the target's qualifier is not part of the column.
            let path = path
                .strip_prefix(&format!("{}.", qual.value))
                .map(str::to_string)
                .unwrap_or(path);
            if let Some(collection) = target_collection(target) {
                self.check_insert_column(&collection, &path, pos)?;
            }
            paths.push(path);
            values.push(value);
        }
        // RETURNING sees the new row: a SET column there is its SET value, computed by step 0 beside it.
        let returned = match returning {
            Some(items) => Some(returning_items(items, pos, |e| {
                substitute_set_columns(e, &qual, &paths, &values)
            })?),
            None => None,
        };
        let mut all: Vec<&Expr> = values.clone();
        if let Some((_, exprs)) = &returned {
            all.extend(exprs.iter());
        }
        let (collection, step0) = self.joined_rows_step(target, from, selection, &all, pos)?;
        let mut set = Document::new();
        let mut empty_set = Document::new();
        for (i, p) in paths.iter().enumerate() {
            set.insert(p.clone(), step_row(&format!("v{i}")));
            empty_set.insert(p.clone(), Bson::Null);
        }
        let statement = UpdateStatement {
            filter: id_is(step_row(ID)),
            update: UpdateSpec::Operators(UpdateOperators::new().set(set).into()),
            multi: false,
            upsert: false,
            array_filters: None,
        };
        let if_empty = UpdateStatement {
            filter: Filter::Field("_id".into(), Cond::In(Vec::new())).into(),
            update: UpdateSpec::Operators(UpdateOperators::new().set(empty_set).into()),
            multi: false,
            upsert: false,
            array_filters: None,
        };
        Ok((
            vec![
                step0,
                Command::UpdateEach {
                    collection,
                    step: 0,
                    statement,
                    if_empty,
                },
            ],
            returned_output(returned.map(|(names, _)| names), values.len()),
        ))
    }

    /// `DELETE FROM target USING from WHERE ...`.
    pub(crate) fn delete_using_plan(
        &mut self,
        target: &TableWithJoins,
        using: &[TableWithJoins],
        selection: Option<&Expr>,
        returning: Option<&[SelectItem]>,
        pos: Position,
    ) -> Result<Translated, Error> {
        if !target.joins.is_empty() {
            return Err(refuse("DELETE of a join", pos));
        }
        // RETURNING sees the deleted row as it was, and the USING row it was joined to.
        let returned = match returning {
            Some(items) => Some(returning_items(items, pos, |e| e.clone())?),
            None => None,
        };
        let exprs: Vec<&Expr> = returned
            .as_ref()
            .map(|(_, e)| e.iter().collect())
            .unwrap_or_default();
        let (collection, step0) = self.joined_rows_step(target, using, selection, &exprs, pos)?;
        Ok((
            vec![
                step0,
                // One statement per row, each an `_id` point lookup (a `$in` of every `_id` would be matched
                // against the whole list per candidate).
                Command::DeleteEach {
                    collection,
                    step: 0,
                    statement: DeleteStatement {
                        filter: id_is(step_row(ID)),
                        limit: 1,
                    },
                    if_empty: DeleteStatement {
                        filter: Filter::Field("_id".into(), Cond::In(Vec::new())).into(),
                        limit: 1,
                    },
                },
            ],
            returned_output(returned.map(|(names, _)| names), 0),
        ))
    }
}

/// `{_id: {$eq: v}}`: the row `v` names (`$eq`: a placeholder is never read as operators).
fn id_is(v: Bson) -> Document {
    Filter::Field("_id".into(), Cond::Cmp(Cmp::Eq, v)).into()
}
