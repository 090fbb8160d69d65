//! Runs a translated [`StatementPlan`] on a [`Backend`]: binds parameters, runs the steps in order, drains
//! cursors with `getMore`, reports write errors, and shapes rows by the plan's [`Output`].

pub use super::row_batches::{local_time_flags, shape_rows};
use super::Backend;
use crate::command_error::CommandError;
use crate::command_error::ErrorCode;
use crate::mql::{Output, StatementPlan};
use bson::{doc, Bson, Document};

/// The result of one statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementResult {
    /// A query's rows (also EXPLAIN's plan, one row per command).
    Rows(Rows),
    /// The number of rows a DML statement affected (UPDATE: matched); 0 for DDL.
    Affected(u64),
}

/// Rows with their column names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rows {
    /// Column names in SELECT order.
    pub columns: Vec<String>,
    /// The rows; each holds one value per column (NULL and missing fields as `Bson::Null`).
    pub rows: Vec<Vec<Bson>>,
    /// Per column, whether its dates are `timestamp without time zone` values (wall-clock times, see
    /// [`crate::mql::OutputColumn::local_time`]); empty when no column's are. Text output shows the others
    /// in the session time zone.
    pub local_time: Vec<bool>,
}

impl Rows {
    /// The index of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// Runs a query plan and hands its rows to `on_rows` batch by batch, as the backend's cursor delivers them,
/// so the caller never holds the whole result (`--format jsonl` / `csv`). Returns `Ok(false)` without running
/// anything when the plan cannot be streamed (several steps, no fixed column list, not a query): run it with
/// [`execute_plan`] then.
pub async fn stream_plan(
    backend: &dyn Backend,
    db: &str,
    plan: &StatementPlan,
    params: &[Bson],
    on_rows: &mut (dyn FnMut(Vec<Vec<Bson>>) -> Result<(), crate::Error> + Send),
) -> Result<bool, crate::Error> {
    let Output::Rows { columns } = &plan.output else {
        return Ok(false);
    };
    let streamable = !columns.is_empty()
        && plan.steps.len() == 1
        && plan.tolerated_codes.is_empty()
        && matches!(plan.steps[0].name(), "find" | "aggregate");
    if !streamable {
        return Ok(false);
    }
    if backend.transaction_state() == super::transaction::TxnState::Failed {
        return Err(crate::Error::Transaction(
            super::transaction::ABORTED_MESSAGE.into(),
        ));
    }
    let Some(cmd) = plan.bind(params)?.into_iter().next() else {
        return Ok(false);
    };
    let mut sink = |docs: Vec<Document>| on_rows(shape_rows(columns, docs).rows);
    if let Err(e) = backend.stream_cursor(db, cmd, &mut sink).await {
        backend.fail_transaction();
        return Err(e);
    }
    Ok(true)
}

/// Runs `plan` with `params` against database `db`. Inside a transaction block a failed statement fails
/// the block (PostgreSQL's rules, `transaction.rs`); outside one, a plan of several commands that writes
/// runs in one transaction of its own when the backend has transactions, so it applies whole or not at all.
pub async fn execute_plan(
    backend: &dyn Backend,
    db: &str,
    plan: &StatementPlan,
    params: &[Bson],
) -> Result<StatementResult, crate::Error> {
    use super::transaction::TxnState;
    if let Output::Setting(crate::mql::Setting::Transaction(control)) = &plan.output {
        return transaction_control(backend, *control).await;
    }
    match backend.transaction_state() {
        TxnState::Failed => {
            return Err(crate::Error::Transaction(
                super::transaction::ABORTED_MESSAGE.into(),
            ))
        }
        TxnState::Active => {
            let result = execute_plan_inner(backend, db, plan, params).await;
            if result.is_err() {
                backend.fail_transaction();
            }
            return result;
        }
        TxnState::Idle => {}
    }
    if !wants_own_transaction(plan) || backend.begin_transaction().await.is_err() {
        return execute_plan_inner(backend, db, plan, params).await;
    }
    match execute_plan_inner(backend, db, plan, params).await {
        Ok(r) => backend.end_transaction(true).await.map(|()| r),
        Err(e) => {
            let _ = backend.end_transaction(false).await;
            Err(e)
        }
    }
}

/// [`execute_plan`] of a plan the caller gives away: a plan of one command without parameters whose
/// result is a count or rows has its command rendered by moving the plan's documents (a bulk INSERT's rows
/// are not copied); any other plan runs as [`execute_plan`] runs it.
pub async fn execute_owned_plan(
    backend: &dyn Backend,
    db: &str,
    mut plan: StatementPlan,
    params: &[Bson],
) -> Result<StatementResult, crate::Error> {
    use super::transaction::TxnState;
    let movable = plan.steps.len() == 1
        && plan.param_count == 0
        && params.is_empty()
        && matches!(plan.output, Output::Affected | Output::Rows { .. });
    if !movable {
        return execute_plan(backend, db, &plan, params).await;
    }
    let commands = std::mem::take(&mut plan.steps)
        .into_iter()
        .map(crate::mql::Command::into_document)
        .collect();
    // As execute_plan: a one-command plan never takes a transaction of its own.
    match backend.transaction_state() {
        TxnState::Failed => Err(crate::Error::Transaction(
            super::transaction::ABORTED_MESSAGE.into(),
        )),
        TxnState::Active => {
            let result = execute_commands(backend, db, &plan, params, commands).await;
            if result.is_err() {
                backend.fail_transaction();
            }
            result
        }
        TxnState::Idle => execute_commands(backend, db, &plan, params, commands).await,
    }
}

/// A plan of several commands, at least one of them a write, all of them allowed in a transaction.
fn wants_own_transaction(plan: &StatementPlan) -> bool {
    if plan.steps.len() < 2 || !matches!(plan.output, Output::Affected | Output::Returned { .. }) {
        return false;
    }
    let commands: Vec<Document> = plan.steps.iter().map(|s| s.to_document()).collect();
    let writes = commands.iter().any(|c| {
        matches!(
            c.keys().next().map(String::as_str),
            Some("insert" | "update" | "delete" | "findAndModify")
        )
    });
    writes && super::transaction::plan_fits_transaction(&commands)
}

/// `BEGIN`, `COMMIT`, `ROLLBACK` with PostgreSQL's rules: `BEGIN` in a block and `COMMIT` / `ROLLBACK`
/// outside one warn and do nothing; `COMMIT` of a failed block rolls it back.
async fn transaction_control(
    backend: &dyn Backend,
    control: crate::mql::TransactionControl,
) -> Result<StatementResult, crate::Error> {
    use super::transaction::TxnState;
    use crate::mql::TransactionControl as T;
    match (control, backend.transaction_state()) {
        (T::Begin, TxnState::Idle) => backend.begin_transaction().await?,
        (T::Begin, _) => tracing::warn!("there is already a transaction in progress"),
        (T::Commit | T::Rollback, TxnState::Idle) => {
            tracing::warn!("there is no transaction in progress")
        }
        (T::Commit, TxnState::Active) => backend.end_transaction(true).await?,
        (T::Commit, TxnState::Failed) | (T::Rollback, _) => backend.end_transaction(false).await?,
    }
    Ok(StatementResult::Affected(0))
}

async fn execute_plan_inner(
    backend: &dyn Backend,
    db: &str,
    plan: &StatementPlan,
    params: &[Bson],
) -> Result<StatementResult, crate::Error> {
    if let Output::Setting(setting) = &plan.output {
        return apply_setting(backend, setting).await;
    }
    let commands = plan.bind(params)?;
    execute_commands(backend, db, plan, params, commands).await
}

/// The rest of [`execute_plan_inner`], given the plan's bound `commands` (rendered from `plan`, or moved out of
/// it by [`execute_owned_plan`]: then `plan.steps` is empty, which only a multi-step plan reads).
async fn execute_commands(
    backend: &dyn Backend,
    db: &str,
    plan: &StatementPlan,
    params: &[Bson],
    commands: Vec<Document>,
) -> Result<StatementResult, crate::Error> {
    if matches!(plan.output, Output::Explain) {
        let rows = commands
            .into_iter()
            .map(|c| vec![Bson::Document(c)])
            .collect();
        return Ok(StatementResult::Rows(Rows {
            columns: vec!["command".into()],
            rows,
            local_time: Vec::new(),
        }));
    }
    // Steps whose documents a later step reads (docs/architecture.md, `mql::chain`).
    let consumed = plan.consumed_steps();
    let mut outputs: Vec<Option<Vec<Document>>> = vec![None; commands.len()];
    if let Output::Returned { columns, step } = &plan.output {
        return execute_returning(backend, db, plan, params, columns, *step).await;
    }
    if let Output::ReturnedEach {
        columns,
        inserted_only,
    } = &plan.output
    {
        return execute_returned_each(backend, db, plan, params, columns, inserted_only).await;
    }
    let mut last = None;
    let n = commands.len();
    for (i, cmd) in commands.into_iter().enumerate() {
        let cmd = match plan.steps.get(i) {
            Some(step) if plan.step_reads_outputs(i) => {
                let t = crate::mql::chain::substitute_outputs(step.to_document(), &outputs)?;
                plan.bind_template(t, params)?
            }
            _ => cmd,
        };
        // The statement's rows come from its last command: asked for as rows (row_batches.rs).
        let rows_of = i + 1 == n
            && !consumed.contains(&i)
            && matches!(&plan.output, Output::Rows { columns } if !columns.is_empty());
        let replied = match rows_of {
            true => backend.run_query(db, cmd).await,
            false => run_write_batched(backend, db, cmd).await,
        };
        match replied {
            Ok(reply) if consumed.contains(&i) => {
                outputs[i] = Some(drain_cursor(backend, db, reply).await?);
                last = None;
            }
            Ok(reply) => last = Some(reply),
            Err(crate::Error::Command(e)) if plan.tolerated_codes.contains(&e.code) => last = None,
            Err(e) => return Err(e),
        }
    }
    match &plan.output {
        Output::Rows { columns } => {
            let Some(reply) = last else {
                return Ok(StatementResult::Rows(Rows::default()));
            };
            if columns.is_empty() {
                // `SELECT *`: the columns are the fields of every document, known at the end.
                let docs = drain_cursor(backend, db, reply).await?;
                return Ok(StatementResult::Rows(shape_rows(columns, docs)));
            }
            // Each batch becomes rows as it arrives: the documents are never all held beside the rows.
            let rows = super::row_batches::drain_rows(backend, db, reply, columns).await?;
            Ok(StatementResult::Rows(rows))
        }
        Output::Upserted => {
            let n = last
                .as_ref()
                .and_then(|r| r.get_array("upserted").ok())
                .map_or(0, |a| a.len() as u64);
            Ok(StatementResult::Affected(n))
        }
        Output::UpdatedOrInserted { insert_statements } => {
            let n = last.as_ref().and_then(affected_count).unwrap_or(0);
            let upserted = last
                .as_ref()
                .and_then(|r| r.get_array("upserted").ok())
                .map_or(0, |a| a.len() as u64);
            Ok(StatementResult::Affected(
                n.saturating_sub(*insert_statements as u64) + upserted,
            ))
        }
        Output::Affected
        | Output::Explain
        | Output::Returned { .. }
        | Output::ReturnedEach { .. }
        | Output::Setting(_) => {
            let n = last.as_ref().and_then(affected_count).unwrap_or(0);
            Ok(StatementResult::Affected(n))
        }
    }
}

/// Applies a setting statement to the backend (`SET sqlmongo.now`, `CALL sqlmongo.run_ttl_monitor()`).
async fn apply_setting(
    backend: &dyn Backend,
    setting: &crate::mql::Setting,
) -> Result<StatementResult, crate::Error> {
    use crate::mql::Setting;
    match setting {
        Setting::FixNow(now) => {
            backend.set_fixed_now(*now)?;
            Ok(StatementResult::Affected(0))
        }
        Setting::RunTtlMonitor => Ok(StatementResult::Affected(backend.run_ttl_pass().await?)),
        // The client keeps the session time zone (statements are translated in it): nothing to run.
        Setting::TimeZone(_) => Ok(StatementResult::Affected(0)),
        Setting::Transaction(control) => transaction_control(backend, *control).await,
    }
}

/// A `RETURNING` plan: each step is bound with the `_id`s of earlier steps' documents (`{"$stepIds": k}`) or
/// their rows (`mql::chain`);
/// the rows are the documents of step `step` (a drained cursor, or `findAndModify`'s `value`).
async fn execute_returning(
    backend: &dyn Backend,
    db: &str,
    plan: &StatementPlan,
    params: &[Bson],
    columns: &[crate::mql::OutputColumn],
    step: usize,
) -> Result<StatementResult, crate::Error> {
    let mut step_docs: Vec<Vec<Document>> = Vec::with_capacity(plan.steps.len());
    for i in 0..plan.steps.len() {
        let cmd = if plan.step_reads_outputs(i) {
            // A per-row step (`UPDATE ... FROM ... RETURNING`): its statements come from an earlier step's rows.
            let outputs: Vec<Option<Vec<Document>>> = std::mem::take(&mut step_docs)
                .into_iter()
                .map(Some)
                .collect();
            let template =
                crate::mql::chain::substitute_outputs(plan.steps[i].to_document(), &outputs);
            step_docs = outputs.into_iter().map(Option::unwrap_or_default).collect();
            plan.bind_template(template?, params)?
        } else {
            plan.bind_step(i, params, &step_docs)?
        };
        let reply = run_write_batched(backend, db, cmd).await?;
        let docs = if reply.contains_key("cursor") {
            drain_cursor(backend, db, reply).await?
        } else {
            match reply.get("value") {
                Some(Bson::Document(d)) => vec![d.clone()],
                _ => Vec::new(),
            }
        };
        step_docs.push(docs);
    }
    let docs = step_docs.into_iter().nth(step).unwrap_or_default();
    Ok(StatementResult::Rows(shape_rows(columns, docs)))
}

/// An `INSERT ... RETURNING` plan: one `findAndModify` per row; the rows are the steps' `value`s, a step in
/// `inserted_only` giving its row only when its reply says it inserted (`lastErrorObject.upserted`).
async fn execute_returned_each(
    backend: &dyn Backend,
    db: &str,
    plan: &StatementPlan,
    params: &[Bson],
    columns: &[crate::mql::OutputColumn],
    inserted_only: &[bool],
) -> Result<StatementResult, crate::Error> {
    let mut docs = Vec::with_capacity(plan.steps.len());
    for i in 0..plan.steps.len() {
        let cmd = plan.bind_step(i, params, &[])?;
        let reply = run_step(backend, db, cmd).await?;
        let inserted = reply
            .get_document("lastErrorObject")
            .is_ok_and(|l| l.contains_key("upserted"));
        if inserted_only.get(i).copied().unwrap_or(false) && !inserted {
            continue;
        }
        if let Some(Bson::Document(d)) = reply.get("value") {
            docs.push(d.clone());
        }
    }
    Ok(StatementResult::Rows(shape_rows(columns, docs)))
}

/// Runs one command; write errors in an `ok: 1` reply become errors too.
/// The most a write command of a plan carries per command: the documents of `INSERT ... SELECT` and the
/// per-row statements of `UPDATE ... FROM` / `DELETE ... USING` come from a cursor and may be many; a command
/// document must stay under 16 MiB (mongod's `maxBsonObjectSize`) and a batch under 100,000 writes
/// (`maxWriteBatchSize`).
const WRITE_BATCH_BYTES: usize = 8 << 20;
const WRITE_BATCH_OPS: usize = 100_000;

/// Runs `cmd`; an `insert` / `update` / `delete` whose list (`documents` / `updates` / `deletes`) passes the
/// batch limits runs as several commands, in order (ordered: the first failing batch stops it); the reply's
/// `n` (and `nModified`, `upserted`) add up. An empty list runs nothing (mongod refuses an empty batch).
async fn run_write_batched(
    backend: &dyn Backend,
    db: &str,
    mut cmd: Document,
) -> Result<Document, crate::Error> {
    let list = match cmd.keys().next().map(String::as_str) {
        Some("insert") => "documents",
        Some("update") => "updates",
        Some("delete") => "deletes",
        _ => return run_step(backend, db, cmd).await,
    };
    let items = match cmd.get_array(list) {
        Ok(d) if d.is_empty() => return Ok(bson::doc! {"n": 0, "nModified": 0}),
        Ok(d) if d.len() > 1 => d,
        _ => return run_step(backend, db, cmd).await,
    };
    let size = |d: &Bson| match d {
        Bson::Document(d) => crate::mql::encoded_len::encoded_len(d),
        _ => 0,
    };
    let sizes: Vec<usize> = items.iter().map(size).collect();
    if sizes.iter().sum::<usize>() <= WRITE_BATCH_BYTES && items.len() <= WRITE_BATCH_OPS {
        return run_step(backend, db, cmd).await;
    }
    let Some(Bson::Array(items)) = cmd.remove(list) else {
        return run_step(backend, db, cmd).await;
    };
    let (mut n, mut modified) = (0i64, 0i64);
    let mut upserted: Vec<Bson> = Vec::new();
    let mut batch: Vec<Bson> = Vec::new();
    let mut bytes = 0;
    let mut reply = Document::new();
    let mut items = items.into_iter().zip(sizes).peekable();
    while let Some((d, sz)) = items.next() {
        batch.push(d);
        bytes += sz;
        let full = match items.peek() {
            None => true,
            Some((_, next)) => bytes + next > WRITE_BATCH_BYTES || batch.len() >= WRITE_BATCH_OPS,
        };
        if full {
            let mut part = cmd.clone();
            part.insert(list, Bson::Array(std::mem::take(&mut batch)));
            bytes = 0;
            reply = run_step(backend, db, part).await?;
            n += affected_count(&reply).map_or(0, |k| k as i64);
            if let Some(m) = reply
                .get("nModified")
                .and_then(Bson::as_i64)
                .or_else(|| reply.get("nModified").and_then(Bson::as_i32).map(i64::from))
            {
                modified += m;
            }
            if let Ok(u) = reply.get_array("upserted") {
                upserted.extend(u.iter().cloned());
            }
        }
    }
    reply.insert("n", n);
    if list == "updates" {
        reply.insert("nModified", modified);
        if !upserted.is_empty() {
            reply.insert("upserted", upserted);
        }
    }
    Ok(reply)
}

async fn run_step(
    backend: &dyn Backend,
    db: &str,
    cmd: Document,
) -> Result<Document, crate::Error> {
    let reply = backend.run_command(db, cmd).await?;
    if let Ok(errors) = reply.get_array("writeErrors") {
        if let Some(Bson::Document(first)) = errors.first() {
            let code = first.get_i32("code").unwrap_or(8);
            return Err(crate::Error::Command(CommandError {
                code,
                code_name: first
                    .get_str("codeName")
                    .unwrap_or(code_name(code))
                    .to_string(),
                errmsg: first.get_str("errmsg").unwrap_or("write error").to_string(),
                extra: super::detail_fields(first),
            }));
        }
    }
    if let Ok(wce) = reply.get_document("writeConcernError") {
        return Err(crate::Error::Command(CommandError {
            code: wce.get_i32("code").unwrap_or(64),
            code_name: wce
                .get_str("codeName")
                .unwrap_or("WriteConcernFailed")
                .to_string(),
            errmsg: wce
                .get_str("errmsg")
                .unwrap_or("write concern error")
                .to_string(),
            extra: super::detail_fields(wce),
        }));
    }
    Ok(reply)
}

fn code_name(code: i32) -> &'static str {
    match code {
        11000 => "DuplicateKey",
        121 => "DocumentValidationFailure",
        2 => "BadValue",
        _ => "UnknownError",
    }
}

