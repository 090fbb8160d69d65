//! A literal document of an expression (`{months: 0, days: {$toInt: ..}, micros: ..}`, what every interval
//! value of a plan is): its fields, and a template of their keys ([`Template`]) to build each evaluation's
//! document from without hashing the keys and growing the table key by key. A document whose fields are
//! all present (the usual case: a computed value is missing only when it reads a missing field alone) is the
//! template filled with the values; one with a missing value is built key by key without it, as before.
//!
//! In: the compiled fields; out: the evaluated document. Depends on `doc_template`.

use super::{borrowed, Node, Vars};
use crate::engine::doc_template::Template;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The fields of a literal document (`Node::Doc`), with the template of their keys.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocFields {
    fields: Vec<(String, Node)>,
    /// The keys in order (`None` when a key repeats, never for a document's keys, or for none).
    template: Option<Template>,
}

impl DocFields {
    /// The fields, in order.
    pub(crate) fn new(fields: Vec<(String, Node)>) -> DocFields {
        let template = if fields.is_empty() {
            None
        } else {
            Template::new(fields.iter().map(|(k, _)| k.as_str()))
        };
        DocFields { fields, template }
    }

    /// The template of the keys (none when a key repeats).
    pub(crate) fn template(&self) -> Option<&Template> {
        self.template.as_ref()
    }

    /// The fields as a slice.
    pub(crate) fn as_slice(&self) -> &[(String, Node)] {
        &self.fields
    }

    /// The document of the fields' values: a field whose value is missing is left out.
    pub(super) fn eval(&self, root: &Document, vars: &Vars) -> Result<Option<Bson>, CommandError> {
        let mut values: smallvec::SmallVec<[Bson; 4]> = smallvec::SmallVec::new();
        if let Some(t) = self.template.as_ref().filter(|_| borrowed::lending()) {
            for (i, (_, n)) in self.fields.iter().enumerate() {
                match n.eval(root, vars)? {
                    Some(v) => values.push(v),
                    None => return self.by_keys(values, i + 1, root, vars),
                }
            }
            return Ok(Some(Bson::Document(t.fill(values))));
        }
        self.by_keys(values, 0, root, vars)
    }

    /// The document built key by key: `values` are those of the first `values.len()` fields, the fields
    /// from `from` on are evaluated here (the ones between, missing, left out).
    #[inline(never)]
    fn by_keys(
        &self,
        values: smallvec::SmallVec<[Bson; 4]>,
        from: usize,
        root: &Document,
        vars: &Vars,
    ) -> Result<Option<Bson>, CommandError> {
        let mut out = Document::new();
        for ((k, _), v) in self.fields.iter().zip(values) {
            out.insert(k.clone(), v);
        }
        for (k, n) in &self.fields[from..] {
            if let Some(v) = n.eval(root, vars)? {
                out.insert(k.clone(), v);
            }
        }
        Ok(Some(Bson::Document(out)))
    }
}

impl std::ops::Deref for DocFields {
    type Target = [(String, Node)];
    fn deref(&self) -> &Self::Target {
        &self.fields
    }
}

impl FromIterator<(String, Node)> for DocFields {
    fn from_iter<I: IntoIterator<Item = (String, Node)>>(iter: I) -> Self {
        DocFields::new(iter.into_iter().collect())
    }
}

impl IntoIterator for DocFields {
    type Item = (String, Node);
    type IntoIter = std::vec::IntoIter<(String, Node)>;
    fn into_iter(self) -> Self::IntoIter {
        self.fields.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{borrowed::GENERAL, Expr, Vars};
    use bson::{doc, Bson, Document};
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Bson> {
        prop::sample::select(vec![
            Bson::String("$a".into()),
            Bson::String("$missing".into()),
            Bson::String("$d".into()),
            Bson::String("$d.x".into()),
            Bson::String("$d.none".into()),
            Bson::Int32(1),
            Bson::Null,
            Bson::Document(doc! {"$add": ["$a", 1]}),
            Bson::Document(doc! {"$add": ["$missing", 1]}),
            Bson::Document(doc! {"$ifNull": ["$missing", "$$REMOVE"]}),
            Bson::Document(doc! {"$divide": ["$a", 0]}),
            Bson::Document(doc! {"y": "$a", "z": "$missing"}),
        ])
    }

    fn eval(e: &Expr, general: bool) -> Result<Option<Bson>, i32> {
        let row = doc! {"a": 2, "d": {"x": "s"}};
        GENERAL.with(|g| g.set(general));
        let r = e.eval(&row, &Vars::new(bson::DateTime::from_millis(0)));
        GENERAL.with(|g| g.set(false));
        r.map_err(|e| e.code)
    }

    proptest! {
        /// A literal document built from its keys' template is the one built key by key: same keys in the
        /// same order (missing values left out), same values, same error.
        #[test]
        fn template_document_equals_key_by_key(
            fields in prop::collection::vec(("[a-e]", value()), 0..6)
        ) {
            let mut spec = Document::new();
            for (k, v) in fields {
                spec.insert(k, v);
            }
            let e = Expr::compile(&Bson::Document(spec.clone())).map_err(|e| e.code);
            let Ok(e) = e else { return Ok(()); };
            let fast = eval(&e, false);
            let general = eval(&e, true);
            prop_assert_eq!(
                fast.as_ref().map(|v| v.as_ref().map(|b| format!("{b:?}"))),
                general.as_ref().map(|v| v.as_ref().map(|b| format!("{b:?}"))),
                "{}", spec
            );
        }
    }

    /// A missing value in the middle of the document is left out, the fields after it kept in order.
    #[test]
    fn missing_value_left_out_in_order() {
        let e = Expr::compile(&Bson::Document(
            doc! {"p": "$a", "q": "$missing", "r": {"$add": ["$a", 1]}, "s": "$d"},
        ))
        .expect("compiles");
        let got = eval(&e, false).expect("evaluates");
        assert_eq!(
            got,
            Some(Bson::Document(doc! {"p": 2, "r": 3, "s": {"x": "s"}}))
        );
        let keys: Vec<String> = match got {
            Some(Bson::Document(d)) => d.keys().cloned().collect(),
            _ => Vec::new(),
        };
        assert_eq!(keys, ["p", "r", "s"]);
    }
}
