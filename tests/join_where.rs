//! WHERE terms of inner / cross joins moved into the ON condition of the join that completes their tables
//! (src/translate/join_where.rs): held to the plan that filters after the joins, on generated data (NULL
//! keys, duplicate keys, INTEGER against NUMERIC equal values). The general plan is reached by naming the
//! same columns unqualified (the tables' column names differ), which the move leaves alone.

use proptest::prelude::*;
use sqlmongo::Client;

#[path = "common/sql_rows.rs"]
mod sql_rows;
use sql_rows::{lit, rows};

fn key() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![1 => Just(None), 4 => (0i32..3).prop_map(Some)]
}

type Row = (Option<i32>, Option<i32>, Option<i32>);

fn table() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::vec((key(), key(), key()), 0..7)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn where_terms_in_on_match_the_filter_after_the_joins(a in table(), b in table(), c in table()) {
        let client = Client::embedded();
        let mut script = String::from(
            "CREATE TABLE aa (id INTEGER, k INTEGER, s INTEGER, x INTEGER);
             CREATE TABLE bb (bid INTEGER, bk INTEGER, bs NUMERIC, bx INTEGER);
             CREATE TABLE cc (cid INTEGER, ck INTEGER, cs INTEGER, cx INTEGER);",
        );
        for (name, cols, rows) in [("aa", "id, k, s, x", &a), ("bb", "bid, bk, bs, bx", &b), ("cc", "cid, ck, cs, cx", &c)] {
            for (i, (k, s, x)) in rows.iter().enumerate() {
                script.push_str(&format!(
                    "INSERT INTO {name} ({cols}) VALUES ({i}, {}, {}, {});",
                    lit(*k), lit(*s), lit(*x)
                ));
            }
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(client.execute(&script, &[])).expect("seed");
        let two = "SELECT a.id, b.bid FROM";
        let three = "SELECT a.id, b.bid, c.cid FROM";
        for (select, from, moved, kept, order) in [
            (two, "aa a JOIN bb b ON a.k = b.bk", "a.s = b.bs", "s = bs", "a.id, b.bid"),
            (two, "aa a CROSS JOIN bb b", "b.bx > 1", "bx > 1", "a.id, b.bid"),
            (two, "aa a, bb b", "a.k = b.bk AND b.bx >= a.x", "k = bk AND bx >= x", "a.id, b.bid"),
            (two, "aa a, bb b", "a.s IS NOT DISTINCT FROM b.bs AND a.x > 0", "s IS NOT DISTINCT FROM bs AND x > 0", "a.id, b.bid"),
            (two, "aa a JOIN bb b ON a.k = b.bk", "(a.s = b.bs OR a.x = b.bx)", "(s = bs OR x = bx)", "a.id, b.bid"),
            (
                three,
                "aa a JOIN bb b ON a.k = b.bk JOIN cc c ON c.ck = b.bk",
                "a.s = c.cs AND b.bx < c.cx AND a.x = 1",
                "s = cs AND bx < cx AND x = 1",
                "a.id, b.bid, c.cid",
            ),
            (three, "aa a, bb b, cc c", "a.k = b.bk AND c.cs = a.s", "k = bk AND cs = s", "a.id, b.bid, c.cid"),
        ] {
            let fast = format!("{select} {from} WHERE {moved} ORDER BY {order}");
            let general = format!("{select} {from} WHERE {kept} ORDER BY {order}");
            prop_assert_eq!(rows(&client, &fast), rows(&client, &general), "{}", fast);
        }
    }
}

/// The move happens: the equality of WHERE becomes the second join column of the `$lookup` (no `$match`
/// after the `$unwind`), and a cross join's filter on the joined table runs inside its `$lookup`.
#[test]
fn where_terms_land_in_the_lookup() {
    let plan = |sql: &str| {
        format!(
            "{:?}",
            sqlmongo::translate(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        )
    };
    let two_keys = plan(
        "SELECT a.id FROM aa a JOIN bb b ON a.k = b.bk WHERE a.s = b.bs AND a.x > 1 ORDER BY a.id",
    );
    assert!(two_keys.contains("$$l1"), "{two_keys}");
    assert!(!two_keys.contains("__j1.bs"), "{two_keys}");
    let cross = plan("SELECT a.id FROM aa a CROSS JOIN bb b WHERE b.bx = 5");
    assert!(!cross.contains("__j1.bx"), "{cross}");
    // With an outer join in the FROM nothing moves.
    let left = plan("SELECT a.id FROM aa a LEFT JOIN bb b ON a.k = b.bk WHERE a.s = b.bs");
    assert!(left.contains("__j1.bs"), "{left}");
}
