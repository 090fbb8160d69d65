use super::{Expr, Vars};
use bson::{doc, Bson, Document};

fn now() -> bson::DateTime {
    bson::DateTime::from_millis(1_795_000_000_000)
}

fn ev(spec: Bson, d: &Document) -> Option<Bson> {
    Expr::compile(&spec)
        .unwrap()
        .eval(d, &Vars::new(now()))
        .unwrap()
}

fn date(s: &str) -> Bson {
    Bson::DateTime(bson::DateTime::parse_rfc3339_str(s).unwrap())
}

#[test]
fn arithmetic_promotes_and_propagates_null() {
    let d = doc! {"i": 2, "l": 5i64, "f": 1.5, "n": Bson::Null, "big": i32::MAX};
    assert_eq!(
        ev(Bson::Document(doc! {"$add": ["$i", 3]}), &d),
        Some(Bson::Int32(5))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$add": ["$i", "$l"]}), &d),
        Some(Bson::Int64(7))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$add": ["$big", 1]}), &d),
        Some(Bson::Int64(i32::MAX as i64 + 1))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$multiply": ["$i", "$f"]}), &d),
        Some(Bson::Double(3.0))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$add": ["$i", "$missing"]}), &d),
        Some(Bson::Null)
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$divide": [5, 2]}), &d),
        Some(Bson::Double(2.5))
    );
    assert!(Expr::compile(&Bson::Document(doc! {"$divide": [1, 0]}))
        .unwrap()
        .eval(&d, &Vars::new(now()))
        .is_err());
    assert_eq!(
        ev(Bson::Document(doc! {"$round": [2.5, 0]}), &d),
        Some(Bson::Double(2.0))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$round": [19.25, 1]}), &d),
        Some(Bson::Double(19.2))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$trunc": [-1.7]}), &d),
        Some(Bson::Double(-1.0))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$round": [1234, -2]}), &d),
        Some(Bson::Int32(1200))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$subtract": [date("2026-01-01T00:00:10Z"), date("2026-01-01T00:00:00Z")]}
            ),
            &d
        ),
        Some(Bson::Int64(10_000))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$add": [date("2026-01-01T00:00:00Z"), 1000]}),
            &d
        ),
        Some(date("2026-01-01T00:00:01Z"))
    );
}

#[test]
fn comparisons_treat_missing_below_null_and_logic_is_truthy() {
    let d = doc! {"a": Bson::Null, "s": "x", "z": 0};
    assert_eq!(
        ev(Bson::Document(doc! {"$eq": ["$missing", null]}), &d),
        Some(Bson::Boolean(false))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$eq": ["$a", null]}), &d),
        Some(Bson::Boolean(true))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$gt": ["$s", 5]}), &d),
        Some(Bson::Boolean(true))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$and": ["$s", "$z"]}), &d),
        Some(Bson::Boolean(false))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$or": [[], "$z"]}), &d),
        Some(Bson::Boolean(true))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$ifNull": ["$missing", "$a", "dflt"]}),
            &d
        ),
        Some(Bson::String("dflt".into()))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$cond": {"if": "$z", "then": 1, "else": 2}}),
            &d
        ),
        Some(Bson::Int32(2))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$switch": {"branches": [{"case": false, "then": 1}], "default": 9}}
            ),
            &d
        ),
        Some(Bson::Int32(9))
    );
    assert_eq!(ev(Bson::String("$$REMOVE".into()), &d), None);
    assert_eq!(
        ev(
            Bson::Document(doc! {"$let": {"vars": {"x": 4}, "in": {"$multiply": ["$$x", 2]}}}),
            &d
        ),
        Some(Bson::Int32(8))
    );
}

