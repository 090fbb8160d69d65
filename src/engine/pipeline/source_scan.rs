//! The documents a sub-pipeline over a collection gives (a `$lookup`'s uncorrelated prefix, a
//! `$unionWith`'s pipeline) with its leading `$match` decided by the collection scan: the stored documents
//! it rejects are never built (their filter fields are read from the bytes), where reading the whole
//! collection first built every one of them to drop most (`x IN (SELECT user_id FROM t WHERE risk_score >
//! 0.8)` keeps a fifth; `EXCEPT ALL SELECT ... WHERE page_views > 20` a few).
//!
//! Exactness: [`Catalog::scan_matching`] gives exactly the documents of the scan that match the filter, in
//! natural order, with the fields the sub-pipeline reads (`reads`, as [`Catalog::scan_fields`] does); the
//! `$match` stage would keep the same documents of that scan, evaluated with the same variables and in the
//! same order (an error raised by the filter is raised by the same document). The stages after it run as
//! before. A property test (`source_scan_tests.rs`) holds it to the stages run one by one.
//!
//! In: the catalog, the collection, the fields read, the pipeline and how many of its stages to run; out:
//! their documents. Depends on `Catalog`, `Pipeline`.

use super::{Catalog, Pipeline, Stage};
use crate::engine::expr::Vars;
use crate::engine::CommandError;
use bson::Document;

/// The documents of collection `coll` (only the top-level `reads` need be present, all fields without it)
/// run through the stages `0..end` of `p`; a leading `$match` among them is decided by the scan.
pub(super) fn run_over(
    catalog: &dyn Catalog,
    coll: &str,
    reads: Option<&[String]>,
    p: &Pipeline,
    end: usize,
    vars: &Vars,
) -> Result<Vec<Document>, CommandError> {
    let end = end.min(p.stages.len());
    match p.stages.first() {
        Some(Stage::Match(_, filter)) if end > 0 => {
            let docs = catalog.scan_matching(coll, filter, vars, reads)?;
            p.run_range(1, end, docs, catalog, vars)
        }
        _ => {
            let docs = match reads {
                Some(fields) => catalog.scan_fields(coll, fields)?,
                None => catalog.scan(coll)?,
            };
            p.run_range(0, end, docs, catalog, vars)
        }
    }
}
