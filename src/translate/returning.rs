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
use crate::mql::expr::{self as ex, Cmp};
use crate::mql::filter::{self, Cond, Filter};
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
                interval: a.kind == super::expr::Kind::Interval,
            });
            // a constant interval is a `{months, days, micros}` document: a literal, not a projection spec
            let value: Bson = match a.interval.is_some() {
                true => ex::literal(a.expr).into(),
                false => a.expr.into(),
            };
            project.insert(&f, value);
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
        filter: Filter,
        update: UpdateSpec,
        items: &[SelectItem],
    ) -> Result<Translated, Error> {
        let (project, columns) = self.returning_list(cx, items)?;
        let u = match &update {
            UpdateSpec::Operators(d) => Bson::Document(d.clone()),
            UpdateSpec::Pipeline(p) => Bson::Array(p.iter().cloned().map(Bson::Document).collect()),
        };
        if pins_id(&filter) {
            let mut body = doc! {"query": Document::from(filter), "update": u, "new": true};
            if let Some(p) = project {
                body.insert("fields", p);
            }
            return Ok((
                vec![Command::FindAndModify { collection, body }],
                Output::Returned { columns, step: 0 },
            ));
        }
        self.notes.push(NOT_ATOMIC.into());
        let ids = step_ids_filter();
        let mut read = vec![Stage::Match(ids.clone().into()).into_document()];
        if let Some(p) = project {
            read.push(Stage::Project(p).into_document());
        }
        Ok((
            vec![
                Command::Find {
                    collection: collection.clone(),
                    filter: filter.clone().into(),
                    projection: Some(doc! {"_id": 1}),
                    sort: None,
                    skip: None,
                    limit: None,
                },
                Command::Update {
                    collection: collection.clone(),
                    updates: vec![UpdateStatement {
                        filter: and_ids(filter, ids).into(),
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
        filter: Filter,
        items: &[SelectItem],
    ) -> Result<Translated, Error> {
        let (project, columns) = self.returning_list(cx, items)?;
        if pins_id(&filter) {
            let mut body = doc! {"query": Document::from(filter), "remove": true};
            if let Some(p) = project {
                body.insert("fields", p);
            }
            return Ok((
                vec![Command::FindAndModify { collection, body }],
                Output::Returned { columns, step: 0 },
            ));
        }
        self.notes.push(NOT_ATOMIC.into());
        let mut read = vec![Stage::Match(filter.clone().into()).into_document()];
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
                        filter: and_ids(filter, step_ids_filter()).into(),
                        limit: 0,
                    }],
                },
            ],
            Output::Returned { columns, step: 0 },
        ))
    }
}

/// `{_id: {$in: <the _ids of step 0>}}`: the rows the plan's first step found.
fn step_ids_filter() -> Filter {
    Filter::Field("_id".into(), Cond::Ops(filter::in_(ex::step_ids(0))))
}

/// Whether a filter has a top-level conjunct `_id` equality, so it matches at most one document: `_id` equal
/// to a value (not a regular expression, which matches many, nor an array, which matches its elements), or to
/// a document holding no operator (a literal document), or `{$eq: v}`.
fn pins_id(f: &Filter) -> bool {
    let id_eq = |c: &Cond| match c {
        Cond::Value(Bson::RegularExpression(_) | Bson::Array(_)) => false,
        Cond::Value(Bson::Document(d)) | Cond::Ops(d) => {
            filter::eq_value(d).is_some()
                || !d.keys().any(|k| filter::is_operator(k)) && !d.is_empty()
        }
        Cond::Value(_) | Cond::Cmp(Cmp::Eq, _) => true,
        Cond::Cmp(..) | Cond::In(_) | Cond::Nin(_) | Cond::Range(..) => false,
    };
    match f {
        Filter::Field(name, c) => name == "_id" && id_eq(c),
        // A document holds a key once: the last `_id` condition is the one rendered.
        Filter::Fields(fields) => fields
            .iter()
            .rev()
            .find(|(name, _)| name == "_id")
            .is_some_and(|(_, c)| id_eq(c)),
        Filter::And(parts) => parts.iter().any(pins_id),
        Filter::All | Filter::Or(_) | Filter::Expr(_) | Filter::JsonSchema(_) => false,
    }
}

/// `{$and: [filter, ids]}`, flattened when the filter matches everything or is already an `$and`.
fn and_ids(filter: Filter, ids: Filter) -> Filter {
    match filter {
        Filter::All => ids,
        Filter::And(mut items) => {
            items.push(ids);
            Filter::And(items)
        }
        other => Filter::And(vec![other, ids]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, c: Cond) -> Filter {
        Filter::Field(name.into(), c)
    }

    #[test]
    fn an_id_equality_conjunct_pins_one_document() {
        let five = || Cond::Value(5.into());
        assert!(pins_id(&field("_id", five())));
        assert!(pins_id(&field("_id", Cond::Cmp(Cmp::Eq, ex::param(0)))));
        assert!(pins_id(&field(
            "_id",
            Cond::Value(bson::doc! {"k": 1}.into())
        )));
        assert!(pins_id(&Filter::all_of(vec![
            field("_id", five()),
            field("a", Cond::Cmp(Cmp::Gt, 1.into())),
        ])));
        assert!(pins_id(&Filter::And(vec![
            Filter::nothing(),
            field("_id", five())
        ])));
    }

    #[test]
    fn other_id_conditions_do_not_pin() {
        assert!(!pins_id(&Filter::All));
        assert!(!pins_id(&field("a", Cond::Value(5.into()))));
        assert!(!pins_id(&field("_id", Cond::Cmp(Cmp::Gt, 5.into()))));
        assert!(!pins_id(&field("_id", Cond::In(vec![1.into(), 2.into()]))));
        assert!(!pins_id(&field("_id", Cond::Value(Bson::Array(vec![])))));
        assert!(!pins_id(&field("_id", Cond::Ops(filter::regex("^a", "")))));
        assert!(!pins_id(&Filter::any_of(vec![
            field("_id", Cond::Value(1.into())),
            field("_id", Cond::Value(2.into())),
        ])));
    }

    #[test]
    fn the_ids_of_step_0_are_anded_flat() {
        let a = field("a", Cond::Value(1.into()));
        assert_eq!(and_ids(Filter::All, step_ids_filter()), step_ids_filter());
        assert_eq!(
            Document::from(and_ids(
                Filter::And(vec![a.clone(), Filter::nothing()]),
                step_ids_filter()
            )),
            filter::and(vec![
                Document::from(a.clone()).into(),
                filter::nothing().into(),
                Document::from(step_ids_filter()).into(),
            ])
        );
        assert_eq!(
            Document::from(and_ids(a.clone(), step_ids_filter())),
            filter::and(vec![
                Document::from(a).into(),
                Document::from(step_ids_filter()).into()
            ])
        );
    }
}
