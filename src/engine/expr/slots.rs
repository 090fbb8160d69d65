//! `$let` variables resolved at compile time: each `$let` binding of a compiled expression gets a slot of
//! one frame per evaluation, and each `$$name` that names it reads the slot by index. No scope is copied
//! per `$let`, no value is reference-counted per binding, no name is searched per read.
//!
//! Scoping is lexical, so a slot is written only by its own `$let` and read only inside that `$let`'s body:
//! a `$let` cannot be entered again while its body runs (expressions do not recurse), so overwriting a slot
//! never disturbs a reader, and a frame needs no saving or restoring between bindings.
//!
//! Also here, at the same pass: a variable bound to a constant is that constant where it is read (and the
//! operators it then makes constant are folded, where that cannot depend on the collation or fail), and a
//! variable bound to another `$let`'s variable reads that variable's slot (the translator's chains of
//! `$let`s rebind unchanged values level after level: `{ms: "$$ms", ...}`), and a variable bound to a field
//! path is that path where it is read (`$$j.a` is `$session_data.a`; `$$j` alone the field or null), read
//! in place by the operators that only look at it (`borrowed.rs`) instead of copied. A binding nothing reads any
//! more is dropped, and a `$let` with none left is its body.
//!
//! Names bound by `$map` / `$filter` (`as`) and `$reduce` (`$$this`, `$$value`), and the variables of the
//! enclosing command (`$lookup`'s `let`), stay looked up by name in [`Vars`]: they shadow a `$let` of the
//! same name inside their bodies as before.
//!
//! In: the compiled tree ([`super::compile_node`]); out: the resolved tree and its frame size. Depends on
//! `ops` (folding).

use super::{descend, Node, Op, Vars};
use bson::{Bson, Document};
use std::cell::RefCell;
use std::sync::Arc;

/// The slot of a binding that has none ([`SlotLet::vars`]): a read of the document ([`lent_read`]) evaluated
/// where the `$let` binds it only for its errors, its value read again where the variable is read.
pub(crate) const LENT: u32 = u32::MAX;

/// A `$let` whose variables live in frame slots.
#[derive(Debug, Clone)]
pub(crate) struct SlotLet {
    /// Each binding's slot and expression (evaluated in the enclosing scope; missing binds null), or
    /// [`LENT`] and the expression evaluated (lent, [`Node::value`]) for its errors alone.
    pub vars: Vec<(u32, Node)>,
    pub body: Node,
}

/// This thread's frames: the slots of every evaluation in progress (an expression evaluated while
/// another one runs gets the slots after the other's), and where the innermost one starts.
struct Frames {
    values: Vec<Bson>,
    base: usize,
}

thread_local! {
    static FRAMES: RefCell<Frames> = const { RefCell::new(Frames { values: Vec::new(), base: 0 }) };
}

/// A frame of `n` slots for one evaluation; the frame is given back when this is dropped (also on an
/// error).
pub(crate) struct FrameGuard {
    saved_base: usize,
    start: usize,
}

impl FrameGuard {
    /// Opens a frame of `n` null slots.
    pub(crate) fn open(n: usize) -> FrameGuard {
        FRAMES.with(|f| {
            let mut f = f.borrow_mut();
            let start = f.values.len();
            f.values.resize(start + n, Bson::Null);
            let saved_base = std::mem::replace(&mut f.base, start);
            FrameGuard { saved_base, start }
        })
    }
}

impl Drop for FrameGuard {
    fn drop(&mut self) {
        FRAMES.with(|f| {
            let mut f = f.borrow_mut();
            f.values.truncate(self.start);
            f.base = self.saved_base;
        })
    }
}

/// The value in slot `k` of the current frame, followed along `parts`.
pub(crate) fn read(k: u32, parts: &[String]) -> Option<Bson> {
    FRAMES.with(|f| {
        let f = f.borrow();
        f.values
            .get(f.base + k as usize)
            .and_then(|v| descend(v, parts))
    })
}

