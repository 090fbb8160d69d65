//! Subqueries in expressions: `x [NOT] IN (SELECT ...)`, `[NOT] EXISTS (SELECT ...)`, scalar `(SELECT ...)`.
//!
//! Each becomes a `$lookup` stage placed before the stage that reads it (`{from, let, pipeline, as: "__sqN"}`),
//! with the subquery's stages as `pipeline`; references to the enclosing query (`outer.col`, qualified) become
//! `let` variables (`$$oN`). The expression then reads the array `__sqN`:
//! - `x IN (...)`: TRUE when x is not NULL and `$in: [x, "$__sqN.col"]`; FALSE when the subquery is empty, or
//!   when x is not NULL, not in the values and no value is NULL; else NULL (PostgreSQL's three-valued IN).
//!   An uncorrelated IN subquery instead probes for x (`let` + `$match` on `$eq`) and counts rows and NULLs in
//!   a second, uncorrelated `$lookup`: no document carries the subquery's rows. A correlated one probes
//!   three times, each sub-pipeline ending in `$limit: 1` (`any_all.rs`).
//! - `x op ANY / ALL (...)`: `any_all.rs` (a summary of the rows: count, NULLs, least and greatest value).
//! - `EXISTS (...)`: `$size` of `__sqN` (the subquery gets `$limit: 1`) > 0; never NULL.
//! - scalar: the only row's column (NULL for no row); the subquery gets `$limit: 2` and a second row makes the
//!   statement fail with "more than one row returned by a subquery used as an expression", as in PostgreSQL.
//!
//! A correlated subquery requiring an equality with an outer column also gets `localField` / `foreignField`
//! ([`crate::mql::lookup_keys`]): an index probe on a MongoDB server, a hash join in the embedded engine.
//!
//! UPDATE / DELETE filters cannot run `$lookup`, so a WHERE with a subquery runs as two commands: an
//! `aggregate` computing the `_id`s of the matching rows, then the write with `{_id: {$in: <step 0>}}`
//! (`mql::chain`). Not atomic.

use super::cte::Frame;
use super::expr::{unsupported, Agg, Kind};
use super::nulls::{and, not_null, or, Pred};
use super::{Error, Position, Translator};
use crate::mql::accumulator as acc;
use crate::mql::expr as ex;
use crate::mql::filter::{self, Cond, Filter};
use crate::mql::stage::{Stage, StageKind};
use crate::mql::Command;
use crate::translate::context::{Intervals, QueryContext};
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{BinaryOperator, Expr, Query, Value};

/// A queued subquery `$lookup`: its `as` field, the subquery's columns, and those holding interval documents.
type SubqueryLookup = (String, Option<Vec<String>>, Vec<String>);

impl Translator {
    /// Translates a subquery and queues its `$lookup`; returns the `as` field and the subquery's columns.
    fn subquery_lookup(
        &mut self,
        cx: &mut QueryContext,
        q: &Query,
        tail: Vec<Document>,
        e: &Expr,
    ) -> Result<(String, Option<Vec<String>>), Error> {
        let (field, columns, _) = self.subquery_lookup_as(cx, q, tail, Intervals::Text, e)?;
        Ok((field, columns))
    }

    /// [`Self::subquery_lookup`] with the subquery's intervals handed out as `intervals` says; also returns its
    /// columns holding interval documents.
    fn subquery_lookup_as(
        &mut self,
        cx: &mut QueryContext,
        q: &Query,
        tail: Vec<Document>,
        intervals: Intervals,
        e: &Expr,
    ) -> Result<SubqueryLookup, Error> {
        let (src, lets, interval_columns) = self.subquery_source_as(cx, q, intervals, e)?;
        let field = self.next_subquery_field();
        let stage = crate::mql::lookup_keys::with_equality_keys(src.lookup(lets, tail, &field));
        cx.pending.push(stage);
        Ok((field, src.columns, interval_columns))
    }

    /// Translates a subquery as a relation; returns it and the `let` variables of its outer references
    /// (empty: uncorrelated).
    pub(super) fn subquery_source(
        &mut self,
        cx: &mut QueryContext,
        q: &Query,
        e: &Expr,
    ) -> Result<(super::cte::Source, Document), Error> {
        let (src, lets, _) = self.subquery_source_as(cx, q, Intervals::Text, e)?;
        Ok((src, lets))
    }

