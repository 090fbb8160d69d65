//! The output of a pipeline that ends with a whole `$sort` closing a run of per-document stages, followed only
//! by per-document stages (the translator's `ORDER BY`: `[$lookup ...] $project`, `$sort`, `$unset`): each
//! document the sort emits goes through those last stages as it leaves the sort, and once the output passes
//! [`HELD_DOCS`] documents (or the sort hands on a document it held as its bytes, with no stage after it)
//! they are kept as their BSON bytes ([`Stored`]), the form a cursor hands out batch by batch. A joined result of millions of rows is then held at its BSON size, not as parsed documents
//! (several times larger, every page of them fresh memory), and the last stages build no second vector.
//!
//! For a command whose result goes out as rows (`commands/rows_wanted.rs`), the documents a projection
//! held as their values ([`Held::Row`]) stay values ([`Output::Rows`]: arrays under the template's keys,
//! documents of another shape as documents) up to [`HELD_DOCS`]; past it the output is kept as bytes as
//! above, and the cursor reads each back as its values.
//!
//! In: the pipeline, its input, the catalog; out: [`Output`]. Depends on `segment` (the sort's emission).

use super::{Catalog, Pipeline, Stage};
use crate::engine::doc_template::Template;
use crate::engine::error_codes::ErrorCode;
use crate::engine::expr::Vars;
use crate::engine::held::Held;
use crate::engine::storage::Stored;
use crate::engine::CommandError;
use bson::{Bson, Document, RawDocument};
use std::sync::Arc;

/// What a pipeline run for a cursor gives: documents, or documents kept as their bytes, or (for a command
/// whose result goes out as rows) documents of one shape as their values.
#[derive(Debug)]
pub enum Output {
    /// Parsed documents.
    Docs(Vec<Document>),
    /// Documents as BSON bytes, in order (parsed when a batch hands them out).
    Stored(Vec<Stored>),
    /// Documents as rows of values under one template, or as documents (those of another shape).
    Rows(RowItems),
}

/// A result's documents in order, each either an array of its values in the order of the
/// [`fields`](Self::fields) (a document of exactly those keys) or a document.
#[derive(Debug)]
pub struct RowItems {
    template: Arc<Template>,
    items: Vec<Bson>,
    /// Past [`HELD_DOCS`] every document as its bytes instead (`items` empty): a cursor reads each one
    /// as the array of its values when its keys are the fields ([`bson_decode::values_under`]).
    ///
    /// [`bson_decode::values_under`]: crate::engine::bson_decode::values_under
    stored: Vec<Stored>,
}

impl RowItems {
    /// The keys of the documents given as arrays, in order.
    pub fn fields(&self) -> Vec<String> {
        self.template.keys().map(str::to_string).collect()
    }

    /// The items: `Bson::Array` for a row of the [`fields`](Self::fields), `Bson::Document` for any other
    /// document; or (`Err`) every document as its bytes, for a large result.
    pub fn into_items(self) -> Result<Vec<Bson>, Vec<Stored>> {
        match self.stored.is_empty() {
            true => Ok(self.items),
            false => Err(self.stored),
        }
    }

    /// The documents, rows made into documents.
    pub fn into_docs(self) -> Result<Vec<Document>, CommandError> {
        if !self.stored.is_empty() {
            return Output::Stored(self.stored).into_docs();
        }
        let template = self.template;
        Ok(self
            .items
            .into_iter()
            .filter_map(|i| match i {
                Bson::Array(values) => Some(template.fill(values)),
                Bson::Document(d) => Some(d),
                _ => None,
            })
            .collect())
    }
}

impl Output {
    /// The documents, parsed.
    pub fn into_docs(self) -> Result<Vec<Document>, CommandError> {
        match self {
            Output::Docs(d) => Ok(d),
            Output::Rows(r) => r.into_docs(),
            Output::Stored(s) => s
                .iter()
                .map(|s| {
                    crate::engine::bson_decode::try_document(s.raw()).map_err(|e| {
                        CommandError::new(
                            ErrorCode::InternalError,
                            format!("cannot read a result document: {e}"),
                        )
                    })
                })
                .collect(),
        }
    }
}

