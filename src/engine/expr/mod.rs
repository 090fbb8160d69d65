//! Aggregation expressions (`$add`, `$cond`, `$dateAdd`, field paths, `$$NOW`, ...): compiled once from their
//! document form into a tree, then evaluated per document.
//!
//! Contract (docs/architecture.md): `Expr::compile(&Bson) -> Result<Expr, CommandError>` and
//! `Expr::eval(&self, &Document, &Vars) -> Result<Option<Bson>, CommandError>` where `None` means *missing*.
//! Operator families live in their own files: `arith` (arithmetic, math, comparison, logic, conditionals),
//! `strings`, `dates`, `convert` (types and conversions), `arrays` (arrays, sets, objects).
//! Depends on `bson`, `numeric`, `bson_order`, `path`, chrono and regex.

mod arith;
mod arrays;
mod borrowed;
#[cfg(test)]
mod compiled_tests;
mod condition;
#[cfg(test)]
mod condition_tests;
mod convert;
mod date_format;
mod dates;
mod doc_fields;
mod kernel;
#[cfg(test)]
mod kernel_tests;
#[cfg(test)]
mod lent_tests;
mod ops;
mod reduce;
mod reduce_mode;
mod scalar;
#[cfg(test)]
mod scalar_tests;
mod slots;
#[cfg(test)]
mod slots_tests;
mod sorted_map;
#[cfg(test)]
mod sorted_map_tests;
mod strings;
#[cfg(test)]
mod strings_tests;
#[cfg(test)]
mod tests;
mod wildcard;

use super::CommandError;
use bson::{Bson, Document};
pub use ops::Op;
use std::sync::Arc;

/// How many operator arguments are evaluated into an inline array before spilling to the heap: every
/// fixed-arity operator fits (`$indexOf*` takes the most, four), and so do most `$add` / `$concat` lists.
pub(crate) const INLINE_ARGS: usize = 4;

/// The evaluated arguments of an operator (missing ones `None`).
pub(crate) type Args = smallvec::SmallVec<[Option<Bson>; INLINE_ARGS]>;

/// Variables visible to an expression: `$$NOW`, and `$let` / `$lookup` `let` bindings.
#[derive(Debug, Clone)]
pub struct Vars {
    /// The value of `$$NOW` for the whole command (fixed per command, like mongod).
    pub now: bson::DateTime,
    /// User variables (`$$name`), one binding per name. Values are shared: a scope (`$let`, `$map`, a `$reduce` body)
    /// copies the list of bindings, never the values, so a `$$s` bound to a big array costs nothing per step.
    user: Vec<(Arc<str>, Arc<Bson>)>,
    /// The memory limits the command's blocking stages run under (and whether they may spill).
    pub memory: crate::engine::memory::MemoryPolicy,
}

impl Vars {
    /// Variables for a command started at `now` (default memory limits).
    pub fn new(now: bson::DateTime) -> Self {
        Vars {
            now,
            user: Vec::new(),
            memory: Default::default(),
        }
    }

    /// The binding of `name`.
    pub fn get(&self, name: &str) -> Option<&Bson> {
        self.user
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| &**v)
    }

    /// The binding of an interned `name` ([`intern`]): found by pointer when the scope bound the same
    /// interned name (the usual case), else by text.
    pub(crate) fn get_shared(&self, name: &Arc<str>) -> Option<&Bson> {
        self.user
            .iter()
            .rev()
            .find(|(n, _)| Arc::ptr_eq(n, name))
            .or_else(|| self.user.iter().rev().find(|(n, _)| **n == **name))
            .map(|(_, v)| &**v)
    }

    /// A copy with `name` bound to `value` (the other values are shared, not copied).
    pub fn with(&self, name: &str, value: Bson) -> Vars {
        let mut v = self.clone();
        v.push(name, value);
        v
    }

    /// Binds `name` to `value` in this scope (innermost); returns the binding's slot for [`Vars::slot_mut`].
    ///
    /// A name bound already is rebound in place: a scope is a copy of its parent's bindings, so the parent keeps
    /// its value, and each name has one binding here (the translator's chains of `$let`s that rebind the same
    /// names level after level keep a short list, not one entry per level).
    pub fn push(&mut self, name: &str, value: Bson) -> usize {
        self.push_shared(&intern(name), value)
    }

    /// [`Vars::push`] with a name shared with the compiled expression (no copy of the name when it is new here).
    pub(crate) fn push_shared(&mut self, name: &Arc<str>, value: Bson) -> usize {
        // One binding per name: an interned name is found by pointer (no text compared per binding).
        let at = self.user.iter().position(|(n, _)| Arc::ptr_eq(n, name));
        if let Some(slot) = at.or_else(|| self.user.iter().position(|(n, _)| **n == **name)) {
            self.user[slot].1 = Arc::new(value);
            return slot;
        }
        self.user.push((name.clone(), Arc::new(value)));
        self.user.len() - 1
    }

    /// The value in `slot` (from [`Vars::push`]), to update in place: copied first only if a scope still
    /// shares it.
    pub(crate) fn slot_mut(&mut self, slot: usize) -> Option<&mut Bson> {
        self.user.get_mut(slot).map(|(_, v)| Arc::make_mut(v))
    }

    /// The value in `slot`.
    pub(crate) fn get_slot(&self, slot: usize) -> Option<&Bson> {
        self.user.get(slot).map(|(_, v)| &**v)
    }

    /// The value in `slot`, taken out (left null).
    pub(crate) fn take_slot(&mut self, slot: usize) -> Bson {
        self.slot_mut(slot)
            .map(std::mem::take)
            .unwrap_or(Bson::Null)
    }
}

