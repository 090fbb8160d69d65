//! Plans: the commands for each SQL statement plus how their replies become a result.

use super::Command;

/// The translation of a SQL text: one [`StatementPlan`] per statement, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The statements' plans.
    pub statements: Vec<StatementPlan>,
}

/// The commands implementing one SQL statement.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementPlan {
    /// The statement's SQL text.
    pub sql: String,
    /// MongoDB commands, run in order.
    pub steps: Vec<Command>,
    /// How the replies become the statement's result.
    pub output: Output,
    /// Documented deviations from PostgreSQL that the translator flags for this statement.
    pub notes: Vec<String>,
    /// Number of parameters (`$1`.. / `?`) the statement expects.
    pub param_count: usize,
    /// MongoDB error codes that mean success for this statement (48 NamespaceExists for
    /// `CREATE ... IF NOT EXISTS`, 26 NamespaceNotFound for `DROP ... IF EXISTS`): the step is skipped.
    pub tolerated_codes: Vec<i32>,
}

/// How a statement's replies become its result.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Output {
    /// Rows from the cursor of the last step, read by column field, in column order.
    Rows {
        /// Output columns in SELECT order.
        columns: Vec<OutputColumn>,
    },
    /// A count of affected rows: `n` of the last step (UPDATE: matched rows); DDL reports 0.
    Affected,
    /// EXPLAIN: nothing is executed; the result is the plan itself.
    Explain,
    /// A count of inserted rows: the number of `upserted` entries of the last step's reply (`INSERT ... ON
    /// CONFLICT DO NOTHING`, where a conflicting row counts 0 as in PostgreSQL).
    Upserted,
    /// `ON CONFLICT ... DO UPDATE ... WHERE`: each row is a conditional update of the existing row plus an
    /// insert-if-absent upsert, which adds exactly 1 to `n` (it finds the row or inserts it). The count is
    /// `n - insert_statements + upserted`: the updated plus the inserted rows, as PostgreSQL counts.
    UpdatedOrInserted {
        /// The number of insert-if-absent statements in the last step.
        insert_statements: usize,
    },
    /// `RETURNING`: rows from the documents of step `step` (its cursor, drained, or `findAndModify`'s `value`),
    /// read as in [`Output::Rows`]. Later steps may refer to that step's `_id`s by `{"$stepIds": step}`.
    Returned {
        /// Output columns in RETURNING order (empty for `RETURNING *`).
        columns: Vec<OutputColumn>,
        /// The step whose documents are the rows.
        step: usize,
    },
    /// `INSERT ... RETURNING`: one `findAndModify` per row (`new: true`); the rows are the steps' `value`s in
    /// step order. A step flagged in `inserted_only` gives its row only when it inserted one (its reply's
    /// `lastErrorObject.upserted`): an `ON CONFLICT DO NOTHING` row that met a conflict returns nothing, as in
    /// PostgreSQL. A `null` value (a conditional update that matched nothing) gives no row.
    ReturnedEach {
        /// Output columns in RETURNING order (empty for `RETURNING *`).
        columns: Vec<OutputColumn>,
        /// Per step: whether its row counts only when the step inserted it.
        inserted_only: Vec<bool>,
    },
    /// A setting of the connection, applied by the client to its backend; the plan has no steps
    /// (`SET sqlmongo.now`, `RESET`, `CALL sqlmongo.run_ttl_monitor()`). The result is a count of affected
    /// rows: 0, or the documents a TTL pass deleted.
    Setting(Setting),
}

/// What an [`Output::Setting`] plan does.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Setting {
    /// `SET sqlmongo.now = '...'` fixes `NOW()` / `CURRENT_TIMESTAMP` for what follows; `RESET sqlmongo.now`
    /// (`None`) lets the clock run again.
    FixNow(Option<bson::DateTime>),
    /// `CALL sqlmongo.run_ttl_monitor()`: one pass of the TTL monitor now (embedded engine only).
    RunTtlMonitor,
    /// `SET TIME ZONE ...` / `SET timezone = ...`: the session time zone (an Olson name, `UTC` or an offset as
    /// MongoDB's `timezone` arguments read it), kept by the client, which translates the statements after it
    /// in that zone. Nothing runs on the backend.
    TimeZone(String),
    /// `BEGIN` / `START TRANSACTION`, `COMMIT` / `END`, `ROLLBACK` / `ABORT`: the backend's transaction
    /// (docs/dialect.md, "Transactions").
    Transaction(TransactionControl),
}

/// A transaction-control statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionControl {
    /// `BEGIN` / `START TRANSACTION`.
    Begin,
    /// `COMMIT` / `END`.
    Commit,
    /// `ROLLBACK` / `ABORT`.
    Rollback,
}

/// One output column.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputColumn {
    /// The column name as shown to the user.
    pub name: String,
    /// The top-level field of the result documents that holds it.
    pub field: String,
    /// Its values are `timestamp without time zone` (BSON dates whose UTC fields are the wall-clock time: a
    /// `TIMESTAMP '...'` literal, `tstz AT TIME ZONE z`): shown as they are, never moved into the session
    /// time zone.
    pub local_time: bool,
    /// Its values are computed intervals, `{months, days, micros}` documents that the row layer prints as
    /// PostgreSQL's text ([`crate::mql::interval_text`]) rather than the pipeline: set only on the columns of
    /// the rows a statement returns to the client, never where the query itself reads the text.
    pub interval: bool,
}

impl OutputColumn {
    /// A column read from `field`, of values that are not wall-clock times.
    pub fn new(name: impl Into<String>, field: impl Into<String>) -> OutputColumn {
        OutputColumn {
            name: name.into(),
            field: field.into(),
            local_time: false,
            interval: false,
        }
    }
}
