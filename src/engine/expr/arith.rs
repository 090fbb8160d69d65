//! Arithmetic, math, comparison and `$not`: null and missing arguments give null (comparisons compare them:
//! missing < null < everything else), numbers follow mongod's promotion rules (`numeric`), dates take part
//! in `$add` / `$subtract`.

use super::{err, nullish, truthy, Op};
use crate::engine::bson_order::{compare, type_name};
use crate::engine::numeric::{self, Num};
use crate::engine::CommandError;
use bson::Bson;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;

fn tname(v: &Option<Bson>) -> &'static str {
    v.as_ref().map(type_name).unwrap_or("missing")
}

fn cmp_opt(a: &Option<Bson>, b: &Option<Bson>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => compare(x, y),
    }
}

fn num(v: &Option<Bson>) -> Option<Num> {
    v.as_ref().and_then(Num::from_bson)
}

pub(super) fn eval(op: Op, vals: &mut [Option<Bson>]) -> Result<Option<Bson>, CommandError> {
    use Op::*;
    let bool_ = |b: bool| Ok(Some(Bson::Boolean(b)));
    match op {
        Eq => bool_(cmp_opt(&vals[0], &vals[1]) == Ordering::Equal),
        Ne => bool_(cmp_opt(&vals[0], &vals[1]) != Ordering::Equal),
        Gt => bool_(cmp_opt(&vals[0], &vals[1]) == Ordering::Greater),
        Gte => bool_(cmp_opt(&vals[0], &vals[1]) != Ordering::Less),
        Lt => bool_(cmp_opt(&vals[0], &vals[1]) == Ordering::Less),
        Lte => bool_(cmp_opt(&vals[0], &vals[1]) != Ordering::Greater),
        Cmp => Ok(Some(Bson::Int32(match cmp_opt(&vals[0], &vals[1]) {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        }))),
        Not => bool_(!truthy(vals[0].as_ref())),
        Add => add(vals),
        Multiply => {
            let mut acc = Num::Int(1);
            for v in vals.iter() {
                if nullish(v) {
                    return Ok(Some(Bson::Null));
                }
                let n = num(v).ok_or_else(|| {
                    err(
                        16555,
                        format!("$multiply only supports numeric types, not {}", tname(v)),
                    )
                })?;
                acc = numeric::arith(numeric::Op::Mul, acc, n);
            }
            Ok(Some(acc.to_bson()))
        }
        Subtract => subtract(&vals[0], &vals[1]),
        Divide => {
            if nullish(&vals[0]) || nullish(&vals[1]) {
                return Ok(Some(Bson::Null));
            }
            let (a, b) = match (num(&vals[0]), num(&vals[1])) {
                (Some(a), Some(b)) => (a, b),
                _ => {
                    return Err(err(
                        16609,
                        format!(
                            "$divide only supports numeric types, not {} and {}",
                            tname(&vals[0]),
                            tname(&vals[1])
                        ),
                    ))
                }
            };
            numeric::divide(a, b)
                .map(|r| Some(r.to_bson()))
                .ok_or_else(|| err(2, "can't $divide by zero"))
        }
        Mod => {
            if nullish(&vals[0]) || nullish(&vals[1]) {
                return Ok(Some(Bson::Null));
            }
            let (a, b) = match (num(&vals[0]), num(&vals[1])) {
                (Some(a), Some(b)) => (a, b),
                _ => {
                    return Err(err(
                        16611,
                        format!(
                            "$mod only supports numeric types, not {} and {}",
                            tname(&vals[0]),
                            tname(&vals[1])
                        ),
                    ))
                }
            };
            numeric::modulo(a, b)
                .map(|r| Some(r.to_bson()))
                .ok_or_else(|| err(16610, "can't $mod by zero"))
        }
        Abs | Ceil | Floor | Sqrt | Exp | Ln | Log10 => unary_math(op, &vals[0]),
        Pow | Log => {
            if nullish(&vals[0]) || nullish(&vals[1]) {
                return Ok(Some(Bson::Null));
            }
            let (a, b) = match (num(&vals[0]), num(&vals[1])) {
                (Some(a), Some(b)) => (a, b),
                _ => {
                    return Err(err(
                        28762,
                        format!("{} only supports numeric types", op.name()),
                    ))
                }
            };
            if op == Log {
                return Ok(Some(Bson::Double(a.to_f64().ln() / b.to_f64().ln())));
            }
            pow(a, b)
        }
        Round | Trunc => round(op, &vals[0], vals.get(1).cloned().flatten()),
        _ => Err(err(1, format!("internal: {} is not arithmetic", op.name()))),
    }
}

