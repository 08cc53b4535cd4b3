//! `wasmrel run --kernel` without the kernel module: every way it cannot run ends with one
//! clear `wasmrel: error:` line and exit 126, and nothing is sent before the module and its
//! arguments have been checked as a user-space run checks them. (Runs in the kernel are
//! tested by kmod/test-in-qemu.sh, which boots a kernel with the module.)

mod common;

use common::{assert_outcome, stdout, wasmrel, TempDir};

const NO_DEVICE: &str = "/nonexistent/wasmrel";

fn module(dir: &TempDir) -> std::path::PathBuf {
    let wasm =
        wat::parse_str(r#"(module (func (export "f") (param i32) (result i32) local.get 0))"#)
            .unwrap();
    dir.write("f.wasm", wasm)
}

#[test]
fn without_the_module_loaded_it_says_so() {
    let dir = TempDir::new();
    let wasm = module(&dir);
    let out = wasmrel([
        "run",
        "--kernel",
        "--device",
        NO_DEVICE,
        wasm.to_str().unwrap(),
    ]);
    assert_outcome(
        &out,
        126,
        "error",
        "load the kernel module first (insmod wasmrel.ko)",
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_file_that_is_not_the_device_is_refused() {
    let dir = TempDir::new();
    let wasm = module(&dir);
    let fake = dir.write("fake-device", b"");
    let out = wasmrel([
        "run",
        "--kernel",
        "--device",
        fake.to_str().unwrap(),
        "--invoke",
        "f",
        wasm.to_str().unwrap(),
        "1",
    ]);
    assert_outcome(
        &out,
        126,
        "error",
        "is not the wasmrel kernel module's device",
    );
}

#[test]
fn user_space_only_options_are_usage_errors() {
    let dir = TempDir::new();
    let wasm = module(&dir);
    let wasm = wasm.to_str().unwrap();
    let host_dir = dir.path().to_str().unwrap();
    for (option, needle) in [
        (vec!["--dir", host_dir], "--dir"),
        (vec!["--deterministic"], "--deterministic"),
    ] {
        let mut args = vec!["run", "--kernel", "--device", NO_DEVICE];
        args.extend(option);
        args.push(wasm);
        let out = wasmrel(&args);
        assert_outcome(&out, 126, "error", needle);
        assert_outcome(&out, 126, "error", "is not available with --kernel");
    }
}

#[test]
fn protection_options_and_all_limits_go_to_the_kernel() {
    // Sent, not refused: without the module loaded, the device is what is missing.
    let dir = TempDir::new();
    let wasm = module(&dir);
    let wasm = wasm.to_str().unwrap();
    for option in [
        vec!["--max-stack", "1MiB"],
        vec!["--max-table-elements", "10"],
        vec!["--encoded", "--check", "op"],
        vec![
            "--encoded",
            "--check",
            "effects",
            "--memory-protection",
            "dup",
        ],
        vec!["--encoded", "--memory-protection", "none"],
        vec!["--dual", "--replicas", "plain,encoded"],
    ] {
        let mut args = vec!["run", "--kernel", "--device", NO_DEVICE];
        args.extend(&option);
        args.push(wasm);
        let out = wasmrel(&args);
        assert_outcome(&out, 126, "error", "load the kernel module first");
    }
}

#[test]
fn the_device_option_needs_kernel_mode() {
    let dir = TempDir::new();
    let wasm = module(&dir);
    let out = wasmrel(["run", "--device", NO_DEVICE, wasm.to_str().unwrap()]);
    assert_outcome(&out, 126, "error", "--kernel");
}

#[test]
fn module_and_arguments_are_checked_before_the_kernel_is_asked() {
    let dir = TempDir::new();
    let wasm = module(&dir);
    let wasm = wasm.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--kernel", "--device", NO_DEVICE];
        args.extend(extra);
        wasmrel(&args)
    };
    assert_outcome(
        &run(&["--invoke", "g", wasm]),
        126,
        "error",
        "exports no function `g`",
    );
    assert_outcome(
        &run(&["--invoke", "f", wasm, "x"]),
        126,
        "error",
        "argument 1 of `f`",
    );
    let garbage = dir.write("garbage.wasm", [0xde, 0xad, 0xbe, 0xef]);
    let out = run(&["--invoke", "f", garbage.to_str().unwrap()]);
    assert_outcome(&out, 126, "error", "invalid module");
    let missing = dir.path().join("missing.wasm");
    assert_outcome(
        &run(&[missing.to_str().unwrap()]),
        126,
        "error",
        "cannot read",
    );
}
