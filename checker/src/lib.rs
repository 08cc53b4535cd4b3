//! Control-flow signatures for encoded execution.
//!
//! AN codes protect values, not the path the interpreter takes through the code. This crate
//! protects the path, in the spirit of CFCSS (Oh, Shirvani and McCluskey, IEEE Trans.
//! Reliability 2002), adapted to an interpreter of a word-coded IR:
//!
//! * Every basic block `b` of a function's IR gets a static **entry signature** `s_b`
//!   ([`block_signature`], or the static value the previous block falls through with), and
//!   the interpreter keeps one **runtime signature** `G`, which equals `s_b` on entry.
//! * Every instruction the interpreter runs is folded into `G`: its opcode word and its own
//!   operand words among the words fetched with it, combined by [`mix`], then [`fold`]ed
//!   (one multiply per instruction); the translator folds the same words statically. So `G`
//!   has a static value at every point of the code, and a skipped, repeated or foreign
//!   instruction, or a flipped opcode or operand word, leaves it wrong, for good: every
//!   update is a bijection of `G`.
//! * An instruction that leaves a block carries the static `G` after it and **checks** it
//!   (one compare; also before every call, since a host call is an effect, and every
//!   return), then XORs the **edge difference** `d = e_b ⊕ s_c` ([`edge`]) into `G`, so
//!   `G = s_c` on arrival. A conditional branch carries both differences and selects one
//!   *from the encoded condition* ([`branch`]), independently of the decision that moved the
//!   program counter: if the two disagree (a flipped decision, a flipped target), `G` arrives
//!   as the other successor's signature and the next check fails.
//!
//! What this catches, per the tests: a flipped IR word (opcode or operand) that runs, a
//! jump to the wrong block or into the middle of one, a skipped or repeated block, a branch
//! outcome that contradicts its encoded condition, an invalid encoded condition, and a
//! corrupted runtime signature or edge difference. [`fold`] is a bijection of `G` for every
//! word and of the word for every `G`, and [`mix`] of each of its words, so one wrong word,
//! or one wrong `G`, always yields a wrong signature at the next check; two wrong words
//! cancel only for one specific difference in the second (probability 2⁻³² for random
//! faults). A flipped word of a signed function that makes the program trap before the next
//! check is caught by a checksum of the function's code ([`fold_words`]), verified once,
//! when it traps. What it does not catch: a wrong value that is
//! *valid*, which is the AN code's job, and a fault that lands before the word is read and
//! after it is checked in the same way on both sides (e.g. a wrong but consistent
//! translation).

#![no_std]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

extern crate alloc;

pub mod memory;

/// An odd multiplier (the 32-bit golden ratio): multiplying by it is a bijection mod 2³² that
/// spreads a one-bit difference over the higher bits.
const SPREAD: u32 = 0x9e37_79b1;

/// XORed into `G` by [`branch`] when the condition's decoded flag is neither 0 nor 1.
const SPOILED: u32 = 0x5bd1_e995;

