//! Aggregation pipelines: stages compiled once, then run over an input stream of documents.
//!
//! In: the `pipeline` array of an aggregate command (or a view, `$lookup`, `$facet`, `$unionWith`, a pipeline
//! update); out: the result documents. Other collections are read through [`Catalog`]. Stages: `$match
//! $project $addFields/$set $unset $group $sort $skip $limit $count $unwind $lookup $facet
//! $replaceRoot/$replaceWith $unionWith $setWindowFields $sortByCount $bucket $documents $sample`.
//! `$sort` followed by `$limit` (or `$skip` + `$limit`) keeps only the top k (skip + limit). A `$lookup` and
//! the per-document stages after it (`$match $project $addFields $unset $unwind $replaceRoot`, more
//! `$lookup`s; into a closing `$group`, top-k or `$limit`: `segment.rs`) run one input document at a time, so
//! no stage holds every document's joined array at once, and a `$lookup` directly followed by the `$unwind`
//! of its `as` field never builds the array. Depends on `expr`, `matcher`, `sort`,
//! `projection` and `path`.

mod accumulator;
mod catalog;
mod first_of_groups;
#[cfg(test)]
mod first_of_groups_tests;
pub mod group;
mod group_key;
mod group_sets;
mod group_spill;
mod hoist;
pub mod init_plan;
mod join;
mod join_filter;
mod join_hash;
mod join_keys;
mod join_lazy;
mod join_memo;
mod join_narrow;
mod join_split;
mod join_through;
#[cfg(test)]
mod join_through_tests;
mod join_unwind;
mod presorted;
mod scan_cap;
impl Stage {
    /// Whether the stage builds documents out of values (which may nest its input deeper, or grow it:
    /// `{$replaceRoot: {newRoot: {a: "$$ROOT"}}}` repeated, `{$addFields: {a: "$$ROOT"}}` doubling).
    fn may_deepen(&self) -> bool {
        !matches!(
            self,
            Stage::Match(..)
                | Stage::Unset(_)
                | Stage::Sort(_)
                | Stage::Skip(_)
                | Stage::Limit(_)
                | Stage::Count(_)
                | Stage::Unwind(_)
                | Stage::UnionWith(..)
                | Stage::Sample(_)
        )
    }
}

#[cfg(test)]
mod chain_tests;
mod compact_out;
pub use catalog::{Catalog, NoCatalog};
pub use compact_out::Output;
#[cfg(test)]
mod hoist_tests;
#[cfg(test)]
mod join_engine_tests;
#[cfg(test)]
mod join_lazy_tests;
#[cfg(test)]
mod join_tests;
mod reshape;
mod row_input;
#[cfg(test)]
mod unwind_project_tests;

/// Lowers [`compact_out::HELD_DOCS`] for the pipelines this thread runs (`None`: back to it), so a test runs
/// the bytes paths of a closing sort's output on a small result.
#[cfg(test)]
pub(crate) fn set_test_held_docs(n: Option<usize>) {
    compact_out::TEST_HELD_DOCS.with(|h| h.set(n));
}
mod segment;
mod sort_keys;
mod source_scan;
#[cfg(test)]
mod source_scan_tests;
#[cfg(test)]
mod spill_tests;
mod stream;
mod union_missing;
mod window;
mod window_chain;
#[cfg(test)]
mod window_chain_tests;
mod window_join;
#[cfg(test)]
mod window_join_tests;
mod window_parts;
#[cfg(test)]
mod window_peers_tests;

use super::expr::{Expr, Vars};
use super::matcher::Matcher;
use super::numeric::Num;
use super::projection::{Context, Projection};
use super::sort::SortSpec;
use super::CommandError;
use bson::{Bson, Document};
use group::Group;

#[derive(Debug, Clone)]
enum Stage {
    Match(Matcher, Document),
    Project(Projection),
    AddFields(Vec<(String, Expr)>),
    Unset(Vec<String>),
    Group(Group),
    Sort(SortSpec),
    Skip(usize),
    Limit(usize),
    Count(String),
    Unwind(reshape::Unwind),
    Lookup(Box<join::Lookup>),
    Facet(Vec<(String, Pipeline)>),
    ReplaceRoot(Expr),
    /// The collection, the sub-pipeline, and the top-level fields the sub-pipeline reads of the
    /// collection's documents (`None`: any field; see `fields::pipeline_fields`).
    UnionWith(Option<String>, Option<Pipeline>, Option<Vec<String>>),
    SortByCount(Expr),
    Bucket(Box<reshape::Bucket>),
    Documents(Expr),
    Sample(usize),
    Window(Box<window::SetWindowFields>),
}

