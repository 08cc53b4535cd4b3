//! AN-code words for WebAssembly values, and the Wasm numeric operations on them.
//!
//! Encoded execution carries every Wasm value as a code word that a fault is unlikely to turn
//! into another valid word. This crate provides the words and the operations; the executor
//! plugs them into its generic interpreter as a value domain, and checks a word wherever its
//! value leaves the code (branch conditions, addresses, stores, host calls, results).
//!
//! # The code
//!
//! | type | carries | word | multiplier `A` | mask `M` |
//! |---|---|---|---|---|
//! | [`I32Code`], [`F32Code`] | 32-bit value / f32 bits | `u64` | 64311 (16 bits) | `0xb5c3_9a6e_d14f_2c87` |
//! | [`I64Code`], [`F64Code`] | 64-bit value / f64 bits | `u128` | `0x70ea_d0fd_f097_7d71` (63 bits) | `0xa4d3_96c1_…_4e19` |
//!
//! A value `x` (taken as unsigned, `k` = 32 or 64 bits) is the word `(A·x) ⊕ M`. `A·x` is exact:
//! below 2^48 in a `u64`, below 2^127 in a `u128`, so two unmasked words add without overflow.
//!
//! **Check without division.** `A` is odd, so it has an inverse modulo the word size
//! (`A⁻¹ = 0xaa86fffefb1faa87` mod 2^64 for 64311). A word is valid iff
//! `y = (word ⊕ M)·A⁻¹ mod 2^n` is below `2^k`, and then `y = x` (the AHEAD paper's trick,
//! Kolditz et al., SIGMOD 2018): a valid word times `A⁻¹` is `x` exactly; any other word lands
//! at or above `2^k`, because `(word ⊕ M) = A·y` would make it valid. A 64-bit word is checked
//! the equivalent cheaper way: `x = (word ⊕ M)·A⁻¹ mod 2^64` from the low half (one 64-bit
//! multiply), valid iff re-encoding gives the word back, `A·x = word ⊕ M` (one 64×64→128-bit
//! multiply; the low halves agree by the choice of `x`, so the high halves are compared) — the
//! same set of words, two multiplies instead of a 128-bit product's three.
//!
//! **No valid word is all-zero.** `M` is this crate's form of the constant offset `B` of ANB
//! codes (Forin, 1989; Schiffel, Schmitt, Süßkraut and Fetzer, SAFECOMP 2010). It is XORed
//! rather than added because bit flips commute with XOR: a flip pattern `E` turns `(A·x) ⊕ M`
//! into `(A·x ⊕ E) ⊕ M`, so the masked code has exactly the Hamming distances of the plain AN
//! code, whereas `A·x + B` moves carries and changes them. `M` has bits set where `A·x` never
//! has any (bits 48–63 for i32, bit 127 for i64) and differs there from all-one, so an
//! all-zero word (a cleared or stuck-at-zero slot) and an all-one word both fail the check, and
//! so does clearing the low 48 (i32) or 127 (i64) bits alone. Booleans are `M` (false) and
//! `A ⊕ M` (true), both non-zero. The tests assert all of this.
//!
//! # Choice of `A` and what it detects
//!
//! A flip of the bits `E` changes the unmasked word by `D = Σ ±2^i` over the flipped positions
//! (`+` where the bit was 0). It goes unnoticed iff the result is again a code word, i.e. iff
//! `D` is a non-zero multiple of `A` with `|D| < A·2^k`. The committed tool
//! `cargo run --release -p wasmrel-an-encoding --example weights` searches **exhaustively**
//! for such `D` with up to 7 terms (meet in the middle over residues mod `A`, every hit
//! re-checked), and samples the Hamming weight distribution of `A·x`:
//!
//! * **i32: `A = 64311`**, the 16-bit multiplier with the best published minimum Hamming
//!   distance, 5, for 32-bit data (Hoffmann, Ulbrich, Dietrich, Schirmeier, Lohmann,
//!   Schröder-Preikschat, HASE 2014, on "super As"; exhaustive tables of Kolditz, Werner et
//!   al.). The tool confirms it: no flip of 1–4 bits is undetectable; 96 signed 5-term patterns
//!   (6,624 of 6, 73,248 of 7) are multiples of `A`, so a 5-bit flip goes unnoticed when it
//!   hits a word whose bits match one of them. Sampled weights of `A·x`: minimum 7 over 2^20 random
//!   `x`, 6 over structured `x` (`1..2^16`, `2^i`, `2^i ± 2^j`); random pairs of words are at
//!   least 8 bits apart (median 24).
//! * **i64: `A = 0x70ea_d0fd_f097_7d71` (8136545465879985521, ≈ 2^62.8)**. No table covers
//!   64-bit data, so `A` was measured. Any odd `A > 1` detects single flips; larger `A` leaves
//!   more room, and `A < 2^63` keeps `A·x + A·y` inside a `u128`. Thirty-two seeded random
//!   odd candidates in `[2^62, 2^63)` were ranked by the minimum weight of `A·x` over the
//!   structured `x` (`--candidates 32`); this one ranked first (24; others 20–23). The
//!   exhaustive search then found **no undetectable flip of up to 7 bits** (minimum arithmetic
//!   distance ≥ 8; counting 8-bit patterns needs a 4+4 table beyond a laptop's memory, so 8 is
//!   a lower bound). Sampled weights of `A·x`: minimum 37 over 2^20 random `x`, 24 over the
//!   structured `x`; random pairs at least 37 bits apart (median 63).
//!
//! Errors also survive the operations that stay in the code: `add`, `sub`, `neg`, `abs`
//! and `copysign` give an invalid result for every invalid operand, not only for flips of few
//! bits (the argument is in [`I32Code::add`]'s docs; without the range poison described there,
//! flipping bits `j` and `j + 48` of an i32 word — 64311 divides `2^48 − 1` — passed through
//! `add` undetected in 10 of 129,024 two-bit cases).
//!
//! **Multi-bit flips**, measured by `cargo run --release -p wasmrel-an-encoding --example
//! flip_rates` over the whole stored word (64 / 128 bits), checked directly and after an
//! `add` (identical figures):
//!
//! | flipped bits | i32 undetected | i64 undetected |
//! |---|---|---|
//! | 2 (every position pair, 64 / 8 values) | 0 of 129,024 | 0 of 65,024 |
//! | 3 (every position triple) | 0 of 2,666,496 | 0 of 2,731,008 |
//! | 4 (2^22 random) | 0 | 0 |
//! | 5 (2^22 random) | 4 (99.99990 % detected) | 0 |
//! | 6 (2^22 random) | 13 (99.99969 % detected) | 0 |
//!
//! # Operations
//!
//! * **Inside the code** (never unprotected): [`I32Code::encode`] (constants), `add`, `sub`,
//!   `neg`, and for floats `neg`, `abs` (sign-bit surgery is addition of `A·2^(k−1)`).
//!   An operand above the code's range poisons the result (see "Choice of `A`").
//!   The mod-2^k wrap is corrected in the code: subtract (add) `A·2^k` when the unmasked sum
//!   reaches it (the difference borrows), decided by comparing code words, branch-free.
//! * **Inside the code with a decoded flag:** comparisons and `eqz` give encoded i32 booleans;
//!   `i32.mul` forms `(A·x)·y` in a `u128` and corrects the wrap with `h = (x·y) >> 32` from
//!   decoded values (a wrong `h` leaves the range, so it fails the check; `y` is cross-checked
//!   by forming `(A·y)·x` too); `copysign` reads one sign bit. These decode their operands and
//!   *poison* the result (set its top bit, never set in a valid word) if an operand is invalid,
//!   so an error is carried to the next check instead of being lost in a one-bit result.
//! * **Computed twice (Δ):** everything else — bitwise ops, shifts, rotates, div/rem (traps as
//!   [`AnError::Trap`], never as a detection), clz/ctz/popcnt, sign extensions, wrap/extend,
//!   `i64.mul`, every float operation and conversion (`libm` for sqrt and rounding). Following
//!   Δ-encoding (Kuvaiskii and Fetzer, DSN 2015), each operand is decoded twice,
//!   independently: once with the checked decode, once by another multiply — of the low
//!   halves for 32-bit words, by `−A⁻¹` for 64-bit ones. The second copy passes through an
//!   optimisation barrier bit-inverted (negated for 64 bits) — diverse data in the spirit of
//!   ED4I (Oh, Mitra and McCluskey, IEEE TC 2002), whose `−2·x` copy suits arithmetic but not
//!   bitwise operations — so the compiler cannot merge the copies and one stuck bit cannot
//!   hit both alike. The operation (traps included) runs on both; copy 1's
//!   result is encoded, the new word is decoded again the second way and must match copy 2's
//!   result, else [`Detection::Mismatch`]. A test-only
//!   fault hook corrupts one copy and the tests see it caught.
//!
//! No operation panics; the in-code ones never fail (an invalid operand gives an invalid
//! result), the others return [`AnError`].
//!
//! # Plugging it into the executor
//!
//! * A slot can be a `u128` for every type: `u128::from(I32Code::to_bits(c))` and
//!   `I32Code::from_bits(slot as u64)` for i32/f32, `to_bits`/`from_bits` directly for i64/f64.
//!   A flip in the unused upper half of an i32 slot cannot change the value (benign); a cleared
//!   slot still fails the check.
//! * Constants are encoded once, at translation ([`I32Code::encode`] is `const`).
//! * Check where a value leaves the code: [`I32Code::is_true`] for branch conditions,
//!   `decode` for addresses, table indices, stored values, host arguments and results;
//!   `is_valid` for checks at block boundaries. In-code operations never fail, so a check
//!   level only decides where these calls go.
//! * [`AnError::Detected`] is the `an` detection; [`AnError::Trap`] is the Wasm trap, the same
//!   one plain mode raises.
//!
//! # Where the protection has gaps
//!
//! * A value that has left the code is plain: the flag of a comparison before it is multiplied
//!   by `A`, a branch outcome after [`I32Code::is_true`], an address or a stored value after
//!   `decode`. Control-flow signatures (the `checker` crate) are meant to cover branch outcomes.
//! * In Δ operations, a fault that hits both copies alike (e.g. in a shared instruction) is not
//!   caught, nor one in the final comparisons.
//! * One constant mask per type, not a per-variable `B`: a wrong but valid operand (swapped
//!   operands, a wrong slot, a lost or stale write) decodes fine. ANB/ANBD signatures (Schiffel
//!   et al.) or the checker's signatures must catch those.
//! * Flips of 5 or more bits in an i32 word (8 or more in an i64 word) can land on a valid
//!   word; equal errors in both operands of `sub` or a comparison cancel.
//! * `decode` checks the word it is given; an executor that stores an [`I32Code`] in a wider
//!   slot must decide what a flip in the unused bits means (it cannot change the value).

#![no_std]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
// Operations are named after the Wasm instructions, not Rust's operator traits: an encoded
// `add` is not `+` on the carried bits, and most operations return a `Result`.
#![allow(clippy::should_implement_trait)]

mod code;
mod delta;
#[cfg(feature = "executor")]
mod domain;
mod error;
mod float;
mod integer;
mod opaque;

pub use code::{I32Code, I64Code};
#[cfg(feature = "executor")]
pub use domain::{level, An};
pub use error::{AnError, Detection, Trap};
pub use float::{F32Code, F64Code};
