//! The `$reduce` the SQL translator writes for MODE() WITHIN GROUP (`stats_agg.rs`, `mode_final`), folded
//! without evaluating its body per element. Over the sorted values it counts runs of equal values, a longer
//! run replacing the best:
//!
//! ```text
//! {$reduce: {input: <sorted>, initialValue: {b: null, bc: 0, c: null, cc: 0},
//!   in: {$let: {vars: {cc: {$cond: [{$and: [{$gt: ["$$value.cc", 0]}, {$eq: ["$$this", "$$value.c"]}]},
//!                                   {$add: ["$$value.cc", 1]}, 1]}},
//!               in: {b: {$cond: [{$gt: ["$$cc", "$$value.bc"]}, "$$this", "$$value.b"]},
//!                    bc: {$cond: [{$gt: ["$$cc", "$$value.bc"]}, "$$cc", "$$value.bc"]},
//!                    c: "$$this", cc: "$$cc"}}}}}
//! ```
//!
//! The general path builds that four-field document per element (two `$cond`s reading `$$value`'s fields,
//! a `$let` slot); here the counts are integers and the values stay in the input, the document is built once
//! at the end. Same result: the counts start at 0 and grow by one per element, so they are the `Int32`s
//! `$add` gives (the input has fewer than 2^31 elements, else the general path runs); equality is the
//! `$eq` of the general path ([`compare`], the active collation's); each step's document nests one level
//! deeper than its element, so an element deeper than the limit less one fails where the general path's
//! bound on the step's value fails. Any other body or initial value, and the body compiled without `$let`
//! slots, take the general path.
//!
//! In: the compiled body, the initial value and the items; out: the folded value, or `None` (not this
//! shape). Depends on `bson_order`, `limits`.

use super::{Node, Op};
use crate::engine::bson_order::compare;
use crate::engine::limits::{too_deep, value_deeper_than, MAX_BSON_DEPTH};
use crate::engine::CommandError;
use bson::{doc, Bson, Document};
use std::cmp::Ordering;

/// `$$name` (no path).
fn is_var(n: &Node, name: &str) -> bool {
    matches!(n, Node::Var(v, parts) if &**v == name && parts.is_empty())
}

/// `$$value.<field>`.
fn is_value_field(n: &Node, field: &str) -> bool {
    matches!(n, Node::Var(v, parts) if &**v == "value" && parts.len() == 1 && parts[0] == field)
}

/// `$$cc`: the `$let` slot `k`.
fn is_slot(n: &Node, k: u32) -> bool {
    matches!(n, Node::Slot(s, parts) if *s == k && parts.is_empty())
}

fn is_int(n: &Node, i: i32) -> bool {
    matches!(n, Node::Const(Bson::Int32(v)) if *v == i)
}

/// `{$op: [a, b]}` with `a` and `b` passing the tests.
fn binary(n: &Node, op: Op, a: impl Fn(&Node) -> bool, b: impl Fn(&Node) -> bool) -> bool {
    matches!(n, Node::Op(o, args) if *o == op && args.len() == 2 && a(&args[0]) && b(&args[1]))
}

/// `{$cond: [if, then, else]}` with the three passing the tests.
fn cond(
    n: &Node,
    test: impl Fn(&Node) -> bool,
    then: impl Fn(&Node) -> bool,
    otherwise: impl Fn(&Node) -> bool,
) -> bool {
    matches!(n, Node::Op(Op::Cond, args)
        if args.len() == 3 && test(&args[0]) && then(&args[1]) && otherwise(&args[2]))
}

/// The run length: `{$cond: [{$and: [{$gt: ["$$value.cc", 0]}, {$eq: ["$$this", "$$value.c"]}]},
/// {$add: ["$$value.cc", 1]}, 1]}`.
fn is_run(n: &Node) -> bool {
    let test = |t: &Node| {
        binary(
            t,
            Op::And,
            |g| binary(g, Op::Gt, |x| is_value_field(x, "cc"), |z| is_int(z, 0)),
            |e| binary(e, Op::Eq, |x| is_var(x, "this"), |y| is_value_field(y, "c")),
        )
    };
    let grown = |a: &Node| binary(a, Op::Add, |x| is_value_field(x, "cc"), |o| is_int(o, 1));
    cond(n, test, grown, |o| is_int(o, 1))
}

