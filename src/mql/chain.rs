//! Step chaining: a command of a [`StatementPlan`] may read what an earlier step of the same statement
//! returned. The translator writes the placeholder [`step_output`] (`{"$stepOutput": {"step": i, "field": f}}`)
//! where the value belongs; at execution the placeholder becomes the array of field `f` of every document
//! the cursor of step `i` returned (steps are numbered from 0 in plan order).
//!
//! Used where one MongoDB command cannot express a statement, e.g. `DELETE ... WHERE x IN (SELECT ...)`:
//! step 0 aggregates the `_id`s of the rows to delete, step 1 is `delete {q: {_id: {$in: <step 0>}}}`. The
//! steps run one after the other, so such a statement is not atomic (docs/dialect.md).
//!
//! Placeholders can only come from the translator: SQL cannot write a `$`-prefixed key, and substitution
//! happens on the command template before parameters are bound, so a bound value is never read as one.

use super::plan::StatementPlan;
use super::BindError;
use bson::{doc, Bson, Document};

/// The key of a step-output placeholder.
const KEY: &str = "$stepOutput";

/// The field that makes a placeholder stand for the step's whole documents: a placeholder with it, as an
/// element of an array, is replaced by the documents themselves, spliced into that array (an `insert`'s
/// `documents: [<placeholder>]` for `INSERT ... SELECT`).
pub const WHOLE_DOCUMENTS: &str = "$$ROOT";

/// The placeholder for "the values of `field` in the documents returned by step `step`".
pub fn step_output(step: usize, field: &str) -> Bson {
    Bson::Document(doc! {KEY: {"step": step as i64, "field": field}})
}

/// The step and field of a placeholder document.
fn placeholder(d: &Document) -> Option<(usize, &str)> {
    if d.len() != 1 {
        return None;
    }
    let inner = d.get_document(KEY).ok()?;
    let step = inner.get_i64("step").ok()?;
    let field = inner.get_str("field").ok()?;
    Some((usize::try_from(step).ok()?, field))
}

fn scan(v: &Bson, out: &mut Vec<usize>) {
    match v {
        Bson::Document(d) => {
            if let Some((step, _)) = placeholder(d) {
                out.push(step);
                return;
            }
            d.values().for_each(|x| scan(x, out));
        }
        Bson::Array(a) => a.iter().for_each(|x| scan(x, out)),
        _ => {}
    }
}

impl StatementPlan {
    /// The steps whose output a later step reads, in plan order (each once).
    pub fn consumed_steps(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for c in &self.steps {
            scan(&Bson::Document(c.to_document()), &mut out);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether step `i` reads the output of an earlier step.
    pub fn step_reads_outputs(&self, i: usize) -> bool {
        let mut out = Vec::new();
        if let Some(c) = self.steps.get(i) {
            scan(&Bson::Document(c.to_document()), &mut out);
        }
        !out.is_empty()
    }
}

/// Replaces every placeholder in `template` by the array of `field` values of the documents `outputs[step]`
/// (a document without the field contributes NULL). A placeholder naming a step without output is an error.
pub fn substitute_outputs(
    template: Document,
    outputs: &[Option<Vec<Document>>],
) -> Result<Document, BindError> {
    let mut out = Document::new();
    for (k, v) in template {
        out.insert(k, substitute(v, outputs)?);
    }
    Ok(out)
}

fn substitute(v: Bson, outputs: &[Option<Vec<Document>>]) -> Result<Bson, BindError> {
    match v {
        Bson::Document(d) => {
            if let Some((step, field)) = placeholder(&d) {
                let docs = step_docs(outputs, step)?;
                return Ok(Bson::Array(
                    docs.iter()
                        .map(|x| x.get(field).cloned().unwrap_or(Bson::Null))
                        .collect(),
                ));
            }
            Ok(Bson::Document(substitute_outputs(d, outputs)?))
        }
        Bson::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for x in a {
                if let Bson::Document(d) = &x {
                    if let Some((step, WHOLE_DOCUMENTS)) = placeholder(d) {
                        out.extend(
                            step_docs(outputs, step)?
                                .iter()
                                .cloned()
                                .map(Bson::Document),
                        );
                        continue;
                    }
                }
                out.push(substitute(x, outputs)?);
            }
            Ok(Bson::Array(out))
        }
        other => Ok(other),
    }
}

fn step_docs(outputs: &[Option<Vec<Document>>], step: usize) -> Result<&[Document], BindError> {
    match outputs.get(step) {
        Some(Some(docs)) => Ok(docs),
        _ => Err(BindError(format!(
            "step {step} has no output for a later step to read"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_the_step_values() {
        let t = doc! {"delete": "c", "deletes": [{"q": {"_id": {"$in": step_output(0, "_id")}}, "limit": 0}]};
        let outputs = vec![Some(vec![doc! {"_id": 1}, doc! {"_id": 2}, doc! {}])];
        let d = substitute_outputs(t, &outputs).unwrap();
        assert_eq!(
            d,
            doc! {"delete": "c", "deletes": [{"q": {"_id": {"$in": [1, 2, null]}}, "limit": 0}]}
        );
        let t = doc! {"insert": "t", "documents": [step_output(0, WHOLE_DOCUMENTS)]};
        let d = substitute_outputs(t, &outputs).unwrap();
        assert_eq!(
            d,
            doc! {"insert": "t", "documents": [{"_id": 1}, {"_id": 2}, {}]}
        );
        let t = doc! {"x": step_output(3, "_id")};
        assert!(substitute_outputs(t, &outputs).is_err());
    }
}