/// The shared copy of a variable name: compiled `$let` names and `$$name` references, and the names scopes
/// bind, are interned per thread (up to 4,096 names; past that a fresh copy, still compared by text), so a
/// scope finds a binding by pointer instead of comparing names.
pub(crate) fn intern(name: &str) -> Arc<str> {
    thread_local! {
        static NAMES: std::cell::RefCell<std::collections::HashSet<Arc<str>>> = Default::default();
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some(n) = names.get(name) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(name);
        if names.len() < 4096 {
            names.insert(n.clone());
        }
        n
    })
}

/// A compiled expression node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Const(Bson),
    Remove,
    Now,
    Field(Vec<String>),
    Root(Vec<String>),
    /// `$$name.path`: a user variable (the name interned, [`intern`]).
    Var(Arc<str>, Vec<String>),
    /// A literal document (its keys' template with it, [`doc_fields`]).
    Doc(doc_fields::DocFields),
    Arr(Vec<Node>),
    Op(Op, Vec<Node>),
    Named(Op, Vec<(String, Node)>),
    /// `$let`, its named arguments taken apart at compile time.
    Let(Box<Let>),
    /// `$switch`, its named arguments taken apart at compile time.
    Switch(Box<Switch>),
    /// `$$name.path` where `name` is a `$let` variable of the same expression: slot `.0` of the evaluation's
    /// frame ([`slots`]).
    Slot(u32, Vec<String>),
    /// A `$let` whose variables live in frame slots ([`slots`]).
    SlotLet(Box<slots::SlotLet>),
    /// An arithmetic subtree compiled to register code ([`kernel`]), with the subtree itself.
    Kernel(Box<kernel::Kernel>),
}

/// A compiled `$let`: each variable's expression is evaluated in the enclosing scope (a missing value binds
/// null), then the body in a scope with all of them bound.
#[derive(Debug, Clone)]
pub(crate) struct Let {
    /// The bindings in their order; the names are shared with the scopes that bind them (no copy per
    /// evaluation).
    pub vars: Vec<(Arc<str>, Node)>,
    pub body: Node,
}

/// A compiled `$switch`: the first branch whose `case` is truthy gives the value, else `default` (an
/// error when there is none).
#[derive(Debug, Clone)]
pub(crate) struct Switch {
    pub branches: Vec<(Node, Node)>,
    pub default: Option<Node>,
}

/// A compiled aggregation expression.
#[derive(Debug, Clone)]
pub struct Expr {
    node: Node,
    /// How many `$let` slots an evaluation's frame needs ([`slots`]).
    slots: usize,
}

pub(crate) fn err(code: i32, msg: impl Into<String>) -> CommandError {
    CommandError::location(code, msg)
}

