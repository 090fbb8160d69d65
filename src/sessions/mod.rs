//! A [`tower-sessions`](https://docs.rs/tower-sessions) store (the session middleware of axum and tower) on
//! sqlmongo: [`SqlmongoStore`] implements `SessionStore` and `ExpiredDeletion` with prepared SQL statements
//! on a [`Client`], so one store type serves the embedded engine ([`Client::embedded`]), a durable
//! directory ([`Client::open`]) and a MongoDB deployment or `sqlmongo serve` ([`Client::connect`]).
//!
//! Feature `tower-sessions` (off by default).
//!
//! Each session is one document of a TTL collection (`tower_sessions` by default):
//!
//! | field        | value                                                                              |
//! |--------------|------------------------------------------------------------------------------------|
//! | `_id`        | the session id as tower-sessions prints it (22 characters of base64url)            |
//! | `data`       | the session's data as a nested document, so SQL reads it: `data->>'user'`           |
//! | `data_json`  | NULL, or the data as JSON text when a document cannot hold it exactly (see below)  |
//! | `expires_at` | the expiry date; the TTL index (`expire_after_seconds = 0`) removes the document   |
//!
//! Why a document: session analytics are SQL over these documents (`SELECT data->>'user', COUNT(*) ... GROUP
//! BY 1`), which a JSON string would hide. A document cannot hold every JSON value exactly, though: keys
//! that start with `$` or contain `.` are refused or ambiguous in MongoDB documents, and integers past
//! `i64` become doubles. The store converts the data, converts it back and compares; when it does not come
//! back equal, the data is kept as JSON text in `data_json` instead (and `data` is NULL), so a load always
//! returns exactly what was saved.
//!
//! Expiry: a load reads only a session whose `expires_at` is after `NOW()` (an expired session the TTL
//! monitor has not reaped yet never loads); `delete_expired` deletes those before `NOW()`. Both read the
//! backend's clock, which `SET sqlmongo.now` / [`Backend::set_fixed_now`](crate::driver::Backend::set_fixed_now)
//! can fix in tests. Creating a session never overwrites another: an insert that finds the id taken picks a
//! new id and tries again, as `SessionStore::create` requires.

use crate::{Client, PreparedStatement};
use async_trait::async_trait;
use bson::Bson;
use std::sync::Arc;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::session_store::{self, ExpiredDeletion, SessionStore};

/// The collection a store uses unless told otherwise.
pub const DEFAULT_COLLECTION: &str = "tower_sessions";

/// How many ids `create` tries before giving up (a collision of random 128-bit ids is already unheard of).
const CREATE_ATTEMPTS: usize = 8;

/// A `tower-sessions` store on a sqlmongo [`Client`]. Cheap to clone.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use sqlmongo::sessions::SqlmongoStore;
/// use tower_sessions_core::ExpiredDeletion;
///
/// // Embedded and durable; `Client::connect("mongodb://...", "app")` or `Client::embedded()` work the same.
/// let client = sqlmongo::Client::open("/var/lib/myapp/sessions")?;
/// let store = SqlmongoStore::new(client)?;
/// store.migrate().await?; // the TTL collection
///
/// // Sweep expired sessions every minute (the TTL monitor does it too, on its own schedule).
/// tokio::spawn(store.clone().continuously_delete_expired(std::time::Duration::from_secs(60)));
///
/// // Then: tower_sessions::SessionManagerLayer::new(store) on the axum router
/// // (examples/axum_sessions.rs is a whole app).
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqlmongoStore {
    client: Client,
    collection: String,
    statements: Arc<Statements>,
}

impl std::fmt::Debug for SqlmongoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlmongoStore")
            .field("client", &self.client)
            .field("collection", &self.collection)
            .finish_non_exhaustive()
    }
}

/// The store's statements, translated once.
struct Statements {
    /// Insert if the id is free (`ON CONFLICT DO NOTHING`): 1 row inserted, or 0 when taken.
    create: PreparedStatement,
    /// Insert or replace (`ON CONFLICT DO UPDATE`).
    save: PreparedStatement,
    /// The session's data, if it has not expired.
    load: PreparedStatement,
    delete: PreparedStatement,
    delete_expired: PreparedStatement,
}

