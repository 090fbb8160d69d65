//! Set operations: UNION [ALL], INTERSECT [ALL], EXCEPT [ALL] -> one `aggregate` with `$unionWith`.
//!
//! Each side is translated as a query of its own; its result columns are renamed to `u0, u1, ...` (missing
//! becomes NULL) so the sides line up by position, as in SQL, and the names come from the left side. When the
//! side ends with its own `$project`, that projection computes `u0, u1, ...` directly (one `$project` per
//! side, the INTERSECT / EXCEPT side tag in it).
//! UNION ALL appends the right side with `$unionWith`. UNION groups on all columns (`$group` on a document of
//! them, then `$replaceRoot`). INTERSECT / EXCEPT tag each row with its side (`__l: 1` on the left,
//! `__r: 1` on the right), group on all columns counting the rows of each side (`$sum` of each tag), and keep (a `$match` on the counts) the rows present on both sides (INTERSECT) or
//! only on the left (EXCEPT); the ALL forms repeat a row min(l, r) or l - r times (`$range` + `$unwind`). Grouping compares values with
//! BSON equality, under which NULL equals NULL, as PostgreSQL's set operations do. ORDER BY / LIMIT / OFFSET
//! after a set operation may name output columns (by name or position) only.
//!
//! Intervals: each side hands out its interval columns as `{months, days, micros}` documents
//! (`context::Intervals::Values`), so the set operation compares and orders them as PostgreSQL does, by the
//! span (a month is 30 days, a day 24 hours: `interval::span`): an interval column's group key is its span, and
//! the row keeps the first value of its group (`$first`: the left side's first, as PostgreSQL's hashed set
//! operations keep the first row they read, so `1 day` UNION `24:00:00` is `1 day`); an ORDER BY key on it
//! sorts by the span. The text is printed at the end: by the row layer for the statement's own rows, by the
//! query around for a side or relation that reads documents, else by a last `$set` (`interval::format`).

use super::query::{finish_pipeline, output_column, QueryTail};
use super::{Error, Position, Translated, Translator};
use crate::mql::accumulator as acc;
use crate::mql::command::ReadStages;
use crate::mql::expr as ex;
use crate::mql::expr::Expr;
use crate::mql::filter;
use crate::mql::stage::{Stage, StageKind};
use crate::mql::{Command, Output, OutputColumn};
use crate::translate::context::{Intervals, QueryContext};
use crate::translate::expr::interval;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{Query, SetExpr, SetOperator, SetQuantifier, Spanned};

/// One translated side of a set operation.
struct Side {
    collection: String,
    pipeline: Vec<Document>,
    names: Vec<String>,
    /// Which columns hold interval documents.
    intervals: Vec<bool>,
}

