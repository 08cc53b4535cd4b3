//! One bit flipped in each kind of execution state (stack, local, global, memory, program
//! counter, code, control-flow signature) of an encoded run, mid-run: the run must end
//! detected (an `Error::Corrupted` whose mechanism says which check caught it), never with a
//! wrong result.

use wasmrel_an_encoding::An;
use wasmrel_executor::{
    Config, Error, Execution, Linker, Module, NoHost, Pause, Place, Plain, Protection, Store, Value,
};

const PROGRAM: &str = r#"(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08")
  (global $k (mut i32) (i32.const 5))
  (func $mix (param i32) (result i32) (i32.xor (local.get 0) (global.get $k)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (call $mix (i32.load8_u (i32.and (local.get $i) (i32.const 7))))))
      (if (i32.and (local.get $i) (i32.const 1))
        (then (i32.store (i32.const 64) (local.get $acc))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $acc) (i32.load (i32.const 64)))))"#;

const ARGS: [Value; 1] = [Value::I32(24)];
/// Stop points inside the loop (it runs about 24 × 25 instructions).
const STOPS: [u64; 4] = [30, 157, 250, 301];

#[derive(Debug, Clone, Copy)]
enum State {
    /// Value-stack slot `base + index` of the current frame.
    Slot(u32),
    Global(u32),
    /// Byte `address` of memory 0.
    Memory(usize),
    Pc,
    /// Word `index` of the current function's code.
    Code(usize),
    Signature,
}

/// Runs `run` encoded with `protection`, flipping `bit` of `state` after `stop`
/// instructions; `None` if the state does not exist.
fn run(
    protection: Protection,
    stop: u64,
    state: State,
    bit: u32,
) -> Option<Result<Vec<Value>, Error>> {
    let (mut store, mut execution) = flipped(protection, stop, state, bit)?;
    Some(execution.run(&mut store, &mut NoHost))
}

/// The store and execution of `run`, encoded with `protection`, stopped after `stop`
/// instructions with `bit` of `state` flipped; `None` if the state does not exist.
fn flipped(
    protection: Protection,
    stop: u64,
    state: State,
    bit: u32,
) -> Option<(Store<An>, Execution<An>)> {
    let bytes = wat::parse_str(PROGRAM).expect("valid module");
    let config = Config {
        fuel: Some(100_000),
        ..Config::default()
    };
    let module = Module::new(&config, &bytes).expect("valid module");
    let mut store: Store<An> = Store::new(config);
    store.set_memory_protection(protection);
    let instance = Linker::new()
        .instantiate(&mut store, &module, &mut NoHost)
        .expect("links");
    let mut execution = store.start_call(instance, "run", &ARGS).expect("starts");
    execution.set_pause_at(stop);
    assert_eq!(execution.resume(&mut store), Ok(Pause::Stopped));
    match state {
        State::Slot(index) => {
            let slot = execution.frame_base() + index;
            *execution.stack_mut().get_mut(slot as usize)? ^= 1 << bit;
        }
        State::Global(index) => *store.global_slot_mut(index)? ^= 1 << bit,
        State::Memory(address) => {
            let memory = store.memory_mut(instance)?;
            *memory.bytes_mut().get_mut(address)? ^= 1 << bit;
        }
        State::Pc => execution.set_pc(execution.pc() ^ 1 << bit),
        State::Code(index) => {
            let func = execution.current_func();
            *store.code_mut(func)?.get_mut(index)? ^= 1 << bit;
        }
        State::Signature => *execution.signature_mut() ^= 1 << bit,
    }
    Some((store, execution))
}

fn correct() -> Result<Vec<Value>, Error> {
    let bytes = wat::parse_str(PROGRAM).expect("valid module");
    let config = Config::default();
    let module = Module::new(&config, &bytes).expect("valid module");
    let mut store: Store<Plain> = Store::new(config);
    let instance = Linker::new()
        .instantiate(&mut store, &module, &mut NoHost)
        .expect("links");
    store.invoke(instance, "run", &ARGS, &mut NoHost)
}

/// The mechanism that ended a run, if it was a detection.
fn detected_by(outcome: &Result<Vec<Value>, Error>) -> Option<&'static str> {
    match outcome {
        Err(Error::Corrupted(corruption)) => Some(corruption.mechanism()),
        _ => None,
    }
}

/// Every flip of `bits` in `state` at every stop point must be detected by `mechanism`.
fn assert_detected(
    protection: Protection,
    state: State,
    bits: std::ops::Range<u32>,
    mechanism: &str,
) {
    for stop in STOPS {
        for bit in bits.clone() {
            let outcome = run(protection, stop, state, bit).expect("state exists");
            assert_eq!(
                detected_by(&outcome),
                Some(mechanism),
                "{state:?} bit {bit} at {stop}: {outcome:?}"
            );
        }
    }
}

#[test]
fn the_program_runs_unflipped() {
    assert_eq!(
        run(Protection::Crc, 0, State::Signature, 0).map(|r| r.is_err()),
        Some(true)
    );
    let encoded = {
        let bytes = wat::parse_str(PROGRAM).expect("valid module");
        let module = Module::new(&Config::default(), &bytes).expect("valid module");
        let mut store: Store<An> = Store::new(Config::default());
        let instance = Linker::new()
            .instantiate(&mut store, &module, &mut NoHost)
            .expect("links");
        store.invoke(instance, "run", &ARGS, &mut NoHost)
    };
    assert_eq!(encoded, correct());
}

