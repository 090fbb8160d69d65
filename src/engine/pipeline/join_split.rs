//! The `$match` a correlated `$lookup` probes with, split by what it reads: the conjuncts that read no `let`
//! variable are decided once per foreign document, when the hash table of the foreign side is built (a
//! document failing them lands in no bucket), and only the rest is decided per candidate of each outer
//! document (mongod likewise moves the uncorrelated part of a `$match` before its sub-pipeline cache).
//! The correlated conjuncts that read no field of the foreign document (the translator's NULL guard of the
//! outer value, `$$l0` not null) are decided once per outer document, at its first candidate.
//!
//! In: the `$match` document and the `let` variables; out: two matchers whose conjunction is the whole
//! `$match` (top-level fields, `$and` elements and the arguments of an `$expr`'s `$and` are the conjuncts).
//! Only the order in which conjuncts are tried changes; a property test in `join_tests.rs` holds the split
//! path to the nested loop.

use crate::engine::matcher::Matcher;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// A `$match` split into its uncorrelated and correlated conjuncts.
#[derive(Debug, Clone)]
pub(super) struct SplitMatch {
    /// The conjuncts that read no `let` variable: one decision per foreign document and execution.
    pub(super) pre: Matcher,
    /// The conjuncts that read one and no field of the foreign document: decided once per outer document
    /// (at its first candidate; when false, no candidate passes).
    pub(super) outer: Option<Matcher>,
    /// The other conjuncts that read one (the join equality among them): decided per candidate.
    pub(super) residual: Matcher,
}

/// Splits `m`; `None` when it has no uncorrelated conjunct (nothing to hoist) or a conjunct does not compile
/// on its own (the whole `$match` then decides, as before).
pub(super) fn split(
    m: &Document,
    correlated: impl Fn(&Bson) -> bool,
) -> Result<Option<SplitMatch>, CommandError> {
    let mut parts = Vec::new();
    conjuncts(m, &mut parts);
    let (late, early): (Vec<Document>, Vec<Document>) = parts
        .into_iter()
        .partition(|c| correlated(&Bson::Document(c.clone())));
    let (outer, late): (Vec<Document>, Vec<Document>) =
        late.into_iter().partition(|c| !reads_document(c));
    if early.is_empty() && outer.is_empty() {
        return Ok(None);
    }
    let all = |cs: Vec<Document>| -> Option<Matcher> {
        let filter = match cs.len() {
            0 => Document::new(),
            1 => cs.into_iter().next().unwrap_or_default(),
            _ => {
                let mut d = Document::new();
                d.insert(
                    "$and",
                    cs.into_iter().map(Bson::Document).collect::<Vec<_>>(),
                );
                d
            }
        };
        Matcher::compile(&filter).ok()
    };
    let outer = match outer.is_empty() {
        true => Some(None),
        false => all(outer).map(Some),
    };
    Ok(match (all(early), outer, all(late)) {
        (Some(pre), Some(outer), Some(residual)) => Some(SplitMatch {
            pre,
            outer,
            residual,
        }),
        _ => None,
    })
}

/// Whether a conjunct may read the document it is matched against (or is not deterministic): a top-level
/// field condition, or an `$expr` naming a field path, `$$ROOT` / `$$CURRENT`, `$getField` and friends, or
/// something random. Conservative: any string starting with one `$` counts, even inside `$literal`.
fn reads_document(c: &Document) -> bool {
    fn reads(v: &Bson) -> bool {
        match v {
            Bson::String(s) => match s.strip_prefix("$$") {
                Some(var) => {
                    let name = var.split('.').next().unwrap_or_default();
                    matches!(name, "ROOT" | "CURRENT")
                }
                None => s.starts_with('$'),
            },
            // `$getField` and friends read `$$CURRENT` without naming it.
            Bson::Document(d) => d.iter().any(|(k, v)| {
                matches!(
                    k.as_str(),
                    "$rand"
                        | "$function"
                        | "$accumulator"
                        | "$meta"
                        | "$getField"
                        | "$setField"
                        | "$unsetField"
                ) || reads(v)
            }),
            Bson::Array(items) => items.iter().any(reads),
            _ => false,
        }
    }
    match c.get("$expr") {
        Some(e) if c.len() == 1 => reads(e),
        _ => true,
    }
}

