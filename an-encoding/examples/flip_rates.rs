//! Detection rates of multi-bit flips in code words.
//!
//! ```text
//! cargo run --release -p wasmrel-an-encoding --example flip_rates [-- --values N --samples N]
//! ```
//!
//! For 2- and 3-bit flips every set of positions in the whole stored word (64 bits for i32,
//! 128 for i64) is tried on each of `--values` random values (default 64); for 4 to 6 bits,
//! `--samples` random position sets on random values (default 2^22). A flip counts as detected
//! if `decode` rejects the word. The same is done with the flipped word first passed through
//! `add` with a random valid word, since the executor checks values where they leave the code,
//! not where they are hit. With no undetected flip among `n`, the printed bound is the rule of
//! three: the undetected rate is below `3/n` with 95 % confidence.

use std::env;

use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use wasmrel_an_encoding::{I32Code, I64Code};

/// What the rates need from a code: its stored width, and checks with and without an `add`.
trait Word: Copy {
    const NAME: &'static str;
    const BITS: u32;
    fn random(rng: &mut Xoshiro256PlusPlus) -> Self;
    fn flipped(self, positions: &[u32]) -> Self;
    fn is_valid(self) -> bool;
    fn add(self, other: Self) -> Self;
}

impl Word for I32Code {
    const NAME: &'static str = "i32 (A = 64311, 64-bit word)";
    const BITS: u32 = 64;
    fn random(rng: &mut Xoshiro256PlusPlus) -> Self {
        I32Code::encode(rng.next_u32())
    }
    fn flipped(self, positions: &[u32]) -> Self {
        I32Code::from_bits(positions.iter().fold(self.to_bits(), |w, p| w ^ 1 << p))
    }
    fn is_valid(self) -> bool {
        I32Code::is_valid(self)
    }
    fn add(self, other: Self) -> Self {
        I32Code::add(self, other)
    }
}

impl Word for I64Code {
    const NAME: &'static str = "i64 (63-bit A, 128-bit word)";
    const BITS: u32 = 128;
    fn random(rng: &mut Xoshiro256PlusPlus) -> Self {
        I64Code::encode(rng.next_u64())
    }
    fn flipped(self, positions: &[u32]) -> Self {
        I64Code::from_bits(positions.iter().fold(self.to_bits(), |w, p| w ^ 1 << p))
    }
    fn is_valid(self) -> bool {
        I64Code::is_valid(self)
    }
    fn add(self, other: Self) -> Self {
        I64Code::add(self, other)
    }
}

/// Tried and undetected flips, checked directly and after an `add`.
#[derive(Default)]
struct Tally {
    tried: u64,
    undetected: u64,
    undetected_after_add: u64,
}

impl Tally {
    fn record<W: Word>(&mut self, rng: &mut Xoshiro256PlusPlus, word: W, positions: &[u32]) {
        let bad = word.flipped(positions);
        self.tried += 1;
        self.undetected += u64::from(bad.is_valid());
        self.undetected_after_add += u64::from(bad.add(W::random(rng)).is_valid());
    }

    fn print(&self, bits: usize, how: &str) {
        let rate = |undetected: u64| {
            let detected = 100.0 * (self.tried - undetected) as f64 / self.tried as f64;
            if undetected == 0 {
                format!(
                    "100 % (0 undetected; < {:.1e} at 95 %)",
                    3.0 / self.tried as f64
                )
            } else {
                format!("{detected:.6} % ({undetected} undetected)")
            }
        };
        println!(
            "  {bits} bits, {how}, {} flips: word {}; after add {}",
            self.tried,
            rate(self.undetected),
            rate(self.undetected_after_add)
        );
    }
}

/// Calls `visit` with every strictly increasing `count`-tuple of positions below `width`.
fn each_position_set(width: u32, count: usize, visit: &mut impl FnMut(&[u32])) {
    fn extend(width: u32, count: usize, set: &mut Vec<u32>, visit: &mut impl FnMut(&[u32])) {
        if set.len() == count {
            visit(set);
            return;
        }
        let start = set.last().map_or(0, |p| p + 1);
        for p in start..width {
            set.push(p);
            extend(width, count, set, visit);
            set.pop();
        }
    }
    extend(width, count, &mut Vec::with_capacity(count), visit);
}

/// `count` distinct random positions below `width`.
fn random_positions(rng: &mut Xoshiro256PlusPlus, width: u32, count: usize) -> Vec<u32> {
    let mut set = Vec::with_capacity(count);
    while set.len() < count {
        let p = rng.next_u32() % width;
        if !set.contains(&p) {
            set.push(p);
        }
    }
    set
}

fn rates<W: Word>(values: u64, samples: u64) {
    println!("{}", W::NAME);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(u64::from(W::BITS));
    for bits in [2, 3] {
        let mut tally = Tally::default();
        for _ in 0..values {
            let word = W::random(&mut rng);
            let mut add_rng = rng.clone();
            each_position_set(W::BITS, bits, &mut |set| {
                tally.record(&mut add_rng, word, set)
            });
            rng.next_u64();
        }
        tally.print(bits, "every position set");
    }
    for bits in [4, 5, 6] {
        let mut tally = Tally::default();
        for _ in 0..samples {
            let word = W::random(&mut rng);
            let set = random_positions(&mut rng, W::BITS, bits);
            tally.record(&mut rng, word, &set);
        }
        tally.print(bits, "random position sets");
    }
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let value_after = |flag: &str| -> Option<u64> {
        let i = args.iter().position(|a| a == flag)?;
        args.get(i + 1)?.parse().ok()
    };
    let values = value_after("--values").unwrap_or(64);
    let samples = value_after("--samples").unwrap_or(1 << 22);
    rates::<I32Code>(values, samples);
    rates::<I64Code>(values.div_ceil(8), samples);
}
