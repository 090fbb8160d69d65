//! SQL end to end on the embedded engine: text -> translation -> engine -> rows, for the session-store and
//! cache flows the seeds describe and for the PostgreSQL details a differential test catches.

use bson::Bson;
use sqlmongo::{Client, RowExt, StatementResult};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn affected(r: &[StatementResult]) -> Vec<u64> {
    r.iter()
        .filter_map(|x| match x {
            StatementResult::Affected(n) => Some(*n),
            StatementResult::Rows(_) => None,
        })
        .collect()
}

const SETUP: &str = "
CREATE COLLECTION user_sessions WITH (ttl_field = 'expires_at', expire_after_seconds = 0);
CREATE UNIQUE INDEX ON user_sessions (session_id);
INSERT INTO user_sessions (session_id, user_id, created_at, last_accessed, expires_at, active, page_views, tags)
VALUES
  ('s1', 'u1', TIMESTAMP '2026-11-22 09:00:00', TIMESTAMP '2026-11-22 09:30:00', NOW() + INTERVAL '1 hour', true, 10, ARRAY['web', 'mfa']),
  ('s2', 'u1', TIMESTAMP '2026-11-22 08:00:00', TIMESTAMP '2026-11-22 08:10:00', NOW() - INTERVAL '1 hour', false, 3, ARRAY['web']),
  ('s3', 'u2', TIMESTAMP '2026-11-22 07:00:00', NULL, NOW() + INTERVAL '2 hours', true, NULL, ARRAY['mobile']),
  ('s4', 'u3', TIMESTAMP '2026-11-21 07:00:00', TIMESTAMP '2026-11-21 07:05:00', NOW() + INTERVAL '3 hours', NULL, 7, NULL);
";

async fn setup() -> Client {
    let c = Client::embedded();
    c.execute(SETUP, &[]).await.expect("setup");
    c
}

#[test]
fn get_if_not_expired_touch_and_destroy() {
    rt().block_on(async {
        let c = setup().await;
        let get = c.prepare("SELECT user_id, page_views FROM user_sessions WHERE session_id = $1 AND expires_at > NOW()").unwrap();
        let rows = get.query(&["s1".into()]).await.unwrap();
        assert_eq!(rows.columns, vec!["user_id", "page_views"]);
        assert_eq!(rows.rows.len(), 1);
        assert_eq!(rows.rows[0].get_str(0), Some("u1"));
        assert_eq!(rows.rows[0].get_i64(1), Some(10));
        // s2 expired an hour ago: not returned even before the TTL monitor removes it.
        assert!(get.query(&["s2".into()]).await.unwrap().rows.is_empty());
        // Touch: sliding expiry; UPDATE counts matched rows.
        let touch = c.prepare("UPDATE user_sessions SET last_accessed = NOW(), expires_at = NOW() + INTERVAL '30 minutes', page_views = page_views + 1 WHERE session_id = $1 AND expires_at > NOW()").unwrap();
        assert_eq!(touch.affected(&["s1".into()]).await.unwrap(), 1);
        assert_eq!(touch.affected(&["s2".into()]).await.unwrap(), 0);
        let rows = c.query("SELECT page_views, expires_at > NOW() + INTERVAL '29 minutes' AS fresh FROM user_sessions WHERE session_id = 's1'", &[]).await.unwrap();
        assert_eq!(rows.rows[0].get_i64(0), Some(11));
        assert_eq!(rows.rows[0].get_bool(1), Some(true));
        // Destroy one, then all of a user.
        assert_eq!(affected(&c.execute("DELETE FROM user_sessions WHERE session_id = 's3'", &[]).await.unwrap()), vec![1]);
        assert_eq!(affected(&c.execute("DELETE FROM user_sessions WHERE user_id = 'u1'", &[]).await.unwrap()), vec![2]);
        let rows = c.query("SELECT session_id FROM user_sessions", &[]).await.unwrap();
        assert_eq!(rows.rows, vec![vec![Bson::String("s4".into())]]);
    });
}

