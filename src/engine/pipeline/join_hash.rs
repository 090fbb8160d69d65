//! The hash side of `$lookup`'s hash join: a hash of BSON values that agrees with the BSON order's equality
//! (`bson_order::equal`), and a table from that hash to the positions of the foreign documents carrying a
//! value.
//!
//! In: values (and the foreign documents' keys); out: candidate positions, in natural order. A bucket is a
//! superset of the equal values (unequal values may share a hash, and rare types hash by type alone): callers
//! check every candidate with the exact join predicate. Depends on `bson_hash`.

use bson::Bson;
use foldhash::fast::FixedState;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// The hash agreeing with BSON equality that `$addToSet` and `$group` keys use too.
pub(super) use crate::engine::bson_hash::hash_value;

/// The 64-bit hash of a value (fixed seed: a table lives for one execution of a stage).
pub(super) fn value_hash(v: &Bson) -> u64 {
    let mut h = FixedState::default().build_hasher();
    hash_value(v, &mut h);
    h.finish()
}

/// Foreign documents by the hash of their join key values: built once per execution of a `$lookup`.
#[derive(Debug, Default)]
pub(super) struct HashTable {
    buckets: HashMap<u64, Vec<usize>>,
}

impl HashTable {
    /// Builds the table: `keys(i)` gives the values document `i` (of `n`) is found under.
    pub(super) fn build(n: usize, mut keys: impl FnMut(usize) -> Vec<Bson>) -> HashTable {
        let mut buckets: HashMap<u64, Vec<usize>> = HashMap::with_capacity(n);
        for i in 0..n {
            let mut seen: Vec<u64> = Vec::new();
            for v in keys(i) {
                let h = value_hash(&v);
                if !seen.contains(&h) {
                    seen.push(h);
                    buckets.entry(h).or_default().push(i);
                }
            }
        }
        HashTable { buckets }
    }

    /// Positions of the documents that may hold one of `values`, ascending (natural order), without repeats;
    /// borrowed from the table for one value (the common case: no copy per outer document).
    pub(super) fn candidates<'a>(&'a self, values: &[Bson]) -> Cow<'a, [usize]> {
        if let [v] = values {
            return match self.buckets.get(&value_hash(v)) {
                Some(b) => Cow::Borrowed(b.as_slice()),
                None => Cow::Borrowed(&[]),
            };
        }
        let mut out: Vec<usize> = Vec::new();
        let mut buckets = 0;
        for v in values {
            if let Some(b) = self.buckets.get(&value_hash(v)) {
                out.extend_from_slice(b);
                buckets += 1;
            }
        }
        if buckets > 1 {
            out.sort_unstable();
            out.dedup();
        }
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::bson_order::equal;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Bson> {
        let leaf = prop_oneof![
            (-3i32..3).prop_map(Bson::Int32),
            (-3i64..3).prop_map(Bson::Int64),
            prop_oneof![
                Just(0.0),
                Just(-0.0),
                Just(1.0),
                Just(1.5),
                Just(f64::NAN),
                Just(-2.0)
            ]
            .prop_map(Bson::Double),
            prop_oneof![Just("0"), Just("1"), Just("1.5"), Just("-0")].prop_map(|s: &str| {
                Bson::Decimal128(
                    s.parse()
                        .unwrap_or_else(|_| bson::Decimal128::from_bytes([0; 16])),
                )
            }),
            prop_oneof![Just("a"), Just("b"), Just("")].prop_map(|s: &str| Bson::String(s.into())),
            Just(Bson::Null),
            Just(Bson::Undefined),
            any::<bool>().prop_map(Bson::Boolean),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Bson::Array),
                prop::collection::vec(("[ab]", inner), 0..3)
                    .prop_map(|kv| { Bson::Document(kv.into_iter().collect()) }),
            ]
        })
    }

    proptest! {
        /// Values equal in the BSON order always hash alike (what makes a bucket a superset of the matches).
        #[test]
        fn equal_values_hash_alike(a in value(), b in value()) {
            if equal(&a, &b) {
                prop_assert_eq!(value_hash(&a), value_hash(&b), "{:?} == {:?}", a, b);
            }
        }
    }

    #[test]
    fn numbers_of_every_width_share_a_bucket() {
        let one = [
            Bson::Int32(1),
            Bson::Int64(1),
            Bson::Double(1.0),
            Bson::Decimal128(
                "1.0"
                    .parse()
                    .unwrap_or_else(|_| bson::Decimal128::from_bytes([0; 16])),
            ),
        ];
        for x in &one {
            assert_eq!(value_hash(x), value_hash(&one[0]));
        }
        assert_eq!(value_hash(&Bson::Double(-0.0)), value_hash(&Bson::Int32(0)));
        assert_ne!(value_hash(&Bson::Int32(1)), value_hash(&Bson::Int32(2)));
        let t = HashTable::build(3, |i| vec![Bson::Int32(i as i32 % 2)]);
        assert_eq!(t.candidates(&[Bson::Double(0.0)]).to_vec(), vec![0, 2]);
        assert_eq!(
            t.candidates(&[Bson::Int64(1), Bson::Int32(0)]).to_vec(),
            vec![0, 1, 2]
        );
    }
}
