//! Which top-level fields a query filter or an aggregation expression reads, so that a scan parses only those
//! fields of each stored document (projection pushdown over the BSON bytes of [`storage`](super::storage)).
//!
//! In: a filter document or an expression / stage specification; out: the top-level field names it may read,
//! or `false` when it may read any field (`$$ROOT`, `$$CURRENT`, `$getField`, operators whose arguments name
//! fields without a `$`, unknown query operators). Over-approximating is always safe; missing a field is not,
//! so every doubtful form answers "any field". Depends on `bson` only.

use bson::{Bson, Document};

/// Adds the top-level fields `filter` (query language) reads to `out`; `false` when it may read any field.
pub fn filter_fields(filter: &Document, out: &mut Vec<String>) -> bool {
    for (k, v) in filter {
        match k.as_str() {
            "$and" | "$or" | "$nor" => {
                let Bson::Array(items) = v else { return false };
                for item in items {
                    let Bson::Document(d) = item else {
                        return false;
                    };
                    if !filter_fields(d, out) {
                        return false;
                    }
                }
            }
            "$expr" => {
                if !expr_fields(v, out) {
                    return false;
                }
            }
            "$comment" => {}
            other if other.starts_with('$') => return false,
            path => push(out, path.split('.').next().unwrap_or(path)),
        }
    }
    true
}

/// Adds the top-level fields an aggregation expression (or a stage specification made of expressions, such
/// as a `$group` document) reads to `out`; `false` when it may read any field.
pub fn expr_fields(spec: &Bson, out: &mut Vec<String>) -> bool {
    match spec {
        Bson::String(s) => {
            if let Some(var) = s.strip_prefix("$$") {
                let name = var.split('.').next().unwrap_or(var);
                !matches!(name, "ROOT" | "CURRENT")
            } else if let Some(path) = s.strip_prefix('$') {
                push(out, path.split('.').next().unwrap_or(path));
                true
            } else {
                true
            }
        }
        Bson::Array(items) => items.iter().all(|i| expr_fields(i, out)),
        Bson::Document(d) => {
            for (k, v) in d {
                match k.as_str() {
                    "$literal" => {}
                    // These read fields named by plain strings (or a sort specification's keys).
                    "$getField" | "$setField" | "$unsetField" | "$top" | "$bottom" | "$topN"
                    | "$bottomN" | "$function" | "$accumulator" => return false,
                    _ => {
                        if !expr_fields(v, out) {
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

fn push(out: &mut Vec<String>, name: &str) {
    if !out.iter().any(|f| f == name) {
        out.push(name.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{bson, doc};

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
        assert!(!expr_fields(
            &bson!({"$mergeObjects": ["$$CURRENT", {}]}),
            &mut Vec::new()
        ));
        assert!(!expr_fields(
            &bson!({"$topN": {"n": 1, "sortBy": {"score": -1}, "output": "$a"}}),
            &mut Vec::new()
        ));
    }
}
