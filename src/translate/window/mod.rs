//! Window functions (`f(...) OVER (PARTITION BY ... ORDER BY ... [frame])`) -> `$setWindowFields` stages.
//!
//! Each window call gets its own output field `__wN`, computed by stages placed after WHERE (or after
//! `$group` / HAVING in a grouped query) and before the final `$project`, which reads the field. The ORDER BY
//! of a window becomes one composite sort key `__wNk: {n0: <null flag>, s0: <value>, ...}` so that `$rank`
//! and range windows (which take exactly one sort field) work on several keys, and NULLs sort where
//! PostgreSQL puts them (last ascending, first descending, or as NULLS FIRST/LAST says); keys in mixed
//! directions are first numbered in their multi-field order, and the lowest number of each peer group (its
//! RANK) then serves as the single sort field. Peers (rows equal on
//! the ORDER BY) matter for PostgreSQL's default frame `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`:
//! a first `$setWindowFields` numbers the peer groups (`$denseRank`), a second one aggregates over a `range`
//! window on that number, so peers share their result. RANGE with offsets is a `range` window on the single
//! ORDER BY value (negated for DESC, NULL as -/+ infinity). Aggregates keep PostgreSQL's NULL rules (SUM over no
//! number is NULL, COUNT(x) skips NULLs).

mod calls;
mod frame;

