//! The two code-word types, [`I32Code`] and [`I64Code`], and the operations that stay inside
//! the code: constants, add, sub, neg, comparisons, eqz, and (for i32) multiplication.
//!
//! Both types come from one macro because their arithmetic is the same with different widths;
//! the widths and constants are spelled out at the two invocations at the bottom.
//!
//! **Error propagation instead of checks.** None of these operations returns an error. An
//! invalid operand yields an invalid result, so the executor can check only where a value leaves
//! the code (branch conditions, addresses, stores, results) without losing detections made on
//! the way. add/sub/neg/abs keep the result congruent to the operands mod `A` and inside the
//! range, and *poison* it (set its top bit, which no valid word has) when an operand lies above
//! the range; the operations that reduce their operands to a flag (comparisons, eqz, mul,
//! copysign) decode the operands and poison the result when one is invalid.

use crate::error::{AnError, Detection};
use crate::opaque::Opaque;

/// Multiplicative inverse of an odd number modulo 2^64 or 2^128, by Newton's iteration:
/// `inv·(2 − a·inv)` doubles the number of correct low bits, starting from 3 (`a·a ≡ 1 mod 8`).
macro_rules! inverse_fn {
    ($name:ident, $word:ty) => {
        const fn $name(a: $word) -> $word {
            let mut inv = a;
            let mut round = 0;
            while round < 6 {
                inv = inv.wrapping_mul((2 as $word).wrapping_sub(a.wrapping_mul(inv)));
                round += 1;
            }
            inv
        }
    };
}

inverse_fn!(inverse_u64, u64);
inverse_fn!(inverse_u128, u128);

