//! `[$match,] [$set,] $sort, [$skip,] $limit` over a collection scan (the translator's plain
//! `SELECT ... ORDER BY ... LIMIT`: `{$set: {__n0: <null flag of f>, __s0: "$f"}}`, `{$sort: {__n0: 1, __s0:
//! 1}}`, `{$limit: k}`, then the select list's `$project`), with the top skip + limit documents picked by keys
//! read straight from the stored BSON bytes: each matching document's sort key is made of the fields the
//! `$set` and the `$sort` read ([`RowScan`]: no document built), compared in place with the k-th best key held,
//! and copied only when it beats it. Only the kept documents are parsed, once the scan ends; they then go
//! through the pipeline's own `$set`, `$sort`, `$skip` and `$limit`, and the stages after those run on them
//! alone.
//!
//! Why it gives the general path's documents: the general path's top-k keeps the first skip + limit documents
//! of the stable sort, by (key, input position); this scan reads the same documents in the same order and
//! keeps the same ones by the same keys (a field copy's key is the field's value as the sort takes it, an
//! array by its extreme element, missing as null; the null flag is 1 exactly for a missing, null or undefined
//! field, as `$ifNull` sees it; any other `$set` value is evaluated by the engine on the fields it reads).
//! Running the real stages over the kept documents, in input order, then sorts them as the general path
//! would (stable). `raw_topk_tests.rs` holds it to the general path on generated documents.

use super::row_scan::{Row, RowScan};
use crate::engine::expr::Vars;
use crate::engine::field_values::field_slot as slot;
use crate::engine::fields::FieldValues;
use crate::engine::memory::ENTRY_OVERHEAD;
use crate::engine::pipeline::{Catalog, Pipeline};
use crate::engine::storage::State;
use crate::engine::CommandError;
use bson::{Bson, Document, RawDocument};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::cmp::Ordering;

/// The shape found by [`plan`].
#[derive(Debug)]
pub(super) struct RawTopK {
    /// The index of the `$set` / `$addFields` stage before the `$sort`, if any.
    set_at: Option<usize>,
    /// The index of the `$sort` stage.
    sort_at: usize,
    /// skip + limit: the documents the top-k keeps.
    want: usize,
    /// The index of the stage after the `$limit`.
    pub after: usize,
}

/// Where one part of a document's sort key comes from.
#[derive(Debug)]
enum Part {
    /// The value of a field of the row (a stored field, or a `$set` copy of one): slot in the row.
    Field(usize),
    /// The translator's null flag of a field of the row: 1 when it is missing, null or undefined, else 0.
    Flag(usize),
    /// A constant the `$set` writes (its key as the sort takes it).
    Const(Bson),
    /// The `$set` value at this position among the stage's fields, evaluated on the row's fields.
    Computed(usize),
}

