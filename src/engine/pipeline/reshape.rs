//! Stages that reshape the stream: `$unwind`, `$bucket`, `$sample`, and the field writes of `$addFields`
//! / `$unset` (dotted paths through arrays of documents, as mongod applies them).
//!
//! In: compiled stage arguments and documents; out: documents. Depends on `expr`, `group`, `bson_order`.

use super::group::Group;
use super::want_doc;
use crate::engine::bson_order::compare;
use crate::engine::expr::{Expr, Vars};
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// Sets a dotted path as `$addFields` does: missing or scalar intermediates become documents, arrays of
/// documents get the field in every element.
pub fn set_field(doc: &mut Document, path: &str, value: Bson) {
    match crate::engine::path::split_first(path) {
        None => {
            doc.insert(path, value);
        }
        Some((head, rest)) => {
            let child = doc.get_mut(head);
            match child {
                Some(Bson::Document(d)) => set_field(d, rest, value),
                Some(Bson::Array(items)) => {
                    for it in items.iter_mut() {
                        match it {
                            Bson::Document(d) => set_field(d, rest, value.clone()),
                            other => {
                                let mut d = Document::new();
                                set_field(&mut d, rest, value.clone());
                                *other = Bson::Document(d);
                            }
                        }
                    }
                }
                _ => {
                    let mut d = Document::new();
                    set_field(&mut d, rest, value);
                    doc.insert(head, d);
                }
            }
        }
    }
}

/// [`unset_field`] of each of `paths` in turn. Top-level fields are removed last field first: removing a
/// field shifts every field after it, so the translator's helper fields (`__n0`, `__s0`, ... set after the
/// others and unset together) go without moving any other.
pub fn unset_fields(doc: &mut Document, paths: &[String]) {
    if paths.len() < 2 || paths.iter().any(|p| p.contains('.')) {
        for p in paths {
            unset_field(doc, p);
        }
        return;
    }
    let present: Vec<&String> = paths.iter().filter(|p| doc.contains_key(p)).collect();
    if present.len() < 2 {
        for p in present {
            doc.remove(p);
        }
        return;
    }
    let mut order: Vec<(usize, &String)> = Vec::with_capacity(present.len());
    for (i, k) in doc.keys().enumerate() {
        if let Some(p) = present.iter().find(|p| **p == k) {
            order.push((i, p));
        }
    }
    for (_, p) in order.into_iter().rev() {
        doc.remove(p);
    }
}

/// Removes a dotted path as `$unset` / `$project: {a: 0}` do (through arrays of documents).
pub fn unset_field(doc: &mut Document, path: &str) {
    match crate::engine::path::split_first(path) {
        None => {
            doc.remove(path);
        }
        Some((head, rest)) => match doc.get_mut(head) {
            Some(Bson::Document(d)) => unset_field(d, rest),
            Some(Bson::Array(items)) => {
                for it in items.iter_mut() {
                    if let Bson::Document(d) = it {
                        unset_field(d, rest);
                    }
                }
            }
            _ => {}
        },
    }
}