/// Up to this many output documents stay parsed; past it every one is kept as bytes (the first ones
/// encoded then). Encoding and the cursor's parsing cost more than moving a document, which only pays on a
/// large result.
pub const HELD_DOCS: usize = 100_000;

/// Where a closing sort's documents go: through the stages `maps..end`, then into `held` (parsed) or, past
/// [`HELD_DOCS`], `docs` (bytes).
pub(super) struct Compact {
    maps: usize,
    pub(super) end: usize,
    held: Vec<Document>,
    docs: Vec<Stored>,
    /// [`HELD_DOCS`], lowered by the tests.
    limit: usize,
    /// For a result that goes out as rows ([`Output::Rows`]): every document in order, those a projection
    /// held as values ([`Held::Row`]) of the first such template as their values, up to [`HELD_DOCS`]
    /// of them; past it the output is kept as bytes as any other ([`row_template`](Self::row_template)).
    rows: Option<(Option<Arc<Template>>, Vec<Bson>)>,
    /// The template of the rows of an output going out as rows that passed [`HELD_DOCS`] and is kept as
    /// bytes since.
    row_template: Option<Arc<Template>>,
}

impl Pipeline {
    /// Runs the stages from `start` on, as [`run_from`](Self::run_from) does; when they end with a segment
    /// holding a `$lookup`, closed by a whole `$sort` and followed only by per-document stages, the sorted
    /// documents come out as bytes ([`Output::Stored`]).
    /// `rows`: the result goes out as rows ([`Output::Rows`] where a projection holds them so).
    pub fn run_output(
        &self,
        start: usize,
        input: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
        rows: bool,
    ) -> Result<Output, CommandError> {
        let n = self.stages.len();
        let mut maps = n;
        while maps > start && Self::maps_one(&self.stages[maps - 1]) {
            maps -= 1;
        }
        if maps >= start + 2 && matches!(self.stages[maps - 1], Stage::Sort(_)) {
            let sort = maps - 1;
            let mut seg = sort;
            while seg > start && Self::in_segment(&self.stages[seg - 1]) {
                seg -= 1;
            }
            // A window over a join run by groups of inputs (window_join.rs) is part of the segment.
            if seg > start && matches!(self.stages[seg - 1], Stage::Window(_)) {
                let at = seg - 1;
                let mut s = at;
                while s > start && Self::per_document(&self.stages[s - 1]) {
                    s -= 1;
                }
                if s < at && self.window_plan(s, at, n, vars).is_some() {
                    seg = s;
                } else if seg < sort && matches!(self.stages[seg], Stage::AddFields(_)) {
                    // The `$set` right after the window runs with it, as each partition is computed
                    // (once per run of repeated outputs: window_chain.rs), not over its whole output.
                    seg += 1;
                }
            }
            if seg < sort {
                let docs = self.run_range(start, seg, input, catalog, vars)?;
                let mut compact = Compact::new(maps, n, rows);
                let (rest, next) =
                    self.run_segment_out(seg, n, docs, catalog, vars, Some(&mut compact))?;
                if next >= n && rest.is_empty() {
                    return Ok(compact.output());
                }
                // The segment closed elsewhere (cannot happen with the shape checked above): the rest runs
                // on documents.
                let mut out = compact.output().into_docs()?;
                out.extend(self.run_range(next, n, rest, catalog, vars)?);
                return Ok(Output::Docs(out));
            }
        }
        Ok(Output::Docs(
            self.run_range(start, n, input, catalog, vars)?,
        ))
    }

