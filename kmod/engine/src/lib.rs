//! The session logic of the wasmrel kernel module, kept free of kernel and FFI details so that
//! it is tested in user space (`cargo test -p wasmrel-kmod-engine`).
//!
//! A [`Session`] is what one open `/dev/wasmrel` file holds: the module bytes as they arrive,
//! the run's configuration, and the report of the last run. The kernel build wraps it in
//! `kmod/ffi` (C entry points, allocator, panic handler); everything the kernel provides
//! (time, randomness, rescheduling, signals) comes in through [`Platform`].
#![no_std]

extern crate alloc;

mod config;
mod platform;
mod record;
mod report;
mod run;
mod session;
mod strings;

pub use config::{CheckLevel, Invoke, Limits, Mode, RawMode, Replicas, RunConfig};
pub use platform::Platform;
pub use record::RECORD_BYTES;
pub use report::{Outcome, Report};
pub use session::{RawConfig, Session, SessionError};
pub use strings::parse_string_table;
