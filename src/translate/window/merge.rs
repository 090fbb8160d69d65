//! Merging the window stages of several calls: one `$setWindowFields` per partition and sort, not one per call.
//!
//! In: the stages every window call of a SELECT produced one after the other (mod.rs), each call with its own
//! helper fields (`__wN...`): `$set` of its sort key, its `$setWindowFields`, a `$set` computing the result,
//! `$unset` of the helpers. Out: the same results with fewer passes and sorts:
//!
//! 1. every `$unset` of a helper field moves to one `$unset` at the end (helper names are unique, and no stage
//!    between reads the whole document: a plan naming `$$ROOT` / `$$CURRENT` is left as it is);
//! 2. a `$set` field whose expression reads only the input document (no field an earlier window stage
//!    wrote) and equals an earlier such field is dropped, and later stages read the earlier field instead
//!    (calls with the same ORDER BY share one sort key);
//! 3. a `$setWindowFields` with the same `partitionBy` and `sortBy` as an earlier one joins its `output`
//!    when nothing it reads is written in between (by that earlier stage included) and nothing in between
//!    reads what it writes. The fields of one `$setWindowFields` are computed from its input documents,
//!    each with its own `window`, so different frames share the stage; a call whose stage reads another
//!    stage's result (the peer-group number of a RANGE frame, the rank of mixed directions) stays after it.
//!
//! Depends on mql's [`Stage`] only; field reads are found by walking the expressions (`"$f"`, `"$f.g"`).

use crate::mql::stage::Stage;
use bson::{Bson, Document};
use std::collections::HashSet;

/// The window stages of all calls, merged (see the module doc). Any stage other than `$set`, `$unset` and
/// `$setWindowFields`, or a read of the whole document, leaves the stages as they are.
pub(super) fn merge_window_stages(stages: Vec<Stage>) -> Vec<Stage> {
    let mergeable = stages.iter().all(|s| match s {
        Stage::Set(d) | Stage::SetWindowFields(d) => {
            !reads_whole_document(&Bson::Document(d.clone()))
        }
        Stage::Unset(_) | Stage::UnsetField(_) => true,
        _ => false,
    });
    if !mergeable {
        return stages;
    }
    let original = stages.clone();
    // 1. Helpers unset once, at the end.
    let mut unset: Vec<String> = Vec::new();
    let mut kept: Vec<Stage> = Vec::new();
    for s in stages {
        match s {
            Stage::UnsetField(f) => push_new(&mut unset, f),
            Stage::Unset(fs) => fs.into_iter().for_each(|f| push_new(&mut unset, f)),
            other => kept.push(other),
        }
    }
    // 2. Equal sort keys computed once.
    let Some(kept) = share_equal_sets(kept) else {
        return original;
    };
    // 3. Window stages over the same partition and sort merged.
    let mut out: Vec<Stage> = Vec::new();
    for s in kept {
        match s {
            Stage::SetWindowFields(spec) => {
                if let Some(j) = merge_target(&out, &spec) {
                    if let (Stage::SetWindowFields(target), Some(Bson::Document(add))) =
                        (&mut out[j], spec.get("output"))
                    {
                        if let Ok(o) = target.get_document_mut("output") {
                            o.extend(add.clone());
                            continue;
                        }
                    }
                }
                out.push(Stage::SetWindowFields(spec));
            }
            other => out.push(other),
        }
    }
    // Only what some stage still writes (a shared key's other names are gone).
    let written: HashSet<String> = out.iter().flat_map(writes).collect();
    unset.retain(|f| written.contains(f));
    match unset.len() {
        0 => {}
        1 => out.push(Stage::UnsetField(unset.remove(0))),
        _ => out.push(Stage::Unset(unset)),
    }
    out
}

fn push_new(v: &mut Vec<String>, f: String) {
    if !v.contains(&f) {
        v.push(f);
    }
}