/// How a `$set` value is read without evaluating it.
enum Simple<'a> {
    /// `"$f"`: a copy of top-level field `f`.
    Copy(&'a str),
    /// `{$cond: [{$eq: [{$ifNull: ["$f", null]}, null]}, 1, 0]}`.
    Flag(&'a str),
    /// A scalar constant.
    Const(&'a Bson),
}

/// The top-level field `"$f"` names (no dots, not a variable).
fn field_ref(v: &Bson) -> Option<&str> {
    let f = v.as_str()?.strip_prefix('$')?;
    (!f.is_empty() && !f.starts_with('$') && !f.contains('.')).then_some(f)
}

/// The simple forms of a `$set` value; `None`: it is evaluated.
fn simple(v: &Bson) -> Option<Simple<'_>> {
    match v {
        Bson::String(s) if s.starts_with('$') => field_ref(v).map(Simple::Copy),
        Bson::Document(d) => {
            let Some(Bson::Array(c)) = d.get("$cond").filter(|_| d.len() == 1) else {
                return None;
            };
            let [test, Bson::Int32(1), Bson::Int32(0)] = c.as_slice() else {
                return None;
            };
            let eq = test
                .as_document()
                .filter(|e| e.len() == 1)?
                .get_array("$eq")
                .ok()?;
            let [Bson::Document(n), Bson::Null] = eq.as_slice() else {
                return None;
            };
            match n
                .get_array("$ifNull")
                .ok()
                .filter(|_| n.len() == 1)?
                .as_slice()
            {
                [f, Bson::Null] => field_ref(f).map(Simple::Flag),
                _ => None,
            }
        }
        Bson::Array(_) | Bson::JavaScriptCode(_) | Bson::JavaScriptCodeWithScope(_) => None,
        other => Some(Simple::Const(other)),
    }
}

/// Whether an expression calls something random (evaluated again on the kept documents, it would differ).
fn random(v: &Bson) -> bool {
    match v {
        Bson::Document(d) => d.iter().any(|(k, x)| k == "$rand" || random(x)),
        Bson::Array(items) => items.iter().any(random),
        _ => false,
    }
}

/// A non-negative count of a `$skip` / `$limit` stage.
fn count(b: Option<&Bson>, stage: &str) -> Option<usize> {
    match b?.as_document().filter(|d| d.len() == 1)?.get(stage)? {
        Bson::Int32(k) if *k >= 0 => usize::try_from(*k).ok(),
        Bson::Int64(k) if *k >= 0 => usize::try_from(*k).ok(),
        _ => None,
    }
}

/// The shape at `stages[start..]`: [`$set` / `$addFields` of top-level fields whose values read top-level
/// fields, nothing random], `$sort` on top-level fields, [`$skip`,] `$limit` (> 0). `None` for any other.
pub(super) fn plan(stages: &[Bson], start: usize) -> Option<RawTopK> {
    let stage = |i: usize| {
        let d = stages.get(i)?.as_document().filter(|d| d.len() == 1)?;
        d.iter().next()
    };
    let (name, spec) = stage(start)?;
    let set_at = match (name.as_str(), spec) {
        ("$set" | "$addFields", Bson::Document(fields)) => {
            let mut reads = Vec::new();
            let plain = fields.iter().all(|(k, v)| {
                !k.is_empty() && !k.starts_with('$') && !k.contains('.') && !random(v)
            });
            if !plain || fields.is_empty() || !crate::engine::fields::expr_fields(spec, &mut reads)
            {
                return None;
            }
            Some(start)
        }
        _ => None,
    };
    let sort_at = start + usize::from(set_at.is_some());
    let Some(("$sort", Bson::Document(sort))) = stage(sort_at).map(|(n, s)| (n.as_str(), s)) else {
        return None;
    };
    if sort.keys().any(|k| k.contains('.')) {
        return None;
    }
    let (skip, next) = match count(stages.get(sort_at + 1), "$skip") {
        Some(s) => (s, sort_at + 2),
        None => (0, sort_at + 1),
    };
    let limit = count(stages.get(next), "$limit").filter(|k| *k > 0)?;
    Some(RawTopK {
        set_at,
        sort_at,
        want: skip.checked_add(limit)?,
        after: next + 1,
    })
}

/// One kept candidate: its key, input position and stored bytes.
type Entry<'s> = (Vec<Bson>, usize, &'s RawDocument);

static NULL: Bson = Bson::Null;
static ZERO: Bson = Bson::Int32(0);
static ONE: Bson = Bson::Int32(1);

