//! The plain semantics of every numeric instruction, on Rust integers and IEEE-754 bit
//! patterns. Domains that do not override an operation fall back to these.
//!
//! Float rules follow the spec: results are exact IEEE-754 (round to nearest, ties to even);
//! a NaN result of an arithmetic operation is an *arithmetic* NaN (quiet bit set), which the
//! spec allows; `min`/`max` propagate NaN and order `-0 < +0`; `nearest` rounds half to even.

use crate::domain::{Conversion, FloatBinop, FloatRelop, FloatUnop, IntBinop, IntRelop, IntUnop};
use crate::error::{Error, TrapCode};

macro_rules! int_ops {
    ($unop:ident, $binop:ident, $relop:ident, $s:ty, $u:ty) => {
        /// Integer unary operation (`Eqz` yields 0/1 in the same width).
        #[inline(always)]
        pub fn $unop(op: IntUnop, a: $s) -> $s {
            match op {
                IntUnop::Clz => a.leading_zeros() as $s,
                IntUnop::Ctz => a.trailing_zeros() as $s,
                IntUnop::Popcnt => a.count_ones() as $s,
                IntUnop::Eqz => <$s>::from(a == 0),
                IntUnop::Extend8S => a as i8 as $s,
                IntUnop::Extend16S => a as i16 as $s,
                IntUnop::Extend32S => a as i32 as $s,
            }
        }

        /// Integer binary operation; division and remainder trap as the spec says.
        #[inline(always)]
        pub fn $binop(op: IntBinop, a: $s, b: $s) -> Result<$s, Error> {
            Ok(match op {
                IntBinop::Add => a.wrapping_add(b),
                IntBinop::Sub => a.wrapping_sub(b),
                IntBinop::Mul => a.wrapping_mul(b),
                IntBinop::DivS => {
                    if b == 0 {
                        return Err(TrapCode::IntegerDivideByZero.into());
                    }
                    a.checked_div(b).ok_or(TrapCode::IntegerOverflow)?
                }
                IntBinop::DivU => {
                    let quotient = (a as $u).checked_div(b as $u);
                    quotient.ok_or(TrapCode::IntegerDivideByZero)? as $s
                }
                IntBinop::RemS => {
                    if b == 0 {
                        return Err(TrapCode::IntegerDivideByZero.into());
                    }
                    a.wrapping_rem(b)
                }
                IntBinop::RemU => {
                    let remainder = (a as $u).checked_rem(b as $u);
                    remainder.ok_or(TrapCode::IntegerDivideByZero)? as $s
                }
                IntBinop::And => a & b,
                IntBinop::Or => a | b,
                IntBinop::Xor => a ^ b,
                IntBinop::Shl => a.wrapping_shl(b as u32),
                IntBinop::ShrS => a.wrapping_shr(b as u32),
                IntBinop::ShrU => (a as $u).wrapping_shr(b as u32) as $s,
                IntBinop::Rotl => a.rotate_left((b as u32) % <$s>::BITS),
                IntBinop::Rotr => a.rotate_right((b as u32) % <$s>::BITS),
            })
        }

        /// Integer comparison.
        #[inline(always)]
        pub fn $relop(op: IntRelop, a: $s, b: $s) -> bool {
            let (ua, ub) = (a as $u, b as $u);
            match op {
                IntRelop::Eq => a == b,
                IntRelop::Ne => a != b,
                IntRelop::LtS => a < b,
                IntRelop::LtU => ua < ub,
                IntRelop::GtS => a > b,
                IntRelop::GtU => ua > ub,
                IntRelop::LeS => a <= b,
                IntRelop::LeU => ua <= ub,
                IntRelop::GeS => a >= b,
                IntRelop::GeU => ua >= ub,
            }
        }
    };
}

int_ops!(i32_unop, i32_binop, i32_relop, i32, u32);
int_ops!(i64_unop, i64_binop, i64_relop, i64, u64);

