//! A relation's interval column printed as text where its `$project` computes it (`source.rs`,
//! `text_where_built`) against the `$set` after the `$project` that reads the document back, run by the
//! embedded engine over generated rows (the interval a product of a column: whole, fractional, NULL,
//! missing; a column read by path): the same rows.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
pub(in crate::translate) mod cases {
    use super::super::source::{intervals_as_text, Source};
    use crate::mql::expr as ex;
    use crate::mql::stage::Stage;
    use crate::translate::expr::interval::{self, Known};
    use bson::{doc, Bson, Document};
    use proptest::prelude::*;

    /// The source `$documents: rows` then `$project` of `k`, `iv` (an interval of shape `shape`, made
    /// present by `$ifNull` or not) and `p` (a field path to an interval).
    fn source(rows: Vec<Bson>, shape: usize, present: bool) -> Source {
        let hour = doc! {"months": 0, "days": 0, "micros": 3_600_000_000i64};
        let iv: Bson = match shape {
            0 => interval::scale(
                Bson::Document(hour),
                ex::field("k").into(),
                false,
                Known::ANY,
            ),
            1 => interval::scale(
                Bson::Document(hour),
                ex::field("k").into(),
                true,
                Known::ANY,
            ),
            _ => "$p".into(),
        };
        let iv = if present { ex::or_null(iv).into() } else { iv };
        Source {
            collection: None,
            pipeline: vec![
                doc! {"$documents": rows},
                doc! {"$project": {"_id": 0, "k": "$k", "iv": iv, "p": "$p"}},
            ],
            columns: Some(vec!["k".into(), "iv".into(), "p".into()]),
            join: None,
            intervals: Vec::new(),
        }
    }

    fn run(pipeline: Vec<Document>) -> Result<Vec<Bson>, i32> {
        crate::engine::Engine::in_memory()
            .run_command(
                "t",
                &doc! {"aggregate": 1, "pipeline": pipeline, "cursor": {}},
            )
            .map(|r| {
                r.get_document("cursor")
                    .ok()
                    .and_then(|c| c.get_array("firstBatch").ok())
                    .cloned()
                    .unwrap_or_default()
            })
            .map_err(|e| e.code)
    }

    /// A column's value that scales an interval: missing, NULL, whole or fractional.
    pub(in crate::translate) fn factor() -> impl Strategy<Value = Option<Bson>> {
        prop_oneof![
            Just(None),
            Just(Some(Bson::Null)),
            (-50i32..50).prop_map(|k| Some(Bson::Int32(k))),
            (-400i32..400).prop_map(|k| Some(Bson::Double(f64::from(k) / 8.0))),
        ]
    }

    fn interval_value() -> impl Strategy<Value = Option<Bson>> {
        prop_oneof![
            Just(None),
            Just(Some(Bson::Null)),
            (-30i32..30, -70i32..70, -200_000_000_000i64..200_000_000_000).prop_map(|(m, d, u)| {
                Some(Bson::Document(doc! {"months": m, "days": d, "micros": u}))
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn text_where_built_equals_text_set_after(
            rows in prop::collection::vec((factor(), interval_value()), 0..6),
            shape in 0usize..3,
            present in any::<bool>(),
            both in any::<bool>(),
        ) {
            let rows: Vec<Bson> = rows
                .into_iter()
                .map(|(k, p)| {
                    let mut d = Document::new();
                    if let Some(k) = k {
                        d.insert("k", k);
                    }
                    if let Some(p) = p {
                        d.insert("p", p);
                    }
                    Bson::Document(d)
                })
                .collect();
            let columns: Vec<String> = if both {
                vec!["iv".into(), "p".into()]
            } else {
                vec!["iv".into()]
            };
            let mut built = source(rows.clone(), shape, present);
            intervals_as_text(&mut built, &columns);
            let mut after = source(rows, shape, present);
            let mut text = Document::new();
            for c in &columns {
                text.insert(c, interval::format(ex::field(c).into()));
            }
            after.pipeline.push(Stage::Set(text).into_document());
            // the text is computed in the `$project`: no stage after it
            prop_assert_eq!(built.pipeline.len(), 2);
            prop_assert_eq!(run(built.pipeline), run(after.pipeline));
        }
    }
}
