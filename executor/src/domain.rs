//! The value domain: how a Wasm value is represented in a stack slot, a local or a global,
//! and how numeric operations act on that representation.
//!
//! The interpreter is generic over [`Domain`] and monomorphised per domain, so one interpreter
//! source serves plain execution ([`crate::Plain`], `Slot = u64`) and encoded execution (an
//! AN-code domain with wider slots, in another crate). Every operation has a provided body that
//! decodes its operands with the `to_*` conversions, computes with the plain semantics of
//! [`crate::numeric`] and encodes the result with `from_*`; a domain overrides only what it can
//! do better (e.g. add code words directly). For `Plain` the conversions are identities, so the
//! provided bodies compile to the bare operation.
//!
//! The `to_*` conversions return `Result` because a value *leaving* the coded world (a branch
//! condition, an address, a stored value, a host argument) is where an encoded domain checks it;
//! a failed check is an [`Error`].

use crate::error::Error;
use crate::numeric;
use crate::value::{ValType, Value};
use core::fmt::Debug;

/// Integer unary operations (`i32`/`i64`), including tests that produce an `i32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntUnop {
    Clz,
    Ctz,
    Popcnt,
    Eqz,
    Extend8S,
    Extend16S,
    Extend32S,
}

/// Integer binary operations (`i32`/`i64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntBinop {
    Add,
    Sub,
    Mul,
    DivS,
    DivU,
    RemS,
    RemU,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
    Rotl,
    Rotr,
}

/// Integer comparisons; the result is an `i32` 0 or 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntRelop {
    Eq,
    Ne,
    LtS,
    LtU,
    GtS,
    GtU,
    LeS,
    LeU,
    GeS,
    GeU,
}

/// Float unary operations (`f32`/`f64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatUnop {
    Abs,
    Neg,
    Ceil,
    Floor,
    Trunc,
    Nearest,
    Sqrt,
}

/// Float binary operations (`f32`/`f64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatBinop {
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
    Copysign,
}

/// Float comparisons; the result is an `i32` 0 or 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatRelop {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// Conversions between value types (`<result>_<op>_<operand>` as in the Wasm names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    I32WrapI64,
    I32TruncF32S,
    I32TruncF32U,
    I32TruncF64S,
    I32TruncF64U,
    I64ExtendI32S,
    I64ExtendI32U,
    I64TruncF32S,
    I64TruncF32U,
    I64TruncF64S,
    I64TruncF64U,
    F32ConvertI32S,
    F32ConvertI32U,
    F32ConvertI64S,
    F32ConvertI64U,
    F32DemoteF64,
    F64ConvertI32S,
    F64ConvertI32U,
    F64ConvertI64S,
    F64ConvertI64U,
    F64PromoteF32,
    I32ReinterpretF32,
    I64ReinterpretF64,
    F32ReinterpretI32,
    F64ReinterpretI64,
    I32TruncSatF32S,
    I32TruncSatF32U,
    I32TruncSatF64S,
    I32TruncSatF64U,
    I64TruncSatF32S,
    I64TruncSatF32U,
    I64TruncSatF64S,
    I64TruncSatF64U,
}

