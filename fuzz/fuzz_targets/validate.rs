//! Arbitrary bytes through decode, validation and translation: any outcome but a panic, an
//! abort or a hang is fine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmrel_executor::{Config, Module};

fuzz_target!(|bytes: &[u8]| {
    let _ = Module::new(&Config::default(), bytes);
});
