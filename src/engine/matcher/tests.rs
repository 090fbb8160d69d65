//! Matcher tests; expected values come from mongod's documented query semantics.

use super::Matcher;
use crate::engine::expr::Vars;
use bson::{doc, Bson, Document};

fn ids(filter: Document, docs: &[Document]) -> Vec<i32> {
    let m = Matcher::compile(&filter).expect("filter compiles");
    let vars = Vars::new(bson::DateTime::from_millis(0));
    docs.iter()
        .filter(|d| m.matches(d, &vars).expect("match runs"))
        .map(|d| d.get_i32("_id").expect("_id"))
        .collect()
}

fn err(filter: Document) -> (i32, String) {
    let e = Matcher::compile(&filter).expect_err("filter must be refused");
    (e.code, e.errmsg)
}

fn sample() -> Vec<Document> {
    vec![
        doc! {"_id": 1, "a": 5},
        doc! {"_id": 2, "a": 5.0},
        doc! {"_id": 3, "a": "5"},
        doc! {"_id": 4, "a": [1, 5, 9]},
        doc! {"_id": 5, "a": null},
        doc! {"_id": 6},
        doc! {"_id": 7, "a": [[5], 6]},
        doc! {"_id": 8, "a": Bson::Int64(10)},
    ]
}

#[test]
fn equality_and_arrays() {
    let d = sample();
    assert_eq!(ids(doc! {"a": 5}, &d), vec![1, 2, 4]);
    assert_eq!(ids(doc! {"a": [5]}, &d), vec![7]);
    assert_eq!(ids(doc! {"a": [1, 5, 9]}, &d), vec![4]);
    assert_eq!(ids(doc! {"a": null}, &d), vec![5, 6]);
    assert_eq!(ids(doc! {"a": {"$ne": 5}}, &d), vec![3, 5, 6, 7, 8]);
    assert_eq!(ids(doc! {"a": {"$exists": false}}, &d), vec![6]);
    assert_eq!(ids(doc! {}, &d).len(), 8);
}

#[test]
fn comparisons_stay_in_type_bracket() {
    let d = sample();
    assert_eq!(ids(doc! {"a": {"$gt": 5}}, &d), vec![4, 7, 8]);
    assert_eq!(ids(doc! {"a": {"$gte": 5, "$lt": 9}}, &d), vec![1, 2, 4, 7]);
    assert_eq!(ids(doc! {"a": {"$lt": "6"}}, &d), vec![3]);
    assert_eq!(ids(doc! {"a": {"$gte": null}}, &d), vec![5, 6]);
    assert_eq!(ids(doc! {"a": {"$lt": null}}, &d), Vec::<i32>::new());
}

#[test]
fn in_nin_regex() {
    let d = vec![
        doc! {"_id": 1, "s": "apple"},
        doc! {"_id": 2, "s": "Banana"},
        doc! {"_id": 3, "s": ["cherry", "date"]},
        doc! {"_id": 4},
    ];
    assert_eq!(ids(doc! {"s": {"$in": ["apple", "date"]}}, &d), vec![1, 3]);
    assert_eq!(ids(doc! {"s": {"$nin": ["apple", "date"]}}, &d), vec![2, 4]);
    assert_eq!(ids(doc! {"s": {"$in": [null]}}, &d), vec![4]);
    let re = Bson::RegularExpression(bson::Regex {
        pattern: "^b".try_into().expect("pattern"),
        options: "i".try_into().expect("options"),
    });
    assert_eq!(ids(doc! {"s": re.clone()}, &d), vec![2]);
    assert_eq!(ids(doc! {"s": {"$in": [re]}}, &d), vec![2]);
    assert_eq!(
        ids(doc! {"s": {"$regex": "an", "$options": ""}}, &d),
        vec![2]
    );
    assert_eq!(
        ids(doc! {"s": {"$regex": "^A", "$options": "i"}}, &d),
        vec![1]
    );
    assert_eq!(ids(doc! {"s": {"$not": {"$regex": "a"}}}, &d), vec![4]);
}

