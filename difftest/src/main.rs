//! `wasmrel-difftest [--modules N] [--seed S] [--save DIR]`: checks N generated modules
//! (seeds S, S+1, …), prints each divergence with its seed, saves the divergent modules, and
//! exits 1 if any module diverged.
//!
//! `wasmrel-difftest --file M.wasm [--seed S]` prints what each engine observed on one module,
//! with export arguments drawn from seed S (zero arguments without `--seed`).

use std::process::ExitCode;
use std::time::Instant;
use wasmrel_an_encoding::An;
use wasmrel_difftest::generate::Arguments;
use wasmrel_difftest::{check, check_seed, generate, wasmi_engine, wasmrel_engine, Outcome};
use wasmrel_executor::Plain;

struct Args {
    modules: u64,
    seed: Option<u64>,
    save: Option<std::path::PathBuf>,
    file: Option<std::path::PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        modules: 10_000,
        seed: None,
        save: None,
        file: None,
    };
    let mut words = std::env::args().skip(1);
    while let Some(flag) = words.next() {
        let value = words.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--modules" => args.modules = number()?,
            "--seed" => args.seed = Some(number()?),
            "--save" => args.save = Some(value.into()),
            "--file" => args.file = Some(value.into()),
            _ => return Err(format!("unknown argument `{flag}`")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("wasmrel-difftest: {message}");
            eprintln!(
                "usage: wasmrel-difftest [--modules N] [--seed S] [--save DIR] | --file M.wasm"
            );
            return ExitCode::from(2);
        }
    };
    if let Some(path) = &args.file {
        return show(path, args.seed.map_or(Arguments::Zero, Arguments::Seeded));
    }
    let first = args.seed.unwrap_or(0);
    let started = Instant::now();
    let mut limits = std::collections::BTreeMap::new();
    let (mut returned, mut trapped, mut instantiation_trapped) = (0u64, 0u64, 0u64);
    let (mut agree, mut inconclusive, mut skipped, mut diverged) = (0u64, 0u64, 0u64, 0u64);
    for seed in first..first.saturating_add(args.modules) {
        match check_seed(seed) {
            Outcome::Agree(calls) => {
                agree += 1;
                returned += calls.returned;
                trapped += calls.trapped;
                instantiation_trapped += calls.instantiation_trapped;
            }
            Outcome::Inconclusive(why) => {
                inconclusive += 1;
                *limits.entry(why).or_insert(0u64) += 1;
            }
            Outcome::NotGenerated => skipped += 1,
            Outcome::Diverge(what) => {
                diverged += 1;
                println!("seed {seed}: {what}");
                if let (Some(dir), Some(bytes)) = (&args.save, generate::module(seed)) {
                    let path = dir.join(format!("seed-{seed}.wasm"));
                    if let Err(error) = std::fs::write(&path, bytes) {
                        eprintln!("wasmrel-difftest: {}: {error}", path.display());
                    }
                }
            }
        }
    }
    println!(
        "{} modules from seed {}: {agree} agree, {inconclusive} inconclusive, {skipped} not generated, {diverged} diverged ({:.1} s)",
        args.modules,
        first,
        started.elapsed().as_secs_f64()
    );
    println!(
        "  agreeing modules: {instantiation_trapped} trapped at instantiation; export calls: {returned} returned, {trapped} trapped"
    );
    for (why, count) in &limits {
        println!("  inconclusive, {why}: {count}");
    }
    if diverged == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints the observations of one module file and the outcome.
fn show(path: &std::path::Path, arguments: Arguments) -> ExitCode {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("wasmrel-difftest: {}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    let runs = [
        ("wasmi", wasmi_engine::observe(&bytes, arguments)),
        ("plain", wasmrel_engine::observe::<Plain>(&bytes, arguments)),
        ("encoded", wasmrel_engine::observe::<An>(&bytes, arguments)),
    ];
    for (engine, seen) in &runs {
        println!("{engine}:");
        for (name, step) in &seen.steps {
            println!("  `{name}`: {step}");
        }
        println!("  globals: {:?}", seen.globals);
    }
    let outcome = check(&bytes, arguments);
    println!("{outcome:?}");
    if matches!(outcome, Outcome::Diverge(_)) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
