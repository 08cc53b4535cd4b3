//! Dual execution: two replicas of one module run in lockstep and are compared at every host
//! call and at the end.
//!
//! `no_std` + `alloc`, so that the same lockstep runs `wasmrel run --dual`, the campaigns of
//! `wasmrel-fault-inject` (which stop, inject into, copy and compare these replicas) and
//! `wasmrel run --kernel --dual` inside the kernel module.

#![no_std]

extern crate alloc;

mod inverted;
mod lockstep;

pub use inverted::{same_values, Inverted};
pub use lockstep::{run, Call, End, Event, Pair, Replicas, Single};
