//! An uncorrelated `$lookup` whose joined array is read only by the `$expr`s of the `$match`es right after it
//! and by the `$project` closing them (the select list) is run once before the pipeline, and its array
//! written into those expressions as a constant (PostgreSQL's InitPlan): the translator's scalar subquery
//! (`WHERE risk_score > (SELECT AVG(risk_score) + 0.55 FROM t)`) and the NULL count of `x [NOT] IN (SELECT
//! ...)` in a select list then cost one run of the subquery and expressions on constants, not a copy of the
//! one-row array into every outer document and the `$cond` on its size evaluated per document.
//!
//! The commands are unchanged (`sqlmongo translate` shows what runs, and mongod caches the same uncorrelated
//! sub-pipeline); only the engine's execution is. Exactness:
//! - the `as` array is the stage's own: its sub-pipeline over `from`, closed by the projection of the
//!   fields read that the stage adds itself (`join_narrow`), run by the caller as an aggregate of its own
//!   (the scan's fast paths, `SubRun`), or by the stage when it reads `$documents`; bounded as the stage
//!   bounds it (`Lookup::joined_array`). So `$size`, `$arrayElemAt` and the paths under it read the same
//!   values; a path `$as.f` is replaced by its value on `{as: array}`;
//! - the stage is dropped only when nothing after it reads the `as` field any more (the stages' reads are
//!   known, and end in a stage that builds its documents from what it read) and the substituted `$match`es
//!   stand before any stage that could write it;
//! - subexpressions that read nothing are folded to their value only when that evaluation succeeds: an
//!   error (PostgreSQL's "more than one row returned by a subquery used as an expression") is left in place
//!   and still raised by the documents that reach it, as before;
//! - the sub-pipeline runs before the scan even when no outer document reaches the stage; when that run
//!   fails the pipeline runs unchanged (the error then appears only where it appeared before);
//! - in the `$project`, only computed values are rewritten (inclusion and exclusion flags stay), and one
//!   that names the `as` field itself keeps the stage.
//!
//! In: the stage documents; out: the rewritten stage documents, or `None` when nothing applies. Depends on
//! `join` (the `$lookup` itself), `fields`, `expr`. A property test below holds the rewritten pipeline to
//! the original on generated data.

use super::join::{correlated, owned, Lookup};
use super::join_narrow::{inclusion, joined_reads};
use super::Catalog;
use crate::engine::expr::{reads_nothing, Expr, Vars};
use bson::{Bson, Document};

/// Runs a sub-pipeline over a collection as an aggregate of its own: `(from, pipeline)` to its documents.
pub type SubRun<'a> =
    dyn Fn(&str, &[Bson]) -> Result<Vec<Document>, crate::engine::CommandError> + 'a;

/// The stages with every uncorrelated `$lookup` that qualifies (see the module documentation) run once and
/// written into the `$match`es after it; `None` when none qualifies or a run fails.
pub fn inline_uncorrelated(
    stages: &[Bson],
    catalog: &dyn Catalog,
    vars: &Vars,
    sub: &SubRun<'_>,
) -> Option<Vec<Bson>> {
    let qualifies = |st: &Bson| {
        st.as_document()
            .and_then(|d| d.get("$lookup"))
            .and_then(Bson::as_document)
            .and_then(uncorrelated_as)
            .is_some()
    };
    if !stages.iter().any(qualifies) {
        return None;
    }
    let mut out: Vec<Bson> = stages.to_vec();
    let mut changed = false;
    let mut i = 0;
    while i < out.len() {
        match inline_at(&out, i, catalog, vars, sub) {
            Some(next) => {
                out = next;
                changed = true;
            }
            None => i += 1,
        }
    }
    changed.then_some(out)
}