fn compile_string(s: &str) -> Result<Node, CommandError> {
    if let Some(var) = s.strip_prefix("$$") {
        let mut parts = var.split('.');
        let name = parts.next().unwrap_or_default();
        let rest: Vec<String> = parts.map(str::to_string).collect();
        if rest.iter().any(|p| p.is_empty()) {
            return Err(err(
                15998,
                format!("FieldPath field names may not be empty strings: '{s}'"),
            ));
        }
        return Ok(match name {
            "NOW" => Node::Now,
            "REMOVE" => Node::Remove,
            "ROOT" | "CURRENT" => Node::Root(rest),
            "" => return Err(err(16869, "empty variable name")),
            n if n.starts_with(|c: char| c.is_ascii_lowercase() || !c.is_ascii()) => {
                Node::Var(intern(n), rest)
            }
            n => return Err(err(17276, format!("Use of undefined variable: {n}"))),
        });
    }
    if let Some(path) = s.strip_prefix('$') {
        if path.is_empty() || path.split('.').any(|p| p.is_empty() || p.starts_with('$')) {
            return Err(err(16872, format!("'{s}' is not a valid field path")));
        }
        return Ok(Node::Field(path.split('.').map(str::to_string).collect()));
    }
    Ok(Node::Const(Bson::String(s.to_string())))
}

pub(crate) fn compile_node(spec: &Bson) -> Result<Node, CommandError> {
    match spec {
        Bson::String(s) => compile_string(s),
        Bson::Array(items) => {
            let items: Vec<Node> = items.iter().map(compile_node).collect::<Result<_, _>>()?;
            // An array of constants is a constant (its evaluation builds the same array every time).
            if items.iter().all(|n| matches!(n, Node::Const(_))) {
                let values = items
                    .into_iter()
                    .filter_map(|n| match n {
                        Node::Const(v) => Some(v),
                        _ => None,
                    })
                    .collect();
                return Ok(Node::Const(Bson::Array(values)));
            }
            Ok(Node::Arr(items))
        }
        Bson::Document(d) => {
            let Some((first, arg)) = d.iter().next() else {
                return Ok(Node::Const(Bson::Document(Document::new())));
            };
            if first.starts_with('$') {
                if d.len() != 1 {
                    return Err(err(
                        15983,
                        format!(
                            "An object representing an expression must have exactly one field: {d}"
                        ),
                    ));
                }
                if first == "$literal" {
                    return Ok(Node::Const(arg.clone()));
                }
                return ops::compile_op(first, arg);
            }
            let mut fields = Vec::with_capacity(d.len());
            for (k, v) in d {
                if k.starts_with('$') {
                    return Err(err(
                        16410,
                        format!("FieldPath field names may not start with '$': '{k}'"),
                    ));
                }
                if k.contains('.') {
                    return Err(err(
                        16412,
                        format!("FieldPath field names may not contain '.': '{k}'"),
                    ));
                }
                fields.push((k.clone(), compile_node(v)?));
            }
            // A document of constants is a constant (`{months: 0, days: 1, micros: 0}`): built once, not per
            // evaluation. A constant is never missing, so no field would have been left out.
            if fields.iter().all(|(_, n)| matches!(n, Node::Const(_))) {
                let mut out = Document::new();
                for (k, n) in fields {
                    if let Node::Const(v) = n {
                        out.insert(k, v);
                    }
                }
                return Ok(Node::Const(Bson::Document(out)));
            }
            Ok(Node::Doc(doc_fields::DocFields::new(fields)))
        }
        other => Ok(Node::Const(other.clone())),
    }
}

/// A copy of `v`: a number, boolean or null copied here (the values a plan's arithmetic passes around),
/// anything else by `Bson::clone` (out of line, through every variant).
#[inline]
/// The value of the field path `parts` in `root` as `$a.b` gives it, by reference where it lies in
/// documents (an array on the way gives a new array, as evaluating the path does).
pub(crate) fn path_value<'a>(root: &'a Document, parts: &[String]) -> borrowed::Val<'a> {
    borrowed::field_ref(root, parts)
}

/// The value at the field path `rest` inside `v` (`v` itself for an empty path), as [`path_value`] reads the
/// rest of a path whose first field's value is `v`.
pub(crate) fn value_at<'a>(v: &'a Bson, rest: &[String]) -> borrowed::Val<'a> {
    borrowed::descend_ref(v, rest)
}

/// Whether a value read by [`path_value`] is null for `$ifNull` (missing, null or undefined).
pub(crate) fn is_nullish(v: Option<&Bson>) -> bool {
    matches!(v, None | Some(Bson::Null) | Some(Bson::Undefined))
}

pub(crate) fn copy_value(v: &Bson) -> Bson {
    match v {
        Bson::Int32(i) => Bson::Int32(*i),
        Bson::Int64(i) => Bson::Int64(*i),
        Bson::Double(d) => Bson::Double(*d),
        Bson::Boolean(b) => Bson::Boolean(*b),
        Bson::Null => Bson::Null,
        other => other.clone(),
    }
}