use super::expr::{invalid, unsupported, Agg, Kind};
use super::nulls::{is_null, not_null};
use super::{Error, Translator};
use crate::mql::accumulator::{self as acc, Accumulator};
use crate::mql::expr as ex;
use crate::mql::stage::Stage;
use bson::{bson, doc, Bson, Document};
pub(crate) use calls::refuse_windows;
use calls::{collect_windows, resolve_named};
use frame::{window_frame, Frame};
use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
    NamedWindowDefinition, OrderByExpr, WindowType,
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
    pub(crate) fn window_lookup(&self, e: &Expr) -> Option<Agg> {
        let scope = self.windows.as_ref()?;
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
        exprs: &[&Expr],
        named: &[NamedWindowDefinition],
    ) -> Result<Vec<Document>, Error> {
        self.windows = None;
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
        let mut stages = Vec::new();
        let mut scope = WindowScope::default();
        for (i, (original, call)) in calls.iter().enumerate() {
            let Expr::Function(f) = call else { continue };
            let field = format!("__w{i}");
            let (kind, nullable) = self.window_call(f, call, &field, &mut stages)?;
            scope.calls.push((original.clone(), field, kind, nullable));
        }
        self.windows = Some(scope);
        Ok(stages)
    }

    /// The composite sort key of an ORDER BY list, with PostgreSQL's NULL placement; `None` for an empty list.
    /// The key document has a NULL flag `nI` (when PostgreSQL's NULL placement differs from MongoDB's) and the
    /// value `sI` per key; `fields` lists them with their directions.
    pub(crate) fn composite_sort_key(
        &mut self,
        order_by: &[OrderByExpr],
    ) -> Result<Option<SortKeyDoc>, Error> {
        if order_by.is_empty() {
            return Ok(None);
        }
        let mut key = Document::new();
        let mut fields = Vec::new();
        for (i, o) in order_by.iter().enumerate() {
            if o.with_fill.is_some() {
                return Err(unsupported("WITH FILL", &o.expr));
            }
            let (desc, nulls_first) = crate::translate::order::direction(&o.options, &o.expr)?;
            let dir = if desc { -1 } else { 1 };
            let a = self.agg(&o.expr)?;
            // MongoDB puts NULLs first ascending and last descending.
            if nulls_first == desc && a.nullable {
                key.insert(format!("n{i}"), ex::cond(is_null(&a.expr), 1, 0));
                fields.push((format!("n{i}"), dir));
            }
            key.insert(format!("s{i}"), ex::or_null(a.expr));
            fields.push((format!("s{i}"), dir));
        }
        let first = fields.first().map(|f| f.1).unwrap_or(1);
        let uniform = fields.iter().all(|f| f.1 == first);
        Ok(Some(SortKeyDoc {
            expr: Bson::Document(key),
            dir: if uniform { Some(first) } else { None },
            fields,
        }))
    }

    fn window_call(
        &mut self,
        f: &Function,
        e: &Expr,
        field: &str,
        stages: &mut Vec<Document>,
    ) -> Result<(Kind, bool), Error> {
        let name = crate::translate::names::function_name(&f.name);
        let Some(WindowType::WindowSpec(spec)) = &f.over else {
            return Err(unsupported("named windows (OVER w)", e));
        };
        if spec.window_name.is_some() {
            return Err(unsupported("named windows (OVER w)", e));
        }
        let aggregate = matches!(
            name.as_str(),
            "sum"
                | "avg"
                | "count"
                | "min"
                | "max"
                | "array_agg"
                | "json_agg"
                | "jsonb_agg"
                | "string_agg"
                | "bool_and"
                | "bool_or"
                | "every"
        );
        if f.filter.is_some() && !aggregate {
            return Err(unsupported(
                format!("FILTER on the non-aggregate window function {}()", f.name),
                e,
            ));
        }
        // FILTER (WHERE p) on a window aggregate: rows where p is not TRUE count as NULL inputs.
        let filter = match &f.filter {
            Some(p) => Some(self.pred(p)?.t),
            None => None,
        };
        if !f.within_group.is_empty() || f.null_treatment.is_some() || f.uses_odbc_syntax {
            return Err(unsupported(format!("this form of {}()", f.name), e));
        }
        let (star, args) = window_args(f, e)?;
        // PARTITION BY: a document of the expressions (MongoDB refuses to partition by an array value, which a
        // document holding one is not); NULL and missing are one partition.
        let partition = if spec.partition_by.is_empty() {
            None
        } else {
            let mut d = Document::new();
            for (i, p) in spec.partition_by.iter().enumerate() {
                d.insert(format!("p{i}"), ex::or_null(self.agg(p)?.expr));
            }
            Some(Bson::Document(d))
        };
        let key = self.composite_sort_key(&spec.order_by)?;
        let ordered = key.is_some();
        let kfield = format!("{field}k");
        let mut key_set = Document::new();
        let mut pre: Vec<Document> = Vec::new();
        let mut cleanup: Vec<String> = Vec::new();
        // The field the window stages sort on, and its direction.
        let (sort_field, dir) = match key {
            Some(SortKeyDoc {
                expr, dir: Some(d), ..
            }) => {
                key_set.insert(&kfield, expr);
                pre.push(Stage::Set(key_set.clone()).into());
                (kfield.clone(), d)
            }
            Some(SortKeyDoc {
                expr,
                dir: None,
                fields,
            }) => {
                // Mixed directions: number the rows in the multi-field order, then give every row the first
                // number of its peer group (its RANK); that number orders the rows in one direction.
                key_set.insert(&kfield, expr);
                pre.push(Stage::Set(key_set.clone()).into());
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
                pre.push(Stage::SetWindowFields(numbered).into());
                let peers = match &partition {
                    Some(p) => bson!({"p": p.clone(), "k": ex::field(&kfield)}),
                    None => ex::field(&kfield),
                };
                let mut out = Document::new();
                out.insert(&rank, acc::min(ex::field(&pos)));
                pre.push(Stage::SetWindowFields(doc! {"partitionBy": peers, "output": out}).into());
                cleanup.push(pos);
                cleanup.push(rank.clone());
                (rank, 1)
            }
            // No ORDER BY: every row is a peer of every other.
            None => {
                key_set.insert(&kfield, 0);
                pre.push(Stage::Set(key_set.clone()).into());
                (kfield.clone(), 1)
            }
        };
        let base = |sort_field: &str, dir: i32, output: Document| -> Document {
            let mut s = Document::new();
            if let Some(p) = &partition {
                s.insert("partitionBy", p.clone());
            }
            let mut sort = Document::new();
            sort.insert(sort_field, dir);
            s.insert("sortBy", sort);
            s.insert("output", output);
            Stage::SetWindowFields(s).into()
        };
        let need_args = |n: usize| -> Result<(), Error> {
            if args.len() == n && !star {
                Ok(())
            } else {
                Err(invalid(format!("{}() takes {n} argument(s)", f.name), e))
            }
        };
        let result = match name.as_str() {
            "row_number" | "rank" | "dense_rank" => {
                need_args(0)?;
                let mut out = Document::new();
                out.insert(field, acc::ranking(&name));
                stages.extend(pre.clone());
                stages.push(base(&sort_field, dir, out));
                stages.push(Stage::UnsetField(kfield).into());
                Ok((Kind::Int, false))
            }
            "percent_rank" | "cume_dist" => {
                need_args(0)?;
                let r = format!("{field}r");
                let n = format!("{field}n");
                let mut out = Document::new();
                out.insert(&n, acc::sum(1));
                stages.extend(pre.clone());
                if name == "percent_rank" {
                    out.insert(&r, acc::rank());
                    stages.push(base(&sort_field, dir, out));
                    let value = ex::cond(
                        ex::lte(ex::field(&n), 1),
                        0.0,
                        ex::divide(
                            ex::subtract(ex::field(&r), 1),
                            ex::subtract(ex::field(&n), 1),
                        ),
                    );
                    let mut set = Document::new();
                    set.insert(field, value);
                    stages.push(Stage::Set(set).into());
                } else {
                    let d = format!("{field}d");
                    let mut first = Document::new();
                    first.insert(&d, acc::dense_rank());
                    first.insert(&n, acc::sum(1));
                    stages.push(base(&sort_field, dir, first));
                    let mut second = Document::new();
                    second.insert(
                        &r,
                        acc::windowed(acc::sum(1), doc! {"range": ["unbounded", "current"]}),
                    );
                    stages.push(base(&d, 1, second));
                    let mut set = Document::new();
                    set.insert(field, ex::divide(ex::field(&r), ex::field(&n)));
                    stages.push(Stage::Set(set).into());
                    stages.push(Stage::UnsetField(d).into());
                }
                stages.push(Stage::Unset(vec![kfield, r, n]).into());
                Ok((Kind::Number, false))
            }
            "ntile" => {
                need_args(1)?;
                let buckets = positive_constant(self, args[0], "ntile()")?;
                let rn = format!("{field}r");
                let n = format!("{field}n");
                let mut out = Document::new();
                out.insert(&rn, acc::document_number());
                out.insert(&n, acc::sum(1));
                stages.extend(pre.clone());
                stages.push(base(&sort_field, dir, out));
                // PostgreSQL's NTILE: the first (count mod n) buckets hold one row more.
                let i = ex::subtract(ex::field(&rn), 1);
                let q = ex::floor(ex::divide(ex::field(&n), buckets));
                let r = ex::modulo(ex::field(&n), buckets);
                let big = ex::multiply(vec![r.clone(), ex::add(vec![q.clone(), 1.into()])]);
                let value = ex::cond(
                    ex::lt(i.clone(), big.clone()),
                    ex::add(vec![
                        ex::floor(ex::divide(i.clone(), ex::add(vec![q.clone(), 1.into()]))),
                        1.into(),
                    ]),
                    ex::add(vec![
                        r,
                        ex::floor(ex::divide(ex::subtract(i, big), q)),
                        1.into(),
                    ]),
                );
                let mut set = Document::new();
                set.insert(field, ex::to_long(value));
                stages.push(Stage::Set(set).into());
                stages.push(Stage::Unset(vec![kfield, rn, n]).into());
                Ok((Kind::Int, false))
            }
            "lag" | "lead" => {
                if args.is_empty() || args.len() > 3 || star {
                    return Err(invalid(format!("{}() takes 1 to 3 arguments", f.name), e));
                }
                let x = self.agg(args[0])?;
                let by = match args.get(1) {
                    None => 1,
                    Some(n) => match self.agg(n)?.constant {
                        Some(Bson::Int32(v)) if v >= 0 => i64::from(v),
                        Some(Bson::Int64(v)) if v >= 0 => v,
                        _ => {
                            return Err(unsupported(
                                format!(
                                    "{}() offset other than a non-negative integer constant",
                                    f.name
                                ),
                                n,
                            ))
                        }
                    },
                };
                let mut shift = doc! {"output": ex::or_null(x.expr), "by": if name == "lag" { -by } else { by }};
                if let Some(d) = args.get(2) {
                    let a = self.agg(d)?;
                    match a.constant {
                        Some(c) => {
                            shift.insert("default", ex::literal(c));
                        }
                        None => {
                            return Err(unsupported(
                                format!("{}() default other than a constant", f.name),
                                d,
                            ))
                        }
                    }
                }
                let mut out = Document::new();
                out.insert(field, acc::shift(shift));
                stages.extend(pre.clone());
                stages.push(base(&sort_field, dir, out));
                stages.push(Stage::UnsetField(kfield).into());
                Ok((x.kind, true))
            }
            "sum" | "avg" | "count" | "min" | "max" | "first_value" | "last_value"
            | "nth_value" | "array_agg" | "json_agg" | "jsonb_agg" | "string_agg" | "bool_and"
            | "bool_or" | "every" => {
                if let FunctionArguments::List(l) = &f.args {
                    if matches!(l.duplicate_treatment, Some(DuplicateTreatment::Distinct)) {
                        return Err(unsupported("DISTINCT in a window aggregate", e));
                    }
                }
                let frame = window_frame(spec.window_frame.as_ref(), ordered, e)?;
                let mut nth = 0i64;
                let mut sep = Bson::Null;
                let collecting = matches!(
                    name.as_str(),
                    "array_agg" | "json_agg" | "jsonb_agg" | "string_agg"
                );
                let mut x = if star && name == "count" {
                    None
                } else if name == "nth_value" {
                    need_args(2)?;
                    nth = positive_constant(self, args[1], "nth_value()")?;
                    Some(self.agg(args[0])?)
                } else if name == "string_agg" {
                    need_args(2)?;
                    sep = self.string_agg_separator(args[1])?;
                    Some(self.agg(args[0])?)
                } else {
                    need_args(1)?;
                    Some(self.agg(args[0])?)
                };
                // Collecting aggregates push one-element arrays ([] for a skipped row) and flatten them after.
                let keep = match (&x, name.as_str()) {
                    (Some(a), "string_agg") if a.nullable => {
                        let nn = not_null(&a.expr);
                        Some(match &filter {
                            Some(ft) => super::nulls::and(vec![ft.clone(), nn]),
                            None => nn,
                        })
                    }
                    _ if collecting => filter.clone(),
                    _ => None,
                };
                if !collecting {
                    if let (Some(ft), Some(a)) = (&filter, x.as_mut()) {
                        a.expr = ex::cond(ft.clone(), a.expr.clone(), Bson::Null);
                        a.nullable = true;
                    }
                }
                let window = |frame: &Frame| -> Option<Document> {
                    match frame {
                        Frame::Partition => None,
                        Frame::Rows(a, b) => Some(doc! {"documents": [a.to_bson(), b.to_bson()]}),
                        Frame::Peers(a, b) | Frame::Values(a, b) => {
                            Some(doc! {"range": [a.to_bson(), b.to_bson()]})
                        }
                    }
                };
                let with_window = |a: Document| -> Document {
                    match window(&frame) {
                        Some(w) => acc::windowed(a, w),
                        None => a,
                    }
                };
                let mut out = Document::new();
                let mut post: Option<Bson> = None;
                let n = format!("{field}c");
                let (kind, nullable) = match (name.as_str(), &x) {
                    ("count", None) => {
                        let one = match &filter {
                            Some(ft) => ex::cond(ft.clone(), 1, 0),
                            None => Bson::Int32(1),
                        };
                        out.insert(field, with_window(acc::sum(one)));
                        (Kind::Int, false)
                    }
                    ("count", Some(x)) => {
                        let keep = if x.nullable {
                            not_null(&x.expr)
                        } else {
                            Bson::Boolean(true)
                        };
                        out.insert(field, with_window(acc::sum(ex::cond(keep, 1, 0))));
                        (Kind::Int, false)
                    }
                    ("sum", Some(x)) => {
                        out.insert(field, with_window(acc::sum(x.expr.clone())));
                        out.insert(
                            &n,
                            with_window(acc::sum(ex::cond(ex::is_number(x.expr.clone()), 1, 0))),
                        );
                        post = Some(ex::cond(
                            ex::gt(ex::field(&n), 0),
                            ex::field(field),
                            Bson::Null,
                        ));
                        (x.kind, true)
                    }
                    ("avg", Some(x)) => {
                        out.insert(field, with_window(acc::avg(x.expr.clone())));
                        (Kind::Number, true)
                    }
                    ("min" | "max", Some(x)) => {
                        let a = if name == "min" {
                            acc::min(x.expr.clone())
                        } else {
                            acc::max(x.expr.clone())
                        };
                        out.insert(field, with_window(a));
                        (x.kind, true)
                    }
                    ("array_agg" | "json_agg" | "jsonb_agg" | "string_agg", Some(x)) => {
                        let one = Bson::Array(vec![ex::or_null(x.expr.clone())]);
                        let pushed = match &keep {
                            Some(k) => ex::cond(k.clone(), one, Bson::Array(Vec::new())),
                            None => one,
                        };
                        out.insert(field, with_window(acc::push(pushed)));
                        let flat = ex::reduce(
                            ex::field(field),
                            Bson::Array(Vec::new()),
                            ex::concat_arrays(vec![ex::value(), ex::this()]),
                        );
                        if name == "string_agg" {
                            post = Some(ex::reduce(
                                flat,
                                Bson::Null,
                                ex::cond(
                                    ex::eq(ex::value(), Bson::Null),
                                    ex::this(),
                                    ex::concat(vec![
                                        ex::value(),
                                        ex::literal(sep.clone()),
                                        ex::this(),
                                    ]),
                                ),
                            ));
                            (Kind::Text, true)
                        } else {
                            post = Some(ex::cond(
                                ex::gt(ex::size(flat.clone()), 0),
                                flat,
                                Bson::Null,
                            ));
                            (Kind::Array, true)
                        }
                    }
                    ("bool_and" | "bool_or" | "every", Some(x)) => {
                        let a = if name == "bool_or" {
                            acc::max(x.expr.clone())
                        } else {
                            acc::min(x.expr.clone())
                        };
                        out.insert(field, with_window(a));
                        (Kind::Bool, true)
                    }
                    ("nth_value", Some(x)) => {
                        out.insert(field, with_window(acc::push(ex::or_null(x.expr.clone()))));
                        post = Some(ex::or_null(ex::array_elem_at(ex::field(field), nth - 1)));
                        (x.kind, true)
                    }
                    (_, Some(x)) => {
                        let a = if name == "first_value" {
                            Accumulator::First
                        } else {
                            Accumulator::Last
                        };
                        out.insert(field, with_window(a.of(ex::or_null(x.expr.clone()))));
                        (x.kind, true)
                    }
                    _ => return Err(invalid(format!("{}() needs an argument", f.name), e)),
                };
                stages.extend(pre.clone());
                match frame {
                    Frame::Values(..) => {
                        // The ORDER BY value, negated for DESC so the window runs ascending; NULL sorts as
                        // -/+ infinity where PostgreSQL puts it, so a NULL row's frame is its NULL peers.
                        let [o] = spec.order_by.as_slice() else {
                            return Err(invalid(
                                "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                                e,
                            ));
                        };
                        let (desc, nulls_first) =
                            crate::translate::order::direction(&o.options, &o.expr)?;
                        let v = self.agg(&o.expr)?;
                        let inf = if nulls_first {
                            f64::NEG_INFINITY
                        } else {
                            f64::INFINITY
                        };
                        let value = if desc {
                            ex::multiply(vec![(-1).into(), v.expr.clone()])
                        } else {
                            v.expr.clone()
                        };
                        let vfield = format!("{field}v");
                        let mut set = Document::new();
                        set.insert(&vfield, ex::cond(is_null(&v.expr), inf, value));
                        stages.push(Stage::Set(set).into());
                        stages.push(base(&vfield, 1, out));
                        stages.push(Stage::UnsetField(vfield).into());
                    }
                    Frame::Peers(..) => {
                        let d = format!("{field}d");
                        let mut first = Document::new();
                        first.insert(&d, acc::dense_rank());
                        stages.push(base(&sort_field, dir, first));
                        stages.push(base(&d, 1, out));
                        stages.push(Stage::UnsetField(d).into());
                    }
                    _ => stages.push(base(&sort_field, dir, out)),
                }
                if let Some(p) = post {
                    let mut set = Document::new();
                    set.insert(field, p);
                    stages.push(Stage::Set(set).into());
                    stages.push(Stage::Unset(vec![kfield, n]).into());
                } else {
                    stages.push(Stage::UnsetField(kfield).into());
                }
                Ok((kind, nullable))
            }
            _ => Err(unsupported(format!("window function {}()", f.name), e)),
        };
        if !cleanup.is_empty() {
            stages.push(Stage::Unset(cleanup).into());
        }
        result
    }
}

/// A positive integer constant argument (NTILE buckets, NTH_VALUE position).
fn positive_constant(t: &mut Translator, x: &Expr, what: &str) -> Result<i64, Error> {
    match t.agg(x)?.constant {
        Some(Bson::Int32(v)) if v > 0 => Ok(i64::from(v)),
        Some(Bson::Int64(v)) if v > 0 => Ok(v),
        _ => Err(unsupported(
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
                return Err(unsupported(format!("clauses inside {}()", f.name), e));
            }
            let mut out = Vec::new();
            let mut star = false;
            for a in &list.args {
                match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => out.push(x),
                    FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => star = true,
                    _ => return Err(unsupported(format!("argument {a} of {}()", f.name), e)),
                }
            }
            Ok((star, out))
        }
        FunctionArguments::Subquery(_) => Err(unsupported("subquery", e)),
    }
}
