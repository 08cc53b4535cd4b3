//! The dual check runs the export calls in lockstep and compares with what plain observed: it
//! agrees with a true observation and catches a changed result, trap or memory.

use wasmrel_difftest::generate::Arguments;
use wasmrel_difftest::observe::{Observation, Step, Trap, Val, Verdict};
use wasmrel_difftest::wasmrel_engine::{check_dual, observe};
use wasmrel_executor::Plain;

const STORES: &str = r#"(module
  (memory (export "m") 1 1)
  (func (export "a") (param i32) (result i32)
    (i32.store (i32.const 8) (local.get 0))
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "b") (result i32) (i32.load (i32.const 8))))"#;

fn observed(wat: &str) -> (Vec<u8>, Observation) {
    let bytes = wat::parse_str(wat).unwrap();
    let plain = observe::<Plain>(&bytes, Arguments::Seeded(7));
    assert_eq!(
        check_dual(&bytes, Arguments::Seeded(7), &plain),
        Verdict::Agree
    );
    (bytes, plain)
}

fn diverges(bytes: &[u8], plain: &Observation) -> bool {
    matches!(
        check_dual(bytes, Arguments::Seeded(7), plain),
        Verdict::Diverge(_)
    )
}

#[test]
fn a_changed_result_or_memory_diverges() {
    let (bytes, plain) = observed(STORES);
    let mut wrong_value = plain.clone();
    let Some((_, Step::Returned(values))) = wrong_value.steps.get_mut(2) else {
        panic!("`b` returned: {:?}", plain.steps);
    };
    values[0] = Val::I32(12345);
    assert!(diverges(&bytes, &wrong_value));

    let mut wrong_memory = plain.clone();
    wrong_memory.memory.as_mut().expect("memory is exported")[8] ^= 1;
    assert!(diverges(&bytes, &wrong_memory));
}

#[test]
fn a_missing_trap_diverges() {
    let (bytes, plain) = observed(r#"(module (func (export "c") unreachable))"#);
    assert_eq!(plain.steps[1].1, Step::Trapped(Trap::Unreachable));
    let mut no_trap = plain.clone();
    no_trap.steps[1].1 = Step::Returned(Vec::new());
    assert!(diverges(&bytes, &no_trap));
}

#[test]
fn a_trap_at_instantiation_is_checked() {
    let (bytes, plain) =
        observed(r#"(module (func $boom unreachable) (start $boom) (func (export "f")))"#);
    assert_eq!(plain.steps[0].1, Step::Trapped(Trap::Unreachable));
    let mut no_trap = plain.clone();
    no_trap.steps[0].1 = Step::Returned(Vec::new());
    assert!(diverges(&bytes, &no_trap));
}