/// Drops each `$set` field equal to an earlier one that reads only the input document, renaming its reads.
/// `None` when a field such an earlier one set is written again (never in the window plans; not renamed).
fn share_equal_sets(stages: Vec<Stage>) -> Option<Vec<Stage>> {
    let mut written: HashSet<String> = HashSet::new();
    // (expression, field) of the `$set` fields that read only the input document.
    let mut canonical: Vec<(Bson, String)> = Vec::new();
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for mut s in stages {
        for (from, to) in &renames {
            rename_in_stage(&mut s, from, to);
        }
        if let Stage::Set(d) = s {
            // A field read by another field of its own `$set` reads the input's value: left alone.
            let siblings = d.iter().any(|(k, _)| {
                d.iter()
                    .any(|(o, v)| o != k && field_reads(v).contains(k.as_str()))
            });
            if siblings {
                return None;
            }
            let mut keep = Document::new();
            for (k, v) in d {
                if canonical.iter().any(|(_, n)| *n == k) || renames.iter().any(|(f, _)| *f == k) {
                    return None;
                }
                let reads = field_reads(&v);
                if reads.iter().all(|r| !written.contains(r)) {
                    if let Some((_, to)) = canonical.iter().find(|(e, _)| *e == v) {
                        renames.push((k, to.clone()));
                        continue;
                    }
                    canonical.push((v.clone(), k.clone()));
                }
                written.insert(k.clone());
                keep.insert(k, v);
            }
            if !keep.is_empty() {
                out.push(Stage::Set(keep));
            }
        } else {
            for w in writes(&s) {
                if canonical.iter().any(|(_, n)| *n == w) || renames.iter().any(|(f, _)| *f == w) {
                    return None;
                }
                written.insert(w);
            }
            out.push(s);
        }
    }
    Some(out)
}

/// The earlier `$setWindowFields` of `out` that `spec` can join, if any.
fn merge_target(out: &[Stage], spec: &Document) -> Option<usize> {
    let reads = window_reads(spec);
    let own = output_fields(spec);
    for j in (0..out.len()).rev() {
        let s = &out[j];
        if let Stage::SetWindowFields(t) = s {
            if t.get("partitionBy") == spec.get("partitionBy")
                && t.get("sortBy") == spec.get("sortBy")
                && output_fields(t).iter().all(|f| !own.contains(f))
                && writes(s).iter().all(|w| !reads.contains(w))
            {
                return Some(j);
            }
        }
        // Moving `spec` before `s`: `s` must not write what it reads, nor read what it writes.
        if writes(s).iter().any(|w| reads.contains(w))
            || stage_reads(s).iter().any(|r| own.contains(r))
        {
            return None;
        }
    }
    None
}

/// The fields a stage writes.
fn writes(s: &Stage) -> Vec<String> {
    match s {
        Stage::Set(d) => d.keys().cloned().collect(),
        Stage::SetWindowFields(d) => output_fields(d),
        _ => Vec::new(),
    }
}

/// The fields a stage reads (top-level names).
fn stage_reads(s: &Stage) -> HashSet<String> {
    match s {
        Stage::Set(d) => field_reads(&Bson::Document(d.clone())),
        Stage::SetWindowFields(d) => window_reads(d),
        _ => HashSet::new(),
    }
}

