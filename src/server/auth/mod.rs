//! Authentication and authorization for `sqlmongo serve`, as mongod does them.
//!
//! - Users are documents in `admin.system.users` ([`users`]); the user-management commands are answered here.
//! - SCRAM-SHA-256 ([`scram`]) runs over `saslStart` / `saslContinue`, and as the speculative authentication
//!   drivers put in their first `hello` (`speculativeAuthenticate`); `hello` with `saslSupportedMechs` names
//!   the mechanisms a user has. `logout` and `connectionStatus` (`authInfo`) read the connection's state.
//! - With authentication required ([`Security::required`]), every command needs what [`roles::required`]
//!   says of it, checked against the roles of the connection's user (re-read after any change to the
//!   users): code 13 Unauthorized otherwise, with mongod's messages. mongod's localhost exception: while no
//!   user exists, a loopback client may run `createUser` on `admin` to create the first one.
//!
//! Without authentication required, authentication and user management still work (as on a mongod without
//! `--auth`), and nothing is refused.

pub mod roles;
pub mod scram;
pub mod users;

use crate::command_error::CommandError;
use crate::command_error::ErrorCode;
use crate::engine::{CursorOwner, Engine};
use bson::{doc, spec::BinarySubtype, Binary, Bson, Document};
use roles::{Grants, Requirement, RoleRef};
use scram::{ClientFirst, ServerConversation};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub(crate) use crate::engine::bson_order::type_name;

/// The server-wide security settings and the users' version (bumped by every change to the users, so
/// that open connections re-read their user's roles).
#[derive(Debug)]
pub struct Security {
    required: bool,
    iterations: u32,
    users_version: AtomicU64,
}

impl Security {
    /// `required`: refuse commands that need a user's privileges to clients without them (`--auth`).
    pub fn new(required: bool) -> Security {
        Security {
            required,
            iterations: scram::DEFAULT_ITERATIONS,
            users_version: AtomicU64::new(0),
        }
    }

    /// The same with another PBKDF2 iteration count for new credentials (mongod's
    /// `scramSHA256IterationCount`; at least 4,096).
    pub fn with_iterations(mut self, iterations: u32) -> Security {
        self.iterations = iterations.max(scram::MIN_ITERATIONS);
        self
    }

    /// Whether authentication is required.
    pub fn required(&self) -> bool {
        self.required
    }

    fn version(&self) -> u64 {
        self.users_version.load(Ordering::Acquire)
    }

    fn users_changed(&self) {
        self.users_version.fetch_add(1, Ordering::AcqRel);
    }
}

/// The user a connection is authenticated as.
#[derive(Debug, Clone)]
struct Authenticated {
    user: String,
    db: String,
    roles: Vec<RoleRef>,
    grants: Grants,
    version: u64,
}

/// A SCRAM conversation in progress.
#[derive(Debug)]
struct Pending {
    id: i32,
    user: users::User,
    step: Step,
}

#[derive(Debug)]
enum Step {
    /// Waiting for the client-final message.
    Final {
        conv: Box<ServerConversation>,
        skip_empty: bool,
    },
    /// Server-final sent; waiting for the empty message that ends the exchange.
    Empty,
}

#[derive(Debug, Default)]
struct State {
    user: Option<Authenticated>,
    pending: Option<Pending>,
    next_conversation: i32,
}

/// One connection's authentication state. Cheap to clone (the clones share the state), so a command can
/// run on a blocking thread with it.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    security: Arc<Security>,
    loopback: bool,
    state: Arc<Mutex<State>>,
}

fn unauthorized(msg: String) -> CommandError {
    CommandError::new(ErrorCode::Unauthorized, msg)
}

fn auth_failed() -> CommandError {
    CommandError::new(ErrorCode::AuthenticationFailed, "Authentication failed.")
}

/// A `payload` field: BinData, or a string (the shell's legacy form).
fn payload(cmd: &Document) -> Result<Vec<u8>, CommandError> {
    match cmd.get("payload") {
        Some(Bson::Binary(b)) => Ok(b.bytes.clone()),
        Some(Bson::String(s)) => Ok(s.as_bytes().to_vec()),
        None => Err(CommandError::new(
            ErrorCode::IDLFailedToParse,
            "BSON field 'payload' is missing but a required field",
        )),
        Some(v) => Err(CommandError::type_mismatch(format!(
            "BSON field 'payload' is the wrong type '{}', expected types '[string, binData]'",
            type_name(v)
        ))),
    }
}

fn binary(bytes: Vec<u8>) -> Bson {
    Bson::Binary(Binary {
        subtype: BinarySubtype::Generic,
        bytes,
    })
}

