//! `$reduce`'s loop. `$$value` and `$$this` are bound once and overwritten per element (binding them anew
//! copied the accumulated value twice per element), and the string-joining bodies the SQL translator writes
//! for STRING_AGG (`{$concat: ["$$value", sep, "$$this"]}`, possibly under `{$cond: [{$eq: ["$$value",
//! null]}, "$$this", ...]}`) append to the accumulated string in place: linear in the output instead of
//! quadratic. So do the flattening bodies it writes for ARRAY_AGG / STRING_AGG with FILTER or over a
//! window (`{$concatArrays: ["$$value", "$$this"]}`): the arrays are appended to the accumulated array
//! in place, each appended element's depth bounded instead of the whole value's at every step. The
//! MODE() fold it writes (runs of equal values in sort order) is counted without building its step document
//! per element (`reduce_mode.rs`). Every other body, and every value those fast paths do not cover, takes the general evaluation. The loop
//! looks at the op's interrupt ([`ops::check`](crate::engine::ops::check)) per element.
//!
//! In: the input items, the initial value and the `in` body; out: the reduced value. Depends on `strings`, `reduce_mode`.

use super::{reduce_mode, strings, Node, Op, Vars};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// Whether `node` reads the variable `name` anywhere (a conservative test: a shadowing inner binding
/// counts too).
fn mentions(node: &Node, name: &str) -> bool {
    match node {
        Node::Var(n, _) => &**n == name,
        Node::Doc(fields) => fields.iter().any(|(_, n)| mentions(n, name)),
        Node::Named(_, fields) => fields.iter().any(|(_, n)| mentions(n, name)),
        Node::Arr(items) | Node::Op(_, items) => items.iter().any(|n| mentions(n, name)),
        Node::Let(l) => l.vars.iter().any(|(_, n)| mentions(n, name)) || mentions(&l.body, name),
        Node::SlotLet(l) => {
            l.vars.iter().any(|(_, n)| mentions(n, name)) || mentions(&l.body, name)
        }
        Node::Kernel(k) => mentions(&k.original, name),
        Node::Switch(s) => {
            s.branches
                .iter()
                .any(|(c, t)| mentions(c, name) || mentions(t, name))
                || s.default.as_ref().is_some_and(|d| mentions(d, name))
        }
        Node::Const(_)
        | Node::Remove
        | Node::Now
        | Node::Field(_)
        | Node::Root(_)
        | Node::Slot(..) => false,
    }
}

fn is_value(node: &Node) -> bool {
    matches!(node, Node::Var(n, parts) if &**n == "value" && parts.is_empty())
}

/// The arguments after `$$value` when `node` is `{$concat: ["$$value", rest...]}` and `rest` does not read
/// `$$value`.
fn append_shape(node: &Node) -> Option<&[Node]> {
    match node {
        Node::Op(Op::Concat, args) => {
            let (first, rest) = args.split_first()?;
            (is_value(first) && !rest.iter().any(|n| mentions(n, "value"))).then_some(rest)
        }
        _ => None,
    }
}

/// The arguments after `$$value` when `node` is `{$concatArrays: ["$$value", rest...]}` and `rest` does
/// not read `$$value`.
fn append_arrays_shape(node: &Node) -> Option<&[Node]> {
    match node {
        Node::Op(Op::ConcatArrays, args) => {
            let (first, rest) = args.split_first()?;
            (is_value(first) && !rest.iter().any(|n| mentions(n, "value"))).then_some(rest)
        }
        _ => None,
    }
}