#[test]
fn strings_and_conversions() {
    let d = doc! {"s": "  Héllo World  ", "n": Bson::Null};
    assert_eq!(
        ev(Bson::Document(doc! {"$trim": {"input": "$s"}}), &d),
        Some(Bson::String("Héllo World".into()))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$strLenCP": {"$trim": {"input": "$s"}}}),
            &d
        ),
        Some(Bson::Int32(11))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$substrCP": ["héllo", 1, 3]}), &d),
        Some(Bson::String("éll".into()))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$concat": ["a", "$n"]}), &d),
        Some(Bson::Null)
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$toUpper": "$n"}), &d),
        Some(Bson::String(String::new()))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$split": ["a,b,,c", ","]}), &d),
        Some(Bson::Array(vec![
            "a".into(),
            "b".into(),
            "".into(),
            "c".into()
        ]))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$indexOfCP": ["héllo", "l"]}), &d),
        Some(Bson::Int32(2))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$regexMatch": {"input": "Cache:Key", "regex": "^cache", "options": "i"}}
            ),
            &d
        ),
        Some(Bson::Boolean(true))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$replaceAll": {"input": "a.b.c", "find": ".", "replacement": "/"}}
            ),
            &d
        ),
        Some(Bson::String("a/b/c".into()))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$toString": 3.0}), &d),
        Some(Bson::String("3".into()))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$toString": 1.5}), &d),
        Some(Bson::String("1.5".into()))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$toString": date("2026-11-22T10:00:00Z")}),
            &d
        ),
        Some(Bson::String("2026-11-22T10:00:00.000Z".into()))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$toInt": 2.9}), &d),
        Some(Bson::Int32(2))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$toLong": "42"}), &d),
        Some(Bson::Int64(42))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$toDate": "2026-11-22T10:00:00Z"}), &d),
        Some(date("2026-11-22T10:00:00Z"))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$toBool": 0}), &d),
        Some(Bson::Boolean(false))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$type": "$missing"}), &d),
        Some(Bson::String("missing".into()))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$convert": {"input": "x", "to": "int", "onError": -1}}),
            &d
        ),
        Some(Bson::Int32(-1))
    );
    let dec = ev(Bson::Document(doc! {"$toDecimal": "1.10"}), &d).unwrap();
    assert_eq!(
        dec.to_string(),
        Bson::Decimal128("1.10".parse().unwrap()).to_string()
    );
}

#[test]
fn dates() {
    let d = doc! {"t": date("2026-01-31T15:45:30.250Z")};
    assert_eq!(
        ev(
            Bson::Document(doc! {"$dateAdd": {"startDate": "$t", "unit": "month", "amount": 1}}),
            &d
        ),
        Some(date("2026-02-28T15:45:30.250Z"))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$dateSubtract": {"startDate": "$t", "unit": "minute", "amount": 5}}
            ),
            &d
        ),
        Some(date("2026-01-31T15:40:30.250Z"))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$dateTrunc": {"date": "$t", "unit": "hour"}}),
            &d
        ),
        Some(date("2026-01-31T15:00:00Z"))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$dateTrunc": {"date": "$t", "unit": "week"}}),
            &d
        ),
        Some(date("2026-01-25T00:00:00Z"))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$dateTrunc": {"date": "$t", "unit": "month"}}),
            &d
        ),
        Some(date("2026-01-01T00:00:00Z"))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$dateTrunc": {"date": "$t", "unit": "minute", "binSize": 15}}),
            &d
        ),
        Some(date("2026-01-31T15:45:00Z"))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$dayOfWeek": "$t"}), &d),
        Some(Bson::Int32(7))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$hour": {"date": "$t", "timezone": "+02:00"}}),
            &d
        ),
        Some(Bson::Int32(17))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$dateDiff": {"startDate": date("2026-01-31T23:00:00Z"), "endDate": date("2026-02-01T01:00:00Z"), "unit": "day"}}
            ),
            &d
        ),
        Some(Bson::Int64(1))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$dateToString": {"date": "$t", "format": "%Y-%m-%d %H:%M"}}),
            &d
        ),
        Some(Bson::String("2026-01-31 15:45".into()))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$year": "$missing"}), &d),
        Some(Bson::Null)
    );
    assert_eq!(
        ev(Bson::String("$$NOW".into()), &d),
        Some(Bson::DateTime(now()))
    );
}

