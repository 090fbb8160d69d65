//! MongoDB's total order over BSON values (the one place it lives).
//!
//! Order of types: MinKey < Null < Numbers < Symbol/String < Object < Array < BinData < ObjectId < Boolean <
//! Date < Timestamp < Regex < DBPointer < JavaScript < JavaScriptWithScope < MaxKey. Numbers of every width
//! compare by value (NaN below every other number); strings compare by bytes, or by the command's collation
//! while one is active (`collation.rs`); documents
//! compare element by element (type rank, then field name, then value); arrays element by element.

use bson::{Bson, Document};
use std::cmp::Ordering;

/// The rank of a value's type in MongoDB's comparison order; values of different rank compare by rank.
#[inline]
pub fn type_rank(v: &Bson) -> u8 {
    match v {
        Bson::MinKey => 1,
        Bson::Null | Bson::Undefined => 5,
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => 10,
        Bson::Symbol(_) | Bson::String(_) => 15,
        Bson::Document(_) => 20,
        Bson::Array(_) => 25,
        Bson::Binary(_) => 30,
        Bson::ObjectId(_) => 35,
        Bson::Boolean(_) => 40,
        Bson::DateTime(_) => 45,
        Bson::Timestamp(_) => 47,
        Bson::RegularExpression(_) => 50,
        Bson::DbPointer(_) => 55,
        Bson::JavaScriptCode(_) => 60,
        Bson::JavaScriptCodeWithScope(_) => 65,
        Bson::MaxKey => 127,
    }
}

/// mongod's name of a value's type, as `$type` reports it (`"int"`, `"string"`, `"object"`, ...).
pub fn type_name(v: &Bson) -> &'static str {
    match v {
        Bson::Double(_) => "double",
        Bson::String(_) => "string",
        Bson::Document(_) => "object",
        Bson::Array(_) => "array",
        Bson::Binary(_) => "binData",
        Bson::Undefined => "undefined",
        Bson::ObjectId(_) => "objectId",
        Bson::Boolean(_) => "bool",
        Bson::DateTime(_) => "date",
        Bson::Null => "null",
        Bson::RegularExpression(_) => "regex",
        Bson::DbPointer(_) => "dbPointer",
        Bson::JavaScriptCode(_) => "javascript",
        Bson::Symbol(_) => "symbol",
        Bson::JavaScriptCodeWithScope(_) => "javascriptWithScope",
        Bson::Int32(_) => "int",
        Bson::Timestamp(_) => "timestamp",
        Bson::Int64(_) => "long",
        Bson::Decimal128(_) => "decimal",
        Bson::MinKey => "minKey",
        Bson::MaxKey => "maxKey",
    }
}

/// A number widened for comparison: integers stay exact, everything else goes through f64.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

fn as_num(v: &Bson) -> Option<Num> {
    match v {
        Bson::Int32(i) => Some(Num::Int(i64::from(*i))),
        Bson::Int64(i) => Some(Num::Int(*i)),
        Bson::Double(d) => Some(Num::Float(*d)),
        Bson::Decimal128(d) => Some(Num::Float(decimal_to_f64(d))),
        _ => None,
    }
}

/// Converts a Decimal128 to the nearest f64 (what its canonical string form parses to; straight from the bits
/// where one exact operation gives it, `decimal_bits::to_f64`).
pub fn decimal_to_f64(d: &bson::Decimal128) -> f64 {
    if let Some(f) = super::decimal_bits::to_f64(d) {
        return f;
    }
    decimal_text_to_f64(d)
}

/// [`decimal_to_f64`] through the canonical string form, always.
fn decimal_text_to_f64(d: &bson::Decimal128) -> f64 {
    let s = d.to_string();
    match s.as_str() {
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        _ => s.parse::<f64>().unwrap_or(f64::NAN),
    }
}

