//! What of the joined documents the stages after a `$lookup` read: the top-level fields of the `as` field's
//! documents named by their paths (`$__j1.session_id`), so that the sub-pipeline can end with an inclusion
//! `$project` of those and the foreign side is parsed, hashed and copied for them only (mongod's dependency
//! analysis likewise narrows a `$lookup`'s documents).
//!
//! In: the `as` field and the stages after the `$lookup`; out: the field names, or `None` when a joined
//! document may be read whole. Depends on `fields`.

use bson::{Bson, Document};

/// The top-level fields of the joined documents (the `as` field's elements) that the stages after a
/// `$lookup` read: `None` when they may read a joined document whole (or any field), or name one by a path
/// a projection cannot keep. The `$unwind` of the `as` field right after the `$lookup` reads the array
/// itself, not its documents: it is passed over (wherever it stands); an `$unset` of the `as` field ends what
/// may read them.
pub(super) fn joined_reads(as_field: &str, rest: &[Bson]) -> Option<Vec<String>> {
    if as_field.is_empty() || as_field.contains('.') || as_field.starts_with('$') {
        return None;
    }
    let unwinds_it = |st: &Bson| match st.as_document().and_then(|d| d.get("$unwind")) {
        Some(Bson::String(p)) => p.strip_prefix('$') == Some(as_field),
        Some(Bson::Document(u)) => {
            u.get_str("path").ok().and_then(|p| p.strip_prefix('$')) == Some(as_field)
        }
        _ => false,
    };
    // An `$unwind` of the `as` field reads the array, not its documents; `{as: {$size: n}}` in a `$match`
    // (the translator's anti-join test) counts the joined documents and reads none of their fields: a
    // narrowed document counts and unwinds the same.
    // After an `$unset` of the `as` field nothing reads the joined documents (the translator's anti-join:
    // `{$match: {as: {$size: 0}}}`, `{$unset: as}`, then `$$ROOT` made the joined row): the stages from it
    // on are left out, and a projection of `_id` closes what is read before it.
    let unsets_it = |st: &Bson| match st.as_document().and_then(|d| d.get("$unset")) {
        Some(Bson::String(p)) => p == as_field,
        Some(Bson::Array(ps)) => ps.iter().any(|p| p.as_str() == Some(as_field)),
        _ => false,
    };
    let cut = rest.iter().position(unsets_it);
    let mut rest: Vec<Bson> = rest[..cut.unwrap_or(rest.len())]
        .iter()
        .filter(|st| !unwinds_it(st))
        .map(|st| without_size_tests(as_field, st))
        .collect();
    if cut.is_some() {
        rest.push(Bson::Document(bson::doc! {"$project": {"_id": 1}}));
    }
    let mut paths = Vec::new();
    if !crate::engine::fields::pipeline_paths(&rest, &mut paths) {
        return None;
    }
    let mut fields: Vec<String> = Vec::new();
    for p in &paths {
        if p == as_field {
            return None;
        }
        let Some(sub) = p.strip_prefix(as_field).and_then(|r| r.strip_prefix('.')) else {
            continue;
        };
        let top = sub.split('.').next().unwrap_or(sub);
        if top.is_empty() || top.starts_with('$') {
            return None;
        }
        if !fields.iter().any(|f| f == top) {
            fields.push(top.to_string());
        }
    }
    Some(fields)
}

/// `stage` without the top-level conditions of a `$match` on `as_field` that only test its size.
fn without_size_tests(as_field: &str, stage: &Bson) -> Bson {
    let Some(Bson::Document(m)) = stage.as_document().and_then(|d| d.get("$match")) else {
        return stage.clone();
    };
    let size_only = |v: &Bson| {
        v.as_document()
            .is_some_and(|c| !c.is_empty() && c.keys().all(|k| k == "$size"))
    };
    if !m.get(as_field).is_some_and(size_only) {
        return stage.clone();
    }
    let mut m = m.clone();
    m.remove(as_field);
    Bson::Document(bson::doc! {"$match": m})
}

/// The inclusion `$project` keeping `fields` (and `_id` only when listed; `{_id: 1}` when nothing is).
pub(super) fn inclusion(fields: &[String]) -> Document {
    let mut p = Document::new();
    if !fields.iter().any(|f| f == "_id") {
        p.insert("_id", if fields.is_empty() { 1 } else { 0 });
    }
    for f in fields {
        p.insert(f.clone(), 1);
    }
    p
}