/// Whether `body` is the MODE fold (the module doc), its `$let` resolved to a slot.
pub(super) fn is_mode_body(body: &Node) -> bool {
    let Node::SlotLet(l) = body else {
        return false;
    };
    let [(k, run)] = l.vars.as_slice() else {
        return false;
    };
    let k = *k;
    if k == super::slots::LENT || !is_run(run) {
        return false;
    }
    let Node::Doc(fields) = &l.body else {
        return false;
    };
    let better = |t: &Node| binary(t, Op::Gt, |x| is_slot(x, k), |y| is_value_field(y, "bc"));
    match fields.as_slice() {
        [(b, b_of), (bc, bc_of), (c, c_of), (cc, cc_of)] => {
            b == "b"
                && cond(
                    b_of,
                    better,
                    |t| is_var(t, "this"),
                    |o| is_value_field(o, "b"),
                )
                && bc == "bc"
                && cond(
                    bc_of,
                    better,
                    |t| is_slot(t, k),
                    |o| is_value_field(o, "bc"),
                )
                && c == "c"
                && is_var(c_of, "this")
                && cc == "cc"
                && is_slot(cc_of, k)
        }
        _ => false,
    }
}

/// The fold's initial value: `{b: null, bc: 0, c: null, cc: 0}`.
fn is_start(initial: &Bson) -> bool {
    let Bson::Document(d) = initial else {
        return false;
    };
    let mut it = d.iter();
    matches!(
        (it.next(), it.next(), it.next(), it.next(), it.next()),
        (
            Some((b, Bson::Null)),
            Some((bc, Bson::Int32(0))),
            Some((c, Bson::Null)),
            Some((cc, Bson::Int32(0))),
            None
        ) if b == "b" && bc == "bc" && c == "c" && cc == "cc"
    )
}

/// Whether the fold of `len` items from `initial` by the MODE body ([`is_mode_body`]) is [`run`]'s: `initial`
/// is the fold's start and the counts fit an `Int32`.
pub(super) fn applies(initial: &Bson, len: usize) -> bool {
    is_start(initial) && i32::try_from(len).is_ok()
}

