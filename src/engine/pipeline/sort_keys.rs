//! A `$project` whose last fields are the keys of the whole `$sort` right after it, removed again by the
//! `$unset` right after the sort (the translator's `ORDER BY`: `{$project: {c0: ..., __n0: ..., __s0: ...}}`,
//! `{$sort: {__n0: 1, __s0: 1}}`, `{$unset: ["__n0", "__s0"]}`): the projection's last values go straight
//! into the sort as each document's key ([`Sorter::push_keyed`](crate::engine::sort::Sorter::push_keyed))
//! instead of being inserted into the document, read back by the sort and removed after it. The documents
//! the sort emits already lack the fields; the `$unset` after it changes nothing and is skipped.
//!
//! In: the pipeline's stages; out: the projection split into document and key. Depends on `projection`,
//! `sort`.

use super::{Pipeline, Stage};
use crate::engine::expr::Vars;
use crate::engine::held::Held;
use crate::engine::projection::{Projection, RowRead};
use crate::engine::sort::SortSpec;
use crate::engine::CommandError;
use bson::{Bson, Document};

/// The `$project` before a `$sort` whose last fields are exactly the sort's keys.
pub(super) struct SortKeys<'p> {
    project: &'p Projection,
    /// For each key part of the sort, the position of its field among the projection's last fields.
    at: Vec<usize>,
}

impl Pipeline {
    /// The fields and compiled expressions of the `$set` / `$addFields` stage at index `i`, when that stage
    /// is one.
    pub(crate) fn add_fields_at(&self, i: usize) -> Option<&[(String, crate::engine::expr::Expr)]> {
        match self.stages.get(i) {
            Some(Stage::AddFields(fields)) => Some(fields),
            _ => None,
        }
    }

    /// For the `$sort` at `sort` (before `end`): the split of the `$project` before it when that
    /// projection's last fields are exactly the sort's top-level key fields and the stage after the sort is
    /// an `$unset` of exactly those fields.
    pub(super) fn sort_keys(&self, sort: usize, end: usize) -> Option<SortKeys<'_>> {
        if sort + 1 >= end {
            return None;
        }
        let (Some(Stage::Project(project)), Some(Stage::Sort(spec)), Some(Stage::Unset(paths))) = (
            self.stages.get(sort.checked_sub(1)?),
            self.stages.get(sort),
            self.stages.get(sort + 1),
        ) else {
            return None;
        };
        let fields: Vec<&str> = spec.top_level_fields().into_iter().collect::<Option<_>>()?;
        let same = paths.len() == fields.len()
            && paths.iter().all(|p| fields.contains(&p.as_str()))
            && fields.iter().all(|f| paths.iter().any(|p| p == f));
        if !same {
            return None;
        }
        let at = project.tail_of(&fields)?;
        Some(SortKeys { project, at })
    }
}

impl SortKeys<'_> {
    /// Projects one document: the document without the key fields (held as its values under the output's
    /// template when it has every field: [`Projection::apply_owned_held`]), and its key on `spec` (what the
    /// sort would read from the projected document).
    pub(super) fn apply(
        &self,
        spec: &SortSpec,
        d: Document,
        vars: &Vars,
    ) -> Result<(Vec<Bson>, Held), CommandError> {
        let (held, vals) = self.project.apply_owned_held(d, vars, self.at.len())?;
        Ok((self.key(spec, vals), held))
    }

    /// [`apply`](Self::apply) of a borrowed document (a joined row made in its outer document:
    /// `join_through`), its kept values copied.
    pub(super) fn apply_ref(
        &self,
        spec: &SortSpec,
        d: &Document,
        vars: &Vars,
    ) -> Result<(Vec<Bson>, Document), CommandError> {
        let (doc, vals) = self.project.apply_ref_split(d, vars, self.at.len())?;
        Ok((self.key(spec, vals), doc))
    }

    /// [`apply_ref`](Self::apply_ref) of a document whose values are taken
    /// ([`Projection::apply_taking_held`]), held as [`apply`](Self::apply) holds it.
    pub(super) fn apply_taking(
        &self,
        spec: &SortSpec,
        d: &mut Document,
        vars: &Vars,
    ) -> Result<(Vec<Bson>, Held), CommandError> {
        let (held, vals) = self.project.apply_taking_held(d, vars, self.at.len())?;
        Ok((self.key(spec, vals), held))
    }

    /// [`apply_ref`](Self::apply_ref) with the document given as its BSON bytes (for a sort that holds its
    /// documents encoded).
    pub(super) fn apply_ref_bytes(
        &self,
        spec: &SortSpec,
        d: &Document,
        vars: &Vars,
    ) -> Result<(Vec<Bson>, Vec<u8>), CommandError> {
        let (bytes, vals) = self.project.apply_ref_split_bytes(d, vars, self.at.len())?;
        Ok((self.key(spec, vals), bytes))
    }

    /// Whether the projection reads only ([`Projection::reads_only`]): then
    /// [`apply_row_held`](Self::apply_row_held) takes a joined row that is not made.
    pub(super) fn reads_only(&self) -> bool {
        self.project.reads_only()
    }

    /// [`apply_ref`](Self::apply_ref) of the row `row` (a joined row that is not made, a scan's row), for a
    /// projection that [`reads_only`](Self::reads_only) (an internal error otherwise), the output held as
    /// its values under the output's template when every kept field has a value
    /// ([`Projection::apply_row_held`]).
    pub(super) fn apply_row_held<'a, R: RowRead<'a>>(
        &'a self,
        spec: &SortSpec,
        row: &R,
    ) -> Result<(Vec<Bson>, Held), CommandError> {
        let (held, vals) = self.project.apply_row_held(row, self.at.len())?;
        Ok((self.key(spec, vals), held))
    }

    /// [`apply_row_held`](Self::apply_row_held) with the document as its BSON bytes.
    pub(super) fn apply_row_bytes<'a, R: RowRead<'a>>(
        &'a self,
        spec: &SortSpec,
        row: &R,
    ) -> Result<(Vec<Bson>, Vec<u8>), CommandError> {
        let (bytes, vals) = self.project.apply_row_split_bytes(row, self.at.len())?;
        Ok((self.key(spec, vals), bytes))
    }

    /// The template of the projected documents (without the key fields), when the projection has one.
    pub(super) fn output_template(
        &self,
    ) -> Option<std::sync::Arc<crate::engine::doc_template::Template>> {
        self.project.output_template(self.at.len())
    }

    /// The sort key from the projection's last values.
    fn key(&self, spec: &SortSpec, mut vals: Vec<Option<Bson>>) -> Vec<Bson> {
        self.at
            .iter()
            .enumerate()
            .map(|(i, &a)| spec.key_of_owned(i, vals.get_mut(a).and_then(Option::take)))
            .collect()
    }
}
