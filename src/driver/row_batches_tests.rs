//! Rows from batches of arrays (the embedded engine's rows) equal the rows of the same documents.

use super::*;
use crate::driver::embedded::EmbeddedBackend;
use crate::driver::execute::shape_rows;
use crate::engine::Engine;
use bson::doc;
use proptest::prelude::*;

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map(|rt| rt.block_on(f))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn columns(fields: &[&str], interval: usize) -> Vec<OutputColumn> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut c = OutputColumn::new(format!("n{i}"), *f);
            c.interval = i == interval;
            c
        })
        .collect()
}

fn value(v: i32) -> Bson {
    match v % 4 {
        0 => Bson::Null,
        1 => Bson::Int32(v),
        2 => Bson::String(format!("s{v}")),
        _ => Bson::Document(doc! {"months": 0, "days": v, "micros": 0i64}),
    }
}

proptest! {
    /// A batch whose items are arrays under `fields` (in any order, some of the columns' fields missing,
    /// extra fields) or documents gives the rows `shape_rows` gives of the same documents; interval columns
    /// printed either way.
    #[test]
    fn arrays_under_fields_are_the_documents_rows(
        order in Just(vec!["a", "b", "c", "d"]).prop_shuffle(),
        kept in 1usize..5,
        items in proptest::collection::vec((any::<bool>(), proptest::collection::vec(0i32..40, 4)), 0..8),
        interval in 0usize..4,
        split in 0usize..8,
    ) {
        let fields: Vec<&str> = order[..kept].to_vec();
        let cols = columns(&["a", "b", "c"], interval);
        let mut docs = Vec::new();
        let mut arrays = Vec::new();
        for (as_doc, vals) in &items {
            let mut d = Document::new();
            for (f, v) in fields.iter().zip(vals) {
                d.insert(*f, value(*v));
            }
            if *as_doc {
                // A document of another shape: a field left out.
                d.remove(fields[0]);
                arrays.push(Bson::Document(d.clone()));
            } else {
                arrays.push(Bson::Array(d.values().cloned().collect()));
            }
            docs.push(d);
        }
        let want = shape_rows(&cols, docs).rows;
        let mut shaper = Shaper::new(&cols);
        let mut got = Vec::new();
        let names: Vec<Bson> = fields.iter().map(|f| Bson::from(*f)).collect();
        let at = split.min(arrays.len());
        let mut first = doc! {"firstBatch": arrays[..at].to_vec(), "fields": names.clone()};
        shaper.batch(&mut first, "firstBatch", &mut got);
        let mut next = doc! {"nextBatch": arrays[at..].to_vec(), "fields": names};
        shaper.batch(&mut next, "nextBatch", &mut got);
        prop_assert_eq!(got, want);
    }
}

/// Through the embedded engine: a sorted select list (rows held by the sort), an unsorted one (rows straight
/// out of the scan), a join's and a `GROUP BY`'s come back as the rows `run_command` documents give, over
/// batches (`getMore`) and with documents of another shape (a missing field) among the rows.
#[test]
fn embedded_rows_equal_the_documents_rows() {
    let engine = Engine::in_memory();
    let mut docs = Vec::new();
    for i in 0..300i32 {
        let mut d = doc! {"_id": i, "k": format!("k{:03}", (i * 7) % 300), "v": i % 11};
        if i % 13 == 0 {
            d.remove("v");
        }
        docs.push(d);
    }
    engine
        .run_command("db", &doc! {"insert": "s", "documents": docs})
        .expect("insert");
    engine
        .run_command(
            "db",
            &doc! {"insert": "u", "documents": [{"_id": 1, "k": "k007", "w": "x"}, {"_id": 2, "k": "k014", "w": "y"}]},
        )
        .expect("insert");
    let pipelines = [
        vec![
            doc! {"$project": {"_id": 0, "c0": "$k", "c1": "$v", "__s0": "$v", "__s1": "$k"}},
            doc! {"$sort": {"__s0": 1, "__s1": -1}},
            doc! {"$unset": ["__s0", "__s1"]},
        ],
        vec![
            doc! {"$match": {"v": {"$gt": 3}}},
            doc! {"$project": {"_id": 0, "c1": "$v", "c0": "$k"}},
        ],
        vec![
            doc! {"$lookup": {"from": "u", "localField": "k", "foreignField": "k", "as": "j"}},
            doc! {"$unwind": {"path": "$j", "preserveNullAndEmptyArrays": true}},
            doc! {"$project": {"_id": 0, "c0": "$k", "c1": "$j.w", "__s0": "$k"}},
            doc! {"$sort": {"__s0": 1}},
            doc! {"$unset": ["__s0"]},
        ],
        vec![
            doc! {"$group": {"_id": "$v", "n": {"$sum": 1}}},
            doc! {"$project": {"_id": 0, "c0": "$_id", "c1": "$n", "__s0": "$_id"}},
            doc! {"$sort": {"__s0": 1}},
            doc! {"$unset": ["__s0"]},
        ],
    ];
    let mut commands: Vec<(Document, Vec<OutputColumn>)> = pipelines
        .into_iter()
        .map(|p| {
            let cmd = doc! {"aggregate": "s", "pipeline": p, "cursor": {"batchSize": 50}};
            (cmd, columns(&["c0", "c1"], usize::MAX))
        })
        .collect();
    // A find of top-level fields (kept from the stored bytes): the columns in another order than the
    // stored fields, `_id` kept, documents missing `v` among them.
    commands.push((
        doc! {"find": "s", "filter": {"k": {"$gt": "k100"}}, "projection": {"v": 1, "k": 1}, "batchSize": 40},
        columns(&["v", "_id", "k"], usize::MAX),
    ));
    let backend = EmbeddedBackend::new(engine);
    let mut saw_arrays = 0;
    for (cmd, cols) in commands {
        let p = cmd.clone();
        let want = block(async {
            let reply = backend.run_command("db", cmd.clone()).await.expect("docs");
            let mut docs = Vec::new();
            drain_cursor_with(&backend, "db", reply, &mut |c, key| {
                docs.extend(crate::driver::execute::batch(c, key))
            })
            .await
            .expect("drain");
            shape_rows(&cols, docs).rows
        });
        let reply = block(backend.run_query("db", cmd.clone())).expect("rows");
        let first = reply.get_document("cursor").expect("cursor");
        let items = first.get_array("firstBatch").expect("batch");
        saw_arrays += usize::from(items.iter().any(|i| matches!(i, Bson::Array(_))));
        let got = block(drain_rows(&backend, "db", reply, &cols)).expect("rows");
        assert_eq!(got.rows, want, "{p:?}");
        assert!(!want.is_empty(), "{p:?}");
    }
    assert_eq!(saw_arrays, 5, "commands that came back as arrays");
}
