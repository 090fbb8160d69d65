//! Which subtrees become register code, and their compilation: eligibility (what the code computes, what
//! it calls, which `$let` variables a call reads), the worth of compiling, and the [`Compiler`] that lays
//! out registers (constants in registers of their own, bound variables read where they are bound) and
//! instructions.
//!
//! In: a resolved tree; out: the tree with its eligible subtrees as [`Kernel`]s. Depends on `mod.rs`
//! (instructions, registers), `scalar`, `slots`, `ops` (named arguments).

use super::*;

/// `n` with its eligible subtrees compiled (see the module doc). `$map` / `$filter` / `$reduce` and the
/// other named operators are left as they are, their bodies too (their loops read their variables by name
/// and recognise their bodies' shapes).
pub(crate) fn kernelize(n: Node) -> Node {
    let mut published = Vec::new();
    if worth(&n) && eligible(&n, true, &mut Vec::new(), &mut published) {
        if let Some(k) = Compiler::compile(&n, published) {
            return Node::Kernel(Box::new(k));
        }
    }
    match n {
        Node::Doc(fields) => {
            Node::Doc(fields.into_iter().map(|(k, n)| (k, kernelize(n))).collect())
        }
        Node::Arr(items) => Node::Arr(items.into_iter().map(kernelize).collect()),
        Node::Op(op, args) => Node::Op(op, args.into_iter().map(kernelize).collect()),
        Node::SlotLet(mut l) => {
            l.vars = std::mem::take(&mut l.vars)
                .into_iter()
                .map(|(k, e)| (k, kernelize(e)))
                .collect();
            l.body = kernelize(std::mem::replace(&mut l.body, Node::Remove));
            Node::SlotLet(l)
        }
        Node::Switch(mut s) => {
            s.branches = std::mem::take(&mut s.branches)
                .into_iter()
                .map(|(c, t)| (kernelize(c), kernelize(t)))
                .collect();
            s.default = s.default.take().map(kernelize);
            Node::Switch(s)
        }
        other => other,
    }
}

/// Whether a subtree is worth compiling: it binds a `$let` variable, or computes at least two
/// arithmetic or date operators (a lone operator over fields is what `scalar` already does well, and the
/// small conditions have their own paths in `condition.rs`).
fn worth(n: &Node) -> bool {
    fn walk(n: &Node, ops: &mut usize) -> bool {
        match n {
            Node::SlotLet(_) => true,
            Node::Op(op, args) if native(*op, args) => {
                if scalar::computes(*op)
                    || is_part(*op)
                    || matches!(op, Op::Abs | Op::Max | Op::Min | Op::ArrayElemAt)
                {
                    *ops += 1;
                }
                args.iter().any(|a| walk(a, ops))
            }
            Node::Named(op, args) if native_named(*op, args) => {
                *ops += 1;
                args.iter().any(|(_, a)| walk(a, ops))
            }
            Node::Doc(fields) => fields.iter().any(|(_, n)| walk(n, ops)),
            _ => false,
        }
    }
    let mut ops = 0;
    walk(n, &mut ops) || ops >= 2
}

/// Whether the code computes `op` of `args` itself.
fn native(op: Op, args: &[Node]) -> bool {
    match op {
        Op::Cond => args.len() == 3,
        Op::IfNull => args.len() >= 2,
        Op::Eq | Op::Ne | Op::Gt | Op::Gte | Op::Lt | Op::Lte => args.len() == 2,
        Op::Not | Op::Abs => args.len() == 1,
        Op::And | Op::Or => true,
        Op::Max | Op::Min => args.len() >= 2,
        Op::ArrayElemAt => args.len() == 2 && elem_items(&args[0]).is_some(),
        op if is_part(op) => args.len() == 1,
        op => scalar::computes(op) && args.len() <= MAX_ARGS,
    }
}

/// The items of `$arrayElemAt`'s array when the code computes it: a literal array (its items evaluated,
/// a missing one null) or a constant one of small values.
enum Items<'a> {
    Nodes(&'a [Node]),
    Consts(Vec<Small>),
}

