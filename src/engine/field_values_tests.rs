//! Embedded documents decoded along the paths read only ([`FieldValues::prune_to`]) against the whole
//! document, on generated documents (nested documents, arrays of documents, scalars and arrays in arrays,
//! numeric keys, missing and null) and generated paths: every path read through an expression and through
//! query predicates (equality, null, `$exists`, `$type`) gives the same result on the pruned fields as on
//! the whole document.

use super::FieldValues;
use crate::engine::expr::{Expr, Vars};
use crate::engine::matcher::Matcher;
use bson::{doc, Bson, Document};
use proptest::prelude::*;

const KEYS: [&str; 4] = ["a", "b", "c", "0"];

fn value() -> impl Strategy<Value = Bson> {
    let leaf = prop_oneof![
        (0i32..3).prop_map(Bson::Int32),
        Just(Bson::Null),
        Just(Bson::String("s".into())),
    ];
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec((0usize..4, inner.clone()), 0..4).prop_map(|kv| {
                let mut d = Document::new();
                for (k, v) in kv {
                    d.insert(KEYS[k], v);
                }
                Bson::Document(d)
            }),
            prop::collection::vec(inner, 0..4).prop_map(Bson::Array),
        ]
    })
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(0usize..4, 1..4)
        .prop_map(|ks| ks.iter().map(|k| KEYS[*k]).collect::<Vec<_>>().join("."))
}

fn read(doc: &Document, paths: &[String]) -> Document {
    let buf = bson::RawDocumentBuf::try_from(doc).expect("encodes");
    let raw: &bson::RawDocument = &buf;
    let mut names: Vec<String> = Vec::new();
    for p in paths {
        let top = p.split('.').next().unwrap_or(p).to_string();
        if !names.contains(&top) {
            names.push(top);
        }
    }
    let mut row = FieldValues::new(names);
    row.prune_to(paths);
    row.read(raw).expect("reads");
    let mut out = Document::new();
    row.move_into(&mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn pruned_fields_read_as_the_whole_document(
        a in value(),
        b in value(),
        paths in prop::collection::vec(path(), 1..4),
        probe in value(),
    ) {
        let whole = doc! {"a": a, "b": b};
        let pruned = read(&whole, &paths);
        let vars = Vars::new(bson::DateTime::from_millis(0));
        for p in &paths {
            let e = Expr::compile(&Bson::String(format!("${p}"))).expect("path");
            prop_assert_eq!(e.eval(&pruned, &vars).ok(), e.eval(&whole, &vars).ok(), "{} {:?}", p, pruned);
            for f in [
                doc! {p.as_str(): probe.clone()},
                doc! {p.as_str(): Bson::Null},
                doc! {p.as_str(): {"$exists": true}},
                doc! {p.as_str(): {"$type": "object"}},
                doc! {p.as_str(): {"$type": "array"}},
                doc! {p.as_str(): {"$ne": probe.clone()}},
            ] {
                let m = Matcher::compile(&f).expect("filter");
                prop_assert_eq!(m.matches(&pruned, &vars).ok(), m.matches(&whole, &vars).ok(), "{} {:?}", f, pruned);
            }
        }
    }
}

proptest! {
    /// One row read over documents of changing shapes (fields missing, in other orders), each moved into
    /// an empty document as a scan hands it on: each is the document's fields that the row names, in the
    /// document's order (the shape's template is remade when the shape changes).
    #[test]
    fn moved_rows_follow_each_documents_shape(
        docs in prop::collection::vec(
            prop::collection::vec(("(a|b|c|d)", value()), 0..5),
            1..6,
        ),
        names in prop::collection::vec("(a|b|c|e)", 1..4),
    ) {
        let mut unique: Vec<String> = Vec::new();
        for n in names {
            if !unique.contains(&n) {
                unique.push(n);
            }
        }
        let mut row = FieldValues::new(unique.clone());
        for kv in docs {
            let doc: Document = kv.into_iter().collect();
            let buf = bson::RawDocumentBuf::try_from(&doc).expect("encodes");
            row.read(&buf).expect("reads");
            let mut out = Document::new();
            row.move_into(&mut out);
            let want: Vec<(&String, &Bson)> = doc.iter().filter(|(k, _)| unique.contains(k)).collect();
            let got: Vec<(&String, &Bson)> = out.iter().collect();
            prop_assert_eq!(want, got);
        }
    }
}