#[test]
fn three_valued_logic_and_nulls_in_order_by() {
    rt().block_on(async {
        let c = setup().await;
        // active <> true never returns rows where active is NULL (s4).
        let rows = c.query("SELECT session_id FROM user_sessions WHERE active <> true ORDER BY session_id", &[]).await.unwrap();
        assert_eq!(rows.rows, vec![vec![Bson::String("s2".into())]]);
        let rows = c.query("SELECT session_id FROM user_sessions WHERE NOT (page_views > 5) ORDER BY session_id", &[]).await.unwrap();
        assert_eq!(rows.rows, vec![vec![Bson::String("s2".into())]]);
        // PostgreSQL puts NULLs last ascending and first descending.
        let rows = c.query("SELECT session_id FROM user_sessions ORDER BY page_views", &[]).await.unwrap();
        let ids: Vec<&str> = rows.rows.iter().filter_map(|r| r.get_str(0)).collect();
        assert_eq!(ids, vec!["s2", "s4", "s1", "s3"]);
        let rows = c.query("SELECT session_id FROM user_sessions ORDER BY page_views DESC", &[]).await.unwrap();
        let ids: Vec<&str> = rows.rows.iter().filter_map(|r| r.get_str(0)).collect();
        assert_eq!(ids, vec!["s3", "s1", "s4", "s2"]);
    });
}

#[test]
fn aggregates_filter_and_one_row_over_nothing() {
    rt().block_on(async {
        let c = setup().await;
        let rows = c
            .query("SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE active = true) AS act, COUNT(page_views) AS with_views, SUM(page_views) AS views, MAX(page_views) AS top FROM user_sessions", &[])
            .await
            .unwrap();
        assert_eq!(rows.columns, vec!["total", "act", "with_views", "views", "top"]);
        let r = &rows.rows[0];
        assert_eq!((r.get_i64(0), r.get_i64(1), r.get_i64(2), r.get_i64(3), r.get_i64(4)), (Some(4), Some(2), Some(3), Some(20), Some(10)));
        let rows = c.query("SELECT COUNT(*) AS n, SUM(page_views) AS s FROM user_sessions WHERE user_id = 'nobody'", &[]).await.unwrap();
        assert_eq!(rows.rows.len(), 1);
        assert_eq!(rows.rows[0].get_i64(0), Some(0));
        assert!(rows.rows[0].is_null(1));
        let rows = c.query("SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id HAVING COUNT(*) > 1", &[]).await.unwrap();
        let got: Vec<Vec<Bson>> = rows.rows.into_iter().map(|r| r.into_iter().map(norm).collect()).collect();
        assert_eq!(got, vec![vec![Bson::String("u1".into()), Bson::Int64(2)]]);
    });
}

fn norm(v: Bson) -> Bson {
    match v {
        Bson::Int32(i) => Bson::Int64(i64::from(i)),
        other => other,
    }
}

#[test]
fn cache_upsert_hit_counting_and_invalidation() {
    rt().block_on(async {
        let c = Client::embedded();
        c.execute(
            "CREATE COLLECTION application_cache WITH (ttl_field = 'expires_at', expire_after_seconds = 0);
             INSERT INTO application_cache (cache_key, namespace, tags, hit_count, expires_at) VALUES
               ('user:1:profile', 'users', ARRAY['user', 'profile'], 0, NOW() + INTERVAL '1 hour'),
               ('user:1:cart', 'users', ARRAY['user', 'cart'], 0, NOW() + INTERVAL '1 hour'),
               ('user:10:profile', 'users', ARRAY['user'], 0, NOW() + INTERVAL '1 hour'),
               ('feed:home', 'feeds', ARRAY['feed'], 0, NOW() + INTERVAL '1 hour'),
               ('a%b_c', 'weird', ARRAY['x'], 0, NOW() + INTERVAL '1 hour')",
            &[],
        )
        .await
        .unwrap();
        let hit = c.prepare("UPDATE application_cache SET hit_count = hit_count + 1, last_accessed = NOW() WHERE cache_key = $1 AND expires_at > NOW()").unwrap();
        assert_eq!(hit.affected(&["feed:home".into()]).await.unwrap(), 1);
        assert_eq!(hit.affected(&["feed:home".into()]).await.unwrap(), 1);
        let rows = c.query("SELECT hit_count FROM application_cache WHERE cache_key = 'feed:home'", &[]).await.unwrap();
        assert_eq!(rows.rows[0].get_i64(0), Some(2));
        // LIKE metacharacters are escaped: 'user:1:%' does not match user:10:...
        let r = c.execute("DELETE FROM application_cache WHERE cache_key LIKE 'user:1:%'", &[]).await.unwrap();
        assert_eq!(affected(&r), vec![2]);
        // A literal % in the data is matched only where the pattern says so.
        let rows = c.query("SELECT cache_key FROM application_cache WHERE cache_key LIKE 'a\\%b%'", &[]).await.unwrap();
        assert_eq!(rows.rows.len(), 1);
        // Invalidate by tag and namespace.
        assert_eq!(affected(&c.execute("DELETE FROM application_cache WHERE 'feed' = ANY(tags)", &[]).await.unwrap()), vec![1]);
        assert_eq!(affected(&c.execute("UPDATE application_cache SET expires_at = CURRENT_TIMESTAMP WHERE namespace = 'users'", &[]).await.unwrap()), vec![1]);
        let rows = c.query("SELECT cache_key FROM application_cache WHERE expires_at > NOW()", &[]).await.unwrap();
        assert_eq!(rows.rows, vec![vec![Bson::String("a%b_c".into())]]);
    });
}