/// The affected-row count of a write reply: `n` (update: matched + upserted).
fn affected_count(reply: &Document) -> Option<u64> {
    match reply.get("n") {
        Some(Bson::Int32(n)) => u64::try_from(*n).ok(),
        Some(Bson::Int64(n)) => u64::try_from(*n).ok(),
        Some(Bson::Double(n)) => Some(*n as u64),
        _ => None,
    }
}

/// All documents of a cursor reply: `firstBatch`, then `getMore` until the id is 0.
async fn drain_cursor(
    backend: &dyn Backend,
    db: &str,
    reply: Document,
) -> Result<Vec<Document>, crate::Error> {
    let mut docs: Vec<Document> = Vec::new();
    drain_cursor_each(backend, db, reply, &mut |batch| docs.extend(batch)).await?;
    Ok(docs)
}

/// Hands each batch of a cursor reply to `each`: `firstBatch`, then `getMore` until the id is 0.
async fn drain_cursor_each(
    backend: &dyn Backend,
    db: &str,
    reply: Document,
    each: &mut (dyn FnMut(Vec<Document>) + Send),
) -> Result<(), crate::Error> {
    drain_cursor_with(backend, db, reply, &mut |c, key| each(batch(c, key))).await
}

/// Hands each batch's cursor document of a cursor reply to `each` with the batch's key (`firstBatch`, then
/// `nextBatch` after each `getMore` until the id is 0).
pub(crate) async fn drain_cursor_with(
    backend: &dyn Backend,
    db: &str,
    mut reply: Document,
    each: &mut (dyn FnMut(&mut Document, &str) + Send),
) -> Result<(), crate::Error> {
    let Ok(cursor) = reply.get_document_mut("cursor") else {
        return Err(crate::Error::Command(CommandError::new(
            ErrorCode::UnknownError,
            "reply has no cursor",
        )));
    };
    each(cursor, "firstBatch");
    let mut id = cursor_id(cursor);
    let ns = cursor.get_str("ns").unwrap_or("").to_string();
    let coll = ns.split_once('.').map(|(_, c)| c.to_string()).unwrap_or(ns);
    while id != 0 {
        let mut more = backend
            .run_command(db, doc! {"getMore": id, "collection": &coll})
            .await?;
        let Ok(c) = more.get_document_mut("cursor") else {
            break;
        };
        each(c, "nextBatch");
        id = cursor_id(c);
    }
    Ok(())
}

