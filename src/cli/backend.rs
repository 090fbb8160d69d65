//! The backend a command runs on: a MongoDB deployment (`--uri` / `MONGODB_URI`) or, by default, a fresh
//! in-memory embedded engine. Every statement of one invocation (all FILEs of `run`) shares one client.

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
    /// Database to use.
    #[arg(long, default_value = "sqlmongo", global = true, value_name = "NAME")]
    pub db: String,
}

/// Opens the client the options ask for. A connection failure is one line, exit code 2.
pub async fn connect(args: &BackendArgs) -> Result<Client, CliError> {
    match args.uri.as_deref().map(str::trim) {
        Some(uri) if !uri.is_empty() => {
            Client::connect(uri, &args.db).await.map_err(|e| CliError {
                message: format!("sqlmongo: cannot connect to {}: {e}", redact(uri)),
                code: 2,
            })
        }
        _ => Ok(Client::with_engine(
            crate::engine::Engine::in_memory(),
            args.db.clone(),
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
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("mongodb://u:secret@h:27017/db?x=1"),
            "mongodb://u:***@h:27017/db?x=1"
        );
        assert_eq!(redact("mongodb://h:27017"), "mongodb://h:27017");
    }
}
