//! `INSERT ... ON CONFLICT (key, ...) DO NOTHING | DO UPDATE SET ...` -> one `update` command with an upsert per
//! VALUES row, its query the conflict key's equalities (`{key: {$eq: v}}`, which MongoDB copies into an
//! inserted document).
//!
//! - DO NOTHING with constant values: `{$setOnInsert: {every column}}`, a no-op on an existing row.
//! - DO UPDATE whose every assignment is `col = EXCLUDED.col`, with constant values: `{$setOnInsert: {columns
//!   not assigned}, $set: {assigned columns: proposed values}}` — on insert both apply, giving the proposed row.
//! - Otherwise a pipeline `[{$set: ...}]` that tells an insert from an update by the missing `_id` (mongod adds
//!   `_id` to an upserted document after the update has been applied): each column is `{$cond: [inserting,
//!   proposed value, DO UPDATE value or the old value]}`; expressions read the existing row, `EXCLUDED.col` is
//!   the proposed value.
//!
//! - DO UPDATE ... WHERE: two statements per row, in order: an update of the existing row (`q` = key equality
//!   AND `{$expr: WHERE}`, no upsert) and an insert-if-absent upsert (as DO NOTHING). The second adds exactly
//!   one to `n` (it finds the row or inserts it), so PostgreSQL's count is `n - rows + upserted`.
//!
//! Row counts are PostgreSQL's: DO UPDATE counts inserted and updated rows (`n`); DO NOTHING counts the inserted
//! rows (`upserted`).

use super::expr::{expr_pos, Agg};
use super::names::{check_field_segment, field_path, ident_pos};
use super::{Error, Position, Translated, Translator};
use crate::mql::command::{UpdateSpec, UpdateStatement};
use crate::mql::expr as ex;
use crate::mql::filter;
use crate::mql::stage::Stage;
use crate::mql::update::UpdateOperators;
use crate::mql::{Command, Output};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{Bson, Document};
use sqlparser::ast::{ConflictTarget, Expr, OnConflict, OnConflictAction, OnInsert};

/// The pipeline expression that is true while an upsert inserts (the new document has no `_id` yet).
fn inserting() -> Bson {
    ex::eq(ex::type_of(ex::field("_id")), "missing").into()
}

const RACE_NOTE: &str = "ON CONFLICT is race-free only with a unique index on the conflict columns (PostgreSQL \
     requires one too); concurrent upserts then fail with duplicate key error 11000 instead of inserting twice";

/// The `u` of an insert-if-absent upsert: `$setOnInsert` of constant rows, else a pipeline that keeps an
/// existing row's values (`"$col"`).
fn insert_only(
    cols: &[String],
    vals: &[Agg],
    all_constant: bool,
    has_id_key: bool,
    pos: Position,
) -> Result<UpdateSpec, Error> {
    if all_constant {
        let mut soi = Document::new();
        for (c, a) in cols.iter().zip(vals) {
            soi.insert(c.clone(), a.constant.clone().unwrap_or(Bson::Null));
        }
        return Ok(UpdateSpec::Operators(
            UpdateOperators::new().set_on_insert(soi).into(),
        ));
    }
    if has_id_key {
        return Err(Error::Unsupported {
            kind: Refusal::Statement,
            construct: "ON CONFLICT (_id) with computed values".into(),
            position: pos,
        });
    }
    let mut set = Document::new();
    for (c, a) in cols.iter().zip(vals) {
        set.insert(
            c.clone(),
            ex::cond(inserting(), a.expr.clone(), ex::field(c)),
        );
    }
    Ok(UpdateSpec::Pipeline(vec![Stage::Set(set).into_document()]))
}

