//! A light timing driver next to the criterion benches, for `compare.sh` and for profiling.
//!
//! * `measure time [RUNS] [fuel]` — every program under every engine: prints one tab-separated
//!   line `program engine median_ns checksum` per pair (the median thread CPU time of RUNS
//!   timed calls of `run`, default 15, after one untimed call whose checksum must match wasmrel plain's).
//!   Fuel metering is off, or on (a limit far away) with `fuel`.
//! * `measure memory` — the peak heap use of preparing every program under every engine and
//!   calling `run` once: `program engine peak_bytes` (bytes allocated above what was live
//!   before; linear memory counts in full, whether or not its pages are touched).
//! * `measure translate [RUNS]` — the median time to decode, validate and translate every
//!   program's WASI build: `program engine median_ns` for wasmrel and wasmi eager.
//! * `measure once PROGRAM ENGINE [CALLS]` — prepares PROGRAM in ENGINE and calls `run` CALLS
//!   times (default 1) inside `timed_calls`, the function to restrict a profiler to
//!   (`valgrind --tool=callgrind --toggle-collect='*timed_calls*'`): instruction counts are
//!   stable on a loaded machine where wall-clock times are not.
//!
//! * `measure encoded [RUNS]` — encoded mode's cost: per program, the median thread CPU time
//!   of plain and of encoded at each check level (`op`, `block`, `effects`; crc memory
//!   protection) and at `block` with `dup` protection, sampled in rounds side by side, and the
//!   ratios to plain.
//!
//! Engines: `wasmrel`, `wasmrel-encoded`, `wasmrel-dual` (default replicas: plain and an
//! inverted plain copy in lockstep), `wasmi-eager`, `wasmi-lazy`; for `once` also
//! `wasmrel-encoded-op`, `wasmrel-encoded-effects`, `wasmrel-encoded-dup`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasmi::CompilationMode;
use wasmrel_an_encoding::{level, An};
use wasmrel_benches::{
    programs, programs_dir, DomainRunner, DualRunner, Metering, WasmiRunner, WasmrelRunner,
};
use wasmrel_executor::Protection;

const ENGINES: [&str; 5] = [
    "wasmrel",
    "wasmrel-encoded",
    "wasmrel-dual",
    "wasmi-eager",
    "wasmi-lazy",
];

/// The system allocator, counting the bytes live and their peak (for `measure memory`).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn allocated(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments, so it keeps
// `System`'s guarantees; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl).
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            allocated(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl).
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            allocated(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged (see the impl).
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl).
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            allocated(new_size);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One prepared program: calling it runs `run` once and returns the checksum.
type Runner = Box<dyn FnMut() -> Result<i32, String>>;

fn runner(engine: &str, bytes: &[u8], metering: Metering) -> Result<Runner, String> {
    let wasmi = |mode| -> Result<Runner, String> {
        let mut runner = WasmiRunner::new(bytes, mode, metering).map_err(|e| e.to_string())?;
        Ok(Box::new(move || runner.run().map_err(|e| e.to_string())))
    };
    match engine {
        "wasmrel" => {
            let mut runner = WasmrelRunner::new(bytes, metering).map_err(|e| e.to_string())?;
            Ok(Box::new(move || runner.run().map_err(|e| e.to_string())))
        }
        "wasmrel-encoded" => encoded::<{ level::BLOCK }>(bytes, metering, Protection::Crc),
        "wasmrel-encoded-op" => encoded::<{ level::OP }>(bytes, metering, Protection::Crc),
        "wasmrel-encoded-effects" => {
            encoded::<{ level::EFFECTS }>(bytes, metering, Protection::Crc)
        }
        "wasmrel-encoded-dup" => encoded::<{ level::BLOCK }>(bytes, metering, Protection::Dup),
        "wasmrel-dual" => {
            let mut runner = DualRunner::new(bytes, metering)?;
            Ok(Box::new(move || runner.run()))
        }
        "wasmi-eager" => wasmi(CompilationMode::Eager),
        "wasmi-lazy" => wasmi(CompilationMode::Lazy),
        _ => Err(format!(
            "unknown engine {engine:?} (one of {})",
            ENGINES.join(", ")
        )),
    }
}

/// An encoded runner at check level `LEVEL` with memory protection `protection`.
fn encoded<const LEVEL: u8>(
    bytes: &[u8],
    metering: Metering,
    protection: Protection,
) -> Result<Runner, String> {
    let mut runner = DomainRunner::<An<LEVEL>>::with_protection(bytes, metering, protection)
        .map_err(|e| e.to_string())?;
    Ok(Box::new(move || runner.run().map_err(|e| e.to_string())))
}

/// Engines `measure encoded` compares, plain first.
const ENCODED: [&str; 5] = [
    "wasmrel",
    "wasmrel-encoded-op",
    "wasmrel-encoded",
    "wasmrel-encoded-effects",
    "wasmrel-encoded-dup",
];

