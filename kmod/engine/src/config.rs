//! The configuration of one run, as the kernel hands it over after checking the limits
//! against its module parameters.

use alloc::string::String;
use alloc::vec::Vec;

use wasmrel_executor::{Protection, Value};

/// Which execution to use, with the options of `wasmrel run` that belong to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The plain interpreter.
    Plain,
    /// Every value carried as an AN code word (`--encoded`).
    Encoded {
        /// How often values are checked (`--check`).
        check: CheckLevel,
        /// How linear memory is protected (`--memory-protection`).
        memory: Protection,
    },
    /// Two replicas compared at every host call and at exit (`--dual`); the first is plain.
    Dual(Replicas),
}

/// `--check`: the level of `wasmrel_an_encoding::level` the encoded run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckLevel {
    /// Every operand (`level::OP`).
    Op,
    /// Block boundaries and where values leave the code (`level::BLOCK`, the default).
    Block,
    /// Only before effects (`level::EFFECTS`).
    Effects,
}

/// `--replicas`: the second replica of a dual run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replicas {
    /// Every value bit-inverted (the default).
    Inverted,
    /// AN-encoded.
    Encoded,
}

/// The raw `WASMREL_MODE_*`, `WASMREL_CHECK_*`, `WASMREL_MEMORY_*` and `WASMREL_REPLICAS_*`
/// words of a request, as they cross the FFI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawMode {
    /// `WASMREL_MODE_*`.
    pub mode: u32,
    /// `WASMREL_CHECK_*`; 0 (the default) unless the mode is encoded.
    pub check_level: u32,
    /// `WASMREL_MEMORY_*`; 0 (the default) unless the mode is encoded.
    pub memory_protection: u32,
    /// `WASMREL_REPLICAS_*`; 0 (the default) unless the mode is dual.
    pub replicas: u32,
}

impl Mode {
    /// Decodes a request's mode words. An unknown value, or an option given to a mode it
    /// does not belong to, is refused (`wasmrel run` refuses `--check` without `--encoded`
    /// too), so no request is silently run otherwise than it asked.
    pub fn from_raw(raw: RawMode) -> Option<Self> {
        let encoded_options = raw.check_level != 0 || raw.memory_protection != 0;
        match raw.mode {
            0 if !encoded_options && raw.replicas == 0 => Some(Mode::Plain),
            1 if raw.replicas == 0 => Some(Mode::Encoded {
                check: match raw.check_level {
                    0 => CheckLevel::Block,
                    1 => CheckLevel::Op,
                    2 => CheckLevel::Effects,
                    _ => return None,
                },
                memory: match raw.memory_protection {
                    0 => Protection::Crc,
                    1 => Protection::None,
                    2 => Protection::Dup,
                    _ => return None,
                },
            }),
            2 if !encoded_options => Some(Mode::Dual(match raw.replicas {
                0 => Replicas::Inverted,
                1 => Replicas::Encoded,
                _ => return None,
            })),
            _ => None,
        }
    }
}

/// Limits of one run, all already resolved (no zero-means-default left).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Wasm instructions the run may execute.
    pub fuel: u64,
    /// Bytes of linear memory, all memories together.
    pub memory_bytes: u64,
    /// Nested Wasm calls.
    pub call_depth: u32,
    /// Elements a table may hold.
    pub table_elements: u32,
    /// Bytes of value stack, counted in 8-byte slots whatever the mode (as `--max-stack`).
    pub stack_bytes: u64,
    /// Bytes of stdout plus stderr kept for the reply.
    pub output_bytes: u64,
}

/// Call one export instead of running `_start`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoke {
    /// Export name.
    pub name: String,
    /// Arguments, checked against the export's parameter types at run time.
    pub args: Vec<Value>,
}

/// Everything a run needs besides the module bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunConfig {
    /// Which execution to use.
    pub mode: Mode,
    /// Resource limits.
    pub limits: Limits,
    /// WASI arguments, `args[0]` being the program name.
    pub args: Vec<Vec<u8>>,
    /// WASI environment, `KEY=VALUE` each.
    pub env: Vec<Vec<u8>>,
    /// The export to call, or `None` for a WASI command.
    pub invoke: Option<Invoke>,
}