    fn subquery_source_as(
        &mut self,
        cx: &mut QueryContext,
        q: &Query,
        intervals: Intervals,
        e: &Expr,
    ) -> Result<(super::cte::Source, Document, Vec<String>), Error> {
        if cx.grouped_phase && cx.group.is_none() {
            return Err(unsupported(
                Refusal::Subquery,
                "subquery inside an aggregate function",
                e,
            ));
        }
        let frame = Frame {
            scope: self.frame_scope(cx),
            grouped: cx.group.is_some() || cx.grouped_phase,
            group_keys: cx
                .group
                .as_ref()
                .map(|g| {
                    g.keys
                        .iter()
                        .map(|(k, f)| (k.clone(), g.key_path(f)))
                        .collect()
                })
                .unwrap_or_default(),
            ..Frame::default()
        };
        self.rel.outer.push(frame);
        let result = self.query_source_as(q, &[], false, intervals, super::expr::expr_pos(e));
        let frame = self.rel.outer.pop().unwrap_or_default();
        let (src, interval_columns) = result?;
        Ok((src, frame.lets, interval_columns))
    }

    /// A fresh `as` field for a subquery's `$lookup` (`__sqN`).
    pub(super) fn next_subquery_field(&mut self) -> String {
        let field = format!("__sq{}", self.rel.next);
        self.rel.next += 1;
        field
    }

    /// The one column of a subquery used as a value.
    pub(super) fn single_column(cols: Option<Vec<String>>, e: &Expr) -> Result<String, Error> {
        match cols {
            Some(c) if c.len() == 1 => Ok(c.into_iter().next().unwrap_or_default()),
            Some(c) if c.len() > 1 => Err(super::expr::invalid("subquery has too many columns", e)),
            _ => Err(unsupported(
                Refusal::Subquery,
                "SELECT * in a subquery used as a value",
                e,
            )),
        }
    }

    /// `x IN (SELECT ...)` with PostgreSQL's NULL rules (NOT IN: the negation).
    ///
    /// An uncorrelated subquery becomes two `$lookup`s that never attach the subquery's rows to every
    /// document: `__sqN` the rows equal to x (`let` x, the subquery's stages, then `$match` on
    /// `{$eq: ["$col", "$$iN"]}` and `$limit: 1`: a hash or index probe in the embedded engine, and over
    /// the once-computed uncorrelated stages in MongoDB), and `__sqM` one row counting the subquery's rows and
    /// NULLs (uncorrelated: computed once). TRUE when x is not NULL and some row equals it; FALSE when there
    /// is no row, or x is not NULL, no row equals it and none is NULL; else NULL. A correlated subquery
    /// probes its rows three times (`any_all.rs` `in_correlated`); one whose column is not a plain field name
    /// attaches its rows (`$in: [x, "$__sqN.col"]`).
    pub(crate) fn in_subquery(
        &mut self,
        cx: &mut QueryContext,
        x: &Expr,
        q: &Query,
        negated: bool,
        e: &Expr,
    ) -> Result<Pred, Error> {
        if matches!(x, Expr::Tuple(_)) {
            return Err(unsupported(
                Refusal::Subquery,
                "row value IN (SELECT ...)",
                e,
            ));
        }
        let a = self.agg(cx, x)?;
        let (src, lets) = self.subquery_source(cx, q, e)?;
        let col = Self::single_column(src.columns.clone(), e)?;
        let guard = if a.nullable {
            not_null(&a.expr)
        } else {
            Bson::Boolean(true).into()
        };
        if !lets.is_empty() && plain_column(&col) {
            let p = self.in_correlated(cx, &a, &src, lets, &col);
            return Ok(if negated { p.not() } else { p });
        }
        if lets.is_empty() && plain_column(&col) {
            let found = self.probe_lookup(cx, &src, &col, &a);
            let summary = self.next_subquery_field();
            let nulls = acc::sum(ex::cond(ex::is_null(ex::field(&col)), 1, 0));
            let count_nulls = Stage::Group {
                id: Bson::Null,
                accumulators: doc! {"nulls": nulls},
            }
            .into_document();
            cx.pending
                .push(src.lookup(Document::new(), vec![count_nulls], &summary));
            let matched = ex::gt(ex::size(ex::field(&found)), 0);
            let t = and(vec![guard.clone(), matched.clone()]);
            let f = or(vec![
                ex::eq(ex::size(ex::field(&summary)), 0),
                and(vec![
                    guard,
                    ex::not(matched),
                    ex::not(ex::gt(
                        ex::array_elem_at(ex::field(&format!("{summary}.nulls")), 0),
                        0,
                    )),
                ]),
            ]);
            let p = Pred::new(t, f);
            return Ok(if negated { p.not() } else { p });
        }
        let field = self.next_subquery_field();
        let stage =
            crate::mql::lookup_keys::with_equality_keys(src.lookup(lets, Vec::new(), &field));
        cx.pending.push(stage);
        let values = ex::field(&format!("{field}.{col}"));
        let size = ex::size(ex::field(&field));
        let inn = ex::in_array(a.expr.clone(), values.clone());
        let t = and(vec![guard.clone(), inn.clone().into()]);
        let f = or(vec![
            ex::eq(size, 0),
            and(vec![
                guard,
                ex::not(inn),
                ex::not(ex::in_array(Bson::Null, values)),
            ]),
        ]);
        let p = Pred::new(t, f);
        Ok(if negated { p.not() } else { p })
    }

