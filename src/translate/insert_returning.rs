//! `INSERT ... RETURNING` (also with `ON CONFLICT`): one `findAndModify` per VALUES row, `upsert: true`,
//! `new: true`, `fields` = the RETURNING list, so each row is written and read back atomically, with the `_id`
//! the server generates (mongod adds it to an upserted document), as PostgreSQL returns a row's defaults.
//!
//! - Plain INSERT: `query: {_id: {$exists: false}}` never matches, so each command inserts; constant rows are
//!   a replacement document, computed rows the pipeline the plain INSERT uses.
//! - `ON CONFLICT`: the query and update of each upsert of the plain `ON CONFLICT` plan. `DO NOTHING` returns
//!   a row only when its command inserted it (`lastErrorObject.upserted`); `DO UPDATE` returns the inserted or
//!   updated row; `DO UPDATE ... WHERE` runs its conditional update (the updated row, or nothing) and then
//!   its insert-if-absent upsert (a row only when it inserted).
//!
//! The rows come back in VALUES order. A multi-row INSERT is one command per row: each row is atomic, the
//! statement is not (rows before a failing one stay written, as for every multi-row write here).

use super::{Error, Position, Translated, Translator};
use crate::mql::command::UpdateSpec;
use crate::mql::filter;
use crate::mql::{Command, Output};
use crate::translate::context::QueryContext;
use crate::translate::expr::Agg;
use bson::{doc, Bson, Document};
use sqlparser::ast::{OnInsert, SelectItem};

impl Translator {
    /// Translates `INSERT ... [ON CONFLICT ...] RETURNING items` whose columns and rows are translated.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_returning(
        &mut self,
        cx: &mut QueryContext,
        collection: String,
        cols: Vec<String>,
        rows: Vec<Vec<Agg>>,
        on: Option<&OnInsert>,
        items: &[SelectItem],
        pos: Position,
    ) -> Result<Translated, Error> {
        let all_constant = rows.iter().flatten().all(|a| a.constant.is_some());
        let table = collection.clone();
        let (commands, output) = match on {
            Some(on) => self.upsert_plan(cx, collection, cols, rows, on, pos)?,
            None => super::dml::insert_commands(collection, &cols, rows, all_constant),
        };
        let do_nothing = matches!(output, Output::Upserted);
        let two_per_row = matches!(output, Output::UpdatedOrInserted { .. });
        // RETURNING reads the inserted table's columns (`t.col` too).
        cx.tables = vec![table];
        let (project, columns) = self.returning_list(cx, items)?;
        let mut steps = Vec::new();
        let mut inserted_only = Vec::new();
        let command = |collection: &str, query: Document, update: Bson, upsert: bool| {
            let mut body = doc! {"query": query, "update": update, "upsert": upsert, "new": true};
            if let Some(p) = &project {
                body.insert("fields", p.clone());
            }
            Command::FindAndModify {
                collection: collection.to_string(),
                body,
            }
        };
        for c in commands {
            match c {
                Command::Insert {
                    collection,
                    documents,
                    ..
                } => {
                    for d in documents {
                        steps.push(command(
                            &collection,
                            doc! {"_id": filter::exists(false)},
                            Bson::Document(d),
                            true,
                        ));
                        inserted_only.push(false);
                    }
                }
                Command::Update {
                    collection,
                    updates,
                } => {
                    for u in updates {
                        let update = match u.update {
                            UpdateSpec::Operators(d) => Bson::Document(d),
                            UpdateSpec::Pipeline(p) => {
                                Bson::Array(p.into_iter().map(Bson::Document).collect())
                            }
                        };
                        inserted_only.push(do_nothing || (two_per_row && u.upsert));
                        steps.push(command(&collection, u.filter, update, u.upsert));
                    }
                }
                other => {
                    return Err(Error::Invalid {
                        message: format!(
                            "internal: INSERT ... RETURNING over a {} command",
                            other.name()
                        ),
                        position: pos,
                    })
                }
            }
        }
        Ok((
            steps,
            Output::ReturnedEach {
                columns,
                inserted_only,
            },
        ))
    }
}
