//! `$group` and its accumulators (`$sum $avg $min $max $first $last $push $addToSet $count $stdDevPop
//! $stdDevSamp $mergeObjects $top $bottom $topN $bottomN $firstN $lastN $maxN $minN`).
//!
//! In: the stage document and input documents; out: one document per distinct `_id` (groups compared with
//! the BSON order, so `1`, `1.0` and `NumberLong(1)` are one group), in first-seen order. mongod's rules:
//! `$sum` ignores non-numbers and gives `0` over nothing; `$avg`/`$min`/`$max` ignore null and missing and
//! give null over nothing; `$push`/`$addToSet` skip missing values. Depends on `expr`, `numeric`, `sort`.

use crate::engine::bson_hash::{SlotTable, ValueSet};
use crate::engine::bson_order::compare;
use crate::engine::expr::{Expr, Vars};
use crate::engine::fields::FieldValues;
use crate::engine::memory::{self, MemoryPolicy};
use crate::engine::numeric::{self, Num};
use crate::engine::sort::SortSpec;
use crate::engine::spill::SpillFile;
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
    /// `$firstN`/`$lastN`: n, last?
    FirstN(Expr, bool),
    /// `$maxN`/`$minN`: n, max?
    ExtremeN(Expr, bool),
}

/// One compiled accumulator: `{$op: argument}`.
#[derive(Debug, Clone)]
pub struct Accumulator {
    pub(super) kind: Kind,
    arg: Expr,
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
                    "$firstN" => Kind::FirstN(n, false),
                    "$lastN" => Kind::FirstN(n, true),
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
    ) -> Result<usize, CommandError> {
        if let (Kind::Count, AccState::Count(c)) = (&self.kind, &mut *st) {
            *c += 1;
            return Ok(0);
        }
        if let (Kind::Ranked(sort, _, _), AccState::Keyed(l)) = (&self.kind, &mut *st) {
            let key = sort.key(doc);
            let v = self.arg.eval(doc, vars)?.unwrap_or(Bson::Null);
            let added =
                key.iter().map(memory::value_bytes).sum::<usize>() + memory::value_bytes(&v) + 32;
            l.push((key, v));
            return Ok(added);
        }
        let v = self.arg.eval(doc, vars)?;
        self.fold(st, first, v.map(Cow::Owned))
    }

    /// Folds one argument value (`None`: missing) into the running state: the accumulator semantics for
    /// every kind but `$top`/`$bottom` (which also need the document's sort key). Values are cloned only
    /// when kept. Returns the bytes the state grew by (approximately: what it keeps).
    fn fold(
        &self,
        st: &mut AccState,
        first: bool,
        v: Option<Cow<'_, Bson>>,
    ) -> Result<usize, CommandError> {
        let mut added = 0;
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
                        added = memory::value_bytes(&x);
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
                    added = memory::value_bytes(&x) + 16;
                    l.push(x.into_owned());
                }
            }
            (Kind::AddToSet, AccState::Set(set)) => {
                if let Some(x) = v {
                    let size = memory::value_bytes(&x) + 24;
                    if set.insert(x) {
                        added = size;
                    }
                }
            }
            (Kind::FirstN(..), AccState::List(l)) | (Kind::ExtremeN(..), AccState::List(l)) => {
                let x = v.map_or(Bson::Null, Cow::into_owned);
                if matches!(self.kind, Kind::ExtremeN(..)) && matches!(x, Bson::Null) {
                    return Ok(0);
                }
                added = memory::value_bytes(&x) + 16;
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
                        added = memory::doc_bytes(&x);
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
            (Kind::FirstN(n, last), AccState::List(l)) => {
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

/// The running state of a streaming `$group` ([`Group::step`] then [`Group::finish`]). Made with
/// [`GroupState::new`] it counts its bytes against the command's group limit and spills past it
/// (`group_spill.rs`); `GroupState::default()` is unbounded.
#[derive(Debug, Default)]
pub struct GroupState {
    /// The groups' slots by key (BSON-order hash and equality; the keys live in `groups` only), built once
    /// there are more than [`LINEAR_GROUPS`].
    pub(super) index: SlotTable,
    pub(super) groups: Vec<(Bson, Vec<AccState>)>,
    /// Approximate bytes the groups hold.
    pub(super) bytes: usize,
    /// The limits (`None`: unbounded).
    pub(super) mem: Option<MemoryPolicy>,
    /// Runs of groups written past the limit, each sorted by key.
    pub(super) spill: Option<SpillFile>,
    /// Bytes each `$push` / `$addToSet` holds (by `slot * accumulators + j`; since the last spill).
    pub(super) collected: Vec<usize>,
}

/// Counts `added` bytes to a `$push` / `$addToSet` state; past the command's accumulator limit, mongod's
/// 146 (its values cannot spill).
fn track(
    collected: &mut Vec<usize>,
    idx: usize,
    added: usize,
    acc: &Accumulator,
    mem: Option<&MemoryPolicy>,
) -> Result<(), CommandError> {
    let Some(mem) = mem else { return Ok(()) };
    if collected.len() <= idx {
        collected.resize(idx + 1, 0);
    }
    collected[idx] += added;
    if collected[idx] > mem.accumulator_bytes {
        return Err(memory::accumulator_exceeded(
            acc.name(),
            mem.accumulator_bytes,
        ));
    }
    Ok(())
}

/// Up to this many groups are found by a linear scan comparing keys in the BSON order; past it the hash
/// index is built (same BSON-order equality, so the same groups either way).
const LINEAR_GROUPS: usize = 16;

impl GroupState {
    /// A state bounded by `vars.memory.group_bytes`: past it the groups are spilled to disk (sorted by
    /// key, merged at the end), or, without `allowDiskUse`, 292.
    pub fn new(vars: &Vars) -> GroupState {
        GroupState {
            mem: Some(vars.memory.clone()),
            ..GroupState::default()
        }
    }

    /// Counts `added` bytes; past the limit, spills (or fails).
    fn account(&mut self, added: usize) -> Result<(), CommandError> {
        self.bytes += added;
        match &self.mem {
            Some(mem) if self.bytes > mem.group_bytes => {
                if !mem.allow_disk_use {
                    return Err(memory::group_exceeded());
                }
                self.spill_groups()
            }
            _ => Ok(()),
        }
    }

    /// The slot of the group whose key compares equal to `key` in the BSON order, and the key's hash when
    /// the index is in use (for [`add`](Self::add)).
    fn find(&self, key: &Bson) -> (Option<usize>, Option<u64>) {
        if self.groups.len() <= LINEAR_GROUPS {
            let slot = self
                .groups
                .iter()
                .position(|(k, _)| compare(k, key) == Ordering::Equal);
            return (slot, None);
        }
        let hash = self.index.hash(key);
        let groups = &self.groups;
        (self.index.find(hash, key, |i| &groups[i].0), Some(hash))
    }

    /// Adds a group for `key` (not present; `hash` from [`find`](Self::find)) and returns its slot.
    fn add(&mut self, key: Bson, hash: Option<u64>, fields: &[(String, Accumulator)]) -> usize {
        let slot = self.groups.len();
        self.bytes += memory::value_bytes(&key) + memory::ENTRY_OVERHEAD + 16 * fields.len();
        self.groups
            .push((key, fields.iter().map(|(_, a)| a.init()).collect()));
        if slot >= LINEAR_GROUPS {
            let groups = &self.groups;
            if self.index.is_empty() {
                for i in 0..slot {
                    let h = self.index.hash(&groups[i].0);
                    self.index.insert(h, i, |j| &groups[j].0);
                }
            }
            let h = hash.unwrap_or_else(|| self.index.hash(&groups[slot].0));
            self.index.insert(h, slot, |j| &groups[j].0);
        }
        slot
    }

    /// The slot of `key`'s group, added (the key cloned) when new; whether it is new.
    fn slot_of(&mut self, key: &Bson, fields: &[(String, Accumulator)]) -> (usize, bool) {
        match self.find(key) {
            (Some(i), _) => (i, false),
            (None, hash) => (self.add(key.clone(), hash, fields), true),
        }
    }
}

/// Where a `$group` fed from a [`FieldValues`] row reads its key and each accumulator's argument
/// ([`Group::row_plan`]).
#[derive(Debug, Clone)]
pub struct RowPlan {
    id: Source,
    args: Vec<Source>,
}

/// A value read from a row: a field's slot, or a constant.
#[derive(Debug, Clone)]
enum Source {
    Field(usize),
    Const(Bson),
}

impl Source {
    fn value<'a>(&'a self, row: &'a FieldValues) -> Option<&'a Bson> {
        match self {
            Source::Field(i) => row.get(*i),
            Source::Const(v) => Some(v),
        }
    }
}

/// A compiled `$group` stage.
#[derive(Debug, Clone)]
pub struct Group {
    id: Expr,
    fields: Vec<(String, Accumulator)>,
}

impl Group {
    /// Compiles `{_id: expr, field: {$acc: expr}, ...}`.
    pub fn compile(spec: &Document) -> Result<Group, CommandError> {
        let id = spec.get("_id").ok_or_else(|| {
            CommandError::location(15955, "a group specification must include an _id")
        })?;
        let mut fields = Vec::new();
        for (k, v) in spec {
            if k == "_id" {
                continue;
            }
            if k.contains('.') {
                return Err(CommandError::location(
                    40235,
                    format!("The field name '{k}' cannot contain '.'"),
                ));
            }
            if k.starts_with('$') {
                return Err(CommandError::location(
                    40236,
                    format!("The field name '{k}' cannot be an operator name"),
                ));
            }
            fields.push((k.clone(), Accumulator::compile(v)?));
        }
        Ok(Group {
            id: Expr::compile(id)?,
            fields,
        })
    }

    /// Runs the grouping.
    pub fn run(&self, input: Vec<Document>, vars: &Vars) -> Result<Vec<Document>, CommandError> {
        let mut state = GroupState::new(vars);
        for d in &input {
            self.step(&mut state, d, vars)?;
        }
        self.finish(state, vars)
    }

    /// Runs the grouping with the group keys already computed (`$bucket`, `$sortByCount`).
    pub fn run_keyed(
        &self,
        input: Vec<(Bson, Document)>,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let mut state = GroupState::new(vars);
        for (key, doc) in input {
            self.step_keyed(&mut state, key, &doc, vars)?;
        }
        self.finish(state, vars)
    }

    /// Adds one input document to a streaming grouping (no copy of the document is kept).
    pub fn step(
        &self,
        state: &mut GroupState,
        doc: &Document,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        if let Some(key) = self.id.eval_top_field(doc) {
            // A plain `$field` key: looked up by reference, cloned only for a new group.
            let key = key.unwrap_or(&Bson::Null);
            let (slot, first) = state.slot_of(key, &self.fields);
            return self.step_slot(state, slot, first, doc, vars);
        }
        let key = self.id.eval(doc, vars)?.unwrap_or(Bson::Null);
        self.step_keyed(state, key, doc, vars)
    }

    fn step_keyed(
        &self,
        state: &mut GroupState,
        key: Bson,
        doc: &Document,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        let (slot, first) = match state.find(&key) {
            (Some(i), _) => (i, false),
            (None, hash) => (state.add(key, hash, &self.fields), true),
        };
        self.step_slot(state, slot, first, doc, vars)
    }

    fn step_slot(
        &self,
        state: &mut GroupState,
        slot: usize,
        first: bool,
        doc: &Document,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        let states = &mut state.groups[slot].1;
        let mut added = 0;
        for (j, ((_, acc), st)) in self.fields.iter().zip(states.iter_mut()).enumerate() {
            let a = acc.step(st, first, doc, vars)?;
            if a > 0 && acc.collects() {
                let idx = slot * self.fields.len() + j;
                track(&mut state.collected, idx, a, acc, state.mem.as_ref())?;
            }
            added += a;
        }
        state.account(added)
    }

    /// How to feed this grouping from a [`FieldValues`] row: `Some` when the `_id` and every accumulator
    /// argument is a top-level field path or a constant and no accumulator needs the whole document
    /// (`$top`/`$bottom` and their `N` forms sort by document fields); the fields read are added to
    /// `fields` (deduplicated).
    pub fn row_plan(&self, fields: &mut Vec<String>) -> Option<RowPlan> {
        let mut source = |e: &Expr| -> Option<Source> {
            if let Some(name) = e.top_field() {
                let slot = match fields.iter().position(|f| f == name) {
                    Some(i) => i,
                    None => {
                        fields.push(name.to_string());
                        fields.len() - 1
                    }
                };
                Some(Source::Field(slot))
            } else {
                e.constant().cloned().map(Source::Const)
            }
        };
        let id = source(&self.id)?;
        let mut args = Vec::with_capacity(self.fields.len());
        for (_, acc) in &self.fields {
            if matches!(acc.kind, Kind::Ranked(..)) {
                return None;
            }
            args.push(source(&acc.arg)?);
        }
        Some(RowPlan { id, args })
    }

    /// Adds one input document, given by the values of its fields in `row` as [`row_plan`](Self::row_plan)
    /// laid out; same result as [`step`](Self::step) on the document. A string key is found without
    /// allocating.
    pub fn step_row(
        &self,
        plan: &RowPlan,
        state: &mut GroupState,
        row: &FieldValues,
    ) -> Result<(), CommandError> {
        let key = plan.id.value(row).unwrap_or(&Bson::Null);
        let (slot, first) = state.slot_of(key, &self.fields);
        let states = &mut state.groups[slot].1;
        let mut added = 0;
        for (j, (((_, acc), st), arg)) in self
            .fields
            .iter()
            .zip(states.iter_mut())
            .zip(&plan.args)
            .enumerate()
        {
            let a = acc.fold(st, first, arg.value(row).map(Cow::Borrowed))?;
            if a > 0 && acc.collects() {
                let idx = slot * self.fields.len() + j;
                track(&mut state.collected, idx, a, acc, state.mem.as_ref())?;
            }
            added += a;
        }
        state.account(added)
    }

    /// The output documents of a streaming grouping, in order of first appearance of each key.
    pub fn finish(&self, state: GroupState, vars: &Vars) -> Result<Vec<Document>, CommandError> {
        if state.spill.is_some() {
            return self.finish_spilled(state, vars);
        }
        let groups = state.groups;
        let mut out = Vec::with_capacity(groups.len());
        // Only the `N` accumulators evaluate their `n` against the group's key document.
        let needs_key = self.needs_key();
        for (key, states) in groups {
            out.push(self.output(key, states, needs_key, vars)?);
        }
        Ok(out)
    }

    /// Whether an accumulator evaluates its `n` against the group's key document.
    pub(super) fn needs_key(&self) -> bool {
        self.fields.iter().any(|(_, a)| {
            matches!(
                a.kind,
                Kind::FirstN(..) | Kind::ExtremeN(..) | Kind::Ranked(_, Some(_), _)
            )
        })
    }

    /// The output document of one group.
    pub(super) fn output(
        &self,
        key: Bson,
        states: Vec<AccState>,
        needs_key: bool,
        vars: &Vars,
    ) -> Result<Document, CommandError> {
        let mut d = Document::new();
        d.insert("_id", key);
        // (An empty document does not allocate.)
        let key_doc = if needs_key {
            d.clone()
        } else {
            Document::new()
        };
        for ((name, acc), st) in self.fields.iter().zip(states) {
            d.insert(name.clone(), acc.finish(st, &key_doc, vars)?);
        }
        Ok(d)
    }

    /// The compiled accumulators, by output field.
    pub(super) fn fields(&self) -> &[(String, Accumulator)] {
        &self.fields
    }
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