#[test]
fn arrays_and_objects() {
    let d = doc! {"a": [1, 2, 3], "docs": [{"x": 1}, {"x": 2}, {"y": 3}], "o": {"k": 1}};
    assert_eq!(
        ev(Bson::String("$docs.x".into()), &d),
        Some(Bson::Array(vec![Bson::Int32(1), Bson::Int32(2)]))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$size": "$a"}), &d),
        Some(Bson::Int32(3))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$arrayElemAt": ["$a", -1]}), &d),
        Some(Bson::Int32(3))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$arrayElemAt": ["$a", 9]}), &d),
        None
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$in": [2.0, "$a"]}), &d),
        Some(Bson::Boolean(true))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$filter": {"input": "$a", "as": "v", "cond": {"$gt": ["$$v", 1]}}}
            ),
            &d
        ),
        Some(Bson::Array(vec![Bson::Int32(2), Bson::Int32(3)]))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$map": {"input": "$a", "in": {"$multiply": ["$$this", 10]}}}),
            &d
        ),
        Some(Bson::Array(vec![
            Bson::Int32(10),
            Bson::Int32(20),
            Bson::Int32(30)
        ]))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$reduce": {"input": "$a", "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}}
            ),
            &d
        ),
        Some(Bson::Int32(6))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$sum": "$a"}), &d),
        Some(Bson::Int32(6))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$avg": [1, 2]}), &d),
        Some(Bson::Double(1.5))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$max": [1, null, 5]}), &d),
        Some(Bson::Int32(5))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$setIsSubset": [["a"], ["a", "b"]]}),
            &d
        ),
        Some(Bson::Boolean(true))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$mergeObjects": ["$o", {"j": 2}]}), &d),
        Some(Bson::Document(doc! {"k": 1, "j": 2}))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"$objectToArray": "$o"}), &d),
        Some(Bson::Array(vec![Bson::Document(doc! {"k": "k", "v": 1})]))
    );
    assert_eq!(
        ev(Bson::Document(doc! {"a": "$o.k", "b": "$missing"}), &d),
        Some(Bson::Document(doc! {"a": 1}))
    );
    assert!(Expr::compile(&Bson::Document(doc! {"$in": [1, "$o"]}))
        .unwrap()
        .eval(&d, &Vars::new(now()))
        .is_err());
    assert!(Expr::compile(&Bson::Document(doc! {"$frobnicate": 1})).is_err());
}

#[test]
fn sort_array_by_value_and_by_fields() {
    let d = doc! {"a": [3, 1, null, 2], "o": [{"k": 2, "v": "b"}, {"v": "n"}, {"k": 1, "v": "a"}, {"k": 2, "v": "c"}]};
    assert_eq!(
        ev(
            Bson::Document(doc! {"$sortArray": {"input": "$a", "sortBy": 1}}),
            &d
        ),
        Some(bson::bson!([null, 1, 2, 3]))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$sortArray": {"input": "$a", "sortBy": -1}}),
            &d
        ),
        Some(bson::bson!([3, 2, 1, null]))
    );
    // by field, stable for ties, a missing field sorting as null
    assert_eq!(
        ev(
            Bson::Document(doc! {"$sortArray": {"input": "$o", "sortBy": {"k": -1}}}),
            &d
        ),
        Some(bson::bson!([{"k": 2, "v": "b"}, {"k": 2, "v": "c"}, {"k": 1, "v": "a"}, {"v": "n"}]))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$sortArray": {"input": "$missing", "sortBy": 1}}),
            &d
        ),
        Some(Bson::Null)
    );
    assert!(Expr::compile(&Bson::Document(
        doc! {"$sortArray": {"input": 5, "sortBy": 1}}
    ))
    .unwrap()
    .eval(&d, &Vars::new(now()))
    .is_err());
}

