//! Window functions (`f(...) OVER (PARTITION BY ... ORDER BY ... [frame])`) -> `$setWindowFields` stages.
//!
//! Each window call gets its own output field `__wN`, computed by stages placed after WHERE (or after
//! `$group` / HAVING in a grouped query) and before the final `$project`, which reads the field. The ORDER BY
//! of a window becomes one composite sort key `__wNk: {n0: <null flag>, s0: <value>, ...}` so that `$rank`
//! and range windows (which take exactly one sort field) work on several keys, and NULLs sort where
//! PostgreSQL puts them (last ascending, first descending, or as NULLS FIRST/LAST says). Keys in mixed
//! directions sort field by field (`sortBy: {__wNk.s0: -1, __wNk.s1: 1}`) for a function that never compares
//! rows as peers (ROW_NUMBER, NTILE, LAG / LEAD, ROWS frames); for one that does (ranks, RANGE frames: one
//! sort field only), they are first numbered in their multi-field order, and the lowest number of each peer
//! group (its RANK) then serves as the single sort field. Peers (rows equal on
//! the ORDER BY) matter for PostgreSQL's default frame `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`:
//! a first `$setWindowFields` numbers the peer groups (`$denseRank`), a second one aggregates over a `range`
//! window on that number, so peers share their result. RANGE with offsets is a `range` window on the single
//! ORDER BY value (negated for DESC, NULL as -/+ infinity). Where every ORDER BY key is a top-level field of a
//! scalar type whose NULLs sort where MongoDB puts them, the stage sorts on those fields, without a key.
//! Aggregates keep PostgreSQL's NULL rules (SUM over no number is NULL, COUNT(x) skips NULLs).
//!
//! `window_call` reads what every call shares (`Call`: arguments, FILTER, partition, sort field) and hands the
//! call to its function family: ranking.rs (ROW_NUMBER, RANK, ..., NTILE), offset.rs (LAG / LEAD), framed.rs
//! (aggregates and FIRST/LAST/NTH_VALUE over a frame).

mod calls;
mod frame;
mod framed;
mod key;
mod merge;
mod offset;
mod order;
mod ranking;

use super::expr::{invalid, unsupported, Agg, Kind};
use super::{Error, Translator};
use crate::mql::accumulator as acc;
use crate::mql::expr as ex;
use crate::mql::stage::Stage;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{bson, doc, Bson, Document};
pub(crate) use calls::refuse_windows;
use calls::{collect_windows, resolve_named};
pub(crate) use order::{drop_unset_before_project, keeps_order};
use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, NamedWindowDefinition,
    OrderByExpr, WindowSpec, WindowType,
};

/// The window calls of the current SELECT and the field holding each result.
#[derive(Debug, Default, Clone)]
pub(crate) struct WindowScope {
    /// Window call -> output field.
    pub calls: Vec<(Expr, String, Kind, bool)>,
}

/// A composite sort key: the expression of the key document and the direction(s).
pub(crate) struct SortKeyDoc {
    /// `{n0: ..., s0: ..., ...}`.
    pub expr: Bson,
    /// 1 or -1 when every key sorts in the same direction (the whole document sorts in it), else `None`.
    pub dir: Option<i32>,
    /// The key document's fields with their directions.
    pub fields: Vec<(String, i32)>,
}

impl Translator {
    /// A window call already computed by the window stages: `$__wN`.
    pub(crate) fn window_lookup(&self, cx: &QueryContext, e: &Expr) -> Option<Agg> {
        let scope = cx.windows.as_ref()?;
        scope
            .calls
            .iter()
            .find(|(x, ..)| x == e)
            .map(|(_, f, kind, nullable)| Agg::new(ex::field(f), *kind, *nullable))
    }