fn output_fields(spec: &Document) -> Vec<String> {
    match spec.get("output") {
        Some(Bson::Document(o)) => o.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// What a `$setWindowFields` reads: its partition and output expressions and its sort fields.
fn window_reads(spec: &Document) -> HashSet<String> {
    let mut r = HashSet::new();
    for (k, v) in spec {
        if k == "sortBy" {
            if let Bson::Document(d) = v {
                r.extend(d.keys().map(|f| top(f).to_string()));
            }
        } else {
            r.extend(field_reads(v));
        }
    }
    r
}

pub(super) fn top(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// The top-level fields an expression reads: every `"$f..."` string (variables `$$v` are not fields).
pub(super) fn field_reads(v: &Bson) -> HashSet<String> {
    let mut out = HashSet::new();
    walk(v, &mut |s| {
        if let Some(path) = s.strip_prefix('$') {
            if !path.starts_with('$') {
                out.insert(top(path).to_string());
            }
        }
    });
    out
}

fn walk(v: &Bson, f: &mut impl FnMut(&str)) {
    match v {
        Bson::String(s) => f(s),
        Bson::Array(a) => a.iter().for_each(|x| walk(x, f)),
        Bson::Document(d) => d.values().for_each(|x| walk(x, f)),
        _ => {}
    }
}

/// `$$ROOT` / `$$CURRENT` anywhere: the whole document is read, so helper fields must go when they did.
pub(super) fn reads_whole_document(v: &Bson) -> bool {
    let mut found = false;
    walk(v, &mut |s| {
        let var = s
            .strip_prefix('$')
            .and_then(|r| r.strip_prefix('$'))
            .unwrap_or_default();
        if top(var) == "ROOT" || top(var) == "CURRENT" {
            found = true;
        }
    });
    found
}

/// Reads of field `from` read `to` instead: `"$from"`, `"$from.x"` and sort keys `from` / `from.x`.
fn rename_in_stage(s: &mut Stage, from: &str, to: &str) {
    match s {
        Stage::Set(d) => d.iter_mut().for_each(|(_, v)| rename(v, from, to)),
        Stage::SetWindowFields(d) => {
            for (k, v) in d.iter_mut() {
                if k == "sortBy" {
                    if let Bson::Document(sort) = v {
                        *sort = sort
                            .iter()
                            .map(|(f, dir)| (renamed_path(f, from, to), dir.clone()))
                            .collect();
                    }
                } else {
                    rename(v, from, to);
                }
            }
        }
        _ => {}
    }
}

fn renamed_path(path: &str, from: &str, to: &str) -> String {
    match path.strip_prefix(from) {
        Some("") => to.to_string(),
        Some(rest) if rest.starts_with('.') => format!("{to}{rest}"),
        _ => path.to_string(),
    }
}

fn rename(v: &mut Bson, from: &str, to: &str) {
    match v {
        Bson::String(s) => {
            if let Some(path) = s.strip_prefix('$') {
                if !path.starts_with('$') {
                    let r = renamed_path(path, from, to);
                    if r != path {
                        let mut t = String::with_capacity(r.len() + 1);
                        t.push('$');
                        t.push_str(&r);
                        *s = t;
                    }
                }
            }
        }
        Bson::Array(a) => a.iter_mut().for_each(|x| rename(x, from, to)),
        Bson::Document(d) => d.iter_mut().for_each(|(_, x)| rename(x, from, to)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn swf(sort: &str, out: &str, expr: Bson) -> Stage {
        Stage::SetWindowFields(
            doc! {"partitionBy": "$u", "sortBy": {sort: 1}, "output": {out: expr}},
        )
    }

    #[test]
    fn equal_keys_share_one_stage() {
        let stages = vec![
            Stage::Set(doc! {"k0": "$s"}),
            swf("k0", "w0", Bson::Document(doc! {"$documentNumber": {}})),
            Stage::UnsetField("k0".into()),
            Stage::Set(doc! {"k1": "$s"}),
            swf("k1", "d1", Bson::Document(doc! {"$denseRank": {}})),
            swf("d1", "w1", Bson::Document(doc! {"$sum": "$x"})),
            Stage::Set(doc! {"w1": {"$cond": ["$c1", "$w1", null]}}),
            Stage::Unset(vec!["d1".into(), "k1".into()]),
            Stage::Set(doc! {"k2": "$s"}),
            swf("k2", "w2", Bson::Document(doc! {"$sum": 1})),
        ];
        let got = merge_window_stages(stages);
        assert_eq!(
            got,
            vec![
                Stage::Set(doc! {"k0": "$s"}),
                Stage::SetWindowFields(doc! {"partitionBy": "$u", "sortBy": {"k0": 1}, "output": {
                "w0": {"$documentNumber": {}}, "d1": {"$denseRank": {}}, "w2": {"$sum": 1}}}),
                swf("d1", "w1", Bson::Document(doc! {"$sum": "$x"})),
                Stage::Set(doc! {"w1": {"$cond": ["$c1", "$w1", null]}}),
                Stage::Unset(vec!["k0".into(), "d1".into()]),
            ]
        );
    }

    #[test]
    fn a_stage_reading_an_earlier_result_stays_after_it() {
        // The second stage sorts on the same field but reads w0 (written by the first): not merged.
        let stages = vec![
            swf("k", "w0", Bson::Document(doc! {"$sum": 1})),
            swf("k", "w1", Bson::Document(doc! {"$sum": "$w0"})),
        ];
        assert_eq!(merge_window_stages(stages.clone()), stages);
    }

    #[test]
    fn a_key_reading_a_window_result_is_not_shared() {
        let stages = vec![
            Stage::Set(doc! {"a": "$s"}),
            swf("a", "w0", Bson::Document(doc! {"$sum": 1})),
            Stage::Set(doc! {"b": "$w0"}),
            Stage::Set(doc! {"c": "$w0"}),
        ];
        assert_eq!(merge_window_stages(stages.clone()), stages);
    }

    #[test]
    fn whole_document_reads_leave_the_plan() {
        let stages = vec![
            Stage::Set(doc! {"k0": "$s"}),
            Stage::UnsetField("k0".into()),
            Stage::Set(doc! {"k1": "$s"}),
            swf("k1", "w", Bson::Document(doc! {"$push": "$$ROOT"})),
        ];
        assert_eq!(merge_window_stages(stages.clone()), stages);
    }
}
