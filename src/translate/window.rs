//! Window functions (`f(...) OVER (PARTITION BY ... ORDER BY ... [frame])`) -> `$setWindowFields` stages.
//!
//! Each window call gets its own output field `__wN`, computed by stages placed after WHERE (or after
//! `$group` / HAVING in a grouped query) and before the final `$project`, which reads the field. The ORDER BY
//! of a window becomes one composite sort key `__wkN: {n0: <null flag>, s0: <value>, ...}` so that `$rank`
//! and range windows (which take exactly one sort field) work on several keys, and NULLs sort where
//! PostgreSQL puts them (last ascending, first descending, or as NULLS FIRST/LAST says). Peers (rows equal on
//! the ORDER BY) matter for PostgreSQL's default frame `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`:
//! a first `$setWindowFields` numbers the peer groups (`$denseRank`), a second one aggregates over a `range`
//! window on that number, so peers share their result. Aggregates keep PostgreSQL's NULL rules (SUM over no
//! number is NULL, COUNT(x) skips NULLs).

use super::expr::{invalid, unsupported, Agg, Kind};
use super::nulls::{is_null, not_null};
use super::{Error, Translator};
use bson::{bson, doc, Bson, Document};
use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
    OrderByExpr, OrderBySort, WindowFrameBound, WindowFrameUnits, WindowType,
};

/// The window calls of the current SELECT and the field holding each result.
#[derive(Debug, Default, Clone)]
pub(crate) struct WindowScope {
    /// Window call -> output field.
    pub calls: Vec<(Expr, String, Kind, bool)>,
}

/// A window frame bound in MongoDB terms.
#[derive(Debug, Clone, PartialEq)]
enum Bound {
    Unbounded,
    Current,
    Offset(i64),
}

impl Bound {
    fn to_bson(&self) -> Bson {
        match self {
            Bound::Unbounded => Bson::String("unbounded".into()),
            Bound::Current => Bson::String("current".into()),
            Bound::Offset(n) => Bson::Int64(*n),
        }
    }
}

/// The frame of an aggregate window call.
#[derive(Debug, Clone, PartialEq)]
enum Frame {
    /// The whole partition.
    Partition,
    /// ROWS: a `documents` window.
    Rows(Bound, Bound),
    /// RANGE with UNBOUNDED / CURRENT ROW bounds: a `range` window over the peer-group number.
    Peers(Bound, Bound),
}

/// A composite sort key: the expression of the key document and the direction.
pub(crate) struct SortKeyDoc {
    /// `{n0: ..., s0: ..., ...}`.
    pub expr: Bson,
    /// 1 or -1.
    pub dir: i32,
}

impl Translator {
    /// A window call already computed by the window stages: `$__wN`.
    pub(crate) fn window_lookup(&self, e: &Expr) -> Option<Agg> {
        let scope = self.windows.as_ref()?;
        scope
            .calls
            .iter()
            .find(|(x, ..)| x == e)
            .map(|(_, f, kind, nullable)| Agg::new(Bson::String(format!("${f}")), *kind, *nullable))
    }

    /// The `$setWindowFields` stages for every window call in `exprs` (and registers their fields). Empty when
    /// there is none.
    pub(crate) fn window_stages(&mut self, exprs: &[&Expr]) -> Result<Vec<Document>, Error> {
        self.windows = None;
        let mut calls: Vec<Expr> = Vec::new();
        for e in exprs {
            collect_windows(e, &mut calls)?;
        }
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let mut stages = Vec::new();
        let mut scope = WindowScope::default();
        for (i, call) in calls.iter().enumerate() {
            let Expr::Function(f) = call else { continue };
            let field = format!("__w{i}");
            let (kind, nullable) = self.window_call(f, call, &field, &mut stages)?;
            scope.calls.push((call.clone(), field, kind, nullable));
        }
        self.windows = Some(scope);
        Ok(stages)
    }