/// A compiled pipeline.
#[derive(Debug, Clone)]
pub struct Pipeline {
    stages: Vec<Stage>,
    /// The stage documents as given (what a plan reads of a stage beyond its compiled form).
    raw: Vec<Bson>,
}

fn stage_doc(s: &Bson) -> Result<(&str, &Bson), CommandError> {
    match s {
        Bson::Document(d) if d.len() == 1 => {
            let Some((k, v)) = d.iter().next() else {
                return Err(CommandError::location(
                    40323,
                    "A pipeline stage specification object must contain exactly one field.",
                ));
            };
            Ok((k.as_str(), v))
        }
        Bson::Document(_) => Err(CommandError::location(
            40323,
            "A pipeline stage specification object must contain exactly one field.",
        )),
        _ => Err(CommandError::type_mismatch(
            "Each element of the 'pipeline' array must be an object",
        )),
    }
}

pub(crate) fn want_doc<'a>(v: &'a Bson, stage: &str) -> Result<&'a Document, CommandError> {
    match v {
        Bson::Document(d) => Ok(d),
        _ => Err(CommandError::failed_to_parse(format!(
            "{stage} specification must be an object"
        ))),
    }
}

pub(crate) fn want_count(v: &Bson, stage: &str) -> Result<usize, CommandError> {
    match Num::from_bson(v).and_then(|n| n.to_i64_exact()) {
        Some(n) if n >= 0 => Ok(n as usize),
        _ => Err(CommandError::failed_to_parse(format!(
            "invalid argument to {stage} stage: expected a non-negative integer, got {v}"
        ))),
    }
}

