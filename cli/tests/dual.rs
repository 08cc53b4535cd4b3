//! `wasmrel run --dual`: the same output, exit code and results as a plain run, for both
//! replica pairs, WASI commands and `--invoke`.

use std::path::Path;
use std::process::{Command, Output};

fn wasmrel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmrel"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn dual_runs_behave_like_plain_runs() {
    let cases: &[&[&str]] = &[
        &["benches/programs/sha256.wasm", "6"],
        &["benches/programs/sort.wasm", "2500"],
        &["benches/programs/nbody.wasm", "700"],
        &["benches/programs/sieve.wasm", "0"],
        &["--invoke", "run", "benches/programs/fib.run.wasm"],
        &["--invoke", "run_n", "benches/programs/vm.run.wasm", "5"],
        &["--invoke", "run_n", "benches/programs/vm.run.wasm", "-1"],
    ];
    for case in cases {
        let plain = wasmrel(&[&["run"], *case].concat());
        for replicas in ["plain,inverted", "plain,encoded"] {
            let dual = wasmrel(&[&["run", "--dual", "--replicas", replicas], *case].concat());
            assert_eq!(
                dual.status.code(),
                plain.status.code(),
                "{case:?} {replicas}"
            );
            assert_eq!(dual.stdout, plain.stdout, "{case:?} {replicas}");
            assert_eq!(dual.stderr, plain.stderr, "{case:?} {replicas}");
        }
    }
}

#[test]
fn a_module_without_start_is_only_instantiated() {
    let dir = std::env::temp_dir().join(format!("wasmrel-dual-nostart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let module = dir.join("lib.wat");
    std::fs::write(
        &module,
        r#"(module (func (export "f") (result i32) i32.const 1))"#,
    )
    .unwrap();
    let module = module.to_str().unwrap();
    let plain = wasmrel(&["run", module]);
    assert_eq!(plain.status.code(), Some(0));
    for replicas in ["plain,inverted", "plain,encoded"] {
        let dual = wasmrel(&["run", "--dual", "--replicas", replicas, module]);
        assert_eq!(dual.status.code(), plain.status.code(), "{replicas}");
        assert_eq!(dual.stdout, plain.stdout, "{replicas}");
        assert_eq!(dual.stderr, plain.stderr, "{replicas}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn replicas_need_dual_and_a_known_pair() {
    let output = wasmrel(&[
        "run",
        "--replicas",
        "plain,encoded",
        "benches/programs/sha256.wasm",
    ]);
    assert_eq!(output.status.code(), Some(126));
    let output = wasmrel(&["run", "--dual", "--replicas", "encoded,encoded", "x.wasm"]);
    assert_eq!(output.status.code(), Some(126));
    assert!(String::from_utf8_lossy(&output.stderr).contains("choose plain,inverted"));
}