#[test]
fn string_values_are_never_operators() {
    rt().block_on(async {
        let c = Client::embedded();
        c.execute("INSERT INTO t (k, v) VALUES ('$gt', 1), ('x', 2)", &[])
            .await
            .unwrap();
        let rows = c
            .query(
                "SELECT v FROM t WHERE k = $1",
                &[Bson::String("$gt".into())],
            )
            .await
            .unwrap();
        assert_eq!(rows.rows.len(), 1);
        let rows = c
            .query("SELECT v FROM t WHERE k = '{\"$ne\": null}'", &[])
            .await
            .unwrap();
        assert!(rows.rows.is_empty());
    });
}

/// The seed's `cache_session_health_monitor` view (CTE of scalar subqueries without FROM) as written in
/// grammar-tests/seed/sql_style_caching.sql.
fn seed_monitor_view() -> String {
    let text = include_str!("../grammar-tests/seed/sql_style_caching.sql");
    let start = text
        .find("CREATE VIEW cache_session_health_monitor")
        .expect("seed view");
    let rest = &text[start..];
    let end = ["-- expect:", "-- error:", "-- case:"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    rest[..end].to_string()
}

#[test]
fn seed_health_monitor_view_is_queryable() {
    rt().block_on(async {
        let c = setup().await;
        c.execute(
            "CREATE COLLECTION application_cache;
             INSERT INTO application_cache (cache_key, expires_at, last_accessed, data_size)
             VALUES ('k1', NOW() + INTERVAL '1 hour', NOW(), 1048576),
                    ('k2', NOW() + INTERVAL '30 seconds', NOW() - INTERVAL '1 hour', 3145728),
                    ('k3', NOW() - INTERVAL '1 hour', NOW() - INTERVAL '2 hours', 5)",
            &[],
        )
        .await
        .unwrap();
        c.execute(&seed_monitor_view(), &[]).await.unwrap();
        let rows = c
            .query("SELECT * FROM cache_session_health_monitor", &[])
            .await
            .unwrap();
        assert_eq!(rows.rows.len(), 1, "{rows:?}");
        let col = |n: &str| rows.rows[0][rows.column_index(n).expect(n)].clone();
        // s1, s3 active and unexpired (s4's active is NULL; s2 inactive): 2 sessions of 2 users.
        assert_eq!(norm(col("current_active_sessions")), Bson::Int64(2));
        assert_eq!(norm(col("current_unique_users")), Bson::Int64(2));
        assert_eq!(norm(col("current_cache_entries")), Bson::Int64(2));
        // (1 MiB + 3 MiB) / 1 MiB, integer division as in PG.
        assert!(
            matches!(col("cache_size_mb"), Bson::Decimal128(ref d) if d.to_string().parse::<f64>().ok() == Some(4.0)),
            "{:?}",
            col("cache_size_mb")
        );
        assert_eq!(norm(col("cache_expiring_soon")), Bson::Int64(2));
        assert_eq!(col("system_load"), Bson::from("low_load"));
        assert_eq!(col("security_status"), Bson::from("normal"));
        assert!(matches!(col("monitor_timestamp"), Bson::DateTime(_)));
        assert_eq!(rows.columns.len(), 15, "{:?}", rows.columns);
        // The view is dropped like a collection.
        c.execute("DROP VIEW cache_session_health_monitor", &[])
            .await
            .unwrap();
        c.execute("DROP VIEW IF EXISTS cache_session_health_monitor", &[])
            .await
            .unwrap();
    });
}

#[test]
fn cte_cross_join_dashboard_and_derived_tables() {
    rt().block_on(async {
        let c = setup().await;
        let rows = c
            .query(
                "WITH s AS (SELECT COUNT(*) AS sessions, SUM(page_views) AS views FROM user_sessions),
                      u AS (SELECT COUNT(DISTINCT user_id) AS users FROM user_sessions WHERE active)
                 SELECT s.sessions, s.views, u.users, s.views / s.sessions AS per FROM s CROSS JOIN u",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(rows.columns, vec!["sessions", "views", "users", "per"]);
        assert_eq!(
            rows.rows[0].iter().cloned().map(norm).collect::<Vec<_>>(),
            vec![Bson::Int64(4), Bson::Int64(20), Bson::Int64(2), Bson::Double(5.0)]
        );
        // (Integer division of fields yields an integral double: docs/dialect.md.)
        let rows = c
            .query(
                "SELECT t.user_id, t.n FROM (SELECT user_id, COUNT(*) AS n FROM user_sessions GROUP BY user_id) t WHERE t.n > 1",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(rows.rows.len(), 1);
        assert_eq!(rows.rows[0].get_str(0), Some("u1"));
    });
}

#[test]
fn subqueries_follow_sql_null_rules() {
    rt().block_on(async {
        let c = setup().await;
        // page_views of s3 is NULL: NOT IN over a set holding NULL is never TRUE.
        let rows = c
            .query("SELECT session_id FROM user_sessions WHERE 1 NOT IN (SELECT page_views FROM user_sessions)", &[])
            .await
            .unwrap();
        assert!(rows.rows.is_empty());
        // ... but NOT IN over an empty set is TRUE, also for a NULL operand.
        let rows = c
            .query("SELECT session_id FROM user_sessions WHERE page_views NOT IN (SELECT page_views FROM user_sessions WHERE page_views > 100) ORDER BY session_id", &[])
            .await
            .unwrap();
        assert_eq!(rows.rows.len(), 4);
        let rows = c
            .query("SELECT session_id, page_views IN (SELECT page_views FROM user_sessions WHERE session_id <> 's1') AS i FROM user_sessions ORDER BY session_id", &[])
            .await
            .unwrap();
        let got: Vec<Bson> = rows.rows.iter().map(|r| r[1].clone()).collect();
        // s1: 10 is not among {3, NULL, 7}: NULL; s2, s4: TRUE; s3: NULL operand: NULL.
        assert_eq!(got, vec![Bson::Null, Bson::Boolean(true), Bson::Null, Bson::Boolean(true)]);
        // SELECT * never shows the lookup fields.
        let rows = c
            .query("SELECT * FROM user_sessions s WHERE EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.session_id <> s.session_id) ORDER BY (SELECT COUNT(*) FROM user_sessions) DESC, session_id", &[])
            .await
            .unwrap();
        assert_eq!(rows.rows.len(), 2);
        assert!(!rows.columns.iter().any(|c| c.starts_with("__")), "{:?}", rows.columns);
        // A scalar subquery with two rows fails the statement, as in PostgreSQL.
        let err = c
            .query("SELECT (SELECT session_id FROM user_sessions WHERE user_id = 'u1') AS s FROM user_sessions", &[])
            .await
            .unwrap_err();
        assert!(format!("{err}").contains("more than one row returned by a subquery"), "{err}");
        // In WHERE (where the engine runs the uncorrelated subquery once and filters on its value), and in
        // the first step of an UPDATE and a DELETE: the same error, and nothing written.
        for sql in [
            "SELECT session_id FROM user_sessions WHERE page_views > (SELECT page_views FROM user_sessions WHERE user_id = 'u1')",
            "UPDATE user_sessions SET page_views = 0 WHERE page_views > (SELECT page_views FROM user_sessions WHERE user_id = 'u1')",
            "DELETE FROM user_sessions WHERE page_views < (SELECT page_views FROM user_sessions WHERE user_id = 'u1')",
        ] {
            let err = c.query(sql, &[]).await.unwrap_err();
            assert!(format!("{err}").contains("more than one row returned by a subquery"), "{sql}: {err}");
        }
        let rows = c
            .query("SELECT COUNT(*) FROM user_sessions WHERE page_views = 0", &[])
            .await
            .unwrap();
        assert_eq!(rows.rows[0].get_i64(0), Some(0));
        // No row: NULL, so no row passes; one row of NULL likewise.
        for sql in [
            "SELECT session_id FROM user_sessions WHERE page_views > (SELECT page_views FROM user_sessions WHERE user_id = 'nobody')",
            "SELECT session_id FROM user_sessions WHERE page_views < (SELECT page_views FROM user_sessions WHERE session_id = 's3')",
        ] {
            let rows = c.query(sql, &[]).await.unwrap();
            assert!(rows.rows.is_empty(), "{sql}");
        }
        // Correlated EXISTS with a parameter inside the subquery.
        let rows = c
            .query("SELECT s.session_id FROM user_sessions s WHERE EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = s.user_id AND o.page_views > $1) ORDER BY s.session_id", &[Bson::Int32(5)])
            .await
            .unwrap();
        let ids: Vec<&str> = rows.rows.iter().filter_map(|r| r.get_str(0)).collect();
        assert_eq!(ids, vec!["s1", "s2", "s4"]);
    });
}

#[test]
fn delete_with_subquery_runs_two_steps() {
    rt().block_on(async {
        let c = setup().await;
        // Only u2 and u3 have a single session; `user_sessions.*` inside names the outer row (the alias `o`
        // hides the table name in the subquery).
        let n = c
            .execute("UPDATE user_sessions SET page_views = 0 WHERE NOT EXISTS (SELECT 1 FROM user_sessions o WHERE o.user_id = user_sessions.user_id AND o.session_id <> user_sessions.session_id)", &[])
            .await
            .unwrap();
        assert_eq!(affected(&n), vec![2]);
        let rows = c
            .query("SELECT session_id FROM user_sessions WHERE page_views = 0 ORDER BY session_id", &[])
            .await
            .unwrap();
        let ids: Vec<&str> = rows.rows.iter().filter_map(|r| r.get_str(0)).collect();
        assert_eq!(ids, vec!["s3", "s4"]);
        let explain = c
            .query("EXPLAIN DELETE FROM user_sessions WHERE user_id IN (SELECT user_id FROM user_sessions WHERE page_views = 3)", &[])
            .await
            .unwrap();
        assert_eq!(explain.rows.len(), 2, "{explain:?}");
        let n = c
            .execute("DELETE FROM user_sessions WHERE user_id IN (SELECT user_id FROM user_sessions WHERE page_views = 3)", &[])
            .await
            .unwrap();
        assert_eq!(affected(&n), vec![2]);
        let rows = c
            .query("SELECT session_id FROM user_sessions ORDER BY session_id", &[])
            .await
            .unwrap();
        let ids: Vec<&str> = rows.rows.iter().filter_map(|r| r.get_str(0)).collect();
        assert_eq!(ids, vec!["s3", "s4"]);
    });
}

#[test]
fn view_without_from_has_one_row_over_empty_collections() {
    rt().block_on(async {
        let c = Client::embedded();
        c.execute(
            "CREATE VIEW h AS SELECT (SELECT COUNT(*) FROM nothing_here) AS n, (SELECT MAX(x) FROM nothing_here) AS m",
            &[],
        )
        .await
        .unwrap();
        let rows = c.query("SELECT n, m FROM h", &[]).await.unwrap();
        assert_eq!(
            rows.rows.into_iter().map(|r| r.into_iter().map(norm).collect::<Vec<_>>()).collect::<Vec<_>>(),
            vec![vec![Bson::Int64(0), Bson::Null]]
        );
        // SELECT without FROM, outside a view: a collectionless aggregate.
        let rows = c.query("SELECT (SELECT COUNT(*) FROM nothing_here) + 1 AS one", &[]).await.unwrap();
        assert_eq!(rows.rows.len(), 1);
        assert_eq!(norm(rows.rows[0][0].clone()), Bson::Int64(1));
    });
}

#[test]
fn update_with_subquery_and_parameters() {
    rt().block_on(async {
        let c = setup().await;
        let upd = c
            .prepare("UPDATE user_sessions SET active = FALSE WHERE user_id IN (SELECT user_id FROM user_sessions WHERE page_views >= $1) AND session_id <> $2")
            .unwrap();
        // page_views >= 7: s1 (u1), s4 (u3) -> users u1, u3; all their sessions but s4.
        assert_eq!(upd.affected(&[Bson::Int32(7), "s4".into()]).await.unwrap(), 2);
        let rows = c
            .query("SELECT session_id FROM user_sessions WHERE active = FALSE ORDER BY session_id", &[])
            .await
            .unwrap();
        let ids: Vec<&str> = rows.rows.iter().filter_map(|r| r.get_str(0)).collect();
        assert_eq!(ids, vec!["s1", "s2"]);
        // No matching row: the second step gets an empty _id list.
        assert_eq!(upd.affected(&[Bson::Int32(1000), "s4".into()]).await.unwrap(), 0);
    });
}

async fn setup_with_users() -> Client {
    let c = setup().await;
    c.execute(
        "INSERT INTO users (user_id, name, plan) VALUES ('u1', 'Ada', 'pro'), ('u2', 'Bob', NULL), (NULL, 'ghost', 'free')",
        &[],
    )
    .await
    .expect("users");
    c
}

#[test]
fn joins_inner_left_and_null_keys() {
    rt().block_on(async {
        let c = setup_with_users().await;
        // INNER: s4 (u3, no user) goes; the NULL-keyed user never matches a session.
        let rows = c.query("SELECT s.session_id, u.name FROM user_sessions s JOIN users u ON u.user_id = s.user_id ORDER BY s.session_id", &[]).await.unwrap();
        assert_eq!(rows.columns, vec!["session_id", "name"]);
        let got: Vec<(String, String)> = rows.rows.iter().map(|r| (r.get_str(0).unwrap_or("").to_string(), r.get_str(1).unwrap_or("").to_string())).collect();
        assert_eq!(got, vec![("s1".into(), "Ada".into()), ("s2".into(), "Ada".into()), ("s3".into(), "Bob".into())]);
        // LEFT: s4 stays, with NULL columns; a WHERE on the joined table filters after the join.
        let rows = c.query("SELECT s.session_id, u.plan FROM user_sessions s LEFT JOIN users u ON u.user_id = s.user_id ORDER BY s.session_id", &[]).await.unwrap();
        assert_eq!(rows.rows.len(), 4);
        assert!(rows.rows[2].is_null(1), "Bob has no plan");
        assert!(rows.rows[3].is_null(1), "s4 has no user");
        let rows = c.query("SELECT s.session_id FROM user_sessions s LEFT JOIN users u ON u.user_id = s.user_id WHERE u.user_id IS NULL", &[]).await.unwrap();
        assert_eq!(rows.rows, vec![vec![Bson::String("s4".into())]]);
        // Parameters inside ON and WHERE; aggregates over the joined rows.
        let rows = c.query("SELECT u.name, COUNT(*) AS n, SUM(s.page_views) AS views FROM users u JOIN user_sessions s ON s.user_id = u.user_id AND s.page_views > $1 GROUP BY u.name", &[Bson::Int32(5)]).await.unwrap();
        let got: Vec<Vec<Bson>> = rows.rows.into_iter().map(|r| r.into_iter().map(norm).collect()).collect();
        assert_eq!(got, vec![vec![Bson::String("Ada".into()), Bson::Int64(1), Bson::Int64(10)]]);
        // RIGHT JOIN keeps every user (also the NULL-keyed one, unmatched); FULL JOIN adds the session without a user.
        let rows = c.query("SELECT u.name, s.session_id FROM user_sessions s RIGHT JOIN users u ON u.user_id = s.user_id ORDER BY u.name, s.session_id", &[]).await.unwrap();
        let got: Vec<(Bson, Bson)> = rows.rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
        let s = |x: &str| Bson::String(x.into());
        assert_eq!(got, vec![(s("Ada"), s("s1")), (s("Ada"), s("s2")), (s("Bob"), s("s3")), (s("ghost"), Bson::Null)]);
        let rows = c.query("SELECT u.name, s.session_id FROM user_sessions s FULL JOIN users u ON u.user_id = s.user_id ORDER BY s.session_id, u.name", &[]).await.unwrap();
        assert_eq!(rows.rows.len(), 5);
        assert_eq!(rows.rows[3], vec![Bson::Null, s("s4")]);
        assert_eq!(rows.rows[4], vec![s("ghost"), Bson::Null]);
        // A RIGHT JOIN among three tables: every user, the sessions the inner join kept, NULL for ghost.
        let rows = c.query("SELECT s.session_id FROM user_sessions s JOIN users v ON v.user_id = s.user_id RIGHT JOIN users u ON u.user_id = s.user_id ORDER BY s.session_id", &[]).await.unwrap();
        assert_eq!(rows.rows, vec![vec![s("s1")], vec![s("s2")], vec![s("s3")], vec![Bson::Null]]);
    });
}

#[test]
fn window_functions_rank_sessions_per_user() {
    rt().block_on(async {
        let c = setup().await;
        let rows = c
            .query(
                "SELECT session_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at DESC) AS rn,
                        SUM(page_views) OVER (PARTITION BY user_id) AS user_views,
                        RANK() OVER (ORDER BY page_views DESC) AS r,
                        LAG(session_id) OVER (ORDER BY session_id) AS prev
                 FROM user_sessions ORDER BY session_id",
                &[],
            )
            .await
            .unwrap();
        let got: Vec<Vec<Bson>> = rows.rows.into_iter().map(|r| r.into_iter().map(norm).collect()).collect();
        let s = |x: &str| Bson::String(x.into());
        // page_views DESC puts NULL (s3) first, as PostgreSQL does.
        assert_eq!(
            got,
            vec![
                vec![s("s1"), Bson::Int64(1), Bson::Int64(13), Bson::Int64(2), Bson::Null],
                vec![s("s2"), Bson::Int64(2), Bson::Int64(13), Bson::Int64(4), s("s1")],
                vec![s("s3"), Bson::Int64(1), Bson::Null, Bson::Int64(1), s("s2")],
                vec![s("s4"), Bson::Int64(1), Bson::Int64(7), Bson::Int64(3), s("s3")],
            ]
        );
    });
}

#[test]
fn set_operations_union_intersect_except() {
    rt().block_on(async {
        let c = setup_with_users().await;
        let rows = c.query("SELECT user_id FROM user_sessions UNION SELECT user_id FROM users ORDER BY user_id", &[]).await.unwrap();
        assert_eq!(rows.columns, vec!["user_id"]);
        assert_eq!(
            rows.rows,
            vec![vec![Bson::String("u1".into())], vec![Bson::String("u2".into())], vec![Bson::String("u3".into())], vec![Bson::Null]]
        );
        let rows = c.query("SELECT user_id FROM user_sessions UNION ALL SELECT user_id FROM users", &[]).await.unwrap();
        assert_eq!(rows.rows.len(), 7);
        let rows = c.query("SELECT user_id FROM user_sessions INTERSECT SELECT user_id FROM users ORDER BY 1", &[]).await.unwrap();
        assert_eq!(rows.rows, vec![vec![Bson::String("u1".into())], vec![Bson::String("u2".into())]]);
        let rows = c.query("SELECT user_id FROM user_sessions EXCEPT SELECT user_id FROM users", &[]).await.unwrap();
        assert_eq!(rows.rows, vec![vec![Bson::String("u3".into())]]);
    });
}

#[test]
fn dashboard_json_objects_and_collecting_aggregates() {
    rt().block_on(async {
        let c = setup().await;
        let rows = c
            .query(
                "SELECT JSON_OBJECT('total', COUNT(*), 'by_state', JSON_OBJECT('active', COUNT(*) FILTER (WHERE active), 'views', SUM(page_views))) AS metrics,
                        JSON_OBJECT_AGG(session_id, page_views ORDER BY session_id) AS views_by_session,
                        STRING_AGG(user_id, ',' ORDER BY user_id DESC) AS users,
                        ARRAY_AGG(page_views ORDER BY page_views) AS views,
                        BOOL_OR(active) AS any_active
                 FROM user_sessions",
                &[],
            )
            .await
            .unwrap();
        let r = &rows.rows[0];
        let Bson::Document(m) = &r[0] else { panic!("metrics is not a document: {:?}", r[0]) };
        assert_eq!(norm(m.get("total").cloned().unwrap_or(Bson::Null)), Bson::Int64(4));
        let Some(Bson::Document(by)) = m.get("by_state") else { panic!("no by_state: {m}") };
        assert_eq!(norm(by.get("active").cloned().unwrap_or(Bson::Null)), Bson::Int64(2));
        assert_eq!(norm(by.get("views").cloned().unwrap_or(Bson::Null)), Bson::Int64(20));
        let Bson::Document(v) = &r[1] else { panic!("not a document: {:?}", r[1]) };
        assert_eq!(v.keys().cloned().collect::<Vec<_>>(), vec!["s1", "s2", "s3", "s4"]);
        assert_eq!(v.get("s3"), Some(&Bson::Null));
        assert_eq!(r[2], Bson::String("u3,u2,u1,u1".into()));
        let views: Vec<Bson> = match &r[3] {
            Bson::Array(a) => a.iter().cloned().map(norm).collect(),
            other => panic!("not an array: {other:?}"),
        };
        assert_eq!(views, vec![Bson::Int64(3), Bson::Int64(7), Bson::Int64(10), Bson::Null]);
        assert_eq!(r[4], Bson::Boolean(true));
    });
}

#[test]
fn seed_json_extract_cart_metrics() {
    rt().block_on(async {
        let c = Client::embedded();
        c.execute(
            "INSERT INTO user_sessions (session_id, user_id, session_data) VALUES
               ('a', 'u1', '{\"shoppingCart\": {\"items\": [{\"sku\": 1}, {\"sku\": 2}], \"total\": 12.5}, \"preferences\": {\"theme\": \"dark\"}}'::jsonb),
               ('b', 'u2', '{\"shoppingCart\": {\"items\": [], \"total\": 0}, \"preferences\": {}}'::jsonb),
               ('c', 'u2', NULL)",
            &[],
        )
        .await
        .unwrap();
        // The seed's style: JSON_EXTRACT paths, a JSONB cast, JSON_ARRAY_LENGTH inside FILTER.
        let rows = c
            .query(
                "SELECT session_id, CAST(JSON_EXTRACT(session_data, '$.shoppingCart.items') AS JSONB) AS cart_items,
                        JSON_EXTRACT(session_data, '$.preferences.theme') AS preferred_theme
                 FROM user_sessions ORDER BY session_id",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(rows.columns, vec!["session_id", "cart_items", "preferred_theme"]);
        assert!(matches!(&rows.rows[0][1], Bson::Array(a) if a.len() == 2));
        assert_eq!(rows.rows[0][2], Bson::String("dark".into()));
        assert!(rows.rows[1][2] == Bson::Null && rows.rows[2][1] == Bson::Null);
        let rows = c
            .query(
                "SELECT COUNT(*) FILTER (WHERE JSON_ARRAY_LENGTH(JSON_EXTRACT(session_data, '$.shoppingCart.items')) > 0) AS with_cart,
                        STRING_AGG(DISTINCT user_id, '|' ORDER BY user_id) AS users
                 FROM user_sessions",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(norm(rows.rows[0][0].clone()), Bson::Int64(1));
        assert_eq!(rows.rows[0][1], Bson::String("u1|u2".into()));
    });
}

#[test]
fn with_delete_and_with_update() {
    rt().block_on(async {
        let c = setup().await;
        // u1 has two sessions: keep its newest (s1), delete the others of u1.
        let n = c
            .execute(
                "WITH dup AS (SELECT user_id FROM user_sessions GROUP BY user_id HAVING COUNT(*) > 1)
                 DELETE FROM user_sessions WHERE user_id IN (SELECT user_id FROM dup) AND session_id <> 's1'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(affected(&n), vec![1]);
        let n = c
            .execute(
                "WITH quiet AS (SELECT session_id FROM user_sessions WHERE page_views IS NULL)
                 UPDATE user_sessions SET active = FALSE WHERE session_id IN (SELECT session_id FROM quiet)",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(affected(&n), vec![1]);
        let rows = c
            .query("SELECT session_id, active FROM user_sessions ORDER BY session_id", &[])
            .await
            .unwrap();
        let got: Vec<(String, Bson)> = rows
            .rows
            .iter()
            .map(|r| (r.get_str(0).unwrap_or("").to_string(), r[1].clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("s1".to_string(), Bson::Boolean(true)),
                ("s3".to_string(), Bson::Boolean(false)),
                ("s4".to_string(), Bson::Null)
            ]
        );
    });
}

#[test]
fn question_mark_parameters_are_numbered_in_text_order() {
    rt().block_on(async {
        let c = setup().await;
        // The SELECT list is translated after WHERE, and the sort key repeats the SELECT expression: each `?`
        // still takes the value of its place in the text.
        let rows = c
            .query(
                "SELECT session_id, page_views + ? AS bumped FROM user_sessions WHERE user_id = ? AND page_views > ? ORDER BY page_views + ? DESC",
                &[Bson::Int32(100), "u1".into(), Bson::Int32(5), Bson::Int32(0)],
            )
            .await
            .unwrap();
        assert_eq!(rows.rows.len(), 1, "{:?}", rows.rows);
        assert_eq!(rows.rows[0].get_str(0), Some("s1"));
        assert_eq!(rows.rows[0].get_i64(1), Some(110));
        // A CTE read twice, with a `?` inside it.
        let rows = c
            .query(
                "WITH mine AS (SELECT session_id FROM user_sessions WHERE user_id = ?)
                 SELECT (SELECT COUNT(*) FROM mine) AS a, (SELECT COUNT(*) FROM mine) AS b, ? AS tag",
                &["u1".into(), "t".into()],
            )
            .await
            .unwrap();
        assert_eq!(rows.rows.len(), 1, "{:?}", rows.rows);
        assert_eq!(rows.rows[0].get_i64(0), Some(2));
        assert_eq!(rows.rows[0].get_i64(1), Some(2));
        assert_eq!(rows.rows[0].get_str(2), Some("t"));
    });
}