/// The static entry signature of block `block` of function `func`: a mixing hash, so that
/// neighbouring blocks and functions get unrelated signatures.
#[inline]
pub const fn block_signature(func: u32, block: u32) -> u32 {
    let mut x = func.wrapping_mul(SPREAD) ^ block.rotate_left(16) ^ 0x2545_f491;
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// Folds one executed IR word into the running signature. A bijection in `sig` for every
/// `word` and in `word` for every `sig`: one wrong input always gives a wrong output.
#[inline(always)]
pub const fn fold(sig: u32, word: u32) -> u32 {
    (sig ^ word).wrapping_mul(SPREAD).rotate_left(13)
}

/// One instruction's fetched words as the one word [`fold`] takes: the opcode word and the
/// first `own` (at most 3) of the `operands` the interpreter fetched with it, each rotated to
/// its own byte lane and XORed. Window words beyond `own` belong to the next instruction or
/// are signature words, and are left out. A change of any single input word changes the
/// result (it is XORed in through a rotation, a bijection), so one wrong opcode or operand
/// word makes the runtime signature wrong; the words are combined before the one multiply of
/// [`fold`], so the signature's dependency chain stays one fold per instruction.
#[inline(always)]
pub const fn mix(word: u32, operands: [u32; 3], own: u32) -> u32 {
    let [first, second, third] = operands;
    word ^ (first.rotate_left(8) & keep(own, 0))
        ^ (second.rotate_left(16) & keep(own, 1))
        ^ (third.rotate_left(24) & keep(own, 2))
}

/// All ones if operand `index` is one of the first `own`, else zero.
#[inline(always)]
const fn keep(own: u32, index: u32) -> u32 {
    0u32.wrapping_sub((own > index) as u32)
}

/// The exit signature of a block entered with `entry` whose executed words are `words`.
#[inline]
pub fn fold_words(entry: u32, words: &[u32]) -> u32 {
    words.iter().fold(entry, |sig, &word| fold(sig, word))
}

/// The difference a transfer from a block with exit signature `exit` to a block with entry
/// signature `target_entry` XORs into the runtime signature.
#[inline(always)]
pub const fn edge(exit: u32, target_entry: u32) -> u32 {
    exit ^ target_entry
}

/// A conditional transfer: `flag` is the encoded condition decoded *without* a check (0 or 1
/// when the code word is valid), `taken` and `not_taken` the edge differences of the two
/// successors. Branch-free, so the selection does not share the interpreter's decision: a
/// decision that contradicts `flag` leaves `G` at the wrong successor's signature, and a flag
/// other than 0 or 1 (an invalid code word) spoils `G` altogether.
#[inline(always)]
pub const fn branch(sig: u32, flag: u64, taken: u32, not_taken: u32) -> u32 {
    let select = (flag as u32).wrapping_neg();
    let spoiled = ((flag >> 1 != 0) as u32).wrapping_mul(SPOILED);
    sig ^ not_taken ^ ((taken ^ not_taken) & select) ^ spoiled
}

/// The runtime signature did not match the block being entered (or left).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureMismatch {
    /// What the block expects.
    pub expected: u32,
    /// What the runtime signature held.
    pub found: u32,
}

impl core::fmt::Display for SignatureMismatch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "control-flow signature {:#010x} where {:#010x} was expected",
            self.found, self.expected
        )
    }
}

/// The entry check of a block whose static signature is `expected`.
#[inline(always)]
pub fn check(sig: u32, expected: u32) -> Result<(), SignatureMismatch> {
    if sig == expected {
        Ok(())
    } else {
        Err(SignatureMismatch {
            expected,
            found: sig,
        })
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)] // a wrong index in a test is a failed test
mod tests {
    use super::*;

    #[test]
    fn block_signatures_of_a_function_are_distinct() {
        for func in 0..8 {
            let mut seen = [0u32; 512];
            for (block, slot) in (0..512).zip(seen.iter_mut()) {
                *slot = block_signature(func, block);
            }
            seen.sort_unstable();
            assert!(
                seen.windows(2).all(|w| matches!(w, [a, b] if a != b)),
                "func {func}"
            );
        }
    }

    #[test]
    fn every_single_bit_flip_of_a_word_or_the_signature_changes_the_exit() {
        let words = [0x0001_0012, 3, 4, 5, 0x0002_0040, 7, 0xffff_ffff];
        let entry = block_signature(3, 9);
        let exit = fold_words(entry, &words);
        for position in 0..words.len() {
            for bit in 0..32 {
                let mut flipped = words;
                if let Some(word) = flipped.get_mut(position) {
                    *word ^= 1 << bit;
                }
                assert_ne!(
                    fold_words(entry, &flipped),
                    exit,
                    "word {position} bit {bit}"
                );
            }
        }
        for bit in 0..32 {
            assert_ne!(
                fold_words(entry ^ (1 << bit), &words),
                exit,
                "entry bit {bit}"
            );
        }
    }

    #[test]
    fn a_branch_lands_on_the_successor_its_flag_names() {
        let (exit, t, f) = (0x1234_5678, block_signature(0, 1), block_signature(0, 2));
        let (taken, not_taken) = (edge(exit, t), edge(exit, f));
        assert_eq!(branch(exit, 1, taken, not_taken), t);
        assert_eq!(branch(exit, 0, taken, not_taken), f);
        for flag in [2, 3, 1 << 32, 1 << 40 | 1, u64::MAX] {
            let g = branch(exit, flag, taken, not_taken);
            assert!(g != t && g != f, "flag {flag:#x}");
        }
    }

    #[test]
    fn check_reports_both_signatures() {
        assert_eq!(check(5, 5), Ok(()));
        let mismatch = check(4, 5);
        assert_eq!(
            mismatch,
            Err(SignatureMismatch {
                expected: 5,
                found: 4
            })
        );
    }
}
