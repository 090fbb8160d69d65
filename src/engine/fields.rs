//! Which top-level fields a query filter or an aggregation expression reads, so that a scan parses only those
//! fields of each stored document (projection pushdown over the BSON bytes of [`storage`](super::storage)).
//!
//! In: a filter document or an expression / stage specification; out: the top-level field names it may read,
//! or `false` when it may read any field (`$$ROOT`, `$$CURRENT`, `$getField`, operators whose arguments name
//! fields without a `$`, unknown query operators). Over-approximating is always safe; missing a field is not,
//! so every doubtful form answers "any field". Depends on `bson` only.

pub use super::field_values::FieldValues;
use bson::{Bson, Document};

/// Adds the top-level fields `filter` (query language) reads to `out`; `false` when it may read any field.
pub fn filter_fields(filter: &Document, out: &mut Vec<String>) -> bool {
    filter_reads(filter, &mut Reads { out, full: false })
}

/// [`filter_fields`] with whole dotted paths (`a.b.c`), as [`pipeline_paths`] gives them.
pub fn filter_paths(filter: &Document, out: &mut Vec<String>) -> bool {
    filter_reads(filter, &mut Reads { out, full: true })
}

fn filter_reads(filter: &Document, out: &mut Reads<'_>) -> bool {
    for (k, v) in filter {
        match k.as_str() {
            "$and" | "$or" | "$nor" => {
                let Bson::Array(items) = v else { return false };
                for item in items {
                    let Bson::Document(d) = item else {
                        return false;
                    };
                    if !filter_reads(d, out) {
                        return false;
                    }
                }
            }
            "$expr" => {
                if !expr_reads(v, out) {
                    return false;
                }
            }
            "$comment" => {}
            other if other.starts_with('$') => return false,
            path => out.push(path),
        }
    }
    true
}

/// Adds the top-level fields an aggregation expression (or a stage specification made of expressions, such
/// as a `$group` document) reads to `out`; `false` when it may read any field.
pub fn expr_fields(spec: &Bson, out: &mut Vec<String>) -> bool {
    expr_reads(spec, &mut Reads { out, full: false })
}

fn expr_reads(spec: &Bson, out: &mut Reads<'_>) -> bool {
    match spec {
        Bson::String(s) => {
            if let Some(var) = s.strip_prefix("$$") {
                let name = var.split('.').next().unwrap_or(var);
                !matches!(name, "ROOT" | "CURRENT")
            } else if let Some(path) = s.strip_prefix('$') {
                out.push(path);
                true
            } else {
                true
            }
        }
        Bson::Array(items) => items.iter().all(|i| expr_reads(i, out)),
        Bson::Document(d) => {
            for (k, v) in d {
                match k.as_str() {
                    "$literal" => {}
                    // With an `input`, these read what their arguments read (the field name is a string
                    // or an expression); without one, they read the current document.
                    "$getField" | "$setField" | "$unsetField"
                        if v.as_document().is_some_and(|a| a.contains_key("input")) =>
                    {
                        if !expr_reads(v, out) {
                            return false;
                        }
                    }
                    // These read fields named by plain strings (or a sort specification's keys).
                    "$getField" | "$setField" | "$unsetField" | "$top" | "$bottom" | "$topN"
                    | "$bottomN" | "$function" | "$accumulator" => return false,
                    _ => {
                        if !expr_reads(v, out) {
                            return false;
                        }
                    }
                }
            }
            true
        }
        _ => true,
    }
}

/// Adds the top-level fields a `$project` stage specification reads to `out` (`_id` unless excluded, the
/// included paths' first names, the fields its computed values read); `false` when it may read any field (an
/// exclusion projection keeps every other field, `$$ROOT`, ...).
pub fn projection_fields(spec: &Document, out: &mut Vec<String>) -> bool {
    projection_reads(spec, &mut Reads { out, full: false })
}

