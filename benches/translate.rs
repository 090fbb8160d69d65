//! Translation time per statement over a fixed corpus: parse + translate (no execution).

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
        "touch_update",
        "UPDATE user_sessions SET last_accessed = NOW(), expires_at = NOW() + INTERVAL '30 minutes' \
         WHERE session_id = $1 AND expires_at > NOW()",
    ),
];

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("translate");
    for (name, sql) in CORPUS {
        group.bench_function(*name, |b| {
            b.iter(|| sqlmongo::translate(black_box(sql)).map(|p| p.statements.len()))
        });
    }
    for (name, sql) in CORPUS.iter().take(3) {
        group.bench_function(format!("parse_only/{name}"), |b| {
            b.iter(|| sqlmongo::sql::parse(black_box(sql)).map(|p| p.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
