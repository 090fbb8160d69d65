//! Parameter binding: replaces each `{"$param": n}` placeholder in a plan's command documents by the n-th
//! bound value, in one pass over the template (never recursively into bound values), so values are never
//! spliced into text nor read as operators. Multi-step plans (`RETURNING`) also hold `{"$stepIds": k}`, bound in
//! the same single pass to the `_id`s of the documents step k returned.

use super::plan::StatementPlan;
use super::BindError;
use bson::{Bson, Document};

impl StatementPlan {
    /// The command documents with parameters bound.
    ///
    /// ```
    /// use bson::Bson;
    /// let plan = sqlmongo::translate("SELECT * FROM c WHERE k = $1").unwrap();
    /// let docs = plan.statements[0].bind(&[Bson::from("{\"$gt\": \"\"}")]).unwrap();
    /// assert_eq!(docs[0].get_document("filter").unwrap().get_document("k").unwrap().get_str("$eq").unwrap(), "{\"$gt\": \"\"}");
    /// ```
    pub fn bind(&self, params: &[Bson]) -> Result<Vec<Document>, BindError> {
        if params.len() != self.param_count {
            return Err(BindError(format!(
                "the statement has {} parameter(s) but {} value(s) were given",
                self.param_count,
                params.len()
            )));
        }
        let mut out = Vec::with_capacity(self.steps.len());
        for c in &self.steps {
            let d = c.to_document();
            out.push(if self.param_count == 0 {
                d
            } else {
                bind_document(d, params)?
            });
        }
        Ok(out)
    }
}

impl StatementPlan {
    /// One command template (already rendered) with parameters bound.
    pub(crate) fn bind_template(
        &self,
        d: Document,
        params: &[Bson],
    ) -> Result<Document, BindError> {
        if self.param_count == 0 {
            Ok(d)
        } else {
            bind_document(d, params)
        }
    }

    /// Step `i`'s command document with parameters bound and each `{"$stepIds": k}` (k < i) replaced by the
    /// array of `_id`s in `step_docs[k]`, in one pass over the template.
    pub fn bind_step(
        &self,
        i: usize,
        params: &[Bson],
        step_docs: &[Vec<Document>],
    ) -> Result<Document, BindError> {
        if params.len() != self.param_count {
            return Err(BindError(format!(
                "the statement has {} parameter(s) but {} value(s) were given",
                self.param_count,
                params.len()
            )));
        }
        let Some(c) = self.steps.get(i) else {
            return Err(BindError(format!("the plan has no step {i}")));
        };
        let ctx = Ctx {
            params,
            step_docs: Some((i, step_docs)),
        };
        ctx.document(c.to_document())
    }
}

/// What placeholders are bound to.
struct Ctx<'a> {
    params: &'a [Bson],
    /// The current step and the documents of earlier steps, when `{"$stepIds": k}` may be bound.
    step_docs: Option<(usize, &'a [Vec<Document>])>,
}

impl Ctx<'_> {
    fn value(&self, v: Bson) -> Result<Bson, BindError> {
        match v {
            Bson::Document(d) => {
                if placeholder(&d).is_some() {
                    return bind_value(Bson::Document(d), self.params);
                }
                if let (Some(k), Some((i, docs))) = (step_ref(&d), self.step_docs) {
                    let k = usize::try_from(k)
                        .ok()
                        .filter(|k| *k < i)
                        .ok_or_else(|| BindError(format!("bad step reference {k}")))?;
                    let ids = docs
                        .get(k)
                        .map(|ds| {
                            ds.iter()
                                .map(|d| d.get("_id").cloned().unwrap_or(Bson::Null))
                                .collect()
                        })
                        .unwrap_or_default();
                    return Ok(Bson::Array(ids));
                }
                Ok(Bson::Document(self.document(d)?))
            }
            Bson::Array(a) => Ok(Bson::Array(
                a.into_iter()
                    .map(|x| self.value(x))
                    .collect::<Result<_, _>>()?,
            )),
            other => Ok(other),
        }
    }

    fn document(&self, d: Document) -> Result<Document, BindError> {
        let mut out = Document::new();
        for (k, v) in d {
            out.insert(k, self.value(v)?);
        }
        Ok(out)
    }
}

/// The step number of a `{"$stepIds": k}` reference.
fn step_ref(d: &Document) -> Option<i64> {
    if d.len() != 1 {
        return None;
    }
    match d.get("$stepIds") {
        Some(Bson::Int64(n)) => Some(*n),
        _ => None,
    }
}

/// The parameter number of a placeholder document.
fn placeholder(d: &Document) -> Option<i64> {
    if d.len() != 1 {
        return None;
    }
    match d.get("$param") {
        Some(Bson::Int64(n)) => Some(*n),
        _ => None,
    }
}

fn bind_value(v: Bson, params: &[Bson]) -> Result<Bson, BindError> {
    match v {
        Bson::Document(d) => {
            if let Some(n) = placeholder(&d) {
                let i =
                    usize::try_from(n - 1).map_err(|_| BindError(format!("bad parameter ${n}")))?;
                return params
                    .get(i)
                    .cloned()
                    .ok_or_else(|| BindError(format!("no value for ${n}")));
            }
            Ok(Bson::Document(bind_document(d, params)?))
        }
        Bson::Array(a) => Ok(Bson::Array(
            a.into_iter()
                .map(|x| bind_value(x, params))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(other),
    }
}

fn bind_document(d: Document, params: &[Bson]) -> Result<Document, BindError> {
    let mut out = Document::new();
    for (k, v) in d {
        out.insert(k, bind_value(v, params)?);
    }
    Ok(out)
}
