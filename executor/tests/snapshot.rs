//! Copies of a paused call (store and execution) run on like the original, and
//! `same_state` tells equal states from states a flipped bit made different.

mod common;

use common::instantiate;
use wasmrel_executor::{Config, Pause, Value};

const LOOP: &str = r#"(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func (export "sum") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (i32.store (i32.const 16) (local.get $acc))
        (global.set $g (local.get $n))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))"#;

#[test]
fn a_copy_taken_at_a_pause_finishes_like_the_original() {
    let (mut store, instance) = instantiate(Config::default(), LOOP);
    let mut execution = store
        .start_call(instance, "sum", &[Value::I32(100)])
        .unwrap();
    execution.set_pause_at(250);
    assert_eq!(execution.resume(&mut store).unwrap(), Pause::Stopped);
    let (mut copy_store, mut copy) = (store.clone(), execution.clone());
    assert!(store.same_state(&copy_store) && execution.same_state(&copy));

    let done = execution.resume(&mut store).unwrap();
    assert_eq!(done, Pause::Done(vec![Value::I32(5050)]));
    // The original ran on; the copy is still at the pause.
    assert!(!execution.same_state(&copy));
    assert!(!store.same_state(&copy_store));
    assert_eq!(copy.resume(&mut copy_store).unwrap(), done);
    assert!(store.same_state(&copy_store));
    assert_eq!(copy.fuel_used(), execution.fuel_used());
}

#[test]
fn flipped_state_is_not_the_same_and_fuel_limits_apply_to_copies() {
    let (mut store, instance) = instantiate(Config::default(), LOOP);
    let mut execution = store
        .start_call(instance, "sum", &[Value::I32(100)])
        .unwrap();
    execution.set_pause_at(300);
    assert_eq!(execution.resume(&mut store).unwrap(), Pause::Stopped);

    let mut flipped = store.clone();
    *flipped.global_slot_mut(0).unwrap() ^= 1 << 40;
    assert!(!store.same_state(&flipped));
    let mut flipped = store.clone();
    flipped.memory_mut(instance).unwrap().bytes_mut()[4000] ^= 1;
    assert!(!store.same_state(&flipped));
    let mut flipped = execution.clone();
    flipped.stack_mut()[1] ^= 1;
    assert!(!execution.same_state(&flipped));

    let mut limited = execution.clone();
    limited.set_fuel_limit(400);
    let outcome = limited.resume(&mut store.clone());
    assert!(outcome.is_err(), "{outcome:?}");
}
