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
    assert!(store.same_state(&copy_store) && execution.same_state(&copy, &store));

    let done = execution.resume(&mut store).unwrap();
    assert_eq!(done, Pause::Done(vec![Value::I32(5050)]));
    // The original ran on; the copy is still at the pause.
    assert!(!execution.same_state(&copy, &store));
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
    assert!(!execution.same_state(&flipped, &store));

    let mut limited = execution.clone();
    limited.set_fuel_limit(400);
    let outcome = limited.resume(&mut store.clone());
    assert!(outcome.is_err(), "{outcome:?}");
}

const CALLS: &str = r#"(module
  (func $triple (param i32) (result i32) (local i32)
    (local.set 1 (i32.mul (local.get 0) (i32.const 3)))
    (local.get 1))
  (func (export "sum") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $triple (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))"#;

#[test]
fn slots_above_the_current_frame_are_dead() {
    let (mut store, instance) = instantiate(Config::default(), CALLS);
    let mut execution = store
        .start_call(instance, "sum", &[Value::I32(50)])
        .unwrap();
    // Stop in `sum` after `triple` has run once: its frame is left above `sum`'s.
    let mut t = 20;
    loop {
        execution.set_pause_at(t);
        assert_eq!(execution.resume(&mut store).unwrap(), Pause::Stopped);
        if execution.call_depth() == 1 && execution.fuel_used() > 10 {
            break;
        }
        t += 1;
    }
    let mut stale = execution.clone();
    let last = stale.stack_mut().len() - 1;
    stale.stack_mut()[last] ^= 1;
    assert!(execution.same_state(&stale, &store));
    let mut live = execution.clone();
    live.stack_mut()[0] ^= 1;
    assert!(!execution.same_state(&live, &store));
    // And the stale value indeed never matters: both finish alike.
    let mut stale_store = store.clone();
    let done = execution.resume(&mut store).unwrap();
    assert_eq!(stale.resume(&mut stale_store).unwrap(), done);
    assert_eq!(done, Pause::Done(vec![Value::I32(3 * 50 * 51 / 2)]));
}
