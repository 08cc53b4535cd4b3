//! The AN value domain of the executor: [`An`] plugs this crate's code words into the
//! interpreter, so one interpreter source runs plain ([`wasmrel_executor::Plain`]) and encoded.
//!
//! A slot is a `u128`: an [`I64Code`]/[`F64Code`] word fills it, an [`I32Code`]/[`F32Code`]
//! word sits in its low 64 bits and the upper half is zero. Reading a 32-bit word XORs the
//! upper half into it, so a flip there is a flip of the word itself and caught by its check
//! like any other; every flip of a slot is caught the next time its value leaves the code or
//! passes a duplicated operation.
//!
//! Every operation maps to the code-word operation of the same name: add, sub, neg, i32 mul,
//! comparisons and eqz stay inside the code, everything else is computed twice (see the crate
//! docs). A failed check (an invalid word, or two copies that disagree, on a value or on a trap
//! decision) ends the run with `Error::Corrupted(Corruption::BadCodeWord)`, the executor's
//! error for the encoded domain's detections, never with a trap; a Wasm trap both copies agree
//! on is the same [`Error::Trap`] plain mode raises.

use crate::{AnError, F32Code, F64Code, I32Code, I64Code, Trap};
use wasmrel_executor::{
    convert_decoded, numeric, Conversion, Corruption, Domain, Error, FloatBinop, FloatRelop,
    FloatUnop, IntBinop, IntRelop, IntUnop, TrapCode,
};

/// How often encoded execution checks code words (`wasmrel run --check`).
pub mod level {
    /// Every operand of every operation is checked when it is used, also by the operations
    /// that could carry an invalid word on inside the code (add, sub, i32 mul, comparisons,
    /// eqz, float sign operations): a fault is reported at the first instruction that reads it.
    pub const OP: u8 = 0;
    /// The default: words are checked where values leave the code (branch conditions,
    /// addresses, stored values, host arguments, results) and by every duplicated operation;
    /// in-code operations carry an invalid word on as an invalid result.
    pub const BLOCK: u8 = 1;
    /// Checks only where values leave the code (the same places as [`BLOCK`]): no
    /// control-flow signatures, and the operations AN cannot carry are computed once from
    /// checked decodes instead of twice and compared, so a fault *during* such an operation
    /// goes unnoticed. The cheapest level.
    pub const EFFECTS: u8 = 2;
}

/// Encoded execution: every Wasm value is an AN code word, checked as often as `LEVEL`
/// ([`level`]) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct An<const LEVEL: u8 = { level::BLOCK }>;

/// At [`level::EFFECTS`], an operation AN cannot carry is computed once (see [`level`]).
const fn single<const LEVEL: u8>() -> bool {
    LEVEL == level::EFFECTS
}

/// At [`level::OP`], an in-code operation checks its operands before it uses them.
#[inline(always)]
fn eager<const LEVEL: u8>(valid: bool) -> Result<(), Error> {
    if LEVEL == level::OP && !valid {
        Err(Corruption::BadCodeWord.into())
    } else {
        Ok(())
    }
}

/// Cold and out of line, as the executor's own conversions to [`Error`] (see there): a
/// detection or trap ends the run, and inlined into the interpreter's loop the conversion
/// made the hot path store into stack slots only its error path reads.
impl From<AnError> for Error {
    #[cold]
    #[inline(never)]
    fn from(error: AnError) -> Self {
        match error {
            AnError::Detected(_) => Corruption::BadCodeWord.into(),
            AnError::Trap(Trap::IntegerDivideByZero) => TrapCode::IntegerDivideByZero.into(),
            AnError::Trap(Trap::IntegerOverflow) => TrapCode::IntegerOverflow.into(),
            AnError::Trap(Trap::InvalidConversionToInteger) => {
                TrapCode::InvalidConversionToInteger.into()
            }
        }
    }
}

/// The 32-bit word of a slot, its upper half XORed in: zero in a valid slot, and anything
/// else makes the word invalid as a flip of its own bits would (see the module docs).
#[inline(always)]
fn low_word(slot: u128) -> u64 {
    slot as u64 ^ (slot >> 64) as u64
}
#[inline(always)]
fn i32_code(slot: u128) -> I32Code {
    I32Code::from_bits(low_word(slot))
}
#[inline(always)]
fn i64_code(slot: u128) -> I64Code {
    I64Code::from_bits(slot)
}
#[inline(always)]
fn f32_code(slot: u128) -> F32Code {
    F32Code::from_bits(low_word(slot))
}
#[inline(always)]
fn f64_code(slot: u128) -> F64Code {
    F64Code::from_bits(slot)
}
#[inline(always)]
fn i32_slot(code: I32Code) -> u128 {
    u128::from(code.to_bits())
}
#[inline(always)]
fn i64_slot(code: I64Code) -> u128 {
    code.to_bits()
}
#[inline(always)]
fn f32_slot(code: F32Code) -> u128 {
    u128::from(code.to_bits())
}
#[inline(always)]
fn f64_slot(code: F64Code) -> u128 {
    code.to_bits()
}

