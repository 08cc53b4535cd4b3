//! `wasm-smith` modules (the features wasmrel supports) instantiated and every export called
//! with zero arguments, fuel-limited, in plain and in AN-encoded mode. Any error value is fine;
//! a panic, an abort, a hang or the two modes disagreeing is a finding.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_smith::{Config as SmithConfig, Module as SmithModule};
use wasmrel_an_encoding::An;
use wasmrel_executor::{
    Config, Domain, Error, ExternType, Limits, Linker, Module, NoHost, Plain, Store, Value,
};

fn smith_config() -> SmithConfig {
    SmithConfig {
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
        max_memories: 1,
        max_imports: 0,
        export_everything: true,
        max_memory32_bytes: 16 * 65_536,
        ..SmithConfig::default()
    }
}

/// Every export's outcome (values or error) in domain `D`.
fn run<D: Domain>(bytes: &[u8]) -> Vec<Result<Vec<Value>, Error>> {
    let config = Config {
        fuel: Some(100_000),
        limits: Limits {
            max_memory_bytes: 16 * 65_536,
            max_table_elements: 10_000,
            max_call_depth: 1_000,
            max_stack_slots: 1 << 20,
        },
        ..Config::default()
    };
    let module = match Module::new(&config, bytes) {
        Ok(module) => module,
        Err(error) => return vec![Err(error)],
    };
    let mut store: Store<D> = Store::new(config);
    let instance = match Linker::new().instantiate(&mut store, &module, &mut NoHost) {
        Ok(instance) => instance,
        Err(error) => return vec![Err(error)],
    };
    let mut outcomes = Vec::new();
    for export in module.exports() {
        if let ExternType::Func(ty) = &export.ty {
            let args: Vec<Value> = ty.params().iter().map(|t| t.zero()).collect();
            outcomes.push(store.invoke(instance, &export.name, &args, &mut NoHost));
        }
    }
    outcomes
}

fuzz_target!(|data: &[u8]| {
    let mut unstructured = Unstructured::new(data);
    let Ok(module) = SmithModule::new(smith_config(), &mut unstructured) else {
        return;
    };
    let bytes = module.to_bytes();
    let plain = run::<Plain>(&bytes);
    let encoded = run::<An>(&bytes);
    // Without NaN canonicalisation payloads may differ between domains, so values are compared
    // by count; errors (traps, limits) must be the same.
    let shape = |outcomes: &[Result<Vec<Value>, Error>]| -> Vec<Result<usize, Error>> {
        outcomes
            .iter()
            .map(|o| o.as_ref().map(Vec::len).map_err(Clone::clone))
            .collect()
    };
    assert_eq!(shape(&plain), shape(&encoded), "plain and encoded disagree");
});
