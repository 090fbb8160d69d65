//! Arithmetic trees compiled to register code: a subtree made only of what [`scalar`](super::scalar)
//! computes on small values (`$add` .. `$toDouble`, `$abs`), the conditions and choices around them
//! (`$cond`, `$ifNull`, `$eq` .. `$lte`, `$and`, `$or`, `$not`), `$let` variables, field paths, variables,
//! constants, `$$NOW`, and a literal document as its value (`{months, days, micros}`: every interval of a
//! plan), is compiled once into a flat list of instructions over numbered registers of small values. Its
//! evaluation is one loop: no recursion per node, no `Result` built and taken apart per node, no
//! thread-local frame per `$let` variable read or written.
//!
//! The code never fails and never computes what it is not sure of: a value that is not small (a string, a
//! decimal read in, a document, an array, undefined), a computation [`scalar`](super::scalar) leaves to the
//! operator's family (an overflow, a division by zero, a date where a number is wanted), a literal document
//! with a missing value, an undefined variable: any of them stops the code ("bails"), and the subtree is
//! evaluated by the general path from the start, which gives the value or the error. Evaluating is free of
//! effects (no clock but `$$NOW`, fixed per command; no random), so running the general path after a
//! partial run of the code gives what the general path alone gives. A subtree whose code bails on most
//! documents (a column of decimals) stops trying it.
//!
//! The code follows the general path's order: `$cond` evaluates its test and one branch, `$ifNull` its
//! arguments up to the first that is not null, `$and` / `$or` up to the first argument that decides them.
//! Held equal to the general path by the property tests in `kernel_tests.rs` (and `scalar_tests.rs`).
//!
//! In: a resolved tree ([`super::slots::resolve`]); out: the tree with its eligible subtrees wrapped in
//! [`Kernel`] nodes. Depends on `scalar` (the computations), `slots` (variables bound outside the code),
//! `borrowed` (reads in place), `bson_order` (comparisons), `doc_template`.

use super::scalar::{self, Small};
use super::{borrowed, slots, Node, Op, Vars};
use crate::engine::doc_template::Template;
use crate::engine::numeric::Num;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// A register's number.
type Reg = u16;

/// The most registers a kernel may use (a larger subtree stays with the general path).
const MAX_REGS: usize = 1024;

/// While compiling, the registers of constants are numbered from here (placed after the others at the
/// end, [`Compiler::compile`]).
const CONST: Reg = 0x8000;

/// The most arguments an arithmetic operator of the code takes.
const MAX_ARGS: usize = 4;

/// One instruction. Its operands are registers: a constant's register holds it from the start, a `$let`
/// variable's register from its binding on.
#[derive(Debug, Clone)]
enum Ins {
    /// `dst` = a constant.
    Set(Reg, Small),
    /// `dst` = the constant `bigs[i]` that is not small (a string, a document), lent.
    Lend(Reg, u16),
    /// `dst` = the document's field path `paths[i]`.
    Field(Reg, u16),
    /// `dst` = the variable `names[i]` followed along `paths[j]`.
    Var(Reg, u16, u16),
    /// `dst` = slot `k` of the current frame (a `$let` outside the kernel) along `paths[j]`.
    Outer(Reg, u32, u16),
    /// `dst` = `$$NOW`.
    Now(Reg),
    /// `dst` = `calls[i]` evaluated by the general path (an operator the code does not compute, whose
    /// value is a number, a date, a boolean or null: a date part, `$dateTrunc`, `$max`, ...).
    Call(Reg, u16),
    /// Writes a `$let` variable's register into its slot of the current frame, for the calls that read it.
    Publish(u32, Reg),
    /// `dst` = a part (`$year` .. `$isoWeekYear`) of a date in UTC.
    Part(Op, Reg, Reg),
    /// `dst` = `$dateTrunc` of a date in UTC to a unit of this many milliseconds (a day or less).
    DateTrunc(Reg, Reg, i64),
    /// `dst` = `$dateDiff` from the first date to the second in UTC, in a unit ([`DateUnit`]).
    DateDiff(Reg, Reg, Reg, DateUnit),
    /// `dst` = `$dateAdd` of the second register's amount of a unit to the first's date, in UTC.
    DateAdd(Reg, Reg, Reg, DateUnit),
    /// `dst` = `$max` (`Op::Max`) or `$min` of the registers of `lists[i]`.
    Extreme(Op, Reg, u16),
    /// `dst` = `$arrayElemAt` of the array of the registers of `lists[i]` at the index register.
    ElemAt(Reg, u16, Reg),
    /// `dst` = `op` of the first `n` argument registers (what `scalar` computes).
    Compute(Op, Reg, [Reg; MAX_ARGS], u8),
    /// `dst` = `$abs` of a register.
    Abs(Reg, Reg),
    /// `dst` = the comparison `op` of two registers, a boolean.
    Cmp(Op, Reg, Reg, Reg),
    /// `dst` = the negated truthiness of a register.
    Not(Reg, Reg),
    /// A missing value becomes null (a `$let` binding).
    NullIfMissing(Reg),
    /// `dst` = `src`.
    Move(Reg, Reg),
    /// Jump when the register is falsy.
    JumpIfFalsy(Reg, u32),
    /// Jump when the register is truthy.
    JumpIfTruthy(Reg, u32),
    /// Jump when the register is neither null nor missing.
    JumpIfPresent(Reg, u32),
    /// Jump.
    Jump(u32),
    /// The value is the register's.
    Ret(Reg),
    /// The value is the document of `templates[i]`'s keys with the registers of `lists[j]` as values.
    RetDoc(u16, u16),
}

/// A unit of `$dateDiff` / `$dateAdd`: a number of months (year, quarter, month) or of milliseconds
/// (day, hour, minute, second, millisecond: fixed lengths in UTC).
#[derive(Debug, Clone, Copy)]
enum DateUnit {
    Months(i64),
    Fixed(i64),
}

impl DateUnit {
    /// The unit a constant names, where the code computes it.
    fn of(n: &Node) -> Option<DateUnit> {
        let Node::Const(Bson::String(u)) = n else {
            return None;
        };
        Some(match u.as_str() {
            "year" => DateUnit::Months(12),
            "quarter" => DateUnit::Months(3),
            "month" => DateUnit::Months(1),
            "day" => DateUnit::Fixed(86_400_000),
            "hour" => DateUnit::Fixed(3_600_000),
            "minute" => DateUnit::Fixed(60_000),
            "second" => DateUnit::Fixed(1000),
            "millisecond" => DateUnit::Fixed(1),
            _ => return None,
        })
    }
}