    /// `EXISTS (SELECT ...)` (NOT EXISTS: the negation); never NULL.
    pub(crate) fn exists_subquery(
        &mut self,
        cx: &mut QueryContext,
        q: &Query,
        negated: bool,
        e: &Expr,
    ) -> Result<Pred, Error> {
        // A nested EXISTS correlated two levels up runs as two one-level semi-joins (exists_swap.rs).
        let swapped = super::exists_swap::swap_nested_exists(q);
        if let Some((x, probed)) = swapped.as_ref().and_then(|s| s.probe.as_ref()) {
            if let Some(p) = self.exists_probe(cx, x, probed, e)? {
                return Ok(if negated { p.not() } else { p });
            }
        }
        let q = swapped.as_ref().map_or(q, |s| &s.query);
        let (field, _) =
            self.subquery_lookup(cx, q, vec![Stage::Limit(Bson::Int32(1)).into_document()], e)?;
        let size = ex::size(ex::field(&field));
        let p = Pred::new(ex::gt(size.clone(), 0), ex::eq(size, 0));
        Ok(if negated { p.not() } else { p })
    }

    /// `EXISTS (SELECT .. FROM t WHERE t.col = x AND R(t))` given as `x` and the uncorrelated
    /// `SELECT t.col FROM t WHERE R(t)` (exists_swap.rs): TRUE when `x` is not NULL and some row equals it
    /// (`let` x, the subquery's stages, `$match` on `$eq`, `$limit: 1`: its stages run once and are probed,
    /// as an uncorrelated IN), else FALSE. `None` when the subquery turns out correlated or its column is
    /// not a plain field (the caller plans the EXISTS as written).
    fn exists_probe(
        &mut self,
        cx: &mut QueryContext,
        x: &Expr,
        q: &Query,
        e: &Expr,
    ) -> Result<Option<Pred>, Error> {
        let a = self.agg(cx, x)?;
        let (src, lets) = self.subquery_source(cx, q, e)?;
        let col = match src.columns.as_deref() {
            Some([c]) if lets.is_empty() && plain_column(c) => c.clone(),
            _ => return Ok(None),
        };
        let found = self.probe_lookup(cx, &src, &col, &a);
        let matched = ex::gt(ex::size(ex::field(&found)), 0);
        let t = if a.nullable {
            and(vec![not_null(&a.expr), matched])
        } else {
            matched
        };
        Ok(Some(Pred::new(t.clone(), ex::not(t))))
    }

