//! Duplicated computation for operations AN codes cannot carry (Δ-encoding style).
//!
//! An operation such as `and`, `shl` or `f64.sqrt` has no arithmetic on `A·x`, so its operands
//! must leave the code. To keep a fault in that plain stretch from going unnoticed, every such
//! operation
//!
//! 1. decodes each operand twice, independently ([`Code::decode_second`]): copy 1 with the
//!    checked decoder, copy 2 by another multiply, unchecked. For 32-bit words copy 1 is the
//!    full-width `·A⁻¹` with its range check and copy 2 a narrow multiply of the low halves
//!    ([`Code::decode_low`]), kept bit-inverted while it passes through an optimisation
//!    barrier ([`Opaque`], free of instructions). For 64-bit words copy 1 decodes the low half
//!    and checks by re-encoding, so copy 2 multiplies by `−A⁻¹` instead and passes the barrier
//!    as `−x`. Either way copy 2 sits in its register as a different bit pattern (ED4I's
//!    point: diverse data, so one stuck bit cannot hit both copies alike), and the compiler
//!    can neither prove the copies equal nor merge the two computations (the generated code
//!    has both);
//! 2. computes the operation on both copies, traps included (a trap is a result too, so a fault
//!    cannot fake or hide one without the copies disagreeing);
//! 3. encodes copy 1's result, decodes that word again with the low decoder (behind another
//!    barrier, so the encode is really executed and checked) and compares it with copy 2's
//!    result. Disagreement is [`Detection::Mismatch`].
//!
//! What stays unprotected is a fault that hits both copies the same way (a common-mode fault,
//! e.g. in shared code) and the two comparisons themselves.

use core::ops::Not;

use crate::code::{I32Code, I64Code};
use crate::error::{AnError, Detection, Trap};
use crate::opaque::Opaque;

/// A code-word type whose values can be decoded twice and re-encoded.
pub(crate) trait Code: Copy + Opaque {
    /// The plain value: the integer, or the float's bit pattern.
    type Value: Copy + PartialEq + Not<Output = Self::Value> + Opaque;

    fn encode(value: Self::Value) -> Self;
    fn decode(self) -> Result<Self::Value, AnError>;
    /// The low-half decoder, unchecked: checks a re-encoded result against copy 2.
    fn decode_low(self) -> Self::Value;

    /// Copy 2 of an operand: by default the low-half decode kept bit-inverted across the
    /// optimisation barrier (see the module docs); 64-bit words override it, because their
    /// checked decode is the same low-half multiply.
    #[inline]
    fn decode_second(self) -> Self::Value {
        !(!self.decode_low()).opaque()
    }

    /// Whether two results of the two copies count as the same. Floats override this so that
    /// two NaNs agree whatever their payloads: Wasm leaves NaN payloads nondeterministic, and
    /// the compiler may order a commutative operation's operands differently in the copies.
    #[inline]
    fn agree(first: Self::Value, second: Self::Value) -> bool {
        first == second
    }

    /// Test-only: XOR `mask` into a plain value, to play a fault in one copy.
    #[cfg(test)]
    fn flip(value: Self::Value, mask: u64) -> Self::Value;
}

impl Code for I32Code {
    type Value = u32;

    #[inline]
    fn encode(value: u32) -> Self {
        I32Code::encode(value)
    }
    #[inline]
    fn decode(self) -> Result<u32, AnError> {
        I32Code::decode(self)
    }
    #[inline]
    fn decode_low(self) -> u32 {
        I32Code::decode_low(self)
    }
    #[cfg(test)]
    fn flip(value: u32, mask: u64) -> u32 {
        value ^ mask as u32
    }
}

impl Code for I64Code {
    type Value = u64;

    #[inline]
    fn encode(value: u64) -> Self {
        I64Code::encode(value)
    }
    #[inline]
    fn decode(self) -> Result<u64, AnError> {
        I64Code::decode(self)
    }
    #[inline]
    fn decode_low(self) -> u64 {
        I64Code::decode_low(self)
    }
    #[inline]
    fn decode_second(self) -> u64 {
        I64Code::decode_second(self)
    }
    #[cfg(test)]
    fn flip(value: u64, mask: u64) -> u64 {
        value ^ mask
    }
}

/// Both copies of one operand.
#[inline]
fn decode_twice<C: Code>(word: C) -> Result<(C::Value, C::Value), AnError> {
    let first = word.decode()?;
    let second = word.decode_second();
    Ok((
        fault::inject::<C>(fault::Site::First, first),
        fault::inject::<C>(fault::Site::Second, second),
    ))
}