/// A collection name as a quoted SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl SqlmongoStore {
    /// A store on `client` using the collection [`DEFAULT_COLLECTION`]. Prepares its statements; run
    /// [`SqlmongoStore::migrate`] once to create the collection.
    pub fn new(client: Client) -> Result<SqlmongoStore, crate::Error> {
        SqlmongoStore::with_collection(client, DEFAULT_COLLECTION)
    }

    /// A store on `client` using the collection `collection`.
    pub fn with_collection(
        client: Client,
        collection: &str,
    ) -> Result<SqlmongoStore, crate::Error> {
        if collection.is_empty() || collection.contains(['$', '\0']) {
            return Err(crate::Error::Parameter(format!(
                "invalid session collection name {collection:?}"
            )));
        }
        let c = quoted(collection);
        let insert = format!(
            "INSERT INTO {c} (_id, data, data_json, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (_id)"
        );
        let statements = Statements {
            create: client.prepare(&format!("{insert} DO NOTHING"))?,
            save: client.prepare(&format!(
                "{insert} DO UPDATE SET data = EXCLUDED.data, data_json = EXCLUDED.data_json, \
                 expires_at = EXCLUDED.expires_at"
            ))?,
            load: client.prepare(&format!(
                "SELECT data, data_json, expires_at FROM {c} WHERE _id = $1 AND expires_at > NOW()"
            ))?,
            delete: client.prepare(&format!("DELETE FROM {c} WHERE _id = $1"))?,
            delete_expired: client.prepare(&format!("DELETE FROM {c} WHERE expires_at < NOW()"))?,
        };
        Ok(SqlmongoStore {
            client,
            collection: collection.to_string(),
            statements: Arc::new(statements),
        })
    }

    /// Creates the TTL collection (`expires_at`, expiring at that date) when it does not exist.
    pub async fn migrate(&self) -> Result<(), crate::Error> {
        self.client
            .execute(
                &format!(
                    "CREATE COLLECTION IF NOT EXISTS {} WITH (ttl_field = 'expires_at', expire_after_seconds = 0)",
                    quoted(&self.collection)
                ),
                &[],
            )
            .await
            .map(|_| ())
    }

    /// The collection this store uses.
    pub fn collection(&self) -> &str {
        &self.collection
    }

    /// The client this store runs on.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Deletes the sessions that expired before the backend's `NOW()`; returns how many.
    pub async fn delete_expired_count(&self) -> Result<u64, crate::Error> {
        self.statements.delete_expired.affected(&[]).await
    }
}

