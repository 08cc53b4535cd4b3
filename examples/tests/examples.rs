//! Every example and benchmark program, run through the `wasmrel` binary,
//! must behave exactly as under the reference runtime: the same stdout,
//! stderr, exit code and written files (see `examples/cases.txt`) — in plain
//! mode and in every hardened mode, which must not change what a program does.

use std::time::Duration;
use wasmrel_examples::{check_manifest_in_mode, Case};

/// Generous for a debug build; a hang ends the case as killed, not the test run.
const TIMEOUT: Duration = Duration::from_secs(300);

const PLAIN: &[&str] = &[];
const ENCODED: &[&str] = &["--encoded"];
const DUAL: &[&str] = &["--dual"];

fn is_full_size(case: &Case) -> bool {
    case.id.ends_with(".full")
}

fn check_examples(mode: &[&str]) {
    check_manifest_in_mode("examples/cases.txt", mode, |_| true, TIMEOUT);
}

/// The small WASI variants, the `run` exports and the bad-size errors.
fn check_benchmark_programs(mode: &[&str]) {
    let select = |c: &Case| !is_full_size(c);
    check_manifest_in_mode("benches/programs/cases.txt", mode, select, TIMEOUT);
}

#[test]
fn examples_match_the_reference() {
    check_examples(PLAIN);
}

#[test]
fn benchmark_programs_match_the_reference() {
    check_benchmark_programs(PLAIN);
}

#[test]
fn examples_match_the_reference_encoded() {
    check_examples(ENCODED);
}

#[test]
fn benchmark_programs_match_the_reference_encoded() {
    check_benchmark_programs(ENCODED);
}

#[test]
fn examples_match_the_reference_dual() {
    check_examples(DUAL);
}

#[test]
fn benchmark_programs_match_the_reference_dual() {
    check_benchmark_programs(DUAL);
}

/// 10^7..10^8 instructions each: run with
/// `cargo test --release -p wasmrel-examples -- --ignored`.
#[test]
#[ignore = "full-size benchmark runs take minutes in a debug build"]
fn full_size_benchmarks_match_the_reference() {
    check_manifest_in_mode("benches/programs/cases.txt", PLAIN, is_full_size, TIMEOUT);
}
