//! `decode(op(encode(a), encode(b))) == op(a, b)` for every integer operation, against plain
//! reference implementations of the Wasm semantics written here without the crate's code.

mod common;

use common::{i32s, i64s, outcome};
use proptest::prelude::*;
use wasmrel_an_encoding::{AnError, I32Code, I64Code, Trap};

/// Reference Wasm integer semantics and the property tests, for one width.
macro_rules! integer_width {
    ($module:ident, $code:ident, $u:ty, $s:ty, $values:ident) => {
        mod $module {
            use super::*;

            const BITS: u32 = <$u>::BITS;

            type Binary = fn($code, $code) -> Result<$code, AnError>;
            type Reference = fn($u, $u) -> Result<$u, Trap>;
            type Unary = fn($code) -> Result<$code, AnError>;
            type Compare = fn($code, $code) -> I32Code;

            fn rotate_left(a: $u, b: $u) -> $u {
                let k = (b % BITS as $u) as u32;
                if k == 0 {
                    a
                } else {
                    (a << k) | (a >> (BITS - k))
                }
            }

            fn signed_min(a: $u, b: $u) -> bool {
                a as $s == <$s>::MIN && b as $s == -1
            }

            /// Sign-extends the low `bits` bits without casts: flip the sign bit, subtract it.
            fn sign_extend(a: $u, bits: u32) -> $u {
                let sign: $u = 1 << (bits - 1);
                let low = a & (sign.wrapping_shl(1).wrapping_sub(1));
                (low ^ sign).wrapping_sub(sign)
            }

            fn count_leading_zeros(a: $u) -> $u {
                (0..BITS).take_while(|i| a >> (BITS - 1 - i) & 1 == 0).count() as $u
            }

            fn binary_ops() -> Vec<(&'static str, Binary, Reference)> {
                vec![
                    ("add", |a, b| Ok(a.add(b)), |a, b| Ok(a.wrapping_add(b))),
                    ("sub", |a, b| Ok(a.sub(b)), |a, b| Ok(a.wrapping_sub(b))),
                    ("and", |a, b| a.and(b), |a, b| Ok(a & b)),
                    ("or", |a, b| a.or(b), |a, b| Ok(a | b)),
                    ("xor", |a, b| a.xor(b), |a, b| Ok(a ^ b)),
                    ("shl", |a, b| a.shl(b), |a, b| Ok(a << (b % BITS as $u))),
                    ("shr_u", |a, b| a.shr_u(b), |a, b| Ok(a >> (b % BITS as $u))),
                    ("shr_s", |a, b| a.shr_s(b), |a, b| {
                        Ok(((a as $s) >> (b % BITS as $u)) as $u)
                    }),
                    ("rotl", |a, b| a.rotl(b), |a, b| Ok(rotate_left(a, b))),
                    ("rotr", |a, b| a.rotr(b), |a, b| {
                        Ok(rotate_left(a, (BITS as $u).wrapping_sub(b % BITS as $u)))
                    }),
                    ("div_u", |a, b| a.div_u(b), |a, b| {
                        if b == 0 { Err(Trap::IntegerDivideByZero) } else { Ok(a / b) }
                    }),
                    ("rem_u", |a, b| a.rem_u(b), |a, b| {
                        if b == 0 { Err(Trap::IntegerDivideByZero) } else { Ok(a % b) }
                    }),
                    ("div_s", |a, b| a.div_s(b), |a, b| {
                        if b == 0 {
                            Err(Trap::IntegerDivideByZero)
                        } else if signed_min(a, b) {
                            Err(Trap::IntegerOverflow)
                        } else {
                            Ok(((a as $s) / (b as $s)) as $u)
                        }
                    }),
                    ("rem_s", |a, b| a.rem_s(b), |a, b| {
                        if b == 0 {
                            Err(Trap::IntegerDivideByZero)
                        } else if signed_min(a, b) {
                            Ok(0)
                        } else {
                            Ok(((a as $s) % (b as $s)) as $u)
                        }
                    }),
                    ("mul", |a, b| IntoResult::into_result($code::mul(a, b)), |a, b| Ok(a.wrapping_mul(b))),
                ]
            }

            fn unary_ops() -> Vec<(&'static str, Unary, fn($u) -> $u)> {
                vec![
                    ("neg", |a| Ok(a.neg()), |a| (0 as $u).wrapping_sub(a)),
                    ("clz", |a| a.clz(), count_leading_zeros),
                    ("ctz", |a| a.ctz(), |a| count_leading_zeros(a.reverse_bits())),
                    ("popcnt", |a| a.popcnt(), |a| (0..BITS).filter(|i| a >> i & 1 == 1).count() as $u),
                    ("extend8_s", |a| a.extend8_s(), |a| sign_extend(a, 8)),
                    ("extend16_s", |a| a.extend16_s(), |a| sign_extend(a, 16)),
                ]
            }

            fn comparisons() -> Vec<(&'static str, Compare, fn($u, $u) -> bool)> {
                vec![
                    ("eq", |a, b| a.eq(b), |a, b| a == b),
                    ("ne", |a, b| a.ne(b), |a, b| a != b),
                    ("lt_u", |a, b| a.lt_u(b), |a, b| a < b),
                    ("gt_u", |a, b| a.gt_u(b), |a, b| a > b),
                    ("le_u", |a, b| a.le_u(b), |a, b| a <= b),
                    ("ge_u", |a, b| a.ge_u(b), |a, b| a >= b),
                    ("lt_s", |a, b| a.lt_s(b), |a, b| (a as $s) < (b as $s)),
                    ("gt_s", |a, b| a.gt_s(b), |a, b| (a as $s) > (b as $s)),
                    ("le_s", |a, b| a.le_s(b), |a, b| (a as $s) <= (b as $s)),
                    ("ge_s", |a, b| a.ge_s(b), |a, b| (a as $s) >= (b as $s)),
                ]
            }

            fn binary_operations_agree(a: $u, b: $u) -> Result<(), TestCaseError> {
                for (name, coded, reference) in binary_ops() {
                    let got = outcome(coded($code::encode(a), $code::encode(b)));
                    let want = reference(a, b).map(|v| v as u64);
                    prop_assert_eq!(got, want, "{}({:#x}, {:#x})", name, a, b);
                }
                Ok(())
            }

            /// Every pair of edge values: the wrap (`a + b = 2^k`), the borrow, `MIN / -1`,
            /// shift counts at the width.
            #[test]
            fn binary_operations_match_wasm_on_edge_pairs() {
                let max = <$u>::MAX;
                let half = 1 << (BITS - 1);
                let edges = [0, 1, 2, BITS as $u - 1, BITS as $u, half - 1, half, half + 1, max - 1, max];
                for a in edges {
                    for b in edges {
                        if let Err(failure) = binary_operations_agree(a, b) {
                            panic!("{failure}");
                        }
                    }
                }
            }

            proptest! {
                #![proptest_config(ProptestConfig::with_cases(512))]

                #[test]
                fn binary_operations_match_wasm(a in $values(), b in $values()) {
                    binary_operations_agree(a, b)?;
                }

                #[test]
                fn unary_operations_match_wasm(a in $values()) {
                    for (name, coded, reference) in unary_ops() {
                        let got = outcome(coded($code::encode(a)));
                        prop_assert_eq!(got, Ok(reference(a) as u64), "{}({:#x})", name, a);
                    }
                    let eqz = outcome::<I32Code>(Ok($code::encode(a).eqz()));
                    prop_assert_eq!(eqz, Ok(u64::from(a == 0)));
                }

                #[test]
                fn comparisons_give_encoded_booleans(a in $values(), b in $values()) {
                    for (name, coded, reference) in comparisons() {
                        let got = outcome::<I32Code>(Ok(coded($code::encode(a), $code::encode(b))));
                        prop_assert_eq!(got, Ok(u64::from(reference(a, b))), "{}({:#x}, {:#x})", name, a, b);
                    }
                }
            }
        }
    };
}

