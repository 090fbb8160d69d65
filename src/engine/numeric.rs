//! MongoDB numeric arithmetic: int32 / int64 / double / decimal128 kept apart, with mongod's promotion rules.
//!
//! In: BSON values; out: BSON values. Rules (as mongod): the result type is the "widest" operand type in
//! the order int32 < int64 < double < decimal; int32 results that overflow become int64, int64 results that
//! overflow become double. Decimal arithmetic goes through `rust_decimal` (28 significant digits; values
//! outside its range fall back to double). Depends on `bson` only.

use bson::{Bson, Decimal128};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use std::str::FromStr;

/// A number lifted out of BSON.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// 32-bit integer.
    Int(i32),
    /// 64-bit integer.
    Long(i64),
    /// IEEE double.
    Double(f64),
    /// Decimal (converted from Decimal128).
    Decimal(Decimal),
}

impl Num {
    /// The number in `v`, if it is numeric (int32, int64, double, decimal128).
    pub fn from_bson(v: &Bson) -> Option<Num> {
        match v {
            Bson::Int32(i) => Some(Num::Int(*i)),
            Bson::Int64(i) => Some(Num::Long(*i)),
            Bson::Double(d) => Some(Num::Double(*d)),
            Bson::Decimal128(d) => Some(match decimal128_to_decimal(d) {
                Some(x) => Num::Decimal(x),
                None => Num::Double(super::bson_order::decimal_to_f64(d)),
            }),
            _ => None,
        }
    }

    /// Back to BSON.
    pub fn to_bson(self) -> Bson {
        match self {
            Num::Int(i) => Bson::Int32(i),
            Num::Long(i) => Bson::Int64(i),
            Num::Double(d) => Bson::Double(d),
            Num::Decimal(d) => decimal_to_bson(d),
        }
    }

    /// Rank in the promotion order.
    fn rank(self) -> u8 {
        match self {
            Num::Int(_) => 0,
            Num::Long(_) => 1,
            Num::Double(_) => 2,
            Num::Decimal(_) => 3,
        }
    }

    /// As a double (lossy for large integers and decimals).
    pub fn to_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Long(i) => i as f64,
            Num::Double(d) => d,
            Num::Decimal(d) => d.to_f64().unwrap_or(f64::NAN),
        }
    }

    /// As a decimal; `None` for NaN / infinities / out-of-range doubles.
    pub fn to_decimal(self) -> Option<Decimal> {
        match self {
            Num::Int(i) => Some(Decimal::from(i)),
            Num::Long(i) => Some(Decimal::from(i)),
            Num::Double(d) => double_to_decimal(d),
            Num::Decimal(d) => Some(d),
        }
    }

    /// As an i64 when integral and in range.
    pub fn to_i64_exact(self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(i as i64),
            Num::Long(i) => Some(i),
            Num::Double(d) => {
                if d.fract() == 0.0
                    && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&d)
                {
                    Some(d as i64)
                } else {
                    None
                }
            }
            Num::Decimal(d) => {
                if d.fract().is_zero() {
                    d.to_i64()
                } else {
                    None
                }
            }
        }
    }

    /// Whether the value is zero.
    pub fn is_zero(self) -> bool {
        match self {
            Num::Int(i) => i == 0,
            Num::Long(i) => i == 0,
            Num::Double(d) => d == 0.0,
            Num::Decimal(d) => d.is_zero(),
        }
    }
}

/// Double to decimal the way mongod converts (15 significant digits).
pub fn double_to_decimal(d: f64) -> Option<Decimal> {
    short_double_to_decimal(d).or_else(|| double_to_decimal_by_text(d))
}

