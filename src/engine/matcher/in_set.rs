//! The operand list of `$in`, with a hash index of its values once it is long: the translator's two-step
//! DELETE / UPDATE plans end in `{_id: {$in: [the ids the first step found]}}`, and `NOT IN` deletes of 5k
//! rows then compared every candidate against every id (quadratic: 167 ms for 5k ids at 30k sessions).
//!
//! In: the values; out: whether one of them equals a document value under `$in`'s rules (the value, an
//! element of an array value, or missing for a null operand). The index is a superset filter: values whose
//! BSON hash (`bson_hash`, which agrees with the BSON order's equality) matches the probed value's are
//! checked with the exact equality, and the null and array operands, whose rules differ, are always checked.
//! Under a non-simple collation the list is searched linearly (strings equal by it may differ in bytes). A
//! property test holds the index to the linear search.

use super::leaf::eq_value;
use crate::engine::bson_hash::hash_value;
use bson::Bson;
use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// From this many values on, `$in` probes a hash index instead of comparing each.
const INDEXED: usize = 8;

/// `$in`'s values (regexes apart).
#[derive(Debug, Clone)]
pub struct InSet {
    vals: Vec<Bson>,
    /// Built at the first probe made without an active collation (string hashes are then by bytes).
    index: OnceLock<Index>,
}

#[derive(Debug, Clone, Default)]
struct Index {
    /// Positions of the values other than null and arrays, by hash.
    buckets: HashMap<u64, Vec<usize>>,
    /// Positions of the null and array values: always checked.
    others: Vec<usize>,
}

fn hash(v: &Bson) -> u64 {
    let mut h = FixedState::default().build_hasher();
    hash_value(v, &mut h);
    h.finish()
}

impl InSet {
    /// The set of `vals`.
    pub fn new(vals: Vec<Bson>) -> InSet {
        InSet {
            vals,
            index: OnceLock::new(),
        }
    }

    /// The values, in the order given.
    pub fn values(&self) -> &[Bson] {
        &self.vals
    }

    /// Whether a value of the list equals `v` under `$in`'s rules: what
    /// `values().iter().any(|x| eq_value(x, v))` answers.
    pub fn any_eq(&self, v: Option<&Bson>) -> bool {
        if self.vals.len() < INDEXED || crate::engine::collation::is_active() {
            return self.vals.iter().any(|x| eq_value(x, v));
        }
        let index = self.index.get_or_init(|| {
            let mut ix = Index::default();
            for (i, x) in self.vals.iter().enumerate() {
                match x {
                    Bson::Null | Bson::Array(_) => ix.others.push(i),
                    _ => ix.buckets.entry(hash(x)).or_default().push(i),
                }
            }
            ix
        });
        if index.others.iter().any(|&i| eq_value(&self.vals[i], v)) {
            return true;
        }
        // A value other than null and an array equals `v` (`eq_value`) only when it equals `v` itself or,
        // `v` being an array, one of its elements: those hash alike.
        let probe = |p: &Bson| {
            index
                .buckets
                .get(&hash(p))
                .is_some_and(|b| b.iter().any(|&i| eq_value(&self.vals[i], Some(p))))
        };
        match v {
            None => false,
            Some(Bson::Array(items)) => items.iter().any(probe),
            Some(p) => probe(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Bson> {
        let leaf = prop_oneof![
            (-3i32..3).prop_map(Bson::Int32),
            (-3i64..3).prop_map(Bson::Int64),
            prop_oneof![Just(0.0), Just(-0.0), Just(1.0), Just(1.5), Just(f64::NAN)]
                .prop_map(Bson::Double),
            prop_oneof![Just("1"), Just("1.5"), Just("-0")]
                .prop_map(|s: &str| Bson::Decimal128(s.parse().expect("decimal literal"))),
            prop_oneof![Just("a"), Just("b"), Just("")].prop_map(|s: &str| Bson::String(s.into())),
            Just(Bson::Null),
            Just(Bson::Undefined),
            any::<bool>().prop_map(Bson::Boolean),
            (0i32..2).prop_map(|x| Bson::Document(doc! {"x": x})),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop::collection::vec(inner, 0..3).prop_map(Bson::Array)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// The index answers what the linear search answers, for lists on both sides of the threshold.
        #[test]
        fn index_equals_linear_search(
            vals in prop::collection::vec(value(), 0..24),
            v in prop::option::of(value()),
        ) {
            let set = InSet::new(vals.clone());
            let linear = vals.iter().any(|x| eq_value(x, v.as_ref()));
            prop_assert_eq!(set.any_eq(v.as_ref()), linear, "{:?} in {:?}", v, vals);
        }
    }
}
