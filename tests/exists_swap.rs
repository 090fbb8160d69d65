//! A nested EXISTS correlated two levels up, planned with its two levels swapped
//! (src/translate/exists_swap.rs): held to the plan as written on generated data (NULL keys and values,
//! duplicates, rows no other row matches). The plan as written is reached by putting the inner EXISTS under
//! an OR with a false term (`OR c.id < 0`: ids are never negative), which the rewrite does not look at.

use proptest::prelude::*;
use sqlmongo::Client;

#[path = "common/sql_rows.rs"]
mod sql_rows;
use sql_rows::{key, lit, rows};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn swapped_exists_matches_the_nested_plan(
        s in proptest::collection::vec((key(), key()), 0..10),
        c in proptest::collection::vec((key(), key()), 0..8),
    ) {
        let cl = Client::embedded();
        let mut script = String::from(
            "CREATE TABLE ss (id INTEGER, u INTEGER, p INTEGER); CREATE TABLE cc (id INTEGER, h INTEGER, pr INTEGER);",
        );
        for (i, (u, p)) in s.iter().enumerate() {
            script.push_str(&format!("INSERT INTO ss (id, u, p) VALUES ({i}, {}, {});", lit(*u), lit(*p)));
        }
        for (i, (h, pr)) in c.iter().enumerate() {
            script.push_str(&format!("INSERT INTO cc (id, h, pr) VALUES ({i}, {}, {});", lit(*h), lit(*pr)));
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(cl.execute(&script, &[])).expect("seed");
        for (not, a, b_o, b_c) in [
            ("", "c.h > 1", "o.u = s.u", "o.p = c.pr"),
            ("NOT", "c.h > 1", "o.u = s.u", "o.p = c.pr"),
            ("", "c.h IS NOT NULL", "o.u = s.u AND o.id <> s.id", "o.p = c.pr"),
            ("", "c.h <> 2", "o.u > s.p", "o.p <= c.pr AND c.h = o.u"),
            ("NOT", "c.pr IS NULL", "o.p = s.u", "c.h = o.u"),
            ("", "c.h < 3", "o.u IS NOT DISTINCT FROM s.u", "c.pr IS NOT DISTINCT FROM o.p"),
        ] {
            let swapped = format!(
                "SELECT s.id FROM ss s WHERE {not} EXISTS (SELECT 1 FROM cc c WHERE {a} AND EXISTS \
                 (SELECT 1 FROM ss o WHERE {b_o} AND {b_c})) ORDER BY 1"
            );
            let nested = format!(
                "SELECT s.id FROM ss s WHERE {not} EXISTS (SELECT 1 FROM cc c WHERE {a} AND (EXISTS \
                 (SELECT 1 FROM ss o WHERE {b_o} AND {b_c}) OR c.id < 0)) ORDER BY 1"
            );
            prop_assert_eq!(rows(&cl, &swapped), rows(&cl, &nested), "{}", swapped);
        }
    }
}

/// The collection each `$lookup` of a plan reads, outermost first.
fn lookup_order(sql: &str) -> Vec<String> {
    let plan = format!("{:?}", sqlmongo::translate(sql).expect("translates"));
    plan.match_indices("\"from\": String(\"")
        .map(|(i, m)| {
            plan[i + m.len()..]
                .chars()
                .take_while(|c| *c != '"')
                .collect()
        })
        .collect()
}

#[test]
fn the_two_levels_are_swapped() {
    let swapped =
        "SELECT s.id FROM ss s WHERE EXISTS (SELECT 1 FROM cc c WHERE c.h > 1 AND EXISTS \
                   (SELECT 1 FROM ss o WHERE o.u = s.u AND o.p = c.pr))";
    assert_eq!(lookup_order(swapped), ["ss", "cc"]);
    let nested =
        "SELECT s.id FROM ss s WHERE EXISTS (SELECT 1 FROM cc c WHERE c.h > 1 AND (EXISTS \
                  (SELECT 1 FROM ss o WHERE o.u = s.u AND o.p = c.pr) OR c.id < 0))";
    assert_eq!(lookup_order(nested), ["cc", "ss"]);
}