fn descend(v: &Bson, rest: &[String]) -> Option<Bson> {
    let Some((part, tail)) = rest.split_first() else {
        return Some(copy_value(v));
    };
    match v {
        Bson::Document(d) => descend(crate::engine::path::field(d, part)?, tail),
        Bson::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                if matches!(item, Bson::Document(_) | Bson::Array(_)) {
                    if let Some(x) = descend(item, rest) {
                        out.push(x);
                    }
                }
            }
            Some(Bson::Array(out))
        }
        _ => None,
    }
}

fn field(doc: &Document, parts: &[String]) -> Option<Bson> {
    let (first, rest) = parts.split_first()?;
    let v = crate::engine::path::field(doc, first)?;
    if rest.is_empty() {
        return Some(v.clone());
    }
    descend(v, rest)
}

// The arms of `Node::eval` that build or hold much on the stack (a document, an array, a scope with its
// values, a `$switch`) are evaluated out of line: `Node::eval` recurses once per node, and the frame it
// needs is the largest of its arms' once inlined (2.3 KB), which every constant, field and operator node
// paid for.

#[inline(never)]
fn eval_arr(items: &[Node], root: &Document, vars: &Vars) -> Result<Option<Bson>, CommandError> {
    let mut out = Vec::with_capacity(items.len());
    for n in items {
        out.push(n.eval(root, vars)?.unwrap_or(Bson::Null));
    }
    Ok(Some(Bson::Array(out)))
}

#[inline(never)]
fn eval_let(l: &Let, root: &Document, vars: &Vars) -> Result<Option<Bson>, CommandError> {
    let mut inner = vars.clone();
    for (name, e) in &l.vars {
        let v = e.eval(root, vars)?.unwrap_or(Bson::Null);
        inner.push_shared(name, v);
    }
    // The translator's plans chain `$let`s (an `age()` is a dozen levels rebinding nine names),
    // often through a `$cond`: a `$let` in tail position binds into this scope, already a copy of
    // the enclosing one, instead of copying it again. Its values are computed first, in the scope
    // as it is, then bound: what a copy would see.
    let mut body = &l.body;
    loop {
        match body {
            Node::Let(next) => {
                let mut values: smallvec::SmallVec<[Bson; 4]> = smallvec::SmallVec::new();
                for (_, e) in &next.vars {
                    values.push(e.eval(root, &inner)?.unwrap_or(Bson::Null));
                }
                for ((name, _), v) in next.vars.iter().zip(values) {
                    inner.push_shared(name, v);
                }
                body = &next.body;
            }
            Node::Op(Op::Cond, args) if args.len() == 3 => {
                let c = args[0].truthy_value(root, &inner)?;
                body = &args[if c { 1 } else { 2 }];
            }
            _ => return body.eval(root, &inner),
        }
    }
}

#[inline(never)]
fn eval_switch(s: &Switch, root: &Document, vars: &Vars) -> Result<Option<Bson>, CommandError> {
    for (case, then) in &s.branches {
        if case.truthy_value(root, vars)? {
            return then.eval(root, vars);
        }
    }
    match &s.default {
        Some(d) => d.eval(root, vars),
        None => Err(err(
            40066,
            "$switch could not find a matching branch for an input, and no default was specified.",
        )),
    }
}