fn elem_items(n: &Node) -> Option<Items<'_>> {
    match n {
        Node::Arr(items) => Some(Items::Nodes(items)),
        Node::Const(Bson::Array(vals)) => vals
            .iter()
            .map(small_const)
            .collect::<Option<_>>()
            .map(Items::Consts),
        _ => None,
    }
}

/// Whether the code computes the named operator `op` of `args` itself: `$dateTrunc` to a unit of a day
/// or less, `$dateDiff`, `$dateAdd` in a unit of [`DateUnit`], all in UTC (no timezone, bin size or
/// start of week), the unit a constant.
fn native_named(op: Op, args: &[(String, Node)]) -> bool {
    let keys = |want: &[&str]| {
        args.len() == want.len() && want.iter().all(|k| args.iter().any(|(n, _)| n == k))
    };
    let unit = crate::engine::expr::ops::named(args, "unit").and_then(DateUnit::of);
    match op {
        Op::DateTrunc => keys(&["date", "unit"]) && matches!(unit, Some(DateUnit::Fixed(_))),
        Op::DateDiff => keys(&["startDate", "endDate", "unit"]) && unit.is_some(),
        Op::DateAdd => keys(&["startDate", "unit", "amount"]) && unit.is_some(),
        _ => false,
    }
}

/// Whether `op`'s value is a number, a date, a boolean or null whatever its arguments (or an error), or
/// usually so (`$max`, `$arrayElemAt`): the operators the code has the general path evaluate
/// ([`Ins::Call`]) inside a subtree it computes.
fn called(op: Op) -> bool {
    use Op::*;
    crate::engine::expr::ops::is_date_part(op)
        || matches!(
            op,
            DateTrunc
                | DateDiff
                | DateAdd
                | DateSubtract
                | Max
                | Min
                | ArrayElemAt
                | Size
                | StrLenCP
                | StrLenBytes
                | Cmp
                | Ceil
                | Floor
                | Sqrt
                | Pow
                | Exp
                | Ln
                | Log10
                | Log
                | ToDate
                | ToBool
                | IsNumber
                | IsArray
                | In
        )
}

/// The slots of `inner` that `n` reads anywhere (a call reads them from the frame).
fn slots_read(n: &Node, inner: &[u32], out: &mut Vec<u32>) {
    match n {
        Node::Slot(k, _) if inner.contains(k) && !out.contains(k) => out.push(*k),
        Node::Doc(fields) => fields.iter().for_each(|(_, n)| slots_read(n, inner, out)),
        Node::Named(_, fields) => fields.iter().for_each(|(_, n)| slots_read(n, inner, out)),
        Node::Arr(items) | Node::Op(_, items) => {
            items.iter().for_each(|n| slots_read(n, inner, out))
        }
        Node::Let(l) => {
            l.vars.iter().for_each(|(_, n)| slots_read(n, inner, out));
            slots_read(&l.body, inner, out);
        }
        Node::SlotLet(l) => {
            l.vars.iter().for_each(|(_, n)| slots_read(n, inner, out));
            slots_read(&l.body, inner, out);
        }
        Node::Switch(s) => {
            for (c, t) in &s.branches {
                slots_read(c, inner, out);
                slots_read(t, inner, out);
            }
            if let Some(d) = &s.default {
                slots_read(d, inner, out);
            }
        }
        Node::Kernel(k) => slots_read(&k.original, inner, out),
        Node::Const(_)
        | Node::Remove
        | Node::Now
        | Node::Field(_)
        | Node::Root(_)
        | Node::Var(..)
        | Node::Slot(..) => {}
    }
}

/// Whether `n` is a node the code has the general path evaluate.
fn is_call(n: &Node) -> bool {
    match n {
        Node::Op(op, args) => !native(*op, args) && called(*op),
        Node::Named(op, args) => called(*op) && !native_named(*op, args),
        _ => false,
    }
}

