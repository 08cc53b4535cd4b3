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

/// 64311 divides `2^48 − 1`, so flipping bits `j` and `j + 48` of an i32 word adds a multiple
/// of `A` that lands just above the range; `add`'s wrap correction must not pull it back.
#[test]
fn a_multiple_of_a_above_the_range_is_not_wrapped_back_into_it() {
    assert_eq!(((1u64 << 48) - 1) % I32Code::A, 0);
    for value in [0, 1, 0x1234_5678, 0x7fff_ffff, 0xffff_ffff] {
        let word = I32Code::encode(value);
        for j in 0..16 {
            let bad = flip32(flip32(word, j), j + 48);
            assert!(!bad.is_valid());
            for other in [0, 1, 0x8000_0000, 0xffff_ffff].map(I32Code::encode) {
                let results = in_code_results!(bad, other);
                assert!(
                    results.iter().all(|valid| !valid),
                    "{value:#x}, bit {j}: {results:?}"
                );
                let float = bad.reinterpret();
                assert!(!float.abs().reinterpret().is_valid());
                assert!(!float.copysign(other.reinterpret()).reinterpret().is_valid());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Any invalid word, not just a flipped one, stays invalid through the in-code operations.
    #[test]
    fn arbitrary_invalid_words_stay_invalid(bits in any::<u64>(), wide in any::<u128>(), y in i32s(), z in i64s()) {
        let bad = I32Code::from_bits(bits);
        prop_assume!(!bad.is_valid());
        let results = in_code_results!(bad, I32Code::encode(y));
        prop_assert!(results.iter().all(|valid| !valid), "{:#x}: {:?}", bits, results);
        let bad = I64Code::from_bits(wide);
        prop_assume!(!bad.is_valid());
        let results = in_code_results!(bad, I64Code::encode(z));
        prop_assert!(results.iter().all(|valid| !valid), "{:#x}: {:?}", wide, results);
    }

    /// Words whose unmasked value is just above the range (`A·(2^k + small)`), the ones a wrap
    /// correction could absorb.
    #[test]
    fn words_just_above_the_range_stay_invalid(x in 0u64..(1 << 34), y in i32s()) {
        let above = I32Code::from_bits(I32Code::A.wrapping_mul((1 << 32) + x) ^ I32Code::encode(0).to_bits());
        prop_assert!(!above.is_valid());
        let results = in_code_results!(above, I32Code::encode(y));
        prop_assert!(results.iter().all(|valid| !valid), "{:#x}: {:?}", x, results);
    }
}
