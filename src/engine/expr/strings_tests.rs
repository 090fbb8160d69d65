//! `$indexOfCP` / `$indexOfBytes` (`strings.rs`: one substring search from `start`, no copy of the string)
//! against the definition: the smallest position `i` in `start..=end` (code points or bytes, `end` clamped to
//! the length) where the substring's units equal the string's units `i..i + len` and `i + len <= end`, on
//! generated strings of one-, two-, three- and four-byte characters, empty substrings and bounds past the
//! string, null and missing; plus MongoDB's documented examples.

use super::{Expr, Vars};
use bson::{doc, Bson, Document};
use proptest::prelude::*;

fn ev(spec: Bson) -> Option<Bson> {
    Expr::compile(&spec)
        .unwrap()
        .eval(&Document::new(), &Vars::new(bson::DateTime::from_millis(0)))
        .unwrap()
}

/// The definition, unit by unit (`None` bounds: the argument is absent).
fn reference(s: &str, sub: &str, cp: bool, start: Option<i32>, end: Option<i32>) -> i32 {
    let units = |x: &str| -> Vec<Vec<u8>> {
        match cp {
            true => x.chars().map(|c| c.to_string().into_bytes()).collect(),
            false => x.bytes().map(|b| vec![b]).collect(),
        }
    };
    let (hay, needle) = (units(s), units(sub));
    let start = start.map_or(0, |v| v.max(0) as usize);
    let end = end.map_or(hay.len(), |v| (v.max(0) as usize).min(hay.len()));
    if start > end {
        return -1;
    }
    (start..=end)
        .find(|&i| i + needle.len() <= end && hay[i..i + needle.len()] == needle[..])
        .map_or(-1, |i| i as i32)
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!['a', 'b', ':', 'é', '€', '𝄞']),
        0..10,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn call(op: &str, s: &str, sub: &str, start: Option<i32>, end: Option<i32>) -> Bson {
    let mut args = vec![Bson::from(s), Bson::from(sub)];
    if let Some(b) = start {
        args.push(Bson::Int32(b));
    }
    if let Some(e) = end {
        args.push(Bson::Int32(e));
    }
    Bson::Document(doc! {op: args})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn index_of_finds_the_first_unit_position(
        s in text(),
        sub in prop_oneof![text(), (0usize..4, 0usize..4).prop_map(|(a, n)| a.to_string() + &"b".repeat(n))],
        from_s in any::<bool>(),
        range in (0usize..12, 0usize..5),
        start in prop::option::of(0i32..14),
        end in prop::option::of(0i32..14),
        cp in any::<bool>(),
    ) {
        // A substring taken from the string itself (found), or generated (mostly not).
        let sub = match from_s {
            true => s.chars().skip(range.0).take(range.1).collect(),
            false => sub,
        };
        let end = end.filter(|_| start.is_some());
        let op = if cp { "$indexOfCP" } else { "$indexOfBytes" };
        let got = ev(call(op, &s, &sub, start, end));
        prop_assert_eq!(got, Some(Bson::Int32(reference(&s, &sub, cp, start, end))));
    }
}

#[test]
fn documented_examples() {
    // MongoDB's manual ($indexOfCP, $indexOfBytes): "é" is one code point of two bytes.
    let cases = [
        ("$indexOfCP", "cafétéria", "é", None, None, 3),
        ("$indexOfBytes", "cafétéria", "é", None, None, 3),
        ("$indexOfCP", "cafétéria", "t", None, None, 4),
        ("$indexOfBytes", "cafétéria", "t", None, None, 5),
        ("$indexOfCP", "foo.bar.fi", ".", Some(5), None, 7),
        ("$indexOfCP", "vanilla", "ll", Some(0), Some(2), -1),
        ("$indexOfCP", "vanilla", "nill", Some(3), None, -1),
        ("$indexOfCP", "abc", "", Some(3), None, 3),
        ("$indexOfCP", "abc", "", Some(4), None, -1),
    ];
    for (op, s, sub, start, end, want) in cases {
        assert_eq!(
            ev(call(op, s, sub, start, end)),
            Some(Bson::Int32(want)),
            "{op} {s} {sub} {start:?} {end:?}"
        );
    }
    assert_eq!(
        ev(Bson::Document(doc! {"$indexOfCP": [null, "a"]})),
        Some(Bson::Null)
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$indexOfCP": ["$missing", "a"]})),
        Some(Bson::Null)
    );
}

/// A value for `$split`'s arguments: mostly strings, sometimes null, missing, a number (errors).
fn split_arg() -> impl Strategy<Value = Option<Bson>> {
    prop_oneof![
        6 => prop::collection::vec(prop::sample::select(vec!["a", ":", "é", "::", "aa", ""]), 0..8)
            .prop_map(|p| Some(Bson::String(p.concat()))),
        1 => Just(Some(Bson::Null)),
        1 => Just(None),
        1 => Just(Some(Bson::Int32(7))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// `{$arrayElemAt: [{$split: [s, d]}, k]}` with a constant `k` (taken apart: `split_nth`) against the
    /// same with `k` read from the document (the two operators one after the other): same value, or same
    /// error.
    #[test]
    fn split_piece_equals_the_element_of_the_split(
        s in split_arg(),
        d in split_arg(),
        k in -3i32..7,
    ) {
        let mut doc = doc! {"k": k};
        for (name, v) in [("s", &s), ("d", &d)] {
            if let Some(v) = v {
                doc.insert(name, v.clone());
            }
        }
        let run = |index: Bson| {
            let e = Expr::compile(&Bson::Document(
                doc! {"$arrayElemAt": [{"$split": ["$s", "$d"]}, index]},
            ))
            .unwrap();
            e.eval(&doc, &Vars::new(bson::DateTime::from_millis(0)))
                .map_err(|e| e.to_string())
        };
        prop_assert_eq!(run(Bson::Int32(k)), run(Bson::String("$k".into())));
    }
}
