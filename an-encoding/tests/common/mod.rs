//! Strategies and result comparison shared by the property tests.

#![allow(dead_code)] // each test file uses a different part

use proptest::prelude::*;
use wasmrel_an_encoding::{AnError, F32Code, F64Code, I32Code, I64Code, Trap};

/// i32 operands: uniform, plus the edges where Wasm semantics turn (shift counts, MIN, -1).
pub fn i32s() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => any::<u32>(),
        1 => prop::sample::select(vec![
            0, 1, 2, 7, 31, 32, 33, 63, 64, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, u32::MAX - 1,
            u32::MAX,
        ]),
        1 => 0u32..70,
    ]
}

/// i64 operands, as [`i32s`].
pub fn i64s() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => any::<u64>(),
        1 => prop::sample::select(vec![
            0, 1, 2, 31, 32, 63, 64, 65, 127, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff,
            i64::MAX as u64, 1 << 63, (1 << 63) + 1, u64::MAX - 1, u64::MAX,
        ]),
        1 => 0u64..130,
    ]
}

/// f32 bit patterns: uniform (all classes), specials, and small values where rounding turns.
pub fn f32s() -> impl Strategy<Value = u32> {
    prop_oneof![
        2 => any::<u32>(),
        1 => prop::sample::select(vec![
            0.0f32.to_bits(), (-0.0f32).to_bits(), f32::INFINITY.to_bits(),
            f32::NEG_INFINITY.to_bits(), f32::NAN.to_bits(), 0x7fa0_0000, 0xffc0_0000,
            0x7f80_0001, f32::MIN_POSITIVE.to_bits(), 1, f32::MAX.to_bits(),
            2147483648.0f32.to_bits(), (-2147483648.0f32).to_bits(), 2147483520.0f32.to_bits(),
            4294967296.0f32.to_bits(), 4294967040.0f32.to_bits(), 9.223372e18f32.to_bits(),
            (-9.223372e18f32).to_bits(), 1.8446743e19f32.to_bits(), (-1.0f32).to_bits(),
            (-0.99f32).to_bits(),
        ]),
        2 => (-4000i32..4000).prop_map(|i| (i as f32 / 8.0).to_bits()),
    ]
}

/// f64 bit patterns, as [`f32s`].
pub fn f64s() -> impl Strategy<Value = u64> {
    prop_oneof![
        2 => any::<u64>(),
        1 => prop::sample::select(vec![
            0.0f64.to_bits(), (-0.0f64).to_bits(), f64::INFINITY.to_bits(),
            f64::NEG_INFINITY.to_bits(), f64::NAN.to_bits(), 0x7ff4_0000_0000_0000,
            0xfff8_0000_0000_0000, 0x7ff0_0000_0000_0001, f64::MIN_POSITIVE.to_bits(), 1,
            f64::MAX.to_bits(), 2147483647.9f64.to_bits(), 2147483648.0f64.to_bits(),
            (-2147483648.9f64).to_bits(), (-2147483649.0f64).to_bits(),
            4294967295.9f64.to_bits(), 4294967296.0f64.to_bits(), 9.223372036854775e18f64.to_bits(),
            9223372036854775808.0f64.to_bits(), (-9223372036854775808.0f64).to_bits(),
            (-9223372036854777856.0f64).to_bits(), 18446744073709549568.0f64.to_bits(),
            18446744073709551616.0f64.to_bits(), (-0.99f64).to_bits(), (-1.0f64).to_bits(),
        ]),
        2 => (-4000i32..4000).prop_map(|i| (f64::from(i) / 8.0).to_bits()),
    ]
}

/// A code word that decodes to a plain value (widened to `u64`).
pub trait Decodes: Copy {
    fn plain(self) -> Result<u64, AnError>;
}

impl Decodes for I32Code {
    fn plain(self) -> Result<u64, AnError> {
        self.decode().map(u64::from)
    }
}

impl Decodes for I64Code {
    fn plain(self) -> Result<u64, AnError> {
        self.decode()
    }
}

impl Decodes for F32Code {
    fn plain(self) -> Result<u64, AnError> {
        self.decode().map(|f| u64::from(f.to_bits()))
    }
}

impl Decodes for F64Code {
    fn plain(self) -> Result<u64, AnError> {
        self.decode().map(f64::to_bits)
    }
}

/// The plain outcome of an encoded operation: its decoded value or its trap. A detection is a
/// test failure: no fault was injected.
pub fn outcome<C: Decodes>(result: Result<C, AnError>) -> Result<u64, Trap> {
    match result.map(Decodes::plain) {
        Ok(Ok(value)) => Ok(value),
        Err(AnError::Trap(trap)) => Err(trap),
        Ok(Err(detection)) | Err(detection) => {
            panic!("unexpected detection without a fault: {detection:?}")
        }
    }
}
