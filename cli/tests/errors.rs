//! Every non-guest outcome: its exit code and its single `wasmrel: <outcome>: …` line.

mod common;

use common::{assert_outcome, code, stderr, stdout, wasi_module, wasmrel, TempDir};

/// A valid module with one exported function, as binary.
fn valid_binary() -> Vec<u8> {
    wat::parse_str(r#"(module (func (export "f") (result i32) (i32.const 1)))"#).unwrap()
}

#[test]
fn missing_file() {
    let dir = TempDir::new();
    let missing = dir.path().join("nope.wasm");
    let out = wasmrel(["run".as_ref(), missing.as_os_str()]);
    assert_outcome(&out, 126, "error", "nope.wasm");
}

#[test]
fn truncated_module() {
    let dir = TempDir::new();
    let bytes = valid_binary();
    let module = dir.write("cut.wasm", &bytes[..bytes.len() - 3]);
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_outcome(&out, 126, "error", "invalid module");
}

#[test]
fn garbage_bytes() {
    let dir = TempDir::new();
    let module = dir.write("garbage.wasm", [0xde, 0xad, 0xbe, 0xef, 0xff, 0x00, 0x13]);
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_outcome(&out, 126, "error", "invalid module");
    let out = wasmrel(["validate".as_ref(), module.as_os_str()]);
    assert_outcome(&out, 126, "error", "invalid module");
}

#[test]
fn invalid_module() {
    let dir = TempDir::new();
    let module = dir.write("bad.wat", "(module (func (result i32) (i64.const 0)))");
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_outcome(&out, 126, "error", "invalid module");
    let out = wasmrel(["validate".as_ref(), module.as_os_str()]);
    assert_outcome(&out, 126, "error", "invalid module");
}

#[test]
fn malformed_text() {
    let dir = TempDir::new();
    let module = dir.write("bad.wat", "(module (func (i32.bogus)))");
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_outcome(&out, 126, "error", "bad.wat:1:");
}

#[test]
fn validate_accepts_a_valid_module_silently() {
    let dir = TempDir::new();
    let module = dir.write("ok.wasm", valid_binary());
    let out = wasmrel(["validate".as_ref(), module.as_os_str()]);
    assert_eq!(
        (code(&out), stdout(&out), stderr(&out)),
        (0, String::new(), String::new())
    );
}

#[test]
fn unknown_import_is_a_link_error_naming_it() {
    let dir = TempDir::new();
    let module = dir.write(
        "import.wat",
        r#"(module (import "env" "foo" (func)) (func (export "_start") (call 0)))"#,
    );
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_outcome(&out, 126, "error", "env.foo");
}

#[test]
fn wrong_invoke_arguments() {
    let dir = TempDir::new();
    let module = dir.write(
        "add.wat",
        r#"(module (func (export "add") (param i32 i32) (result i32)
             (i32.add (local.get 0) (local.get 1))))"#,
    );
    let run = |args: &[&str]| {
        let mut all = vec!["run", "--invoke", "add", module.to_str().unwrap()];
        all.extend(args);
        wasmrel(all)
    };
    assert_outcome(&run(&["1"]), 126, "error", "2 argument");
    assert_outcome(&run(&["1", "2", "3"]), 126, "error", "2 argument");
    assert_outcome(&run(&["1", "x"]), 126, "error", "`x` is not a valid i32");
    assert_outcome(&run(&["1", "2.5"]), 126, "error", "i32");
    let out = wasmrel(["run", "--invoke", "sub", module.to_str().unwrap()]);
    assert_outcome(&out, 126, "error", "sub");
    let out = run(&["1", "2"]);
    assert_eq!((code(&out), stdout(&out)), (0, "3\n".to_owned()));
}

