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

    /// Per slot of a row of `n` fields: whether every condition on it decides an embedded document by its
    /// type alone ([`Pred::same_for_every_document`]), so the row may hold an empty document in its place
    /// (`FieldValues::shallow_documents`: `{session_data: {$ne: null}}` never decodes `session_data`).
    /// A slot no condition reads is `false` (the caller may read it for itself).
    pub fn shallow_slots(&self, n: usize) -> Vec<bool> {
        let mut out = vec![false; n];
        for (slot, _) in &self.conditions {
            if let Some(s) = out.get_mut(*slot) {
                *s = self
                    .conditions
                    .iter()
                    .filter(|(other, _)| other == slot)
                    .all(|(_, p)| p.same_for_every_document());
            }
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, Document};

    fn top(filter: Document) -> Option<(TopLevelFilter, Vec<String>)> {
        let m = Matcher::compile(&filter).ok()?;
        let mut fields = vec!["g".to_string()];
        TopLevelFilter::from_matcher(&m, &mut fields).map(|t| (t, fields))
    }

    #[test]
    fn only_top_level_conjunctions_qualify() {
        let (_, fields) =
            top(doc! {"active": true, "g": {"$gte": 0.2}, "$and": [{"x": {"$in": [1, "a"]}}]})
                .expect("a conjunction of top-level predicates");
        assert_eq!(fields, ["g", "active", "x"]);
        assert!(top(doc! {"a.b": 1}).is_none());
        assert!(top(doc! {"$or": [{"a": 1}]}).is_none());
        assert!(top(doc! {"$expr": {"$eq": ["$a", 1]}}).is_none());
        assert!(top(doc! {}).is_some());
    }

    fn value() -> impl proptest::strategy::Strategy<Value = Option<bson::Bson>> {
        use bson::Bson;
        use proptest::prelude::*;
        let leaf = prop_oneof![
            (0i32..3).prop_map(Bson::Int32),
            Just(Bson::Null),
            Just(Bson::String("s".into())),
        ];
        prop_oneof![
            2 => leaf.clone().prop_map(Some),
            1 => prop::collection::vec(leaf.clone(), 0..3).prop_map(|v| Some(Bson::Array(v))),
            2 => leaf.clone().prop_map(|x| Some(Bson::Document(doc! {"x": x}))),
            1 => Just(Some(Bson::Document(Document::new()))),
            1 => Just(None),
        ]
    }

    /// Predicates that decide an embedded document by its type and ones that read it.
    fn predicates() -> Vec<bson::Bson> {
        use bson::bson;
        vec![
            bson!({"$ne": null}),
            bson!({"$exists": true}),
            bson!({"$exists": false}),
            bson!({"$type": "object"}),
            bson!({"$type": ["array", "int"]}),
            bson!({"$not": {"$type": "object"}}),
            bson!({"$gt": null}),
            bson!({"$gte": {"$minKey": 1}}),
            bson!({"$lt": {"$maxKey": 1}}),
            bson!({"$in": [null, 1]}),
            bson!({"$nin": [null, "s"]}),
            bson!({"$size": 0}),
            bson!({"$elemMatch": {"x": 1}}),
            bson!({"$eq": {"x": 1}}),
            bson!({"$ne": {"x": null}}),
            bson!({"$in": [{}, 2]}),
            bson!({"$gte": {"x": 0}}),
            bson!(null),
            bson!({"x": 2}),
        ]
    }

    proptest::proptest! {
        /// A row whose slots read embedded documents shallowly where every condition on the slot decides
        /// documents by type (`shallow_slots`) decides each document as the matcher does on the parsed
        /// document.
        #[test]
        fn shallow_rows_match_as_the_matcher_does(
            conditions in proptest::collection::vec((0usize..2, 0..predicates().len()), 1..4),
            a in value(),
            b in value(),
        ) {
            let mut filter = Document::new();
            let mut and = Vec::new();
            for (field, p) in conditions {
                and.push(bson::Bson::Document(doc! {["a", "b"][field]: predicates()[p].clone()}));
            }
            filter.insert("$and", and);
            let m = Matcher::compile(&filter).expect("compiles");
            let mut fields = Vec::new();
            let t = TopLevelFilter::from_matcher(&m, &mut fields).expect("top-level");
            let mut row = FieldValues::new(fields);
            row.shallow_documents(t.shallow_slots(row.names().len()));
            let mut d = doc! {"_id": 1};
            if let Some(a) = a {
                d.insert("a", a);
            }
            if let Some(b) = b {
                d.insert("b", b);
            }
            let raw = bson::RawDocumentBuf::try_from(&d).expect("serialises");
            proptest::prop_assert!(row.read(&raw).is_some());
            let vars = Vars::new(bson::DateTime::from_millis(0));
            proptest::prop_assert_eq!(
                t.matches(&row, &vars).expect("no error"),
                m.matches(&d, &vars).expect("no error"),
                "{} on {}", filter, d
            );
        }
    }

    /// `$ne: null` and `$type` read no embedded document; `$eq` of a document does.
    #[test]
    fn type_only_slots_are_shallow() {
        let m = Matcher::compile(&doc! {"a": {"$ne": null}, "b": {"$type": "object"}, "c": {"$eq": {"x": 1}}, "d": {"$exists": true, "$ne": {"y": 1}}})
            .expect("compiles");
        let mut fields = Vec::new();
        let t = TopLevelFilter::from_matcher(&m, &mut fields).expect("top-level");
        assert_eq!(fields, ["a", "b", "c", "d"]);
        assert_eq!(t.shallow_slots(5), [true, true, false, false, false]);
    }

    #[test]
    fn matches_as_the_matcher_does_on_the_same_document() {
        let filter = doc! {"a": {"$gte": 0.2, "$ne": 3}, "b": null, "c": {"$in": [1, "x"]}};
        let m = Matcher::compile(&filter).expect("compiles");
        let (t, fields) = top(filter).expect("qualifies");
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let docs = [
            doc! {"a": 1, "c": 1},
            doc! {"a": 3, "c": 1},
            doc! {"a": [0.1, 0.5], "c": "x", "b": null},
            doc! {"a": "1", "c": 1},
            doc! {"a": 0.2, "c": [2, 1], "b": 0},
            doc! {"a": f64::NAN, "c": 1},
        ];
        let mut row = FieldValues::new(fields);
        for d in docs {
            let raw = bson::RawDocumentBuf::try_from(&d).expect("serialises");
            assert!(row.read(&raw).is_some());
            assert_eq!(
                t.matches(&row, &vars).expect("no error"),
                m.matches(&d, &vars).expect("no error"),
                "{d}"
            );
        }
    }
}