impl Pipeline {
    /// Compiles and validates the stages.
    pub fn compile(stages: &[Bson]) -> Result<Pipeline, CommandError> {
        // A `$match` on outer fields after a `$lookup` runs before it (hoist.rs).
        let hoisted = hoist::hoist_matches(stages);
        let stages = hoisted.as_slice();
        let mut out = Vec::with_capacity(stages.len());
        for (i, s) in stages.iter().enumerate() {
            let (name, arg) = stage_doc(s)?;
            let stage = match name {
                "$match" => {
                    let d = want_doc(arg, name)?;
                    Stage::Match(Matcher::compile(d)?, d.clone())
                }
                "$project" => Stage::Project(Projection::compile(want_doc(arg, name)?, Context::Stage)?),
                "$addFields" | "$set" => {
                    let d = want_doc(arg, name)?;
                    let mut fields = Vec::new();
                    for (k, v) in d {
                        if k.starts_with('$') {
                            return Err(CommandError::location(16410, format!("FieldPath field names may not start with '$': '{k}'")));
                        }
                        fields.push((k.clone(), Expr::compile(v)?));
                    }
                    Stage::AddFields(fields)
                }
                "$unset" => {
                    let paths = match arg {
                        Bson::String(s) => vec![s.clone()],
                        Bson::Array(a) => a
                            .iter()
                            .map(|x| match x {
                                Bson::String(s) => Ok(s.clone()),
                                _ => Err(CommandError::location(31120, "$unset specification must be a string or an array containing only string values")),
                            })
                            .collect::<Result<_, _>>()?,
                        _ => return Err(CommandError::location(31002, "$unset specification must be a string or an array")),
                    };
                    Stage::Unset(paths)
                }
                "$group" => Stage::Group(Group::compile(want_doc(arg, name)?)?),
                "$sort" => Stage::Sort(SortSpec::compile(want_doc(arg, name)?)?),
                "$skip" => Stage::Skip(want_count(arg, name)?),
                "$limit" => {
                    let n = want_count(arg, name)?;
                    if n == 0 {
                        return Err(CommandError::location(15958, "the limit must be positive"));
                    }
                    Stage::Limit(n)
                }
                "$count" => match arg {
                    Bson::String(s) if !s.is_empty() && !s.starts_with('$') && !s.contains('.') => Stage::Count(s.clone()),
                    _ => return Err(CommandError::location(40156, "the count field must be a non-empty string, must not start with '$' and must not contain '.'")),
                },
                "$unwind" => Stage::Unwind(reshape::Unwind::compile(arg)?),
                "$lookup" => Stage::Lookup(Box::new(join::Lookup::compile_before(want_doc(arg, name)?, &stages[i + 1..])?)),
                "$facet" => {
                    let d = want_doc(arg, name)?;
                    let mut facets = Vec::new();
                    for (k, v) in d {
                        let Bson::Array(p) = v else {
                            return Err(CommandError::location(40170, format!("arguments to $facet must be arrays, {k} is type {}", super::bson_order::type_name(v))));
                        };
                        facets.push((k.clone(), Pipeline::compile(p)?));
                    }
                    Stage::Facet(facets)
                }
                "$replaceRoot" => {
                    let d = want_doc(arg, name)?;
                    let nr = d.get("newRoot").ok_or_else(|| CommandError::location(40231, "no newRoot specified for the $replaceRoot stage"))?;
                    Stage::ReplaceRoot(Expr::compile(nr)?)
                }
                "$replaceWith" => Stage::ReplaceRoot(Expr::compile(arg)?),
                "$unionWith" => match arg {
                    Bson::String(s) => Stage::UnionWith(Some(s.clone()), None, None),
                    Bson::Document(d) => {
                        let coll = match d.get("coll") {
                            Some(Bson::String(s)) => Some(s.clone()),
                            None => None,
                            Some(_) => return Err(CommandError::type_mismatch("$unionWith 'coll' must be a string")),
                        };
                        let mut reads = None;
                        let pipe = match d.get("pipeline") {
                            Some(Bson::Array(p)) => {
                                let mut fields = Vec::new();
                                if crate::engine::fields::pipeline_fields(p, &mut fields) {
                                    reads = Some(fields);
                                }
                                Some(Pipeline::compile(p)?)
                            }
                            None => None,
                            Some(_) => return Err(CommandError::type_mismatch("$unionWith 'pipeline' must be an array")),
                        };
                        if coll.is_none() && !pipe.as_ref().is_some_and(|p| p.starts_with_documents()) {
                            return Err(CommandError::failed_to_parse("$unionWith requires 'coll' unless its pipeline starts with $documents"));
                        }
                        Stage::UnionWith(coll, pipe, reads)
                    }
                    _ => return Err(CommandError::failed_to_parse("the $unionWith stage specification must be an object or string")),
                },
                "$sortByCount" => Stage::SortByCount(Expr::compile(arg)?),
                "$bucket" => Stage::Bucket(Box::new(reshape::Bucket::compile(want_doc(arg, name)?)?)),
                "$documents" => {
                    if i != 0 {
                        return Err(CommandError::location(40602, "$documents is only valid as the first stage in a pipeline"));
                    }
                    Stage::Documents(Expr::compile(arg)?)
                }
                "$sample" => {
                    let d = want_doc(arg, name)?;
                    Stage::Sample(want_count(d.get("size").unwrap_or(&Bson::Null), name)?)
                }
                "$setWindowFields" => Stage::Window(Box::new(window::SetWindowFields::compile(want_doc(arg, name)?)?)),
                "$out" | "$merge" => {
                    // The aggregate command takes an output stage off the end before compiling the rest: one
                    // that is left is not last, or is inside $lookup / $facet / $unionWith.
                    return Err(CommandError::location(40601, format!("{name} can only be the final stage in the pipeline")));
                }
                other => {
                    return Err(CommandError::location(40324, format!("Unrecognized pipeline stage name: '{other}'")));
                }
            };
            out.push(stage);
        }
        Ok(Pipeline {
            stages: out,
            raw: stages.to_vec(),
        })
    }

    /// Whether the first stage is `$documents` (a collectionless pipeline).
    pub fn starts_with_documents(&self) -> bool {
        matches!(self.stages.first(), Some(Stage::Documents(_)))
    }

    /// The filter of a leading `$match`, for index selection.
    pub fn leading_match(&self) -> Option<&Document> {
        match self.stages.first() {
            Some(Stage::Match(_, d)) => Some(d),
            _ => None,
        }
    }

    /// The index just after the last `$match` no document passes (`{$expr: false}`: the SQL translator's
    /// `LIMIT 0`, or a constant falsy `$expr`: `expr::constant_false`), when there is one: the stages before it cannot change the (empty) result, so they need not
    /// run, nor the collection be read (mongod moves such a `$match` to the front and answers from an empty
    /// plan).
    pub fn after_always_false(&self) -> Option<usize> {
        self.stages
            .iter()
            .rposition(|s| {
                matches!(s, Stage::Match(_, d)
                    if d.len() == 1 && d.get("$expr").is_some_and(crate::engine::expr::constant_false))
            })
            .map(|i| i + 1)
    }

