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

/// Everything the reply of a run carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// How it ended.
    pub outcome: Outcome,
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
    /// A report that carries only an outcome and its reason.
    pub fn failed(outcome: Outcome, message: String) -> Self {
        Report {
            outcome,
            exit_code: 0,
            fuel_used: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
            results: Vec::new(),
            message,
        }
    }

    /// The same report with guest exit code `code`.
    pub fn exit(mut self, code: i32) -> Self {
        self.exit_code = code;
        self
    }

    /// Number of records in [`Report::results`].
    pub fn result_count(&self) -> usize {
        self.results.len() / crate::record::RECORD_BYTES
    }
}