/// Powers of ten exactly representable as f64, for [`short_double_to_decimal`].
const POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// [`double_to_decimal`] without the text, for a nonzero double that is the nearest f64 to a decimal
/// `m / 10^s` of at most 15 digits (`0.5`, `19.99`, `-3`: the constants of a plan, most stored values): that
/// decimal is then what rounding the double to 15 significant digits gives (the double is within half an
/// ulp, 2^-53 of its value, of it; half a step of the 15-digit grid is at least 5 * 10^-16 of it), so the
/// answer is `m / 10^s` normalized, as the text route's. `None` for any other double (the text route
/// answers).
fn short_double_to_decimal(d: f64) -> Option<Decimal> {
    if d == 0.0 || !d.is_finite() || d.abs() >= 1e15 {
        return None;
    }
    for (s, p) in POWERS_OF_TEN.iter().enumerate() {
        let m = (d * p).round();
        if m.abs() >= 1e15 {
            return None;
        }
        // `m` and `p` are exact as f64, so the quotient is the nearest f64 to `m / 10^s`.
        if m / p == d {
            return Some(Decimal::from_i128_with_scale(m as i128, s as u32).normalize());
        }
    }
    None
}

/// [`double_to_decimal`] through the text form `{:.14e}` (the general route).
fn double_to_decimal_by_text(d: f64) -> Option<Decimal> {
    if !d.is_finite() {
        return None;
    }
    let s = format!("{:.14e}", d);
    Decimal::from_scientific(&s)
        .ok()
        .or_else(|| Decimal::from_f64(d))
        .map(|x| x.normalize())
}

/// Decimal128 to `rust_decimal`, if representable.
pub fn decimal128_to_decimal(d: &Decimal128) -> Option<Decimal> {
    super::decimal_bits::to_decimal(d).or_else(|| decimal128_to_decimal_by_text(d))
}

/// [`decimal128_to_decimal`] through the text form (the general route).
fn decimal128_to_decimal_by_text(d: &Decimal128) -> Option<Decimal> {
    let s = d.to_string();
    Decimal::from_str(&s)
        .ok()
        .or_else(|| Decimal::from_scientific(&s).ok())
}

/// `rust_decimal` to a BSON Decimal128.
pub fn decimal_to_bson(d: Decimal) -> Bson {
    match super::decimal_bits::from_decimal(d) {
        Some(x) => Bson::Decimal128(x),
        None => decimal_to_bson_by_text(d),
    }
}

/// [`decimal_to_bson`] through the text form (the general route).
fn decimal_to_bson_by_text(d: Decimal) -> Bson {
    match Decimal128::from_str(&d.to_string()) {
        Ok(x) => Bson::Decimal128(x),
        Err(_) => Bson::Double(d.to_f64().unwrap_or(f64::NAN)),
    }
}

/// Whether `v` is a number.
pub fn is_number(v: &Bson) -> bool {
    matches!(
        v,
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_)
    )
}

/// Arithmetic operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
}

/// `a op b` with mongod's promotion and overflow rules.
#[inline]
pub fn arith(op: Op, a: Num, b: Num) -> Num {
    // Sums of two values of one common type first, inline (the same answers as the general path).
    match (op, a, b) {
        (Op::Add, Num::Double(x), Num::Double(y)) => Num::Double(x + y),
        (Op::Add, Num::Int(x), Num::Int(y)) if x.checked_add(y).is_some() => Num::Int(x + y),
        (Op::Add, Num::Long(x), Num::Long(y)) if x.checked_add(y).is_some() => Num::Long(x + y),
        _ => arith_general(op, a, b),
    }
}

/// [`arith`] for any operands.
fn arith_general(op: Op, a: Num, b: Num) -> Num {
    let rank = a.rank().max(b.rank());
    match rank {
        0 | 1 => {
            let (x, y) = (a.to_i64_exact().unwrap_or(0), b.to_i64_exact().unwrap_or(0));
            let r = match op {
                Op::Add => x.checked_add(y),
                Op::Sub => x.checked_sub(y),
                Op::Mul => x.checked_mul(y),
            };
            match r {
                Some(r) if rank == 0 && i32::try_from(r).is_ok() => Num::Int(r as i32),
                Some(r) => Num::Long(r),
                None => Num::Double(float_op(op, x as f64, y as f64)),
            }
        }
        2 => Num::Double(float_op(op, a.to_f64(), b.to_f64())),
        _ => match (a.to_decimal(), b.to_decimal()) {
            (Some(x), Some(y)) => {
                let r = match op {
                    Op::Add => x.checked_add(y),
                    Op::Sub => x.checked_sub(y),
                    Op::Mul => x.checked_mul(y),
                };
                match r {
                    Some(r) => Num::Decimal(r),
                    None => Num::Double(float_op(op, a.to_f64(), b.to_f64())),
                }
            }
            _ => Num::Double(float_op(op, a.to_f64(), b.to_f64())),
        },
    }
}

