//! `x op ANY / ALL (SELECT ...)` and correlated `x [NOT] IN (SELECT ...)` (src/translate/any_all.rs: a
//! summary of the subquery's rows, probes ending in `$limit: 1`) held to PostgreSQL's three-valued rules
//! computed here row by row, on generated data: NULLs on both sides, duplicate values, keys with no row in
//! the subquery (empty sets), an empty subquery table. Every comparison operator, ANY and ALL, uncorrelated
//! and correlated (an equality with an outer column, and an equality plus an inequality), as a value in the
//! select list (both the TRUE and the FALSE form decide it) and in WHERE / WHERE NOT.

use bson::Bson;
use proptest::prelude::*;
use sqlmongo::Client;

#[path = "common/sql_rows.rs"]
mod sql_rows;
use sql_rows::{lit, rows};

fn small() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![1 => Just(None), 4 => (0i32..4).prop_map(Some)]
}

const OPS: [&str; 6] = ["=", "<>", "<", "<=", ">", ">="];

/// `x op v` in SQL: NULL when either is NULL.
fn compare(op: &str, x: Option<i32>, v: Option<i32>) -> Option<bool> {
    let (x, v) = (x?, v?);
    Some(match op {
        "=" => x == v,
        "<>" => x != v,
        "<" => x < v,
        "<=" => x <= v,
        ">" => x > v,
        _ => x >= v,
    })
}

/// PostgreSQL's `x op ANY (values)` (`all`: ALL).
fn quantified(op: &str, all: bool, x: Option<i32>, values: &[Option<i32>]) -> Option<bool> {
    let each: Vec<Option<bool>> = values.iter().map(|v| compare(op, x, *v)).collect();
    let decisive = !all;
    if each.contains(&Some(decisive)) {
        Some(decisive)
    } else if each.iter().all(|c| *c == Some(!decisive)) {
        Some(!decisive)
    } else {
        None
    }
}

fn value(b: Option<bool>) -> Bson {
    b.map_or(Bson::Null, Bson::Boolean)
}

type Outer = (Option<i32>, Option<i32>);
type Inner = (Option<i32>, Option<i32>);

