//! User-space client of the wasmrel kernel module (`/dev/wasmrel`).
//!
//! [`run`] sends a module in chunks, its arguments, environment and limits, runs it in the
//! kernel and reads back stdout, stderr, the exit code or the invoked export's results, the
//! fuel used and the outcome. [`Reply::exit_code`] maps the outcome to the exit codes of
//! `wasmrel run`, so `wasmrel run --kernel` behaves like a user-space run.

pub mod abi;
mod device;
mod error;
mod mode;
mod reply;

pub use device::{run, Request, DEFAULT_DEVICE};
pub use error::ClientError;
pub use mode::{CheckLevel, Encoding, MemoryProtection, Mode, Replicas};
pub use reply::{Outcome, Reply, Value};
