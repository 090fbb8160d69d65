//! Arrays, sets and objects: `$size $arrayElemAt $in $concatArrays $slice $isArray $first $last
//! $reverseArray $range $indexOfArray $filter $map $reduce $setIsSubset $setIntersection $setUnion
//! $setDifference $setEquals $anyElementTrue $allElementsTrue $mergeObjects $objectToArray $arrayToObject
//! $getField $setField $sortArray`, and the expression forms of `$max $min $sum $avg`.

use super::ops::{eval_named_arg, named};
use super::{err, nullish, truthy, Node, Op, Vars};
use crate::engine::bson_order::{compare, equal, type_name};
use crate::engine::numeric::{self, Num};
use crate::engine::CommandError;
use bson::{doc, Bson, Document};
use std::cmp::Ordering;

fn tname(v: &Option<Bson>) -> &'static str {
    v.as_ref().map(type_name).unwrap_or("missing")
}

fn int(v: &Option<Bson>, what: &str) -> Result<i64, CommandError> {
    int_of(v.as_ref(), what)
}

fn int_of(v: Option<&Bson>, what: &str) -> Result<i64, CommandError> {
    v.and_then(Num::from_bson)
        .and_then(|n| n.to_i64_exact())
        .ok_or_else(|| {
            err(
                28689,
                format!(
                    "{what} must be an integral number, found {}",
                    v.map(type_name).unwrap_or("missing")
                ),
            )
        })
}

/// `$arrayElemAt` of an array and an index (already evaluated; read where they are): the element copied
/// alone (negative: from the end; missing past either end), null for a null or missing argument.
pub(super) fn array_elem_at(
    array: Option<&Bson>,
    index: Option<&Bson>,
) -> Result<Option<Bson>, CommandError> {
    let nullish = |v: Option<&Bson>| matches!(v, None | Some(Bson::Null) | Some(Bson::Undefined));
    if nullish(array) || nullish(index) {
        return Ok(Some(Bson::Null));
    }
    let a = match array {
        Some(Bson::Array(a)) => a,
        other => {
            return Err(err(
                28689,
                format!(
                    "$arrayElemAt's first argument must be an array, but is {}",
                    other.map(type_name).unwrap_or("missing")
                ),
            ))
        }
    };
    let i = int_of(index, "$arrayElemAt's second argument")?;
    let idx = if i < 0 { a.len() as i64 + i } else { i };
    Ok(usize::try_from(idx).ok().and_then(|k| a.get(k)).cloned())
}

fn set_add(set: &mut Vec<Bson>, v: Bson) {
    if !set.iter().any(|x| equal(x, &v)) {
        set.push(v);
    }
}

fn array_arg<'a>(v: &'a Option<Bson>, op: Op, pos: &str) -> Result<&'a Vec<Bson>, CommandError> {
    match v {
        Some(Bson::Array(a)) => Ok(a),
        other => Err(err(
            17044,
            format!(
                "All operands of {} must be arrays. {pos} argument is of type: {}",
                op.name(),
                tname(other)
            ),
        )),
    }
}

