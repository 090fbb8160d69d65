//! The accumulators of `$group` (and of `$setWindowFields` windows): `$sum $avg $min $max $first $last
//! $push $addToSet $count $stdDevPop $stdDevSamp $mergeObjects $top $bottom $topN $bottomN $firstN $lastN
//! $maxN $minN`, each a compiled expression and a running state that folds one input at a time and merges
//! with another state (a spilled `$group`'s partial groups). mongod's rules: `$sum` ignores non-numbers and
//! gives `0` over nothing; `$avg`/`$min`/`$max` ignore null and missing and give null over nothing;
//! `$push`/`$addToSet` skip missing values.

use crate::engine::bson_hash::ValueSet;
use crate::engine::bson_order::compare;
use crate::engine::expr::{Expr, Vars};
use crate::engine::memory;
use crate::engine::numeric::{self, Num};
use crate::engine::sort::SortSpec;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::borrow::Cow;
use std::cmp::Ordering;

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Sum,
    Avg,
    Min,
    Max,
    First,
    Last,
    Push,
    AddToSet,
    Count,
    StdDevPop,
    StdDevSamp,
    MergeObjects,
    /// `$top`/`$bottom`/`$topN`/`$bottomN`: sort, n (None = single value), bottom?
    Ranked(SortSpec, Option<Expr>, bool),
    /// `$firstN`/`$lastN`: n, last?, and for `$firstN` with a constant positive integer `n` that `n`: the
    /// values past the first `n` are never kept (a running window's state stays `n` long, not its
    /// frame's length; `finish` still checks `n` and keeps the first `n`, so the result is the same).
    FirstN(Expr, bool, Option<usize>),
    /// `$maxN`/`$minN`: n, max?
    ExtremeN(Expr, bool),
}

/// One compiled accumulator: `{$op: argument}`.
#[derive(Debug, Clone)]
pub struct Accumulator {
    pub(super) kind: Kind,
    pub(super) arg: Expr,
}

/// Running state of an accumulator for one group.
#[derive(Debug, Clone)]
pub(super) enum AccState {
    Num(Num),
    Avg(Num, u64),
    Value(Option<Bson>),
    List(Vec<Bson>),
    Set(ValueSet),
    Keyed(Vec<(Vec<Bson>, Bson)>),
    Welford(u64, f64, f64),
    Doc(Document),
    Count(i64),
}

/// What one step added to an accumulator's state: its BSON bytes (what the accumulator and `$group` limits
/// count without disk use, as mongod counts) and its resident bytes (what a spilling `$group` spills by).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Grown {
    pub(super) bson: usize,
    pub(super) resident: usize,
}

impl Grown {
    /// A value kept, plus `extra` bytes of bookkeeping on both counts.
    fn of(v: &Bson, extra: usize) -> Grown {
        Grown {
            bson: memory::value_bytes(v) + extra,
            resident: memory::resident_value_bytes(v) + extra,
        }
    }

    /// Adds another growth.
    pub(super) fn add(&mut self, other: Grown) {
        self.bson += other.bson;
        self.resident += other.resident;
    }
}