/// `f` of the value in slot `k` of the current frame followed along `parts`, lent where it is instead of
/// copied out as [`read`] does (a path through an array is computed, as `read` computes it): for the
/// operators that look at a part of a bound document (`$getField` of a `$let` variable, `$type`). `f` must
/// not read or write slots.
pub(crate) fn peek<R>(
    k: u32,
    parts: &[String],
    f: impl FnOnce(super::borrowed::Val<'_>) -> R,
) -> R {
    FRAMES.with(|frames| {
        let frames = frames.borrow();
        let v = frames
            .values
            .get(frames.base + k as usize)
            .and_then(|v| super::borrowed::descend_ref(v, parts));
        f(v)
    })
}

/// Whether [`read`] of slot `k` along `parts` is null, undefined or missing, found without copying the
/// value (a path through an array reads an array: not null).
pub(crate) fn nullish(k: u32, parts: &[String]) -> bool {
    FRAMES.with(|f| {
        let f = f.borrow();
        let Some(mut v) = f.values.get(f.base + k as usize) else {
            return true;
        };
        for part in parts {
            match v {
                Bson::Document(d) => match crate::engine::path::field(d, part) {
                    Some(x) => v = x,
                    None => return true,
                },
                Bson::Array(_) => return false,
                _ => return true,
            }
        }
        matches!(v, Bson::Null | Bson::Undefined)
    })
}

/// Writes slot `k` of the current frame.
pub(crate) fn write(k: u32, v: Bson) {
    let old = FRAMES.with(|f| {
        let mut f = f.borrow_mut();
        let at = f.base + k as usize;
        f.values.get_mut(at).map(|slot| std::mem::replace(slot, v))
    });
    // The old value is dropped outside the borrow.
    drop(old);
}

/// What a name means at a point of the tree.
#[derive(Clone)]
enum Binding {
    /// A `$let` variable in this slot.
    Slot(u32),
    /// A `$let` variable bound to this constant.
    Const(Bson),
    /// A `$let` variable bound to this field path of the document (`{j: "$session_data"}`).
    Field(Vec<String>),
    /// A `$let` variable bound to a read of the document ([`lent_read`]: `{c1: {$getField: {field:
    /// "shoppingCart", input: "$$c0"}}}`), read again where the variable is, never with a path under it.
    Lent(Node),
    /// Bound by `$map` / `$filter` / `$reduce`: looked up by name at run time.
    Dynamic,
    /// A `$let` variable bound to a `$map` / `$filter` / `$reduce` variable as it is (`{c3: "$$e2"}`): that
    /// name, looked up where the variable is read (`$$c3.a` is `$$e2.a`), its value lent, not copied.
    Alias(Arc<str>),
}

struct Resolver {
    scope: Vec<(Arc<str>, Binding)>,
    slots: u32,
}

impl Resolver {
    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, b)| b)
    }

    fn node(&mut self, node: Node) -> Node {
        match node {
            Node::Var(name, parts) => match self.lookup(&name) {
                Some(Binding::Slot(k)) => Node::Slot(*k, parts),
                Some(Binding::Const(v)) => match descend(v, &parts) {
                    Some(v) => Node::Const(v),
                    None => Node::Remove,
                },
                // The path read where the variable is: `$$j.a` is `$session_data.a`, `$$j` the field, null
                // when missing (a `$let` binds a missing value as null).
                Some(Binding::Field(path)) if parts.is_empty() => Node::Op(
                    Op::IfNull,
                    vec![Node::Field(path.clone()), Node::Const(Bson::Null)],
                ),
                Some(Binding::Field(path)) => {
                    Node::Field(path.iter().chain(parts.iter()).cloned().collect())
                }
                // A missing value binds null. (`let_` binds so only a name never read with a path.)
                Some(Binding::Lent(read)) if parts.is_empty() => {
                    Node::Op(Op::IfNull, vec![read.clone(), Node::Const(Bson::Null)])
                }
                Some(Binding::Lent(_)) => Node::Var(name, parts),
                Some(Binding::Alias(to)) => Node::Var(to.clone(), parts),
                Some(Binding::Dynamic) | None => Node::Var(name, parts),
            },
            Node::Doc(fields) => {
                Node::Doc(fields.into_iter().map(|(k, n)| (k, self.node(n))).collect())
            }
            Node::Arr(items) => Node::Arr(items.into_iter().map(|n| self.node(n)).collect()),
            Node::Op(op, args) => {
                let args: Vec<Node> = args.into_iter().map(|n| self.node(n)).collect();
                fold(op, args)
            }
            Node::Named(op, args) => self.named(op, args),
            Node::Let(l) => self.let_(*l),
            Node::SlotLet(l) => Node::SlotLet(l),
            Node::Switch(mut s) => {
                s.branches = std::mem::take(&mut s.branches)
                    .into_iter()
                    .map(|(c, t)| (self.node(c), self.node(t)))
                    .collect();
                s.default = s.default.take().map(|d| self.node(d));
                Node::Switch(s)
            }
            other @ (Node::Const(_)
            | Node::Remove
            | Node::Now
            | Node::Field(_)
            | Node::Root(_)
            | Node::Slot(..)
            | Node::Kernel(_)) => other,
        }
    }

    fn named(&mut self, op: Op, args: Vec<(String, Node)>) -> Node {
        let binds: Vec<Arc<str>> = match op {
            Op::Map | Op::Filter => {
                let name = match args.iter().find(|(k, _)| k == "as") {
                    Some((_, Node::Const(Bson::String(s)))) => s.as_str(),
                    _ => "this",
                };
                vec![super::intern(name)]
            }
            Op::Reduce => vec![super::intern("this"), super::intern("value")],
            _ => Vec::new(),
        };
        let body_arg = match op {
            Op::Map | Op::Reduce => "in",
            Op::Filter => "cond",
            _ => "",
        };
        let args = args
            .into_iter()
            .map(|(k, n)| {
                if k == body_arg {
                    let depth = self.scope.len();
                    for b in &binds {
                        self.scope.push((b.clone(), Binding::Dynamic));
                    }
                    let n = self.node(n);
                    self.scope.truncate(depth);
                    (k, n)
                } else {
                    let n = self.node(n);
                    (k, n)
                }
            })
            .collect();
        Node::Named(op, args)
    }

    fn let_(&mut self, l: super::Let) -> Node {
        // The values are resolved in the enclosing scope.
        let values: Vec<(Arc<str>, Node)> = l
            .vars
            .into_iter()
            .map(|(name, e)| (name, self.node(e)))
            .collect();
        let depth = self.scope.len();
        let mut kept = Vec::new();
        for (name, e) in values {
            let binding = match e {
                Node::Const(v) => Binding::Const(v),
                // A missing value binds null.
                Node::Remove => Binding::Const(Bson::Null),
                // Another `$let`'s variable, as it is: its slot (not written while this body runs).
                Node::Slot(k, parts) if parts.is_empty() => Binding::Slot(k),
                // A field path: read where the variable is read (no copy of the value into a slot). The
                // document does not change while the body runs.
                Node::Field(path) => Binding::Field(path),
                // A read of the document (`$getField` of a constant name from a field path or from such a
                // read): evaluated here for its errors only, lent, and read again, lent, where the
                // variable is (the value, a part of the document, is not copied into a slot). The
                // document does not change while the body runs, and such a read depends on nothing else,
                // so each read gives what the binding gave.
                // A `$map` / `$filter` / `$reduce` variable (always bound, so reading it cannot fail, and
                // never missing): that variable, read where this one is, unless something in the body binds
                // its name again by `$map` / `$filter` / `$reduce` (a `$let` binds no name at run time).
                Node::Var(to, parts)
                    if parts.is_empty()
                        && matches!(self.lookup(&to), Some(Binding::Dynamic))
                        && !rebinds(&l.body, &to) =>
                {
                    Binding::Alias(to)
                }
                e @ Node::Named(Op::GetField, _)
                    if lent_read(&e) && !read_with_path(&l.body, &name) =>
                {
                    kept.push((LENT, e.clone()));
                    Binding::Lent(e)
                }
                e => {
                    let k = self.slots;
                    self.slots += 1;
                    kept.push((k, e));
                    Binding::Slot(k)
                }
            };
            self.scope.push((name, binding));
        }
        let body = self.node(l.body);
        self.scope.truncate(depth);
        // A binding nothing reads is still evaluated: its evaluation may fail, as mongod's would.
        if kept.is_empty() {
            body
        } else {
            Node::SlotLet(Box::new(SlotLet { vars: kept, body }))
        }
    }
}