impl Ins {
    /// The registers the instruction names, to renumber.
    fn regs_mut(&mut self) -> smallvec::SmallVec<[&mut Reg; 6]> {
        let mut out = smallvec::SmallVec::new();
        match self {
            Ins::Set(d, _)
            | Ins::Lend(d, _)
            | Ins::Field(d, _)
            | Ins::Var(d, ..)
            | Ins::Outer(d, ..)
            | Ins::Now(d)
            | Ins::Extreme(_, d, _)
            | Ins::Call(d, _)
            | Ins::Publish(_, d)
            | Ins::NullIfMissing(d)
            | Ins::JumpIfFalsy(d, _)
            | Ins::JumpIfTruthy(d, _)
            | Ins::JumpIfPresent(d, _)
            | Ins::Ret(d) => out.push(d),
            Ins::Compute(_, d, args, _) => {
                out.push(d);
                out.extend(args.iter_mut());
            }
            Ins::Abs(d, a)
            | Ins::Not(d, a)
            | Ins::Move(d, a)
            | Ins::Part(_, d, a)
            | Ins::DateTrunc(d, a, _)
            | Ins::ElemAt(d, _, a) => {
                out.push(d);
                out.push(a);
            }
            Ins::Cmp(_, d, a, b) | Ins::DateDiff(d, a, b, _) | Ins::DateAdd(d, a, b, _) => {
                out.push(d);
                out.push(a);
                out.push(b);
            }
            Ins::Jump(_) | Ins::RetDoc(..) => {}
        }
        out
    }
}

/// What a kernel computed.
pub(super) enum Out {
    Small(Small),
    /// A value of the document or a variable, copied.
    Big(Bson),
    Doc(Document),
}

impl Out {
    /// The value as the general path gives it.
    pub(super) fn into_bson(self) -> Option<Bson> {
        match self {
            Out::Small(s) => s.into_bson(),
            Out::Big(b) => Some(b),
            Out::Doc(d) => Some(Bson::Document(d)),
        }
    }
}

/// A subtree compiled to register code, with the subtree itself for the general path.
#[derive(Debug)]
pub(crate) struct Kernel {
    /// The subtree as it was: evaluated when the code bails (and by the tests' general path).
    pub(super) original: Node,
    code: Vec<Ins>,
    /// The registers as an evaluation starts: missing, the constants' holding them.
    init: Vec<Val<'static>>,
    /// The value registers of each document built.
    lists: Vec<Vec<Reg>>,
    paths: Vec<Vec<String>>,
    names: Vec<Arc<str>>,
    templates: Vec<Template>,
    /// The subtrees the code has the general path evaluate ([`Ins::Call`]).
    calls: Vec<Node>,
    /// The constants that are not small ([`Ins::Lend`]).
    bigs: Vec<Bson>,
    /// Whether the code reads a `$let` slot of the enclosing expression (then it needs the frame).
    pub(super) reads_frame: bool,
    /// Evaluations the code answered, and the ones it bailed on (counted up to a bound; shared by the
    /// threads that evaluate the expression, a lost update is harmless).
    answered: AtomicU32,
    bailed: AtomicU32,
}

impl Clone for Kernel {
    fn clone(&self) -> Kernel {
        Kernel {
            original: self.original.clone(),
            code: self.code.clone(),
            init: self.init.clone(),
            lists: self.lists.clone(),
            paths: self.paths.clone(),
            names: self.names.clone(),
            templates: self.templates.clone(),
            calls: self.calls.clone(),
            bigs: self.bigs.clone(),
            reads_frame: self.reads_frame,
            answered: AtomicU32::new(0),
            bailed: AtomicU32::new(0),
        }
    }
}

/// Up to where the counters count.
const COUNT_LIMIT: u32 = 1 << 20;

impl Kernel {
    /// Whether the code is still worth trying: it has not bailed on most of the evaluations so far.
    #[inline]
    fn worth_trying(&self) -> bool {
        let bailed = self.bailed.load(Ordering::Relaxed);
        bailed < 32 || bailed <= self.answered.load(Ordering::Relaxed)
    }

    #[inline]
    fn count(counter: &AtomicU32) {
        let n = counter.load(Ordering::Relaxed);
        if n < COUNT_LIMIT {
            counter.store(n + 1, Ordering::Relaxed);
        }
    }

    /// How many evaluations the code answered and bailed on (tests).
    #[cfg(test)]
    pub(super) fn counts(&self) -> (u32, u32) {
        (
            self.answered.load(Ordering::Relaxed),
            self.bailed.load(Ordering::Relaxed),
        )
    }

    /// How many subtrees the code has the general path evaluate (tests).
    #[cfg(test)]
    pub(super) fn calls(&self) -> usize {
        self.calls.len()
    }

    /// The value computed by the code, or `None` when it bailed (then the general path must evaluate
    /// [`original`](Self::original)). Only where values are lent ([`borrowed::lending`]).
    #[inline]
    pub(super) fn try_run(&self, root: &Document, vars: &Vars) -> Option<Out> {
        if !borrowed::lending() || !self.worth_trying() {
            return None;
        }
        let out = self.run(root, vars);
        Self::count(if out.is_some() {
            &self.answered
        } else {
            &self.bailed
        });
        out
    }

    /// The value of the subtree: the code's, else the general path's.
    pub(super) fn eval(&self, root: &Document, vars: &Vars) -> Result<Option<Bson>, CommandError> {
        match self.try_run(root, vars) {
            Some(out) => Ok(out.into_bson()),
            None => self.original.eval(root, vars),
        }
    }

