//! A hash of BSON values that agrees with the BSON order's equality ([`bson_order::compare`] returning
//! `Equal`): `1`, `1.0`, `NumberLong(1)` and `NumberDecimal("1")` hash alike, so do `0` and `-0.0`, a string
//! and a symbol of the same bytes, `null` and `undefined`; a document's field order counts (as it does for
//! equality). [`ValueSet`] is an insertion-ordered set on it (`$addToSet`, `COUNT(DISTINCT)`), [`SlotTable`]
//! a map from values to the slots of a caller's vector (`$group` keys).
//!
//! In: values; out: hashes and slots. Depends on `bson_order`, `hashbrown`'s `HashTable`, `foldhash`.

use super::bson_order::{compare, decimal_to_f64, type_rank};
use bson::{Bson, Document};
use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::hash::{BuildHasher, Hash, Hasher};

/// Feeds `v` to `h` so that values equal in the BSON order feed the same bytes.
pub fn hash_value<H: Hasher>(v: &Bson, h: &mut H) {
    h.write_u8(type_rank(v));
    match v {
        Bson::Int32(i) => hash_int(i64::from(*i), h),
        Bson::Int64(i) => hash_int(*i, h),
        Bson::Double(d) => hash_f64(*d, h),
        // The BSON order compares a decimal through its nearest double.
        Bson::Decimal128(d) => hash_f64(decimal_to_f64(d), h),
        // Under a collation, strings equal by it have equal sort keys.
        Bson::String(s) | Bson::Symbol(s) if super::collation::is_active() => {
            super::collation::with_active(|c| match c {
                Some(c) => c.sort_key(s).hash(h),
                None => s.hash(h),
            })
        }
        Bson::String(s) | Bson::Symbol(s) => s.hash(h),
        Bson::Document(d) => hash_document(d, h),
        Bson::Array(items) => {
            h.write_usize(items.len());
            for it in items {
                hash_value(it, h);
            }
        }
        Bson::Binary(b) => {
            h.write_u8(u8::from(b.subtype));
            b.bytes.hash(h);
        }
        Bson::ObjectId(o) => h.write(&o.bytes()),
        Bson::Boolean(b) => h.write_u8(u8::from(*b)),
        Bson::DateTime(d) => h.write_i64(d.timestamp_millis()),
        Bson::Timestamp(t) => {
            h.write_u32(t.time);
            h.write_u32(t.increment);
        }
        Bson::RegularExpression(r) => {
            r.pattern.as_str().hash(h);
            r.options.as_str().hash(h);
        }
        Bson::JavaScriptCode(c) => c.hash(h),
        Bson::JavaScriptCodeWithScope(c) => {
            c.code.hash(h);
            hash_document(&c.scope, h);
        }
        // Equal within their type whatever their contents (the order has no finer rule for them).
        Bson::Null | Bson::Undefined | Bson::MinKey | Bson::MaxKey | Bson::DbPointer(_) => {}
    }
}

fn hash_document<H: Hasher>(d: &Document, h: &mut H) {
    h.write_usize(d.len());
    for (k, v) in d {
        k.as_str().hash(h);
        hash_value(v, h);
    }
}

/// Integers by value; a double equal to an integer hashes as that integer.
fn hash_int<H: Hasher>(i: i64, h: &mut H) {
    h.write_u8(1);
    h.write_i64(i);
}

fn hash_f64<H: Hasher>(d: f64, h: &mut H) {
    const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;
    if d.is_nan() {
        h.write_u8(2);
    } else if d.fract() == 0.0 && (-I64_BOUND..I64_BOUND).contains(&d) {
        // Exactly an i64 (also -0.0 -> 0): the BSON order compares integers and doubles exactly.
        hash_int(d as i64, h);
    } else {
        h.write_u8(3);
        h.write_u64(d.to_bits());
    }
}

/// Values kept once each (BSON-order equality), in order of first insertion.
#[derive(Debug, Clone, Default)]
pub struct ValueSet {
    values: Vec<Bson>,
    table: HashTable<usize>,
    state: RandomState,
}

impl ValueSet {
    /// Adds `v` unless an equal value is present (cloned only when added); whether it was added.
    pub fn insert(&mut self, v: Cow<'_, Bson>) -> bool {
        let hash = self.hash(&v);
        let values = &self.values;
        if self
            .table
            .find(hash, |&i| compare(&values[i], &v) == Ordering::Equal)
            .is_some()
        {
            return false;
        }
        let slot = self.values.len();
        self.values.push(v.into_owned());
        let (values, state) = (&self.values, &self.state);
        self.table
            .insert_unique(hash, slot, |&i| hash_with(state, &values[i]));
        true
    }

    /// The values, in order of first insertion.
    pub fn iter(&self) -> std::slice::Iter<'_, Bson> {
        self.values.iter()
    }

    /// The values, in order of first insertion.
    pub fn into_vec(self) -> Vec<Bson> {
        self.values
    }

    fn hash(&self, v: &Bson) -> u64 {
        hash_with(&self.state, v)
    }
}

fn hash_with(state: &RandomState, v: &Bson) -> u64 {
    let mut h = state.build_hasher();
    hash_value(v, &mut h);
    h.finish()
}

/// A map from values to slots of a vector the caller keeps (the values live there only): find the slot of
/// a value equal in the BSON order, or record a new one.
#[derive(Debug, Clone, Default)]
pub struct SlotTable {
    table: HashTable<usize>,
    state: RandomState,
}

impl SlotTable {
    /// The hash [`find`](Self::find) and [`insert`](Self::insert) take for `v`.
    pub fn hash(&self, v: &Bson) -> u64 {
        hash_with(&self.state, v)
    }

