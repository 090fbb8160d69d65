//! Expression subtrees compiled to register code. At [`Expr::compile`](super::Expr::compile), after the
//! `$let` variables became slots, each largest subtree made of what the code computes — arithmetic
//! (`$add` .. `$toDouble`, `$abs`, as [`scalar`](super::scalar) computes it on small values), `$cond`,
//! `$ifNull`, `$eq` .. `$lte`, `$and`, `$or`, `$not`, `$let`, date parts, `$dateTrunc` (a day or less),
//! `$dateDiff` and `$dateAdd` in UTC, `$max` / `$min`, `$arrayElemAt` of a literal array, field paths,
//! variables, constants, `$$NOW`, and a literal document as its value (`{months, days, micros}`: every
//! interval of a plan) — is compiled once into a flat list of instructions over numbered registers. An
//! operator whose value is small but that the code does not compute (`$week`, `$dateSubtract`, ...) is
//! called through the general path ([`Ins::Call`]), the `$let` variables it reads written to the frame
//! first. An evaluation is one loop: no recursion per node, no `Result` built and taken apart per node, no
//! thread-local frame per `$let` variable read or written.
//!
//! A register holds a small value (int, long, double, date, boolean, null, missing) or lends a value of
//! the document, of a variable or of the code's constants that is not small (a string, a document, a
//! decimal read in): reads, choices, comparisons and the code's value take it; an operator that computes
//! does not. The code never fails and never computes what it is not sure of: anything else (undefined, a
//! value computed through an array, a computation `scalar` leaves to the operator's family — an overflow, a
//! division by zero, a date where a number is wanted —, a date out of chrono's range, a literal document
//! with a missing value, an undefined variable, a call that fails or gives a large value) stops the code
//! ("bails"), and the general path evaluates the subtree from the start, which gives the value or the
//! error. Evaluating is free of effects (no clock but `$$NOW`, fixed per command; no random), so the general
//! path after a partial run gives what it gives alone. A subtree whose code bails on most documents (a
//! column of decimals) stops trying it.
//!
//! The code follows the general path's order: `$cond` evaluates its test and one branch, `$ifNull` its
//! arguments up to the first that is not null, `$and` / `$or` up to the first argument that decides them.
//! Held equal to the general path by the property tests in `kernel_tests.rs` (and `scalar_tests.rs`).
//!
//! In: a resolved tree ([`super::slots::resolve`]); out: the tree with its eligible subtrees wrapped in
//! [`Kernel`] nodes (`compile.rs`). The instructions' computations on dates and numbers are in `calc.rs`.
//! Depends on `scalar` (the computations), `slots` (variables bound outside the code), `borrowed` (reads in
//! place), `bson_order` (comparisons), `dates` (date parts), `doc_template`.

mod calc;
mod compile;

use super::scalar::{self, Small};
use super::{borrowed, slots, Node, Op, Vars};
use crate::engine::doc_template::Template;
use crate::engine::numeric::Num;
use crate::engine::CommandError;
use bson::{Bson, Document};
use calc::{abs, date_add, date_diff, date_part, is_part, utc};
pub(crate) use compile::kernelize;
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

/// What the instructions of a kernel name by number.
#[derive(Debug, Clone, Default)]
struct Tables {
    /// Register lists: the values of each document built, the arguments of `$max` / `$min`, the items of
    /// `$arrayElemAt`.
    lists: Vec<Vec<Reg>>,
    paths: Vec<Vec<String>>,
    names: Vec<Arc<str>>,
    templates: Vec<Template>,
    /// The subtrees the code has the general path evaluate ([`Ins::Call`]).
    calls: Vec<Node>,
    /// The constants that are not small ([`Ins::Lend`]).
    bigs: Vec<Bson>,
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
    /// What the instructions name by number.
    t: Tables,
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
            t: self.t.clone(),
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
        self.t.calls.len()
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
                Ins::Lend(d, i) => regs[*d as usize] = Val::B(&self.t.bigs[*i as usize]),
                Ins::Field(d, p) => {
                    regs[*d as usize] =
                        read(borrowed::field_ref(root, &self.t.paths[*p as usize]))?;
                }
                Ins::Var(d, n, p) => {
                    let v = vars.get_shared(&self.t.names[*n as usize])?;
                    regs[*d as usize] = read(borrowed::descend_ref(v, &self.t.paths[*p as usize]))?;
                }
                Ins::Outer(d, k, p) => {
                    regs[*d as usize] = Val::S(slots::peek(*k, &self.t.paths[*p as usize], |v| {
                        small(v.as_deref())
                    })?);
                }
                Ins::Now(d) => regs[*d as usize] = Val::S(Small::Date(vars.now.timestamp_millis())),
                Ins::Call(d, i) => {
                    let v = self.t.calls[*i as usize].eval(root, vars).ok()?;
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
                    for r in &self.t.lists[*l as usize] {
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
                    let items = &self.t.lists[*l as usize];
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
                    let list = &self.t.lists[*l as usize];
                    if list
                        .iter()
                        .any(|r| matches!(regs[*r as usize], Val::S(Small::Missing)))
                    {
                        return None;
                    }
                    let doc = self.t.templates[*t as usize]
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
            Val::B(b) => crate::engine::expr::truthy(Some(b)),
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