impl Accumulator {
    /// Compiles `{$sum: expr}` and friends.
    pub fn compile(spec: &Bson) -> Result<Accumulator, CommandError> {
        let Bson::Document(d) = spec else {
            return Err(CommandError::location(
                40234,
                "The field must specify one accumulator",
            ));
        };
        if d.len() != 1 {
            return Err(CommandError::location(
                40238,
                "The field must specify one accumulator",
            ));
        }
        let Some((op, arg)) = d.iter().next() else {
            return Err(CommandError::location(
                40238,
                "The field must specify one accumulator",
            ));
        };
        let null = Bson::Null;
        let (kind, arg_spec): (Kind, &Bson) = match op.as_str() {
            "$sum" => (Kind::Sum, arg),
            "$avg" => (Kind::Avg, arg),
            "$min" => (Kind::Min, arg),
            "$max" => (Kind::Max, arg),
            "$first" => (Kind::First, arg),
            "$last" => (Kind::Last, arg),
            "$push" => (Kind::Push, arg),
            "$addToSet" => (Kind::AddToSet, arg),
            "$count" => {
                if !matches!(arg, Bson::Document(a) if a.is_empty()) {
                    return Err(CommandError::bad_value(
                        "$count takes no arguments, i.e. $count:{}",
                    ));
                }
                (Kind::Count, &null)
            }
            "$stdDevPop" => (Kind::StdDevPop, arg),
            "$stdDevSamp" => (Kind::StdDevSamp, arg),
            "$mergeObjects" => (Kind::MergeObjects, arg),
            "$top" | "$bottom" | "$topN" | "$bottomN" => {
                let Bson::Document(a) = arg else {
                    return Err(CommandError::failed_to_parse(format!(
                        "specification for {op} must be an object"
                    )));
                };
                let sort = match a.get("sortBy") {
                    Some(Bson::Document(s)) => SortSpec::compile(s)?,
                    _ => {
                        return Err(CommandError::failed_to_parse(format!(
                            "{op} requires a sortBy document"
                        )))
                    }
                };
                let n = if op.ends_with('N') {
                    Some(Expr::compile(a.get("n").ok_or_else(|| {
                        CommandError::failed_to_parse(format!("{op} requires 'n'"))
                    })?)?)
                } else {
                    None
                };
                let out = a.get("output").ok_or_else(|| {
                    CommandError::failed_to_parse(format!("{op} requires 'output'"))
                })?;
                return Ok(Accumulator {
                    kind: Kind::Ranked(sort, n, op.starts_with("$bottom")),
                    arg: Expr::compile(out)?,
                });
            }
            "$firstN" | "$lastN" | "$maxN" | "$minN" => {
                let Bson::Document(a) = arg else {
                    return Err(CommandError::failed_to_parse(format!(
                        "specification for {op} must be an object"
                    )));
                };
                let n =
                    Expr::compile(a.get("n").ok_or_else(|| {
                        CommandError::failed_to_parse(format!("{op} requires 'n'"))
                    })?)?;
                let input = a.get("input").ok_or_else(|| {
                    CommandError::failed_to_parse(format!("{op} requires 'input'"))
                })?;
                let kind = match op.as_str() {
                    "$firstN" => {
                        let cap = first_n_cap(&n);
                        Kind::FirstN(n, false, cap)
                    }
                    "$lastN" => Kind::FirstN(n, true, None),
                    "$maxN" => Kind::ExtremeN(n, true),
                    _ => Kind::ExtremeN(n, false),
                };
                return Ok(Accumulator {
                    kind,
                    arg: Expr::compile(input)?,
                });
            }
            other => {
                return Err(CommandError::location(
                    15952,
                    format!("unknown group operator '{other}'"),
                ));
            }
        };
        Ok(Accumulator {
            kind,
            arg: Expr::compile(arg_spec)?,
        })
    }

