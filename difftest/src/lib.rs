//! Differential testing of wasmrel against wasmi on `wasm-smith` modules.
//!
//! A module is generated from a seed ([`generate`]), run by wasmrel in plain, AN-encoded and
//! dual mode and by wasmi ([`observe`]: instantiation, every export called with arguments
//! drawn from the seed, final exported globals and memory), and the records are compared. A limit reached on
//! either side (fuel, call depth, stack) makes the comparison inconclusive, never a divergence:
//! the engines' limits differ by design.
//!
//! wasmi is a reference, not an oracle: a divergence is judged against a third engine before
//! wasmrel is changed, and cases where wasmi is wrong are kept as tests with the consensus
//! answer (`tests/regressions.rs`).

pub mod generate;
pub mod observe;
pub mod wasmi_engine;
pub mod wasmrel_engine;

use generate::Arguments;
use observe::{compare, Verdict};
use wasmrel_an_encoding::An;
use wasmrel_executor::Plain;

/// Fuel (executed instructions) of each export call in every engine: far above what a
/// generated module may use before its own fuel global stops it.
pub const ENGINE_FUEL: u64 = 10_000_000;

/// The outcome of one module across the runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `wasm-smith` did not produce a module from this seed's entropy.
    NotGenerated,
    /// All three runs agree; the counts say how the export calls ended.
    Agree(Calls),
    /// The runs agree up to the point where one of them hit the limit named here.
    Inconclusive(String),
    /// Some pair disagrees; the text names the pair and the first difference.
    Diverge(String),
}

/// How the export calls of an agreeing module ended (to show what a sample exercised).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Calls {
    /// 1 if instantiation (segments, start function) trapped, then no export was called.
    pub instantiation_trapped: u64,
    pub returned: u64,
    pub trapped: u64,
}

impl Calls {
    fn of(seen: &observe::Observation) -> Calls {
        let mut calls = Calls::default();
        for (name, step) in &seen.steps {
            match step {
                observe::Step::Trapped(_) if name == "instantiate" => {
                    calls.instantiation_trapped += 1
                }
                _ if name == "instantiate" => {}
                observe::Step::Returned(_) => calls.returned += 1,
                observe::Step::Trapped(_) => calls.trapped += 1,
                _ => {}
            }
        }
        calls
    }
}

/// Compares plain wasmrel with wasmi, and encoded (default check level) and dual wasmrel
/// with plain wasmrel, on `bytes` with export calls given `arguments`.
pub fn check(bytes: &[u8], arguments: Arguments) -> Outcome {
    let reference = wasmi_engine::observe(bytes, arguments);
    let plain = wasmrel_engine::observe::<Plain>(bytes, arguments);
    let encoded = wasmrel_engine::observe::<An>(bytes, arguments);
    let mut inconclusive = None;
    for (pair, verdict) in [
        ("plain vs wasmi", compare(&plain, &reference)),
        ("encoded vs plain", compare(&encoded, &plain)),
        (
            "dual vs plain",
            wasmrel_engine::check_dual(bytes, arguments, &plain),
        ),
    ] {
        match verdict {
            Verdict::Agree => {}
            Verdict::Inconclusive(why) => inconclusive = Some(format!("{pair}: {why}")),
            Verdict::Diverge(what) => return Outcome::Diverge(format!("{pair}: {what}")),
        }
    }
    match inconclusive {
        Some(why) => Outcome::Inconclusive(why),
        None => Outcome::Agree(Calls::of(&reference)),
    }
}

/// Generates the module of `seed` and [`check`]s it with arguments drawn from the seed.
pub fn check_seed(seed: u64) -> Outcome {
    match generate::module(seed) {
        Some(bytes) => check(&bytes, Arguments::Seeded(seed)),
        None => Outcome::NotGenerated,
    }
}
