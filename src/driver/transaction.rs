//! SQL transaction blocks (`BEGIN` ... `COMMIT` / `ROLLBACK`) on a backend's transactions, with
//! PostgreSQL's rules: after an error inside the block every statement fails with "current transaction is
//! aborted, commands ignored until end of transaction block" until `ROLLBACK` (a `COMMIT` then rolls
//! back); `BEGIN` inside a block and `COMMIT` / `ROLLBACK` outside one only warn.
//!
//! A backend that has transactions keeps a [`TxnBlock`] and adds its session fields to the commands a
//! transaction may run (`join`); catalog reads (`listCollections`, `listIndexes`, ...) run outside it.

use bson::{doc, Bson, Document};

/// Where a backend's transaction block stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TxnState {
    /// No block: every statement commits by itself.
    #[default]
    Idle,
    /// Inside a block.
    Active,
    /// Inside a block that met an error: only `ROLLBACK` / `COMMIT` end it.
    Failed,
}

/// PostgreSQL's message for a statement inside a failed block (SQLSTATE 25P02).
pub const ABORTED_MESSAGE: &str =
    "current transaction is aborted, commands ignored until end of transaction block";

/// The commands that run outside a transaction even inside a block: catalog reads and server commands
/// (mongod refuses them in a transaction; the client reads the catalog before each statement).
const OUTSIDE: &[&str] = &[
    "listCollections",
    "listIndexes",
    "listDatabases",
    "dbStats",
    "collStats",
    "hello",
    "isMaster",
    "ismaster",
    "ping",
    "buildInfo",
    "serverStatus",
    "getParameter",
    "setParameter",
    "sqlmongoRunTTLMonitor",
    "currentOp",
    "killOp",
    "endSessions",
];

/// Whether a command joins the open transaction.
pub fn joins(command: &Document) -> bool {
    command
        .keys()
        .next()
        .is_some_and(|name| !OUTSIDE.contains(&name.as_str()))
}

/// The commands a plan may run inside one transaction (mongod's list of commands allowed in one, without
/// `$out` / `$merge`): a multi-step plan made only of these runs atomically on a backend with
/// transactions.
pub fn plan_fits_transaction(commands: &[Document]) -> bool {
    commands.iter().all(|c| {
        match c.keys().next().map(String::as_str) {
        Some("find" | "insert" | "update" | "delete" | "findAndModify" | "distinct") => true,
        Some("aggregate") => match c.get("pipeline") {
            Some(Bson::Array(stages)) => !stages.iter().any(|s| {
                matches!(s, Bson::Document(d) if d.contains_key("$out") || d.contains_key("$merge"))
            }),
            _ => true,
        },
        _ => false,
    }
    })
}

/// The transaction block of the embedded backend: a logical session of its own, and the transaction
/// number of the open block.
#[derive(Debug)]
pub struct TxnBlock {
    lsid: Document,
    number: i64,
    state: TxnState,
    /// Whether the block's first command (which carries `startTransaction`) has been sent.
    started: bool,
}

impl Default for TxnBlock {
    fn default() -> Self {
        TxnBlock {
            lsid: doc! {"id": bson::Binary {
                subtype: bson::spec::BinarySubtype::Uuid,
                bytes: bson::Uuid::new().bytes().to_vec(),
            }},
            number: 0,
            state: TxnState::Idle,
            started: false,
        }
    }
}

impl TxnBlock {
    /// Where the block stands.
    pub fn state(&self) -> TxnState {
        self.state
    }

    /// Opens a block (the next transaction number).
    pub fn begin(&mut self) {
        self.number += 1;
        self.state = TxnState::Active;
        self.started = false;
    }

    /// Marks an open block failed.
    pub fn fail(&mut self) {
        if self.state == TxnState::Active {
            self.state = TxnState::Failed;
        }
    }

    /// Adds the session fields to a command that joins the open block.
    pub fn attach(&mut self, mut command: Document) -> Document {
        if self.state == TxnState::Idle || !joins(&command) {
            return command;
        }
        command.insert("lsid", self.lsid.clone());
        command.insert("txnNumber", self.number);
        command.insert("autocommit", false);
        if !self.started {
            command.insert("startTransaction", true);
            self.started = true;
        }
        command
    }

    /// Closes the block: the `commitTransaction` / `abortTransaction` command to send on `admin`, if the
    /// block ran anything (a block that ran nothing has nothing to end).
    pub fn end(&mut self, commit: bool) -> Option<Document> {
        let ran = self.started;
        self.state = TxnState::Idle;
        self.started = false;
        ran.then(|| {
            let mut cmd = if commit {
                doc! {"commitTransaction": 1}
            } else {
                doc! {"abortTransaction": 1}
            };
            cmd.insert("lsid", self.lsid.clone());
            cmd.insert("txnNumber", self.number);
            cmd.insert("autocommit", false);
            cmd
        })
    }
}
