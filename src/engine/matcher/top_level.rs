//! Filters that are conjunctions of predicates on top-level fields (`{active: true, score: {$gte: 0.2}}`),
//! evaluated on the field values of a [`FieldValues`] row instead of a parsed document.
//!
//! In: a compiled [`Matcher`]; out: a [`TopLevelFilter`] when every condition of the filter is a predicate
//! on one non-dotted field (possibly under `$and`), else nothing (the caller matches documents). Semantics
//! are the general matcher's by construction: for a one-component path, [`Pred::matches_path`] walks to the
//! field and calls [`Pred::matches_value`] on it (arrays, missing, null included), which is what this does
//! with the value read from the row.

use super::leaf::Pred;
use super::{Matcher, Node};
use crate::engine::expr::Vars;
use crate::engine::fields::FieldValues;
use crate::engine::CommandError;

/// A filter made only of predicates on top-level fields, each addressed by its slot in a [`FieldValues`].
#[derive(Debug, Clone)]
pub struct TopLevelFilter {
    conditions: Vec<(usize, Pred)>,
}

impl TopLevelFilter {
    /// The filter as top-level field predicates when it is one; the field names are added to `fields`
    /// (deduplicated) and the conditions address them by their position there.
    pub fn from_matcher(m: &Matcher, fields: &mut Vec<String>) -> Option<TopLevelFilter> {
        let mut conditions = Vec::new();
        let mut names = fields.clone();
        if !collect(m.root(), &mut names, &mut conditions) {
            return None;
        }
        *fields = names;
        Some(TopLevelFilter { conditions })
    }

    /// Whether the document whose fields `row` holds matches (`row` was built over the field list given to
    /// [`from_matcher`](Self::from_matcher)).
    pub fn matches(&self, row: &FieldValues, vars: &Vars) -> Result<bool, CommandError> {
        for (slot, pred) in &self.conditions {
            if !pred.matches_value(row.get(*slot), vars)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn collect(node: &Node, names: &mut Vec<String>, out: &mut Vec<(usize, Pred)>) -> bool {
    match node {
        Node::And(children) => children.iter().all(|c| collect(c, names, out)),
        Node::Path(parts, pred) => match parts.as_slice() {
            [name] => {
                let slot = match names.iter().position(|n| n == name) {
                    Some(i) => i,
                    None => {
                        names.push(name.clone());
                        names.len() - 1
                    }
                };
                out.push((slot, pred.clone()));
                true
            }
            _ => false,
        },
        _ => false,
    }
}