/// A body with an in-place path.
enum Shape<'a> {
    /// `{$concatArrays: ["$$value", rest...]}`.
    AppendArrays(&'a [Node]),
    /// `{$concat: ["$$value", rest...]}`.
    Append(&'a [Node]),
    /// `{$cond: [{$eq: ["$$value", null]}, <then>, {$concat: ["$$value", rest...]}]}`: a string `$$value`
    /// is never equal to null, so with one the `else` branch is taken.
    FirstOrAppend(&'a [Node]),
}

fn shape(body: &Node) -> Option<Shape<'_>> {
    if let Some(rest) = append_arrays_shape(body) {
        return Some(Shape::AppendArrays(rest));
    }
    if let Some(rest) = append_shape(body) {
        return Some(Shape::Append(rest));
    }
    let Node::Op(Op::Cond, args) = body else {
        return None;
    };
    let [cond, _, otherwise] = args.as_slice() else {
        return None;
    };
    let Node::Op(Op::Eq, pair) = cond else {
        return None;
    };
    let null_test = match pair.as_slice() {
        [a, Node::Const(Bson::Null)] | [Node::Const(Bson::Null), a] => is_value(a),
        _ => false,
    };
    if !null_test {
        return None;
    }
    append_shape(otherwise).map(Shape::FirstOrAppend)
}

/// Appends the values of `rest` to the string `$$value` (at `value_at` in `vars`) when it is one; `false`
/// when it is not (nothing changed: the general path evaluates the body).
fn append(
    rest: &[Node],
    vars: &mut Vars,
    value_at: usize,
    root: &Document,
) -> Result<bool, CommandError> {
    if !matches!(vars.get_slot(value_at), Some(Bson::String(_))) {
        return Ok(false);
    }
    let mut parts = Vec::with_capacity(rest.len());
    for n in rest {
        parts.push(n.eval(root, vars)?);
    }
    if parts.iter().all(|p| matches!(p, Some(Bson::String(_)))) {
        if let Some(Bson::String(acc)) = vars.slot_mut(value_at) {
            let more = parts
                .iter()
                .map(|p| match p {
                    Some(Bson::String(s)) => s.len(),
                    _ => 0,
                })
                .fold(acc.len(), usize::saturating_add);
            crate::engine::limits::check_string("$concat", more)?;
            for p in &parts {
                if let Some(Bson::String(s)) = p {
                    acc.push_str(s);
                }
            }
        }
        return Ok(true);
    }
    // A null, missing or non-string part: `$concat`'s own answer (null, or its type error).
    let mut vals = super::Args::with_capacity(parts.len() + 1);
    vals.push(Some(vars.take_slot(value_at)));
    vals.extend(parts);
    if let Some(v) = vars.slot_mut(value_at) {
        *v = strings::eval(Op::Concat, &mut vals)?.unwrap_or(Bson::Null);
    }
    Ok(true)
}

/// Appends the arrays `rest` evaluates to onto the array `$$value` (at `value_at` in `vars`) when it is one;
/// `false` when it is not (nothing changed: the general path evaluates the body). `$concatArrays`' own
/// answer otherwise: null at the first null or missing part, its type error at the first other non-array.
fn append_arrays(
    rest: &[Node],
    vars: &mut Vars,
    value_at: usize,
    root: &Document,
) -> Result<bool, CommandError> {
    if !matches!(vars.get_slot(value_at), Some(Bson::Array(_))) {
        return Ok(false);
    }
    let mut parts = Vec::with_capacity(rest.len());
    for n in rest {
        parts.push(n.eval(root, vars)?);
    }
    for p in &parts {
        match p {
            None | Some(Bson::Null) | Some(Bson::Undefined) => {
                if let Some(v) = vars.slot_mut(value_at) {
                    *v = Bson::Null;
                }
                return Ok(true);
            }
            Some(Bson::Array(_)) => {}
            Some(other) => {
                return Err(super::err(
                    28664,
                    format!(
                        "$concatArrays only supports arrays, not {}",
                        crate::engine::bson_order::type_name(other)
                    ),
                ))
            }
        }
    }
    // What the general path bounds after each step: the value nests at most `MAX_BSON_DEPTH` deep, that is
    // each of its elements one less.
    let limit = crate::engine::limits::MAX_BSON_DEPTH - 1;
    if let Some(Bson::Array(acc)) = vars.slot_mut(value_at) {
        for p in parts {
            if let Some(Bson::Array(items)) = p {
                for it in items {
                    if crate::engine::limits::value_deeper_than(&it, limit) {
                        return Err(crate::engine::limits::too_deep());
                    }
                    acc.push(it);
                }
            }
        }
    }
    Ok(true)
}

/// Folds `body` over `items` from `initial`, `$$value` the running value and `$$this` the element.
pub(super) fn reduce(
    items: Vec<Bson>,
    initial: Bson,
    body: &Node,
    root: &Document,
    vars: &Vars,
) -> Result<Bson, CommandError> {
    if reduce_mode::is_mode_body(body) && reduce_mode::applies(&initial, items.len()) {
        return reduce_mode::run(items);
    }
    let shape = shape(body);
    let mut inner = vars.clone();
    let value_at = inner.push("value", initial);
    let this_at = inner.push("this", Bson::Null);
    for it in items {
        crate::engine::ops::check()?;
        if let Some(this) = inner.slot_mut(this_at) {
            *this = it;
        }
        let done = match &shape {
            Some(Shape::Append(rest) | Shape::FirstOrAppend(rest)) => {
                append(rest, &mut inner, value_at, root)?
            }
            Some(Shape::AppendArrays(rest)) => append_arrays(rest, &mut inner, value_at, root)?,
            None => false,
        };
        if !done {
            let v = body.eval(root, &inner)?.unwrap_or(Bson::Null);
            // The one expression that feeds its result back into itself: each step may nest the value
            // deeper, so it is bounded here, before a clone or comparison recurses through it.
            if crate::engine::limits::value_deeper_than(&v, crate::engine::limits::MAX_BSON_DEPTH) {
                return Err(crate::engine::limits::too_deep());
            }
            if let Some(value) = inner.slot_mut(value_at) {
                *value = v;
            }
        }
    }
    Ok(inner.take_slot(value_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::expr::Expr;
    use bson::{bson, doc};
    use proptest::prelude::*;

    /// The old loop: both variables bound anew per element, the body evaluated in full.
    fn reference(
        items: Vec<Bson>,
        initial: Bson,
        body: &Node,
        root: &Document,
        vars: &Vars,
    ) -> Result<Bson, CommandError> {
        let mut acc = initial;
        for it in items {
            let inner = vars.with("value", acc).with("this", it);
            acc = body.eval(root, &inner)?.unwrap_or(Bson::Null);
        }
        Ok(acc)
    }

    fn item() -> impl Strategy<Value = Bson> {
        prop_oneof![
            6 => "[a-c]{0,3}".prop_map(Bson::String),
            1 => Just(Bson::Null),
            1 => Just(Bson::Undefined),
            1 => (0i32..3).prop_map(Bson::Int32),
            2 => prop::collection::vec((0i32..3).prop_map(Bson::Int32), 0..3).prop_map(Bson::Array),
        ]
    }

    fn bodies() -> Vec<Bson> {
        vec![
            bson!({"$cond": [{"$eq": ["$$value", null]}, "$$this", {"$concat": ["$$value", {"$literal": ","}, "$$this"]}]}),
            bson!({"$cond": [{"$eq": [null, "$$value"]}, "$$this", {"$concat": ["$$value", "$$this", "$sep"]}]}),
            bson!({"$concat": ["$$value", "$$this"]}),
            bson!({"$concat": ["$$value", "-", {"$toUpper": "$$this"}]}),
            // Not the fast shapes: $$value read again.
            bson!({"$concat": ["$$value", "$$value"]}),
            bson!({"$concat": ["$$this", "$$value"]}),
            // The flattening bodies (ARRAY_AGG / STRING_AGG with FILTER, over a window).
            bson!({"$concatArrays": ["$$value", "$$this"]}),
            bson!({"$concatArrays": ["$$value", "$$this", [1]]}),
            bson!({"$concatArrays": ["$$value", "$$this", "$sep"]}),
            // Not the fast shape: $$value read again.
            bson!({"$concatArrays": ["$$value", "$$value"]}),
        ]
    }

    proptest! {
        /// The in-place loop gives what the old loop gives, errors included.
        #[test]
        fn reduce_is_the_old_loop(
            items in prop::collection::vec(item(), 0..12),
            initial in prop_oneof![Just(Bson::Null), Just(bson!("")), Just(bson!("x")), Just(bson!(1)), Just(bson!([])), Just(bson!([0]))],
            which in 0usize..10,
            sep in prop_oneof![Just(bson!(";")), Just(Bson::Null)],
        ) {
            let body = Expr::compile(&bodies()[which]).expect("compiles").node;
            let root = doc! {"sep": sep};
            let vars = Vars::new(bson::DateTime::from_millis(0));
            let fast = reduce(items.clone(), initial.clone(), &body, &root, &vars);
            let slow = reference(items, initial, &body, &root, &vars);
            prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
        }
    }

    #[test]
    fn array_agg_shape_appends_in_place_and_bounds_depth() {
        let body = Expr::compile(&bodies()[6]).expect("compiles").node;
        assert!(matches!(shape(&body), Some(Shape::AppendArrays(_))));
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let r = reduce(
            vec![bson!([1]), bson!([]), bson!([2, 3])],
            bson!([]),
            &body,
            &Document::new(),
            &vars,
        )
        .expect("reduces");
        assert_eq!(r, bson!([1, 2, 3]));
        // An element as deep as a value may be, then one level deeper: the fast path answers as the general
        // path (which bounds the whole value after each step) answers.
        let general =
            Expr::compile(&bson!({"$concatArrays": [{"$ifNull": ["$$value", []]}, "$$this"]}))
                .expect("compiles")
                .node;
        assert!(shape(&general).is_none());
        let mut deep = Bson::Int32(0);
        for _ in 0..crate::engine::limits::MAX_BSON_DEPTH - 1 {
            deep = Bson::Array(vec![deep]);
        }
        let run = |body: &Node, item: &Bson| {
            reduce(vec![item.clone()], bson!([]), body, &Document::new(), &vars)
        };
        let fits = Bson::Array(vec![deep.clone()]);
        assert!(run(&body, &fits).is_ok());
        assert_eq!(
            format!("{:?}", run(&body, &fits)),
            format!("{:?}", run(&general, &fits))
        );
        let deeper = Bson::Array(vec![Bson::Array(vec![deep])]);
        let e = run(&body, &deeper);
        assert_eq!(format!("{e:?}"), format!("{:?}", run(&general, &deeper)));
        assert!(e.is_err());
    }

    #[test]
    fn string_agg_shape_joins() {
        let body = Expr::compile(&bodies()[0]).expect("compiles").node;
        assert!(matches!(shape(&body), Some(Shape::FirstOrAppend(_))));
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let r = reduce(
            vec![bson!("a"), bson!("b"), bson!("c")],
            Bson::Null,
            &body,
            &Document::new(),
            &vars,
        )
        .expect("reduces");
        assert_eq!(r, bson!("a,b,c"));
    }
}
