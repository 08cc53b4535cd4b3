//! Measures how well a multiplier `A` separates AN code words.
//!
//! ```text
//! cargo run --release -p wasmrel-an-encoding --example weights            # the crate's two codes
//! cargo run --release -p wasmrel-an-encoding --example weights -- --a N --bits 64
//! cargo run --release -p wasmrel-an-encoding --example weights -- --candidates 16
//! ```
//!
//! Two measurements, both printed:
//!
//! 1. **Exhaustive low-weight search (a proof, not a sample).** A flip of the bits `E` turns the
//!    code word `u = A·x` into `u ⊕ E = u + D`, where `D = Σ ±2^i` over the flipped positions (the
//!    sign is `+` where the bit was 0). The flip goes unnoticed iff `u + D` is again a code word,
//!    which needs `D` to be a non-zero multiple of `A` with `|D| < A·2^k` (`k` data bits; XOR
//!    masking does not change `E`). So if no signed sum of `w` distinct powers of two below the
//!    code-word width is such a multiple, **every** flip of `w` bits is detected, for every value.
//!    The search meets in the middle: all signed sums of up to 3 terms are tabulated by residue
//!    mod `A`, sums of up to 6 terms are pairs of table entries with opposite residues, and sums of
//!    7 terms are every 4-term sum looked up against the 3-term entries. Every hit is re-checked
//!    exactly (distinct positions, range) and counted once up to its overall sign.
//! 2. **Sampled weight distribution.** The Hamming weight of `A·x` (the distance between the code
//!    words of 0 and `x`) over random `x`, over structured `x` (`2^i`, `2^i ± 2^j`, small `x`), and
//!    the Hamming distance between the code words of random pairs. This shows the spread; only
//!    measurement 1 is a bound.

use std::collections::{HashMap, HashSet};
use std::env;
use std::process::ExitCode;

use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use wasmrel_an_encoding::{I32Code, I64Code};

/// One signed power of two: bit position and sign.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
struct Term {
    position: u8,
    negative: bool,
}

/// A code to measure: multiplier, data bits, and the code-word bits a valid word can occupy.
struct CodeShape {
    a: u64,
    data_bits: u32,
    /// `2^i mod A` for every position `i` below 128.
    powers: Vec<u64>,
}

impl CodeShape {
    fn new(a: u64, data_bits: u32) -> Self {
        let powers = (0..128)
            .map(|i| ((1u128 << i) % u128::from(a)) as u64)
            .collect();
        CodeShape {
            a,
            data_bits,
            powers,
        }
    }

    /// Positions a valid (unmasked) code word can have set: `A·x < A·2^k`.
    fn positions(&self) -> u8 {
        let top = u128::from(self.a) << self.data_bits;
        (128 - (top - 1).leading_zeros()) as u8
    }

    /// `(r1 + r2) mod A` for residues below `A < 2^63`, so the sum cannot overflow.
    fn add_mod(&self, r1: u64, r2: u64) -> u64 {
        let sum = r1 + r2;
        if sum >= self.a {
            sum - self.a
        } else {
            sum
        }
    }

    fn term_residue(&self, term: Term) -> u64 {
        let r = self
            .powers
            .get(usize::from(term.position))
            .copied()
            .unwrap_or(0);
        if term.negative && r != 0 {
            self.a - r
        } else {
            r
        }
    }

    /// True if the signed sum is a difference of two code words: |D| < A·2^k.
    fn in_range(&self, terms: &[Term]) -> bool {
        let mut d: i128 = 0;
        for t in terms {
            let p = 1i128 << t.position;
            let next = if t.negative {
                d.checked_sub(p)
            } else {
                d.checked_add(p)
            };
            match next {
                Some(v) => d = v,
                None => return false,
            }
        }
        d.unsigned_abs() < (u128::from(self.a) << self.data_bits)
    }
}

/// All signed sums of 1..=3 distinct powers of two, by residue mod `A`.
struct SmallSums {
    by_residue: HashMap<u64, Vec<Vec<Term>>>,
}

