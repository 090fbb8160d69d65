//! Window calls sharing a partition and sort run in one `$setWindowFields`
//! (src/translate/window/merge.rs): a SELECT of several window calls is held to the same calls run one per
//! statement (each planned alone, with its own stages), on generated rows with NULLs and ties in every key.
//! Calls that depend on the order of tied rows (ROW_NUMBER, LAG, ROWS frames, ...) get only windows whose
//! ORDER BY ends with the unique `id`.

use proptest::prelude::*;
use sqlmongo::Client;

#[path = "common/sql_rows.rs"]
mod sql_rows;
use sql_rows::{key, lit, rows};

/// Window specifications: (text, ordered, totally ordered).
const SPECS: &[(&str, bool, bool)] = &[
    ("PARTITION BY g ORDER BY x, id", true, true),
    ("PARTITION BY g ORDER BY x DESC, id", true, true),
    ("ORDER BY x NULLS FIRST, id", true, true),
    ("PARTITION BY g ORDER BY x", true, false),
    ("PARTITION BY g", false, false),
    ("", false, false),
];

/// Window calls: (function, frame, needs an ORDER BY, needs a total order).
const CALLS: &[(&str, &str, bool, bool)] = &[
    ("SUM(y)", "", false, false),
    ("COUNT(*)", "", false, false),
    ("COUNT(y)", "", false, false),
    ("MIN(y)", "", false, false),
    ("MAX(y)", "", false, false),
    ("AVG(y)", "", false, false),
    ("RANK()", "", false, false),
    ("DENSE_RANK()", "", false, false),
    ("PERCENT_RANK()", "", true, false),
    ("CUME_DIST()", "", true, false),
    (
        "SUM(y)",
        "RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
        true,
        false,
    ),
    ("ROW_NUMBER()", "", true, true),
    ("NTILE(3)", "", true, true),
    ("LAG(y)", "", true, true),
    ("LEAD(y, 2)", "", true, true),
    ("FIRST_VALUE(y)", "", true, true),
    ("ARRAY_AGG(y)", "", true, true),
    (
        "SUM(y)",
        "ROWS BETWEEN 1 PRECEDING AND CURRENT ROW",
        true,
        true,
    ),
    (
        "COUNT(*)",
        "ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING",
        true,
        true,
    ),
];

/// `f OVER (spec frame)` for a call and a spec the call may take, else `None`.
fn call(c: usize, s: usize) -> Option<String> {
    let (f, frame, ordered, total) = CALLS[c % CALLS.len()];
    let (spec, spec_ordered, spec_total) = SPECS[s % SPECS.len()];
    if (ordered && !spec_ordered) || (total && !spec_total) {
        return None;
    }
    Some(format!("{f} OVER ({spec} {frame})"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn merged_window_stages_equal_one_call_at_a_time(
        data in proptest::collection::vec((key(), key(), key()), 0..14),
        picks in proptest::collection::vec((0usize..CALLS.len(), 0usize..SPECS.len()), 2..6),
    ) {
        let calls: Vec<String> = picks.iter().filter_map(|(c, s)| call(*c, *s)).collect();
        prop_assume!(calls.len() >= 2);
        let cl = Client::embedded();
        let mut script = String::from("CREATE TABLE ww (id INTEGER, g INTEGER, x INTEGER, y INTEGER);");
        for (i, (g, x, y)) in data.iter().enumerate() {
            script.push_str(&format!(
                "INSERT INTO ww (id, g, x, y) VALUES ({i}, {}, {}, {});",
                lit(*g), lit(*x), lit(*y)
            ));
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(cl.execute(&script, &[])).expect("seed");
        let list: Vec<String> = calls.iter().enumerate().map(|(i, c)| format!("{c} AS a{i}")).collect();
        let merged = format!("SELECT id, {} FROM ww ORDER BY id", list.join(", "));
        let together = rows(&cl, &merged);
        let mut apart: Vec<Vec<bson::Bson>> =
            (0..data.len()).map(|i| vec![bson::Bson::Int32(i as i32)]).collect();
        for c in &calls {
            let one = rows(&cl, &format!("SELECT id, {c} AS a FROM ww ORDER BY id"));
            prop_assert_eq!(one.len(), apart.len());
            for (row, r) in apart.iter_mut().zip(one) {
                row.push(r[1].clone());
            }
        }
        prop_assert_eq!(together, apart, "{}", merged);
    }
}