impl Session {
    /// A new connection's session (`loopback`: the peer is on this machine, for the localhost exception).
    pub(crate) fn new(security: Arc<Security>, loopback: bool) -> Session {
        Session {
            security,
            loopback,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// The user (`name`, `db`) the connection is authenticated as, if any.
    pub(crate) fn user(&self) -> Option<(String, String)> {
        self.lock()
            .user
            .as_ref()
            .map(|a| (a.user.clone(), a.db.clone()))
    }

    /// Whether the server runs with access control (authentication required).
    pub(crate) fn access_control(&self) -> bool {
        self.security.required()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held leaves a state that is still consistent (plain values).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs a command for this connection: authentication and user management here, everything else on
    /// the engine once authorized. `cmd` has no generic fields (`$db`, `lsid`, ...) any more.
    pub(crate) fn run_command(
        &self,
        engine: &Engine,
        owner: &CursorOwner,
        db: &str,
        name: &str,
        mut cmd: Document,
    ) -> Result<Document, CommandError> {
        match name {
            "saslStart" => return self.sasl_start(engine, db, &cmd),
            "saslContinue" => return self.sasl_continue(&cmd),
            "logout" => {
                self.lock().user = None;
                return Ok(doc! {"ok": 1.0});
            }
            "connectionStatus" => return Ok(self.connection_status()),
            "authenticate" => {
                return Err(CommandError::new(
                    ErrorCode::MechanismUnavailable,
                    "Received authentication for mechanism MONGODB-X509 which is not enabled",
                ))
            }
            _ => {}
        }
        self.authorize(engine, db, name, &cmd)?;
        let reply = match name {
            "createUser" => users::create_user(engine, db, &cmd, self.security.iterations),
            "updateUser" => users::update_user(engine, db, &cmd, self.security.iterations),
            "dropUser" => users::drop_user(engine, db, &cmd),
            "dropAllUsersFromDatabase" => users::drop_all_users(engine, db),
            "grantRolesToUser" => users::change_roles(engine, db, &cmd, true),
            "revokeRolesFromUser" => users::change_roles(engine, db, &cmd, false),
            "usersInfo" => return users::users_info(engine, db, &cmd),
            "hello" | "isMaster" | "ismaster" => {
                let mechs = cmd.remove("saslSupportedMechs");
                let speculative = cmd.remove("speculativeAuthenticate");
                let mut reply = engine.run_command_as(owner, db, &cmd)?;
                self.decorate_hello(engine, &mut reply, mechs, speculative);
                return Ok(reply);
            }
            "listDatabases" => {
                let mut reply = engine.run_command_as(owner, db, &cmd)?;
                self.narrow_databases(&mut reply);
                return Ok(reply);
            }
            _ => {
                let read_only = matches!(
                    roles::required(name, &cmd),
                    Requirement::Nothing
                        | Requirement::Authenticated
                        | Requirement::Db(roles::FIND)
                        | Requirement::Db(roles::METADATA)
                        | Requirement::Cluster(roles::CLUSTER_MONITOR)
                );
                let reply = engine.run_command_as(owner, db, &cmd);
                if db == users::USERS_DB && !read_only {
                    // A write on admin may have changed admin.system.users.
                    self.security.users_changed();
                }
                return reply;
            }
        };
        self.security.users_changed();
        reply
    }

    /// Whether a `find` on `db.coll` may take the engine's byte path without the checks of
    /// [`Session::run_command`] (they would allow it): no authentication required, or an up-to-date user
    /// with `find` on `db` and `coll` not a protected collection.
    pub(crate) fn may_find_directly(&self, db: &str, coll: &str) -> bool {
        if !self.security.required {
            return true;
        }
        if roles::is_protected(db, coll) {
            return false;
        }
        let state = self.lock();
        state.user.as_ref().is_some_and(|u| {
            u.version == self.security.version() && u.grants.allows_db(db, roles::FIND)
        })
    }

    /// Refuses the command (13 Unauthorized) unless the connection's user may run it.
    fn authorize(
        &self,
        engine: &Engine,
        db: &str,
        name: &str,
        cmd: &Document,
    ) -> Result<(), CommandError> {
        if !self.security.required {
            return Ok(());
        }
        let req = roles::required(name, cmd);
        if req == Requirement::Nothing {
            return Ok(());
        }
        let Some(grants) = self.current_grants(engine)? else {
            if name == "createUser"
                && db == users::USERS_DB
                && self.loopback
                && !users::any_user(engine)?
            {
                tracing::info!("localhost exception: creating the first user");
                return Ok(());
            }
            return Err(unauthorized(format!(
                "Command {name} requires authentication"
            )));
        };
        let allowed = match req {
            Requirement::Nothing | Requirement::Authenticated => {
                name != "usersInfo"
                    || grants.allows_db(db, roles::USER_ADMIN)
                    || self.only_self(db, cmd)
            }
            Requirement::Db(needed) => {
                grants.allows_db(db, needed)
                    && roles::output_dbs(db, cmd)
                        .iter()
                        .all(|d| grants.allows_db(d, roles::WRITE))
                    && (!roles::touches_protected(db, cmd)
                        || grants.allows_db(db, roles::USER_ADMIN))
                    && (!matches!(name, "createUser" | "updateUser" | "grantRolesToUser")
                        || roles::granted_role_dbs(db, cmd)
                            .iter()
                            .all(|d| grants.allows_db(d, roles::USER_ADMIN)))
            }
            Requirement::Cluster(needed) => grants.allows_cluster(needed),
        };
        if allowed {
            Ok(())
        } else {
            let mut shown = cmd.clone();
            for secret in ["pwd", "payload"] {
                if shown.contains_key(secret) {
                    shown.insert(secret, "xxx");
                }
            }
            Err(unauthorized(format!(
                "not authorized on {db} to execute command {shown}"
            )))
        }
    }

    /// `usersInfo` naming only the connection's own user (allowed without user administration).
    fn only_self(&self, db: &str, cmd: &Document) -> bool {
        let state = self.lock();
        let Some(me) = state.user.as_ref() else {
            return false;
        };
        matches!(users::users_info_targets(db, cmd), Ok(Some(t)) if !t.is_empty() && t.iter().all(|(d, u)| *d == me.db && *u == me.user))
    }

    /// The grants of the connection's user, re-read when the users changed since (`None`: not
    /// authenticated, or the user was dropped).
    fn current_grants(&self, engine: &Engine) -> Result<Option<Grants>, CommandError> {
        let version = self.security.version();
        let (user, db) = {
            let state = self.lock();
            match state.user.as_ref() {
                None => return Ok(None),
                Some(u) if u.version == version => return Ok(Some(u.grants.clone())),
                Some(u) => (u.user.clone(), u.db.clone()),
            }
        };
        let found = users::find_user(engine, &db, &user)?;
        let mut state = self.lock();
        state.user = found.map(|u| Authenticated {
            grants: Grants::of(&u.roles),
            roles: u.roles,
            user: u.user,
            db: u.db,
            version,
        });
        Ok(state.user.as_ref().map(|u| u.grants.clone()))
    }

    /// `saslStart` on `db` (the user's authentication database).
    fn sasl_start(
        &self,
        engine: &Engine,
        db: &str,
        cmd: &Document,
    ) -> Result<Document, CommandError> {
        let mechanism = match cmd.get("mechanism") {
            Some(Bson::String(m)) => m.as_str(),
            _ => {
                return Err(CommandError::new(
                    ErrorCode::IDLFailedToParse,
                    "BSON field 'saslStart.mechanism' is missing but a required field",
                ))
            }
        };
        if mechanism != scram::MECHANISM {
            let msg = if mechanism == "SCRAM-SHA-1" {
                "Unable to use SCRAM-SHA-1 based authentication for user without any SCRAM-SHA-1 credentials registered".to_string()
            } else {
                format!("Received authentication for mechanism {mechanism} which is not enabled")
            };
            return Err(CommandError::new(ErrorCode::MechanismUnavailable, msg));
        }
        let first = ClientFirst::parse(&payload(cmd)?)
            .map_err(|e| CommandError::new(ErrorCode::BadValue, e.to_string()))?;
        let skip_empty = cmd
            .get_document("options")
            .ok()
            .and_then(|o| o.get_bool("skipEmptyExchange").ok())
            .unwrap_or(false);
        let user = users::find_user(engine, db, &first.username)?;
        let Some((user, creds)) = user.and_then(|u| u.credentials.clone().map(|c| (u, c))) else {
            tracing::info!(user = %first.username, db, "authentication failed: no such user");
            self.lock().pending = None;
            return Err(auth_failed());
        };
        let (conv, server_first) = ServerConversation::start(&first, creds, &scram::server_nonce());
        let mut state = self.lock();
        state.next_conversation += 1;
        let id = state.next_conversation;
        state.pending = Some(Pending {
            id,
            user,
            step: Step::Final {
                conv: Box::new(conv),
                skip_empty,
            },
        });
        Ok(
            doc! {"conversationId": id, "done": false, "payload": binary(server_first.into_bytes()), "ok": 1.0},
        )
    }

    /// `saslContinue`: the client's proof, then (without `skipEmptyExchange`) the closing empty message.
    fn sasl_continue(&self, cmd: &Document) -> Result<Document, CommandError> {
        let id = match cmd.get("conversationId") {
            Some(Bson::Int32(n)) => *n,
            Some(Bson::Int64(n)) => i32::try_from(*n).unwrap_or(-1),
            Some(Bson::Double(f)) if f.fract() == 0.0 => *f as i32,
            _ => -1,
        };
        let bytes = payload(cmd)?;
        let mut state = self.lock();
        let Some(pending) = state.pending.take().filter(|p| p.id == id) else {
            return Err(CommandError::new(
                ErrorCode::ProtocolError,
                "No SASL session state found",
            ));
        };
        match pending.step {
            Step::Final { conv, skip_empty } => {
                let server_final = match conv.finish(&bytes) {
                    Ok(f) => f,
                    Err(e) => {
                        tracing::info!(user = %pending.user.user, db = %pending.user.db, "authentication failed: {e}");
                        return Err(auth_failed());
                    }
                };
                let done = skip_empty;
                if done {
                    state.user = Some(self.authenticated(pending.user));
                } else {
                    state.pending = Some(Pending {
                        id,
                        user: pending.user,
                        step: Step::Empty,
                    });
                }
                Ok(
                    doc! {"conversationId": id, "done": done, "payload": binary(server_final.into_bytes()), "ok": 1.0},
                )
            }
            Step::Empty => {
                state.user = Some(self.authenticated(pending.user));
                Ok(
                    doc! {"conversationId": id, "done": true, "payload": binary(Vec::new()), "ok": 1.0},
                )
            }
        }
    }

    fn authenticated(&self, user: users::User) -> Authenticated {
        tracing::info!(user = %user.user, db = %user.db, "authenticated with SCRAM-SHA-256");
        Authenticated {
            grants: Grants::of(&user.roles),
            roles: user.roles,
            user: user.user,
            db: user.db,
            version: self.security.version(),
        }
    }

    fn connection_status(&self) -> Document {
        let state = self.lock();
        let (users, roles): (Vec<Bson>, Vec<Bson>) = match state.user.as_ref() {
            Some(u) => (
                vec![Bson::Document(doc! {"user": &u.user, "db": &u.db})],
                u.roles
                    .iter()
                    .map(|r| Bson::Document(r.to_document()))
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        doc! {"authInfo": {"authenticatedUsers": users, "authenticatedUserRoles": roles}, "ok": 1.0}
    }

    /// `saslSupportedMechs` and `speculativeAuthenticate` answered in a `hello` reply, as mongod does (both
    /// left out when the user is unknown or the speculative exchange fails; the driver then starts over).
    fn decorate_hello(
        &self,
        engine: &Engine,
        reply: &mut Document,
        mechs: Option<Bson>,
        speculative: Option<Bson>,
    ) {
        if let Some(Bson::String(name)) = mechs {
            if let Some((db, user)) = name.split_once('.') {
                if let Ok(Some(u)) = users::find_user(engine, db, user) {
                    let list: Vec<Bson> = u
                        .credentials
                        .iter()
                        .map(|_| Bson::String(scram::MECHANISM.to_string()))
                        .collect();
                    reply.insert("saslSupportedMechs", list);
                }
            }
        }
        if let Some(Bson::Document(spec)) = speculative {
            let db = spec.get_str("db").unwrap_or("admin").to_string();
            if spec.contains_key("saslStart") {
                match self.sasl_start(engine, &db, &spec) {
                    Ok(mut r) => {
                        r.remove("ok");
                        reply.insert("speculativeAuthenticate", r);
                    }
                    Err(e) => tracing::debug!("speculative authentication failed: {}", e.errmsg),
                }
            }
        }
    }

    /// `listDatabases` for a user who may not see them all: only the databases it has a role on.
    fn narrow_databases(&self, reply: &mut Document) {
        if !self.security.required {
            return;
        }
        let state = self.lock();
        let Some(u) = state.user.as_ref() else {
            return;
        };
        if u.grants.sees_all_databases() {
            return;
        }
        if let Ok(dbs) = reply.get_array_mut("databases") {
            dbs.retain(|d| {
                d.as_document()
                    .and_then(|d| d.get_str("name").ok())
                    .is_some_and(|n| u.grants.has_any_on(n))
            });
        }
    }
}