#[test]
fn dotted_paths_traverse_arrays() {
    let d = vec![
        doc! {"_id": 1, "a": {"b": 1}},
        doc! {"_id": 2, "a": [{"b": 2}, {"b": 1}]},
        doc! {"_id": 3, "a": [{"c": 1}]},
        doc! {"_id": 4, "a": [[{"b": 1}]]},
        doc! {"_id": 5, "a": [7, 8]},
        doc! {"_id": 6, "a": {"0": 7}},
        doc! {"_id": 7, "a": 3},
    ];
    assert_eq!(ids(doc! {"a.b": 1}, &d), vec![1, 2]);
    assert_eq!(ids(doc! {"a.b": null}, &d), vec![3, 6, 7]);
    assert_eq!(ids(doc! {"a.0": 7}, &d), vec![5, 6]);
    assert_eq!(ids(doc! {"a.1.b": 1}, &d), vec![2]);
    assert_eq!(ids(doc! {"a.b": {"$exists": true}}, &d), vec![1, 2]);
}

#[test]
fn logical_operators() {
    let d = sample();
    assert_eq!(ids(doc! {"$or": [{"a": "5"}, {"a": 10}]}, &d), vec![3, 8]);
    assert_eq!(
        ids(doc! {"$and": [{"a": {"$gt": 1}}, {"a": {"$lt": 6}}]}, &d),
        vec![1, 2, 4]
    );
    assert_eq!(
        ids(doc! {"$nor": [{"a": 5}, {"a": null}]}, &d),
        vec![3, 7, 8]
    );
    assert_eq!(
        ids(doc! {"a": {"$not": {"$gt": 5}}}, &d),
        vec![1, 2, 3, 5, 6]
    );
    assert_eq!(ids(doc! {"$comment": "x", "a": 10}, &d), vec![8]);
}

#[test]
fn type_mod_size_all_elem_match() {
    let d = sample();
    assert_eq!(ids(doc! {"a": {"$type": "double"}}, &d), vec![2]);
    assert_eq!(
        ids(doc! {"a": {"$type": "number"}}, &d),
        vec![1, 2, 4, 7, 8]
    );
    assert_eq!(ids(doc! {"a": {"$type": 18}}, &d), vec![8]);
    assert_eq!(ids(doc! {"a": {"$type": "array"}}, &d), vec![4, 7]);
    assert_eq!(ids(doc! {"a": {"$mod": [4, 1]}}, &d), vec![1, 2, 4]);
    assert_eq!(ids(doc! {"a": {"$size": 2}}, &d), vec![7]);
    assert_eq!(ids(doc! {"a": {"$all": [1, 9]}}, &d), vec![4]);
    assert_eq!(ids(doc! {"a": {"$all": []}}, &d), Vec::<i32>::new());
    assert_eq!(
        ids(doc! {"a": {"$elemMatch": {"$gt": 1, "$lt": 6}}}, &d),
        vec![4]
    );
    let items = vec![
        doc! {"_id": 1, "it": [{"q": 1, "p": 5}, {"q": 3, "p": 1}]},
        doc! {"_id": 2, "it": [{"q": 3, "p": 5}]},
    ];
    assert_eq!(
        ids(doc! {"it": {"$elemMatch": {"q": 3, "p": 5}}}, &items),
        vec![2]
    );
    assert_eq!(ids(doc! {"it.q": 3, "it.p": 5}, &items), vec![1, 2]);
}

#[test]
fn errors_are_mongod_errors() {
    assert_eq!(
        err(doc! {"a": {"$foo": 1}}),
        (2, "unknown operator: $foo".into())
    );
    assert_eq!(
        err(doc! {"$foo": 1}),
        (2, "unknown top level operator: $foo".into())
    );
    assert_eq!(err(doc! {"$or": []}).0, 2);
    assert_eq!(err(doc! {"a": {"$in": 5}}).0, 2);
    assert_eq!(err(doc! {"a": {"$mod": [0, 1]}}).0, 2);
    assert_eq!(err(doc! {"a": {"$type": "nope"}}).0, 2);
    assert!(err(doc! {"$where": "1"}).1.contains("$where"));
    assert_eq!(err(doc! {"a": {"$options": "i"}}).0, 2);
}

#[test]
fn match_all_and_equality_fields() {
    assert!(Matcher::compile(&doc! {}).expect("ok").is_match_all());
    assert!(Matcher::compile(&doc! {"$comment": "c"})
        .expect("ok")
        .is_match_all());
    let m = Matcher::compile(&doc! {"a": 1, "$and": [{"b.c": {"$eq": "x"}}], "d": {"$gt": 1}})
        .expect("ok");
    assert!(!m.is_match_all());
    assert_eq!(
        m.equality_fields(),
        vec![
            ("a".to_string(), Bson::Int32(1)),
            ("b.c".to_string(), Bson::String("x".into()))
        ]
    );
}
