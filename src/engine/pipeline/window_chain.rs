//! A `$setWindowFields` and the per-document stages after it, run one output document at a time.
//!
//! In: the window stage's index and its input; out: the documents after the per-document stages that follow
//! it (into a closing `$sort` / top-k when one follows). A `$set` right after the window that computes a
//! field from the window's outputs only (the translator's `$reduce` of a collected array to a string or a
//! flat array) is computed once per run of documents that repeat those outputs ([`Memo`]): a
//! whole-partition `STRING_AGG` is joined once per partition, and the repeated array is never copied into
//! the documents that reuse the joined value. Depends on `window` (its [`Emitted`] marks).

use super::window::{Emitted, PeerFirst, SetWindowFields};
use super::{reshape, Catalog, Pipeline, Stage};
use crate::engine::expr::{Expr, Vars};
use crate::engine::sort::{Sorter, TopK};
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The fields of a `$set` right after a window that are computed from the window's outputs only, with the
/// previous document's values of them.
pub(super) struct Memo {
    /// Per field of the `$set`: the outputs it reads (bit `j`: output `j`), when it reads only outputs and
    /// is a function of what it reads (no `$rand`, `$meta`, ...).
    masks: Vec<Option<u64>>,
    /// Per field: its value for the previous document (`Some(None)`: missing), kept while the next
    /// document repeats the outputs the field reads.
    prev: Vec<Option<Option<Bson>>>,
}

impl Memo {
    /// The memo of the `$set` / `$addFields` stage document `raw` (`{$set: {...}}`) after the window `w`;
    /// `None` when no field of it qualifies.
    pub(super) fn plan(w: &SetWindowFields, raw: &Bson) -> Option<Memo> {
        let stage = raw.as_document()?;
        let spec = stage
            .get_document("$set")
            .or_else(|_| stage.get_document("$addFields"))
            .ok()?;
        let outputs: Vec<&str> = w.output_names().take(super::window::MASKED).collect();
        let masks: Vec<Option<u64>> = spec
            .values()
            .map(|e| {
                let mut read = Vec::new();
                if !crate::engine::fields::expr_fields(e, &mut read) || !deterministic(e) {
                    return None;
                }
                let mut mask = 0u64;
                for f in &read {
                    let j = outputs.iter().position(|o| o == f && !o.contains('.'))?;
                    mask |= 1 << j;
                }
                Some(mask)
            })
            .collect();
        if masks.iter().all(Option::is_none) {
            return None;
        }
        let prev = vec![None; masks.len()];
        Some(Memo { masks, prev })
    }

    /// `$addFields` of `fields` (the stage the memo was planned for) over `d`, a document the window handed
    /// on as `em` says: a field whose outputs this document repeats takes the previous document's value.
    /// What it gives is what `add_fields` gives for `d` with its repeated outputs filled.
    fn add_fields(
        &mut self,
        fields: &[(String, Expr)],
        mut d: Document,
        em: &Emitted<'_>,
        vars: &Vars,
    ) -> Result<Document, CommandError> {
        let served: Vec<bool> = (self.prev.iter().zip(&self.masks))
            .map(|(p, m)| p.is_some() && m.is_some_and(|m| em.repeats(m)))
            .collect();
        let mut pending = em.repeat;
        if served.iter().any(|s| !s) {
            // A field is evaluated: the document it reads is the whole one.
            em.fill(&mut d, pending);
            pending = 0;
        }
        let mut vals = Vec::with_capacity(fields.len());
        for (k, (_, e)) in fields.iter().enumerate() {
            let keep = self.masks[k].is_some_and(|m| em.next_repeats(m));
            let v = if served[k] {
                match keep {
                    true => self.prev[k].clone().flatten(),
                    false => self.prev[k].take().flatten(),
                }
            } else {
                let v = e.eval(&d, vars)?;
                self.prev[k] = keep.then(|| v.clone());
                v
            };
            if !keep {
                self.prev[k] = None;
            }
            vals.push(v);
        }
        for ((name, _), v) in fields.iter().zip(vals) {
            // A field written over an output still held back: its place is taken by this value (a whole
            // field), or the output's value is put there first (a path inside it).
            let top = name.split('.').next().unwrap_or(name);
            if let Some(j) = em.output(top).filter(|j| pending & (1 << *j) != 0) {
                if top != name {
                    em.fill(&mut d, 1 << j);
                }
                pending &= !(1 << j);
            }
            match v {
                Some(v) => reshape::set_field(&mut d, name, v),
                None => reshape::unset_field(&mut d, name),
            }
        }
        em.fill(&mut d, pending);
        Ok(d)
    }
}

