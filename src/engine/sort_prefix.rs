//! Sorting a sort's keyed entries by prefixes of their keys ([`SortSpec::sort_entries`]): each entry's first
//! three key parts reduced to their [`order_prefix`](super::super::bson_order::order_prefix)es, so that most
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
    /// does. With the simple collation and enough entries, each entry's first three key parts are first
    /// reduced to their [`order_prefix`](super::super::bson_order::order_prefix)es (reversed for a descending key):
    /// entries whose first prefixes differ are ordered by them alone (a prefix never orders two values against
    /// [`compare`](super::super::bson_order::compare)); where they are equal and tell the values apart exactly ([`exact_prefix`]: the first
    /// parts are then equal, such as the translator's NULL flags), by the second prefixes, and where those are
    /// equal and exact too, by the third (an `ORDER BY a, b` of nullable columns is flag, value, flag, value:
    /// the third part is the second column); else, and on equal prefixes, by the whole keys (not when the
    /// key has at most three parts, all told apart exactly: the keys are then equal), then by input
    /// position. Most comparisons read no heap memory, and only
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
                let (second, exact_second) = part(&e.0, equal + 1);
                let (third, exact_third) = part(&e.0, equal + 2);
                Prefixed {
                    first,
                    second,
                    third,
                    exact: exact as u8
                        + (exact && exact_second) as u8
                        + (exact && exact_second && exact_third) as u8,
                    at: i,
                }
            })
            .collect();
        let entries: &[(Vec<Bson>, T)] = buf;
        let whole = |a: &Prefixed, b: &Prefixed| match (entries.get(a.at), entries.get(b.at)) {
            (Some(x), Some(y)) => self.compare_keys_from(&x.0, &y.0, equal),
            _ => Ordering::Equal,
        };
        // Keys of at most three parts after the equal ones: the prefixes may cover them whole.
        let covered = self.keys.len() <= equal + 3;
        crate::engine::ops::sort_checked(&mut order, |a, b| {
            // Each next prefix decides only where all before it are equal and exact in both entries.
            let exact = a.exact.min(b.exact);
            a.first
                .cmp(&b.first)
                .then_with(|| match exact {
                    0 => whole(a, b),
                    1 => a.second.cmp(&b.second).then_with(|| whole(a, b)),
                    2 => a
                        .second
                        .cmp(&b.second)
                        .then_with(|| a.third.cmp(&b.third))
                        .then_with(|| whole(a, b)),
                    // Every part of both keys told apart exactly: equal prefixes are equal keys.
                    _ if covered => a.second.cmp(&b.second).then(a.third.cmp(&b.third)),
                    _ => a
                        .second
                        .cmp(&b.second)
                        .then_with(|| a.third.cmp(&b.third))
                        .then_with(|| whole(a, b)),
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

/// An entry of [`SortSpec::sort_entries`] while it sorts: its first three key parts' prefixes, how many
/// of them, from the first, tell their values apart exactly (a missing part does), and its position.
struct Prefixed {
    first: u128,
    second: u128,
    third: u128,
    exact: u8,
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
