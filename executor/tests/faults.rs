//! Bit flips in the IR, the value stack, the program counter, the frames, globals and memory
//! of a running program must end in a defined outcome (`Ok` or an `Error`), never a panic.

mod common;

use common::{wat, XorShift};
use std::panic::{catch_unwind, AssertUnwindSafe};
use wasmrel_executor::{Config, Error, Linker, Module, NoHost, Pause, Plain, Store, Value};

const PROGRAM: &str = r#"(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (table 2 funcref)
  (elem (i32.const 0) $inc $dbl)
  (type $t (func (param i32) (result i32)))
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $t) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (i32.store (i32.shl (i32.and (local.get $i) (i32.const 255)) (i32.const 2)) (local.get $acc))
      (local.set $acc
        (call_indirect (type $t) (local.get $acc) (i32.and (local.get $i) (i32.const 1))))
      (block $a (block $b (br_table $a $b (i32.and (local.get $i) (i32.const 1))))
        (global.set $g (i32.add (global.get $g) (i32.const 1))))
      (local.set $acc (i32.add (local.get $acc) (i32.load (i32.const 4))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $acc) (global.get $g))))"#;

const ARG: [Value; 1] = [Value::I32(40)];

/// Runs export `run` of `module` with `args` once, stopping after `stop` instructions to flip
/// one bit chosen by `rng`.
fn run_with_flip(
    module: &Module,
    args: &[Value],
    config: Config,
    stop: u64,
    rng: &mut XorShift,
) -> Result<Vec<Value>, Error> {
    let mut store: Store<Plain> = Store::new(config);
    let instance = Linker::new().instantiate(&mut store, module, &mut NoHost)?;
    let mut execution = store.start_call(instance, "run", args)?;
    execution.set_pause_at(stop);
    match execution.resume(&mut store)? {
        Pause::Stopped => {}
        Pause::Done(values) => return Ok(values),
        other => panic!("unexpected pause {other:?}"),
    }
    let bit = rng.below(64) as u32;
    match rng.below(7) {
        0 => {
            let func = execution.current_func();
            let code = store.code_mut(func).expect("a Wasm function runs");
            let index = rng.below(code.len() as u64) as usize;
            code[index] ^= 1 << (bit % 32);
        }
        1 => {
            let stack = execution.stack_mut();
            let index = rng.below(stack.len() as u64) as usize;
            stack[index] ^= 1 << bit;
        }
        2 => execution.set_pc(execution.pc() ^ (1 << (bit % 32))),
        3 => execution.set_frame_base(execution.frame_base() ^ (1 << (bit % 32))),
        4 => {
            if let Some(frame) = execution.frames_mut().last_mut() {
                match bit % 3 {
                    0 => frame.pc ^= 1 << (bit % 32),
                    1 => frame.base ^= 1 << (bit % 32),
                    _ => frame.func ^= 1 << (bit % 32),
                }
            }
        }
        5 => {
            let global = rng.below(u64::from(store.global_count())) as u32;
            *store.global_slot_mut(global).expect("global exists") ^= 1 << bit;
        }
        _ => {
            let memory = store
                .memory_mut(instance)
                .expect("memory exists")
                .bytes_mut();
            let index = rng.below(memory.len().min(1 << 20) as u64) as usize;
            memory[index] ^= 1 << (bit % 8);
        }
    }
    execution.run(&mut store, &mut NoHost)
}

/// Flips one random bit per run, `trials` times, and returns the (benign, wrong result,
/// error) counts; panics if a run panics.
fn flip_campaign(module: &Module, args: &[Value], trials: usize, seed: u64) -> [usize; 3] {
    let mut store: Store<Plain> = Store::new(Config::default());
    let instance = Linker::new()
        .instantiate(&mut store, module, &mut NoHost)
        .unwrap();
    let mut execution = store.start_call(instance, "run", args).unwrap();
    let golden = execution.run(&mut store, &mut NoHost).unwrap();
    let total = execution.fuel_used();

    // Generous fuel so that a flip causing an endless loop ends as a limit.
    let config = Config {
        fuel: Some(total * 4),
        ..Config::default()
    };
    let mut rng = XorShift(seed);
    let mut counts = [0; 3];
    for trial in 0..trials {
        let stop = rng.below(total);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            run_with_flip(module, args, config, stop, &mut rng)
        }));
        match outcome {
            Ok(Ok(values)) if values == golden => counts[0] += 1,
            Ok(Ok(_)) => counts[1] += 1,
            Ok(Err(_)) => counts[2] += 1,
            Err(_) => panic!("trial {trial} (stop at {stop}) panicked"),
        }
    }
    counts
}

#[test]
fn random_bit_flips_end_in_defined_outcomes() {
    let module = Module::new(&Config::default(), &wat(PROGRAM)).unwrap();
    let [same, different, errors] = flip_campaign(&module, &ARG, 3000, 0x5eed_1234_abcd_9876);
    println!("flips: {same} benign, {different} wrong result, {errors} errors");
    assert!(
        errors > 0 && same > 0,
        "the flips should hit both live and dead state"
    );
}

#[test]
fn bit_flips_in_the_benchmark_programs_end_in_defined_outcomes() {
    let programs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/programs");
    for name in ["fib", "lz", "nbody", "sha256", "sieve", "sort", "vm"] {
        let bytes = std::fs::read(programs.join(format!("{name}.run.wasm"))).unwrap();
        let module = Module::new(&Config::default(), &bytes).unwrap();
        let [same, different, errors] = flip_campaign(&module, &[], 15, 0xfa17);
        println!("{name}: {same} benign, {different} wrong result, {errors} errors");
    }
}
