//! SELECT over one collection -> `find` (find.rs: plain filter / projection / limit) or `aggregate`.
//!
//! Pipeline order: [joins: `$match` (WHERE on the first table) -> `$lookup`/`$unwind` (join.rs)] -> `$match`
//! (WHERE) -> `$group` (GROUP BY / aggregates) -> one-row fallback (aggregates without GROUP BY over no rows) ->
//! `$match` (HAVING) -> `$setWindowFields` (window calls, window/) -> `$project` (SELECT list + sort keys) ->
//! `$sort` -> `$skip` -> `$limit` -> `$unset` (sort keys); with a LIMIT and no grouping, `$set` (sort keys) ->
//! `$sort` -> `$skip` -> `$limit` -> `$project` (top_k.rs). Set operations are in setop.rs. PG sorts NULLs last ascending and first descending, MongoDB the other way,
//! so a sort key that needs it gets a NULL flag sorted before it.

use super::aggregate::{contains_aggregate, GroupScope};
use super::distinct_on;
use super::expr::expr_pos;
use super::names::collection_name;
use super::query::{finish_pipeline, sort_spec, QueryTail, SortKey};
pub(crate) use super::select_list::column_name;
use super::select_list::{
    group_by_list, refuse_at, refuse_unsupported_clauses, resolve_references, select_list,
    SelectList,
};
use super::top_k;
use super::{Error, Position, Translated, Translator};
use crate::mql::accumulator as acc;
use crate::mql::expr as ex;
use crate::mql::filter::Filter;
use crate::mql::stage::Stage;
use crate::mql::{Output, OutputColumn};
use crate::translate::context::{Intervals, QueryContext};
use crate::translate::Refusal;
use bson::{Bson, Document};
use sqlparser::ast::{Distinct, Expr, Select, SelectItem, Spanned, TableFactor, TableWithJoins};
use std::borrow::Cow;

/// `$sort` entries: field and direction.
type SortFields = Vec<(String, i32)>;

/// One output column while planning; its expression is borrowed from the statement when it can be.
pub(super) struct Column<'a> {
    pub(super) name: String,
    pub(super) source: Cow<'a, Expr>,
}