pub(super) fn eval(op: Op, vals: &mut [Option<Bson>]) -> Result<Option<Bson>, CommandError> {
    use Op::*;
    let null = Ok(Some(Bson::Null));
    match op {
        Size => match &vals[0] {
            Some(Bson::Array(a)) => Ok(Some(Bson::Int32(a.len() as i32))),
            other => Err(err(
                17124,
                format!(
                    "The argument to $size must be an array. Type of argument: {}",
                    tname(other)
                ),
            )),
        },
        IsArray => Ok(Some(Bson::Boolean(matches!(vals[0], Some(Bson::Array(_)))))),
        ArrayElemAt => array_elem_at(vals[0].as_ref(), vals[1].as_ref()),
        First | Last => match &vals[0] {
            None | Some(Bson::Null) | Some(Bson::Undefined) => null,
            Some(Bson::Array(a)) => Ok(if op == First { a.first() } else { a.last() }.cloned()),
            other => Err(err(
                28689,
                format!(
                    "{}'s argument must be an array, but is {}",
                    op.name(),
                    tname(other)
                ),
            )),
        },
        In => match &vals[1] {
            Some(Bson::Array(a)) => Ok(Some(Bson::Boolean(in_array(&vals[0], a)))),
            other => Err(err(
                40081,
                format!(
                    "$in requires an array as a second argument, found: {}",
                    tname(other)
                ),
            )),
        },
        ConcatArrays => {
            let mut out = Vec::new();
            for v in vals.iter() {
                match v {
                    None | Some(Bson::Null) | Some(Bson::Undefined) => return null,
                    Some(Bson::Array(a)) => out.extend(a.iter().cloned()),
                    other => {
                        return Err(err(
                            28664,
                            format!("$concatArrays only supports arrays, not {}", tname(other)),
                        ))
                    }
                }
            }
            Ok(Some(Bson::Array(out)))
        }
        Slice => {
            if vals.iter().any(nullish) {
                return null;
            }
            let a = match &vals[0] {
                Some(Bson::Array(a)) => a,
                other => {
                    return Err(err(
                        28724,
                        format!(
                            "First argument to $slice must be an array, but is of type: {}",
                            tname(other)
                        ),
                    ))
                }
            };
            let len = a.len() as i64;
            let (start, n) = if vals.len() == 2 {
                let n = int(&vals[1], "Second argument to $slice")?;
                if n >= 0 {
                    (0, n)
                } else {
                    ((len + n).max(0), -n)
                }
            } else {
                let p = int(&vals[1], "Second argument to $slice")?;
                let n = int(&vals[2], "Third argument to $slice")?;
                if n <= 0 {
                    return Err(err(
                        28729,
                        format!("Third argument to $slice must be positive: {n}"),
                    ));
                }
                (if p >= 0 { p.min(len) } else { (len + p).max(0) }, n)
            };
            Ok(Some(Bson::Array(
                a.iter()
                    .skip(start as usize)
                    .take(n.max(0) as usize)
                    .cloned()
                    .collect(),
            )))
        }
        ReverseArray => match &vals[0] {
            None | Some(Bson::Null) | Some(Bson::Undefined) => null,
            Some(Bson::Array(a)) => Ok(Some(Bson::Array(a.iter().rev().cloned().collect()))),
            other => Err(err(
                34435,
                format!(
                    "The argument to $reverseArray must be an array, but was of type: {}",
                    tname(other)
                ),
            )),
        },
        Range => {
            let s = int(&vals[0], "$range start")?;
            let e = int(&vals[1], "$range end")?;
            let step = if vals.len() == 3 {
                int(&vals[2], "$range step")?
            } else {
                1
            };
            if step == 0 {
                return Err(err(34449, "$range requires a non-zero step value"));
            }
            // The element count, known before anything is allocated (mongod's memory check).
            let span = i128::from(e) - i128::from(s);
            let steps = span / i128::from(step) + i128::from(span % i128::from(step) != 0);
            let length = i64::try_from(steps.max(0)).unwrap_or(i64::MAX);
            crate::engine::limits::check_range(length)?;
            let mut out = Vec::with_capacity(length as usize);
            let mut i = s;
            while (step > 0 && i < e) || (step < 0 && i > e) {
                out.push(Bson::Int32(i as i32));
                match i.checked_add(step) {
                    Some(next) => i = next,
                    None => break,
                }
            }
            Ok(Some(Bson::Array(out)))
        }
        IndexOfArray => {
            if nullish(&vals[0]) {
                return null;
            }
            let a = match &vals[0] {
                Some(Bson::Array(a)) => a,
                other => {
                    return Err(err(
                        40090,
                        format!(
                            "$indexOfArray requires an array as a first argument, found: {}",
                            tname(other)
                        ),
                    ))
                }
            };
            let v = vals[1].clone().unwrap_or(Bson::Null);
            let start = if vals.len() > 2 {
                int(&vals[2], "starting index")?.max(0) as usize
            } else {
                0
            };
            let end = if vals.len() > 3 {
                (int(&vals[3], "ending index")?.max(0) as usize).min(a.len())
            } else {
                a.len()
            };
            Ok(Some(Bson::Int32(
                (start..end)
                    .find(|i| compare(&a[*i], &v) == Ordering::Equal)
                    .map(|i| i as i32)
                    .unwrap_or(-1),
            )))
        }
        SetIsSubset => {
            let a = array_arg(&vals[0], op, "first")?;
            let b = array_arg(&vals[1], op, "second")?;
            Ok(Some(Bson::Boolean(
                a.iter().all(|x| b.iter().any(|y| equal(x, y))),
            )))
        }
        SetIntersection | SetUnion => {
            if vals.iter().any(nullish) {
                return null;
            }
            let mut out: Vec<Bson> = Vec::new();
            for (i, v) in vals.iter().enumerate() {
                let a = array_arg(v, op, "an")?;
                if op == SetUnion || i == 0 {
                    for x in a {
                        set_add(&mut out, x.clone());
                    }
                } else {
                    out.retain(|x| a.iter().any(|y| equal(x, y)));
                }
            }
            Ok(Some(Bson::Array(out)))
        }
        SetDifference => {
            if vals.iter().any(nullish) {
                return null;
            }
            let a = array_arg(&vals[0], op, "first")?;
            let b = array_arg(&vals[1], op, "second")?;
            let mut out = Vec::new();
            for x in a {
                if !b.iter().any(|y| equal(x, y)) {
                    set_add(&mut out, x.clone());
                }
            }
            Ok(Some(Bson::Array(out)))
        }
        SetEquals => {
            let first = array_arg(&vals[0], op, "first")?;
            for v in &vals[1..] {
                let b = array_arg(v, op, "an")?;
                let same = first.iter().all(|x| b.iter().any(|y| equal(x, y)))
                    && b.iter().all(|x| first.iter().any(|y| equal(x, y)));
                if !same {
                    return Ok(Some(Bson::Boolean(false)));
                }
            }
            Ok(Some(Bson::Boolean(true)))
        }
        AnyElementTrue | AllElementsTrue => {
            let a = array_arg(&vals[0], op, "the")?;
            Ok(Some(Bson::Boolean(if op == AnyElementTrue {
                a.iter().any(|x| truthy(Some(x)))
            } else {
                a.iter().all(|x| truthy(Some(x)))
            })))
        }
        Max | Min | Sum | Avg => {
            // The one argument's array is taken, not copied (its value is not read again).
            let items: Vec<Bson> = if vals.len() == 1 {
                match vals[0].take() {
                    Some(Bson::Array(a)) => a,
                    Some(v) => vec![v],
                    None => vec![],
                }
            } else {
                vals.iter_mut().filter_map(std::mem::take).collect()
            };
            Ok(Some(match op {
                Sum => numeric::sum(items.iter().filter_map(Num::from_bson)).to_bson(),
                Avg => {
                    let nums: Vec<Num> = items.iter().filter_map(Num::from_bson).collect();
                    if nums.is_empty() {
                        Bson::Null
                    } else {
                        let n = nums.len() as i64;
                        let total = numeric::sum(nums.into_iter().map(|x| {
                            if let Num::Int(i) = x {
                                Num::Long(i as i64)
                            } else {
                                x
                            }
                        }));
                        match total {
                            Num::Decimal(_) => numeric::divide(total, Num::Long(n))
                                .map(|x| x.to_bson())
                                .unwrap_or(Bson::Null),
                            _ => Bson::Double(total.to_f64() / n as f64),
                        }
                    }
                }
                _ => items
                    .into_iter()
                    .filter(|x| !matches!(x, Bson::Null | Bson::Undefined))
                    .reduce(|a, b| {
                        let o = compare(&b, &a);
                        if (op == Max && o == Ordering::Greater)
                            || (op == Min && o == Ordering::Less)
                        {
                            b
                        } else {
                            a
                        }
                    })
                    .unwrap_or(Bson::Null),
            }))
        }
        MergeObjects => {
            let mut out = Document::new();
            for v in vals.iter_mut() {
                match v.take() {
                    None | Some(Bson::Null) | Some(Bson::Undefined) => {}
                    Some(Bson::Document(d)) => {
                        for (k, x) in d {
                            out.insert(k, x);
                        }
                    }
                    Some(other) => {
                        return Err(err(
                            40400,
                            format!(
                            "$mergeObjects requires object inputs, but input {other} is of type {}",
                            type_name(&other)
                        ),
                        ))
                    }
                }
            }
            Ok(Some(Bson::Document(out)))
        }
        ObjectToArray => object_to_array(vals[0].as_ref(), false),
        ArrayToObject => match &vals[0] {
            None | Some(Bson::Null) | Some(Bson::Undefined) => null,
            Some(Bson::Array(a)) => {
                let mut out = Document::new();
                for item in a {
                    match item {
                        Bson::Document(d) if d.len() == 2 && d.contains_key("k") && d.contains_key("v") => {
                            let k = d.get_str("k").map_err(|_| err(40394, "$arrayToObject requires an object with keys 'k' and 'v', where the value of 'k' must be of type string"))?;
                            out.insert(k, d.get("v").cloned().unwrap_or(Bson::Null));
                        }
                        Bson::Array(pair) if pair.len() == 2 => {
                            let Bson::String(k) = &pair[0] else {
                                return Err(err(40395, "$arrayToObject requires an array of key-value pairs, where the key must be of type string"));
                            };
                            out.insert(k.clone(), pair[1].clone());
                        }
                        _ => return Err(err(40391, "$arrayToObject requires an array of key-value pairs or of {k, v} objects")),
                    }
                }
                Ok(Some(Bson::Document(out)))
            }
            other => Err(err(
                40386,
                format!(
                    "$arrayToObject requires an array input, found: {}",
                    tname(other)
                ),
            )),
        },
        _ => Err(err(
            1,
            format!("internal: {} is not an array operator", op.name()),
        )),
    }
}

