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

/// The grouping by key document `id` with accumulators `accs`, and the same with the key behind a `$let`
/// (evaluated per document: no fields key).
fn fields_key_and_evaluated(id: Document, accs: Document) -> (Group, Group) {
    let mut spec = doc! {"_id": id.clone()};
    spec.extend(accs.clone());
    let mut evaluated = doc! {"_id": {"$let": {"vars": {}, "in": id}}};
    evaluated.extend(accs);
    (
        Group::compile(&spec).expect("compiles"),
        Group::compile(&evaluated).expect("compiles"),
    )
}

/// A stored field's value in [`fields_key_groups_are_the_evaluated_key`]: absent, null, undefined or a key.
fn field() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        Just(None),
        Just(Some(Bson::Null)),
        Just(Some(Bson::Undefined)),
        key().prop_map(Some),
        (0i32..3).prop_map(|i| Some(Bson::Array(vec![Bson::Int32(i)]))),
    ]
}

/// [`fields_key_groups_are_the_evaluated_key`]'s input documents.
fn keyed_docs(rows: &[(Option<Bson>, Option<Bson>, i32)]) -> Vec<Document> {
    rows.iter()
        .map(|(a, b, v)| {
            let mut d = Document::new();
            if let Some(a) = a {
                d.insert("a", a.clone());
            }
            if let Some(b) = b {
                d.insert("b", b.clone());
            }
            d.insert("v", *v);
            d
        })
        .collect()
}

proptest! {
    /// The translator's `_id: {g0: {$ifNull: ["$a", null]}, ...}` grouped by the fields' values
    /// (`group_key.rs`), from documents and from rows read off their bytes, in memory and spilled, gives
    /// what the same key document evaluated per document gives (behind a `$let`: no shortcut).
    #[test]
    fn fields_key_groups_are_the_evaluated_key(
        rows in prop::collection::vec((field(), field(), 0i32..5), 0..80),
        two in any::<bool>(),
        spill in any::<bool>(),
    ) {
        let mut id = doc! {"g0": {"$ifNull": ["$a", null]}};
        if two {
            id.insert("g1", doc! {"$ifNull": ["$b", null]});
        }
        let accs = doc! {"n": {"$sum": 1}, "s": {"$sum": "$v"}, "f": {"$first": "$b"}};
        let (fast, slow) = fields_key_and_evaluated(id, accs);
        prop_assert!(fast.key.is_some());
        prop_assert!(slow.key.is_none());
        let docs = keyed_docs(&rows);
        let mut vars = Vars::new(bson::DateTime::from_millis(0));
        if spill {
            vars.memory.group_bytes = 1;
            vars.memory.allow_disk_use = true;
        }
        let want = slow.run(docs.clone(), &Vars::new(bson::DateTime::from_millis(0))).expect("runs");
        let mut got = fast.run(docs.clone(), &vars).expect("runs");
        if spill {
            // A spilled grouping gives its groups in key order: compared as a set.
            let key = |d: &Document| format!("{d:?}");
            let mut w = want.clone();
            w.sort_by_key(key);
            got.sort_by_key(key);
            prop_assert_eq!(format!("{got:?}"), format!("{w:?}"));
        } else {
            prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
        }
        // From rows: the fields read straight from each document's bytes.
        let mut names = Vec::new();
        let plan = fast.row_plan(&mut names).expect("a row plan");
        let mut row = FieldValues::new(names);
        let mut st = GroupState::new(&Vars::new(bson::DateTime::from_millis(0)));
        for d in &docs {
            let raw = bson::RawDocumentBuf::try_from(d).expect("encodes");
            row.read(&raw).expect("reads");
            fast.step_row(&plan, &mut st, &row).expect("steps");
        }
        let from_rows = fast.finish(st, &Vars::new(bson::DateTime::from_millis(0))).expect("finishes");
        prop_assert_eq!(format!("{from_rows:?}"), format!("{want:?}"));
    }
}