/// Whether an expression gives the same value for the same fields: it calls nothing random and reads no
/// per-document metadata.
fn deterministic(spec: &Bson) -> bool {
    match spec {
        Bson::Array(items) => items.iter().all(deterministic),
        Bson::Document(d) => d.iter().all(|(k, v)| match k.as_str() {
            "$literal" => true,
            "$rand" | "$meta" | "$function" | "$accumulator" | "$createObjectId" => false,
            _ => deterministic(v),
        }),
        _ => true,
    }
}

impl Pipeline {
    /// Runs the `$setWindowFields` at `i` and the per-document stages after it (up to `end`, not a
    /// `$lookup`) one output document at a time, as each partition is computed: what the window adds (a
    /// running or whole-partition `$push` is an array per document) is reduced by the stages after it (the
    /// translator's `$reduce` to a string or a flat array) before the next partition is computed, so the
    /// stage's outputs are never all held at once; a `$set` right after the window is computed once per run
    /// of documents that repeat what it reads ([`Memo`]). Returns the output and the next stage to run.
    pub(super) fn run_window(
        &self,
        w: &SetWindowFields,
        i: usize,
        end: usize,
        docs: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<(Vec<Document>, usize), CommandError> {
        // The translator's first-of-peers pair (window_peers.rs): this stage and the next run as one.
        let peers = match (self.stages.get(i + 1), self.raw.get(i), self.raw.get(i + 1)) {
            (Some(Stage::Window(_)), Some(raw1), Some(raw2)) if i + 1 < end => {
                PeerFirst::plan(w, raw1, raw2).filter(|p| p.applies(&docs))
            }
            _ => None,
        };
        let after = if peers.is_some() { i + 2 } else { i + 1 };
        let mut stop = after;
        while stop < end
            && Self::per_document(&self.stages[stop])
            && !matches!(self.stages[stop], Stage::Lookup(_))
        {
            stop += 1;
        }
        // A closing `$sort` (and `[$skip,] $limit` after it) takes each document as it comes, its key read
        // while the document is in cache.
        let (mut sorter, mut top, next) = match self.stages.get(stop) {
            Some(Stage::Sort(s)) if stop < end => {
                let want = match self.stages.get(stop + 1) {
                    Some(Stage::Limit(n)) if stop + 1 < end => Some(*n),
                    _ => self.skip_limit_at(stop + 1, end),
                };
                match want {
                    Some(n) => (None, Some(TopK::new(s, n, &vars.memory)), stop + 1),
                    None => (Some(Sorter::new(s, &vars.memory)), None, stop + 1),
                }
            }
            _ => (None, None, stop),
        };
        // The `$set` right after the window, computed once per run of repeated outputs.
        let mut memo = match self.stages.get(after) {
            Some(Stage::AddFields(fields)) if after < stop => self
                .raw
                .get(after)
                .and_then(|raw| Memo::plan(w, raw))
                .filter(|m| m.masks.len() == fields.len())
                .map(|m| (fields, m)),
            _ => None,
        };
        let mut out = Vec::new();
        let mut cur = Vec::with_capacity(1);
        w.run_partitions(docs, vars, peers.as_ref(), |mut d, em| {
            let mut first = after;
            match &mut memo {
                Some((fields, m)) => {
                    crate::engine::ops::check()?;
                    let d = m.add_fields(fields, d, em, vars)?;
                    crate::engine::limits::check_intermediate(std::slice::from_ref(&d))?;
                    cur.push(d);
                    first += 1;
                }
                None => {
                    em.fill(&mut d, em.repeat);
                    cur.push(d);
                }
            }
            for stage in &self.stages[first..stop] {
                self.step_each(stage, &mut cur, catalog, vars)?;
                if cur.is_empty() {
                    break;
                }
            }
            for d in cur.drain(..) {
                if let Some(s) = &mut sorter {
                    s.push(d)?;
                } else if let Some(t) = &mut top {
                    t.push(d)?;
                } else {
                    out.push(d);
                }
            }
            Ok(())
        })?;
        if let Some(s) = sorter {
            out = s.finish()?;
        } else if let Some(t) = top {
            out = t.finish()?;
        }
        Ok((out, next))
    }
}