/// `$getField {field, input}`.
pub(super) fn get_field(
    field: Option<Bson>,
    input: Option<Bson>,
) -> Result<Option<Bson>, CommandError> {
    let Some(Bson::String(f)) = field else {
        return Err(err(
            5654602,
            "$getField requires 'field' to evaluate to type String",
        ));
    };
    match input {
        None => Ok(None),
        Some(Bson::Null) | Some(Bson::Undefined) => Ok(Some(Bson::Null)),
        Some(Bson::Document(d)) => Ok(d.get(&f).cloned()),
        Some(other) => Err(err(
            3041705,
            format!(
                "$getField requires 'input' to evaluate to type Object, but got {}",
                type_name(&other)
            ),
        )),
    }
}

/// `$in`: whether `needle` is an element of `a` (a missing needle never is).
pub(super) fn in_array(needle: &Option<Bson>, a: &[Bson]) -> bool {
    match needle {
        None => false,
        Some(v) => a
            .iter()
            .any(|x| equal(x, v) && compare(x, v) == Ordering::Equal),
    }
}

/// `$setField {field, input, value}` (`$$REMOVE` as the value removes the field).
pub(super) fn set_field(
    field: Option<Bson>,
    input: Option<Bson>,
    value: Option<&Node>,
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    let Some(Bson::String(f)) = field else {
        return Err(err(
            4161106,
            "$setField requires 'field' to evaluate to type String",
        ));
    };
    let mut d = match input {
        None | Some(Bson::Null) | Some(Bson::Undefined) => return Ok(Some(Bson::Null)),
        Some(Bson::Document(d)) => d,
        Some(other) => {
            return Err(err(
                4161105,
                format!(
                    "$setField requires 'input' to evaluate to type Object, but got {}",
                    type_name(&other)
                ),
            ))
        }
    };
    match value.map(|n| n.eval(root, vars)).transpose()?.flatten() {
        Some(v) => {
            d.insert(f, v);
        }
        None => {
            d.remove(&f);
        }
    }
    Ok(Some(Bson::Document(d)))
}

