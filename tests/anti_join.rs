//! `LEFT JOIN b ON ... WHERE b.c IS NULL` as an anti-join (src/translate/anti_join.rs): held to the general
//! LEFT JOIN plan on generated data (NULL keys on both sides, duplicate keys on the right). The general plan
//! is reached by writing the same condition as `(b.c IS NULL OR a.id < 0)` (ids are never negative), an OR the
//! rewrite does not look at; `NOT (b.c IS NOT NULL)` takes the anti-join too.

use proptest::prelude::*;
use sqlmongo::Client;

#[path = "common/sql_rows.rs"]
mod sql_rows;
use sql_rows::{key, lit, rows};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn anti_join_matches_the_left_join_plan(
        a in proptest::collection::vec(key(), 0..8),
        b in proptest::collection::vec((key(), key()), 0..8),
    ) {
        let c = Client::embedded();
        let mut script = String::from(
            "CREATE TABLE aa (id INTEGER, k INTEGER); CREATE TABLE bb (id INTEGER, k INTEGER, w INTEGER);",
        );
        for (i, k) in a.iter().enumerate() {
            script.push_str(&format!("INSERT INTO aa (id, k) VALUES ({i}, {});", lit(*k)));
        }
        for (i, (k, w)) in b.iter().enumerate() {
            script.push_str(&format!("INSERT INTO bb (id, k, w) VALUES ({i}, {}, {});", lit(*k), lit(*w)));
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(c.execute(&script, &[])).expect("seed");
        for (on, col) in [
            ("a.k = b.k", "k"),
            ("a.k = b.k AND b.w > 1", "w"),
            ("a.id < b.id AND a.k <> b.k", "id"),
            ("b.k >= a.k", "k"),
        ] {
            let fast = format!(
                "SELECT a.id, b.id AS bid FROM aa a LEFT JOIN bb b ON {on} WHERE b.{col} IS NULL ORDER BY a.id"
            );
            let negated = format!(
                "SELECT a.id, b.id AS bid FROM aa a LEFT JOIN bb b ON {on} WHERE NOT (b.{col} IS NOT NULL) ORDER BY a.id"
            );
            let general = format!(
                "SELECT a.id, b.id AS bid FROM aa a LEFT JOIN bb b ON {on} WHERE (b.{col} IS NULL OR a.id < 0) ORDER BY a.id"
            );
            let want = rows(&c, &general);
            prop_assert_eq!(rows(&c, &fast), want.clone(), "{}", on);
            prop_assert_eq!(rows(&c, &negated), want, "{}", on);
        }
    }
}