/// Whether `node`'s value is a read of the document alone, lent by [`Node::value`] and the same at every
/// evaluation: a constant, a field path, `$ifNull` of such reads, or `$getField` of a constant name from
/// such a read (the translator's JSON containment walks `{$getField: {field: {$literal: "items"}, input:
/// "$$c1"}}` level by level). No variable, no clock, nothing computed.
pub(crate) fn lent_read(node: &Node) -> bool {
    match node {
        Node::Const(_) | Node::Field(_) => true,
        Node::Op(Op::IfNull, args) => args.len() >= 2 && args.iter().all(lent_read),
        Node::Named(Op::GetField, args) => {
            args.len() == 2
                && matches!(
                    super::ops::named(args, "field"),
                    Some(Node::Const(Bson::String(_)))
                )
                && super::ops::named(args, "input").is_some_and(lent_read)
        }
        _ => false,
    }
}

/// Whether `node` reads the variable `name` with a path under it (`$$name.a`) anywhere (a conservative
/// test: a shadowing inner binding counts too).
fn read_with_path(node: &Node, name: &str) -> bool {
    match node {
        Node::Var(n, parts) => &**n == name && !parts.is_empty(),
        Node::Doc(fields) => fields.iter().any(|(_, n)| read_with_path(n, name)),
        Node::Named(_, fields) => fields.iter().any(|(_, n)| read_with_path(n, name)),
        Node::Arr(items) | Node::Op(_, items) => items.iter().any(|n| read_with_path(n, name)),
        Node::Let(l) => {
            l.vars.iter().any(|(_, n)| read_with_path(n, name)) || read_with_path(&l.body, name)
        }
        Node::SlotLet(l) => {
            l.vars.iter().any(|(_, n)| read_with_path(n, name)) || read_with_path(&l.body, name)
        }
        Node::Kernel(k) => read_with_path(&k.original, name),
        Node::Switch(s) => {
            s.branches
                .iter()
                .any(|(c, t)| read_with_path(c, name) || read_with_path(t, name))
                || s.default.as_ref().is_some_and(|d| read_with_path(d, name))
        }
        Node::Const(_)
        | Node::Remove
        | Node::Now
        | Node::Field(_)
        | Node::Root(_)
        | Node::Slot(..) => false,
    }
}

