//! Grammar-aware SQL fuzzing: proptest strategies build statements from the dialect's grammar (SELECT with
//! expressions, joins, subqueries, CTEs, windows, set operations, GROUP BY / HAVING / ORDER BY; INSERT, UPDATE,
//! DELETE, DDL, EXPLAIN), plus deep and long forms near the nesting limits. For each statement:
//!
//! - `translate()` never panics, and every refusal (syntax error, unsupported, invalid) points inside the text;
//! - a sample of the statements that translate runs on the embedded engine (one engine, seeded data), which
//!   must answer or refuse, never panic.
//!
//! The default run is small enough for CI (about 10 s in a debug build). The long run (README.md, Tests):
//!
//! ```sh
//! SQLMONGO_FUZZ_CASES=1000000 cargo test --release --test sql_fuzz
//! ```

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Cases of a property: `SQLMONGO_FUZZ_CASES / share` when the variable is set (the translate property takes
/// all of it, the engine run a quarter, the deep forms a hundredth), else the CI-sized `default`.
fn cases(default: u32, share: u32) -> u32 {
    std::env::var("SQLMONGO_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .map(|n| (n / share).max(1))
        .unwrap_or(default)
}

const COLUMNS: &[&str] = &["a", "b", "k", "v", "n", "s", "ts", "tags", "j"];
const TABLES: &[&str] = &["c", "d"];

fn column() -> BoxedStrategy<String> {
    prop_oneof![
        6 => proptest::sample::select(COLUMNS).prop_map(str::to_string),
        1 => (proptest::sample::select(&["c", "d", "x"][..]), proptest::sample::select(COLUMNS))
            .prop_map(|(t, c)| format!("{t}.{c}")),
        1 => Just("j.a".to_string()),
    ]
    .boxed()
}

fn literal() -> BoxedStrategy<String> {
    prop_oneof![
        (-5i64..100).prop_map(|n| n.to_string()),
        Just("2.5".to_string()),
        Just("-0.5".to_string()),
        Just("1e308".to_string()),
        Just("9223372036854775807".to_string()),
        Just("NULL".to_string()),
        Just("TRUE".to_string()),
        Just("FALSE".to_string()),
        Just("''".to_string()),
        Just("'x'".to_string()),
        Just("'a%'".to_string()),
        Just("'{a,b}'".to_string()),
        Just("'2026-11-22T10:00:00Z'".to_string()),
        Just("TIMESTAMP '2026-11-22 10:00:00'".to_string()),
        Just("TIMESTAMPTZ '9999-12-31T23:59:59Z'".to_string()),
        Just("INTERVAL '5 minutes'".to_string()),
        Just("INTERVAL '2 days'".to_string()),
        Just("'{\"a\": 1}'::jsonb".to_string()),
        Just("ARRAY['a', 'b']".to_string()),
        Just("ARRAY[1, 2, 3]".to_string()),
        Just("$1".to_string()),
        Just("NOW()".to_string()),
        Just("CURRENT_TIMESTAMP".to_string()),
    ]
    .boxed()
}

/// A small query for subquery positions (its expressions are leaves, so the recursion ends).
fn small_query() -> BoxedStrategy<String> {
    (
        prop_oneof![
            column(),
            Just("COUNT(*)".to_string()),
            Just("1".to_string())
        ],
        proptest::sample::select(TABLES),
        proptest::option::of((column(), literal())),
        proptest::option::of(0u8..3),
    )
        .prop_map(|(item, t, filter, limit)| {
            let mut q = format!("SELECT {item} FROM {t}");
            if let Some((c, l)) = filter {
                q.push_str(&format!(" WHERE {c} = {l}"));
            }
            if let Some(n) = limit {
                q.push_str(&format!(" LIMIT {n}"));
            }
            q
        })
        .boxed()
}

const BINARY: &[&str] = &[
    "+",
    "-",
    "*",
    "/",
    "%",
    "||",
    "=",
    "<>",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "AND",
    "OR",
    "LIKE",
    "ILIKE",
    "NOT LIKE",
    "->",
    "->>",
    "#>",
    "#>>",
    "@>",
    "IS DISTINCT FROM",
    "IS NOT DISTINCT FROM",
];
const FUNCS1: &[&str] = &[
    "ABS",
    "LOWER",
    "UPPER",
    "LENGTH",
    "TRIM",
    "CEIL",
    "FLOOR",
    "ROUND",
    "UPPER",
    "MD5",
    "SQRT",
    "JSONB_TYPEOF",
    "CARDINALITY",
    "ARRAY_LENGTH",
    "DEGREES",
    "RADIANS",
    "OCTET_LENGTH",
    "BIT_LENGTH",
    "UNNEST",
    "JSONB_OBJECT_KEYS",
    "JSONB_BUILD_ARRAY",
];
const TYPES: &[&str] = &[
    "TEXT",
    "INTEGER",
    "BIGINT",
    "DOUBLE PRECISION",
    "NUMERIC",
    "BOOLEAN",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "DATE",
    "JSONB",
    "TEXT[]",
    "INT[]",
];
const AGGS: &[&str] = &[
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "COUNT",
    "BOOL_AND",
    "ARRAY_AGG",
    "STDDEV",
    "VAR_POP",
];

/// Scalar expressions, up to a few levels deep.
fn expr() -> BoxedStrategy<String> {
    let leaf = prop_oneof![3 => column(), 2 => literal()];
    leaf.prop_recursive(4, 48, 4, |inner| {
        prop_oneof![
            4 => (inner.clone(), proptest::sample::select(BINARY), inner.clone())
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            2 => inner.clone().prop_map(|a| format!("({a})")),
            1 => inner.clone().prop_map(|a| format!("NOT {a}")),
            1 => inner.clone().prop_map(|a| format!("-{a}")),
            1 => (inner.clone(), any::<bool>())
                .prop_map(|(a, not)| format!("{a} IS {}NULL", if not { "NOT " } else { "" })),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("{a} BETWEEN {b} AND {c}")),
            1 => (inner.clone(), proptest::collection::vec(inner.clone(), 1..4))
                .prop_map(|(a, l)| format!("{a} IN ({})", l.join(", "))),
            1 => (inner.clone(), small_query()).prop_map(|(a, q)| format!("{a} IN ({q})")),
            1 => (inner.clone(), small_query()).prop_map(|(a, q)| format!("{a} = ANY ({q})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} = ANY({b})")),
            1 => small_query().prop_map(|q| format!("EXISTS ({q})")),
            1 => small_query().prop_map(|q| format!("({q})")),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("CASE WHEN {a} THEN {b} ELSE {c} END")),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("CASE {a} WHEN {b} THEN {c} END")),
            2 => (proptest::sample::select(FUNCS1), inner.clone())
                .prop_map(|(f, a)| format!("{f}({a})")),
            1 => proptest::collection::vec(inner.clone(), 1..4)
                .prop_map(|l| format!("COALESCE({})", l.join(", "))),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("NULLIF({a}, {b})")),
            1 => (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("ARRAY_POSITION({a}, {b})")),
            1 => (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("ARRAY_REMOVE({a}, {b})")),
            1 => (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("JSONB_SET({a}, '{{a,0}}', {b})")),
            1 => (inner.clone(), proptest::sample::select(&["0", "-1", "2"][..]))
                .prop_map(|(a, i)| format!("{a}-> {i}")),
            1 => (inner.clone(), -400i32..400).prop_map(|(a, n)| format!("ROUND({a}, {n})")),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("REPLACE({a}, {b}, {c})")),
            1 => proptest::collection::vec(inner.clone(), 1..4)
                .prop_map(|l| format!("CONCAT({})", l.join(", "))),
            1 => (inner.clone(), 0i32..4, 0i32..4)
                .prop_map(|(a, f, n)| format!("SUBSTRING({a} FROM {f} FOR {n})")),
            1 => (inner.clone(), proptest::sample::select(TYPES))
                .prop_map(|(a, t)| format!("CAST({a} AS {t})")),
            1 => (inner.clone(), proptest::sample::select(TYPES))
                .prop_map(|(a, t)| format!("{a}::{t}")),
            1 => (
                proptest::sample::select(&["day", "hour", "month", "week"][..]),
                inner.clone()
            )
                .prop_map(|(u, a)| format!("DATE_TRUNC('{u}', {a})")),
            1 => (
                proptest::sample::select(&["YEAR", "EPOCH", "DOW", "HOUR"][..]),
                inner.clone()
            )
                .prop_map(|(u, a)| format!("EXTRACT({u} FROM {a})")),
            1 => (inner.clone(), any::<bool>())
                .prop_map(|(a, t)| format!("{a} {} INTERVAL '1 hour'", if t { "+" } else { "-" })),
        ]
    })
    .boxed()
}

