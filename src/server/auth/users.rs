//! Users as documents in `admin.system.users`, where mongod keeps them, and the user-management commands
//! (`createUser`, `updateUser`, `dropUser`, `dropAllUsersFromDatabase`, `usersInfo`, `grantRolesToUser`,
//! `revokeRolesFromUser`) run on them through the engine.
//!
//! A user document: `{_id: "db.user", userId: UUID, user, db, credentials: {"SCRAM-SHA-256": {iterationCount,
//! salt, storedKey, serverKey}}, roles: [{role, db}], customData?}`. Passwords are never stored; the SCRAM
//! keys are derived at `createUser` / `updateUser` (SASLprep, PBKDF2). Because the users are ordinary
//! documents of an ordinary collection, they are kept wherever the engine keeps its collections.

use super::roles::{self, RoleRef};
use super::scram::{self, Credentials, ScramError};
use crate::command_error::CommandError;
use crate::command_error::ErrorCode;
use crate::engine::Engine;
use bson::{doc, Bson, Document};
use rand::RngCore;

/// The database and collection holding the users.
pub const USERS_DB: &str = "admin";
/// See [`USERS_DB`].
pub const USERS_COLL: &str = "system.users";

/// A user as authentication needs it.
#[derive(Debug, Clone)]
pub struct User {
    /// The user name.
    pub user: String,
    /// The database the user is defined on (the authentication database).
    pub db: String,
    /// The SCRAM-SHA-256 verifier, if the user has one.
    pub credentials: Option<Credentials>,
    /// The user's roles.
    pub roles: Vec<RoleRef>,
}

impl User {
    fn from_document(d: &Document) -> Option<User> {
        Some(User {
            user: d.get_str("user").ok()?.to_string(),
            db: d.get_str("db").ok()?.to_string(),
            credentials: d
                .get_document("credentials")
                .ok()
                .and_then(|c| c.get_document(scram::MECHANISM).ok())
                .and_then(Credentials::from_document),
            roles: d
                .get_array("roles")
                .map(|a| a.iter().filter_map(RoleRef::from_bson).collect())
                .unwrap_or_default(),
        })
    }
}

fn user_id(db: &str, user: &str) -> String {
    format!("{db}.{user}")
}

fn user_not_found(user: &str, db: &str) -> CommandError {
    CommandError::new(
        ErrorCode::UserNotFound,
        format!("User '{user}@{db}' not found"),
    )
}

fn bad_value(msg: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::BadValue, msg)
}

/// The user documents matching `filter`, by `_id`.
fn find_users(engine: &Engine, filter: Document) -> Result<Vec<Document>, CommandError> {
    let reply = engine.run_command(
        USERS_DB,
        &doc! {"find": USERS_COLL, "filter": filter, "sort": {"_id": 1}, "batchSize": i32::MAX, "singleBatch": true},
    )?;
    Ok(reply
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get_array("firstBatch").ok())
        .map(|b| b.iter().filter_map(|d| d.as_document().cloned()).collect())
        .unwrap_or_default())
}

/// Looks a user up (`None`: no such user).
pub fn find_user(engine: &Engine, db: &str, user: &str) -> Result<Option<User>, CommandError> {
    Ok(find_users(engine, doc! {"_id": user_id(db, user)})?
        .first()
        .and_then(User::from_document))
}

/// Whether any user exists (mongod's localhost exception applies while none does).
pub fn any_user(engine: &Engine) -> Result<bool, CommandError> {
    let reply = engine.run_command(
        USERS_DB,
        &doc! {"find": USERS_COLL, "limit": 1, "singleBatch": true},
    )?;
    Ok(reply
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get_array("firstBatch").ok())
        .is_some_and(|b| !b.is_empty()))
}

/// The write's error, if the reply carries one (`writeErrors`), as a command error.
fn write_result(reply: Document) -> Result<Document, CommandError> {
    if let Some(Bson::Document(e)) = reply.get_array("writeErrors").ok().and_then(|a| a.first()) {
        return Err(CommandError::new(
            ErrorCode::location(e.get_i32("code").unwrap_or(1)),
            e.get_str("errmsg").unwrap_or("write failed").to_string(),
        ));
    }
    Ok(reply)
}