    fn run<'a>(&'a self, root: &'a Document, vars: &'a Vars) -> Option<Out> {
        let mut regs: smallvec::SmallVec<[Val<'a>; 32]> =
            smallvec::SmallVec::from_slice(&self.init);
        let code = &self.code[..];
        let mut pc = 0usize;
        loop {
            let ins = code.get(pc)?;
            pc += 1;
            match ins {
                Ins::Set(d, v) => regs[*d as usize] = Val::S(*v),
                Ins::Lend(d, i) => regs[*d as usize] = Val::B(&self.bigs[*i as usize]),
                Ins::Field(d, p) => {
                    regs[*d as usize] = read(borrowed::field_ref(root, &self.paths[*p as usize]))?;
                }
                Ins::Var(d, n, p) => {
                    let v = vars.get_shared(&self.names[*n as usize])?;
                    regs[*d as usize] = read(borrowed::descend_ref(v, &self.paths[*p as usize]))?;
                }
                Ins::Outer(d, k, p) => {
                    regs[*d as usize] = Val::S(slots::peek(*k, &self.paths[*p as usize], |v| {
                        small(v.as_deref())
                    })?);
                }
                Ins::Now(d) => regs[*d as usize] = Val::S(Small::Date(vars.now.timestamp_millis())),
                Ins::Call(d, i) => {
                    let v = self.calls[*i as usize].eval(root, vars).ok()?;
                    regs[*d as usize] = Val::S(small(v.as_ref())?);
                }
                Ins::Publish(k, r) => {
                    let v = regs[*r as usize].to_bson().unwrap_or(Bson::Null);
                    slots::write(*k, v);
                }
                Ins::Part(op, d, a) => {
                    regs[*d as usize] = Val::S(date_part(*op, regs[*a as usize].small()?)?)
                }
                Ins::DateTrunc(d, a, unit) => {
                    regs[*d as usize] = Val::S(match regs[*a as usize].small()? {
                        Small::Missing | Small::Null => Small::Null,
                        Small::Date(ms) => {
                            utc(ms)?;
                            let t = ms.div_euclid(*unit).checked_mul(*unit)?;
                            utc(t)?;
                            Small::Date(t)
                        }
                        _ => return None,
                    })
                }
                Ins::DateDiff(d, a, b, unit) => {
                    let (a, b) = (regs[*a as usize].small()?, regs[*b as usize].small()?);
                    regs[*d as usize] = Val::S(date_diff(a, b, *unit)?)
                }
                Ins::DateAdd(d, a, b, unit) => {
                    let (a, b) = (regs[*a as usize].small()?, regs[*b as usize].small()?);
                    regs[*d as usize] = Val::S(date_add(a, b, *unit)?)
                }
                Ins::Extreme(op, d, l) => {
                    let mut best: Option<Val<'a>> = None;
                    for r in &self.lists[*l as usize] {
                        let v = regs[*r as usize];
                        if matches!(v, Val::S(Small::Missing | Small::Null)) {
                            continue;
                        }
                        best = Some(match best {
                            None => v,
                            Some(b) => {
                                let o = compare_vals(v, b);
                                if (*op == Op::Max && o.is_gt()) || (*op == Op::Min && o.is_lt()) {
                                    v
                                } else {
                                    b
                                }
                            }
                        });
                    }
                    regs[*d as usize] = best.unwrap_or(Val::S(Small::Null));
                }
                Ins::ElemAt(d, l, i) => {
                    let items = &self.lists[*l as usize];
                    regs[*d as usize] = match regs[*i as usize].small()? {
                        Small::Missing | Small::Null => Val::S(Small::Null),
                        Small::Num(n) => {
                            let i = n.to_i64_exact()?;
                            let at = if i < 0 { items.len() as i64 + i } else { i };
                            match usize::try_from(at).ok().and_then(|k| items.get(k)) {
                                Some(r) => regs[*r as usize],
                                None => Val::S(Small::Missing),
                            }
                        }
                        _ => return None,
                    }
                }
                Ins::Compute(op, d, args, n) => {
                    let mut a = [Small::Missing; MAX_ARGS];
                    for (to, from) in a.iter_mut().zip(&args[..*n as usize]) {
                        *to = regs[*from as usize].small()?;
                        if matches!(to, Small::Bool(_)) {
                            return None;
                        }
                    }
                    regs[*d as usize] = Val::S(scalar::compute(*op, &a[..*n as usize])?);
                }
                Ins::Abs(d, s) => regs[*d as usize] = Val::S(abs(regs[*s as usize].small()?)?),
                Ins::Cmp(op, d, a, b) => {
                    let o = compare_vals(regs[*a as usize], regs[*b as usize]);
                    regs[*d as usize] = Val::S(Small::Bool(borrowed::holds(*op, o)));
                }
                Ins::Not(d, s) => {
                    regs[*d as usize] = Val::S(Small::Bool(!regs[*s as usize].truthy()))
                }
                Ins::NullIfMissing(r) => {
                    if matches!(regs[*r as usize], Val::S(Small::Missing)) {
                        regs[*r as usize] = Val::S(Small::Null);
                    }
                }
                Ins::Move(d, s) => regs[*d as usize] = regs[*s as usize],
                Ins::JumpIfFalsy(r, to) => {
                    if !regs[*r as usize].truthy() {
                        pc = *to as usize;
                    }
                }
                Ins::JumpIfTruthy(r, to) => {
                    if regs[*r as usize].truthy() {
                        pc = *to as usize;
                    }
                }
                Ins::JumpIfPresent(r, to) => {
                    if !matches!(regs[*r as usize], Val::S(Small::Missing | Small::Null)) {
                        pc = *to as usize;
                    }
                }
                Ins::Jump(to) => pc = *to as usize,
                Ins::Ret(r) => {
                    return Some(match regs[*r as usize] {
                        Val::S(s) => Out::Small(s),
                        Val::B(b) => Out::Big(b.clone()),
                    })
                }
                Ins::RetDoc(t, l) => {
                    let list = &self.lists[*l as usize];
                    if list
                        .iter()
                        .any(|r| matches!(regs[*r as usize], Val::S(Small::Missing)))
                    {
                        return None;
                    }
                    let doc = self.templates[*t as usize]
                        .fill(list.iter().filter_map(|r| regs[*r as usize].to_bson()));
                    return Some(Out::Doc(doc));
                }
            }
        }
    }
}

/// A register's value: small, or a value of the document or of a variable that is not (a string, a
/// document, an array, a decimal), lent where it is. Only reads, choices, comparisons and the values of
/// the code take a lent one; an operator that computes stops the code on it.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    S(Small),
    B(&'a Bson),
}