fn add(vals: &mut [Option<Bson>]) -> Result<Option<Bson>, CommandError> {
    let mut acc = Num::Int(0);
    let mut date: Option<i64> = None;
    for v in vals.iter() {
        if nullish(v) {
            return Ok(Some(Bson::Null));
        }
        match v {
            Some(Bson::DateTime(d)) => {
                if date.is_some() {
                    return Err(err(16612, "only one date allowed in an $add expression"));
                }
                date = Some(d.timestamp_millis());
            }
            _ => {
                let n = num(v).ok_or_else(|| {
                    err(
                        16554,
                        format!("$add only supports numeric or date types, not {}", tname(v)),
                    )
                })?;
                acc = numeric::arith(numeric::Op::Add, acc, n);
            }
        }
    }
    Ok(Some(match date {
        Some(ms) => Bson::DateTime(bson::DateTime::from_millis(
            ms.saturating_add(round_ms(acc)),
        )),
        None => acc.to_bson(),
    }))
}

fn round_ms(n: Num) -> i64 {
    match n {
        Num::Int(i) => i as i64,
        Num::Long(i) => i,
        other => other.to_f64().round() as i64,
    }
}

fn subtract(a: &Option<Bson>, b: &Option<Bson>) -> Result<Option<Bson>, CommandError> {
    if nullish(a) || nullish(b) {
        return Ok(Some(Bson::Null));
    }
    match (a, b) {
        (Some(Bson::DateTime(x)), Some(Bson::DateTime(y))) => Ok(Some(Bson::Int64(
            x.timestamp_millis().saturating_sub(y.timestamp_millis()),
        ))),
        (Some(Bson::DateTime(x)), _) => {
            let n = num(b)
                .ok_or_else(|| err(16613, format!("cant $subtract a {} from a Date", tname(b))))?;
            Ok(Some(Bson::DateTime(bson::DateTime::from_millis(
                x.timestamp_millis().saturating_sub(round_ms(n)),
            ))))
        }
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => Ok(Some(numeric::arith(numeric::Op::Sub, x, y).to_bson())),
            _ => Err(err(
                16556,
                format!("cant $subtract a {} from a {}", tname(b), tname(a)),
            )),
        },
    }
}

fn unary_math(op: Op, v: &Option<Bson>) -> Result<Option<Bson>, CommandError> {
    if nullish(v) {
        return Ok(Some(Bson::Null));
    }
    let n = num(v).ok_or_else(|| {
        err(
            28765,
            format!(
                "{} only supports numeric types, not {}",
                op.name(),
                tname(v)
            ),
        )
    })?;
    let f = |x: f64| -> f64 {
        match op {
            Op::Ceil => x.ceil(),
            Op::Floor => x.floor(),
            Op::Sqrt => x.sqrt(),
            Op::Exp => x.exp(),
            Op::Ln => x.ln(),
            Op::Log10 => x.log10(),
            _ => x.abs(),
        }
    };
    if matches!(op, Op::Sqrt | Op::Ln | Op::Log10) && n.to_f64() < 0.0 {
        return Err(err(
            28714,
            format!(
                "{}'s argument must be a positive number, but {} is not",
                op.name(),
                n.to_f64()
            ),
        ));
    }
    Ok(Some(match (op, n) {
        (Op::Abs, Num::Int(i)) => i
            .checked_abs()
            .map(Bson::Int32)
            .unwrap_or(Bson::Int64((i as i64).abs())),
        (Op::Abs, Num::Long(i)) => i
            .checked_abs()
            .map(Bson::Int64)
            .ok_or_else(|| err(28680, "can't take $abs of long long min"))?,
        (Op::Ceil | Op::Floor, Num::Int(_) | Num::Long(_)) => n.to_bson(),
        (Op::Abs, Num::Decimal(d)) => numeric::decimal_to_bson(d.abs()),
        (Op::Ceil, Num::Decimal(d)) => numeric::decimal_to_bson(d.ceil()),
        (Op::Floor, Num::Decimal(d)) => numeric::decimal_to_bson(d.floor()),
        _ => Bson::Double(f(n.to_f64())),
    }))
}