impl SmallSums {
    fn build(code: &CodeShape) -> Self {
        let n = code.positions();
        let mut by_residue: HashMap<u64, Vec<Vec<Term>>> = HashMap::new();
        let mut push = |terms: Vec<Term>| {
            let r = terms
                .iter()
                .fold(0, |acc, &t| code.add_mod(acc, code.term_residue(t)));
            by_residue.entry(r).or_default().push(terms);
        };
        for i in 0..n {
            for si in signs(1) {
                push(vec![term(i, si[0])]);
            }
            for j in (i + 1)..n {
                for s in signs(2) {
                    push(vec![term(i, s[0]), term(j, s[1])]);
                }
                for k in (j + 1)..n {
                    for s in signs(3) {
                        push(vec![term(i, s[0]), term(j, s[1]), term(k, s[2])]);
                    }
                }
            }
        }
        SmallSums { by_residue }
    }
}

fn term(position: u8, negative: bool) -> Term {
    Term { position, negative }
}

/// Every sign pattern of `count` terms.
fn signs(count: usize) -> impl Iterator<Item = Vec<bool>> {
    (0u32..(1 << count)).map(move |bits| (0..count).map(|i| bits >> i & 1 == 1).collect())
}

/// Sorted, overall sign fixed (highest position positive), or `None` if two terms share a
/// position.
fn canonical(mut terms: Vec<Term>) -> Option<Vec<Term>> {
    terms.sort();
    if terms.windows(2).any(|w| w[0].position == w[1].position) {
        return None;
    }
    if terms.last().is_some_and(|t| t.negative) {
        for t in &mut terms {
            t.negative = !t.negative;
        }
    }
    Some(terms)
}

/// Undetectable flip patterns of weight 1..=7, counted up to overall sign.
fn low_weight_multiples(code: &CodeShape) -> [usize; 8] {
    let table = SmallSums::build(code);
    let mut found: HashSet<Vec<Term>> = HashSet::new();
    let mut record = |terms: Vec<Term>| {
        if let Some(c) = canonical(terms) {
            if code.in_range(&c) {
                found.insert(c);
            }
        }
    };
    if let Some(zero) = table.by_residue.get(&0) {
        for terms in zero {
            record(terms.clone());
        }
    }
    for (&r, left) in &table.by_residue {
        let want = if r == 0 { 0 } else { code.a - r };
        if let Some(right) = table.by_residue.get(&want) {
            for l in left {
                for rt in right {
                    record([l.as_slice(), rt.as_slice()].concat());
                }
            }
        }
    }
    let n = code.positions();
    for i in 0..n {
        for j in (i + 1)..n {
            for k in (j + 1)..n {
                for l in (k + 1)..n {
                    for s in signs(3) {
                        let four = [term(i, s[0]), term(j, s[1]), term(k, s[2]), term(l, false)];
                        let r = four
                            .iter()
                            .fold(0, |acc, &t| code.add_mod(acc, code.term_residue(t)));
                        let want = if r == 0 { 0 } else { code.a - r };
                        let Some(right) = table.by_residue.get(&want) else {
                            continue;
                        };
                        for rt in right.iter().filter(|rt| rt.len() == 3) {
                            record([four.as_slice(), rt.as_slice()].concat());
                        }
                    }
                }
            }
        }
    }
    let mut counts = [0usize; 8];
    for c in &found {
        if let Some(slot) = counts.get_mut(c.len()) {
            *slot += 1;
        }
    }
    counts
}

/// Hamming weight histogram and minimum over a stream of values of `A·x`.
#[derive(Default)]
struct WeightStats {
    histogram: Vec<u64>,
    min: Option<(u32, u128)>,
}

impl WeightStats {
    fn add(&mut self, x: u128, weight: u32) {
        let w = weight as usize;
        if self.histogram.len() <= w {
            self.histogram.resize(w + 1, 0);
        }
        if let Some(slot) = self.histogram.get_mut(w) {
            *slot += 1;
        }
        if x != 0 && self.min.is_none_or(|(m, _)| weight < m) {
            self.min = Some((weight, x));
        }
    }

    fn print(&self, label: &str) {
        let total: u64 = self.histogram.iter().sum();
        let (min, argmin) = self.min.unwrap_or((0, 0));
        println!("  {label}: {total} samples, minimum weight {min} (x = {argmin:#x})");
        let nonzero: Vec<String> = self
            .histogram
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(w, c)| format!("{w}:{c}"))
            .collect();
        println!("    histogram weight:count  {}", nonzero.join(" "));
    }
}

/// `A·x` over the code word's width (at most 128 bits: `A < 2^63`, `x < 2^64`).
fn code_word(code: &CodeShape, x: u128) -> u128 {
    u128::from(code.a).wrapping_mul(x)
}