    /// One document a closing sort emits: into `out`, or with `compact` through the last stages and into
    /// its bytes.
    pub(super) fn emit(
        &self,
        d: Document,
        out: &mut Vec<Document>,
        compact: &mut Option<&mut Compact>,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        let Some(c) = compact else {
            out.push(d);
            return Ok(());
        };
        let mut d = d;
        for stage in &self.stages[c.maps..c.end] {
            match self.apply_one(stage, d, vars)? {
                Some(o) => d = o,
                None => return Ok(()),
            }
        }
        c.rows_past_limit()?;
        if let Some((_, items)) = &mut c.rows {
            items.push(Bson::Document(d));
            return Ok(());
        }
        if c.docs.is_empty() && c.held.len() < c.limit {
            c.held.push(d);
            return Ok(());
        }
        c.held_to_bytes()?;
        c.docs.push(encode(&d)?);
        Ok(())
    }
}

impl Pipeline {
    /// [`emit`](Self::emit) of a document as the closing sort held it: when no stage follows the sort, one
    /// held as its bytes goes into the output as they are, and the output is kept as bytes from then on
    /// (a sort holds documents as bytes only past its memory limit or its output's [`HELD_DOCS`]: a large
    /// result), with no decoding into a document and encoding again.
    pub(super) fn emit_held(
        &self,
        d: Held,
        out: &mut Vec<Document>,
        compact: &mut Option<&mut Compact>,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        let Some(c) = compact.as_deref_mut().filter(|c| c.maps >= c.end) else {
            return self.emit(d.into_doc()?, out, compact, vars);
        };
        c.rows_past_limit()?;
        if let Some((template, items)) = &mut c.rows {
            match d {
                Held::Row(r)
                    if template
                        .as_ref()
                        .is_none_or(|t| Arc::ptr_eq(t, r.template())) =>
                {
                    if template.is_none() {
                        *template = Some(r.template().clone());
                    }
                    items.push(Bson::Array(r.into_values()));
                }
                // Bytes of a document of the template's keys (a sort past its memory limit encodes what
                // it holds) read as the values.
                Held::Raw(b) => match template
                    .as_ref()
                    .and_then(|t| crate::engine::bson_decode::values_under(&b, t.keys(), t.len()))
                {
                    Some(values) => items.push(Bson::Array(values)),
                    None => items.push(Bson::Document(Held::Raw(b).into_doc()?)),
                },
                d => items.push(Bson::Document(d.into_doc()?)),
            }
            return Ok(());
        }
        let bytes = match d {
            Held::Raw(bytes) => bytes,
            // A row past the output's parsed documents is written as its bytes from its values.
            Held::Row(r) if c.keeps_bytes() => {
                c.held_to_bytes()?;
                let bytes = r.bytes().map_err(|e| {
                    CommandError::new(
                        ErrorCode::InternalError,
                        format!("cannot encode a result document: {e}"),
                    )
                })?;
                c.docs.push(Stored::from_encoded(bytes));
                return Ok(());
            }
            d => return self.emit(d.into_doc()?, out, compact, vars),
        };
        c.held_to_bytes()?;
        RawDocument::from_bytes(&bytes).map_err(|e| {
            CommandError::new(
                ErrorCode::InternalError,
                format!("cannot read a held result document: {e}"),
            )
        })?;
        c.docs.push(Stored::from_encoded(bytes.into_vec()));
        Ok(())
    }
}

impl Compact {
    /// A closing sort's output: each document through the stages `maps..end`.
    /// `rows`: the output goes out as rows ([`Output::Rows`]).
    pub(super) fn new(maps: usize, end: usize, rows: bool) -> Compact {
        Compact {
            maps,
            end,
            held: Vec::new(),
            docs: Vec::new(),
            limit: held_docs(),
            rows: rows.then(|| (None, Vec::new())),
            row_template: None,
        }
    }

