//! Divergences found by differential testing, each with the answer a third engine (wasmtime
//! 50, through `tools/wasmtime_observe.py`) confirmed. wasmrel must keep giving the consensus
//! answer in plain and in encoded mode.

use wasmrel_an_encoding::An;
use wasmrel_difftest::generate::Arguments;
use wasmrel_difftest::observe::{Step, Trap, Val};
use wasmrel_difftest::wasmrel_engine::observe;
use wasmrel_executor::{Domain, Plain};

/// How the call of export `name` ended in wasmrel with value domain `D`.
fn step<D: Domain>(bytes: &[u8], name: &str) -> Step {
    let seen = observe::<D>(bytes, Arguments::Zero);
    let found = seen.steps.into_iter().find(|(export, _)| export == name);
    found.map(|(_, step)| step).expect("the export was called")
}

fn assert_consensus(bytes: &[u8], export: &str, expected: Step) {
    assert_eq!(step::<Plain>(bytes, export), expected, "plain");
    assert_eq!(step::<An>(bytes, export), expected, "encoded");
}

/// Generated from seed 1969. The export divides by a divisor that a `select` has just made
/// non-zero, inside loops metered by the module's fuel global. wasmi 2.0.0 traps with "integer
/// divide by zero"; wasmtime and wasmrel run on until the fuel global is spent and trap at its
/// `unreachable`.
#[test]
fn guarded_division_seed_1969_is_no_division_by_zero() {
    let bytes = include_bytes!("cases/wasmi-div-by-zero-1969.wasm");
    assert_consensus(bytes, "2", Step::Trapped(Trap::Unreachable));
}

/// Generated from seed 2717: the same wasmi 2.0.0 divide-by-zero trap on the first export,
/// where wasmtime and wasmrel reach the fuel global's `unreachable`.
#[test]
fn guarded_division_seed_2717_is_no_division_by_zero() {
    let bytes = include_bytes!("cases/wasmi-div-by-zero-2717.wasm");
    assert_consensus(bytes, "", Step::Trapped(Trap::Unreachable));
}

/// Generated from seed 1079159: after every export has run, the i64 global exported as
/// `*X\x1f` holds `0xff00_0010_0000_0000` in wasmtime and wasmrel; wasmi 2.0.0 leaves
/// `0xc0f0_0010_0000_0000`.
#[test]
fn final_global_seed_1079159_matches_wasmtime() {
    let bytes = include_bytes!("cases/wasmi-global-1079159.wasm");
    let expected = Val::I64(0xff00_0010_0000_0000_u64 as i64);
    for seen in [
        observe::<Plain>(bytes, Arguments::Zero),
        observe::<An>(bytes, Arguments::Zero),
    ] {
        let global = seen.globals.iter().find(|(name, _)| name == "*X\u{1f}");
        assert_eq!(global.map(|(_, value)| *value), Some(expected));
    }
}
