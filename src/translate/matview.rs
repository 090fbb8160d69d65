//! Materialized views, as MongoDB's manual builds them ("on-demand materialized views"): the rows live in an
//! ordinary collection `name`, and the defining query is kept as a MongoDB view `name.sqlmongo_matview`, so
//! that `REFRESH` needs nothing but the name.
//!
//! - `CREATE MATERIALIZED VIEW name AS <query>` -> `create name` (48 when it exists), `create` of the
//!   definition view (the query as `CREATE VIEW` translates it), `aggregate` of the definition view into
//!   `{$out: name}`, `count name` (PostgreSQL's `SELECT n`).
//! - `REFRESH MATERIALIZED VIEW name` -> `collMod` of the definition view (26 NamespaceNotFound when `name`
//!   is not a materialized view: without this guard the next step would read nothing and empty `name`), then
//!   the same `$out`. `$out` swaps the new rows in at once, so readers are never blocked and never see part
//!   of a refresh: PostgreSQL's `CONCURRENTLY`, which is therefore accepted and the same.
//! - `DROP MATERIALIZED VIEW name` -> `drop` of the definition view (26 when `name` is not one), then of `name`.

use super::names::collection_name;
use super::{Error, Position, Translated, Translator};
use crate::mql::stage::Stage;
use crate::mql::{Command, Output};
use crate::sql::RefreshMaterializedView;
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::Document;
use sqlparser::ast::{CreateView, Ident, ObjectName};

/// The name of the view holding the defining query of materialized view `name`.
pub(crate) fn definition_of(name: &str) -> String {
    format!("{name}.sqlmongo_matview")
}

/// `$out` of the definition view into the materialized view.
fn refresh_step(name: &str) -> Command {
    Command::Aggregate {
        collection: definition_of(name),
        pipeline: vec![Stage::Out(name.to_string()).into()],
    }
}

/// The steps of `DROP MATERIALIZED VIEW name`.
pub(crate) fn drop_steps(name: String) -> [Command; 2] {
    [
        Command::Drop {
            collection: definition_of(&name),
        },
        Command::Drop { collection: name },
    ]
}

impl Translator {
    /// Translates `CREATE MATERIALIZED VIEW name AS query`.
    pub(crate) fn create_materialized_view(
        &mut self,
        cx: &mut QueryContext,
        v: &CreateView,
        at: Position,
    ) -> Result<Translated, Error> {
        let refuse = |what: &str| {
            Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: what.to_string(),
                position: at,
            })
        };
        if v.if_not_exists {
            return refuse(
                "CREATE MATERIALIZED VIEW IF NOT EXISTS (the query would still replace the rows)",
            );
        }
        let name = collection_name(&v.name)?;
        let mut definition = v.clone();
        definition.materialized = false;
        definition.name = ObjectName::from(vec![Ident::new(definition_of(&name))]);
        let (view, _) = self.create_view(cx, &definition, at)?;
        let reads_itself = view.iter().any(|c| {
            matches!(c, Command::Create { options, .. } if options.get_str("viewOn").ok() == Some(name.as_str()))
        });
        if reads_itself {
            return Err(Error::Invalid {
                message: format!("materialized view \"{name}\" cannot read itself"),
                position: at,
            });
        }
        let mut steps = vec![Command::Create {
            collection: name.clone(),
            options: Document::new(),
        }];
        steps.extend(view);
        steps.push(refresh_step(&name));
        steps.push(Command::Count {
            collection: name,
            query: Document::new(),
        });
        Ok((steps, Output::Affected))
    }

    /// Translates `REFRESH MATERIALIZED VIEW name`.
    pub(crate) fn refresh_materialized_view(
        &mut self,
        r: &RefreshMaterializedView,
        at: Position,
    ) -> Result<Translated, Error> {
        if r.with_no_data {
            return Err(Error::Unsupported {
                kind: Refusal::Statement,
                construct: "REFRESH MATERIALIZED VIEW ... WITH NO DATA (an unpopulated view cannot be told apart from an empty one)".into(),
                position: at,
            });
        }
        let name = collection_name(&r.name)?;
        Ok((
            vec![
                Command::CollMod {
                    collection: definition_of(&name),
                    options: Document::new(),
                },
                refresh_step(&name),
            ],
            Output::Affected,
        ))
    }
}