    /// For an output going out as rows: the template of the rows to come, when the producer knows it
    /// (documents held as bytes before any row is seen are then read as values too).
    pub(super) fn expect_rows_of(&mut self, template: Option<Arc<Template>>) {
        if let (Some((slot @ None, _)), Some(t)) = (&mut self.rows, template) {
            *slot = Some(t);
        }
    }

    /// Rows past [`HELD_DOCS`]: the items so far encoded (rows from their values), the output kept as
    /// bytes from now on, its template kept for the cursor (millions of rows are held at their BSON size,
    /// as any large result).
    fn rows_past_limit(&mut self) -> Result<(), CommandError> {
        if self.rows.as_ref().is_none_or(|(_, i)| i.len() < self.limit) {
            return Ok(());
        }
        let Some((template, items)) = self.rows.take() else {
            return Ok(());
        };
        for item in items {
            let bytes = match (item, &template) {
                (Bson::Array(values), Some(t)) => {
                    crate::engine::storage::pairs_bytes(|| t.keys().zip(&values))
                }
                (Bson::Document(d), _) => crate::engine::storage::document_bytes(&d),
                _ => continue,
            };
            self.docs.push(Stored::from_encoded(bytes.map_err(|e| {
                CommandError::new(
                    ErrorCode::InternalError,
                    format!("cannot encode a result document: {e}"),
                )
            })?));
        }
        self.row_template = template;
        Ok(())
    }

    /// The documents kept parsed so far, encoded (the output is kept as bytes from now on).
    fn held_to_bytes(&mut self) -> Result<(), CommandError> {
        for h in std::mem::take(&mut self.held) {
            self.docs.push(encode(&h)?);
        }
        Ok(())
    }

    /// Whether the output is kept as bytes from now on (it holds [`HELD_DOCS`] parsed documents, or bytes):
    /// a closing sort's next documents may as well be made as bytes.
    pub(super) fn keeps_bytes(&self) -> bool {
        self.rows.is_none() && (!self.docs.is_empty() || self.held.len() >= self.limit)
    }

    /// Starts the stages run on each emitted document at `i` (those before it have nothing to do).
    pub(super) fn skip_to(&mut self, i: usize) {
        self.maps = self.maps.max(i);
    }

    /// The first of the pipeline's last per-document stages (the stage after the closing sort).
    pub(super) fn maps(&self) -> usize {
        self.maps
    }

    /// The documents emitted, in order.
    pub(super) fn output(self) -> Output {
        match self.rows {
            Some((Some(template), items)) => {
                return Output::Rows(RowItems {
                    template,
                    items,
                    stored: Vec::new(),
                })
            }
            Some((None, items)) => {
                return Output::Docs(
                    items
                        .into_iter()
                        .filter_map(|i| match i {
                            Bson::Document(d) => Some(d),
                            _ => None,
                        })
                        .collect(),
                )
            }
            None => {}
        }
        match (self.docs.is_empty(), self.row_template) {
            (true, _) => Output::Docs(self.held),
            (false, Some(template)) if !self.docs.is_empty() => Output::Rows(RowItems {
                template,
                items: Vec::new(),
                stored: self.docs,
            }),
            (false, _) => Output::Stored(self.docs),
        }
    }
}

/// A result document's bytes.
fn encode(d: &Document) -> Result<Stored, CommandError> {
    let bytes = crate::engine::storage::document_bytes(d).map_err(|e| {
        CommandError::new(
            ErrorCode::InternalError,
            format!("cannot encode a result document: {e}"),
        )
    })?;
    Ok(Stored::from_encoded(bytes))
}

#[cfg(test)]
thread_local! {
    /// [`HELD_DOCS`] for the pipelines this thread runs (tests run the bytes path on small results).
    pub(super) static TEST_HELD_DOCS: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// [`HELD_DOCS`], or a test's lower bound.
pub(super) fn held_docs() -> usize {
    #[cfg(test)]
    if let Some(n) = TEST_HELD_DOCS.with(std::cell::Cell::get) {
        return n;
    }
    HELD_DOCS
}