/// `stages` with the `$lookup` at `i` run and written into the `$match`es after it, when it qualifies.
fn inline_at(
    stages: &[Bson],
    i: usize,
    catalog: &dyn Catalog,
    vars: &Vars,
    sub: &SubRun<'_>,
) -> Option<Vec<Bson>> {
    let spec = stages
        .get(i)?
        .as_document()?
        .get("$lookup")?
        .as_document()?;
    let as_field = uncorrelated_as(spec)?;
    let rest = stages.get(i + 1..)?;
    // The run of `$match`es (and `$lookup`s writing other fields) right after the stage: where its array
    // is substituted.
    let mut run = 0;
    for st in rest {
        let d = st.as_document()?;
        if d.len() != 1 {
            return None;
        }
        match d.iter().next() {
            Some((k, _)) if k == "$match" => run += 1,
            Some((k, Bson::Document(l))) if k == "$lookup" => {
                let other = l.get_str("as").ok()?;
                if other.split('.').next() == Some(as_field) {
                    break;
                }
                run += 1;
            }
            _ => break,
        }
    }
    // The `$project` closing the run (the select list): written into too, unless it names the field itself.
    let project = match rest.get(run).and_then(Bson::as_document) {
        Some(d) if d.len() == 1 => match d.get("$project") {
            Some(Bson::Document(spec))
                if !spec.keys().any(|k| k.split('.').next() == Some(as_field)) =>
            {
                Some(run)
            }
            _ => None,
        },
        _ => None,
    };
    let end = run + usize::from(project.is_some());
    // Before anything runs: a stage to write the array into, and no later stage reading the field (the
    // sub-pipeline is left to the stage, not run here in vain). The check after the substitution below
    // still decides.
    // After a `$project` that builds its documents from what it reads (not an exclusion), nothing reads the
    // field but through it.
    let mut later = Vec::new();
    let read_later = match project {
        Some(at) => !crate::engine::fields::pipeline_paths(rest.get(at..=at)?, &mut later),
        None => {
            !crate::engine::fields::pipeline_paths(rest.get(run..)?, &mut later)
                || later.iter().any(|p| p.split('.').next() == Some(as_field))
        }
    };
    if end == 0 || read_later {
        return None;
    }
    let lookup = Lookup::compile_before(spec, rest).ok()?;
    let pipeline = spec.get_array("pipeline").ok()?;
    let starts_with_documents = pipeline
        .first()
        .and_then(Bson::as_document)
        .is_some_and(|d| d.contains_key("$documents"));
    let matched = match spec.get_str("from") {
        // As an aggregate of its own over the collection, closed by the projection of the fields read
        // that the stage itself would add (join_narrow.rs).
        Ok(from) if !starts_with_documents => {
            let mut p = pipeline.clone();
            if let Some(fields) = joined_reads(as_field, rest) {
                p.push(Bson::Document(bson::doc! {"$project": inclusion(&fields)}));
            }
            sub(from, &p).ok()?
        }
        _ => {
            let mut exec = lookup.start(catalog, vars);
            owned(exec.matches(&Document::new()).ok()?)
        }
    };
    let array = lookup.joined_array(matched).ok()?;
    let whole = bson::doc! {as_field: array};
    let mut new_rest = Vec::with_capacity(rest.len());
    for (k, st) in rest.iter().enumerate() {
        if Some(k) == project {
            let spec = st
                .as_document()
                .and_then(|d| d.get_document("$project").ok())?;
            let spec = subst_project(spec, as_field, &whole, vars)?;
            new_rest.push(Bson::Document(bson::doc! {"$project": spec}));
            continue;
        }
        let Some(Bson::Document(m)) = st.as_document().and_then(|d| d.get("$match")) else {
            new_rest.push(st.clone());
            continue;
        };
        if k >= run {
            new_rest.push(st.clone());
            continue;
        }
        let m = subst_match(m, as_field, &whole, vars)?;
        // `{$expr: true}` (an uncorrelated EXISTS that found a row) keeps every document: it goes, so the
        // stages after it see the collection itself (`COUNT(*)`: its record count).
        if m.len() == 1 && m.get("$expr") == Some(&literal(Bson::Boolean(true))) {
            continue;
        }
        new_rest.push(Bson::Document(bson::doc! {"$match": m}));
    }
    // Nothing after the stage may read the `as` field any more (nor the documents whole).
    let mut paths = Vec::new();
    if !crate::engine::fields::pipeline_paths(&new_rest, &mut paths) {
        return None;
    }
    if paths.iter().any(|p| p.split('.').next() == Some(as_field)) {
        return None;
    }
    let mut out = stages[..i].to_vec();
    out.extend(new_rest);
    Some(out)
}

/// The `as` field of a `$lookup` whose result depends on no outer document (a `pipeline` and `from` or
/// `$documents`, no `let` variable, no `localField`, nothing random in the sub-pipeline).
fn uncorrelated_as(spec: &Document) -> Option<&str> {
    for k in spec.keys() {
        match k.as_str() {
            "from" | "pipeline" | "as" => {}
            "let" if spec.get_document("let").is_ok_and(|l| l.is_empty()) => {}
            _ => return None,
        }
    }
    let pipeline = spec.get_array("pipeline").ok()?;
    if pipeline.iter().any(|st| correlated(st, &[])) {
        return None;
    }
    let as_field = spec.get_str("as").ok()?;
    (!as_field.is_empty() && !as_field.contains('.') && !as_field.starts_with('$'))
        .then_some(as_field)
}

