//! Floats carried as AN code words of their bit patterns.
//!
//! [`F32Code`] is an [`I32Code`] of the f32's bits and [`F64Code`] an [`I64Code`] of the f64's,
//! so `reinterpret` costs nothing and the value stack stores one kind of word per width.
//!
//! `neg`, `abs` and `copysign` only touch the sign bit, which the code can do itself
//! (flipping bit `k−1` is adding `2^(k−1)` mod `2^k`); they never leave the code. Everything
//! else is computed twice ([`crate::delta`]): "Δ" in a doc line means the value is plain in two
//! independent copies from their decode to the re-encode of the result, a fault in one copy is
//! detected, a fault hitting both alike is not. The copies' results agree when their bits are
//! equal or both are NaN.
//!
//! NaNs follow the Wasm spec: results of arithmetic are quiet (an *arithmetic* NaN, and the
//! canonical NaN when every NaN operand was canonical), sign operations are exact bit
//! manipulations, and `min`/`max` return NaN if either operand is NaN and order `-0 < +0`.
//! `+`, `−`, `×` and `÷` (and `min`/`max`'s NaN case, `a + b`) are IEEE-754 hardware
//! arithmetic, whose NaN results are quiet already — the plain semantics
//! (`wasmrel_executor::numeric`) rely on the same, so both modes give the same bits. The
//! rounding operations come from `libm`, which may return a signalling operand unchanged:
//! their result is quieted, copy 1's only (the one encoded), since copy 2's is compared with
//! it as a NaN whatever its quiet bit.

use crate::code::{I32Code, I64Code};
use crate::delta::{binary, unary, unary_settled, Code};
use crate::error::{AnError, Trap};

/// An f32 as the AN code word of its bit pattern.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub struct F32Code(I32Code);

/// An f64 as the AN code word of its bit pattern.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub struct F64Code(I64Code);

/// Valid float-to-integer truncation: the truncated value must lie in `[min, end)`.
#[inline]
fn truncate(x: f64, min: f64, end: f64) -> Result<f64, Trap> {
    if x.is_nan() {
        return Err(Trap::InvalidConversionToInteger);
    }
    let t = libm::trunc(x);
    if t >= min && t < end {
        Ok(t)
    } else {
        Err(Trap::IntegerOverflow)
    }
}