macro_rules! an_code {
    (
        $(#[$meta:meta])*
        $name:ident {
            word: $word:ty,
            value: $value:ty,
            signed: $signed:ty,
            inverse: $inverse:ident,
            a: $a:expr,
            mask: $mask:expr $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        #[repr(transparent)]
        pub struct $name($word);

        impl $name {
            /// The multiplier `A` (odd, so it has an inverse modulo the word size).
            pub const A: u64 = $a;
            /// `A⁻¹` modulo 2^(word bits): multiplying an unmasked valid word by it gives `x`.
            pub const A_INV: $word = $inverse(Self::A as $word);
            /// The constant XORed onto `A·x` so that no valid word is all-zero or all-one.
            pub const MASK: $word = $mask;
            /// Bits of the carried value.
            const DATA_BITS: u32 = <$value>::BITS;
            /// `A·2^k`: the code of the wrap-around of a `k`-bit value.
            const MODULUS: $word = (Self::A as $word) << Self::DATA_BITS;
            /// `A·2^(k−1)`: unmasked words at or above it carry negative values.
            const SIGN_BOUND: $word = (Self::A as $word) << (Self::DATA_BITS - 1);
            /// The top word bit. Valid unmasked words are below `A·2^k`, far under it, so setting
            /// it marks a result whose operands were invalid.
            const POISON: $word = 1 << (<$word>::BITS - 1);

            /// Encodes `value` as `(A·value) ⊕ MASK`. This is also how constants enter the code.
            #[inline]
            pub const fn encode(value: $value) -> Self {
                Self((Self::A as $word).wrapping_mul(value as $word) ^ Self::MASK)
            }

            /// Wraps raw bits read from a slot; nothing is checked until the word is used.
            #[inline]
            pub const fn from_bits(bits: $word) -> Self {
                Self(bits)
            }

            /// The raw bits, for storing in a slot.
            #[inline]
            pub const fn to_bits(self) -> $word {
                self.0
            }

            /// Decodes and checks: the range check for 32-bit words, a re-encode for 64-bit ones
            /// (`checked`, below the macro). No division. The returned value is plain, i.e.
            /// **unprotected from here on**.
            #[inline]
            pub fn decode(self) -> Result<$value, AnError> {
                match self.checked() {
                    (x, false) => Ok(x),
                    (_, true) => Err(AnError::Detected(Detection::CodeWord)),
                }
            }

            /// `(word ⊕ MASK)·A⁻¹` without the range check: the value for a valid word, a number
            /// at or above `2^k` for an invalid one. For consumers that fold the result into
            /// another check (the executor's control-flow signatures select a branch's update
            /// with it) rather than branch on validity.
            #[inline]
            pub fn residue(self) -> $word {
                self.decode_unchecked()
            }

            /// Whether the word is a valid code word (the check of [`Self::decode`], without
            /// branching).
            #[inline]
            pub fn is_valid(self) -> bool {
                !self.checked().1
            }

            #[inline]
            fn unmasked(self) -> $word {
                self.0 ^ Self::MASK
            }

            /// `(word ⊕ MASK)·A⁻¹`; its bits at and above `k` are zero iff the word is valid
            /// (the range check).
            #[inline]
            fn decode_unchecked(self) -> $word {
                self.unmasked().wrapping_mul(Self::A_INV)
            }

            /// The low-half decode, unchecked: only the low `k` bits of word and inverse are
            /// multiplied (`x = (word ⊕ MASK)·A⁻¹ mod 2^k`, one narrow multiply). Duplicated
            /// computations ([`crate::delta`]) decode copy 2 of a 32-bit operand with it and
            /// check a re-encoded result against copy 2 with it; the caller compares.
            #[inline]
            pub(crate) fn decode_low(self) -> $value {
                (self.unmasked() as $value).wrapping_mul(Self::A_INV as $value)
            }

            /// Masks an unmasked result, poisoning it if `bad`.
            #[inline]
            fn from_unmasked(unmasked: $word, bad: bool) -> Self {
                Self((unmasked | if bad { Self::POISON } else { 0 }) ^ Self::MASK)
            }

            /// Wasm `add`, inside the code: `A·x + A·y`, minus `A·2^k` when the sum reaches it
            /// (the wrap, decided by comparing code words). **Never unprotected.**
            ///
            /// An invalid operand always gives an invalid result. An operand at or above
            /// `A·2^k` poisons the result (without that, the wrap correction could pull such a
            /// word back into range: for 64311, which divides `2^48 − 1`, flipping bits `j` and
            /// `j + 48` adds a multiple of `A` just above `A·2^32`). Below it, the result is in
            /// range and congruent to the operand sum mod `A`, so it is a multiple of `A` only
            /// if both operands are.
            #[inline]
            pub fn add(self, rhs: Self) -> Self {
                let (x, y) = (self.unmasked(), rhs.unmasked());
                let sum = x.wrapping_add(y);
                let wrap = if sum >= Self::MODULUS { Self::MODULUS } else { 0 };
                let bad = (x >= Self::MODULUS) | (y >= Self::MODULUS);
                Self::from_unmasked(sum.wrapping_sub(wrap), bad)
            }

            /// Wasm `sub`, inside the code: `A·x − A·y`, plus `A·2^k` when it borrows (decided
            /// by comparing code words). **Never unprotected**; an invalid operand gives an
            /// invalid result, as for [`Self::add`].
            #[inline]
            pub fn sub(self, rhs: Self) -> Self {
                let (x, y) = (self.unmasked(), rhs.unmasked());
                let borrow = if x < y { Self::MODULUS } else { 0 };
                let bad = (x >= Self::MODULUS) | (y >= Self::MODULUS);
                Self::from_unmasked(x.wrapping_sub(y).wrapping_add(borrow), bad)
            }

            /// Wasm `0 − x` (there is no `neg` instruction for integers, but compilers emit
            /// `sub` from zero, and float `neg` is built on it). Same protection as [`Self::sub`].
            #[inline]
            pub fn neg(self) -> Self {
                Self::encode(0).sub(self)
            }

            /// Decodes both operands without branching and gives `holds(x, y)` as an encoded
            /// boolean, poisoned if either operand is invalid. The flag is plain for the few
            /// instructions between the compare and the multiplication by `A`.
            ///
            /// The decode is the full-width `·A⁻¹` with the range check even for 64-bit words
            /// (see `checked`): a comparison's operand is often an immediate, encoded where it
            /// is used, and this form lets the compiler fold that decode to the constant.
            #[inline]
            fn compare(self, rhs: Self, holds: impl FnOnce($value, $value) -> bool) -> I32Code {
                let (x, y) = (self.decode_unchecked(), rhs.decode_unchecked());
                let bad = (x | y) >> Self::DATA_BITS != 0;
                I32Code::boolean(holds(x as $value, y as $value), bad)
            }

            /// Wasm `eq` as an encoded i32 boolean. Unprotected: the one-bit outcome, for the
            /// few instructions until it is multiplied by `A`; invalid operands poison it.
            #[inline]
            pub fn eq(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| x == y)
            }

            /// Wasm `ne`; protection as [`Self::eq`].
            #[inline]
            pub fn ne(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| x != y)
            }

            /// Wasm `lt_s`; protection as [`Self::eq`].
            #[inline]
            pub fn lt_s(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| (x as $signed) < (y as $signed))
            }

            /// Wasm `lt_u`; protection as [`Self::eq`].
            #[inline]
            pub fn lt_u(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| x < y)
            }

            /// Wasm `gt_s`; protection as [`Self::eq`].
            #[inline]
            pub fn gt_s(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| (x as $signed) > (y as $signed))
            }

            /// Wasm `gt_u`; protection as [`Self::eq`].
            #[inline]
            pub fn gt_u(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| x > y)
            }

            /// Wasm `le_s`; protection as [`Self::eq`].
            #[inline]
            pub fn le_s(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| (x as $signed) <= (y as $signed))
            }

            /// Wasm `le_u`; protection as [`Self::eq`].
            #[inline]
            pub fn le_u(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| x <= y)
            }

            /// Wasm `ge_s`; protection as [`Self::eq`].
            #[inline]
            pub fn ge_s(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| (x as $signed) >= (y as $signed))
            }

            /// Wasm `ge_u`; protection as [`Self::eq`].
            #[inline]
            pub fn ge_u(self, rhs: Self) -> I32Code {
                self.compare(rhs, |x, y| x >= y)
            }

            /// Wasm `eqz` as an encoded i32 boolean; protection as [`Self::eq`].
            #[inline]
            pub fn eqz(self) -> I32Code {
                let x = self.decode_unchecked();
                I32Code::boolean(x == 0, x >> Self::DATA_BITS != 0)
            }

            /// The unmasked word with its top value bit cleared (`A·x − A·2^(k−1)` when the
            /// word is at or above `A·2^(k−1)`, decided by comparing code words), and whether
            /// the word was out of range (which must poison the result, as in [`Self::add`]).
            #[inline]
            fn magnitude(self) -> ($word, bool) {
                let u = self.unmasked();
                let top = if u >= Self::SIGN_BOUND { Self::SIGN_BOUND } else { 0 };
                (u.wrapping_sub(top), u >= Self::MODULUS)
            }

            /// Clears the top value bit inside the code (float `abs`). An invalid word gives an
            /// invalid result.
            #[inline]
            pub(crate) fn clear_top_bit(self) -> Self {
                let (magnitude, bad) = self.magnitude();
                Self::from_unmasked(magnitude, bad)
            }

            /// Float `copysign` inside the code: the magnitude of `self` plus `A·2^(k−1)` if the
            /// top bit of `sign` is set. `sign` contributes one bit, so it is decoded, and an
            /// invalid `sign` poisons the result.
            #[inline]
            pub(crate) fn copy_top_bit(self, sign: Self) -> Self {
                let (magnitude, bad) = self.magnitude();
                let s = sign.decode_unchecked();
                let top = if s >> (Self::DATA_BITS - 1) & 1 == 1 { Self::SIGN_BOUND } else { 0 };
                let bad = bad | (s >> Self::DATA_BITS != 0);
                Self::from_unmasked(magnitude.wrapping_add(top), bad)
            }
        }
    };
}