#[test]
fn fields_keys_are_only_the_translators_shape() {
    let detect = |id: Bson| FieldsKey::detect(&id).is_some();
    assert!(detect(bson::bson!({"g0": {"$ifNull": ["$a", null]}})));
    assert!(detect(
        bson::bson!({"g0": {"$ifNull": ["$a", null]}, "g1": {"$ifNull": ["$b", null]}})
    ));
    // A plain field in the document keeps a missing value missing (`{}`), not null: not this shape.
    assert!(!detect(bson::bson!({"g0": "$a"})));
    // A dotted path (a joined table's column) is read as the expression reads it.
    assert!(detect(bson::bson!({"g0": {"$ifNull": ["$a.b", null]}})));
    assert!(!detect(bson::bson!({"g0": {"$ifNull": ["$a..b", null]}})));
    assert!(!detect(bson::bson!({"g0": {"$ifNull": ["$a.$b", null]}})));
    assert!(!detect(bson::bson!({"g0": {"$ifNull": ["$a", 0]}})));
    assert!(!detect(bson::bson!({"g0": {"$ifNull": ["$$v", null]}})));
    assert!(!detect(bson::bson!({"$ifNull": ["$a", null]})));
    assert!(!detect(bson::bson!({"g.0": {"$ifNull": ["$a", null]}})));
    assert!(!detect(bson::bson!({})));
    assert!(!detect(bson::bson!("$a")));
}

/// Keys computed elsewhere ([`Group::run_keyed`]) are key documents: a fields-key grouping takes their values
/// apart and gives the same documents back as `_id`.
#[test]
fn run_keyed_takes_key_documents_apart() {
    let vars = Vars::new(bson::DateTime::from_millis(0));
    for two in [false, true] {
        let mut id = doc! {"g0": {"$ifNull": ["$a", null]}};
        if two {
            id.insert("g1", doc! {"$ifNull": ["$b", null]});
        }
        let g = Group::compile(&doc! {"_id": id, "n": {"$sum": 1}}).expect("compiles");
        assert!(g.key.is_some());
        let key = |a: i32| {
            let mut k = doc! {"g0": a};
            if two {
                k.insert("g1", "x");
            }
            Bson::Document(k)
        };
        let input = vec![(key(1), doc! {}), (key(2), doc! {}), (key(1), doc! {})];
        let got = g.run_keyed(input, &vars).expect("runs");
        assert_eq!(
            got,
            vec![doc! {"_id": key(1), "n": 2}, doc! {"_id": key(2), "n": 1}]
        );
    }
}

proptest! {
    /// A document given up to the grouping ([`Group::step_owned`]: `$first` / `$last` of `$$ROOT` keep it
    /// uncopied) groups as the same document read by reference ([`Group::step`]), for every key shape.
    #[test]
    fn owned_documents_group_as_borrowed_ones(
        rows in prop::collection::vec((key(), prop::option::of(key())), 0..60),
        id in prop_oneof![
            Just(Bson::String("$k".into())),
            Just(bson::bson!({"g0": {"$ifNull": ["$k", null]}})),
            Just(bson::bson!({"$ifNull": ["$k", 0]})),
        ],
        acc in prop_oneof![
            Just(bson::bson!({"$first": "$$ROOT"})),
            Just(bson::bson!({"$last": "$$ROOT"})),
            Just(bson::bson!({"$last": "$$CURRENT"})),
            Just(bson::bson!({"$first": "$v"})),
            Just(bson::bson!({"$push": "$$ROOT"})),
        ],
    ) {
        let g = Group::compile(&doc! {"_id": id, "d": acc}).expect("compiles");
        let docs: Vec<Document> = rows
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                let mut d = doc! {"i": i as i32, "k": k.clone()};
                if let Some(v) = v {
                    d.insert("v", v.clone());
                }
                d
            })
            .collect();
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let mut owned = GroupState::new(&vars);
        let mut borrowed = GroupState::new(&vars);
        for d in docs {
            g.step(&mut borrowed, &d, &vars).expect("steps");
            g.step_owned(&mut owned, d, &vars).expect("steps");
        }
        prop_assert_eq!((owned.bytes, owned.resident), (borrowed.bytes, borrowed.resident));
        let (owned, borrowed) = (g.finish(owned, &vars), g.finish(borrowed, &vars));
        prop_assert_eq!(format!("{owned:?}"), format!("{borrowed:?}"));
    }
}

