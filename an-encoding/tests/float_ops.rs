//! `decode(op(encode(a), encode(b))) == op(a, b)` for every float operation, against the Wasm
//! semantics built here from `std`'s float methods: exact bits for numbers and sign
//! operations, and for NaN results the spec's rule — a quiet ("arithmetic") NaN, canonical
//! when every NaN operand was canonical.

mod common;

use common::{f32s, f64s, i32s, i64s, outcome};
use proptest::prelude::*;
use wasmrel_an_encoding::{AnError, F32Code, F64Code, I32Code, I64Code, Trap};

/// Checks a float result (bits) against the expected float, with the Wasm NaN rule.
fn float_result<const QUIET: u64, const PAYLOAD: u64>(
    got: Result<u64, Trap>,
    want: u64,
    want_is_nan: bool,
    operands_canonical: bool,
) -> Result<(), String> {
    let got = got.map_err(|trap| format!("trapped: {trap:?}"))?;
    if !want_is_nan {
        return if got == want {
            Ok(())
        } else {
            Err(format!("got {got:#x}, want {want:#x}"))
        };
    }
    if got & QUIET == 0 || got & PAYLOAD == 0 {
        return Err(format!("got {got:#x}, want a quiet NaN"));
    }
    if operands_canonical && got & PAYLOAD != QUIET {
        return Err(format!("got {got:#x}, want the canonical NaN"));
    }
    Ok(())
}

/// Truncation of `x` into `[min, max]`, or the Wasm trap, through `i128` (exact for |x| < 2^127).
fn truncate(x: f64, min: i128, max: i128) -> Result<u64, Trap> {
    if x.is_nan() {
        return Err(Trap::InvalidConversionToInteger);
    }
    let t = x.trunc() as i128;
    if t < min || t > max {
        Err(Trap::IntegerOverflow)
    } else {
        Ok(t as u64)
    }
}

/// Saturating truncation (`trunc_sat`): NaN is 0, out of range clamps.
fn saturate(x: f64, min: i128, max: i128) -> u64 {
    if x.is_nan() {
        0
    } else {
        (x.trunc() as i128).clamp(min, max) as u64
    }
}

const I32_RANGE: (i128, i128) = (i32::MIN as i128, i32::MAX as i128);
const U32_RANGE: (i128, i128) = (0, u32::MAX as i128);
const I64_RANGE: (i128, i128) = (i64::MIN as i128, i64::MAX as i128);
const U64_RANGE: (i128, i128) = (0, u64::MAX as i128);