/// SELECT list items: expressions, aggregates, window calls, stars.
fn item() -> BoxedStrategy<String> {
    prop_oneof![
        6 => (expr(), proptest::option::of(proptest::sample::select(&["x", "y", "a", "k"][..])))
            .prop_map(|(e, a)| match a {
                Some(a) => format!("{e} AS {a}"),
                None => e,
            }),
        1 => Just("*".to_string()),
        1 => Just("c.*".to_string()),
        1 => Just("COUNT(*)".to_string()),
        2 => (proptest::sample::select(AGGS), any::<bool>(), expr())
            .prop_map(|(f, d, e)| format!("{f}({}{e})", if d { "DISTINCT " } else { "" })),
        1 => (expr(), expr()).prop_map(|(e, w)| format!("COUNT({e}) FILTER (WHERE {w})")),
        1 => (expr(), expr()).prop_map(|(e, o)| format!("STRING_AGG({e}, ',' ORDER BY {o})")),
        2 => (
            proptest::sample::select(&["ROW_NUMBER()", "RANK()", "SUM(v)", "LAG(k)", "COUNT(*)"][..]),
            proptest::option::of(column()),
            proptest::option::of(order_key()),
            proptest::option::of(proptest::sample::select(&[
                "ROWS BETWEEN 1 PRECEDING AND CURRENT ROW",
                "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
                "ROWS UNBOUNDED PRECEDING",
            ][..])),
        )
            .prop_map(|(f, p, o, fr)| {
                let mut w = String::new();
                if let Some(p) = p {
                    w.push_str(&format!("PARTITION BY {p} "));
                }
                if let Some(o) = o {
                    w.push_str(&format!("ORDER BY {o} "));
                }
                if let Some(fr) = fr {
                    w.push_str(fr);
                }
                format!("{f} OVER ({})", w.trim_end())
            }),
    ]
    .boxed()
}

