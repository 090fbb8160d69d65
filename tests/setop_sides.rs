//! Set-operation sides computed by one `$project` (src/translate/setop.rs: the side's own projection makes
//! `u0, u1, ...` and carries the INTERSECT / EXCEPT tag) held to the general form (a second `$project`
//! renaming the side's columns), on generated rows with NULLs and duplicates. The general form is reached by
//! giving each side an ORDER BY (a side's order means nothing to the set operation), so the side ends with
//! its sort, not its projection.

use proptest::prelude::*;
use sqlmongo::Client;

#[path = "common/sql_rows.rs"]
mod sql_rows;
use sql_rows::{key, lit, rows};

const OPS: &[&str] = &[
    "UNION",
    "UNION ALL",
    "INTERSECT",
    "INTERSECT ALL",
    "EXCEPT",
    "EXCEPT ALL",
];

/// Select lists (two columns) over `t (a, b)` and `u (c, d)`.
const LEFT: &[&str] = &[
    "a, b",
    "a + 1, b",
    "COALESCE(a, 0), b",
    "a, NULL::INTEGER",
    "1, b",
];
const RIGHT: &[&str] = &["c, d", "d, c", "c - 1, d", "c, 2", "NULL::INTEGER, d"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn one_projection_per_side_equals_the_renaming_plan(
        t in proptest::collection::vec((key(), key()), 0..10),
        u in proptest::collection::vec((key(), key()), 0..10),
        l in 0usize..LEFT.len(),
        r in 0usize..RIGHT.len(),
    ) {
        let cl = Client::embedded();
        let mut script = String::from("CREATE TABLE t (a INTEGER, b INTEGER); CREATE TABLE u (c INTEGER, d INTEGER);");
        for (a, b) in &t {
            script.push_str(&format!("INSERT INTO t (a, b) VALUES ({}, {});", lit(*a), lit(*b)));
        }
        for (c, d) in &u {
            script.push_str(&format!("INSERT INTO u (c, d) VALUES ({}, {});", lit(*c), lit(*d)));
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(cl.execute(&script, &[])).expect("seed");
        for op in OPS {
            let (ls, rs) = (LEFT[l], RIGHT[r]);
            let fused = format!("SELECT {ls} FROM t {op} SELECT {rs} FROM u ORDER BY 1, 2");
            let general = format!(
                "(SELECT {ls} FROM t ORDER BY 1) {op} (SELECT {rs} FROM u ORDER BY 1) ORDER BY 1, 2"
            );
            prop_assert_eq!(rows(&cl, &fused), rows(&cl, &general), "{}", fused);
        }
    }
}

/// The two forms are the two plans: two `$project`s per side in the general form, one in the fused one.
#[test]
fn the_forms_differ_in_their_projections() {
    let count = |sql: &str| {
        let plan = format!("{:?}", sqlmongo::translate(sql).expect("translates"));
        plan.matches("\"$project\"").count()
    };
    assert_eq!(
        count("SELECT a + 1, b FROM t INTERSECT SELECT c, d FROM u"),
        2
    );
    assert_eq!(
        count("(SELECT a + 1, b FROM t ORDER BY 1) INTERSECT (SELECT c, d FROM u ORDER BY 1)"),
        4
    );
}
