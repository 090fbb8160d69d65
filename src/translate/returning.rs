//! `UPDATE ... RETURNING` and `DELETE ... RETURNING`.
//!
//! When the WHERE pins one document by an `_id` equality (a top-level conjunct `_id = v`), the statement is one
//! atomic `findAndModify` (`new: true` for UPDATE, `remove: true` for DELETE, `fields` = the RETURNING list).
//! Otherwise uniqueness cannot be known at translation time, so the statement runs as a multi-step plan that is
//! NOT atomic as a whole (each step is):
//!
//! - UPDATE: `find` the matching `_id`s; `update` `{$and: [WHERE, {_id: {$in: ids}}]}`; read the rows back by
//!   `_id` with `aggregate` (`$match` + `$project`).
//! - DELETE: read the matching rows (with `_id`) with `aggregate`; `delete` `{$and: [WHERE, {_id: {$in: ids}}]}`.
//!
//! Later steps refer to the `_id`s of an earlier step by `{"$stepIds": k}`, bound at execution.

use super::select::column_name;
use super::{Error, Translated, Translator};
use crate::mql::command::{DeleteStatement, UpdateSpec, UpdateStatement};
use crate::mql::expr as ex;
use crate::mql::filter;
use crate::mql::stage::Stage;
use crate::mql::{Command, Output, OutputColumn};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{SelectItem, Spanned};

const NOT_ATOMIC: &str = "RETURNING without an _id equality runs as several commands (find the rows, write \
     them by _id, read them); it is not atomic: a concurrent write between the steps can change what is returned";