impl Translator {
    /// Translates the ON CONFLICT clause of an INSERT whose columns and per-row values are translated.
    pub(crate) fn upsert_plan(
        &mut self,
        cx: &mut QueryContext,
        collection: String,
        cols: Vec<String>,
        rows: Vec<Vec<Agg>>,
        on: &OnInsert,
        pos: Position,
    ) -> Result<Translated, Error> {
        let refuse = |what: &str| {
            Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: what.to_string(),
                position: pos,
            })
        };
        let OnInsert::OnConflict(OnConflict {
            conflict_target,
            action,
        }) = on
        else {
            return refuse("ON DUPLICATE KEY UPDATE");
        };
        let mut keys = Vec::new();
        match conflict_target {
            Some(ConflictTarget::Columns(ids)) if !ids.is_empty() => {
                for id in ids {
                    check_field_segment(&id.value, ident_pos(id))?;
                    let path = field_path(std::slice::from_ref(id))?;
                    let Some(i) = cols.iter().position(|c| *c == path) else {
                        return Err(Error::Invalid {
                            message: format!(
                                "conflict column \"{path}\" must be one of the INSERT's columns"
                            ),
                            position: ident_pos(id),
                        });
                    };
                    keys.push((path, i));
                }
            }
            Some(ConflictTarget::OnConstraint(_)) => {
                return refuse("ON CONFLICT ON CONSTRAINT (name the conflict columns instead)")
            }
            _ => return refuse("ON CONFLICT without conflict columns"),
        }
        cx.tables = vec![collection.clone()];
        self.notes.push(RACE_NOTE.into());
        let mut queries = Vec::new();
        for vals in &rows {
            let mut q = Document::new();
            for (k, i) in &keys {
                let val = vals.get(*i);
                match val.and_then(|a| a.constant.as_ref()) {
                    Some(Bson::Null) => {
                        return refuse("a NULL conflict key (it never conflicts in PostgreSQL)")
                    }
                    Some(Bson::Document(_)) if val.is_some_and(|a| a.param.is_none()) => {
                        return refuse("a document-valued conflict key")
                    }
                    Some(Bson::Array(_)) => return refuse("an array-valued conflict key"),
                    Some(c) => {
                        q.insert(k.clone(), filter::eq(c.clone()));
                    }
                    None => return refuse("a computed conflict key value"),
                }
            }
            if queries.contains(&q) && matches!(action, OnConflictAction::DoUpdate(_)) {
                return Err(Error::Invalid {
                    message: "ON CONFLICT DO UPDATE command cannot affect row a second time".into(),
                    position: pos,
                });
            }
            queries.push(q);
        }
        let has_id_key = keys.iter().any(|(k, _)| k == "_id");
        let all_constant = rows.iter().flatten().all(|a| a.constant.is_some());
        let mut updates = Vec::new();
        let output = match action {
            OnConflictAction::DoNothing => {
                for (q, vals) in queries.into_iter().zip(&rows) {
                    let update = insert_only(&cols, vals, all_constant, has_id_key, pos)?;
                    updates.push(UpdateStatement {
                        filter: q,
                        update,
                        multi: false,
                        upsert: true,
                        array_filters: None,
                    });
                }
                Output::Upserted
            }
            OnConflictAction::DoUpdate(du) => {
                let targets = self.assignment_targets(cx, &du.assignments)?;
                for (t, _) in &targets {
                    self.check_insert_column(&collection, t, pos)?;
                }
                for (t, v) in &targets {
                    if cols.iter().any(|c| {
                        c != t
                            && (c.starts_with(&format!("{t}.")) || t.starts_with(&format!("{c}.")))
                    }) {
                        return Err(Error::Unsupported {
                            kind: Refusal::Statement,
                            construct: format!(
                                "DO UPDATE of \"{t}\" overlapping an inserted column"
                            ),
                            position: expr_pos(v),
                        });
                    }
                }
                let excluded_same = |t: &str, v: &Expr| match v {
                    Expr::CompoundIdentifier(parts) if parts.len() > 1 => {
                        parts[0].value.eq_ignore_ascii_case("excluded")
                            && field_path(&parts[1..]).is_ok_and(|p| p == t)
                    }
                    _ => false,
                };
                if let Some(w) = &du.selection {
                    return self.upsert_where(
                        cx,
                        collection,
                        &cols,
                        &rows,
                        queries,
                        &targets,
                        w,
                        all_constant,
                        has_id_key,
                    );
                }
                let operator_form =
                    all_constant && targets.iter().all(|(t, v)| excluded_same(t, v));
                for (q, vals) in queries.into_iter().zip(&rows) {
                    self.excluded = Some(cols.iter().cloned().zip(vals.iter().cloned()).collect());
                    let update = if operator_form {
                        let mut soi = Document::new();
                        for (c, a) in cols.iter().zip(vals) {
                            if !targets.iter().any(|(t, _)| t == c) {
                                soi.insert(c.clone(), a.constant.clone().unwrap_or(Bson::Null));
                            }
                        }
                        let mut set = Document::new();
                        for (t, _) in &targets {
                            let v = cols
                                .iter()
                                .position(|c| c == t)
                                .and_then(|i| vals.get(i))
                                .and_then(|a| a.constant.clone())
                                .unwrap_or(Bson::Null);
                            set.insert(t.clone(), v);
                        }
                        let mut u = UpdateOperators::new();
                        if !soi.is_empty() {
                            u = u.set_on_insert(soi);
                        }
                        UpdateSpec::Operators(u.set(set).into())
                    } else {
                        if has_id_key {
                            self.excluded = None;
                            return refuse("ON CONFLICT (_id) DO UPDATE other than SET col = EXCLUDED.col with constant values");
                        }
                        let mut set = Document::new();
                        for (i, (c, a)) in cols.iter().zip(vals).enumerate() {
                            let assigned = targets.iter().find(|(t, _)| t == c);
                            let otherwise = match assigned {
                                Some((_, v)) => self.insert_value(cx, v)?.expr,
                                None if keys.iter().any(|(_, k)| *k == i) => continue,
                                None => ex::field(c),
                            };
                            set.insert(c.clone(), ex::cond(inserting(), a.expr.clone(), otherwise));
                        }
                        for (t, v) in &targets {
                            if cols.contains(t) {
                                continue;
                            }
                            let upd = self.insert_value(cx, v)?.expr;
                            set.insert(t.clone(), ex::cond(inserting(), ex::remove(), upd));
                        }
                        UpdateSpec::Pipeline(vec![Stage::Set(set).into_document()])
                    };
                    updates.push(UpdateStatement {
                        filter: q,
                        update,
                        multi: false,
                        upsert: true,
                        array_filters: None,
                    });
                }
                self.excluded = None;
                Output::Affected
            }
        };
        Ok((
            vec![Command::Update {
                collection,
                updates,
            }],
            output,
        ))
    }

    /// `DO UPDATE SET ... WHERE cond`: per row, the conditional update of the existing row, then the
    /// insert-if-absent upsert.
    #[allow(clippy::too_many_arguments)]
    fn upsert_where(
        &mut self,
        cx: &mut QueryContext,
        collection: String,
        cols: &[String],
        rows: &[Vec<Agg>],
        queries: Vec<Document>,
        targets: &[(String, &Expr)],
        cond: &Expr,
        all_constant: bool,
        has_id_key: bool,
    ) -> Result<Translated, Error> {
        let pos = expr_pos(cond);
        let mut updates = Vec::new();
        for (q, vals) in queries.into_iter().zip(rows) {
            self.excluded = Some(cols.iter().cloned().zip(vals.iter().cloned()).collect());
            let mut set = Document::new();
            for (t, v) in targets {
                let a = self.insert_value(cx, v)?;
                set.insert(t.clone(), a.expr);
            }
            let when = self.pred(cx, cond)?.t;
            self.excluded = None;
            let mut existing = q.clone();
            existing.extend(filter::expr(when));
            updates.push(UpdateStatement {
                filter: existing,
                update: UpdateSpec::Pipeline(vec![Stage::Set(set).into_document()]),
                multi: false,
                upsert: false,
                array_filters: None,
            });
            updates.push(UpdateStatement {
                filter: q,
                update: insert_only(cols, vals, all_constant, has_id_key, pos)?,
                multi: false,
                upsert: true,
                array_filters: None,
            });
        }
        Ok((
            vec![Command::Update {
                collection,
                updates,
            }],
            Output::UpdatedOrInserted {
                insert_statements: rows.len(),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    fn translate(sql: &str) -> Result<crate::mql::Plan, crate::Error> {
        crate::translate::translate(sql)
    }

    #[test]
    fn a_parameter_is_a_conflict_key_a_document_is_not() {
        let p = translate("INSERT INTO t (k, v) VALUES ($1, 1) ON CONFLICT (k) DO NOTHING");
        assert!(p.is_ok(), "{p:?}");
        let d = translate(
            "INSERT INTO t (k, v) VALUES ('{\"a\": 1}'::jsonb, 1) ON CONFLICT (k) DO NOTHING",
        );
        let e = format!("{:?}", d.expect_err("a document-valued key was accepted"));
        assert!(e.contains("document-valued conflict key"), "{e}");
    }
}