fn order_key() -> BoxedStrategy<String> {
    (
        prop_oneof![3 => expr(), 1 => (-1i32..4).prop_map(|n| n.to_string())],
        proptest::sample::select(&["", " ASC", " DESC", " USING <", " USING >", " USING <="][..]),
        proptest::sample::select(&["", " NULLS FIRST", " NULLS LAST"][..]),
    )
        .prop_map(|(e, d, n)| format!("{e}{d}{n}"))
        .boxed()
}

/// FROM: one table, a derived table, or joins.
fn from() -> BoxedStrategy<String> {
    prop_oneof![
        4 => proptest::sample::select(TABLES).prop_map(str::to_string),
        1 => Just("ONLY c".to_string()),
        1 => Just("c x".to_string()),
        1 => small_query().prop_map(|q| format!("({q}) AS sq")),
        2 => (
            proptest::sample::select(&["JOIN", "LEFT JOIN", "RIGHT JOIN", "INNER JOIN", "FULL JOIN"][..]),
            expr(),
        )
            .prop_map(|(j, on)| format!("c {j} d ON {on}")),
        1 => Just("c JOIN d USING (k)".to_string()),
        1 => Just("c CROSS JOIN d".to_string()),
        1 => Just("c t1 CROSS JOIN d t2".to_string()),
        1 => Just("c, d".to_string()),
    ]
    .boxed()
}

fn select() -> BoxedStrategy<String> {
    (
        any::<bool>(),
        proptest::collection::vec(item(), 1..4),
        proptest::option::of(from()),
        proptest::option::of(expr()),
        proptest::option::of((
            proptest::collection::vec(expr(), 1..3),
            proptest::option::of(expr()),
        )),
        proptest::option::of(proptest::collection::vec(order_key(), 1..3)),
        proptest::option::of(0u32..5),
        proptest::option::of(0u32..3),
    )
        .prop_map(
            |(distinct, items, from, filter, group, order, limit, offset)| {
                let mut q = format!(
                    "SELECT {}{}",
                    if distinct { "DISTINCT " } else { "" },
                    items.join(", ")
                );
                if let Some(f) = from {
                    q.push_str(&format!(" FROM {f}"));
                }
                if let Some(w) = filter {
                    q.push_str(&format!(" WHERE {w}"));
                }
                if let Some((g, h)) = group {
                    q.push_str(&format!(" GROUP BY {}", g.join(", ")));
                    if let Some(h) = h {
                        q.push_str(&format!(" HAVING {h}"));
                    }
                }
                if let Some(o) = order {
                    q.push_str(&format!(" ORDER BY {}", o.join(", ")));
                }
                if let Some(l) = limit {
                    q.push_str(&format!(" LIMIT {l}"));
                }
                if let Some(o) = offset {
                    q.push_str(&format!(" OFFSET {o}"));
                }
                q
            },
        )
        .boxed()
}

