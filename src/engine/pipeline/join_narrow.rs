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
/// itself, not its documents: it is passed over.
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
    let rest = match rest.first() {
        Some(st) if unwinds_it(st) => &rest[1..],
        _ => rest,
    };
    let mut paths = Vec::new();
    if !crate::engine::fields::pipeline_paths(rest, &mut paths) {
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