impl Node {
    pub(crate) fn eval(&self, root: &Document, vars: &Vars) -> Result<Option<Bson>, CommandError> {
        Ok(match self {
            Node::Const(v) => Some(copy_value(v)),
            Node::Remove => None,
            Node::Now => Some(Bson::DateTime(vars.now)),
            Node::Field(parts) => field(root, parts),
            Node::Root(parts) => {
                if parts.is_empty() {
                    Some(Bson::Document(root.clone()))
                } else {
                    field(root, parts)
                }
            }
            Node::Var(name, parts) => {
                let v = vars
                    .get_shared(name)
                    .ok_or_else(|| err(17276, format!("Use of undefined variable: {name}")))?;
                descend(v, parts)
            }
            // The arms that compute through a call return its result as it is (not taken apart and wrapped
            // again: a copy of the result per node evaluated).
            Node::Doc(fields) => return fields.eval(root, vars),
            Node::Arr(items) => return eval_arr(items, root, vars),
            // Arithmetic on numbers and dates: computed on small values (`scalar.rs`).
            Node::Op(op, args) if scalar::computes(*op) && borrowed::lending() => {
                return scalar::op(*op, args, root, vars)
            }
            Node::Op(op, args) => return ops::eval_op(*op, args, root, vars),
            Node::Named(op, args) => return ops::eval_named(*op, args, root, vars),
            Node::Let(l) => return eval_let(l, root, vars),
            Node::Slot(k, parts) => slots::read(*k, parts),
            Node::SlotLet(l) => {
                for (k, e) in &l.vars {
                    if *k == slots::LENT {
                        // Read again where the variable is read: evaluated here for its errors.
                        e.value(root, vars)?;
                        continue;
                    }
                    let v = e.eval(root, vars)?.unwrap_or(Bson::Null);
                    slots::write(*k, v);
                }
                return l.body.eval(root, vars);
            }
            Node::Switch(s) => return eval_switch(s, root, vars),
            Node::Kernel(k) => return k.eval(root, vars),
        })
    }
}

impl Expr {
    /// Compiles an expression from its document form, validating operators and arities.
    pub fn compile(spec: &Bson) -> Result<Expr, CommandError> {
        let (node, slots) = slots::resolve(compile_node(spec)?);
        Ok(Expr {
            node: kernel::kernelize(node),
            slots,
        })
    }

    /// [`compile`](Self::compile) without resolving `$let` variables to slots (every variable looked up
    /// by name, nothing propagated): the general evaluation the resolved one is held equal to.
    #[cfg(test)]
    pub(crate) fn compile_unresolved(spec: &Bson) -> Result<Expr, CommandError> {
        Ok(Expr {
            node: compile_node(spec)?,
            slots: 0,
        })
    }

    /// Evaluates against `root` (`$$ROOT`/`$$CURRENT`); `Ok(None)` means the result is missing.
    pub fn eval(&self, root: &Document, vars: &Vars) -> Result<Option<Bson>, CommandError> {
        // A whole expression compiled to register code needs no frame unless it bails.
        if let Node::Kernel(k) = &self.node {
            if !k.reads_frame {
                if let Some(out) = k.try_run(root, vars) {
                    return Ok(out.into_bson());
                }
                let _frame = slots::FrameGuard::open(self.slots);
                return k.original.eval(root, vars);
            }
        }
        if self.slots == 0 {
            return self.node.eval(root, vars);
        }
        let _frame = slots::FrameGuard::open(self.slots);
        self.node.eval(root, vars)
    }

    /// Whether the value is truthy (mongod's truthiness, [`truthy`]), a condition answered as a bool
    /// without building its value (`condition.rs`). Same verdict and errors as `truthy(eval(..))`.
    pub fn eval_truthy(&self, root: &Document, vars: &Vars) -> Result<bool, CommandError> {
        if self.slots == 0 {
            return self.node.truthy_value(root, vars);
        }
        let _frame = slots::FrameGuard::open(self.slots);
        self.node.truthy_value(root, vars)
    }