fn float_op(op: Op, x: f64, y: f64) -> f64 {
    match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
    }
}

/// `a / b`: double unless a decimal is involved; `None` when `b` is zero (mongod errors).
pub fn divide(a: Num, b: Num) -> Option<Num> {
    if b.is_zero() {
        return None;
    }
    if a.rank() == 3 || b.rank() == 3 {
        if let (Some(x), Some(y)) = (a.to_decimal(), b.to_decimal()) {
            if let Some(r) = x.checked_div(y) {
                return Some(Num::Decimal(r));
            }
        }
    }
    Some(Num::Double(a.to_f64() / b.to_f64()))
}

/// `a % b` (sign of the dividend, like mongod's `$mod`); `None` when `b` is zero.
pub fn modulo(a: Num, b: Num) -> Option<Num> {
    if b.is_zero() {
        return None;
    }
    let rank = a.rank().max(b.rank());
    match rank {
        0 | 1 => {
            let (x, y) = (a.to_i64_exact()?, b.to_i64_exact()?);
            let r = x.checked_rem(y).unwrap_or(0);
            Some(if rank == 0 {
                Num::Int(r as i32)
            } else {
                Num::Long(r)
            })
        }
        2 => Some(Num::Double(a.to_f64() % b.to_f64())),
        _ => match (a.to_decimal(), b.to_decimal()) {
            (Some(x), Some(y)) => x.checked_rem(y).map(Num::Decimal),
            _ => Some(Num::Double(a.to_f64() % b.to_f64())),
        },
    }
}