/// Runs `pipeline`'s stages from `start` (after the leading `$match`, `filter`) through the `$limit` of
/// `plan` by the raw scan; `None` when it does not apply (a view, a hint, a filter that is not a conjunction
/// of top-level field predicates, a `$set` reading fields it cannot name): the caller runs the general path.
#[allow(clippy::too_many_arguments)]
pub(super) fn run<'s>(
    state: &'s State,
    db: &str,
    name: &str,
    filter: Option<&'s Document>,
    plan: &RawTopK,
    pipeline: &Pipeline,
    stages: &[Bson],
    catalog: &dyn Catalog,
    vars: &Vars,
) -> Result<Option<Vec<Document>>, CommandError> {
    let Some(spec) = pipeline.sort_at(plan.sort_at) else {
        return Ok(None);
    };
    let set = match plan.set_at {
        Some(i) => match (pipeline.add_fields_at(i), stages.get(i).and_then(set_spec)) {
            (Some(compiled), Some(raw)) if compiled.len() == raw.len() => Some((compiled, raw)),
            _ => return Ok(None),
        },
        None => None,
    };
    let Some(mut scan) = RowScan::new(state, db, name, filter)? else {
        return Ok(None);
    };
    let fields = scan.fields();
    // The `$set` values evaluated (not read as a copy, flag or constant), and the fields they read.
    let mut evaluated = Vec::new();
    if let Some((_, raw)) = &set {
        for (j, (_, v)) in raw.iter().enumerate() {
            if simple(v).is_none() {
                let mut reads = Vec::new();
                if !crate::engine::fields::expr_fields(v, &mut reads) {
                    return Ok(None);
                }
                for r in reads {
                    slot(fields, r.split('.').next().unwrap_or(&r));
                }
                evaluated.push(j);
            }
        }
    }
    let mut parts = Vec::new();
    for (i, key) in spec.top_level_fields().into_iter().enumerate() {
        let Some(key) = key else {
            return Ok(None);
        };
        let written = set.as_ref().and_then(|(_, raw)| {
            raw.iter()
                .rposition(|(k, _)| k.as_str() == key)
                .map(|j| (j, &raw[j].1))
        });
        parts.push(match written {
            None => Part::Field(slot(fields, key)),
            Some((j, v)) => match simple(v) {
                Some(Simple::Copy(f)) => Part::Field(slot(fields, f)),
                Some(Simple::Flag(f)) => Part::Flag(slot(fields, f)),
                Some(Simple::Const(c)) => Part::Const(spec.key_of_value(i, Some(c))),
                None => Part::Computed(j),
            },
        });
    }
    let names: Vec<String> = fields.clone();
    let nset = set.as_ref().map_or(0, |(_, raw)| raw.len());
    let want = plan.want;
    let cap = want.saturating_mul(2).max(want + 1);
    let by = |a: &Entry<'s>, b: &Entry<'s>| spec.compare_keys(&a.0, &b.0).then(a.1.cmp(&b.1));
    let mut kept: Vec<Entry<'s>> = Vec::new();
    // After a cut, the largest key kept: a later document (a later position) enters only below it.
    let mut bar: Option<Vec<Bson>> = None;
    let mut seen = 0usize;
    let mut largest_entry = 0usize;
    // With evaluated values: the row's fields as a document (moved, not copied) and the values.
    let mut mini = Document::new();
    let mut values: Vec<Option<Bson>> = Vec::new();
    scan.run_raw(vars, &mut |row, raw| {
        let position = seen;
        seen += 1;
        let key: SmallVec<[Cow<'_, Bson>; 4]> = match row {
            Row::Fields(r) => {
                let mut computed_bytes = 0;
                let read = if evaluated.is_empty() {
                    Source::Row(r)
                } else {
                    // Every evaluated value runs (as the general path's `$set` does on every document, so
                    // its errors are the same), on a document holding the row's fields.
                    fill(&mut mini, r);
                    values.clear();
                    if let Some((compiled, _)) = &set {
                        for (j, (_, e)) in compiled.iter().enumerate() {
                            let v = if evaluated.contains(&j) {
                                e.eval(&mini, vars)?
                            } else {
                                None
                            };
                            computed_bytes +=
                                v.as_ref().map_or(0, crate::engine::memory::value_bytes);
                            values.push(v);
                        }
                    }
                    Source::Doc(&mini, &names)
                };
                largest_entry = largest_entry.max(entry_bound(
                    raw.as_bytes().len(),
                    nset + parts.len(),
                    computed_bytes,
                ));
                parts
                    .iter()
                    .enumerate()
                    .map(|(i, p)| match p {
                        Part::Field(s) => match read.get(*s) {
                            None => Cow::Borrowed(&NULL),
                            Some(a @ Bson::Array(_)) => Cow::Owned(spec.key_of_value(i, Some(a))),
                            Some(v) => Cow::Borrowed(v),
                        },
                        Part::Flag(s) => match read.get(*s) {
                            None | Some(Bson::Null | Bson::Undefined) => Cow::Borrowed(&ONE),
                            Some(_) => Cow::Borrowed(&ZERO),
                        },
                        Part::Const(c) => Cow::Borrowed(c),
                        Part::Computed(j) => Cow::Owned(
                            spec.key_of_owned(i, values.get_mut(*j).and_then(Option::take)),
                        ),
                    })
                    .collect()
            }
            Row::Doc(d) => {
                // A document the row reader declined: its key as the general path computes it.
                let start = plan.set_at.unwrap_or(plan.sort_at);
                let out =
                    pipeline.run_range(start, plan.sort_at, vec![d.clone()], catalog, vars)?;
                let key = out.first().map(|d| spec.key(d)).unwrap_or_default();
                largest_entry = largest_entry.max(entry_bound(
                    raw.as_bytes().len(),
                    nset + parts.len(),
                    key.iter().map(crate::engine::memory::value_bytes).sum(),
                ));
                key.into_iter().map(Cow::Owned).collect()
            }
        };
        if let Some(bar) = &bar {
            if spec.compare_parts(key.iter().map(|c| c.as_ref()), bar) != Ordering::Less {
                return Ok(());
            }
        }
        kept.push((
            key.into_iter().map(Cow::into_owned).collect(),
            position,
            raw,
        ));
        if kept.len() >= cap {
            kept.select_nth_unstable_by(want - 1, by);
            kept.truncate(want);
            bar = kept.get(want - 1).map(|e| e.0.clone());
        }
        Ok(())
    })?;
    // Without disk use the general path's top-k fails past the sort limit (292): when the documents it would
    // have held might pass it, it runs instead and decides.
    if !vars.memory.allow_disk_use && largest_entry.saturating_mul(cap) > vars.memory.sort_bytes {
        return Ok(None);
    }
    kept.sort_by(by);
    kept.truncate(want);
    kept.sort_by_key(|e| e.1);
    let mut docs = Vec::with_capacity(kept.len());
    for (_, _, raw) in kept {
        docs.push(crate::engine::bson_decode::try_document(raw).map_err(super::corrupt)?);
    }
    let start = plan.set_at.unwrap_or(plan.sort_at);
    pipeline
        .run_range(start, plan.after, docs, catalog, vars)
        .map(Some)
}

