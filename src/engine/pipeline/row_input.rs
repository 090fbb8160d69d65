//! A scan's rows projected straight into the select list: `[$match,] $project, ...` where the `$project`
//! only reads (field paths, the translator's NULL tests of paths, constants:
//! `{_id: 0, c0: "$session_id", c1: "$page_views", __s0: "$session_id"}`) takes each matching document's
//! fields from the [`FieldValues`] row the scan read them into from the stored bytes; one that computes
//! evaluates on one document the row's values are swapped into (its keys kept from row to row). Before, the
//! scan built a document of those fields per row (a map with a key per field), which the projection then
//! took apart into a second one; now the projected document (or, past the output's parsed documents, its
//! bytes) is made from the row, the `ORDER BY` keys beside it into the sort (`sort_keys.rs`), and any other
//! stages after it (a set operation's `$unionWith` + `$group`, a `$group`, a `$set`) run on the projected
//! documents.
//!
//! In: the pipeline, the row scan's field list, rows (or the documents the row reader declined); out: the
//! same [`Output`] as [`Pipeline::run_output`] gives on the scanned documents. Depends on `projection`
//! (`FieldRow`), `sort`, `compact_out`.

use super::compact_out::{self, Compact, Output};
use super::sort_keys::SortKeys;
use super::{Catalog, Pipeline, Stage};
use crate::engine::expr::Vars;
use crate::engine::fields::FieldValues;
use crate::engine::held::Held;
use crate::engine::limits::{
    check_intermediate, check_intermediate_shape, Shape, MAX_INTERMEDIATE_BYTES,
};
use crate::engine::projection::{FieldRow, Projection};
use crate::engine::sort::{SortSpec, Sorter};
use crate::engine::CommandError;
use bson::{Document, RawDocument};

/// The projection at the head of the rest of a pipeline, fed row by row ([`Pipeline::row_input`]).
pub(crate) struct RowInput<'p> {
    pipeline: &'p Pipeline,
    /// The projection's stage.
    start: usize,
    project: &'p Projection,
    /// Per output of a projection that only reads, its path's slot in the row
    /// ([`Projection::read_fields`]); `None`: the projection computes, on [`buf`](Self::buf).
    slots: Option<Vec<usize>>,
    /// For a projection that computes: the row's fields as a document, reused from row to row (the values
    /// swapped in, no key allocated for documents of one shape).
    buf: Document,
    /// How many of the projection's outputs read a path (each copies at most the stored document).
    path_reads: usize,
    /// The result goes out as rows ([`Output::Rows`]).
    rows: bool,
    sink: Sink<'p>,
}

/// Where the projected rows go.
enum Sink<'p> {
    /// The projected documents, for the stages after the projection.
    Docs(Vec<Document>),
    /// The projection is the last stage and the result goes out as rows: each projected row as it is held
    /// ([`Held::Row`], or a document of another shape), straight into the output.
    Out(Compact),
    /// A whole `$sort` on the projection's last fields, then an `$unset` of them, then per-document stages
    /// from the index: into the sort, each row's key beside its document.
    Sort {
        keys: SortKeys<'p>,
        spec: &'p SortSpec,
        sorter: Sorter<'p>,
        after: usize,
    },
}

