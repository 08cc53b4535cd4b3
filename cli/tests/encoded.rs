//! `wasmrel run --encoded`: the same program gives byte-identical output, exit code and
//! outcome line in plain and encoded mode, traps included (a trap is never a detection).

mod common;

use common::{code, stderr, stdout, wasmrel, TempDir};

const MODULE: &str = r#"(module
  (memory 1)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i64) (i64.trunc_f64_u (local.get 0)))
  (func (export "nan") (param f32) (result f32) (f32.add (local.get 0) (f32.const 1)))
  (func (export "load") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "rec") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (local.get 0) (call 4 (i32.sub (local.get 0) (i32.const 1))))))))"#;

#[test]
fn encoded_runs_match_plain_runs() {
    let dir = TempDir::new();
    let module = dir.write("m.wat", MODULE);
    let module = module.to_str().expect("UTF-8 temp path");
    let cases: [&[&str]; 10] = [
        &["div", "7", "2"],
        &["div", "7", "0"],
        &["div", "-2147483648", "-1"],
        &["trunc", "1e19"],
        &["trunc", "-1"],
        &["trunc", "nan"],
        &["nan", "nan:0x7fa00001"],
        &["load", "65528"],
        &["load", "65529"],
        &["rec", "1000"],
    ];
    let mut traps = 0;
    for case in cases {
        let (name, args) = case.split_first().expect("a case names an export");
        let run = |mode: &[&str]| {
            let mut all = vec!["run"];
            all.extend(mode);
            all.extend(["--invoke", name, module]);
            all.extend(args);
            wasmrel(all)
        };
        let plain = run(&[]);
        for mode in [
            &["--encoded"][..],
            &["--encoded", "--check", "op"],
            &["--encoded", "--check", "effects"],
            &["--encoded", "--memory-protection", "dup"],
            &["--encoded", "--memory-protection", "none"],
        ] {
            let encoded = run(mode);
            assert_eq!(stdout(&plain), stdout(&encoded), "{case:?} {mode:?}");
            assert_eq!(stderr(&plain), stderr(&encoded), "{case:?} {mode:?}");
            assert_eq!(code(&plain), code(&encoded), "{case:?} {mode:?}");
        }
        if code(&plain) == 134 {
            traps += 1;
        }
    }
    assert_eq!(
        traps, 5,
        "div by zero, overflow, two bad truncations, out of bounds"
    );
}

#[test]
fn check_levels_and_memory_protection_need_encoded_mode() {
    let out = wasmrel(["run", "--check", "op", "m.wasm"]);
    assert_eq!(code(&out), 126, "{}", stderr(&out));
    let out = wasmrel(["run", "--encoded", "--check", "sometimes", "m.wasm"]);
    assert_eq!(code(&out), 126, "{}", stderr(&out));
    let out = wasmrel(["run", "--memory-protection", "dup", "m.wasm"]);
    assert_eq!(code(&out), 126, "{}", stderr(&out));
}
