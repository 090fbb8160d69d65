//! An interval SUM / AVG under a FILTER applied where its computed argument is computed
//! (`interval_agg.rs`, `fold`) against the FILTER tested by each accumulator, run by the embedded engine's
//! `$set` + `$group` over generated rows (intervals, NULL, missing; the FILTER true, false, NULL,
//! missing; no row): the same result, of the same types.

// Test code (its module is declared `#[cfg(test)]`), which may run the engine: the layering check
// (tests/layers.rs) reads a `#[cfg(test)]` block as such.
#[cfg(test)]
mod cases {
    use super::super::aggregate::GroupScope;
    use super::super::interval_agg::sum_or_avg;
    use crate::mql::expr as ex;
    use bson::{doc, Bson, Document};
    use proptest::prelude::*;

    fn interval() -> impl Strategy<Value = Option<Bson>> {
        prop_oneof![
            1 => Just(None),
            1 => Just(Some(Bson::Null)),
            6 => (-40i32..40, -400i32..400, -200_000_000_000i64..200_000_000_000).prop_map(
                |(m, d, u)| Some(Bson::Document(doc! {"months": m, "days": d, "micros": u}))
            ),
            1 => (i32::MAX - 5..i32::MAX, 0i32..2, Just(0i64)).prop_map(
                |(m, d, u)| Some(Bson::Document(doc! {"months": m, "days": d, "micros": u}))
            ),
        ]
    }

    /// The result of the SUM (AVG with `avg`) of the computed `{$ifNull: ["$iv", null]}` under
    /// `k = true` (when `filtered`) over `rows`, planned with `fold` or not: the `$group`'s output row
    /// (or the engine's error code).
    fn run(rows: &[Bson], filtered: bool, avg: bool, fold: bool) -> Result<Vec<Bson>, i32> {
        let mut scope = GroupScope::default();
        let x = ex::if_null(ex::field("iv"), Bson::Null);
        let filter = filtered.then(|| ex::eq(ex::field("k"), true));
        let value = sum_or_avg(&mut scope, "a0", x, filter, avg, fold);
        let mut group = doc! {"_id": null};
        group.extend(scope.accumulators.clone());
        let mut pipeline = vec![Bson::Document(doc! {"$documents": rows.to_vec()})];
        if !scope.computed.is_empty() {
            pipeline.push(Bson::Document(doc! {"$set": scope.computed.clone()}));
        }
        pipeline.push(Bson::Document(doc! {"$group": group}));
        pipeline.push(Bson::Document(
            doc! {"$project": {"_id": 0, "r": Bson::from(value)}},
        ));
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn filter_folded_into_the_value_equals_filter_per_accumulator(
            rows in prop::collection::vec((interval(), prop::option::of(prop::option::of(any::<bool>()))), 0..10),
            filtered in any::<bool>(),
            avg in any::<bool>(),
        ) {
            let docs: Vec<Bson> = rows
                .iter()
                .map(|(v, k)| {
                    let mut d = Document::new();
                    if let Some(v) = v {
                        d.insert("iv", v.clone());
                    }
                    match k {
                        Some(Some(k)) => { d.insert("k", *k); }
                        Some(None) => { d.insert("k", Bson::Null); }
                        None => {}
                    }
                    Bson::Document(d)
                })
                .collect();
            let want = run(&docs, filtered, avg, false);
            prop_assert!(matches!(&want, Ok(r) if r.len() == usize::from(!docs.is_empty())), "{:?}", want);
            prop_assert_eq!(run(&docs, filtered, avg, true), want);
        }
    }

    /// Under a FILTER the computed value holds it (`$cond`) and no accumulator tests it again.
    #[test]
    fn the_filter_is_tested_once() {
        let mut scope = GroupScope::default();
        let x = ex::if_null(ex::field("iv"), Bson::Null);
        let filter = Some(ex::gt(ex::field("page_views"), 3));
        sum_or_avg(&mut scope, "a0", x, filter, true, true);
        let text = |d: &Document| Bson::Document(d.clone()).to_string();
        assert_eq!(
            text(&scope.computed).matches("page_views").count(),
            1,
            "{}",
            text(&scope.computed)
        );
        assert!(
            !text(&scope.accumulators).contains("page_views"),
            "{}",
            text(&scope.accumulators)
        );
    }
}