/// Sum of many numbers the way `$sum` / `$add` accumulate (non-numbers are the caller's business).
pub fn sum<I: IntoIterator<Item = Num>>(items: I) -> Num {
    items
        .into_iter()
        .fold(Num::Int(0), |acc, x| arith(Op::Add, acc, x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn num() -> impl Strategy<Value = Num> {
        prop_oneof![
            any::<i32>().prop_map(Num::Int),
            prop_oneof![Just(i32::MAX), Just(i32::MIN), Just(-1), Just(1)].prop_map(Num::Int),
            any::<i64>().prop_map(Num::Long),
            prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(-1), Just(1)].prop_map(Num::Long),
            any::<f64>().prop_map(Num::Double),
        ]
    }

    fn same(a: Num, b: Num) -> bool {
        match (a, b) {
            (Num::Double(x), Num::Double(y)) => {
                x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
            }
            (x, y) => format!("{x:?}") == format!("{y:?}"),
        }
    }

    /// Decimal128 values of every kind: any 16 bytes (NaN, infinities, non-canonical encodings), and finite
    /// values with exponents around rust_decimal's scales and coefficients of every width.
    fn decimal128() -> impl Strategy<Value = Decimal128> {
        let finite = (
            any::<bool>(),
            6176u64 - 40..6176 + 40,
            0u32..114,
            any::<u128>(),
        )
            .prop_map(|(neg, exp, bits, c)| {
                let c = if bits == 0 { 0 } else { c >> (128 - bits) };
                let hi =
                    (u64::from(neg) << 63) | (exp << 49) | ((c >> 64) as u64 & ((1 << 49) - 1));
                let mut b = [0u8; 16];
                b[..8].copy_from_slice(&(c as u64).to_le_bytes());
                b[8..].copy_from_slice(&hi.to_le_bytes());
                Decimal128::from_bytes(b)
            });
        prop_oneof![
            3 => finite,
            1 => any::<[u8; 16]>().prop_map(Decimal128::from_bytes),
            1 => prop_oneof![Just("0"), Just("-0"), Just("0E-3"), Just("1E+3"), Just("-1.10"), Just("NaN"), Just("-Infinity")]
                .prop_map(|t| t.parse::<Decimal128>().expect("a decimal")),
        ]
    }

    fn decimal() -> impl Strategy<Value = Decimal> {
        (-(1i128 << 96) + 1..(1i128 << 96), 0u32..=28)
            .prop_map(|(m, scale)| Decimal::from_i128_with_scale(m, scale))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        /// Reading a Decimal128's bits gives what its text gives, scale and sign included, whenever it answers.
        #[test]
        fn decimal128_bits_read_what_the_text_reads(d in decimal128()) {
            let by_text = decimal128_to_decimal_by_text(&d);
            if let Some(fast) = crate::engine::decimal_bits::to_decimal(&d) {
                prop_assert_eq!(Some(fast.serialize()), by_text.map(|x| x.serialize()), "{}", d);
            }
            prop_assert_eq!(
                decimal128_to_decimal(&d).map(|x| x.serialize()),
                by_text.map(|x| x.serialize())
            );
        }

        /// Writing a Decimal's bits gives the Decimal128 its text gives.
        #[test]
        fn decimal_bits_write_what_the_text_writes(d in decimal()) {
            let by_text = decimal_to_bson_by_text(d);
            if let Some(fast) = crate::engine::decimal_bits::from_decimal(d) {
                prop_assert_eq!(Bson::Decimal128(fast), by_text.clone(), "{}", d);
            }
            prop_assert_eq!(decimal_to_bson(d), by_text);
        }
    }

    /// Doubles of every kind, with many that are the nearest f64 to a short decimal (`19.99`, `0.5`,
    /// `-3`, `1e-7`) and their neighbours one ulp away.
    fn double() -> impl Strategy<Value = f64> {
        let short = (
            -999_999_999_999_999i64..=999_999_999_999_999,
            0u32..=22,
            -1i64..=1,
        )
            .prop_map(|(m, s, nudge)| {
                let d = m as f64 / 10f64.powi(s as i32);
                f64::from_bits((d.to_bits() as i64 + nudge) as u64)
            });
        prop_oneof![
            3 => short,
            1 => (-99_999i64..=99_999, 0u32..=6).prop_map(|(m, s)| m as f64 / 10f64.powi(s as i32)),
            1 => any::<f64>(),
            1 => prop_oneof![Just(0.0), Just(-0.0), Just(0.5), Just(1e15), Just(999_999_999_999_999.0),
                Just(0.1 + 0.2), Just(1e-15), Just(f64::MIN_POSITIVE), Just(f64::NAN), Just(f64::INFINITY)],
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

        /// A double read without the text gives what the text route gives (`{:.14e}`), scale and sign
        /// included, whenever it answers; and `double_to_decimal` always does.
        #[test]
        fn short_doubles_convert_as_the_text_converts(d in double()) {
            let by_text = double_to_decimal_by_text(d).map(|x| x.serialize());
            if let Some(fast) = short_double_to_decimal(d) {
                prop_assert_eq!(Some(fast.serialize()), by_text, "{:e}", d);
            }
            prop_assert_eq!(double_to_decimal(d).map(|x| x.serialize()), by_text);
        }

        /// Zeros of every sign and exponent read and write as the text route reads and writes them.
        #[test]
        fn zeros_read_and_write_as_the_text_does(neg in any::<bool>(), exp in 6176u64 - 40..6176 + 40, scale in 0u32..=28) {
            let mut b = [0u8; 16];
            b[8..].copy_from_slice(&((u64::from(neg) << 63) | (exp << 49)).to_le_bytes());
            let d = Decimal128::from_bytes(b);
            let by_text = decimal128_to_decimal_by_text(&d);
            if let Some(fast) = crate::engine::decimal_bits::to_decimal(&d) {
                prop_assert_eq!(Some(fast.serialize()), by_text.map(|x| x.serialize()), "{}", d);
            }
            let z = Decimal::from_parts(0, 0, 0, neg, scale);
            let by_text = decimal_to_bson_by_text(z);
            if let Some(fast) = crate::engine::decimal_bits::from_decimal(z) {
                prop_assert_eq!(Bson::Decimal128(fast), by_text, "{}", z);
            }
        }
    }

    #[test]
    fn short_doubles_are_read_without_the_text() {
        for (d, t) in [
            (0.5, "0.5"),
            (19.99, "19.99"),
            (-3.0, "-3"),
            (1e-7, "0.0000001"),
            (100.0, "100"),
        ] {
            let fast = short_double_to_decimal(d).expect("a short decimal");
            assert_eq!(fast.to_string(), t);
            assert_eq!(
                Some(fast.serialize()),
                double_to_decimal_by_text(d).map(|x| x.serialize())
            );
        }
        // Not the nearest double to a decimal of 15 digits or fewer: the text route answers.
        for d in [0.1 + 0.2, 0.0, -0.0, 1e15, std::f64::consts::PI, f64::NAN] {
            assert_eq!(short_double_to_decimal(d), None, "{d:e}");
        }
    }

    proptest! {
        /// The inline cases of `arith` (sums of one type) give what the general rules give, type included.
        #[test]
        fn fast_sums_agree_with_the_general_rules(a in num(), b in num()) {
            for op in [Op::Add, Op::Sub, Op::Mul] {
                let (fast, general) = (arith(op, a, b), arith_general(op, a, b));
                prop_assert!(same(fast, general), "{:?} {:?} {:?}: {:?} vs {:?}", op, a, b, fast, general);
            }
        }
    }

    #[test]
    fn int_overflow_promotes() {
        assert_eq!(
            arith(Op::Add, Num::Int(i32::MAX), Num::Int(1)),
            Num::Long(i32::MAX as i64 + 1)
        );
        assert_eq!(arith(Op::Add, Num::Int(2), Num::Int(3)), Num::Int(5));
        assert!(matches!(
            arith(Op::Mul, Num::Long(i64::MAX), Num::Int(2)),
            Num::Double(_)
        ));
        assert_eq!(
            arith(Op::Add, Num::Int(1), Num::Double(0.5)),
            Num::Double(1.5)
        );
    }

    #[test]
    fn decimal_bits_answer_the_usual_values() {
        for t in [
            "1.10",
            "-12345678901234567890.123",
            "1E+3",
            "0.0000000000000000000000000001",
            "7",
        ] {
            let d: Decimal128 = t.parse().expect("a decimal");
            let fast = crate::engine::decimal_bits::to_decimal(&d).expect("read from the bits");
            assert_eq!(Some(fast), decimal128_to_decimal_by_text(&d), "{t}");
            let back = crate::engine::decimal_bits::from_decimal(fast).expect("written as bits");
            assert_eq!(Bson::Decimal128(back), decimal_to_bson_by_text(fast), "{t}");
        }
        // Zeros in plain notation, sign and scale kept.
        for t in ["0", "-0", "0.00", "-0.000000"] {
            let d: Decimal128 = t.parse().expect("a decimal");
            let fast = crate::engine::decimal_bits::to_decimal(&d).expect("a plain zero");
            assert_eq!(
                Some(fast.serialize()),
                decimal128_to_decimal_by_text(&d).map(|x| x.serialize()),
                "{t}"
            );
            let back = crate::engine::decimal_bits::from_decimal(fast).expect("written as bits");
            assert_eq!(Bson::Decimal128(back), decimal_to_bson_by_text(fast), "{t}");
        }
        // Past rust_decimal's range, special, or a zero in exponential notation: the text route answers.
        for t in ["NaN", "Infinity", "1E-29", "1E+40", "0E-7", "0E+2"] {
            let d: Decimal128 = t.parse().expect("a decimal");
            assert_eq!(crate::engine::decimal_bits::to_decimal(&d), None, "{t}");
        }
    }

    #[test]
    fn decimal_wins_and_round_trips() {
        let d = Num::from_bson(&Bson::Decimal128("1.10".parse().unwrap())).unwrap();
        let r = arith(Op::Add, d, Num::Int(2));
        assert_eq!(
            r.to_bson().to_string(),
            Bson::Decimal128("3.10".parse().unwrap()).to_string()
        );
        assert_eq!(divide(Num::Int(1), Num::Int(0)), None);
        assert_eq!(divide(Num::Int(1), Num::Int(4)), Some(Num::Double(0.25)));
        assert_eq!(modulo(Num::Int(-7), Num::Int(3)), Some(Num::Int(-1)));
    }
}