/// `measure encoded`: per program, RUNS rounds in which every engine in turn makes one
/// sample (the thread CPU time of one `run` call); medians and their ratios to plain.
fn time_encoded(runs: usize) -> Result<(), String> {
    println!("program\tplain ms\top\tblock\teffects\tblock+dup");
    for program in programs().map_err(|e| e.to_string())? {
        let mut runners = ENCODED
            .iter()
            .map(|engine| runner(engine, &program.bytes, Metering::Off))
            .collect::<Result<Vec<_>, _>>()?;
        let mut expected = None;
        for run in &mut runners {
            let checksum = run()?;
            if *expected.get_or_insert(checksum) != checksum {
                return Err(format!("{}: checksums differ", program.name));
            }
        }
        let mut samples = vec![Vec::new(); runners.len()];
        for _ in 0..runs {
            for (run, samples) in runners.iter_mut().zip(&mut samples) {
                let start = cpu_time();
                run()?;
                samples.push(cpu_time() - start);
            }
        }
        let medians: Vec<u128> = samples.into_iter().map(median).collect();
        let plain = medians[0] as f64;
        let ratios: Vec<String> = medians[1..]
            .iter()
            .map(|&m| format!("{:.2}x", m as f64 / plain))
            .collect();
        println!(
            "{}\t{:.3}\t{}",
            program.name,
            plain / 1e6,
            ratios.join("\t")
        );
    }
    Ok(())
}

/// Kept out of line so that a profiler can count exactly the calls.
#[inline(never)]
fn timed_calls(run: &mut Runner, calls: u32) -> Result<i32, String> {
    let mut checksum = 0;
    for _ in 0..calls {
        checksum = run()?;
    }
    Ok(checksum)
}

/// The CPU time this thread has used, in nanoseconds. Unlike wall-clock time it does not grow
/// while the thread waits for a CPU, so a loaded machine stretches every engine's runs alike
/// (with wall-clock time, runs longer than a scheduler time slice are hit far more often).
fn cpu_time() -> u128 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; the clock id is a constant Linux defines.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "the thread CPU-time clock is readable");
    now.tv_sec as u128 * 1_000_000_000 + now.tv_nsec as u128
}

fn median(mut samples: Vec<u128>) -> u128 {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn time_runs(runs: usize, metering: Metering) -> Result<(), String> {
    for program in programs().map_err(|e| e.to_string())? {
        let mut expected = None;
        for engine in ENGINES {
            let mut run = runner(engine, &program.bytes, metering)?;
            let checksum = run()?;
            if *expected.get_or_insert(checksum) != checksum {
                return Err(format!(
                    "{}: {engine} computes a different checksum",
                    program.name
                ));
            }
            let samples = (0..runs)
                .map(|_| {
                    let start = cpu_time();
                    run().map(|_| cpu_time() - start)
                })
                .collect::<Result<Vec<_>, _>>()?;
            println!(
                "{}\t{engine}\t{}\t{checksum}",
                program.name,
                median(samples)
            );
        }
    }
    Ok(())
}

fn peak_memory() -> Result<(), String> {
    for program in programs().map_err(|e| e.to_string())? {
        for engine in ENGINES {
            let before = LIVE.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let mut run = runner(engine, &program.bytes, Metering::Off)?;
            run()?;
            let peak = PEAK.load(Ordering::Relaxed) - before;
            drop(run);
            println!("{}\t{engine}\t{peak}", program.name);
        }
    }
    Ok(())
}

fn time_translation(runs: usize) -> Result<(), String> {
    let mut paths: Vec<_> = std::fs::read_dir(programs_dir())
        .map_err(|e| e.to_string())?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .filter(|p| !p.to_string_lossy().ends_with(".run.wasm"))
        .collect();
    paths.sort();
    let mut config = wasmi::Config::default();
    config.compilation_mode(CompilationMode::Eager);
    let engine = wasmi::Engine::new(&config);
    let wasmrel_config = wasmrel_executor::Config::default();
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        let time = |translate: &dyn Fn() -> Result<(), String>| -> Result<u128, String> {
            let samples = (0..runs)
                .map(|_| {
                    let start = cpu_time();
                    translate().map(|()| cpu_time() - start)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(median(samples))
        };
        let wasmrel = time(&|| {
            wasmrel_executor::Module::new(&wasmrel_config, &bytes)
                .map(drop)
                .map_err(|e| e.to_string())
        })?;
        let wasmi = time(&|| {
            wasmi::Module::new(&engine, &bytes)
                .map(drop)
                .map_err(|e| e.to_string())
        })?;
        println!("{name}\twasmrel\t{wasmrel}\n{name}\twasmi-eager\t{wasmi}");
    }
    Ok(())
}

fn once(program: &str, engine: &str, calls: u32) -> Result<(), String> {
    let path = programs_dir().join(format!("{program}.run.wasm"));
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut run = runner(engine, &bytes, Metering::Off)?;
    println!("{program} {engine}: {}", timed_calls(&mut run, calls)?);
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: usize| -> Result<usize, String> {
        args.get(index).map_or(Ok(default), |text| {
            text.parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(format!("not a positive count: {text}"))
        })
    };
    let result = match args.first().map(String::as_str) {
        Some("time") => {
            let metering = match args.get(2).map(String::as_str) {
                None => Ok(Metering::Off),
                Some("fuel") => Ok(Metering::On),
                Some(other) => Err(format!("not `fuel`: {other}")),
            };
            metering.and_then(|metering| number(1, 15).and_then(|runs| time_runs(runs, metering)))
        }
        Some("memory") => peak_memory(),
        Some("translate") => number(1, 15).and_then(time_translation),
        Some("encoded") => number(1, 15).and_then(time_encoded),
        Some("once") if args.len() >= 3 => {
            number(3, 1).and_then(|calls| once(&args[1], &args[2], calls as u32))
        }
        _ => Err(
            "usage: measure time [RUNS] [fuel] | translate [RUNS] | memory | encoded [RUNS] | once PROGRAM ENGINE [CALLS]"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("measure: {message}");
            ExitCode::FAILURE
        }
    }
}
