//! Arithmetic on small values: the operators a plan's date and interval arithmetic is made of (`$add`,
//! `$subtract`, `$multiply`, `$divide`, `$mod`, `$round`, `$trunc`, `$toInt`, `$toLong`, `$toDouble`)
//! evaluate their arguments as [`Small`] values (an int, long or double, a date's milliseconds, null or
//! missing: a few bytes, copied) when they are such, and compute on them directly: no `Option<Bson>`
//! argument array filled, matched and dropped per operator, no number lifted out of a `Bson` and wrapped
//! again between two operators of one arithmetic tree (`{$toInt: {$trunc: [{$divide: ["$$us", 864e8]}]}}`
//! passes two doubles along, not three `Bson`s). A field, a `$let` slot or a variable is read where it is
//! (nothing cloned to look at a number), a `$cond` chooses its branch on the way.
//!
//! Anything else (a string, a decimal, a document, an operator this file does not compute, and every case
//! of an operator that fails or is not a plain computation on numbers: a division by zero, an overflow on
//! conversion, a date where a number is wanted) is handed to the operator's family (`arith`, `convert`)
//! with the arguments as the general path evaluates them, the ones evaluated here converted back: the same
//! value and the same error, each argument evaluated once, in order. Held equal to the general path
//! (`Node::eval` without lending) by the property test in `scalar_tests.rs`.
//!
//! In: a compiled node, the document and the variables; out: its value. Depends on `numeric`, `arith`
//! (rounding), `convert`, `slots` (in-place reads).

use super::{arith, borrowed, convert, err, slots, Args, Node, Op, Vars};
use crate::engine::numeric::{self, Num};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// A value of an arithmetic tree that is not a `Bson`: copied, never dropped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Small {
    /// The value is missing.
    Missing,
    /// Null.
    Null,
    /// An int32, int64 or double (a decimal only as a result of the numeric rules, never read in).
    Num(Num),
    /// A date, in milliseconds since the epoch.
    Date(i64),
    /// A boolean (only in `kernel.rs`' registers: [`Small::of`] does not read one, [`compute`] answers
    /// nothing of one).
    Bool(bool),
}

impl Small {
    /// The small value of `v`, if it has one (not for undefined, decimals, strings, documents, ...).
    #[inline]
    pub(super) fn of(v: Option<&Bson>) -> Option<Small> {
        Some(match v {
            None => Small::Missing,
            Some(Bson::Null) => Small::Null,
            Some(Bson::Int32(i)) => Small::Num(Num::Int(*i)),
            Some(Bson::Int64(i)) => Small::Num(Num::Long(*i)),
            Some(Bson::Double(d)) => Small::Num(Num::Double(*d)),
            Some(Bson::DateTime(d)) => Small::Date(d.timestamp_millis()),
            Some(_) => return None,
        })
    }

    /// The value as the general path holds it.
    #[inline]
    pub(super) fn into_bson(self) -> Option<Bson> {
        match self {
            Small::Missing => None,
            Small::Null => Some(Bson::Null),
            Small::Num(n) => Some(n.to_bson()),
            Small::Date(ms) => Some(Bson::DateTime(bson::DateTime::from_millis(ms))),
            Small::Bool(b) => Some(Bson::Boolean(b)),
        }
    }

    fn nullish(self) -> bool {
        matches!(self, Small::Missing | Small::Null)
    }
}

/// A node's value: small, or as the general path computed it.
pub(super) enum Value {
    Small(Small),
    Big(Option<Bson>),
}

/// Whether [`op`] computes `op` (its arguments read as small values).
#[inline]
pub(super) fn computes(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Add | Subtract | Multiply | Divide | Mod | Round | Trunc | ToInt | ToLong | ToDouble
    )
}

/// The value of `n`: small when it is one (a number, a date, null or missing read where it is, or
/// computed by an operator [`computes`] names), else as [`Node::eval`] gives it.
pub(super) fn value(n: &Node, root: &Document, vars: &Vars) -> Result<Value, CommandError> {
    let lent = |v: Option<&Bson>| match Small::of(v) {
        Some(s) => Value::Small(s),
        None => Value::Big(v.cloned()),
    };
    Ok(match n {
        Node::Const(v) => lent(Some(v)),
        Node::Field(parts) => match borrowed::field_ref(root, parts) {
            None => Value::Small(Small::Missing),
            Some(v) => match Small::of(Some(&v)) {
                Some(s) => Value::Small(s),
                None => Value::Big(Some(v.into_owned())),
            },
        },
        Node::Slot(k, parts) => slots::peek(*k, parts, |v| lent(v.as_deref())),
        Node::Var(name, parts) => {
            let v = vars
                .get_shared(name)
                .ok_or_else(|| err(17276, format!("Use of undefined variable: {name}")))?;
            match borrowed::descend_ref(v, parts) {
                None => Value::Small(Small::Missing),
                Some(v) => match Small::of(Some(&v)) {
                    Some(s) => Value::Small(s),
                    None => Value::Big(Some(v.into_owned())),
                },
            }
        }
        Node::Now => Value::Small(Small::Date(vars.now.timestamp_millis())),
        Node::Op(Op::Cond, args) if args.len() == 3 => {
            let c = args[0].truthy_value(root, vars)?;
            value(&args[if c { 1 } else { 2 }], root, vars)?
        }
        Node::Op(op, args) if computes(*op) => op_value(*op, args, root, vars)?,
        Node::Kernel(k) => match k.try_run(root, vars) {
            Some(super::kernel::Out::Small(Small::Bool(b))) => Value::Big(Some(Bson::Boolean(b))),
            Some(super::kernel::Out::Small(s)) => Value::Small(s),
            Some(out) => Value::Big(out.into_bson()),
            None => value(&k.original, root, vars)?,
        },
        other => Value::Big(other.eval(root, vars)?),
    })
}