/// A `$match` document with the `as` field's paths in its `$expr`s (also under `$and` / `$or` / `$nor`)
/// replaced by their values on `whole`, and what then reads nothing folded.
fn subst_match(m: &Document, as_field: &str, whole: &Document, vars: &Vars) -> Option<Document> {
    let mut out = Document::new();
    for (k, v) in m {
        let v = match (k.as_str(), v) {
            ("$expr", e) => fold(&subst(e, as_field, whole, vars)?, vars),
            ("$and" | "$or" | "$nor", Bson::Array(items)) => {
                let mut xs = Vec::with_capacity(items.len());
                for x in items {
                    xs.push(match x {
                        Bson::Document(d) => Bson::Document(subst_match(d, as_field, whole, vars)?),
                        other => other.clone(),
                    });
                }
                Bson::Array(xs)
            }
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    Some(out)
}

/// A `$project` specification with the `as` field's paths in its computed values replaced by their values on
/// `whole`, and what then reads nothing folded; inclusion and exclusion flags (numbers, booleans) stay.
fn subst_project(
    spec: &Document,
    as_field: &str,
    whole: &Document,
    vars: &Vars,
) -> Option<Document> {
    let mut out = Document::new();
    for (k, v) in spec {
        let v = match v {
            Bson::String(_) | Bson::Document(_) | Bson::Array(_) => {
                fold(&subst(v, as_field, whole, vars)?, vars)
            }
            other => other.clone(),
        };
        out.insert(k.clone(), v);
    }
    Some(out)
}

/// An expression with every field path `$as` / `$as.p` replaced by its value on `whole` (a `$literal`).
fn subst(e: &Bson, as_field: &str, whole: &Document, vars: &Vars) -> Option<Bson> {
    match e {
        Bson::String(s) => {
            let hit = s
                .strip_prefix('$')
                .and_then(|p| p.strip_prefix(as_field))
                .is_some_and(|tail| tail.is_empty() || tail.starts_with('.'));
            if !hit {
                return Some(e.clone());
            }
            let v = Expr::compile(e).ok()?.eval(whole, vars).ok()??;
            Some(literal(v))
        }
        Bson::Array(items) => items
            .iter()
            .map(|x| subst(x, as_field, whole, vars))
            .collect::<Option<Vec<_>>>()
            .map(Bson::Array),
        Bson::Document(d) if d.len() == 1 && d.contains_key("$literal") => Some(e.clone()),
        Bson::Document(d) => {
            let mut out = Document::new();
            for (k, v) in d {
                out.insert(k.clone(), subst(v, as_field, whole, vars)?);
            }
            Some(Bson::Document(out))
        }
        _ => Some(e.clone()),
    }
}

/// `{$literal: v}`.
fn literal(v: Bson) -> Bson {
    Bson::Document(bson::doc! {"$literal": v})
}

/// An expression with each operator subexpression that reads nothing (no field, no variable, nothing
/// random) replaced by its value, when evaluating it succeeds and gives one. Only positions that are
/// expressions are visited: the expression itself, the elements of an operator's array of arguments, and
/// an operator's single argument when that is itself an operator document.
fn fold(e: &Bson, vars: &Vars) -> Bson {
    let Bson::Document(d) = e else {
        return e.clone();
    };
    let Some((op, arg)) = d.iter().next() else {
        return e.clone();
    };
    if d.len() != 1 || !op.starts_with('$') || op == "$literal" {
        return e.clone();
    }
    if reads_nothing(e) {
        if let Ok(Some(v)) = Expr::compile(e).and_then(|x| x.eval(&Document::new(), vars)) {
            return literal(v);
        }
    }
    let arg = match arg {
        Bson::Array(items) => Bson::Array(items.iter().map(|x| fold(x, vars)).collect()),
        Bson::Document(a) if a.len() == 1 && a.keys().all(|k| k.starts_with('$')) => {
            fold(arg, vars)
        }
        other => other.clone(),
    };
    let mut out = Document::new();
    out.insert(op.clone(), arg);
    Bson::Document(out)
}

#[cfg(test)]
#[path = "init_plan_tests.rs"]
mod tests;