/// Olson time zones, with the MongoDB manual's examples ($dateToParts, $dateToString, $hour) and DST edges.
#[test]
fn olson_time_zones() {
    let d = doc! {"date": date("2017-01-01T01:29:09.123Z")};
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$dateToParts": {"date": "$date", "timezone": "America/New_York"}}
            ),
            &d
        ),
        Some(Bson::Document(
            doc! {"year": 2016, "month": 12, "day": 31, "hour": 20, "minute": 29, "second": 9, "millisecond": 123}
        ))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$dateToString": {"date": "$date", "format": "%H:%M:%S:%L%z", "timezone": "America/New_York"}}
            ),
            &d
        ),
        Some(Bson::String("20:29:09:123-0500".into()))
    );
    assert_eq!(
        ev(
            Bson::Document(doc! {"$hour": {"date": "$date", "timezone": "Asia/Kolkata"}}),
            &d
        ),
        Some(Bson::Int32(6))
    );
    // Summer time: Paris is UTC+2 in July.
    let summer = doc! {"t": date("2026-07-01T10:00:00Z")};
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$dateTrunc": {"date": "$t", "unit": "day", "timezone": "Europe/Paris"}}
            ),
            &summer
        ),
        Some(date("2026-06-30T22:00:00Z"))
    );
    // A day added across the spring-forward change keeps the wall clock (23 hours later).
    let spring = doc! {"t": date("2026-03-28T12:00:00Z")};
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$dateAdd": {"startDate": "$t", "unit": "day", "amount": 1, "timezone": "Europe/Paris"}}
            ),
            &spring
        ),
        Some(date("2026-03-29T11:00:00Z"))
    );
    assert_eq!(
        ev(
            Bson::Document(
                doc! {"$dateFromString": {"dateString": "2026-07-01T12:00:00", "timezone": "Europe/Paris"}}
            ),
            &summer
        ),
        Some(date("2026-07-01T10:00:00Z"))
    );
    let bad = Expr::compile(&Bson::Document(
        doc! {"$hour": {"date": "$t", "timezone": "Mars/Olympus"}},
    ))
    .and_then(|e| e.eval(&summer, &Vars::new(now())));
    assert_eq!(bad.map_err(|e| e.code), Err(40485));
}

/// Scopes share their values (`Vars` copies bindings, not values): nested `$let` / `$reduce` / `$map` /
/// `$filter` still see the innermost binding of each name, and a body's bindings never leak out of its step.
#[test]
fn nested_scopes_see_their_own_bindings() {
    let d = doc! {"a": [1, 2, 3]};
    // $reduce whose body opens a $let over an outer array: 0 -> 1+3 -> 6+3 -> 12+3.
    let spec = doc! {"$let": {"vars": {"s": "$a"}, "in": {"$reduce": {
        "input": "$$s", "initialValue": 0,
        "in": {"$let": {"vars": {"t": {"$add": ["$$value", "$$this"]}}, "in": {"$add": ["$$t", {"$size": "$$s"}]}}}
    }}}};
    assert_eq!(ev(Bson::Document(spec), &d), Some(Bson::Int32(15)));
    // $map inside $map: the inner `this` shadows nothing of the outer `x`.
    let spec = doc! {"$map": {"input": [1, 2], "as": "x", "in": {"$map": {"input": [10, 20], "in": {"$add": ["$$x", "$$this"]}}}}};
    assert_eq!(
        ev(Bson::Document(spec), &d),
        Some(Bson::Array(vec![
            Bson::Array(vec![Bson::Int32(11), Bson::Int32(21)]),
            Bson::Array(vec![Bson::Int32(12), Bson::Int32(22)]),
        ]))
    );
    // $filter keeps the elements themselves, even when its condition rebinds `this` in a $let.
    let spec = doc! {"$filter": {"input": [{"k": 1}, {"k": 5}, {"k": 7}], "cond": {
        "$let": {"vars": {"this": {"$multiply": ["$$this.k", 2]}}, "in": {"$gt": ["$$this", 9]}}
    }}};
    assert_eq!(
        ev(Bson::Document(spec), &d),
        Some(Bson::Array(vec![
            Bson::Document(doc! {"k": 5}),
            Bson::Document(doc! {"k": 7})
        ]))
    );
    // A $reduce value that a nested scope held while the step ran is updated, not aliased.
    let spec = doc! {"$reduce": {"input": ["a", "b", "c"], "initialValue": "", "in": {
        "$let": {"vars": {"old": "$$value"}, "in": {"$concat": ["$$old", "$$this"]}}
    }}};
    assert_eq!(
        ev(Bson::Document(spec), &d),
        Some(Bson::String("abc".into()))
    );
}

