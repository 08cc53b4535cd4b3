//! WASI preview 1 (`wasi_snapshot_preview1`, and the older `wasi_unstable`) for the wasmrel
//! engine.
//!
//! [`WasiCtx`] holds what a guest can observe: arguments, environment, clocks, randomness
//! and its file descriptors. [`WasiCtx::call_func`] runs one preview-1 function against
//! guest memory reached through the [`Guest`] trait; [`link`] defines every function in an
//! engine `Linker`, and `WasiCtx` is the engine `Host` that serves them.
//!
//! ```no_run
//! use wasmrel_executor::{Config, Linker, Module, Plain, Store};
//! use wasmrel_wasi::WasiCtx;
//!
//! let bytes = std::fs::read("app.wasm").unwrap();
//! let module = Module::new(&Config::default(), &bytes).unwrap();
//! let mut wasi = WasiCtx::system();
//! wasi.inherit_stdio();
//! wasi.push_arg("app.wasm");
//! let mut store: Store<Plain> = Store::new(Config::default());
//! let mut linker = Linker::new();
//! wasmrel_wasi::link(&mut linker);
//! let instance = linker.instantiate(&mut store, &module, &mut wasi).unwrap();
//! let outcome = store.invoke(instance, "_start", &[], &mut wasi);
//! wasi.flush();
//! ```
//!
//! The core is `no_std` + `alloc` so the kernel module can reuse it: arguments, environment,
//! clocks and randomness behind traits, standard streams into pluggable sinks, `proc_exit`.
//! Files and directories under directory grants need the `std` feature.
//!
//! Every preview-1 function can be linked; those without an implementation (sockets,
//! `proc_raise`, and without `std` the file system) return `ENOSYS`. Rights are reported by
//! `fd_fdstat_get` but not enforced beyond the host's own open mode.

#![no_std]
// Guest pointers, lengths and paths reach every function here: no panic path by construction
// (unit tests may unwrap).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

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
mod snapshot;
pub mod stdio;
mod time;

pub use ctx::WasiCtx;
pub use dispatch::Exit;
pub use errno::Errno;
pub use functions::{Func, Param};
pub use guest::Guest;
pub use host::link;
pub use snapshot::Snapshot;