/// Where a row's field values are read: the row itself, or the document they were copied into.
#[derive(Clone, Copy)]
enum Source<'a> {
    Row(&'a FieldValues),
    Doc(&'a Document, &'a [String]),
}

impl<'a> Source<'a> {
    /// The value of the field in slot `s` (`None`: missing).
    fn get(self, s: usize) -> Option<&'a Bson> {
        match self {
            Source::Row(r) => r.get(s),
            Source::Doc(d, names) => names.get(s).and_then(|n| d.get(n)),
        }
    }
}

/// Puts the fields of row `r` into `out` (slot order), reusing the keys and string buffers `out` holds when
/// it has the same fields: the document the evaluated `$set` values read.
fn fill(out: &mut Document, r: &FieldValues) {
    let present = || (0..r.names().len()).filter_map(|i| r.get(i).map(|v| (i, v)));
    let same = out.len() == present().count()
        && out
            .keys()
            .zip(present())
            .all(|(k, (i, _))| *k == r.names()[i]);
    if same {
        for ((_, dst), (_, v)) in out.iter_mut().zip(present()) {
            match (dst, v) {
                (Bson::String(d), Bson::String(s)) => {
                    d.clear();
                    d.push_str(s);
                }
                (d, v) => *d = v.clone(),
            }
        }
    } else {
        out.clear();
        for (i, v) in present() {
            out.insert(r.names()[i].clone(), v.clone());
        }
    }
}

/// The `$set` / `$addFields` stage's fields (as written).
fn set_spec(stage: &Bson) -> Option<Vec<(&String, &Bson)>> {
    let (_, spec) = stage.as_document()?.iter().next()?;
    Some(spec.as_document()?.iter().collect())
}

/// An upper bound of the bytes the general path's top-k counts for one document (its parsed fields, at most
/// 5 bytes per BSON byte with the per-field overhead; the fields the `$set` adds and the key parts, each at
/// most the document or an evaluated value).
fn entry_bound(raw_len: usize, fields: usize, computed: usize) -> usize {
    raw_len
        .saturating_mul(5)
        .saturating_mul(1 + fields)
        .saturating_add(computed.saturating_mul(2))
        .saturating_add(64 * fields + ENTRY_OVERHEAD)
}