macro_rules! float_width {
    ($module:ident, $code:ident, $f:ty, $u:ty, $values:ident, quiet: $quiet:expr) => {
        mod $module {
            use super::*;

            const SIGN: $u = 1 << (<$u>::BITS - 1);
            const QUIET: u64 = $quiet;
            const PAYLOAD: u64 = QUIET * 2 - 1;

            type Binary = fn($code, $code) -> Result<$code, AnError>;
            type Unary = fn($code) -> Result<$code, AnError>;
            type Compare = fn($code, $code) -> Result<I32Code, AnError>;

            fn canonical(bits: $u) -> bool {
                let f = <$f>::from_bits(bits);
                !f.is_nan() || u64::from(bits) & PAYLOAD == QUIET
            }

            fn check(got: Result<u64, Trap>, want: $f, operands: &[$u]) -> Result<(), String> {
                let canonical = operands.iter().all(|&b| canonical(b));
                float_result::<QUIET, PAYLOAD>(got, u64::from(want.to_bits()), want.is_nan(), canonical)
            }

            fn wasm_min(a: $f, b: $f) -> $f {
                if a.is_nan() || b.is_nan() {
                    <$f>::NAN
                } else if a == 0.0 && b == 0.0 {
                    if a.is_sign_negative() { a } else { b }
                } else {
                    a.min(b)
                }
            }

            fn wasm_max(a: $f, b: $f) -> $f {
                if a.is_nan() || b.is_nan() {
                    <$f>::NAN
                } else if a == 0.0 && b == 0.0 {
                    if a.is_sign_positive() { a } else { b }
                } else {
                    a.max(b)
                }
            }

            fn arithmetic() -> Vec<(&'static str, Binary, fn($f, $f) -> $f)> {
                vec![
                    ("add", |a, b| a.add(b), |a, b| a + b),
                    ("sub", |a, b| a.sub(b), |a, b| a - b),
                    ("mul", |a, b| a.mul(b), |a, b| a * b),
                    ("div", |a, b| a.div(b), |a, b| a / b),
                    ("min", |a, b| a.min(b), wasm_min),
                    ("max", |a, b| a.max(b), wasm_max),
                ]
            }

            fn rounding() -> Vec<(&'static str, Unary, fn($f) -> $f)> {
                vec![
                    ("sqrt", |a| a.sqrt(), <$f>::sqrt),
                    ("ceil", |a| a.ceil(), <$f>::ceil),
                    ("floor", |a| a.floor(), <$f>::floor),
                    ("trunc", |a| a.trunc(), <$f>::trunc),
                    ("nearest", |a| a.nearest(), <$f>::round_ties_even),
                ]
            }

            fn comparisons() -> Vec<(&'static str, Compare, fn($f, $f) -> bool)> {
                vec![
                    ("eq", |a, b| a.eq(b), |a, b| a == b),
                    ("ne", |a, b| a.ne(b), |a, b| a != b),
                    ("lt", |a, b| a.lt(b), |a, b| a < b),
                    ("gt", |a, b| a.gt(b), |a, b| a > b),
                    ("le", |a, b| a.le(b), |a, b| a <= b),
                    ("ge", |a, b| a.ge(b), |a, b| a >= b),
                ]
            }

            fn encode(bits: $u) -> $code {
                $code::encode(<$f>::from_bits(bits))
            }

            proptest! {
                #![proptest_config(ProptestConfig::with_cases(512))]

                #[test]
                fn arithmetic_matches_wasm(a in $values(), b in $values()) {
                    for (name, coded, reference) in arithmetic() {
                        let want = reference(<$f>::from_bits(a), <$f>::from_bits(b));
                        let verdict = check(outcome(coded(encode(a), encode(b))), want, &[a, b]);
                        prop_assert!(verdict.is_ok(), "{}({:#x}, {:#x}): {:?}", name, a, b, verdict);
                    }
                }

                #[test]
                fn rounding_and_sqrt_match_wasm(a in $values()) {
                    for (name, coded, reference) in rounding() {
                        let want = reference(<$f>::from_bits(a));
                        let verdict = check(outcome(coded(encode(a))), want, &[a]);
                        prop_assert!(verdict.is_ok(), "{}({:#x}): {:?}", name, a, verdict);
                    }
                }

                #[test]
                fn sign_operations_are_exact_bit_operations(a in $values(), b in $values()) {
                    let (x, y) = (encode(a), encode(b));
                    prop_assert_eq!(outcome(Ok(x.neg())), Ok(u64::from(a ^ SIGN)));
                    prop_assert_eq!(outcome(Ok(x.abs())), Ok(u64::from(a & !SIGN)));
                    prop_assert_eq!(outcome(Ok(x.copysign(y))), Ok(u64::from((a & !SIGN) | (b & SIGN))));
                }

                #[test]
                fn comparisons_give_encoded_booleans(a in $values(), b in $values()) {
                    for (name, coded, reference) in comparisons() {
                        let want = reference(<$f>::from_bits(a), <$f>::from_bits(b));
                        let got = outcome(coded(encode(a), encode(b)));
                        prop_assert_eq!(got, Ok(u64::from(want)), "{}({:#x}, {:#x})", name, a, b);
                    }
                }

                #[test]
                fn conversions_from_integers_round_to_nearest(i in i32s(), l in i64s()) {
                    let cases: [(Result<$code, AnError>, $f); 4] = [
                        ($code::convert_i32_s(I32Code::encode(i)), i as i32 as $f),
                        ($code::convert_i32_u(I32Code::encode(i)), i as $f),
                        ($code::convert_i64_s(I64Code::encode(l)), l as i64 as $f),
                        ($code::convert_i64_u(I64Code::encode(l)), l as $f),
                    ];
                    for (got, want) in cases {
                        prop_assert_eq!(outcome(got), Ok(u64::from(want.to_bits())), "{:#x} {:#x}", i, l);
                    }
                }

                #[test]
                fn truncations_trap_or_saturate_like_wasm(a in $values()) {
                    let x = f64::from(<$f>::from_bits(a));
                    let code = encode(a);
                    let mask32 = |r: Result<u64, Trap>| r.map(|v| v & 0xffff_ffff);
                    prop_assert_eq!(outcome(code.trunc_i32_s()), mask32(truncate(x, I32_RANGE.0, I32_RANGE.1)), "{:#x}", a);
                    prop_assert_eq!(outcome(code.trunc_i32_u()), truncate(x, U32_RANGE.0, U32_RANGE.1), "{:#x}", a);
                    prop_assert_eq!(outcome(code.trunc_i64_s()), truncate(x, I64_RANGE.0, I64_RANGE.1), "{:#x}", a);
                    prop_assert_eq!(outcome(code.trunc_i64_u()), truncate(x, U64_RANGE.0, U64_RANGE.1), "{:#x}", a);
                    prop_assert_eq!(outcome(code.trunc_sat_i32_s()), Ok(saturate(x, I32_RANGE.0, I32_RANGE.1) & 0xffff_ffff));
                    prop_assert_eq!(outcome(code.trunc_sat_i32_u()), Ok(saturate(x, U32_RANGE.0, U32_RANGE.1)));
                    prop_assert_eq!(outcome(code.trunc_sat_i64_s()), Ok(saturate(x, I64_RANGE.0, I64_RANGE.1)));
                    prop_assert_eq!(outcome(code.trunc_sat_i64_u()), Ok(saturate(x, U64_RANGE.0, U64_RANGE.1)));
                }
            }
        }
    };
}

