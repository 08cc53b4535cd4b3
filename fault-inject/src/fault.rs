//! The fault model: which location class, when, and how many bits, derived from
//! `(seed, id)` alone.

use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::app::Mode;

/// Where a fault lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// A value-stack slot outside the current frame's locals (operands, callers' frames).
    Stack,
    /// A local (or parameter) of the executing function.
    Local,
    /// A global variable.
    Global,
    /// A byte of linear memory.
    Memory,
    /// The program counter.
    Pc,
    /// The next conditional branch goes the other way.
    Branch,
    /// A word of the executing function's IR.
    Code,
    /// A value-stack slot of the second (diverse) replica of a dual run.
    Replica,
    /// The runtime control-flow signature of an encoded run.
    Signature,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Stack => "stack",
            Class::Local => "local",
            Class::Global => "global",
            Class::Memory => "memory",
            Class::Pc => "pc",
            Class::Branch => "branch",
            Class::Code => "code",
            Class::Replica => "replica",
            Class::Signature => "signature",
        }
    }

    /// The classes a campaign in `mode` samples, in order; fault `id` gets class
    /// `id % count`, so every class gets the same number of samples.
    pub fn for_mode(mode: Mode) -> Vec<Class> {
        let mut classes = vec![
            Class::Stack,
            Class::Local,
            Class::Global,
            Class::Memory,
            Class::Pc,
            Class::Branch,
            Class::Code,
        ];
        match mode {
            Mode::Dual => classes.push(Class::Replica),
            Mode::Encoded => classes.push(Class::Signature),
            Mode::Plain => {}
        }
        classes
    }
}

/// One injection: everything about it follows from the campaign seed and its id.
#[derive(Debug, Clone)]
pub struct Fault {
    pub id: u64,
    pub class: Class,
    /// The dynamic Wasm instruction count before which the flip happens.
    pub t: u64,
    /// How many distinct bits flip.
    pub bits: u32,
    /// Draws the location and the bit positions (at injection time, from the state at `t`).
    pub rng: Xoshiro256PlusPlus,
}

impl Fault {
    /// The fault `id` of a campaign with `seed` over a golden run of `length` instructions.
    pub fn derive(seed: u64, id: u64, classes: &[Class], length: u64, bits: u32) -> Fault {
        let mut rng =
            Xoshiro256PlusPlus::seed_from_u64(seed ^ id.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        // Burn the correlated first outputs of two nearby seeds.
        rng.next_u64();
        let class = classes
            .get((id % classes.len().max(1) as u64) as usize)
            .copied()
            .unwrap_or(Class::Stack);
        let t = below(&mut rng, length);
        Fault {
            id,
            class,
            t,
            bits,
            rng,
        }
    }

    /// A uniform number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        below(&mut self.rng, n)
    }

    /// `self.bits` distinct bit positions below `width`.
    pub fn bit_positions(&mut self, width: u32) -> Vec<u32> {
        let count = self.bits.min(width);
        let mut positions: Vec<u32> = Vec::with_capacity(count as usize);
        while positions.len() < count as usize {
            let bit = self.below(u64::from(width)) as u32;
            if !positions.contains(&bit) {
                positions.push(bit);
            }
        }
        positions
    }
}

/// Lemire's multiply-shift: uniform enough for fault sampling and branch-free.
fn below(rng: &mut Xoshiro256PlusPlus, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_depend_on_seed_and_id_only() {
        let classes = Class::for_mode(Mode::Plain);
        let a = Fault::derive(7, 42, &classes, 1_000_000, 2);
        let b = Fault::derive(7, 42, &classes, 1_000_000, 2);
        assert_eq!((a.class, a.t), (b.class, b.t));
        let c = Fault::derive(8, 42, &classes, 1_000_000, 2);
        assert_ne!(a.t, c.t);
        assert_eq!(Fault::derive(7, 4, &classes, 10, 1).class, Class::Pc);
    }

    #[test]
    fn times_cover_the_golden_run_uniformly() {
        let classes = Class::for_mode(Mode::Plain);
        let mut buckets = [0u32; 10];
        for id in 0..10_000 {
            let t = Fault::derive(1, id, &classes, 1000, 1).t;
            assert!(t < 1000);
            buckets[(t / 100) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|&n| (850..1150).contains(&n)),
            "{buckets:?}"
        );
    }

    #[test]
    fn bit_positions_are_distinct() {
        let mut fault = Fault::derive(1, 1, &[Class::Memory], 10, 8);
        let mut bits = fault.bit_positions(8);
        bits.sort_unstable();
        assert_eq!(bits, [0, 1, 2, 3, 4, 5, 6, 7]);
    }
}