    /// The `$setWindowFields` stages for every window call in `exprs` (and registers their fields). Empty when
    /// there is none.
    /// `named` is the WINDOW clause (`WINDOW w AS (...)`), which `OVER w` / `OVER (w ...)` refer to.
    pub(crate) fn window_stages(
        &mut self,
        cx: &mut QueryContext,
        exprs: &[&Expr],
        named: &[NamedWindowDefinition],
    ) -> Result<Vec<Document>, Error> {
        cx.windows = None;
        let mut calls: Vec<Expr> = Vec::new();
        for e in exprs {
            collect_windows(e, &mut calls)?;
        }
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        // Named windows are replaced by their definitions before translation.
        let calls: Vec<(Expr, Expr)> = calls
            .into_iter()
            .map(|c| resolve_named(c, named))
            .collect::<Result<_, _>>()?;
        let mut stages: Vec<Stage> = Vec::new();
        let mut scope = WindowScope::default();
        for (i, (original, call)) in calls.iter().enumerate() {
            let Expr::Function(f) = call else { continue };
            let field = format!("__w{i}");
            let (kind, nullable) = self.window_call(cx, f, call, &field, &mut stages)?;
            scope.calls.push((original.clone(), field, kind, nullable));
        }
        cx.windows = Some(scope);
        Ok(merge::merge_window_stages(stages)
            .into_iter()
            .map(Stage::into_document)
            .collect())
    }

    /// The composite sort key of an ORDER BY list, with PostgreSQL's NULL placement; `None` for an empty list.
    /// The key document has a NULL flag `nI` (when PostgreSQL's NULL placement differs from MongoDB's) and the
    /// value `sI` per key (negated, `{$multiply: [-1, x]}`, for a numeric key turned to the other direction so
    /// that keys in mixed directions sort in one where they can); `fields` lists them with their directions.
    pub(crate) fn composite_sort_key(
        &mut self,
        cx: &mut QueryContext,
        order_by: &[OrderByExpr],
    ) -> Result<Option<SortKeyDoc>, Error> {
        let items = self.sort_key_items(cx, order_by)?;
        if items.is_empty() {
            return Ok(None);
        }
        Ok(Some(key::key_doc(items, true)))
    }

    /// Each ORDER BY item translated (empty for an empty list).
    fn sort_key_items(
        &mut self,
        cx: &mut QueryContext,
        order_by: &[OrderByExpr],
    ) -> Result<Vec<key::KeyItem>, Error> {
        if order_by.is_empty() {
            return Ok(Vec::new());
        }
        let keys = crate::translate::query::sort_keys(order_by)?;
        let mut items = Vec::with_capacity(keys.len());
        for k in &keys {
            let a = self.agg(cx, &k.expr)?;
            items.push(key::KeyItem {
                numeric: matches!(a.kind, Kind::Int | Kind::Number),
                scalar: matches!(
                    a.kind,
                    Kind::Bool | Kind::Int | Kind::Number | Kind::Text | Kind::Timestamp
                ) || self.declared_scalar_ref(cx, &k.expr),
                nullable: a.nullable,
                expr: a.expr,
                desc: k.desc,
                nulls_first: k.nulls_first,
            });
        }
        Ok(items)
    }

    /// Translates one window call into its stages (appended to `stages`), by function family: ranking
    /// (ranking.rs), LAG / LEAD (offset.rs), aggregates and FIRST/LAST/NTH_VALUE over a frame (framed.rs).
    /// Returns the result's kind and nullability.
    fn window_call(
        &mut self,
        cx: &mut QueryContext,
        f: &Function,
        e: &Expr,
        field: &str,
        stages: &mut Vec<Stage>,
    ) -> Result<(Kind, bool), Error> {
        let call = self.window_call_spec(cx, f, e, field)?;
        let result = match call.name.as_str() {
            "row_number" | "rank" | "dense_rank" | "percent_rank" | "cume_dist" | "ntile" => {
                self.ranking_call(cx, &call, stages)
            }
            "lag" | "lead" => self.offset_call(cx, &call, stages),
            name if FRAMED.contains(&name) => self.framed_call(cx, &call, stages),
            _ => Err(unsupported(
                Refusal::Window,
                format!("window function {}()", f.name),
                e,
            )),
        };
        if !call.cleanup.is_empty() {
            stages.push(Stage::Unset(call.cleanup));
        }
        result
    }