/// Weights of `A·x` for `x = 1..2^16`, `2^i`, `2^i ± 2^j` and `−(2^i − 2^j)`: the multiples
/// most likely to be sparse.
fn structured_weights(code: &CodeShape) -> WeightStats {
    let bits = code.data_bits;
    let data_mask = (1u128 << bits) - 1;
    let mut stats = WeightStats::default();
    let mut visit = |x: u128| {
        let x = x & data_mask;
        stats.add(x, code_word(code, x).count_ones());
    };
    for small in 1..(1u128 << 16) {
        visit(small);
    }
    for i in 0..bits {
        visit(1 << i);
        for j in 0..i {
            visit((1 << i) + (1 << j));
            visit((1 << i) - (1 << j));
            visit((1u128 << bits).wrapping_sub((1 << i) - (1 << j)));
        }
    }
    stats
}

fn sampled_weights(code: &CodeShape, samples: u64, seed: u64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let data_mask = if code.data_bits >= 128 {
        u128::MAX
    } else {
        (1u128 << code.data_bits) - 1
    };
    let mut random = WeightStats::default();
    let mut pairs = WeightStats::default();
    for _ in 0..samples {
        let x = ((u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64())) & data_mask;
        let y = ((u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64())) & data_mask;
        random.add(x, code_word(code, x).count_ones());
        let distance = (code_word(code, x) ^ code_word(code, y)).count_ones();
        pairs.add(x ^ y, distance);
    }
    let structured = structured_weights(code);
    random.print("weight of A·x, random x");
    structured.print("weight of A·x, x = 1..2^16, 2^i, 2^i ± 2^j, -(2^i - 2^j)");
    pairs.print("distance between A·x and A·y, random pairs");
}

fn report(code: &CodeShape, samples: u64) {
    println!(
        "A = {} ({:#x}), {} data bits, code words use {} bits",
        code.a,
        code.a,
        code.data_bits,
        code.positions()
    );
    let counts = low_weight_multiples(code);
    println!("  exhaustive: undetectable flip patterns by weight (up to overall sign)");
    for (w, c) in counts.iter().enumerate().skip(1) {
        println!("    {w} bits: {c}");
    }
    match counts.iter().position(|&c| c > 0) {
        Some(w) => {
            println!("  => every flip of fewer than {w} bits is detected; arithmetic distance {w}")
        }
        None => println!("  => every flip of up to 7 bits is detected (arithmetic distance >= 8)"),
    }
    sampled_weights(code, samples, code.a);
}

/// Compares seeded random odd multipliers in [2^62, 2^63) for 64-bit data by the minimum
/// weight of `A·x` over the structured `x` and as many random `x`; one line per candidate.
fn compare_candidates(count: u32, samples: u64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x5741_534d_524c);
    println!("candidate A           weight(A)  min weight of A·x: structured, random");
    for _ in 0..count {
        let a = (rng.next_u64() >> 1) | (1 << 62) | 1;
        let code = CodeShape::new(a, 64);
        let structured = structured_weights(&code);
        let mut random = WeightStats::default();
        let mut sample = Xoshiro256PlusPlus::seed_from_u64(a);
        for _ in 0..samples {
            let x = u128::from(sample.next_u64());
            random.add(x, code_word(&code, x).count_ones());
        }
        let min = |stats: &WeightStats| stats.min.map_or(0, |(w, _)| w);
        println!(
            "{a:#018x}  {:9}  {:10}, {}",
            a.count_ones(),
            min(&structured),
            min(&random)
        );
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let value_after = |flag: &str| -> Option<u64> {
        let i = args.iter().position(|a| a == flag)?;
        args.get(i + 1)?.parse().ok()
    };
    let samples = value_after("--samples").unwrap_or(1 << 20);
    if let Some(count) = value_after("--candidates") {
        compare_candidates(count as u32, samples);
        return ExitCode::SUCCESS;
    }
    if let Some(a) = value_after("--a") {
        let data_bits = value_after("--bits").unwrap_or(64) as u32;
        if a % 2 == 0 || a >= 1 << 63 || !(1..=64).contains(&data_bits) {
            eprintln!("weights: --a must be odd and below 2^63, --bits in 1..=64");
            return ExitCode::from(2);
        }
        report(&CodeShape::new(a, data_bits), samples);
        return ExitCode::SUCCESS;
    }
    report(&CodeShape::new(I32Code::A, 32), samples);
    println!();
    report(&CodeShape::new(I64Code::A, 64), samples);
    ExitCode::SUCCESS
}
