//! Integer operations that leave the code: bitwise, shifts, rotates, division, bit counts,
//! sign extension, width changes, and i64 multiplication. All are computed twice
//! ([`crate::delta`]); each doc line "Δ" means: the value is plain in two independent copies
//! from their decode to the re-encode of the result (a handful of instructions, one division at
//! most), a fault in one copy is detected as a mismatch, and a fault hitting both copies alike
//! is not.

use crate::code::{I32Code, I64Code};
use crate::delta::{binary, unary};
use crate::error::{AnError, Trap};

macro_rules! int_delta_ops {
    ($name:ident, $value:ty, $signed:ty) => {
        impl $name {
            /// Wasm `and`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn and(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| Ok(x & y))
            }

            /// Wasm `or`. Δ: unprotected only as two independent plain copies, from their decode to
            /// the re-encode of the result (a few instructions).
            #[inline]
            pub fn or(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| Ok(x | y))
            }

            /// Wasm `xor`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn xor(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| Ok(x ^ y))
            }

            /// Wasm `shl` (count taken modulo the width). Δ: unprotected only as two independent
            /// plain copies, from their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn shl(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| {
                    Ok(x.wrapping_shl(y as u32))
                })
            }

            /// Wasm `shr_s`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn shr_s(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| {
                    Ok((x as $signed).wrapping_shr(y as u32) as $value)
                })
            }

            /// Wasm `shr_u`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn shr_u(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| {
                    Ok(x.wrapping_shr(y as u32))
                })
            }

            /// Wasm `rotl`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn rotl(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| {
                    Ok(x.rotate_left(y as u32 & (<$value>::BITS - 1)))
                })
            }

            /// Wasm `rotr`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn rotr(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| {
                    Ok(x.rotate_right(y as u32 & (<$value>::BITS - 1)))
                })
            }

            /// Wasm `div_s`: traps on a zero divisor and on `MIN / -1`. Δ, trap decision
            /// included: unprotected only as two independent plain copies, from their decode to the
            /// re-encode of the result (a few instructions).
            #[inline]
            pub fn div_s(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| {
                    if y == 0 {
                        return Err(Trap::IntegerDivideByZero);
                    }
                    (x as $signed)
                        .checked_div(y as $signed)
                        .map(|q| q as $value)
                        .ok_or(Trap::IntegerOverflow)
                })
            }

            /// Wasm `div_u`: traps on a zero divisor. Δ, trap decision included: unprotected only
            /// as two independent plain copies, from their decode to the re-encode of the result (a
            /// few instructions).
            #[inline]
            pub fn div_u(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| {
                    x.checked_div(y).ok_or(Trap::IntegerDivideByZero)
                })
            }

            /// Wasm `rem_s`: traps on a zero divisor; `MIN % -1` is 0. Δ, trap decision
            /// included: unprotected only as two independent plain copies, from their decode to the
            /// re-encode of the result (a few instructions).
            #[inline]
            pub fn rem_s(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| {
                    if y == 0 {
                        return Err(Trap::IntegerDivideByZero);
                    }
                    Ok((x as $signed).checked_rem(y as $signed).unwrap_or(0) as $value)
                })
            }

            /// Wasm `rem_u`: traps on a zero divisor. Δ, trap decision included: unprotected only
            /// as two independent plain copies, from their decode to the re-encode of the result (a
            /// few instructions).
            #[inline]
            pub fn rem_u(self, rhs: Self) -> Result<Self, AnError> {
                binary(self, rhs, |x: $value, y: $value| {
                    x.checked_rem(y).ok_or(Trap::IntegerDivideByZero)
                })
            }

            /// Wasm `clz`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn clz(self) -> Result<Self, AnError> {
                unary(self, |x: $value| Ok(<$value>::from(x.leading_zeros())))
            }

            /// Wasm `ctz`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn ctz(self) -> Result<Self, AnError> {
                unary(self, |x: $value| Ok(<$value>::from(x.trailing_zeros())))
            }

            /// Wasm `popcnt`. Δ: unprotected only as two independent plain copies, from their
            /// decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn popcnt(self) -> Result<Self, AnError> {
                unary(self, |x: $value| Ok(<$value>::from(x.count_ones())))
            }

            /// Wasm `extend8_s`. Δ: unprotected only as two independent plain copies, from their
            /// decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn extend8_s(self) -> Result<Self, AnError> {
                unary(self, |x: $value| Ok(x as i8 as $signed as $value))
            }

            /// Wasm `extend16_s`. Δ: unprotected only as two independent plain copies, from their
            /// decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn extend16_s(self) -> Result<Self, AnError> {
                unary(self, |x: $value| Ok(x as i16 as $signed as $value))
            }
        }
    };
}

int_delta_ops!(I32Code, u32, i32);
int_delta_ops!(I64Code, u64, i64);

impl I64Code {
    /// Wasm `i64.mul`. Δ: unprotected only as two independent plain copies, from their decode
    /// to the re-encode of the result (a few instructions). A product inside the code, as for
    /// `i32.mul`, would need a 191-bit intermediate.
    #[inline]
    pub fn mul(self, rhs: Self) -> Result<Self, AnError> {
        binary(self, rhs, |x: u64, y: u64| Ok(x.wrapping_mul(y)))
    }

    /// Wasm `i64.extend32_s`. Δ: unprotected only as two independent plain copies, from their
    /// decode to the re-encode of the result (a few instructions).
    #[inline]
    pub fn extend32_s(self) -> Result<Self, AnError> {
        unary(self, |x: u64| Ok(x as i32 as i64 as u64))
    }

    /// Wasm `i32.wrap_i64`. Δ: unprotected only as two independent plain copies, from their decode
    /// to the re-encode of the result (a few instructions).
    #[inline]
    pub fn wrap(self) -> Result<I32Code, AnError> {
        unary(self, |x: u64| Ok(x as u32))
    }
}

impl I32Code {
    /// Wasm `i64.extend_i32_s`. Δ: unprotected only as two independent plain copies, from their
    /// decode to the re-encode of the result (a few instructions).
    #[inline]
    pub fn extend_s(self) -> Result<I64Code, AnError> {
        unary(self, |x: u32| Ok(x as i32 as i64 as u64))
    }

    /// Wasm `i64.extend_i32_u`. Δ: unprotected only as two independent plain copies, from their
    /// decode to the re-encode of the result (a few instructions).
    #[inline]
    pub fn extend_u(self) -> Result<I64Code, AnError> {
        unary(self, |x: u32| Ok(u64::from(x)))
    }
}