impl Translator {
    /// Translates a SELECT with its query's ORDER BY / LIMIT / OFFSET (query.rs): FROM, WHERE, the SELECT
    /// list, the ORDER BY / GROUP BY references resolved, then a `find` when one can serve, else the pipeline
    /// of a grouped (or DISTINCT) or a plain query.
    pub(crate) fn select_to_plan(
        &mut self,
        cx: &mut QueryContext,
        s: &Select,
        tail: QueryTail,
    ) -> Result<Translated, Error> {
        let QueryTail {
            keys,
            limit,
            offset,
        } = tail;
        let pos = Position::from(s.span().start);
        let intervals = std::mem::take(&mut cx.intervals);
        let distinct = refuse_unsupported_clauses(s, pos)?;
        // LEFT JOINs that WHERE makes inner are planned as inner joins (outer_join_reduce.rs).
        let reduced = super::outer_join_reduce::reduce(&s.from, s.selection.as_ref());
        let from = reduced.as_deref().unwrap_or(&s.from);
        cx.where_is_null = super::anti_join::is_null_terms(s.selection.as_ref());
        cx.where_to_on = super::join_where::movable_terms(from, s.selection.as_ref());
        cx.join_intervals_typed = !s.projection.iter().any(|p| {
            matches!(
                p,
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
            )
        });
        let source = self.source_of_from(cx, from, pos);
        cx.join_intervals_typed = false;
        cx.where_is_null.clear();
        cx.where_to_on.clear();
        let mut source = source?;
        // Rows of the first table an inner join's ON rejects by a NULL column: filtered before the joins.
        let required = super::join_not_null::required_columns(from);
        let not_null = match &source.join {
            Some(fp) if fp.pushdown && !fp.stages.is_empty() && !required.is_empty() => {
                let declared = cx
                    .join
                    .as_ref()
                    .and_then(|j| j.tables.first())
                    .is_some_and(|t| t.declared);
                let root = declared.then_some(fp.collection.as_str());
                self.join_not_null_filters(cx, &required, root)?
            }
            _ => Vec::new(),
        };
        // `*` over declared (or otherwise known) columns is those columns (declared.rs).
        let expanded = self.expand_stars(cx, &s.projection, !s.from.is_empty(), distinct)?;
        let projection: &[SelectItem] = expanded.as_deref().unwrap_or(&s.projection);
        let (mut pre_filter, filter) = self.where_clause(cx, s.selection.as_ref(), &source)?;
        if !not_null.is_empty() {
            pre_filter = merge_pre_filter(super::join::all_of(not_null), pre_filter);
        }
        let where_stages = self.take_subquery_stages(cx);
        let group_exprs = group_by_list(&s.group_by, pos)?;
        let grouping = super::grouping_sets::expand(group_exprs)?;
        let expanded_keys;
        let group_exprs = match &grouping {
            Some(g) => {
                expanded_keys = g.keys.clone();
                expanded_keys.as_slice()
            }
            None => group_exprs,
        };
        let SelectList {
            mut columns,
            mut wildcard,
            qualified_star,
        } = select_list(projection, pos)?;
        let grouped = !group_exprs.is_empty()
            || s.having.is_some()
            || columns.iter().any(|c| contains_aggregate(&c.source))
            || keys.iter().any(|k| contains_aggregate(&k.expr));
        if wildcard && (grouped || distinct) {
            return Err(refuse_at(
                "SELECT * with GROUP BY, aggregates or DISTINCT",
                pos,
            ));
        }
        if wildcard && cx.scope.iter().any(|b| b.prefix.is_some()) {
            columns = self.cross_join_star(cx, &s.projection, pos)?;
            wildcard = false;
        }
        if wildcard && s.from.is_empty() {
            return Err(Error::Invalid {
                message: "SELECT * with no tables specified is not valid".into(),
                position: pos,
            });
        }
        let on = match &s.distinct {
            Some(Distinct::On(on)) => Some(on.as_slice()),
            _ => None,
        };
        let refs = on.unwrap_or(group_exprs);
        let (sort_keys, mut group_keys) = resolve_references(keys, refs, &columns)?;
        let grouping = match grouping {
            Some(g) if on.is_none() => {
                let g = g.with_resolved_keys(group_keys);
                group_keys = g.keys.clone();
                Some(g)
            }
            _ => None,
        };
        if on.is_some() {
            let exprs = columns.iter().map(|c| c.source.as_ref());
            distinct_on::check(&group_keys, &sort_keys, exprs, grouped, s.having.as_ref())?;
        }
        // Window calls can be in the SELECT list and ORDER BY (window/ computes them before `$project`).
        let window_exprs: Vec<&Expr> = columns
            .iter()
            .map(|c| c.source.as_ref())
            .chain(sort_keys.iter().map(|k| &k.expr))
            .collect();
        let star_stages = self.join_star(cx, wildcard, qualified_star.as_deref(), pos)?;
        let srf = self.srf_stages(cx, columns.iter().map(|c| c.source.as_ref()), grouped)?;
        let plain = srf.is_empty() && on.is_none() && source.is_plain();
        if !grouped && !distinct && plain && where_stages.is_empty() {
            if let Some(cmd) = self.try_find(
                cx,
                source.collection_name(),
                filter.clone(),
                wildcard,
                &columns,
                &sort_keys,
                &limit,
                &offset,
            )? {
                return Ok(cmd);
            }
        }

        let mut pipeline: Vec<Document> = Vec::new();
        // The conditions that run before the joins follow the first relation's own stages (a CTE or derived
        // table computes the columns they read).
        let first = source
            .join
            .as_ref()
            .map_or(0, |fp| fp.first_stages)
            .min(source.pipeline.len());
        pipeline.extend(source.pipeline.drain(..first));
        pipeline.extend(pre_filter);
        pipeline.append(&mut source.pipeline);
        self.push_where(&mut pipeline, filter, where_stages, wildcard);
        pipeline.extend(srf);
        if on.is_some() {
            self.distinct_on_stages(cx, &group_keys, &sort_keys, &mut pipeline)?;
        }
        let shape = Shape {
            columns: &columns,
            sort_keys: &sort_keys,
            window_exprs: &window_exprs,
            named_window: &s.named_window,
            limit: &limit,
            offset: &offset,
            intervals,
        };
        let out_cols = if grouped || distinct {
            // SELECT DISTINCT without grouping groups on the SELECT list.
            let keys_for_group: Vec<&Expr> = if distinct && !grouped {
                columns.iter().map(|c| c.source.as_ref()).collect()
            } else {
                group_keys.iter().collect()
            };
            self.grouped_stages(
                cx,
                &shape,
                &keys_for_group,
                grouping.filter(|_| grouped),
                s.having.as_ref(),
                pos,
                &mut pipeline,
            )?
        } else {
            self.plain_stages(cx, &shape, wildcard, star_stages, &mut pipeline)?
        };
        Ok((
            vec![source.command(pipeline)],
            Output::Rows { columns: out_cols },
        ))
    }