/// Compiled regexes are cached by pattern and options: the same pattern with other options, and computed
/// patterns that differ per document, each get their own compilation.
#[test]
fn regex_cache_keys_on_pattern_and_options() {
    let d = doc! {"s": "Cache:Key", "p": "^cache"};
    for _ in 0..2 {
        assert_eq!(
            ev(
                Bson::Document(doc! {"$regexMatch": {"input": "$s", "regex": "$p"}}),
                &d
            ),
            Some(Bson::Boolean(false))
        );
        assert_eq!(
            ev(
                Bson::Document(
                    doc! {"$regexMatch": {"input": "$s", "regex": "$p", "options": "i"}}
                ),
                &d
            ),
            Some(Bson::Boolean(true))
        );
    }
    for i in 0..600 {
        let d = doc! {"s": format!("k{i}"), "p": format!("^k{i}$")};
        assert_eq!(
            ev(
                Bson::Document(doc! {"$regexMatch": {"input": "$s", "regex": "$p"}}),
                &d
            ),
            Some(Bson::Boolean(true))
        );
        let other = doc! {"s": format!("k{i}"), "p": format!("^k{}$", i + 1)};
        assert_eq!(
            ev(
                Bson::Document(doc! {"$regexMatch": {"input": "$s", "regex": "$p"}}),
                &other
            ),
            Some(Bson::Boolean(false))
        );
    }
    let bad = Expr::compile(&Bson::Document(
        doc! {"$regexMatch": {"input": "$s", "regex": "$p", "options": "q"}},
    ))
    .unwrap()
    .eval(&d, &Vars::new(now()));
    assert_eq!(bad.map_err(|e| e.code), Err(51108));
}

/// A null or missing input is no match whether the pattern is a wildcard (answered without a regex) or not;
/// an invalid pattern is reported even then (it is compiled first), and a non-string input is 51104.
#[test]
fn regex_match_of_a_null_input() {
    let m = |d: Document| {
        Expr::compile(&Bson::Document(
            doc! {"$regexMatch": {"input": "$s", "regex": "$p", "options": "s"}},
        ))
        .unwrap()
        .eval(&d, &Vars::new(now()))
        .map_err(|e| e.code)
    };
    for p in ["^u7.*$", "^u(7|8)$", "a\\d"] {
        assert_eq!(m(doc! {"p": p}), Ok(Some(Bson::Boolean(false))), "{p}");
        assert_eq!(
            m(doc! {"p": p, "s": Bson::Null}),
            Ok(Some(Bson::Boolean(false))),
            "{p}"
        );
        assert_eq!(m(doc! {"p": p, "s": 7}), Err(51104), "{p}");
    }
    assert_eq!(
        m(doc! {"p": "^u7.*$", "s": "u70"}),
        Ok(Some(Bson::Boolean(true)))
    );
    assert_eq!(m(doc! {"p": "(", "s": Bson::Null}), Err(51111));
}

/// Under a killed op, the per-element loops (`$map`, `$filter`, `$reduce` and its array append) and
/// `$sortArray`'s chunked sort fail with 11601 instead of running to the end; the same expressions answer
/// outside an op.
#[test]
fn array_loops_stop_when_the_op_is_killed() {
    let n = crate::engine::ops::SORT_CHUNK as i32 * 2 + 5;
    let root = doc! {"a": (0..n).rev().map(Bson::Int32).collect::<Vec<_>>(),
    "d": (0..n).rev().map(|k| Bson::Document(doc! {"k": k})).collect::<Vec<_>>()};
    for e in [
        doc! {"$map": {"input": "$a", "in": {"$add": ["$$this", 1]}}},
        doc! {"$filter": {"input": "$a", "cond": {"$gt": ["$$this", 5]}}},
        doc! {"$reduce": {"input": "$a", "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}},
        doc! {"$reduce": {"input": {"$map": {"input": "$a", "in": ["$$this"]}}, "initialValue": [],
        "in": {"$concatArrays": ["$$value", "$$this"]}}},
        doc! {"$sortArray": {"input": "$a", "sortBy": 1}},
        doc! {"$sortArray": {"input": "$d", "sortBy": {"k": 1}}},
    ] {
        let x = Expr::compile(&Bson::Document(e.clone())).expect("compiles");
        let vars = Vars::new(now());
        assert!(x.eval(&root, &vars).is_ok(), "{e}");
        let killed = crate::engine::ops::run_killed(|| x.eval(&root, &vars));
        assert_eq!(killed.map_err(|e| e.code).err(), Some(11601), "{e}");
    }
}
