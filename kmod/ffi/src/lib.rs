//! The kernel side of the engine: `#[no_mangle] extern "C"` entry points declared in
//! `kmod/src/engine.h`, a global allocator on `kvmalloc`, and a panic handler.
//!
//! The C shim guarantees that every pointer passed here is a kernel pointer to at least the
//! stated number of bytes and that calls on one session are serialised by its mutex.
#![no_std]

extern crate alloc;

mod entry;
mod kernel;