/// Integer operations shared by both widths (`$code` is the word type, `$slot` stores it).
macro_rules! int_methods {
    ($binop:ident, $relop:ident, $code:ident, $slot:ident, $mul:expr, $to:ident, $from:ident) => {
        #[inline(always)]
        fn $binop(op: IntBinop, a: u128, b: u128) -> Result<u128, Error> {
            let in_code = matches!(op, IntBinop::Add | IntBinop::Sub | IntBinop::Mul);
            if single::<LEVEL>() && !in_code {
                return Ok(Self::$from(numeric::$binop(
                    op,
                    Self::$to(a)?,
                    Self::$to(b)?,
                )?));
            }
            let (a, b) = ($code(a), $code(b));
            if in_code {
                eager::<LEVEL>(a.is_valid() & b.is_valid())?;
            }
            let result = match op {
                IntBinop::Add => a.add(b),
                IntBinop::Sub => a.sub(b),
                IntBinop::Mul => $mul(a, b)?,
                IntBinop::DivS => a.div_s(b)?,
                IntBinop::DivU => a.div_u(b)?,
                IntBinop::RemS => a.rem_s(b)?,
                IntBinop::RemU => a.rem_u(b)?,
                IntBinop::And => a.and(b)?,
                IntBinop::Or => a.or(b)?,
                IntBinop::Xor => a.xor(b)?,
                IntBinop::Shl => a.shl(b)?,
                IntBinop::ShrS => a.shr_s(b)?,
                IntBinop::ShrU => a.shr_u(b)?,
                IntBinop::Rotl => a.rotl(b)?,
                IntBinop::Rotr => a.rotr(b)?,
            };
            Ok($slot(result))
        }

        #[inline(always)]
        fn $relop(op: IntRelop, a: u128, b: u128) -> Result<u128, Error> {
            let (a, b) = ($code(a), $code(b));
            eager::<LEVEL>(a.is_valid() & b.is_valid())?;
            Ok(i32_slot(match op {
                IntRelop::Eq => a.eq(b),
                IntRelop::Ne => a.ne(b),
                IntRelop::LtS => a.lt_s(b),
                IntRelop::LtU => a.lt_u(b),
                IntRelop::GtS => a.gt_s(b),
                IntRelop::GtU => a.gt_u(b),
                IntRelop::LeS => a.le_s(b),
                IntRelop::LeU => a.le_u(b),
                IntRelop::GeS => a.ge_s(b),
                IntRelop::GeU => a.ge_u(b),
            }))
        }
    };
}

/// Float operations shared by both widths.
macro_rules! float_methods {
    ($unop:ident, $binop:ident, $relop:ident, $code:ident, $slot:ident, $to:ident, $from:ident) => {
        #[inline(always)]
        fn $unop(op: FloatUnop, a: u128) -> Result<u128, Error> {
            if single::<LEVEL>() && !matches!(op, FloatUnop::Abs | FloatUnop::Neg) {
                return Ok(Self::$from(numeric::$unop(op, Self::$to(a)?)));
            }
            let a = $code(a);
            eager::<LEVEL>(a.reinterpret().is_valid())?;
            let result = match op {
                FloatUnop::Abs => a.abs(),
                FloatUnop::Neg => a.neg(),
                FloatUnop::Ceil => a.ceil()?,
                FloatUnop::Floor => a.floor()?,
                FloatUnop::Trunc => a.trunc()?,
                FloatUnop::Nearest => a.nearest()?,
                FloatUnop::Sqrt => a.sqrt()?,
            };
            Ok($slot(result))
        }

        #[inline(always)]
        fn $binop(op: FloatBinop, a: u128, b: u128) -> Result<u128, Error> {
            if single::<LEVEL>() && op != FloatBinop::Copysign {
                return Ok(Self::$from(numeric::$binop(
                    op,
                    Self::$to(a)?,
                    Self::$to(b)?,
                )));
            }
            let (a, b) = ($code(a), $code(b));
            if op == FloatBinop::Copysign {
                eager::<LEVEL>(a.reinterpret().is_valid() & b.reinterpret().is_valid())?;
            }
            let result = match op {
                FloatBinop::Add => a.add(b)?,
                FloatBinop::Sub => a.sub(b)?,
                FloatBinop::Mul => a.mul(b)?,
                FloatBinop::Div => a.div(b)?,
                FloatBinop::Min => a.min(b)?,
                FloatBinop::Max => a.max(b)?,
                FloatBinop::Copysign => a.copysign(b),
            };
            Ok($slot(result))
        }

        #[inline(always)]
        fn $relop(op: FloatRelop, a: u128, b: u128) -> Result<u128, Error> {
            if single::<LEVEL>() {
                let holds = numeric::$relop(op, Self::$to(a)?, Self::$to(b)?);
                return Ok(Self::from_i32(i32::from(holds)));
            }
            let (a, b) = ($code(a), $code(b));
            let result = match op {
                FloatRelop::Eq => a.eq(b)?,
                FloatRelop::Ne => a.ne(b)?,
                FloatRelop::Lt => a.lt(b)?,
                FloatRelop::Gt => a.gt(b)?,
                FloatRelop::Le => a.le(b)?,
                FloatRelop::Ge => a.ge(b)?,
            };
            Ok(i32_slot(result))
        }
    };
}

