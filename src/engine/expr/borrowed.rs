//! Values read where they are instead of copied: [`Node::value`] lends a field of the document, a
//! variable's value, a constant of the tree, a field of one of those (`$getField`) or the argument `$ifNull`
//! chooses, and computes anything else. The operators that only look at their arguments (`$type`,
//! `$isArray`, `$isNumber`, `$size`, the comparisons, `$not`, `$in`, `$arrayElemAt`, and the conditions of
//! `$and` / `$or` / `$cond` / `$switch`) read them this way, so a test on a large value (`{$type: "$session_data"}`, `{$eq:
//! [{$ifNull: ["$doc", null]}, null]}`) no longer copies it per document.
//!
//! Same value and the same errors as [`Node::eval`] (held equal by the property test in
//! `slots_tests.rs`); a path that crosses an array is computed by `eval`'s own traversal.

use super::{descend, err, ops::named, truthy, Node, Op, Vars};
use crate::engine::bson_order::{compare, equal, type_name};
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A value lent or computed; `None` is missing.
pub(crate) type Val<'a> = Option<Cow<'a, Bson>>;

#[cfg(test)]
thread_local! {
    /// Tests only: every value computed by the general path (`eval`), the reference the lent reads are
    /// held equal to.
    pub(crate) static GENERAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether values are lent (always, outside the tests that switch it off).
#[inline]
pub(super) fn lending() -> bool {
    #[cfg(test)]
    {
        !GENERAL.with(|g| g.get())
    }
    #[cfg(not(test))]
    {
        true
    }
}

/// `v` followed along `parts` by reference while it goes through documents; an array on the way is
/// traversed as [`descend`] does (a new array).
pub(super) fn descend_ref<'a>(mut v: &'a Bson, parts: &[String]) -> Val<'a> {
    for (i, part) in parts.iter().enumerate() {
        match v {
            Bson::Document(d) => v = crate::engine::path::field(d, part)?,
            Bson::Array(_) => return descend(v, &parts[i..]).map(Cow::Owned),
            _ => return None,
        }
    }
    Some(Cow::Borrowed(v))
}

/// The field path `parts` of `root`, by reference (as `super::field`).
pub(super) fn field_ref<'a>(root: &'a Document, parts: &[String]) -> Val<'a> {
    let (first, rest) = parts.split_first()?;
    descend_ref(crate::engine::path::field(root, first)?, rest)
}

fn is_nullish(v: &Val<'_>) -> bool {
    matches!(
        v.as_deref(),
        None | Some(Bson::Null) | Some(Bson::Undefined)
    )
}

/// `$getField: {field, input}`, the field lent where it is: in the current document, in a lent input, or
/// in a `$let` variable's slot (copied out alone, not with the whole document).
pub(super) fn get_field_named<'a>(
    args: &'a [(String, Node)],
    root: &'a Document,
    vars: &'a Vars,
) -> Result<Val<'a>, CommandError> {
    let field_of = |root: &'a Document, vars: &'a Vars| match named(args, "field") {
        Some(n) => n.value(root, vars),
        None => Ok(None),
    };
    // The input first, then the field name, as `eval` does.
    let input = match named(args, "input") {
        // A slot is read in place and only the field copied out (reading a slot needs no evaluation, so
        // the field name's evaluation comes first here without changing any result or error).
        Some(Node::Slot(k, parts)) => {
            let field = field_of(root, vars)?;
            return super::slots::peek(*k, parts, |input| {
                Ok(get_field_of(field, input)?.map(|v| Cow::Owned(v.into_owned())))
            });
        }
        Some(n) => n.value(root, vars)?,
        None => {
            let field = field_of(root, vars)?;
            let Some(Bson::String(f)) = field.as_deref() else {
                return Err(err(
                    5654602,
                    "$getField requires 'field' to evaluate to type String",
                ));
            };
            return Ok(root.get(f).map(Cow::Borrowed));
        }
    };
    get_field_of(field_of(root, vars)?, input)
}

/// `$getField` of `input` (already evaluated) by the field name `field`, as `arrays::get_field`.
fn get_field_of<'a>(field: Val<'_>, input: Val<'a>) -> Result<Val<'a>, CommandError> {
    let Some(Bson::String(f)) = field.as_deref() else {
        return Err(err(
            5654602,
            "$getField requires 'field' to evaluate to type String",
        ));
    };
    match input {
        None => Ok(None),
        Some(v) => match v {
            Cow::Borrowed(Bson::Document(d)) => Ok(d.get(f).map(Cow::Borrowed)),
            Cow::Owned(Bson::Document(mut d)) => Ok(d.remove(f).map(Cow::Owned)),
            Cow::Borrowed(Bson::Null | Bson::Undefined)
            | Cow::Owned(Bson::Null | Bson::Undefined) => Ok(Some(Cow::Owned(Bson::Null))),
            other => Err(err(
                3041705,
                format!(
                    "$getField requires 'input' to evaluate to type Object, but got {}",
                    type_name(&other)
                ),
            )),
        },
    }
}