    /// What every window call shares: its arguments and FILTER, its partition, and the field its stages sort
    /// on (with the stages that set that field).
    fn window_call_spec<'a>(
        &mut self,
        cx: &mut QueryContext,
        f: &'a Function,
        e: &'a Expr,
        field: &'a str,
    ) -> Result<Call<'a>, Error> {
        let name = crate::translate::names::function_name(&f.name);
        let Some(WindowType::WindowSpec(spec)) = &f.over else {
            return Err(unsupported(Refusal::Window, "named windows (OVER w)", e));
        };
        if spec.window_name.is_some() {
            return Err(unsupported(Refusal::Window, "named windows (OVER w)", e));
        }
        if f.filter.is_some() && !AGGREGATES.contains(&name.as_str()) {
            return Err(unsupported(
                Refusal::Window,
                format!("FILTER on the non-aggregate window function {}()", f.name),
                e,
            ));
        }
        // FILTER (WHERE p) on a window aggregate: rows where p is not TRUE count as NULL inputs.
        let filter = match &f.filter {
            Some(p) => Some(self.pred(cx, p)?.t),
            None => None,
        };
        if crate::translate::stats_agg::is_ordered_set(&name) {
            return Err(crate::translate::expr::invalid(
                format!("OVER is not supported for ordered-set aggregate {name}"),
                e,
            ));
        }
        if !f.within_group.is_empty() || f.null_treatment.is_some() || f.uses_odbc_syntax {
            return Err(unsupported(
                Refusal::Window,
                format!("this form of {}()", f.name),
                e,
            ));
        }
        let (star, args) = window_args(f, e)?;
        // PARTITION BY: a document of the expressions (MongoDB refuses to partition by an array value, which a
        // document holding one is not); NULL and missing are one partition.
        let partition = if spec.partition_by.is_empty() {
            None
        } else {
            let mut d = Document::new();
            for (i, p) in spec.partition_by.iter().enumerate() {
                d.insert(format!("p{i}"), ex::or_null(self.agg(cx, p)?.expr));
            }
            Some(Bson::Document(d))
        };
        let ordered = !spec.order_by.is_empty();
        let peers = needs_peers(&name, spec, ordered, e);
        let items = self.sort_key_items(cx, &spec.order_by)?;
        let kfield = format!("{field}k");
        let mut key_set = Document::new();
        let mut pre: Vec<Stage> = Vec::new();
        let mut cleanup: Vec<String> = Vec::new();
        // The `sortBy` of the call's own window stage.
        let mut sort_by = Document::new();
        let mut peer_rank = None;
        // Keys on the documents' own fields: sorted on them, no key document (key.rs). Otherwise numeric
        // keys are negated into one direction only for a function that compares peers (one sort field);
        // the others sort field by field.
        let key = match key::plain_sort(&items, peers) {
            Some(plain) => Sorting::Plain(plain),
            None if items.is_empty() => Sorting::Unordered,
            None => Sorting::Key(key::key_doc(items, peers)),
        };
        match key {
            Sorting::Plain(plain) => sort_by = plain,
            Sorting::Key(SortKeyDoc {
                expr, dir: Some(d), ..
            }) => {
                key_set.insert(&kfield, expr);
                pre.push(Stage::Set(key_set.clone()));
                sort_by.insert(&kfield, d);
            }
            Sorting::Key(SortKeyDoc {
                expr,
                dir: None,
                fields,
            }) if !peers => {
                // Mixed directions, for a function that never compares rows as peers (a row number, an
                // offset, a ROWS frame): the key's fields each in its own direction, one stage.
                key_set.insert(&kfield, expr);
                pre.push(Stage::Set(key_set.clone()));
                for (f, d) in &fields {
                    sort_by.insert(format!("{kfield}.{f}"), *d);
                }
            }
            Sorting::Key(SortKeyDoc {
                expr,
                dir: None,
                fields,
            }) => {
                // Mixed directions: number the rows in the multi-field order, then give every row the first
                // number of its peer group (its RANK); that number orders the rows in one direction.
                key_set.insert(&kfield, expr);
                pre.push(Stage::Set(key_set.clone()));
                let pos = format!("{field}p");
                let rank = format!("{field}r0");
                let mut sort = Document::new();
                for (f, d) in &fields {
                    sort.insert(format!("{kfield}.{f}"), *d);
                }
                let mut numbered = Document::new();
                if let Some(p) = &partition {
                    numbered.insert("partitionBy", p.clone());
                }
                numbered.insert("sortBy", sort);
                let mut out = Document::new();
                out.insert(&pos, acc::document_number());
                numbered.insert("output", out);
                pre.push(Stage::SetWindowFields(numbered));
                let peers = match &partition {
                    Some(p) => bson!({"p": p.clone(), "k": ex::field(&kfield)}),
                    None => ex::field(&kfield).into(),
                };
                let mut out = Document::new();
                out.insert(&rank, acc::min(ex::field(&pos)));
                pre.push(Stage::SetWindowFields(
                    doc! {"partitionBy": peers, "output": out},
                ));
                cleanup.push(pos);
                cleanup.push(rank.clone());
                sort_by.insert(&rank, 1);
                peer_rank = Some(rank);
            }
            // No ORDER BY: every row is a peer of every other.
            Sorting::Unordered => {
                key_set.insert(&kfield, 0);
                pre.push(Stage::Set(key_set.clone()));
                sort_by.insert(&kfield, 1);
            }
        }
        Ok(Call {
            f,
            e,
            name,
            spec,
            field,
            kfield,
            star,
            args,
            filter,
            partition,
            ordered,
            sort_by,
            peer_rank,
            pre,
            cleanup,
        })
    }
}

