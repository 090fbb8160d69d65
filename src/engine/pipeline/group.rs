//! `$group`: groups by `_id` and folds each group's accumulators (`accumulator.rs`).
//!
//! In: the stage document and input documents; out: one document per distinct `_id` (groups compared with
//! the BSON order, so `1`, `1.0` and `NumberLong(1)` are one group), in first-seen order. mongod's rules:
//! `$sum` ignores non-numbers and gives `0` over nothing; `$avg`/`$min`/`$max` ignore null and missing and
//! give null over nothing; `$push`/`$addToSet` skip missing values. Depends on `expr`, `numeric`, `sort`.

pub use super::accumulator::Accumulator;
pub(super) use super::accumulator::{AccState, Grown, Kind};
use super::group_key::FieldsKey;
use crate::engine::bson_hash::SlotTable;
use crate::engine::bson_order::compare;
use crate::engine::expr::{Expr, Vars};
use crate::engine::fields::FieldValues;
use crate::engine::memory::{self, MemoryPolicy};
use crate::engine::spill::SpillFile;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::borrow::Cow;
use std::cmp::Ordering;
/// The running state of a streaming `$group` ([`Group::step`] then [`Group::finish`]). Made with
/// [`GroupState::new`] it counts its bytes against the command's group limit and spills past it
/// (`group_spill.rs`); `GroupState::default()` is unbounded.
#[derive(Debug, Default)]
pub struct GroupState {
    /// The groups' slots by key (BSON-order hash and equality; the keys live in `groups` only), built once
    /// there are more than [`LINEAR_GROUPS`].
    pub(super) index: SlotTable,
    pub(super) groups: Vec<(Bson, Vec<AccState>)>,
    /// Approximate BSON bytes the groups hold (the 292 limit without disk use).
    pub(super) bytes: usize,
    /// Approximate resident bytes the groups hold (past the limit, with disk use, they spill).
    pub(super) resident: usize,
    /// The limits (`None`: unbounded).
    pub(super) mem: Option<MemoryPolicy>,
    /// Runs of groups written past the limit, each sorted by key.
    pub(super) spill: Option<SpillFile>,
    /// Bytes each `$push` / `$addToSet` holds (by `slot * accumulators + j`; since the last spill).
    pub(super) collected: Vec<usize>,
}

/// Counts `added` bytes to a `$push` / `$addToSet` state; past the command's accumulator limit, mongod's
/// 146 (its values cannot spill).
fn track(
    collected: &mut Vec<usize>,
    idx: usize,
    added: usize,
    acc: &Accumulator,
    mem: Option<&MemoryPolicy>,
) -> Result<(), CommandError> {
    let Some(mem) = mem else { return Ok(()) };
    if collected.len() <= idx {
        collected.resize(idx + 1, 0);
    }
    collected[idx] += added;
    if collected[idx] > mem.accumulator_bytes {
        return Err(memory::accumulator_exceeded(
            acc.name(),
            mem.accumulator_bytes,
        ));
    }
    Ok(())
}

/// Up to this many groups are found by a linear scan comparing keys in the BSON order; past it the hash
/// index is built (same BSON-order equality, so the same groups either way).
const LINEAR_GROUPS: usize = 16;

impl GroupState {
    /// A state bounded by `vars.memory.group_bytes`: past it the groups are spilled to disk (sorted by
    /// key, merged at the end), or, without `allowDiskUse`, 292.
    pub fn new(vars: &Vars) -> GroupState {
        GroupState {
            mem: Some(vars.memory.clone()),
            ..GroupState::default()
        }
    }

    /// Counts `added` bytes; past the limit, spills (by the resident size) or, without disk use, fails (by
    /// the BSON size).
    fn account(&mut self, added: Grown) -> Result<(), CommandError> {
        self.bytes += added.bson;
        self.resident += added.resident;
        match &self.mem {
            Some(mem) if mem.allow_disk_use && self.resident > mem.group_bytes => {
                self.spill_groups()
            }
            Some(mem) if !mem.allow_disk_use && self.bytes > mem.group_bytes => {
                Err(memory::group_exceeded())
            }
            _ => Ok(()),
        }
    }

    /// The slot of the group whose key compares equal to `key` in the BSON order, and the key's hash when
    /// the index is in use (for [`add`](Self::add)).
    fn find(&self, key: &Bson) -> (Option<usize>, Option<u64>) {
        if self.groups.len() <= LINEAR_GROUPS {
            let slot = self
                .groups
                .iter()
                .position(|(k, _)| compare(k, key) == Ordering::Equal);
            return (slot, None);
        }
        let hash = self.index.hash(key);
        let groups = &self.groups;
        (self.index.find(hash, key, |i| &groups[i].0), Some(hash))
    }