fn cmp_val(a: &Val<'_>, b: &Val<'_>) -> Ordering {
    match (a.as_deref(), b.as_deref()) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => compare(x, y),
    }
}

fn tname(v: &Val<'_>) -> &'static str {
    v.as_deref().map(type_name).unwrap_or("missing")
}

impl Node {
    /// The node's value, lent when it is read as it is (see the module doc), else computed.
    pub(crate) fn value<'a>(
        &'a self,
        root: &'a Document,
        vars: &'a Vars,
    ) -> Result<Val<'a>, CommandError> {
        if !lending() {
            return Ok(self.eval(root, vars)?.map(Cow::Owned));
        }
        Ok(match self {
            Node::Const(v) => Some(Cow::Borrowed(v)),
            Node::Field(parts) => field_ref(root, parts),
            Node::Root(parts) if !parts.is_empty() => field_ref(root, parts),
            Node::Var(name, parts) => {
                let v = vars
                    .get_shared(name)
                    .ok_or_else(|| err(17276, format!("Use of undefined variable: {name}")))?;
                descend_ref(v, parts)
            }
            Node::Op(Op::IfNull, args) if args.len() >= 2 => {
                let mut chosen = None;
                for a in args {
                    let v = a.value(root, vars)?;
                    if !is_nullish(&v) {
                        return Ok(v);
                    }
                    chosen = v;
                }
                // None was: the last argument's value.
                chosen
            }
            // `{$getField: "a"}`: a field of the current document.
            Node::Op(Op::GetField, args) if args.len() == 1 => {
                let field = args[0].value(root, vars)?;
                let Some(Bson::String(f)) = field.as_deref() else {
                    return Err(err(
                        5654602,
                        "$getField requires 'field' to evaluate to type String",
                    ));
                };
                root.get(f).map(Cow::Borrowed)
            }
            Node::Named(Op::GetField, args) => get_field_named(args, root, vars)?,
            _ => self.eval(root, vars)?.map(Cow::Owned),
        })
    }

    /// Whether the node's value is truthy: a condition answered as a bool (`condition.rs`), any other
    /// value read by [`Node::value`].
    pub(crate) fn truthy_value(&self, root: &Document, vars: &Vars) -> Result<bool, CommandError> {
        if lending() {
            if let Some(b) = super::condition::test(self, root, vars)? {
                return Ok(b);
            }
        }
        Ok(truthy(self.value(root, vars)?.as_deref()))
    }
}

/// Whether [`inspect`] may evaluate `op` (the operators it reads the arguments of); any other operator it
/// gives back `None` for, so the general path does not ask (arithmetic, conversions, strings: most of a
/// plan's nodes).
#[inline]
pub(super) fn inspects(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Type | IsNumber
            | IsArray
            | Not
            | ArrayElemAt
            | ObjectToArray
            | Size
            | Eq
            | Ne
            | Gt
            | Gte
            | Lt
            | Lte
            | Cmp
            | In
    )
}