    /// Queues the `$lookup` probing an uncorrelated subquery's column `col` for the value `a` (`let` it,
    /// the subquery's stages, `$match` on `$eq`, `$limit: 1`) and returns the field it fills (empty: no
    /// row equals the value).
    fn probe_lookup(
        &mut self,
        cx: &mut QueryContext,
        src: &super::cte::Source,
        col: &str,
        a: &Agg,
    ) -> String {
        let found = self.next_subquery_field();
        let var = format!("i{}", &found[4..]);
        let mut let_doc = Document::new();
        let_doc.insert(var.clone(), a.expr.clone());
        let probe = Stage::Match(Filter::Expr(ex::eq(ex::field(col), ex::var(&var))).into())
            .into_document();
        cx.pending.push(src.lookup(
            let_doc,
            vec![probe, Stage::Limit(Bson::Int32(1)).into_document()],
            &found,
        ));
        found
    }

    /// A scalar subquery `(SELECT ...)`: its one value, NULL without rows, an error with more than one.
    pub(crate) fn scalar_subquery(
        &mut self,
        cx: &mut QueryContext,
        q: &Query,
        e: &Expr,
    ) -> Result<Agg, Error> {
        // an interval column stays its document, read as an interval here
        let limit = vec![Stage::Limit(Bson::Int32(2)).into_document()];
        let (field, cols, intervals) =
            self.subquery_lookup_as(cx, q, limit, Intervals::Values, e)?;
        let col = Self::single_column(cols, e)?;
        let kind = if intervals.contains(&col) {
            Kind::Interval
        } else {
            Kind::Unknown
        };
        let size = ex::size(ex::field(&field));
        // Not a constant, so it is not folded at parse time: it fails only when a second row exists.
        let fail = ex::to_int(ex::concat(vec![
            Bson::from("more than one row returned by a subquery used as an expression, rows: "),
            ex::to_string(size.clone()),
        ]));
        Ok(Agg::new(
            ex::cond(
                ex::gt(size, 1),
                fail,
                ex::array_elem_at(ex::field(&format!("{field}.{col}")), 0),
            ),
            kind,
            true,
        ))
    }

    /// The `$lookup`s of subqueries translated since the last call (to place before the stage reading them).
    pub(crate) fn take_subquery_stages(&mut self, cx: &mut QueryContext) -> Vec<Document> {
        std::mem::take(&mut cx.pending)
    }

    /// Refuses subqueries translated in a place that cannot run a `$lookup` before it.
    pub(crate) fn no_subquery_here(
        &mut self,
        cx: &mut QueryContext,
        place: &str,
        pos: Position,
    ) -> Result<(), Error> {
        if cx.pending.is_empty() {
            return Ok(());
        }
        cx.pending.clear();
        Err(Error::Unsupported {
            kind: Refusal::Subquery,
            construct: format!("subquery in {place}"),
            position: pos,
        })
    }

    /// A WHERE clause: the returned filter holds the conjuncts without subqueries (index-usable, run first);
    /// the conjuncts with subqueries become `$lookup`s plus a second `$match`, queued as pending stages.
    /// With `?` placeholders the clause is not split (their numbering follows the text order).
    pub(crate) fn where_filter(
        &mut self,
        cx: &mut QueryContext,
        w: &Expr,
    ) -> Result<Filter, Error> {
        if !has_subquery(w) {
            return self.expr_to_filter(cx, w);
        }
        let mut parts = Vec::new();
        conjuncts(w, &mut parts);
        let (subs, plain): (Vec<&Expr>, Vec<&Expr>) = if has_question_mark(w) {
            (vec![w], Vec::new())
        } else {
            parts.into_iter().partition(|p| has_subquery(p))
        };
        let before = match and_chain(&plain) {
            Some(e) => self.expr_to_filter(cx, &e)?,
            None => Filter::All,
        };
        let after = match and_chain(&subs) {
            Some(e) => self.expr_to_filter(cx, &e)?,
            None => Filter::All,
        };
        if after != Filter::All {
            cx.pending.push(Stage::Match(after.into()).into_document());
        }
        Ok(before)
    }

