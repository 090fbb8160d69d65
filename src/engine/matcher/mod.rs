//! The query language (`find` filters, `$match`, `$pull` conditions, validators): compiled once into a tree
//! of [`Node`]s, then matched per document without re-parsing or cloning.
//!
//! In: a filter document; out: a [`Matcher`] answering `matches(&doc)`. Semantics are mongod's: dotted paths
//! traverse arrays, equality to an array matches the array or an element, `{a: null}` matches missing,
//! comparisons stay inside one type bracket, `$ne`/`$nin` negate `$eq`/`$in`. Depends on `bson_order`,
//! `numeric`, `expr` (for `$expr`), `validation` (for `$jsonSchema`), `regex`.

mod compile;
mod in_set;
pub mod leaf;
#[cfg(test)]
mod tests;
pub mod top_level;
pub mod types;

use super::expr::{Expr, Vars};
use super::validation::Schema;
use super::CommandError;
use bson::{Bson, Document};
pub use compile::compile_field;
use leaf::Pred;

/// A node of a compiled filter.
#[derive(Debug, Clone)]
pub enum Node {
    /// All children match (a filter document's fields, `$and`).
    And(Vec<Node>),
    /// Some child matches.
    Or(Vec<Node>),
    /// No child matches.
    Nor(Vec<Node>),
    /// A predicate on a dotted path (components pre-split).
    Path(Vec<String>, Pred),
    /// `$expr`: the expression's value, truthy as mongod judges it.
    Expr(Box<Expr>),
    /// `$jsonSchema`.
    Schema(Box<Schema>),
}

impl Node {
    /// Whether `doc` satisfies this node.
    pub fn matches(&self, doc: &Document, vars: &Vars) -> Result<bool, CommandError> {
        match self {
            Node::And(children) => {
                for c in children {
                    if !c.matches(doc, vars)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Node::Or(children) => {
                for c in children {
                    if c.matches(doc, vars)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Node::Nor(children) => {
                for c in children {
                    if c.matches(doc, vars)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Node::Path(parts, pred) => pred.matches_path(doc, parts, vars),
            Node::Expr(e) => e.eval_truthy(doc, vars),
            Node::Schema(s) => Ok(s.matches(doc)),
        }
    }
}

/// mongod's truthiness of an expression result: false, null, missing, undefined and numeric zero are false.
pub fn truthy(v: Option<&Bson>) -> bool {
    match v {
        None | Some(Bson::Null) | Some(Bson::Undefined) | Some(Bson::Boolean(false)) => false,
        Some(Bson::Int32(0)) | Some(Bson::Int64(0)) => false,
        Some(Bson::Double(d)) => *d != 0.0,
        Some(Bson::Decimal128(d)) => crate::engine::numeric::Num::from_bson(&Bson::Decimal128(*d))
            .is_some_and(|n| !n.is_zero()),
        _ => true,
    }
}

/// A compiled query filter.
#[derive(Debug, Clone)]
pub struct Matcher {
    root: Node,
}

impl Matcher {
    /// Compiles a filter document, rejecting unknown operators with MongoDB's error codes
    /// (2 BadValue "unknown operator: $foo" / "unknown top level operator: $foo").
    pub fn compile(filter: &Document) -> Result<Matcher, CommandError> {
        Ok(Matcher {
            root: compile::compile_doc(filter)?,
        })
    }

    /// Whether `doc` matches; errors only from `$expr` evaluation.
    pub fn matches(&self, doc: &Document, vars: &Vars) -> Result<bool, CommandError> {
        self.root.matches(doc, vars)
    }

    /// Whether the filter matches every document (`{}` or only `$comment`).
    pub fn is_match_all(&self) -> bool {
        matches!(&self.root, Node::And(c) if c.is_empty())
    }

    /// The top-level equality conditions (`{a: 1}`, `{"a.b": {$eq: 1}}`, inside a top-level `$and`) as
    /// `(dotted path, value)`: every matching document has one of these values (or an array containing it)
    /// at that path. Regexes and non-equality operators are left out, so this is a hint for index lookups,
    /// never a complete restatement of the filter.
    pub fn equality_fields(&self) -> Vec<(String, Bson)> {
        let mut out = Vec::new();
        collect_equalities(&self.root, &mut out);
        out
    }

    /// The compiled tree.
    pub fn root(&self) -> &Node {
        &self.root
    }
}

fn collect_equalities(node: &Node, out: &mut Vec<(String, Bson)>) {
    match node {
        Node::And(children) => children.iter().for_each(|c| collect_equalities(c, out)),
        Node::Path(parts, pred) => collect_pred_equalities(parts, pred, out),
        _ => {}
    }
}

fn collect_pred_equalities(parts: &[String], pred: &Pred, out: &mut Vec<(String, Bson)>) {
    match pred {
        Pred::Eq(v) => out.push((parts.join("."), v.clone())),
        Pred::And(ps) => ps
            .iter()
            .for_each(|p| collect_pred_equalities(parts, p, out)),
        _ => {}
    }
}
