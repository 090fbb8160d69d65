//! ORDER BY ... LIMIT of a plain SELECT (no grouping, DISTINCT or window): the rows are sorted and cut
//! before the SELECT list is computed, so the engine (or mongod) can walk an index in order or keep only the
//! top k, and computes the list for the k rows returned, not for every row (PostgreSQL's plan: an index scan
//! or a top-N sort below the projection).
//!
//! `[$set: sort keys,] $sort, [$skip,] $limit, [subquery $lookup's of the list,] $project: list`. A sort key
//! that is a top-level field needing no NULL flag sorts on the field itself (`$sort: {f: 1}`, the shape an
//! index walk serves); otherwise the keys (with their NULL flags, query.rs `sort_spec`) are `$set` first
//! (`{__n0, __s0}`, the shape the engine's NULLS LAST / FIRST walk serves) and the `$project` after the
//! limit, an inclusion projection, drops them: the rows are those of the `$project` -> `$sort` -> `$limit`
//! plan in the same order.

use super::query::finish_pipeline;
use crate::mql::stage::Stage;
use bson::{Bson, Document};

/// Whether the sort-first plan applies: sort keys and a LIMIT that keeps rows (LIMIT 0 is a `$match` nothing
/// passes, which reads nothing either way).
pub(super) fn applies(sort_fields: &[(String, i32)], limit: &Option<Bson>) -> bool {
    !sort_fields.is_empty() && limit.as_ref().is_some_and(|l| *l != Bson::Int64(0))
}

/// `[$set: keys,] $sort, [$skip,] $limit` for the sort keys computed in `keys` (`__n<i>` / `__s<i>` as
/// `sort_spec` named them) and sorted by `sort_fields`.
pub(super) fn stages(
    keys: Document,
    sort_fields: &[(String, i32)],
    limit: &Option<Bson>,
    offset: &Option<Bson>,
) -> Vec<Document> {
    let mut out = Vec::new();
    match plain_fields(&keys, sort_fields) {
        Some(direct) => finish_pipeline(
            &mut out,
            &direct,
            Vec::new(),
            limit.as_ref(),
            offset.as_ref(),
        ),
        None => {
            out.push(Stage::Set(keys).into_document());
            finish_pipeline(
                &mut out,
                sort_fields,
                Vec::new(),
                limit.as_ref(),
                offset.as_ref(),
            );
        }
    }
    out
}

/// The sort on the documents' own fields when every key is a distinct top-level field without a NULL flag.
fn plain_fields(keys: &Document, sort_fields: &[(String, i32)]) -> Option<Vec<(String, i32)>> {
    let mut out: Vec<(String, i32)> = Vec::with_capacity(sort_fields.len());
    for (f, dir) in sort_fields {
        let Some(Bson::String(path)) = keys.get(f) else {
            return None; // a NULL flag or a computed key
        };
        let field = path.strip_prefix('$')?;
        let plain = !field.is_empty() && !field.contains('.') && !field.starts_with('$');
        if !plain || out.iter().any(|(g, _)| g == field) {
            return None;
        }
        out.push((field.to_string(), *dir));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn plain_keys_sort_on_the_fields_and_others_are_set_first() {
        let fields = vec![("__s0".to_string(), 1)];
        let limit = Some(Bson::Int64(3));
        assert_eq!(
            stages(doc! {"__s0": "$k"}, &fields, &limit, &None),
            vec![doc! {"$sort": {"k": 1}}, doc! {"$limit": 3_i64}]
        );
        // a NULL flag, a dotted path, a computed key, a repeated field: the keys are set first
        let flagged = vec![("__n0".to_string(), 1), ("__s0".to_string(), 1)];
        let keys = doc! {"__n0": {"$cond": [true, 1, 0]}, "__s0": "$k"};
        assert_eq!(
            stages(keys.clone(), &flagged, &limit, &Some(Bson::Int64(2)))[..3],
            [
                doc! {"$set": keys},
                doc! {"$sort": {"__n0": 1, "__s0": 1}},
                doc! {"$skip": 2_i64}
            ]
        );
        for keys in [
            doc! {"__s0": "$a.b"},
            doc! {"__s0": {"$add": ["$a", 1]}},
            doc! {"__s0": "$$ROOT"},
        ] {
            assert_eq!(
                stages(keys.clone(), &fields, &limit, &None)[0],
                doc! {"$set": keys}
            );
        }
        let two = vec![("__s0".to_string(), 1), ("__s1".to_string(), -1)];
        let keys = doc! {"__s0": "$a", "__s1": "$a"};
        assert_eq!(
            stages(keys.clone(), &two, &limit, &None)[0],
            doc! {"$set": keys}
        );
        assert!(!applies(&fields, &Some(Bson::Int64(0))));
        assert!(!applies(&fields, &None));
        assert!(!applies(&[], &limit));
    }
}
