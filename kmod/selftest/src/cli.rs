//! `wasmrel run --kernel` against `wasmrel run`, both by the same static CLI inside the guest.
//!
//! Every example of CASES_DIR/cases.txt and a few programs that end in each outcome (trap,
//! limits, results, a large exit code, `--json`) run once in user space and once in the
//! kernel, in every mode the kernel offers; stdout, stderr and the exit status must be equal
//! byte for byte.

use std::path::Path;
use std::process::{Command, Output};

use crate::cases::wasm;
use crate::{ensure, Check};

/// The modes compared, as `wasmrel run` options: every mode, check level, memory
/// protection and replica pair the kernel offers.
const MODES: [&[&str]; 8] = [
    &[],
    &["--encoded"],
    &["--encoded", "--check", "op"],
    &[
        "--encoded",
        "--check",
        "effects",
        "--memory-protection",
        "none",
    ],
    &["--encoded", "--memory-protection", "dup"],
    &["--encoded", "--memory-protection", "none"],
    &["--dual"],
    &["--dual", "--replicas", "plain,encoded"],
];

/// Programs that end in each non-exit outcome: `(name, module text, options and arguments)`;
/// the module is written to `NAME.wat` and its path follows the options.
const OUTCOMES: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "trap",
        r#"(module (func (export "_start") unreachable))"#,
        &[],
        &[],
    ),
    (
        "fuel",
        r#"(module (func (export "_start") (loop br 0)))"#,
        &["--fuel", "100000"],
        &[],
    ),
    (
        "call-depth",
        r#"(module (func $f (export "_start") call $f))"#,
        &["--max-call-depth", "100"],
        &[],
    ),
    (
        "memory",
        r#"(module (memory 1)
             (func (export "_start")
               (if (i32.eq (memory.grow (i32.const 20)) (i32.const -1)) (then unreachable))))"#,
        &["--max-memory", "1MiB"],
        &[],
    ),
    (
        "table",
        r#"(module (table 100 funcref) (func (export "_start")))"#,
        &["--max-table-elements", "99"],
        &[],
    ),
    (
        "stack",
        r#"(module (func $f (export "_start") (local i64 i64 i64 i64) call $f))"#,
        &["--max-stack", "64KiB"],
        &[],
    ),
    (
        "stack-enough",
        r#"(module (func $f (export "f") (param i32) (result i32) (local i64 i64 i64 i64)
             (if (result i32) (local.get 0)
               (then (i32.add (call $f (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
               (else (i32.const 0)))))"#,
        &[
            "--max-stack",
            "64KiB",
            "--max-table-elements",
            "1",
            "--invoke",
            "f",
        ],
        &["300"],
    ),
    (
        "results",
        r#"(module (func (export "f") (param i64 f64) (result i64 f64 f32 i32)
             local.get 0 i64.const 3 i64.mul
             local.get 1 f64.const 0 f64.div
             f32.const -0
             i32.const -7))"#,
        &["--invoke", "f"],
        &["-41", "1.5"],
    ),
    (
        "nan-results",
        r#"(module (func (export "f") (result f32 f64)
             f32.const nan:0x200001 f64.const -nan))"#,
        &["--invoke", "f"],
        &[],
    ),
    (
        "exit-300",
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func (export "_start") (call $exit (i32.const 300))))"#,
        &[],
        &[],
    ),
    (
        "json",
        r#"(module (func (export "_start") (local i32)
             (loop (local.set 0 (i32.add (local.get 0) (i32.const 1)))
               (br_if 0 (i32.lt_u (local.get 0) (i32.const 1000))))))"#,
        &["--json"],
        &[],
    ),
    (
        "json-trap",
        r#"(module (func (export "_start") (drop (i32.div_s (i32.const 1) (i32.const 0)))))"#,
        &["--json"],
        &[],
    ),
    (
        "invalid",
        r#"(module (func (export "_start") (i32.const 1)))"#,
        &[],
        &[],
    ),
];

/// Runs every comparison; returns each one's name and result.
pub fn run_all(wasmrel: &Path, dir: &Path) -> Vec<(String, Check)> {
    let mut runs: Vec<(String, Vec<String>)> = Vec::new();
    match std::fs::read_to_string(dir.join("cases.txt")) {
        Ok(list) => {
            for line in list.lines().map(str::trim) {
                let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
                if let Some((id, args)) = words.split_first() {
                    if !id.starts_with('#') && !args.iter().any(|word| word == "--dir") {
                        runs.push((id.clone(), args.to_vec()));
                    }
                }
            }
        }
        Err(err) => return vec![("cli".to_string(), Err(format!("cases.txt: {err}")))],
    }
    for (name, text, options, args) in OUTCOMES {
        let file = format!("outcome-{name}.wasm");
        let written = wasm(text).and_then(|bytes| {
            std::fs::write(dir.join(&file), bytes).map_err(|err| format!("{file}: {err}"))
        });
        if let Err(why) = written {
            return vec![(format!("cli {name}"), Err(why))];
        }
        let mut words: Vec<String> = options.iter().map(|&o| o.to_owned()).collect();
        words.push(file);
        words.extend(args.iter().map(|&a| a.to_owned()));
        runs.push((name.to_string(), words));
    }
    if let Err(err) = std::env::set_current_dir(dir) {
        return vec![("cli".to_string(), Err(format!("{}: {err}", dir.display())))];
    }
    let mut results = Vec::new();
    for (id, words) in &runs {
        for mode in MODES {
            let label = if mode.is_empty() {
                "plain".to_string()
            } else {
                mode.join(" ")
            };
            results.push((format!("cli {id} ({label})"), compare(wasmrel, mode, words)));
        }
    }
    results
}

fn compare(wasmrel: &Path, mode: &[&str], words: &[String]) -> Check {
    let run = |kernel: bool| -> Result<Output, String> {
        // The working directory is the selftest's own (set below): a per-command directory
        // makes std spawn by fork+chdir, which the test kernel refuses with ENOSYS.
        let mut command = Command::new(wasmrel);
        command.arg("run");
        if kernel {
            command.arg("--kernel");
        }
        command
            .args(mode)
            .args(words)
            .output()
            .map_err(|err| format!("{}: {err}", wasmrel.display()))
    };
    let user = run(false)?;
    let kernel = run(true)?;
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    ensure(kernel.status.code() == user.status.code(), || {
        format!(
            "exit {:?} in the kernel, {:?} in user space; stderr {:?} / {:?}",
            kernel.status.code(),
            user.status.code(),
            text(&kernel.stderr),
            text(&user.stderr)
        )
    })?;
    same("stdout", &kernel.stdout, &user.stdout)?;
    same("stderr", &kernel.stderr, &user.stderr)
}

/// Fails unless a stream is the same in both runs.
fn same(stream: &str, kernel: &[u8], user: &[u8]) -> Check {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    ensure(kernel == user, || {
        format!(
            "{stream} {:?} in the kernel, {:?} in user space",
            text(kernel),
            text(user)
        )
    })
}
