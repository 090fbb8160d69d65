//! A fixed "now" on a backend whose clock cannot be set (a MongoDB deployment): the date takes the place of
//! `$$NOW` in the aggregation-expression positions of a command (`--now`, `SET sqlmongo.now`).
//!
//! The translator writes `NOW()` only as the `$$NOW` variable, and only where aggregation expressions are
//! read: a `$expr` of a filter, the stages of a pipeline other than `$match`'s query (and a `$lookup` /
//! `$unionWith` / `$facet` sub-pipeline), a pipeline update, a find's projection. A string `'$$NOW'` the user
//! wrote is data there, wrapped in `$literal`, which is left alone; query-language positions (a filter's
//! field predicates, an insert's documents, update operators' values) hold user data as is and are never
//! touched.

use bson::{Bson, Document};

/// Puts `now` in place of `$$NOW` in the aggregation positions of `command` (see the module doc).
///
/// ```
/// use bson::doc;
/// let now = bson::DateTime::from_millis(1_767_225_600_000);
/// let mut cmd = doc! {
///     "delete": "s",
///     "deletes": [{"q": {"$expr": {"$lt": ["$expires_at", "$$NOW"]}, "note": "$$NOW"}, "limit": 0}],
/// };
/// sqlmongo::mql::fixed_now::fix_now(&mut cmd, now);
/// assert_eq!(
///     cmd,
///     doc! {
///         "delete": "s",
///         "deletes": [{"q": {"$expr": {"$lt": ["$expires_at", now]}, "note": "$$NOW"}, "limit": 0}],
///     }
/// );
/// ```
pub fn fix_now(command: &mut Document, now: bson::DateTime) {
    let name = command.keys().next().cloned().unwrap_or_default();
    match name.as_str() {
        "find" => {
            if let Some(Bson::Document(f)) = command.get_mut("filter") {
                filter(f, now);
            }
            if let Some(Bson::Document(p)) = command.get_mut("projection") {
                expression_doc(p, now);
            }
        }
        "aggregate" => {
            if let Some(Bson::Array(p)) = command.get_mut("pipeline") {
                pipeline(p, now);
            }
        }
        "count" | "distinct" => {
            if let Some(Bson::Document(f)) = command.get_mut("query") {
                filter(f, now);
            }
        }
        "update" => {
            if let Some(Bson::Array(updates)) = command.get_mut("updates") {
                for u in updates.iter_mut() {
                    if let Bson::Document(u) = u {
                        update_statement(u, "q", "u", now);
                    }
                }
            }
        }
        "delete" => {
            if let Some(Bson::Array(deletes)) = command.get_mut("deletes") {
                for d in deletes.iter_mut() {
                    if let Bson::Document(d) = d {
                        if let Some(Bson::Document(q)) = d.get_mut("q") {
                            filter(q, now);
                        }
                    }
                }
            }
        }
        "sqlmongoRunTTLMonitor" => {
            if let Some(now_field) = command.get_mut("now") {
                expression(now_field, now);
            }
        }
        "findAndModify" => {
            update_statement(command, "query", "update", now);
            if let Some(Bson::Document(p)) = command.get_mut("fields") {
                expression_doc(p, now);
            }
        }
        _ => {}
    }
}

/// A `q` / `query` filter and a `u` / `update` (a pipeline, or operators holding data).
fn update_statement(statement: &mut Document, query: &str, update: &str, now: bson::DateTime) {
    if let Some(Bson::Document(q)) = statement.get_mut(query) {
        filter(q, now);
    }
    if let Some(Bson::Array(p)) = statement.get_mut(update) {
        pipeline(p, now);
    }
}

/// A query-language filter: only `$expr` (and the logical operators around it) reads expressions.
fn filter(f: &mut Document, now: bson::DateTime) {
    for (key, value) in f.iter_mut() {
        match (key.as_str(), value) {
            ("$expr", v) => expression(v, now),
            ("$and" | "$or" | "$nor", Bson::Array(items)) => {
                for item in items.iter_mut() {
                    if let Bson::Document(d) = item {
                        filter(d, now);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Pipeline stages: `$match` holds a filter, the sub-pipelines recurse, every other stage expressions.
fn pipeline(stages: &mut [Bson], now: bson::DateTime) {
    for stage in stages.iter_mut() {
        let Bson::Document(stage) = stage else {
            continue;
        };
        for (name, body) in stage.iter_mut() {
            match (name.as_str(), body) {
                ("$match", Bson::Document(f)) => filter(f, now),
                ("$lookup" | "$unionWith", Bson::Document(d)) => {
                    if let Some(l) = d.get_mut("let") {
                        expression(l, now);
                    }
                    if let Some(Bson::Array(p)) = d.get_mut("pipeline") {
                        pipeline(p, now);
                    }
                }
                ("$facet", Bson::Document(d)) => {
                    for (_, p) in d.iter_mut() {
                        if let Bson::Array(p) = p {
                            pipeline(p, now);
                        }
                    }
                }
                ("$documents", _) => {}
                (_, body) => expression(body, now),
            }
        }
    }
}

fn expression_doc(d: &mut Document, now: bson::DateTime) {
    for (_, v) in d.iter_mut() {
        expression(v, now);
    }
}

/// An aggregation expression: `$$NOW` becomes the date; `$literal` is data.
fn expression(e: &mut Bson, now: bson::DateTime) {
    match e {
        Bson::String(s) if s == "$$NOW" => *e = Bson::DateTime(now),
        Bson::Array(items) => {
            for item in items.iter_mut() {
                expression(item, now);
            }
        }
        Bson::Document(d) if !d.contains_key("$literal") => expression_doc(d, now),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::fix_now;
    use bson::{doc, DateTime};

    #[test]
    fn only_aggregation_positions_change() {
        let now = DateTime::from_millis(1_000);
        let mut cmd = doc! {
            "aggregate": "s",
            "pipeline": [
                {"$match": {"k": "$$NOW", "$expr": {"$gt": ["$t", "$$NOW"]}}},
                {"$set": {"a": "$$NOW", "b": {"$literal": "$$NOW"}}},
                {"$lookup": {"from": "o", "pipeline": [{"$set": {"c": "$$NOW"}}], "as": "o"}},
            ],
            "cursor": {},
        };
        fix_now(&mut cmd, now);
        assert_eq!(
            cmd,
            doc! {
                "aggregate": "s",
                "pipeline": [
                    {"$match": {"k": "$$NOW", "$expr": {"$gt": ["$t", now]}}},
                    {"$set": {"a": now, "b": {"$literal": "$$NOW"}}},
                    {"$lookup": {"from": "o", "pipeline": [{"$set": {"c": now}}], "as": "o"}},
                ],
                "cursor": {},
            }
        );
        let mut ins = doc! {"insert": "s", "documents": [{"x": "$$NOW"}]};
        let before = ins.clone();
        fix_now(&mut ins, now);
        assert_eq!(ins, before);
        let mut upd = doc! {"update": "s", "updates": [
            {"q": {"x": "$$NOW"}, "u": {"$set": {"y": "$$NOW"}}},
            {"q": {}, "u": [{"$set": {"y": "$$NOW"}}]},
        ]};
        fix_now(&mut upd, now);
        assert_eq!(
            upd,
            doc! {"update": "s", "updates": [
                {"q": {"x": "$$NOW"}, "u": {"$set": {"y": "$$NOW"}}},
                {"q": {}, "u": [{"$set": {"y": now}}]},
            ]}
        );
    }
}