/// How a window call's rows are sorted.
enum Sorting {
    /// On the documents' own fields (`sortBy`), no key document.
    Plain(Document),
    /// On a composite key document.
    Key(SortKeyDoc),
    /// No ORDER BY.
    Unordered,
}

/// The window aggregates (FILTER is allowed on these only).
const AGGREGATES: &[&str] = &[
    "sum",
    "avg",
    "stddev",
    "stddev_samp",
    "stddev_pop",
    "variance",
    "var_samp",
    "var_pop",
    "count",
    "min",
    "max",
    "array_agg",
    "json_agg",
    "jsonb_agg",
    "string_agg",
    "bool_and",
    "bool_or",
    "every",
];

/// The functions computed over a window frame (framed.rs): the aggregates and the value functions.
const FRAMED: &[&str] = &[
    "sum",
    "avg",
    "stddev",
    "stddev_samp",
    "stddev_pop",
    "variance",
    "var_samp",
    "var_pop",
    "count",
    "min",
    "max",
    "first_value",
    "last_value",
    "nth_value",
    "array_agg",
    "json_agg",
    "jsonb_agg",
    "string_agg",
    "bool_and",
    "bool_or",
    "every",
];

/// One window call being translated, with what every function family shares.
pub(super) struct Call<'a> {
    /// The call.
    pub f: &'a Function,
    /// The call as an expression (for error positions).
    pub e: &'a Expr,
    /// The function's name, lowercase.
    pub name: String,
    /// Its window (named windows already resolved).
    pub spec: &'a WindowSpec,
    /// The output field (`__wN`).
    pub field: &'a str,
    /// The composite sort key's field (`__wNk`).
    pub kfield: String,
    /// `f(*)`.
    pub star: bool,
    /// The plain arguments.
    pub args: Vec<&'a Expr>,
    /// FILTER (WHERE p), translated.
    pub filter: Option<ex::Expr>,
    /// PARTITION BY, as one document.
    pub partition: Option<Bson>,
    /// The window has an ORDER BY.
    pub ordered: bool,
    /// The `sortBy` of the call's own window stage: the key field in its direction, the key's fields each in
    /// its own (mixed directions, no peers compared), or the peer-group number of mixed directions.
    pub sort_by: Document,
    /// Mixed directions compared as peers: the field holding each row's RANK (the first row number of its
    /// peer group), which `sort_by` sorts on. It is RANK itself, and a number a `range` window can run on.
    pub peer_rank: Option<String>,
    /// Stages that set the sort field, run before the call's own.
    pub pre: Vec<Stage>,
    /// Helper fields unset after the call's stages.
    pub cleanup: Vec<String>,
}