fn seed(outer: &[Outer], inner: &[Inner]) -> Client {
    let c = Client::embedded();
    let mut script = String::from(
        "CREATE TABLE oo (id INTEGER, k INTEGER, x INTEGER); CREATE TABLE ii (id INTEGER, k INTEGER, y INTEGER);",
    );
    for (i, (k, x)) in outer.iter().enumerate() {
        script.push_str(&format!(
            "INSERT INTO oo (id, k, x) VALUES ({i}, {}, {});",
            lit(*k),
            lit(*x)
        ));
    }
    for (i, (k, y)) in inner.iter().enumerate() {
        script.push_str(&format!(
            "INSERT INTO ii (id, k, y) VALUES ({i}, {}, {});",
            lit(*k),
            lit(*y)
        ));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(c.execute(&script, &[])).expect("seed");
    c
}

/// The subquery's values for outer row `i` under correlation `corr` (0: none, 1: `ii.k = o.k`,
/// 2: `ii.k = o.k AND ii.id <> o.id`).
fn set(corr: usize, i: usize, o: &Outer, inner: &[Inner]) -> Vec<Option<i32>> {
    inner
        .iter()
        .enumerate()
        .filter(|(j, (k, _))| match corr {
            0 => true,
            1 => o.0.is_some() && *k == o.0,
            _ => o.0.is_some() && *k == o.0 && *j != i,
        })
        .map(|(_, (_, y))| *y)
        .collect()
}

const CORR: [&str; 3] = ["", " WHERE i.k = o.k", " WHERE i.k = o.k AND i.id <> o.id"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn quantified_subqueries_follow_postgresql(
        outer in proptest::collection::vec((small(), small()), 0..7),
        inner in proptest::collection::vec((small(), small()), 0..8),
    ) {
        let c = seed(&outer, &inner);
        for (corr, cond) in CORR.iter().enumerate() {
            for op in OPS {
                for all in [false, true] {
                    let q = if all { "ALL" } else { "ANY" };
                    let sql = format!(
                        "SELECT o.id, o.x {op} {q} (SELECT i.y FROM ii i{cond}) AS v FROM oo o ORDER BY o.id"
                    );
                    let want: Vec<Vec<Bson>> = outer
                        .iter()
                        .enumerate()
                        .map(|(i, o)| {
                            let v = quantified(op, all, o.1, &set(corr, i, o, &inner));
                            vec![Bson::Int32(i as i32), value(v)]
                        })
                        .collect();
                    prop_assert_eq!(rows(&c, &sql), want, "{}", sql);
                }
            }
            for not in [false, true] {
                let n = if not { "NOT " } else { "" };
                let sql = format!(
                    "SELECT o.id, o.x {n}IN (SELECT i.y FROM ii i{cond}) AS v FROM oo o ORDER BY o.id"
                );
                let want: Vec<Vec<Bson>> = outer
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let v = quantified("=", false, o.1, &set(corr, i, o, &inner));
                        vec![Bson::Int32(i as i32), value(if not { v.map(|b| !b) } else { v })]
                    })
                    .collect();
                prop_assert_eq!(rows(&c, &sql), want, "{}", sql);
            }
            // In WHERE and under NOT: the TRUE and the FALSE forms as filters.
            for (op, all) in [(">", true), ("<", false), ("<>", false), ("=", true)] {
                let q = if all { "ALL" } else { "ANY" };
                for not in [false, true] {
                    let n = if not { "NOT " } else { "" };
                    let sql = format!(
                        "SELECT o.id FROM oo o WHERE {n}(o.x {op} {q} (SELECT i.y FROM ii i{cond})) ORDER BY o.id"
                    );
                    let want: Vec<Vec<Bson>> = outer
                        .iter()
                        .enumerate()
                        .filter(|(i, o)| {
                            quantified(op, all, o.1, &set(corr, *i, o, &inner)) == Some(!not)
                        })
                        .map(|(i, _)| vec![Bson::Int32(i as i32)])
                        .collect();
                    prop_assert_eq!(rows(&c, &sql), want, "{}", sql);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// A WHERE subquery reading only the first table of a join runs before the join
    /// (`subquery.rs` `where_before_joins`): held to the plan that runs it after the join, reached by adding
    /// `OR (j.id IS NULL AND j.id IS NOT NULL)` (always FALSE, and reading the joined table).
    #[test]
    fn subqueries_before_joins_equal_them_after(
        outer in proptest::collection::vec((small(), small()), 0..6),
        inner in proptest::collection::vec((small(), small()), 0..6),
        joined in proptest::collection::vec((small(), small()), 0..6),
    ) {
        let c = seed(&outer, &inner);
        let mut script = String::from("CREATE TABLE jj (id INTEGER, k INTEGER, z INTEGER);");
        for (i, (k, z)) in joined.iter().enumerate() {
            script.push_str(&format!("INSERT INTO jj (id, k, z) VALUES ({i}, {}, {});", lit(*k), lit(*z)));
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(c.execute(&script, &[])).expect("seed jj");
        for join in ["JOIN", "LEFT JOIN"] {
            for cond in [
                "o.x IN (SELECT i.y FROM ii i)",
                "o.x NOT IN (SELECT i.y FROM ii i WHERE i.k = o.k)",
                "o.x > ALL (SELECT i.y FROM ii i WHERE i.k = o.k) AND o.k > 0",
                "NOT EXISTS (SELECT 1 FROM ii i WHERE i.y = o.x) AND j.z IS NOT NULL",
            ] {
                let sql = |extra: &str| format!(
                    "SELECT o.id, j.id AS jid FROM oo o {join} jj j ON j.k = o.k WHERE ({cond}){extra} \
                     ORDER BY o.id, jid NULLS FIRST"
                );
                let before = sql("");
                let after = sql(" OR (j.id IS NULL AND j.id IS NOT NULL)");
                prop_assert_eq!(rows(&c, &before), rows(&c, &after), "{}", before);
            }
        }
    }
}

/// Comparisons of bound parameters are decided by the engine before any document is read (a constant `$expr`,
/// `engine::expr::constant_false`), with PostgreSQL's answers: `$1 = $2` with equal / different values, and
/// under NOT and OR.
#[test]
fn parameter_comparisons_are_constant_conditions() {
    let c = seed(&[(Some(1), Some(1)), (Some(2), None), (None, Some(3))], &[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let ids = |sql: &str, a: i32, b: i32| -> Vec<Bson> {
        rt.block_on(c.sql(sql).bind(a).bind(b).fetch_all())
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
            .into_iter()
            .flat_map(|r| r.into_values())
            .collect()
    };
    let all: Vec<Bson> = (0..3).map(Bson::Int32).collect();
    let q = "SELECT id FROM oo WHERE $1 = $2 ORDER BY id";
    assert_eq!(ids(q, 1, 0), Vec::<Bson>::new());
    assert_eq!(ids(q, 4, 4), all);
    let q = "SELECT id FROM oo WHERE NOT ($1 > $2) OR x = 3 ORDER BY id";
    assert_eq!(ids(q, 1, 0), vec![Bson::Int32(2)]);
    assert_eq!(ids(q, 0, 1), all);
    let q = "SELECT id FROM oo WHERE k > 0 AND $1 <> $2 ORDER BY id";
    assert_eq!(ids(q, 5, 5), Vec::<Bson>::new());
    assert_eq!(ids(q, 5, 6), vec![Bson::Int32(0), Bson::Int32(1)]);
}