impl Translator {
    /// A query whose body is a set operation, with the query's ORDER BY / LIMIT / OFFSET (query.rs): the
    /// keys may name output columns (by name or position) only.
    pub(crate) fn set_operation_query(
        &mut self,
        cx: &mut QueryContext,
        q: &Query,
        tail: QueryTail,
    ) -> Result<Translated, Error> {
        let mode = std::mem::take(&mut cx.intervals);
        let pos = Position::from(q.span().start);
        let side = self.set_side(q, &q.body, pos)?;
        let mut pipeline = side.pipeline;
        let field = |i: usize| format!("u{i}");
        let names: Vec<&str> = side.names.iter().map(String::as_str).collect();
        // ORDER BY: output columns by name or position, with a NULL flag where PostgreSQL's NULL placement
        // differs from MongoDB's.
        let mut set = Document::new();
        let mut sort: Vec<(String, i32)> = Vec::new();
        for (k, key) in tail.keys.iter().enumerate() {
            let Some(idx) = output_column(&key.expr, &names, |_| true)? else {
                return Err(Error::Unsupported {
                    kind: Refusal::SetOperation,
                    construct: format!(
                        "ORDER BY {} after a set operation (name an output column or its position)",
                        key.expr
                    ),
                    position: super::expr::expr_pos(&key.expr),
                });
            };
            let dir = if key.desc { -1 } else { 1 };
            let f = field(idx);
            if key.nulls_first == key.desc {
                let flag = format!("__n{k}");
                set.insert(&flag, ex::cond(ex::eq(ex::field(&f), Bson::Null), 1, 0));
                sort.push((flag, dir));
            }
            // an interval sorts by its span, not by its document's fields
            let f = if side.intervals[idx] {
                let span = format!("__k{idx}");
                if !set.contains_key(&span) {
                    set.insert(&span, interval::span(ex::field(&f).into(), false));
                }
                span
            } else {
                f
            };
            if !sort.iter().any(|(s, _)| *s == f) {
                sort.push((f, dir));
            }
        }
        let flags: Vec<String> = set.keys().cloned().collect();
        if !set.is_empty() {
            pipeline.push(Stage::Set(set).into_document());
        }
        finish_pipeline(
            &mut pipeline,
            &sort,
            flags,
            tail.limit.as_ref(),
            tail.offset.as_ref(),
        );
        // The text of the intervals: here when the reader takes text, else the reader's (row layer, query around).
        let documents = mode != Intervals::Text;
        if !documents && side.intervals.contains(&true) {
            let mut text = Document::new();
            for (i, _) in side.intervals.iter().enumerate().filter(|(_, iv)| **iv) {
                text.insert(field(i), interval::format(ex::field(&field(i)).into()));
            }
            pipeline.push(Stage::Set(text).into_document());
        }
        let columns = side
            .names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut c = OutputColumn::new(name.clone(), field(i));
                c.interval = documents && side.intervals[i];
                c
            })
            .collect();
        Ok((
            vec![Command::Aggregate {
                collection: side.collection,
                pipeline,
            }],
            Output::Rows { columns },
        ))
    }

    /// One side: a SELECT, a parenthesized query, or a nested set operation.
    fn set_side(&mut self, outer: &Query, body: &SetExpr, pos: Position) -> Result<Side, Error> {
        match body {
            SetExpr::SetOperation {
                left,
                op,
                set_quantifier,
                right,
            } => {
                let all = match set_quantifier {
                    SetQuantifier::All => true,
                    SetQuantifier::Distinct | SetQuantifier::None => false,
                    _ => {
                        return Err(Error::Unsupported {
                            kind: Refusal::SetOperation,
                            construct: format!("{op} {set_quantifier}"),
                            position: pos,
                        })
                    }
                };
                let l = self.set_side(outer, left, pos)?;
                let r = self.set_side(outer, right, pos)?;
                if l.names.len() != r.names.len() {
                    return Err(Error::Invalid {
                        message: format!(
                            "each {op} query must have the same number of columns ({} and {})",
                            l.names.len(),
                            r.names.len()
                        ),
                        position: pos,
                    });
                }
                let intervals: Vec<bool> = l
                    .intervals
                    .iter()
                    .zip(&r.intervals)
                    .map(|(a, b)| *a || *b)
                    .collect();
                // The group key: the columns, an interval by its span (PostgreSQL's equality), its value the
                // first of the group (`__f<i>`, put back by `group_rows`). A side's rows always have their
                // columns (its last `$project` or the key of a nested set operation makes each one, null for
                // none), so `{$ifNull: ["$u<i>", null]}` keys the same groups as `"$u<i>"`; written so, the
                // engine groups by the columns' values without building a key document per row
                // (`engine/pipeline/group_key.rs`).
                let mut key = Document::new();
                let mut firsts = Document::new();
                for (i, iv) in intervals.iter().enumerate() {
                    let u = format!("u{i}");
                    if *iv {
                        key.insert(&u, interval::span(ex::field(&u).into(), false));
                        firsts.insert(format!("__f{i}"), acc::Accumulator::First.of(ex::field(&u)));
                    } else {
                        key.insert(&u, ex::or_null(ex::field(&u)));
                    }
                }
                let mut pipeline = l.pipeline;
                let mut right_pipeline = r.pipeline;
                match op {
                    SetOperator::Union => {
                        pipeline.push(
                            Stage::UnionWith {
                                coll: Some(r.collection),
                                pipeline: right_pipeline,
                            }
                            .into_document(),
                        );
                        if !all {
                            pipeline.push(
                                Stage::Group {
                                    id: key.into(),
                                    accumulators: firsts,
                                }
                                .into_document(),
                            );
                            pipeline.push(group_rows(&intervals));
                        }
                    }
                    SetOperator::Intersect | SetOperator::Except => {
                        tag_side(&mut pipeline, "__l");
                        tag_side(&mut right_pipeline, "__r");
                        pipeline.push(
                            Stage::UnionWith {
                                coll: Some(r.collection),
                                pipeline: right_pipeline,
                            }
                            .into_document(),
                        );
                        // Each side's rows counted by summing its tag (missing on the other side's rows).
                        let mut accumulators = doc! {
                            "l": acc::sum(ex::field("__l")),
                            "r": acc::sum(ex::field("__r")),
                        };
                        accumulators.extend(firsts);
                        pipeline.push(
                            Stage::Group {
                                id: key.into(),
                                accumulators,
                            }
                            .into_document(),
                        );
                        if !all {
                            // Each row once, when it is on both sides (INTERSECT) or on the left only
                            // (EXCEPT): a filter on the counts, no repetition to build.
                            let mut keep = filter::field("l", filter::gt(0));
                            keep.extend(if matches!(op, SetOperator::Intersect) {
                                filter::field("r", filter::gt(0))
                            } else {
                                filter::field("r", filter::eq(0))
                            });
                            pipeline.push(Stage::Match(keep).into_document());
                            pipeline.push(group_rows(&intervals));
                            return Ok(Side {
                                collection: l.collection,
                                pipeline,
                                names: l.names,
                                intervals,
                            });
                        }
                        let times: Bson = match op {
                            SetOperator::Intersect => {
                                ex::min(vec![ex::field("l").into(), ex::field("r").into()])
                            }
                            _ => ex::max(vec![
                                ex::subtract(ex::field("l"), ex::field("r")),
                                Bson::Int32(0),
                            ]),
                        };
                        pipeline.push(
                            Stage::Set(doc! {"__times": ex::range(0, times)}).into_document(),
                        );
                        pipeline.push(Stage::Unwind(ex::field_ref("__times")).into_document());
                        pipeline.push(group_rows(&intervals));
                    }
                    other => {
                        return Err(Error::Unsupported {
                            kind: Refusal::SetOperation,
                            construct: format!("set operation {other}"),
                            position: pos,
                        })
                    }
                }
                Ok(Side {
                    collection: l.collection,
                    pipeline,
                    names: l.names,
                    intervals,
                })
            }
            SetExpr::Select(_) | SetExpr::Query(_) => {
                let sub = match body {
                    SetExpr::Query(q) => q.as_ref().clone(),
                    _ => {
                        let mut s = outer.clone();
                        s.with = None;
                        s.order_by = None;
                        s.limit_clause = None;
                        s.fetch = None;
                        s.body = Box::new(body.clone());
                        s
                    }
                };
                // Each side has its own tables, joins and windows; its intervals are documents.
                let (cmds, output) = self.in_child_query(|t, cx| {
                    cx.intervals = Intervals::Values;
                    t.query_to_plan(cx, &sub)
                })?;
                // A refusal points at the operand itself.
                let at = Position::from(sqlparser::ast::Spanned::span(body).start);
                side_of(cmds, output, if at.line == 0 { pos } else { at })
            }
            _ => Err(Error::Unsupported {
                kind: Refusal::SetOperation,
                construct: "this operand of a set operation".into(),
                position: pos,
            }),
        }
    }
}

