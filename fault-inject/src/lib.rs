//! Fault-injection campaigns for wasmrel.
//!
//! A campaign runs an application once without faults (the *golden run*, [`golden`]), then
//! many times with one fault each: `K` bits flipped at a dynamic Wasm instruction count `t`
//! in one location class ([`fault`]). Each run ends with one label of a fixed set
//! ([`Label`]). Every injection's parameters derive from `(seed, id)` alone, so shards,
//! resumed campaigns and replays agree ([`campaign`]). Dual execution ([`dual`]) runs two
//! replicas in lockstep and is both a run mode and an injection target. [`report`] turns
//! campaign directories into tables, plots and honest statistics ([`stats`]).

pub mod app;
pub mod campaign;
pub mod dirs;
pub mod driver;
pub mod dual;
pub mod fault;
pub mod flip;
pub mod golden;
pub mod host;
pub mod label;
pub mod merge;
pub mod packed;
pub mod report;
pub mod runner;
pub mod stats;

pub use app::{App, Check, MemoryProtection, Mode, Second};
pub use campaign::{Campaign, CampaignOptions, Shard};
pub use fault::{Class, Fault, Sampling};
pub use label::Label;
