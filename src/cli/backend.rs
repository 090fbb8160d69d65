//! The backend a command runs on: a MongoDB deployment (`--uri` / `MONGODB_URI`), a durable embedded store
//! (`--data DIR`) or, by default, a fresh in-memory embedded engine. Every statement of one invocation (all
//! FILEs of `run`) shares one client.

use super::CliError;
use crate::Client;

/// Backend options shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct BackendArgs {
    /// MongoDB connection string; without it statements run on an in-memory embedded engine.
    #[arg(
        long,
        env = "MONGODB_URI",
        hide_env_values = true,
        global = true,
        value_name = "URI"
    )]
    pub uri: Option<String>,
    /// Database to use [default: the URI's path (`mongodb://host/DB`), else `sqlmongo`].
    #[arg(long, global = true, value_name = "NAME")]
    pub db: Option<String>,
    /// Data directory of a durable embedded store (created when missing; one process at a time). Without
    /// it (and without --uri) the embedded engine keeps everything in memory.
    #[arg(long, env = "SQLMONGO_DATA", global = true, value_name = "DIR")]
    pub data: Option<std::path::PathBuf>,
    /// With --data: whether a statement (or a wire write without a writeConcern) returns only once its
    /// commit is fsynced (`on`, PostgreSQL's synchronous_commit default). `off`: it reaches the disk within
    /// 100 ms, and a crash may lose the last 100 ms of acknowledged writes (never half of one).
    #[arg(
        long,
        global = true,
        value_name = "on|off",
        default_value = "on",
        value_parser = parse_on_off
    )]
    pub synchronous_commit: bool,
    /// Fixes NOW() / CURRENT_TIMESTAMP for the whole run (`2026-01-01T00:00:00Z`, `2026-01-01 12:00`), as
    /// `SET sqlmongo.now` does: on the embedded engine its clock (the TTL monitor and
    /// `CALL sqlmongo.run_ttl_monitor()` expire by it too), on --uri the date in place of `$$NOW`.
    #[arg(long, global = true, value_name = "TIMESTAMP", value_parser = parse_now)]
    pub now: Option<bson::DateTime>,
}

fn parse_now(s: &str) -> Result<bson::DateTime, String> {
    crate::translate::expr::datetime::parse_timestamp(s).ok_or_else(|| {
        format!(
            "expected a timestamp such as 2026-01-01T00:00:00Z or '2026-01-01 12:00', got {s:?}"
        )
    })
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        _ => Err(format!("expected on or off, got {s:?}")),
    }
}

/// Opens the embedded engine the options ask for: durable on `--data DIR`, else in memory. A store that
/// cannot be opened (locked by another process, damaged, another format version) is one line, exit code 2.
pub fn open_engine(args: &BackendArgs) -> Result<crate::engine::Engine, CliError> {
    open_engine_tuned(args, |_| {})
}

/// [`open_engine`] with engine options adjusted by `tune` (`serve`'s TTL monitor interval).
pub fn open_engine_tuned(
    args: &BackendArgs,
    tune: impl FnOnce(&mut crate::engine::EngineOptions),
) -> Result<crate::engine::Engine, CliError> {
    use crate::engine::{storage::durable::DurableStorage, Engine, EngineOptions};
    let mut opts = EngineOptions {
        synchronous_commit: args.synchronous_commit,
        ..EngineOptions::default()
    };
    tune(&mut opts);
    let Some(dir) = &args.data else {
        let engine = Engine::with_options(opts);
        engine.set_fixed_now(args.now);
        return Ok(engine);
    };
    let fail = |e: crate::command_error::CommandError| CliError {
        message: format!(
            "sqlmongo: cannot open the data directory {}: {}",
            dir.display(),
            e.errmsg
        ),
        code: 2,
    };
    let storage = DurableStorage::open(dir, Default::default()).map_err(fail)?;
    opts.storage = std::sync::Arc::new(storage);
    let engine = Engine::try_with_options(opts).map_err(fail)?;
    engine.set_fixed_now(args.now);
    Ok(engine)
}

/// The database when neither `--db` nor the URI names one.
const DEFAULT_DB: &str = "sqlmongo";

/// The database a URI's path names (`mongodb://h1,h2/DB?opts`), if any.
fn uri_database(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once("://")?;
    let (_, path) = rest.split_once('/')?;
    let db = path.split('?').next().unwrap_or("");
    (!db.is_empty()).then_some(db)
}

/// Opens the client the options ask for. A connection failure is one line, exit code 2.
pub async fn connect(args: &BackendArgs) -> Result<Client, CliError> {
    match args.uri.as_deref().map(str::trim) {
        Some(uri) if !uri.is_empty() && args.data.is_some() => Err(CliError {
            message: format!(
                "sqlmongo: both a MongoDB URI ({}) and --data given: choose one",
                redact(uri)
            ),
            code: 2,
        }),
        Some(uri) if !uri.is_empty() => {
            // `--db` wins; else the URI's own database (an empty name tells `connect` to use it).
            let db = match (&args.db, uri_database(uri)) {
                (Some(db), _) => db.as_str(),
                (None, Some(_)) => "",
                (None, None) => DEFAULT_DB,
            };
            let client = Client::connect(uri, db).await.map_err(|e| CliError {
                message: format!("sqlmongo: cannot connect to {}: {e}", redact(uri)),
                code: 2,
            })?;
            if args.now.is_some() {
                client
                    .backend()
                    .set_fixed_now(args.now)
                    .map_err(|e| CliError {
                        message: format!("sqlmongo: --now: {e}"),
                        code: 2,
                    })?;
            }
            Ok(client)
        }
        _ => Ok(Client::with_engine(
            open_engine(args)?,
            args.db.clone().unwrap_or_else(|| DEFAULT_DB.to_string()),
        )),
    }
}

/// The URI without its password (`mongodb://user:***@host`), for messages.
pub fn redact(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_string();
    };
    let host_start = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(host_start);
    match authority.rsplit_once('@') {
        Some((creds, host)) => match creds.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => uri.to_string(),
        },
        None => uri.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{redact, uri_database};

    #[test]
    fn the_database_of_a_uri_is_its_path() {
        assert_eq!(uri_database("mongodb://h:27017/app"), Some("app"));
        assert_eq!(
            uri_database("mongodb://u:p@h1,h2/app?replicaSet=r"),
            Some("app")
        );
        assert_eq!(
            uri_database("mongodb+srv://c.example.net/db2?tls=true"),
            Some("db2")
        );
        assert_eq!(uri_database("mongodb://h:27017/?tls=true"), None);
        assert_eq!(uri_database("mongodb://h:27017"), None);
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("mongodb://u:secret@h:27017/db?x=1"),
            "mongodb://u:***@h:27017/db?x=1"
        );
        assert_eq!(redact("mongodb://h:27017"), "mongodb://h:27017");
    }
}
