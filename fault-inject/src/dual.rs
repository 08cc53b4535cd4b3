//! The diverse replica of dual execution and the comparison of replica values live in the
//! `no_std` crate `wasmrel-dual` (the kernel module runs dual execution too).

pub use wasmrel_dual::{same_values, Inverted};