    /// WHERE over joins when it has subqueries: (stages to run before the joins, the filter after them). The
    /// conjuncts reading only the first table run before the joins' `$lookup`s, so a subquery there runs once
    /// per row of the first table, not once per joined row: the plain ones as a `$match`, those with a
    /// subquery as its `$lookup`s, a `$match` and an `$unset` of the lookup fields. The rest run after the
    /// joins (their subqueries' stages and `$match` queued as pending, as [`Translator::where_filter`] does).
    /// A subquery conjunct reads only the first table when its filter and its `$lookup`s' `let` /
    /// `localField` name no joined table's field (`__jN...`). With `?` placeholders nothing moves.
    pub(crate) fn where_before_joins(
        &mut self,
        cx: &mut QueryContext,
        w: &Expr,
        from: &super::join::FromPlan,
    ) -> Result<(Vec<Document>, Filter), Error> {
        let first = match &cx.join {
            Some(scope) if from.pushdown && !from.stages.is_empty() && !has_question_mark(w) => {
                scope.tables.first().map(|t| t.qualifier.clone())
            }
            _ => None,
        };
        let Some(first) = first else {
            return Ok((Vec::new(), self.where_filter(cx, w)?));
        };
        let mut parts = Vec::new();
        conjuncts(w, &mut parts);
        let (mut pre, mut pre_sub, mut pre_stages) = (Vec::new(), Vec::new(), Vec::new());
        let (mut post, mut post_sub, mut post_stages) = (Vec::new(), Vec::new(), Vec::new());
        // Translated in text order (the subquery fields' numbering), then sorted.
        for c in parts {
            if has_subquery(c) {
                let f = self.expr_to_filter(cx, c)?;
                let stages = self.take_subquery_stages(cx);
                if reads_no_joined_table(&f, &stages) {
                    pre_sub.push(f);
                    pre_stages.extend(stages);
                } else {
                    post_sub.push(f);
                    post_stages.extend(stages);
                }
            } else {
                let only_first = self.reads_only(cx, c, &first);
                let f = self.expr_to_filter(cx, c)?;
                if only_first {
                    pre.push(f);
                } else {
                    post.push(f);
                }
            }
        }
        let mut stages = Vec::new();
        let before = super::join::all_of(pre);
        if before != Filter::All {
            stages.push(Stage::Match(before.into()).into_document());
        }
        if !pre_stages.is_empty() {
            let fields = lookup_fields(&pre_stages);
            stages.extend(pre_stages);
            let f = super::join::all_of(pre_sub);
            if f != Filter::All {
                stages.push(Stage::Match(f.into()).into_document());
            }
            stages.push(Stage::Unset(fields).into());
        }
        cx.pending.extend(post_stages);
        let after = super::join::all_of(post_sub);
        if after != Filter::All {
            cx.pending.push(Stage::Match(after.into()).into_document());
        }
        Ok((stages, super::join::all_of(post)))
    }

    /// Appends WHERE to a pipeline: `$match` of the plain conjuncts, the subqueries' `$lookup`s and their
    /// `$match` (from [`Translator::where_filter`]), and for `SELECT *` an `$unset` of the lookup fields.
    pub(crate) fn push_where(
        &mut self,
        pipeline: &mut Vec<Document>,
        filter: Filter,
        stages: Vec<Document>,
        wildcard: bool,
    ) {
        let fields = lookup_fields(&stages);
        if filter != Filter::All {
            pipeline.push(Stage::Match(filter.into()).into_document());
        }
        pipeline.extend(stages);
        if wildcard && !fields.is_empty() {
            pipeline.push(Stage::Unset(fields).into());
        }
    }

    /// Appends the pending subquery `$lookup`s, then `stage` (which reads them), then an `$unset` of their
    /// fields (for `SELECT *`, whose documents are the result).
    pub(crate) fn push_with_lookups(
        &mut self,
        cx: &mut QueryContext,
        pipeline: &mut Vec<Document>,
        stage: Option<Document>,
    ) {
        let stages = self.take_subquery_stages(cx);
        let fields = lookup_fields(&stages);
        pipeline.extend(stages);
        pipeline.extend(stage);
        if !fields.is_empty() {
            pipeline.push(Stage::Unset(fields).into());
        }
    }