/// `op` (one [`computes`] names) of `args`, as [`Node::eval`] gives it.
pub(super) fn op(
    op: Op,
    args: &[Node],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    Ok(match op_value(op, args, root, vars)? {
        Value::Small(s) => s.into_bson(),
        Value::Big(v) => v,
    })
}

fn op_value(op: Op, args: &[Node], root: &Document, vars: &Vars) -> Result<Value, CommandError> {
    let mut small: smallvec::SmallVec<[Small; 4]> = smallvec::SmallVec::new();
    for (i, a) in args.iter().enumerate() {
        match value(a, root, vars)? {
            Value::Small(s) => small.push(s),
            Value::Big(v) => return general(op, &small, Some(v), &args[i + 1..], root, vars),
        }
    }
    match compute(op, &small) {
        Some(s) => Ok(Value::Small(s)),
        None => general(op, &small, None, &[], root, vars),
    }
}

/// The family's answer for `op` once the arguments `done` are evaluated small, then `big` (the first
/// argument that was not small, when there is one), and the arguments `rest` after it are not evaluated
/// yet: the rest evaluated by the general path, in order.
#[inline(never)]
fn general(
    op: Op,
    done: &[Small],
    big: Option<Option<Bson>>,
    rest: &[Node],
    root: &Document,
    vars: &Vars,
) -> Result<Value, CommandError> {
    let mut vals = Args::new();
    vals.extend(done.iter().map(|s| s.into_bson()));
    if let Some(v) = big {
        vals.push(v);
    }
    for a in rest {
        vals.push(a.eval(root, vars)?);
    }
    let vals = vals.as_mut_slice();
    Ok(Value::Big(match op {
        Op::ToInt | Op::ToLong | Op::ToDouble => convert::eval(op, vals)?,
        _ => arith::eval(op, vals)?,
    }))
}

/// `op` of small arguments when it is a plain computation on them (see the module doc); `None` leaves it
/// to the family.
#[inline]
pub(super) fn compute(op: Op, a: &[Small]) -> Option<Small> {
    use Small::*;
    match (op, a) {
        (Op::Add | Op::Multiply, _) => {
            let (nop, mut acc) = match op {
                Op::Add => (numeric::Op::Add, numeric::Num::Int(0)),
                _ => (numeric::Op::Mul, numeric::Num::Int(1)),
            };
            // A date in `$add` (and any non-number) is the family's; a null or missing argument before it
            // would answer null first, so only all numbers or nulls are answered here.
            let mut null = false;
            for v in a {
                match v {
                    Missing | Null => null = true,
                    Num(n) => acc = numeric::arith(nop, acc, *n),
                    Date(_) | Bool(_) => return None,
                }
            }
            Some(if null { Null } else { Num(acc) })
        }
        (Op::Subtract, [x, y]) if x.nullish() || y.nullish() => Some(Null),
        (Op::Subtract, [Date(x), Date(y)]) => Some(Num(numeric::Num::Long(x.saturating_sub(*y)))),
        (Op::Subtract, [Date(x), Num(n)]) => Some(Date(x.saturating_sub(round_ms(*n)))),
        (Op::Subtract, [Num(x), Num(y)]) => Some(Num(numeric::arith(numeric::Op::Sub, *x, *y))),
        (Op::Divide | Op::Mod, [x, y]) if x.nullish() || y.nullish() => Some(Null),
        (Op::Divide, [Num(x), Num(y)]) => numeric::divide(*x, *y).map(Num),
        (Op::Mod, [Num(x), Num(y)]) => numeric::modulo(*x, *y).map(Num),
        (Op::Round | Op::Trunc, [v, ..]) if v.nullish() => Some(Null),
        (Op::Round | Op::Trunc, [Num(n), place @ ..]) => {
            let place = match place {
                [] | [Missing] => 0,
                [Null] => return Some(Null),
                [Num(p)] => p.to_i64_exact().filter(|p| (-20..=100).contains(p))?,
                _ => return None,
            };
            match n {
                numeric::Num::Int(_) | numeric::Num::Long(_) if place >= 0 => Some(Num(*n)),
                numeric::Num::Double(d) => Some(Num(numeric::Num::Double(arith::round_double_op(
                    op, *d, place,
                )))),
                _ => None,
            }
        }
        (Op::ToInt | Op::ToLong | Op::ToDouble, [v]) if v.nullish() => Some(Null),
        (Op::ToDouble, [Num(n)]) if !matches!(n, numeric::Num::Decimal(_)) => {
            Some(Num(numeric::Num::Double(n.to_f64())))
        }
        (Op::ToDouble, [Date(ms)]) => Some(Num(numeric::Num::Double(*ms as f64))),
        (Op::ToLong, [Date(ms)]) => Some(Num(numeric::Num::Long(*ms))),
        (Op::ToInt | Op::ToLong, [Num(n)]) => {
            let i = match *n {
                numeric::Num::Int(i) => i as i64,
                numeric::Num::Long(i) => i,
                numeric::Num::Double(d) => {
                    let t = d.trunc();
                    if !d.is_finite()
                        || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&t)
                    {
                        return None;
                    }
                    t as i64
                }
                numeric::Num::Decimal(_) => return None,
            };
            Some(Num(if op == Op::ToInt {
                numeric::Num::Int(i32::try_from(i).ok()?)
            } else {
                numeric::Num::Long(i)
            }))
        }
        _ => None,
    }
}

/// A number as whole milliseconds to move a date by (as `arith`'s `$subtract` rounds it).
fn round_ms(n: Num) -> i64 {
    match n {
        Num::Int(i) => i as i64,
        Num::Long(i) => i,
        other => other.to_f64().round() as i64,
    }
}
