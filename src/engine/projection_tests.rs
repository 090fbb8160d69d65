//! Projections: inclusion, exclusion and `$slice` by example; the moving (`apply_owned`) path against `apply`
//! on generated documents and projections.

use super::*;

mod basic {
    use super::*;
    use bson::doc;

    fn p(spec: Document, d: Document) -> Document {
        Projection::compile(&spec, Context::Find)
            .unwrap()
            .apply(&d, &Vars::new(bson::DateTime::from_millis(0)))
            .unwrap()
    }

    #[test]
    fn inclusion_exclusion_nested() {
        let d = doc! {"_id": 1, "a": 1, "b": {"c": 2, "d": 3}, "arr": [{"x": 1, "y": 2}, 7], "s": [1, 2, 3, 4]};
        assert_eq!(
            p(doc! {"b.c": 1}, d.clone()),
            doc! {"_id": 1, "b": {"c": 2}}
        );
        assert_eq!(p(doc! {"a": 1, "_id": 0}, d.clone()), doc! {"a": 1});
        assert_eq!(
            p(doc! {"arr.x": 1}, d.clone()),
            doc! {"_id": 1, "arr": [{"x": 1}]}
        );
        assert_eq!(
            p(doc! {"b": 0, "arr": 0, "s": 0}, d.clone()),
            doc! {"_id": 1, "a": 1}
        );
        assert_eq!(
            p(doc! {"arr.x": 0, "a": 0, "b": 0, "s": 0}, d.clone()),
            doc! {"_id": 1, "arr": [{"y": 2}, 7]}
        );
        assert_eq!(
            p(
                doc! {"s": {"$slice": -2}, "_id": 0, "a": 0, "b": 0, "arr": 0},
                d.clone()
            ),
            doc! {"s": [3, 4]}
        );
        assert_eq!(
            p(doc! {"s": {"$slice": [1, 2]}, "a": 1}, d.clone()),
            doc! {"_id": 1, "a": 1, "s": [2, 3]}
        );
        assert!(Projection::compile(&doc! {"a": 1, "b": 0}, Context::Find).is_err());
    }
}

mod split {
    use super::*;
    use bson::doc;

    /// `apply_owned_split` = `apply` with the last fields removed and returned, on the rename path
    /// (<= 32 input fields) and on the general one (more), missing values as `None`; `tail_of` takes only
    /// the last fields.
    #[test]
    fn split_is_apply_with_the_tail_removed() {
        let spec =
            doc! {"_id": 0, "c0": "$a", "k": {"$add": ["$b", 1]}, "m": "$missing", "s": "$a"};
        let p = Projection::compile(&spec, Context::Stage).unwrap();
        let vars = Vars::new(bson::DateTime::from_millis(0));
        assert_eq!(p.tail_of(&["s", "m", "k"]), Some(vec![2, 1, 0]));
        assert_eq!(p.tail_of(&["c0"]), None);
        assert_eq!(p.tail_of(&["s", "s"]), None);
        for extra in [0, 40] {
            let mut d = doc! {"a": "x", "b": 2};
            for i in 0..extra {
                d.insert(format!("f{i}"), i);
            }
            let (doc, tail) = p.apply_owned_split(d.clone(), &vars, 3).unwrap();
            let mut want = p.apply(&d, &vars).unwrap();
            let want_tail = vec![want.remove("k"), want.remove("m"), want.remove("s")];
            assert_eq!(doc, want, "{extra} extra fields");
            assert_eq!(tail, want_tail, "{extra} extra fields");
            assert_eq!(
                tail,
                vec![Some(Bson::Int32(3)), None, Some(Bson::String("x".into()))]
            );
        }
    }
}

mod owned {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Bson> {
        prop_oneof![
            (0i32..3).prop_map(Bson::Int32),
            Just(Bson::Null),
            Just(Bson::Undefined),
            "[ab]{0,2}".prop_map(Bson::String),
            (0i32..2).prop_map(|x| Bson::Document(bson::doc! {"x": x})),
            prop::collection::vec((0i32..2).prop_map(Bson::Int32), 0..3).prop_map(Bson::Array),
        ]
    }

    fn doc() -> impl Strategy<Value = Document> {
        prop::collection::vec(("(_id|a|b|c|d)", value()), 0..6)
            .prop_map(|kv| kv.into_iter().collect())
    }

