//! The executor run with the [`An`] domain: every benchmark program and example gives the same
//! results as plain mode, traps stay the same traps, and a bit flipped in a live value on the
//! stack, in a local or in a global ends the run detected, never with a wrong result.

use std::path::{Path, PathBuf};
use wasmrel_an_encoding::{level, An};
use wasmrel_executor::{
    Config, Corruption, Domain, Error, Linker, Module, NoHost, Pause, Plain, Store, TrapCode, Value,
};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn invoke<D: Domain>(bytes: &[u8], name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
    let config = Config::default();
    let module = Module::new(&config, bytes)?;
    let mut store: Store<D> = Store::new(config);
    let instance = Linker::new().instantiate(&mut store, &module, &mut NoHost)?;
    store.invoke(instance, name, args, &mut NoHost)
}

fn same_in_both(bytes: &[u8], name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
    let plain = invoke::<Plain>(bytes, name, args);
    let encoded = invoke::<An>(bytes, name, args);
    assert_eq!(plain, encoded, "{name}({args:?})");
    plain
}

#[test]
fn benchmark_programs_compute_the_same_checksums() {
    let dir = repository().join("benches/programs");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("benchmark programs") {
        let path = entry.expect("directory entry").path();
        if !path.to_string_lossy().ends_with(".run.wasm") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("readable program");
        let result = same_in_both(&bytes, "run", &[]);
        assert!(
            matches!(result.as_deref(), Ok([Value::I32(_)])),
            "{path:?}: {result:?}"
        );
        count += 1;
    }
    assert!(
        count >= 7,
        "found only {count} benchmark programs in {dir:?}"
    );
}

#[test]
fn fib_example_gives_the_same_results() {
    let bytes = std::fs::read(repository().join("examples/fib.wasm")).expect("fib example");
    let results = same_in_both(&bytes, "fib", &[Value::I64(90)]).expect("fib runs");
    assert_eq!(results, [Value::I64(2_880_067_194_370_816_120)]);
    let results = same_in_both(&bytes, "fib_recursive", &[Value::I32(20)]).expect("runs");
    assert_eq!(results, [Value::I32(6765)]);
}

const TRAPS: &str = r#"(module
  (memory 1)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem64") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
  (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "unreachable") unreachable)
  (func (export "floats") (param f64 f64) (result f64)
    (f64.add (f64.sqrt (local.get 0)) (f64.copysign (local.get 1) (f64.neg (local.get 0))))))"#;

#[test]
fn traps_and_float_results_are_the_same_as_plain() {
    let bytes = wat::parse_str(TRAPS).expect("valid module");
    let trap = |code| Err(Error::Trap(code));
    assert_eq!(
        same_in_both(&bytes, "div", &[Value::I32(7), Value::I32(0)]),
        trap(TrapCode::IntegerDivideByZero)
    );
    assert_eq!(
        same_in_both(&bytes, "div", &[Value::I32(i32::MIN), Value::I32(-1)]),
        trap(TrapCode::IntegerOverflow)
    );
    assert_eq!(
        same_in_both(&bytes, "div", &[Value::I32(-7), Value::I32(2)]),
        Ok(vec![Value::I32(-3)])
    );
    assert_eq!(
        same_in_both(&bytes, "rem64", &[Value::I64(1), Value::I64(0)]),
        trap(TrapCode::IntegerDivideByZero)
    );
    assert_eq!(
        same_in_both(&bytes, "trunc", &[Value::F32(f32::NAN.to_bits())]),
        trap(TrapCode::InvalidConversionToInteger)
    );
    assert_eq!(
        same_in_both(&bytes, "trunc", &[Value::F32(3e9f32.to_bits())]),
        trap(TrapCode::IntegerOverflow)
    );
    assert_eq!(
        same_in_both(&bytes, "load", &[Value::I32(65534)]),
        trap(TrapCode::MemoryOutOfBounds)
    );
    assert_eq!(
        same_in_both(&bytes, "unreachable", &[]),
        trap(TrapCode::Unreachable)
    );
    // sqrt(2.25) + copysign(4, -2.25) = 1.5 - 4
    let args = [Value::F64(2.25f64.to_bits()), Value::F64(4.0f64.to_bits())];
    assert_eq!(
        same_in_both(&bytes, "floats", &args),
        Ok(vec![Value::F64((-2.5f64).to_bits())])
    );
}

// `$k` and `$n` are read in every iteration and never written, so they are live at every
// stop point; `$g` and `$acc` are rewritten, so a flip in them may be overwritten (benign).
const LOOP: &str = r#"(module
  (global $k (mut i32) (i32.const 5))
  (global $g (mut i32) (i32.const 1))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (i32.mul (i32.xor (local.get $i) (global.get $k)) (i32.const 3))))
      (global.set $g (i32.add (global.get $g) (global.get $k)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $acc) (global.get $g))))"#;