an_code! {
    /// An i32 (or f32 bit pattern) as a 48-bit AN code word `(64311·x) ⊕ MASK`, carried in a
    /// `u64`. See the crate docs for the choice of `A` and the mask.
    I32Code {
        word: u64,
        value: u32,
        signed: i32,
        inverse: inverse_u64,
        a: 64311,
        mask: 0xb5c3_9a6e_d14f_2c87,
    }
}

an_code! {
    /// An i64 (or f64 bit pattern) as a 127-bit AN code word `(A·x) ⊕ MASK`, carried in a
    /// `u128`. See the crate docs for the choice of `A` and the mask.
    I64Code {
        word: u128,
        value: u64,
        signed: i64,
        inverse: inverse_u128,
        a: 0x70ea_d0fd_f097_7d71,
        mask: 0xa4d3_96c1_7e2b_58f0_3c9e_61a7_d5b2_4e19,
    }
}

impl I32Code {
    /// The value and whether the word is invalid, by the range check: `(word ⊕ MASK)·A⁻¹ mod
    /// 2^64` is the value if it is below `2^32`, and lands at or above it for every invalid
    /// word (crate docs). One 64-bit multiply.
    #[inline]
    fn checked(self) -> (u32, bool) {
        let x = self.decode_unchecked();
        (x as u32, x >> 32 != 0)
    }