    /// The filter of an UPDATE / DELETE: with subqueries, a first step computing the `_id`s of the matching
    /// rows and the filter `{_id: {$in: <its output>}}`.
    pub(crate) fn write_filter(
        &mut self,
        cx: &mut QueryContext,
        collection: &str,
        w: &Expr,
    ) -> Result<(Filter, Vec<Command>), Error> {
        let filter = self.where_filter(cx, w)?;
        let stages = self.take_subquery_stages(cx);
        if stages.is_empty() {
            return Ok((filter, Vec::new()));
        }
        let mut pipeline = Vec::new();
        self.push_where(&mut pipeline, filter, stages, false);
        pipeline.push(Stage::Project(doc! {"_id": 1}).into_document());
        self.notes.push(
            "WHERE with a subquery: runs as two commands (aggregate the _ids, then write them), not atomically"
                .into(),
        );
        Ok((
            Filter::Field(
                "_id".into(),
                Cond::Ops(filter::in_(crate::mql::chain::step_output(0, "_id"))),
            ),
            vec![Command::Aggregate {
                collection: collection.to_string(),
                pipeline,
            }],
        ))
    }
}

/// Whether a subquery's column name is a plain top-level field name (`"$name"` reads it).
pub(super) fn plain_column(col: &str) -> bool {
    !col.contains('.') && !col.starts_with('$')
}

/// Whether an expression holds a subquery.
fn has_subquery(e: &Expr) -> bool {
    use sqlparser::ast::Visit;
    use std::ops::ControlFlow;
    struct Finder;
    impl sqlparser::ast::Visitor for Finder {
        type Break = ();
        fn pre_visit_query(&mut self, _q: &Query) -> ControlFlow<()> {
            ControlFlow::Break(())
        }
    }
    e.visit(&mut Finder).is_break()
}

/// Whether a WHERE conjunct's filter and its subqueries' `$lookup`s (their `let` and `localField`, not their
/// own pipelines) read no field of a joined table (a `"$__jN..."` path or a `__jN...` query-language key):
/// then it reads only the first table of the joins.
fn reads_no_joined_table(filter: &Filter, stages: &[Document]) -> bool {
    fn names_joined(b: &Bson) -> bool {
        match b {
            Bson::String(s) => s.starts_with(&ex::field_ref("__j")) || s.starts_with("__j"),
            Bson::Array(items) => items.iter().any(names_joined),
            Bson::Document(d) => d
                .iter()
                .any(|(k, v)| k.starts_with("__j") || names_joined(v)),
            _ => false,
        }
    }
    if names_joined(&Bson::Document(filter.clone().into())) {
        return false;
    }
    stages
        .iter()
        .all(|st| match StageKind::Lookup.document(st) {
            Some(l) => !l
                .iter()
                .any(|(k, v)| matches!(k.as_str(), "let" | "localField") && names_joined(v)),
            None => !names_joined(&Bson::Document(st.clone())),
        })
}

/// Whether an expression holds a `?` placeholder.
fn has_question_mark(e: &Expr) -> bool {
    use sqlparser::ast::Visit;
    use std::ops::ControlFlow;
    struct Finder;
    impl sqlparser::ast::Visitor for Finder {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match e {
                Expr::Value(v) if matches!(&v.value, Value::Placeholder(p) if p == "?") => {
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        }
    }
    e.visit(&mut Finder).is_break()
}

/// The top-level AND operands.
fn conjuncts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        Expr::Nested(inner)
            if matches!(
                inner.as_ref(),
                Expr::BinaryOp {
                    op: BinaryOperator::And,
                    ..
                }
            ) =>
        {
            conjuncts(inner, out)
        }
        other => out.push(other),
    }
}

/// `a AND b AND ...` of the parts (None for no part).
fn and_chain(parts: &[&Expr]) -> Option<Expr> {
    let mut it = parts.iter();
    let first = (*it.next()?).clone();
    Some(it.fold(first, |acc, p| Expr::BinaryOp {
        left: Box::new(acc),
        op: BinaryOperator::And,
        right: Box::new((*p).clone()),
    }))
}

/// The `as` fields of the `$lookup` stages.
fn lookup_fields(stages: &[Document]) -> Vec<String> {
    stages
        .iter()
        .filter_map(|s| StageKind::Lookup.document(s))
        .filter_map(|l| l.get_str("as").ok())
        .map(str::to_string)
        .collect()
}