impl Val<'_> {
    /// The small value, or `None` (the code stops) for a lent one.
    #[inline]
    fn small(self) -> Option<Small> {
        match self {
            Val::S(s) => Some(s),
            Val::B(_) => None,
        }
    }

    #[inline]
    fn truthy(self) -> bool {
        match self {
            Val::S(s) => truthy(s),
            Val::B(b) => super::truthy(Some(b)),
        }
    }

    /// The value as the general path holds it.
    fn to_bson(self) -> Option<Bson> {
        match self {
            Val::S(s) => s.into_bson(),
            Val::B(b) => Some(b.clone()),
        }
    }
}

/// A value read (a field, a variable): small, or lent when it lies in the document or the variable as it
/// is (undefined, and a value computed through an array, stop the code).
#[inline]
fn read(v: borrowed::Val<'_>) -> Option<Val<'_>> {
    match v {
        None => Some(Val::S(Small::Missing)),
        Some(std::borrow::Cow::Borrowed(b)) => match small(Some(b)) {
            Some(s) => Some(Val::S(s)),
            None if matches!(b, Bson::Undefined) => None,
            None => Some(Val::B(b)),
        },
        Some(std::borrow::Cow::Owned(o)) => small(Some(&o)).map(Val::S),
    }
}

/// Two register values in the order the comparisons give them (missing first; a lent string under the
/// command's collation, as the general path compares it).
fn compare_vals(a: Val<'_>, b: Val<'_>) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    if let (Val::S(x), Val::S(y)) = (a, b) {
        return compare(x, y);
    }
    fn side(v: Val<'_>) -> Option<std::borrow::Cow<'_, Bson>> {
        match v {
            Val::S(s) => s.into_bson().map(std::borrow::Cow::Owned),
            Val::B(b) => Some(std::borrow::Cow::Borrowed(b)),
        }
    }
    match (side(a), side(b)) {
        (None, None) => Equal,
        (None, Some(_)) => Less,
        (Some(_), None) => Greater,
        (Some(x), Some(y)) => crate::engine::bson_order::compare(&x, &y),
    }
}

/// mongod's truthiness of a small value.
#[inline]
fn truthy(v: Small) -> bool {
    match v {
        Small::Missing | Small::Null => false,
        Small::Bool(b) => b,
        Small::Num(n) => match n {
            Num::Double(d) => d != 0.0,
            n => !n.is_zero(),
        },
        Small::Date(_) => true,
    }
}

/// Two small values in the order the comparisons give them (missing first).
fn compare(a: Small, b: Small) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    // The same-type pairs of the plans first (what `bson_order` answers for them).
    match (a, b) {
        (Small::Num(Num::Int(x)), Small::Num(Num::Int(y))) => return x.cmp(&y),
        (Small::Num(Num::Long(x)), Small::Num(Num::Long(y))) => return x.cmp(&y),
        (Small::Date(x), Small::Date(y)) => return x.cmp(&y),
        _ => {}
    }
    match (a.into_bson(), b.into_bson()) {
        (None, None) => Equal,
        (None, Some(_)) => Less,
        (Some(_), None) => Greater,
        (Some(x), Some(y)) => crate::engine::bson_order::compare_simple(&x, &y),
    }
}

/// The UTC date-time of `ms`, when chrono represents it (else the general path reports it).
fn utc(ms: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_millis(ms)
}

/// `$year` .. `$isoWeekYear` of a date in UTC (null for null or missing); `None` for anything else.
fn date_part(op: Op, v: Small) -> Option<Small> {
    use chrono::{Datelike, Timelike};
    let ms = match v {
        Small::Missing | Small::Null => return Some(Small::Null),
        Small::Date(ms) => ms,
        _ => return None,
    };
    let t = utc(ms)?;
    let v: i64 = match op {
        Op::Year => t.year().into(),
        Op::Month => t.month().into(),
        Op::DayOfMonth => t.day().into(),
        Op::Hour => t.hour().into(),
        Op::Minute => t.minute().into(),
        Op::Second => t.second().into(),
        Op::Millisecond => (t.nanosecond() / 1_000_000).min(999).into(),
        Op::DayOfWeek => (t.weekday().num_days_from_sunday() + 1).into(),
        Op::DayOfYear => t.ordinal().into(),
        Op::IsoWeek => t.iso_week().week().into(),
        Op::IsoWeekYear => t.iso_week().year().into(),
        Op::IsoDayOfWeek => t.weekday().number_from_monday().into(),
        _ => return None,
    };
    Some(Small::Num(Num::Int(v as i32)))
}

/// The date parts the code computes.
fn is_part(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Year | Month
            | DayOfMonth
            | Hour
            | Minute
            | Second
            | Millisecond
            | DayOfWeek
            | DayOfYear
            | IsoWeek
            | IsoWeekYear
            | IsoDayOfWeek
    )
}

/// `$dateDiff` in UTC (null when a date is null or missing); `None` for anything else.
fn date_diff(a: Small, b: Small, unit: DateUnit) -> Option<Small> {
    use chrono::Datelike;
    let (a, b) = match (a, b) {
        (Small::Missing | Small::Null, _) | (_, Small::Missing | Small::Null) => {
            return Some(Small::Null)
        }
        (Small::Date(a), Small::Date(b)) => (a, b),
        _ => return None,
    };
    let (ta, tb) = (utc(a)?, utc(b)?);
    let diff = match unit {
        DateUnit::Months(m) => {
            let ma = i64::from(ta.year()) * 12 + i64::from(ta.month0());
            let mb = i64::from(tb.year()) * 12 + i64::from(tb.month0());
            mb.div_euclid(m) - ma.div_euclid(m)
        }
        DateUnit::Fixed(step) => b.div_euclid(step) - a.div_euclid(step),
    };
    Some(Small::Num(Num::Long(diff)))
}

/// `$dateAdd` of `n` units to a date in UTC (null when either is null or missing); `None` for anything
/// else (a fractional amount, an overflow).
fn date_add(date: Small, n: Small, unit: DateUnit) -> Option<Small> {
    let (ms, n) = match (date, n) {
        (Small::Missing | Small::Null, _) | (_, Small::Missing | Small::Null) => {
            return Some(Small::Null)
        }
        (Small::Date(ms), Small::Num(n)) => (ms, n.to_i64_exact()?),
        _ => return None,
    };
    utc(ms)?;
    let out = match unit {
        DateUnit::Months(m) => {
            let t = utc(ms)?.naive_utc();
            let k = n.checked_mul(m)?;
            let months = chrono::Months::new(u32::try_from(k.unsigned_abs()).ok()?);
            let r = if k >= 0 {
                t.checked_add_months(months)?
            } else {
                t.checked_sub_months(months)?
            };
            r.and_utc().timestamp_millis()
        }
        DateUnit::Fixed(step) => ms.checked_add(n.checked_mul(step)?)?,
    };
    Some(Small::Date(out))
}

