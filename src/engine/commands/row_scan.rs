//! Collection scans that read a fixed set of top-level fields of each stored document straight from its
//! BSON bytes into a [`FieldValues`] row (no document built) and filter on that row, for filters that are
//! conjunctions of top-level field predicates ([`TopLevelFilter`]).
//!
//! In: a collection name, a filter, the fields the visitor reads; out: calls to the visitor with each
//! matching document's row, or no scan at all when it does not apply (a view, a filter on dotted paths or
//! with `$or`/`$expr`...) and the caller must use [`scan_matching`](super::scan_matching). The filter's
//! fields are read first: a rejected document is not walked further. A stored
//! document the row reader cannot decode itself goes through the general path (parse, [`Matcher`]) and is
//! handed over parsed, so the visitor sees every matching document exactly once either way.

use super::{corrupt, get_coll, resolve_view};
use crate::engine::expr::Vars;
use crate::engine::fields::FieldValues;
use crate::engine::matcher::top_level::TopLevelFilter;
use crate::engine::matcher::Matcher;
use crate::engine::prefetch::{prefetch, prefetch_last};
use crate::engine::storage::{Collection, State};
use crate::engine::CommandError;
use bson::{Document, RawDocument};

/// One matching document as the visitor gets it.
pub(super) enum Row<'a> {
    /// Its fields, in the slots of the field list the scan was given (then the filter's fields); the visitor
    /// may move them out ([`FieldValues::move_into`]).
    Fields(&'a mut FieldValues),
    /// The whole document, parsed (documents the row reader declined).
    Doc(&'a Document),
}

/// A prepared row scan: the filter compiled, the collection resolved, the filter's fields in the first
/// slots of the row. The visitor adds the fields it reads ([`fields`](Self::fields)), then [`run`](Self::run).
pub(super) struct RowScan<'s> {
    coll: Option<&'s Collection>,
    filter: Option<&'s Document>,
    matcher: Option<Matcher>,
    top: Option<TopLevelFilter>,
    fields: Vec<String>,
    filter_fields: usize,
    /// The index order a full scan reads its records in ([`in_order`](Self::in_order)).
    order: Option<&'s super::index_order::Order>,
    /// The dotted paths the visitor reads ([`prune_to`](Self::prune_to)); empty: values read whole.
    paths: Vec<String>,
    /// How many matching documents to visit at most ([`capped`](Self::capped)).
    cap: Option<usize>,
}