macro_rules! float_ops {
    ($unop:ident, $binop:ident, $relop:ident, $f:ty, $bits:ty,
     $ceil:path, $floor:path, $trunc:path, $nearest:path, $sqrt:path) => {
        /// Float unary operation on bits.
        #[inline(always)]
        pub fn $unop(op: FloatUnop, a: $bits) -> $bits {
            const SIGN: $bits = 1 << (<$bits>::BITS - 1);
            const QUIET: $bits = 1 << (<$f>::MANTISSA_DIGITS - 2);
            let x = <$f>::from_bits(a);
            let rounded = match op {
                FloatUnop::Abs => return a & !SIGN,
                FloatUnop::Neg => return a ^ SIGN,
                // A NaN operand becomes a quiet (arithmetic) NaN, whatever libm returns.
                _ if x.is_nan() => return a | QUIET,
                FloatUnop::Ceil => $ceil(x),
                FloatUnop::Floor => $floor(x),
                FloatUnop::Trunc => $trunc(x),
                FloatUnop::Nearest => $nearest(x),
                FloatUnop::Sqrt => $sqrt(x),
            };
            rounded.to_bits()
        }

        /// Float binary operation on bits.
        #[inline(always)]
        pub fn $binop(op: FloatBinop, a: $bits, b: $bits) -> $bits {
            const SIGN: $bits = 1 << (<$bits>::BITS - 1);
            let (x, y) = (<$f>::from_bits(a), <$f>::from_bits(b));
            let r = match op {
                FloatBinop::Add => x + y,
                FloatBinop::Sub => x - y,
                FloatBinop::Mul => x * y,
                FloatBinop::Div => x / y,
                FloatBinop::Min | FloatBinop::Max if x.is_nan() || y.is_nan() => x + y,
                // Equal operands can be -0 and +0: decide by the sign bit.
                FloatBinop::Min if x == y => return a | b,
                FloatBinop::Max if x == y => return a & b,
                FloatBinop::Min => {
                    if x < y {
                        x
                    } else {
                        y
                    }
                }
                FloatBinop::Max => {
                    if x > y {
                        x
                    } else {
                        y
                    }
                }
                FloatBinop::Copysign => return (a & !SIGN) | (b & SIGN),
            };
            r.to_bits()
        }

        /// Float comparison (false whenever an operand is NaN, except `ne`).
        #[inline(always)]
        pub fn $relop(op: FloatRelop, a: $bits, b: $bits) -> bool {
            let (x, y) = (<$f>::from_bits(a), <$f>::from_bits(b));
            match op {
                FloatRelop::Eq => x == y,
                FloatRelop::Ne => x != y,
                FloatRelop::Lt => x < y,
                FloatRelop::Gt => x > y,
                FloatRelop::Le => x <= y,
                FloatRelop::Ge => x >= y,
            }
        }
    };
}

float_ops!(
    f32_unop,
    f32_binop,
    f32_relop,
    f32,
    u32,
    libm::ceilf,
    libm::floorf,
    libm::truncf,
    libm::roundevenf,
    libm::sqrtf
);
float_ops!(
    f64_unop,
    f64_binop,
    f64_relop,
    f64,
    u64,
    libm::ceil,
    libm::floor,
    libm::trunc,
    libm::roundeven,
    libm::sqrt
);

/// A plain value of any numeric type, for conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raw {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
}

/// Truncates `x` toward zero and checks it lies in `[min, max_exclusive)`; every bound used
/// is a power of two, exact in `f64`, and every `f32` converts to `f64` exactly.
#[inline(always)]
fn truncate_checked(x: f64, min: f64, max_exclusive: f64) -> Result<f64, Error> {
    if x.is_nan() {
        return Err(TrapCode::InvalidConversionToInteger.into());
    }
    let t = libm::trunc(x);
    if t < min || t >= max_exclusive {
        return Err(TrapCode::IntegerOverflow.into());
    }
    Ok(t)
}