    /// The `$group` stage at index `i`, when that stage is one (callers stream documents into it).
    pub fn group_at(&self, i: usize) -> Option<&group::Group> {
        match self.stages.get(i) {
            Some(Stage::Group(g)) => Some(g),
            _ => None,
        }
    }

    /// The `$sort` stage at index `i`, when that stage is one.
    pub fn sort_at(&self, i: usize) -> Option<&SortSpec> {
        match self.stages.get(i) {
            Some(Stage::Sort(s)) => Some(s),
            _ => None,
        }
    }

    /// Number of stages.
    pub fn len(&self) -> usize {
        self.stages.len()
    }

    /// Runs the pipeline over `input`.
    pub fn run(
        &self,
        input: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        self.run_from(0, input, catalog, vars)
    }

    /// Runs the stages from index `start` on (earlier stages were applied by the caller, e.g. a leading
    /// `$match` evaluated during the collection scan).
    pub fn run_from(
        &self,
        start: usize,
        input: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        self.run_range(start, self.stages.len(), input, catalog, vars)
    }

    /// Runs the stages `start..end` (a `$lookup`'s uncorrelated prefix, or what follows it).
    pub fn run_range(
        &self,
        start: usize,
        end: usize,
        input: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let end = end.min(self.stages.len());
        let mut docs = input;
        let mut i = start;
        while i < end {
            crate::engine::ops::check()?;
            let stage = &self.stages[i];
            // A `$lookup`, or any per-document stage: it and the per-document stages after it run one
            // document at a time (each document through all of them while it is in cache), into the
            // stage that closes them (segment.rs).
            if Self::per_document(stage) {
                let (out, next) = self.run_segment(i, end, docs, catalog, vars)?;
                docs = out;
                i = next;
                continue;
            }
            if let Stage::Window(w) = stage {
                let (out, next) = self.run_window(w, i, end, docs, catalog, vars)?;
                docs = out;
                i = next;
                continue;
            }
            // `$sort` then a `$group` of `$first`s (DISTINCT ON): each group's smallest document kept, not
            // every document sorted (first_of_groups.rs).
            if let Some((s, g)) = self.first_of_groups_at(i, end) {
                let mut f = first_of_groups::FirstOfGroups::new(s, g, &vars.memory);
                for d in docs {
                    f.push(d, vars)?;
                }
                docs = f.finish(vars)?;
                i += 2;
                continue;
            }
            if let (Stage::Sort(s), Some(Stage::Limit(n))) = (stage, self.stages.get(i + 1)) {
                if i + 1 < end {
                    docs = s.top_bounded(docs, *n, &vars.memory)?;
                    i += 2;
                    continue;
                }
            }
            // `$sort`, `$skip: k`, `$limit: n`: the top k + n, then the `$skip` and `$limit` (mongod moves
            // the limit before the skip the same way).
            if let (Stage::Sort(s), Some(want)) = (stage, self.skip_limit_at(i + 1, end)) {
                docs = s.top_bounded(docs, want, &vars.memory)?;
                i += 1;
                continue;
            }
            // A `$group`'s grand total added unless there (union_missing.rs).
            if let Some(added) = union_missing::at(self, i, end) {
                docs = union_missing::run(self, i, added, docs, catalog, vars)?;
                i += 3;
                continue;
            }
            docs = self.apply(stage, docs, catalog, vars)?;
            i += 1;
        }
        Ok(docs)
    }

    /// The `$sort` at `i` and the `$group` after it (both before `end`) when they run as
    /// [`first_of_groups::FirstOfGroups`].
    pub(super) fn first_of_groups_at(&self, i: usize, end: usize) -> Option<(&SortSpec, &Group)> {
        match (self.stages.get(i), self.stages.get(i + 1)) {
            (Some(Stage::Sort(s)), Some(Stage::Group(g)))
                if i + 1 < end && first_of_groups::applies(s, g) =>
            {
                Some((s, g))
            }
            _ => None,
        }
    }

