//! A rename projection (the translator's select list: `{_id: 0, c0: "$a", c1: {$toLower: "$b"}, __n0: ...}`,
//! top-level computed fields only): its plan of [`Source`]s, compiled once, and its application: each input
//! field read once and moved (or copied) to the outputs reading it, the expressions evaluated on the document
//! as it came, the output made from a template of its keys.
//!
//! In: the projection's compiled tree; out: the projected document and the values of its last fields given
//! apart. `projection_tests.rs` holds it to the general projection. Depends on `expr`, `doc_template`.

use super::{Node, Projection, Source};
use crate::engine::doc_template::{Template, TemplateRow};
use crate::engine::expr::Vars;
use crate::engine::held::Held;
use crate::engine::CommandError;
use bson::{Bson, Document};

impl Projection {
    /// A rename projection's values on a borrowed document (`None`: missing), in output order.
    pub(super) fn ref_values(
        &self,
        plan: &[(String, Source)],
        doc: &Document,
        vars: &Vars,
    ) -> Result<Vec<Option<Bson>>, CommandError> {
        let mut values = self.rename_exprs(plan, doc, vars)?;
        for (field, outputs) in &self.sources {
            if let Some(v) = doc.get(field) {
                for &i in outputs {
                    values[i] = Some(v.clone());
                }
            }
        }
        Ok(values)
    }

    /// [`ref_values`](Self::ref_values) of a document the caller keeps only for its shape: each input
    /// field's value is taken out of it (left null) for the last output reading it, copied for the others.
    pub(super) fn taken_values(
        &self,
        plan: &[(String, Source)],
        doc: &mut Document,
        vars: &Vars,
    ) -> Result<Vec<Option<Bson>>, CommandError> {
        let mut values = self.rename_exprs(plan, doc, vars)?;
        for (field, outputs) in &self.sources {
            let (Some(v), Some((&last, rest))) = (doc.get_mut(field), outputs.split_last()) else {
                continue;
            };
            for &i in rest {
                values[i] = Some(v.clone());
            }
            values[last] = Some(std::mem::replace(v, Bson::Null));
        }
        Ok(values)
    }

    /// A rename projection's computed values (expressions and constants, in output order: their errors
    /// are the first ones `apply` meets) on the document as it came; `None` at the fields it copies.
    pub(super) fn rename_exprs(
        &self,
        plan: &[(String, Source)],
        doc: &Document,
        vars: &Vars,
    ) -> Result<Vec<Option<Bson>>, CommandError> {
        let mut values = Vec::with_capacity(plan.len());
        for (_, source) in plan {
            values.push(match source {
                Source::Expr(e) => e.eval(doc, vars)?,
                Source::NullFlag(p, t, f) => Some(
                    match crate::engine::expr::is_nullish(
                        crate::engine::expr::path_value(doc, p).as_deref(),
                    ) {
                        true => t.clone(),
                        false => f.clone(),
                    },
                ),
                Source::Const(v) => Some(v.clone()),
                Source::Field(..) => None,
                Source::Same(i) => values.get(*i).cloned().flatten(),
            });
        }
        Ok(values)
    }

    /// A rename projection's result, its last `tail` fields' values apart.
    pub(super) fn apply_renames(
        &self,
        plan: &[(String, Source)],
        doc: Document,
        vars: &Vars,
        tail: usize,
    ) -> Result<(Document, Vec<Option<Bson>>), CommandError> {
        let values = self.owned_values(plan, doc, vars)?;
        Ok(self.rename_output(plan, values, tail))
    }

    /// A rename projection's values on an owned document, in output order (`None`: missing), the copied
    /// fields' values moved out of it.
    pub(super) fn owned_values(
        &self,
        plan: &[(String, Source)],
        doc: Document,
        vars: &Vars,
    ) -> Result<Vec<Option<Bson>>, CommandError> {
        let mut values = self.rename_exprs(plan, &doc, vars)?;
        // Each input field, in one pass, to the outputs that read it (copies for all but the last, which
        // takes the value); a repeated key gives its first value, as a lookup would. Documents of one shape
        // name the sources in the same order: the search starts after the last one found.
        let sources = &self.sources;
        let mut left = sources.len();
        let mut hint = 0;
        for (k, v) in doc {
            if left == 0 {
                break;
            }
            let n = sources.len();
            let Some(j) = (0..n).map(|j| (hint + j) % n).find(|&j| sources[j].0 == k) else {
                continue;
            };
            hint = j + 1;
            let Some((&last, rest)) = sources[j].1.split_last() else {
                continue;
            };
            if values[last].is_some() {
                continue;
            }
            left -= 1;
            for &i in rest {
                values[i] = Some(v.clone());
            }
            values[last] = Some(v);
        }
        Ok(values)
    }

    /// [`rename_output`](Self::rename_output) held as its values under the output's template
    /// ([`Held::Row`]) when every kept field has a value and the template is made; else the document.
    pub(super) fn rename_held(
        &self,
        plan: &[(String, Source)],
        values: Vec<Option<Bson>>,
        tail: usize,
    ) -> (Held, Vec<Option<Bson>>) {
        self.rename_held_of(plan, values, tail, |v| v)
    }