#[test]
fn trap() {
    let dir = TempDir::new();
    let module = dir.write(
        "trap.wat",
        wasi_module(&[], r#"(func (export "_start") unreachable)"#),
    );
    let out = wasmrel(["run".as_ref(), module.as_os_str()]);
    assert_outcome(&out, 134, "trap", "unreachable");
}

#[test]
fn fuel_limit() {
    let dir = TempDir::new();
    let module = dir.write(
        "loop.wat",
        r#"(module (func (export "_start") (loop (br 0))))"#,
    );
    let out = wasmrel([
        "run".as_ref(),
        "--fuel".as_ref(),
        "10000".as_ref(),
        module.as_os_str(),
    ]);
    assert_outcome(&out, 128, "limit", "fuel");
}

#[test]
fn call_depth_limit() {
    let dir = TempDir::new();
    let module = dir.write(
        "recurse.wat",
        r#"(module (func $f (export "_start") (call $f)))"#,
    );
    let out = wasmrel([
        "run".as_ref(),
        "--max-call-depth".as_ref(),
        "100".as_ref(),
        module.as_os_str(),
    ]);
    assert_outcome(&out, 128, "limit", "call depth");
}

#[test]
fn memory_limit() {
    let dir = TempDir::new();
    let module = dir.write(
        "big.wat",
        r#"(module (memory 32) (func (export "_start")))"#,
    );
    let out = wasmrel([
        "run".as_ref(),
        "--max-memory".as_ref(),
        "1MiB".as_ref(),
        module.as_os_str(),
    ]);
    assert_outcome(&out, 128, "limit", "memory");
    // 2 MiB = 32 pages is enough.
    let out = wasmrel([
        "run".as_ref(),
        "--max-memory".as_ref(),
        "2MiB".as_ref(),
        module.as_os_str(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_126_with_one_line() {
    // An unknown option before the module is one, not the module's path.
    assert_outcome(
        &wasmrel(["run", "--bogus", "x.wasm"]),
        126,
        "error",
        "unexpected argument '--bogus' found",
    );
    assert_outcome(
        &wasmrel(["inject", "--bogus", "--out", "camp", "x.wasm"]),
        126,
        "error",
        "unexpected argument '--bogus' found",
    );
    assert_outcome(
        &wasmrel(["run", "--encode", "x.wasm"]),
        126,
        "error",
        "unexpected argument '--encode' found; tip: a similar argument exists: '--encoded'",
    );
    assert_outcome(&wasmrel(["run"]), 126, "error", "required");
    assert_outcome(&wasmrel(["frobnicate"]), 126, "error", "frobnicate");
    assert_outcome(
        &wasmrel(["run", "--fuel", "lots", "x.wasm"]),
        126,
        "error",
        "lots",
    );
    assert_outcome(
        &wasmrel(["run", "--max-memory", "3TiB", "x.wasm"]),
        126,
        "error",
        "3TiB",
    );
    assert_outcome(
        &wasmrel(["run", "--env", "NOEQUALS", "x.wasm"]),
        126,
        "error",
        "NAME=VALUE",
    );
}

#[test]
fn missing_directory_grant() {
    let dir = TempDir::new();
    let module = dir.write("ok.wat", wasi_module(&[], r#"(func (export "_start"))"#));
    let missing = dir.path().join("absent");
    let out = wasmrel([
        "run".as_ref(),
        "--dir".as_ref(),
        missing.as_os_str(),
        module.as_os_str(),
    ]);
    assert_outcome(&out, 126, "error", "absent");
}

#[test]
fn version_and_help_succeed() {
    let out = wasmrel(["--version"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("wasmrel "));
    let out = wasmrel(["run", "--help"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("--max-call-depth"));
}

#[test]
fn json_report_names_the_outcome() {
    let dir = TempDir::new();
    let trap = dir.write(
        "trap.wat",
        r#"(module (func (export "_start") unreachable))"#,
    );
    let out = wasmrel(["run".as_ref(), "--json".as_ref(), trap.as_os_str()]);
    assert_eq!(code(&out), 134);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("wasmrel: trap: "));
    let report: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(report["outcome"], "trap");
    assert_eq!(report["exit_code"], 134);
    assert!(report["detail"].as_str().unwrap().contains("unreachable"));
    assert!(report["detection"].is_null());
    assert!(report["place"].is_null());

    let exit = dir.write(
        "exit.wat",
        wasi_module(
            &[],
            r#"(func (export "_start") (call $proc_exit (i32.const 3)))"#,
        ),
    );
    let out = wasmrel(["run".as_ref(), "--json".as_ref(), exit.as_os_str()]);
    assert_eq!(code(&out), 3);
    let report: serde_json::Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(report["outcome"], "exit");
    assert_eq!(report["exit_code"], 3);
    assert!(report["fuel_used"].as_u64().unwrap() > 0);

    let loops = dir.write(
        "loop.wat",
        r#"(module (func (export "_start") (loop (br 0))))"#,
    );
    let out = wasmrel([
        "run".as_ref(),
        "--json".as_ref(),
        "--fuel".as_ref(),
        "500".as_ref(),
        loops.as_os_str(),
    ]);
    let report: serde_json::Value =
        serde_json::from_str(stderr(&out).lines().last().unwrap()).unwrap();
    assert_eq!(report["outcome"], "limit");
    assert_eq!(report["exit_code"], 128);
    assert_eq!(report["fuel_used"], 500);
}
