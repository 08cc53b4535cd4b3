//! Every example and benchmark program, run through the `wasmrel` binary,
//! must behave exactly as under the reference runtime: the same stdout,
//! stderr, exit code and written files (see `examples/cases.txt`).

use std::time::Duration;
use wasmrel_examples::{check_manifest, check_manifest_in_mode, Case};

/// Generous for a debug build; a hang ends the case as killed, not the test run.
const TIMEOUT: Duration = Duration::from_secs(300);

fn is_full_size(case: &Case) -> bool {
    case.id.ends_with(".full")
}

#[test]
fn examples_match_the_reference() {
    check_manifest("examples/cases.txt", |_| true, TIMEOUT);
}

/// The small WASI variants, the `run` exports and the bad-size errors.
#[test]
fn benchmark_programs_match_the_reference() {
    check_manifest("benches/programs/cases.txt", |c| !is_full_size(c), TIMEOUT);
}

/// 10^7..10^8 instructions each: run with
/// `cargo test --release -p wasmrel-examples -- --ignored`.
#[test]
#[ignore = "full-size benchmark runs take minutes in a debug build"]
fn full_size_benchmarks_match_the_reference() {
    check_manifest("benches/programs/cases.txt", is_full_size, TIMEOUT);
}

/// Encoded execution must not change what a program does: the same recorded stdout,
/// stderr, exit codes and files as plain mode.
#[test]
fn examples_match_the_reference_encoded() {
    check_manifest_in_mode("examples/cases.txt", &["--encoded"], |_| true, TIMEOUT);
}

#[test]
fn benchmark_programs_match_the_reference_encoded() {
    let select = |c: &Case| !is_full_size(c);
    check_manifest_in_mode(
        "benches/programs/cases.txt",
        &["--encoded"],
        select,
        TIMEOUT,
    );
}