    /// Adds a group for `key` (not present; `hash` from [`find`](Self::find)) and returns its slot.
    fn add(&mut self, key: Bson, hash: Option<u64>, fields: &[(String, Accumulator)]) -> usize {
        let slot = self.groups.len();
        self.bytes += memory::value_bytes(&key) + memory::ENTRY_OVERHEAD + 16 * fields.len();
        self.resident += memory::resident_value_bytes(&key)
            + memory::ENTRY_OVERHEAD
            + std::mem::size_of::<AccState>() * fields.len();
        self.groups
            .push((key, fields.iter().map(|(_, a)| a.init()).collect()));
        if slot >= LINEAR_GROUPS {
            let groups = &self.groups;
            if self.index.is_empty() {
                for i in 0..slot {
                    let h = self.index.hash(&groups[i].0);
                    self.index.insert(h, i, |j| &groups[j].0);
                }
            }
            let h = hash.unwrap_or_else(|| self.index.hash(&groups[slot].0));
            self.index.insert(h, slot, |j| &groups[j].0);
        }
        slot
    }

    /// The slot of `key`'s group, added (the key cloned) when new; whether it is new.
    fn slot_of(&mut self, key: &Bson, fields: &[(String, Accumulator)]) -> (usize, bool) {
        match self.find(key) {
            (Some(i), _) => (i, false),
            (None, hash) => (self.add(key.clone(), hash, fields), true),
        }
    }
}

/// Where a `$group` fed from a [`FieldValues`] row reads its key and each accumulator's argument
/// ([`Group::row_plan`]).
#[derive(Debug, Clone)]
pub struct RowPlan {
    id: Source,
    args: Vec<Source>,
}

/// A value read from a row: a field's slot, or a constant.
#[derive(Debug, Clone)]
enum Source {
    Field(usize),
    Const(Bson),
    /// The grouping value of a [`FieldsKey`], its fields in these slots.
    Key(Vec<usize>),
}

impl Source {
    fn value<'a>(&'a self, row: &'a FieldValues) -> Option<&'a Bson> {
        match self {
            Source::Field(i) => row.get(*i),
            Source::Const(v) => Some(v),
            Source::Key(_) => None,
        }
    }
}

/// A compiled `$group` stage.
#[derive(Debug, Clone)]
pub struct Group {
    id: Expr,
    /// `id` when it is the translator's key document of fields (grouped by their values, see
    /// `group_key.rs`).
    key: Option<FieldsKey>,
    fields: Vec<(String, Accumulator)>,
}

impl Group {
    /// Compiles `{_id: expr, field: {$acc: expr}, ...}`.
    pub fn compile(spec: &Document) -> Result<Group, CommandError> {
        let id = spec.get("_id").ok_or_else(|| {
            CommandError::location(15955, "a group specification must include an _id")
        })?;
        let mut fields = Vec::new();
        for (k, v) in spec {
            if k == "_id" {
                continue;
            }
            if k.contains('.') {
                return Err(CommandError::location(
                    40235,
                    format!("The field name '{k}' cannot contain '.'"),
                ));
            }
            if k.starts_with('$') {
                return Err(CommandError::location(
                    40236,
                    format!("The field name '{k}' cannot be an operator name"),
                ));
            }
            fields.push((k.clone(), Accumulator::compile(v)?));
        }
        Ok(Group {
            id: Expr::compile(id)?,
            key: FieldsKey::detect(id),
            fields,
        })
    }

    /// Runs the grouping.
    pub fn run(&self, input: Vec<Document>, vars: &Vars) -> Result<Vec<Document>, CommandError> {
        let mut state = GroupState::new(vars);
        for d in input {
            crate::engine::ops::check()?;
            self.step_owned(&mut state, d, vars)?;
        }
        self.finish(state, vars)
    }

    /// Runs the grouping with the group keys already computed (`$bucket`, `$sortByCount`).
    pub fn run_keyed(
        &self,
        input: Vec<(Bson, Document)>,
        vars: &Vars,
    ) -> Result<Vec<Document>, CommandError> {
        let mut state = GroupState::new(vars);
        for (key, doc) in input {
            crate::engine::ops::check()?;
            let key = match &self.key {
                Some(k) => k.of_output(key),
                None => key,
            };
            self.step_keyed(&mut state, key, &doc, vars)?;
        }
        self.finish(state, vars)
    }

