//! `wasm-smith` modules from difftest's generator (the features wasmrel supports, a fuel
//! global, canonical NaNs), kept small so that one execution is quick, run with arguments
//! drawn from the input in plain mode and in one other mode the input picks: AN-encoded
//! (default check level) or dual. Any error value is fine; a panic, an abort, a hang or the
//! two modes ending differently (results, traps, final globals and memory) is a finding.
//! (Running one second mode per input instead of both keeps an execution about a third
//! cheaper; libFuzzer's cost per execution grows with the code it covers.)
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_smith::Module as SmithModule;
use wasmrel_an_encoding::An;
use wasmrel_difftest::generate::{self, Arguments};
use wasmrel_difftest::observe::{compare, Verdict};
use wasmrel_difftest::wasmrel_engine::{check_dual, observe};
use wasmrel_executor::Plain;

/// Loop iterations and calls a module may make before its fuel global traps: low, so that an
/// execution takes microseconds rather than milliseconds.
const MODULE_FUEL: u32 = 100;

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let (Ok(avoid_traps), Ok(dual), Ok(argument_seed)) = (
        input.arbitrary(),
        input.arbitrary::<bool>(),
        input.arbitrary(),
    ) else {
        return;
    };
    let config = wasm_smith::Config {
        max_funcs: 5,
        max_instructions: 40,
        max_memory32_bytes: 65_536,
        max_table_elements: 100,
        ..generate::config(avoid_traps)
    };
    let Ok(module) = SmithModule::new(config, &mut input) else {
        return;
    };
    let Some(bytes) = generate::finish(module, MODULE_FUEL) else {
        return;
    };
    let arguments = Arguments::Seeded(argument_seed);
    let plain = observe::<Plain>(&bytes, arguments);
    let verdict = if dual {
        check_dual(&bytes, arguments, &plain)
    } else {
        compare(&observe::<An>(&bytes, arguments), &plain)
    };
    assert!(
        !matches!(verdict, Verdict::Diverge(_)),
        "{} vs plain: {verdict:?}",
        if dual { "dual" } else { "encoded" }
    );
});
