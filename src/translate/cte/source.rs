//! A translated query as a relation: the [`Source`] a FROM item, CTE or derived table becomes (the collection
//! its pipeline runs on, the stages, the output columns), built from the query's one read command with a last
//! `$project` renaming `c0, c1, ...` to the column names (NULL columns kept present), and renamed again for a
//! `t(a, b)` column alias list.

use super::unsupported_at;
use crate::mql::command::ReadStages;
use crate::mql::expr as ex;
use crate::mql::stage::{Stage, StageKind};
use crate::mql::{Command, Output};
use crate::translate::Refusal;
use crate::translate::{Error, Position};
use bson::{doc, Bson, Document};

/// A relation as a pipeline source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Source {
    /// The collection the stages run on; `None`: a collectionless pipeline (its first stage is `$documents`).
    pub collection: Option<String>,
    /// The stages producing the relation's rows (empty for a plain collection).
    pub pipeline: Vec<Document>,
    /// The relation's column names when known (a query's SELECT list); `None` for a collection or `SELECT *`.
    pub columns: Option<Vec<String>>,
    /// For a join of collections: its plan (WHERE conditions on the first table may run before the joins).
    pub join: Option<crate::translate::join::FromPlan>,
    /// The columns holding interval documents (a CTE or derived table read by a join): the join's expressions
    /// read them as intervals.
    pub intervals: Vec<String>,
}

impl Source {
    /// A plain collection: `find` may read it directly.
    pub fn is_plain(&self) -> bool {
        self.collection.is_some() && self.pipeline.is_empty()
    }

    /// The collection name (empty for a collectionless source).
    pub fn collection_name(&self) -> &str {
        self.collection.as_deref().unwrap_or("")
    }

    /// The `aggregate` command running `pipeline` on this source.
    pub fn command(&self, pipeline: Vec<Document>) -> Command {
        match &self.collection {
            Some(c) => Command::Aggregate {
                collection: c.clone(),
                pipeline,
            },
            None => Command::AggregateDb { pipeline },
        }
    }

    /// `{$lookup: {from?, let?, pipeline, as}}` reading this source (plus `tail` stages).
    pub fn lookup(&self, lets: Document, tail: Vec<Document>, as_field: &str) -> Document {
        let mut l = Document::new();
        if let Some(c) = &self.collection {
            l.insert("from", c.clone());
        }
        if !lets.is_empty() {
            l.insert("let", lets);
        }
        let mut p = self.pipeline.clone();
        p.extend(tail);
        l.insert(
            "pipeline",
            p.into_iter().map(Bson::Document).collect::<Vec<_>>(),
        );
        l.insert("as", as_field);
        Stage::Lookup(l).into_document()
    }
}

/// A translated query as a source: its one read command's stages, then the rename to column names; and the
/// (renamed) columns holding interval documents (`OutputColumn::interval`).
pub(super) fn to_source(
    steps: Vec<Command>,
    output: Output,
    renames: &[String],
    pos: Position,
) -> Result<(Source, Vec<String>), Error> {
    let [step] = <[Command; 1]>::try_from(steps)
        .map_err(|_| unsupported_at(Refusal::Relation, "this query as a relation", pos))?;
    let ReadStages {
        collection,
        mut pipeline,
        projection,
    } = step
        .into_read_stages()
        .ok_or_else(|| unsupported_at(Refusal::Relation, "this query as a relation", pos))?;
    // A find's projection only names plain fields (`{_id: 0, a: 1}`); the renaming `$project` below reads them.
    if let (Some(pr), true) = (projection, output_is_wildcard(&output)) {
        pipeline.push(Stage::Project(pr).into_document());
    }
    let Output::Rows { columns } = output else {
        return Err(unsupported_at(
            Refusal::Relation,
            "this query as a relation",
            pos,
        ));
    };
    if columns.is_empty() {
        if !renames.is_empty() {
            return Err(unsupported_at(
                Refusal::Relation,
                "column aliases on SELECT * as a relation",
                pos,
            ));
        }
        return Ok((
            Source {
                collection,
                pipeline,
                columns: None,
                join: None,
                intervals: Vec::new(),
            },
            Vec::new(),
        ));
    }
    if renames.len() > columns.len() {
        return Err(Error::Invalid {
            message: format!(
                "the relation has {} columns available but {} columns specified",
                columns.len(),
                renames.len()
            ),
            position: pos,
        });
    }
    // The rename replaces a last `$project` that computes the columns, reading its expressions directly.
    let last_project = match pipeline.last() {
        Some(s) if s.len() == 1 => StageKind::Project.document(s).cloned(),
        _ => None,
    };
    let computed = last_project.filter(|p| {
        p.keys()
            .all(|k| k == "_id" || columns.iter().any(|c| &c.field == k))
            && columns.iter().all(|c| p.contains_key(&c.field))
    });
    if computed.is_some() {
        pipeline.pop();
    }
    let mut names: Vec<String> = Vec::new();
    let mut intervals: Vec<String> = Vec::new();
    let mut project = doc! {"_id": 0};
    for (i, c) in columns.iter().enumerate() {
        let name = renames.get(i).cloned().unwrap_or_else(|| c.name.clone());
        crate::translate::names::check_field_segment(&name, pos)?;
        if name.contains('.') || name == "_id" {
            return Err(unsupported_at(
                Refusal::Relation,
                format!("column name \"{name}\" in a CTE / derived table ('.' or _id)"),
                pos,
            ));
        }
        if names.contains(&name) {
            return Err(unsupported_at(
                Refusal::Relation,
                format!("duplicate column name \"{name}\" in a CTE / derived table"),
                pos,
            ));
        }
        let value = match computed.as_ref().and_then(|p| p.get(&c.field)) {
            Some(v) => v.clone(),
            None => ex::field(&c.field).into(),
        };
        project.insert(&name, present(value));
        if c.interval {
            intervals.push(name.clone());
        }
        names.push(name);
    }
    let stage = Stage::Project(project).into_document();
    // Reading a relation's columns unchanged renames nothing: the stage would repeat the last one.
    if pipeline.last() != Some(&stage) {
        pipeline.push(stage);
    }
    Ok((
        Source {
            collection,
            pipeline,
            columns: Some(names),
            join: None,
            intervals: Vec::new(),
        },
        intervals,
    ))
}