impl Call<'_> {
    /// A `$setWindowFields` stage over the call's partition, sorted on `sort_field`.
    pub(super) fn base(&self, sort_field: &str, dir: i32, output: Document) -> Stage {
        let mut s = Document::new();
        if let Some(p) = &self.partition {
            s.insert("partitionBy", p.clone());
        }
        let mut sort = Document::new();
        sort.insert(sort_field, dir);
        s.insert("sortBy", sort);
        s.insert("output", output);
        Stage::SetWindowFields(s)
    }

    /// A `$setWindowFields` stage over the call's partition without `sortBy` (whole-partition outputs).
    pub(super) fn unsorted(&self, output: Document) -> Stage {
        let mut s = Document::new();
        if let Some(p) = &self.partition {
            s.insert("partitionBy", p.clone());
        }
        s.insert("output", output);
        Stage::SetWindowFields(s)
    }

    /// The stage on the call's own sort (`sort_by`).
    pub(super) fn sorted(&self, output: Document) -> Stage {
        let mut s = Document::new();
        if let Some(p) = &self.partition {
            s.insert("partitionBy", p.clone());
        }
        s.insert("sortBy", self.sort_by.clone());
        s.insert("output", output);
        Stage::SetWindowFields(s)
    }

    /// Exactly `n` plain arguments.
    pub(super) fn need_args(&self, n: usize) -> Result<(), Error> {
        if self.args.len() == n && !self.star {
            Ok(())
        } else {
            Err(invalid(
                format!("{}() takes {n} argument(s)", self.f.name),
                self.e,
            ))
        }
    }
}

/// Whether the call compares rows as peers (equal on the whole ORDER BY), which needs one sort field: the
/// ranks, and the frames over peers or values (`range` windows). A row number, an offset and a ROWS frame only
/// need the rows in order. A frame clause in error counts as needing peers (the error is reported later).
fn needs_peers(name: &str, spec: &WindowSpec, ordered: bool, e: &Expr) -> bool {
    match name {
        "rank" | "dense_rank" | "percent_rank" | "cume_dist" => true,
        n if FRAMED.contains(&n) => !matches!(
            frame::window_frame(spec.window_frame.as_ref(), ordered, e),
            Ok(frame::Frame::Rows(..) | frame::Frame::Partition)
        ),
        _ => false,
    }
}

/// A positive integer constant argument (NTILE buckets, NTH_VALUE position).
pub(super) fn positive_constant(
    t: &mut Translator,
    cx: &mut QueryContext,
    x: &Expr,
    what: &str,
) -> Result<i64, Error> {
    match t.agg(cx, x)?.constant {
        Some(Bson::Int32(v)) if v > 0 => Ok(i64::from(v)),
        Some(Bson::Int64(v)) if v > 0 => Ok(v),
        _ => Err(unsupported(
            Refusal::Window,
            format!("{what} argument other than a positive integer constant"),
            x,
        )),
    }
}

/// The plain arguments of a window call (`*` for COUNT(*)).
fn window_args<'a>(f: &'a Function, e: &Expr) -> Result<(bool, Vec<&'a Expr>), Error> {
    match &f.args {
        FunctionArguments::None => Ok((false, Vec::new())),
        FunctionArguments::List(list) => {
            if !list.clauses.is_empty() {
                return Err(unsupported(
                    Refusal::Window,
                    format!("clauses inside {}()", f.name),
                    e,
                ));
            }
            let mut out = Vec::new();
            let mut star = false;
            for a in &list.args {
                match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => out.push(x),
                    FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => star = true,
                    _ => {
                        return Err(unsupported(
                            Refusal::Window,
                            format!("argument {a} of {}()", f.name),
                            e,
                        ))
                    }
                }
            }
            Ok((star, out))
        }
        FunctionArguments::Subquery(_) => Err(unsupported(Refusal::Window, "subquery", e)),
    }
}