/// Whether every node of `n` is one the code computes or calls (see the module doc); a literal document
/// only as the value (`tail`). `inner` holds the slots bound by `$let`s of the subtree around `n`;
/// `published` gathers those a call reads.
fn eligible(n: &Node, tail: bool, inner: &mut Vec<u32>, published: &mut Vec<u32>) -> bool {
    if is_call(n) {
        slots_read(n, inner, published);
        return true;
    }
    match n {
        // A constant that is not small is lent ([`Ins::Lend`]); undefined is null to some operators.
        Node::Const(v) => !matches!(v, Bson::Undefined),
        Node::Remove | Node::Now | Node::Field(_) | Node::Var(..) => true,
        Node::Root(parts) => !parts.is_empty(),
        Node::Slot(k, parts) => parts.is_empty() || !inner.contains(k),
        Node::SlotLet(l) => {
            if l.vars.iter().any(|(k, _)| *k == slots::LENT) {
                return false;
            }
            let depth = inner.len();
            let ok = l.vars.iter().all(|(k, e)| {
                let ok = eligible(e, false, inner, published);
                inner.push(*k);
                ok
            }) && eligible(&l.body, tail, inner, published);
            inner.truncate(depth);
            ok
        }
        Node::Op(Op::ArrayElemAt, args) if native(Op::ArrayElemAt, args) => {
            let items_ok = match elem_items(&args[0]) {
                Some(Items::Nodes(items)) => {
                    items.iter().all(|a| eligible(a, false, inner, published))
                }
                Some(Items::Consts(_)) => true,
                None => false,
            };
            items_ok && eligible(&args[1], false, inner, published)
        }
        Node::Op(op, args) => {
            native(*op, args)
                && args.iter().enumerate().all(|(i, a)| {
                    let branch_tail = tail && *op == Op::Cond && i > 0;
                    eligible(a, branch_tail, inner, published)
                })
        }
        Node::Named(op, args) => {
            native_named(*op, args)
                && args
                    .iter()
                    .filter(|(k, _)| k != "unit")
                    .all(|(_, a)| eligible(a, false, inner, published))
        }
        Node::Doc(fields) => {
            tail && fields.template().is_some()
                && fields
                    .iter()
                    .all(|(_, n)| eligible(n, false, inner, published))
        }
        _ => false,
    }
}

/// The compilation of one subtree.
struct Compiler {
    code: Vec<Ins>,
    next_reg: usize,
    max_reg: usize,
    /// The constants, by register (from [`CONST`]).
    consts: Vec<Small>,
    t: Tables,
    /// The registers of the slots bound inside the subtree.
    slots: HashMap<u32, Reg>,
    /// The slots bound inside the subtree that a call reads: written to the frame too.
    published: Vec<u32>,
    reads_frame: bool,
    /// Set when something could not be compiled (too many registers): the subtree stays general.
    failed: bool,
}

impl Compiler {
    fn compile(n: &Node, published: Vec<u32>) -> Option<Kernel> {
        let mut c = Compiler {
            code: Vec::new(),
            next_reg: 0,
            max_reg: 0,
            consts: Vec::new(),
            t: Tables::default(),
            slots: HashMap::new(),
            reads_frame: !published.is_empty(),
            published,
            failed: false,
        };
        c.tail(n);
        let temps = c.max_reg;
        if c.failed
            || temps + c.consts.len() > MAX_REGS
            || c.t.paths.len() > u16::MAX as usize
            || c.t.names.len() > u16::MAX as usize
            || c.t.lists.len() > u16::MAX as usize
            || c.t.calls.len() > u16::MAX as usize
            || c.t.bigs.len() > u16::MAX as usize
        {
            return None;
        }
        // The constants' registers after the others.
        let place = |r: &mut Reg| {
            if *r >= CONST {
                *r = (*r - CONST) + temps as Reg;
            }
        };
        for ins in &mut c.code {
            for r in ins.regs_mut() {
                place(r);
            }
        }
        for list in &mut c.t.lists {
            list.iter_mut().for_each(place);
        }
        let init: Vec<Val<'static>> = std::iter::repeat_n(Val::S(Small::Missing), temps)
            .chain(c.consts.into_iter().map(Val::S))
            .collect();

        Some(Kernel {
            original: n.clone(),
            code: c.code,
            init,
            t: c.t,
            reads_frame: c.reads_frame,
            answered: AtomicU32::new(0),
            bailed: AtomicU32::new(0),
        })
    }

