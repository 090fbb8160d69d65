//! The example SQL files (`examples/*.sql`) run statement by statement through the library on ONE
//! client (embedded, and through the official driver against `sqlmongo serve`), in the order sessions, cache, analytics, as `sqlmongo run` runs them; every statement must
//! translate and execute, and the key results of the session store and cache flows are checked.

use bson::Bson;
use sqlmongo::{Client, RowExt, Rows, StatementResult};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// One executed statement: its SQL and its result.
struct Ran {
    sql: String,
    result: StatementResult,
}

/// Runs every statement of `examples/<name>.sql` on `client`, failing with the statement's position on error.
async fn run_file(client: &Client, name: &str) -> Vec<Ran> {
    let path = format!("{}/examples/{name}.sql", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let statements = sqlmongo::sql::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(!statements.is_empty(), "{path}: no statements");
    let mut out = Vec::new();
    for (stmt, st) in statements {
        let plan = sqlmongo::translate::translate_statement(&stmt, &st)
            .unwrap_or_else(|e| panic!("{path}:{}: {e}\n{}", st.line, st.text));
        let result = client
            .execute_plan(&plan, &[])
            .await
            .unwrap_or_else(|e| panic!("{path}:{}: {e}\n{}", st.line, st.text));
        out.push(Ran {
            sql: st.text.clone(),
            result,
        });
    }
    out
}

/// The result of the one statement whose SQL contains `needle`.
fn result<'a>(ran: &'a [Ran], needle: &str) -> &'a StatementResult {
    let found: Vec<&Ran> = ran.iter().filter(|r| r.sql.contains(needle)).collect();
    assert_eq!(found.len(), 1, "exactly one statement contains {needle:?}");
    &found[0].result
}

fn rows<'a>(ran: &'a [Ran], needle: &str) -> &'a Rows {
    match result(ran, needle) {
        StatementResult::Rows(r) => r,
        other => panic!("{needle}: rows expected, got {other:?}"),
    }
}

fn affected(ran: &[Ran], needle: &str) -> u64 {
    match result(ran, needle) {
        StatementResult::Affected(n) => *n,
        other => panic!("{needle}: a count expected, got {other:?}"),
    }
}

fn strings(r: &Rows, col: usize) -> Vec<String> {
    let mut v: Vec<String> = r
        .rows
        .iter()
        .filter_map(|row| row.get_str(col).map(str::to_string))
        .collect();
    v.sort();
    v
}

