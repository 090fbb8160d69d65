//! SQL three-valued logic over aggregation expressions, in one place.
//!
//! A SQL predicate is translated to two aggregation expressions: one true exactly when the predicate is TRUE,
//! one true exactly when it is FALSE (both false when it is NULL/unknown). WHERE keeps rows whose TRUE form
//! holds; NOT swaps the forms; a boolean value is `TRUE ? true : FALSE ? false : null`, unless the predicate
//! carries a value form of its own that reads its operands once (a comparison of computed operands binds them
//! with `$let` instead of computing them up to three times; `IS NULL`, never unknown, is its TRUE form).

use super::fold::is_bool;
use crate::mql::expr as ex;
use crate::mql::Expr;
use bson::Bson;

/// The TRUE and FALSE forms of a SQL predicate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pred {
    /// True exactly when the predicate is TRUE.
    pub t: Expr,
    /// True exactly when the predicate is FALSE.
    pub f: Expr,
    /// The predicate's SQL value (true / false / null) and its negation's, each in one expression that
    /// evaluates the operands once; `None` builds the value from `t` and `f`.
    values: Option<Box<(Expr, Expr)>>,
}

impl Pred {
    /// SQL NOT: swaps TRUE and FALSE; NULL stays NULL.
    pub fn not(self) -> Pred {
        Pred {
            t: self.f,
            f: self.t,
            values: self.values.map(|v| Box::new((v.1, v.0))),
        }
    }
    /// The predicate as a SQL boolean value (true / false / null).
    pub fn to_value(&self) -> Expr {
        // Folded: a constant predicate is a constant value.
        match (&self.t, &self.f) {
            (t, _) if is_bool(t, true) => return Expr::from(true),
            (t, f) if is_bool(t, false) && is_bool(f, true) => return Expr::from(false),
            (t, f) if is_bool(t, false) && is_bool(f, false) => return Expr::Bson(Bson::Null),
            _ => {}
        }
        if let Some(v) = &self.values {
            return v.0.clone();
        }
        ex::cond(
            self.t.clone(),
            true,
            ex::cond(self.f.clone(), false, Bson::Null),
        )
    }
    /// A predicate that is TRUE exactly when `t` holds and FALSE exactly when `f` holds.
    pub fn new(t: impl Into<Expr>, f: impl Into<Expr>) -> Pred {
        Pred {
            t: t.into(),
            f: f.into(),
            values: None,
        }
    }
    /// [`Pred::new`] with the value forms of the predicate (`value`: true / false / null) and of its
    /// negation (`negated`), each the same as the value `t` and `f` make, computed once.
    pub fn with_values(
        t: impl Into<Expr>,
        f: impl Into<Expr>,
        value: impl Into<Expr>,
        negated: impl Into<Expr>,
    ) -> Pred {
        Pred {
            t: t.into(),
            f: f.into(),
            values: Some(Box::new((value.into(), negated.into()))),
        }
    }
    /// A predicate that is never unknown (`IS NULL`, `IS DISTINCT FROM`): its value is its TRUE form, the
    /// negation's its FALSE form (both boolean-valued).
    pub fn two_valued(t: impl Into<Expr>, f: impl Into<Expr>) -> Pred {
        let (t, f) = (t.into(), f.into());
        Pred::with_values(t.clone(), f.clone(), t, f)
    }
}

/// True when `x` is NULL or missing. PG: a missing field is NULL.
pub(crate) fn is_null(x: &Expr) -> Expr {
    ex::is_null(x.clone())
}

/// True when `x` is neither NULL nor missing.
pub(crate) fn not_null(x: &Expr) -> Expr {
    ex::not_null(x.clone())
}

/// `$and` of the parts, flattening nested `$and`s and dropping literal `true`s; `false` when a part is the
/// literal `false` (constant folding, `fold.rs`).
pub(crate) fn and<T: Into<Expr>>(parts: Vec<T>) -> Expr {
    let parts: Vec<Expr> = parts.into_iter().map(Into::into).collect();
    if parts.iter().any(|p| is_bool(p, false)) {
        return Expr::from(false);
    }
    ex::and_flat(parts)
}

/// `$or` of the parts, flattening nested `$or`s and dropping literal `false`s; `true` when a part is the
/// literal `true`.
pub(crate) fn or<T: Into<Expr>>(parts: Vec<T>) -> Expr {
    let parts: Vec<Expr> = parts.into_iter().map(Into::into).collect();
    if parts.iter().any(|p| is_bool(p, true)) {
        return Expr::from(true);
    }
    ex::or_flat(parts)
}

/// SQL AND: TRUE when both are TRUE; FALSE when either is FALSE.
pub(crate) fn pred_and(a: Pred, b: Pred) -> Pred {
    Pred::new(and(vec![a.t, b.t]), or(vec![a.f, b.f]))
}

/// SQL OR: TRUE when either is TRUE; FALSE when both are FALSE.
pub(crate) fn pred_or(a: Pred, b: Pred) -> Pred {
    Pred::new(or(vec![a.t, b.t]), and(vec![a.f, b.f]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::bson;

    #[test]
    fn not_swaps_and_and_flattens() {
        let p = Pred::new(bson!("$a"), bson!("$b"));
        assert_eq!(p.clone().not(), Pred::new(bson!("$b"), bson!("$a")));
        let q = pred_and(p.clone(), pred_and(p.clone(), p));
        assert_eq!(Bson::from(q.t), bson!({"$and": ["$a", "$a", "$a"]}));
        assert_eq!(Bson::from(q.f), bson!({"$or": ["$b", "$b", "$b"]}));
        assert_eq!(
            Bson::from(and(vec![Bson::Boolean(true), bson!("$x")])),
            bson!("$x")
        );
    }
}