/// `$objectToArray` of `input`: its `{k, v}` pairs, or with `keys_only` its `{k}`
/// documents (for a reader that looks at nothing but `k`); null for null or missing, error 40390 for
/// another type.
pub(super) fn object_to_array(
    input: Option<&Bson>,
    keys_only: bool,
) -> Result<Option<Bson>, CommandError> {
    match input {
        None | Some(Bson::Null) | Some(Bson::Undefined) => Ok(Some(Bson::Null)),
        Some(Bson::Document(d)) => Ok(Some(Bson::Array(
            d.iter()
                .map(|(k, v)| match keys_only {
                    true => Bson::Document(doc! {"k": k.clone()}),
                    false => Bson::Document(doc! {"k": k.clone(), "v": v.clone()}),
                })
                .collect(),
        ))),
        Some(other) => Err(err(
            40390,
            format!(
                "$objectToArray requires a document input, found: {}",
                type_name(other)
            ),
        )),
    }
}

/// [`reads_only_key`] of each of `fields` (a document's, or an operator's named arguments).
fn fields_read_only_key(fields: &[(String, Node)], name: &str) -> bool {
    fields.iter().all(|(k, n)| {
        // `as: name` of an inner `$map` / `$filter` rebinds the name: not looked through.
        !matches!(n, Node::Const(Bson::String(s)) if k == "as" && s == name)
            && reads_only_key(n, name)
    })
}