macro_rules! float_code {
    (
        $name:ident, $int:ident, $word:ty, $float:ty, $bits:ty,
        sqrt: $sqrt:path, ceil: $ceil:path, floor: $floor:path, trunc: $trunc:path,
        nearest: $nearest:path $(,)?
    ) => {
        impl Code for $name {
            type Value = $bits;

            #[inline]
            fn encode(value: $bits) -> Self {
                Self($int::encode(value))
            }
            #[inline]
            fn decode(self) -> Result<$bits, AnError> {
                self.0.decode()
            }
            #[inline]
            fn decode_low(self) -> $bits {
                self.0.decode_low()
            }
            #[inline]
            fn decode_second(self) -> $bits {
                Code::decode_second(self.0)
            }
            #[inline]
            fn agree(first: $bits, second: $bits) -> bool {
                first == second
                    || (<$float>::from_bits(first).is_nan() && <$float>::from_bits(second).is_nan())
            }
            #[cfg(test)]
            fn flip(value: $bits, mask: u64) -> $bits {
                value ^ mask as $bits
            }
        }

        impl $name {
            /// Encodes a float (its bit pattern, NaN payload included).
            #[inline]
            pub fn encode(value: $float) -> Self {
                Self($int::encode(value.to_bits()))
            }

            /// Decodes and checks; the float is unprotected from here on.
            #[inline]
            pub fn decode(self) -> Result<$float, AnError> {
                self.0.decode().map(<$float>::from_bits)
            }

            /// Encodes a float given as its bit pattern (how Wasm constants and host values
            /// arrive).
            #[inline]
            pub const fn encode_bits(bits: $bits) -> Self {
                Self($int::encode(bits))
            }

            /// Decodes and checks, giving the bit pattern; unprotected from here on.
            #[inline]
            pub fn decode_bits(self) -> Result<$bits, AnError> {
                self.0.decode()
            }

            /// Wraps raw bits read from a slot.
            #[inline]
            pub const fn from_bits(bits: $word) -> Self {
                Self($int::from_bits(bits))
            }

            /// The raw bits, for storing in a slot.
            #[inline]
            pub const fn to_bits(self) -> $word {
                self.0.to_bits()
            }

            /// Wasm `reinterpret` to the integer of the same width: free, same code word.
            #[inline]
            pub const fn reinterpret(self) -> $int {
                self.0
            }

            /// Wasm `neg`: flips the sign bit by adding `A·2^(k−1)` inside the code. **Never
            /// unprotected.**
            #[inline]
            pub fn neg(self) -> Self {
                Self(self.0.add($int::encode(1 << (<$bits>::BITS - 1))))
            }

            /// Wasm `abs`: clears the sign bit inside the code. **Never unprotected.**
            #[inline]
            pub fn abs(self) -> Self {
                Self(self.0.clear_top_bit())
            }

            /// Wasm `copysign`: inside the code; `sign`'s sign bit is read by decoding it, and an
            /// invalid `sign` poisons the result. Unprotected: that one bit, for two
            /// instructions.
            #[inline]
            pub fn copysign(self, sign: Self) -> Self {
                Self(self.0.copy_top_bit(sign.0))
            }

            /// A two-operand arithmetic operation on the floats: IEEE hardware arithmetic,
            /// whose NaN results are quiet already (see the module docs).
            #[inline]
            fn arithmetic(
                self,
                rhs: Self,
                op: impl Fn($float, $float) -> $float,
            ) -> Result<Self, AnError> {
                binary(self, rhs, |a: $bits, b: $bits| {
                    Ok(op(<$float>::from_bits(a), <$float>::from_bits(b)).to_bits())
                })
            }

            /// A one-operand rounding operation (`libm`) on the float, quieting a NaN result
            /// (copy 1's, the one encoded; see the module docs).
            #[inline]
            fn rounding(self, op: impl Fn($float) -> $float) -> Result<Self, AnError> {
                unary_settled(
                    self,
                    |a: $bits| Ok(op(<$float>::from_bits(a)).to_bits()),
                    |result: $bits| <$float>::from_bits(result).quiet(),
                )
            }

            /// A comparison as an encoded i32 boolean.
            #[inline]
            fn compare(
                self,
                rhs: Self,
                holds: impl Fn($float, $float) -> bool,
            ) -> Result<I32Code, AnError> {
                binary(self, rhs, |a: $bits, b: $bits| {
                    Ok(u32::from(holds(
                        <$float>::from_bits(a),
                        <$float>::from_bits(b),
                    )))
                })
            }

            /// Wasm `add`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn add(self, rhs: Self) -> Result<Self, AnError> {
                self.arithmetic(rhs, |a, b| a + b)
            }

            /// Wasm `sub`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn sub(self, rhs: Self) -> Result<Self, AnError> {
                self.arithmetic(rhs, |a, b| a - b)
            }

            /// Wasm `mul`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn mul(self, rhs: Self) -> Result<Self, AnError> {
                self.arithmetic(rhs, |a, b| a * b)
            }

            /// Wasm `div`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn div(self, rhs: Self) -> Result<Self, AnError> {
                self.arithmetic(rhs, |a, b| a / b)
            }

            /// Wasm `min`: NaN if either operand is NaN, `-0` below `+0`. Δ: unprotected only as
            /// two independent plain copies, from their decode to the re-encode of the result (a
            /// few instructions).
            #[inline]
            pub fn min(self, rhs: Self) -> Result<Self, AnError> {
                self.arithmetic(rhs, |a, b| {
                    if a.is_nan() || b.is_nan() {
                        a + b
                    } else if a == b {
                        <$float>::from_bits(a.to_bits() | b.to_bits())
                    } else if a < b {
                        a
                    } else {
                        b
                    }
                })
            }

            /// Wasm `max`: NaN if either operand is NaN, `+0` above `-0`. Δ: unprotected only as
            /// two independent plain copies, from their decode to the re-encode of the result (a
            /// few instructions).
            #[inline]
            pub fn max(self, rhs: Self) -> Result<Self, AnError> {
                self.arithmetic(rhs, |a, b| {
                    if a.is_nan() || b.is_nan() {
                        a + b
                    } else if a == b {
                        <$float>::from_bits(a.to_bits() & b.to_bits())
                    } else if a > b {
                        a
                    } else {
                        b
                    }
                })
            }

            /// Wasm `sqrt` (correctly rounded, `libm`). Δ: unprotected only as two independent
            /// plain copies, from their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn sqrt(self) -> Result<Self, AnError> {
                self.rounding($sqrt)
            }

            /// Wasm `ceil`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn ceil(self) -> Result<Self, AnError> {
                self.rounding($ceil)
            }

            /// Wasm `floor`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn floor(self) -> Result<Self, AnError> {
                self.rounding($floor)
            }

            /// Wasm `trunc`. Δ: unprotected only as two independent plain copies, from their decode
            /// to the re-encode of the result (a few instructions).
            #[inline]
            pub fn trunc(self) -> Result<Self, AnError> {
                self.rounding($trunc)
            }

            /// Wasm `nearest` (ties to even). Δ: unprotected only as two independent plain copies,
            /// from their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn nearest(self) -> Result<Self, AnError> {
                self.rounding($nearest)
            }

            /// Wasm `eq` as an encoded i32 boolean. Δ: unprotected only as two independent plain
            /// copies, from their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn eq(self, rhs: Self) -> Result<I32Code, AnError> {
                self.compare(rhs, |a, b| a == b)
            }

            /// Wasm `ne` as an encoded i32 boolean. Δ: unprotected only as two independent plain
            /// copies, from their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn ne(self, rhs: Self) -> Result<I32Code, AnError> {
                self.compare(rhs, |a, b| a != b)
            }

            /// Wasm `lt` as an encoded i32 boolean. Δ: unprotected only as two independent plain
            /// copies, from their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn lt(self, rhs: Self) -> Result<I32Code, AnError> {
                self.compare(rhs, |a, b| a < b)
            }

            /// Wasm `gt` as an encoded i32 boolean. Δ: unprotected only as two independent plain
            /// copies, from their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn gt(self, rhs: Self) -> Result<I32Code, AnError> {
                self.compare(rhs, |a, b| a > b)
            }

            /// Wasm `le` as an encoded i32 boolean. Δ: unprotected only as two independent plain
            /// copies, from their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn le(self, rhs: Self) -> Result<I32Code, AnError> {
                self.compare(rhs, |a, b| a <= b)
            }

            /// Wasm `ge` as an encoded i32 boolean. Δ: unprotected only as two independent plain
            /// copies, from their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn ge(self, rhs: Self) -> Result<I32Code, AnError> {
                self.compare(rhs, |a, b| a >= b)
            }

            /// Wasm `convert_i32_s` (round to nearest, ties to even). Δ: unprotected only as two
            /// independent plain copies, from their decode to the re-encode of the result (a few
            /// instructions).
            #[inline]
            pub fn convert_i32_s(value: I32Code) -> Result<Self, AnError> {
                unary(value, |x: u32| Ok((x as i32 as $float).to_bits()))
            }

            /// Wasm `convert_i32_u`. Δ: unprotected only as two independent plain copies, from
            /// their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn convert_i32_u(value: I32Code) -> Result<Self, AnError> {
                unary(value, |x: u32| Ok((x as $float).to_bits()))
            }

            /// Wasm `convert_i64_s`. Δ: unprotected only as two independent plain copies, from
            /// their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn convert_i64_s(value: I64Code) -> Result<Self, AnError> {
                unary(value, |x: u64| Ok((x as i64 as $float).to_bits()))
            }

            /// Wasm `convert_i64_u`. Δ: unprotected only as two independent plain copies, from
            /// their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn convert_i64_u(value: I64Code) -> Result<Self, AnError> {
                unary(value, |x: u64| Ok((x as $float).to_bits()))
            }

            /// A trapping truncation to an integer: the truncated value must lie in
            /// `[min, end)`, then `cast` converts it exactly.
            #[inline]
            fn truncating<O: Code>(
                self,
                min: f64,
                end: f64,
                cast: impl Fn(f64) -> O::Value,
            ) -> Result<O, AnError> {
                unary(self, |a: $bits| {
                    truncate(f64::from(<$float>::from_bits(a)), min, end).map(&cast)
                })
            }

            /// A saturating truncation to an integer (Rust's `as` is Wasm's `trunc_sat`).
            #[inline]
            fn saturating<O: Code>(self, cast: impl Fn($float) -> O::Value) -> Result<O, AnError> {
                unary(self, |a: $bits| Ok(cast(<$float>::from_bits(a))))
            }

            /// Wasm `i32.trunc_*_s`: traps on NaN and out of range. Δ, trap decision included:
            /// unprotected only as two independent plain copies, from their decode to the re-encode
            /// of the result (a few instructions).
            #[inline]
            pub fn trunc_i32_s(self) -> Result<I32Code, AnError> {
                self.truncating(-2147483648.0, 2147483648.0, |t| t as i32 as u32)
            }

            /// Wasm `i32.trunc_*_u`: traps on NaN and out of range. Δ, trap decision included:
            /// unprotected only as two independent plain copies, from their decode to the re-encode
            /// of the result (a few instructions).
            #[inline]
            pub fn trunc_i32_u(self) -> Result<I32Code, AnError> {
                self.truncating(0.0, 4294967296.0, |t| t as u32)
            }

            /// Wasm `i64.trunc_*_s`: traps on NaN and out of range. Δ, trap decision included:
            /// unprotected only as two independent plain copies, from their decode to the re-encode
            /// of the result (a few instructions).
            #[inline]
            pub fn trunc_i64_s(self) -> Result<I64Code, AnError> {
                self.truncating(-9223372036854775808.0, 9223372036854775808.0, |t| {
                    t as i64 as u64
                })
            }

            /// Wasm `i64.trunc_*_u`: traps on NaN and out of range. Δ, trap decision included:
            /// unprotected only as two independent plain copies, from their decode to the re-encode
            /// of the result (a few instructions).
            #[inline]
            pub fn trunc_i64_u(self) -> Result<I64Code, AnError> {
                self.truncating(0.0, 18446744073709551616.0, |t| t as u64)
            }

            /// Wasm `i32.trunc_sat_*_s`: saturates, NaN gives 0. Δ: unprotected only as two
            /// independent plain copies, from their decode to the re-encode of the result (a few
            /// instructions).
            #[inline]
            pub fn trunc_sat_i32_s(self) -> Result<I32Code, AnError> {
                self.saturating(|f| f as i32 as u32)
            }

            /// Wasm `i32.trunc_sat_*_u`. Δ: unprotected only as two independent plain copies, from
            /// their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn trunc_sat_i32_u(self) -> Result<I32Code, AnError> {
                self.saturating(|f| f as u32)
            }

            /// Wasm `i64.trunc_sat_*_s`. Δ: unprotected only as two independent plain copies, from
            /// their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn trunc_sat_i64_s(self) -> Result<I64Code, AnError> {
                self.saturating(|f| f as i64 as u64)
            }

            /// Wasm `i64.trunc_sat_*_u`. Δ: unprotected only as two independent plain copies, from
            /// their decode to the re-encode of the result (a few instructions).
            #[inline]
            pub fn trunc_sat_i64_u(self) -> Result<I64Code, AnError> {
                self.saturating(|f| f as u64)
            }
        }

        impl $int {
            /// Wasm `reinterpret` to the float of the same width: free, same code word.
            #[inline]
            pub const fn reinterpret(self) -> $name {
                $name(self)
            }
        }
    };
}

