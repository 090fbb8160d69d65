//! Nesting limits of the front end. A left-deep operator chain (`k + k + ...`, `a OR b OR ...`, `x::text::text`,
//! `j -> 'a' -> 'b'`) is built by a loop in sqlparser, so its recursion limit (50, which refuses deep
//! parentheses, `NOT` and subqueries) never sees it, while everything that walks the tree afterwards (drop,
//! visitors, the translator) recurses once per level. Two checks keep every accepted tree at most
//! [`MAX_EXPR_DEPTH`] expressions deep:
//!
//! - while parsing, the dialect's infix hook measures the chain it is about to extend (the left spine, at most
//!   [`MAX_EXPR_DEPTH`] steps) and refuses at the operator, so a 10k-term chain is never built;
//! - after parsing, a bounded walk measures the whole statement (a chain inside a function argument inside a
//!   chain ...), and a refused tree is dropped on a stack segment of its own.

use sqlparser::ast::{Expr, Visit, Visitor};
use std::ops::ControlFlow;

/// The deepest expression nesting accepted: an operator chain of this many terms, or this many levels of
/// nested expressions of any kind.
pub const MAX_EXPR_DEPTH: usize = 1000;

/// The message of a refusal for depth.
pub(crate) fn too_deep_message() -> String {
    format!("expression nested too deeply (more than {MAX_EXPR_DEPTH} levels)")
}

/// The operand a left-deep chain continues through: the part an infix operator (or a postfix form such as
/// `IS NULL`, `::type`, `COLLATE`) was applied to, and the inside of parentheses and prefix operators.
pub(crate) fn chain_child(e: &Expr) -> Option<&Expr> {
    Some(match e {
        Expr::BinaryOp { left, .. } => left,
        Expr::UnaryOp { expr, .. } => expr,
        Expr::Nested(inner) => inner,
        Expr::Cast { expr, .. } => expr,
        Expr::Collate { expr, .. } => expr,
        Expr::AtTimeZone { timestamp, .. } => timestamp,
        Expr::IsNull(x)
        | Expr::IsNotNull(x)
        | Expr::IsTrue(x)
        | Expr::IsNotTrue(x)
        | Expr::IsFalse(x)
        | Expr::IsNotFalse(x)
        | Expr::IsUnknown(x)
        | Expr::IsNotUnknown(x) => x,
        Expr::IsDistinctFrom(l, _) | Expr::IsNotDistinctFrom(l, _) => l,
        Expr::IsNormalized { expr, .. } => expr,
        Expr::InList { expr, .. }
        | Expr::InSubquery { expr, .. }
        | Expr::InUnnest { expr, .. }
        | Expr::Between { expr, .. }
        | Expr::Like { expr, .. }
        | Expr::ILike { expr, .. }
        | Expr::SimilarTo { expr, .. }
        | Expr::RLike { expr, .. } => expr,
        Expr::AnyOp { left, .. } | Expr::AllOp { left, .. } => left,
        Expr::CompoundFieldAccess { root, .. } => root,
        Expr::JsonAccess { value, .. } => value,
        _ => return None,
    })
}

/// Whether an operator applied to `e` would make a tree deeper than [`MAX_EXPR_DEPTH`]: `e` already has that
/// many levels less one along its left spine (walks at most that many steps).
pub(crate) fn spine_too_long(e: &Expr) -> bool {
    let mut at = e;
    for _ in 0..MAX_EXPR_DEPTH - 1 {
        match chain_child(at) {
            Some(next) => at = next,
            None => return false,
        }
    }
    true
}

/// The first expression found deeper than [`MAX_EXPR_DEPTH`] in `node`, as the position of the leaf its
/// chain ends in (line, column), or `None` when the tree is within the limit. The walk stops at the limit, so
/// it recurses at most that deep.
pub(crate) fn too_deep<V: Visit>(node: &V) -> Option<(u64, u64)> {
    struct Depth {
        depth: usize,
    }
    impl Visitor for Depth {
        type Break = (u64, u64);
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Self::Break> {
            self.depth += 1;
            if self.depth > MAX_EXPR_DEPTH {
                return ControlFlow::Break(leaf_position(expr));
            }
            ControlFlow::Continue(())
        }
        fn post_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<Self::Break> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
    }
    // The walk recurses up to the limit: give it room whatever stack the caller runs on.
    with_stack(|| match node.visit(&mut Depth { depth: 0 }) {
        ControlFlow::Break(at) => Some(at),
        ControlFlow::Continue(()) => None,
    })
}

/// Where a deep chain starts in the text: the leaf at the bottom of its left spine, found without recursion.
fn leaf_position(e: &Expr) -> (u64, u64) {
    let mut at = e;
    while let Some(next) = chain_child(at) {
        at = next;
    }
    let start = match at {
        Expr::Identifier(i) => Some(i.span.start),
        Expr::CompoundIdentifier(parts) => parts.first().map(|i| i.span.start),
        Expr::Value(v) => Some(v.span.start),
        Expr::Function(f) => f
            .name
            .0
            .first()
            .and_then(|p| p.as_ident())
            .map(|i| i.span.start),
        _ => None,
    };
    start.map(|s| (s.line, s.column)).unwrap_or((0, 0))
}

/// Drops a tree that was refused for its depth on a stack segment large enough for it (the drop glue recurses
/// once per level and a refused tree can be up to about 50 x [`MAX_EXPR_DEPTH`] deep).
pub(crate) fn drop_deep<T>(value: T) {
    stacker::grow(DROP_STACK, move || drop(value));
}

/// Runs `f` where at least [`STACK_RED_ZONE`] of stack is left: on the caller's stack when it has that much,
/// else on a new segment. Every walk of a tree accepted by the limits (sqlparser's `span()` included, about
/// 750 bytes a level in a debug build) fits in that room; the translator calls it once per level of its own
/// recursion.
pub fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, f)
}

/// Room left on the stack under which a recursive walk continues on a new segment.
const STACK_RED_ZONE: usize = 2 << 20;
/// The size of such a segment (reserved, committed as used).
const STACK_SEGMENT: usize = 16 << 20;
const DROP_STACK: usize = 64 << 20;
