//! Values and types as they cross the engine's boundary (arguments, results, globals, host
//! calls). Inside the interpreter values are `Domain::Slot`s; these types are the plain,
//! self-describing form the embedder sees.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

/// A value type of WebAssembly 2.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    FuncRef,
    ExternRef,
}

impl ValType {
    /// The default (zero) value of this type: `0`, `+0.0` or a null reference.
    pub fn zero(self) -> Value {
        match self {
            ValType::I32 => Value::I32(0),
            ValType::I64 => Value::I64(0),
            ValType::F32 => Value::F32(0),
            ValType::F64 => Value::F64(0),
            ValType::FuncRef => Value::FuncRef(None),
            ValType::ExternRef => Value::ExternRef(None),
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// A function signature. Two signatures are the same type when their parameter and result
/// lists are equal (WebAssembly 2.0 has structural function types).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncType {
    params: Box<[ValType]>,
    results: Box<[ValType]>,
}

impl FuncType {
    /// A signature with these parameter and result types.
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> Self {
        Self {
            params: params.into_iter().collect::<Vec<_>>().into_boxed_slice(),
            results: results.into_iter().collect::<Vec<_>>().into_boxed_slice(),
        }
    }

    /// The parameter types, in order.
    pub fn params(&self) -> &[ValType] {
        &self.params
    }

    /// The result types, in order.
    pub fn results(&self) -> &[ValType] {
        &self.results
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(")?;
        for (i, ty) in self.params.iter().enumerate() {
            write!(f, "{}{ty}", if i == 0 { "" } else { " " })?;
        }
        write!(f, ") -> (")?;
        for (i, ty) in self.results.iter().enumerate() {
            write!(f, "{}{ty}", if i == 0 { "" } else { " " })?;
        }
        write!(f, ")")
    }
}

/// The address of a function in a [`crate::Store`]: what a `funcref` holds. Only meaningful
/// in the store that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FuncAddr(pub(crate) u32);

impl FuncAddr {
    /// The function's index in its store.
    pub fn index(self) -> u32 {
        self.0
    }
}

/// A WebAssembly value. Floats are carried as their bit patterns so that NaN payloads survive
/// unchanged (the spec suite checks them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    /// An `f32` as its IEEE-754 bits.
    F32(u32),
    /// An `f64` as its IEEE-754 bits.
    F64(u64),
    /// A function reference, `None` for `ref.null func`.
    FuncRef(Option<FuncAddr>),
    /// An opaque host reference, `None` for `ref.null extern`.
    ExternRef(Option<u32>),
}

impl Value {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
            Value::FuncRef(_) => ValType::FuncRef,
            Value::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// An `f32` value from a Rust float.
    pub fn from_f32(value: f32) -> Self {
        Value::F32(value.to_bits())
    }

    /// An `f64` value from a Rust float.
    pub fn from_f64(value: f64) -> Self {
        Value::F64(value.to_bits())
    }

    /// The `i32` inside, if this is one.
    pub fn as_i32(&self) -> Option<i32> {
        match self {
            Value::I32(v) => Some(*v),
            _ => None,
        }
    }

    /// The `i64` inside, if this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::I64(v) => Some(*v),
            _ => None,
        }
    }

    /// The 64-bit raw form used inside the engine: integers and float bits zero-extended,
    /// references as `0` for null and `index + 1` otherwise.
    pub(crate) fn to_raw(self) -> u64 {
        match self {
            Value::I32(v) => u64::from(v as u32),
            Value::I64(v) => v as u64,
            Value::F32(bits) => u64::from(bits),
            Value::F64(bits) => bits,
            Value::FuncRef(r) => r.map_or(0, |a| u64::from(a.0) + 1),
            Value::ExternRef(r) => r.map_or(0, |v| u64::from(v) + 1),
        }
    }

    /// The inverse of [`Value::to_raw`] for a value of type `ty`.
    pub(crate) fn from_raw(ty: ValType, raw: u64) -> Self {
        let reference = raw.checked_sub(1).map(|v| v as u32);
        match ty {
            ValType::I32 => Value::I32(raw as u32 as i32),
            ValType::I64 => Value::I64(raw as i64),
            ValType::F32 => Value::F32(raw as u32),
            ValType::F64 => Value::F64(raw),
            ValType::FuncRef => Value::FuncRef(reference.map(FuncAddr)),
            ValType::ExternRef => Value::ExternRef(reference),
        }
    }
}