/// The conjuncts of a filter document: each top-level field, the elements of a top-level `$and` (split in
/// turn), and the document arguments of an `$expr: {$and: [...]}` (each as an `$expr` of its own, split in
/// turn).
fn conjuncts(m: &Document, out: &mut Vec<Document>) {
    for (k, v) in m {
        match (k.as_str(), v) {
            ("$and", Bson::Array(items))
                if !items.is_empty() && items.iter().all(|x| matches!(x, Bson::Document(_))) =>
            {
                for x in items {
                    if let Bson::Document(d) = x {
                        conjuncts(d, out);
                    }
                }
            }
            ("$expr", e) => expr_conjuncts(e, out),
            _ => out.push(one(k, v.clone())),
        }
    }
}

/// The conjuncts of an `$expr` value: the document arguments of an `$and`, split in turn (truthiness of
/// `$and` is that of every argument), else the expression whole.
fn expr_conjuncts(e: &Bson, out: &mut Vec<Document>) {
    if let Bson::Document(d) = e {
        if let (1, Some(Bson::Array(args))) = (d.len(), d.get("$and")) {
            if !args.is_empty() && args.iter().all(|a| matches!(a, Bson::Document(_))) {
                for a in args {
                    expr_conjuncts(a, out);
                }
                return;
            }
        }
    }
    out.push(one("$expr", e.clone()));
}

fn one(k: &str, v: Bson) -> Document {
    let mut d = Document::new();
    d.insert(k, v);
    d
}

#[cfg(test)]
mod tests {
    use super::super::join::correlated;
    use super::*;
    use crate::engine::expr::{Expr, Vars};
    use bson::doc;

    #[test]
    fn uncorrelated_conjuncts_are_hoisted_and_the_rest_stays() {
        let lets = vec![(
            std::sync::Arc::<str>::from("v"),
            Expr::compile(&Bson::String("$k".into())).expect("compiles"),
        )];
        let m = doc! {"g": {"$gt": 0}, "$and": [
            {"$expr": {"$and": [{"$ne": [{"$ifNull": ["$f", null]}, null]}, {"$eq": ["$f", "$$v"]}]}},
            {"h": 1},
        ]};
        let s = split(&m, |c| correlated(c, &lets))
            .expect("splits")
            .expect("has an uncorrelated part");
        let vars = Vars::new(bson::DateTime::from_millis(0));
        // pre: g > 0, f not null, h = 1; residual: f = $$v
        assert!(s
            .pre
            .matches(&doc! {"g": 1, "f": 2, "h": 1}, &vars)
            .expect("ok"));
        assert!(!s.pre.matches(&doc! {"g": 1, "h": 1}, &vars).expect("ok"));
        assert!(!s
            .pre
            .matches(&doc! {"g": 0, "f": 2, "h": 1}, &vars)
            .expect("ok"));
        let mut inner = vars.clone();
        inner.push("v", Bson::Int32(2));
        assert!(s.residual.matches(&doc! {"f": 2}, &inner).expect("ok"));
        assert!(!s
            .residual
            .matches(&doc! {"f": 3, "g": 1}, &inner)
            .expect("ok"));
        // the outer value's NULL guard reads no field of the foreign document: decided per outer document
        let m = doc! {"$expr": {"$and": [
            {"$ne": [{"$ifNull": ["$$v", null]}, null]},
            {"$eq": ["$f", "$$v"]},
            {"$gt": ["$$v", {"$getField": "g"}]},
            {"$lt": ["$$ROOT.g", "$$v"]},
        ]}};
        let s = split(&m, |c| correlated(c, &lets))
            .expect("splits")
            .expect("has an outer part");
        let outer = s.outer.expect("outer conjuncts");
        let mut null_v = vars.clone();
        null_v.push("v", Bson::Null);
        assert!(outer.matches(&doc! {}, &inner).expect("ok"));
        assert!(!outer.matches(&doc! {}, &null_v).expect("ok"));
        // the residual keeps the equality, `$getField` and `$$ROOT`
        assert!(!s
            .residual
            .matches(&doc! {"f": 3, "g": 0}, &inner)
            .expect("ok"));
        assert!(!s
            .residual
            .matches(&doc! {"f": 2, "g": 5}, &inner)
            .expect("ok"));
        // all correlated: nothing to split
        let m = doc! {"$expr": {"$eq": ["$f", "$$v"]}};
        assert!(split(&m, |c| correlated(c, &lets)).expect("ok").is_none());
    }
}