/// The fold itself (see the module doc; when [`applies`]): the best run's value and length, the last value
/// and its run's.
pub(super) fn run(mut items: Vec<Bson>) -> Result<Bson, CommandError> {
    // Indices into `items` of the best run's value and of the last element; the counts as `$add` makes them.
    let mut best: Option<usize> = None;
    let mut bc: i32 = 0;
    let mut cc: i32 = 0;
    for i in 0..items.len() {
        crate::engine::ops::check()?;
        let this = &items[i];
        // The step's document holds `this` one level down (as `c`, and `b` when it is the best).
        if value_deeper_than(this, MAX_BSON_DEPTH - 1) {
            return Err(too_deep());
        }
        let same = cc > 0 && i > 0 && compare(this, &items[i - 1]) == Ordering::Equal;
        cc = if same { cc + 1 } else { 1 };
        if cc > bc {
            best = Some(i);
            bc = cc;
        }
    }
    let Some(last) = items.len().checked_sub(1) else {
        return Ok(Bson::Document(
            doc! {"b": Bson::Null, "bc": 0, "c": Bson::Null, "cc": 0},
        ));
    };
    let c = std::mem::take(&mut items[last]);
    let b = match best {
        Some(i) if i == last => c.clone(),
        Some(i) => std::mem::take(&mut items[i]),
        None => Bson::Null,
    };
    let mut out = Document::new();
    out.insert("b", b);
    out.insert("bc", bc);
    out.insert("c", c);
    out.insert("cc", cc);
    Ok(Bson::Document(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::expr::{Expr, Vars};
    use bson::bson;
    use proptest::prelude::*;

    /// The translator's MODE fold (`stats_agg.rs`) over `$items`, from `initial`.
    fn mode_fold(initial: Bson) -> Bson {
        fold_by(initial, "$gt")
    }

    /// [`mode_fold`] whose `b` is replaced by `$cond: [{<better>: ["$$cc", "$$value.bc"]}, ...]`.
    fn fold_by(initial: Bson, better: &str) -> Bson {
        bson!({"$reduce": {"input": "$items", "initialValue": initial,
            "in": {"$let": {"vars": {"cc": {"$cond": [
                    {"$and": [{"$gt": ["$$value.cc", 0]}, {"$eq": ["$$this", "$$value.c"]}]},
                    {"$add": ["$$value.cc", 1]}, 1]}},
                "in": {"b": {"$cond": [{better: ["$$cc", "$$value.bc"]}, "$$this", "$$value.b"]},
                       "bc": {"$cond": [{"$gt": ["$$cc", "$$value.bc"]}, "$$cc", "$$value.bc"]},
                       "c": "$$this", "cc": "$$cc"}}}}})
    }

    fn start() -> Bson {
        bson!({"b": null, "bc": 0, "c": null, "cc": 0})
    }

    /// The `in` body of a compiled `$reduce`.
    fn body_of(e: &Expr) -> &Node {
        let Node::Named(Op::Reduce, args) = &e.node else {
            panic!("not a $reduce: {:?}", e.node);
        };
        args.iter()
            .find(|(n, _)| n == "in")
            .map(|(_, b)| b)
            .expect("an in")
    }

    /// Values whose equality the fold tests: numbers equal across types, strings equal under a
    /// case-insensitive collation, null, arrays, documents.
    fn item() -> impl Strategy<Value = Bson> {
        prop_oneof![
            3 => (0i32..3).prop_map(Bson::Int32),
            2 => (0i64..3).prop_map(Bson::Int64),
            2 => (0i32..3).prop_map(|i| Bson::Double(f64::from(i))),
            1 => Just(Bson::Double(f64::NAN)),
            3 => "[aAb]{1,2}".prop_map(Bson::String),
            1 => Just(Bson::Null),
            1 => prop::collection::vec((0i32..2).prop_map(Bson::Int32), 0..2).prop_map(Bson::Array),
            1 => (0i32..2).prop_map(|i| bson!({"x": i})),
        ]
    }

    fn eval(e: &Expr, items: &[Bson]) -> String {
        let root = doc! {"items": items.to_vec()};
        let vars = Vars::new(bson::DateTime::from_millis(0));
        format!("{:?}", e.eval(&root, &vars))
    }

    proptest! {
        /// The fold gives what the general evaluation of the body gives (compiled without slots, so the fast
        /// path cannot take it), sorted or not, under the simple and a case-insensitive collation; any other
        /// initial value takes the general path in both.
        #[test]
        fn mode_fold_is_the_general_path(
            mut items in prop::collection::vec(item(), 0..14),
            sorted in any::<bool>(),
            collated in any::<bool>(),
            other_start in prop_oneof![8 => Just(None), 1 => Just(Some(bson!({"b": null, "bc": 1, "c": null, "cc": 0}))), 1 => Just(Some(Bson::Null))],
        ) {
            let c = collated.then(|| {
                crate::engine::collation::Collation::parse_doc(&doc! {"locale": "en_US", "strength": 2})
                    .expect("collation")
            }).flatten();
            let _scope = crate::engine::collation::enter(c);
            if sorted {
                items.sort_by(crate::engine::bson_order::compare);
            }
            let spec = mode_fold(other_start.clone().unwrap_or_else(start));
            let fast = Expr::compile(&spec).expect("compiles");
            prop_assert!(is_mode_body(body_of(&fast)));
            let general = Expr::compile_unresolved(&spec).expect("compiles");
            prop_assert!(!is_mode_body(body_of(&general)));
            prop_assert_eq!(eval(&fast, &items), eval(&general, &items));
        }
    }

    /// The fast path is taken for the translator's body and gives the mode's run counts; a body that
    /// differs in one place (`$gte` for `$gt`: ties keep the last run) is not taken for it.
    #[test]
    fn mode_fold_shape() {
        let e = Expr::compile(&mode_fold(start())).expect("compiles");
        assert!(is_mode_body(body_of(&e)));
        let items = [bson!(1), bson!(2), bson!(2), bson!(3), bson!(3), bson!(4)];
        assert_eq!(
            eval(&e, &items),
            format!(
                "{:?}",
                Ok::<_, CommandError>(Some(bson!({"b": 2, "bc": 2, "c": 4, "cc": 1})))
            )
        );
        let e = Expr::compile(&fold_by(start(), "$gte")).expect("compiles");
        assert!(!is_mode_body(body_of(&e)));
        // A deep element fails as the general path's bound on the step's value does.
        let mut deep = Bson::Int32(0);
        for _ in 0..MAX_BSON_DEPTH - 1 {
            deep = Bson::Array(vec![deep]);
        }
        let fast = Expr::compile(&mode_fold(start())).expect("compiles");
        let general = Expr::compile_unresolved(&mode_fold(start())).expect("compiles");
        for d in [deep.clone(), Bson::Array(vec![deep])] {
            let items = [bson!(1), d];
            assert_eq!(eval(&fast, &items), eval(&general, &items));
        }
    }
}
