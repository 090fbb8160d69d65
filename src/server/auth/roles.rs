//! Built-in roles and what each command needs, in mongod's terms reduced to a few action groups.
//!
//! A role is `{role, db}`. The database roles (`read`, `readWrite`, `dbAdmin`, `userAdmin`, `dbOwner`) grant
//! their actions on their own database; the `admin`-only roles (`readAnyDatabase`, `readWriteAnyDatabase`,
//! `dbAdminAnyDatabase`, `userAdminAnyDatabase`, `clusterMonitor`, `clusterAdmin`, `root`) grant them on every
//! database or on the cluster. Each command needs a set of actions ([`required`]); commands this table does
//! not know need `root` (a command added to the engine later is never open by accident).

use bson::{Bson, Document};

/// `find`, `aggregate`, `count`, `distinct`, `getMore`, `killCursors`, `explain`.
pub const FIND: u16 = 1;
/// `insert`, `update`, `delete`, `findAndModify`, `$out` / `$merge`.
pub const WRITE: u16 = 1 << 1;
/// `create`, `drop`, `createIndexes`, `dropIndexes` (readWrite and dbAdmin both have them).
pub const DDL: u16 = 1 << 2;
/// `collMod`, `dropDatabase` (dbAdmin only).
pub const DB_ADMIN: u16 = 1 << 3;
/// `listCollections`, `listIndexes`, `dbStats`, `collStats`.
pub const METADATA: u16 = 1 << 4;
/// User management: `createUser`, `dropUser`, `updateUser`, `usersInfo`, grants; `admin.system.users`.
pub const USER_ADMIN: u16 = 1 << 5;
/// `serverStatus`, `hostInfo`, `getCmdLineOpts`, `getLog`, `getParameter`, `listDatabases` in full.
pub const CLUSTER_MONITOR: u16 = 1 << 6;
/// Anything else (commands this table does not name).
pub const CLUSTER_ADMIN: u16 = 1 << 7;

const DB_ALL: u16 = FIND | WRITE | DDL | DB_ADMIN | METADATA | USER_ADMIN;

/// What one command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Allowed before authentication (handshake, authentication itself, `ping`, `buildInfo`, ...).
    Nothing,
    /// Any authenticated user (the reply may be narrowed to what the user may see).
    Authenticated,
    /// All of these actions on the command's database.
    Db(u16),
    /// All of these actions on the cluster.
    Cluster(u16),
}

/// The actions a built-in role grants: `(on its own database, on every database, on the cluster)`;
/// `None` for a name that is not a built-in role on that database.
fn role_actions(role: &str, db: &str) -> Option<(u16, u16, u16)> {
    let db_role = match role {
        "read" => Some(FIND | METADATA),
        "readWrite" => Some(FIND | METADATA | WRITE | DDL),
        "dbAdmin" => Some(METADATA | DDL | DB_ADMIN),
        "userAdmin" => Some(USER_ADMIN),
        "dbOwner" => Some(DB_ALL),
        _ => None,
    };
    if let Some(a) = db_role {
        return Some((a, 0, 0));
    }
    if db != "admin" {
        return None;
    }
    Some(match role {
        "readAnyDatabase" => (0, FIND | METADATA, 0),
        "readWriteAnyDatabase" => (0, FIND | METADATA | WRITE | DDL, 0),
        "dbAdminAnyDatabase" => (0, METADATA | DDL | DB_ADMIN, 0),
        "userAdminAnyDatabase" => (0, USER_ADMIN, 0),
        "clusterMonitor" => (0, 0, CLUSTER_MONITOR),
        "clusterAdmin" => (0, 0, CLUSTER_MONITOR | CLUSTER_ADMIN),
        "root" => (0, DB_ALL, CLUSTER_MONITOR | CLUSTER_ADMIN),
        _ => return None,
    })
}

/// Whether `role` is a built-in role that exists on database `db` (the `AnyDatabase` roles, `clusterAdmin`,
/// `clusterMonitor` and `root` exist on `admin` only).
pub fn is_builtin(role: &str, db: &str) -> bool {
    role_actions(role, db).is_some()
}

/// A role as stored in a user document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRef {
    /// The role's name.
    pub role: String,
    /// The database it is defined on.
    pub db: String,
}

impl RoleRef {
    /// `{role, db}`.
    pub fn to_document(&self) -> Document {
        bson::doc! {"role": &self.role, "db": &self.db}
    }

    /// Reads `{role, db}`; `None` when either is missing.
    pub fn from_bson(b: &Bson) -> Option<RoleRef> {
        let d = b.as_document()?;
        Some(RoleRef {
            role: d.get_str("role").ok()?.to_string(),
            db: d.get_str("db").ok()?.to_string(),
        })
    }
}

/// What a set of roles allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    per_db: Vec<(String, u16)>,
    any_db: u16,
    cluster: u16,
}