/// Every statement form.
fn statement() -> BoxedStrategy<String> {
    prop_oneof![
        8 => select(),
        2 => (small_query(), select()).prop_map(|(c, q)| format!("WITH w AS ({c}) {q}")),
        1 => (small_query(), small_query())
            .prop_map(|(c, q)| format!("WITH w AS ({c}) SELECT * FROM w CROSS JOIN ({q}) AS z")),
        2 => (
            small_query(),
            proptest::sample::select(&["UNION", "UNION ALL", "INTERSECT", "EXCEPT"][..]),
            small_query(),
            proptest::option::of(order_key()),
        )
            .prop_map(|(a, op, b, o)| match o {
                Some(o) => format!("{a} {op} {b} ORDER BY {o}"),
                None => format!("{a} {op} {b}"),
            }),
        2 => (
            proptest::sample::select(TABLES),
            proptest::collection::vec((literal(), literal()), 1..4),
        )
            .prop_map(|(t, rows)| {
                let rows: Vec<String> = rows.iter().map(|(a, b)| format!("({a}, {b})")).collect();
                format!("INSERT INTO {t} (a, b) VALUES {}", rows.join(", "))
            }),
        1 => (literal(), expr()).prop_map(|(a, e)| {
            format!("INSERT INTO c (k, v) VALUES ({a}, 1) ON CONFLICT (k) DO UPDATE SET v = {e}")
        }),
        1 => (literal(), expr(), any::<bool>()).prop_map(|(a, e, conflict)| {
            let on = if conflict { " ON CONFLICT (k) DO NOTHING" } else { "" };
            format!("INSERT INTO c (k, v) VALUES ({a}, 1){on} RETURNING {e}, k")
        }),
        2 => (
            proptest::sample::select(&["c", "ONLY c", "d"][..]),
            column(),
            expr(),
            proptest::option::of(expr()),
        )
            .prop_map(|(t, c, e, w)| match w {
                Some(w) => format!("UPDATE {t} SET {c} = {e} WHERE {w}"),
                None => format!("UPDATE {t} SET {c} = {e}"),
            }),
        2 => (
            proptest::sample::select(&["c", "ONLY c", "d"][..]),
            proptest::option::of(expr()),
            any::<bool>(),
        )
            .prop_map(|(t, w, ret)| {
                let mut q = format!("DELETE FROM {t}");
                if let Some(w) = w {
                    q.push_str(&format!(" WHERE {w}"));
                }
                if ret {
                    q.push_str(" RETURNING k");
                }
                q
            }),
        1 => select().prop_map(|q| format!("EXPLAIN {q}")),
        1 => proptest::sample::select(&[
            "CREATE COLLECTION e WITH (ttl_field = 'ts', expire_after_seconds = 60)",
            "CREATE INDEX i ON c (k DESC)",
            "CREATE UNIQUE INDEX u ON d (k) WHERE v > 0",
            "CREATE TABLE t (a TEXT PRIMARY KEY, b INTEGER)",
            "CREATE VIEW w AS SELECT k FROM c WHERE v > 1",
            "DROP COLLECTION IF EXISTS e",
            "SHOW COLLECTIONS",
            "SHOW INDEXES FROM c",
        ][..])
            .prop_map(str::to_string),
    ]
    .boxed()
}