    /// The composite sort key of an ORDER BY list, with PostgreSQL's NULL placement; `None` for an empty list.
    /// Mixed ASC/DESC directions are refused (one composite key sorts in one direction).
    pub(crate) fn composite_sort_key(
        &mut self,
        order_by: &[OrderByExpr],
        at: &Expr,
    ) -> Result<Option<SortKeyDoc>, Error> {
        let Some(first) = order_by.first() else {
            return Ok(None);
        };
        let desc_of = |o: &OrderByExpr| matches!(o.options.sort, Some(OrderBySort::Desc));
        let desc = desc_of(first);
        let mut key = Document::new();
        for (i, o) in order_by.iter().enumerate() {
            if o.with_fill.is_some() {
                return Err(unsupported("WITH FILL", &o.expr));
            }
            if matches!(o.options.sort, Some(OrderBySort::Using(_))) {
                return Err(unsupported("ORDER BY ... USING", &o.expr));
            }
            if desc_of(o) != desc {
                return Err(unsupported(
                    "mixed ASC and DESC keys in the ORDER BY of a window or an aggregate",
                    at,
                ));
            }
            let nulls_first = o.options.nulls_first.unwrap_or(desc);
            let a = self.agg(&o.expr)?;
            // MongoDB puts NULLs first ascending and last descending.
            if nulls_first == desc && a.nullable {
                key.insert(format!("n{i}"), bson!({"$cond": [is_null(&a.expr), 1, 0]}));
            }
            key.insert(format!("s{i}"), bson!({"$ifNull": [a.expr, null]}));
        }
        Ok(Some(SortKeyDoc {
            expr: Bson::Document(key),
            dir: if desc { -1 } else { 1 },
        }))
    }

