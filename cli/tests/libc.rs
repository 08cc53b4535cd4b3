//! A C program built with wasi-libc (`fixtures/libc_fs.c`) run through `wasmrel`: the calls
//! ordinary programs make at startup and for files, directories, clocks and stdio.

mod common;

use common::{code, stderr, stdout, wasmrel_with_stdin, TempDir};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/libc_fs.wasm");

const EXPECTED: &str = "\
ftell at end: 18
from offset 5: one
pread: LINE two
fstat: size 13, regular 1
readlink: sub/moved.txt
entries: . .. link sub
rmdir non-empty: Directory not empty
open missing: No such file or directory
escape with ..: Capabilities insufficient
create outside: Capabilities insufficient
absolute path: Capabilities insufficient
GREETING=hi
PATH=(unset)
lseek on stdout: Invalid seek
usleep(20000) took at least 20 ms: yes
time() after 2000-01-01: yes
stdin: typed line
";

fn run_fixture(extra: &[&str]) -> (std::process::Output, TempDir) {
    let grant = TempDir::new();
    let dir_arg = format!("{}::data", grant.path().display());
    let mut args: Vec<&std::ffi::OsStr> = vec!["run".as_ref(), "--dir".as_ref(), dir_arg.as_ref()];
    args.extend(["--env", "GREETING=hi"].map(std::ffi::OsStr::new));
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    args.extend([FIXTURE, "data"].map(std::ffi::OsStr::new));
    let out = wasmrel_with_stdin(&args, b"typed line\n");
    (out, grant)
}

#[test]
fn wasi_libc_program_works_like_on_a_posix_host() {
    let (out, grant) = run_fixture(&[]);
    assert_eq!(stdout(&out), EXPECTED);
    assert_eq!(stderr(&out), "to stderr\n");
    assert_eq!(code(&out), 3);
    // What the program left behind, and nothing outside the grant.
    assert!(grant.path().join("sub/moved.txt").is_file());
    assert!(!grant.path().join("log.txt").exists());
    assert!(!grant.path().parent().unwrap().join("outside.txt").exists());
}

#[test]
fn wasi_libc_program_is_reproducible_in_deterministic_mode() {
    let (first, _grant) = run_fixture(&["--deterministic"]);
    let (second, _grant) = run_fixture(&["--deterministic"]);
    assert_eq!(stdout(&first), EXPECTED);
    assert_eq!(stdout(&first), stdout(&second));
    assert_eq!(code(&first), 3);
}