/// `$abs` where it is a plain computation (null for null or missing); `None` leaves it to the family.
fn abs(v: Small) -> Option<Small> {
    Some(match v {
        Small::Missing | Small::Null => Small::Null,
        Small::Num(Num::Int(i)) => Small::Num(match i.checked_abs() {
            Some(a) => Num::Int(a),
            None => Num::Long((i as i64).abs()),
        }),
        Small::Num(Num::Long(i)) => Small::Num(Num::Long(i.checked_abs()?)),
        Small::Num(Num::Double(d)) => Small::Num(Num::Double(d.abs())),
        _ => return None,
    })
}

/// `n` with its eligible subtrees compiled (see the module doc). `$map` / `$filter` / `$reduce` and the
/// other named operators are left as they are, their bodies too (their loops read their variables by name
/// and recognise their bodies' shapes).
pub(crate) fn kernelize(n: Node) -> Node {
    let mut published = Vec::new();
    if worth(&n) && eligible(&n, true, &mut Vec::new(), &mut published) {
        if let Some(k) = Compiler::compile(&n, published) {
            return Node::Kernel(Box::new(k));
        }
    }
    match n {
        Node::Doc(fields) => {
            Node::Doc(fields.into_iter().map(|(k, n)| (k, kernelize(n))).collect())
        }
        Node::Arr(items) => Node::Arr(items.into_iter().map(kernelize).collect()),
        Node::Op(op, args) => Node::Op(op, args.into_iter().map(kernelize).collect()),
        Node::SlotLet(mut l) => {
            l.vars = std::mem::take(&mut l.vars)
                .into_iter()
                .map(|(k, e)| (k, kernelize(e)))
                .collect();
            l.body = kernelize(std::mem::replace(&mut l.body, Node::Remove));
            Node::SlotLet(l)
        }
        Node::Switch(mut s) => {
            s.branches = std::mem::take(&mut s.branches)
                .into_iter()
                .map(|(c, t)| (kernelize(c), kernelize(t)))
                .collect();
            s.default = s.default.take().map(kernelize);
            Node::Switch(s)
        }
        other => other,
    }
}

/// Whether a subtree is worth compiling: it binds a `$let` variable, or computes at least two
/// arithmetic or date operators (a lone operator over fields is what `scalar` already does well, and the
/// small conditions have their own paths in `condition.rs`).
fn worth(n: &Node) -> bool {
    fn walk(n: &Node, ops: &mut usize) -> bool {
        match n {
            Node::SlotLet(_) => true,
            Node::Op(op, args) if native(*op, args) => {
                if scalar::computes(*op)
                    || is_part(*op)
                    || matches!(op, Op::Abs | Op::Max | Op::Min | Op::ArrayElemAt)
                {
                    *ops += 1;
                }
                args.iter().any(|a| walk(a, ops))
            }
            Node::Named(op, args) if native_named(*op, args) => {
                *ops += 1;
                args.iter().any(|(_, a)| walk(a, ops))
            }
            Node::Doc(fields) => fields.iter().any(|(_, n)| walk(n, ops)),
            _ => false,
        }
    }
    let mut ops = 0;
    walk(n, &mut ops) || ops >= 2
}

/// Whether the code computes `op` of `args` itself.
fn native(op: Op, args: &[Node]) -> bool {
    match op {
        Op::Cond => args.len() == 3,
        Op::IfNull => args.len() >= 2,
        Op::Eq | Op::Ne | Op::Gt | Op::Gte | Op::Lt | Op::Lte => args.len() == 2,
        Op::Not | Op::Abs => args.len() == 1,
        Op::And | Op::Or => true,
        Op::Max | Op::Min => args.len() >= 2,
        Op::ArrayElemAt => args.len() == 2 && elem_items(&args[0]).is_some(),
        op if is_part(op) => args.len() == 1,
        op => scalar::computes(op) && args.len() <= MAX_ARGS,
    }
}

/// The items of `$arrayElemAt`'s array when the code computes it: a literal array (its items evaluated,
/// a missing one null) or a constant one of small values.
enum Items<'a> {
    Nodes(&'a [Node]),
    Consts(Vec<Small>),
}

fn elem_items(n: &Node) -> Option<Items<'_>> {
    match n {
        Node::Arr(items) => Some(Items::Nodes(items)),
        Node::Const(Bson::Array(vals)) => vals
            .iter()
            .map(small_const)
            .collect::<Option<_>>()
            .map(Items::Consts),
        _ => None,
    }
}

/// Whether the code computes the named operator `op` of `args` itself: `$dateTrunc` to a unit of a day
/// or less, `$dateDiff`, `$dateAdd` in a unit of [`DateUnit`], all in UTC (no timezone, bin size or
/// start of week), the unit a constant.
fn native_named(op: Op, args: &[(String, Node)]) -> bool {
    let keys = |want: &[&str]| {
        args.len() == want.len() && want.iter().all(|k| args.iter().any(|(n, _)| n == k))
    };
    let unit = super::ops::named(args, "unit").and_then(DateUnit::of);
    match op {
        Op::DateTrunc => keys(&["date", "unit"]) && matches!(unit, Some(DateUnit::Fixed(_))),
        Op::DateDiff => keys(&["startDate", "endDate", "unit"]) && unit.is_some(),
        Op::DateAdd => keys(&["startDate", "unit", "amount"]) && unit.is_some(),
        _ => false,
    }
}

