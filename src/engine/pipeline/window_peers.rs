//! The translator's first-of-peers pair of `$setWindowFields` run as one: a `$documentNumber` over a sort
//! of several fields of one key document `K` (any directions), then a `$min` of that number over the
//! partitions `{p: <the first stage's partitionBy>, k: "$K"}` (or `"$K"` without one). That is how
//! `RANK()` / `DENSE_RANK()` / a peers frame over an `ORDER BY` of mixed directions is planned (mongod's
//! `$rank` takes one sort field): the second stage gives each document the number of the first document
//! of its peers.
//!
//! Within one partition of the first stage the documents come sorted by the fields of `K`, so its peers (the
//! documents of equal `K`) are a run, and the `$min` is the number of the run's first document: no second
//! partitioning (a `{p, k}` document built, hashed and compared per document). The documents are handed
//! on in the second stage's order: partitions by value (`p`, then `K` as a document, ascending), each
//! run in the first stage's order.
//!
//! Taken only when every input document holds `K` as a document of exactly the sort's fields, in order,
//! of scalar values (no array: a sort key of an array is one of its elements; no `undefined`), so equal
//! sort keys are equal `K`s; and when the first stage has no other output. Without `allowDiskUse`, the
//! second stage's memory limit (mongod's 5643011 over the documents with the number added) is checked as
//! it would be. In: the two stage documents and the input; out: what the two stages give. A property
//! test (`window_peers_tests.rs`) holds it to the two stages run one after the other.

use super::{Keyed, Op, SetWindowFields};
use crate::engine::bson_order::compare;
use crate::engine::memory;
use crate::engine::pipeline::reshape::set_field;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// The pair of stages run as one.
#[derive(Debug, Clone)]
pub(in crate::engine::pipeline) struct PeerFirst {
    /// The top-level key document both stages read (`__w0k`).
    key: String,
    /// Its fields, in order: the first stage's sort fields.
    fields: Vec<String>,
    /// The first stage's `$documentNumber` output.
    number: String,
    /// The second stage's `$min` output.
    first: String,
}

/// A top-level field name (no path, no `$`).
fn plain_name(s: &str) -> bool {
    !s.is_empty() && !s.contains('.') && !s.starts_with('$')
}

impl PeerFirst {
    /// The plan when `raw1` / `raw2` (`{$setWindowFields: ...}` stage documents, `w1` compiled from
    /// `raw1`) are the pair; `None` otherwise.
    pub(in crate::engine::pipeline) fn plan(
        w1: &SetWindowFields,
        raw1: &Bson,
        raw2: &Bson,
    ) -> Option<PeerFirst> {
        let s1 = raw1.as_document()?.get_document("$setWindowFields").ok()?;
        let s2 = raw2.as_document()?.get_document("$setWindowFields").ok()?;
        if s1
            .keys()
            .any(|k| !matches!(k.as_str(), "partitionBy" | "sortBy" | "output"))
            || s2
                .keys()
                .any(|k| !matches!(k.as_str(), "partitionBy" | "output"))
        {
            return None;
        }
        // The first stage: one `$documentNumber`, by the fields of `K`.
        let (out1, out2) = (
            s1.get_document("output").ok()?,
            s2.get_document("output").ok()?,
        );
        if out1.len() != 1 || out2.len() != 1 {
            return None;
        }
        let ((number, spec1), (first, spec2)) = (out1.iter().next()?, out2.iter().next()?);
        let (number, first) = (number.to_string(), first.to_string());
        let numbered = spec1.as_document()?;
        if numbered.len() != 1 || !numbered.get_document("$documentNumber").ok()?.is_empty() {
            return None;
        }
        if !matches!(w1.outputs.as_slice(), [(_, Op::DocumentNumber)]) {
            return None;
        }
        let mut key: Option<&str> = None;
        let mut fields = Vec::new();
        for (path, dir) in s1.get_document("sortBy").ok()? {
            if !matches!(dir, Bson::Int32(1 | -1) | Bson::Int64(1 | -1)) {
                return None;
            }
            let (k, f) = path.split_once('.')?;
            if !plain_name(k) || !plain_name(f) || key.is_some_and(|key| key != k) {
                return None;
            }
            key = Some(k);
            fields.push(f.to_string());
        }
        let key = key?.to_string();
        // The second stage: the `$min` of that number over `{p: <partitionBy>, k: "$K"}`.
        let min = spec2.as_document()?;
        if min.len() != 1 || min.get("$min") != Some(&Bson::String(format!("${number}"))) {
            return None;
        }
        let k_ref = Bson::String(format!("${key}"));
        let partition_ok = match (s1.get("partitionBy"), s2.get("partitionBy")?) {
            (None, p2) => *p2 == k_ref,
            // An expression object (never missing, never an array) as the first stage's partition.
            (Some(Bson::Document(p1)), Bson::Document(p2)) => {
                p1.keys().all(|k| !k.starts_with('$'))
                    && p2.len() == 2
                    && p2.get("p") == Some(&Bson::Document(p1.clone()))
                    && p2.get("k") == Some(&k_ref)
            }
            _ => false,
        };
        let names_ok = [&key, &number, &first].iter().all(|n| plain_name(n))
            && key != number
            && key != first
            && number != first;
        (partition_ok && names_ok).then_some(PeerFirst {
            key,
            fields,
            number,
            first,
        })
    }