proptest! {
    /// A constant key's group found without a lookup (`step_row`) against the general lookup (`step`), also
    /// when another grouping steps into the same state first or after (grouping sets do): same groups,
    /// same accumulators.
    #[test]
    fn constant_key_rows_equal_the_looked_up_key(
        rows in prop::collection::vec((field(), field(), 0i32..5), 0..40),
        constant_first in any::<bool>(),
        key in prop_oneof![Just(Bson::Null), Just(Bson::Int32(1)), Just(Bson::String("x".into()))],
    ) {
        let accs = doc! {"n": {"$sum": 1}, "s": {"$sum": "$v"}};
        let mut by_field = doc! {"_id": "$a"};
        by_field.extend(accs.clone());
        let mut constant = doc! {"_id": {"$literal": key}};
        constant.extend(accs);
        let by_field = Group::compile(&by_field).expect("compiles");
        let constant = Group::compile(&constant).expect("compiles");
        let groups: Vec<&Group> = if constant_first {
            vec![&constant, &by_field]
        } else {
            vec![&by_field, &constant]
        };
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let docs = keyed_docs(&rows);
        let mut want = GroupState::new(&vars);
        for d in &docs {
            for g in &groups {
                g.step(&mut want, d, &vars).expect("steps");
            }
        }
        let mut names = Vec::new();
        let plans: Vec<RowPlan> = groups
            .iter()
            .map(|g| g.row_plan(&mut names).expect("a row plan"))
            .collect();
        let mut row = FieldValues::new(names);
        let mut got = GroupState::new(&vars);
        for d in &docs {
            let raw = bson::RawDocumentBuf::try_from(d).expect("encodes");
            row.read(&raw).expect("reads");
            for (g, p) in groups.iter().zip(&plans) {
                g.step_row(p, &mut got, &row).expect("steps");
            }
        }
        let want = by_field.finish(want, &vars).expect("finishes");
        let got = by_field.finish(got, &vars).expect("finishes");
        prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
    }
}

/// A value holding the dotted key path `j.x` in [`dotted_path_keys_group_as_the_evaluated_key`]: a joined
/// document with or without `x` (null, undefined, a key), an array of them (the expression reads through
/// it), or a scalar (no `x`).
fn joined() -> impl Strategy<Value = Option<Bson>> {
    fn inner() -> impl Strategy<Value = Bson> {
        field().prop_map(|x| {
            let mut d = Document::new();
            if let Some(x) = x {
                d.insert("x", x);
            }
            Bson::Document(d)
        })
    }
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Bson::Null)),
        2 => inner().prop_map(Some),
        1 => prop::collection::vec(prop_oneof![inner(), Just(Bson::Int32(4))], 0..3)
            .prop_map(|v| Some(Bson::Array(v))),
        1 => Just(Some(Bson::Int32(7))),
    ]
}

proptest! {
    /// A key of dotted paths (`GROUP BY` a joined table's column: `{g0: {$ifNull: ["$__j1.x", null]}}`),
    /// alone or beside a top-level field, in memory and spilled, groups as the key document evaluated per
    /// document does.
    #[test]
    fn dotted_path_keys_group_as_the_evaluated_key(
        rows in prop::collection::vec((joined(), field(), 0i32..5), 0..60),
        two in any::<bool>(),
        spill in any::<bool>(),
    ) {
        let mut id = doc! {"g0": {"$ifNull": ["$j.x", null]}};
        if two {
            id.insert("g1", doc! {"$ifNull": ["$b", null]});
        }
        let (fast, slow) = fields_key_and_evaluated(id, doc! {"n": {"$sum": 1}, "s": {"$sum": "$v"}});
        prop_assert!(fast.key.is_some());
        prop_assert!(fast.row_plan(&mut Vec::new()).is_none());
        let docs: Vec<Document> = rows
            .iter()
            .map(|(j, b, v)| {
                let mut d = Document::new();
                if let Some(j) = j {
                    d.insert("j", j.clone());
                }
                if let Some(b) = b {
                    d.insert("b", b.clone());
                }
                d.insert("v", *v);
                d
            })
            .collect();
        let mut vars = Vars::new(bson::DateTime::from_millis(0));
        if spill {
            vars.memory.group_bytes = 1;
            vars.memory.allow_disk_use = true;
        }
        let want = slow.run(docs.clone(), &Vars::new(bson::DateTime::from_millis(0))).expect("runs");
        let mut got = fast.run(docs, &vars).expect("runs");
        let mut want = want;
        if spill {
            // A spilled grouping gives its groups in key order: compared as a set.
            let key = |d: &Document| format!("{d:?}");
            want.sort_by_key(key);
            got.sort_by_key(key);
        }
        prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
    }
}