impl<const LEVEL: u8> Domain for An<LEVEL> {
    type Slot = u128;

    const SIGNATURES: bool = LEVEL != level::EFFECTS;
    const CHECKS_MEMORY: bool = true;
    const DETECTS: bool = true;

    /// 0 or 1 for a valid condition (any non-zero i32 is 1); an invalid word keeps its
    /// out-of-range high bits, so the flag is 2 or more and spoils the signature.
    #[inline(always)]
    fn branch_flag(slot: u128) -> u64 {
        let value = i32_code(slot).residue();
        u64::from(value != 0) | (value >> 32) << 1
    }

    #[inline(always)]
    fn from_i32(value: i32) -> u128 {
        i32_slot(I32Code::encode(value as u32))
    }
    #[inline(always)]
    fn from_i64(value: i64) -> u128 {
        i64_slot(I64Code::encode(value as u64))
    }
    #[inline(always)]
    fn from_f32(bits: u32) -> u128 {
        f32_slot(F32Code::encode_bits(bits))
    }
    #[inline(always)]
    fn from_f64(bits: u64) -> u128 {
        f64_slot(F64Code::encode_bits(bits))
    }
    #[inline(always)]
    fn to_i32(slot: u128) -> Result<i32, Error> {
        Ok(i32_code(slot).decode()? as i32)
    }
    #[inline(always)]
    fn to_i64(slot: u128) -> Result<i64, Error> {
        Ok(i64_code(slot).decode()? as i64)
    }
    #[inline(always)]
    fn to_f32(slot: u128) -> Result<u32, Error> {
        Ok(f32_code(slot).decode_bits()?)
    }
    #[inline(always)]
    fn to_f64(slot: u128) -> Result<u64, Error> {
        Ok(f64_code(slot).decode_bits()?)
    }

    #[inline(always)]
    fn condition(slot: u128) -> Result<bool, Error> {
        Ok(i32_code(slot).is_true()?)
    }

    #[inline(always)]
    fn i32_unop(op: IntUnop, a: u128) -> Result<u128, Error> {
        if single::<LEVEL>() && op != IntUnop::Eqz {
            return Ok(Self::from_i32(numeric::i32_unop(op, Self::to_i32(a)?)));
        }
        let a = i32_code(a);
        eager::<LEVEL>(a.is_valid())?;
        Ok(i32_slot(match op {
            IntUnop::Clz => a.clz()?,
            IntUnop::Ctz => a.ctz()?,
            IntUnop::Popcnt => a.popcnt()?,
            IntUnop::Eqz => a.eqz(),
            IntUnop::Extend8S => a.extend8_s()?,
            IntUnop::Extend16S => a.extend16_s()?,
            // Validation never lets `i32` reach a 32-bit sign extension; as the plain
            // semantics say, it is the identity on 32 bits.
            IntUnop::Extend32S => a,
        }))
    }