/// Whether `node` binds the run-time variable `name` anywhere: a `$map` / `$filter` whose `as` is it (or
/// not a constant), a `$reduce` when it is `this` or `value` (a conservative test).
fn rebinds(node: &Node, name: &str) -> bool {
    let here = match node {
        Node::Named(Op::Map | Op::Filter, args) => match super::ops::named(args, "as") {
            Some(Node::Const(Bson::String(s))) => s == name,
            None => name == "this",
            Some(_) => true,
        },
        Node::Named(Op::Reduce, _) => name == "this" || name == "value",
        _ => false,
    };
    here || match node {
        Node::Doc(fields) => fields.iter().any(|(_, n)| rebinds(n, name)),
        Node::Named(_, fields) => fields.iter().any(|(_, n)| rebinds(n, name)),
        Node::Arr(items) | Node::Op(_, items) => items.iter().any(|n| rebinds(n, name)),
        Node::Let(l) => l.vars.iter().any(|(_, n)| rebinds(n, name)) || rebinds(&l.body, name),
        Node::SlotLet(l) => l.vars.iter().any(|(_, n)| rebinds(n, name)) || rebinds(&l.body, name),
        Node::Kernel(k) => rebinds(&k.original, name),
        Node::Switch(s) => {
            s.branches
                .iter()
                .any(|(c, t)| rebinds(c, name) || rebinds(t, name))
                || s.default.as_ref().is_some_and(|d| rebinds(d, name))
        }
        Node::Const(_)
        | Node::Remove
        | Node::Now
        | Node::Field(_)
        | Node::Root(_)
        | Node::Var(..)
        | Node::Slot(..) => false,
    }
}