/// Deep and long forms around the nesting limits (chains, parentheses, calls, subqueries).
fn deep() -> BoxedStrategy<String> {
    (
        proptest::sample::select(
            &[
                " + k",
                " OR k = 1",
                "::text",
                " -> 'a'",
                " || k",
                " AND v = 1",
                " * 2",
            ][..],
        ),
        prop_oneof![1usize..50, 900usize..1100, 1500usize..4000],
        0usize..80,
        0usize..70,
    )
        .prop_map(|(unit, n, parens, calls)| {
            let mut e = format!("k{}", unit.repeat(n));
            e = format!("{}{e}{}", "(".repeat(parens), ")".repeat(parens));
            for _ in 0..calls {
                e = format!("abs({e})");
            }
            format!("SELECT * FROM c WHERE {e}")
        })
        .boxed()
}

/// Whether `(line, column)` is inside `sql` (the column may be one past a line's end: "at end of input").
fn inside(sql: &str, line: u64, column: u64) -> bool {
    let lines: Vec<&str> = sql.split('\n').collect();
    line >= 1
        && (line as usize) <= lines.len()
        && column >= 1
        && column as usize <= lines[line as usize - 1].chars().count() + 1
}

/// translate() must return a plan or a positioned refusal.
fn check_translate(sql: &str) -> Result<Option<sqlmongo::mql::Plan>, TestCaseError> {
    match sqlmongo::translate(sql) {
        Ok(plan) => {
            // Rendering and binding must not panic either.
            let _ = plan.to_pretty_json();
            for s in &plan.statements {
                let params = vec![bson::Bson::Int32(1); s.param_count];
                let _ = s.bind(&params);
            }
            Ok(Some(plan))
        }
        Err(e) => {
            match &e {
                sqlmongo::Error::Parse(_) | sqlmongo::Error::Translate(_) => {}
                other => {
                    return Err(TestCaseError::fail(format!(
                        "translate gave a non-translation error {other:?} for {sql}"
                    )))
                }
            }
            if let sqlmongo::Error::Translate(sqlmongo::translate::Error::Internal(m)) = &e {
                return Err(TestCaseError::fail(format!("internal error {m} for {sql}")));
            }
            match e.position() {
                Some((l, c)) if inside(sql, l, c) => Ok(None),
                Some((l, c)) => Err(TestCaseError::fail(format!(
                    "error at {l}:{c} outside the text: {e} for {sql}"
                ))),
                None => Err(TestCaseError::fail(format!(
                    "error without a position: {e} for {sql}"
                ))),
            }
        }
    }
}

const SEED: &str = "INSERT INTO c (k, a, b, v, n, s, ts, tags, j) VALUES \
    ('k1', 1, 'x', 1, NULL, 'abc', TIMESTAMP '2026-11-22 10:00:00', ARRAY['a', 'b'], '{\"a\": 1}'::jsonb), \
    ('k2', 2, 'y', 2, 5, '', TIMESTAMP '2026-11-23 10:00:00', ARRAY['b'], '{\"a\": \"t\"}'::jsonb), \
    ('k3', NULL, NULL, 3, 2.5, 'a%', NULL, NULL, NULL); \
    INSERT INTO c (k) VALUES ('k4'); \
    INSERT INTO d (k, a, v) VALUES ('k1', 1, 10), ('k9', NULL, 20), ('k2', 3, NULL)";

#[test]
fn generated_statements_translate_or_are_refused_with_a_position() {
    let mut runner = TestRunner::new(Config {
        cases: cases(1_200, 1),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&statement(), |sql| check_translate(&sql).map(|_| ()))
        .unwrap();
}

#[test]
fn deep_statements_are_refused_or_translated_on_a_2_mib_stack() {
    let n = cases(60, 100);
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut runner = TestRunner::new(Config {
                cases: n,
                failure_persistence: None,
                ..Config::default()
            });
            runner
                .run(&deep(), |sql| check_translate(&sql).map(|_| ()))
                .unwrap();
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn a_sample_of_translated_statements_runs_on_the_embedded_engine() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = sqlmongo::Client::embedded();
    rt.block_on(client.execute(SEED, &[])).expect("seed");
    let ran = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: cases(300, 4),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&statement(), |sql| {
            if check_translate(&sql)?.is_some() {
                // Answers and refusals are both fine; a panic fails the case.
                let params = [bson::Bson::Int32(1)];
                let _ = rt.block_on(client.execute(&sql, &params));
                ran.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .unwrap();
    // Enough of the generated statements translate for the engine run to mean something.
    assert!(ran.load(Ordering::Relaxed) > cases(300, 4) as usize / 10);
}
