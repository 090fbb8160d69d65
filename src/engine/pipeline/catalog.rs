//! How a pipeline reads other collections of its database (`$lookup`, `$unionWith`, `$graphLookup`): the
//! [`Catalog`] the engine's commands implement over their state (`commands::StateCatalog`), with scans,
//! filtered and index-probed scans, and whole sub-pipelines run as aggregates of their own; [`NoCatalog`]
//! has no collections.
//!
//! In: collection names, filters, sub-pipelines; out: documents. Depends on `matcher`.

use super::super::expr::Vars;
use super::super::matcher::Matcher;
use super::super::CommandError;
use bson::{Bson, Document};

/// Read access to other collections of the same database, for `$lookup` and `$unionWith`.
pub trait Catalog {
    /// All documents of `collection` (or of the view's result), in natural order; empty if it does not exist.
    fn scan(&self, collection: &str) -> Result<Vec<Document>, CommandError>;

    /// The documents [`scan`](Self::scan) gives, of which only the top-level `fields` need be present (the
    /// others may be left out): what a reader of just those fields needs, without parsing the rest.
    fn scan_fields(
        &self,
        collection: &str,
        fields: &[String],
    ) -> Result<Vec<Document>, CommandError> {
        let _ = fields;
        self.scan(collection)
    }

    /// Hands `each` the documents [`scan`](Self::scan) gives, in order, until it returns `Ok(false)`:
    /// documents after a stop are never read. With `fields`, only those top-level fields need be present (as
    /// in [`scan_fields`](Self::scan_fields)).
    fn scan_each(
        &self,
        collection: &str,
        fields: Option<&[String]>,
        each: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
    ) -> Result<(), CommandError> {
        let docs = match fields {
            Some(f) => self.scan_fields(collection, f)?,
            None => self.scan(collection)?,
        };
        for d in docs {
            if !each(&d)? {
                break;
            }
        }
        Ok(())
    }

    /// [`scan_each`](Self::scan_each) of the documents that may match `filter` (a superset, in natural
    /// order: callers still apply it), read through an index that narrows the filter where one serves;
    /// the variables `filter` reads (an enclosing `$lookup`'s `let`) are those of `vars`.
    fn scan_filtered_each(
        &self,
        collection: &str,
        filter: &Document,
        vars: &Vars,
        fields: Option<&[String]>,
        each: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
    ) -> Result<(), CommandError> {
        let _ = (filter, vars);
        self.scan_each(collection, fields, each)
    }

    /// The documents [`scan_fields`](Self::scan_fields) gives (all fields without `fields`) that match
    /// `filter`, exactly, in natural order (a `$match` leading a sub-pipeline decided by the scan: the
    /// documents it drops need not be built); the variables `filter` reads are those of `vars`.
    fn scan_matching(
        &self,
        collection: &str,
        filter: &Document,
        vars: &Vars,
        fields: Option<&[String]>,
    ) -> Result<Vec<Document>, CommandError> {
        let m = Matcher::compile(filter)?;
        let docs = match fields {
            Some(f) => self.scan_fields(collection, f)?,
            None => self.scan(collection)?,
        };
        let mut out = Vec::new();
        for d in docs {
            if m.matches(&d, vars)? {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Hands `each` the documents of `collection` whose top-level `field` may equal one of `values` (a
    /// superset: callers check), in natural order, read through an index on `field`, until `each` returns
    /// `Ok(false)`; `None` when no index serves (no such index, a view, a missing collection): callers then
    /// scan. Documents after a stop are never read. With `fields`, a document handed on may hold only the
    /// top-level fields those paths start with (the rest left unparsed), as in [`Catalog::scan_fields`].
    fn probe_each(
        &self,
        _collection: &str,
        _field: &str,
        _values: &[Bson],
        _fields: Option<&[String]>,
        _each: &mut dyn FnMut(&Document) -> Result<bool, CommandError>,
    ) -> Option<Result<(), CommandError>> {
        None
    }

    /// The documents `pipeline` gives over `collection`, run as an aggregate of its own (with the scan's
    /// fast paths: a record count, a `$group` over fields read from the stored bytes, a top-k), for a
    /// sub-pipeline that reads nothing of an outer document; `None` when the catalog cannot (callers run the
    /// pipeline over a scan).
    fn aggregate(
        &self,
        _collection: &str,
        _pipeline: &[Bson],
    ) -> Option<Result<Vec<Document>, CommandError>> {
        None
    }
}

/// A catalog with no collections (pipeline updates, tests).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCatalog;

impl Catalog for NoCatalog {
    fn scan(&self, _collection: &str) -> Result<Vec<Document>, CommandError> {
        Ok(Vec::new())
    }
}