    /// WHERE: the conditions on the first table of a join, which may run before its `$lookup`s, and the rest.
    fn where_clause(
        &mut self,
        cx: &mut QueryContext,
        selection: Option<&Expr>,
        source: &super::cte::Source,
    ) -> Result<(Vec<Document>, Filter), Error> {
        let Some(w) = selection else {
            return Ok((Vec::new(), Filter::All));
        };
        if contains_aggregate(w) {
            return Err(Error::Invalid {
                message: "aggregate functions are not allowed in WHERE".into(),
                position: expr_pos(w),
            });
        }
        match &source.join {
            // Conditions on the first table of a join may run before the `$lookup`s, with the `$lookup`s of
            // their subqueries (`where_before_joins`).
            Some(fp) if !has_subquery(w) => {
                let (pre, post) = self.where_filters(cx, w, fp)?;
                let stages = match pre {
                    Filter::All => Vec::new(),
                    f => vec![Stage::Match(f.into()).into_document()],
                };
                Ok((stages, post))
            }
            Some(fp) => self.where_before_joins(cx, w, fp),
            None => Ok((Vec::new(), self.where_filter(cx, w)?)),
        }
    }

    /// `*` over a CROSS JOIN of relations with known columns: those columns, relation by relation.
    fn cross_join_star<'a>(
        &self,
        cx: &QueryContext,
        projection: &[SelectItem],
        pos: Position,
    ) -> Result<Vec<Column<'a>>, Error> {
        let plain_star = projection
            .iter()
            .all(|p| matches!(p, SelectItem::Wildcard(_)));
        match self.star_columns(cx) {
            Some(cols) if plain_star => Ok(cols
                .into_iter()
                .map(|(name, source)| Column {
                    name,
                    source: Cow::Owned(source),
                })
                .collect()),
            _ => Err(refuse_at(
                "SELECT * / t.* over a CROSS JOIN with a collection (name the columns)",
                pos,
            )),
        }
    }

    /// A grouped (or DISTINCT) query after WHERE: `$group` on the keys, the one-row fallback of an aggregate
    /// without GROUP BY, HAVING, the window stages, the `$project` and the sort; the SELECT list, HAVING and
    /// ORDER BY translate in the group scope.
    #[allow(clippy::too_many_arguments)]
    fn grouped_stages(
        &mut self,
        cx: &mut QueryContext,
        shape: &Shape<'_, '_>,
        keys_for_group: &[&Expr],
        grouping: Option<super::grouping_sets::GroupingSets>,
        having: Option<&Expr>,
        pos: Position,
        pipeline: &mut Vec<Document>,
    ) -> Result<Vec<OutputColumn>, Error> {
        let mut project = Document::new();
        let mut out_cols = Vec::new();
        let mut id = Document::new();
        let mut scope = GroupScope::default();
        let mut computed_keys = Document::new();
        for (i, k) in keys_for_group.iter().enumerate() {
            if contains_aggregate(k) {
                return Err(Error::Invalid {
                    message: "aggregate functions are not allowed in GROUP BY".into(),
                    position: expr_pos(k),
                });
            }
            let a = self.agg(cx, k)?;
            let f = format!("g{i}");
            // A missing value would leave the key out of the `_id` document, a group apart from NULL's:
            // SQL has one NULL group.
            let key = if a.nullable {
                ex::or_null(a.expr)
            } else {
                a.expr
            };
            let interval = a.kind == super::expr::Kind::Interval;
            let canonical = a.canonical;
            let key = match &grouping {
                Some(g) => g.key_in_set(i, key.into()),
                // PostgreSQL's interval equality is on the span (`1 day` = `24:00:00`): an interval key groups
                // on its span, and its value is the group's first (`aggregate::interval_key_value`); a
                // computed one is computed once, into a field of its own before the `$group`. A canonical
                // interval (`Agg::canonical`: equal spans are equal documents) groups on itself.
                None if interval && !canonical => {
                    let key = if matches!(key, ex::Expr::Field(_) | ex::Expr::Literal(_)) {
                        key
                    } else {
                        let bound = format!("__gk{i}");
                        computed_keys.insert(&bound, Bson::from(key));
                        ex::field(&bound)
                    };
                    scope.accumulators.insert(
                        super::aggregate::interval_key_value(&f),
                        acc::Accumulator::First.of(key.clone()),
                    );
                    scope.span_keys.push(f.clone());
                    super::expr::interval::span(key.into(), false)
                }
                None => key.into(),
            };
            id.insert(&f, key);
            if interval {
                scope.interval_keys.push(f.clone());
            }
            scope.keys.push(((*k).clone(), f));
        }
        if !computed_keys.is_empty() {
            pipeline.push(Stage::Set(computed_keys).into_document());
        }
        // where the aggregates' computed arguments go (`GroupScope::computed`), once they are known
        let computed_at = pipeline.len();
        if let Some(g) = &grouping {
            pipeline.extend(g.copy_stages());
            id.insert(
                super::grouping_sets::SET_FIELD,
                ex::field(super::grouping_sets::SET_FIELD),
            );
        }
        scope.grouping = grouping;
        self.no_subquery_here(cx, "GROUP BY / SELECT DISTINCT", pos)?;
        // Everything after $group is translated in the group scope.
        cx.group = Some(scope);
        cx.grouped_phase = true;
        let win = self.window_stages(cx, shape.window_exprs, shape.named_window);
        let result = self.after_group(
            cx,
            (shape.columns, shape.intervals),
            shape.sort_keys,
            having,
            &mut project,
            &mut out_cols,
        );
        let scope = cx.group.take().unwrap_or_default();
        cx.grouped_phase = false;
        let win = win?;
        let (having_match, sort_fields) = result?;
        let after_group_stages = self.take_subquery_stages(cx);
        let grouping = scope.grouping.clone();
        if !scope.computed.is_empty() {
            pipeline.insert(computed_at, Stage::Set(scope.computed).into_document());
        }
        pipeline.push(
            Stage::Group {
                id: if id.is_empty() {
                    Bson::Null
                } else {
                    Bson::Document(id.clone())
                },
                accumulators: scope.accumulators,
            }
            .into_document(),
        );
        if let Some(g) = &grouping {
            pipeline.extend(g.empty_set_stages(&id));
        }
        if id.is_empty() {
            // PG: an aggregate without GROUP BY returns exactly one row, also over no rows.
            pipeline.push(
                Stage::UnionWith {
                    coll: None,
                    pipeline: vec![Stage::Documents(vec![Document::new()]).into_document()],
                }
                .into_document(),
            );
            pipeline.push(Stage::Limit(Bson::Int32(1)).into_document());
        }
        pipeline.extend(after_group_stages);
        if let Some(h) = having_match {
            pipeline.push(Stage::Match(Filter::Expr(h).into()).into_document());
        }
        pipeline.extend(win);
        pipeline.push(Stage::Project(project).into_document());
        super::window::drop_unset_before_project(pipeline);
        self.finish_sort(pipeline, sort_fields, shape.limit, shape.offset);
        Ok(out_cols)
    }

    /// A query without grouping after WHERE: the window stages, the `$project` of the SELECT list and the sort
    /// keys (a `$set` of the sort keys for `SELECT *`), the sort, and a join's `t.*` stages.
    fn plain_stages(
        &mut self,
        cx: &mut QueryContext,
        shape: &Shape<'_, '_>,
        wildcard: bool,
        star_stages: Vec<Document>,
        pipeline: &mut Vec<Document>,
    ) -> Result<Vec<OutputColumn>, Error> {
        let mut project = Document::new();
        let mut out_cols = Vec::new();
        let mut sort_fields = Vec::new();
        let windows = self.window_stages(cx, shape.window_exprs, shape.named_window)?;
        let windowed = !windows.is_empty();
        // The rows leave the windows in the ORDER BY's order already: no sort after them.
        let ordered = super::window::keeps_order(
            shape.window_exprs,
            shape.named_window,
            shape.sort_keys,
            &windows,
        );
        pipeline.extend(windows);
        if wildcard {
            let mut set = Document::new();
            for (i, k) in shape.sort_keys.iter().enumerate() {
                let a = self.agg(cx, &k.expr)?;
                sort_fields.extend(sort_spec(&mut set, i, &a, k));
            }
            let set = (!set.is_empty()).then(|| Stage::Set(set).into_document());
            self.push_with_lookups(cx, pipeline, set);
        } else {
            project.insert("_id", 0);
            let mut nullable = Vec::with_capacity(shape.columns.len());
            for (i, c) in shape.columns.iter().enumerate() {
                let a = self.agg(cx, &c.source)?;
                let f = format!("c{i}");
                let local_time = a.local_time;
                nullable.push(a.nullable);
                let (value, interval) = super::expr::datetime::output_value(a, shape.intervals);
                project.insert(&f, projected(value));
                out_cols.push(OutputColumn {
                    name: c.name.clone(),
                    field: f,
                    local_time,
                    interval,
                });
            }
            let list_stages = cx.pending.len();
            let mut keys = Document::new();
            // Without a LIMIT (no sort-first plan), a key that is an interval column of the list is read from
            // the column (a `$set` after the `$project`), not computed a second (and third: the NULL flag) time.
            let limited = shape.limit.as_ref().is_some_and(|l| *l != Bson::Int64(0));
            let mut from_columns = Document::new();
            let mut interval_key = false;
            for (i, k) in shape.sort_keys.iter().enumerate() {
                let column = shape
                    .columns
                    .iter()
                    .position(|c| c.source.as_ref() == &k.expr)
                    .filter(|&j| out_cols[j].interval && !limited);
                match column {
                    Some(j) => {
                        let a = super::expr::Agg::new(
                            ex::field(&out_cols[j].field),
                            super::expr::Kind::Interval,
                            nullable[j],
                        );
                        sort_fields.extend(sort_spec(&mut from_columns, i, &a, k));
                    }
                    None => {
                        let a = self.agg(cx, &k.expr)?;
                        interval_key |= a.kind == super::expr::Kind::Interval;
                        sort_fields.extend(sort_spec(&mut keys, i, &a, k));
                    }
                }
            }
            // ORDER BY ... LIMIT: sorted and cut before the SELECT list is computed (top_k.rs), unless a key
            // needs stages of its own (a subquery, a window).
            let keys_alone = cx.pending.len() == list_stages
                && !windowed
                && !shape.sort_keys.iter().any(|k| has_subquery(&k.expr));
            if keys_alone && star_stages.is_empty() && top_k::applies(&sort_fields, shape.limit) {
                pipeline.extend(top_k::stages(keys, &sort_fields, shape.limit, shape.offset));
                pipeline.extend(self.take_subquery_stages(cx));
                pipeline.push(Stage::Project(project).into_document());
                return Ok(out_cols);
            }
            let subqueries = self.take_subquery_stages(cx);
            // Sorted by the windows: no key fields and no `$sort`, unless a key is an interval (sorted by its
            // span, which the window key is not) or stages between might reorder rows.
            if ordered && !interval_key && from_columns.is_empty() && keeps_rows(&subqueries) {
                keys = Document::new();
                sort_fields.clear();
            }
            project.extend(keys);
            pipeline.extend(subqueries);
            pipeline.push(Stage::Project(project).into_document());
            super::window::drop_unset_before_project(pipeline);
            if !from_columns.is_empty() {
                pipeline.push(Stage::Set(from_columns).into_document());
            }
        }
        self.finish_sort(pipeline, sort_fields, shape.limit, shape.offset);
        pipeline.extend(star_stages);
        Ok(out_cols)
    }

    /// After `$group`: the projection of the SELECT list, HAVING, and sort keys, in group scope.
    fn after_group(
        &mut self,
        cx: &mut QueryContext,
        (columns, intervals): (&[Column<'_>], Intervals),
        sort_keys: &[SortKey],
        having: Option<&Expr>,
        project: &mut Document,
        out_cols: &mut Vec<OutputColumn>,
    ) -> Result<(Option<ex::Expr>, SortFields), Error> {
        project.insert("_id", 0);
        for (i, c) in columns.iter().enumerate() {
            let a = self.agg(cx, &c.source)?;
            let f = format!("c{i}");
            let local_time = a.local_time;
            let (value, interval) = super::expr::datetime::output_value(a, intervals);
            project.insert(&f, projected(value));
            out_cols.push(OutputColumn {
                name: c.name.clone(),
                field: f,
                local_time,
                interval,
            });
        }
        let having_match = match having {
            Some(h) => {
                super::window::refuse_windows(h, "HAVING")?;
                Some(self.pred(cx, h)?.t)
            }
            None => None,
        };
        let mut sort_fields = Vec::new();
        for (i, k) in sort_keys.iter().enumerate() {
            let a = self.agg(cx, &k.expr)?;
            sort_fields.extend(sort_spec(project, i, &a, k));
        }
        Ok((having_match, sort_fields))
    }

    /// `$sort` on the sort fields, `$skip`, `$limit`, then the sort fields unset (query.rs).
    fn finish_sort(
        &mut self,
        pipeline: &mut Vec<Document>,
        sort_fields: SortFields,
        limit: &Option<Bson>,
        offset: &Option<Bson>,
    ) {
        let unset = sort_fields.iter().map(|(f, _)| f.clone()).collect();
        finish_pipeline(
            pipeline,
            &sort_fields,
            unset,
            limit.as_ref(),
            offset.as_ref(),
        );
    }

    /// The one collection of FROM; joins and derived tables are refused.
    pub(crate) fn collection_of_from(
        &mut self,
        cx: &mut QueryContext,
        from: &[TableWithJoins],
        pos: Position,
    ) -> Result<String, Error> {
        let [twj] = from else {
            return Err(if from.is_empty() {
                Error::Unsupported {
                    kind: Refusal::Clause,
                    construct: "SELECT without FROM".into(),
                    position: pos,
                }
            } else {
                Error::Unsupported {
                    kind: Refusal::Clause,
                    construct: "several tables in FROM (joins)".into(),
                    position: pos,
                }
            });
        };
        if let Some(j) = twj.joins.first() {
            return Err(Error::Unsupported {
                kind: Refusal::Clause,
                construct: "JOIN".into(),
                position: Position::from(j.span().start),
            });
        }
        match &twj.relation {
            TableFactor::Table { name, alias, .. } => {
                super::names::plain_table(&twj.relation, pos)?;
                let c = collection_name(name)?;
                cx.tables.push(c.clone());
                if let Some(a) = alias {
                    if !a.columns.is_empty() {
                        return Err(Error::Unsupported {
                            kind: Refusal::Clause,
                            construct: "column aliases on a table".into(),
                            position: pos,
                        });
                    }
                    cx.tables.push(a.name.value.clone());
                }
                Ok(c)
            }
            TableFactor::Derived { .. } => Err(Error::Unsupported {
                kind: Refusal::Clause,
                construct: "subquery in FROM (derived table)".into(),
                position: Position::from(twj.relation.span().start),
            }),
            _ => Err(Error::Unsupported {
                kind: Refusal::Clause,
                construct: "this kind of FROM item".into(),
                position: Position::from(twj.relation.span().start),
            }),
        }
    }
}

/// What the grouped and plain pipelines of a SELECT read.
struct Shape<'c, 'a> {
    columns: &'c [Column<'a>],
    sort_keys: &'c [SortKey],
    window_exprs: &'c [&'c Expr],
    named_window: &'c [sqlparser::ast::NamedWindowDefinition],
    limit: &'c Option<Bson>,
    offset: &'c Option<Bson>,
    /// How interval columns are handed out (`context::Intervals`): as documents to the row layer (the
    /// statement's own query) or to the query around (a set-operation side, a CTE, a derived table), or text.
    intervals: Intervals,
}

