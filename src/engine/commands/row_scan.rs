//! Collection scans that read a fixed set of top-level fields of each stored document straight from its
//! BSON bytes into a [`FieldValues`] row (no document built) and filter on that row, for filters that are
//! conjunctions of top-level field predicates ([`TopLevelFilter`]).
//!
//! In: a collection name, a filter, the fields the visitor reads; out: calls to the visitor with each
//! matching document's row, or `Ok(false)` when this scan does not apply (a view, a filter on dotted paths
//! or with `$or`/`$expr`...) and the caller must use [`scan_matching`](super::scan_matching). A stored
//! document the row reader cannot decode itself goes through the general path (parse, [`Matcher`]) and is
//! handed over parsed, so the visitor sees every matching document exactly once either way.

use super::{corrupt, get_coll, resolve_view};
use crate::engine::expr::Vars;
use crate::engine::fields::FieldValues;
use crate::engine::matcher::top_level::TopLevelFilter;
use crate::engine::matcher::Matcher;
use crate::engine::storage::State;
use crate::engine::CommandError;
use bson::{Document, RawDocument};

/// One matching document as the visitor gets it.
pub(super) enum Row<'a> {
    /// Its fields, in the slots of the field list the scan was given (then the filter's fields).
    Fields(&'a FieldValues),
    /// The whole document, parsed (documents the row reader declined).
    Doc(&'a Document),
}

/// Calls `visit` with every document of collection `name` that matches `filter`, as a row of `fields`
/// (slot `i` is `fields[i]`). `Ok(false)` (nothing visited) when the scan does not apply.
pub(super) fn scan_rows(
    state: &State,
    db: &str,
    name: &str,
    filter: Option<&Document>,
    vars: &Vars,
    mut fields: Vec<String>,
    visit: &mut dyn FnMut(Row<'_>) -> Result<(), CommandError>,
) -> Result<bool, CommandError> {
    let filter = filter.filter(|f| !f.is_empty());
    let matcher = filter.map(Matcher::compile).transpose()?;
    let top = match &matcher {
        Some(m) => match TopLevelFilter::from_matcher(m, &mut fields) {
            Some(t) => Some(t),
            None => return Ok(false),
        },
        None => None,
    };
    let (base, view_pipeline) = resolve_view(state, db, name)?;
    if !view_pipeline.is_empty() {
        return Ok(false);
    }
    let Some(coll) = get_coll(state, db, &base) else {
        return Ok(true);
    };
    let mut row = FieldValues::new(fields);
    let mut step = |raw: &RawDocument| -> Result<(), CommandError> {
        if row.read(raw).is_some() {
            let keep = match &top {
                Some(t) => t.matches(&row, vars)?,
                None => true,
            };
            return if keep {
                visit(Row::Fields(&row))
            } else {
                Ok(())
            };
        }
        let doc = Document::try_from(raw).map_err(corrupt)?;
        let keep = match &matcher {
            Some(m) => m.matches(&doc, vars)?,
            None => true,
        };
        if keep {
            visit(Row::Doc(&doc))
        } else {
            Ok(())
        }
    };
    match filter.and_then(|f| coll.candidates(f)) {
        Some(rids) => {
            for r in rids {
                if let Some(raw) = coll.get_raw(r) {
                    step(raw)?;
                }
            }
        }
        None => {
            // Documents are separate allocations: reading one is a cache miss first. Touching the first
            // cache lines of a whole batch before reading any lets those misses overlap (the loads are
            // independent) instead of stalling once per document.
            let mut batch: Vec<&RawDocument> = Vec::with_capacity(BATCH);
            let mut docs = coll.iter_raw();
            loop {
                batch.clear();
                batch.extend(docs.by_ref().take(BATCH).map(|(_, raw)| raw));
                if batch.is_empty() {
                    break;
                }
                let mut touched = 0u8;
                for raw in &batch {
                    touched ^= touch(raw.as_bytes());
                }
                std::hint::black_box(touched);
                for raw in &batch {
                    step(raw)?;
                }
            }
        }
    }
    Ok(true)
}

/// Documents touched ahead of reading ([`scan_rows`]).
const BATCH: usize = 64;

/// Reads one byte in each of the first four cache lines of `b` (the leading fields of typical documents).
#[inline]
fn touch(b: &[u8]) -> u8 {
    let last = b.len().saturating_sub(1);
    let at = |i: usize| b.get(i.min(last)).copied().unwrap_or(0);
    at(0) ^ at(64) ^ at(128) ^ at(192)
}
