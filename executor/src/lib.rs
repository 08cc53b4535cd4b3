//! The wasmrel WebAssembly engine: decode and validate with `wasmparser`, translate every
//! function once into a compact register-style IR, interpret it.
//!
//! Built for running where bits flip: `#![no_std]` with `alloc` (it runs inside the Linux
//! kernel), no native recursion for Wasm calls, every limit configurable, and every index
//! read at run time checked so that a fault injected into the IR, the value stack or the
//! program counter ends in a defined outcome ([`Error`]), never undefined behaviour.
//!
//! # Shape
//!
//! - [`Module::new`] decodes and validates (WebAssembly 2.0 without SIMD) and translates each
//!   function once into IR ([`ir`]): `u32` words, operands naming frame slots, fuel counts in
//!   the opcode words.
//! - [`Store`] owns every instance's functions (with their IR), memories, tables, globals and
//!   segments; [`Linker`] resolves imports and instantiates.
//! - [`Execution`] is one resumable call: its own value stack and call stack, driven by
//!   [`Execution::resume`], which returns a [`Pause`] for host calls, the periodic hook
//!   ([`Config::hook_interval`]) and the fault injector's stop point
//!   ([`Execution::set_pause_at`]).
//! - The interpreter is generic over the value [`Domain`]; [`Plain`] is unencoded execution.
//! - Fault injection reaches the state through [`Execution::stack_mut`],
//!   [`Execution::set_pc`], [`Execution::frames_mut`], [`Store::code_mut`],
//!   [`Store::global_slot_mut`] and [`Store::memory_mut`]; whatever it flips ends in a value or
//!   an [`Error`] (corruption, trap, limit), never undefined behaviour or a panic.
//!
//! ```
//! use wasmrel_executor::{Config, Linker, Module, NoHost, Plain, Store, Value};
//! // (module (func (export "add") (param i32 i32) (result i32)
//! //   local.get 0 local.get 1 i32.add))
//! let bytes = [
//!     0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3,
//!     97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11,
//! ];
//! let config = Config::default();
//! let module = Module::new(&config, &bytes)?;
//! let mut store: Store<Plain> = Store::new(config);
//! let instance = Linker::new().instantiate(&mut store, &module, &mut NoHost)?;
//! let results = store.invoke(instance, "add", &[Value::I32(2), Value::I32(3)], &mut NoHost)?;
//! assert_eq!(results, [Value::I32(5)]);
//! # Ok::<(), wasmrel_executor::Error>(())
//! ```
#![no_std]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod numeric_ops;

mod config;
mod domain;
mod error;
mod exec;
mod fallible;
mod host;
mod instance;
mod interp;
pub mod ir;
mod linker;
mod memory;
mod module;
pub mod numeric;
mod plain;
mod snapshot;
mod store;
mod table;
mod translate;
mod types;
mod value;

pub use config::{Config, FuelCount, Limits};
pub use domain::{
    convert_decoded, Conversion, Domain, FloatBinop, FloatRelop, FloatUnop, IntBinop, IntRelop,
    IntUnop,
};
pub use error::{Corruption, Error, LimitKind, TrapCode};
pub use exec::{Execution, Frame, HostCall, Pause, Place};
pub use host::{Caller, Host, HostError, HostFuncId, NoHost, OutOfBounds};
pub use linker::Linker;
pub use memory::Memory;
pub use module::Module;
pub use plain::Plain;
pub use store::{Extern, InstanceId, Store};
pub use table::Table;
pub use types::{ExportType, ExternType, GlobalType, ImportType, MemoryType, TableType, PAGE_SIZE};
pub use value::{FuncAddr, FuncType, ValType, Value};
pub use wasmrel_checker::memory::Protection;
