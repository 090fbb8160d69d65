//! The axum example app (examples/axum_sessions.rs) with its sessions in sqlmongo, driven by real HTTP
//! requests from clients with cookie jars: login, a counter across requests, logout, expiry by the store's
//! clock and an on-demand TTL pass, and many clients at once.

#[allow(dead_code)]
#[path = "../examples/axum_sessions.rs"]
mod app;

use app::Counter;
use sqlmongo::sessions::SqlmongoStore;
use sqlmongo::{Client, RowExt, StatementResult};
use tower_sessions::cookie::time::Duration;

/// The app on a fresh embedded store, served on 127.0.0.1:0; returns its base URL and the store's client.
async fn serve() -> (String, Client) {
    let client = Client::embedded();
    let store = SqlmongoStore::new(client.clone()).unwrap();
    store.migrate().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app::app(store, Duration::minutes(10)))
            .await
            .unwrap()
    });
    (base, client)
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn counter(http: &reqwest::Client, base: &str) -> Counter {
    let r = http.get(format!("{base}/counter")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn post(http: &reqwest::Client, url: String) -> reqwest::Response {
    let r = http.post(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r
}

/// The session cookie a response sets (`id=...`).
fn session_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("id="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

async fn stored(client: &Client, sql: &str) -> i64 {
    client.query(sql, &[]).await.unwrap().rows[0]
        .get_i64(0)
        .unwrap()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn login_counter_and_logout_through_the_cookie() {
    rt().block_on(async {
        let (base, client) = serve().await;
        let http = browser();
        // Without a login: a session of its own, no user.
        assert_eq!(
            counter(&http, &base).await,
            Counter {
                user: None,
                counter: 1
            }
        );
        let login = post(&http, format!("{base}/login?user=alice")).await;
        assert_eq!(login.text().await.unwrap(), "logged in as alice");
        for n in 1..=3 {
            let c = counter(&http, &base).await;
            assert_eq!(
                c,
                Counter {
                    user: Some("alice".into()),
                    counter: n
                }
            );
        }
        // One stored session (the login cycled the id: the anonymous one is gone), readable with SQL.
        let rows = client
            .query(
                "SELECT data->>'user' AS u, data.counter AS c FROM tower_sessions",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(rows.rows.len(), 1, "{rows:?}");
        assert_eq!(rows.rows[0].get_str(0), Some("alice"));
        assert_eq!(rows.rows[0].get_i64(1), Some(3));
        // A client without the cookie is someone else.
        assert_eq!(
            counter(&browser(), &base).await,
            Counter {
                user: None,
                counter: 1
            }
        );
        // Logout deletes the session; the next request starts over.
        post(&http, format!("{base}/logout")).await;
        assert_eq!(
            stored(
                &client,
                "SELECT COUNT(*) FROM tower_sessions WHERE data->>'user' = 'alice'"
            )
            .await,
            0
        );
        assert_eq!(
            counter(&http, &base).await,
            Counter {
                user: None,
                counter: 1
            }
        );
    });
}

#[test]
fn an_expired_session_does_not_load_and_the_ttl_pass_removes_it() {
    rt().block_on(async {
        let (base, client) = serve().await;
        let http = browser();
        let login = post(&http, format!("{base}/login?user=bob")).await;
        let cookie = session_cookie(&login);
        assert_eq!(counter(&http, &base).await.counter, 1);
        let id = cookie.trim_start_matches("id=").to_string();
        let of_bob = format!("SELECT COUNT(*) FROM tower_sessions WHERE _id = '{id}'");

        // The store's clock 11 minutes ahead: past the 10 minutes of inactivity. The browser still sends
        // the cookie (its own clock has not moved), and the server must not load the expired session.
        let ahead = (tower_sessions::cookie::time::OffsetDateTime::now_utc()
            + Duration::minutes(11))
        .format(&tower_sessions::cookie::time::format_description::well_known::Rfc3339)
        .unwrap();
        client
            .execute(&format!("SET sqlmongo.now = '{ahead}'"), &[])
            .await
            .unwrap();
        let replayed = reqwest::Client::new()
            .get(format!("{base}/counter"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        let c: Counter = replayed.json().await.unwrap();
        assert_eq!(
            c,
            Counter {
                user: None,
                counter: 1
            }
        );
        // Still stored until the TTL monitor runs; one pass on demand deletes it.
        assert_eq!(stored(&client, &of_bob).await, 1);
        let pass = client
            .execute("CALL sqlmongo.run_ttl_monitor()", &[])
            .await
            .unwrap();
        assert!(
            matches!(pass.as_slice(), [StatementResult::Affected(n)] if *n >= 1),
            "{pass:?}"
        );
        assert_eq!(stored(&client, &of_bob).await, 0);
        client.execute("RESET sqlmongo.now", &[]).await.unwrap();
        // Back on the real clock, bob's browser gets a fresh session.
        assert_eq!(
            counter(&http, &base).await,
            Counter {
                user: None,
                counter: 1
            }
        );
    });
}

#[test]
fn many_clients_at_once_each_see_their_own_session() {
    const CLIENTS: usize = 40;
    const REQUESTS: i64 = 5;
    rt().block_on(async {
        let (base, client) = serve().await;
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let base = base.clone();
                tokio::spawn(async move {
                    let http = browser();
                    post(&http, format!("{base}/login?user=u{i}")).await;
                    let mut last = None;
                    for _ in 0..REQUESTS {
                        last = Some(counter(&http, &base).await);
                    }
                    last.unwrap()
                })
            })
            .collect();
        for (i, t) in tasks.into_iter().enumerate() {
            assert_eq!(
                t.await.unwrap(),
                Counter {
                    user: Some(format!("u{i}")),
                    counter: REQUESTS
                }
            );
        }
        assert_eq!(
            stored(&client, "SELECT COUNT(*) FROM tower_sessions").await,
            CLIENTS as i64
        );
        assert_eq!(
            stored(
                &client,
                &format!("SELECT COUNT(*) FROM tower_sessions WHERE data.counter = {REQUESTS}")
            )
            .await,
            CLIENTS as i64
        );
    });
}