/// The `roles` argument: names (on the command's database) or `{role, db}` documents, each a built-in role.
fn parse_roles(value: &Bson, db: &str, field: &str) -> Result<Vec<RoleRef>, CommandError> {
    let Bson::Array(items) = value else {
        return Err(CommandError::type_mismatch(format!(
            "BSON field '{field}' is the wrong type '{}', expected type 'array'",
            super::type_name(value)
        )));
    };
    let mut out: Vec<RoleRef> = Vec::with_capacity(items.len());
    for item in items {
        let r = match item {
            Bson::String(name) => RoleRef {
                role: name.clone(),
                db: db.to_string(),
            },
            Bson::Document(_) => RoleRef::from_bson(item).ok_or_else(|| {
                bad_value(
                    "role names must be either strings or objects with 'role' and 'db' fields",
                )
            })?,
            _ => {
                return Err(bad_value(
                    "role names must be either strings or objects with 'role' and 'db' fields",
                ))
            }
        };
        if !roles::is_builtin(&r.role, &r.db) {
            return Err(CommandError::new(
                ErrorCode::RoleNotFound,
                format!("Could not find role: {}@{}", r.role, r.db),
            ));
        }
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// The user name argument (`{createUser: "name"}`).
fn name_arg<'a>(cmd: &'a Document, key: &str) -> Result<&'a str, CommandError> {
    match cmd.get(key) {
        Some(Bson::String(s)) if !s.is_empty() => Ok(s),
        Some(Bson::String(_)) => Err(bad_value("User name must not be empty")),
        Some(v) => Err(CommandError::type_mismatch(format!(
            "BSON field '{key}' is the wrong type '{}', expected type 'string'",
            super::type_name(v)
        ))),
        None => Err(CommandError::failed_to_parse(format!("missing '{key}'"))),
    }
}

/// The `pwd` argument as SCRAM-SHA-256 credentials, refusing the mechanisms sqlmongo does not keep.
fn credentials_arg(cmd: &Document, iterations: u32) -> Result<Option<Credentials>, CommandError> {
    if let Some(m) = cmd.get("mechanisms") {
        let ok = m.as_array().is_some_and(|a| {
            !a.is_empty() && a.iter().all(|x| x.as_str() == Some(scram::MECHANISM))
        });
        if !ok {
            return Err(bad_value(
                "mechanisms: sqlmongo serve supports only [\"SCRAM-SHA-256\"] (SCRAM-SHA-1 credentials are not kept)",
            ));
        }
    }
    if cmd.get_bool("digestPassword").ok() == Some(false) {
        return Err(bad_value(
            "Use of SCRAM-SHA-256 requires undigested passwords",
        ));
    }
    let pwd = match cmd.get("pwd") {
        None => return Ok(None),
        Some(Bson::String(s)) => s,
        Some(v) => {
            return Err(CommandError::type_mismatch(format!(
                "BSON field 'pwd' is the wrong type '{}', expected type 'string'",
                super::type_name(v)
            )))
        }
    };
    if pwd.is_empty() {
        return Err(bad_value("Password cannot be empty"));
    }
    Credentials::generate(pwd, iterations)
        .map(Some)
        .map_err(|e| match e {
            ScramError::Prep(m) => {
                bad_value(format!("Error preparing the password with SASLprep: {m}"))
            }
            other => CommandError::new(ErrorCode::InternalError, other.to_string()),
        })
}

fn custom_data_arg(cmd: &Document) -> Result<Option<Document>, CommandError> {
    match cmd.get("customData") {
        None => Ok(None),
        Some(Bson::Document(d)) => Ok(Some(d.clone())),
        Some(v) => Err(CommandError::type_mismatch(format!(
            "BSON field 'customData' is the wrong type '{}', expected type 'object'",
            super::type_name(v)
        ))),
    }
}

