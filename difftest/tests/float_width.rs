//! Float-width conversions in generated modules give canonical NaNs in every engine, so their
//! results can be compared bit for bit even after `reinterpret` or a store.

use wasmrel_difftest::generate::{canonicalize_float_width, Arguments};
use wasmrel_difftest::observe::{Step, Val};
use wasmrel_difftest::{wasmi_engine, wasmrel_engine};
use wasmrel_executor::Plain;

const MODULE: &str = r#"(module
  (func (export "demote_nan") (result i32)
    f64.const nan:0x4000000000001 f32.demote_f64 i32.reinterpret_f32)
  (func (export "demote_number") (result i32)
    f64.const -1.5 f32.demote_f64 i32.reinterpret_f32)
  (func (export "promote_nan") (param i32) (result i64)
    (local f32)
    f32.const -nan:0x200001 f64.promote_f32 i64.reinterpret_f64)
  (func (export "promote_number") (result i64)
    f32.const 0.25 f64.promote_f32 i64.reinterpret_f64))"#;

#[test]
fn conversions_give_canonical_nans_and_keep_numbers() {
    let bytes = canonicalize_float_width(&wat::parse_str(MODULE).unwrap()).unwrap();
    let expected = [
        ("demote_nan", Val::I32(0x7fc0_0000)),
        ("demote_number", Val::I32((-1.5f32).to_bits() as i32)),
        ("promote_nan", Val::I64(0x7ff8_0000_0000_0000)),
        ("promote_number", Val::I64(0.25f64.to_bits() as i64)),
    ];
    for seen in [
        wasmi_engine::observe(&bytes, Arguments::Zero),
        wasmrel_engine::observe::<Plain>(&bytes, Arguments::Zero),
    ] {
        for (name, value) in expected {
            let step = seen.steps.iter().find(|(export, _)| export == name);
            let want = Step::Returned(vec![value]);
            assert_eq!(step.map(|(_, step)| step), Some(&want), "{name}");
        }
    }
}