    /// Adds one input document to a streaming grouping (no copy of the document is kept).
    pub fn step(
        &self,
        state: &mut GroupState,
        doc: &Document,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        if let Some(k) = &self.key {
            // The key document's fields: grouped by their values, borrowed for one field.
            let (slot, first) = state.slot_of(&k.of_doc(doc), &self.fields);
            return self.step_slot(state, slot, first, doc, vars);
        }
        if let Some(key) = self.id.eval_top_field(doc) {
            // A plain `$field` key: looked up by reference, cloned only for a new group.
            let key = key.unwrap_or(&Bson::Null);
            let (slot, first) = state.slot_of(key, &self.fields);
            return self.step_slot(state, slot, first, doc, vars);
        }
        let key = self.id.eval(doc, vars)?.unwrap_or(Bson::Null);
        self.step_keyed(state, key, doc, vars)
    }

    /// [`step`](Self::step) of a document the caller gives up: a grouping whose one accumulator is `$first`
    /// / `$last` of `$$ROOT` (DISTINCT ON; the grouping sets' row for no input) keeps the document itself
    /// instead of a copy (the same fold, of the value `$$ROOT` evaluates to); any other reads it as `step`.
    pub fn step_owned(
        &self,
        state: &mut GroupState,
        doc: Document,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        let [(_, acc)] = self.fields.as_slice() else {
            return self.step(state, &doc, vars);
        };
        if !(matches!(acc.kind, Kind::First | Kind::Last) && acc.arg.is_whole_root()) {
            return self.step(state, &doc, vars);
        }
        let (slot, first) = match (&self.key, self.id.eval_top_field(&doc)) {
            (Some(k), _) => state.slot_of(&k.of_doc(&doc), &self.fields),
            (None, Some(key)) => state.slot_of(key.unwrap_or(&Bson::Null), &self.fields),
            (None, None) => {
                let key = self.id.eval(&doc, vars)?.unwrap_or(Bson::Null);
                match state.find(&key) {
                    (Some(i), _) => (i, false),
                    (None, hash) => (state.add(key, hash, &self.fields), true),
                }
            }
        };
        // Past its group's first document `$first` keeps nothing (nor does `step` make the value).
        if !first && matches!(acc.kind, Kind::First) {
            return state.account(Grown::default());
        }
        let added = match state.groups[slot].1.first_mut() {
            Some(st) => acc.fold(st, first, Some(Cow::Owned(Bson::Document(doc))))?,
            None => Grown::default(),
        };
        state.account(added)
    }

    /// The slot of the group `doc` falls in within `state` (added when new, nothing folded) and whether it
    /// is new: the groups [`step_owned`](Self::step_owned) makes, for a caller that folds by itself
    /// (`first_of_groups`).
    pub(super) fn slot_of_doc(
        &self,
        state: &mut GroupState,
        doc: &Document,
        vars: &Vars,
    ) -> Result<(usize, bool), CommandError> {
        Ok(match (&self.key, self.id.eval_top_field(doc)) {
            (Some(k), _) => state.slot_of(&k.of_doc(doc), &self.fields),
            (None, Some(key)) => state.slot_of(key.unwrap_or(&Bson::Null), &self.fields),
            (None, None) => {
                let key = self.id.eval(doc, vars)?.unwrap_or(Bson::Null);
                match state.find(&key) {
                    (Some(i), _) => (i, false),
                    (None, hash) => (state.add(key, hash, &self.fields), true),
                }
            }
        })
    }

    fn step_keyed(
        &self,
        state: &mut GroupState,
        key: Bson,
        doc: &Document,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        let (slot, first) = match state.find(&key) {
            (Some(i), _) => (i, false),
            (None, hash) => (state.add(key, hash, &self.fields), true),
        };
        self.step_slot(state, slot, first, doc, vars)
    }

    fn step_slot(
        &self,
        state: &mut GroupState,
        slot: usize,
        first: bool,
        doc: &Document,
        vars: &Vars,
    ) -> Result<(), CommandError> {
        let states = &mut state.groups[slot].1;
        let mut added = Grown::default();
        for (j, ((_, acc), st)) in self.fields.iter().zip(states.iter_mut()).enumerate() {
            let a = acc.step(st, first, doc, vars)?;
            if a.bson > 0 && acc.collects() {
                let idx = slot * self.fields.len() + j;
                track(&mut state.collected, idx, a.bson, acc, state.mem.as_ref())?;
            }
            added.add(a);
        }
        state.account(added)
    }

