//! Every way a module or a run can fail, as a value.
//!
//! The engine never panics on module bytes or run-time state: decoding, validation, linking,
//! traps, resource limits and state corrupted by an injected fault all end here. The variants
//! are coarse on purpose: the CLI, campaigns and the kernel module map each kind to one outcome
//! (exit code, classification), and the payload says the detail in one line.

use alloc::string::String;
use core::fmt;

/// A failed module load, link or run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The program trapped as the WebAssembly specification defines it.
    Trap(TrapCode),
    /// A configured resource limit was reached (not a property of the program itself).
    Limit(LimitKind),
    /// The bytes are not a valid WebAssembly 2.0 module (malformed or invalid); the message is
    /// the decoder's, with its byte offset.
    Invalid(String),
    /// An import could not be satisfied or an export is missing; the message names it.
    Link(String),
    /// A call was made with the wrong number or types of arguments, or to a missing export.
    Call(String),
    /// The guest asked to exit (WASI `proc_exit`) with this code.
    Exit(i32),
    /// A host function failed; the message is the host's.
    Host(String),
    /// The execution state is not one the translator can produce: a fault (or a bug) changed
    /// the IR, a slot, the program counter or the call stack. Detected, never undefined.
    Corrupted(Corruption),
}

/// The traps of the WebAssembly specification. [`TrapCode::message`] is the spec text that
/// the official test suite matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrapCode {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    UninitializedElement,
    UndefinedElement,
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
}

impl TrapCode {
    /// The message the specification's test suite expects for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::InvalidConversionToInteger => "invalid conversion to integer",
        }
    }
}

/// Which configured limit ([`crate::Limits`], [`crate::Config::fuel`]) was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// The fuel budget (executed Wasm instructions) is spent.
    Fuel,
    /// A memory would exceed `max_memory_bytes`.
    Memory,
    /// A table would exceed `max_table_elements`.
    Table,
    /// Nested calls would exceed `max_call_depth` (the spec's "call stack exhausted").
    CallDepth,
    /// The value stack would exceed `max_stack_slots`.
    Stack,
}

impl LimitKind {
    fn message(self) -> &'static str {
        match self {
            LimitKind::Fuel => "all fuel consumed",
            LimitKind::Memory => "memory size limit exceeded",
            LimitKind::Table => "table size limit exceeded",
            LimitKind::CallDepth => "call stack exhausted (call depth limit)",
            LimitKind::Stack => "call stack exhausted (value stack limit)",
        }
    }
}

/// What was found corrupted. Each variant names the checked index that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// The opcode word does not name an IR operation.
    BadOpcode,
    /// The program counter or an operand read points outside the function's IR.
    PcOutOfRange,
    /// A slot operand lies outside the current frame.
    SlotOutOfFrame,
    /// A function, global, table, memory, type or segment index is out of range.
    BadIndex,
    /// The call-frame stack is inconsistent (e.g. a frame's function vanished).
    BadFrame,
    /// A jump that costs no fuel goes backward (the translator never emits one).
    FreeBackwardJump,
    /// The encoded value domain found a value that is not a valid code word, or its two
    /// duplicated computations disagreed (mechanism `an`).
    BadCodeWord,
    /// The control-flow signature did not match the block entered or left (mechanism
    /// `signature`): a wrong jump, a skipped or repeated block, a branch outcome that
    /// contradicts its encoded condition.
    BadSignature,
    /// A block's IR words do not fold to their static checksum (mechanism `code`).
    BadChecksum,
    /// Linear memory disagrees with its check bits or shadow copy (mechanism `memory`).
    MemoryMismatch,
}

impl Corruption {
    fn message(self) -> &'static str {
        match self {
            Corruption::BadOpcode => "bad opcode",
            Corruption::PcOutOfRange => "program counter out of range",
            Corruption::SlotOutOfFrame => "slot out of frame",
            Corruption::BadIndex => "index out of range",
            Corruption::BadFrame => "inconsistent call frame",
            Corruption::FreeBackwardJump => "backward jump without fuel",
            Corruption::BadCodeWord => "invalid code word",
            Corruption::BadSignature => "control-flow signature mismatch",
            Corruption::BadChecksum => "code checksum mismatch",
            Corruption::MemoryMismatch => "memory check mismatch",
        }
    }

    /// The detection mechanism that found it, as campaigns and the CLI name it: `an`,
    /// `signature`, `memory`, or `code` for the engine's own structural checks.
    pub fn mechanism(self) -> &'static str {
        match self {
            Corruption::BadCodeWord => "an",
            Corruption::BadSignature => "signature",
            Corruption::MemoryMismatch => "memory",
            _ => "code",
        }
    }
}

// The conversions below build an error on a path that ends the run, so they are cold and
// out of line. Inlined into the interpreter's loop, the error values they build shared
// loop-carried stack slots with the operations' results, and the hot path of many
// instructions stored into those slots every time (seen in the generated code; callgrind,
// encoded runs: 0.7-7.5 % fewer instructions out of line, see the commit).

impl From<TrapCode> for Error {
    #[cold]
    #[inline(never)]
    fn from(code: TrapCode) -> Self {
        Error::Trap(code)
    }
}

impl From<LimitKind> for Error {
    #[cold]
    #[inline(never)]
    fn from(kind: LimitKind) -> Self {
        Error::Limit(kind)
    }
}

impl From<Corruption> for Error {
    #[cold]
    #[inline(never)]
    fn from(kind: Corruption) -> Self {
        Error::Corrupted(kind)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Trap(code) => write!(f, "trap: {}", code.message()),
            Error::Limit(kind) => write!(f, "limit: {}", kind.message()),
            Error::Invalid(msg) => write!(f, "invalid module: {msg}"),
            Error::Link(msg) => write!(f, "link error: {msg}"),
            Error::Call(msg) => write!(f, "bad call: {msg}"),
            Error::Exit(code) => write!(f, "exit with code {code}"),
            Error::Host(msg) => write!(f, "host error: {msg}"),
            Error::Corrupted(kind) => write!(f, "corrupted state: {}", kind.message()),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
