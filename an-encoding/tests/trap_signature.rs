//! A program counter that a fault moves to intact code can reach an instruction that traps
//! before the next block exit checks the control-flow signature. Encoded execution must report
//! that as a detected fault (mechanism `signature`, at the trapping instruction), while a trap
//! the program really raises stays the trap plain mode raises (the issue's Bad-input rule).

use wasmrel_an_encoding::An;
use wasmrel_executor::{
    Config, Error, Execution, Linker, Module, NoHost, Pause, Place, Store, TrapCode, Value,
};

/// `run` loops `$n` times, then, only if `$trap` is set, traps: with a division by zero
/// (`$trap` = 1, an instruction of the interpreter's loop) or an out-of-bounds `memory.fill`
/// of `$len` bytes (`$trap` = 2, an instruction run out of the loop). The trapping
/// instructions read locals only, so they find valid code words wherever the pc comes from.
const PROGRAM: &str = r#"(module
  (memory 1)
  (func (export "run") (param $n i32) (param $trap i32) (param $len i32) (result i32)
    (local $i i32) (local $zero i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (if (i32.eq (local.get $trap) (i32.const 1))
      (then (local.set $i (i32.div_u (local.get $i) (local.get $zero)))))
    (if (i32.eq (local.get $trap) (i32.const 2))
      (then (memory.fill (local.get $zero) (local.get $i) (local.get $len))))
    (local.get $i)))"#;

/// The encoded store and the call `run(20, trap, 70000)`, paused after `stop` instructions; `None`
/// if the call ends before.
fn paused(trap: i32, stop: u64) -> Option<(Store<An>, Execution<An>)> {
    let bytes = wat::parse_str(PROGRAM).expect("valid module");
    let config = Config::default();
    let module = Module::new(&config, &bytes).expect("valid module");
    let mut store: Store<An> = Store::new(config);
    let instance = Linker::new()
        .instantiate(&mut store, &module, &mut NoHost)
        .expect("links");
    let args = [Value::I32(20), Value::I32(trap), Value::I32(70_000)];
    let mut execution = store.start_call(instance, "run", &args).expect("starts");
    execution.set_pause_at(stop);
    let pause = execution.resume(&mut store);
    (pause == Ok(Pause::Stopped)).then_some((store, execution))
}

/// Where the program's own trap `trap` happens: the program counter and place of a run that
/// raises it (paused and resumed halfway, which must not change the outcome).
fn genuine_trap(trap: i32, expected: TrapCode) -> (u32, Option<Place>) {
    let (mut store, mut execution) = paused(trap, 50).expect("runs past 50 instructions");
    let outcome = execution.run(&mut store, &mut NoHost);
    assert_eq!(outcome, Err(Error::Trap(expected)), "trap {trap}");
    (execution.pc(), execution.place(&store))
}

#[test]
fn a_pc_moved_onto_a_trapping_instruction_is_a_signature_detection() {
    for (trap, code) in [
        (1, TrapCode::IntegerDivideByZero),
        (2, TrapCode::MemoryOutOfBounds),
    ] {
        let (pc, place) = genuine_trap(trap, code);
        assert!(place.is_some(), "trap {trap}");
        // A run that would not trap, its pc moved mid-loop onto the trapping instruction:
        // that instruction traps at once (its operands are in their slots), before any
        // signature check.
        let (mut store, mut execution) = paused(trap, 50).expect("runs past 50 instructions");
        execution.set_pc(pc);
        let outcome = execution.run(&mut store, &mut NoHost);
        match outcome {
            Err(Error::Corrupted(corruption)) => {
                assert_eq!(corruption.mechanism(), "signature", "trap {trap}")
            }
            other => panic!("trap {trap}: {other:?}, expected a signature detection"),
        }
        assert_eq!(execution.place(&store), place, "trap {trap}");
    }
}

#[test]
fn a_flipped_signature_is_detected_at_every_point_also_right_before_a_genuine_trap() {
    // The program's own trap, with the runtime signature flipped after each instruction on
    // the way: always detected, also between the last block exit and the trap, where only
    // the trap's own check sees it (the trap cannot tell that the fault did not cause it).
    let mut stops = 0;
    while let Some((mut store, mut execution)) = paused(1, stops + 1) {
        stops += 1;
        *execution.signature_mut() ^= 1 << (stops % 32);
        let outcome = execution.run(&mut store, &mut NoHost);
        assert!(
            matches!(outcome, Err(Error::Corrupted(c)) if c.mechanism() == "signature"),
            "flipped after {stops} instructions: {outcome:?}"
        );
    }
    assert!(stops > 100, "{stops}");
}