/// Turns one translated query into a pipeline whose rows are `{u0, u1, ...}`.
fn side_of(cmds: Vec<Command>, output: Output, pos: Position) -> Result<Side, Error> {
    let Output::Rows { columns } = output else {
        return Err(Error::Invalid {
            message: "set operation operand is not a query".into(),
            position: pos,
        });
    };
    if columns.is_empty() {
        return Err(Error::Unsupported {
            kind: Refusal::SetOperation,
            construct: "SELECT * in a set operation (list the columns)".into(),
            position: pos,
        });
    }
    let unsupported = || Error::Unsupported {
        kind: Refusal::SetOperation,
        construct: "this operand of a set operation".into(),
        position: pos,
    };
    let mut it = cmds.into_iter();
    let (Some(cmd), None) = (it.next(), it.next()) else {
        return Err(unsupported());
    };
    let ReadStages {
        collection,
        mut pipeline,
        projection,
    } = cmd.into_read_stages().ok_or_else(unsupported)?;
    // A database-level aggregate has no collection to union with.
    let collection = collection.ok_or_else(unsupported)?;
    if let Some(pr) = projection {
        pipeline.push(Stage::Project(pr).into_document());
    }
    // The side's own last `$project` computes the columns: one projection straight to `u0, u1, ...` (each
    // column's expression moved in), not a second `$project` renaming the first.
    let fused = pipeline
        .last()
        .and_then(|last| StageKind::Project.document(last))
        .and_then(|p| fused_projection(p, &columns));
    let project = match fused {
        Some(p) => {
            pipeline.pop();
            p
        }
        None => {
            let mut project = doc! {"_id": 0};
            for (i, c) in columns.iter().enumerate() {
                project.insert(
                    format!("u{i}"),
                    ex::or_null(ex::field(&c.field.to_string())),
                );
            }
            project
        }
    };
    pipeline.push(Stage::Project(project).into_document());
    Ok(Side {
        collection,
        pipeline,
        intervals: columns.iter().map(|c| c.interval).collect(),
        names: columns.into_iter().map(|c| c.name).collect(),
    })
}

