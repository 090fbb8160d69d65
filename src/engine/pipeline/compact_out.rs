//! The output of a pipeline whose last blocking stage is a whole `$sort` closing a join's segment, followed
//! only by per-document stages (the translator's `ORDER BY` of a join: `$lookup ... $project`, `$sort`,
//! `$unset`): each document the sort emits goes through those last stages and is kept as its BSON bytes
//! ([`Stored`]), the form a cursor hands out batch by batch. A joined result of millions of rows is then held
//! at its BSON size, not as parsed documents (several times larger, each page of them fresh memory), and the
//! last stages build no second vector of documents.
//!
//! In: the pipeline, its input, the catalog; out: [`Output`]. Depends on `segment` (the sort's emission).

use super::{Catalog, Pipeline, Stage};
use crate::engine::error_codes::ErrorCode;
use crate::engine::expr::Vars;
use crate::engine::storage::Stored;
use crate::engine::CommandError;
use bson::{Document, RawDocumentBuf};

/// What a pipeline run for a cursor gives: documents, or documents kept as their bytes.
#[derive(Debug)]
pub enum Output {
    /// Parsed documents.
    Docs(Vec<Document>),
    /// Documents as BSON bytes, in order (parsed when a batch hands them out).
    Stored(Vec<Stored>),
}

impl Output {
    /// The documents, parsed.
    pub fn into_docs(self) -> Result<Vec<Document>, CommandError> {
        match self {
            Output::Docs(d) => Ok(d),
            Output::Stored(s) => s
                .iter()
                .map(|s| {
                    Document::try_from(s.raw()).map_err(|e| {
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

/// Where a closing sort's documents go: through the stages `maps..end`, then into `docs` as bytes.
pub(super) struct Compact {
    maps: usize,
    pub(super) end: usize,
    docs: Vec<Stored>,
}

impl Pipeline {
    /// Runs the stages from `start` on, as [`run_from`](Self::run_from) does; when they end with a segment
    /// holding a `$lookup`, closed by a whole `$sort` and followed only by per-document stages, the sorted
    /// documents come out as bytes ([`Output::Stored`]).
    pub fn run_output(
        &self,
        start: usize,
        input: Vec<Document>,
        catalog: &dyn Catalog,
        vars: &Vars,
    ) -> Result<Output, CommandError> {
        let n = self.stages.len();
        let mut maps = n;
        while maps > start && Self::maps_one(&self.stages[maps - 1]) {
            maps -= 1;
        }
        if maps >= start + 2 && matches!(self.stages[maps - 1], Stage::Sort(_)) {
            let sort = maps - 1;
            let mut seg = sort;
            while seg > start && Self::per_document(&self.stages[seg - 1]) {
                seg -= 1;
            }
            if (seg..sort).any(|k| matches!(self.stages[k], Stage::Lookup(_))) {
                let docs = self.run_range(start, seg, input, catalog, vars)?;
                let mut compact = Compact {
                    maps,
                    end: n,
                    docs: Vec::new(),
                };
                let (rest, next) =
                    self.run_segment_out(seg, n, docs, catalog, vars, Some(&mut compact))?;
                if next >= n && rest.is_empty() {
                    return Ok(Output::Stored(compact.docs));
                }
                // The segment closed elsewhere (cannot happen with the shape checked above): the rest runs
                // on documents.
                let mut out = compact.into_docs()?;
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
        let raw = RawDocumentBuf::try_from(&d).map_err(|e| {
            CommandError::new(
                ErrorCode::InternalError,
                format!("cannot encode a result document: {e}"),
            )
        })?;
        c.docs.push(Stored::new(raw));
        Ok(())
    }
}

impl Compact {
    /// The documents kept so far, parsed.
    fn into_docs(self) -> Result<Vec<Document>, CommandError> {
        Output::Stored(self.docs).into_docs()
    }
}