    /// Projections the translator writes (renames, constants, expressions reading renamed fields, `_id` kept
    /// or not, a field read twice) and some that take the general path (an inclusion).
    fn spec() -> impl Strategy<Value = Document> {
        let entry = prop_oneof![
            1 => "(a|b|c|d|_id|x)".prop_map(|f| Bson::String(format!("${f}"))),
            // Often the same field again: one input read by several outputs (copied to all but the last).
            2 => "(a|b)".prop_map(|f| Bson::String(format!("${f}"))),
            1 => Just(Bson::String("$a.x".into())),
            1 => Just(bson::bson!({"$literal": 7})),
            1 => Just(Bson::String("text".into())),
            1 => Just(bson::bson!({"$add": ["$a", 1]})),
            1 => Just(bson::bson!({"$ifNull": ["$a", "$b"]})),
            1 => Just(bson::bson!({"$cond": [{"$eq": [{"$ifNull": ["$b", null]}, null]}, 1, 0]})),
            1 => Just(Bson::Int32(1)),
        ];
        (
            prop::collection::vec(("(c[0-4]|_id|a)", entry), 1..5),
            prop::option::of(Just(0)),
        )
            .prop_map(|(kv, id)| {
                let mut d = Document::new();
                if let Some(z) = id {
                    d.insert("_id", z);
                }
                for (k, v) in kv {
                    d.insert(k, v);
                }
                d
            })
    }

    proptest! {
        /// The moving fast path, the borrowing one (`apply_ref`, `apply_ref_split`) and the taking one
        /// (`apply_taking_split`) give what the copying projection gives.
        #[test]
        fn apply_owned_equals_apply(s in spec(), docs in prop::collection::vec(doc(), 1..4), tail in 0usize..3) {
            let Ok(p) = Projection::compile(&s, Context::Stage) else { return Ok(()) };
            let vars = Vars::new(bson::DateTime::from_millis(0));
            // One compiled projection over several documents (its output templates are made once and
            // reused; a document missing a field takes the key-by-key path), whole and with a tail apart.
            let names: Vec<&str> = s.keys().filter(|k| *k != "_id").map(String::as_str).collect();
            let tail = tail.min(names.len());
            let tail_names = &names[names.len() - tail..];
            for d in &docs {
                let want = p.apply(d, &vars);
                let got = p.apply_owned(d.clone(), &vars);
                prop_assert_eq!(format!("{want:?}"), format!("{got:?}"), "{:?} on {:?}", s, d);
                let borrowed = p.apply_ref(d, &vars);
                prop_assert_eq!(format!("{want:?}"), format!("{borrowed:?}"), "{:?} on {:?}", s, d);
                if p.tail_of(tail_names).is_some() {
                    let Ok(mut want) = want else { continue };
                    let apart: Vec<Option<Bson>> = tail_names.iter().map(|n| want.remove(*n)).collect();
                    let (doc, vals) = p.apply_owned_split(d.clone(), &vars, tail).expect("projects");
                    prop_assert_eq!(format!("{want:?}"), format!("{doc:?}"), "{:?} on {:?}", s, d);
                    prop_assert_eq!(&apart, &vals, "{:?} on {:?}", s, d);
                    let (doc, vals) = p.apply_ref_split(d, &vars, tail).expect("projects");
                    prop_assert_eq!(format!("{want:?}"), format!("{doc:?}"), "{:?} on {:?}", s, d);
                    prop_assert_eq!(&apart, &vals, "{:?} on {:?}", s, d);
                    // Taking the values out of a document that keeps its keys.
                    let mut taken = d.clone();
                    let (doc, vals) = p.apply_taking_split(&mut taken, &vars, tail).expect("projects");
                    prop_assert_eq!(format!("{want:?}"), format!("{doc:?}"), "{:?} on {:?}", s, d);
                    prop_assert_eq!(&apart, &vals, "{:?} on {:?}", s, d);
                    prop_assert_eq!(taken.keys().collect::<Vec<_>>(), d.keys().collect::<Vec<_>>());
                    // Held as a row of values (or the document): the same document and values.
                    let (held, vals) = p.apply_owned_held(d.clone(), &vars, tail).expect("projects");
                    let doc = held.into_doc().expect("document");
                    prop_assert_eq!(format!("{want:?}"), format!("{doc:?}"), "{:?} on {:?}", s, d);
                    prop_assert_eq!(&apart, &vals, "{:?} on {:?}", s, d);
                    let mut taken = d.clone();
                    let (held, vals) = p.apply_taking_held(&mut taken, &vars, tail).expect("projects");
                    let doc = held.into_doc().expect("document");
                    prop_assert_eq!(format!("{want:?}"), format!("{doc:?}"), "{:?} on {:?}", s, d);
                    prop_assert_eq!(apart, vals, "{:?} on {:?}", s, d);
                }
            }
        }

        /// A projection of top-level fields (`{_id: 0, a: 1, c: true}`) moved out of a document
        /// (`keep_top_level`) and decoded from its bytes (`read_top_level`) gives what the copying
        /// projection gives, `_id` first wherever the document holds it.
        #[test]
        fn top_level_inclusion_equals_apply(
            fields in prop::collection::vec(("(a|b|c|d|x|_id)", prop_oneof![Just(Bson::Int32(1)), Just(Bson::Boolean(true))]), 1..4),
            id in prop::option::of(0i32..2),
            d in doc(),
        ) {
            let mut s = Document::new();
            if let Some(id) = id {
                s.insert("_id", id);
            }
            for (k, v) in fields {
                s.insert(k, v);
            }
            let Ok(p) = Projection::compile(&s, Context::Find) else { return Ok(()) };
            prop_assert!(p.is_top_level_inclusion(), "{:?}", s);
            let vars = Vars::new(bson::DateTime::from_millis(0));
            let want = p.apply(&d, &vars).expect("projects");
            let raw = bson::RawDocumentBuf::try_from(&d).expect("encodes");
            prop_assert_eq!(&p.read_top_level(&raw), &want, "{:?} on {:?}", s, d);
            prop_assert_eq!(&p.keep_top_level(d.clone()), &want, "{:?} on {:?}", s, d);
            prop_assert_eq!(&p.apply_owned(d.clone(), &vars).expect("projects"), &want);
            // What a scan that parsed the kept fields only hands over.
            let mut parsed = Document::new();
            for (k, v) in &d {
                if k == "_id" && p.include_id || p.keeps_after_id(k) {
                    parsed.insert(k.clone(), v.clone());
                }
            }
            prop_assert_eq!(&p.keep_top_level(parsed), &want, "{:?} on {:?}", s, d);
        }
    }