/// Whether `op`'s value is a number, a date, a boolean or null whatever its arguments (or an error), or
/// usually so (`$max`, `$arrayElemAt`): the operators the code has the general path evaluate
/// ([`Ins::Call`]) inside a subtree it computes.
fn called(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Year | Month
            | DayOfMonth
            | Hour
            | Minute
            | Second
            | Millisecond
            | DayOfWeek
            | DayOfYear
            | Week
            | IsoWeek
            | IsoWeekYear
            | IsoDayOfWeek
            | DateTrunc
            | DateDiff
            | DateAdd
            | DateSubtract
            | Max
            | Min
            | ArrayElemAt
            | Size
            | StrLenCP
            | StrLenBytes
            | Cmp
            | Ceil
            | Floor
            | Sqrt
            | Pow
            | Exp
            | Ln
            | Log10
            | Log
            | ToDate
            | ToBool
            | IsNumber
            | IsArray
            | In
    )
}

/// The slots of `inner` that `n` reads anywhere (a call reads them from the frame).
fn slots_read(n: &Node, inner: &[u32], out: &mut Vec<u32>) {
    match n {
        Node::Slot(k, _) if inner.contains(k) && !out.contains(k) => out.push(*k),
        Node::Doc(fields) => fields.iter().for_each(|(_, n)| slots_read(n, inner, out)),
        Node::Named(_, fields) => fields.iter().for_each(|(_, n)| slots_read(n, inner, out)),
        Node::Arr(items) | Node::Op(_, items) => {
            items.iter().for_each(|n| slots_read(n, inner, out))
        }
        Node::Let(l) => {
            l.vars.iter().for_each(|(_, n)| slots_read(n, inner, out));
            slots_read(&l.body, inner, out);
        }
        Node::SlotLet(l) => {
            l.vars.iter().for_each(|(_, n)| slots_read(n, inner, out));
            slots_read(&l.body, inner, out);
        }
        Node::Switch(s) => {
            for (c, t) in &s.branches {
                slots_read(c, inner, out);
                slots_read(t, inner, out);
            }
            if let Some(d) = &s.default {
                slots_read(d, inner, out);
            }
        }
        Node::Kernel(k) => slots_read(&k.original, inner, out),
        Node::Const(_)
        | Node::Remove
        | Node::Now
        | Node::Field(_)
        | Node::Root(_)
        | Node::Var(..)
        | Node::Slot(..) => {}
    }
}

/// Whether `n` is a node the code has the general path evaluate.
fn is_call(n: &Node) -> bool {
    match n {
        Node::Op(op, args) => !native(*op, args) && called(*op),
        Node::Named(op, args) => called(*op) && !native_named(*op, args),
        _ => false,
    }
}

/// Whether every node of `n` is one the code computes or calls (see the module doc); a literal document
/// only as the value (`tail`). `inner` holds the slots bound by `$let`s of the subtree around `n`;
/// `published` gathers those a call reads.
fn eligible(n: &Node, tail: bool, inner: &mut Vec<u32>, published: &mut Vec<u32>) -> bool {
    if is_call(n) {
        slots_read(n, inner, published);
        return true;
    }
    match n {
        // A constant that is not small is lent ([`Ins::Lend`]); undefined is null to some operators.
        Node::Const(v) => !matches!(v, Bson::Undefined),
        Node::Remove | Node::Now | Node::Field(_) | Node::Var(..) => true,
        Node::Root(parts) => !parts.is_empty(),
        Node::Slot(k, parts) => parts.is_empty() || !inner.contains(k),
        Node::SlotLet(l) => {
            if l.vars.iter().any(|(k, _)| *k == slots::LENT) {
                return false;
            }
            let depth = inner.len();
            let ok = l.vars.iter().all(|(k, e)| {
                let ok = eligible(e, false, inner, published);
                inner.push(*k);
                ok
            }) && eligible(&l.body, tail, inner, published);
            inner.truncate(depth);
            ok
        }
        Node::Op(Op::ArrayElemAt, args) if native(Op::ArrayElemAt, args) => {
            let items_ok = match elem_items(&args[0]) {
                Some(Items::Nodes(items)) => {
                    items.iter().all(|a| eligible(a, false, inner, published))
                }
                Some(Items::Consts(_)) => true,
                None => false,
            };
            items_ok && eligible(&args[1], false, inner, published)
        }
        Node::Op(op, args) => {
            native(*op, args)
                && args.iter().enumerate().all(|(i, a)| {
                    let branch_tail = tail && *op == Op::Cond && i > 0;
                    eligible(a, branch_tail, inner, published)
                })
        }
        Node::Named(op, args) => {
            native_named(*op, args)
                && args
                    .iter()
                    .filter(|(k, _)| k != "unit")
                    .all(|(_, a)| eligible(a, false, inner, published))
        }
        Node::Doc(fields) => {
            tail && fields.template().is_some()
                && fields
                    .iter()
                    .all(|(_, n)| eligible(n, false, inner, published))
        }
        _ => false,
    }
}

/// The small value of a constant, when it has one.
fn small_const(v: &Bson) -> Option<Small> {
    small(Some(v))
}

/// The small value of a value read (a boolean too), when it has one.
#[inline]
fn small(v: Option<&Bson>) -> Option<Small> {
    match v {
        Some(Bson::Boolean(b)) => Some(Small::Bool(*b)),
        v => Small::of(v),
    }
}

/// The compilation of one subtree.
struct Compiler {
    code: Vec<Ins>,
    next_reg: usize,
    max_reg: usize,
    /// The constants, by register (from [`CONST`]).
    consts: Vec<Small>,
    lists: Vec<Vec<Reg>>,
    paths: Vec<Vec<String>>,
    names: Vec<Arc<str>>,
    templates: Vec<Template>,
    calls: Vec<Node>,
    bigs: Vec<Bson>,
    /// The registers of the slots bound inside the subtree.
    slots: HashMap<u32, Reg>,
    /// The slots bound inside the subtree that a call reads: written to the frame too.
    published: Vec<u32>,
    reads_frame: bool,
    /// Set when something could not be compiled (too many registers): the subtree stays general.
    failed: bool,
}