/// Sets the quiet bit of a NaN, leaves other values alone (Wasm arithmetic NaNs).
trait Quiet {
    type Bits;
    fn quiet(self) -> Self::Bits;
}

impl Quiet for f32 {
    type Bits = u32;
    #[inline]
    fn quiet(self) -> u32 {
        if self.is_nan() {
            self.to_bits() | 1 << 22
        } else {
            self.to_bits()
        }
    }
}

impl Quiet for f64 {
    type Bits = u64;
    #[inline]
    fn quiet(self) -> u64 {
        if self.is_nan() {
            self.to_bits() | 1 << 51
        } else {
            self.to_bits()
        }
    }
}

float_code!(
    F32Code, I32Code, u64, f32, u32,
    sqrt: libm::sqrtf, ceil: libm::ceilf, floor: libm::floorf, trunc: libm::truncf,
    nearest: libm::roundevenf,
);
float_code!(
    F64Code, I64Code, u128, f64, u64,
    sqrt: libm::sqrt, ceil: libm::ceil, floor: libm::floor, trunc: libm::trunc,
    nearest: libm::roundeven,
);

impl F32Code {
    /// Wasm `f64.promote_f32`. Δ: unprotected only as two independent plain copies, from their
    /// decode to the re-encode of the result (a few instructions).
    #[inline]
    pub fn promote(self) -> Result<F64Code, AnError> {
        unary(self, |a: u32| Ok(f64::from(f32::from_bits(a)).quiet()))
    }
}

impl F64Code {
    /// Wasm `f32.demote_f64` (round to nearest). Δ: unprotected only as two independent plain
    /// copies, from their decode to the re-encode of the result (a few instructions).
    #[inline]
    pub fn demote(self) -> Result<F32Code, AnError> {
        unary(self, |a: u64| Ok((f64::from_bits(a) as f32).quiet()))
    }
}
