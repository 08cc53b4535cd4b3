//! The result of a run as the kernel returns it: outcome, exit code, fuel, output streams and
//! the typed results of an invoked export.

use alloc::string::String;
use alloc::vec::Vec;

/// How a run ended (`WASMREL_OUTCOME_*`; exit codes as in `wasmrel run`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Outcome {
    /// `_start` returned or the guest called `proc_exit`.
    Exit = 0,
    /// The invoked export returned its results.
    Returned = 1,
    /// Invalid module, link error or bad argument (126).
    Error = 2,
    /// Fuel, memory, table, call depth or output limit (128).
    Limit = 3,
    /// A Wasm trap (134).
    Trap = 4,
    /// A fault detected by encoded or dual execution (135).
    Detected = 5,
    /// The engine found itself in an impossible state (136).
    EngineBug = 6,
}

/// Size of one `struct wasmrel_value` in the results stream.
pub const VALUE_RECORD_BYTES: usize = 24;

/// One result value in the layout of `struct wasmrel_value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueRecord {
    /// `WASMREL_TYPE_*`, the Wasm binary encoding of the value type.
    pub type_code: u32,
    /// For references: whether it is null.
    pub is_null: bool,
    /// The value's bits (low half of a v128, index of a reference).
    pub low: u64,
    /// High half of a v128.
    pub high: u64,
}

impl ValueRecord {
    /// The little-endian bytes of `struct wasmrel_value`.
    pub fn to_bytes(self) -> [u8; VALUE_RECORD_BYTES] {
        let mut out = [0; VALUE_RECORD_BYTES];
        out[0..4].copy_from_slice(&self.type_code.to_le_bytes());
        out[4..8].copy_from_slice(&u32::from(self.is_null).to_le_bytes());
        out[8..16].copy_from_slice(&self.low.to_le_bytes());
        out[16..24].copy_from_slice(&self.high.to_le_bytes());
        out
    }
}

/// Everything the reply of a run carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// How it ended; `None` only before the run.
    pub outcome: Option<Outcome>,
    /// Guest exit code for [`Outcome::Exit`].
    pub exit_code: i32,
    /// Wasm instructions executed.
    pub fuel_used: u64,
    /// Bytes the guest wrote to fd 1.
    pub stdout: Vec<u8>,
    /// Bytes the guest wrote to fd 2.
    pub stderr: Vec<u8>,
    /// Results of the invoked export as `struct wasmrel_value` records.
    pub results: Vec<u8>,
    /// One-line reason for any outcome other than exit/returned.
    pub message: String,
}

impl Report {
    /// Number of records in [`Report::results`].
    pub fn result_count(&self) -> usize {
        self.results.len() / VALUE_RECORD_BYTES
    }
}
