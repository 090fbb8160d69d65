//! `$group`'s unit tests: hashed groups = the linear scan, row plans.
use super::*;
use bson::doc;
use proptest::prelude::*;

fn key() -> impl Strategy<Value = Bson> {
    prop_oneof![
        (0i32..8).prop_map(Bson::Int32),
        (0i64..8).prop_map(Bson::Int64),
        prop_oneof![Just(1.0), Just(2.5), Just(-0.0), Just(f64::NAN)].prop_map(Bson::Double),
        "[a-e]".prop_map(Bson::String),
        "[a-e]".prop_map(Bson::Symbol),
        Just(Bson::Null),
        (0i32..3, "[ab]").prop_map(|(i, s)| Bson::Document(doc! {"i": i, "s": s})),
        (0i32..3).prop_map(|i| Bson::Document(doc! {"s": "a", "i": i})),
    ]
}

proptest! {
    /// Groups found through the hash index are the groups a linear scan in the BSON order finds (first
    /// key seen kept, first-seen order), with their counts and `$addToSet` sets.
    #[test]
    fn hashed_groups_are_the_linear_scan(rows in prop::collection::vec((key(), key()), 0..120)) {
        let g = Group::compile(&doc! {"_id": "$k", "n": {"$sum": 1}, "s": {"$addToSet": "$v"}})
            .expect("compiles");
        let docs: Vec<Document> = rows.iter().map(|(k, v)| doc! {"k": k.clone(), "v": v.clone()}).collect();
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let got = g.run(docs, &vars).expect("runs");
        let mut want: Vec<(Bson, i32, Vec<Bson>)> = Vec::new();
        for (k, v) in &rows {
            let i = match want.iter().position(|(x, _, _)| compare(x, k) == Ordering::Equal) {
                Some(i) => i,
                None => {
                    want.push((k.clone(), 0, Vec::new()));
                    want.len() - 1
                }
            };
            want[i].1 += 1;
            if !want[i].2.iter().any(|y| compare(y, v) == Ordering::Equal) {
                want[i].2.push(v.clone());
            }
        }
        let want: Vec<Document> = want
            .into_iter()
            .map(|(k, n, s)| doc! {"_id": k, "n": n, "s": s})
            .collect();
        prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
    }
}

fn plan(spec: Document) -> Option<Vec<String>> {
    let g = Group::compile(&spec).ok()?;
    let mut fields = Vec::new();
    g.row_plan(&mut fields).map(|_| fields)
}

#[test]
fn row_plans_cover_top_level_fields_and_constants() {
    assert_eq!(
        plan(
            doc! {"_id": "$m", "n": {"$sum": 1}, "v": {"$sum": "$v"}, "a": {"$avg": "$r"},
            "x": {"$max": "$m"}, "c": {"$count": {}}}
        ),
        Some(vec!["m".to_string(), "v".to_string(), "r".to_string()])
    );
    assert_eq!(
        plan(doc! {"_id": null, "f": {"$first": "$a"}}),
        Some(vec!["a".to_string()])
    );
    assert!(plan(doc! {"_id": "$a.b"}).is_none());
    assert!(plan(doc! {"_id": {"$concat": ["$a", "x"]}}).is_none());
    assert!(plan(doc! {"_id": "$$ROOT"}).is_none());
    assert!(plan(doc! {"_id": null, "s": {"$sum": {"$multiply": ["$a", 2]}}}).is_none());
    assert!(
        plan(doc! {"_id": null, "t": {"$top": {"sortBy": {"a": 1}, "output": "$b"}}}).is_none()
    );
}

proptest! {
    /// `$first` of a plain read (`$$ROOT`, a field, a constant), which skips the values past a group's first
    /// document, gives what the same read behind a `$let` gives (evaluated for every document).
    #[test]
    fn first_of_a_plain_read_is_the_evaluated_first(
        rows in prop::collection::vec((key(), prop::option::of(key())), 0..60),
        read in 0usize..4,
    ) {
        let arg = [Bson::from("$$ROOT"), Bson::from("$v"), Bson::from("$v.i"), Bson::Int32(7)][read].clone();
        let plain = Group::compile(&doc! {"_id": "$k", "f": {"$first": arg.clone()}}).expect("compiles");
        let evaluated = Group::compile(&doc! {"_id": "$k", "f": {"$first": {"$let": {"vars": {}, "in": arg}}}})
            .expect("compiles");
        let docs: Vec<Document> = rows
            .iter()
            .map(|(k, v)| {
                let mut d = doc! {"k": k.clone()};
                if let Some(v) = v {
                    d.insert("v", v.clone());
                }
                d
            })
            .collect();
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let got = plain.run(docs.clone(), &vars).expect("runs");
        let want = evaluated.run(docs, &vars).expect("runs");
        prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
    }
}
