//! The composite sort key of an ORDER BY list (windows, ordered aggregates): one document `{nI, sI, ...}`
//! with PostgreSQL's NULL placement, sorting in one direction where it can.
//!
//! In: each ORDER BY item translated (its expression, whether it is numeric and nullable, its direction and
//! NULL placement). Out: a [`SortKeyDoc`]. A NULL flag `nI` (1 for NULL) comes before the value `sI` when
//! PostgreSQL's NULL placement differs from MongoDB's (NULLs first ascending, last descending). Keys in mixed
//! directions: a numeric key negated (`{$multiply: [-1, x]}`) sorts in the other direction, so when the keys
//! that cannot be negated agree on one direction (or there are none), every numeric key in the other direction
//! is negated and the whole key sorts in one direction (one sort field: `$rank`, `range` windows). A NULL
//! stays NULL; its flag is chosen for the direction the key sorts in.

use super::SortKeyDoc;
use crate::mql::expr as ex;
use crate::translate::nulls::is_null;
use bson::{Bson, Document};

/// One ORDER BY item, translated.
pub(crate) struct KeyItem {
    /// The value.
    pub expr: ex::Expr,
    /// A number whenever not NULL (integer / bigint / numeric / double precision).
    pub numeric: bool,
    /// May be NULL.
    pub nullable: bool,
    /// DESC.
    pub desc: bool,
    /// NULLS FIRST (explicit, or PostgreSQL's default for the direction).
    pub nulls_first: bool,
}

/// The key document of `items`; with `negate`, numeric keys in the minority direction are negated (see the
/// module doc), else every key keeps its own direction (the general form).
pub(crate) fn key_doc(items: Vec<KeyItem>, negate: bool) -> SortKeyDoc {
    let fixed: Vec<bool> = items
        .iter()
        .filter(|k| !k.numeric)
        .map(|k| k.desc)
        .collect();
    let target = match fixed.first() {
        _ if !negate => None,
        Some(d) if fixed.iter().all(|x| x == d) => Some(*d),
        Some(_) => None,
        None => items.first().map(|k| k.desc),
    };
    let mut key = Document::new();
    let mut fields = Vec::new();
    for (i, k) in items.into_iter().enumerate() {
        let negated = target.is_some_and(|t| t != k.desc) && k.numeric;
        let desc = k.desc != negated;
        let dir = if desc { -1 } else { 1 };
        // MongoDB puts NULLs first ascending and last descending.
        if k.nulls_first == desc && k.nullable {
            key.insert(format!("n{i}"), ex::cond(is_null(&k.expr), 1, 0));
            fields.push((format!("n{i}"), dir));
        }
        let value: Bson = if negated {
            ex::multiply(vec![(-1).into(), k.expr.into()])
        } else {
            ex::or_null(k.expr).into()
        };
        key.insert(format!("s{i}"), value);
        fields.push((format!("s{i}"), dir));
    }
    let first = fields.first().map(|f| f.1).unwrap_or(1);
    let uniform = fields.iter().all(|f| f.1 == first);
    SortKeyDoc {
        expr: Bson::Document(key),
        dir: if uniform { Some(first) } else { None },
        fields,
    }
}

#[cfg(test)]
#[path = "key_tests.rs"]
mod tests;
