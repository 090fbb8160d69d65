//! A session store on the typed library API: sessions are Rust structs in (serde parameters) and out
//! (serde rows), each statement is translated once (the client's statement cache), and a user's sessions
//! are read as a stream. Runs on the embedded engine: `cargo run --example typed_sessions`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlmongo::Client;

/// What the application keeps in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionData {
    pub cart: Vec<String>,
    pub theme: Option<String>,
    pub visits: i32,
}

/// A stored session, as read back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Session {
    pub session_id: String,
    pub user_id: String,
    pub data: SessionData,
    pub expires_at: DateTime<Utc>,
}

/// The store: a client and its statements.
pub struct SessionStore {
    client: Client,
}

impl SessionStore {
    /// Creates the TTL collection (documents go once `expires_at` has passed) and its unique index.
    pub async fn open(client: Client) -> Result<SessionStore, sqlmongo::Error> {
        client
            .sql(
                "CREATE COLLECTION IF NOT EXISTS typed_sessions \
                 WITH (ttl_field = 'expires_at', expire_after_seconds = 0)",
            )
            .execute()
            .await?;
        client
            .sql("CREATE UNIQUE INDEX IF NOT EXISTS typed_sessions_id ON typed_sessions (session_id)")
            .execute()
            .await?;
        Ok(SessionStore { client })
    }

    /// Inserts or replaces a session.
    pub async fn save(
        &self,
        id: &str,
        user: &str,
        data: &SessionData,
        ttl: Duration,
    ) -> Result<(), sqlmongo::Error> {
        self.client
            .sql(
                "INSERT INTO typed_sessions (session_id, user_id, data, expires_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (session_id) DO UPDATE
                 SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at",
            )
            .bind(id)
            .bind(user)
            .bind(data)
            .bind(Utc::now() + ttl)
            .execute()
            .await?;
        Ok(())
    }

    /// The session, unless unknown or expired (the TTL monitor may not have removed it yet).
    pub async fn get(&self, id: &str) -> Result<Option<Session>, sqlmongo::Error> {
        self.client
            .sql(
                "SELECT session_id, user_id, data, expires_at FROM typed_sessions
                 WHERE session_id = $1 AND expires_at > $2",
            )
            .bind(id)
            .bind(Utc::now())
            .as_::<Session>()
            .fetch_optional()
            .await
    }

    /// Sliding expiry: pushes `expires_at` to `ttl` from now; the new expiry, if the session is alive.
    pub async fn touch(
        &self,
        id: &str,
        ttl: Duration,
    ) -> Result<Option<DateTime<Utc>>, sqlmongo::Error> {
        let now = Utc::now();
        self.client
            .sql(
                "UPDATE typed_sessions SET expires_at = $3
                 WHERE session_id = $1 AND expires_at > $2 RETURNING expires_at",
            )
            .bind(id)
            .bind(now)
            .bind(now + ttl)
            .scalar::<DateTime<Utc>>()
            .fetch_optional()
            .await
    }

    /// Removes a session; whether it existed.
    pub async fn destroy(&self, id: &str) -> Result<bool, sqlmongo::Error> {
        let n = self
            .client
            .sql("DELETE FROM typed_sessions WHERE session_id = $1")
            .bind(id)
            .execute()
            .await?;
        Ok(n > 0)
    }

    /// The number of live sessions of a user.
    pub async fn count_for(&self, user: &str) -> Result<i64, sqlmongo::Error> {
        self.client
            .query_scalar(
                "SELECT COUNT(*) FROM typed_sessions WHERE user_id = $1 AND expires_at > NOW()",
                &[user.into()],
            )
            .await
    }

    /// A user's live session ids, newest expiry first, read as a stream.
    pub async fn ids_for(&self, user: &str) -> Result<Vec<String>, sqlmongo::Error> {
        let mut rows = self
            .client
            .sql(
                "SELECT session_id FROM typed_sessions
                 WHERE user_id = $1 AND expires_at > NOW() ORDER BY expires_at DESC",
            )
            .bind(user)
            .scalar::<String>()
            .fetch();
        let mut ids = Vec::new();
        while let Some(id) = rows.try_next().await? {
            ids.push(id);
        }
        Ok(ids)
    }
}

/// The whole flow, checking each step (tests/library_api.rs runs it too).
pub async fn run(client: Client) -> Result<(), sqlmongo::Error> {
    let store = SessionStore::open(client.clone()).await?;
    let data = SessionData {
        cart: vec![],
        theme: Some("dark".into()),
        visits: 1,
    };
    // Create: two sessions of alice, one of bob that has already expired.
    store
        .save("s-1", "alice", &data, Duration::minutes(30))
        .await?;
    store
        .save("s-2", "alice", &data, Duration::days(30))
        .await?;
    store
        .save("s-3", "bob", &data, Duration::minutes(-1))
        .await?;
    // Saving again replaces the data.
    let more = SessionData {
        cart: vec!["sku-1".into()],
        visits: 2,
        ..data.clone()
    };
    store
        .save("s-1", "alice", &more, Duration::minutes(30))
        .await?;

    // Get.
    let s1 = store.get("s-1").await?.expect("s-1 is alive");
    println!("get s-1: {s1:?}");
    assert_eq!((s1.user_id.as_str(), &s1.data), ("alice", &more));
    assert_eq!(store.get("s-3").await?, None, "s-3 has expired");
    assert_eq!(store.get("missing").await?, None);

    // Touch.
    let until = store.touch("s-1", Duration::hours(2)).await?;
    println!("touch s-1: expires at {until:?}");
    assert!(until.is_some_and(|t| t > s1.expires_at));
    assert_eq!(store.touch("s-3", Duration::hours(2)).await?, None);

    // List, count, destroy.
    let ids = store.ids_for("alice").await?;
    println!("alice's sessions: {ids:?}");
    assert_eq!(ids, ["s-2", "s-1"]);
    assert_eq!(store.count_for("alice").await?, 2);
    assert!(store.destroy("s-1").await?);
    assert!(!store.destroy("s-1").await?);
    assert_eq!(store.count_for("alice").await?, 1);
    let stats = client.statement_cache_stats();
    println!(
        "statement cache: {} hits, {} translations",
        stats.hits, stats.misses
    );
    Ok(())
}

#[allow(dead_code)] // tests/library_api.rs includes this file as a module and calls `run`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(Client::embedded()))?;
    Ok(())
}
