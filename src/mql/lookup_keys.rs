//! Correlated subqueries as equality joins a MongoDB server runs fast (a rewrite of the translator's
//! `$lookup` stage documents, kept here with the other wire names): the `$lookup` of a correlated
//! subquery whose sub-pipeline requires `{$eq: ["$f", "$$oN"]}` (`oN` bound to an outer column `"$c"`) also
//! gets `localField: c, foreignField: f` (MongoDB 5.0+ takes them together with `let` + `pipeline`), so a
//! server probes an index on `f` (or, in the embedded engine, a hash table of the foreign side) instead of
//! running the sub-pipeline over the whole foreign collection for every outer document.
//!
//! The sub-pipeline is kept whole, the `$eq` and its NULL guards included: `localField` equality is only a
//! pre-filter (it matches a NULL or missing outer value to NULL or missing foreign values, and array elements
//! to each other), and the kept conditions decide with SQL's rules. Where the query language's equality is
//! narrower than `$eq` the result can lose a row: on a MongoDB server an empty array on the outer side matches
//! only NULL or missing (dialect.md, deviation 1). Only `$match` stages may come before the one holding the
//! equality (a filter commutes with the pre-filter; a `$project` or `$group` could change the field), and both
//! fields must be top-level names.

use bson::{Bson, Document};

/// Adds `localField` / `foreignField` to a `{$lookup: {...}}` stage when its sub-pipeline requires an
/// equality between a foreign field and an outer column (see the module documentation); otherwise leaves
/// it unchanged.
pub(crate) fn with_equality_keys(stage: Document) -> Document {
    let Some(Bson::Document(spec)) = stage.get("$lookup") else {
        return stage;
    };
    let Some((local, foreign)) = equality(spec) else {
        return stage;
    };
    let mut out = Document::new();
    for (k, v) in spec {
        out.insert(k.clone(), v.clone());
        if k == "from" {
            out.insert("localField", local.clone());
            out.insert("foreignField", foreign.clone());
        }
    }
    let mut stage = Document::new();
    stage.insert("$lookup", out);
    stage
}

/// The (outer column, foreign field) of the equality the sub-pipeline's leading `$match` stages require.
fn equality(spec: &Document) -> Option<(String, String)> {
    if spec.contains_key("localField") || !spec.contains_key("from") {
        return None;
    }
    let Some(Bson::Document(lets)) = spec.get("let") else {
        return None;
    };
    let Some(Bson::Array(stages)) = spec.get("pipeline") else {
        return None;
    };
    for st in stages {
        let Some(Bson::Document(m)) = st.as_document().and_then(|d| d.get("$match")) else {
            return None;
        };
        let mut conds = Vec::new();
        match_conjuncts(m, &mut conds);
        if let Some(found) = conds.into_iter().find_map(|c| eq_pair(c, lets)) {
            return Some(found);
        }
    }
    None
}

