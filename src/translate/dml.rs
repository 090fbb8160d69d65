//! INSERT, UPDATE, DELETE -> `insert`, `update`, `delete`.
//!
//! INSERT with constant VALUES becomes `insert`; VALUES that need evaluation (NOW(), arithmetic) become an
//! `update` of upserts whose query never matches (`{_id: {$exists: false}}`), so each row is inserted by a
//! pipeline that MongoDB evaluates (`$$NOW`). UPDATE: constants -> `$set`; `x = x + n` -> `$inc`; anything
//! else -> a pipeline update (all SET expressions read the old row, as in PG). Row counts: `n` (matched).

use super::expr::{expr_pos, unsupported, Agg};
use super::names::{check_field_segment, collection_name, field_path, ident_pos};
use super::{Error, Position, Translated, Translator};
use crate::mql::command::{DeleteStatement, UpdateSpec, UpdateStatement};
use crate::mql::expr as ex;
use crate::mql::filter::{self, Filter};
use crate::mql::stage::Stage;
use crate::mql::update::UpdateOperators;
use crate::mql::{Command, Output};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{
    Assignment, AssignmentTarget, BinaryOperator, Delete, Expr, FromTable, Insert, ObjectName,
    ObjectNamePart, SetExpr, Spanned, TableObject, Update, UpdateTableFromKind, Value,
};

