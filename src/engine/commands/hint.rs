//! `hint` must name an index the collection has, by name or by key pattern (or be `{$natural: 1 | -1}`):
//! otherwise mongod fails the command with 2 BadValue "hint provided does not correspond to an existing
//! index", and so does the engine, rather than ignoring the hint. The engine still picks its own access path
//! (a hint changes how mongod reads, not what a query over a non-sparse, non-partial index returns).

use super::super::Inner;
use crate::engine::bson_order::compare;
use crate::engine::storage::Collection;
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cmp::Ordering;

/// The hints a command carries: its own (find, aggregate, count, distinct, findAndModify) and those of its
/// update / delete statements.
fn hints<'a>(command: &str, cmd: &'a Document) -> Vec<&'a Bson> {
    let mut out: Vec<&Bson> = cmd.get("hint").into_iter().collect();
    let list = match command {
        "update" => "updates",
        "delete" => "deletes",
        _ => return out,
    };
    if let Ok(statements) = cmd.get_array(list) {
        for st in statements {
            if let Some(h) = st.as_document().and_then(|d| d.get("hint")) {
                out.push(h);
            }
        }
    }
    out
}

/// Refuses a hint that names no index of the command's collection. A missing collection or a view is not
/// checked (there is nothing to hint).
pub(super) fn check(
    inner: &Inner,
    db: &str,
    command: &str,
    cmd: &Document,
) -> Result<(), CommandError> {
    if !matches!(
        command,
        "find"
            | "aggregate"
            | "count"
            | "distinct"
            | "findAndModify"
            | "findandmodify"
            | "update"
            | "delete"
    ) {
        return Ok(());
    }
    let hints = hints(command, cmd);
    if hints.is_empty() {
        return Ok(());
    }
    let Ok(name) = cmd.get_str(command) else {
        return Ok(());
    };
    let state = inner.read_state()?;
    let Some(coll) = state
        .databases
        .get(db)
        .and_then(|d| d.collections.get(name))
    else {
        return Ok(());
    };
    if coll.options.contains_key("viewOn") {
        return Ok(());
    }
    for h in hints {
        if !names_an_index(coll, h) {
            return Err(CommandError::bad_value(
                "hint provided does not correspond to an existing index",
            ));
        }
    }
    Ok(())
}

fn names_an_index(coll: &Collection, hint: &Bson) -> bool {
    match hint {
        Bson::String(s) => coll.indexes.iter().any(|ix| ix.name == *s),
        Bson::Document(d) if d.is_empty() => true,
        Bson::Document(d) if d.len() == 1 && d.contains_key("$natural") => true,
        Bson::Document(d) => coll.indexes.iter().any(|ix| {
            ix.spec.get_document("key").is_ok_and(|key| {
                key.len() == d.len()
                    && key
                        .iter()
                        .zip(d.iter())
                        .all(|((k1, v1), (k2, v2))| k1 == k2 && compare(v1, v2) == Ordering::Equal)
            })
        }),
        _ => false,
    }
}