/// The operators that only look at their arguments, read by [`Node::value`]; `None` for any other
/// operator (evaluated by the general path): only those [`inspects`] names.
pub(super) fn inspect(
    op: Op,
    args: &[Node],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Option<Bson>>, CommandError> {
    use Op::*;
    if !lending() {
        return Ok(None);
    }
    let bool_ = |b: bool| Ok(Some(Some(Bson::Boolean(b))));
    match (op, args) {
        (Type, [a]) => Ok(Some(Some(Bson::String(
            type_of(a, root, vars)?.to_string(),
        )))),
        (IsNumber, [a]) => bool_(is_number(a, root, vars)?),
        (IsArray, [a]) => bool_(is_array(a, root, vars)?),
        (Not, [a]) => bool_(!a.truthy_value(root, vars)?),
        // A JSON index step (`->0`, `-> -1`, `#> '{items,0}'`): the element copied out alone, not the
        // array first; an array in a `$let` slot (a computed step before it: `->0->1`) is read in place,
        // the index evaluated first (reading a slot cannot fail, so no error changes order).
        (ArrayElemAt, [Node::Slot(k, parts), i]) => {
            let index = i.value(root, vars)?;
            super::slots::peek(*k, parts, |array| {
                Ok(Some(super::arrays::array_elem_at(
                    array.as_deref(),
                    index.as_deref(),
                )?))
            })
        }
        (ArrayElemAt, [a, i]) => {
            let array = a.value(root, vars)?;
            let index = i.value(root, vars)?;
            Ok(Some(super::arrays::array_elem_at(
                array.as_deref(),
                index.as_deref(),
            )?))
        }
        // `jsonb_object_keys` and the like: the document is read where it is, its keys and values copied
        // once into the `{k, v}` pairs (not the whole document first).
        (ObjectToArray, [a]) => Ok(Some(super::arrays::object_to_array(
            a.value(root, vars)?.as_deref(),
            false,
        )?)),
        (Size, [a]) => {
            let v = a.value(root, vars)?;
            match v.as_deref() {
                Some(Bson::Array(items)) => Ok(Some(Some(Bson::Int32(items.len() as i32)))),
                _ => Err(err(
                    17124,
                    format!(
                        "The argument to $size must be an array. Type of argument: {}",
                        tname(&v)
                    ),
                )),
            }
        }
        // `{$eq: [{$ifNull: [x, null]}, null]}`, the translator's NULL test (`$ne`: its negation), is whether
        // `x` is null or missing: read where it is, also in a `$let` slot (an interval document bound to a
        // variable is not copied to be tested).
        (Eq | Ne, [Node::Op(IfNull, pair), Node::Const(Bson::Null)])
            if matches!(pair.as_slice(), [_, Node::Const(Bson::Null)]) =>
        {
            bool_(null_tested(&pair[0], root, vars)? == (op == Eq))
        }
        (Cmp, [a, b]) => Ok(Some(Some(Bson::Int32(match compared(a, b, root, vars)? {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        })))),
        (Eq | Ne | Gt | Gte | Lt | Lte, [a, b]) => bool_(holds(op, compared(a, b, root, vars)?)),
        (In, [needle, haystack]) => {
            let n = needle.value(root, vars)?;
            let h = haystack.value(root, vars)?;
            match h.as_deref() {
                Some(Bson::Array(items)) => bool_(match n.as_deref() {
                    None => false,
                    Some(v) => items
                        .iter()
                        .any(|x| equal(x, v) && compare(x, v) == Ordering::Equal),
                }),
                _ => Err(err(
                    40081,
                    format!(
                        "$in requires an array as a second argument, found: {}",
                        tname(&h)
                    ),
                )),
            }
        }
        _ => Ok(None),
    }
}

/// The order of `a`'s value against `b`'s (missing lowest), both read where they are, `a` first.
pub(super) fn compared(
    a: &Node,
    b: &Node,
    root: &Document,
    vars: &Vars,
) -> Result<Ordering, CommandError> {
    let x = a.value(root, vars)?;
    let y = b.value(root, vars)?;
    Ok(cmp_val(&x, &y))
}

/// Whether the comparison `op` (`$eq` .. `$lte`) holds for operands in the order `o`.
pub(super) fn holds(op: Op, o: Ordering) -> bool {
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Gt => o == Ordering::Greater,
        Op::Gte => o != Ordering::Less,
        Op::Lt => o == Ordering::Less,
        _ => o != Ordering::Greater,
    }
}

/// Whether `x`'s value is null or missing (the translator's `{$eq: [{$ifNull: [x, null]}, null]}`), read
/// where it is, also in a `$let` slot (an interval document bound to a variable is not copied to be tested).
pub(super) fn null_tested(x: &Node, root: &Document, vars: &Vars) -> Result<bool, CommandError> {
    Ok(match x {
        Node::Slot(k, parts) => super::slots::nullish(*k, parts),
        x => is_nullish(&x.value(root, vars)?),
    })
}

/// `$type` of `a`'s value (`"missing"` for none), read where it is (in a `$let` slot too).
pub(super) fn type_of(
    a: &Node,
    root: &Document,
    vars: &Vars,
) -> Result<&'static str, CommandError> {
    Ok(match a {
        Node::Slot(k, parts) => super::slots::peek(*k, parts, |v| tname(&v)),
        a => tname(&a.value(root, vars)?),
    })
}

/// `$isNumber` of `a`'s value, read where it is.
pub(super) fn is_number(a: &Node, root: &Document, vars: &Vars) -> Result<bool, CommandError> {
    let v = a.value(root, vars)?;
    Ok(v.as_deref().is_some_and(crate::engine::numeric::is_number))
}

/// `$isArray` of `a`'s value, read where it is (in a `$let` slot too).
pub(super) fn is_array(a: &Node, root: &Document, vars: &Vars) -> Result<bool, CommandError> {
    Ok(match a {
        Node::Slot(k, parts) => {
            super::slots::peek(*k, parts, |v| matches!(v.as_deref(), Some(Bson::Array(_))))
        }
        a => matches!(a.value(root, vars)?.as_deref(), Some(Bson::Array(_))),
    })
}