/// Compares the two copies' outcomes and encodes the agreed result.
#[inline]
fn finish<O: Code>(
    first: Result<O::Value, Trap>,
    second: Result<O::Value, Trap>,
) -> Result<O, AnError> {
    match (first, second) {
        (Ok(first), Ok(second)) => {
            let word = O::encode(fault::inject::<O>(fault::Site::Result, first));
            if O::agree(word.opaque().decode_low(), second) {
                Ok(word)
            } else {
                Err(AnError::Detected(Detection::Mismatch))
            }
        }
        (Err(first), Err(second)) if first == second => Err(AnError::Trap(first)),
        _ => Err(AnError::Detected(Detection::Mismatch)),
    }
}

/// A one-operand operation computed twice; see the module docs.
#[inline]
pub(crate) fn unary<I: Code, O: Code>(
    a: I,
    op: impl Fn(I::Value) -> Result<O::Value, Trap>,
) -> Result<O, AnError> {
    unary_settled(a, op, |result| result)
}

/// [`unary`] whose copy-1 result passes `settle` before it is encoded: a normalisation that
/// [`Code::agree`] tolerates between the copies (float rounding quiets a NaN), so copy 2
/// need not run it.
#[inline]
pub(crate) fn unary_settled<I: Code, O: Code>(
    a: I,
    op: impl Fn(I::Value) -> Result<O::Value, Trap>,
    settle: impl FnOnce(O::Value) -> O::Value,
) -> Result<O, AnError> {
    let (a1, a2) = decode_twice(a)?;
    finish::<O>(op(a1).map(settle), op(a2))
}

/// A two-operand operation computed twice; see the module docs.
#[inline]
pub(crate) fn binary<I: Code, J: Code, O: Code>(
    a: I,
    b: J,
    op: impl Fn(I::Value, J::Value) -> Result<O::Value, Trap>,
) -> Result<O, AnError> {
    let (a1, a2) = decode_twice(a)?;
    let (b1, b2) = decode_twice(b)?;
    finish::<O>(op(a1, b1), op(a2, b2))
}

/// The test-only fault hook: flips bits in one copy of the next duplicated computations on this
/// thread. Without `cfg(test)` it is the identity and compiles to nothing.
pub(crate) mod fault {
    use super::Code;

