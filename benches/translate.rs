//! Translation time per statement over a fixed corpus: parse + translate (no execution).
//!
//! Targets (issue): under 10 µs for a simple lookup, under 50 µs for the dashboard-style statements.
//! `seed_dashboard` is the full CTE / CROSS JOIN dashboard of `grammar-tests/seed/sql_style_caching.sql`
//! (about 290 lines of SQL), read from the golden file so it stays the statement the corpus checks.
//! Measured 2026-11-23 on a loaded 2-core machine (two runs each, criterion point estimates): simple_lookup
//! 10.3/11.4 -> 12.4/11.1 µs (noise; 7-9 µs of it is sqlparser), filter_aggregates 70/66 -> 61/60 µs,
//! seed_dashboard 2.77/3.06 -> 2.21/2.42 ms after borrowing SELECT-list expressions and moving pipelines.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

const CORPUS: &[(&str, &str)] = &[
    ("simple_lookup", "SELECT user_id, session_data FROM user_sessions WHERE session_id = $1"),
    (
        "filtered_sort_limit",
        "SELECT session_id, last_accessed FROM user_sessions WHERE user_id = $1 AND active = true \
         AND expires_at > CURRENT_TIMESTAMP ORDER BY last_accessed DESC LIMIT 10",
    ),
    (
        "filter_aggregates",
        "SELECT COUNT(*) AS total, COUNT(DISTINCT user_id) AS users, \
         COUNT(*) FILTER (WHERE risk_score > 0.8) AS high_risk, \
         COUNT(*) FILTER (WHERE mfa_verified = true) AS mfa, AVG(page_views) AS avg_views, \
         SUM(data_transferred) / (1024 * 1024) AS mb FROM user_sessions WHERE active = true",
    ),
    (
        "case_with_interval",
        "SELECT session_id, CASE WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '5 minutes' THEN 'active' \
         WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '30 minutes' THEN 'recent' \
         WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '2 hours' THEN 'idle' ELSE 'stale' END AS status, \
         EXTRACT(EPOCH FROM last_accessed - created_at) / 60 AS minutes FROM user_sessions",
    ),
    (
        "dashboard_cte",
        "WITH recent AS (SELECT user_id, risk_score, page_views, \
         CASE WHEN last_accessed > CURRENT_TIMESTAMP - INTERVAL '5 minutes' THEN 'active' ELSE 'idle' END AS status \
         FROM user_sessions WHERE active = true AND expires_at > CURRENT_TIMESTAMP), \
         totals AS (SELECT COUNT(*) AS sessions, COUNT(DISTINCT user_id) AS users, \
         COUNT(*) FILTER (WHERE status = 'active') AS active_now, \
         COUNT(*) FILTER (WHERE risk_score > 0.8) AS high_risk, SUM(page_views) AS views FROM recent) \
         SELECT 'Sessions' AS title, CURRENT_TIMESTAMP AS generated_at, sessions, users, active_now, \
         ROUND(high_risk::FLOAT / GREATEST(sessions, 1) * 100, 1) AS high_risk_pct, views FROM totals",
    ),
    (
        "touch_update",
        "UPDATE user_sessions SET last_accessed = NOW(), expires_at = NOW() + INTERVAL '30 minutes' \
         WHERE session_id = $1 AND expires_at > NOW()",
    ),
];

const SEED: &str = include_str!("../grammar-tests/seed/sql_style_caching.sql");

/// The SQL of golden case `name` in [`SEED`]: the lines between `-- case: name` and `-- expect:`.
fn seed_case(name: &str) -> String {
    let header = format!("-- case: {name}\n");
    let body = SEED.split(header.as_str()).nth(1).unwrap_or_default();
    body.split("-- expect:")
        .next()
        .unwrap_or_default()
        .to_string()
}

fn bench(c: &mut Criterion) {
    let dashboard = seed_case("session_cache_dashboard_cte");
    assert!(
        sqlmongo::translate(&dashboard).is_ok(),
        "the seed dashboard translates"
    );
    let mut group = c.benchmark_group("translate");
    for (name, sql) in CORPUS {
        assert!(sqlmongo::translate(sql).is_ok(), "{name} translates");
        group.bench_function(*name, |b| {
            b.iter(|| sqlmongo::translate(black_box(sql)).map(|p| p.statements.len()))
        });
    }
    group.bench_function("seed_dashboard", |b| {
        b.iter(|| sqlmongo::translate(black_box(&dashboard)).map(|p| p.statements.len()))
    });
    for (name, sql) in CORPUS.iter().take(3) {
        group.bench_function(format!("parse_only/{name}"), |b| {
            b.iter(|| sqlmongo::sql::parse(black_box(sql)).map(|p| p.len()))
        });
    }
    group.bench_function("parse_only/seed_dashboard", |b| {
        b.iter(|| sqlmongo::sql::parse(black_box(&dashboard)).map(|p| p.len()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