/// `createUser` on database `db`.
pub fn create_user(
    engine: &Engine,
    db: &str,
    cmd: &Document,
    iterations: u32,
) -> Result<Document, CommandError> {
    let user = name_arg(cmd, "createUser")?;
    let roles = match cmd.get("roles") {
        Some(v) => parse_roles(v, db, "roles")?,
        None => {
            return Err(CommandError::new(
                ErrorCode::IDLFailedToParse,
                "BSON field 'createUser.roles' is missing but a required field",
            ))
        }
    };
    let custom = custom_data_arg(cmd)?;
    if find_user(engine, db, user)?.is_some() {
        return Err(CommandError::location(
            51003,
            format!("User \"{user}@{db}\" already exists"),
        ));
    }
    let creds = credentials_arg(cmd, iterations)?.ok_or_else(|| {
        bad_value("Must provide a 'pwd' field for all user documents, except those with '$external' as the user's source db")
    })?;
    let mut uuid = [0u8; 16];
    rand::rng().fill_bytes(&mut uuid);
    uuid[6] = (uuid[6] & 0x0f) | 0x40;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
    let mut d = doc! {
        "_id": user_id(db, user),
        "userId": bson::Binary { subtype: bson::spec::BinarySubtype::Uuid, bytes: uuid.to_vec() },
        "user": user,
        "db": db,
        "credentials": { scram::MECHANISM: creds.to_document() },
        "roles": roles.iter().map(|r| Bson::Document(r.to_document())).collect::<Vec<_>>(),
    };
    if let Some(c) = custom {
        d.insert("customData", c);
    }
    let reply = engine.run_command(USERS_DB, &doc! {"insert": USERS_COLL, "documents": [d]})?;
    write_result(reply).map_err(|e| {
        if e.code == 11000 {
            CommandError::location(51003, format!("User \"{user}@{db}\" already exists"))
        } else {
            e
        }
    })?;
    Ok(doc! {"ok": 1.0})
}

/// Applies `update` to the user's document; `UserNotFound` when there is none.
fn update_user_doc(
    engine: &Engine,
    db: &str,
    user: &str,
    update: Document,
) -> Result<(), CommandError> {
    let reply = engine.run_command(
        USERS_DB,
        &doc! {"update": USERS_COLL, "updates": [{"q": {"_id": user_id(db, user)}, "u": update}]},
    )?;
    let reply = write_result(reply)?;
    if reply.get_i32("n").unwrap_or(0) == 0 {
        return Err(user_not_found(user, db));
    }
    Ok(())
}

/// `updateUser`: a new password, new roles, new custom data.
pub fn update_user(
    engine: &Engine,
    db: &str,
    cmd: &Document,
    iterations: u32,
) -> Result<Document, CommandError> {
    let user = name_arg(cmd, "updateUser")?;
    let mut set = Document::new();
    if let Some(v) = cmd.get("roles") {
        let roles = parse_roles(v, db, "roles")?;
        set.insert(
            "roles",
            roles
                .iter()
                .map(|r| Bson::Document(r.to_document()))
                .collect::<Vec<_>>(),
        );
    }
    if let Some(c) = custom_data_arg(cmd)? {
        set.insert("customData", c);
    }
    if find_user(engine, db, user)?.is_none() {
        return Err(user_not_found(user, db));
    }
    if let Some(creds) = credentials_arg(cmd, iterations)? {
        set.insert(
            "credentials",
            doc! { scram::MECHANISM: creds.to_document() },
        );
    }
    if set.is_empty() {
        return Err(bad_value(
            "Must specify at least one field to update in updateUser",
        ));
    }
    update_user_doc(engine, db, user, doc! {"$set": set})?;
    Ok(doc! {"ok": 1.0})
}

/// `grantRolesToUser` (`grant = true`) and `revokeRolesFromUser`.
pub fn change_roles(
    engine: &Engine,
    db: &str,
    cmd: &Document,
    grant: bool,
) -> Result<Document, CommandError> {
    let key = if grant {
        "grantRolesToUser"
    } else {
        "revokeRolesFromUser"
    };
    let user = name_arg(cmd, key)?;
    let roles = parse_roles(
        cmd.get("roles").unwrap_or(&Bson::Null),
        db,
        &format!("{key}.roles"),
    )?;
    let existing = find_user(engine, db, user)?.ok_or_else(|| user_not_found(user, db))?;
    let mut now = existing.roles;
    if grant {
        for r in roles {
            if !now.contains(&r) {
                now.push(r);
            }
        }
    } else {
        now.retain(|r| !roles.contains(r));
    }
    let now: Vec<Bson> = now
        .iter()
        .map(|r| Bson::Document(r.to_document()))
        .collect();
    update_user_doc(engine, db, user, doc! {"$set": {"roles": now}})?;
    Ok(doc! {"ok": 1.0})
}

