//! Conditions answered as a bool: where only the truthiness of a value is wanted (the test of `$cond`,
//! `$switch`, `$and`, `$or`, `$not`, `$filter`'s `cond`, a `$match`'s `$expr`), the comparisons (a `$type`
//! compared with a name too), `$isNumber` / `$isArray`, the translator's NULL test and the logical operators
//! over them give a `bool` directly, without building the `Bson::Boolean` of each operator (or the type's
//! name as a string), wrapping it in the general path's result and taking it apart again one level up. The
//! translator's plans are full of them: every ORDER BY key's NULL flag
//! (`{$cond: [{$eq: [{$ifNull: [x, null]}, null]}, 1, 0]}`), `COUNT(*) FILTER (WHERE ..)`
//! (`{$sum: {$cond: [p, 1, 0]}}`), CASE, three-valued logic's guards, JSON's type tests.
//!
//! Same verdict and the same errors, raised in the same order, as the truthiness of [`Node::eval`]'s
//! value (held equal by the property tests in `condition_tests.rs` and `slots_tests.rs`).
//!
//! In: a compiled node, the document and the variables; out: `Some(bool)`, or `None` for a node that is
//! not a condition (the caller reads its value). Depends on `borrowed` (operands read where they are).

use super::borrowed::{compared, holds, is_array, is_number, null_tested, type_of};
use super::{truthy, Node, Op, Vars};
use crate::engine::bson_order::compare_str;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The truthiness of `n`'s value when `n` is a condition (see the module doc), else `None`.
pub(super) fn test(n: &Node, root: &Document, vars: &Vars) -> Result<Option<bool>, CommandError> {
    use Op::*;
    let Node::Op(op, args) = n else {
        return Ok(match n {
            Node::Const(v) => Some(truthy(Some(v))),
            _ => None,
        });
    };
    Ok(Some(match (*op, args.as_slice()) {
        (And, _) => {
            for a in args {
                if !a.truthy_value(root, vars)? {
                    return Ok(Some(false));
                }
            }
            true
        }
        (Or, _) => {
            for a in args {
                if a.truthy_value(root, vars)? {
                    return Ok(Some(true));
                }
            }
            false
        }
        (Not, [a]) => !a.truthy_value(root, vars)?,
        (Cond, [c, t, e]) => {
            let branch = if c.truthy_value(root, vars)? { t } else { e };
            branch.truthy_value(root, vars)?
        }
        (Eq | Ne, [Node::Op(IfNull, pair), Node::Const(Bson::Null)])
            if matches!(pair.as_slice(), [_, Node::Const(Bson::Null)]) =>
        {
            null_tested(&pair[0], root, vars)? == (*op == Eq)
        }
        // `{$eq: [{$type: x}, "object"]}`: the type's name compared where it is, not built as a string.
        (Eq | Ne | Gt | Gte | Lt | Lte, [Node::Op(Type, x), Node::Const(Bson::String(name))])
            if x.len() == 1 =>
        {
            holds(*op, compare_str(type_of(&x[0], root, vars)?, name))
        }
        // `{$in: [{$type: x}, ["int", "long"]]}` (the translator's integer tests): the type's name looked
        // up where it is, not built as a string.
        (In, [Node::Op(Type, x), Node::Const(Bson::Array(names))])
            if x.len() == 1 && names.iter().all(|n| matches!(n, Bson::String(_))) =>
        {
            let t = type_of(&x[0], root, vars)?;
            names
                .iter()
                .any(|n| matches!(n, Bson::String(n) if compare_str(t, n).is_eq()))
        }
        (Eq | Ne | Gt | Gte | Lt | Lte, [a, b]) => holds(*op, compared(a, b, root, vars)?),
        (IsNumber, [a]) => is_number(a, root, vars)?,
        (IsArray, [a]) => is_array(a, root, vars)?,
        _ => return Ok(None),
    }))
}