/// A representation of Wasm values and the operations on it. See the module docs.
///
/// References (`funcref`, `externref`) travel as `i64` raw values: `0` is null, `n + 1` the
/// reference `n`.
pub trait Domain: 'static {
    /// One value-stack slot, local or global.
    type Slot: Copy + Debug + PartialEq;

    /// Whether stores of this domain run control-flow signatures: their code carries the
    /// checker's words (`translate::signature`) and the interpreter executes them. `false`
    /// for [`crate::Plain`], whose code has none and whose interpreter compiles them away.
    const SIGNATURES: bool = false;

    /// Whether this domain detects faults (encoded execution): the interpreter then keeps the
    /// program counter of the running instruction in the execution, so that a detection can
    /// say where it happened ([`crate::Execution::place`]). `false` for [`crate::Plain`].
    const DETECTS: bool = false;

    /// Whether loads and stores check linear memory's protection (check bits or shadow copy,
    /// [`crate::Store::set_memory_protection`]). `false` for [`crate::Plain`].
    const CHECKS_MEMORY: bool = false;

    /// A branch condition as a number *without* checking it: 0 or 1 for a valid condition,
    /// anything else for an invalid one. The signature update of a conditional branch is
    /// selected by it, apart from the checked decision [`Self::condition`] that moves the
    /// program counter. Only called when [`Self::SIGNATURES`] is set.
    #[inline(always)]
    fn branch_flag(slot: Self::Slot) -> u64 {
        let _ = slot;
        0
    }

    /// Encodes an `i32`.
    fn from_i32(value: i32) -> Self::Slot;
    /// Encodes an `i64` (also references, see the trait docs).
    fn from_i64(value: i64) -> Self::Slot;
    /// Encodes an `f32` given as bits.
    fn from_f32(bits: u32) -> Self::Slot;
    /// Encodes an `f64` given as bits.
    fn from_f64(bits: u64) -> Self::Slot;
    /// Decodes an `i32`, checking the code word.
    fn to_i32(slot: Self::Slot) -> Result<i32, Error>;
    /// Decodes an `i64`, checking the code word.
    fn to_i64(slot: Self::Slot) -> Result<i64, Error>;
    /// Decodes an `f32` as bits, checking the code word.
    fn to_f32(slot: Self::Slot) -> Result<u32, Error>;
    /// Decodes an `f64` as bits, checking the code word.
    fn to_f64(slot: Self::Slot) -> Result<u64, Error>;

    /// The default value of a local or table-less global of type `ty`.
    #[inline(always)]
    fn zero(ty: ValType) -> Self::Slot {
        match ty {
            ValType::I32 => Self::from_i32(0),
            ValType::F32 => Self::from_f32(0),
            ValType::F64 => Self::from_f64(0),
            ValType::I64 | ValType::FuncRef | ValType::ExternRef => Self::from_i64(0),
        }
    }

    /// Encodes a boundary value.
    #[inline(always)]
    fn from_value(value: Value) -> Self::Slot {
        match value {
            Value::I32(v) => Self::from_i32(v),
            Value::I64(v) => Self::from_i64(v),
            Value::F32(bits) => Self::from_f32(bits),
            Value::F64(bits) => Self::from_f64(bits),
            Value::FuncRef(_) | Value::ExternRef(_) => Self::from_i64(value.to_raw() as i64),
        }
    }

    /// Decodes a slot holding a value of type `ty` for the boundary.
    #[inline(always)]
    fn to_value(ty: ValType, slot: Self::Slot) -> Result<Value, Error> {
        Ok(match ty {
            ValType::I32 => Value::I32(Self::to_i32(slot)?),
            ValType::F32 => Value::F32(Self::to_f32(slot)?),
            ValType::F64 => Value::F64(Self::to_f64(slot)?),
            ValType::I64 | ValType::FuncRef | ValType::ExternRef => {
                Value::from_raw(ty, Self::to_i64(slot)? as u64)
            }
        })
    }

    /// Decides a branch (`br_if`, `if`, `select`): a value leaves the code here.
    #[inline(always)]
    fn condition(slot: Self::Slot) -> Result<bool, Error> {
        Ok(Self::to_i32(slot)? != 0)
    }

    /// `i32` unary operation.
    #[inline(always)]
    fn i32_unop(op: IntUnop, a: Self::Slot) -> Result<Self::Slot, Error> {
        Ok(Self::from_i32(numeric::i32_unop(op, Self::to_i32(a)?)))
    }
    /// `i64` unary operation (`eqz` yields an `i32`).
    #[inline(always)]
    fn i64_unop(op: IntUnop, a: Self::Slot) -> Result<Self::Slot, Error> {
        let a = Self::to_i64(a)?;
        Ok(match op {
            IntUnop::Eqz => Self::from_i32(i32::from(a == 0)),
            _ => Self::from_i64(numeric::i64_unop(op, a)),
        })
    }
    /// `i32` binary operation; division traps as the spec says.
    #[inline(always)]
    fn i32_binop(op: IntBinop, a: Self::Slot, b: Self::Slot) -> Result<Self::Slot, Error> {
        Ok(Self::from_i32(numeric::i32_binop(
            op,
            Self::to_i32(a)?,
            Self::to_i32(b)?,
        )?))
    }
    /// `i64` binary operation; division traps as the spec says.
    #[inline(always)]
    fn i64_binop(op: IntBinop, a: Self::Slot, b: Self::Slot) -> Result<Self::Slot, Error> {
        Ok(Self::from_i64(numeric::i64_binop(
            op,
            Self::to_i64(a)?,
            Self::to_i64(b)?,
        )?))
    }
    /// `i32` comparison.
    #[inline(always)]
    fn i32_relop(op: IntRelop, a: Self::Slot, b: Self::Slot) -> Result<Self::Slot, Error> {
        let r = numeric::i32_relop(op, Self::to_i32(a)?, Self::to_i32(b)?);
        Ok(Self::from_i32(i32::from(r)))
    }
    /// `i64` comparison.
    #[inline(always)]
    fn i64_relop(op: IntRelop, a: Self::Slot, b: Self::Slot) -> Result<Self::Slot, Error> {
        let r = numeric::i64_relop(op, Self::to_i64(a)?, Self::to_i64(b)?);
        Ok(Self::from_i32(i32::from(r)))
    }
    /// `f32` unary operation.
    #[inline(always)]
    fn f32_unop(op: FloatUnop, a: Self::Slot) -> Result<Self::Slot, Error> {
        Ok(Self::from_f32(numeric::f32_unop(op, Self::to_f32(a)?)))
    }
    /// `f64` unary operation.
    #[inline(always)]
    fn f64_unop(op: FloatUnop, a: Self::Slot) -> Result<Self::Slot, Error> {
        Ok(Self::from_f64(numeric::f64_unop(op, Self::to_f64(a)?)))
    }
    /// `f32` binary operation.
    #[inline(always)]
    fn f32_binop(op: FloatBinop, a: Self::Slot, b: Self::Slot) -> Result<Self::Slot, Error> {
        let r = numeric::f32_binop(op, Self::to_f32(a)?, Self::to_f32(b)?);
        Ok(Self::from_f32(r))
    }
    /// `f64` binary operation.
    #[inline(always)]
    fn f64_binop(op: FloatBinop, a: Self::Slot, b: Self::Slot) -> Result<Self::Slot, Error> {
        let r = numeric::f64_binop(op, Self::to_f64(a)?, Self::to_f64(b)?);
        Ok(Self::from_f64(r))
    }
    /// `f32` comparison.
    #[inline(always)]
    fn f32_relop(op: FloatRelop, a: Self::Slot, b: Self::Slot) -> Result<Self::Slot, Error> {
        let r = numeric::f32_relop(op, Self::to_f32(a)?, Self::to_f32(b)?);
        Ok(Self::from_i32(i32::from(r)))
    }
    /// `f64` comparison.
    #[inline(always)]
    fn f64_relop(op: FloatRelop, a: Self::Slot, b: Self::Slot) -> Result<Self::Slot, Error> {
        let r = numeric::f64_relop(op, Self::to_f64(a)?, Self::to_f64(b)?);
        Ok(Self::from_i32(i32::from(r)))
    }
    /// A conversion; the trapping float-to-int forms trap as the spec says.
    #[inline(always)]
    fn convert(op: Conversion, a: Self::Slot) -> Result<Self::Slot, Error> {
        convert_decoded::<Self>(op, a)
    }
}