    /// How to feed this grouping from a [`FieldValues`] row: `Some` when the `_id` and every accumulator
    /// argument is a top-level field path or a constant and no accumulator needs the whole document
    /// (`$top`/`$bottom` and their `N` forms sort by document fields); the fields read are added to
    /// `fields` (deduplicated).
    pub fn row_plan(&self, fields: &mut Vec<String>) -> Option<RowPlan> {
        use crate::engine::field_values::field_slot as slot;
        fn source(fields: &mut Vec<String>, e: &Expr) -> Option<Source> {
            match e.top_field() {
                Some(name) => Some(Source::Field(slot(fields, name))),
                None => e.constant().cloned().map(Source::Const),
            }
        }
        let id = match &self.key {
            Some(k) if k.top_level() => {
                Source::Key(k.fields().iter().map(|f| slot(fields, f)).collect())
            }
            _ => source(fields, &self.id)?,
        };
        let mut args = Vec::with_capacity(self.fields.len());
        for (_, acc) in &self.fields {
            if matches!(acc.kind, Kind::Ranked(..)) {
                return None;
            }
            args.push(source(fields, &acc.arg)?);
        }
        Some(RowPlan { id, args })
    }

    /// Adds one input document, given by the values of its fields in `row` as [`row_plan`](Self::row_plan)
    /// laid out; same result as [`step`](Self::step) on the document. A string key is found without
    /// allocating.
    pub fn step_row(
        &self,
        plan: &RowPlan,
        state: &mut GroupState,
        row: &FieldValues,
    ) -> Result<(), CommandError> {
        let (slot, first) = match (&plan.id, &self.key) {
            // A constant key (`_id: null`: an aggregate over the whole input) has one group, made by the
            // first row: every later row's is that one, found without hashing it. (Grouping sets step
            // several groupings into one state: the one group must be this key's.)
            (Source::Const(k), _) if state.groups.len() == 1 && state.groups[0].0 == *k => {
                (0, false)
            }
            (Source::Key(slots), Some(k)) => state.slot_of(&k.of_row(row, slots), &self.fields),
            (id, _) => state.slot_of(id.value(row).unwrap_or(&Bson::Null), &self.fields),
        };
        let states = &mut state.groups[slot].1;
        let mut added = Grown::default();
        for (j, (((_, acc), st), arg)) in self
            .fields
            .iter()
            .zip(states.iter_mut())
            .zip(&plan.args)
            .enumerate()
        {
            let a = acc.fold(st, first, arg.value(row).map(Cow::Borrowed))?;
            if a.bson > 0 && acc.collects() {
                let idx = slot * self.fields.len() + j;
                track(&mut state.collected, idx, a.bson, acc, state.mem.as_ref())?;
            }
            added.add(a);
        }
        state.account(added)
    }

    /// The output documents of a streaming grouping, in order of first appearance of each key.
    pub fn finish(&self, state: GroupState, vars: &Vars) -> Result<Vec<Document>, CommandError> {
        if state.spill.is_some() {
            return self.finish_spilled(state, vars);
        }
        let groups = state.groups;
        let mut out = Vec::with_capacity(groups.len());
        // Only the `N` accumulators evaluate their `n` against the group's key document.
        let needs_key = self.needs_key();
        for (key, states) in groups {
            crate::engine::ops::check()?;
            out.push(self.output(key, states, needs_key, vars)?);
        }
        Ok(out)
    }

    /// Whether an accumulator evaluates its `n` against the group's key document.
    pub(super) fn needs_key(&self) -> bool {
        self.fields.iter().any(|(_, a)| {
            matches!(
                a.kind,
                Kind::FirstN(..) | Kind::ExtremeN(..) | Kind::Ranked(_, Some(_), _)
            )
        })
    }

    /// The output document of one group.
    pub(super) fn output(
        &self,
        key: Bson,
        states: Vec<AccState>,
        needs_key: bool,
        vars: &Vars,
    ) -> Result<Document, CommandError> {
        let mut d = Document::new();
        d.insert(
            "_id",
            match &self.key {
                Some(k) => k.output(key),
                None => key,
            },
        );
        // (An empty document does not allocate.)
        let key_doc = if needs_key {
            d.clone()
        } else {
            Document::new()
        };
        for ((name, acc), st) in self.fields.iter().zip(states) {
            d.insert(name.clone(), acc.finish(st, &key_doc, vars)?);
        }
        Ok(d)
    }

    /// Whether the key is grouped by the values of a [`FieldsKey`] (else by the key document).
    pub(super) fn has_fields_key(&self) -> bool {
        self.key.is_some()
    }

    /// Groups by the key document, as evaluated, even where the key is a [`FieldsKey`]: the same groups
    /// (group_key.rs), kept in the form a grouping sharing its state with one of another key uses.
    pub(super) fn forget_fields_key(&mut self) {
        self.key = None;
    }

    /// The compiled accumulators, by output field.
    pub(super) fn fields(&self) -> &[(String, Accumulator)] {
        &self.fields
    }
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
