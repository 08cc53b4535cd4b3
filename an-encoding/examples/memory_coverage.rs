//! Coverage of linear-memory protection: `crc` (a CRC-8 per 8-byte word) against `dup` (a
//! shadow copy), on the benchmark programs, in encoded mode at the default check level.
//!
//! ```text
//! cargo run --release -p wasmrel-an-encoding --example memory_coverage [-- --samples N]
//! ```
//!
//! Each sample stops a run of the program's `run` export at a random instruction, flips `k`
//! random bits (k = 1, 2, 3) of one random aligned 8-byte word among the memory's *used*
//! bytes (the non-zero words at the stop point, so that most flips can matter), and lets the
//! run finish. The same samples (seeded) run under both protections and with none. Outcomes:
//! detected (by any checker), benign (the correct result), SDC (a wrong result), other (a
//! trap or a limit). With no SDC among `n`, the 95 % upper bound on the SDC rate is `3/n`.

use std::env;
use std::path::Path;

use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use wasmrel_an_encoding::An;
use wasmrel_executor::{
    Config, Error, InstanceId, Linker, Module, NoHost, Pause, Protection, Store, Value,
};

const PROGRAMS: [&str; 4] = ["sieve", "sort", "lz", "sha256"];
const PROTECTIONS: [Protection; 3] = [Protection::None, Protection::Crc, Protection::Dup];

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    detected: u32,
    benign: u32,
    sdc: u32,
    other: u32,
}

fn prepare(bytes: &[u8], protection: Protection) -> (Store<An>, InstanceId) {
    let module = Module::new(&Config::default(), bytes).expect("valid program");
    let mut store: Store<An> = Store::new(Config::default());
    store.set_memory_protection(protection);
    let instance = Linker::new()
        .instantiate(&mut store, &module, &mut NoHost)
        .expect("links");
    (store, instance)
}

/// One flipped run: stop after `stop` instructions, flip `bits` of word `pick` (an index
/// into the non-zero words at that point, modulo their count), finish.
fn flipped_run(
    bytes: &[u8],
    protection: Protection,
    stop: u64,
    pick: u64,
    bits: &[u32],
) -> Result<Vec<Value>, Error> {
    let (mut store, instance) = prepare(bytes, protection);
    let mut execution = store.start_call(instance, "run", &[]).expect("starts");
    execution.set_pause_at(stop);
    assert_eq!(execution.resume(&mut store), Ok(Pause::Stopped));
    let memory = store.memory_mut(instance).expect("has a memory");
    let used: Vec<usize> = memory
        .bytes()
        .chunks_exact(8)
        .enumerate()
        .filter(|(_, word)| word.iter().any(|&b| b != 0))
        .map(|(index, _)| index)
        .collect();
    if let Some(&word) = used.get((pick % used.len().max(1) as u64) as usize) {
        let memory = memory.bytes_mut();
        for &bit in bits {
            memory[word * 8 + bit as usize / 8] ^= 1 << (bit % 8);
        }
    }
    execution.run(&mut store, &mut NoHost)
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let samples: u32 = match args.as_slice() {
        [flag, n] if flag == "--samples" => n.parse().expect("--samples takes a number"),
        [] => 200,
        _ => panic!("usage: memory_coverage [--samples N]"),
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/programs");
    println!("program\tbits\tprotection\tdetected\tbenign\tSDC\tother");
    for program in PROGRAMS {
        let bytes = std::fs::read(dir.join(format!("{program}.run.wasm"))).expect("readable");
        let (mut store, instance) = prepare(&bytes, Protection::None);
        let mut golden = store.start_call(instance, "run", &[]).expect("starts");
        let correct = golden.run(&mut store, &mut NoHost);
        let length = golden.fuel_used();
        for k in 1..=3u32 {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(u64::from(k));
            let faults: Vec<(u64, u64, Vec<u32>)> = (0..samples)
                .map(|_| {
                    let stop = rng.next_u64() % length;
                    let pick = rng.next_u64();
                    let mut bits: Vec<u32> = Vec::new();
                    while bits.len() < k as usize {
                        let bit = (rng.next_u64() % 64) as u32;
                        if !bits.contains(&bit) {
                            bits.push(bit);
                        }
                    }
                    (stop, pick, bits)
                })
                .collect();
            for protection in PROTECTIONS {
                let mut tally = Tally::default();
                for (stop, pick, bits) in &faults {
                    match flipped_run(&bytes, protection, *stop, *pick, bits) {
                        Err(Error::Corrupted(_)) => tally.detected += 1,
                        outcome if outcome == correct => tally.benign += 1,
                        Ok(_) => tally.sdc += 1,
                        Err(_) => tally.other += 1,
                    }
                }
                println!(
                    "{program}\t{k}\t{protection:?}\t{}\t{}\t{}\t{}",
                    tally.detected, tally.benign, tally.sdc, tally.other
                );
            }
        }
    }
}