#[test]
fn local() {
    // Local 0 ($n) is compared in every iteration: any flip of its slot, the 64-bit word and
    // the upper half an i32 leaves zero.
    assert_detected(Protection::Crc, State::Slot(0), 0..128, "an");
}

#[test]
fn global() {
    // $k is read by every call of $mix: any bit of its slot.
    assert_detected(Protection::Crc, State::Global(0), 0..128, "an");
}

#[test]
fn memory() {
    // Bytes 0..8 are read by the loop and never written.
    for protection in [Protection::Crc, Protection::Dup] {
        for address in 0..8 {
            assert_detected(protection, State::Memory(address), 0..8, "memory");
        }
    }
}

#[test]
fn signature() {
    assert_detected(Protection::Crc, State::Signature, 0..32, "signature");
}

/// What the flips of one state kind did.
#[derive(Debug, Default)]
struct Tally {
    detected: usize,
    benign: usize,
    /// Stopped by a limit (fuel: a hang; value stack or call depth): neither detected nor
    /// a wrong result.
    limits: usize,
}

/// Flips every bit of every `state` produced by `states` at every stop point: no run may
/// end with a wrong result or a trap; it is detected, benign (the correct result) or, if
/// `limits_allowed`, stopped by a resource limit.
fn assert_never_wrong(
    states: impl Iterator<Item = State> + Clone,
    bits: std::ops::Range<u32>,
    limits_allowed: bool,
) -> Tally {
    let correct = correct();
    let mut tally = Tally::default();
    for stop in STOPS {
        for state in states.clone() {
            for bit in bits.clone() {
                let Some(outcome) = run(Protection::Crc, stop, state, bit) else {
                    continue;
                };
                if detected_by(&outcome).is_some() {
                    tally.detected += 1;
                } else if limits_allowed && matches!(outcome, Err(Error::Limit(_))) {
                    tally.limits += 1;
                } else {
                    assert_eq!(outcome, correct, "{state:?} bit {bit} at {stop}");
                    tally.benign += 1;
                }
            }
        }
    }
    println!("{tally:?}");
    tally
}

#[test]
fn stack() {
    // Every slot of the frame (locals and operand stack), all 128 bits: a flip in a dead
    // slot is benign, every other one detected.
    let tally = assert_never_wrong((0..12).map(State::Slot), 0..128, false);
    assert!(tally.detected > 0 && tally.benign > 0, "{tally:?}");
}

#[test]
fn pc() {
    let tally = assert_never_wrong([State::Pc].into_iter(), 0..32, false);
    assert_eq!(tally.benign, 0, "a changed pc always runs something else");
    assert!(tally.detected > 0, "{tally:?}");
}

#[test]
fn code() {
    // Every bit of every word of the running function. A flip in code that does not run
    // again is benign. Known gap: a flipped call target or frame offset acts before the
    // block's exit check, and a call that recurses (or puts its frame far away) runs into
    // the fuel or stack limit instead of being detected; such runs are counted and must stay
    // rare.
    let tally = assert_never_wrong((0..200).map(State::Code), 0..32, true);
    assert!(tally.detected > tally.benign, "{tally:?}");
    assert!(tally.limits * 100 < tally.detected, "{tally:?}");
}

/// Runs `run` flipping `bit` of `state` at `stop` and returns the outcome with the place the
/// execution stopped at, and the module's bytes.
fn run_with_place(
    stop: u64,
    state: State,
    bit: u32,
) -> (Result<Vec<Value>, Error>, Option<Place>, Vec<u8>) {
    let (mut store, mut execution) =
        flipped(Protection::None, stop, state, bit).expect("the state exists");
    let outcome = execution.run(&mut store, &mut NoHost);
    let bytes = wat::parse_str(PROGRAM).expect("valid module");
    (outcome, execution.place(&store), bytes)
}

#[test]
fn a_detection_names_its_function_and_wasm_instruction() {
    // $n (local 0 of `run`, function 1, which has no name) is read only by the loop's
    // `i32.lt_u` + `br_if`, fused into one instruction: the place is that `br_if` (0x0d).
    let (outcome, place, bytes) = run_with_place(157, State::Slot(0), 3);
    assert_eq!(detected_by(&outcome), Some("an"), "{outcome:?}");
    let place = place.expect("a Wasm function");
    assert_eq!((place.function, place.name.as_deref()), (1, None));
    let offset = place.offset.expect("an offset") as usize;
    assert_eq!(bytes[offset], 0x0d, "{place}");
    assert_eq!(place.to_string(), format!("function 1+{offset:#x}"));
    // $k is read by `global.get` (0x23) in $mix, which the name section names.
    let (outcome, place, bytes) = run_with_place(157, State::Global(0), 5);
    assert_eq!(detected_by(&outcome), Some("an"), "{outcome:?}");
    let place = place.expect("a Wasm function");
    assert_eq!((place.function, place.name.as_deref()), (0, Some("mix")));
    let offset = place.offset.expect("an offset") as usize;
    assert!(
        matches!(bytes[offset], 0x23 | 0x73),
        "{place}: {:#x}",
        bytes[offset]
    );
}