    /// A fresh register.
    fn alloc(&mut self) -> Reg {
        let r = self.next_reg;
        self.next_reg += 1;
        self.max_reg = self.max_reg.max(self.next_reg);
        if self.next_reg >= CONST as usize || self.next_reg > MAX_REGS {
            self.failed = true;
            return 0;
        }
        r as Reg
    }

    /// Gives back the registers allocated since `mark`.
    fn free_to(&mut self, mark: usize) {
        self.next_reg = mark;
    }

    /// The register of a constant.
    fn constant(&mut self, v: Small) -> Reg {
        let at = match self.consts.iter().position(|c| same(*c, v)) {
            Some(at) => at,
            None => {
                self.consts.push(v);
                self.consts.len() - 1
            }
        };
        if at >= MAX_REGS {
            self.failed = true;
            return 0;
        }
        CONST + at as Reg
    }

    fn path(&mut self, parts: &[String]) -> u16 {
        self.t.paths.push(parts.to_vec());
        (self.t.paths.len() - 1) as u16
    }

    fn here(&self) -> u32 {
        self.code.len() as u32
    }

    /// Emits a jump to be landed later ([`Compiler::land`]); its position.
    fn jump(&mut self, ins: Ins) -> usize {
        self.code.push(ins);
        self.code.len() - 1
    }

    /// Patches the jump at `at` to go to the current position.
    fn land(&mut self, at: usize) {
        let to = self.here();
        match &mut self.code[at] {
            Ins::JumpIfFalsy(_, t)
            | Ins::JumpIfTruthy(_, t)
            | Ins::JumpIfPresent(_, t)
            | Ins::Jump(t) => *t = to,
            _ => self.failed = true,
        }
    }

    /// Code that ends the evaluation with `n`'s value.
    fn tail(&mut self, n: &Node) {
        let mark = self.next_reg;
        match n {
            Node::Op(Op::Cond, args) if args.len() == 3 => {
                let t = self.operand(&args[0]);
                let to_else = self.jump(Ins::JumpIfFalsy(t, 0));
                self.tail(&args[1]);
                self.land(to_else);
                self.tail(&args[2]);
            }
            Node::SlotLet(l) => {
                self.bind(l);
                self.tail(&l.body);
                self.unbind(l);
            }
            Node::Doc(fields) => match fields.template() {
                Some(template) => {
                    let list: Vec<Reg> = fields.iter().map(|(_, f)| self.operand(f)).collect();
                    self.t.templates.push(template.clone());
                    self.t.lists.push(list);
                    self.code.push(Ins::RetDoc(
                        (self.t.templates.len() - 1) as u16,
                        (self.t.lists.len() - 1) as u16,
                    ));
                }
                None => self.failed = true,
            },
            n => {
                let r = self.operand(n);
                self.code.push(Ins::Ret(r));
            }
        }
        self.free_to(mark);
    }

    /// Evaluates a `$let`'s bindings into registers of their own (kept until the caller frees them).
    fn bind(&mut self, l: &slots::SlotLet) {
        for (k, e) in &l.vars {
            let r = self.alloc();
            self.value(e, r);
            self.code.push(Ins::NullIfMissing(r));
            if self.published.contains(k) {
                self.code.push(Ins::Publish(*k, r));
            }
            self.slots.insert(*k, r);
        }
    }

    fn unbind(&mut self, l: &slots::SlotLet) {
        for (k, _) in &l.vars {
            self.slots.remove(k);
        }
    }

