//! `hint` must name an index the collection has, by name or by key pattern (or be `{$natural: 1 | -1}`):
//! otherwise mongod fails the command with 2 BadValue "hint provided does not correspond to an existing
//! index", and so does the engine, rather than ignoring the hint.
//!
//! A hint is honoured: while a command runs, its hint (an update / delete statement's own) is the
//! [`scoped`] hint of its collection, and the scans read the records the hinted index holds, in its key
//! order ([`hinted_records`]): a sparse or partial index gives only the documents it indexes, and a find
//! without `sort` returns them in index order, as mongod's IXSCAN does; `{$natural: 1 | -1}` reads the
//! collection in natural order, forward or backward (COLLSCAN). `explain` shows the hinted plan.

use super::super::Inner;
use crate::engine::bson_order::compare;
use crate::engine::storage::index::Index;
use crate::engine::storage::{Collection, RecordId};
use crate::engine::CommandError;
use bson::{Bson, Document};
use std::cell::RefCell;
use std::cmp::Ordering;

/// The hint in force on this thread: (database, collection, hint).
type Active = Option<(String, String, Bson)>;

thread_local! {
    static ACTIVE: RefCell<Active> = const { RefCell::new(None) };
}

/// Restores the hint that was in force before [`scoped`] when dropped.
pub(super) struct Scope(Active);

impl Drop for Scope {
    fn drop(&mut self) {
        let previous = self.0.take();
        ACTIVE.with(|a| *a.borrow_mut() = previous);
    }
}

/// Puts `hint` (none: no hint) in force for collection `db.coll` until the returned scope is dropped.
pub(super) fn scoped(db: &str, coll: &str, hint: Option<&Bson>) -> Scope {
    let now = hint
        .filter(|h| !matches!(h, Bson::Document(d) if d.is_empty()))
        .map(|h| (db.to_string(), coll.to_string(), h.clone()));
    Scope(ACTIVE.with(|a| std::mem::replace(&mut *a.borrow_mut(), now)))
}

/// Whether a hint is in force for `db.coll` (the fast paths that choose their own access step aside).
pub(super) fn active(db: &str, coll: &str) -> bool {
    ACTIVE.with(|a| {
        a.borrow()
            .as_ref()
            .is_some_and(|(d, c, _)| d == db && c == coll)
    })
}

/// Takes the hint in force for `db.coll`: the command's first scan of its collection reads by it, and a
/// later scan of the same collection (a `$lookup` of the collection into itself) does not.
pub(super) fn take(db: &str, coll: &str) -> Option<Bson> {
    ACTIVE.with(|a| {
        let mut a = a.borrow_mut();
        if a.as_ref().is_some_and(|(d, c, _)| d == db && c == coll) {
            a.take().map(|(_, _, h)| h)
        } else {
            None
        }
    })
}

/// Takes the hint in force, whatever its collection (a write statement only reads its own collection).
pub(super) fn take_any() -> Option<Bson> {
    ACTIVE.with(|a| a.borrow_mut().take().map(|(_, _, h)| h))
}

/// What a hint reads: an index, or the collection in natural order (`true`: forward).
pub(super) enum Access<'c> {
    /// IXSCAN over this index.
    Index(&'c Index),
    /// COLLSCAN, forward or backward.
    Natural(bool),
}

/// The access path `hint` names on `coll` (`None`: no index of that name or pattern).
pub(super) fn access<'c>(coll: &'c Collection, hint: &Bson) -> Option<Access<'c>> {
    if let Bson::Document(d) = hint {
        if let Some(v) = d.get("$natural") {
            let n = crate::engine::numeric::Num::from_bson(v).map_or(1.0, |n| n.to_f64());
            return Some(Access::Natural(n >= 0.0));
        }
    }
    index_named(coll, hint).map(Access::Index)
}

/// Up to this many records bounded by the filter are put in index order by their keys; more, and the index
/// is walked in order keeping those records.
const KEYED_ORDER_MAX: usize = 4096;

/// The records `hint` reads on `coll` for `filter`, in the order it reads them (the filter's predicates on
/// the index's first field bound the read, as an IXSCAN's bounds); `None` when the hint names nothing.
pub(super) fn hinted_records(
    coll: &Collection,
    hint: &Bson,
    filter: Option<&Document>,
) -> Option<Vec<RecordId>> {
    Some(match access(coll, hint)? {
        Access::Natural(true) => coll.record_ids().collect(),
        Access::Natural(false) => {
            let mut ids: Vec<RecordId> = coll.record_ids().collect();
            ids.reverse();
            ids
        }
        Access::Index(ix) => {
            // A descending first key is walked from its high end (mongod's forward IXSCAN of {a: -1}).
            let ascending = ix
                .spec
                .get_document("key")
                .ok()
                .and_then(|k| k.iter().next().map(|(_, v)| v.clone()))
                .and_then(|v| crate::engine::numeric::Num::from_bson(&v).map(|n| n.to_f64()))
                .is_none_or(|d| d >= 0.0);
            let bounded = filter.and_then(|f| coll.candidates_in(ix, f));
            if let Some(set) = bounded.as_ref().filter(|s| s.len() <= KEYED_ORDER_MAX) {
                // Few records: each sorted by its (first) key in the scan's direction, then natural order.
                let mut keyed: Vec<(crate::engine::storage::index::IndexKey, RecordId)> = set
                    .iter()
                    .filter_map(|r| {
                        let keys = ix.keys_of_raw(coll.get_raw(*r)?).ok()?;
                        let key = if ascending {
                            keys.into_iter().min()
                        } else {
                            keys.into_iter().max()
                        }?;
                        Some((key, *r))
                    })
                    .collect();
                keyed.sort_by(|(ka, ra), (kb, rb)| {
                    let by_key = if ascending { ka.cmp(kb) } else { kb.cmp(ka) };
                    by_key.then(ra.cmp(rb))
                });
                return Some(keyed.into_iter().map(|(_, r)| r).collect());
            }
            // A multikey index holds a record under several keys: it is read once, at its first key.
            let mut seen = std::collections::HashSet::new();
            ix.walk(ascending)
                .map(|(_, r)| r)
                .filter(|r| bounded.as_ref().is_none_or(|s| s.contains(r)))
                .filter(|r| seen.insert(*r))
                .collect()
        }
    })
}

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
    if coll.options().contains_key("viewOn") {
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
        Bson::Document(d) if d.is_empty() => true,
        Bson::Document(d) if d.len() == 1 && d.contains_key("$natural") => true,
        other => index_named(coll, other).is_some(),
    }
}

/// The index a hint names, by name or by key pattern.
fn index_named<'c>(coll: &'c Collection, hint: &Bson) -> Option<&'c Index> {
    match hint {
        Bson::String(s) => coll.indexes.iter().find(|ix| ix.name == *s),
        Bson::Document(d) if d.is_empty() => None,
        Bson::Document(d) => coll.indexes.iter().find(|ix| {
            ix.spec.get_document("key").is_ok_and(|key| {
                key.len() == d.len()
                    && key
                        .iter()
                        .zip(d.iter())
                        .all(|((k1, v1), (k2, v2))| k1 == k2 && compare(v1, v2) == Ordering::Equal)
            })
        }),
        _ => None,
    }
}
