//! The constants of the two codes and the words that must never be valid.

use wasmrel_an_encoding::{AnError, Detection, F32Code, F64Code, I32Code, I64Code};

const INVALID: AnError = AnError::Detected(Detection::CodeWord);

#[test]
fn the_inverse_of_64311_is_the_published_one_and_both_inverses_are_exact() {
    assert_eq!(I32Code::A, 64311);
    assert_eq!(I32Code::A_INV, 0xaa86_fffe_fb1f_aa87);
    assert_eq!(I32Code::A.wrapping_mul(I32Code::A_INV), 1);
    assert_eq!(u128::from(I64Code::A).wrapping_mul(I64Code::A_INV), 1);
}

#[test]
fn the_i64_multiplier_leaves_room_for_adding_two_words() {
    let a = I64Code::A;
    assert!(a % 2 == 1 && a < 1 << 63);
    let largest = u128::from(a) * u128::from(u64::MAX);
    assert!(largest.checked_add(largest).is_some());
}

#[test]
fn all_zero_and_all_one_words_are_invalid() {
    assert_eq!(I32Code::from_bits(0).decode(), Err(INVALID));
    assert_eq!(I32Code::from_bits(u64::MAX).decode(), Err(INVALID));
    assert_eq!(I64Code::from_bits(0).decode(), Err(INVALID));
    assert_eq!(I64Code::from_bits(u128::MAX).decode(), Err(INVALID));
    assert_eq!(F32Code::from_bits(0).decode(), Err(INVALID));
    assert_eq!(F64Code::from_bits(0).decode(), Err(INVALID));
}

#[test]
fn clearing_or_setting_the_value_bits_of_a_word_is_invalid() {
    // Bits a valid unmasked word can occupy: 48 (i32), 127 (i64).
    let low48 = (1u64 << 48) - 1;
    let low127 = (1u128 << 127) - 1;
    for value in [0, 1, 0x8000_0000, u32::MAX] {
        let word = I32Code::encode(value).to_bits();
        assert!(!I32Code::from_bits(word & !low48).is_valid(), "{value:#x}");
        assert!(!I32Code::from_bits(word | low48).is_valid(), "{value:#x}");
    }
    for value in [0, 1, 1 << 63, u64::MAX] {
        let word = I64Code::encode(value).to_bits();
        assert!(!I64Code::from_bits(word & !low127).is_valid(), "{value:#x}");
        assert!(!I64Code::from_bits(word | low127).is_valid(), "{value:#x}");
    }
}

#[test]
fn booleans_and_zero_are_non_zero_words() {
    let one = I32Code::encode(1);
    let zero = I32Code::encode(0);
    assert_ne!(zero.to_bits(), 0);
    assert_ne!(I64Code::encode(0).to_bits(), 0);
    assert_eq!(one.eq(one), one);
    assert_eq!(one.eq(zero), zero);
    assert_eq!(zero.eqz(), one);
    assert_ne!(one.eq(zero).to_bits(), 0);
}

#[test]
fn decode_returns_what_encode_took_at_the_edges() {
    for v in [0, 1, 2, 0x7fff_ffff, 0x8000_0000, u32::MAX] {
        assert_eq!(I32Code::encode(v).decode(), Ok(v));
    }
    for v in [0, 1, 0x7fff_ffff_ffff_ffff, 1 << 63, u64::MAX] {
        assert_eq!(I64Code::encode(v).decode(), Ok(v));
    }
    assert_eq!(
        F32Code::encode(-0.0).decode().map(f32::to_bits),
        Ok(0x8000_0000)
    );
    let nan = f64::from_bits(0x7ff0_0000_0000_0001);
    assert_eq!(
        F64Code::encode(nan).decode().map(f64::to_bits),
        Ok(nan.to_bits())
    );
}

#[test]
fn a_branch_condition_is_checked_before_it_is_decided() {
    assert_eq!(I32Code::encode(7).is_true(), Ok(true));
    assert_eq!(I32Code::encode(0).is_true(), Ok(false));
    let flipped = I32Code::from_bits(I32Code::encode(1).to_bits() ^ 1 << 20);
    assert_eq!(flipped.is_true(), Err(INVALID));
}

#[test]
fn an_invalid_operand_poisons_a_comparison_instead_of_vanishing() {
    let bad = I32Code::from_bits(I32Code::encode(5).to_bits() ^ 1);
    let good = I32Code::encode(5);
    assert!(!bad.eq(good).is_valid());
    assert!(!good.lt_u(bad).is_valid());
    assert!(!bad.eqz().is_valid());
    assert!(!bad.mul(good).is_valid());
    assert!(!good.mul(bad).is_valid());
}

#[test]
fn reinterpret_keeps_the_word() {
    let x = F32Code::encode(1.5);
    assert_eq!(x.reinterpret().decode(), Ok(1.5f32.to_bits()));
    assert_eq!(x.reinterpret().reinterpret(), x);
    let y = I64Code::encode(0x4000_0000_0000_0000);
    assert_eq!(y.reinterpret().decode(), Ok(2.0));
}

#[test]
fn floats_encode_from_and_decode_to_bit_patterns_exactly() {
    let signalling = 0x7fa0_0001;
    assert_eq!(
        F32Code::encode_bits(signalling).decode_bits(),
        Ok(signalling)
    );
    assert_eq!(
        F32Code::encode_bits(signalling),
        I32Code::encode(signalling).reinterpret()
    );
    let bits = 0xfff8_0000_0000_0001;
    assert_eq!(F64Code::encode_bits(bits).decode_bits(), Ok(bits));
}