/// The value at a dotted path for writing, through documents and array indexes as [`path::get`] reads it.
///
/// [`path::get`]: crate::engine::path::get
fn get_mut<'a>(doc: &'a mut Document, path: &str) -> Option<&'a mut Bson> {
    let mut parts = path.split('.');
    let mut cur = doc.get_mut(parts.next()?)?;
    for part in parts {
        cur = match cur {
            Bson::Document(d) => d.get_mut(part)?,
            Bson::Array(a) => {
                let i: usize = part.parse().ok()?;
                a.get_mut(i)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// A compiled `$unwind`.
#[derive(Debug, Clone)]
pub struct Unwind {
    path: String,
    index: Option<String>,
    preserve: bool,
}

impl Unwind {
    /// Compiles `"$path"` or `{path, includeArrayIndex, preserveNullAndEmptyArrays}`.
    pub fn compile(arg: &Bson) -> Result<Unwind, CommandError> {
        let (path, index, preserve) = match arg {
            Bson::String(s) => (s.clone(), None, false),
            Bson::Document(d) => {
                let path = match d.get("path") {
                    Some(Bson::String(s)) => s.clone(),
                    _ => {
                        return Err(CommandError::location(
                            28812,
                            "no path specified to $unwind stage",
                        ))
                    }
                };
                let index = match d.get("includeArrayIndex") {
                    Some(Bson::String(s)) if !s.starts_with('$') => Some(s.clone()),
                    None => None,
                    _ => return Err(CommandError::location(28822, "includeArrayIndex option to $unwind stage should not be prefixed with a '$'")),
                };
                let preserve = match d.get("preserveNullAndEmptyArrays") {
                    Some(Bson::Boolean(b)) => *b,
                    None => false,
                    _ => return Err(CommandError::location(28809, "expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage")),
                };
                (path, index, preserve)
            }
            _ => {
                return Err(CommandError::location(
                    15981,
                    "expected either a string or an object as specification for $unwind stage",
                ))
            }
        };
        let Some(p) = path.strip_prefix('$') else {
            return Err(CommandError::location(
                28818,
                format!("path option to $unwind stage should be prefixed with a '$': {path}"),
            ));
        };
        Ok(Unwind {
            path: p.to_string(),
            index,
            preserve,
        })
    }

    /// When this unwinds exactly the top-level field `field`: its `includeArrayIndex` field and whether it
    /// keeps documents without elements (for `$lookup` + `$unwind` coalescing).
    pub(super) fn plain_on(&self, field: &str) -> Option<(Option<&str>, bool)> {
        (self.path == field).then_some((self.index.as_deref(), self.preserve))
    }

    /// The paths the stage writes: the unwound one and its `includeArrayIndex` field.
    pub(super) fn written(&self) -> Vec<&str> {
        std::iter::once(self.path.as_str())
            .chain(self.index.as_deref())
            .collect()
    }

    /// The top-level field the stage unwinds.
    fn top_field(&self) -> &str {
        self.path.split('.').next().unwrap_or(&self.path)
    }

    /// Runs the stage.
    pub fn run(&self, docs: Vec<Document>) -> Result<Vec<Document>, CommandError> {
        let mut out = Vec::with_capacity(docs.len());
        for mut d in docs {
            // The array is taken out of the document first, so each output copies the rest of the
            // document only (copying the whole array per element made one array's unwind quadratic).
            // Through documents only (no numeric component) the element is written back to the very slot
            // the array was read from; otherwise the whole document is copied as before.
            let direct = !self.path.split('.').any(|p| p.parse::<usize>().is_ok());
            let taken = match get_mut(&mut d, &self.path) {
                Some(v @ Bson::Array(_)) if direct => Some(std::mem::replace(v, Bson::Null)),
                _ => None,
            };
            match taken
                .as_ref()
                .or_else(|| crate::engine::path::get(&d, &self.path))
            {
                Some(Bson::Array(items)) if !items.is_empty() => {
                    let items = match taken {
                        Some(Bson::Array(items)) => items,
                        _ => items.clone(),
                    };
                    for (i, it) in items.into_iter().enumerate() {
                        crate::engine::ops::check()?;
                        let mut nd = d.clone();
                        set_field(&mut nd, &self.path, it);
                        if let Some(ix) = &self.index {
                            set_field(&mut nd, ix, Bson::Int64(i as i64));
                        }
                        out.push(nd);
                    }
                }
                Some(Bson::Array(_)) | Some(Bson::Null) | None => {
                    if self.preserve {
                        let mut nd = d;
                        if taken.is_some()
                            || matches!(
                                crate::engine::path::get(&nd, &self.path),
                                Some(Bson::Array(_))
                            )
                        {
                            // An empty array (taken out: a null in its place) is removed.
                            unset_field(&mut nd, &self.path);
                        }
                        if let Some(ix) = &self.index {
                            set_field(&mut nd, ix, Bson::Null);
                        }
                        out.push(nd);
                    }
                }
                Some(_) => {
                    let mut nd = d;
                    if let Some(ix) = &self.index {
                        set_field(&mut nd, ix, Bson::Null);
                    }
                    out.push(nd);
                }
            }
        }
        Ok(out)
    }
}

/// A compiled `$bucket`.
#[derive(Debug, Clone)]
pub struct Bucket {
    group_by: Expr,
    boundaries: Vec<Bson>,
    default: Option<Bson>,
    group: Group,
}

impl Bucket {
    /// Compiles `{groupBy, boundaries, default, output}`.
    pub fn compile(d: &Document) -> Result<Bucket, CommandError> {
        let group_by = Expr::compile(d.get("groupBy").ok_or_else(|| {
            CommandError::location(
                40198,
                "$bucket requires 'groupBy' and 'boundaries' to be specified.",
            )
        })?)?;
        let boundaries = match d.get("boundaries") {
            Some(Bson::Array(b)) if b.len() >= 2 => b.clone(),
            _ => {
                return Err(CommandError::location(
                    40192,
                    "The $bucket 'boundaries' field must be an array with at least two values",
                ))
            }
        };
        for w in boundaries.windows(2) {
            if compare(&w[0], &w[1]) != Ordering::Less {
                return Err(CommandError::location(
                    40194,
                    "The 'boundaries' option to $bucket must be sorted in ascending order",
                ));
            }
        }
        let default = d.get("default").cloned();
        let mut gspec = bson::doc! {"_id": null};
        match d.get("output") {
            Some(o) => {
                for (k, v) in want_doc(o, "$bucket output")? {
                    gspec.insert(k.clone(), v.clone());
                }
            }
            None => {
                gspec.insert("count", bson::doc! {"$sum": 1});
            }
        }
        Ok(Bucket {
            group_by,
            boundaries,
            default,
            group: Group::compile(&gspec)?,
        })
    }

    /// Runs the stage: buckets in boundary order, the default bucket last.
    pub fn run(&self, docs: Vec<Document>, vars: &Vars) -> Result<Vec<Document>, CommandError> {
        let mut keyed = Vec::with_capacity(docs.len());
        for d in docs {
            crate::engine::ops::check()?;
            let v = self.group_by.eval(&d, vars)?.unwrap_or(Bson::Null);
            let slot = self.boundaries.windows(2).position(|w| {
                compare(&v, &w[0]) != Ordering::Less
                    && compare(&v, &w[1]) == Ordering::Less
                    && crate::engine::bson_order::type_rank(&v)
                        == crate::engine::bson_order::type_rank(&w[0])
            });
            let key = match (slot, &self.default) {
                (Some(i), _) => self.boundaries[i].clone(),
                (None, Some(def)) => def.clone(),
                (None, None) => {
                    return Err(CommandError::location(40066, format!("$switch could not find a matching branch for an input, and no default was specified. (value {v} falls outside the $bucket boundaries)")));
                }
            };
            keyed.push((key, d));
        }
        let mut out = self.group.run_keyed(keyed, vars)?;
        let pos = |d: &Document| {
            let id = d.get("_id").cloned().unwrap_or(Bson::Null);
            self.boundaries
                .iter()
                .position(|b| crate::engine::bson_order::equal(b, &id))
                .unwrap_or(usize::MAX)
        };
        out.sort_by_key(pos);
        Ok(out)
    }
}

/// `$sample`: `n` documents in random order.
pub fn sample(mut docs: Vec<Document>, n: usize) -> Vec<Document> {
    use std::hash::{BuildHasher, Hasher};
    let mut state = std::collections::hash_map::RandomState::new().build_hasher();
    state.write_usize(docs.len());
    let mut seed = state.finish() | 1;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let len = docs.len();
    for i in 0..len.min(n) {
        let j = i + (next() as usize) % (len - i);
        docs.swap(i, j);
    }
    docs.truncate(n);
    docs
}

/// Drops from `d` the top-level fields that are neither in `keep` nor the one `u` unwinds (nor written by
/// it): what a `$project` after the `$unwind` that reads only the fields `keep` cannot see, so that the
/// unwind copies the rest per element only (the kept fields stay in their order).
pub(super) fn keep_top_fields(d: &mut Document, keep: &[String], u: &Unwind) {
    let kept = |f: &str| {
        keep.iter().any(|k| k == f)
            || f == u.top_field()
            || u.index
                .as_deref()
                .is_some_and(|i| i.split('.').next() == Some(f))
    };
    if d.keys().all(|f| kept(f)) {
        return;
    }
    *d = std::mem::take(d)
        .into_iter()
        .filter(|(f, _)| kept(f))
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{bson, doc};
    use proptest::prelude::*;

    impl Unwind {
        /// The old stage, kept as the reference: each output a copy of the whole input document.
        fn run_copying(&self, docs: Vec<Document>) -> Vec<Document> {
            let mut out = Vec::new();
            for d in docs {
                match crate::engine::path::get(&d, &self.path).cloned() {
                    Some(Bson::Array(items)) if !items.is_empty() => {
                        for (i, it) in items.into_iter().enumerate() {
                            let mut nd = d.clone();
                            set_field(&mut nd, &self.path, it);
                            if let Some(ix) = &self.index {
                                set_field(&mut nd, ix, Bson::Int64(i as i64));
                            }
                            out.push(nd);
                        }
                    }
                    Some(Bson::Array(_)) | Some(Bson::Null) | None => {
                        if self.preserve {
                            let mut nd = d;
                            if matches!(
                                crate::engine::path::get(&nd, &self.path),
                                Some(Bson::Array(_))
                            ) {
                                unset_field(&mut nd, &self.path);
                            }
                            if let Some(ix) = &self.index {
                                set_field(&mut nd, ix, Bson::Null);
                            }
                            out.push(nd);
                        }
                    }
                    Some(_) => {
                        let mut nd = d;
                        if let Some(ix) = &self.index {
                            set_field(&mut nd, ix, Bson::Null);
                        }
                        out.push(nd);
                    }
                }
            }
            out
        }
    }

    fn value() -> impl Strategy<Value = Bson> {
        let leaf = prop_oneof![
            (0i32..3).prop_map(Bson::Int32),
            Just(Bson::Null),
            Just(bson!("x")),
        ];
        leaf.prop_recursive(2, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Bson::Array),
                prop::collection::vec((prop_oneof![Just("a"), Just("b")], inner), 0..3).prop_map(
                    |kv| {
                        let mut d = Document::new();
                        for (k, v) in kv {
                            d.insert(k, v);
                        }
                        Bson::Document(d)
                    }
                ),
            ]
        })
    }

    proptest! {
        /// Taking the array out first gives the documents copying the whole input gave.
        #[test]
        fn unwind_is_the_copying_unwind(
            docs in prop::collection::vec(prop::collection::vec((prop_oneof![Just("a"), Just("b"), Just("c")], value()), 0..4), 0..6),
            path in prop_oneof![Just("$a"), Just("$a.b"), Just("$a.0"), Just("$b.a.b")],
            index in prop_oneof![Just(None), Just(Some("i")), Just(Some("a.i"))],
            preserve in any::<bool>(),
        ) {
            let docs: Vec<Document> = docs
                .into_iter()
                .map(|kv| {
                    let mut d = Document::new();
                    for (k, v) in kv {
                        d.insert(k, v);
                    }
                    d
                })
                .collect();
            let mut spec = doc! {"path": path, "preserveNullAndEmptyArrays": preserve};
            if let Some(i) = index {
                spec.insert("includeArrayIndex", i);
            }
            let u = Unwind::compile(&Bson::Document(spec)).expect("compiles");
            prop_assert_eq!(u.run(docs.clone()).expect("runs"), u.run_copying(docs));
        }

        /// Removing the top-level fields last first leaves what removing them in the given order leaves
        /// (field order included).
        #[test]
        fn unset_fields_is_one_unset_after_the_other(
            keys in prop::collection::vec(prop_oneof![Just("a"), Just("b"), Just("__n0"), Just("__s0"), Just("c")], 0..6),
            paths in prop::collection::vec(prop_oneof![Just("a"), Just("__n0"), Just("__s0"), Just("x"), Just("c.d")], 0..4),
        ) {
            let mut d = Document::new();
            for (i, k) in keys.into_iter().enumerate() {
                d.insert(k, if i % 2 == 0 { Bson::Int32(i as i32) } else { Bson::Document(doc! {"d": 1, "e": 2}) });
            }
            let paths: Vec<String> = paths.into_iter().map(String::from).collect();
            let mut one_by_one = d.clone();
            for p in &paths {
                unset_field(&mut one_by_one, p);
            }
            unset_fields(&mut d, &paths);
            prop_assert_eq!(format!("{d:?}"), format!("{one_by_one:?}"));
        }
    }
}
