//! A small session store on prepared statements: each statement is translated once (`Client::prepare`) and
//! run with new parameters each time. Runs on the embedded engine: `cargo run --example session_store`.

use bson::{doc, Bson};
use sqlmongo::{Client, PreparedStatement, RowExt};

/// Session-store operations, each a prepared statement.
struct SessionStore {
    save: PreparedStatement,
    get: PreparedStatement,
    touch: PreparedStatement,
    destroy: PreparedStatement,
    destroy_user: PreparedStatement,
    list_user: PreparedStatement,
}

impl SessionStore {
    /// Creates the TTL collection and its unique index, then prepares the statements.
    async fn open(client: &Client) -> Result<SessionStore, sqlmongo::Error> {
        client
            .execute(
                "CREATE COLLECTION IF NOT EXISTS user_sessions WITH (ttl_field = 'expires_at', expire_after_seconds = 0);
                 CREATE UNIQUE INDEX ON user_sessions (session_id)",
                &[],
            )
            .await?;
        Ok(SessionStore {
            // Insert or replace the session data (upsert on the unique session_id).
            save: client.prepare(
                "INSERT INTO user_sessions (session_id, user_id, session_data, created_at, last_accessed, expires_at)
                 VALUES ($1, $2, $3, $4, $4, $5)
                 ON CONFLICT (session_id) DO UPDATE
                 SET session_data = EXCLUDED.session_data, last_accessed = EXCLUDED.last_accessed, expires_at = EXCLUDED.expires_at",
            )?,
            // Only sessions that have not expired (the TTL monitor may not have removed them yet).
            get: client.prepare(
                "SELECT user_id, session_data, session_data.preferences.theme AS theme, expires_at
                 FROM user_sessions WHERE session_id = $1 AND expires_at > NOW()",
            )?,
            // Sliding expiry: 30 more minutes from now, returning the new expiry.
            touch: client.prepare(
                "UPDATE user_sessions SET last_accessed = NOW(), expires_at = NOW() + INTERVAL '30 minutes'
                 WHERE session_id = $1 AND expires_at > NOW()
                 RETURNING expires_at",
            )?,
            destroy: client.prepare("DELETE FROM user_sessions WHERE session_id = $1")?,
            destroy_user: client
                .prepare("DELETE FROM user_sessions WHERE user_id = $1 RETURNING session_id")?,
            list_user: client.prepare(
                "SELECT session_id, last_accessed, expires_at FROM user_sessions
                 WHERE user_id = $1 AND expires_at > NOW() ORDER BY last_accessed DESC",
            )?,
        })
    }
}

fn millis_from_now(ms: i64) -> Bson {
    Bson::DateTime(bson::DateTime::from_millis(
        bson::DateTime::now().timestamp_millis() + ms,
    ))
}

async fn run() -> Result<(), sqlmongo::Error> {
    let client = Client::embedded();
    let store = SessionStore::open(&client).await?;
    let now = Bson::DateTime(bson::DateTime::now());
    const MINUTE: i64 = 60_000;

    // Create: a normal session (30 minutes), a remember-me session (30 days), one already expired.
    let data = Bson::Document(doc! {"cart": [], "preferences": {"theme": "dark"}});
    for (id, user, expires) in [
        ("s-1", "alice", millis_from_now(30 * MINUTE)),
        ("s-2", "alice", millis_from_now(30 * 24 * 60 * MINUTE)),
        ("s-3", "bob", millis_from_now(-MINUTE)),
    ] {
        let n = store
            .save
            .affected(&[id.into(), user.into(), data.clone(), now.clone(), expires])
            .await?;
        println!("save {id} for {user}: {n} row(s)");
    }
    // Saving an existing id replaces its data: still one row, no duplicate.
    let new_data = Bson::Document(doc! {"cart": ["sku-1"], "preferences": {"theme": "light"}});
    let n = store
        .save
        .affected(&[
            "s-1".into(),
            "alice".into(),
            new_data,
            now.clone(),
            millis_from_now(30 * MINUTE),
        ])
        .await?;
    println!("save s-1 again: {n} row(s) updated");

    // Get.
    for id in ["s-1", "s-3", "missing"] {
        let rows = store.get.query(&[id.into()]).await?;
        match rows.rows.first() {
            Some(r) => println!(
                "get {id}: user {} theme {} data {}",
                r.get_str(0).unwrap_or("?"),
                r.get_str(2).unwrap_or("?"),
                r[1]
            ),
            None => println!("get {id}: no session (expired or unknown)"),
        }
    }

    // Touch.
    let rows = store.touch.query(&["s-1".into()]).await?;
    if let Some(until) = rows.rows.first().and_then(|r| r.get_datetime(0)) {
        println!("touch s-1: expires at {until}");
    }
    let rows = store.touch.query(&["s-3".into()]).await?;
    println!("touch s-3: {} row(s) (expired)", rows.rows.len());

    // List, destroy one, destroy all of a user.
    let rows = store.list_user.query(&["alice".into()]).await?;
    let ids: Vec<&str> = rows.rows.iter().filter_map(|r| r.get_str(0)).collect();
    println!("alice's active sessions: {ids:?}");
    let n = store.destroy.affected(&["s-1".into()]).await?;
    println!("destroy s-1: {n} row(s)");
    let rows = store.destroy_user.query(&["alice".into()]).await?;
    let ids: Vec<&str> = rows.rows.iter().filter_map(|r| r.get_str(0)).collect();
    println!("destroy all of alice: {ids:?}");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(run())?;
    Ok(())
}