    /// The register holding `n`'s value once the code emitted here has run: a constant's or a bound
    /// variable's own, else a fresh one (kept until the caller frees it).
    fn operand(&mut self, n: &Node) -> Reg {
        match n {
            Node::Const(v) => match small_const(v) {
                Some(s) => self.constant(s),
                None => {
                    let r = self.alloc();
                    self.value(n, r);
                    r
                }
            },
            Node::Remove => self.constant(Small::Missing),
            Node::Slot(k, parts) if parts.is_empty() && self.slots.contains_key(k) => {
                self.slots.get(k).copied().unwrap_or(0)
            }
            n => {
                let r = self.alloc();
                self.value(n, r);
                r
            }
        }
    }

    /// Code that leaves `n`'s value in `dst`.
    fn value(&mut self, n: &Node, dst: Reg) {
        let mark = self.next_reg;
        match n {
            Node::Const(v) if small_const(v).is_none() => {
                self.t.bigs.push(v.clone());
                let i = (self.t.bigs.len() - 1) as u16;
                self.code.push(Ins::Lend(dst, i));
            }
            Node::Const(_) | Node::Remove => {
                let r = self.operand(n);
                self.code.push(Ins::Move(dst, r));
            }
            Node::Now => self.code.push(Ins::Now(dst)),
            Node::Field(parts) | Node::Root(parts) => {
                let p = self.path(parts);
                self.code.push(Ins::Field(dst, p));
            }
            Node::Var(name, parts) => {
                self.t.names.push(name.clone());
                let v = (self.t.names.len() - 1) as u16;
                let p = self.path(parts);
                self.code.push(Ins::Var(dst, v, p));
            }
            Node::Slot(k, parts) => match self.slots.get(k) {
                Some(r) if parts.is_empty() => self.code.push(Ins::Move(dst, *r)),
                Some(_) => self.failed = true,
                None => {
                    self.reads_frame = true;
                    let p = self.path(parts);
                    self.code.push(Ins::Outer(dst, *k, p));
                }
            },
            Node::SlotLet(l) => {
                self.bind(l);
                self.value(&l.body, dst);
                self.unbind(l);
            }
            n if is_call(n) => {
                // A call may read a slot of an enclosing `$let` outside the code: it reads the frame.
                self.reads_frame = true;
                self.t.calls.push(n.clone());
                let i = (self.t.calls.len() - 1) as u16;
                self.code.push(Ins::Call(dst, i));
            }
            Node::Op(op, args) => self.op(*op, args, dst),
            Node::Named(op, args) => self.named(*op, args, dst),
            _ => self.failed = true,
        }
        self.free_to(mark);
    }

    /// Registers kept as a list ([`Ins::Extreme`], [`Ins::ElemAt`], [`Ins::RetDoc`]).
    fn list(&mut self, list: Vec<Reg>) -> u16 {
        self.t.lists.push(list);
        (self.t.lists.len() - 1) as u16
    }

    /// A named operator the code computes ([`native_named`]).
    fn named(&mut self, op: Op, args: &[(String, Node)], dst: Reg) {
        let arg = |k: &str| crate::engine::expr::ops::named(args, k);
        let unit = arg("unit").and_then(DateUnit::of);
        match (op, unit) {
            (Op::DateTrunc, Some(DateUnit::Fixed(step))) => {
                let Some(date) = arg("date") else {
                    self.failed = true;
                    return;
                };
                let a = self.operand(date);
                self.code.push(Ins::DateTrunc(dst, a, step));
            }
            (Op::DateDiff, Some(unit)) => {
                let (Some(s), Some(e)) = (arg("startDate"), arg("endDate")) else {
                    self.failed = true;
                    return;
                };
                let a = self.operand(s);
                let b = self.operand(e);
                self.code.push(Ins::DateDiff(dst, a, b, unit));
            }
            (Op::DateAdd, Some(unit)) => {
                let (Some(s), Some(n)) = (arg("startDate"), arg("amount")) else {
                    self.failed = true;
                    return;
                };
                let a = self.operand(s);
                let b = self.operand(n);
                self.code.push(Ins::DateAdd(dst, a, b, unit));
            }
            _ => self.failed = true,
        }
    }

