//! Sorting a sort's keyed entries by prefixes of their keys ([`SortSpec::sort_entries`]): each entry's first
//! two key parts reduced to their [`order_prefix`](super::super::bson_order::order_prefix)es, so that most
//! comparisons read no heap memory, and only small (prefixes, position) records move while sorting.
//!
//! In: a [`SortSpec`] and its entries (key, document); out: the entries in the stable order of
//! [`SortSpec::compare_keys`]. Depends on `bson_order`, `collation`, `ops`.

use super::super::CommandError;
use super::SortSpec;
use bson::Bson;
use std::cmp::Ordering;

impl SortSpec {
    /// Sorts keyed entries by their keys (stable), as `sort_checked` with [`compare_keys`](Self::compare_keys)
    /// does. With the simple collation and enough entries, each entry's first two key parts are first
    /// reduced to their [`order_prefix`](super::super::bson_order::order_prefix)es (reversed for a descending key):
    /// entries whose first prefixes differ are ordered by them alone (a prefix never orders two values against
    /// [`compare`](super::super::bson_order::compare)); where they are equal and tell the values apart exactly ([`exact_prefix`]: the first
    /// parts are then equal, such as the translator's NULL flags), by the second prefixes; else, and on equal
    /// prefixes, by the whole keys, then by input position. Most comparisons read no heap memory, and only
    /// (prefixes, position) records move while sorting; the entries are moved into their order once.
    ///
    /// The first `equal` key parts are known equal in every entry (a group of an incremental sort): the
    /// comparisons start after them.
    pub(crate) fn sort_entries<T>(
        &self,
        buf: &mut Vec<(Vec<Bson>, T)>,
        equal: usize,
    ) -> Result<(), CommandError> {
        const PREFIXED: usize = 64;
        if buf.len() < PREFIXED || self.keys.len() <= equal || super::super::collation::is_active()
        {
            return crate::engine::ops::sort_checked(buf, |a, b| {
                self.compare_keys_from(&a.0, &b.0, equal)
            });
        }
        let part = |key: &[Bson], i: usize| -> (u128, bool) {
            let asc = self.keys.get(i).is_none_or(|k| k.1);
            match key.get(i) {
                Some(v) => {
                    let p = super::super::bson_order::order_prefix(v);
                    (if asc { p } else { !p }, exact_prefix(v))
                }
                None => (0, true),
            }
        };
        let mut order: Vec<Prefixed> = buf
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let (first, exact) = part(&e.0, equal);
                Prefixed {
                    first,
                    second: part(&e.0, equal + 1).0,
                    exact,
                    at: i,
                }
            })
            .collect();
        let entries: &[(Vec<Bson>, T)] = buf;
        let whole = |a: &Prefixed, b: &Prefixed| match (entries.get(a.at), entries.get(b.at)) {
            (Some(x), Some(y)) => self.compare_keys_from(&x.0, &y.0, equal),
            _ => Ordering::Equal,
        };
        crate::engine::ops::sort_checked(&mut order, |a, b| {
            a.first
                .cmp(&b.first)
                .then_with(|| match a.exact && b.exact {
                    true => a.second.cmp(&b.second).then_with(|| whole(a, b)),
                    false => whole(a, b),
                })
                .then(a.at.cmp(&b.at))
        })?;
        let mut slots: Vec<Option<(Vec<Bson>, T)>> = buf.drain(..).map(Some).collect();
        buf.extend(
            order
                .iter()
                .filter_map(|p| slots.get_mut(p.at).and_then(Option::take)),
        );
        Ok(())
    }
}

/// An entry of [`SortSpec::sort_entries`] while it sorts: its first two key parts' prefixes, whether the
/// first tells its value apart exactly, and its position.
struct Prefixed {
    first: u128,
    second: u128,
    exact: bool,
    at: usize,
}

/// Whether equal [`order_prefix`](super::super::bson_order::order_prefix)es of `v` and of an other value for which
/// this also holds mean the two compare equal: null, booleans, 32-bit integers, doubles, 64-bit integers
/// within 2^53, dates, ObjectIds, timestamps, and strings of at most 15 bytes without a NUL byte (under the
/// simple collation).
fn exact_prefix(v: &Bson) -> bool {
    match v {
        Bson::Null
        | Bson::Undefined
        | Bson::MinKey
        | Bson::MaxKey
        | Bson::Boolean(_)
        | Bson::Int32(_)
        | Bson::Double(_)
        | Bson::DateTime(_)
        | Bson::ObjectId(_)
        | Bson::Timestamp(_) => true,
        Bson::Int64(i) => i.unsigned_abs() <= 1 << 53,
        Bson::String(s) | Bson::Symbol(s) => s.len() <= 15 && !s.as_bytes().contains(&0),
        _ => false,
    }
}