/// The documents of a cursor's batch, taken out of the reply (moved, not copied: a row's document reaches
/// the rows as the engine built it).
pub(crate) fn batch(cursor: &mut Document, key: &str) -> Vec<Document> {
    match cursor.remove(key) {
        Some(Bson::Array(a)) => a
            .into_iter()
            .filter_map(|d| match d {
                Bson::Document(d) => Some(d),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn cursor_id(cursor: &Document) -> i64 {
    match cursor.get("id") {
        Some(Bson::Int64(i)) => *i,
        Some(Bson::Int32(i)) => i64::from(*i),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::CommandFuture;
    use std::sync::Mutex;

    /// A backend that records commands and answers from a script.
    struct Scripted {
        seen: Mutex<Vec<Document>>,
        replies: Mutex<Vec<Document>>,
    }

    impl Backend for Scripted {
        fn run_command<'a>(&'a self, _db: &'a str, command: Document) -> CommandFuture<'a> {
            Box::pin(async move {
                self.seen
                    .lock()
                    .map_err(|_| crate::Error::Parameter("poisoned".into()))?
                    .push(command);
                let reply = self
                    .replies
                    .lock()
                    .map_err(|_| crate::Error::Parameter("poisoned".into()))?
                    .remove(0);
                crate::driver::check_reply(reply)
            })
        }
    }

    fn block<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(f))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    proptest::proptest! {
        /// Rows are the columns' fields by name, whether the documents hold exactly those fields in the
        /// columns' order (taken in one pass) or not (other order, missing, extra fields).
        #[test]
        fn rows_hold_each_columns_field_by_name(
            docs in proptest::collection::vec(
                proptest::collection::vec((0usize..4, 0i32..9), 0..5),
                0..6,
            ),
        ) {
            let columns: Vec<crate::mql::OutputColumn> = (0..3)
                .map(|i| crate::mql::OutputColumn::new(format!("n{i}"), format!("c{i}")))
                .collect();
            let docs: Vec<Document> = docs
                .into_iter()
                .map(|fields| {
                    let mut d = Document::new();
                    for (f, v) in fields {
                        d.insert(format!("c{f}"), v);
                    }
                    d
                })
                .collect();
            let want: Vec<Vec<Bson>> = docs
                .iter()
                .map(|d| {
                    columns
                        .iter()
                        .map(|c| d.get(&c.field).cloned().unwrap_or(Bson::Null))
                        .collect()
                })
                .collect();
            proptest::prop_assert_eq!(shape_rows(&columns, docs).rows, want);
        }
    }

    #[test]
    fn cursor_is_drained_and_rows_follow_columns() {
        let plan = crate::translate("SELECT user_id AS u, hits FROM s WHERE k = $1")
            .unwrap()
            .statements
            .remove(0);
        let b = Scripted {
            seen: Mutex::new(vec![]),
            replies: Mutex::new(vec![
                doc! {"cursor": {"firstBatch": [{"c0": "a", "c1": 1}], "id": 7i64, "ns": "db.s"}, "ok": 1.0},
                doc! {"cursor": {"nextBatch": [{"c1": 2}], "id": 0i64, "ns": "db.s"}, "ok": 1.0},
            ]),
        };
        let r = block(execute_plan(&b, "db", &plan, &[Bson::from("x")])).unwrap();
        let StatementResult::Rows(rows) = r else {
            panic!("rows expected")
        };
        assert_eq!(rows.columns, vec!["u", "hits"]);
        assert_eq!(
            rows.rows,
            vec![
                vec![Bson::from("a"), Bson::Int32(1)],
                vec![Bson::Null, Bson::Int32(2)]
            ]
        );
        let seen = b.seen.lock().unwrap();
        assert_eq!(seen[1], doc! {"getMore": 7i64, "collection": "s"});
        assert_eq!(
            seen[0].get_array("pipeline").unwrap()[0],
            Bson::Document(doc! {"$match": {"k": {"$eq": "x"}}})
        );
    }

    #[test]
    fn write_errors_and_tolerated_codes() {
        let plan = crate::translate("INSERT INTO s (k) VALUES (1)")
            .unwrap()
            .statements
            .remove(0);
        let b = Scripted {
            seen: Mutex::new(vec![]),
            replies: Mutex::new(vec![
                doc! {"n": 0, "writeErrors": [{"index": 0, "code": 11000, "errmsg": "E11000 duplicate key"}], "ok": 1.0},
            ]),
        };
        let e = block(execute_plan(&b, "db", &plan, &[])).unwrap_err();
        assert!(
            matches!(e, crate::Error::Command(ref c) if c.code == 11000),
            "{e}"
        );
        let plan = crate::translate("CREATE COLLECTION IF NOT EXISTS s")
            .unwrap()
            .statements
            .remove(0);
        let b = Scripted {
            seen: Mutex::new(vec![]),
            replies: Mutex::new(vec![
                doc! {"ok": 0.0, "code": 48, "codeName": "NamespaceExists", "errmsg": "exists"},
            ]),
        };
        assert_eq!(
            block(execute_plan(&b, "db", &plan, &[])).unwrap(),
            StatementResult::Affected(0)
        );
    }
}
