//! `$group` past its memory limit: the groups held are sorted by key and written as one run of a spill
//! file (each group's key and its accumulators' partial states), the table starts empty, and at the end
//! the runs are merged by key, the partial states of one key combined in run (= input) order.
//!
//! Every accumulator merges: `$sum`/`$count` add, `$avg` adds sums and counts, `$min`/`$max` keep the
//! better (the earlier on ties, as in memory), `$first` keeps the earliest run's and `$last` the latest's,
//! `$push`/`$firstN`/`$lastN`/`$minN`/`$maxN`/`$top`/`$bottom`(`N`) concatenate in input order (their
//! finishing sorts are stable), `$addToSet` takes the union in first-seen order, `$mergeObjects` merges
//! later fields over earlier ones, `$stdDevPop`/`$stdDevSamp` combine Welford states (Chan et al.; equal to
//! the one-pass value up to floating-point rounding). A spilled grouping outputs its groups in key order
//! (mongod's order after a spill too; `$group` promises none).
//!
//! In: a [`GroupState`] past its limit; out: the run written, then the grouping's output documents.
//! Depends on `spill`, `numeric`, `bson_order`.

use super::group::{AccState, Accumulator, Group, GroupState, Kind};
use crate::engine::bson_hash::{SlotTable, ValueSet};
use crate::engine::bson_order::compare;
use crate::engine::error_codes::ErrorCode;
use crate::engine::expr::Vars;
use crate::engine::memory;
use crate::engine::numeric::{self, Num};
use crate::engine::spill::{self, SpillFile};
use crate::engine::CommandError;
use bson::{doc, Bson, Document};
use std::borrow::Cow;
use std::cmp::Ordering;

fn damaged() -> CommandError {
    CommandError::new(
        ErrorCode::InternalError,
        "a $group spill record could not be read back",
    )
}

/// A partial state as BSON (`[tag, ...]`).
fn encode(st: AccState) -> Bson {
    let tagged = |tag: &str, mut rest: Vec<Bson>| {
        rest.insert(0, Bson::String(tag.to_string()));
        Bson::Array(rest)
    };
    match st {
        AccState::Num(n) => tagged("n", vec![n.to_bson()]),
        AccState::Avg(sum, n) => tagged("a", vec![sum.to_bson(), Bson::Int64(n as i64)]),
        AccState::Value(None) => tagged("v", vec![]),
        AccState::Value(Some(v)) => tagged("v", vec![v]),
        AccState::List(l) => tagged("l", vec![Bson::Array(l)]),
        AccState::Set(s) => tagged("s", vec![Bson::Array(s.into_vec())]),
        AccState::Keyed(l) => tagged(
            "k",
            vec![Bson::Array(
                l.into_iter()
                    .map(|(k, v)| Bson::Array(vec![Bson::Array(k), v]))
                    .collect(),
            )],
        ),
        AccState::Welford(n, mean, m2) => tagged(
            "w",
            vec![Bson::Int64(n as i64), Bson::Double(mean), Bson::Double(m2)],
        ),
        AccState::Doc(d) => tagged("d", vec![Bson::Document(d)]),
        AccState::Count(c) => tagged("c", vec![Bson::Int64(c)]),
    }
}

/// [`encode`]'s inverse.
fn decode(v: Bson) -> Result<AccState, CommandError> {
    let Bson::Array(items) = v else {
        return Err(damaged());
    };
    let mut it = items.into_iter();
    let Some(Bson::String(tag)) = it.next() else {
        return Err(damaged());
    };
    let mut next = || it.next().ok_or_else(damaged);
    let int = |b: Bson| match b {
        Bson::Int64(i) => Ok(i),
        _ => Err(damaged()),
    };
    let double = |b: Bson| match b {
        Bson::Double(f) => Ok(f),
        _ => Err(damaged()),
    };
    let array = |b: Bson| match b {
        Bson::Array(a) => Ok(a),
        _ => Err(damaged()),
    };
    Ok(match tag.as_str() {
        "n" => AccState::Num(Num::from_bson(&next()?).ok_or_else(damaged)?),
        "a" => {
            let sum = Num::from_bson(&next()?).ok_or_else(damaged)?;
            AccState::Avg(sum, int(next()?)? as u64)
        }
        "v" => AccState::Value(next().ok()),
        "l" => AccState::List(array(next()?)?),
        "s" => {
            let mut set = ValueSet::default();
            for x in array(next()?)? {
                set.insert(Cow::Owned(x));
            }
            AccState::Set(set)
        }
        "k" => {
            let mut l = Vec::new();
            for pair in array(next()?)? {
                let mut p = array(pair)?.into_iter();
                let (Some(k), Some(v)) = (p.next(), p.next()) else {
                    return Err(damaged());
                };
                l.push((array(k)?, v));
            }
            AccState::Keyed(l)
        }
        "w" => {
            let n = int(next()?)? as u64;
            AccState::Welford(n, double(next()?)?, double(next()?)?)
        }
        "d" => match next()? {
            Bson::Document(d) => AccState::Doc(d),
            _ => return Err(damaged()),
        },
        "c" => AccState::Count(int(next()?)?),
        _ => return Err(damaged()),
    })
}