fn pow(a: Num, b: Num) -> Result<Option<Bson>, CommandError> {
    if a.is_zero() && b.to_f64() < 0.0 {
        return Err(err(
            28764,
            "$pow cannot take a base of 0 and a negative exponent",
        ));
    }
    if let (Num::Int(_) | Num::Long(_), Num::Int(_) | Num::Long(_)) = (a, b) {
        let (x, y) = (a.to_i64_exact().unwrap_or(0), b.to_i64_exact().unwrap_or(0));
        if y >= 0 {
            if let Some(r) = u32::try_from(y).ok().and_then(|e| x.checked_pow(e)) {
                let both_int = matches!((a, b), (Num::Int(_), Num::Int(_)));
                return Ok(Some(if both_int && i32::try_from(r).is_ok() {
                    Bson::Int32(r as i32)
                } else {
                    Bson::Int64(r)
                }));
            }
        }
    }
    Ok(Some(Bson::Double(a.to_f64().powf(b.to_f64()))))
}

/// `$round` (half to even) and `$trunc` with an optional place in [-20, 100].
fn round(op: Op, v: &Option<Bson>, place: Option<Bson>) -> Result<Option<Bson>, CommandError> {
    if nullish(v) {
        return Ok(Some(Bson::Null));
    }
    let place = match &place {
        None => 0,
        Some(Bson::Null) => return Ok(Some(Bson::Null)),
        Some(p) => Num::from_bson(p)
            .and_then(|n| n.to_i64_exact())
            .filter(|p| (-20..=100).contains(p))
            .ok_or_else(|| {
                err(
                    51083,
                    format!(
                        "cannot apply {} with precision value {p}; value must be in [-20, 100]",
                        op.name()
                    ),
                )
            })?,
    };
    let n = num(v).ok_or_else(|| {
        err(
            51081,
            format!(
                "{} only supports numeric types, not {}",
                op.name(),
                tname(v)
            ),
        )
    })?;
    let strategy = if op == Op::Round {
        RoundingStrategy::MidpointNearestEven
    } else {
        RoundingStrategy::ToZero
    };
    let on_decimal = |d: Decimal| round_decimal(d, place, strategy);
    Ok(Some(match n {
        Num::Int(_) | Num::Long(_) if place >= 0 => n.to_bson(),
        Num::Int(i) => {
            let r = on_decimal(Decimal::from(i));
            r.to_i64()
                .and_then(|x| i32::try_from(x).ok())
                .map(Bson::Int32)
                .unwrap_or(Bson::Int64(r.to_i64().unwrap_or(0)))
        }
        Num::Long(i) => Bson::Int64(on_decimal(Decimal::from(i)).to_i64().unwrap_or(i)),
        Num::Decimal(d) => numeric::decimal_to_bson(on_decimal(d)),
        Num::Double(d) => Bson::Double(round_double(op, d, place, strategy)),
    }))
}

/// Below this magnitude a double's integer and half-integer neighbours are doubles, so rounding it to a
/// whole number directly gives what rounding its shortest decimal representation gives (no integer or
/// half-integer lies between a double and the decimal that reads back as it).
const DIRECT_ROUNDING_BELOW: f64 = 4_503_599_627_370_496.0; // 2^52

/// From this magnitude a double's shortest decimal representation has at most 28 fractional digits, so
/// [`round_double_by_decimal`] reads it exactly (`Decimal::from_str_exact`).
const EXACT_DECIMAL_FROM: f64 = 1e-10;

/// `$round` / `$trunc` (`op`) of a double to `place` digits (in [-20, 100]), as `$round` / `$trunc` of a
/// double gives it (for `scalar`).
pub(super) fn round_double_op(op: Op, d: f64, place: i64) -> f64 {
    let strategy = if op == Op::Round {
        RoundingStrategy::MidpointNearestEven
    } else {
        RoundingStrategy::ToZero
    };
    round_double(op, d, place, strategy)
}