    /// The value of a plain top-level field path `$a` by reference, without cloning it: `Some(value)` (the
    /// inner `None` for a missing field) when the expression is one, `None` for any other expression (then
    /// [`eval`](Self::eval) must be used). Same result as `eval`.
    pub fn eval_top_field<'a>(&self, root: &'a Document) -> Option<Option<&'a Bson>> {
        match &self.node {
            Node::Field(parts) if parts.len() == 1 => {
                Some(crate::engine::path::field(root, &parts[0]))
            }
            _ => None,
        }
    }

    /// Whether evaluating the expression can neither fail nor depend on anything but the document: a
    /// constant, a field path, `$$ROOT` / `$$CURRENT` (and paths under them). Such an expression's value may
    /// be left uncomputed where it would be thrown away (a `$first` past its group's first document).
    pub fn is_plain_read(&self) -> bool {
        matches!(self.node, Node::Const(_) | Node::Field(_) | Node::Root(_))
    }

    /// Whether the expression is `$$ROOT` / `$$CURRENT` itself: the whole document, no path under it.
    pub fn is_whole_root(&self) -> bool {
        matches!(&self.node, Node::Root(parts) if parts.is_empty())
    }

    /// The field name when the expression is a plain top-level field path `$a` (no dot).
    pub fn top_field(&self) -> Option<&str> {
        match &self.node {
            Node::Field(parts) if parts.len() == 1 => Some(&parts[0]),
            _ => None,
        }
    }

    /// The value when the expression is a constant (what [`eval`](Self::eval) always returns).
    pub fn constant(&self) -> Option<&Bson> {
        match &self.node {
            Node::Const(v) => Some(v),
            _ => None,
        }
    }

    /// The field path's parts when the expression is a plain `$a.b` (`["a", "b"]`).
    pub(crate) fn field_parts(&self) -> Option<&[String]> {
        match &self.node {
            Node::Field(p) => Some(p),
            _ => None,
        }
    }

    /// When the expression is the translator's NULL test of a field path,
    /// `{$cond: [{$eq: [{$ifNull: ["$a.b", null]}, null]}, t, e]}` (or `$ne` with the branches the other
    /// way) with constant branches: the path's parts, the value when the path's value is null or missing
    /// (or undefined), and the value otherwise. What [`eval`](Self::eval) gives, read as
    /// `if path_nullish(parts) { t } else { e }`.
    pub(crate) fn null_flag(&self) -> Option<(&[String], &Bson, &Bson)> {
        let Node::Op(Op::Cond, args) = &self.node else {
            return None;
        };
        let [Node::Op(op @ (Op::Eq | Op::Ne), test), Node::Const(t), Node::Const(e)] =
            args.as_slice()
        else {
            return None;
        };
        let [Node::Op(Op::IfNull, pair), Node::Const(Bson::Null)] = test.as_slice() else {
            return None;
        };
        let [Node::Field(parts), Node::Const(Bson::Null)] = pair.as_slice() else {
            return None;
        };
        Some(match op {
            Op::Eq => (parts, t, e),
            _ => (parts, e, t),
        })
    }

    /// The field path when the expression is a plain `$a.b`.
    pub fn field_path(&self) -> Option<String> {
        match &self.node {
            Node::Field(p) => Some(p.join(".")),
            _ => None,
        }
    }
}

/// mongod's truthiness.
pub fn truthy(v: Option<&Bson>) -> bool {
    match v {
        None | Some(Bson::Null) | Some(Bson::Undefined) | Some(Bson::Boolean(false)) => false,
        Some(Bson::Int32(0)) | Some(Bson::Int64(0)) => false,
        Some(Bson::Double(d)) => *d != 0.0,
        Some(Bson::Decimal128(d)) => {
            super::numeric::decimal128_to_decimal(d).is_none_or(|x| !x.is_zero())
        }
        _ => true,
    }
}

/// Whether a value is null, undefined or missing (the "nullish" inputs most operators map to null).
pub(crate) fn nullish(v: &Option<Bson>) -> bool {
    matches!(v, None | Some(Bson::Null) | Some(Bson::Undefined))
}

/// Whether the `$expr` operand `spec` is false whatever the document: the constant `false` / `null`, or an
/// expression reading no field, no variable and nothing random (a comparison of bound parameters, `{$eq: [1,
/// 0]}`) whose value is falsy (mongod folds constant expressions the same way before planning). An
/// expression that fails to compile or to evaluate is not decided here (the evaluation reports it).
pub fn constant_false(spec: &Bson) -> bool {
    match spec {
        Bson::Boolean(false) | Bson::Null => true,
        Bson::Document(_) | Bson::Array(_) if reads_nothing(spec) => Expr::compile(spec)
            .and_then(|e| e.eval(&Document::new(), &Vars::new(bson::DateTime::from_millis(0))))
            .is_ok_and(|v| !truthy(v.as_ref())),
        _ => false,
    }
}

/// Whether an expression reads no field path and no variable (no string starting with `$` outside
/// `$literal`, no `$getField` / `$setField` / `$unsetField`, which may read the current document without
/// naming it) and calls nothing random.
pub(crate) fn reads_nothing(spec: &Bson) -> bool {
    match spec {
        Bson::String(s) => !s.starts_with('$'),
        Bson::Array(items) => items.iter().all(reads_nothing),
        Bson::Document(d) => d.iter().all(|(k, v)| match k.as_str() {
            "$literal" => true,
            // `$getField` reads `$$CURRENT` when it names no `input` (`{$getField: "a.b"}`).
            "$rand" | "$function" | "$accumulator" | "$meta" | "$let" | "$getField"
            | "$setField" | "$unsetField" => false,
            _ => reads_nothing(v),
        }),
        _ => true,
    }
}