impl Translator {
    /// Translates `INSERT INTO ... (cols) VALUES ...`.
    pub(crate) fn insert_to_plan(
        &mut self,
        cx: &mut QueryContext,
        ins: &Insert,
    ) -> Result<Translated, Error> {
        let pos = Position::from(ins.insert_token.0.span.start);
        let refuse = |what: &str| {
            Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: what.to_string(),
                position: pos,
            })
        };
        if ins.or.is_some()
            || ins.ignore
            || ins.overwrite
            || ins.partitioned.is_some()
            || !ins.after_columns.is_empty()
            || ins.insert_alias.is_some()
            || ins.settings.is_some()
            || ins.format_clause.is_some()
            || !ins.assignments.is_empty()
            || ins.output.is_some()
            || ins.replace_into
            || ins.priority.is_some()
            || ins.multi_table_insert_type.is_some()
            || ins.table_alias.is_some()
        {
            return refuse("this INSERT form");
        }
        let TableObject::TableName(name) = &ins.table else {
            return refuse("INSERT into a table function");
        };
        let collection = collection_name(name)?;
        // A declared table's column order (declared.rs) serves an INSERT without a column list.
        let implicit = self.implicit_insert_columns(&collection, ins, pos)?;
        if ins.columns.is_empty() && implicit.is_none() && ins.source.is_some() {
            return refuse("INSERT without a column list (collections have no column order)");
        }
        let mut cols = implicit.unwrap_or_default();
        for c in &ins.columns {
            let path = object_path(c)?;
            self.check_insert_column(&collection, &path, pos)?;
            if cols.contains(&path) {
                return Err(Error::Invalid {
                    message: format!("column \"{path}\" specified more than once"),
                    position: pos,
                });
            }
            cols.push(path);
        }
        let Some(source) = &ins.source else {
            // `INSERT INTO t DEFAULT VALUES`: one row of the declared defaults.
            let defaults = self.column_defaults(&collection, pos)?;
            let mut rows = vec![Vec::new()];
            self.add_default_columns(cx, &collection, &defaults, &mut cols, &mut rows)?;
            let all_constant = rows.iter().flatten().all(|a| a.constant.is_some());
            if let Some(items) = &ins.returning {
                return self.insert_returning(
                    cx,
                    collection,
                    cols,
                    rows,
                    ins.on.as_ref(),
                    items,
                    pos,
                );
            }
            if let Some(on) = &ins.on {
                return self.upsert_plan(cx, collection, cols, rows, on, pos);
            }
            return Ok(insert_commands(collection, &cols, rows, all_constant));
        };
        let SetExpr::Values(values) = source.body.as_ref() else {
            if ins.on.is_some() {
                return refuse("INSERT ... SELECT with ON CONFLICT");
            }
            return self.insert_select(cx, collection, cols, source, ins.returning.as_deref(), pos);
        };
        if source.order_by.is_some()
            || source.limit_clause.is_some()
            || source.fetch.is_some()
            || source.with.is_some()
        {
            return refuse("INSERT with ORDER BY/LIMIT/WITH");
        }
        let defaults = self.column_defaults(&collection, pos)?;
        let mut all_constant = true;
        let mut rows: Vec<Vec<Agg>> = Vec::new();
        for row in &values.rows {
            let row = &row.content;
            if row.len() != cols.len() {
                return Err(Error::Invalid {
                    message: format!(
                        "INSERT has {} target columns but {} values",
                        cols.len(),
                        row.len()
                    ),
                    position: row.first().map(expr_pos).unwrap_or(pos),
                });
            }
            let mut vals = Vec::new();
            for (v, column) in row.iter().zip(&cols) {
                vals.push(self.insert_item(cx, &collection, &defaults, column, v)?);
            }
            rows.push(vals);
        }
        self.add_default_columns(cx, &collection, &defaults, &mut cols, &mut rows)?;
        if rows.iter().flatten().any(|a| a.constant.is_none()) {
            all_constant = false;
        }
        if let Some(items) = &ins.returning {
            return self.insert_returning(cx, collection, cols, rows, ins.on.as_ref(), items, pos);
        }
        if let Some(on) = &ins.on {
            return self.upsert_plan(cx, collection, cols, rows, on, pos);
        }
        Ok(insert_commands(collection, &cols, rows, all_constant))
    }

    /// A VALUES item: constants (incl. jsonb documents and arrays) stay constants; parameters become
    /// placeholders; anything else is evaluated by MongoDB.
    pub(crate) fn insert_value(&mut self, cx: &mut QueryContext, v: &Expr) -> Result<Agg, Error> {
        if let Expr::Value(val) = v {
            if let Value::Placeholder(_) = val.value {
                let n = self.param_number(&val.value, v)?;
                let mut a = Agg::new(
                    ex::literal(ex::param(n as i64)),
                    super::expr::Kind::Unknown,
                    true,
                );
                a.constant = Some(ex::param(n as i64));
                a.param = Some(n);
                return Ok(a);
            }
        }
        if let Expr::Array(arr) = v {
            let mut items = Vec::new();
            let mut consts = Some(Vec::new());
            for x in &arr.elem {
                let a = self.insert_value(cx, x)?;
                match (&mut consts, &a.constant) {
                    (Some(cs), Some(c)) => cs.push(c.clone()),
                    _ => consts = None,
                }
                items.push(a.expr.into());
            }
            let mut a = Agg::new(Bson::Array(items), super::expr::Kind::Array, false);
            a.constant = consts.map(Bson::Array);
            if let Some(c) = &a.constant {
                a.expr = ex::literal(c.clone());
            }
            return Ok(a);
        }
        let a = self.agg(cx, v)?;
        if a.interval.is_some() || a.kind == super::expr::Kind::Interval {
            return Err(unsupported(
                Refusal::Statement,
                "storing an INTERVAL value",
                v,
            ));
        }
        Ok(a)
    }

    /// Translates `UPDATE ... SET ... [WHERE ...]`.
    pub(crate) fn update_to_plan(
        &mut self,
        cx: &mut QueryContext,
        u: &Update,
    ) -> Result<Translated, Error> {
        let Update {
            update_token,
            optimizer_hints,
            table,
            assignments,
            from,
            selection,
            returning,
            output,
            or,
            order_by,
            limit,
        } = u;
        let pos = Position::from(update_token.0.span.start);
        let refuse = |what: &str| {
            Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: what.to_string(),
                position: pos,
            })
        };
        if !optimizer_hints.is_empty()
            || output.is_some()
            || or.is_some()
            || !order_by.is_empty()
            || limit.is_some()
        {
            return refuse("this UPDATE form");
        }
        if let Some(from) = from {
            let (UpdateTableFromKind::BeforeSet(from) | UpdateTableFromKind::AfterSet(from)) = from;
            self.collection_of_from(cx, std::slice::from_ref(table), pos)?;
            return self.update_from_plan(
                cx,
                table,
                assignments,
                from,
                selection.as_ref(),
                returning.as_deref(),
                pos,
            );
        }
        let collection = self.collection_of_from(cx, std::slice::from_ref(table), pos)?;
        self.bind_declared_target(cx, &collection);
        let (filter, mut steps) = match selection {
            Some(w) => self.write_filter(cx, &collection, w)?,
            None => (Filter::All, Vec::new()),
        };
        let update = self.set_clause(cx, &collection, assignments, pos)?;
        self.no_subquery_here(cx, "UPDATE ... SET", pos)?;
        if let Some(items) = returning {
            if !steps.is_empty() {
                return refuse("UPDATE ... RETURNING with a subquery in WHERE");
            }
            return self.update_returning(cx, collection, filter, update, items);
        }
        let stmt = UpdateStatement {
            filter: filter.into(),
            update,
            multi: true,
            upsert: false,
            array_filters: None,
        };
        steps.push(Command::Update {
            collection,
            updates: vec![stmt],
        });
        Ok((steps, Output::Affected))
    }

    /// The SET list as (field path, value) pairs; `_id`, repeated and overlapping targets are refused.
    pub(crate) fn assignment_targets<'a>(
        &self,
        cx: &QueryContext,
        assignments: &'a [Assignment],
    ) -> Result<Vec<(String, &'a Expr)>, Error> {
        let mut targets = Vec::new();
        for Assignment { target, value } in assignments {
            let AssignmentTarget::ColumnName(name) = target else {
                return Err(unsupported(Refusal::Statement, "tuple assignment", value));
            };
            let path = object_path(name)?;
            let path = self.strip_table_prefix(cx, &path);
            if path == "_id" {
                return Err(Error::Invalid {
                    message: "_id cannot be updated".into(),
                    position: expr_pos(value),
                });
            }
            if targets.iter().any(|(p, _): &(String, &Expr)| {
                p == &path
                    || p.starts_with(&format!("{path}."))
                    || path.starts_with(&format!("{p}."))
            }) {
                return Err(Error::Invalid {
                    message: format!("multiple assignments to the same column \"{path}\""),
                    position: expr_pos(value),
                });
            }
            targets.push((path, value));
        }
        Ok(targets)
    }

    /// The `u` of an UPDATE's SET list: operators when every assignment is a constant or `x = x + n` of a
    /// column declared NOT NULL (`$inc`, exact there), else a pipeline (every expression reads the old row;
    /// `x + n` of a NULL or missing `x` is NULL, as in PostgreSQL, where `$inc` would fail on a null and
    /// write `n` into a missing field).
    pub(crate) fn set_clause(
        &mut self,
        cx: &mut QueryContext,
        collection: &str,
        assignments: &[Assignment],
        pos: Position,
    ) -> Result<UpdateSpec, Error> {
        let targets = self.assignment_targets(cx, assignments)?;
        for (path, _) in &targets {
            self.check_insert_column(collection, path, pos)?;
        }
        let defaults = self.column_defaults(collection, pos)?;
        // Operator form when every assignment is a constant or `x = x + n`.
        let mut set = Document::new();
        let mut inc = Document::new();
        let mut operator_form = true;
        for (path, value) in &targets {
            if self.catalog.is_not_null(collection, path) {
                if let Some(n) = self.increment_of(cx, path, value)? {
                    inc.insert(path.clone(), n);
                    continue;
                }
            }
            let a = self.insert_item(cx, collection, &defaults, path, value)?;
            match a.constant {
                Some(c) => {
                    set.insert(path.clone(), c);
                }
                None => {
                    operator_form = false;
                    break;
                }
            }
        }
        let update = if operator_form {
            let mut d = UpdateOperators::new();
            if !set.is_empty() {
                d = d.set(set);
            }
            if !inc.is_empty() {
                d = d.inc(inc);
            }
            UpdateSpec::Operators(d.into())
        } else {
            let mut stage = Document::new();
            for (path, value) in &targets {
                let a = self.insert_item(cx, collection, &defaults, path, value)?;
                stage.insert(path.clone(), a.expr);
            }
            UpdateSpec::Pipeline(vec![Stage::Set(stage).into_document()])
        };
        Ok(update)
    }

    /// `x = x + n` / `x = n + x` / `x = x - n` with a numeric constant n: the `$inc` amount.
    fn increment_of(
        &mut self,
        cx: &mut QueryContext,
        path: &str,
        value: &Expr,
    ) -> Result<Option<Bson>, Error> {
        let Expr::BinaryOp { left, op, right } = value else {
            return Ok(None);
        };
        let same = |e: &Expr, this: &mut Self, cx: &mut QueryContext| -> Result<bool, Error> {
            Ok(match e {
                Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                    let a = this.agg(cx, e)?;
                    a.expr == ex::field(path)
                }
                _ => false,
            })
        };
        let (amount, negate) = match op {
            BinaryOperator::Plus if same(left, self, cx)? => (right, false),
            BinaryOperator::Plus if same(right, self, cx)? => (left, false),
            BinaryOperator::Minus if same(left, self, cx)? => (right, true),
            _ => return Ok(None),
        };
        if let Expr::Value(v) = amount.as_ref() {
            if let Value::Number(..) = v.value {
                let a = self.agg(cx, amount)?;
                return Ok(match (a.constant, negate) {
                    (Some(Bson::Int32(n)), true) => n.checked_neg().map(Bson::Int32),
                    (Some(Bson::Int64(n)), true) => n.checked_neg().map(Bson::Int64),
                    (Some(Bson::Double(n)), true) => Some(Bson::Double(-n)),
                    (Some(c @ (Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_))), false) => {
                        Some(c)
                    }
                    _ => None,
                });
            }
        }
        Ok(None)
    }

    /// Translates `DELETE FROM ... [WHERE ...]`.
    pub(crate) fn delete_to_plan(
        &mut self,
        cx: &mut QueryContext,
        d: &Delete,
    ) -> Result<Translated, Error> {
        let Delete {
            delete_token,
            optimizer_hints,
            tables,
            from,
            using,
            selection,
            returning,
            output,
            order_by,
            limit,
        } = d;
        let pos = Position::from(delete_token.0.span.start);
        let refuse = |what: &str| {
            Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: what.to_string(),
                position: pos,
            })
        };
        if !tables.is_empty()
            || !optimizer_hints.is_empty()
            || output.is_some()
            || !order_by.is_empty()
            || limit.is_some()
        {
            return refuse("this DELETE form");
        }
        let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = from;
        if let Some(using) = using {
            self.collection_of_from(cx, from, pos)?;
            let [target] = from.as_slice() else {
                return refuse("DELETE from several tables");
            };
            return self.delete_using_plan(
                target,
                using,
                selection.as_ref(),
                returning.as_deref(),
                pos,
            );
        }
        let collection = self.collection_of_from(cx, from, pos)?;
        self.bind_declared_target(cx, &collection);
        let (filter, mut steps) = match selection {
            Some(w) => self.write_filter(cx, &collection, w)?,
            None => (Filter::All, Vec::new()),
        };
        if let Some(items) = returning {
            if !steps.is_empty() {
                return refuse("DELETE ... RETURNING with a subquery in WHERE");
            }
            return self.delete_returning(cx, collection, filter, items);
        }
        steps.push(Command::Delete {
            collection,
            deletes: vec![DeleteStatement {
                filter: filter.into(),
                limit: 0,
            }],
        });
        Ok((steps, Output::Affected))
    }

    /// Drops a leading `table.` / `alias.` qualifier from a dotted path.
    pub(crate) fn strip_table_prefix(&self, cx: &QueryContext, path: &str) -> String {
        for t in &cx.tables {
            if let Some(rest) = path.strip_prefix(&format!("{t}.")) {
                return rest.to_string();
            }
        }
        path.to_string()
    }
}

