//! The configuration of one run, as the kernel hands it over after checking the limits
//! against its module parameters.

use alloc::string::String;
use alloc::vec::Vec;

use wasmrel_executor::Value;

/// Which execution to use; encoded and dual arrive with the encoded engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The plain interpreter.
    Plain,
    /// Every value carried as an AN code word.
    Encoded,
    /// Two replicas compared at every host call and at exit.
    Dual,
}

impl Mode {
    /// Decodes `WASMREL_MODE_*`.
    pub fn from_raw(raw: u32) -> Option<Self> {
        match raw {
            0 => Some(Mode::Plain),
            1 => Some(Mode::Encoded),
            2 => Some(Mode::Dual),
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