    fn window_call(
        &mut self,
        f: &Function,
        e: &Expr,
        field: &str,
        stages: &mut Vec<Document>,
    ) -> Result<(Kind, bool), Error> {
        let name = f.name.to_string().to_ascii_lowercase();
        let Some(WindowType::WindowSpec(spec)) = &f.over else {
            return Err(unsupported("named windows (OVER w)", e));
        };
        if spec.window_name.is_some() {
            return Err(unsupported("named windows (OVER w)", e));
        }
        if f.filter.is_some() {
            return Err(unsupported("FILTER on a window function", e));
        }
        if !f.within_group.is_empty() || f.null_treatment.is_some() || f.uses_odbc_syntax {
            return Err(unsupported(format!("this form of {}()", f.name), e));
        }
        let (star, args) = window_args(f, e)?;
        // PARTITION BY: one expression, or a document of several; NULL (or missing) is one partition.
        let partition = match spec.partition_by.as_slice() {
            [] => None,
            [p] => Some(bson!({"$ifNull": [self.agg(p)?.expr, null]})),
            many => {
                let mut d = Document::new();
                for (i, p) in many.iter().enumerate() {
                    d.insert(
                        format!("p{i}"),
                        bson!({"$ifNull": [self.agg(p)?.expr, null]}),
                    );
                }
                Some(Bson::Document(d))
            }
        };
        let key = self.composite_sort_key(&spec.order_by, e)?;
        let ordered = key.is_some();
        let kfield = format!("{field}k");
        let (key_expr, dir) = match key {
            Some(k) => (k.expr, k.dir),
            // No ORDER BY: every row is a peer of every other.
            None => (Bson::Int32(0), 1),
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
            doc! {"$setWindowFields": s}
        };
        let mut key_set = Document::new();
        key_set.insert(&kfield, key_expr);
        let need_args = |n: usize| -> Result<(), Error> {
            if args.len() == n && !star {
                Ok(())
            } else {
                Err(invalid(format!("{}() takes {n} argument(s)", f.name), e))
            }
        };
        let ranking = |op: &str| -> Document {
            let mut o = Document::new();
            let mut d = Document::new();
            d.insert(op, Document::new());
            o.insert(field, d);
            o
        };
        match name.as_str() {
            "row_number" | "rank" | "dense_rank" => {
                need_args(0)?;
                let op = match name.as_str() {
                    "row_number" => "$documentNumber",
                    "rank" => "$rank",
                    _ => "$denseRank",
                };
                stages.push(doc! {"$set": key_set});
                stages.push(base(&kfield, dir, ranking(op)));
                stages.push(doc! {"$unset": kfield});
                Ok((Kind::Int, false))
            }
            "percent_rank" | "cume_dist" => {
                need_args(0)?;
                let r = format!("{field}r");
                let n = format!("{field}n");
                let mut out = Document::new();
                out.insert(&n, doc! {"$sum": 1});
                stages.push(doc! {"$set": key_set});
                if name == "percent_rank" {
                    out.insert(&r, doc! {"$rank": {}});
                    stages.push(base(&kfield, dir, out));
                    let value = bson!({"$cond": [{"$lte": [format!("${n}"), 1]}, 0.0,
                        {"$divide": [{"$subtract": [format!("${r}"), 1]}, {"$subtract": [format!("${n}"), 1]}]}]});
                    let mut set = Document::new();
                    set.insert(field, value);
                    stages.push(doc! {"$set": set});
                } else {
                    let d = format!("{field}d");
                    let mut first = Document::new();
                    first.insert(&d, doc! {"$denseRank": {}});
                    first.insert(&n, doc! {"$sum": 1});
                    stages.push(base(&kfield, dir, first));
                    let mut second = Document::new();
                    second.insert(
                        &r,
                        doc! {"$sum": 1, "window": {"range": ["unbounded", "current"]}},
                    );
                    stages.push(base(&d, 1, second));
                    let mut set = Document::new();
                    set.insert(
                        field,
                        bson!({"$divide": [format!("${r}"), format!("${n}")]}),
                    );
                    stages.push(doc! {"$set": set});
                    stages.push(doc! {"$unset": d});
                }
                stages.push(doc! {"$unset": [kfield, r, n]});
                Ok((Kind::Number, false))
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
                let mut shift = doc! {"output": {"$ifNull": [x.expr, null]}, "by": if name == "lag" { -by } else { by }};
                if let Some(d) = args.get(2) {
                    let a = self.agg(d)?;
                    match a.constant {
                        Some(c) => {
                            shift.insert("default", bson!({"$literal": c}));
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
                out.insert(field, doc! {"$shift": shift});
                stages.push(doc! {"$set": key_set});
                stages.push(base(&kfield, dir, out));
                stages.push(doc! {"$unset": kfield});
                Ok((x.kind, true))
            }
            "sum" | "avg" | "count" | "min" | "max" | "first_value" | "last_value" => {
                if let FunctionArguments::List(l) = &f.args {
                    if matches!(l.duplicate_treatment, Some(DuplicateTreatment::Distinct)) {
                        return Err(unsupported("DISTINCT in a window aggregate", e));
                    }
                }
                let frame = window_frame(spec.window_frame.as_ref(), ordered, e)?;
                let x = if star && name == "count" {
                    None
                } else {
                    need_args(1)?;
                    Some(self.agg(args[0])?)
                };
                let window = |frame: &Frame| -> Option<Document> {
                    match frame {
                        Frame::Partition => None,
                        Frame::Rows(a, b) => Some(doc! {"documents": [a.to_bson(), b.to_bson()]}),
                        Frame::Peers(a, b) => Some(doc! {"range": [a.to_bson(), b.to_bson()]}),
                    }
                };
                let with_window = |mut acc: Document| -> Document {
                    if let Some(w) = window(&frame) {
                        acc.insert("window", w);
                    }
                    acc
                };
                let mut out = Document::new();
                let mut post: Option<Bson> = None;
                let n = format!("{field}c");
                let (kind, nullable) = match (name.as_str(), &x) {
                    ("count", None) => {
                        out.insert(field, with_window(doc! {"$sum": 1}));
                        (Kind::Int, false)
                    }
                    ("count", Some(x)) => {
                        let keep = if x.nullable {
                            not_null(&x.expr)
                        } else {
                            Bson::Boolean(true)
                        };
                        out.insert(field, with_window(doc! {"$sum": {"$cond": [keep, 1, 0]}}));
                        (Kind::Int, false)
                    }
                    ("sum", Some(x)) => {
                        out.insert(field, with_window(doc! {"$sum": x.expr.clone()}));
                        out.insert(
                            &n,
                            with_window(
                                doc! {"$sum": {"$cond": [{"$isNumber": x.expr.clone()}, 1, 0]}},
                            ),
                        );
                        post = Some(
                            bson!({"$cond": [{"$gt": [format!("${n}"), 0]}, format!("${field}"), null]}),
                        );
                        (x.kind, true)
                    }
                    ("avg", Some(x)) => {
                        out.insert(field, with_window(doc! {"$avg": x.expr.clone()}));
                        (Kind::Number, true)
                    }
                    ("min" | "max", Some(x)) => {
                        let mut acc = Document::new();
                        acc.insert(format!("${name}"), x.expr.clone());
                        out.insert(field, with_window(acc));
                        (x.kind, true)
                    }
                    (_, Some(x)) => {
                        let op = if name == "first_value" {
                            "$first"
                        } else {
                            "$last"
                        };
                        let mut acc = Document::new();
                        acc.insert(op, bson!({"$ifNull": [x.expr.clone(), null]}));
                        out.insert(field, with_window(acc));
                        (x.kind, true)
                    }
                    _ => return Err(invalid(format!("{}() needs an argument", f.name), e)),
                };
                stages.push(doc! {"$set": key_set});
                match frame {
                    Frame::Peers(..) => {
                        let d = format!("{field}d");
                        let mut first = Document::new();
                        first.insert(&d, doc! {"$denseRank": {}});
                        stages.push(base(&kfield, dir, first));
                        stages.push(base(&d, 1, out));
                        stages.push(doc! {"$unset": d});
                    }
                    _ => stages.push(base(&kfield, dir, out)),
                }
                if let Some(p) = post {
                    let mut set = Document::new();
                    set.insert(field, p);
                    stages.push(doc! {"$set": set});
                    stages.push(doc! {"$unset": [kfield, n]});
                } else {
                    stages.push(doc! {"$unset": kfield});
                }
                Ok((kind, nullable))
            }
            _ => Err(unsupported(format!("window function {}()", f.name), e)),
        }
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

/// The frame of an aggregate window call, PostgreSQL's default included.
fn window_frame(
    frame: Option<&sqlparser::ast::WindowFrame>,
    ordered: bool,
    e: &Expr,
) -> Result<Frame, Error> {
    let Some(fr) = frame else {
        // Default: RANGE UNBOUNDED PRECEDING .. CURRENT ROW with ORDER BY, else the whole partition.
        return Ok(if ordered {
            Frame::Peers(Bound::Unbounded, Bound::Current)
        } else {
            Frame::Partition
        });
    };
    let bound = |b: &WindowFrameBound, start: bool| -> Result<Bound, Error> {
        Ok(match b {
            WindowFrameBound::CurrentRow => Bound::Current,
            WindowFrameBound::Preceding(None) => {
                if !start {
                    return Err(invalid("frame end cannot be UNBOUNDED PRECEDING", e));
                }
                Bound::Unbounded
            }
            WindowFrameBound::Following(None) => {
                if start {
                    return Err(invalid("frame start cannot be UNBOUNDED FOLLOWING", e));
                }
                Bound::Unbounded
            }
            WindowFrameBound::Preceding(Some(n)) | WindowFrameBound::Following(Some(n)) => {
                let v = frame_offset(n)?;
                if matches!(b, WindowFrameBound::Preceding(_)) {
                    Bound::Offset(-v)
                } else {
                    Bound::Offset(v)
                }
            }
        })
    };
    let start = bound(&fr.start_bound, true)?;
    let end = match &fr.end_bound {
        Some(b) => bound(b, false)?,
        None => Bound::Current,
    };
    match fr.units {
        WindowFrameUnits::Rows => {
            if start == Bound::Unbounded && end == Bound::Unbounded {
                Ok(Frame::Partition)
            } else {
                Ok(Frame::Rows(start, end))
            }
        }
        WindowFrameUnits::Range => {
            if matches!(start, Bound::Offset(_)) || matches!(end, Bound::Offset(_)) {
                return Err(unsupported(
                    "RANGE frame with an offset (use ROWS, or UNBOUNDED / CURRENT ROW bounds)",
                    e,
                ));
            }
            if !ordered || (start == Bound::Unbounded && end == Bound::Unbounded) {
                Ok(Frame::Partition)
            } else {
                Ok(Frame::Peers(start, end))
            }
        }
        WindowFrameUnits::Groups => Err(unsupported("GROUPS frame", e)),
    }
}

fn frame_offset(n: &Expr) -> Result<i64, Error> {
    if let Expr::Value(v) = n {
        if let sqlparser::ast::Value::Number(s, _) = &v.value {
            if let Ok(i) = s.parse::<i64>() {
                if i >= 0 {
                    return Ok(i);
                }
            }
        }
    }
    Err(unsupported(
        "window frame offset other than a non-negative integer constant",
        n,
    ))
}

/// Collects the window calls of an expression (in order, without duplicates); nested ones are an error.
fn collect_windows(e: &Expr, out: &mut Vec<Expr>) -> Result<(), Error> {
    use sqlparser::ast::Visit;
    use std::ops::ControlFlow;
    /// `depth`: how many subqueries deep; their window calls are their own.
    struct Finder<'a> {
        out: &'a mut Vec<Expr>,
        err: Option<Error>,
        depth: usize,
    }
    impl sqlparser::ast::Visitor for Finder<'_> {
        type Break = ();
        fn pre_visit_query(&mut self, _q: &sqlparser::ast::Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _q: &sqlparser::ast::Query) -> ControlFlow<()> {
            self.depth = self.depth.saturating_sub(1);
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if self.depth > 0 {
                return ControlFlow::Continue(());
            }
            if let Expr::Function(f) = e {
                if f.over.is_some() {
                    let mut inner = Vec::new();
                    if let FunctionArguments::List(l) = &f.args {
                        for a in &l.args {
                            if let FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) = a {
                                if collect_windows(x, &mut inner).is_err() || !inner.is_empty() {
                                    self.err =
                                        Some(invalid("window function calls cannot be nested", e));
                                    return ControlFlow::Break(());
                                }
                            }
                        }
                    }
                    if !self.out.contains(e) {
                        self.out.push(e.clone());
                    }
                }
            }
            ControlFlow::Continue(())
        }
    }
    let mut finder = Finder {
        out,
        err: None,
        depth: 0,
    };
    let _ = e.visit(&mut finder);
    match finder.err {
        Some(err) => Err(err),
        None => Ok(()),
    }
}
