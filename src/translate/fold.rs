//! Constant folding of predicates: a comparison of two literals, and the three-valued connectives over
//! literal truth values, become `true` / `false` before rendering, so `WHERE 1 = 0`, `ON 1 = 0` or
//! `WHERE x > 1 AND 1 = 0` reach the engine as `{$expr: false}` (answered without a scan: mongod's
//! AlwaysFalse, the engine's `never_matches`) and `AND 1 = 1` disappears.
//!
//! Only what the rendered comparison would decide the same way whatever the data and the collation is
//! folded: two numbers (int32 / int64 / double, compared exactly, NaN excluded), two booleans, and two
//! identical strings (equal under every collation; different strings are left to the server, whose
//! collation may call them equal). A parameter is never folded here (its value is bound after
//! translation); the engine decides a constant `$expr` once, before reading any document.
//!
//! Three-valued logic is the [`Pred`](super::nulls::Pred) pair's: a NULL predicate has both forms false,
//! so `NULL AND false` is FALSE (its FALSE form is `false OR true`), `NULL OR true` is TRUE and `NOT NULL`
//! is NULL without a rule of its own; [`and`](super::nulls::and) / [`or`](super::nulls::or) absorb a
//! literal `false` / `true` operand.

use super::expr::Agg;
use crate::mql::expr::{Cmp, Expr};
use bson::Bson;
use std::cmp::Ordering;

/// The value of `a c b` when both operands are constants it can decide exactly (see the module
/// documentation); `None` to leave the comparison to run time.
pub(crate) fn fold_cmp(c: Cmp, a: &Agg, b: &Agg) -> Option<bool> {
    if a.param.is_some() || b.param.is_some() || a.interval.is_some() || b.interval.is_some() {
        return None;
    }
    let ord = order(a.constant.as_ref()?, b.constant.as_ref()?)?;
    Some(match c {
        Cmp::Eq => ord == Ordering::Equal,
        Cmp::Ne => ord != Ordering::Equal,
        Cmp::Lt => ord == Ordering::Less,
        Cmp::Lte => ord != Ordering::Greater,
        Cmp::Gt => ord == Ordering::Greater,
        Cmp::Gte => ord != Ordering::Less,
    })
}

/// The order of two constants, where it is the same under BSON comparison and every collation.
fn order(a: &Bson, b: &Bson) -> Option<Ordering> {
    match (scalar(a)?, scalar(b)?) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Int(x), Num::Float(y)) => int_float(x, y),
        (Num::Float(x), Num::Int(y)) => int_float(y, x).map(Ordering::reverse),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Bool(x), Num::Bool(y)) => Some(x.cmp(&y)),
        (Num::Text(x), Num::Text(y)) if x == y => Some(Ordering::Equal),
        _ => None,
    }
}

enum Num<'a> {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(&'a str),
}

fn scalar(v: &Bson) -> Option<Num<'_>> {
    Some(match v {
        Bson::Int32(i) => Num::Int(i64::from(*i)),
        Bson::Int64(i) => Num::Int(*i),
        Bson::Double(f) if !f.is_nan() => Num::Float(*f),
        Bson::Boolean(b) => Num::Bool(*b),
        Bson::String(s) => Num::Text(s),
        _ => return None,
    })
}

/// An integer against a double, exactly: only where the integer is a double without rounding.
fn int_float(i: i64, f: f64) -> Option<Ordering> {
    const EXACT: i64 = 1 << 53;
    if !(-EXACT..=EXACT).contains(&i) {
        return None;
    }
    (i as f64).partial_cmp(&f)
}

/// Whether an expression is the literal `b`.
pub(crate) fn is_bool(e: &Expr, b: bool) -> bool {
    matches!(e, Expr::Bson(Bson::Boolean(x)) if *x == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::expr::literal::constant;

    fn fold(c: Cmp, a: Bson, b: Bson) -> Option<bool> {
        fold_cmp(c, &constant(a), &constant(b))
    }

    #[test]
    fn numbers_fold_exactly_and_other_types_are_left() {
        assert_eq!(fold(Cmp::Eq, Bson::Int32(1), Bson::Int32(0)), Some(false));
        assert_eq!(fold(Cmp::Eq, Bson::Int32(1), Bson::Double(1.0)), Some(true));
        assert_eq!(fold(Cmp::Lt, Bson::Int64(2), Bson::Double(2.5)), Some(true));
        assert_eq!(
            fold(Cmp::Gte, Bson::Double(2.5), Bson::Int32(3)),
            Some(false)
        );
        assert_eq!(
            fold(Cmp::Ne, Bson::Boolean(true), Bson::Boolean(false)),
            Some(true)
        );
        assert_eq!(fold(Cmp::Eq, "a".into(), "a".into()), Some(true));
        // Different strings may be equal under a collation; mixed types follow BSON's type order at run time.
        assert_eq!(fold(Cmp::Eq, "a".into(), "A".into()), None);
        assert_eq!(fold(Cmp::Eq, Bson::Int32(1), "1".into()), None);
        assert_eq!(
            fold(Cmp::Eq, Bson::Double(f64::NAN), Bson::Double(f64::NAN)),
            None
        );
        assert_eq!(
            fold(Cmp::Eq, Bson::Int64(i64::MAX), Bson::Double(9.2e18)),
            None
        );
        let mut p = constant(Bson::Int32(1));
        p.param = Some(1);
        assert_eq!(fold_cmp(Cmp::Eq, &p, &constant(Bson::Int32(1))), None);
    }
}