    #[test]
    fn renames_take_the_moving_path() {
        let s = bson::doc! {"_id": 0, "c0": "$a", "c1": "$b", "c2": "$a", "k": {"$literal": 1}};
        let p = Projection::compile(&s, Context::Stage).expect("compiles");
        assert!(p.renames.is_some());
        let vars = Vars::new(bson::DateTime::from_millis(0));
        let got = p
            .apply_owned(bson::doc! {"_id": 1, "a": "x", "b": [1]}, &vars)
            .expect("projects");
        assert_eq!(got, bson::doc! {"c0": "x", "c1": [1], "c2": "x", "k": 1});
        // Expressions too: evaluated before the renamed values move out.
        let s = bson::doc! {"_id": 0, "c0": "$a", "c1": {"$toUpper": "$a"}, "c2": "$a.x"};
        let p = Projection::compile(&s, Context::Stage).expect("compiles");
        assert!(p.renames.is_some());
        let got = p
            .apply_owned(bson::doc! {"_id": 1, "a": "x"}, &vars)
            .expect("projects");
        assert_eq!(got, bson::doc! {"c0": "x", "c1": "X"});
        // A path given twice (a selected joined column that is also the sort key) is read once.
        let s = bson::doc! {"_id": 0, "c0": "$j.x", "c1": "$j.y", "s0": "$j.x", "s1": "$j.y"};
        let p = Projection::compile(&s, Context::Stage).expect("compiles");
        let sources = p.renames.as_ref().expect("renames");
        assert!(matches!(sources[2].1, Source::Same(0)) && matches!(sources[3].1, Source::Same(1)));
        let got = p
            .apply_owned(bson::doc! {"_id": 1, "j": {"y": [2], "x": "v"}}, &vars)
            .expect("projects");
        assert_eq!(got, bson::doc! {"c0": "v", "c1": [2], "s0": "v", "s1": [2]});
    }
}
