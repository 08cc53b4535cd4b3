//! Module generation: `wasm-smith` restricted to what wasmrel implements (WebAssembly 2.0
//! without SIMD), made deterministic and terminating, and the arguments export calls get.
//!
//! Each module comes from a seed alone (the bytes `wasm-smith` consumes are drawn from a
//! SplitMix64 stream), so a divergence is reproduced by its seed. The fuzz target `run_smith`
//! shares this module (it includes the file), so both generate from one configuration.

mod float_width;

pub use float_width::canonicalize as canonicalize_float_width;

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
/// With `avoid_traps`, `wasm-smith` guards divisions, loads and conversions, so that runs
/// compute longer instead of trapping early.
pub fn config(avoid_traps: bool) -> Config {
    Config {
        disallow_traps: avoid_traps,
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

/// The module for `seed` (odd seeds avoid traps, so half the sample runs long computations),
/// or `None` when `wasm-smith` ran out of entropy before producing one.
pub fn module(seed: u64) -> Option<Vec<u8>> {
    let bytes = entropy(seed, ENTROPY_BYTES);
    let mut unstructured = Unstructured::new(&bytes);
    let module = Module::new(config(seed % 2 == 1), &mut unstructured).ok()?;
    finish(module, MODULE_FUEL)
}

/// Makes a generated module terminate after `fuel` loop iterations and calls, and gives the
/// NaNs of float-width conversions the canonical payload (see [`float_width`]).
pub fn finish(mut module: Module, fuel: u32) -> Option<Vec<u8>> {
    module.ensure_termination(fuel).ok()?;
    float_width::canonicalize(&module.to_bytes()).ok()
}

/// The arguments of export calls: all zero, or drawn from a seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arguments {
    Zero,
    Seeded(u64),
}

impl Arguments {
    /// The bits of argument `param` of the `call`-th export call, read by each engine at the
    /// parameter's width (an `i32` or `f32` takes the low 32 bits; references are null).
    /// Seeded arguments mix boundary values (0, ±1, the signed extremes, infinities, NaNs)
    /// with random bits.
    pub fn bits(self, call: usize, param: usize) -> u64 {
        let Arguments::Seeded(seed) = self else {
            return 0;
        };
        let word = splitmix(seed ^ splitmix(((call as u64) << 32) | param as u64));
        const SPECIAL: [u64; 12] = [
            0,
            1,
            u64::MAX,
            0x7fff_ffff,
            0x8000_0000,
            i64::MAX as u64,
            i64::MIN as u64,
            0x3f80_0000,           // 1.0f32
            0x7f80_0000,           // +inf f32
            0x7fc0_0001,           // a non-canonical f32 NaN
            0x4000_0000_0000_0000, // 2.0f64
            0xfff0_0000_0000_0001, // a signalling f64 NaN
        ];
        match word % 4 {
            0 => SPECIAL[(word >> 8) as usize % SPECIAL.len()],
            1 => (word >> 8) % 256,
            _ => splitmix(word),
        }
    }
}

/// `len` bytes of SplitMix64 output for `seed`.
fn entropy(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        bytes.extend_from_slice(&splitmix(state).to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// SplitMix64's output function.
fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
