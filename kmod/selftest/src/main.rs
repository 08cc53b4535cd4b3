//! Runs inside the test guest (kmod/test-in-qemu.sh) as root with wasmrel.ko loaded.
//!
//! `wasmrel-kmod-selftest [CASES_DIR [WASMREL]]` checks the kernel module with built-in cases (a small
//! function, floats against the host FPU, traps, limits, hostile and malformed requests,
//! signals, privileges, concurrency), the float files of the spec suite, and, given CASES_DIR, the example programs against the
//! outputs of user-space runs, and given the static CLI at WASMREL, `wasmrel run --kernel`
//! against `wasmrel run` in the guest. It prints one line per case and `selftest: N passed, M failed`.

mod cases;
mod cli;
mod examples;
mod hostile;
mod spec;
mod speed;

use std::process::ExitCode;

/// A failed check, with what was seen.
pub type Check = Result<(), String>;

/// A named case.
pub type Case = (&'static str, fn() -> Check);

/// Fails with `what` unless `condition` holds.
pub fn ensure(condition: bool, what: impl FnOnce() -> String) -> Check {
    if condition {
        Ok(())
    } else {
        Err(what())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(code) = hostile::child_mode(&args) {
        return code;
    }
    if let [_, flag, dir] = args.as_slice() {
        if flag == "--speed" {
            return match speed::compare(std::path::Path::new(dir)) {
                true => ExitCode::SUCCESS,
                false => ExitCode::FAILURE,
            };
        }
    }
    let mut tally = Tally::default();
    for (name, case) in cases::ALL.iter().chain(hostile::ALL) {
        tally.record(name, case());
    }
    for (name, result) in spec::run_all() {
        tally.record(&name, result);
    }
    if let Some(dir) = args.get(1) {
        for (name, result) in examples::run_all(std::path::Path::new(dir)) {
            tally.record(&name, result);
        }
        if let Some(wasmrel) = args.get(2) {
            let (wasmrel, dir) = (std::path::Path::new(wasmrel), std::path::Path::new(dir));
            for (name, result) in cli::run_all(wasmrel, dir) {
                tally.record(&name, result);
            }
        }
    }
    println!("selftest: {} passed, {} failed", tally.passed, tally.failed);
    if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn record(&mut self, name: &str, result: Check) {
        match result {
            Ok(()) => {
                self.passed += 1;
                println!("ok   {name}");
            }
            Err(why) => {
                self.failed += 1;
                println!("FAIL {name}: {why}");
            }
        }
    }
}