/// A value for a `$project` field: numbers and booleans are inclusion flags there (and a bare null is not an
/// expression), so constants of those types are wrapped in `$literal`.
pub(crate) fn projected(e: Bson) -> Bson {
    match e {
        Bson::Int32(_)
        | Bson::Int64(_)
        | Bson::Double(_)
        | Bson::Decimal128(_)
        | Bson::Boolean(_)
        | Bson::Null => ex::literal(e).into(),
        other => other,
    }
}

/// Whether subquery stages keep their input rows in their order (`$lookup`, `$unwind`, `$set` / `$addFields`,
/// `$unset`: each row's outputs where the row was).
fn keeps_rows(stages: &[Document]) -> bool {
    use crate::mql::stage::StageKind as K;
    stages.iter().all(|s| {
        [K::Lookup, K::Unwind, K::Set, K::AddFields, K::Unset]
            .iter()
            .any(|k| k.is(s))
    })
}

/// Whether `e` contains a subquery (scalar, `IN (SELECT ...)`, `EXISTS`).
fn has_subquery(e: &Expr) -> bool {
    use std::ops::ControlFlow;
    sqlparser::ast::visit_expressions(e, |x| match x {
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}

/// The `$match` of the join-implied NOT NULL filters (join_not_null.rs) in front of WHERE's stages that run
/// before the joins: merged into a leading `$match` there, else a `$match` of its own first.
fn merge_pre_filter(implied: Filter, mut pre: Vec<Document>) -> Vec<Document> {
    let first = pre
        .first()
        .filter(|d| d.len() == 1)
        .and_then(|d| crate::mql::stage::StageKind::Match.document(d))
        .cloned();
    match first {
        Some(m) => {
            pre[0] = Stage::Match(crate::mql::filter::merge_and(vec![implied.into(), m]))
                .into_document();
            pre
        }
        None => {
            pre.insert(0, Stage::Match(implied.into()).into_document());
            pre
        }
    }
}