    #[inline(always)]
    fn i64_unop(op: IntUnop, a: u128) -> Result<u128, Error> {
        if single::<LEVEL>() && op != IntUnop::Eqz {
            return Ok(Self::from_i64(numeric::i64_unop(op, Self::to_i64(a)?)));
        }
        let a = i64_code(a);
        eager::<LEVEL>(a.is_valid())?;
        Ok(match op {
            IntUnop::Clz => i64_slot(a.clz()?),
            IntUnop::Ctz => i64_slot(a.ctz()?),
            IntUnop::Popcnt => i64_slot(a.popcnt()?),
            IntUnop::Eqz => i32_slot(a.eqz()),
            IntUnop::Extend8S => i64_slot(a.extend8_s()?),
            IntUnop::Extend16S => i64_slot(a.extend16_s()?),
            IntUnop::Extend32S => i64_slot(a.extend32_s()?),
        })
    }

    int_methods!(
        i32_binop,
        i32_relop,
        i32_code,
        i32_slot,
        |a: I32Code, b: I32Code| Ok::<_, AnError>(a.mul(b)),
        to_i32,
        from_i32
    );
    int_methods!(
        i64_binop,
        i64_relop,
        i64_code,
        i64_slot,
        I64Code::mul,
        to_i64,
        from_i64
    );
    float_methods!(f32_unop, f32_binop, f32_relop, f32_code, f32_slot, to_f32, from_f32);
    float_methods!(f64_unop, f64_binop, f64_relop, f64_code, f64_slot, to_f64, from_f64);

    #[inline(always)]
    fn convert(op: Conversion, a: u128) -> Result<u128, Error> {
        use Conversion::*;
        let reinterpret = matches!(
            op,
            I32ReinterpretF32 | I64ReinterpretF64 | F32ReinterpretI32 | F64ReinterpretI64
        );
        if single::<LEVEL>() && !reinterpret {
            return convert_decoded::<Self>(op, a);
        }
        Ok(match op {
            I32WrapI64 => i32_slot(i64_code(a).wrap()?),
            I64ExtendI32S => i64_slot(i32_code(a).extend_s()?),
            I64ExtendI32U => i64_slot(i32_code(a).extend_u()?),
            I32TruncF32S => i32_slot(f32_code(a).trunc_i32_s()?),
            I32TruncF32U => i32_slot(f32_code(a).trunc_i32_u()?),
            I32TruncF64S => i32_slot(f64_code(a).trunc_i32_s()?),
            I32TruncF64U => i32_slot(f64_code(a).trunc_i32_u()?),
            I64TruncF32S => i64_slot(f32_code(a).trunc_i64_s()?),
            I64TruncF32U => i64_slot(f32_code(a).trunc_i64_u()?),
            I64TruncF64S => i64_slot(f64_code(a).trunc_i64_s()?),
            I64TruncF64U => i64_slot(f64_code(a).trunc_i64_u()?),
            I32TruncSatF32S => i32_slot(f32_code(a).trunc_sat_i32_s()?),
            I32TruncSatF32U => i32_slot(f32_code(a).trunc_sat_i32_u()?),
            I32TruncSatF64S => i32_slot(f64_code(a).trunc_sat_i32_s()?),
            I32TruncSatF64U => i32_slot(f64_code(a).trunc_sat_i32_u()?),
            I64TruncSatF32S => i64_slot(f32_code(a).trunc_sat_i64_s()?),
            I64TruncSatF32U => i64_slot(f32_code(a).trunc_sat_i64_u()?),
            I64TruncSatF64S => i64_slot(f64_code(a).trunc_sat_i64_s()?),
            I64TruncSatF64U => i64_slot(f64_code(a).trunc_sat_i64_u()?),
            F32ConvertI32S => f32_slot(F32Code::convert_i32_s(i32_code(a))?),
            F32ConvertI32U => f32_slot(F32Code::convert_i32_u(i32_code(a))?),
            F32ConvertI64S => f32_slot(F32Code::convert_i64_s(i64_code(a))?),
            F32ConvertI64U => f32_slot(F32Code::convert_i64_u(i64_code(a))?),
            F64ConvertI32S => f64_slot(F64Code::convert_i32_s(i32_code(a))?),
            F64ConvertI32U => f64_slot(F64Code::convert_i32_u(i32_code(a))?),
            F64ConvertI64S => f64_slot(F64Code::convert_i64_s(i64_code(a))?),
            F64ConvertI64U => f64_slot(F64Code::convert_i64_u(i64_code(a))?),
            F32DemoteF64 => f32_slot(f64_code(a).demote()?),
            F64PromoteF32 => f64_slot(f32_code(a).promote()?),
            // Reinterpretation keeps the code word: floats are codes of their bit patterns.
            I32ReinterpretF32 | I64ReinterpretF64 | F32ReinterpretI32 | F64ReinterpretI64 => a,
        })
    }
}
