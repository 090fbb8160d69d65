//! `LEFT JOIN b ... WHERE <a term never TRUE when b.c is NULL>` planned as an inner join
//! (src/translate/outer_join_reduce.rs): held to the LEFT JOIN plan on generated data (NULL keys and values
//! on both sides, duplicate keys on the right, rows of `a` no row of `b` matches). The LEFT JOIN plan is
//! reached by writing the same condition as `(<term> OR a.id < 0)` (ids are never negative), an OR the
//! rewrite does not look at.

use proptest::prelude::*;
use sqlmongo::Client;

#[path = "common/sql_rows.rs"]
mod sql_rows;
use sql_rows::{key, lit, rows};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn reduced_left_join_matches_the_left_join_plan(
        a in proptest::collection::vec(key(), 0..8),
        b in proptest::collection::vec((key(), key()), 0..8),
        c in proptest::collection::vec(key(), 0..5),
    ) {
        let cl = Client::embedded();
        let mut script = String::from(
            "CREATE TABLE aa (id INTEGER, k INTEGER); CREATE TABLE bb (id INTEGER, k INTEGER, w INTEGER); \
             CREATE TABLE cc (id INTEGER, k INTEGER);",
        );
        for (i, k) in a.iter().enumerate() {
            script.push_str(&format!("INSERT INTO aa (id, k) VALUES ({i}, {});", lit(*k)));
        }
        for (i, (k, w)) in b.iter().enumerate() {
            script.push_str(&format!("INSERT INTO bb (id, k, w) VALUES ({i}, {}, {});", lit(*k), lit(*w)));
        }
        for (i, k) in c.iter().enumerate() {
            script.push_str(&format!("INSERT INTO cc (id, k) VALUES ({i}, {});", lit(*k)));
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(cl.execute(&script, &[])).expect("seed");
        let from = "aa a LEFT JOIN bb b ON a.k = b.k AND a.id <> b.id LEFT JOIN cc c ON c.k = b.w";
        for term in [
            "b.w > 1",
            "b.w = a.k",
            "1 <> b.id",
            "b.w IS NOT NULL",
            "b.w IN (0, 2)",
            "b.w BETWEEN 1 AND 2",
            "c.id >= 0",
            "b.w < 3 AND c.k IS NOT NULL",
        ] {
            let fast = format!(
                "SELECT a.id, b.id AS bid, c.id AS cid FROM {from} WHERE {term} ORDER BY 1, 2, 3"
            );
            let general = format!(
                "SELECT a.id, b.id AS bid, c.id AS cid FROM {from} WHERE ({term}) OR a.id < 0 ORDER BY 1, 2, 3"
            );
            prop_assert_eq!(rows(&cl, &fast), rows(&cl, &general), "{}", term);
        }
    }
}