/// The `$expr` conditions a `$match` requires: its top-level `$expr`, those of its top-level `$and`, each
/// split at `$and`.
fn match_conjuncts<'a>(m: &'a Document, out: &mut Vec<&'a Bson>) {
    for (k, v) in m {
        match (k.as_str(), v) {
            ("$expr", e) => expr_conjuncts(e, out),
            ("$and", Bson::Array(items)) => {
                for it in items {
                    if let Bson::Document(d) = it {
                        match_conjuncts(d, out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn expr_conjuncts<'a>(e: &'a Bson, out: &mut Vec<&'a Bson>) {
    match e {
        Bson::Document(d) if d.len() == 1 => match d.get("$and") {
            Some(Bson::Array(items)) => items.iter().for_each(|x| expr_conjuncts(x, out)),
            _ => out.push(e),
        },
        other => out.push(other),
    }
}

/// `{$eq: ["$f", "$$v"]}` (either order) with `v` bound to a top-level outer column: (column, f).
fn eq_pair(c: &Bson, lets: &Document) -> Option<(String, String)> {
    let Bson::Document(c) = c else { return None };
    if c.len() != 1 {
        return None;
    }
    let Some(Bson::Array(args)) = c.get("$eq") else {
        return None;
    };
    let [Bson::String(a), Bson::String(b)] = args.as_slice() else {
        return None;
    };
    let var = |s: &str| -> Option<String> {
        let name = s.strip_prefix("$$")?;
        match lets.get(name)? {
            Bson::String(col) => plain_field(col),
            _ => None,
        }
    };
    let field = |s: &str| {
        if s.starts_with("$$") {
            None
        } else {
            plain_field(s)
        }
    };
    match (field(a), var(b), var(a), field(b)) {
        (Some(f), Some(col), _, _) | (_, _, Some(col), Some(f)) => Some((col, f)),
        _ => None,
    }
}

/// `"$name"` with a top-level name: the name.
fn plain_field(path: &str) -> Option<String> {
    let name = path.strip_prefix('$')?;
    (!name.is_empty() && !name.starts_with('$') && !name.contains('.')).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn lookup(pipeline: Vec<Document>, lets: Document) -> Document {
        doc! {"$lookup": {"from": "o", "let": lets, "pipeline": pipeline, "as": "__sq0"}}
    }

    #[test]
    fn the_required_equality_becomes_local_and_foreign_fields() {
        let guarded = doc! {"$match": {"$and": [
            {"$expr": {"$and": [
                {"$ne": [{"$ifNull": ["$user_id", null]}, null]},
                {"$ne": [{"$ifNull": ["$$o0", null]}, null]},
                {"$eq": ["$user_id", "$$o0"]},
            ]}},
            {"$expr": {"$ne": ["$session_id", "$$o1"]}},
        ]}};
        let got = with_equality_keys(lookup(
            vec![guarded.clone(), doc! {"$limit": 1}],
            doc! {"o0": "$uid", "o1": "$session_id"},
        ));
        assert_eq!(
            got,
            doc! {"$lookup": {"from": "o", "localField": "uid", "foreignField": "user_id",
            "let": {"o0": "$uid", "o1": "$session_id"}, "pipeline": [guarded, {"$limit": 1}], "as": "__sq0"}}
        );
        // Reversed operands, after an uncorrelated $match.
        let got = with_equality_keys(lookup(
            vec![
                doc! {"$match": {"k": {"$gt": 1}}},
                doc! {"$match": {"$expr": {"$eq": ["$$o0", "$f"]}}},
            ],
            doc! {"o0": "$c"},
        ));
        let spec = got.get_document("$lookup").expect("lookup");
        assert_eq!(spec.get_str("localField").ok(), Some("c"));
        assert_eq!(spec.get_str("foreignField").ok(), Some("f"));
    }

    #[test]
    fn other_shapes_are_left_alone() {
        let eq = doc! {"$match": {"$expr": {"$eq": ["$f", "$$o0"]}}};
        let cases = vec![
            // not required: under $or
            lookup(
                vec![doc! {"$match": {"$expr": {"$or": [{"$eq": ["$f", "$$o0"]}, false]}}}],
                doc! {"o0": "$c"},
            ),
            // a $project before it may change f
            lookup(
                vec![doc! {"$project": {"f": "$g"}}, eq.clone()],
                doc! {"o0": "$c"},
            ),
            // the variable is an expression, or a dotted path
            lookup(vec![eq.clone()], doc! {"o0": {"$add": ["$c", 1]}}),
            lookup(vec![eq.clone()], doc! {"o0": "$c.d"}),
            // a dotted foreign field, a comparison that is not equality
            lookup(
                vec![doc! {"$match": {"$expr": {"$eq": ["$f.g", "$$o0"]}}}],
                doc! {"o0": "$c"},
            ),
            lookup(
                vec![doc! {"$match": {"$expr": {"$lt": ["$f", "$$o0"]}}}],
                doc! {"o0": "$c"},
            ),
            // uncorrelated
            doc! {"$lookup": {"from": "o", "pipeline": [eq.clone()], "as": "x"}},
            // no collection ($documents)
            doc! {"$lookup": {"let": {"o0": "$c"}, "pipeline": [eq], "as": "x"}},
        ];
        for c in cases {
            assert_eq!(with_equality_keys(c.clone()), c);
        }
    }
}
