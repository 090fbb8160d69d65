//! `CREATE VIEW name [(cols)] AS <query>` -> `create {create: name, viewOn, pipeline}`: the query translated
//! as a relation (see `cte/`), so the view's documents hold one field per column, named as the column.
//! A view is read like a collection (`find` / `aggregate` on it). `DROP VIEW` -> `drop` (ddl.rs).
//!
//! A query without FROM (one row) has no collection to be a view on: the view is defined on the first
//! collection the query reads, with `[{$limit: 1}, {$facet: {one: [{$limit: 1}]}}, {$project: {one: 0}}]` in
//! place of `$documents` (`$facet` outputs exactly one document, also over an empty collection).

use super::names::collection_name;
use super::{Error, Position, Translated, Translator};
use crate::mql::stage::{Stage, StageKind};
use crate::mql::{Command, Output};
use crate::translate::context::QueryContext;
use crate::translate::Refusal;
use bson::{doc, Bson, Document};
use sqlparser::ast::{CreateTableOptions, CreateView};

impl Translator {
    /// Translates `CREATE VIEW`.
    pub(crate) fn create_view(
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
        if v.or_replace || v.or_alter {
            return refuse("CREATE OR REPLACE VIEW (DROP VIEW, then CREATE VIEW)");
        }
        if v.materialized {
            return self.create_materialized_view(cx, v, at);
        }
        if v.temporary {
            return refuse("CREATE TEMPORARY VIEW");
        }
        if v.secure
            || v.to.is_some()
            || v.params.is_some()
            || !v.cluster_by.is_empty()
            || v.comment.is_some()
            || v.with_no_schema_binding
            || v.copy_grants
            || !matches!(v.options, CreateTableOptions::None)
        {
            return refuse("this CREATE VIEW option");
        }
        let name = collection_name(&v.name)?;
        let mut renames = Vec::new();
        for c in &v.columns {
            if c.data_type.is_some() || c.options.is_some() {
                return refuse("column types or options in CREATE VIEW");
            }
            renames.push(c.name.value.clone());
        }
        if v.if_not_exists {
            self.tolerated_codes.push(48);
        }
        let src = self.query_source(&v.query, &renames, true, at)?;
        if self.param_count > 0 {
            // PostgreSQL: "there is no parameter $1"; a view is stored, not bound.
            return refuse("parameters in CREATE VIEW");
        }
        let (view_on, pipeline) = match src.collection {
            Some(c) => (c, src.pipeline),
            None => {
                let Some(first) = first_collection(&src.pipeline) else {
                    return refuse("a view reading no collection (MongoDB views need viewOn)");
                };
                let mut p = vec![
                    Stage::Limit(Bson::Int32(1)).into_document(),
                    Stage::Facet(doc! {"one": [Stage::Limit(Bson::Int32(1)).into_document()]})
                        .into_document(),
                    Stage::Project(doc! {"one": 0}).into_document(),
                ];
                p.extend(
                    src.pipeline
                        .into_iter()
                        .filter(|s| !StageKind::Documents.is(s)),
                );
                (first, p)
            }
        };
        if view_on == name {
            return Err(Error::Invalid {
                message: format!("view \"{name}\" cannot read itself"),
                position: at,
            });
        }
        Ok((
            vec![Command::Create {
                collection: name,
                options: doc! {
                    "viewOn": view_on,
                    "pipeline": pipeline.into_iter().map(Bson::Document).collect::<Vec<_>>(),
                },
            }],
            Output::Affected,
        ))
    }
}

/// The first `$lookup` / `$unionWith` collection of a pipeline, depth first.
fn first_collection(pipeline: &[Document]) -> Option<String> {
    for stage in pipeline {
        for kind in [StageKind::Lookup, StageKind::UnionWith] {
            if let Some(l) = kind.document(stage) {
                if let Some(c) = l.get_str("from").ok().or_else(|| l.get_str("coll").ok()) {
                    return Some(c.to_string());
                }
                if let Ok(inner) = l.get_array("pipeline") {
                    let docs: Vec<Document> = inner
                        .iter()
                        .filter_map(|d| d.as_document().cloned())
                        .collect();
                    if let Some(c) = first_collection(&docs) {
                        return Some(c);
                    }
                }
            }
        }
    }
    None
}