fn backend(e: crate::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// The parameters of an insert: `_id`, `data`, `data_json`, `expires_at`.
fn row(record: &Record) -> Result<[Bson; 4], session_store::Error> {
    let (data, data_json) = encode(&record.data)?;
    let ms = record.expiry_date.unix_timestamp_nanos() / 1_000_000;
    let ms = i64::try_from(ms).map_err(|_| {
        session_store::Error::Encode(format!("expiry date out of range: {}", record.expiry_date))
    })?;
    Ok([
        Bson::String(record.id.to_string()),
        data,
        data_json,
        Bson::DateTime(bson::DateTime::from_millis(ms)),
    ])
}

/// The session data as a document (`data`), or as JSON text (`data_json`) when a document cannot hold it
/// exactly (see the module doc).
fn encode(
    data: &std::collections::HashMap<String, serde_json::Value>,
) -> Result<(Bson, Bson), session_store::Error> {
    let json =
        serde_json::Value::Object(data.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    if let Ok(Bson::Document(doc)) = Bson::try_from(json.clone()) {
        let doc = Bson::Document(doc);
        if storable_keys(&doc) && doc.clone().into_relaxed_extjson() == json {
            return Ok((doc, Bson::Null));
        }
    }
    let text =
        serde_json::to_string(data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    Ok((Bson::Null, Bson::String(text)))
}

/// Whether every key of the document (at any depth) can be a MongoDB field name as it is.
fn storable_keys(value: &Bson) -> bool {
    match value {
        Bson::Document(d) => d.iter().all(|(k, v)| {
            !k.is_empty() && !k.starts_with('$') && !k.contains('.') && storable_keys(v)
        }),
        Bson::Array(items) => items.iter().all(storable_keys),
        _ => true,
    }
}

/// The session data of a loaded row.
fn decode(
    data: Option<&Bson>,
    data_json: Option<&Bson>,
) -> Result<std::collections::HashMap<String, serde_json::Value>, session_store::Error> {
    match (data, data_json) {
        (_, Some(Bson::String(text))) => {
            serde_json::from_str(text).map_err(|e| session_store::Error::Decode(e.to_string()))
        }
        (Some(Bson::Document(d)), _) => match Bson::Document(d.clone()).into_relaxed_extjson() {
            serde_json::Value::Object(map) => Ok(map.into_iter().collect()),
            _ => Err(session_store::Error::Decode(
                "session data is not a document".into(),
            )),
        },
        (Some(Bson::Null) | None, _) => Ok(Default::default()),
        (Some(other), _) => Err(session_store::Error::Decode(format!(
            "session data is a {:?}, not a document",
            other.element_type()
        ))),
    }
}

/// Whether a failed insert is a duplicate key (a concurrent create took the id).
fn is_duplicate_key(e: &crate::Error) -> bool {
    matches!(e, crate::Error::Command(c) if c.code == 11000)
}

#[async_trait]
impl SessionStore for SqlmongoStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        for _ in 0..CREATE_ATTEMPTS {
            match self.statements.create.affected(&row(record)?).await {
                Ok(1) => return Ok(()),
                Ok(_) => {}
                Err(e) if is_duplicate_key(&e) => {}
                Err(e) => return Err(backend(e)),
            }
            // The id is taken (possibly by an expired session not reaped yet): never overwrite it.
            record.id = Id::default();
        }
        Err(session_store::Error::Backend(format!(
            "no free session id after {CREATE_ATTEMPTS} attempts"
        )))
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.statements
            .save
            .affected(&row(record)?)
            .await
            .map(|_| ())
            .map_err(backend)
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let rows = self
            .statements
            .load
            .query(&[Bson::String(session_id.to_string())])
            .await
            .map_err(backend)?;
        let Some(r) = rows.rows.first() else {
            return Ok(None);
        };
        let data = decode(r.first(), r.get(1))?;
        let Some(Bson::DateTime(expires)) = r.get(2) else {
            return Err(session_store::Error::Decode(
                "session has no expires_at date".into(),
            ));
        };
        let expiry_date = time::OffsetDateTime::from_unix_timestamp_nanos(
            expires.timestamp_millis() as i128 * 1_000_000,
        )
        .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *session_id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.statements
            .delete
            .affected(&[Bson::String(session_id.to_string())])
            .await
            .map(|_| ())
            .map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for SqlmongoStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.delete_expired_count()
            .await
            .map(|_| ())
            .map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};
    use bson::Bson;
    use serde_json::json;
    use std::collections::HashMap;

    fn round_trip(data: HashMap<String, serde_json::Value>) -> (Bson, Bson) {
        let (doc, text) = encode(&data).unwrap();
        assert_eq!(decode(Some(&doc), Some(&text)).unwrap(), data);
        (doc, text)
    }

    #[test]
    fn plain_data_is_a_document_and_the_rest_json_text() {
        let plain: HashMap<_, _> = [
            (
                "user".to_string(),
                json!({"name": "alice", "roles": ["admin"], "n": 7, "f": 1.5}),
            ),
            ("counter".to_string(), json!(3)),
            ("big".to_string(), json!(i64::MAX)),
        ]
        .into();
        let (doc, text) = round_trip(plain);
        assert!(matches!(doc, Bson::Document(_)) && text == Bson::Null);
        for odd in [
            json!({"$set": 1}),
            json!({"a.b": 1}),
            json!([{"": 1}]),
            json!(u64::MAX),
        ] {
            let (doc, text) = round_trip([("v".to_string(), odd.clone())].into());
            assert_eq!(doc, Bson::Null, "{odd}");
            assert!(matches!(text, Bson::String(_)), "{odd}");
        }
        // Extended JSON shapes come back exactly either way (as the BSON type, or as text).
        for ext in [
            json!({"$oid": "507f1f77bcf86cd799439011"}),
            json!({"$date": "2026-01-01T00:00:00Z"}),
            json!({"$numberLong": "5"}),
        ] {
            round_trip([("v".to_string(), ext)].into());
        }
    }
}
