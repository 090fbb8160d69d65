//! `$lookup`: equality joins (`localField`/`foreignField`), correlated pipelines (`let` + `pipeline`), and
//! both together.
//!
//! In: the stage document, input documents, the catalog; out: each input document with the `as` array of
//! joined documents. Equality follows the query language: an array on either side matches by element, a
//! missing or null local value matches foreign documents whose field is null or missing. Depends on
//! `expr`, `bson_order`, `Pipeline`.

use super::reshape::set_field;
use super::{Catalog, Pipeline};
use crate::engine::bson_order::equal;
use crate::engine::expr::{Expr, Vars};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// A compiled `$lookup`.
#[derive(Debug, Clone)]
pub struct Lookup {
    from: Option<String>,
    local: Option<String>,
    foreign: Option<String>,
    lets: Vec<(String, Expr)>,
    pipeline: Option<Pipeline>,
    as_field: String,
}

impl Lookup {
    /// Compiles the stage document.
    pub fn compile(d: &Document) -> Result<Lookup, CommandError> {
        let s = |k: &str| -> Result<Option<String>, CommandError> {
            match d.get(k) {
                Some(Bson::String(s)) => Ok(Some(s.clone())),
                None => Ok(None),
                Some(_) => Err(CommandError::failed_to_parse(format!(
                    "$lookup argument '{k}' must be a string"
                ))),
            }
        };
        for k in d.keys() {
            if !matches!(
                k.as_str(),
                "from" | "localField" | "foreignField" | "let" | "pipeline" | "as"
            ) {
                return Err(CommandError::failed_to_parse(format!(
                    "unknown argument to $lookup: {k}"
                )));
            }
        }
        let from = s("from")?;
        let local = s("localField")?;
        let foreign = s("foreignField")?;
        let as_field = s("as")?.ok_or_else(|| {
            CommandError::failed_to_parse("must specify 'as' field for a $lookup")
        })?;
        if local.is_some() != foreign.is_some() {
            return Err(CommandError::failed_to_parse("$lookup requires both or neither of 'localField' and 'foreignField' to be specified"));
        }
        let pipeline = match d.get("pipeline") {
            Some(Bson::Array(p)) => Some(Pipeline::compile(p)?),
            None => None,
            Some(_) => {
                return Err(CommandError::failed_to_parse(
                    "$lookup 'pipeline' must be an array",
                ))
            }
        };
        if pipeline.is_none() && local.is_none() {
            return Err(CommandError::failed_to_parse("$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified"));
        }
        if from.is_none() && !pipeline.as_ref().is_some_and(|p| p.starts_with_documents()) {
            return Err(CommandError::failed_to_parse("must specify 'from' field for a $lookup unless its pipeline starts with $documents"));
        }
        let mut lets = Vec::new();
        if let Some(l) = d.get("let") {
            let Bson::Document(l) = l else {
                return Err(CommandError::failed_to_parse(
                    "$lookup 'let' must be an object",
                ));
            };
            for (k, v) in l {
                lets.push((k.clone(), Expr::compile(v)?));
            }
        }
        Ok(Lookup {
            from,
            local,
            foreign,
            lets,
            pipeline,
            as_field,
        })
    }

    /// Runs the join.
    pub fn run(
        &self,
        docs: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let foreign_docs = match &self.from {
            Some(f) => catalog.scan(f)?,
            None => Vec::new(),
        };
        let mut out = Vec::with_capacity(docs.len());
        for mut d in docs {
            let mut matched: Vec<Document> = match (&self.local, &self.foreign) {
                (Some(l), Some(f)) => {
                    let locals = values_at(&d, l);
                    foreign_docs
                        .iter()
                        .filter(|fd| {
                            let fvals = values_at(fd, f);
                            locals.iter().any(|lv| {
                                fvals.iter().any(|fv| equal(lv, fv) && same_bracket(lv, fv))
                            })
                        })
                        .cloned()
                        .collect()
                }
                _ => foreign_docs.clone(),
            };
            if let Some(p) = &self.pipeline {
                let mut inner = vars.clone();
                for (name, e) in &self.lets {
                    let v = e.eval(&d, vars)?.unwrap_or(Bson::Null);
                    inner.user.push((name.clone(), v));
                }
                matched = p.run(matched, catalog, &inner)?;
            }
            set_field(
                &mut d,
                &self.as_field,
                Bson::Array(matched.into_iter().map(Bson::Document).collect()),
            );
            out.push(d);
        }
        Ok(out)
    }
}

fn same_bracket(a: &Bson, b: &Bson) -> bool {
    crate::engine::bson_order::type_rank(a) == crate::engine::bson_order::type_rank(b)
}

/// Values at a path for join equality: array elements (and the array itself), null for missing.
fn values_at(doc: &Document, path: &str) -> Vec<Bson> {
    let mut out = Vec::new();
    let parts: Vec<&str> = path.split('.').collect();
    collect(&Bson::Document(doc.clone()), &parts, &mut out);
    if out.is_empty() {
        out.push(Bson::Null);
    }
    out
}

fn collect(v: &Bson, parts: &[&str], out: &mut Vec<Bson>) {
    let Some((part, rest)) = parts.split_first() else {
        if let Bson::Array(items) = v {
            out.extend(items.iter().cloned());
        }
        out.push(v.clone());
        return;
    };
    match v {
        Bson::Document(d) => match d.get(*part) {
            Some(x) => collect(x, rest, out),
            None => out.push(Bson::Null),
        },
        Bson::Array(items) => {
            for it in items {
                collect(it, parts, out);
            }
        }
        _ => {}
    }
}