fn projection_reads(spec: &Document, out: &mut Reads<'_>) -> bool {
    let mut id = true;
    for (k, v) in spec {
        let top = k.split('.').next().unwrap_or(k);
        let flag = match v {
            Bson::Boolean(b) => Some(*b),
            Bson::Int32(n) => Some(*n != 0),
            Bson::Int64(n) => Some(*n != 0),
            Bson::Double(x) => Some(*x != 0.0),
            Bson::Decimal128(_) => return false,
            _ => None,
        };
        match flag {
            Some(false) if k == "_id" => id = false,
            Some(false) => return false,
            Some(true) => out.push(k),
            None => {
                // A computed value, or a nested projection (`{a: {b: 1}}`): its reads, and the field itself
                // for a nested or dotted one (arrays on the way are walked).
                let nested = matches!(v, Bson::Document(d) if d.keys().next().is_some_and(|f| !f.starts_with('$')));
                if nested || k.contains('.') {
                    out.push(top);
                }
                if !expr_reads(v, out) {
                    return false;
                }
            }
        }
    }
    if id {
        out.push("_id");
    }
    true
}

/// Adds the top-level fields of the input documents that a run of pipeline stages reads to `out`, up to
/// the first stage whose output is made only of what it read (an inclusion `$project`, `$group`, `$count`);
/// `false` when the stages may read any field, or no such stage ends them (the documents then leave the
/// pipeline whole). A `$lookup` reads its `localField` and what its `let` expressions read from the input
/// document (its sub-pipeline reads the foreign documents); the fields stages add are listed too, which is
/// harmless.
pub fn pipeline_fields(stages: &[Bson], out: &mut Vec<String>) -> bool {
    pipeline_reads(stages, &mut Reads { out, full: false })
}

/// [`pipeline_fields`] with whole dotted paths (`a.b.c`) instead of their top-level names: a path read means
/// the value at it (and under it) is read; a prefix of a path listed is not read as a whole unless listed
/// itself.
pub fn pipeline_paths(stages: &[Bson], out: &mut Vec<String>) -> bool {
    pipeline_reads(stages, &mut Reads { out, full: true })
}