/// `dropUser`.
pub fn drop_user(engine: &Engine, db: &str, cmd: &Document) -> Result<Document, CommandError> {
    let user = name_arg(cmd, "dropUser")?;
    let reply = engine.run_command(
        USERS_DB,
        &doc! {"delete": USERS_COLL, "deletes": [{"q": {"_id": user_id(db, user)}, "limit": 1}]},
    )?;
    if write_result(reply)?.get_i32("n").unwrap_or(0) == 0 {
        return Err(user_not_found(user, db));
    }
    Ok(doc! {"ok": 1.0})
}

/// `dropAllUsersFromDatabase`: `{n}` users removed.
pub fn drop_all_users(engine: &Engine, db: &str) -> Result<Document, CommandError> {
    let reply = engine.run_command(
        USERS_DB,
        &doc! {"delete": USERS_COLL, "deletes": [{"q": {"db": db}, "limit": 0}]},
    )?;
    let n = write_result(reply)?.get_i32("n").unwrap_or(0);
    Ok(doc! {"n": n, "ok": 1.0})
}

/// The users `usersInfo` names: `(db, user)` pairs, or `None` for "every user of the database" (`1`).
pub fn users_info_targets(
    db: &str,
    cmd: &Document,
) -> Result<Option<Vec<(String, String)>>, CommandError> {
    fn one(db: &str, v: &Bson) -> Result<(String, String), CommandError> {
        match v {
            Bson::String(u) => Ok((db.to_string(), u.clone())),
            Bson::Document(d) => match (d.get_str("user"), d.get_str("db")) {
                (Ok(u), Ok(d)) => Ok((d.to_string(), u.to_string())),
                _ => Err(bad_value(
                    "User name must be either a string or an object with 'user' and 'db' fields",
                )),
            },
            _ => Err(bad_value(
                "User name must be either a string or an object with 'user' and 'db' fields",
            )),
        }
    }
    match cmd.get("usersInfo") {
        Some(Bson::Int32(1)) | Some(Bson::Int64(1)) => Ok(None),
        Some(Bson::Double(f)) if *f == 1.0 => Ok(None),
        Some(Bson::Array(a)) => a
            .iter()
            .map(|v| one(db, v))
            .collect::<Result<_, _>>()
            .map(Some),
        Some(v @ (Bson::String(_) | Bson::Document(_))) => Ok(Some(vec![one(db, v)?])),
        _ => Err(bad_value(
            "usersInfo: expected 1, a user name, a {user, db} document, or an array of them",
        )),
    }
}

/// `usersInfo`: the users' documents as mongod shows them (`mechanisms` added; the credentials only with
/// `showCredentials: true`).
pub fn users_info(engine: &Engine, db: &str, cmd: &Document) -> Result<Document, CommandError> {
    let filter = match users_info_targets(db, cmd)? {
        None if db == USERS_DB && cmd.get_bool("forAllDBs").ok() == Some(true) => doc! {},
        None => doc! {"db": db},
        Some(targets) => {
            let ids: Vec<Bson> = targets
                .iter()
                .map(|(d, u)| Bson::String(user_id(d, u)))
                .collect();
            doc! {"_id": {"$in": ids}}
        }
    };
    let show_credentials = cmd.get_bool("showCredentials").ok() == Some(true);
    let users: Vec<Bson> = find_users(engine, filter)?
        .into_iter()
        .map(|mut d| {
            let creds = d.remove("credentials");
            let mechanisms: Vec<Bson> = creds
                .as_ref()
                .and_then(|c| c.as_document())
                .map(|c| c.keys().map(|k| Bson::String(k.clone())).collect())
                .unwrap_or_default();
            if show_credentials {
                if let Some(c) = creds {
                    d.insert("credentials", c);
                }
            }
            d.insert("mechanisms", mechanisms);
            Bson::Document(d)
        })
        .collect();
    Ok(doc! {"users": users, "ok": 1.0})
}

/// Creates `user` on `admin` with the `root` role unless a user of that name exists (the bootstrap of
/// `SQLMONGO_ROOT_USERNAME` / `SQLMONGO_ROOT_PASSWORD`); `true` when it was created.
pub fn ensure_root_user(
    engine: &Engine,
    user: &str,
    password: &str,
    iterations: u32,
) -> Result<bool, CommandError> {
    if find_user(engine, USERS_DB, user)?.is_some() {
        return Ok(false);
    }
    create_user(
        engine,
        USERS_DB,
        &doc! {"createUser": user, "pwd": password, "roles": [{"role": "root", "db": "admin"}]},
        iterations,
    )?;
    Ok(true)
}
