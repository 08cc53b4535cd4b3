//! Shared helpers: run the built `wasmrel`, write modules into temporary directories, and a
//! small WAT prelude for WASI programs.

#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "wasmrel-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `name` inside the directory and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `wasmrel` with `args` and an empty environment (plus `HOST_SECRET`, which no guest
/// may see).
pub fn wasmrel<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_wasmrel"))
        .args(args)
        .env_clear()
        .env("HOST_SECRET", "leaked")
        .output()
        .unwrap()
}

/// Runs `wasmrel` like [`wasmrel`], feeding `input` to its standard input.
pub fn wasmrel_with_stdin(args: &[&std::ffi::OsStr], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmrel"))
        .args(args)
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .expect("wasmrel was killed by a signal")
}

/// Asserts the run ended with `exit` and exactly one stderr line `wasmrel: <word>: …`
/// containing `needle`.
pub fn assert_outcome(output: &Output, exit: i32, word: &str, needle: &str) {
    let err = stderr(output);
    assert_eq!(code(output), exit, "stderr: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {err}");
    let prefix = format!("wasmrel: {word}: ");
    assert!(
        lines[0].starts_with(&prefix),
        "expected `{prefix}…`, got: {err}"
    );
    assert!(lines[0].contains(needle), "expected `{needle}` in: {err}");
}

/// The WASI imports every test program has.
const IMPORTS: &str = r#"
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
"#;

/// Memory and helpers. Layout: 0..8 an iovec, 8..12 a result word, 16..100 number digits,
/// 100 a newline, 128..1024 scratch for WASI results, 1024.. the test's data.
const PRELUDE: &str = r#"
  (memory (export "memory") 2)
  (data (i32.const 100) "\n")
  (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func $print (param $ptr i32) (param $len i32)
    (drop (call $write (i32.const 1) (local.get $ptr) (local.get $len))))
  (func $newline (call $print (i32.const 100) (i32.const 1)))
  (func $strlen (param $ptr i32) (result i32) (local $end i32)
    (local.set $end (local.get $ptr))
    (block $done (loop $scan
      (br_if $done (i32.eqz (i32.load8_u (local.get $end))))
      (local.set $end (i32.add (local.get $end) (i32.const 1)))
      (br $scan)))
    (i32.sub (local.get $end) (local.get $ptr)))
  ;; Prints a NUL-terminated string and a newline.
  (func $println (param $ptr i32)
    (call $print (local.get $ptr) (call $strlen (local.get $ptr)))
    (call $newline))
  ;; Prints an unsigned number in decimal and a newline.
  (func $print_u64 (param $v i64) (local $p i32)
    (local.set $p (i32.const 100))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p)
        (i64.add (i64.const 48) (i64.rem_u (local.get $v) (i64.const 10))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (call $print (local.get $p) (i32.sub (i32.const 101) (local.get $p))))
  (func $print_u32 (param $v i32) (call $print_u64 (i64.extend_i32_u (local.get $v))))
"#;

/// A WASI command: extra imports (each `name (param …) (result …)`, bound to `$name`, or a
/// whole `(import …)` form), then the prelude, then `body` (which defines `_start` and
/// whatever else it needs).
pub fn wasi_module(imports: &[&str], body: &str) -> String {
    let extra: String = imports
        .iter()
        .map(|sig| {
            if sig.starts_with('(') {
                return format!("  {sig}\n");
            }
            let (name, rest) = sig.split_once(' ').unwrap_or((sig, ""));
            format!("  (import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} {rest}))\n")
        })
        .collect();
    format!("(module\n{IMPORTS}{extra}{PRELUDE}{body})\n")
}
