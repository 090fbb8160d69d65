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
/// The key of a per-document expansion (an element of an array, replaced by one element per document).
const EACH: &str = "$stepEach";
/// The key of a field of the document an expansion is for.
const ROW: &str = "$stepRow";

/// An array element standing for one copy of `template` per document of step `step` (`if_empty` when there
/// is none), each `{"$stepRow": f}` in the copy replaced by that document's `f` (NULL when missing).
pub fn step_each(step: usize, template: Document, if_empty: Document) -> Bson {
    Bson::Document(doc! {EACH: {"step": step as i64, "template": template, "ifEmpty": if_empty}})
}

/// Sets `key` on a rendered update / delete statement, or on the template and empty-case statements of an
/// expansion ([`step_each`]).
pub fn set_in_statements(statement: &mut Document, key: &str, value: &Document) {
    if let Ok(inner) = statement.get_document_mut(EACH) {
        for part in ["template", "ifEmpty"] {
            if let Ok(s) = inner.get_document_mut(part) {
                s.insert(key, value.clone());
            }
        }
    } else {
        statement.insert(key, value.clone());
    }
}

/// The placeholder for field `field` of the document an expansion ([`step_each`]) is for.
pub fn step_row(field: &str) -> Bson {
    Bson::Document(doc! {ROW: field})
}

/// The step, template and empty-case statement of an expansion.
fn each_placeholder(d: &Document) -> Option<(usize, &Document, &Document)> {
    if d.len() != 1 {
        return None;
    }
    let inner = d.get_document(EACH).ok()?;
    let step = usize::try_from(inner.get_i64("step").ok()?).ok()?;
    Some((
        step,
        inner.get_document("template").ok()?,
        inner.get_document("ifEmpty").ok()?,
    ))
}

/// `template` with each `{"$stepRow": f}` replaced by `row`'s `f`.
fn fill_row(v: &Bson, row: &Document) -> Bson {
    match v {
        Bson::Document(d) => {
            if d.len() == 1 {
                if let Ok(f) = d.get_str(ROW) {
                    return row.get(f).cloned().unwrap_or(Bson::Null);
                }
            }
            Bson::Document(
                d.iter()
                    .map(|(k, x)| (k.clone(), fill_row(x, row)))
                    .collect(),
            )
        }
        Bson::Array(a) => Bson::Array(a.iter().map(|x| fill_row(x, row)).collect()),
        other => other.clone(),
    }
}

/// The field that makes a placeholder stand for the step's whole documents: a placeholder with it, as an
/// element of an array, is replaced by the documents themselves, spliced into that array (an `insert`'s
/// `documents: [<placeholder>]` for `INSERT ... SELECT`).
pub const WHOLE_DOCUMENTS: &str = "$$ROOT";

/// The placeholder for the sub-documents at top-level field `field` of step `step`'s documents, spliced into
/// the array it is an element of as [`WHOLE_DOCUMENTS`] splices whole documents (`INSERT ... SELECT ...
/// RETURNING`: the rows to insert beside their RETURNING values).
pub fn documents_at(step: usize, field: &str) -> Bson {
    step_output(step, &format!("{WHOLE_DOCUMENTS}.{field}"))
}

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
            if let Some((step, _, _)) = each_placeholder(d) {
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
        // A placeholder names an earlier step: a plan of one step has none (and a bulk INSERT's thousands
        // of rows are not rendered again to find that out).
        if self.steps.len() < 2 {
            return out;
        }
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
        if self.steps.len() < 2 {
            return false;
        }
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
                    if let Some((step, field)) = placeholder(d) {
                        if let Some(sub) = field
                            .strip_prefix(WHOLE_DOCUMENTS)
                            .and_then(|f| f.strip_prefix('.'))
                        {
                            out.extend(step_docs(outputs, step)?.iter().map(|x| {
                                Bson::Document(x.get_document(sub).cloned().unwrap_or_default())
                            }));
                            continue;
                        }
                    }
                    if let Some((step, template, if_empty)) = each_placeholder(d) {
                        let docs = step_docs(outputs, step)?;
                        if docs.is_empty() {
                            out.push(Bson::Document(if_empty.clone()));
                        }
                        let template = Bson::Document(template.clone());
                        out.extend(docs.iter().map(|row| fill_row(&template, row)));
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
        let t = doc! {"insert": "t", "documents": [documents_at(0, "row")]};
        let d = substitute_outputs(
            t,
            &[Some(vec![doc! {"row": {"a": 1}, "r0": 2}, doc! {"r0": 3}])],
        )
        .unwrap();
        assert_eq!(d, doc! {"insert": "t", "documents": [{"a": 1}, {}]});
        let t = doc! {"x": step_output(3, "_id")};
        assert!(substitute_outputs(t, &outputs).is_err());
    }

    #[test]
    fn an_expansion_becomes_one_element_per_document() {
        let t = doc! {"update": "c", "updates": [step_each(
            0,
            doc! {"q": {"_id": {"$eq": step_row("_id")}}, "u": {"$set": {"x": step_row("v0")}}},
            doc! {"q": {"_id": {"$in": []}}, "u": {"$set": {"x": null}}},
        )]};
        let outputs = vec![Some(vec![doc! {"_id": 1, "v0": "a"}, doc! {"_id": 2}])];
        let d = substitute_outputs(t.clone(), &outputs).unwrap();
        assert_eq!(
            d,
            doc! {"update": "c", "updates": [
                {"q": {"_id": {"$eq": 1}}, "u": {"$set": {"x": "a"}}},
                {"q": {"_id": {"$eq": 2}}, "u": {"$set": {"x": null}}},
            ]}
        );
        let none = substitute_outputs(t, &[Some(vec![])]).unwrap();
        assert_eq!(
            none,
            doc! {"update": "c", "updates": [{"q": {"_id": {"$in": []}}, "u": {"$set": {"x": null}}}]}
        );
    }
}