impl<'s> RowScan<'s> {
    /// Prepares a scan of collection `name` for the documents matching `filter`; `None` when this scan does
    /// not apply (a view, or a filter that is not a conjunction of top-level field predicates).
    pub(super) fn new(
        state: &'s State,
        db: &str,
        name: &str,
        filter: Option<&'s Document>,
    ) -> Result<Option<RowScan<'s>>, CommandError> {
        if super::hint::active(db, name) {
            // A hinted read walks the hinted index (hint.rs).
            return Ok(None);
        }
        let filter = filter.filter(|f| !f.is_empty());
        let matcher = filter.map(Matcher::compile).transpose()?;
        let mut fields = Vec::new();
        let top = match &matcher {
            Some(m) => match TopLevelFilter::from_matcher(m, &mut fields) {
                Some(t) => Some(t),
                None => return Ok(None),
            },
            None => None,
        };
        let (base, view_pipeline) = resolve_view(state, db, name)?;
        if !view_pipeline.is_empty() {
            return Ok(None);
        }
        Ok(Some(RowScan {
            coll: get_coll(state, db, &base),
            filter,
            matcher,
            top,
            filter_fields: fields.len(),
            fields,
            order: None,
            paths: Vec::new(),
            cap: None,
        }))
    }

    /// The row's field list: the filter's fields, then the visitor's (add them here; slot `i` is
    /// `fields[i]`).
    pub(super) fn fields(&mut self) -> &mut Vec<String> {
        &mut self.fields
    }

    /// Reads the records in `order` (an index's) when no index narrows them (as `scan_in_order`: a sort on
    /// that index's key then finds its input in order).
    pub(super) fn in_order(mut self, order: Option<&'s super::index_order::Order>) -> Self {
        self.order = order;
        self
    }

    /// Stops after `cap` matching documents (the stages fed take no more: `Pipeline::scan_cap`).
    pub(super) fn capped(mut self, cap: Option<usize>) -> Self {
        self.cap = cap;
        self
    }

    /// Decodes the embedded documents of the visitor's fields only along `paths`, the field paths it reads
    /// ([`FieldValues::prune_to`]; the filter's fields stay whole).
    pub(super) fn prune_to(&mut self, paths: Vec<String>) {
        self.paths = paths;
    }

    /// Calls `visit` with every matching document.
    pub(super) fn run(
        self,
        vars: &Vars,
        visit: &mut dyn FnMut(Row<'_>) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        self.run_raw(vars, &mut |row, _| visit(row))
    }

    /// [`run`](Self::run) whose visitor also gets each matching document's stored bytes (borrowed from the
    /// state the scan reads, so a visitor may keep them for the whole command).
    pub(super) fn run_raw(
        self,
        vars: &Vars,
        visit: &mut dyn FnMut(Row<'_>, &'s RawDocument) -> Result<(), CommandError>,
    ) -> Result<(), CommandError> {
        let Some(coll) = self.coll else {
            return Ok(());
        };
        let (matcher, top) = (&self.matcher, &self.top);
        // With no field to read (a count without filter...), documents are not touched at all.
        let reads_fields = !self.fields.is_empty();
        let mut row = FieldValues::with_prefix(self.fields, self.filter_fields);
        if !self.paths.is_empty() {
            let mut paths = self.paths;
            paths.extend(row.names()[..self.filter_fields].iter().cloned());
            row.prune_to(&paths);
        }
        // Visits left before the cap.
        let mut left = self.cap.unwrap_or(usize::MAX);
        if left == 0 {
            return Ok(());
        }
        // `Ok(true)`: the cap is reached.
        let mut step = |raw: &'s RawDocument| -> Result<bool, CommandError> {
            crate::engine::ops::check()?;
            if row.read_prefix(raw).is_some() {
                if let Some(t) = top {
                    if !t.matches(&row, vars)? {
                        return Ok(false);
                    }
                }
                if row.read_rest(raw).is_some() {
                    visit(Row::Fields(&mut row), raw)?;
                    left -= 1;
                    return Ok(left == 0);
                }
            }
            let doc = crate::engine::bson_decode::try_document(raw).map_err(corrupt)?;
            let keep = match matcher {
                Some(m) => m.matches(&doc, vars)?,
                None => true,
            };
            if keep {
                visit(Row::Doc(&doc), raw)?;
                left -= 1;
            }
            Ok(left == 0)
        };
        let candidates = self.filter.and_then(|f| coll.candidates(f));
        let in_order = match (&candidates, self.order) {
            (None, Some(o)) => super::scan_order::records_in_order(coll, o)?,
            _ => None,
        };
        match candidates.or(in_order) {
            Some(rids) => {
                for r in rids {
                    if let Some(raw) = coll.get_raw(r) {
                        if step(raw)? {
                            return Ok(());
                        }
                    }
                }
            }
            None => {
                // Documents are separate allocations: reading one is a cache miss first. The leading
                // cache lines of the document `PREFETCH_DISTANCE` ahead are requested (prefetched) before
                // each document is read, so its misses are served while the documents before it are worked
                // on instead of stalling the scan once per document.
                // (The documents ahead are only prefetched, not read: `Stored::bytes` needs no load. Their last
                // line is prefetched too: taking the bytes as a document checks the terminator.)
                let mut ahead = coll.stored_batches().flatten();
                if reads_fields {
                    for stored in ahead.by_ref().take(PREFETCH_DISTANCE) {
                        prefetch(stored.bytes(), PREFETCH_LINES);
                        prefetch_last(stored.bytes());
                    }
                }
                for batch in coll.stored_batches() {
                    for stored in batch {
                        if reads_fields {
                            if let Some(next) = ahead.next() {
                                prefetch(next.bytes(), PREFETCH_LINES);
                                prefetch_last(next.bytes());
                            }
                        }
                        if step(stored.raw())? {
                            return Ok(());
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// How many documents ahead of the one being read the scan prefetches: far enough for a memory access to
/// complete in the time the documents in between are read (measured: 8 beats 2, 4 and 16 here).
const PREFETCH_DISTANCE: usize = 8;

/// Cache lines of each document prefetched ahead of the scan: the leading fields of typical documents.
const PREFETCH_LINES: usize = 4;

/// `[$match,] $project, ...` (`pipeline`, compiled from `stages`; the projection at `start`) over collection
/// `name`: each matching document's fields read from its bytes into a row, projected from there when the
/// projection only reads, else from one document the row's values are swapped into (`pipeline/row_input.rs`),
/// with no document of the scanned fields built per row; in the index order `order` when it serves the sort,
/// embedded documents decoded only along the paths the projection reads. `None` when this does not apply.
#[allow(clippy::too_many_arguments)]
pub(super) fn project_rows(
    state: &State,
    db: &str,
    name: &str,
    pipeline: &crate::engine::pipeline::Pipeline,
    stages: &[bson::Bson],
    start: usize,
    order: Option<&super::index_order::Order>,
    catalog: &dyn crate::engine::pipeline::Catalog,
    vars: &Vars,
    rows: bool,
) -> Result<Option<crate::engine::pipeline::Output>, CommandError> {
    let cap = pipeline.scan_cap(start);
    let Some(mut scan) = RowScan::new(state, db, name, pipeline.leading_match())?
        .map(|s| s.in_order(order).capped(cap))
    else {
        return Ok(None);
    };
    let mut reads = Vec::new();
    let known = stages
        .get(start..start + 1)
        .is_some_and(|p| crate::engine::fields::pipeline_paths(p, &mut reads));
    let top = known.then(|| super::scan::top_level(&reads));
    let Some(mut input) = pipeline.row_input(start, scan.fields(), top.as_deref(), vars, rows)
    else {
        return Ok(None);
    };
    if known {
        scan.prune_to(reads);
    }
    scan.run_raw(vars, &mut |row, raw| match row {
        Row::Fields(r) => input.push_row(r, raw, vars),
        Row::Doc(d) => input.push_doc(d, vars),
    })?;
    input.finish(catalog, vars).map(Some)
}
