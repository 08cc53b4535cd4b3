//! Randomness for `random_get`.
//!
//! Seeded randomness is what makes a run reproducible: campaigns replay a run exactly, and
//! the two replicas of dual execution must draw the same bytes.

use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::errno::WasiResult;

/// Fills guest buffers with random bytes.
pub trait RandomSource {
    fn fill(&mut self, buf: &mut [u8]) -> WasiResult;
}

/// A reproducible stream: the same seed yields the same bytes on every machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededRandom(Xoshiro256PlusPlus);

impl SeededRandom {
    pub fn new(seed: u64) -> Self {
        Self(Xoshiro256PlusPlus::seed_from_u64(seed))
    }
}

impl RandomSource for SeededRandom {
    fn fill(&mut self, buf: &mut [u8]) -> WasiResult {
        self.0.fill_bytes(buf);
        Ok(())
    }
}

/// The operating system's cryptographic random source.
#[cfg(feature = "std")]
#[derive(Debug, Default)]
pub struct OsRandom;

#[cfg(feature = "std")]
impl RandomSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> WasiResult {
        getrandom::fill(buf).map_err(|_| crate::errno::Errno::IO)
    }
}