impl Compiler {
    fn compile(n: &Node, published: Vec<u32>) -> Option<Kernel> {
        let mut c = Compiler {
            code: Vec::new(),
            next_reg: 0,
            max_reg: 0,
            consts: Vec::new(),
            lists: Vec::new(),
            paths: Vec::new(),
            names: Vec::new(),
            templates: Vec::new(),
            calls: Vec::new(),
            bigs: Vec::new(),
            slots: HashMap::new(),
            reads_frame: !published.is_empty(),
            published,
            failed: false,
        };
        c.tail(n);
        let temps = c.max_reg;
        if c.failed
            || temps + c.consts.len() > MAX_REGS
            || c.paths.len() > u16::MAX as usize
            || c.names.len() > u16::MAX as usize
            || c.lists.len() > u16::MAX as usize
            || c.calls.len() > u16::MAX as usize
            || c.bigs.len() > u16::MAX as usize
        {
            return None;
        }
        // The constants' registers after the others.
        let place = |r: &mut Reg| {
            if *r >= CONST {
                *r = (*r - CONST) + temps as Reg;
            }
        };
        for ins in &mut c.code {
            for r in ins.regs_mut() {
                place(r);
            }
        }
        for list in &mut c.lists {
            list.iter_mut().for_each(place);
        }
        let init: Vec<Val<'static>> = std::iter::repeat_n(Val::S(Small::Missing), temps)
            .chain(c.consts.into_iter().map(Val::S))
            .collect();

        Some(Kernel {
            original: n.clone(),
            code: c.code,
            init,
            lists: c.lists,
            paths: c.paths,
            names: c.names,
            templates: c.templates,
            calls: c.calls,
            bigs: c.bigs,
            reads_frame: c.reads_frame,
            answered: AtomicU32::new(0),
            bailed: AtomicU32::new(0),
        })
    }

    /// A fresh register.
    fn alloc(&mut self) -> Reg {
        let r = self.next_reg;
        self.next_reg += 1;
        self.max_reg = self.max_reg.max(self.next_reg);
        if self.next_reg >= CONST as usize || self.next_reg > MAX_REGS {
            self.failed = true;
            return 0;
        }
        r as Reg
    }

    /// Gives back the registers allocated since `mark`.
    fn free_to(&mut self, mark: usize) {
        self.next_reg = mark;
    }

    /// The register of a constant.
    fn constant(&mut self, v: Small) -> Reg {
        let at = match self.consts.iter().position(|c| same(*c, v)) {
            Some(at) => at,
            None => {
                self.consts.push(v);
                self.consts.len() - 1
            }
        };
        if at >= MAX_REGS {
            self.failed = true;
            return 0;
        }
        CONST + at as Reg
    }

    fn path(&mut self, parts: &[String]) -> u16 {
        self.paths.push(parts.to_vec());
        (self.paths.len() - 1) as u16
    }

    fn here(&self) -> u32 {
        self.code.len() as u32
    }

    /// Emits a jump to be landed later ([`Compiler::land`]); its position.
    fn jump(&mut self, ins: Ins) -> usize {
        self.code.push(ins);
        self.code.len() - 1
    }

    /// Patches the jump at `at` to go to the current position.
    fn land(&mut self, at: usize) {
        let to = self.here();
        match &mut self.code[at] {
            Ins::JumpIfFalsy(_, t)
            | Ins::JumpIfTruthy(_, t)
            | Ins::JumpIfPresent(_, t)
            | Ins::Jump(t) => *t = to,
            _ => self.failed = true,
        }
    }

    /// Code that ends the evaluation with `n`'s value.
    fn tail(&mut self, n: &Node) {
        let mark = self.next_reg;
        match n {
            Node::Op(Op::Cond, args) if args.len() == 3 => {
                let t = self.operand(&args[0]);
                let to_else = self.jump(Ins::JumpIfFalsy(t, 0));
                self.tail(&args[1]);
                self.land(to_else);
                self.tail(&args[2]);
            }
            Node::SlotLet(l) => {
                self.bind(l);
                self.tail(&l.body);
                self.unbind(l);
            }
            Node::Doc(fields) => match fields.template() {
                Some(template) => {
                    let list: Vec<Reg> = fields.iter().map(|(_, f)| self.operand(f)).collect();
                    self.templates.push(template.clone());
                    self.lists.push(list);
                    self.code.push(Ins::RetDoc(
                        (self.templates.len() - 1) as u16,
                        (self.lists.len() - 1) as u16,
                    ));
                }
                None => self.failed = true,
            },
            n => {
                let r = self.operand(n);
                self.code.push(Ins::Ret(r));
            }
        }
        self.free_to(mark);
    }

    /// Evaluates a `$let`'s bindings into registers of their own (kept until the caller frees them).
    fn bind(&mut self, l: &slots::SlotLet) {
        for (k, e) in &l.vars {
            let r = self.alloc();
            self.value(e, r);
            self.code.push(Ins::NullIfMissing(r));
            if self.published.contains(k) {
                self.code.push(Ins::Publish(*k, r));
            }
            self.slots.insert(*k, r);
        }
    }

    fn unbind(&mut self, l: &slots::SlotLet) {
        for (k, _) in &l.vars {
            self.slots.remove(k);
        }
    }

    /// The register holding `n`'s value once the code emitted here has run: a constant's or a bound
    /// variable's own, else a fresh one (kept until the caller frees it).
    fn operand(&mut self, n: &Node) -> Reg {
        match n {
            Node::Const(v) => match small_const(v) {
                Some(s) => self.constant(s),
                None => {
                    let r = self.alloc();
                    self.value(n, r);
                    r
                }
            },
            Node::Remove => self.constant(Small::Missing),
            Node::Slot(k, parts) if parts.is_empty() && self.slots.contains_key(k) => {
                self.slots.get(k).copied().unwrap_or(0)
            }
            n => {
                let r = self.alloc();
                self.value(n, r);
                r
            }
        }
    }

    /// Code that leaves `n`'s value in `dst`.
    fn value(&mut self, n: &Node, dst: Reg) {
        let mark = self.next_reg;
        match n {
            Node::Const(v) if small_const(v).is_none() => {
                self.bigs.push(v.clone());
                let i = (self.bigs.len() - 1) as u16;
                self.code.push(Ins::Lend(dst, i));
            }
            Node::Const(_) | Node::Remove => {
                let r = self.operand(n);
                self.code.push(Ins::Move(dst, r));
            }
            Node::Now => self.code.push(Ins::Now(dst)),
            Node::Field(parts) | Node::Root(parts) => {
                let p = self.path(parts);
                self.code.push(Ins::Field(dst, p));
            }
            Node::Var(name, parts) => {
                self.names.push(name.clone());
                let v = (self.names.len() - 1) as u16;
                let p = self.path(parts);
                self.code.push(Ins::Var(dst, v, p));
            }
            Node::Slot(k, parts) => match self.slots.get(k) {
                Some(r) if parts.is_empty() => self.code.push(Ins::Move(dst, *r)),
                Some(_) => self.failed = true,
                None => {
                    self.reads_frame = true;
                    let p = self.path(parts);
                    self.code.push(Ins::Outer(dst, *k, p));
                }
            },
            Node::SlotLet(l) => {
                self.bind(l);
                self.value(&l.body, dst);
                self.unbind(l);
            }
            n if is_call(n) => {
                // A call may read a slot of an enclosing `$let` outside the code: it reads the frame.
                self.reads_frame = true;
                self.calls.push(n.clone());
                let i = (self.calls.len() - 1) as u16;
                self.code.push(Ins::Call(dst, i));
            }
            Node::Op(op, args) => self.op(*op, args, dst),
            Node::Named(op, args) => self.named(*op, args, dst),
            _ => self.failed = true,
        }
        self.free_to(mark);
    }

