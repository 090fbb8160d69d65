//! Decimal128 (IEEE 754-2008 decimal, binary integer encoding) to and from `rust_decimal`, read from and
//! written to the 16 bytes directly: the numeric operators convert on every operand and result, and the text
//! round trip (`Display` then `FromStr`, 1-2 µs) was most of a `ROUND(numeric, n)` per row.
//!
//! In: a `Decimal128` / a `Decimal`; out: the same value, or `None` where only the text route knows the
//! answer (NaN / infinities, coefficients past 96 bits, scales past 28, non-canonical encodings): callers
//! then take the text route, so the result is always the text route's (`numeric::tests` pins the two to each
//! other on generated values). Depends on `bson` and `rust_decimal` only.

use bson::Decimal128;
use rust_decimal::Decimal;

/// The exponent bias of Decimal128 (`value = coefficient * 10^(exponent - BIAS)`).
const BIAS: i32 = 6176;
/// rust_decimal's largest scale.
const MAX_SCALE: i32 = 28;
/// rust_decimal's mantissa bound (96 bits).
const MANTISSA_LIMIT: u128 = 1 << 96;

/// `d` as a `Decimal` when it is a finite value whose coefficient fits 96 bits and whose exponent is a
/// scale of 0..=28 (or a positive power of ten the coefficient still fits 96 bits after); `None` otherwise.
pub fn to_decimal(d: &Decimal128) -> Option<Decimal> {
    let b = d.bytes();
    let lo = u64::from_le_bytes(b[0..8].try_into().ok()?);
    let hi = u64::from_le_bytes(b[8..16].try_into().ok()?);
    let negative = hi >> 63 == 1;
    // Combination field: `11` in the two bits after the sign is an infinity, a NaN or a coefficient past
    // 2^113 (non-canonical): left to the text route.
    if (hi >> 61) & 0b11 == 0b11 {
        return None;
    }
    let exponent = ((hi >> 49) & 0x3fff) as i32 - BIAS;
    let coefficient = (u128::from(hi & ((1 << 49) - 1)) << 64) | u128::from(lo);
    if coefficient >= MANTISSA_LIMIT {
        return None;
    }
    let (mantissa, scale) = if exponent <= 0 {
        if -exponent > MAX_SCALE {
            return None;
        }
        (coefficient, -exponent)
    } else {
        let mut m = coefficient;
        for _ in 0..exponent {
            m = m.checked_mul(10).filter(|m| *m < MANTISSA_LIMIT)?;
        }
        (m, 0)
    };
    if mantissa == 0 {
        // A zero in plain notation ("0.000", "-0": an exponent of -6 ..= 0) reads as a zero of that scale
        // (rust_decimal's zeros have no sign: the text route's "-0.000" reads as 0.000); in exponential
        // notation ("0E-7", "0E+3") it is left to the text route.
        return (-6..=0)
            .contains(&exponent)
            .then(|| Decimal::from_parts(0, 0, 0, false, exponent.unsigned_abs()));
    }
    let value = i128::try_from(mantissa).ok()?;
    Some(Decimal::from_i128_with_scale(
        if negative { -value } else { value },
        u32::try_from(scale).ok()?,
    ))
}

/// `d` as a Decimal128 (coefficient = the mantissa, exponent = -scale); a zero keeps its scale (and has no
/// sign in rust_decimal).
pub fn from_decimal(d: Decimal) -> Option<Decimal128> {
    let m = d.mantissa();
    let coefficient = m.unsigned_abs();
    let exponent = BIAS - i32::try_from(d.scale()).ok()?;
    let hi = (u64::from(d.is_sign_negative()) << 63)
        | (u64::try_from(exponent).ok()? << 49)
        | u64::try_from(coefficient >> 64).ok()?;
    let lo = coefficient as u64;
    let mut bytes = [0u8; 16];
    bytes[0..8].copy_from_slice(&lo.to_le_bytes());
    bytes[8..16].copy_from_slice(&hi.to_le_bytes());
    Some(Decimal128::from_bytes(bytes))
}

/// Powers of ten exactly representable as f64 (10^0 ..= 10^22).
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `d` as the nearest f64, when one IEEE operation gives it exactly rounded: a nonzero coefficient below
/// 2^53 (exact as f64) times or divided by a power of ten up to 10^22 (exact as f64), whose single
/// correctly rounded product or quotient is the nearest f64 to the value (Clinger's fast path), as
/// parsing the decimal's text gives; `None` otherwise (callers then take the text route).
pub fn to_f64(d: &Decimal128) -> Option<f64> {
    let b = d.bytes();
    let lo = u64::from_le_bytes(b[0..8].try_into().ok()?);
    let hi = u64::from_le_bytes(b[8..16].try_into().ok()?);
    if (hi >> 61) & 0b11 == 0b11 {
        return None;
    }
    let exponent = ((hi >> 49) & 0x3fff) as i32 - BIAS;
    let coefficient = (u128::from(hi & ((1 << 49) - 1)) << 64) | u128::from(lo);
    if coefficient == 0 || coefficient >= 1 << 53 {
        return None;
    }
    let c = coefficient as f64;
    let power = *EXACT_POWERS.get(usize::try_from(exponent.unsigned_abs()).ok()?)?;
    let v = if exponent < 0 { c / power } else { c * power };
    Some(if hi >> 63 == 1 { -v } else { v })
}