    /// Runs one stage over the documents of `cur` in place: one document through a stage that maps one to
    /// one is taken without the vectors [`apply`](Self::apply) builds.
    fn step_each(
        &self,
        stage: &Stage,
        cur: &mut Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        if cur.len() == 1 && Self::maps_one(stage) {
            if let Some(d) = cur.pop() {
                if let Some(o) = self.apply_one(stage, d, vars)? {
                    cur.push(o);
                }
            }
            return Ok(());
        }
        let docs = std::mem::take(cur);
        *cur = self.apply(stage, docs, catalog, vars)?;
        Ok(())
    }

    /// Whether a stage maps each document to documents of its own, independently of the others.
    fn per_document(stage: &Stage) -> bool {
        Self::maps_one(stage) || matches!(stage, Stage::Unwind(_) | Stage::Lookup(_))
    }

    /// `$project` of one borrowed document: what [`Pipeline::apply`] of the stage gives for it (its
    /// intermediate-size check included), without a copy of the input.
    pub(super) fn project_one(
        &self,
        p: &Projection,
        d: &Document,
        vars: &Vars,
    ) -> Result<Document, CommandError> {
        crate::engine::ops::check()?;
        let out = p.apply_ref(d, vars)?;
        // A projection may deepen (`may_deepen`): checked as `apply` checks it.
        crate::engine::limits::check_intermediate(std::slice::from_ref(&out))?;
        Ok(out)
    }

    /// Runs one stage over the whole stream.
    fn apply(
        &self,
        stage: &Stage,
        docs: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let out = self.apply_unchecked(stage, docs, catalog, vars)?;
        if stage.may_deepen() {
            crate::engine::limits::check_intermediate(&out)?;
        }
        Ok(out)
    }

    fn apply_unchecked(
        &self,
        stage: &Stage,
        docs: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        Ok(match stage {
            Stage::Match(m, _) => {
                let mut out = Vec::with_capacity(docs.len());
                for d in docs {
                    crate::engine::ops::check()?;
                    if m.matches(&d, vars)? {
                        out.push(d);
                    }
                }
                out
            }
            Stage::Project(p) => docs
                .into_iter()
                .map(|d| {
                    crate::engine::ops::check()?;
                    p.apply_owned(d, vars)
                })
                .collect::<Result<_, _>>()?,
            Stage::AddFields(fields) => {
                let mut out = Vec::with_capacity(docs.len());
                for d in docs {
                    crate::engine::ops::check()?;
                    out.push(add_fields(fields, d, vars)?);
                }
                out
            }
            Stage::Unset(paths) => {
                let mut docs = docs;
                for d in docs.iter_mut() {
                    reshape::unset_fields(d, paths);
                }
                docs
            }
            Stage::Group(g) => g.run(docs, vars)?,
            Stage::Sort(s) => s.sort_bounded(docs, &vars.memory)?,
            Stage::Skip(n) => docs.into_iter().skip(*n).collect(),
            Stage::Limit(n) => {
                let mut docs = docs;
                docs.truncate(*n);
                docs
            }
            Stage::Count(name) => {
                if docs.is_empty() {
                    Vec::new()
                } else {
                    let n = docs.len();
                    let v = i32::try_from(n)
                        .map(Bson::Int32)
                        .unwrap_or(Bson::Int64(n as i64));
                    vec![bson::doc! {name.clone(): v}]
                }
            }
            Stage::Unwind(u) => u.run(docs)?,
            Stage::Lookup(l) => l.run(docs, catalog, vars)?,
            Stage::Facet(facets) => {
                let mut out = Document::new();
                for (name, p) in facets {
                    crate::engine::ops::check_now()?;
                    let r = p.run(docs.clone(), catalog, vars)?;
                    out.insert(
                        name.clone(),
                        Bson::Array(r.into_iter().map(Bson::Document).collect()),
                    );
                }
                vec![out]
            }
            Stage::ReplaceRoot(e) => {
                let mut out = Vec::with_capacity(docs.len());
                for d in docs {
                    out.push(replace_root_owned(e, d, vars)?);
                }
                out
            }
            Stage::UnionWith(coll, pipe, reads) => {
                let mut docs = docs;
                docs.extend(segment::union_docs(coll, pipe, reads, catalog, vars)?);
                docs
            }
            Stage::SortByCount(e) => {
                let mut keyed = Vec::with_capacity(docs.len());
                for d in docs {
                    keyed.push((e.eval(&d, vars)?.unwrap_or(Bson::Null), d));
                }
                let g = Group::compile(&bson::doc! {"_id": null, "count": {"$sum": 1}})?;
                let out = g.run_keyed(keyed, vars)?;
                SortSpec::compile(&bson::doc! {"count": -1})?.sort_bounded(out, &vars.memory)?
            }
            Stage::Bucket(b) => b.run(docs, vars)?,
            Stage::Documents(e) => {
                let v = e.eval(&Document::new(), vars)?;
                match v {
                    Some(Bson::Array(items)) => items
                        .into_iter()
                        .map(|x| match x {
                            Bson::Document(d) => Ok(d),
                            _ => Err(CommandError::type_mismatch(
                                "$documents must evaluate to an array of objects",
                            )),
                        })
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(CommandError::type_mismatch(
                            "$documents must evaluate to an array of objects",
                        ))
                    }
                }
            }
            Stage::Sample(n) => reshape::sample(docs, *n),
            Stage::Window(w) => w.run(docs, vars)?,
        })
    }
}