    /// Registers kept as a list ([`Ins::Extreme`], [`Ins::ElemAt`], [`Ins::RetDoc`]).
    fn list(&mut self, list: Vec<Reg>) -> u16 {
        self.lists.push(list);
        (self.lists.len() - 1) as u16
    }

    /// A named operator the code computes ([`native_named`]).
    fn named(&mut self, op: Op, args: &[(String, Node)], dst: Reg) {
        let arg = |k: &str| super::ops::named(args, k);
        let unit = arg("unit").and_then(DateUnit::of);
        match (op, unit) {
            (Op::DateTrunc, Some(DateUnit::Fixed(step))) => {
                let Some(date) = arg("date") else {
                    self.failed = true;
                    return;
                };
                let a = self.operand(date);
                self.code.push(Ins::DateTrunc(dst, a, step));
            }
            (Op::DateDiff, Some(unit)) => {
                let (Some(s), Some(e)) = (arg("startDate"), arg("endDate")) else {
                    self.failed = true;
                    return;
                };
                let a = self.operand(s);
                let b = self.operand(e);
                self.code.push(Ins::DateDiff(dst, a, b, unit));
            }
            (Op::DateAdd, Some(unit)) => {
                let (Some(s), Some(n)) = (arg("startDate"), arg("amount")) else {
                    self.failed = true;
                    return;
                };
                let a = self.operand(s);
                let b = self.operand(n);
                self.code.push(Ins::DateAdd(dst, a, b, unit));
            }
            _ => self.failed = true,
        }
    }

    fn op(&mut self, op: Op, args: &[Node], dst: Reg) {
        match op {
            Op::Cond => {
                let t = self.operand(&args[0]);
                let to_else = self.jump(Ins::JumpIfFalsy(t, 0));
                self.value(&args[1], dst);
                let to_end = self.jump(Ins::Jump(0));
                self.land(to_else);
                self.value(&args[2], dst);
                self.land(to_end);
            }
            Op::IfNull => {
                let Some((last, init)) = args.split_last() else {
                    self.failed = true;
                    return;
                };
                let mut ends = Vec::new();
                for a in init {
                    self.value(a, dst);
                    ends.push(self.jump(Ins::JumpIfPresent(dst, 0)));
                }
                self.value(last, dst);
                for at in ends {
                    self.land(at);
                }
            }
            Op::And | Op::Or => {
                let mut decided = Vec::new();
                for a in args {
                    let t = self.operand(a);
                    decided.push(self.jump(if op == Op::And {
                        Ins::JumpIfFalsy(t, 0)
                    } else {
                        Ins::JumpIfTruthy(t, 0)
                    }));
                }
                // No argument decided: `$and` is true, `$or` false.
                self.code.push(Ins::Set(dst, Small::Bool(op == Op::And)));
                let to_end = self.jump(Ins::Jump(0));
                for at in decided {
                    self.land(at);
                }
                self.code.push(Ins::Set(dst, Small::Bool(op != Op::And)));
                self.land(to_end);
            }
            Op::Not => {
                let a = self.operand(&args[0]);
                self.code.push(Ins::Not(dst, a));
            }
            Op::Abs => {
                let a = self.operand(&args[0]);
                self.code.push(Ins::Abs(dst, a));
            }
            op if is_part(op) => {
                let a = self.operand(&args[0]);
                self.code.push(Ins::Part(op, dst, a));
            }
            Op::Max | Op::Min => {
                let list: Vec<Reg> = args.iter().map(|a| self.operand(a)).collect();
                let l = self.list(list);
                self.code.push(Ins::Extreme(op, dst, l));
            }
            Op::ArrayElemAt => {
                let list: Vec<Reg> = match elem_items(&args[0]) {
                    Some(Items::Nodes(items)) => items
                        .iter()
                        .map(|item| {
                            // An item that is missing is null in the array.
                            let r = self.alloc();
                            self.value(item, r);
                            self.code.push(Ins::NullIfMissing(r));
                            r
                        })
                        .collect(),
                    Some(Items::Consts(vals)) => {
                        vals.into_iter().map(|v| self.constant(v)).collect()
                    }
                    None => {
                        self.failed = true;
                        return;
                    }
                };
                let i = self.operand(&args[1]);
                let l = self.list(list);
                self.code.push(Ins::ElemAt(dst, l, i));
            }
            Op::Eq | Op::Ne | Op::Gt | Op::Gte | Op::Lt | Op::Lte => {
                let a = self.operand(&args[0]);
                let b = self.operand(&args[1]);
                self.code.push(Ins::Cmp(op, dst, a, b));
            }
            op => {
                let mut regs = [0; MAX_ARGS];
                for (to, a) in regs.iter_mut().zip(args) {
                    *to = self.operand(a);
                }
                self.code
                    .push(Ins::Compute(op, dst, regs, args.len() as u8));
            }
        }
    }
}

/// Whether two constants are the same value (bits for doubles: `-0.0` and `0.0`, NaNs, kept apart).
fn same(a: Small, b: Small) -> bool {
    match (a, b) {
        (Small::Num(Num::Double(x)), Small::Num(Num::Double(y))) => x.to_bits() == y.to_bits(),
        (Small::Num(Num::Double(_) | Num::Decimal(_)), _)
        | (_, Small::Num(Num::Double(_) | Num::Decimal(_))) => false,
        (a, b) => a == b,
    }
}
