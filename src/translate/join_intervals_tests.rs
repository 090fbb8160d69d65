//! A joined derived table's interval column kept as its `{months, days, micros}` document
//! (`JoinTable::intervals`, flagged `OutputColumn::interval`, printed by the row layer) against the
//! pipeline's own text of it (`::text`, the general path that printed it at the source before), run by the
//! embedded engine over generated rows (whole, fractional, negative, NULL and missing factors): the same
//! text. And the `*` fallback: a SELECT list with `*` keeps the text at the source.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
mod cases {
    use crate::mql::plan::Output;
    use crate::translate::cte::source_text_tests::cases::factor;
    use bson::{doc, Bson, Document};
    use proptest::prelude::*;

    const JOINED: &str = "SELECT u.k, d.iv, d.iv::text AS t FROM t u JOIN (SELECT k, \
         INTERVAL '1 mon -2 days 03:00:00.5' * v + INTERVAL '-1 hour' * w AS iv FROM t) d \
         ON d.k = u.k ORDER BY u.k";

    fn plan(sql: &str) -> (Document, Vec<bool>) {
        let plan = crate::translate::translate(sql).expect("translates");
        let st = &plan.statements[0];
        let flags = match &st.output {
            Output::Rows { columns } => columns.iter().map(|c| c.interval).collect(),
            other => panic!("not rows: {other:?}"),
        };
        (st.steps[0].to_document(), flags)
    }

    /// The joined relation's `$lookup` stage, as text.
    fn lookup(cmd: &Document) -> String {
        cmd.get_array("pipeline")
            .expect("a pipeline")
            .iter()
            .filter_map(Bson::as_document)
            .find(|s| s.contains_key("$lookup"))
            .expect("a $lookup")
            .to_string()
    }

    #[test]
    fn joined_interval_is_a_flagged_document_and_star_keeps_text() {
        let (cmd, flags) = plan(JOINED);
        assert_eq!(flags, vec![false, true, false]);
        // no text printed at the source (the `::text` column's tree is after the join)
        assert!(!lookup(&cmd).contains("$concat"), "{cmd}");
        let (cmd, flags) = plan(
            "SELECT d.* FROM t u JOIN (SELECT k, INTERVAL '1 hour' * v AS iv FROM t) d ON d.k = u.k",
        );
        assert!(flags.iter().all(|f| !f));
        assert!(lookup(&cmd).contains("$concat"), "{cmd}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn joined_interval_prints_as_its_pipeline_text(
            rows in proptest::collection::vec((factor(), factor()), 0..8),
        ) {
            let engine = crate::engine::Engine::in_memory();
            let docs: Vec<Document> = rows
                .iter()
                .enumerate()
                .map(|(i, (v, w))| {
                    let mut d = doc! {"k": i as i32};
                    if let Some(v) = v {
                        d.insert("v", v.clone());
                    }
                    if let Some(w) = w {
                        d.insert("w", w.clone());
                    }
                    d
                })
                .collect();
            if !docs.is_empty() {
                engine
                    .run_command("db", &doc! {"insert": "t", "documents": docs})
                    .expect("insert");
            }
            let (cmd, flags) = plan(JOINED);
            let reply = engine.run_command("db", &cmd).expect("runs");
            let batch = reply
                .get_document("cursor")
                .and_then(|c| c.get_array("firstBatch"))
                .cloned()
                .unwrap_or_default();
            prop_assert_eq!(batch.len(), rows.len());
            for row in batch {
                let Bson::Document(d) = row else { panic!("not a document") };
                let mut values: Vec<Bson> = ["c0", "c1", "c2"]
                    .iter()
                    .map(|f| d.get(*f).cloned().unwrap_or(Bson::Null))
                    .collect();
                crate::mql::interval_text::print_intervals(&mut values, &flags);
                prop_assert_eq!(&values[1], &values[2]);
            }
        }
    }
}
