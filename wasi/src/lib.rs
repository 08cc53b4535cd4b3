//! WASI preview 1 (`wasi_snapshot_preview1`) for the wasmrel engine.
//!
//! [`WasiCtx`] holds what a guest can observe: arguments, environment, clocks, randomness
//! and its file descriptors. [`WasiCtx::call_func`] runs one preview-1 function against guest
//! memory reached through the [`Guest`] trait, and [`link`] plugs every function into the engine with the context as its `Host`.
//!
//! The core is `no_std` + `alloc` so the kernel module can reuse it: arguments, environment,
//! clocks and randomness behind traits, standard streams into pluggable sinks, `proc_exit`.
//! Files and directories under directory grants need the `std` feature.
//!
//! Every preview-1 function can be linked; those without an implementation (sockets,
//! `proc_raise`, and without `std` the file system) return `ENOSYS`.

#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod abi;
mod args;
pub mod clock;
mod ctx;
mod descriptor;
mod dispatch;
pub mod errno;
mod fd;
#[cfg(feature = "std")]
mod fs;
mod functions;
pub mod guest;
mod host;
pub mod random;
pub mod stdio;
mod time;

pub use ctx::WasiCtx;
pub use dispatch::Exit;
pub use errno::Errno;
pub use functions::{Func, Param};
pub use guest::Guest;
pub use host::link;