    /// [`rename_held`](Self::rename_held) of values that `own` makes owned (each once: the kept ones into
    /// the row, the split ones apart, no vector of all of them in between).
    pub(super) fn rename_held_of<V>(
        &self,
        plan: &[(String, Source)],
        values: Vec<Option<V>>,
        tail: usize,
        own: impl Fn(V) -> Bson,
    ) -> (Held, Vec<Option<Bson>>) {
        let kept = plan.len() - tail.min(plan.len());
        let template = self.template(plan, tail).filter(|t| {
            t.len() == kept
                && values
                    .get(..kept)
                    .is_some_and(|v| v.iter().all(Option::is_some))
        });
        let Some(template) = template else {
            let owned = values.into_iter().map(|v| v.map(&own)).collect();
            let (d, apart) = self.rename_output(plan, owned, tail);
            return (Held::Doc(d), apart);
        };
        let mut values = values.into_iter();
        let kept_values: Vec<Bson> = values.by_ref().take(kept).flatten().map(&own).collect();
        let apart = values.map(|v| v.map(&own)).collect();
        match TemplateRow::new(template.clone(), kept_values) {
            Some(r) => (Held::Row(r), apart),
            // Cannot happen (one value per key was checked): the document then.
            None => (Held::Doc(Document::new()), apart),
        }
    }

    /// A rename projection's output from the values of its fields (`None`: missing), the last `tail` apart.
    pub(super) fn rename_output(
        &self,
        plan: &[(String, Source)],
        mut values: Vec<Option<Bson>>,
        tail: usize,
    ) -> (Document, Vec<Option<Bson>>) {
        let kept = plan.len() - tail.min(plan.len());
        let apart = values.split_off(kept);
        // Every kept field has a value (the usual case): a copy of the output's template; else key by key.
        let template = self.template(plan, tail);
        let out = match template {
            Some(t) if t.len() == kept && values.iter().all(Option::is_some) => {
                t.fill(values.into_iter().flatten())
            }
            _ => {
                let mut out = Document::new();
                for ((name, _), v) in plan.iter().zip(values) {
                    if let Some(v) = v {
                        out.insert(name.clone(), v);
                    }
                }
                out
            }
        };
        (out, apart)
    }
}

impl Projection {
    /// The template of a rename projection's output without its last `tail` fields (`None` for any other
    /// projection).
    pub(crate) fn output_template(&self, tail: usize) -> Option<std::sync::Arc<Template>> {
        let plan = self.renames.as_deref().filter(|p| p.len() >= tail)?;
        let kept = plan.len() - tail;
        self.template(plan, tail)
            .filter(|t| t.len() == kept)
            .cloned()
    }

    /// The template of a rename projection's output without its last `tail` fields (made at its first
    /// use; `None` past [`MAX_TEMPLATES`](super::MAX_TEMPLATES) tails).
    pub(super) fn template(
        &self,
        plan: &[(String, Source)],
        tail: usize,
    ) -> Option<&std::sync::Arc<Template>> {
        let kept = plan.len() - tail.min(plan.len());
        self.templates.get(tail).map(|t| {
            t.get_or_init(|| {
                std::sync::Arc::new(
                    Template::new(plan[..kept].iter().map(|(n, _)| n.as_str())).unwrap_or_default(),
                )
            })
        })
    }
}

/// The input fields of a rename plan, each once in order of first use, with the outputs reading it.
pub(super) fn rename_sources(plan: &[(String, Source)]) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, (_, source)) in plan.iter().enumerate() {
        if let Source::Field(f) = source {
            match out.iter_mut().find(|(g, _)| g == f) {
                Some((_, at)) => at.push(i),
                None => out.push((f.clone(), vec![i])),
            }
        }
    }
    out
}

/// The [`Source`]s of an inclusion projection made only of top-level computed fields (with `_id` first
/// when it is kept and not named), in output order; `None` for any other projection.
pub(super) fn rename_plan(
    tree: &[(String, Node)],
    include_id: bool,
) -> Option<Vec<(String, Source)>> {
    let mut plan = Vec::with_capacity(tree.len() + 1);
    if include_id {
        if tree.iter().any(|(k, _)| k == "_id") {
            return None;
        }
        plan.push(("_id".to_string(), Source::Field("_id".into())));
    }
    for (k, node) in tree {
        let Node::Computed(e) = node else {
            return None;
        };
        let path = e.field_path();
        let same = path.as_ref().and_then(|p| {
            plan.iter().position(|(_, s)| match s {
                Source::Expr(x) => x.field_path().as_ref() == Some(p),
                _ => false,
            })
        });
        let source = match (e.top_field(), e.constant(), same) {
            (Some(f), _, _) => Source::Field(f.to_string()),
            (None, Some(c), _) => Source::Const(c.clone()),
            (None, None, Some(i)) => Source::Same(i),
            (None, None, None) => match e.null_flag() {
                Some((p, t, f)) => Source::NullFlag(p.to_vec(), t.clone(), f.clone()),
                None => Source::Expr(e.clone()),
            },
        };
        plan.push((k.clone(), source));
    }
    Some(plan)
}