/// Prints the interval documents of `intervals` (columns of `src`) as their text, for a reader that knows no
/// column types (a joined relation).
pub(super) fn intervals_as_text(src: &mut Source, intervals: &[String]) {
    if intervals.is_empty() {
        return;
    }
    let mut text = Document::new();
    for c in intervals {
        if !text_where_built(&mut src.pipeline, c) {
            text.insert(
                c,
                crate::translate::expr::interval::format(ex::field(c).into()),
            );
        }
    }
    if !text.is_empty() {
        src.pipeline.push(Stage::Set(text).into_document());
    }
}

/// When the last stage is a `$project` that computes column `c` (an expression, not an inclusion): its
/// expression replaced by the interval's text, computed where the expression builds its document
/// (`interval::format`), instead of a `$set` after it reading the document back; whether it was.
/// The text of NULL or a missing value is NULL (present), so a `{$ifNull: [x, null]}` around the
/// expression is not needed.
fn text_where_built(pipeline: &mut [Document], c: &str) -> bool {
    let Some(project) = pipeline
        .last_mut()
        .and_then(|s| crate::mql::stage::StageKind::Project.document_mut(s))
    else {
        return false;
    };
    let Some(value) = project.get_mut(c) else {
        return false;
    };
    let operator = matches!(&*value, Bson::Document(d)
        if d.keys().next().is_some_and(|k| k.starts_with('$')));
    let path = matches!(&*value, Bson::String(p) if p.starts_with('$'));
    // an operator (a document of other keys is a nested projection, not an expression), or a path
    let built = match (operator, path) {
        (true, _) => crate::mql::expr::rendered_or_null_operand(value)
            .unwrap_or(value)
            .clone(),
        (false, true) => value.clone(),
        (false, false) => return false,
    };
    *value = crate::translate::expr::interval::format(built);
    true
}

/// `{$ifNull: [v, null]}` (a missing value becomes a present NULL), unless `v` is never missing already.
fn present(v: Bson) -> Bson {
    if ex::rendered_never_missing(&v) {
        v
    } else {
        ex::or_null(v).into()
    }
}

fn output_is_wildcard(o: &Output) -> bool {
    matches!(o, Output::Rows { columns } if columns.is_empty())
}

/// A CTE read under an alias with column aliases: a renaming `$project` appended (its interval columns
/// `intervals` renamed with it).
pub(super) fn rename_source(
    src: Source,
    intervals: &[String],
    renames: &[String],
    pos: Position,
) -> Result<(Source, Vec<String>), Error> {
    if renames.is_empty() {
        return Ok((src, intervals.to_vec()));
    }
    let Some(cols) = &src.columns else {
        return Err(unsupported_at(
            Refusal::Relation,
            "column aliases on SELECT * as a relation",
            pos,
        ));
    };
    let output = Output::Rows {
        columns: cols
            .iter()
            .map(|c| {
                let mut o = crate::mql::OutputColumn::new(c.clone(), c.clone());
                o.interval = intervals.contains(c);
                o
            })
            .collect(),
    };
    let cmd = src.command(src.pipeline.clone());
    to_source(vec![cmd], output, renames, pos)
}