/// A conversion computed on the decoded value with the plain semantics and encoded again:
/// [`Domain::convert`]'s default, also for domains that override it only in part.
#[inline(always)]
pub fn convert_decoded<D: Domain + ?Sized>(op: Conversion, a: D::Slot) -> Result<D::Slot, Error> {
    use numeric::Raw;
    let input = match op.operand_type() {
        ValType::I32 => Raw::I32(D::to_i32(a)?),
        ValType::F32 => Raw::F32(D::to_f32(a)?),
        ValType::F64 => Raw::F64(D::to_f64(a)?),
        _ => Raw::I64(D::to_i64(a)?),
    };
    Ok(match numeric::convert(op, input)? {
        Raw::I32(v) => D::from_i32(v),
        Raw::I64(v) => D::from_i64(v),
        Raw::F32(bits) => D::from_f32(bits),
        Raw::F64(bits) => D::from_f64(bits),
    })
}

impl Conversion {
    /// The type of the operand this conversion consumes.
    pub fn operand_type(self) -> ValType {
        use Conversion::*;
        match self {
            I64ExtendI32S | I64ExtendI32U | F32ConvertI32S | F32ConvertI32U | F64ConvertI32S
            | F64ConvertI32U | F32ReinterpretI32 => ValType::I32,
            I32WrapI64 | F32ConvertI64S | F32ConvertI64U | F64ConvertI64S | F64ConvertI64U
            | F64ReinterpretI64 => ValType::I64,
            I32TruncF32S | I32TruncF32U | I64TruncF32S | I64TruncF32U | F64PromoteF32
            | I32ReinterpretF32 | I32TruncSatF32S | I32TruncSatF32U | I64TruncSatF32S
            | I64TruncSatF32U => ValType::F32,
            I32TruncF64S | I32TruncF64U | I64TruncF64S | I64TruncF64U | F32DemoteF64
            | I64ReinterpretF64 | I32TruncSatF64S | I32TruncSatF64U | I64TruncSatF64S
            | I64TruncSatF64U => ValType::F64,
        }
    }
}
