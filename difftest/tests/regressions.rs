//! Divergences found by differential testing, each with the answer a third engine (wasmtime
//! 50, through `tools/wasmtime_observe.py`) confirmed. wasmrel must keep giving the consensus
//! answer in plain and in encoded mode. The first three were found with zero arguments, the
//! rest with the arguments drawn from their seed.
//!
//! Each module is the generated one minimised by `difftest/shrink` (`wasm-shrink`'s reducer;
//! a candidate is kept only while wasmi still differs from wasmrel on the same step or final
//! global with the same two answers and wasmtime 51 sides with wasmrel): 2281 -> 364 bytes
//! (seed 1969), 2601 -> 608 (2717), 508 -> 261 (1079159), 2547 -> 109 (1021547),
//! 1921 -> 1474 (1071071), 5223 -> 553 (1032519), 2191 -> 804 (1047047), 2570 -> 542
//! (1058755).

use wasmrel_an_encoding::An;
use wasmrel_difftest::generate::Arguments;
use wasmrel_difftest::observe::{Step, Trap, Val};
use wasmrel_difftest::wasmrel_engine::observe;
use wasmrel_executor::{Domain, Plain};

/// How the call of export `name` ended in wasmrel with value domain `D`.
fn step<D: Domain>(bytes: &[u8], arguments: Arguments, name: &str) -> Step {
    let seen = observe::<D>(bytes, arguments);
    let found = seen.steps.into_iter().find(|(export, _)| export == name);
    found.map(|(_, step)| step).expect("the export was called")
}

fn assert_consensus(bytes: &[u8], export: &str, expected: Step) {
    assert_consensus_with(bytes, Arguments::Zero, export, expected);
}

fn assert_consensus_with(bytes: &[u8], arguments: Arguments, export: &str, expected: Step) {
    assert_eq!(step::<Plain>(bytes, arguments, export), expected, "plain");
    assert_eq!(step::<An>(bytes, arguments, export), expected, "encoded");
}

/// Asserts the final value of exported global `name` in plain and encoded mode.
fn assert_global(bytes: &[u8], arguments: Arguments, name: &str, expected: Val) {
    for seen in [
        observe::<Plain>(bytes, arguments),
        observe::<An>(bytes, arguments),
    ] {
        let global = seen.globals.iter().find(|(export, _)| export == name);
        assert_eq!(global.map(|(_, value)| *value), Some(expected), "{name}");
    }
}

/// Generated from seed 1969, where the export divides by a divisor that a `select` has just
/// made non-zero, inside loops metered by the module's fuel global. wasmi 2.0.0 traps with
/// "integer divide by zero"; wasmtime and wasmrel trap at an `unreachable`.
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
    assert_global(bytes, Arguments::Zero, "*X\u{1f}", expected);
}

/// Seed 1021547: export `2` returns in wasmtime and wasmrel; wasmi 2.0.0 traps with
/// `unreachable` (the module's fuel global, spent early).
#[test]
fn export_seed_1021547_returns() {
    let bytes = include_bytes!("cases/wasmi-unreachable-1021547.wasm");
    let arguments = Arguments::Seeded(1_021_547);
    assert_consensus_with(bytes, arguments, "2", Step::Returned(Vec::new()));
}

/// Seed 1071071: the export traps at `unreachable` in wasmtime and wasmrel; wasmi 2.0.0
/// returns an f32.
#[test]
fn export_seed_1071071_traps() {
    let bytes = include_bytes!("cases/wasmi-no-trap-1071071.wasm");
    let arguments = Arguments::Seeded(1_071_071);
    let export = "${\u{796}\u{5e1}";
    assert_consensus_with(bytes, arguments, export, Step::Trapped(Trap::Unreachable));
}

/// Seeds 1032519, 1047047 and 1058755: after every export has run, one global differs in
/// wasmi 2.0.0 from wasmtime and wasmrel (which agree).
#[test]
fn final_globals_match_wasmtime() {
    let cases: [(&[u8], u64, &str, Val); 3] = [
        (
            include_bytes!("cases/wasmi-global-1032519.wasm"),
            1_032_519,
            "9",
            Val::I32(0),
        ),
        (
            include_bytes!("cases/wasmi-global-1047047.wasm"),
            1_047_047,
            "5",
            Val::I32(-16_843_033),
        ),
        (
            include_bytes!("cases/wasmi-global-1058755.wasm"),
            1_058_755,
            "Pj",
            Val::I32(-4096),
        ),
    ];
    for (bytes, seed, name, expected) in cases {
        assert_global(bytes, Arguments::Seeded(seed), name, expected);
    }
}
