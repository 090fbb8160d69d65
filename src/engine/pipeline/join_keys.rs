//! The equalities a correlated `$lookup` sub-pipeline's leading `$match` requires between a foreign document
//! and the outer one (`{$eq: ["$path", "$$var"]}`, `IS NOT DISTINCT FROM`'s `$ifNull` pair, paths below a
//! variable): what the hash table of the foreign side is keyed by, and the NULL guards that let it leave
//! documents out.
//!
//! In: the `$match` document and the `let` variables; out: the keys, each with the expression computing its
//! foreign value and its outer value. The keys only choose candidates; the `$match` still decides each
//! (`join_tests.rs` holds the hash paths to the nested loop). Also the `localField`/`foreignField` equality
//! (`equality_holds`, `values_at`). Depends on `expr`.

use crate::engine::bson_order::equal;
use crate::engine::expr::{Expr, Vars};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// One equality a correlated `$match` requires between a foreign document and the outer one: what the hash
/// table is keyed by.
#[derive(Debug, Clone)]
pub(super) struct EqKey {
    /// The foreign field (a path).
    pub(super) path: String,
    /// The foreign side's value (`"$path"`, or `{$ifNull: ["$path", null]}`).
    pub(super) foreign: Expr,
    /// The `let` variable the outer side reads.
    pub(super) var: String,
    /// The outer side's value, from the `let` variables (`"$$var"`, `"$$var.a.b"`, or its `$ifNull`).
    pub(super) local: Expr,
    /// Both sides plain (`"$path"` and `"$$var"`): an index on `path` may serve the probe.
    pub(super) plain: bool,
    /// The foreign side is `{$ifNull: ["$path", null]}` (null, undefined and missing alike), not `"$path"`.
    pub(super) if_null: bool,
}

impl EqKey {
    /// The outer side's value for the `let` variables in `inner` (null when missing).
    pub(super) fn outer_value(&self, inner: &Vars) -> Result<Bson, CommandError> {
        Ok(self
            .local
            .eval(&Document::new(), inner)?
            .unwrap_or(Bson::Null))
    }
}

