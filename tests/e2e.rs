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