impl Pipeline {
    /// The stages from `start` as a [`RowInput`], when they are a projection followed by a whole `$sort` of
    /// its last fields, an `$unset` of them and per-document stages, or by stages that neither stop early
    /// (`$skip`, `$limit`, a `$sort` of other keys) nor join (`$lookup`); the fields its rows must hold
    /// are added to `fields` (a row scan's field list). `reads`: the top-level fields the projection reads,
    /// when known (`None`: it reads the whole document, and only one that only reads paths applies).
    /// `None` otherwise. `rows`: the result goes out as rows ([`Output::Rows`]).
    pub(crate) fn row_input<'p>(
        &'p self,
        start: usize,
        fields: &mut Vec<String>,
        reads: Option<&[String]>,
        vars: &'p Vars,
        rows: bool,
    ) -> Option<RowInput<'p>> {
        let Some(Stage::Project(project)) = self.stages.get(start) else {
            return None;
        };
        if !project.reads_only() && reads.is_none() {
            return None;
        }
        let n = self.stages.len();
        let rest = &self.stages[start + 1..];
        let sink = match rest.first() {
            Some(Stage::Sort(spec)) => {
                let keys = self.sort_keys(start + 1, n)?;
                let after = start + 3;
                if !self.stages[after.min(n)..].iter().all(Self::maps_one) {
                    return None;
                }
                Sink::Sort {
                    keys,
                    spec,
                    sorter: Sorter::new(spec, &vars.memory),
                    after,
                }
            }
            // A `$skip` / `$limit` right after stops the scan early (elsewhere); the stages before a `$lookup`
            // run with it (a join's segment): both stay on the general path.
            Some(Stage::Skip(_) | Stage::Limit(_)) => return None,
            _ if rest.iter().any(|s| matches!(s, Stage::Lookup(_))) => return None,
            None if rows && project.reads_only() => Sink::Out(Compact::new(n, n, true)),
            _ => Sink::Docs(Vec::new()),
        };
        let (slots, path_reads) = match (project.read_fields(fields), reads) {
            (Some(slots), _) => {
                let n = slots.iter().filter(|&&s| s != usize::MAX).count();
                (Some(slots), n)
            }
            (None, Some(reads)) => {
                for f in reads {
                    crate::engine::field_values::field_slot(fields, f);
                }
                (None, 0)
            }
            (None, None) => return None,
        };
        Some(RowInput {
            pipeline: self,
            start,
            project,
            slots,
            buf: Document::new(),
            path_reads,
            rows,
            sink,
        })
    }
}