/// `$addFields` of one document: every expression evaluated against the input document, then set (a
/// missing value removes the field).
fn add_fields(
    fields: &[(String, Expr)],
    mut d: Document,
    vars: &Vars,
) -> Result<Document, CommandError> {
    let mut vals = Vec::with_capacity(fields.len());
    for (_, e) in fields {
        vals.push(e.eval(&d, vars)?);
    }
    for ((k, _), v) in fields.iter().zip(vals) {
        match v {
            Some(v) => reshape::set_field(&mut d, k, v),
            None => reshape::unset_field(&mut d, k),
        }
    }
    Ok(d)
}

/// [`replace_root`] of a document the stage owns: a new root that is a top-level field holding a document
/// is taken out of it (what evaluating `$field` gives, without the copy); anything else is evaluated.
fn replace_root_owned(e: &Expr, mut d: Document, vars: &Vars) -> Result<Document, CommandError> {
    if let Some(f) = e.top_field() {
        if matches!(d.get(f), Some(Bson::Document(_))) {
            if let Some(Bson::Document(nd)) = d.remove(f) {
                return Ok(nd);
            }
        }
    }
    replace_root(e, &d, vars)
}

/// `$replaceRoot` of one document: its new root, which must be a document (40228).
fn replace_root(e: &Expr, d: &Document, vars: &Vars) -> Result<Document, CommandError> {
    match e.eval(d, vars)? {
        Some(Bson::Document(nd)) => Ok(nd),
        other => Err(CommandError::location(40228, format!("'newRoot' expression must evaluate to an object, but resulting value was: {}. Type of resulting value: '{}'. Input document: {}", other.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "MISSING".into()), other.as_ref().map(super::bson_order::type_name).unwrap_or("missing"), d))),
    }
}

impl Pipeline {
    /// Whether a stage maps one document to at most one ([`apply_one`](Self::apply_one) runs it).
    fn maps_one(stage: &Stage) -> bool {
        matches!(
            stage,
            Stage::Match(..)
                | Stage::Project(_)
                | Stage::AddFields(_)
                | Stage::Unset(_)
                | Stage::ReplaceRoot(_)
        )
    }

    /// One document through a stage for which [`maps_one`](Self::maps_one) holds: what
    /// [`apply`](Self::apply) gives for `vec![d]` (its intermediate-size check included), without the
    /// vectors. `None`: the document is filtered out.
    fn apply_one(
        &self,
        stage: &Stage,
        d: Document,
        vars: &Vars,
    ) -> Result<Option<Document>, CommandError> {
        crate::engine::ops::check()?;
        let out = match stage {
            Stage::Match(m, _) => {
                if !m.matches(&d, vars)? {
                    return Ok(None);
                }
                d
            }
            Stage::Project(p) => p.apply_owned(d, vars)?,
            Stage::AddFields(fields) => add_fields(fields, d, vars)?,
            Stage::Unset(paths) => {
                let mut d = d;
                reshape::unset_fields(&mut d, paths);
                d
            }
            Stage::ReplaceRoot(e) => replace_root_owned(e, d, vars)?,
            _ => {
                return Err(CommandError::new(
                    super::error_codes::ErrorCode::InternalError,
                    "apply_one of a stage that does not map one document to one",
                ))
            }
        };
        if stage.may_deepen() {
            crate::engine::limits::check_intermediate(std::slice::from_ref(&out))?;
        }
        Ok(Some(out))
    }
}
