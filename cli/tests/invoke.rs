//! `wasmrel run --invoke`: argument syntax and result formatting, round trip.

mod common;

use common::{code, stderr, stdout, wasmrel, TempDir};

const IDENTITIES: &str = r#"(module
  (func (export "i32") (param i32) (result i32) (local.get 0))
  (func (export "i64") (param i64) (result i64) (local.get 0))
  (func (export "f32") (param f32) (result f32) (local.get 0))
  (func (export "f64") (param f64) (result f64) (local.get 0))
  (func (export "pair") (param f64 i32) (result i32 f64) (local.get 1) (local.get 0))
  (func (export "div0") (result f64) (f64.div (f64.const 0) (f64.const 0)))
  (func (export "neg_nan") (result f32) (f32.neg (f32.const nan)))
)"#;

fn invoke(module: &std::path::Path, name: &str, args: &[&str]) -> (i32, String) {
    let mut all = vec!["run", "--invoke", name, module.to_str().unwrap()];
    all.extend(args);
    let out = wasmrel(all);
    assert_eq!(stderr(&out), "", "invoking {name} {args:?}");
    (code(&out), stdout(&out))
}

#[test]
fn values_round_trip() {
    let dir = TempDir::new();
    let module = dir.write("id.wat", IDENTITIES);
    let cases = [
        ("i32", "-2147483648", "-2147483648"),
        ("i32", "4294967295", "-1"),
        ("i64", "-9223372036854775808", "-9223372036854775808"),
        ("f32", "0.1", "0.1"),
        ("f32", "-0", "-0"),
        ("f32", "inf", "inf"),
        ("f32", "nan", "nan"),
        ("f32", "nan:0x7fa00001", "nan:0x7fa00001"),
        ("f64", "-0", "-0"),
        ("f64", "-inf", "-inf"),
        ("f64", "1.7976931348623157e308", "1.7976931348623157e308"),
        ("f64", "5e-324", "5e-324"),
        ("f64", "1e300", "1e300"),
        ("f64", "2.5", "2.5"),
        ("f32", "1e-45", "1e-45"),
        ("f32", "3e38", "3e38"),
        ("f64", "nan:0x7ff0000000000001", "nan:0x7ff0000000000001"),
        ("f64", "-nan", "nan:0xfff8000000000000"),
    ];
    for (func, arg, expected) in cases {
        assert_eq!(
            invoke(&module, func, &[arg]),
            (0, format!("{expected}\n")),
            "{func} {arg}"
        );
    }
}

#[test]
fn multiple_results_print_one_per_line() {
    let dir = TempDir::new();
    let module = dir.write("id.wat", IDENTITIES);
    assert_eq!(
        invoke(&module, "pair", &["2.5", "-7"]),
        (0, "-7\n2.5\n".to_owned())
    );
}

#[test]
fn computed_nans_show_their_bits() {
    let dir = TempDir::new();
    let module = dir.write("id.wat", IDENTITIES);
    // 0/0 gives a NaN; whatever its sign, it is printed so that it reads back exactly.
    let (status, text) = invoke(&module, "div0", &[]);
    assert_eq!(status, 0);
    let text = text.trim();
    assert!(text == "nan" || text == "nan:0xfff8000000000000", "{text}");
    assert_eq!(
        invoke(&module, "neg_nan", &[]),
        (0, "nan:0xffc00000\n".to_owned())
    );
}

#[test]
fn reactors_are_initialized_before_the_call() {
    let dir = TempDir::new();
    let module = dir.write(
        "reactor.wat",
        r#"(module
             (global $g (mut i32) (i32.const 0))
             (func (export "_initialize") (global.set $g (i32.const 42)))
             (func (export "get") (result i32) (global.get $g)))"#,
    );
    assert_eq!(invoke(&module, "get", &[]), (0, "42\n".to_owned()));
}
