//! The fault model: which location class, when, and how many bits, derived from
//! `(seed, id)` alone.

use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::app::{Mode, Second};

/// The version of the fault model that campaigns record (`fault_model` in `campaign.json`;
/// absent in campaigns recorded before it existed: version 1). It grows when a class's
/// faults change meaning, so that a report can leave out samples that no longer describe
/// the engine's faults. Version 2: branch faults also invert i64 compare-and-branch
/// instructions, and in encoded stores a taken branch sent the other way falls through
/// past its signature words (commit 8cf38ef).
pub const FAULT_MODEL: u32 = 2;

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

    /// Bits of one location of this class in `mode` (with `second` as a dual run's second
    /// replica): the class's share of the fault space per unit of time.
    pub fn bits(self, mode: Mode, second: Second) -> u32 {
        let slot = if mode == Mode::Encoded { 128 } else { 64 };
        match self {
            Class::Stack | Class::Local | Class::Global => slot,
            Class::Replica if second == Second::Encoded => 128,
            Class::Replica => slot,
            Class::Memory => 8,
            Class::Pc | Class::Code | Class::Signature => 32,
            Class::Branch => 1,
        }
    }

    /// The fault-model version whose faults in this class a campaign recorded at `version`
    /// has: the latest change to the class at or before `version`. Two campaigns' samples
    /// of the class mean the same only where this agrees.
    pub fn model(self, version: u32) -> u32 {
        let changed = match self {
            Class::Branch => 2,
            _ => 1,
        };
        if version >= changed {
            changed
        } else {
            1
        }
    }

    /// Whether samples of this class recorded at fault-model `version` describe the current
    /// fault model ([`FAULT_MODEL`]).
    pub fn is_current(self, version: u32) -> bool {
        self.model(version) == self.model(FAULT_MODEL)
    }

    /// The class named `text` (as [`Class::as_str`] writes it).
    pub fn parse(text: &str) -> Result<Class, String> {
        let mut all = Class::for_mode(Mode::Dual);
        all.push(Class::Signature);
        all.into_iter()
            .find(|c| c.as_str() == text)
            .ok_or_else(|| format!("unknown location class `{text}`"))
    }

    /// The classes a campaign in `mode` samples, in order.
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

/// How a campaign spreads its injections over the location classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sampling {
    /// Fault `id` gets class `id % classes`: the same number of samples per class, for
    /// tight per-class fractions.
    #[default]
    Equal,
    /// Each fault draws its class with probability proportional to the class's bits, so the
    /// samples are uniform over the whole fault space (time × every bit of every class): the
    /// campaign's SDC fraction times the fault space estimates its absolute SDC count with
    /// the fewest samples (Schirmeier, Borchert, Spinczyk, DSN 2015).
    FaultSpace,
    /// Every fault lands in this one class: a stratum of the fault space. A class that
    /// fault-space sampling reaches rarely (few bits, e.g. branch decisions or memory bytes)
    /// gets the samples its own bound needs, and its samples pool with those a whole
    /// campaign drew in the class: within a class both are uniform over time × location ×
    /// bit. The class is mixed into each fault's seed, so a stratum's faults are
    /// independent of the other campaigns' with the same seed.
    Class(Class),
}

impl Sampling {
    pub fn parse(text: &str) -> Result<Sampling, String> {
        match text {
            "equal" => Ok(Sampling::Equal),
            "fault-space" => Ok(Sampling::FaultSpace),
            _ => match text.strip_prefix("class:") {
                Some(class) => Class::parse(class).map(Sampling::Class),
                None => Err(format!(
                    "unknown sampling `{text}` (use equal, fault-space or class:NAME)"
                )),
            },
        }
    }