    /// Whether every document holds the key document the path needs (see the module documentation).
    pub(in crate::engine::pipeline) fn applies(&self, docs: &[Document]) -> bool {
        docs.iter().all(|d| match d.get(&self.key) {
            Some(Bson::Document(k)) => {
                k.len() == self.fields.len()
                    && k.iter().zip(&self.fields).all(|((name, v), f)| {
                        name == f
                            && matches!(
                                v,
                                Bson::Null
                                    | Bson::Boolean(_)
                                    | Bson::Int32(_)
                                    | Bson::Int64(_)
                                    | Bson::Double(_)
                                    | Bson::Decimal128(_)
                                    | Bson::String(_)
                                    | Bson::DateTime(_)
                                    | Bson::ObjectId(_)
                                    | Bson::Timestamp(_)
                            )
                    })
            }
            _ => false,
        })
    }

    /// The BSON bytes the number adds to `d` (as the second stage counts its documents).
    pub(super) fn added_bytes(&self, d: &Document) -> usize {
        let number = memory::value_bytes(&Bson::Int64(0));
        match d.get(&self.number) {
            Some(old) => number.saturating_sub(memory::value_bytes(old)),
            None => self.number.len() + 2 + 8 + number,
        }
    }
}

impl SetWindowFields {
    /// One partition (of the first stage) through both stages: sorted, numbered, each run of peers given
    /// its first document's number, handed to `sink` run by run in the order of their `K`.
    pub(super) fn emit_peers(
        &self,
        mut keyed: Vec<Keyed>,
        peers: &PeerFirst,
        sink: &mut impl FnMut(Document, &super::Emitted<'_>) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        if let Some(s) = &self.sort {
            super::emit::sort_partition(s, &mut keyed)?;
        }
        // The runs of equal sort keys: `(start, end)`.
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for i in 0..keyed.len() {
            match runs.last_mut() {
                Some(run) if self.same_key(&keyed[i - 1].0, &keyed[i].0) => run.1 = i + 1,
                _ => runs.push((i, i + 1)),
            }
        }
        let key_of = |i: usize| keyed[i].1.get(&peers.key);
        crate::engine::ops::sort_checked(&mut runs, |a, b| match (key_of(a.0), key_of(b.0)) {
            (Some(x), Some(y)) => compare(x, y),
            _ => Ordering::Equal,
        })?;
        let em = super::Emitted::none(&self.outputs);
        for (start, end) in runs {
            for (i, (_, d)) in keyed[start..end].iter_mut().enumerate() {
                crate::engine::ops::check()?;
                let mut d = std::mem::take(d);
                set_field(&mut d, &peers.number, Bson::Int64((start + i) as i64 + 1));
                set_field(&mut d, &peers.first, Bson::Int64(start as i64 + 1));
                sink(d, &em)?;
            }
        }
        Ok(())
    }
}