    /// Where a fault is played.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub(crate) enum Site {
        /// Copy 1 of an operand, after its checked decode.
        First,
        /// Copy 2 of an operand, after its second decode.
        Second,
        /// Copy 1's result, before it is encoded.
        Result,
    }

    #[cfg(not(test))]
    #[inline(always)]
    pub(crate) fn inject<C: Code>(_site: Site, value: C::Value) -> C::Value {
        value
    }

    #[cfg(test)]
    pub(crate) use armed::{arm, inject, Fault};

    #[cfg(test)]
    mod armed {
        extern crate std;

        use super::{Code, Site};
        use core::cell::Cell;

        /// A planned fault: XOR `mask` into the value passing `site` after `skip` others
        /// have passed it.
        #[derive(Clone, Copy)]
        pub(crate) struct Fault {
            pub(crate) site: Site,
            pub(crate) skip: u32,
            pub(crate) mask: u64,
        }

        std::thread_local! {
            static ARMED: Cell<Option<Fault>> = const { Cell::new(None) };
        }

        /// Plans one fault on this thread; the hook disarms itself once it has fired.
        pub(crate) fn arm(fault: Option<Fault>) {
            ARMED.with(|armed| armed.set(fault));
        }

        pub(crate) fn inject<C: Code>(site: Site, value: C::Value) -> C::Value {
            match ARMED.with(Cell::get) {
                Some(fault) if fault.site == site && fault.skip == 0 => {
                    arm(None);
                    C::flip(value, fault.mask)
                }
                Some(fault) if fault.site == site => {
                    arm(Some(Fault {
                        skip: fault.skip - 1,
                        ..fault
                    }));
                    value
                }
                _ => value,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fault::{arm, Fault, Site};
    use crate::{AnError, Detection, F32Code, F64Code, I32Code, I64Code, Trap};

    const MISMATCH: AnError = AnError::Detected(Detection::Mismatch);

    /// Runs `op` with `mask` flipped once into the first value passing `site`.
    fn with_fault<T>(site: Site, mask: u64, op: impl FnOnce() -> T) -> T {
        with_fault_after(site, 0, mask, op)
    }

    /// Runs `op` with `mask` flipped once into the value passing `site` after `skip` others.
    fn with_fault_after<T>(site: Site, skip: u32, mask: u64, op: impl FnOnce() -> T) -> T {
        arm(Some(Fault { site, skip, mask }));
        let result = op();
        arm(None);
        result
    }

    /// A named operation on fixed operands, returning its result's raw bits.
    type Probe = (&'static str, fn() -> Result<u128, AnError>);

    /// One representative per shape of duplicated operation: binary, unary, width change,
    /// float arithmetic, float comparison, conversion. Each returns its result's raw bits.
    fn operations() -> [Probe; 8] {
        [
            ("i32.xor", || {
                let (a, b) = (I32Code::encode(0x1234_5678), I32Code::encode(0x0f0f_0f0f));
                a.xor(b).map(|r| u128::from(r.to_bits()))
            }),
            ("i32.popcnt", || {
                I32Code::encode(0x1234_5678)
                    .popcnt()
                    .map(|r| u128::from(r.to_bits()))
            }),
            ("i64.mul", || {
                let (c, d) = (I64Code::encode(0x0123_4567_89ab_cdef), I64Code::encode(3));
                c.mul(d).map(I64Code::to_bits)
            }),
            ("i32.wrap_i64", || {
                I64Code::encode(0x0123_4567_89ab_cdef)
                    .wrap()
                    .map(|r| u128::from(r.to_bits()))
            }),
            ("f64.add", || {
                let (x, y) = (F64Code::encode(1.5), F64Code::encode(-0.25));
                x.add(y).map(F64Code::to_bits)
            }),
            ("f32.eq", || {
                let (x, y) = (F32Code::encode(1.5), F32Code::encode(1.5));
                x.eq(y).map(|r| u128::from(r.to_bits()))
            }),
            ("f32.convert_i64_s", || {
                F32Code::convert_i64_s(I64Code::encode(12345)).map(|r| u128::from(r.to_bits()))
            }),
            ("i64.trunc_f64_s", || {
                // 2^52 + 12345: every mantissa bit changes the integer.
                F64Code::encode(4503599627383841.0)
                    .trunc_i64_s()
                    .map(I64Code::to_bits)
            }),
        ]
    }

    #[test]
    fn a_fault_in_either_copy_or_in_the_result_is_caught() {
        for (name, op) in operations() {
            let clean = op();
            assert!(clean.is_ok(), "{name} fails without a fault: {clean:?}");
            for site in [Site::First, Site::Second, Site::Result] {
                for bit in [0, 1, 7, 20] {
                    let faulty = with_fault(site, 1 << bit, op);
                    assert_eq!(
                        faulty,
                        Err(MISMATCH),
                        "{name}, bit {bit} flipped at {site:?}"
                    );
                }
            }
            assert_eq!(op(), clean, "{name} after disarming");
        }
    }

    #[test]
    fn a_fault_cannot_fake_or_hide_a_trap() {
        let (seven, one, zero) = (I32Code::encode(7), I32Code::encode(1), I32Code::encode(0));
        // Copy 2's divisor (the second operand to pass) 1 becomes 0: only that copy traps.
        let faked = with_fault_after(Site::Second, 1, 1, || seven.div_u(one));
        assert_eq!(faked, Err(MISMATCH));
        // Copy 1's divisor 0 becomes 1: only the other copy still traps.
        let hidden = with_fault_after(Site::First, 1, 1, || seven.div_u(zero));
        assert_eq!(hidden, Err(MISMATCH));
        // A float truncation's NaN check, faked in one copy: 2^0 flipped into +inf's bits.
        let infinity = F32Code::encode(f32::INFINITY);
        assert_eq!(
            with_fault(Site::Second, 1, || infinity.trunc_i32_s()),
            Err(MISMATCH)
        );
        // Unfaulted, the trap is reported as a trap.
        assert_eq!(
            seven.div_u(zero),
            Err(AnError::Trap(Trap::IntegerDivideByZero))
        );
        assert_eq!(
            infinity.trunc_i32_s(),
            Err(AnError::Trap(Trap::IntegerOverflow))
        );
    }

    #[test]
    fn a_fault_that_does_not_change_the_result_is_benign() {
        let (x, zero) = (I32Code::encode(0xdead_beef), I32Code::encode(0));
        // `x & 0` is 0 whatever copy 2's `x` is.
        assert_eq!(with_fault(Site::Second, 1 << 5, || x.and(zero)), Ok(zero));
    }
}