/// `$round` / `$trunc` of a double to `place` digits: to a whole number (the translator's plans) directly,
/// else through the double's shortest decimal representation, as mongod does.
fn round_double(op: Op, d: f64, place: i64, strategy: RoundingStrategy) -> f64 {
    if place == 0 && d.abs() < DIRECT_ROUNDING_BELOW {
        let r = if op == Op::Round {
            d.round_ties_even()
        } else {
            d.trunc()
        };
        if r != 0.0 {
            return r;
        }
        // A whole zero is the decimal path's `+0` (a zero decimal of scale 0 reads back as `+0.0`, whatever
        // its sign) wherever that path reads the double exactly: any zero, and `|d| ≥ 1e-10`, whose
        // shortest decimal (17 significant digits at most) ends by 10^-27, within a decimal's 28 places.
        // Below that the double may not read as a decimal and the sign is the float fallback's.
        if d == 0.0 || d.abs() >= EXACT_DECIMAL_FROM {
            return 0.0;
        }
    }
    round_double_by_decimal(op, d, place, strategy)
}

/// The general `$round` / `$trunc` of a double: its shortest decimal representation rounded.
fn round_double_by_decimal(op: Op, d: f64, place: i64, strategy: RoundingStrategy) -> f64 {
    if !d.is_finite() {
        return d;
    }
    match Decimal::from_str_exact(&format!("{d}"))
        .ok()
        .or_else(|| Decimal::from_scientific(&format!("{d:e}")).ok())
    {
        Some(x) => round_decimal(x, place, strategy).to_f64().unwrap_or(d),
        None => {
            let m = 10f64.powi(place as i32);
            if op == Op::Round {
                (d * m).round_ties_even() / m
            } else {
                (d * m).trunc() / m
            }
        }
    }
}

/// A decimal rounded to `place` digits (negative: tens, hundreds, ...) with `strategy`.
fn round_decimal(d: Decimal, place: i64, strategy: RoundingStrategy) -> Decimal {
    if place >= 0 {
        d.round_dp_with_strategy(place.min(28) as u32, strategy)
    } else {
        let scale = Decimal::from(10i64.pow((-place).min(18) as u32));
        (d / scale).round_dp_with_strategy(0, strategy) * scale
    }
}

#[cfg(test)]
mod round_tests {
    use super::*;
    use proptest::prelude::*;

    fn doubles() -> impl Strategy<Value = f64> {
        prop_oneof![
            -10.0f64..10.0,
            -1e7f64..1e7,
            (-1_000_000i64..1_000_000).prop_map(|n| n as f64 + 0.5),
            (-1_000_000i64..1_000_000).prop_map(|n| n as f64 / 8.0),
            // whole zeros: fractions of a day or a month, and the smallest magnitudes around the bound
            -1.0f64..1.0,
            (-40i64..40).prop_map(|n| n as f64 / 30.0),
            (-400i32..400)
                .prop_map(|e| 10f64.powi(e / 10 - 20) * if e % 2 == 0 { 1.0 } else { -1.0 }),
            any::<f64>(),
            prop::sample::select(vec![
                0.0,
                -0.0,
                0.5,
                -0.5,
                1.5,
                2.5,
                -2.5,
                0.49999999999999994,
                4503599627370495.5,
                -4503599627370495.5,
                4503599627370497.0,
                9.2e18,
                1e-10,
                -1e-10,
                9.999999999999999e-11,
                -9.999999999999999e-11,
                f64::from_bits(1e-10f64.to_bits() + 1),
                -1.2345678901234567e-10,
                1e-300,
                -1e-300,
                5e-324,
                -5e-324,
                0.9999999999999999,
                -0.9999999999999999
            ]),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20000))]
        /// Rounding a double to a whole number directly = through its shortest decimal (bit for bit).
        #[test]
        fn direct_whole_rounding_equals_the_decimal_path(d in doubles(), round in any::<bool>()) {
            let (op, strategy) = if round {
                (Op::Round, RoundingStrategy::MidpointNearestEven)
            } else {
                (Op::Trunc, RoundingStrategy::ToZero)
            };
            let direct = round_double(op, d, 0, strategy);
            let general = round_double_by_decimal(op, d, 0, strategy);
            prop_assert!(
                direct.to_bits() == general.to_bits() || (direct.is_nan() && general.is_nan()),
                "{} of {}: {} vs {}", op.name(), d, direct, general
            );
        }
    }
}