/// Whether `node` reads the variable `name` only under its field `k` (`$$name.k...`), never whole nor
/// another field of it. Conservative: an inner binding of the same name counts as a read of it, and
/// `$$CURRENT` / `$$ROOT` are not the variable.
fn reads_only_key(node: &Node, name: &str) -> bool {
    match node {
        Node::Var(n, parts) => &**n != name || parts.first().is_some_and(|p| p == "k"),
        Node::Doc(fields) => fields_read_only_key(fields, name),
        Node::Named(_, fields) => fields_read_only_key(fields, name),
        Node::Arr(items) | Node::Op(_, items) => items.iter().all(|n| reads_only_key(n, name)),
        Node::Let(l) => {
            l.vars
                .iter()
                .all(|(n, e)| &**n != name && reads_only_key(e, name))
                && reads_only_key(&l.body, name)
        }
        Node::SlotLet(l) => {
            l.vars.iter().all(|(_, e)| reads_only_key(e, name)) && reads_only_key(&l.body, name)
        }
        Node::Kernel(k) => reads_only_key(&k.original, name),
        Node::Switch(s) => {
            s.branches
                .iter()
                .all(|(c, t)| reads_only_key(c, name) && reads_only_key(t, name))
                && s.default.as_ref().is_none_or(|d| reads_only_key(d, name))
        }
        Node::Const(_)
        | Node::Remove
        | Node::Now
        | Node::Field(_)
        | Node::Root(_)
        | Node::Slot(..) => true,
    }
}