/// `{_id: 0, u0: ..., u1: ...}` computing the columns straight from the input of `last` (a side's final
/// `$project`), when each column is a field of it computed by an expression (`"$f"`, `{$op: ...}`) or
/// included as it is (`f: 1`, `f` without dots); `None` otherwise (the columns are then renamed by a second
/// `$project`). A missing value becomes NULL in both.
fn fused_projection(last: &Document, columns: &[OutputColumn]) -> Option<Document> {
    let mut project = doc! {"_id": 0};
    for (i, c) in columns.iter().enumerate() {
        let name = c.field.to_string();
        let value: Bson = match last.get(&name)? {
            Bson::String(s) if s.starts_with('$') => Bson::String(s.clone()),
            Bson::Document(d) if d.len() == 1 && d.keys().all(|k| k.starts_with('$')) => {
                Bson::Document(d.clone())
            }
            Bson::Boolean(true) if !name.contains('.') && name != "_id" => ex::field(&name).into(),
            Bson::Int32(v) if *v != 0 && !name.contains('.') && name != "_id" => {
                ex::field(&name).into()
            }
            Bson::Int64(v) if *v != 0 && !name.contains('.') && name != "_id" => {
                ex::field(&name).into()
            }
            _ => return None,
        };
        let value = if ex::rendered_never_missing(&value) {
            value
        } else {
            ex::or_null(Expr::from(value)).into()
        };
        project.insert(format!("u{i}"), value);
    }
    Some(project)
}

/// Marks a side's rows with `tag` (1): in its final projection when it ends with one, else by a `$set`.
fn tag_side(pipeline: &mut Vec<Document>, tag: &str) {
    if let Some(last) = pipeline.last_mut() {
        if let Ok(p) = last.get_document_mut(StageKind::Project.name()) {
            if p.contains_key("u0") {
                p.insert(tag, ex::literal(1));
                return;
            }
        }
    }
    let mut set = Document::new();
    set.insert(tag, 1);
    pipeline.push(Stage::Set(set).into_document());
}

/// The rows of a set operation's groups: the key (`_id`), with each interval column's first value of the group
/// (`__f<i>`) in place of its span.
fn group_rows(intervals: &[bool]) -> Document {
    let mut firsts = Document::new();
    for (i, _) in intervals.iter().enumerate().filter(|(_, iv)| **iv) {
        firsts.insert(format!("u{i}"), ex::field(&format!("__f{i}")));
    }
    let root: Bson = if firsts.is_empty() {
        ex::field("_id").into()
    } else {
        ex::merge_objects(vec![ex::field("_id").into(), Bson::Document(firsts)])
    };
    Stage::ReplaceRoot(root).into_document()
}
