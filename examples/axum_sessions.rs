//! An axum app whose sessions live in sqlmongo through tower-sessions ([`SqlmongoStore`]): log in (the user
//! goes into the session), a counter kept in the session and incremented on every request, log out (the
//! session is deleted). tests/sessions_axum.rs drives this app with real HTTP requests.
//!
//! ```text
//! cargo run --features tower-sessions --example axum_sessions        # listens on 127.0.0.1:3000
//! curl -c jar -b jar -X POST 'http://127.0.0.1:3000/login?user=alice'
//! curl -c jar -b jar http://127.0.0.1:3000/counter                     # {"user":"alice","counter":1}
//! curl -c jar -b jar -X POST http://127.0.0.1:3000/logout
//! ```
//!
//! The sessions are in memory by default; `SQLMONGO_DATA=DIR` keeps them in a durable store, `MONGODB_URI`
//! (e.g. a `sqlmongo serve`) in MongoDB. `ADDR` changes the address. The sessions are documents you can query
//! with SQL: `SELECT data->>'user' AS user, expires_at FROM tower_sessions`.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sqlmongo::sessions::SqlmongoStore;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The session key of the logged-in user's name.
pub const USER: &str = "user";
/// The session key of the request counter.
pub const COUNTER: &str = "counter";

/// The app: `POST /login?user=NAME`, `GET /counter`, `POST /logout`, with sessions in `store` that expire
/// after `inactivity` without a request.
pub fn app(store: SqlmongoStore, inactivity: Duration) -> Router {
    let sessions = SessionManagerLayer::new(store)
        .with_secure(false) // plain HTTP in this example; keep the default (true) behind TLS
        .with_expiry(Expiry::OnInactivity(inactivity));
    Router::new()
        .route("/login", post(login))
        .route("/counter", get(counter))
        .route("/logout", post(logout))
        .layer(sessions)
}

/// A session error as a 500 response.
struct Failed(tower_sessions::session::Error);

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.0.to_string()).into_response()
    }
}

impl From<tower_sessions::session::Error> for Failed {
    fn from(e: tower_sessions::session::Error) -> Self {
        Failed(e)
    }
}

#[derive(serde::Deserialize)]
struct Login {
    user: String,
}

/// The state a request sees.
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
pub struct Counter {
    /// The logged-in user, if any.
    pub user: Option<String>,
    /// Requests to `/counter` in this session, this one included.
    pub counter: i64,
}

async fn login(session: Session, Query(login): Query<Login>) -> Result<String, Failed> {
    // A new id on login: a session id known before the login (fixation) is worth nothing after it.
    session.cycle_id().await?;
    session.insert(USER, &login.user).await?;
    session.insert(COUNTER, 0i64).await?;
    Ok(format!("logged in as {}", login.user))
}

async fn counter(session: Session) -> Result<Json<Counter>, Failed> {
    let counter = session.get::<i64>(COUNTER).await?.unwrap_or(0) + 1;
    session.insert(COUNTER, counter).await?;
    let user = session.get::<String>(USER).await?;
    Ok(Json(Counter { user, counter }))
}

async fn logout(session: Session) -> Result<&'static str, Failed> {
    // Deletes the session from the store and clears the cookie.
    session.flush().await?;
    Ok("logged out")
}

#[allow(dead_code)] // the test includes this file for `app` and runs its own server
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use tower_sessions::ExpiredDeletion;
    let client = match (std::env::var("MONGODB_URI"), std::env::var("SQLMONGO_DATA")) {
        (Ok(uri), _) => sqlmongo::Client::connect(&uri, "").await?,
        (_, Ok(dir)) => sqlmongo::Client::open(dir)?,
        _ => sqlmongo::Client::embedded(),
    };
    let store = SqlmongoStore::new(client)?;
    store.migrate().await?;
    // The TTL index removes expired sessions on its own; this sweep makes it prompt.
    tokio::spawn(
        store
            .clone()
            .continuously_delete_expired(std::time::Duration::from_secs(60)),
    );
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(store, Duration::minutes(30))).await?;
    Ok(())
}