impl RowInput<'_> {
    /// Adds the row of one matching document (`raw`: its stored bytes, which bound the projected size of a
    /// projection that only reads). A projection that computes takes the row's values.
    pub fn push_row(
        &mut self,
        row: &mut FieldValues,
        raw: &RawDocument,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        let Some(slots) = &self.slots else {
            row.move_into(&mut self.buf);
            return self.push_taken(vars);
        };
        let row = FieldRow { values: row, slots };
        // Each path read copies at most the stored document: only a projection that could pass the
        // intermediate limit is measured.
        let bounded = self
            .path_reads
            .saturating_mul(raw.as_bytes().len())
            .saturating_add(4096)
            <= MAX_INTERMEDIATE_BYTES;
        match &mut self.sink {
            Sink::Docs(docs) => {
                let (d, _) = self.project.apply_row_split(&row, 0)?;
                if !bounded {
                    check_intermediate(std::slice::from_ref(&d))?;
                }
                docs.push(d);
            }
            Sink::Out(out) => {
                let (held, _) = self.project.apply_row_held(&row, 0)?;
                if !bounded {
                    check_held(&held)?;
                }
                self.pipeline
                    .emit_held(held, &mut Vec::new(), &mut Some(out), vars)?;
            }
            Sink::Sort {
                keys, spec, sorter, ..
            } => {
                // Rows as bytes once the sort holds its documents encoded or as many as the output keeps
                // parsed (past them the output is kept as bytes anyway; one going out as rows reads them
                // back as values): a sort of millions of rows stays within its memory limit.
                if sorter.holds_encoded() || sorter.len() >= compact_out::held_docs() {
                    let (key, bytes) = keys.apply_row_bytes(spec, &row)?;
                    if !bounded {
                        check_bytes(&bytes)?;
                    }
                    sorter.push_held(key, Held::Raw(bytes.into_boxed_slice()))?;
                } else {
                    let (key, held) = keys.apply_row_held(spec, &row)?;
                    if !bounded {
                        check_held(&held)?;
                    }
                    sorter.push_held(key, held)?;
                }
            }
        }
        Ok(())
    }

    /// Adds the row in [`buf`](Self::buf), projected by a projection that computes, the values it keeps
    /// taken out of the buffer (its keys stay for the next row's values).
    fn push_taken(&mut self, vars: &Vars) -> Result<(), CommandError> {
        let buf = &mut self.buf;
        match &mut self.sink {
            Sink::Docs(docs) => {
                let (d, _) = self.project.apply_taking_split(buf, vars, 0)?;
                check_intermediate(std::slice::from_ref(&d))?;
                docs.push(d);
            }
            Sink::Out(out) => {
                let (d, _) = self.project.apply_taking_split(buf, vars, 0)?;
                check_intermediate(std::slice::from_ref(&d))?;
                self.pipeline
                    .emit(d, &mut Vec::new(), &mut Some(out), vars)?;
            }
            Sink::Sort {
                keys, spec, sorter, ..
            } => {
                let (key, held) = keys.apply_taking(spec, buf, vars)?;
                check_held_computed(&held)?;
                sorter.push_held(key, held)?;
            }
        }
        Ok(())
    }

    /// Adds one matching document the row reader declined (parsed whole), as the stages take it.
    pub fn push_doc(&mut self, d: &Document, vars: &Vars) -> Result<(), CommandError> {
        match &mut self.sink {
            Sink::Docs(docs) => docs.push(self.pipeline.project_one(self.project, d, vars)?),
            Sink::Out(out) => {
                let d = self.pipeline.project_one(self.project, d, vars)?;
                self.pipeline
                    .emit(d, &mut Vec::new(), &mut Some(out), vars)?;
            }
            Sink::Sort {
                keys, spec, sorter, ..
            } => {
                let (key, d) = keys.apply_ref(spec, d, vars)?;
                check_intermediate(std::slice::from_ref(&d))?;
                sorter.push_held(key, Held::Doc(d))?;
            }
        }
        Ok(())
    }

    /// The pipeline's output: the projected documents through the stages after the projection.
    pub fn finish(self, catalog: &dyn Catalog, vars: &Vars) -> Result<Output, CommandError> {
        match self.sink {
            Sink::Docs(docs) => {
                self.pipeline
                    .run_output(self.start + 1, docs, catalog, vars, self.rows)
            }
            Sink::Out(out) => Ok(out.output()),
            Sink::Sort {
                sorter,
                after,
                keys,
                ..
            } => {
                let p = self.pipeline;
                let mut compact = Compact::new(after, p.stages.len(), self.rows);
                compact.expect_rows_of(keys.output_template());
                let mut out = Vec::new();
                {
                    let mut c = Some(&mut compact);
                    sorter.finish_each_held(&mut |_, d| p.emit_held(d, &mut out, &mut c, vars))?;
                }
                Ok(compact.output())
            }
        }
    }
}

/// [`check_intermediate`] of a projected document as it is held (a row by its values' size: a projection
/// that only reads nests nothing deeper than the stored document it reads).
fn check_held(held: &Held) -> Result<(), CommandError> {
    match held {
        Held::Doc(d) => check_intermediate(std::slice::from_ref(d)),
        other => check_intermediate_shape(Shape {
            bytes: other.bson_bytes(),
            depth: 0,
        }),
    }
}

/// [`check_intermediate`] of a computed projection's output as it is held: a row of values is measured as
/// the document it stands for (computed values may nest deeper than the stored document).
fn check_held_computed(held: &Held) -> Result<(), CommandError> {
    match held {
        Held::Doc(d) => check_intermediate(std::slice::from_ref(d)),
        Held::Row(r) => check_intermediate_shape(r.shape()),
        Held::Raw(b) => check_bytes(b),
    }
}

/// [`check_intermediate`] of a projected document written as its bytes: its size (a projection that only
/// reads nests nothing deeper than the stored document it reads).
fn check_bytes(bytes: &[u8]) -> Result<(), CommandError> {
    check_intermediate_shape(Shape {
        bytes: bytes.len(),
        depth: 0,
    })
}