async fn query(c: &Client, sql: &str) -> Rows {
    c.query(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn check_sessions(ran: &[Ran]) {
    // get-if-not-expired returns the live session with its JSON data and a nested path.
    let got = rows(ran, "preferences.theme AS theme");
    assert_eq!(got.rows.len(), 1);
    assert_eq!(got.rows[0].get_str(1), Some("alice"));
    assert_eq!(got.rows[0].get_str(3), Some("dark"));
    // An expired session is not returned.
    assert!(
        rows(ran, "WHERE session_id = 'sess-d1' AND expires_at > NOW()")
            .rows
            .is_empty()
    );
    // Touch matched one row; the RETURNING touch returned the moved expiry.
    assert_eq!(affected(ran, "page_views = page_views + 1"), 1);
    let touched = rows(ran, "RETURNING session_id, user_id, expires_at");
    assert_eq!(touched.columns, vec!["session_id", "user_id", "expires_at"]);
    assert_eq!(touched.rows.len(), 1);
    let until = touched.rows[0].get_datetime(2).expect("expires_at");
    let now = bson::DateTime::now().timestamp_millis();
    let ahead = until.timestamp_millis() - now;
    assert!(
        (29 * 60_000..=30 * 60_000).contains(&ahead),
        "touch moved expires_at 30 minutes ahead, got {ahead} ms"
    );
    // The upsert updated the existing remember-me session (one row), and the remember-me touch matched it.
    assert_eq!(affected(ran, "ON CONFLICT (session_id) DO UPDATE"), 1);
    assert_eq!(affected(ran, "remember_me = true"), 1);
    // Destroy one, then the rest of carol's.
    assert_eq!(
        affected(
            ran,
            "DELETE FROM user_sessions WHERE session_id = 'sess-c1'"
        ),
        1
    );
    assert_eq!(
        strings(rows(ran, "WHERE user_id = 'carol' RETURNING session_id"), 0),
        vec!["sess-c2"]
    );
    // Per-user limit: the 2nd newest is 10:00, the two older sessions are deleted.
    let cutoff = rows(ran, "LIMIT 1 OFFSET 1");
    assert_eq!(
        cutoff.rows[0]
            .get_datetime(0)
            .map(|d| d.try_to_rfc3339_string().unwrap_or_default()),
        Some("2026-11-22T10:00:00Z".to_string())
    );
    assert_eq!(
        strings(rows(ran, "RETURNING session_id, created_at"), 0),
        vec!["sess-a3", "sess-a4"]
    );
    let alice = rows(
        ran,
        "WHERE user_id = 'alice' AND expires_at > NOW()\nORDER BY created_at DESC",
    );
    let ids: Vec<&str> = alice.rows.iter().filter_map(|r| r.get_str(0)).collect();
    assert_eq!(ids, vec!["sess-a1", "sess-a2"], "newest first");
    // Active sessions per user: alice 2, bob 1 (remembered); carol is gone and dave expired.
    let per_user = rows(ran, "GROUP BY user_id");
    let summary: Vec<(String, i64, i64)> = per_user
        .rows
        .iter()
        .map(|r| {
            (
                r.get_str(0).unwrap_or_default().to_string(),
                r.get_i64(1).unwrap_or(-1),
                r.get_i64(3).unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![("alice".to_string(), 2, 0), ("bob".to_string(), 1, 1)]
    );
    // Cleanup removed dave's expired session (unless the TTL monitor got there first).
    assert!(affected(ran, "DELETE FROM user_sessions WHERE expires_at <= NOW()") <= 1);
}

fn check_cache(ran: &[Ran]) {
    // Set: eight new entries; set again overwrites one; set-if-absent keeps the existing entry.
    assert_eq!(affected(ran, "('stale:1', 'feeds'"), 8);
    assert_eq!(affected(ran, "\"plan\": \"enterprise\""), 1);
    assert_eq!(affected(ran, "ON CONFLICT (cache_key) DO NOTHING"), 0);
    // Conditional set: version 0 is not newer than the missing (0) version, version 2 is.
    assert_eq!(affected(ran, "\"Grace H.\""), 0);
    assert_eq!(affected(ran, "\"Grace Hopper\""), 1);
    let entry = rows(
        ran,
        "SELECT cache_key, data, hit_count, expires_at FROM application_cache",
    );
    assert_eq!(entry.rows.len(), 1);
    assert_eq!(
        entry.rows[0][1],
        Bson::Document(bson::doc! {"name": "Ada", "plan": "enterprise"})
    );
    assert_eq!(entry.rows[0].get_i64(2), Some(0));
    // A cache hit increments hit_count and returns the data.
    let first = rows(ran, "RETURNING data, hit_count");
    assert_eq!(first.rows.len(), 1);
    assert_eq!(first.rows[0].get_i64(1), Some(1));
    let second = rows(ran, "RETURNING data.price AS price, hit_count");
    assert_eq!(second.columns, vec!["price", "hit_count"]);
    assert_eq!(second.rows[0].get_f64(0), Some(19.99));
    assert_eq!(second.rows[0].get_i64(1), Some(2));
    // An expired entry is a miss.
    assert!(
        rows(ran, "WHERE cache_key = 'stale:1' AND expires_at > NOW()")
            .rows
            .is_empty()
    );
    // Invalidation removes exactly the right keys.
    assert_eq!(affected(ran, "WHERE cache_key = 'user:1:cart'"), 1);
    assert_eq!(
        strings(rows(ran, "LIKE 'user:1:%' RETURNING cache_key"), 0),
        vec!["user:1:profile"]
    );
    assert_eq!(
        affected(ran, "DELETE FROM application_cache WHERE 'inventory'"),
        1
    );
    assert_eq!(
        affected(ran, "product_update_cascade"),
        2,
        "product:43 and catalog:summer"
    );
    // feed:home, and stale:1 unless the TTL monitor removed it first.
    assert!((1..=2).contains(&affected(ran, "namespace = 'feeds'")));
    assert_eq!(
        affected(
            ran,
            "DELETE FROM application_cache WHERE expires_at <= NOW()"
        ),
        2
    );
    let left = rows(ran, "GROUP BY namespace");
    assert_eq!(left.rows.len(), 1);
    assert_eq!(left.rows[0].get_str(0), Some("users"));
    assert_eq!(left.rows[0].get_i64(1), Some(1));
}

/// A decimal128 result as a number (ROUND(x, 2) keeps PostgreSQL's value; the scale is not kept: 90 = 90.00).
fn decimal(v: &Bson) -> f64 {
    match v {
        Bson::Decimal128(d) => d.to_string().parse().unwrap_or(f64::NAN),
        other => panic!("not a decimal: {other:?}"),
    }
}

/// Any BSON number as f64.
fn number(v: &Bson) -> Option<f64> {
    match v {
        Bson::Int32(i) => Some(f64::from(*i)),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        Bson::Decimal128(d) => d.to_string().parse().ok(),
        _ => None,
    }
}

fn check_analytics(ran: &[Ran]) {
    // Sample history: four sessions, three cache entries (nothing existed under these keys).
    assert_eq!(affected(ran, "('hist-1', 'erin'"), 4);
    assert_eq!(affected(ran, "('report:daily', 'reports'"), 3);
    // Live sessions: alice's two, bob's, and hist-1..3 (hist-4 expired a day ago).
    let o = rows(ran, "AS total_active_sessions");
    let col = |name: &str| {
        o.column_index(name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let row = &o.rows[0];
    assert_eq!(row.get_i64(col("total_active_sessions")), Some(6));
    assert_eq!(row.get_i64(col("unique_active_users")), Some(4));
    assert_eq!(
        row.get_i64(col("active_sessions")),
        Some(4),
        "a1, a2, b1 touched, hist-1"
    );
    assert_eq!(row.get_i64(col("recent_sessions")), Some(1));
    assert_eq!(row.get_i64(col("idle_sessions")), Some(1));
    assert_eq!(row.get_i64(col("stale_sessions")), Some(0));
    assert_eq!(row.get_f64(col("avg_cart_value")), Some(89.95));
    assert_eq!(row.get_i64(col("high_risk_sessions")), Some(1));
    assert_eq!(row.get_i64(col("mfa_verified_sessions")), Some(4));
    assert_eq!(row.get_i64(col("unique_devices")), Some(2));
    assert_eq!(row.get_i64(col("unique_ip_addresses")), Some(5));
    assert_eq!(row.get_i64(col("total_page_views")), Some(80));
    assert_eq!(row.get_i64(col("total_actions")), Some(18));
    assert_eq!(decimal(&row[col("avg_page_views_per_session")]), 13.33);
    assert_eq!(row.get_f64(col("total_data_mb_transferred")), Some(9.0));
    // Status distribution, grouped by the CASE.
    let st = rows(ran, "GROUP BY 1");
    let got: Vec<(String, i64)> = st
        .rows
        .iter()
        .map(|r| {
            (
                r.get_str(0).unwrap_or_default().to_string(),
                r.get_i64(1).unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("active".into(), 4),
            ("idle".into(), 1),
            ("recent".into(), 1)
        ]
    );
    // Per login method: password 5 sessions, average risk of the two with a score.
    let lm = rows(ran, "GROUP BY login_method");
    let pw = lm
        .rows
        .iter()
        .find(|r| r.get_str(0) == Some("password"))
        .expect("password row");
    assert_eq!(pw.get_i64(1), Some(5));
    assert_eq!(decimal(&pw[2]), 0.15);
    assert_eq!(pw.get_i64(3), Some(4));
    // Sessions per hour add up to every session left.
    let per_hour = rows(ran, "DATE_TRUNC('hour', created_at) AS hour");
    let total: i64 = per_hour.rows.iter().filter_map(|r| r.get_i64(1)).sum();
    assert_eq!(total, 7);
    // Cache entries: categories of the seed's CASEs.
    let entries = rows(ran, "AS effectiveness_rating");
    let daily = &entries.rows[0];
    assert_eq!(daily.get_str(0), Some("report:daily"));
    assert_eq!(daily.get_f64(3), Some(48.0));
    assert_eq!(daily.get_str(6), Some("large"));
    assert_eq!(daily.get_str(7), Some("high_traffic"));
    assert_eq!(daily.get_str(8), Some("highly_effective"));
    // Per namespace: reports hit ratio 162 / 180.
    let ns = rows(ran, "AS hit_ratio_percent");
    let reports = &ns.rows[0];
    let c = |name: &str| {
        ns.column_index(name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    assert_eq!(reports.get_str(0), Some("reports"));
    assert_eq!(reports.get_i64(c("total_entries")), Some(3));
    assert_eq!(reports.get_i64(c("total_hits")), Some(162));
    assert_eq!(decimal(&reports[c("hit_ratio_percent")]), 90.00);
    assert_eq!(decimal(&reports[c("avg_ttl_hours")]), 16.67);
    assert_eq!(reports.get_i64(c("long_lived_entries")), Some(1));
    assert_eq!(reports.get_i64(c("short_lived_entries")), Some(1));
    // users: no miss_count at all -> SUM is NULL -> the CASE's ELSE 0.
    assert_eq!(ns.rows[1].get_i64(c("hit_ratio_percent")), Some(0));
    // The seed's one-statement dashboard (CTE chain, CROSS JOIN, JSON_OBJECT): the live sessions flagged active
    // are hist-1..3 (two users); two of them have a cart; alice's and bob's sessions carry no `active` flag.
    let d = rows(ran, "'System Performance Dashboard' as dashboard_title");
    assert_eq!(d.rows.len(), 1, "one dashboard row: {:?}", d.rows);
    let doc_at = |name: &str| match d.column_index(name).map(|i| &d.rows[0][i]) {
        Some(Bson::Document(doc)) => doc.clone(),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(
        d.column_index("dashboard_title").map(|i| &d.rows[0][i]),
        Some(&Bson::String("System Performance Dashboard".into()))
    );
    let sessions = doc_at("session_metrics");
    let n = |d: &bson::Document, k: &str| d.get(k).and_then(number).map(|x| x as i64);
    assert_eq!(n(&sessions, "total_active_sessions"), Some(3), "{sessions}");
    assert_eq!(n(&sessions, "unique_active_users"), Some(2), "{sessions}");
    let business = sessions
        .get_document("business_metrics")
        .expect("business_metrics");
    assert_eq!(n(business, "sessions_with_cart"), Some(2), "{business}");
    assert_eq!(business.get("avg_cart_value").and_then(number), Some(89.95));
    // The health-monitor view, queried like a collection: the same live-session count.
    let v = rows(ran, "SELECT * FROM cache_session_health_monitor");
    assert_eq!(v.rows.len(), 1);
    let at = |name: &str| {
        v.column_index(name)
            .map(|i| v.rows[0][i].clone())
            .unwrap_or_else(|| panic!("view column {name}"))
    };
    assert_eq!(number(&at("current_active_sessions")), Some(3.0));
    assert_eq!(number(&at("current_unique_users")), Some(2.0));
    assert_eq!(at("security_status"), Bson::String("critical".into()));
}

#[test]
fn example_files_run_in_order_on_one_client() {
    rt().block_on(async { all_three_in_order(Client::embedded()).await });
}

#[test]
fn example_files_run_the_same_through_the_wire() {
    // The official driver against `sqlmongo serve`: the same checks must hold.
    rt().block_on(async {
        let engine = sqlmongo::engine::Engine::with_options(sqlmongo::engine::EngineOptions {
            ttl_monitor_interval: None,
            ..Default::default()
        });
        let server = sqlmongo::server::Server::bind("127.0.0.1:0", engine)
            .await
            .expect("bind");
        let addr = server.local_addr().expect("address");
        let task = tokio::spawn(server.serve_until(std::future::pending::<()>()));
        let c = Client::connect(
            &format!("mongodb://{addr}/?directConnection=true"),
            "examples",
        )
        .await
        .expect("connect");
        all_three_in_order(c).await;
        task.abort();
    });
}

async fn all_three_in_order(c: Client) {
    {
        let sessions = run_file(&c, "sessions").await;
        check_sessions(&sessions);
        let left = query(
            &c,
            "SELECT session_id FROM user_sessions ORDER BY session_id",
        )
        .await;
        assert_eq!(strings(&left, 0), vec!["sess-a1", "sess-a2", "sess-b1"]);
        let cache = run_file(&c, "cache").await;
        check_cache(&cache);
        let keys = query(&c, "SELECT cache_key FROM application_cache").await;
        assert_eq!(strings(&keys, 0), vec!["user:10:profile"]);
        let grace = query(&c, "SELECT data.name, version FROM application_cache").await;
        assert_eq!(grace.rows[0].get_str(0), Some("Grace Hopper"));
        assert_eq!(grace.rows[0].get_i64(1), Some(2));
        let analytics = run_file(&c, "analytics").await;
        check_analytics(&analytics);
    }
}

#[test]
fn each_example_file_also_runs_alone() {
    // `sqlmongo run examples/<file>.sql` in CI runs each file on a fresh database.
    rt().block_on(async {
        for name in ["sessions", "cache", "analytics"] {
            let c = Client::embedded();
            let ran = run_file(&c, name).await;
            assert!(!ran.is_empty(), "{name}");
        }
    });
}