fn pipeline_reads(stages: &[Bson], out: &mut Reads<'_>) -> bool {
    for (i, stage) in stages.iter().enumerate() {
        let Some(stage) = stage.as_document().filter(|d| d.len() == 1) else {
            return false;
        };
        let Some((name, spec)) = stage.iter().next() else {
            return false;
        };
        match (name.as_str(), spec) {
            ("$project", Bson::Document(p)) => return projection_reads(p, out),
            // The translator's DISTINCT ON: a `$group` keeping one input document per key
            // (`{__row: {$first: "$$ROOT"}}`) whose `$replaceRoot` makes it the document again: the key and
            // what the stages after read.
            ("$group", Bson::Document(g)) if row_group(g, stages.get(i + 1)) => {
                return g.get("_id").is_some_and(|k| expr_reads(k, out))
                    && pipeline_reads(&stages[i + 2..], out);
            }
            ("$group", g @ Bson::Document(_)) => return expr_reads(g, out),
            // The translator's RIGHT JOIN: the input document nested whole under a name beside the joined
            // one's fields; what the stages after read under that name is read from the input.
            ("$replaceRoot" | "$replaceWith", spec) => {
                return nested_root_reads(name, spec, &stages[i + 1..], out)
            }
            ("$count", _) => return true,
            ("$match", Bson::Document(f)) => {
                if !filter_reads(f, out) {
                    return false;
                }
            }
            ("$addFields" | "$set", a @ Bson::Document(_)) => {
                if !expr_reads(a, out) {
                    return false;
                }
            }
            // `$unionWith` reads nothing of the input documents (it adds others after them).
            ("$unset", Bson::String(_) | Bson::Array(_))
            | ("$limit" | "$skip", _)
            | ("$unionWith", _) => {}
            ("$sort", Bson::Document(keys)) => {
                for (k, v) in keys {
                    if !matches!(v, Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_)) {
                        return false;
                    }
                    out.push(k);
                }
            }
            ("$setWindowFields", Bson::Document(w)) => {
                if !window_reads(w, out) {
                    return false;
                }
            }
            ("$unwind", Bson::String(path)) => match path.strip_prefix('$') {
                Some(p) => out.push(p),
                None => return false,
            },
            ("$unwind", Bson::Document(u)) => match u.get("path") {
                Some(Bson::String(path)) if path.starts_with('$') => out.push(&path[1..]),
                _ => return false,
            },
            ("$lookup", Bson::Document(l)) => {
                if let Some(local) = l.get("localField") {
                    match local {
                        Bson::String(p) => out.push(p),
                        _ => return false,
                    }
                }
                match l.get("let") {
                    None => {}
                    Some(Bson::Document(lets)) => {
                        for (_, e) in lets {
                            if !expr_reads(e, out) {
                                return false;
                            }
                        }
                    }
                    Some(_) => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

/// The reads of `$replaceRoot: {newRoot: e}` / `$replaceWith: e` where `e` is `{$mergeObjects: ["$a", ...,
/// {n: "$$ROOT"}]}` (top-level fields, then the input document under `n`, last so that it wins), and of the
/// stages after it (`rest`): every merged field whole, and for each path `n.p` the stages after read, `p`;
/// `false` for any other shape, when `rest` may read any field, or reads `n` whole.
fn nested_root_reads(stage: &str, spec: &Bson, rest: &[Bson], out: &mut Reads<'_>) -> bool {
    let root = match (stage, spec) {
        ("$replaceRoot", Bson::Document(r)) if r.len() == 1 => r.get("newRoot"),
        ("$replaceWith", e) => Some(e),
        _ => None,
    };
    let Some(Bson::Document(e)) = root else {
        return false;
    };
    let Some(Bson::Array(args)) = e.get("$mergeObjects").filter(|_| e.len() == 1) else {
        return false;
    };
    let Some((Bson::Document(last), fields)) = args.split_last() else {
        return false;
    };
    let nested = match last.iter().next() {
        Some((n, Bson::String(r))) if last.len() == 1 && r == "$$ROOT" => n,
        _ => return false,
    };
    if nested.is_empty() || nested.contains('.') || nested.starts_with('$') {
        return false;
    }
    let mut merged = Vec::new();
    for f in fields {
        match f.as_str().and_then(|p| p.strip_prefix('$')) {
            Some(p) if !p.is_empty() && !p.contains('.') && !p.starts_with('$') => merged.push(p),
            _ => return false,
        }
    }
    let mut later = Vec::new();
    if !pipeline_reads(
        rest,
        &mut Reads {
            out: &mut later,
            full: true,
        },
    ) {
        return false;
    }
    for p in &later {
        if p == nested {
            return false;
        }
        if let Some(inner) = p
            .strip_prefix(nested.as_str())
            .and_then(|r| r.strip_prefix('.'))
        {
            out.push(inner);
        }
    }
    for f in merged {
        out.push(f);
    }
    true
}

/// Whether `$group: g` keeps whole input documents only (every field but `_id` is `{$first | $last:
/// "$$ROOT"}`) and `next` is the `$replaceRoot` / `$replaceWith` that makes one of them the document: the
/// stage's outputs are then input documents, and read what they are read for after it.
fn row_group(g: &Document, next: Option<&Bson>) -> bool {
    let Some(next) = next.and_then(Bson::as_document).filter(|d| d.len() == 1) else {
        return false;
    };
    let root = match (next.get("$replaceRoot"), next.get("$replaceWith")) {
        (Some(Bson::Document(r)), None) if r.len() == 1 => r.get("newRoot"),
        (None, Some(w)) => Some(w),
        _ => None,
    };
    let Some(row) = root
        .and_then(Bson::as_str)
        .and_then(|r| r.strip_prefix('$'))
    else {
        return false;
    };
    let keeps_root = |v: &Bson| {
        v.as_document().is_some_and(|a| {
            a.len() == 1
                && matches!(a.iter().next(), Some((op, Bson::String(r)))
                    if (op == "$first" || op == "$last") && r == "$$ROOT")
        })
    };
    !row.starts_with('$')
        && g.get(row).is_some_and(keeps_root)
        && g.iter().all(|(k, v)| k == "_id" || keeps_root(v))
}

/// Adds the top-level fields a `$setWindowFields` specification reads to `out` (its `partitionBy`, its
/// `sortBy` keys, what its outputs' arguments read); `false` when it may read any field (an unknown option, a
/// sort on something other than a direction, an output operator that names fields by plain strings).
fn window_reads(spec: &Document, out: &mut Reads<'_>) -> bool {
    for (k, v) in spec {
        match (k.as_str(), v) {
            ("partitionBy", e) => {
                if !expr_reads(e, out) {
                    return false;
                }
            }
            ("sortBy", Bson::Document(keys)) => {
                for (key, dir) in keys {
                    if !matches!(dir, Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_)) {
                        return false;
                    }
                    out.push(key);
                }
            }
            // Each output is `{$op: arg[, window: {documents | range: [bounds], unit}]}`: the bounds and
            // the unit are constants, which read nothing.
            ("output", Bson::Document(outputs)) => {
                for (_, o) in outputs {
                    if !matches!(o, Bson::Document(_)) || !expr_reads(o, out) {
                        return false;
                    }
                }
            }
            _ => return false,
        }
    }
    true
}

/// Where the readers above list what they read: top-level names, or (`full`) whole dotted paths.
struct Reads<'a> {
    out: &'a mut Vec<String>,
    full: bool,
}

impl Reads<'_> {
    fn push(&mut self, path: &str) {
        let name = if self.full {
            path
        } else {
            path.split('.').next().unwrap_or(path)
        };
        if !self.out.iter().any(|f| f == name) {
            self.out.push(name.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{bson, doc};

    /// The translator's RIGHT JOIN: the input document nested whole under `__j1` beside the joined
    /// document's fields; the reads under `__j1` are the input's, the merged field is read whole.
    #[test]
    fn a_nested_root_reads_what_is_read_under_its_name() {
        let paths = |stages: Vec<Bson>| {
            let mut f = Vec::new();
            pipeline_paths(&stages, &mut f).then_some(f)
        };
        let v = |names: &[&str]| Some(names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let right_join = |tail: Vec<Bson>| {
            let mut p = vec![
                bson!({"$lookup": {"from": "d", "let": {"l0": "$k"}, "pipeline": [], "as": "__r"}}),
                bson!({"$unwind": {"path": "$__r", "preserveNullAndEmptyArrays": true}}),
                bson!({"$replaceRoot": {"newRoot": {"$mergeObjects": ["$__r", {"__j1": "$$ROOT"}]}}}),
                bson!({"$unset": "__j1.__r"}),
            ];
            p.extend(tail);
            p
        };
        let select =
            bson!({"$project": {"_id": 0, "c0": "$__j1.s.t", "c1": "$iv", "c2": "$__j1.k"}});
        assert_eq!(
            paths(right_join(vec![select.clone()])),
            v(&["k", "__r", "s.t"])
        );
        let mut top = Vec::new();
        assert!(pipeline_fields(&right_join(vec![select.clone()]), &mut top));
        assert_eq!(top, vec!["k", "__r", "s"]);
        // `$replaceWith` is the same stage.
        let with = vec![
            bson!({"$replaceWith": {"$mergeObjects": ["$a", "$b", {"r": "$$ROOT"}]}}),
            bson!({"$project": {"_id": 0, "x": "$r.x", "y": "$y"}}),
        ];
        assert_eq!(paths(with), v(&["x", "a", "b"]));
        // The nested document read whole, no closing stage, other shapes: any field.
        assert_eq!(
            paths(right_join(vec![
                bson!({"$project": {"_id": 0, "w": "$__j1"}})
            ])),
            None
        );
        assert_eq!(
            paths(right_join(vec![bson!({"$project": {"__j1": 1}})])),
            None
        );
        assert_eq!(paths(right_join(vec![])), None);
        for other in [
            bson!({"$replaceRoot": {"newRoot": {"$mergeObjects": [{"r": "$$ROOT"}, "$a"]}}}),
            bson!({"$replaceRoot": {"newRoot": {"$mergeObjects": ["$a.b", {"r": "$$ROOT"}]}}}),
            bson!({"$replaceRoot": {"newRoot": {"$mergeObjects": ["$a", {"r": "$$ROOT", "s": 1}]}}}),
            bson!({"$replaceRoot": {"newRoot": {"$mergeObjects": ["$a", {"r.s": "$$ROOT"}]}}}),
            bson!({"$replaceRoot": {"newRoot": {"$mergeObjects": ["$a", {"r": "$$CURRENT"}]}}}),
            bson!({"$replaceRoot": {"newRoot": "$a"}}),
        ] {
            assert_eq!(paths(vec![other.clone(), select.clone()]), None, "{other}");
        }
    }

    #[test]
    fn pipelines_name_the_fields_they_read_up_to_a_closing_stage() {
        let reads = |stages: Vec<Bson>| {
            let mut f = Vec::new();
            pipeline_fields(&stages, &mut f).then_some(f)
        };
        let v = |names: &[&str]| Some(names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        // The translator's correlated EXISTS: the lookup's local field and `let`, the `$match` on the
        // joined array, the select list.
        let exists = vec![
            bson!({"$lookup": {"from": "o", "localField": "u.x", "foreignField": "u", "let": {"o0": "$u", "o1": "$s"},
                "pipeline": [{"$match": {"$expr": {"$eq": ["$$ROOT", "$$o0"]}}}], "as": "__sq0"}}),
            bson!({"$match": {"$expr": {"$gt": [{"$size": "$__sq0"}, 0]}}}),
            bson!({"$sort": {"t": 1}}),
            bson!({"$limit": 3}),
            bson!({"$project": {"_id": 0, "c0": "$s"}}),
            bson!({"$unwind": "$$ROOT"}),
        ];
        assert_eq!(reads(exists), v(&["u", "s", "__sq0", "t"]));
        assert_eq!(
            reads(vec![
                bson!({"$set": {"a": "$b"}}),
                bson!({"$unwind": "$c"}),
                bson!({"$group": {"_id": "$a", "n": {"$sum": "$d"}}}),
            ]),
            v(&["b", "c", "a", "d"])
        );
        assert_eq!(reads(vec![bson!({"$count": "n"})]), v(&[]));
        // No closing stage: the documents leave whole. Unknown stages and whole-document reads: any field.
        assert_eq!(reads(vec![bson!({"$match": {"a": 1}})]), None);
        assert_eq!(
            reads(vec![
                bson!({"$replaceRoot": {"newRoot": "$$ROOT"}}),
                bson!({"$project": {"a": 1}})
            ]),
            None
        );
        assert_eq!(
            reads(vec![
                bson!({"$lookup": {"from": "o", "let": {"r": "$$ROOT"}, "pipeline": [], "as": "j"}}),
                bson!({"$project": {"a": 1}})
            ]),
            None
        );
        assert_eq!(
            reads(vec![
                bson!({"$skip": 1}),
                bson!({"$unset": "z"}),
                bson!({"$project": {"a": 1}})
            ]),
            v(&["a", "_id"])
        );
        // The translator's window functions: the partition, the sort keys, the outputs' arguments.
        assert_eq!(
            reads(vec![
                bson!({"$set": {"__w0k": 0}}),
                bson!({"$setWindowFields": {"partitionBy": {"p0": {"$ifNull": ["$u", null]}},
                    "sortBy": {"__w0k": 1, "t.x": -1},
                    "output": {"__w0": {"$sum": "$n", "window": {"documents": ["unbounded", "current"]}},
                        "__w1": {"$shift": {"output": "$s", "by": -1, "default": "$d"}}, "__w2": {"$rank": {}}}}}),
                bson!({"$unset": "__w0k"}),
                bson!({"$project": {"_id": 0, "c0": "$__w0", "c1": "$k"}}),
            ]),
            v(&["u", "__w0k", "t", "n", "s", "d", "__w0", "k"])
        );
        for window in [
            bson!({"partitionBy": "$$ROOT", "output": {"w": {"$sum": 1}}}),
            bson!({"sortBy": {"s": {"$meta": "textScore"}}, "output": {"w": {"$sum": 1}}}),
            bson!({"output": {"w": {"$top": {"sortBy": {"s": 1}, "output": "$a"}}}}),
            bson!({"output": {"w": 1}}),
            bson!({"output": {"w": {"$sum": 1}}, "other": 1}),
        ] {
            assert_eq!(
                reads(vec![
                    bson!({"$setWindowFields": window}),
                    bson!({"$project": {"a": 1}})
                ]),
                None
            );
        }
        assert_eq!(
            reads(vec![
                bson!({"$sort": {"s": {"$meta": "textScore"}}}),
                bson!({"$project": {"a": 1}})
            ]),
            None
        );
    }

    #[test]
    fn projections_name_the_fields_they_read() {
        let reads = |spec: Document| {
            let mut f = Vec::new();
            projection_fields(&spec, &mut f).then_some(f)
        };
        let v = |names: &[&str]| Some(names.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            reads(
                doc! {"_id": 0, "c0": "$session_id", "n": {"$cond": [{"$eq": [{"$ifNull": ["$k", null]}, null]}, 1, 0]}}
            ),
            v(&["session_id", "k"])
        );
        assert_eq!(reads(doc! {"a": 1, "b.c": true}), v(&["a", "b", "_id"]));
        assert_eq!(
            reads(doc! {"x": {"y": 1, "z": "$w"}}),
            v(&["x", "w", "_id"])
        );
        assert_eq!(reads(doc! {"x.y": "$w"}), v(&["x", "w", "_id"]));
        assert_eq!(
            reads(doc! {"_id": "$a", "l": {"$literal": "$b"}}),
            v(&["a", "_id"])
        );
        // Exclusions keep every other field; $$ROOT reads all of it.
        assert_eq!(reads(doc! {"a": 0}), None);
        assert_eq!(reads(doc! {"_id": 0, "r": "$$ROOT"}), None);
        assert_eq!(reads(doc! {"_id": 0, "g": {"$getField": "a"}}), None);
    }

    #[test]
    fn filters_name_their_top_level_fields() {
        let mut f = Vec::new();
        assert!(filter_fields(
            &doc! {"a.b": 1, "$or": [{"c": {"$gt": 1}}, {"$expr": {"$eq": ["$d.e", "$$NOW"]}}]},
            &mut f
        ));
        assert_eq!(f, ["a", "c", "d"]);
        assert!(!filter_fields(&doc! {"$where": "true"}, &mut Vec::new()));
        assert!(!filter_fields(
            &doc! {"$expr": {"$eq": ["$$ROOT", {}]}},
            &mut Vec::new()
        ));
    }

    #[test]
    fn expressions_name_their_fields_or_give_up() {
        let mut f = Vec::new();
        let group = bson!({"_id": "$login_method", "n": {"$sum": 1}, "v": {"$avg": {"$ifNull": ["$x", "$y.z"]}},
            "l": {"$literal": "$not_a_field"}, "m": {"$map": {"input": "$tags", "as": "t", "in": "$$t"}}});
        assert!(expr_fields(&group, &mut f));
        assert_eq!(f, ["login_method", "x", "y", "tags"]);
        assert!(!expr_fields(&bson!({"$getField": "a"}), &mut Vec::new()));
        // With an input, only what the input reads.
        let mut f = Vec::new();
        assert!(expr_fields(
            &bson!({"$getField": {"field": {"$literal": "x"}, "input": "$a.b"}}),
            &mut f
        ));
        assert_eq!(f, vec!["a".to_string()]);
        assert!(!expr_fields(
            &bson!({"$mergeObjects": ["$$CURRENT", {}]}),
            &mut Vec::new()
        ));
        assert!(!expr_fields(
            &bson!({"$topN": {"n": 1, "sortBy": {"score": -1}, "output": "$a"}}),
            &mut Vec::new()
        ));
    }

    #[test]
    fn field_values_read_what_path_field_reads() {
        let d = doc! {"_id": "k", "pad": "p".repeat(100), "a": 1.5, "s": "text", "b": true, "n": null,
        "i": 7, "l": 8i64, "t": bson::DateTime::from_millis(5), "arr": [1, {"x": 2}], "o": {"y": "z"},
        "dec": bson::Decimal128::from_bytes([0; 16]), "last": "end"};
        let raw = bson::RawDocumentBuf::try_from(&d).expect("serialises");
        let names = [
            "last", "s", "a", "b", "n", "i", "l", "t", "arr", "o", "dec", "absent",
        ];
        let fields: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        for prefix in [0, 1, 3, names.len()] {
            let mut row = FieldValues::with_prefix(fields.clone(), prefix);
            for _ in 0..2 {
                assert!(row.read_prefix(&raw).is_some());
                for (i, name) in names.iter().enumerate() {
                    let want = if i < prefix {
                        crate::engine::path::field(&d, name)
                    } else {
                        None
                    };
                    assert_eq!(row.get(i), want, "prefix {prefix}, before the rest: {name}");
                }
                assert!(row.read_rest(&raw).is_some());
                for (i, name) in names.iter().enumerate() {
                    assert_eq!(row.get(i), crate::engine::path::field(&d, name), "{name}");
                }
            }
            // The next document, of another shape, replaces every slot (strings keep their buffers).
            let other =
                bson::RawDocumentBuf::try_from(&doc! {"s": "x", "a": "now a string"}).expect("ok");
            assert!(row.read(&other).is_some());
            assert_eq!(row.get(1), Some(&Bson::String("x".into())));
            assert_eq!(row.get(2), Some(&Bson::String("now a string".into())));
            assert_eq!(row.get(0), None);
            assert_eq!(row.get(names.len()), None);
        }
    }

    /// Keys that share prefixes (and whole first words) and lengths, cross the word boundaries of the inline key comparison (7, 8,
    /// 15, 16, 23, 24 bytes) and exceed it.
    const KEYS: [&str; 14] = [
        "a",
        "ab",
        "b",
        "abcdefg",
        "abcdefgh",
        "abcdefgi",
        "abcdefgh_",
        "abcdefgh_xy_z",
        "fifteen_bytes_k",
        "sixteen_bytes_ke",
        "twenty_three_bytes_key_",
        "twenty_four_bytes_key_xy",
        "a_key_longer_than_any_inline_word",
        "",
    ];

    fn random_document() -> impl proptest::strategy::Strategy<Value = Document> {
        use proptest::prelude::*;
        let value = prop_oneof![
            any::<i32>().prop_map(Bson::Int32),
            any::<f64>().prop_map(Bson::Double),
            "[a-z]{0,12}".prop_map(Bson::String),
            any::<bool>().prop_map(Bson::Boolean),
            Just(Bson::Null),
            any::<i64>().prop_map(Bson::Int64),
            (0usize..3).prop_map(|n| Bson::Array(vec![Bson::Int32(1); n])),
            any::<[u8; 16]>().prop_map(|b| Bson::Decimal128(bson::Decimal128::from_bytes(b))),
            any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
        ];
        proptest::collection::vec((0..KEYS.len(), value), 0..8).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| (KEYS[k].to_string(), v))
                .collect()
        })
    }

    proptest::proptest! {
        /// One `FieldValues` reading a run of documents of changing shapes (the per-ordinal key cache hit,
        /// missed, stale) gives for each what `path::field` gives on the parsed document.
        #[test]
        fn field_values_over_changing_shapes_read_what_path_field_reads(
            docs in proptest::collection::vec(random_document(), 1..12),
            wanted in proptest::collection::vec(0..KEYS.len(), 0..5),
            prefix in 0usize..5,
        ) {
            let mut names: Vec<String> = Vec::new();
            for k in wanted {
                if !names.iter().any(|n| n == KEYS[k]) {
                    names.push(KEYS[k].to_string());
                }
            }
            let mut row = FieldValues::with_prefix(names.clone(), prefix);
            for d in docs.iter().chain(docs.iter().rev()) {
                let raw = bson::RawDocumentBuf::try_from(d).expect("serialises");
                proptest::prop_assert!(row.read_prefix(&raw).is_some());
                proptest::prop_assert!(row.read_rest(&raw).is_some());
                for (i, name) in names.iter().enumerate() {
                    proptest::prop_assert_eq!(row.get(i), crate::engine::path::field(d, name), "{} in {:?}", name, d);
                }
            }
        }
    }

    #[test]
    fn moved_fields_are_the_named_fields_in_document_order() {
        let d = doc! {"_id": "k", "a": 1.5, "s": "text", "b": true, "n": null, "i": 7, "l": 8i64,
        "t": bson::DateTime::from_millis(5), "arr": [1, {"x": 2}], "o": {"y": "z"},
        "oid": bson::oid::ObjectId::from_bytes([1; 12]), "last": "end"};
        let raw = bson::RawDocumentBuf::try_from(&d).expect("serialises");
        let names = [
            "last", "s", "a", "b", "n", "i", "l", "t", "arr", "o", "oid", "absent",
        ];
        let mut row = FieldValues::new(names.iter().map(|s| s.to_string()).collect());
        let mut out = Document::new();
        let expected: Document = d
            .iter()
            .filter(|(k, _)| names.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for _ in 0..3 {
            // The later passes reuse `out` (same shape): values swapped in place.
            assert!(row.read(&raw).is_some());
            row.move_into(&mut out);
            assert_eq!(out, expected);
            assert_eq!(row.get(1), None, "the row reads as empty once moved");
        }
        let other =
            bson::RawDocumentBuf::try_from(&doc! {"s": 3, "a": "now a string"}).expect("ok");
        assert!(row.read(&other).is_some());
        row.move_into(&mut out);
        assert_eq!(out, doc! {"s": 3, "a": "now a string"});
        let mut none = FieldValues::new(Vec::new());
        assert!(none.read(&other).is_some());
        none.move_into(&mut out);
        assert!(out.is_empty());
    }
}
