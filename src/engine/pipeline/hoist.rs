//! A `$match` after a `$lookup` that reads none of the fields the join writes runs before it (mongod's
//! `$match` pushdown ahead of `$lookup`): the outer documents it rejects are never joined. The translator's
//! `FULL JOIN ... WHERE s.x IS NULL` filters the joined rows of 10k sessions (1.25M) down to a few. The same
//! after a `$set` / `$addFields` or an `$unwind` (mongod's `$match` swap ahead of them): a `LATERAL
//! generate_series(1, s.n)` (`$set` of the series, `$unwind`) filtered by `WHERE s.n < 3` builds the series
//! of the rows kept only, as PostgreSQL filters `s` before calling the function.
//!
//! Between the first of those stages and the `$match` may stand `$unwind`s, `$lookup`s, `$set`s /
//! `$addFields`, `$match`es and (after a `$lookup` only) `$unionWith`s; a `$match` reading none of the fields they write (the `as`
//! fields, the unwound paths and array indexes, the top-level fields set) gives the same verdict on an
//! outer document as on every document made from it (a computed field's evaluation, which could fail, is
//! then skipped for the documents the `$match` rejects, as mongod skips it). Past a
//! `$unionWith` the `$match` also filters the union's documents, so it is copied before the `$lookup` and
//! kept where it is (mongod pushes it into both branches); otherwise it is moved. A `$match` that may raise
//! an error or is not deterministic (`$expr`, `$where`, `$function`, `$jsonSchema`, `$sampleRate`) stays
//! where it is: an outer document without joined documents would otherwise meet it.
//!
//! In: the stage documents; out: the stage documents to compile. Depends on `fields`.

use bson::{Bson, Document};

/// The stages with every hoistable `$match` moved (or copied) before the `$lookup`, `$set` / `$addFields`
/// or `$unwind` it follows.
pub(super) fn hoist_matches(stages: &[Bson]) -> Vec<Bson> {
    let mut out: Vec<Bson> = stages.to_vec();
    let mut i = 0;
    while i < out.len() {
        if writes(&out[i]).is_none() {
            i += 1;
            continue;
        }
        let from_lookup = stage(&out[i], "$lookup").is_some();
        let mut written: Vec<String> = Vec::new();
        let mut union = false;
        let mut hoisted: Vec<Bson> = Vec::new();
        let mut j = i;
        while j < out.len() {
            let st = &out[j];
            if let Some(w) = writes(st) {
                match w {
                    Some(w) => written.extend(w),
                    None => break,
                }
            } else if stage(st, "$unionWith").is_some() {
                // Copied past a `$unionWith` ahead of a `$lookup` only (once: a later start of the run
                // would copy it again).
                if !from_lookup {
                    break;
                }
                union = true;
            } else if let Some(Bson::Document(m)) = stage(st, "$match") {
                if hoistable(m, &written) {
                    hoisted.push(st.clone());
                    if !union {
                        out.remove(j);
                        continue;
                    }
                }
            } else {
                break;
            }
            j += 1;
        }
        let n = hoisted.len();
        for (k, m) in hoisted.into_iter().enumerate() {
            out.insert(i + k, m);
        }
        // The first stage of the run is at `i + n`; the run after it was scanned.
        i += n + 1;
    }
    out
}

/// The top-level fields `st` writes when it is a `$lookup` (its `as`), an `$unwind` (its path and index
/// field) or a `$set` / `$addFields` (its keys): `Some(None)` for a malformed one (nothing is moved past
/// it), `None` for any other stage.
fn writes(st: &Bson) -> Option<Option<Vec<String>>> {
    if let Some(l) = stage(st, "$lookup") {
        return Some(
            l.as_document()
                .and_then(|l| l.get_str("as").ok())
                .map(|f| vec![top(f)]),
        );
    }
    if let Some(u) = stage(st, "$unwind") {
        return Some(unwind_writes(u));
    }
    let set = stage(st, "$set").or_else(|| stage(st, "$addFields"))?;
    Some(
        set.as_document()
            .map(|d| d.keys().map(|k| top(k)).collect()),
    )
}