/// The input of `$map: {input: {$objectToArray: x}, as, in}` whose `in` reads only `$$as.k`
/// (`jsonb_object_keys`): `{k}` documents from `x` read in place, its values never copied. `None` for any
/// other `$map` (the general path).
fn keys_only_input(
    op: Op,
    args: &[(String, Node)],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Option<Bson>>, CommandError> {
    if op != Op::Map || !super::borrowed::lending() {
        return Ok(None);
    }
    let Some(Node::Op(Op::ObjectToArray, x)) = named(args, "input") else {
        return Ok(None);
    };
    let [x] = x.as_slice() else {
        return Ok(None);
    };
    let name = match named(args, "as") {
        Some(Node::Const(Bson::String(s))) => s.as_str(),
        Some(_) => return Ok(None),
        None => "this",
    };
    match named(args, "in") {
        Some(body) if reads_only_key(body, name) => Ok(Some(object_to_array(
            x.value(root, vars)?.as_deref(),
            true,
        )?)),
        _ => Ok(None),
    }
}

/// `$filter`, `$map`, `$reduce`.
pub(super) fn higher_order(
    op: Op,
    args: &[(String, Node)],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    if op == Op::Map {
        if let Some(v) = super::sorted_map::sorted_map(args, root, vars)? {
            return Ok(v);
        }
    }
    let input = match keys_only_input(op, args, root, vars)? {
        Some(keys) => keys,
        None => eval_named_arg(args, "input", root, vars)?,
    };
    let items = match input {
        None | Some(Bson::Null) | Some(Bson::Undefined) => return Ok(Some(Bson::Null)),
        Some(Bson::Array(a)) => a,
        ref other => {
            return Err(err(
                28651,
                format!(
                    "input to {} must be an array not {}",
                    op.name(),
                    tname(other)
                ),
            ))
        }
    };
    let var_name = match named(args, "as") {
        Some(Node::Const(Bson::String(s))) => s.clone(),
        Some(_) => return Err(err(16866, format!("{} 'as' must be a string", op.name()))),
        None => "this".to_string(),
    };
    match op {
        Op::Filter => {
            let cond = named(args, "cond")
                .ok_or_else(|| err(28648, "Missing 'cond' parameter to $filter"))?;
            let limit = match eval_named_arg(args, "limit", root, vars)? {
                None | Some(Bson::Null) => usize::MAX,
                Some(l) => Num::from_bson(&l)
                    .and_then(|n| n.to_i64_exact())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| err(327391, "$filter: limit must be a positive integer"))?
                    as usize,
            };
            let mut out = Vec::new();
            let mut inner = vars.clone();
            let slot = inner.push(&var_name, Bson::Null);
            for it in items {
                crate::engine::ops::check()?;
                if let Some(v) = inner.slot_mut(slot) {
                    *v = it;
                }
                if cond.truthy_value(root, &inner)? {
                    out.push(inner.take_slot(slot));
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            Ok(Some(Bson::Array(out)))
        }
        Op::Map => {
            let body =
                named(args, "in").ok_or_else(|| err(16882, "Missing 'in' parameter to $map"))?;
            let mut out = Vec::with_capacity(items.len());
            let mut inner = vars.clone();
            let slot = inner.push(&var_name, Bson::Null);
            for it in items {
                crate::engine::ops::check()?;
                if let Some(v) = inner.slot_mut(slot) {
                    *v = it;
                }
                out.push(body.eval(root, &inner)?.unwrap_or(Bson::Null));
            }
            Ok(Some(Bson::Array(out)))
        }
        _ => {
            let body =
                named(args, "in").ok_or_else(|| err(40080, "Missing 'in' parameter to $reduce"))?;
            let initial = eval_named_arg(args, "initialValue", root, vars)?.unwrap_or(Bson::Null);
            Ok(Some(super::reduce::reduce(
                items, initial, body, root, vars,
            )?))
        }
    }
}

/// The field `f` of `v` when it is a document, else (and when missing) `null`.
fn field_of<'a>(v: &'a Bson, f: &str, null: &'a Bson) -> &'a Bson {
    match v {
        Bson::Document(d) => crate::engine::path::get(d, f).unwrap_or(null),
        _ => null,
    }
}

/// `$sortArray: {input, sortBy}`: a stable sort of an array, by whole values (`sortBy: 1 | -1`) or by the
/// fields of its documents (`sortBy: {field: 1 | -1, ...}`, a missing field sorting as null). NULL or
/// missing input gives null; another non-array input is an error.
pub(super) fn sort_array(
    args: &[(String, Node)],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    let input = eval_named_arg(args, "input", root, vars)?;
    let spec = match named(args, "sortBy") {
        Some(Node::Const(b)) => b,
        _ => return Err(sort_by_not_constant()),
    };
    let mut items = match input {
        None | Some(Bson::Null) => return Ok(Some(Bson::Null)),
        Some(Bson::Array(a)) => a,
        Some(other) => return Err(sort_input_not_array(&other)),
    };
    sort_by_spec(&mut items, spec, |v| v)?;
    Ok(Some(Bson::Array(items)))
}

/// `$sortArray`'s error for a `sortBy` that is not a constant (shared with `sorted_map`).
pub(super) fn sort_by_not_constant() -> CommandError {
    err(2942505, "$sortArray requires sortBy to be a constant")
}

/// `$sortArray`'s error for an input that is neither an array nor null (shared with `sorted_map`).
pub(super) fn sort_input_not_array(input: &Bson) -> CommandError {
    err(
        2942504,
        format!(
            "The input argument to $sortArray must be an array, but was of type: {}",
            type_name(input)
        ),
    )
}

/// Sorts `items` (the values `value` reads from each) by a `$sortArray` `sortBy` spec: stable, by whole
/// values (`1 | -1`) or by the fields of documents (`{field: 1 | -1, ...}`, a missing field as null); an
/// invalid direction is an error. Shared by `$sortArray` and the `$map` over it that sorts references
/// ([`super::sorted_map`]): the same comparisons, so the same order.
pub(super) fn sort_by_spec<T>(
    items: &mut Vec<T>,
    spec: &Bson,
    value: impl Fn(&T) -> &Bson,
) -> Result<(), CommandError> {
    let dir_of = |v: &Bson| -> Result<Ordering, CommandError> {
        match Num::from_bson(v).and_then(|n| n.to_i64_exact()) {
            Some(1) => Ok(Ordering::Less),
            Some(-1) => Ok(Ordering::Greater),
            _ => Err(err(2942507, "$sortArray sort direction must be 1 or -1")),
        }
    };
    match spec {
        Bson::Document(fields) => {
            let mut keys = Vec::new();
            for (f, d) in fields {
                keys.push((f.clone(), dir_of(d)? == Ordering::Greater));
            }
            // Borrowed, not copied, per comparison (a copy of a document key per comparison was most
            // of the sort of ARRAY_AGG ... ORDER BY's `{k, v}` elements).
            let null = Bson::Null;
            crate::engine::ops::sort_checked(items, |a, b| {
                for (f, desc) in &keys {
                    let o = compare(field_of(value(a), f, &null), field_of(value(b), f, &null));
                    let o = if *desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            })?;
        }
        other => {
            let desc = dir_of(other)? == Ordering::Greater;
            crate::engine::ops::sort_checked(items, |a, b| {
                let o = compare(value(a), value(b));
                if desc {
                    o.reverse()
                } else {
                    o
                }
            })?;
        }
    }
    Ok(())
}
