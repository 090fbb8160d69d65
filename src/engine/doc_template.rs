//! Documents of one fixed key sequence built by copying a template ([`Template`]): a `bson::Document` is an
//! `IndexMap` with std's SipHash, so building one key by key hashes every key and grows (and rehashes) its
//! table at 4, 8, 16 ... keys; a clone of a document with the same keys copies the table and the keys as
//! they are. A projection's or a scan's output has the same keys row after row: measured on 1M documents
//! of `Int32` values (instructions per document, build and drop), 2 keys 1,345 -> 1,110, 4 keys 2,938 ->
//! 1,873, 8 keys 5,646 -> 3,205, 12 keys 7,334 -> 4,435.
//!
//! A document of a template's keys can also be held as its values only ([`TemplateRow`]): a sort or a
//! cursor that hands its rows to the SQL executor never builds the document at all (rows as value vectors
//! are what the executor makes of documents anyway).
//!
//! In: the keys once, then each document's values in key order; out: the document. Depends on `bson`.

use bson::{Bson, Document};
use std::sync::Arc;

/// A document with fixed keys and null values, copied for each document of those keys.
#[derive(Debug, Clone, Default)]
pub(crate) struct Template {
    doc: Document,
}

impl Template {
    /// The template of `keys`, in order; `None` when a key repeats (a document cannot hold it twice).
    pub(crate) fn new<'k>(keys: impl IntoIterator<Item = &'k str>) -> Option<Template> {
        let mut doc = Document::new();
        for k in keys {
            if doc.insert(k, Bson::Null).is_some() {
                return None;
            }
        }
        Some(Template { doc })
    }

    /// How many keys the template has.
    pub(crate) fn len(&self) -> usize {
        self.doc.len()
    }

    /// Whether the template's keys are `keys`, in order.
    #[cfg(test)]
    pub(crate) fn has_keys<'k>(&self, mut keys: impl Iterator<Item = &'k str>) -> bool {
        self.doc.keys().all(|k| keys.next() == Some(k.as_str())) && keys.next().is_none()
    }

    /// The template's keys, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.doc.keys().map(String::as_str)
    }

    /// The document of the template's keys with `values` in their order: the same document as inserting
    /// each key with its value into an empty one. `values` gives exactly [`len`](Self::len) values
    /// (fewer leave the last keys null; more are ignored).
    pub(crate) fn fill(&self, values: impl IntoIterator<Item = Bson>) -> Document {
        let mut out = self.doc.clone();
        for ((_, slot), v) in out.iter_mut().zip(values) {
            *slot = v;
        }
        out
    }
}

/// A document of a template's keys held as its values, in key order (one value per key: no key missing).
#[derive(Debug, Clone)]
pub struct TemplateRow {
    template: Arc<Template>,
    values: Vec<Bson>,
}

impl TemplateRow {
    /// The row of `values` under `template`; `None` unless there is exactly one value per key.
    pub(crate) fn new(template: Arc<Template>, values: Vec<Bson>) -> Option<TemplateRow> {
        (values.len() == template.len()).then_some(TemplateRow { template, values })
    }

    /// The template the values are of.
    pub(crate) fn template(&self) -> &Arc<Template> {
        &self.template
    }

    /// The values, in key order.
    pub fn into_values(self) -> Vec<Bson> {
        self.values
    }

    /// The document (the template filled with the values).
    pub fn into_doc(self) -> Document {
        self.template.fill(self.values)
    }

    /// The document's BSON bytes, written from the values (no document built).
    pub(crate) fn bytes(&self) -> Result<Vec<u8>, bson::error::Error> {
        crate::engine::storage::pairs_bytes(|| self.template.keys().zip(&self.values))
    }

    /// The bytes the row takes in memory (its values; the template is shared).
    pub(crate) fn resident(&self) -> usize {
        std::mem::size_of::<TemplateRow>()
            + self
                .values
                .iter()
                .map(crate::engine::memory::resident_value_bytes)
                .sum::<usize>()
    }

    /// The document's [`shape`](crate::engine::limits::shape) (exact BSON size and depth), measured on
    /// the values.
    pub(crate) fn shape(&self) -> crate::engine::limits::Shape {
        crate::engine::limits::pairs_shape(|| self.template.keys().zip(&self.values))
    }

    /// The document's BSON size as [`doc_bytes`](crate::engine::memory::doc_bytes) counts it.
    pub(crate) fn bson_bytes(&self) -> usize {
        5 + self
            .template
            .keys()
            .zip(&self.values)
            .map(|(k, v)| k.len() + 2 + 8 + crate::engine::memory::value_bytes(v))
            .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A filled template is the document built key by key: same keys, same order, same values.
        #[test]
        fn fill_equals_inserting(keys in proptest::collection::vec("[a-e]{1,2}", 0..12), seed in any::<i32>()) {
            let values: Vec<Bson> = (0..keys.len()).map(|i| match i % 3 {
                0 => Bson::Int32(seed.wrapping_add(i as i32)),
                1 => Bson::String(format!("v{i}")),
                _ => Bson::Document(bson::doc! {"x": i as i64}),
            }).collect();
            let mut built = Document::new();
            let mut repeated = false;
            for (k, v) in keys.iter().zip(&values) {
                repeated |= built.insert(k.as_str(), v.clone()).is_some();
            }
            match Template::new(keys.iter().map(String::as_str)) {
                None => prop_assert!(repeated),
                Some(t) => {
                    prop_assert!(!repeated);
                    prop_assert!(t.has_keys(keys.iter().map(String::as_str)));
                    let filled = t.fill(values.iter().cloned());
                    let a: Vec<_> = filled.iter().collect();
                    let b: Vec<_> = built.iter().collect();
                    prop_assert_eq!(a, b);
                }
            }
        }
    }

    #[test]
    fn keys_compared_in_order() {
        let t = Template::new(["a", "b"]).unwrap_or_default();
        assert!(t.has_keys(["a", "b"].into_iter()));
        assert!(!t.has_keys(["b", "a"].into_iter()));
        assert!(!t.has_keys(["a"].into_iter()));
        assert!(!t.has_keys(["a", "b", "c"].into_iter()));
    }
}