/// Resolves the `$let` variables of `node` to slots; returns the tree and the number of slots its
/// evaluation needs.
pub(crate) fn resolve(node: Node) -> (Node, usize) {
    let mut r = Resolver {
        scope: Vec::new(),
        slots: 0,
    };
    let node = r.node(node);
    (node, r.slots as usize)
}

/// Whether a constant may take part in a folded comparison: no string anywhere in it (a collation
/// would compare strings differently), and nothing nested.
fn collation_free(v: &Bson) -> bool {
    !matches!(
        v,
        Bson::String(_) | Bson::Symbol(_) | Bson::Array(_) | Bson::Document(_)
    )
}

/// The truthiness of a constant node (a missing value, [`Node::Remove`], is false); `None` for any other.
fn constant_truth(n: &Node) -> Option<bool> {
    match n {
        Node::Const(v) => Some(super::truthy(Some(v))),
        Node::Remove => Some(false),
        _ => None,
    }
}

/// `{op: args}`, computed now when every argument is a constant and the operator's value depends on
/// nothing else (no collation, no document, no clock) and it succeeds; an operator that fails keeps
/// failing where it is evaluated (it may be in a branch never taken).
fn fold(op: Op, mut args: Vec<Node>) -> Node {
    use Op::*;
    match op {
        // A constant test picks its branch (mongod's `$cond` optimisation): the other one is never
        // evaluated, so it can fail no more.
        Cond if args.len() == 3 => {
            if let Some(test) = constant_truth(&args[0]) {
                return args.swap_remove(if test { 1 } else { 2 });
            }
        }
        // Constants that do not decide a `$and` / `$or` go (they cannot fail); one that decides it ends it:
        // the arguments before it are still evaluated, in order, for their errors, those after it never
        // were.
        And | Or => {
            let decides = op == Or;
            if let Some(at) = args.iter().position(|a| constant_truth(a) == Some(decides)) {
                args.truncate(at + 1);
            }
            args.retain(|a| constant_truth(a) != Some(!decides));
            if args.is_empty() {
                return Node::Const(Bson::Boolean(!decides));
            }
            if let [only] = args.as_slice() {
                if constant_truth(only) == Some(decides) {
                    return Node::Const(Bson::Boolean(decides));
                }
            }
        }
        // A constant found by value in a constant list is in it under any collation (equal values compare
        // equal whatever the strings' collation).
        In if matches!(
            args.as_slice(),
            [Node::Const(x), Node::Const(Bson::Array(list))] if list.iter().any(|v| v == x)
        ) =>
        {
            return Node::Const(Bson::Boolean(true));
        }
        _ => {}
    }
    let consts: Option<Vec<&Bson>> = args
        .iter()
        .map(|n| match n {
            Node::Const(v) => Some(v),
            _ => None,
        })
        .collect();
    let Some(consts) = consts else {
        return Node::Op(op, args);
    };
    let pure = match op {
        Add | Subtract | Multiply | Divide | Mod | Abs | Ceil | Floor | Trunc | Round | Sqrt
        | Pow | Exp | Ln | Log10 | Log | And | Or | Not | Cond | IfNull | Concat | StrLenCP
        | StrLenBytes | SubstrCP | ToString | ToInt | ToLong | ToDouble | ToDecimal | ToBool
        | Type | IsNumber | IsArray | Size | ArrayElemAt => true,
        Eq | Ne | Gt | Gte | Lt | Lte | Cmp => consts.iter().all(|v| collation_free(v)),
        In => match consts.as_slice() {
            [x, Bson::Array(list)] => collation_free(x) && list.iter().all(collation_free),
            _ => false,
        },
        _ => false,
    };
    if !pure {
        return Node::Op(op, args);
    }
    let node = Node::Op(op, args);
    match node.eval(&Document::new(), &Vars::new(bson::DateTime::from_millis(0))) {
        Ok(Some(v)) => Node::Const(v),
        Ok(None) => Node::Remove,
        Err(_) => node,
    }
}
