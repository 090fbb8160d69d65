//! The keys a document contributes to an index ([`Index::keys_for`]): the general rules (partial filter,
//! dotted paths through arrays and documents, multikey cross products) and the fast path of the common
//! index, top-level fields holding no array (every `_id_` index), which reads each field once and builds
//! the one key directly. `keys_tests.rs` holds the fast path equal to the general rules on generated
//! documents.

use super::index::{Index, IndexKey};
use crate::engine::collation;
use crate::engine::expr::Vars;
use bson::{Bson, Document};

impl Index {
    /// The keys `doc` contributes (several for arrays: a multikey index); none when sparse / partial exclude it.
    pub fn keys_for(&self, doc: &Document) -> Vec<IndexKey> {
        match self.top_level_key(doc) {
            Some(keys) => keys,
            None => self.keys_for_general(doc),
        }
    }

    /// The keys of `doc` when no partial filter applies and every indexed field is top-level and holds no
    /// array in `doc` (the one key of the present values, `null` for a missing one; none for a sparse
    /// index missing every field), as [`keys_for_general`](Self::keys_for_general) gives them; `None` when
    /// those rules must decide.
    fn top_level_key(&self, doc: &Document) -> Option<Vec<IndexKey>> {
        if self.partial.is_some() {
            return None;
        }
        let mut key = Vec::with_capacity(self.fields.len());
        let mut any_present = false;
        for f in &self.fields {
            if f.contains('.') {
                return None;
            }
            match doc.get(f) {
                None => key.push(Bson::Null),
                Some(Bson::Array(_)) => return None,
                Some(v) => {
                    any_present = true;
                    key.push(match &self.collation {
                        Some(c) => c.index_key(v),
                        None => v.clone(),
                    });
                }
            }
        }
        if self.sparse && !any_present {
            return Some(Vec::new());
        }
        Some(vec![IndexKey(key.into())])
    }

    /// [`keys_for`](Self::keys_for) by the general rules: the partial filter, every path's values
    /// (array elements and the array, dotted paths through arrays of documents), their cross product.
    pub(crate) fn keys_for_general(&self, doc: &Document) -> Vec<IndexKey> {
        if let Some(p) = &self.partial {
            // The partial filter compares by the index's collation, whatever command writes.
            let _scope = collation::enter(self.collation.clone());
            if !p
                .matches(doc, &Vars::new(bson::DateTime::from_millis(0)))
                .unwrap_or(false)
            {
                return Vec::new();
            }
        }
        let mut per_field: Vec<Vec<Bson>> = Vec::with_capacity(self.fields.len());
        let mut any_present = false;
        for f in &self.fields {
            let vals = index_values(doc, f);
            if !vals.is_empty() {
                any_present = true;
            }
            per_field.push(if vals.is_empty() {
                vec![Bson::Null]
            } else if let Some(c) = &self.collation {
                vals.iter().map(|v| c.index_key(v)).collect()
            } else {
                vals
            });
        }
        if self.sparse && !any_present {
            return Vec::new();
        }
        let mut keys: Vec<Vec<Bson>> = vec![Vec::new()];
        for vals in per_field {
            let mut next = Vec::with_capacity(keys.len() * vals.len());
            for k in &keys {
                for v in &vals {
                    let mut k2 = k.clone();
                    k2.push(v.clone());
                    next.push(k2);
                }
            }
            keys = next;
        }
        keys.into_iter().map(|k| IndexKey(k.into())).collect()
    }
}

/// The values a document has at an index path: array elements (and the array itself for exact array
/// equality are not indexed separately here), dotted paths through arrays of documents.
fn index_values(doc: &Document, field: &str) -> Vec<Bson> {
    let mut out = Vec::new();
    let parts: Vec<&str> = field.split('.').collect();
    // The document's own level, without wrapping (and so copying) the whole document in a `Bson`.
    if let Some((first, rest)) = parts.split_first() {
        if let Some(v) = doc.get(*first) {
            collect_values(v, rest, &mut out);
        }
    }
    out
}

fn collect_values(v: &Bson, parts: &[&str], out: &mut Vec<Bson>) {
    let Some((part, rest)) = parts.split_first() else {
        match v {
            Bson::Array(items) if !items.is_empty() => {
                out.extend(items.iter().cloned());
                // An array value also matches equality with the whole array.
                out.push(v.clone());
            }
            Bson::Array(_) => out.push(Bson::Array(vec![])),
            other => out.push(other.clone()),
        }
        return;
    };
    match v {
        Bson::Document(d) => {
            if let Some(x) = d.get(*part) {
                collect_values(x, rest, out);
            }
        }
        Bson::Array(items) => {
            if let Ok(i) = part.parse::<usize>() {
                if let Some(x) = items.get(i) {
                    collect_values(x, rest, out);
                }
            }
            for item in items {
                if let Bson::Document(_) = item {
                    collect_values(item, parts, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
