//! The official WebAssembly 2.0 spec suite in encoded mode: the executor's own runner
//! (`executor/tests/spec_runner`, which `cargo test -p wasmrel-executor --test spec` runs in
//! plain mode) with the [`An`] domain, at the default check level and at levels `op` and
//! `effects`, and at the default level again with fuel counted only where needed (the
//! uncounted loop). Every assertion must pass as it does in plain mode; the totals line has the
//! same form: `spec (encoded): N passed, F failed, K skipped`.

#[path = "../../executor/tests/spec_runner/mod.rs"]
mod spec_runner;

use wasmrel_an_encoding::{level, An};
use wasmrel_executor::FuelCount;

fn main() {
    let block = spec_runner::run_suite::<An>(FuelCount::Exact);
    println!(
        "spec (encoded): {} passed, {} failed, {} skipped",
        block.passed, block.failed, block.skipped
    );
    let op = spec_runner::run_suite::<An<{ level::OP }>>(FuelCount::Exact);
    println!(
        "spec (encoded, check op): {} passed, {} failed, {} skipped",
        op.passed, op.failed, op.skipped
    );
    let effects = spec_runner::run_suite::<An<{ level::EFFECTS }>>(FuelCount::Exact);
    println!(
        "spec (encoded, check effects): {} passed, {} failed, {} skipped",
        effects.passed, effects.failed, effects.skipped
    );
    let uncounted = spec_runner::run_suite::<An>(FuelCount::WhenNeeded);
    println!(
        "spec (encoded, fuel uncounted): {} passed, {} failed, {} skipped",
        uncounted.passed, uncounted.failed, uncounted.skipped
    );
    if block.failed + op.failed + effects.failed + uncounted.failed > 0 {
        std::process::exit(1);
    }
}