/// The equalities a `$match` requires through its `$expr` (or the `$expr` of an element of its top-level
/// `$and`), top level or inside the expression's top-level `$and`, in order: `{$eq: ["$path", "$$var"]}`
/// (either order; `$$var.a.b` too), and `{$eq: [{$ifNull: ["$path", null]}, {$ifNull: ["$$var", null]}]}`
/// (SQL's `IS NOT DISTINCT FROM`), with `var` a `let` variable.
pub(super) fn eq_keys(
    m: &Document,
    lets: &[(std::sync::Arc<str>, Expr)],
) -> Result<Vec<EqKey>, CommandError> {
    let var = |s: &str| {
        let rest = s.strip_prefix("$$")?;
        let name = rest.split('.').next().unwrap_or(rest);
        lets.iter()
            .any(|(l, _)| &**l == name)
            .then(|| (name.to_string(), rest.len() == name.len()))
    };
    let path = |s: &str| {
        s.strip_prefix('$')
            .filter(|p| !p.is_empty() && !p.starts_with('$'))
            .map(str::to_string)
    };
    // A side of the equality: (operand, whether wrapped in `{$ifNull: [operand, null]}`).
    let operand = |b: &Bson| -> Option<(String, bool)> {
        match b {
            Bson::String(s) => Some((s.clone(), false)),
            Bson::Document(d) if d.len() == 1 => match d.get("$ifNull") {
                Some(Bson::Array(a)) if a.len() == 2 && a[1] == Bson::Null => match &a[0] {
                    Bson::String(s) => Some((s.clone(), true)),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    };
    let mut out = Vec::new();
    for c in required_exprs(m) {
        let Bson::Document(c) = c else { continue };
        let Some(Bson::Array(args)) = c.get("$eq") else {
            continue;
        };
        let (Some(a), Some(b), 1, 2) = (args.first(), args.get(1), c.len(), args.len()) else {
            continue;
        };
        let (Some((x, xn)), Some((y, yn))) = (operand(a), operand(b)) else {
            continue;
        };
        if xn != yn {
            continue;
        }
        let found = match (path(&x), var(&y), var(&x), path(&y)) {
            (Some(p), Some(v), _, _) => Some((p, v, a, b)),
            (_, _, Some(v), Some(p)) => Some((p, v, b, a)),
            _ => None,
        };
        if let Some((p, (v, bare), foreign, local)) = found {
            out.push(EqKey {
                path: p,
                foreign: Expr::compile(foreign)?,
                var: v,
                local: Expr::compile(local)?,
                plain: bare && !xn,
                if_null: xn,
            });
        }
    }
    Ok(out)
}

/// The `$expr` conditions a `$match` requires: its `$expr` and those of its top-level `$and`, each split at
/// one level of `$and`.
fn required_exprs(m: &Document) -> Vec<&Bson> {
    let mut exprs: Vec<&Bson> = m.get("$expr").into_iter().collect();
    if let Some(Bson::Array(items)) = m.get("$and") {
        exprs.extend(
            items
                .iter()
                .filter_map(|x| x.as_document().and_then(|d| d.get("$expr"))),
        );
    }
    let mut conds: Vec<&Bson> = Vec::new();
    for e in exprs {
        match e {
            Bson::Document(d) if d.len() == 1 && matches!(d.get("$and"), Some(Bson::Array(_))) => {
                if let Some(Bson::Array(items)) = d.get("$and") {
                    conds.extend(items);
                }
            }
            other => conds.push(other),
        }
    }
    conds
}

/// Whether a `$match` requires `{$ne: [{$ifNull: ["$field", null]}, null]}`: a value that is neither null
/// nor missing.
pub(super) fn requires_value(m: &Document, field: &str) -> bool {
    let guard = bson::bson!({"$ne": [{"$ifNull": [format!("${field}"), null]}, null]});
    required_exprs(m).into_iter().any(|c| *c == guard)
}

/// The query language's `localField`/`foreignField` equality between the outer document's values and a
/// foreign document.
pub(super) fn equality_holds(locals: &[Bson], fd: &Document, foreign: &str) -> bool {
    let holds = |fv: &Bson| {
        locals
            .iter()
            .any(|lv| equal(lv, fv) && same_bracket(lv, fv))
    };
    // A top-level field holding no array is the one value `values_at` would list: compared in place, with
    // no list built and nothing copied (once per candidate of every probe).
    if !foreign.contains('.') {
        match fd.get(foreign) {
            Some(Bson::Array(_)) => {}
            Some(fv) => return holds(fv),
            None => return holds(&Bson::Null),
        }
    }
    let fvals = values_at(fd, foreign);
    locals
        .iter()
        .any(|lv| fvals.iter().any(|fv| equal(lv, fv) && same_bracket(lv, fv)))
}

/// Whether two values are in the same type bracket (equality across brackets never holds in a join).
fn same_bracket(a: &Bson, b: &Bson) -> bool {
    crate::engine::bson_order::type_rank(a) == crate::engine::bson_order::type_rank(b)
}

/// Values at a path for join equality: array elements (and the array itself), null for missing.
pub(super) fn values_at(doc: &Document, path: &str) -> Vec<Bson> {
    let mut out = Vec::new();
    let parts: Vec<&str> = path.split('.').collect();
    match parts.split_first() {
        Some((first, rest)) => match doc.get(*first) {
            Some(v) => collect(v, rest, &mut out),
            None => out.push(Bson::Null),
        },
        None => out.push(Bson::Null),
    }
    if out.is_empty() {
        out.push(Bson::Null);
    }
    out
}

fn collect(v: &Bson, parts: &[&str], out: &mut Vec<Bson>) {
    let Some((part, rest)) = parts.split_first() else {
        if let Bson::Array(items) = v {
            out.extend(items.iter().cloned());
        }
        out.push(v.clone());
        return;
    };
    match v {
        Bson::Document(d) => match d.get(*part) {
            Some(x) => collect(x, rest, out),
            None => out.push(Bson::Null),
        },
        Bson::Array(items) => {
            for it in items {
                collect(it, parts, out);
            }
        }
        _ => {}
    }
}
