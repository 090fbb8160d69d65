//! Parameter binding: replaces each `{"$param": n}` placeholder in a plan's command documents by the n-th
//! bound value, in one pass over the template (never recursively into bound values), so values are never
//! spliced into text nor read as operators.

use super::plan::StatementPlan;
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
    pub fn bind(&self, params: &[Bson]) -> Result<Vec<Document>, crate::Error> {
        if params.len() != self.param_count {
            return Err(crate::Error::Parameter(format!(
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
    ) -> Result<Document, crate::Error> {
        if self.param_count == 0 {
            Ok(d)
        } else {
            bind_document(d, params)
        }
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

fn bind_value(v: Bson, params: &[Bson]) -> Result<Bson, crate::Error> {
    match v {
        Bson::Document(d) => {
            if let Some(n) = placeholder(&d) {
                let i = usize::try_from(n - 1)
                    .map_err(|_| crate::Error::Parameter(format!("bad parameter ${n}")))?;
                return params
                    .get(i)
                    .cloned()
                    .ok_or_else(|| crate::Error::Parameter(format!("no value for ${n}")));
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

fn bind_document(d: Document, params: &[Bson]) -> Result<Document, crate::Error> {
    let mut out = Document::new();
    for (k, v) in d {
        out.insert(k, bind_value(v, params)?);
    }
    Ok(out)
}
