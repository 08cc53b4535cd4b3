//! Every single-bit flip of a code word is detected — exhaustively over bit positions, for many
//! random values — both when the word itself is checked and when it first passes through an
//! operation: in-code operations carry the error into an invalid result, duplicated ones
//! report it.

mod common;

use common::{f32s, f64s, i32s, i64s};
use proptest::prelude::*;
use wasmrel_an_encoding::{AnError, Detection, F32Code, F64Code, I32Code, I64Code};

const INVALID: AnError = AnError::Detected(Detection::CodeWord);

fn flip32(word: I32Code, bit: u32) -> I32Code {
    I32Code::from_bits(word.to_bits() ^ 1 << bit)
}

fn flip64(word: I64Code, bit: u32) -> I64Code {
    I64Code::from_bits(word.to_bits() ^ 1 << bit)
}

/// The in-code results of `bad` (a corrupted word) meeting `good`, in both operand orders.
macro_rules! in_code_results {
    ($bad:expr, $good:expr) => {{
        let (bad, good) = ($bad, $good);
        [
            bad.add(good).is_valid(),
            good.add(bad).is_valid(),
            bad.sub(good).is_valid(),
            good.sub(bad).is_valid(),
            bad.neg().is_valid(),
            bad.eq(good).is_valid(),
            good.ne(bad).is_valid(),
            bad.lt_s(good).is_valid(),
            good.lt_u(bad).is_valid(),
            bad.ge_s(good).is_valid(),
            good.gt_u(bad).is_valid(),
            bad.eqz().is_valid(),
        ]
    }};
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn every_single_flip_of_an_i32_word_is_detected(x in i32s(), y in i32s()) {
        let (word, other) = (I32Code::encode(x), I32Code::encode(y));
        for bit in 0..64 {
            let bad = flip32(word, bit);
            prop_assert_eq!(bad.decode(), Err(INVALID), "value {:#x}, bit {}", x, bit);
            let survived: Vec<_> = in_code_results!(bad, other)
                .into_iter()
                .chain([bad.mul(other).is_valid(), other.mul(bad).is_valid()])
                .enumerate()
                .filter(|(_, valid)| *valid)
                .collect();
            prop_assert!(survived.is_empty(), "value {:#x}, bit {}: {:?}", x, bit, survived);
            prop_assert_eq!(bad.xor(other), Err(INVALID));
            prop_assert_eq!(other.shl(bad), Err(INVALID));
            prop_assert_eq!(bad.extend_s(), Err(INVALID));
        }
    }

    #[test]
    fn every_single_flip_of_an_i64_word_is_detected(x in i64s(), y in i64s()) {
        let (word, other) = (I64Code::encode(x), I64Code::encode(y));
        for bit in 0..128 {
            let bad = flip64(word, bit);
            prop_assert_eq!(bad.decode(), Err(INVALID), "value {:#x}, bit {}", x, bit);
            let survived: Vec<_> = in_code_results!(bad, other)
                .into_iter()
                .enumerate()
                .filter(|(_, valid)| *valid)
                .collect();
            prop_assert!(survived.is_empty(), "value {:#x}, bit {}: {:?}", x, bit, survived);
            prop_assert_eq!(bad.mul(other), Err(INVALID));
            prop_assert_eq!(other.rem_u(bad), Err(INVALID));
            prop_assert_eq!(bad.wrap(), Err(INVALID));
        }
    }

    #[test]
    fn every_single_flip_of_a_float_word_is_detected(a in f32s(), b in f64s()) {
        let (single, other32) = (F32Code::encode(f32::from_bits(a)), F32Code::encode(1.0));
        for bit in 0..64 {
            let bad = flip32(single.reinterpret(), bit).reinterpret();
            prop_assert_eq!(bad.decode(), Err(INVALID), "f32 {:#x}, bit {}", a, bit);
            for result in [bad.neg(), bad.abs(), bad.copysign(other32), other32.copysign(bad)] {
                prop_assert!(!result.reinterpret().is_valid(), "f32 {:#x}, bit {}", a, bit);
            }
            prop_assert_eq!(bad.add(other32), Err(INVALID));
            prop_assert_eq!(bad.promote(), Err(INVALID));
        }
        let (double, other64) = (F64Code::encode(f64::from_bits(b)), F64Code::encode(-2.5));
        for bit in 0..128 {
            let bad = flip64(double.reinterpret(), bit).reinterpret();
            prop_assert_eq!(bad.decode(), Err(INVALID), "f64 {:#x}, bit {}", b, bit);
            for result in [bad.neg(), bad.abs(), bad.copysign(other64), other64.copysign(bad)] {
                prop_assert!(!result.reinterpret().is_valid(), "f64 {:#x}, bit {}", b, bit);
            }
            prop_assert_eq!(bad.sqrt(), Err(INVALID));
            prop_assert_eq!(other64.lt(bad), Err(INVALID));
        }
    }
}