    /// Folds the accumulator over `docs` (a `$setWindowFields` window).
    pub fn over<'a>(
        &self,
        docs: impl Iterator<Item = &'a Document>,
        vars: &Vars,
    ) -> Result<Bson, CommandError> {
        let mut st = self.init();
        let mut first = true;
        for d in docs {
            self.step(&mut st, first, d, vars)?;
            first = false;
        }
        self.finish(st, &Document::new(), vars)
    }

    /// Whether the accumulator collects values (`$push`, `$addToSet`: bounded by the accumulator limit).
    pub(super) fn collects(&self) -> bool {
        matches!(self.kind, Kind::Push | Kind::AddToSet)
    }

    /// The operator name of a collecting accumulator.
    pub(super) fn name(&self) -> &'static str {
        match self.kind {
            Kind::AddToSet => "$addToSet",
            _ => "$push",
        }
    }

    /// For `$min` / `$max`: whether it is `$max`, and the argument (windows slide them with a deque).
    pub(super) fn extreme(&self) -> Option<(bool, &Expr)> {
        match self.kind {
            Kind::Min => Some((false, &self.arg)),
            Kind::Max => Some((true, &self.arg)),
            _ => None,
        }
    }

    /// A fresh running state ([`step`](Self::step) folds documents in, [`finish`](Self::finish) reads it).
    pub(super) fn init(&self) -> AccState {
        match &self.kind {
            Kind::Sum => AccState::Num(Num::Int(0)),
            Kind::Avg => AccState::Avg(Num::Int(0), 0),
            Kind::Min | Kind::Max | Kind::First | Kind::Last => AccState::Value(None),
            Kind::Push | Kind::FirstN(..) | Kind::ExtremeN(..) => AccState::List(Vec::new()),
            Kind::AddToSet => AccState::Set(ValueSet::default()),
            Kind::Count => AccState::Count(0),
            Kind::StdDevPop | Kind::StdDevSamp => AccState::Welford(0, 0.0, 0.0),
            Kind::MergeObjects => AccState::Doc(Document::new()),
            Kind::Ranked(..) => AccState::Keyed(Vec::new()),
        }
    }

    /// Folds one document in (`first`: it is the first of the group or window).
    pub(super) fn step(
        &self,
        st: &mut AccState,
        first: bool,
        doc: &Document,
        vars: &Vars,
    ) -> Result<Grown, CommandError> {
        if let (Kind::Count, AccState::Count(c)) = (&self.kind, &mut *st) {
            *c += 1;
            return Ok(Grown::default());
        }
        if let (Kind::Ranked(sort, _, _), AccState::Keyed(l)) = (&self.kind, &mut *st) {
            let key = sort.key(doc);
            let v = self.arg.eval(doc, vars)?.unwrap_or(Bson::Null);
            let mut added = Grown::of(&v, 32);
            for k in &key {
                added.add(Grown::of(k, 0));
            }
            l.push((key, v));
            return Ok(added);
        }
        // `$first` keeps its group's first value only: past it, a value that reading cannot fail to make
        // (a field, `$$ROOT`: the DISTINCT ON row) is not made (cloned) at all.
        if matches!(self.kind, Kind::First) && !first && self.arg.is_plain_read() {
            return Ok(Grown::default());
        }
        let v = self.arg.eval(doc, vars)?;
        self.fold(st, first, v.map(Cow::Owned))
    }

    /// Folds one argument value (`None`: missing) into the running state: the accumulator semantics for
    /// every kind but `$top`/`$bottom` (which also need the document's sort key). Values are cloned only
    /// when kept. Returns the bytes the state grew by (approximately: what it keeps).
    pub(super) fn fold(
        &self,
        st: &mut AccState,
        first: bool,
        v: Option<Cow<'_, Bson>>,
    ) -> Result<Grown, CommandError> {
        let mut added = Grown::default();
        match (&self.kind, st) {
            (Kind::Count, AccState::Count(c)) => *c += 1,
            (Kind::Sum, AccState::Num(acc)) => {
                // Non-numbers are ignored; an array value in $group is not summed element-wise (mongod).
                if let Some(n) = v.as_deref().and_then(Num::from_bson) {
                    *acc = numeric::arith(numeric::Op::Add, *acc, n);
                }
            }
            (Kind::Avg, AccState::Avg(acc, n)) => {
                if let Some(x) = v.as_deref().and_then(Num::from_bson) {
                    *acc = numeric::arith(
                        numeric::Op::Add,
                        *acc,
                        match x {
                            Num::Int(i) => Num::Long(i as i64),
                            o => o,
                        },
                    );
                    *n += 1;
                }
            }
            (Kind::Min, AccState::Value(cur)) | (Kind::Max, AccState::Value(cur)) => {
                if let Some(x) = v.filter(|x| !matches!(**x, Bson::Null | Bson::Undefined)) {
                    let better = match cur {
                        None => true,
                        Some(c) => {
                            let o = compare(&x, c);
                            if matches!(self.kind, Kind::Min) {
                                o == Ordering::Less
                            } else {
                                o == Ordering::Greater
                            }
                        }
                    };
                    if better {
                        added = Grown::of(&x, 0);
                        *cur = Some(x.into_owned());
                    }
                }
            }
            (Kind::First, AccState::Value(cur)) if first => {
                *cur = Some(v.map_or(Bson::Null, Cow::into_owned));
            }
            (Kind::Last, AccState::Value(cur)) => {
                *cur = Some(v.map_or(Bson::Null, Cow::into_owned))
            }
            (Kind::Push, AccState::List(l)) => {
                if let Some(x) = v {
                    added = Grown::of(&x, 16);
                    l.push(x.into_owned());
                }
            }
            (Kind::AddToSet, AccState::Set(set)) => {
                if let Some(x) = v {
                    let size = Grown::of(&x, 24);
                    if set.insert(x) {
                        added = size;
                    }
                }
            }
            (Kind::FirstN(_, false, Some(cap)), AccState::List(l)) if l.len() >= *cap => {}
            (Kind::FirstN(..), AccState::List(l)) | (Kind::ExtremeN(..), AccState::List(l)) => {
                let x = v.map_or(Bson::Null, Cow::into_owned);
                if matches!(self.kind, Kind::ExtremeN(..)) && matches!(x, Bson::Null) {
                    return Ok(Grown::default());
                }
                added = Grown::of(&x, 16);
                l.push(x);
            }
            (Kind::StdDevPop, AccState::Welford(n, mean, m2))
            | (Kind::StdDevSamp, AccState::Welford(n, mean, m2)) => {
                if let Some(x) = v.as_deref().and_then(Num::from_bson) {
                    let x = x.to_f64();
                    *n += 1;
                    let d = x - *mean;
                    *mean += d / *n as f64;
                    *m2 += d * (x - *mean);
                }
            }
            (Kind::MergeObjects, AccState::Doc(d)) => {
                match v.map(Cow::into_owned) {
                    Some(Bson::Document(x)) => {
                        added = Grown {
                            bson: memory::doc_bytes(&x),
                            resident: memory::resident_doc_bytes(&x),
                        };
                        for (k, val) in x {
                            d.insert(k, val);
                        }
                    }
                    None | Some(Bson::Null) => {}
                    Some(other) => {
                        return Err(CommandError::location(40400, format!("$mergeObjects requires object inputs, but input {other} is of type {}", crate::engine::bson_order::type_name(&other))));
                    }
                }
            }
            _ => {}
        }
        Ok(added)
    }

    /// The accumulator's value over what was folded in.
    pub(super) fn finish(
        &self,
        st: AccState,
        group_key: &Document,
        vars: &Vars,
    ) -> Result<Bson, CommandError> {
        Ok(match (&self.kind, st) {
            (_, AccState::Num(n)) => n.to_bson(),
            (_, AccState::Avg(sum, n)) => {
                if n == 0 {
                    Bson::Null
                } else {
                    match sum {
                        Num::Decimal(_) => numeric::divide(sum, Num::Long(n as i64))
                            .map(|x| x.to_bson())
                            .unwrap_or(Bson::Null),
                        _ => Bson::Double(sum.to_f64() / n as f64),
                    }
                }
            }
            (_, AccState::Value(v)) => v.unwrap_or(Bson::Null),
            (Kind::FirstN(n, last, _), AccState::List(l)) => {
                let n = count_arg(n, group_key, vars)?;
                let len = l.len();
                if *last {
                    Bson::Array(l.into_iter().skip(len.saturating_sub(n)).collect())
                } else {
                    Bson::Array(l.into_iter().take(n).collect())
                }
            }
            (Kind::ExtremeN(n, max), AccState::List(mut l)) => {
                let n = count_arg(n, group_key, vars)?;
                l.sort_by(|a, b| if *max { compare(b, a) } else { compare(a, b) });
                l.truncate(n);
                Bson::Array(l)
            }
            (_, AccState::List(l)) => Bson::Array(l),
            (_, AccState::Set(set)) => Bson::Array(set.into_vec()),
            (_, AccState::Count(c)) => {
                if let Ok(i) = i32::try_from(c) {
                    Bson::Int32(i)
                } else {
                    Bson::Int64(c)
                }
            }
            (Kind::StdDevPop, AccState::Welford(n, _, m2)) => {
                if n == 0 {
                    Bson::Null
                } else {
                    Bson::Double((m2 / n as f64).sqrt())
                }
            }
            (_, AccState::Welford(n, _, m2)) => {
                if n < 2 {
                    Bson::Null
                } else {
                    Bson::Double((m2 / (n - 1) as f64).sqrt())
                }
            }
            (_, AccState::Doc(d)) => Bson::Document(d),
            (Kind::Ranked(sort, n, bottom), AccState::Keyed(mut l)) => {
                l.sort_by(|a, b| sort.compare_keys(&a.0, &b.0));
                if *bottom {
                    l.reverse();
                }
                match n {
                    None => l.into_iter().next().map(|(_, v)| v).unwrap_or(Bson::Null),
                    Some(n) => {
                        let n = count_arg(n, group_key, vars)?;
                        let mut vals: Vec<Bson> = l.into_iter().take(n).map(|(_, v)| v).collect();
                        if *bottom {
                            vals.reverse();
                        }
                        Bson::Array(vals)
                    }
                }
            }
            (_, AccState::Keyed(_)) => Bson::Null,
        })
    }
}

/// The `n` of a `$firstN` when it is a constant positive integer (what [`count_arg`] always returns then).
fn first_n_cap(n: &Expr) -> Option<usize> {
    let i = n.constant().and_then(Num::from_bson)?.to_i64_exact()?;
    usize::try_from(i).ok().filter(|&i| i > 0)
}

/// Test support: the accumulator without the `$firstN` cap (the general path: every value kept, the first
/// `n` taken at `finish`).
#[cfg(test)]
impl Accumulator {
    pub(super) fn uncapped(&self) -> Accumulator {
        let mut a = self.clone();
        if let Kind::FirstN(_, _, cap) = &mut a.kind {
            *cap = None;
        }
        a
    }
}

fn count_arg(n: &Expr, group_key: &Document, vars: &Vars) -> Result<usize, CommandError> {
    let v = n.eval(group_key, vars)?;
    match v
        .as_ref()
        .and_then(Num::from_bson)
        .and_then(|x| x.to_i64_exact())
    {
        Some(i) if i > 0 => Ok(i as usize),
        _ => Err(CommandError::location(
            5787908,
            "'n' must be a positive integer",
        )),
    }
}