/// Where a flip goes.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// Slot `base + index` of the value stack (locals first, then the operand stack).
    Frame(u32),
    /// Global `index`.
    Global(u32),
}

/// Runs `LOOP` encoded, stops after `stop` instructions, flips `bit` of `target` and
/// finishes; `None` if `target` does not exist.
fn run_with_flip(
    bytes: &[u8],
    stop: u64,
    target: Target,
    bit: u32,
) -> Option<Result<Vec<Value>, Error>> {
    run_in_with_flip::<An>(bytes, &[Value::I32(20)], stop, target, bit)
}

/// Calls `run(args)` in domain `D`, flipping `bit` of `target` after `stop` instructions.
fn run_in_with_flip<D: Domain<Slot = u128>>(
    bytes: &[u8],
    args: &[Value],
    stop: u64,
    target: Target,
    bit: u32,
) -> Option<Result<Vec<Value>, Error>> {
    let config = Config::default();
    let module = Module::new(&config, bytes).expect("valid module");
    let mut store: Store<D> = Store::new(config);
    let instance = Linker::new()
        .instantiate(&mut store, &module, &mut NoHost)
        .expect("links");
    let mut execution = store.start_call(instance, "run", args).expect("starts");
    execution.set_pause_at(stop);
    assert_eq!(
        execution.resume(&mut store),
        Ok(Pause::Stopped),
        "stop at {stop}"
    );
    let slot = match target {
        Target::Frame(index) => {
            let base = execution.frame_base();
            execution.stack_mut().get_mut((base + index) as usize)?
        }
        Target::Global(index) => store.global_slot_mut(index)?,
    };
    *slot ^= 1u128 << bit;
    Some(execution.run(&mut store, &mut NoHost))
}

/// Flips each of the 64 bits of an i32 code word (the low half of its slot) in turn and asserts
/// that every run is detected. `target` must hold a live value at every stop point used.
fn assert_flips_detected(target: Target, stops: &[u64]) {
    let bytes = wat::parse_str(LOOP).expect("valid module");
    let correct = invoke::<Plain>(&bytes, "run", &[Value::I32(20)]).expect("runs");
    for &stop in stops {
        for bit in 0..64 {
            let outcome = run_with_flip(&bytes, stop, target, bit).expect("target exists");
            assert_eq!(
                outcome,
                Err(Error::Corrupted(Corruption::BadCodeWord)),
                "{target:?} bit {bit} at {stop} (correct result {correct:?})"
            );
        }
    }
}

#[test]
fn a_flip_in_a_live_local_is_detected() {
    // Local 0 ($n), the frame's first stack slot, is compared in every iteration.
    assert_flips_detected(Target::Frame(0), &[0, 10, 77, 200, 391]);
}

#[test]
fn a_flip_in_a_live_global_is_detected() {
    assert_flips_detected(Target::Global(0), &[0, 3, 60, 150, 300]);
}

#[test]
fn flips_anywhere_in_the_frame_or_globals_never_give_a_wrong_result() {
    let bytes = wat::parse_str(LOOP).expect("valid module");
    let correct = invoke::<Plain>(&bytes, "run", &[Value::I32(20)]);
    let targets: Vec<Target> = (0..16)
        .map(Target::Frame)
        .chain([Target::Global(1)])
        .collect();
    let (mut detected, mut benign) = (0, 0);
    for stop in [17, 95, 230] {
        for &target in &targets {
            for bit in 0..128 {
                // Slots past the end of the stack do not exist: nothing to flip.
                let Some(outcome) = run_with_flip(&bytes, stop, target, bit) else {
                    continue;
                };
                if outcome == Err(Error::Corrupted(Corruption::BadCodeWord)) {
                    detected += 1;
                } else {
                    assert_eq!(outcome, correct, "{target:?} bit {bit} at {stop}");
                    benign += 1;
                }
            }
        }
    }
    assert!(
        detected > 3 * 64 && benign > 0,
        "{detected} detected, {benign} benign"
    );
}

#[test]
fn check_level_op_reports_an_invalid_operand_even_if_its_result_is_dropped() {
    let dropped = r#"(module (func (export "run") (param i32) (result i32)
        (drop (i32.add (local.get 0) (i32.const 1))) (i32.const 7)))"#;
    let bytes = wat::parse_str(dropped).expect("valid module");
    let args = [Value::I32(3)];
    for bit in 0..48 {
        let at_block = run_in_with_flip::<An>(&bytes, &args, 0, Target::Frame(0), bit);
        assert_eq!(at_block, Some(Ok(vec![Value::I32(7)])), "bit {bit}");
        let at_op = run_in_with_flip::<An<{ level::OP }>>(&bytes, &args, 0, Target::Frame(0), bit);
        assert_eq!(
            at_op,
            Some(Err(Error::Corrupted(Corruption::BadCodeWord))),
            "bit {bit}"
        );
    }
}