const TWO_31: f64 = 2_147_483_648.0;
const TWO_32: f64 = 4_294_967_296.0;
const TWO_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// A conversion between value types. Rust's `as` from float to integer saturates and maps NaN
/// to 0, which is exactly the `trunc_sat` semantics; from integer to float it rounds to
/// nearest-even, as the spec requires.
#[inline(always)]
pub fn convert(op: Conversion, input: Raw) -> Result<Raw, Error> {
    use Conversion::*;
    let as_f64 = match input {
        Raw::F32(bits) => f64::from(f32::from_bits(bits)),
        Raw::F64(bits) => f64::from_bits(bits),
        _ => 0.0,
    };
    let int = match input {
        Raw::I32(v) => i64::from(v),
        Raw::I64(v) => v,
        _ => 0,
    };
    let uint32 = int as u32;
    Ok(match op {
        I32WrapI64 => Raw::I32(int as i32),
        I64ExtendI32S => Raw::I64(int),
        I64ExtendI32U => Raw::I64(i64::from(uint32)),
        I32TruncF32S | I32TruncF64S => Raw::I32(truncate_checked(as_f64, -TWO_31, TWO_31)? as i32),
        I32TruncF32U | I32TruncF64U => {
            Raw::I32(truncate_checked(as_f64, -0.0, TWO_32)? as u32 as i32)
        }
        I64TruncF32S | I64TruncF64S => Raw::I64(truncate_checked(as_f64, -TWO_63, TWO_63)? as i64),
        I64TruncF32U | I64TruncF64U => {
            Raw::I64(truncate_checked(as_f64, -0.0, TWO_64)? as u64 as i64)
        }
        I32TruncSatF32S | I32TruncSatF64S => Raw::I32(as_f64 as i32),
        I32TruncSatF32U | I32TruncSatF64U => Raw::I32(as_f64 as u32 as i32),
        I64TruncSatF32S | I64TruncSatF64S => Raw::I64(as_f64 as i64),
        I64TruncSatF32U | I64TruncSatF64U => Raw::I64(as_f64 as u64 as i64),
        F32ConvertI32S => Raw::F32((int as i32 as f32).to_bits()),
        F32ConvertI32U => Raw::F32((uint32 as f32).to_bits()),
        F32ConvertI64S => Raw::F32((int as f32).to_bits()),
        F32ConvertI64U => Raw::F32((int as u64 as f32).to_bits()),
        F64ConvertI32S => Raw::F64((int as i32 as f64).to_bits()),
        F64ConvertI32U => Raw::F64(f64::from(uint32).to_bits()),
        F64ConvertI64S => Raw::F64((int as f64).to_bits()),
        F64ConvertI64U => Raw::F64((int as u64 as f64).to_bits()),
        F32DemoteF64 => Raw::F32(demote(input)),
        F64PromoteF32 => Raw::F64(promote(input)),
        I32ReinterpretF32 => match input {
            Raw::F32(bits) => Raw::I32(bits as i32),
            _ => Raw::I32(0),
        },
        I64ReinterpretF64 => match input {
            Raw::F64(bits) => Raw::I64(bits as i64),
            _ => Raw::I64(0),
        },
        F32ReinterpretI32 => Raw::F32(uint32),
        F64ReinterpretI64 => Raw::F64(int as u64),
    })
}

/// `f32.demote_f64`; a NaN becomes the canonical NaN with the operand's sign.
fn demote(input: Raw) -> u32 {
    let x = match input {
        Raw::F64(bits) => f64::from_bits(bits),
        _ => 0.0,
    };
    if x.is_nan() {
        let sign = if x.is_sign_negative() { 1 << 31 } else { 0 };
        return 0x7fc0_0000 | sign;
    }
    (x as f32).to_bits()
}

/// `f64.promote_f32`; a NaN becomes the canonical NaN with the operand's sign.
fn promote(input: Raw) -> u64 {
    let x = match input {
        Raw::F32(bits) => f32::from_bits(bits),
        _ => 0.0,
    };
    if x.is_nan() {
        let sign = if x.is_sign_negative() { 1 << 63 } else { 0 };
        return 0x7ff8_0000_0000_0000 | sign;
    }
    f64::from(x).to_bits()
}