impl Grants {
    /// The union of the roles' actions (roles that are not built-in grant nothing).
    pub fn of(roles: &[RoleRef]) -> Grants {
        let mut g = Grants::default();
        for r in roles {
            let Some((own, any, cluster)) = role_actions(&r.role, &r.db) else {
                continue;
            };
            if own != 0 {
                match g.per_db.iter_mut().find(|(d, _)| *d == r.db) {
                    Some((_, a)) => *a |= own,
                    None => g.per_db.push((r.db.clone(), own)),
                }
            }
            g.any_db |= any;
            g.cluster |= cluster;
        }
        g
    }

    /// The actions granted on database `db`.
    pub fn on_db(&self, db: &str) -> u16 {
        self.any_db
            | self
                .per_db
                .iter()
                .find(|(d, _)| d == db)
                .map_or(0, |(_, a)| *a)
    }

    /// Whether every action of `needed` is granted on `db`.
    pub fn allows_db(&self, db: &str, needed: u16) -> bool {
        self.on_db(db) & needed == needed
    }

    /// Whether every action of `needed` is granted on the cluster.
    pub fn allows_cluster(&self, needed: u16) -> bool {
        self.cluster & needed == needed
    }

    /// Whether the user may see every database in `listDatabases` (else only those it has a role on).
    pub fn sees_all_databases(&self) -> bool {
        self.cluster & CLUSTER_MONITOR != 0 || self.any_db & (FIND | METADATA) != 0
    }

    /// Whether the user has any action on database `db` (what `listDatabases` shows it).
    pub fn has_any_on(&self, db: &str) -> bool {
        self.on_db(db) != 0
    }
}

/// The collections a protected namespace check looks at: `admin.system.users` (the users, with their
/// SCRAM keys) and `admin.system.version` need user administration on `admin`.
pub fn is_protected(db: &str, coll: &str) -> bool {
    db == "admin" && matches!(coll, "system.users" | "system.version")
}

/// Whether a command on `db` reaches a protected collection: its target, or any string of the command equal
/// to a protected collection's name (a `$lookup` / `$unionWith` / `$graphLookup` source, a view's `viewOn`),
/// so that no other command reads or changes the users behind the user commands' back. Conservative: a
/// document written to `admin` holding such a string needs user administration too. Iterative (no
/// recursion on a deeply nested command).
pub fn touches_protected(db: &str, cmd: &Document) -> bool {
    if db != "admin" {
        return false;
    }
    let mut stack: Vec<&Bson> = cmd.values().collect();
    while let Some(v) = stack.pop() {
        match v {
            Bson::String(s) if is_protected(db, s) => return true,
            Bson::Document(d) => stack.extend(d.values()),
            Bson::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    false
}

/// The databases whose roles a user command hands out (`roles: ["read", {role, db}]` of `createUser`,
/// `updateUser`, `grantRolesToUser`): granting a role needs user administration on the role's database.
pub fn granted_role_dbs<'a>(db: &'a str, cmd: &'a Document) -> Vec<&'a str> {
    let mut dbs: Vec<&str> = Vec::new();
    if let Ok(roles) = cmd.get_array("roles") {
        for r in roles {
            let d = match r {
                Bson::Document(d) => d.get_str("db").unwrap_or(db),
                _ => db,
            };
            if !dbs.contains(&d) {
                dbs.push(d);
            }
        }
    }
    dbs
}

/// Whether an aggregation pipeline writes (`$out` or `$merge`).
fn pipeline_writes(cmd: &Document) -> bool {
    cmd.get_array("pipeline").is_ok_and(|p| {
        p.iter().any(|s| {
            s.as_document()
                .is_some_and(|d| d.contains_key("$out") || d.contains_key("$merge"))
        })
    })
}

/// The other databases an aggregation writes to: `$out: {db, coll}` and `$merge: {into: {db, coll}}` naming a
/// database other than `db` (writing there needs the write actions there too).
pub fn output_dbs<'a>(db: &str, cmd: &'a Document) -> Vec<&'a str> {
    let mut dbs = Vec::new();
    let Ok(p) = cmd.get_array("pipeline") else {
        return dbs;
    };
    for stage in p.iter().filter_map(Bson::as_document) {
        let target = match (stage.get("$out"), stage.get("$merge")) {
            (Some(Bson::Document(d)), _) => d.get_str("db").ok(),
            (_, Some(Bson::Document(d))) => d
                .get_document("into")
                .ok()
                .and_then(|i| i.get_str("db").ok()),
            _ => None,
        };
        if let Some(t) = target.filter(|t| *t != db) {
            dbs.push(t);
        }
    }
    dbs
}