/// A column (possibly dotted) of an INSERT / UPDATE target as a field path.
pub(crate) fn object_path(name: &ObjectName) -> Result<String, Error> {
    let mut parts = Vec::new();
    for p in &name.0 {
        match p {
            ObjectNamePart::Identifier(i) => {
                check_field_segment(&i.value, ident_pos(i))?;
                parts.push(i.clone());
            }
            _ => {
                return Err(Error::Unsupported {
                    kind: Refusal::Statement,
                    construct: format!("column {name}"),
                    position: Position::from(name.span().start),
                })
            }
        }
    }
    field_path(&parts)
}

/// Sets `path` (dotted) in `d`, creating nested documents.
fn set_path(d: &mut Document, path: &str, v: Bson) {
    match path.split_once('.') {
        None => {
            d.insert(path, v);
        }
        Some((head, rest)) => {
            let entry = d
                .entry(head.to_string())
                .or_insert_with(|| Bson::Document(Document::new()));
            if let Bson::Document(inner) = entry {
                set_path(inner, rest, v);
            }
        }
    }
}

/// The commands of a plain INSERT: one `insert` of the documents when every value is a constant, else one
/// upsert per row whose query never matches, with a pipeline MongoDB evaluates.
pub(crate) fn insert_commands(
    collection: String,
    cols: &[String],
    rows: Vec<Vec<Agg>>,
    all_constant: bool,
) -> Translated {
    if all_constant {
        let mut docs = Vec::new();
        for vals in &rows {
            let mut d = Document::new();
            for (c, a) in cols.iter().zip(vals) {
                set_path(&mut d, c, a.constant.clone().unwrap_or(Bson::Null));
            }
            docs.push(d);
        }
        return (
            vec![Command::Insert {
                collection,
                documents: docs,
                ordered: true,
            }],
            Output::Affected,
        );
    }
    let mut updates = Vec::new();
    for vals in rows {
        let mut set = Document::new();
        for (c, a) in cols.iter().zip(vals) {
            set.insert(c.clone(), a.expr);
        }
        updates.push(UpdateStatement {
            filter: doc! {"_id": filter::exists(false)},
            update: UpdateSpec::Pipeline(vec![Stage::Set(set).into_document()]),
            multi: false,
            upsert: true,
            array_filters: None,
        });
    }
    (
        vec![Command::Update {
            collection,
            updates,
        }],
        Output::Affected,
    )
}