    /// The name [`Sampling::parse`] reads back.
    pub fn name(self) -> String {
        match self {
            Sampling::Equal => "equal".to_owned(),
            Sampling::FaultSpace => "fault-space".to_owned(),
            Sampling::Class(class) => format!("class:{}", class.as_str()),
        }
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
    /// The fault `id` of a campaign with `seed` over a golden run of `length` instructions,
    /// classes sampled [`Sampling::Equal`]ly.
    pub fn derive(seed: u64, id: u64, classes: &[Class], length: u64, bits: u32) -> Fault {
        Self::sample(seed, id, classes, None, length, bits)
    }

    /// The fault `id` of a campaign restricted to `class` ([`Sampling::Class`]): drawn like
    /// [`Fault::derive`] over that one class, from a generator whose seed also mixes in the
    /// class.
    pub fn derive_in(seed: u64, id: u64, class: Class, length: u64, bits: u32) -> Fault {
        // A constant per class, rotated so that it is not the `id` term of any small id
        // (which is the same multiple of the same constant).
        let salt = (class as u64 + 1)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
        Self::sample(seed ^ salt, id, &[class], None, length, bits)
    }

    /// Like [`Fault::derive`], with the class drawn with probability proportional to
    /// `weights` (one per class: [`Sampling::FaultSpace`]).
    pub fn derive_weighted(
        seed: u64,
        id: u64,
        classes: &[Class],
        weights: &[u32],
        length: u64,
        bits: u32,
    ) -> Fault {
        Self::sample(seed, id, classes, Some(weights), length, bits)
    }

    fn sample(
        seed: u64,
        id: u64,
        classes: &[Class],
        weights: Option<&[u32]>,
        length: u64,
        bits: u32,
    ) -> Fault {
        let mut rng =
            Xoshiro256PlusPlus::seed_from_u64(seed ^ id.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        // Burn the correlated first outputs of two nearby seeds.
        rng.next_u64();
        let index = match weights {
            None => id % classes.len().max(1) as u64,
            Some(weights) => {
                let mut point = below(&mut rng, weights.iter().map(|&w| u64::from(w)).sum());
                let mut index = 0;
                for &weight in weights {
                    if point < u64::from(weight) {
                        break;
                    }
                    point -= u64::from(weight);
                    index += 1;
                }
                index
            }
        };
        let class = classes.get(index as usize).copied().unwrap_or(Class::Stack);
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
    fn fault_space_sampling_draws_classes_by_their_bits() {
        let classes = Class::for_mode(Mode::Encoded);
        let weights: Vec<u32> = classes
            .iter()
            .map(|c| c.bits(Mode::Encoded, Second::Inverted))
            .collect();
        let total: u32 = weights.iter().sum();
        let mut counts = vec![0u32; classes.len()];
        let n = 200_000;
        for id in 0..n {
            let fault = Fault::derive_weighted(3, id, &classes, &weights, 1000, 1);
            let index = classes.iter().position(|c| *c == fault.class).unwrap();
            counts[index] += 1;
        }
        for (count, weight) in counts.iter().zip(&weights) {
            let expected = f64::from(*weight) / f64::from(total) * n as f64;
            let sd = expected.sqrt().max(1.0);
            assert!(
                (f64::from(*count) - expected).abs() < 5.0 * sd,
                "{counts:?}"
            );
        }
    }

    #[test]
    fn sampling_names_read_back() {
        for class in Class::for_mode(Mode::Dual)
            .into_iter()
            .chain([Class::Signature])
        {
            let sampling = Sampling::Class(class);
            assert_eq!(Sampling::parse(&sampling.name()), Ok(sampling));
        }
        for sampling in [Sampling::Equal, Sampling::FaultSpace] {
            assert_eq!(Sampling::parse(&sampling.name()), Ok(sampling));
        }
        assert!(Sampling::parse("class:heap").is_err());
        assert!(Sampling::parse("pc").is_err());
    }

    #[test]
    fn a_stratum_fault_is_in_its_class_and_uniform_in_time() {
        let mut buckets = [0u32; 10];
        for id in 0..10_000 {
            let fault = Fault::derive_in(1, id, Class::Memory, 1000, 1);
            assert_eq!(fault.class, Class::Memory);
            buckets[(fault.t / 100) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|&n| (850..1150).contains(&n)),
            "{buckets:?}"
        );
    }

    #[test]
    fn only_branch_samples_before_model_2_are_stale() {
        for class in Class::for_mode(Mode::Dual)
            .into_iter()
            .chain([Class::Signature])
        {
            assert!(class.is_current(FAULT_MODEL));
            assert_eq!(class.is_current(1), class != Class::Branch, "{class:?}");
        }
        assert_eq!(Class::Branch.model(1), 1);
        assert_eq!(Class::Branch.model(2), 2);
        assert_eq!(Class::Memory.model(2), 1);
    }

    #[test]
    fn bit_positions_are_distinct() {
        let mut fault = Fault::derive(1, 1, &[Class::Memory], 10, 8);
        let mut bits = fault.bit_positions(8);
        bits.sort_unstable();
        assert_eq!(bits, [0, 1, 2, 3, 4, 5, 6, 7]);
    }
}