/// Lets the in-code `i32.mul` (infallible) and the Δ `i64.mul` share one table row.
trait IntoResult<T> {
    fn into_result(self) -> Result<T, AnError>;
}

impl IntoResult<I32Code> for I32Code {
    fn into_result(self) -> Result<I32Code, AnError> {
        Ok(self)
    }
}

impl IntoResult<I64Code> for Result<I64Code, AnError> {
    fn into_result(self) -> Result<I64Code, AnError> {
        self
    }
}

integer_width!(i32_ops, I32Code, u32, i32, i32s);
integer_width!(i64_ops, I64Code, u64, i64, i64s);

proptest! {
    #[test]
    fn wrap_and_extend_match_wasm(a in i32s(), b in i64s()) {
        prop_assert_eq!(outcome(I64Code::encode(b).wrap()), Ok(b & 0xffff_ffff));
        prop_assert_eq!(outcome(I32Code::encode(a).extend_u()), Ok(u64::from(a)));
        let sign = if a >> 31 == 1 { 0xffff_ffff_0000_0000 } else { 0 };
        prop_assert_eq!(outcome(I32Code::encode(a).extend_s()), Ok(sign | u64::from(a)));
        let sign32 = if b >> 31 & 1 == 1 { 0xffff_ffff_0000_0000 } else { 0 };
        prop_assert_eq!(outcome(I64Code::encode(b).extend32_s()), Ok(sign32 | (b & 0xffff_ffff)));
    }
}