    /// The slot whose value (`key_of(slot)`) equals `v`, given `v`'s [`hash`](Self::hash).
    pub fn find<'a>(
        &self,
        hash: u64,
        v: &Bson,
        key_of: impl Fn(usize) -> &'a Bson,
    ) -> Option<usize> {
        self.table
            .find(hash, |&i| compare(key_of(i), v) == Ordering::Equal)
            .copied()
    }

    /// Records `slot` (whose value hashes to `hash`; no equal value is present).
    pub fn insert<'a>(&mut self, hash: u64, slot: usize, key_of: impl Fn(usize) -> &'a Bson) {
        let state = &self.state;
        self.table
            .insert_unique(hash, slot, |&i| hash_with(state, key_of(i)));
    }

    /// Number of slots recorded.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no slot is recorded.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{bson, doc};
    use proptest::prelude::*;

    fn h(v: &Bson) -> u64 {
        hash_with(&RandomState::default(), v)
    }

    fn hashes_equal(a: &Bson, b: &Bson) -> bool {
        // One seed for both.
        let s = RandomState::default();
        hash_with(&s, a) == hash_with(&s, b)
    }

    #[test]
    fn numbers_equal_in_the_order_hash_alike() {
        let one = [
            bson!(1),
            bson!(1i64),
            bson!(1.0),
            Bson::Decimal128("1.0".parse().expect("decimal")),
        ];
        for a in &one {
            for b in &one {
                assert!(hashes_equal(a, b), "{a} {b}");
            }
        }
        assert!(hashes_equal(&bson!(0), &bson!(-0.0)));
        assert!(hashes_equal(&bson!(f64::NAN), &bson!(-f64::NAN)));
        assert!(hashes_equal(
            &Bson::Symbol("x".into()),
            &Bson::String("x".into())
        ));
        assert!(hashes_equal(&Bson::Null, &Bson::Undefined));
        assert!(hashes_equal(
            &bson!({"a": 1, "b": [1.0, "x"]}),
            &bson!({"a": 1i64, "b": [1, "x"]})
        ));
        let _ = h(&Bson::Null);
    }

    #[test]
    fn value_set_keeps_first_of_equal_values_and_field_order_counts() {
        let mut s = ValueSet::default();
        for v in [
            bson!(1),
            bson!(1.0),
            bson!(2i64),
            bson!({"a": 1, "b": 2}),
            bson!({"b": 2, "a": 1}),
            bson!({"a": 1.0, "b": 2}),
        ] {
            s.insert(Cow::Owned(v));
        }
        assert_eq!(
            s.into_vec(),
            vec![
                bson!(1),
                bson!(2i64),
                bson!({"a": 1, "b": 2}),
                bson!({"b": 2, "a": 1})
            ]
        );
    }

    fn value() -> impl Strategy<Value = Bson> {
        let leaf = prop_oneof![
            (-3i32..3).prop_map(Bson::Int32),
            (-3i64..3).prop_map(Bson::Int64),
            prop_oneof![
                Just(0.0),
                Just(-0.0),
                Just(1.0),
                Just(1.5),
                Just(-2.0),
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(9_007_199_254_740_993.0)
            ]
            .prop_map(Bson::Double),
            prop_oneof![Just("1"), Just("1.5"), Just("-0"), Just("2.50")]
                .prop_map(|s| Bson::Decimal128(s.parse().expect("decimal"))),
            prop_oneof![Just("a"), Just("b"), Just("")].prop_map(|s| Bson::String(s.into())),
            Just(Bson::Symbol("a".into())),
            Just(Bson::Null),
            Just(Bson::Undefined),
            any::<bool>().prop_map(Bson::Boolean),
            Just(Bson::MinKey),
            Just(Bson::MaxKey),
        ];
        leaf.prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Bson::Array),
                prop::collection::vec((prop_oneof![Just("a"), Just("b")], inner), 0..3).prop_map(
                    |kv| {
                        let mut d = Document::new();
                        for (k, v) in kv {
                            d.insert(k, v);
                        }
                        Bson::Document(d)
                    }
                ),
            ]
        })
    }

    proptest! {
        /// Equal in the BSON order implies equal hashes.
        #[test]
        fn equal_values_hash_alike(a in value(), b in value()) {
            if compare(&a, &b) == Ordering::Equal {
                prop_assert!(hashes_equal(&a, &b), "{} {}", a, b);
            }
        }

        /// The set holds what a linear scan with BSON-order equality (the old `$addToSet`) holds, in the
        /// same order.
        #[test]
        fn value_set_is_the_linear_scan(vals in prop::collection::vec(value(), 0..40)) {
            let mut linear: Vec<Bson> = Vec::new();
            for v in &vals {
                if !linear.iter().any(|y| compare(y, v) == Ordering::Equal) {
                    linear.push(v.clone());
                }
            }
            let mut set = ValueSet::default();
            for v in &vals {
                set.insert(Cow::Borrowed(v));
            }
            prop_assert_eq!(format!("{:?}", set.into_vec()), format!("{:?}", linear));
        }
    }

    #[test]
    fn slot_table_finds_equal_keys() {
        let keys = [bson!("a"), bson!(1), bson!({"x": 1})];
        let mut t = SlotTable::default();
        for (i, k) in keys.iter().enumerate() {
            let hsh = t.hash(k);
            assert_eq!(t.find(hsh, k, |s| &keys[s]), None);
            t.insert(hsh, i, |s| &keys[s]);
        }
        let probe = bson!({"x": 1.0});
        assert_eq!(t.find(t.hash(&probe), &probe, |s| &keys[s]), Some(2));
        assert_eq!(t.len(), 3);
        let _ = doc! {};
    }
}