/// Combines `later` (the partial state of inputs after `into`'s) into `into`.
fn merge(acc: &Accumulator, into: &mut AccState, later: AccState) {
    match (&acc.kind, into, later) {
        (Kind::Sum, AccState::Num(a), AccState::Num(b)) => {
            *a = numeric::arith(numeric::Op::Add, *a, b)
        }
        (_, AccState::Avg(sa, na), AccState::Avg(sb, nb)) => {
            *sa = numeric::arith(numeric::Op::Add, *sa, sb);
            *na += nb;
        }
        (_, AccState::Count(a), AccState::Count(b)) => *a += b,
        (kind @ (Kind::Min | Kind::Max), AccState::Value(a), AccState::Value(Some(b))) => {
            let better = match a {
                None => true,
                Some(x) => {
                    let o = compare(&b, x);
                    if matches!(kind, Kind::Min) {
                        o == Ordering::Less
                    } else {
                        o == Ordering::Greater
                    }
                }
            };
            if better {
                *a = Some(b);
            }
        }
        (Kind::First, AccState::Value(a), AccState::Value(b)) if a.is_none() => *a = b,
        (Kind::Last, AccState::Value(a), AccState::Value(b)) if b.is_some() => *a = b,
        (_, AccState::List(a), AccState::List(b)) => a.extend(b),
        (_, AccState::Keyed(a), AccState::Keyed(b)) => a.extend(b),
        (_, AccState::Set(a), AccState::Set(b)) => {
            for x in b.into_vec() {
                a.insert(Cow::Owned(x));
            }
        }
        (_, AccState::Welford(n, mean, m2), AccState::Welford(nb, mb, m2b)) if nb > 0 => {
            let total = *n + nb;
            let delta = mb - *mean;
            let (fa, fb) = (*n as f64, nb as f64);
            *m2 += m2b + delta * delta * fa * fb / total as f64;
            *mean += delta * fb / total as f64;
            *n = total;
        }
        (_, AccState::Doc(a), AccState::Doc(b)) => {
            for (k, v) in b {
                a.insert(k, v);
            }
        }
        _ => {}
    }
}

impl GroupState {
    /// Writes the groups held as one run sorted by key, and empties the table.
    pub(super) fn spill_groups(&mut self) -> Result<(), CommandError> {
        let mut groups = std::mem::take(&mut self.groups);
        self.index = SlotTable::default();
        self.bytes = 0;
        self.resident = 0;
        self.collected.clear();
        if groups.is_empty() {
            return Ok(());
        }
        let file = match &mut self.spill {
            Some(f) => f,
            None => {
                let dir = self
                    .mem
                    .as_ref()
                    .map(|m| m.temp_dir.clone())
                    .unwrap_or_default();
                self.spill.insert(SpillFile::create(&dir)?)
            }
        };
        groups.sort_by(|a, b| compare(&a.0, &b.0));
        file.write_run(groups.into_iter().map(|(k, states)| {
            doc! {"k": k, "s": states.into_iter().map(encode).collect::<Vec<Bson>>()}
        }))
    }
}

impl Group {
    /// The output of a grouping that spilled: the last groups written as a run too, then every run merged
    /// by key.
    pub(super) fn finish_spilled(
        &self,
        mut state: GroupState,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        state.spill_groups()?;
        let Some(file) = state.spill.take() else {
            return Ok(Vec::new());
        };
        let read =
            |d: Result<Document, CommandError>| -> Result<(Bson, Vec<AccState>), CommandError> {
                let mut d = d?;
                let key = d.remove("k").ok_or_else(damaged)?;
                let Some(Bson::Array(states)) = d.remove("s") else {
                    return Err(damaged());
                };
                let states = states
                    .into_iter()
                    .map(decode)
                    .collect::<Result<Vec<_>, _>>()?;
                if states.len() != self.fields().len() {
                    return Err(damaged());
                }
                Ok((key, states))
            };
        let runs = file.readers().into_iter().map(|r| r.map(read)).collect();
        let needs_key = self.needs_key();
        let mut out = Vec::new();
        let mut cur: Option<(Bson, Vec<AccState>)> = None;
        let cmp = |a: &(Bson, Vec<AccState>), b: &(Bson, Vec<AccState>)| compare(&a.0, &b.0);
        spill::merge(runs, &cmp, &mut |(key, states), _| {
            match &mut cur {
                Some((k, into)) if compare(k, &key) == Ordering::Equal => {
                    for (((_, acc), a), b) in self.fields().iter().zip(into.iter_mut()).zip(states)
                    {
                        merge(acc, a, b);
                    }
                }
                _ => {
                    if let Some((k, st)) = cur.replace((key, states)) {
                        self.check_collected(&st, vars)?;
                        out.push(self.output(k, st, needs_key, vars)?);
                    }
                }
            }
            Ok(())
        })?;
        if let Some((k, st)) = cur {
            self.check_collected(&st, vars)?;
            out.push(self.output(k, st, needs_key, vars)?);
        }
        Ok(out)
    }

    /// The accumulator limit over a group's merged `$push` / `$addToSet` values (each run was within it,
    /// their union may not be).
    fn check_collected(&self, states: &[AccState], vars: &Vars) -> Result<(), CommandError> {
        let limit = vars.memory.accumulator_bytes;
        for ((_, acc), st) in self.fields().iter().zip(states) {
            if !acc.collects() {
                continue;
            }
            let bytes: usize = match st {
                AccState::List(l) => l.iter().map(|v| memory::value_bytes(v) + 16).sum(),
                AccState::Set(s) => s.iter().map(|v| memory::value_bytes(v) + 24).sum(),
                _ => 0,
            };
            if bytes > limit {
                return Err(memory::accumulator_exceeded(acc.name(), limit));
            }
        }
        Ok(())
    }
}
