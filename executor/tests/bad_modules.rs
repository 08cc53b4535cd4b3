//! Truncated, garbage and mutated modules are errors, never panics.

mod common;

use common::{wat, XorShift};
use std::panic::{catch_unwind, AssertUnwindSafe};
use wasmrel_executor::{Config, Error, Linker, Module, NoHost, Plain, Store};

const VALID: &str = r#"(module
  (memory 1 2)
  (global $g (mut i64) (i64.const 7))
  (table 1 funcref)
  (elem (i32.const 0) $f)
  (data (i32.const 8) "hello")
  (func $f (export "f") (param i32) (result i32)
    (block (result i32)
      (br_if 0 (i32.const 3) (i32.eqz (local.get 0)))
      (drop)
      (i32.load8_u (local.get 0))))
  (func (export "loop") (result i64)
    (loop (global.set $g (i64.add (global.get $g) (i64.const 1)))
      (br_if 0 (i64.lt_u (global.get $g) (i64.const 100))))
    (global.get $g)))"#;

fn is_invalid(result: Result<Module, Error>) -> bool {
    matches!(result, Err(Error::Invalid(_)))
}

#[test]
fn empty_and_garbage_bytes_are_invalid() {
    let config = Config::default();
    assert!(is_invalid(Module::new(&config, b"")));
    assert!(is_invalid(Module::new(&config, b"\0asm")));
    assert!(is_invalid(Module::new(&config, b"not wasm at all")));
    assert!(is_invalid(Module::new(&config, b"\0asm\x02\0\0\0")));
}

/// The offsets where a section ends: the only places a module may be cut and stay valid.
fn section_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = vec![8];
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Some((_, range)) = payload.unwrap().as_section() {
            ends.push(range.end as usize);
        }
    }
    ends
}

#[test]
fn every_truncation_inside_a_section_is_invalid() {
    let bytes = wat(VALID);
    let config = Config::default();
    assert!(Module::new(&config, &bytes).is_ok());
    let ends = section_ends(&bytes);
    for len in 0..bytes.len() {
        let outcome = catch_unwind(|| Module::new(&config, &bytes[..len])).expect("no panic");
        if !ends.contains(&len) {
            assert!(is_invalid(outcome), "prefix of {len} bytes");
        }
    }
}

#[test]
fn simd_is_rejected_as_invalid() {
    let bytes = wat("(module (func (result v128) (v128.const i32x4 0 0 0 0)))");
    let error = Module::new(&Config::default(), &bytes).unwrap_err();
    assert!(matches!(error, Error::Invalid(_)), "{error}");
}

#[test]
fn mutated_modules_fail_cleanly_or_run() {
    let original = wat(VALID);
    let config = Config {
        fuel: Some(100_000),
        ..Config::default()
    };
    let mut rng = XorShift(0xbad_c0de);
    for trial in 0..3000 {
        let mut bytes = original.clone();
        for _ in 0..=rng.below(3) {
            let index = rng.below(bytes.len() as u64) as usize;
            bytes[index] = rng.next() as u8;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let module = Module::new(&config, &bytes)?;
            let mut store: Store<Plain> = Store::new(config);
            let instance = Linker::new().instantiate(&mut store, &module, &mut NoHost)?;
            for export in module.exports() {
                if let Ok(func) = store.get_func(instance, &export.name) {
                    let ty = store.func_type(func).cloned().unwrap();
                    let args: Vec<_> = ty.params().iter().map(|t| t.zero()).collect();
                    let _ = store.invoke(instance, &export.name, &args, &mut NoHost);
                }
            }
            Ok::<(), Error>(())
        }));
        assert!(outcome.is_ok(), "trial {trial} panicked");
    }
}
