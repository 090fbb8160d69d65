//! ORDER BY ... LIMIT / OFFSET of a plain SELECT is sorted and cut before its SELECT list is computed
//! (src/translate/top_k.rs), served by an index walk when one applies. Property: on generated rows with NULLs,
//! missing fields and ties, the rows of `... ORDER BY keys LIMIT l OFFSET o` are those of the same query
//! without LIMIT / OFFSET (sorted first, then projected: the general plan) from row `o` on, `l` of them —
//! in the same order, ties included.

use proptest::prelude::*;
use sqlmongo::Client;

const COLUMNS: &[&str] = &[
    "k",
    "a",
    "b",
    "a + 1 AS a1",
    "1 AS one",
    "'x' || b AS xb",
    "upper(b) AS ub",
    "TRUE AS yes",
];

const KEYS: &[&str] = &["a", "b", "k", "a + 1", "length(b)", "a1", "ub"];

#[derive(Debug, Clone)]
struct Row {
    a: Option<i32>,
    b: Option<&'static str>,
}

fn row() -> impl Strategy<Value = Row> {
    let a = prop_oneof![3 => (0i32..4).prop_map(Some), 1 => Just(None)];
    let b = prop_oneof![
        3 => prop::sample::select(vec!["p", "q", "Q", ""]).prop_map(Some),
        1 => Just(None)
    ];
    (a, b).prop_map(|(a, b)| Row { a, b })
}

#[derive(Debug, Clone)]
struct Key {
    expr: &'static str,
    desc: bool,
    nulls: Option<bool>,
}

fn key() -> impl Strategy<Value = Key> {
    (
        prop::sample::select(KEYS),
        any::<bool>(),
        prop_oneof![Just(None), any::<bool>().prop_map(Some)],
    )
        .prop_map(|(expr, desc, nulls)| Key { expr, desc, nulls })
}

fn order_by(keys: &[Key]) -> String {
    keys.iter()
        .map(|k| {
            let mut s = k.expr.to_string();
            if k.desc {
                s.push_str(" DESC");
            }
            match k.nulls {
                Some(true) => s.push_str(" NULLS FIRST"),
                Some(false) => s.push_str(" NULLS LAST"),
                None => {}
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn limited_rows_are_the_full_sorts_rows(
        rows in prop::collection::vec(row(), 0..24),
        declared in any::<bool>(),
        indexed in prop::sample::select(vec!["", "a", "b"]),
        cols in prop::collection::vec(prop::sample::select(COLUMNS), 1..4),
        keys in prop::collection::vec(key(), 1..3),
        filtered in any::<bool>(),
        limit in 1usize..6,
        offset in prop_oneof![Just(None), (0usize..4).prop_map(Some)],
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let client = Client::embedded();
        let mut script = String::new();
        if declared {
            script.push_str("CREATE TABLE t (k TEXT PRIMARY KEY, a INTEGER, b TEXT);\n");
        }
        if !indexed.is_empty() {
            script.push_str(&format!("CREATE INDEX t_{indexed} ON t ({indexed});\n"));
        }
        for (i, r) in rows.iter().enumerate() {
            // Undeclared: a NULL is a missing field in half the rows.
            let mut names = vec!["k".to_string()];
            let mut values = vec![format!("'k{i:02}'")];
            for (name, v) in [("a", r.a.map(|a| a.to_string())), ("b", r.b.map(|b| format!("'{b}'")))] {
                match v {
                    Some(v) => {
                        names.push(name.into());
                        values.push(v);
                    }
                    None if declared || i % 2 == 0 => {
                        names.push(name.into());
                        values.push("NULL".into());
                    }
                    None => {}
                }
            }
            script.push_str(&format!("INSERT INTO t ({}) VALUES ({});\n", names.join(", "), values.join(", ")));
        }
        if !script.is_empty() {
            rt.block_on(client.execute(&script, &[])).expect("data loads");
        }
        // Sort keys that name an output alias need it in the list.
        let mut cols: Vec<&str> = cols;
        for k in &keys {
            for (alias, col) in [("a1", "a + 1 AS a1"), ("ub", "upper(b) AS ub")] {
                if k.expr == alias && !cols.contains(&col) {
                    cols.push(col);
                }
            }
        }
        cols.dedup();
        let mut seen = std::collections::HashSet::new();
        cols.retain(|c| seen.insert(*c));
        let filter = if filtered { " WHERE a IS NULL OR a > 0" } else { "" };
        let base = format!("SELECT {} FROM t{filter} ORDER BY {}", cols.join(", "), order_by(&keys));
        let mut limited = format!("{base} LIMIT {limit}");
        if let Some(o) = offset {
            limited.push_str(&format!(" OFFSET {o}"));
        }
        let all = rt.block_on(client.query(&base, &[]));
        let got = rt.block_on(client.query(&limited, &[]));
        let (all, got) = match (all, got) {
            (Ok(a), Ok(g)) => (a, g),
            (Err(a), Err(g)) => {
                // Both refuse (an unknown column of an undeclared table cannot happen here; a type error).
                prop_assert_eq!(a.to_string(), g.to_string());
                return Ok(());
            }
            (a, g) => {
                prop_assert!(false, "{base}: {:?} / {limited}: {:?}", a.map(|r| r.rows.len()), g.map(|r| r.rows.len()));
                unreachable!()
            }
        };
        let want: Vec<_> = all.rows.iter().skip(offset.unwrap_or(0)).take(limit).cloned().collect();
        prop_assert_eq!(format!("{:?}", got.rows), format!("{want:?}"), "{}", limited);
        prop_assert_eq!(format!("{:?}", got.columns), format!("{:?}", all.columns));
    }
}
