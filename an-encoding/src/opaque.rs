//! An optimisation barrier that costs no instruction, for the duplicated computations of
//! [`crate::delta`].
//!
//! A Δ operation computes twice and compares, so the compiler must neither prove the two
//! copies equal nor merge the computations on them. [`core::hint::black_box`] guarantees that
//! by passing the value through memory: a store and a load at every use, three times per
//! operation, which in nbody's f64 arithmetic was a sixth of the operation's code. An empty
//! inline-assembly block that claims to read and rewrite the register holding the value is
//! as opaque to the optimiser (it must assume any value came out) and costs nothing: the value
//! stays in its register. Targets without such registers fall back to `black_box`.

use crate::{F32Code, F64Code, I32Code, I64Code};

/// A value the optimiser must treat as unknown after [`Opaque::opaque`].
pub(crate) trait Opaque: Copy {
    /// The same value, through the barrier.
    fn opaque(self) -> Self;
}

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
))]
#[inline(always)]
fn word(mut value: u64) -> u64 {
    // SAFETY: the assembly is empty (a comment naming the operand): it touches no memory,
    // no stack and no flags, and leaves the one register it is given unchanged.
    unsafe {
        core::arch::asm!("/* {0} */", inout(reg) value, options(nomem, nostack, preserves_flags));
    }
    value
}

#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
)))]
#[inline(always)]
fn word(value: u64) -> u64 {
    core::hint::black_box(value)
}

impl Opaque for u64 {
    #[inline(always)]
    fn opaque(self) -> u64 {
        word(self)
    }
}

impl Opaque for u32 {
    #[inline(always)]
    fn opaque(self) -> u32 {
        word(u64::from(self)) as u32
    }
}

impl Opaque for u128 {
    #[inline(always)]
    fn opaque(self) -> u128 {
        u128::from(word(self as u64)) | u128::from(word((self >> 64) as u64)) << 64
    }
}

/// Code words pass through the barrier as their raw bits.
macro_rules! opaque_code {
    ($($code:ty),*) => {$(
        impl Opaque for $code {
            #[inline(always)]
            fn opaque(self) -> $code {
                <$code>::from_bits(self.to_bits().opaque())
            }
        }
    )*};
}

opaque_code!(I32Code, I64Code, F32Code, F64Code);

#[cfg(test)]
mod tests {
    use super::Opaque;

    #[test]
    fn the_barrier_keeps_every_value() {
        for value in [
            0u128,
            1,
            u128::from(u64::MAX),
            u128::MAX,
            0x0123_4567_89ab_cdef << 61,
        ] {
            assert_eq!(value.opaque(), value);
            assert_eq!((value as u64).opaque(), value as u64);
            assert_eq!((value as u32).opaque(), value as u32);
        }
    }
}