/// What command `name` (the document `cmd`) needs.
pub fn required(name: &str, cmd: &Document) -> Requirement {
    use Requirement::*;
    match name {
        "hello" | "isMaster" | "ismaster" | "saslStart" | "saslContinue" | "authenticate"
        | "logout" | "ping" | "buildInfo" | "buildinfo" | "connectionStatus" | "whatsmyuri"
        | "getnonce" | "endSessions" => Nothing,
        "listDatabases" | "killSessions" | "refreshSessions" | "usersInfo" | "startSession"
        | "commitTransaction" | "abortTransaction" => Authenticated,
        "find" | "getMore" | "killCursors" | "count" | "distinct" | "explain" => Db(FIND),
        "aggregate" if pipeline_writes(cmd) => Db(FIND | WRITE),
        "aggregate" => Db(FIND),
        "insert" | "update" | "delete" => Db(WRITE),
        "findAndModify" | "findandmodify" => Db(FIND | WRITE),
        "create" | "drop" | "createIndexes" | "dropIndexes" | "deleteIndexes" => Db(DDL),
        "collMod" | "dropDatabase" => Db(DB_ADMIN),
        "listCollections" | "listIndexes" | "dbStats" | "collStats" => Db(METADATA),
        "createUser"
        | "dropUser"
        | "updateUser"
        | "grantRolesToUser"
        | "revokeRolesFromUser"
        | "dropAllUsersFromDatabase" => Db(USER_ADMIN),
        "serverStatus" | "hostInfo" | "getCmdLineOpts" | "getLog" | "getParameter" => {
            Cluster(CLUSTER_MONITOR)
        }
        _ => Cluster(CLUSTER_ADMIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn r(role: &str, db: &str) -> RoleRef {
        RoleRef {
            role: role.into(),
            db: db.into(),
        }
    }

    #[test]
    fn database_roles_stay_on_their_database() {
        let g = Grants::of(&[r("read", "app"), r("readWrite", "logs")]);
        assert!(g.allows_db("app", FIND));
        assert!(!g.allows_db("app", WRITE));
        assert!(g.allows_db("logs", FIND | WRITE | DDL));
        assert!(!g.allows_db("logs", DB_ADMIN));
        assert!(!g.allows_db("other", FIND));
        assert!(!g.allows_cluster(CLUSTER_MONITOR));
        assert!(!g.sees_all_databases());
    }

    #[test]
    fn admin_roles_reach_every_database() {
        let g = Grants::of(&[r("readAnyDatabase", "admin")]);
        assert!(g.allows_db("anything", FIND | METADATA));
        assert!(!g.allows_db("anything", WRITE));
        let root = Grants::of(&[r("root", "admin")]);
        assert!(root.allows_db("x", DB_ALL));
        assert!(root.allows_cluster(CLUSTER_ADMIN | CLUSTER_MONITOR));
        // Not built in anywhere but admin.
        assert!(!is_builtin("root", "app"));
        assert_eq!(Grants::of(&[r("root", "app")]), Grants::default());
        assert!(is_builtin("dbAdmin", "app"));
        assert!(!is_builtin("nosuchrole", "admin"));
    }

    #[test]
    fn dbadmin_cannot_read_documents() {
        let g = Grants::of(&[r("dbAdmin", "app")]);
        assert!(g.allows_db("app", DDL | DB_ADMIN | METADATA));
        assert!(!g.allows_db("app", FIND));
    }

    #[test]
    fn command_requirements() {
        assert_eq!(required("hello", &doc! {}), Requirement::Nothing);
        assert_eq!(required("find", &doc! {}), Requirement::Db(FIND));
        assert_eq!(
            required(
                "aggregate",
                &doc! {"aggregate": "c", "pipeline": [{"$out": "d"}]}
            ),
            Requirement::Db(FIND | WRITE)
        );
        assert_eq!(
            required(
                "aggregate",
                &doc! {"aggregate": "c", "pipeline": [{"$match": {}}]}
            ),
            Requirement::Db(FIND)
        );
        assert_eq!(required("insert", &doc! {}), Requirement::Db(WRITE));
        assert_eq!(
            required("createUser", &doc! {}),
            Requirement::Db(USER_ADMIN)
        );
        assert_eq!(
            required("shutdown", &doc! {}),
            Requirement::Cluster(CLUSTER_ADMIN)
        );
    }

    #[test]
    fn protected_collections_are_found_anywhere_in_an_admin_command() {
        let lookup = doc! {"aggregate": "x", "pipeline": [{"$lookup": {"from": "system.users", "as": "u", "pipeline": []}}]};
        assert!(touches_protected("admin", &lookup));
        let out = doc! {"aggregate": "x", "pipeline": [{"$out": {"db": "other", "coll": "y"}}]};
        assert_eq!(output_dbs("app", &out), ["other"]);
        let merge =
            doc! {"aggregate": "x", "pipeline": [{"$merge": {"into": {"db": "app", "coll": "y"}}}]};
        assert!(output_dbs("app", &merge).is_empty());
        assert!(!touches_protected("app", &lookup));
        assert!(touches_protected(
            "admin",
            &doc! {"create": "v", "viewOn": "system.users"}
        ));
        assert!(touches_protected("admin", &doc! {"find": "system.version"}));
        assert!(!touches_protected(
            "admin",
            &doc! {"find": "other", "filter": {"a": "system"}}
        ));
    }

    #[test]
    fn granted_roles_name_their_databases() {
        let cmd = doc! {"createUser": "u", "roles": ["read", {"role": "root", "db": "admin"}, "readWrite"]};
        assert_eq!(granted_role_dbs("app", &cmd), vec!["app", "admin"]);
        assert!(granted_role_dbs("app", &doc! {"dropUser": "u"}).is_empty());
    }
}
