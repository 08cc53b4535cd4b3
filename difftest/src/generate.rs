//! Module generation: `wasm-smith` restricted to what wasmrel implements (WebAssembly 2.0
//! without SIMD), made deterministic and terminating.
//!
//! Each module comes from a seed alone (the bytes `wasm-smith` consumes are drawn from a
//! SplitMix64 stream), so a divergence is reproduced by its seed.

use arbitrary::Unstructured;
use wasm_smith::{Config, Module};

/// How many loop iterations and calls a generated module may make (summed over every export
/// call of one instance) before its own fuel global runs out and it traps with `unreachable`.
/// Far below both engines' fuel and depth limits, so a generated run almost never ends
/// inconclusive.
pub const MODULE_FUEL: u32 = 1_000;

/// How many random bytes feed `wasm-smith` for one module; more bytes give bigger modules.
const ENTROPY_BYTES: usize = 8_192;

/// The generator configuration: only the features wasmrel supports, no imports (the run has
/// no host), every entity exported so that final globals and memory can be compared, bounded
/// memories and tables so that growth is deterministic in every engine, and canonical NaNs.
///
/// Odd seeds ask `wasm-smith` to avoid traps (guarded divisions, loads and conversions), so that
/// half the sample runs long computations instead of trapping early.
pub fn config(seed: u64) -> Config {
    Config {
        disallow_traps: seed % 2 == 1,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        tail_call_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        compact_imports_enabled: false,
        max_memories: 1,
        max_tables: 2,
        multi_value_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        canonicalize_nans: true,
        export_everything: true,
        max_imports: 0,
        memory_max_size_required: true,
        max_memory32_bytes: 4 * 65_536,
        table_max_size_required: true,
        max_table_elements: 1_000,
        min_funcs: 2,
        max_funcs: 20,
        max_instructions: 200,
        ..Config::default()
    }
}

/// The module for `seed`, or `None` when `wasm-smith` ran out of entropy before producing one
/// or the module converts between float widths (see [`converts_float_width`]).
pub fn module(seed: u64) -> Option<Vec<u8>> {
    let bytes = entropy(seed, ENTROPY_BYTES);
    let mut unstructured = Unstructured::new(&bytes);
    let mut module = Module::new(config(seed), &mut unstructured).ok()?;
    module.ensure_termination(MODULE_FUEL).ok()?;
    let bytes = module.to_bytes();
    (!converts_float_width(&bytes)).then_some(bytes)
}

/// Whether the module uses `f32.demote_f64` or `f64.promote_f32`. `wasm-smith`'s
/// `canonicalize_nans` does not cover them, and the specification lets their NaN results carry
/// any payload, so engines legitimately differ there (wasmrel returns the canonical NaN,
/// wasmi and wasmtime the hardware's). Such modules are left out of the comparison; the
/// spec suite checks these two instructions.
fn converts_float_width(bytes: &[u8]) -> bool {
    use wasmparser::{Operator, Parser, Payload};
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else {
            continue;
        };
        let Ok(mut reader) = body.get_operators_reader() else {
            return true;
        };
        while !reader.eof() {
            match reader.read() {
                Ok(Operator::F32DemoteF64 | Operator::F64PromoteF32) | Err(_) => return true,
                Ok(_) => {}
            }
        }
    }
    false
}

/// `len` bytes of SplitMix64 output for `seed`.
fn entropy(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        bytes.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}