float_width!(f32_ops, F32Code, f32, u32, f32s, quiet: 1 << 22);
float_width!(f64_ops, F64Code, f64, u64, f64s, quiet: 1 << 51);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn promote_and_demote_match_wasm(a in f32s(), b in f64s()) {
        let f = f32::from_bits(a);
        let promoted = outcome(F32Code::encode(f).promote());
        let verdict = float_result::<{ 1 << 51 }, { (1 << 52) - 1 }>(
            promoted, f64::from(f).to_bits(), f.is_nan(), !f.is_nan() || a & 0x7f_ffff == 1 << 22,
        );
        prop_assert!(verdict.is_ok(), "promote {:#x}: {:?}", a, verdict);
        let d = f64::from_bits(b);
        let demoted = outcome(F64Code::encode(d).demote());
        let verdict = float_result::<{ 1 << 22 }, { (1 << 23) - 1 }>(
            demoted, u64::from((d as f32).to_bits()), d.is_nan(),
            !d.is_nan() || b & ((1 << 52) - 1) == 1 << 51,
        );
        prop_assert!(verdict.is_ok(), "demote {:#x}: {:?}", b, verdict);
    }
}

#[test]
fn min_and_max_order_signed_zeros_and_propagate_nan() {
    let (neg, pos) = (F64Code::encode(-0.0), F64Code::encode(0.0));
    let bits = |r: Result<F64Code, AnError>| outcome(r).map(f64::from_bits).map(f64::to_bits);
    for (a, b) in [(neg, pos), (pos, neg)] {
        assert_eq!(bits(a.min(b)), Ok((-0.0f64).to_bits()));
        assert_eq!(bits(a.max(b)), Ok(0.0f64.to_bits()));
    }
    let (neg32, pos32) = (F32Code::encode(-0.0), F32Code::encode(0.0));
    assert_eq!(outcome(pos32.min(neg32)), Ok(0x8000_0000));
    assert_eq!(outcome(neg32.max(pos32)), Ok(0));
    let nan = F32Code::encode(f32::from_bits(0x7fa0_0000));
    let one = F32Code::encode(1.0);
    for r in [one.min(nan), nan.max(one)] {
        let got = outcome(r).map(|b| f32::from_bits(b as u32));
        assert!(got.is_ok_and(|f| f.is_nan() && f.to_bits() & 1 << 22 != 0));
    }
}