    fn op(&mut self, op: Op, args: &[Node], dst: Reg) {
        match op {
            Op::Cond => {
                let t = self.operand(&args[0]);
                let to_else = self.jump(Ins::JumpIfFalsy(t, 0));
                self.value(&args[1], dst);
                let to_end = self.jump(Ins::Jump(0));
                self.land(to_else);
                self.value(&args[2], dst);
                self.land(to_end);
            }
            Op::IfNull => {
                let Some((last, init)) = args.split_last() else {
                    self.failed = true;
                    return;
                };
                let mut ends = Vec::new();
                for a in init {
                    self.value(a, dst);
                    ends.push(self.jump(Ins::JumpIfPresent(dst, 0)));
                }
                self.value(last, dst);
                for at in ends {
                    self.land(at);
                }
            }
            Op::And | Op::Or => {
                let mut decided = Vec::new();
                for a in args {
                    let t = self.operand(a);
                    decided.push(self.jump(if op == Op::And {
                        Ins::JumpIfFalsy(t, 0)
                    } else {
                        Ins::JumpIfTruthy(t, 0)
                    }));
                }
                // No argument decided: `$and` is true, `$or` false.
                self.code.push(Ins::Set(dst, Small::Bool(op == Op::And)));
                let to_end = self.jump(Ins::Jump(0));
                for at in decided {
                    self.land(at);
                }
                self.code.push(Ins::Set(dst, Small::Bool(op != Op::And)));
                self.land(to_end);
            }
            Op::Not => {
                let a = self.operand(&args[0]);
                self.code.push(Ins::Not(dst, a));
            }
            Op::Abs => {
                let a = self.operand(&args[0]);
                self.code.push(Ins::Abs(dst, a));
            }
            op if is_part(op) => {
                let a = self.operand(&args[0]);
                self.code.push(Ins::Part(op, dst, a));
            }
            Op::Max | Op::Min => {
                let list: Vec<Reg> = args.iter().map(|a| self.operand(a)).collect();
                let l = self.list(list);
                self.code.push(Ins::Extreme(op, dst, l));
            }
            Op::ArrayElemAt => {
                let list: Vec<Reg> = match elem_items(&args[0]) {
                    Some(Items::Nodes(items)) => items
                        .iter()
                        .map(|item| {
                            // An item that is missing is null in the array.
                            let r = self.alloc();
                            self.value(item, r);
                            self.code.push(Ins::NullIfMissing(r));
                            r
                        })
                        .collect(),
                    Some(Items::Consts(vals)) => {
                        vals.into_iter().map(|v| self.constant(v)).collect()
                    }
                    None => {
                        self.failed = true;
                        return;
                    }
                };
                let i = self.operand(&args[1]);
                let l = self.list(list);
                self.code.push(Ins::ElemAt(dst, l, i));
            }
            Op::Eq | Op::Ne | Op::Gt | Op::Gte | Op::Lt | Op::Lte => {
                let a = self.operand(&args[0]);
                let b = self.operand(&args[1]);
                self.code.push(Ins::Cmp(op, dst, a, b));
            }
            op => {
                let mut regs = [0; MAX_ARGS];
                for (to, a) in regs.iter_mut().zip(args) {
                    *to = self.operand(a);
                }
                self.code
                    .push(Ins::Compute(op, dst, regs, args.len() as u8));
            }
        }
    }
}

/// Whether two constants are the same value (bits for doubles: `-0.0` and `0.0`, NaNs, kept apart).
fn same(a: Small, b: Small) -> bool {
    match (a, b) {
        (Small::Num(Num::Double(x)), Small::Num(Num::Double(y))) => x.to_bits() == y.to_bits(),
        (Small::Num(Num::Double(_) | Num::Decimal(_)), _)
        | (_, Small::Num(Num::Double(_) | Num::Decimal(_))) => false,
        (a, b) => a == b,
    }
}