fn cmp_f64(a: f64, b: f64) -> Ordering {
    // NaN sorts below every other number and equals itself.
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

fn cmp_int_float(i: i64, f: f64) -> Ordering {
    if f.is_nan() {
        return Ordering::Greater;
    }
    // Exact comparison without losing precision for large i64.
    if f >= 9.223_372_036_854_776e18 {
        return Ordering::Less;
    }
    if f < -9.223_372_036_854_776e18 {
        return Ordering::Greater;
    }
    let t = f.trunc();
    match i.cmp(&(t as i64)) {
        Ordering::Equal => {
            let frac = f - t;
            if frac > 0.0 {
                Ordering::Less
            } else if frac < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        o => o,
    }
}

fn cmp_num(a: Num, b: Num) -> Ordering {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x.cmp(&y),
        (Num::Float(x), Num::Float(y)) => cmp_f64(x, y),
        (Num::Int(x), Num::Float(y)) => cmp_int_float(x, y),
        (Num::Float(x), Num::Int(y)) => cmp_int_float(y, x).reverse(),
    }
}

/// A number that orders values as [`compare`] does, as far as it can tell them apart: `compare(a, b)` being
/// `Less` implies `order_prefix(a) <= order_prefix(b)`, and `Equal` implies equal prefixes. The type rank is the
/// top byte; below it, a number's value (as an f64, NaN lowest, -0 as 0), a string's first 15 bytes, an
/// ObjectId's 12 bytes, a date's milliseconds, a timestamp, a boolean; 0 for the rest. Sorting by the prefix
/// first and calling [`compare`] only on ties reads no heap memory for most comparisons (an index build over a
/// million keys).
pub fn order_prefix(v: &Bson) -> u128 {
    let rank = u128::from(type_rank(v)) << 120;
    let body: u128 = match v {
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => {
            let f = match as_num(v) {
                Some(Num::Int(i)) => i as f64,
                Some(Num::Float(f)) => f,
                None => 0.0,
            };
            if f.is_nan() {
                0
            } else {
                // -0.0 and 0.0 are one value; IEEE bits ordered as unsigned integers.
                let b = if f == 0.0 { 0.0f64 } else { f }.to_bits();
                let m = if b >> 63 == 1 { !b } else { b | (1 << 63) };
                u128::from(m) + 1
            }
        }
        Bson::String(s) | Bson::Symbol(s) => {
            let mut buf = [0u8; 16];
            let n = s.len().min(15);
            buf[1..=n].copy_from_slice(&s.as_bytes()[..n]);
            u128::from_be_bytes(buf)
        }
        Bson::ObjectId(o) => {
            let mut buf = [0u8; 16];
            buf[4..].copy_from_slice(&o.bytes());
            u128::from_be_bytes(buf)
        }
        Bson::Boolean(b) => u128::from(*b),
        Bson::DateTime(d) => u128::from((d.timestamp_millis() as u64) ^ (1 << 63)),
        Bson::Timestamp(t) => (u128::from(t.time) << 32) | u128::from(t.increment),
        _ => 0,
    };
    rank | body
}

/// Compares two BSON values in MongoDB's order, strings by the thread's active collation
/// ([`collation::enter`](super::collation::enter)), by their bytes when none is (the simple collation).
#[inline]
pub fn compare(a: &Bson, b: &Bson) -> Ordering {
    compare_in::<true>(a, b)
}

/// [`compare`] with the simple collation whatever the thread's active one: the order of index keys and of
/// stored structures, which a command's collation must not change.
#[inline]
pub fn compare_simple(a: &Bson, b: &Bson) -> Ordering {
    compare_in::<false>(a, b)
}

/// Two strings in the order [`compare`] gives their `Bson::String`s (the active collation's, else bytes).
#[inline]
pub fn compare_str(x: &str, y: &str) -> Ordering {
    cmp_str::<true>(x, y)
}

/// Strings in the order of the active collation (`COLLATED`) or of their bytes.
#[inline]
fn cmp_str<const COLLATED: bool>(x: &str, y: &str) -> Ordering {
    if COLLATED && super::collation::is_active() {
        return super::collation::with_active(|c| match c {
            Some(c) => c.compare(x, y),
            None => x.as_bytes().cmp(y.as_bytes()),
        });
    }
    x.as_bytes().cmp(y.as_bytes())
}

#[inline]
fn compare_in<const COLLATED: bool>(a: &Bson, b: &Bson) -> Ordering {
    // The common same-type scalars first, inline (the same answers as the general path).
    match (a, b) {
        (Bson::Double(x), Bson::Double(y)) => cmp_f64(*x, *y),
        (Bson::Int32(x), Bson::Int32(y)) => x.cmp(y),
        (Bson::Int64(x), Bson::Int64(y)) => x.cmp(y),
        (Bson::String(x), Bson::String(y)) => cmp_str::<COLLATED>(x, y),
        (Bson::Boolean(x), Bson::Boolean(y)) => x.cmp(y),
        (Bson::DateTime(x), Bson::DateTime(y)) => x.timestamp_millis().cmp(&y.timestamp_millis()),
        // Every `_id_` index entry of a generated `_id` compares here.
        (Bson::ObjectId(x), Bson::ObjectId(y)) => x.bytes().cmp(&y.bytes()),
        _ => compare_general::<COLLATED>(a, b),
    }
}

/// [`compare`] for any pair of values.
fn compare_general<const COLLATED: bool>(a: &Bson, b: &Bson) -> Ordering {
    let (ra, rb) = (type_rank(a), type_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        _ if ra == 10 => match (as_num(a), as_num(b)) {
            (Some(x), Some(y)) => cmp_num(x, y),
            _ => Ordering::Equal,
        },
        (Bson::String(x) | Bson::Symbol(x), Bson::String(y) | Bson::Symbol(y)) => {
            cmp_str::<COLLATED>(x, y)
        }
        (Bson::Document(x), Bson::Document(y)) => compare_documents_in::<COLLATED>(x, y),
        (Bson::Array(x), Bson::Array(y)) => compare_arrays_in::<COLLATED>(x, y),
        (Bson::Binary(x), Bson::Binary(y)) => x
            .bytes
            .len()
            .cmp(&y.bytes.len())
            .then_with(|| u8::from(x.subtype).cmp(&u8::from(y.subtype)))
            .then_with(|| x.bytes.cmp(&y.bytes)),
        (Bson::ObjectId(x), Bson::ObjectId(y)) => x.bytes().cmp(&y.bytes()),
        (Bson::Boolean(x), Bson::Boolean(y)) => x.cmp(y),
        (Bson::DateTime(x), Bson::DateTime(y)) => x.timestamp_millis().cmp(&y.timestamp_millis()),
        (Bson::Timestamp(x), Bson::Timestamp(y)) => x
            .time
            .cmp(&y.time)
            .then_with(|| x.increment.cmp(&y.increment)),
        (Bson::RegularExpression(x), Bson::RegularExpression(y)) => x
            .pattern
            .as_str()
            .cmp(y.pattern.as_str())
            .then_with(|| x.options.as_str().cmp(y.options.as_str())),
        (Bson::JavaScriptCode(x), Bson::JavaScriptCode(y)) => x.cmp(y),
        (Bson::JavaScriptCodeWithScope(x), Bson::JavaScriptCodeWithScope(y)) => x
            .code
            .cmp(&y.code)
            .then_with(|| compare_documents_in::<COLLATED>(&x.scope, &y.scope)),
        _ => Ordering::Equal,
    }
}

/// Compares two documents element by element: type rank, then field name, then value; shorter first.
fn compare_documents_in<const COLLATED: bool>(a: &Document, b: &Document) -> Ordering {
    let mut ia = a.iter();
    let mut ib = b.iter();
    loop {
        match (ia.next(), ib.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some((ka, va)), Some((kb, vb))) => {
                let o = type_rank(va)
                    .cmp(&type_rank(vb))
                    .then_with(|| ka.as_bytes().cmp(kb.as_bytes()))
                    .then_with(|| compare_in::<COLLATED>(va, vb));
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// Compares two arrays element by element; a prefix sorts first.
pub fn compare_arrays(a: &[Bson], b: &[Bson]) -> Ordering {
    compare_arrays_in::<true>(a, b)
}

fn compare_arrays_in<const COLLATED: bool>(a: &[Bson], b: &[Bson]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let o = compare_in::<COLLATED>(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// Equality in MongoDB's sense: same order position (so `1 == 1.0 == NumberLong(1)`).
pub fn equal(a: &Bson, b: &Bson) -> bool {
    compare(a, b) == Ordering::Equal
}

/// Type- and order-exact equality (NaN equal to itself): `1` and `1.0` differ, so do `0.0` and `-0.0`, and
/// `{a: 1, b: 2}` and `{b: 2, a: 1}`; what mongod tells apart by comparing bytes (`nModified`, a memo key).
pub fn identical(a: &Bson, b: &Bson) -> bool {
    match (a, b) {
        (Bson::Double(x), Bson::Double(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Bson::Document(x), Bson::Document(y)) => identical_documents(x, y),
        (Bson::Array(x), Bson::Array(y)) => identical_lists(x, y),
        _ => a == b,
    }
}

/// [`identical`] element by element, same length.
pub fn identical_lists(a: &[Bson], b: &[Bson]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(p, q)| identical(p, q))
}

/// [`identical`] for documents: the same fields in the same order with identical values.
pub fn identical_documents(a: &bson::Document, b: &bson::Document) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b.iter())
            .all(|((ka, va), (kb, vb))| ka == kb && identical(va, vb))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{bson, doc};
    use proptest::prelude::*;

    fn decimal() -> impl Strategy<Value = bson::Decimal128> {
        let coefficient = prop_oneof![
            0u128..1000,
            (1u128 << 53) - 3..(1u128 << 53) + 3,
            0u128..1 << 60,
            0u128..10u128.pow(34),
        ];
        prop_oneof![
            4 => (any::<bool>(), coefficient, -40i32..40).prop_map(|(neg, c, e)| {
                let sign = if neg { "-" } else { "" };
                format!("{sign}{c}E{e}").parse().expect("a decimal")
            }),
            1 => any::<[u8; 16]>().prop_map(bson::Decimal128::from_bytes),
        ]
    }

    proptest! {
        /// The conversion from the bits gives what the text route gives, bit for bit (NaN as NaN).
        #[test]
        fn decimal_to_f64_equals_the_text_route(d in decimal()) {
            let (fast, text) = (decimal_to_f64(&d), decimal_text_to_f64(&d));
            prop_assert!(fast.to_bits() == text.to_bits() || (fast.is_nan() && text.is_nan()), "{d}: {fast} vs {text}");
        }
    }

    fn scalar() -> impl Strategy<Value = Bson> {
        prop_oneof![
            any::<f64>().prop_map(Bson::Double),
            prop_oneof![Just(f64::NAN), Just(0.0), Just(-0.0), Just(f64::INFINITY)]
                .prop_map(Bson::Double),
            any::<i32>().prop_map(Bson::Int32),
            (-3i32..3).prop_map(Bson::Int32),
            any::<i64>().prop_map(Bson::Int64),
            (-3i64..3).prop_map(Bson::Int64),
            "[a-c]{0,3}".prop_map(Bson::String),
            any::<bool>().prop_map(Bson::Boolean),
            (-3i64..3).prop_map(|m| Bson::DateTime(bson::DateTime::from_millis(m))),
            Just(Bson::Null),
            any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
            (0u8..3, 0u8..3).prop_map(|(a, b)| {
                let mut bytes = [a; 12];
                bytes[11] = b;
                Bson::ObjectId(bson::oid::ObjectId::from_bytes(bytes))
            }),
        ]
    }

    /// More values for the prefix: long strings sharing their first 15 bytes, ObjectIds, timestamps,
    /// decimals, documents.
    fn prefixed() -> impl Strategy<Value = Bson> {
        prop_oneof![
            3 => scalar(),
            1 => "[ab]{14,17}".prop_map(Bson::String),
            1 => any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
            1 => (0u32..3, 0u32..3).prop_map(|(time, increment)| Bson::Timestamp(bson::Timestamp { time, increment })),
            1 => (-3i32..3).prop_map(|i| Bson::Decimal128(i.to_string().parse().unwrap())),
            1 => (0i32..2).prop_map(|i| bson!({"a": i})),
            1 => Just(Bson::MinKey),
            1 => Just(Bson::MaxKey),
        ]
    }

    proptest! {
        /// The order prefix never contradicts the order: a smaller value never has a larger prefix, equal
        /// values have equal prefixes.
        #[test]
        fn order_prefix_is_monotonic(a in prefixed(), b in prefixed()) {
            let (pa, pb) = (order_prefix(&a), order_prefix(&b));
            match compare(&a, &b) {
                Ordering::Less => prop_assert!(pa <= pb, "{:?} < {:?} but prefixes {:x} > {:x}", a, b, pa, pb),
                Ordering::Equal => prop_assert_eq!(pa, pb, "{:?} = {:?}", a, b),
                Ordering::Greater => prop_assert!(pa >= pb, "{:?} > {:?} but prefixes {:x} < {:x}", a, b, pa, pb),
            }
        }

        /// The inline same-type cases of `compare` answer as the general comparison does.
        #[test]
        fn fast_comparisons_agree_with_the_general_order(a in scalar(), b in scalar()) {
            prop_assert_eq!(compare(&a, &b), compare_general::<true>(&a, &b));
            prop_assert_eq!(compare(&b, &a), compare_general::<true>(&a, &b).reverse());
        }

        /// ObjectIds (the generated `_id`s every `_id_` index insert compares) compare inline as the
        /// general order does: equal ids, ids differing in one byte only, random ids.
        #[test]
        fn object_ids_agree_with_the_general_order(
            a in any::<[u8; 12]>(),
            b in any::<[u8; 12]>(),
            same_but in proptest::option::of((0usize..12, 0u8..3)),
        ) {
            let b = match same_but {
                Some((at, x)) => {
                    let mut c = a;
                    c[at] = c[at].wrapping_add(x);
                    c
                }
                None => b,
            };
            let (a, b) = (Bson::ObjectId(bson::oid::ObjectId::from_bytes(a)), Bson::ObjectId(bson::oid::ObjectId::from_bytes(b)));
            prop_assert_eq!(compare(&a, &b), compare_general::<true>(&a, &b));
        }
    }

    #[test]
    fn numbers_compare_across_widths() {
        assert_eq!(
            compare(&Bson::Int32(1), &Bson::Double(1.0)),
            Ordering::Equal
        );
        assert_eq!(
            compare(&Bson::Int64(i64::MAX), &Bson::Double(9.3e18)),
            Ordering::Less
        );
        assert_eq!(
            compare(&Bson::Int64(3), &Bson::Double(2.5)),
            Ordering::Greater
        );
        assert_eq!(
            compare(&Bson::Double(f64::NAN), &Bson::Int32(i32::MIN)),
            Ordering::Less
        );
        assert_eq!(
            compare(&Bson::Double(-0.5), &Bson::Int32(0)),
            Ordering::Less
        );
    }

    #[test]
    fn type_order_is_mongodb_order() {
        let ordered = [
            Bson::MinKey,
            Bson::Null,
            Bson::Int32(100),
            bson!("a"),
            bson!({"a": 1}),
            bson!([1]),
            Bson::ObjectId(bson::oid::ObjectId::from_bytes([0; 12])),
            Bson::Boolean(false),
            Bson::DateTime(bson::DateTime::from_millis(0)),
            Bson::MaxKey,
        ];
        for w in ordered.windows(2) {
            assert_eq!(
                compare(&w[0], &w[1]),
                Ordering::Less,
                "{:?} < {:?}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn strings_by_bytes_and_documents_by_elements() {
        assert_eq!(compare(&bson!("B"), &bson!("a")), Ordering::Less);
        assert_eq!(compare(&bson!("é"), &bson!("z")), Ordering::Greater);
        assert_eq!(
            compare_documents_in::<true>(&doc! {"a": 1}, &doc! {"a": 1, "b": 0}),
            Ordering::Less
        );
        assert_eq!(
            compare_documents_in::<true>(&doc! {"a": 2}, &doc! {"b": 1}),
            Ordering::Less
        );
        assert_eq!(
            compare_arrays(&[bson!(1), bson!(2)], &[bson!(1)]),
            Ordering::Greater
        );
    }
}