impl Translator {
    /// The RETURNING list as a `$project` document (`None` for `*`) and output columns.
    pub(crate) fn returning_list(
        &mut self,
        cx: &mut QueryContext,
        items: &[SelectItem],
    ) -> Result<(Option<Document>, Vec<OutputColumn>), Error> {
        let mut project = doc! {"_id": 0};
        let mut cols = Vec::new();
        let mut wildcard = false;
        // `RETURNING *` of a declared table: its declared columns (declared.rs).
        let declared = cx
            .tables
            .first()
            .and_then(|t| self.catalog.tables.get(t))
            .map(|t| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
        let expanded: Vec<SelectItem>;
        let items = match declared {
            Some(names)
                if items.iter().any(|i| {
                    matches!(
                        i,
                        SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                    )
                }) =>
            {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                            out.extend(names.iter().map(|n| {
                                SelectItem::UnnamedExpr(sqlparser::ast::Expr::Identifier(
                                    sqlparser::ast::Ident::new(n.clone()),
                                ))
                            }))
                        }
                        other => out.push(other.clone()),
                    }
                }
                expanded = out;
                &expanded[..]
            }
            _ => items,
        };
        for (i, item) in items.iter().enumerate() {
            let (name, e) = match item {
                SelectItem::UnnamedExpr(e) => (column_name(e), e),
                SelectItem::ExprWithAlias { expr, alias } => (alias.value.clone(), expr),
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    wildcard = true;
                    continue;
                }
                other => {
                    return Err(Error::Unsupported {
                        kind: Refusal::Statement,
                        construct: "this RETURNING item".into(),
                        position: super::Position::from(other.span().start),
                    })
                }
            };
            if super::aggregate::contains_aggregate(e) {
                return Err(super::expr::invalid(
                    "aggregate functions are not allowed in RETURNING",
                    e,
                ));
            }
            let a = self.agg(cx, e)?;
            let f = format!("c{i}");
            cols.push(OutputColumn {
                name,
                field: f.clone(),
                local_time: a.local_time,
            });
            project.insert(&f, a.expr);
        }
        if wildcard {
            if !cols.is_empty() {
                return Err(Error::Unsupported {
                    kind: Refusal::Statement,
                    construct: "RETURNING * together with other columns".into(),
                    position: super::Position::default(),
                });
            }
            return Ok((None, cols));
        }
        Ok((Some(project), cols))
    }

    /// `UPDATE ... RETURNING`.
    pub(crate) fn update_returning(
        &mut self,
        cx: &mut QueryContext,
        collection: String,
        filter: Document,
        update: UpdateSpec,
        items: &[SelectItem],
    ) -> Result<Translated, Error> {
        let (project, columns) = self.returning_list(cx, items)?;
        let u = match &update {
            UpdateSpec::Operators(d) => Bson::Document(d.clone()),
            UpdateSpec::Pipeline(p) => Bson::Array(p.iter().cloned().map(Bson::Document).collect()),
        };
        if pins_id(&filter) {
            let mut body = doc! {"query": filter, "update": u, "new": true};
            if let Some(p) = project {
                body.insert("fields", p);
            }
            return Ok((
                vec![Command::FindAndModify { collection, body }],
                Output::Returned { columns, step: 0 },
            ));
        }
        self.notes.push(NOT_ATOMIC.into());
        let ids = filter::field("_id", filter::in_(ex::step_ids(0)));
        let mut read = vec![Stage::Match(ids.clone()).into_document()];
        if let Some(p) = project {
            read.push(Stage::Project(p).into_document());
        }
        Ok((
            vec![
                Command::Find {
                    collection: collection.clone(),
                    filter: filter.clone(),
                    projection: Some(doc! {"_id": 1}),
                    sort: None,
                    skip: None,
                    limit: None,
                },
                Command::Update {
                    collection: collection.clone(),
                    updates: vec![UpdateStatement {
                        filter: and_ids(filter, ids),
                        update,
                        multi: true,
                        upsert: false,
                        array_filters: None,
                    }],
                },
                Command::Aggregate {
                    collection,
                    pipeline: read,
                },
            ],
            Output::Returned { columns, step: 2 },
        ))
    }

    /// `DELETE ... RETURNING`.
    pub(crate) fn delete_returning(
        &mut self,
        cx: &mut QueryContext,
        collection: String,
        filter: Document,
        items: &[SelectItem],
    ) -> Result<Translated, Error> {
        let (project, columns) = self.returning_list(cx, items)?;
        if pins_id(&filter) {
            let mut body = doc! {"query": filter, "remove": true};
            if let Some(p) = project {
                body.insert("fields", p);
            }
            return Ok((
                vec![Command::FindAndModify { collection, body }],
                Output::Returned { columns, step: 0 },
            ));
        }
        self.notes.push(NOT_ATOMIC.into());
        let mut read = vec![Stage::Match(filter.clone()).into_document()];
        if let Some(mut p) = project {
            // Keep `_id`: the delete step needs it.
            p.remove("_id");
            read.push(Stage::Project(p).into_document());
        }
        Ok((
            vec![
                Command::Aggregate {
                    collection: collection.clone(),
                    pipeline: read,
                },
                Command::Delete {
                    collection,
                    deletes: vec![DeleteStatement {
                        filter: and_ids(filter, filter::field("_id", filter::in_(ex::step_ids(0)))),
                        limit: 0,
                    }],
                },
            ],
            Output::Returned { columns, step: 0 },
        ))
    }
}

/// Whether a filter has a top-level conjunct `_id` equality, so it matches at most one document.
fn pins_id(filter: &Document) -> bool {
    let id_eq = |v: &Bson| match v {
        Bson::Document(d) => {
            filter::eq_value(d).is_some()
                || !d.keys().any(|k| filter::is_operator(k)) && !d.is_empty()
        }
        Bson::RegularExpression(_) | Bson::Array(_) => false,
        _ => true,
    };
    if filter.get("_id").is_some_and(id_eq) {
        return true;
    }
    match filter::and_operand(filter) {
        Some(items) => items.iter().any(|i| match i {
            Bson::Document(d) => pins_id(d),
            _ => false,
        }),
        _ => false,
    }
}

/// `{$and: [filter, ids]}`, flattened when the filter is empty or already a lone `$and`.
fn and_ids(filter: Document, ids: Document) -> Document {
    if filter.is_empty() {
        return ids;
    }
    if let Some(items) = filter::and_parts(&filter) {
        let mut items = items.clone();
        items.push(Bson::Document(ids));
        return filter::and(items);
    }
    filter::and(vec![filter.into(), ids.into()])
}