    /// Encoded `true` (1) and `false` (0); both are non-zero words.
    #[inline]
    pub(crate) fn boolean(flag: bool, poisoned: bool) -> I32Code {
        let value = if flag { Self::A } else { 0 };
        Self::from_unmasked(value, poisoned)
    }

    /// A branch condition: decodes and checks, then tests for non-zero. The outcome is plain
    /// from here on — item 3's signatures are what protect the branch itself.
    #[inline]
    pub fn is_true(self) -> Result<bool, AnError> {
        self.decode().map(|x| x != 0)
    }

    /// Wasm `i32.mul` without leaving the code. The product `(A·x)·y` is exact in a `u128`
    /// (below 2^80); the wrap is corrected by subtracting `A·2^32·h`, with `h = (x·y) >> 32`
    /// computed from decoded values. A wrong `h` (a fault in the decoded `x` or in that
    /// multiplication) leaves a result off by a multiple of `A·2^32`, which is out of range and
    /// fails the check. The plain `y` that multiplies the code word is cross-checked: the
    /// product is formed a second time as `(A·y)·x` and the two must agree, else the result is
    /// poisoned, as it is for invalid operands.
    ///
    /// Unprotected: the decoded `x` and `y` for the few instructions of this function, covered
    /// by the cross-check and the range argument above.
    #[inline]
    pub fn mul(self, rhs: Self) -> Self {
        let (ux, uy) = (self.unmasked(), rhs.unmasked());
        let (x, y) = (self.decode_unchecked(), rhs.decode_unchecked());
        let product = u128::from(ux).wrapping_mul(u128::from(y));
        let cross_product = u128::from(uy).wrapping_mul(u128::from(x));
        let high = u128::from(x.wrapping_mul(y) >> 32);
        let wrapped = u128::from(Self::MODULUS).wrapping_mul(high);
        let result = product.wrapping_sub(wrapped) as u64;
        let bad = ((x | y) >> 32 != 0) | (product != cross_product);
        Self::from_unmasked(result, bad)
    }
}

impl I64Code {
    /// `−A⁻¹ mod 2^64`, the multiplier of [`Self::decode_second`].
    const NEG_A_INV: u64 = (Self::A_INV as u64).wrapping_neg();

    /// The value and whether the word is invalid, by decoding the low half and re-encoding:
    /// one 64-bit and one 64×64→128-bit multiply instead of the 128-bit `·A⁻¹` of the range
    /// check (three multiplies). `A·x ≡ word ⊕ MASK (mod 2^64)` fixes
    /// `x = (word ⊕ MASK)·A⁻¹ mod 2^64` from the low half alone, and the word is valid iff
    /// re-encoding gives it back, `A·x = word ⊕ MASK`: the valid words are exactly the `A·x`
    /// with `x < 2^64`, the words the range check accepts. The low halves agree by the choice
    /// of `x`, so only the high halves are compared.
    #[inline]
    fn checked(self) -> (u64, bool) {
        let unmasked = self.unmasked();
        let x = (unmasked as u64).wrapping_mul(Self::A_INV as u64);
        let reencoded = u128::from(Self::A).wrapping_mul(u128::from(x));
        (x, (reencoded >> 64) as u64 != (unmasked >> 64) as u64)
    }

    /// The second decode of duplicated computations ([`crate::delta`]), unchecked:
    /// `−x = (word ⊕ MASK)·(−A⁻¹) mod 2^64` through the optimisation barrier, then negated.
    /// Another multiplier than [`Self::checked`]'s, so the compiler cannot merge the two
    /// decodes into one multiply, and until its use the copy sits in its register as `−x`, a
    /// different bit pattern from copy 1's `x` (ED4I's diverse copy).
    #[inline]
    pub(crate) fn decode_second(self) -> u64 {
        (self.unmasked() as u64)
            .wrapping_mul(Self::NEG_A_INV)
            .opaque()
            .wrapping_neg()
    }
}
