//! `{$map: {input: {$sortArray: {input: x, sortBy: s}}, in: "$$this.v"}}`, the translator's ordered
//! aggregate (`array_agg(e ORDER BY k)`, `json_agg`, `string_agg`: a `$push` of `{k, v}` pairs, sorted by
//! `k` when the group is done, then each `v` taken): `x` read where it is (a field of the grouped row), its
//! elements sorted as references by the same comparisons `$sortArray` makes, and only each element's `v`
//! copied out. The general path copies the whole array (every pair, key document and value) to sort it, then
//! moves each element into `$$this` to read its `v`.
//!
//! Only a body that reads a path under the `$map` variable (`$$this.v`, `$$p.a.b`) is taken here; anything
//! else (another body, an `as` that is not a constant string, a `sortBy` that is not a constant) goes the
//! general way. Same value and same errors in the same order: the input's errors, a `sortBy` that is not a
//! constant, NULL / missing input (NULL), a non-array input, a bad direction. Held equal to the general path
//! by the property test in `sorted_map_tests.rs`.
//!
//! In: the `$map`'s named arguments, the document and the variables; out: `None` when the shape is not this
//! one, else the `$map`'s value. Depends on `arrays` (the sort), `borrowed` (reads in place).

use super::ops::named;
use super::{arrays, borrowed, descend, Node, Op, Vars};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The `$map`'s value when it maps a `$sortArray` with a path under its variable, else `None`.
pub(super) fn sorted_map(
    args: &[(String, Node)],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Option<Bson>>, CommandError> {
    if !borrowed::lending() {
        return Ok(None);
    }
    let Some(Node::Named(Op::SortArray, sort)) = named(args, "input") else {
        return Ok(None);
    };
    let var: &str = match named(args, "as") {
        None => "this",
        Some(Node::Const(Bson::String(s))) => s,
        Some(_) => return Ok(None),
    };
    let parts = match named(args, "in") {
        Some(Node::Var(name, parts)) if &**name == var && !parts.is_empty() => parts,
        _ => return Ok(None),
    };
    // `$sortArray` as `arrays::sort_array` checks it, in its order, the input read in place.
    let input = match named(sort, "input") {
        Some(n) => n.value(root, vars)?,
        None => None,
    };
    let spec = match named(sort, "sortBy") {
        Some(Node::Const(b)) => b,
        _ => return Err(arrays::sort_by_not_constant()),
    };
    let items = match input.as_deref() {
        None | Some(Bson::Null) => return Ok(Some(Some(Bson::Null))),
        Some(Bson::Array(a)) => a,
        Some(other) => return Err(arrays::sort_input_not_array(other)),
    };
    let mut refs: Vec<&Bson> = items.iter().collect();
    arrays::sort_by_spec(&mut refs, spec, |v| *v)?;
    // `$map` of the sorted array: each element's path as `$$this.v` reads it (missing is null).
    let mut out = Vec::with_capacity(refs.len());
    for it in refs {
        crate::engine::ops::check()?;
        out.push(descend(it, parts).unwrap_or(Bson::Null));
    }
    Ok(Some(Some(Bson::Array(out))))
}