/// The argument of `st` when it is the stage `name`.
fn stage<'a>(st: &'a Bson, name: &str) -> Option<&'a Bson> {
    st.as_document()
        .filter(|d| d.len() == 1)
        .and_then(|d| d.get(name))
}

fn top(path: &str) -> String {
    path.split('.').next().unwrap_or(path).to_string()
}

/// The top-level fields an `$unwind` writes (its path, its index field); `None` for a malformed one.
fn unwind_writes(spec: &Bson) -> Option<Vec<String>> {
    let (path, index) = match spec {
        Bson::String(p) => (p.as_str(), None),
        Bson::Document(u) => (u.get_str("path").ok()?, u.get_str("includeArrayIndex").ok()),
        _ => return None,
    };
    let mut w = vec![top(path.strip_prefix('$')?)];
    w.extend(index.map(top));
    Some(w)
}

/// Whether a `$match` filter reads only known top-level fields, none of `written`, and cannot fail or
/// vary.
fn hoistable(filter: &Document, written: &[String]) -> bool {
    if mentions(
        filter,
        &["$expr", "$where", "$function", "$jsonSchema", "$sampleRate"],
    ) {
        return false;
    }
    let mut reads = Vec::new();
    crate::engine::fields::filter_fields(filter, &mut reads)
        && !reads.iter().any(|r| written.iter().any(|w| *w == top(r)))
}

/// Whether a key of `doc` (at any depth, in arrays too) is one of `keys`.
fn mentions(doc: &Document, keys: &[&str]) -> bool {
    fn value(v: &Bson, keys: &[&str]) -> bool {
        match v {
            Bson::Document(d) => mentions(d, keys),
            Bson::Array(items) => items.iter().any(|x| value(x, keys)),
            _ => false,
        }
    }
    doc.iter()
        .any(|(k, v)| keys.contains(&k.as_str()) || value(v, keys))
}

#[cfg(test)]
mod tests {
    use super::hoist_matches;
    use bson::bson;

    #[test]
    fn matches_on_outer_fields_run_before_the_lookup() {
        let lookup =
            bson!({"$lookup": {"from": "c", "localField": "k", "foreignField": "f", "as": "j"}});
        let unwind = bson!({"$unwind": {"path": "$j", "includeArrayIndex": "i"}});
        let outer = bson!({"$match": {"x": null, "$or": [{"y": 1}, {"z.w": {"$gt": 2}}]}});
        let joined = bson!({"$match": {"j.g": 1}});
        let index = bson!({"$match": {"i": 0}});
        let union = bson!({"$unionWith": "c"});
        let project = bson!({"$project": {"x": 1}});
        // Moved.
        assert_eq!(
            hoist_matches(&[
                lookup.clone(),
                unwind.clone(),
                joined.clone(),
                outer.clone(),
                index.clone()
            ]),
            vec![
                outer.clone(),
                lookup.clone(),
                unwind.clone(),
                joined.clone(),
                index
            ]
        );
        // Copied past a `$unionWith`; not past a `$project`.
        assert_eq!(
            hoist_matches(&[
                lookup.clone(),
                unwind.clone(),
                union.clone(),
                outer.clone(),
                project.clone(),
                outer.clone()
            ]),
            vec![
                outer.clone(),
                lookup.clone(),
                unwind.clone(),
                union,
                outer.clone(),
                project,
                outer.clone()
            ]
        );
        // `$expr` (may fail), `$sampleRate` (random), an unknown operator: left.
        for m in [
            bson!({"$match": {"$expr": {"$eq": ["$x", 1]}}}),
            bson!({"$match": {"$and": [{"x": 1}, {"$sampleRate": 0.5}]}}),
            bson!({"$match": {"$where": "true"}}),
        ] {
            let stages = vec![lookup.clone(), m];
            assert_eq!(hoist_matches(&stages), stages);
        }
    }
}
