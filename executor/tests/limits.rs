//! Fuel, hook, call depth, value stack, memory and table limits, and the explicit call stack.

mod common;

use common::{instantiate, COUNT_LOOP, RECURSION};
use wasmrel_executor::{Config, Error, FuelCount, LimitKind, Limits, NoHost, Pause, Value};

/// Both ways of counting: a limit, a hook or a stop point must work the same in each.
const COUNTS: [FuelCount; 2] = [FuelCount::Exact, FuelCount::WhenNeeded];

fn count_config(fuel_count: FuelCount, fuel: Option<u64>, hook_interval: Option<u64>) -> Config {
    Config {
        fuel,
        fuel_count,
        hook_interval,
        ..Config::default()
    }
}

#[test]
fn fuel_counts_every_executed_wasm_instruction() {
    for (count, n) in COUNTS
        .into_iter()
        .flat_map(|c| [0, 1, 5, 100].map(|n| (c, n)))
    {
        let exact = 12 * n + 7;
        let config = count_config(count, Some(exact), None);
        let (mut store, instance) = instantiate(config, COUNT_LOOP);
        let args = [Value::I32(n as i32)];
        let mut execution = store.start_call(instance, "count", &args).unwrap();
        let results = execution.run(&mut store, &mut NoHost).unwrap();
        assert_eq!(results, [Value::I32(2 * n as i32)]);
        assert_eq!(execution.fuel_used(), exact, "{count:?}, n = {n}");

        let config = count_config(count, Some(exact - 1), None);
        let (mut store, instance) = instantiate(config, COUNT_LOOP);
        let outcome = store.invoke(instance, "count", &args, &mut NoHost);
        assert_eq!(
            outcome,
            Err(Error::Limit(LimitKind::Fuel)),
            "{count:?}, n = {n}"
        );
    }
}

#[test]
fn hook_pauses_every_interval_and_resumes() {
    let n = 50;
    let total = 12 * n + 7;
    for count in COUNTS {
        let (mut store, instance) = instantiate(count_config(count, None, Some(10)), COUNT_LOOP);
        let mut execution = store
            .start_call(instance, "count", &[Value::I32(n as i32)])
            .unwrap();
        let mut hooks = 0;
        let results = loop {
            match execution.resume(&mut store).unwrap() {
                Pause::Hook => {
                    hooks += 1;
                    assert!(execution.fuel_used() <= hooks * 10, "paused late");
                }
                Pause::Done(results) => break results,
                other => panic!("unexpected pause {other:?}"),
            }
        };
        assert_eq!(results, [Value::I32(2 * n as i32)]);
        assert_eq!(hooks, (total - 1) / 10, "{count:?}");
        assert_eq!(execution.fuel_used(), total, "{count:?}");
    }
}

#[test]
fn pause_at_stops_at_the_requested_instruction_count() {
    for count in COUNTS {
        let (mut store, instance) = instantiate(count_config(count, None, None), COUNT_LOOP);
        let mut execution = store
            .start_call(instance, "count", &[Value::I32(20)])
            .unwrap();
        execution.set_pause_at(100);
        assert_eq!(execution.resume(&mut store).unwrap(), Pause::Stopped);
        // Fused instructions cost at most 3, so the stop is at most 2 short of the target.
        let stopped_at = execution.fuel_used();
        assert!((98..=100).contains(&stopped_at), "{count:?}");
        let done = execution.resume(&mut store).unwrap();
        assert_eq!(done, Pause::Done(vec![Value::I32(40)]));
        // Past the stop, nothing needs the count any more.
        let total = match count {
            FuelCount::Exact => 12 * 20 + 7,
            FuelCount::WhenNeeded => stopped_at,
        };
        assert_eq!(execution.fuel_used(), total, "{count:?}");
    }
}

#[test]
fn uncounted_runs_compute_the_same_results_without_counting() {
    let cases = [
        (COUNT_LOOP, "count", 1000, 2000),
        (RECURSION, "depth", 3000, 3000),
    ];
    for (module, name, arg, result) in cases {
        for count in COUNTS {
            let (mut store, instance) = instantiate(count_config(count, None, None), module);
            let mut execution = store
                .start_call(instance, name, &[Value::I32(arg)])
                .unwrap();
            let results = execution.run(&mut store, &mut NoHost);
            assert_eq!(results, Ok(vec![Value::I32(result)]), "{name}, {count:?}");
            let counted = execution.fuel_used() > 0;
            assert_eq!(counted, count == FuelCount::Exact, "{name}, {count:?}");
        }
    }
}

fn limited(limits: Limits) -> Config {
    Config {
        limits,
        ..Config::default()
    }
}

#[test]
fn call_depth_limit_is_exact() {
    let limits = Limits {
        max_call_depth: 1000,
        ..Limits::default()
    };
    let (mut store, instance) = instantiate(limited(limits), RECURSION);
    let ok = store.invoke(instance, "depth", &[Value::I32(999)], &mut NoHost);
    assert_eq!(ok, Ok(vec![Value::I32(999)]));
    let too_deep = store.invoke(instance, "depth", &[Value::I32(1000)], &mut NoHost);
    assert_eq!(too_deep, Err(Error::Limit(LimitKind::CallDepth)));
}

#[test]
fn value_stack_limit_stops_deep_recursion() {
    let limits = Limits {
        max_stack_slots: 1000,
        ..Limits::default()
    };
    let (mut store, instance) = instantiate(limited(limits), RECURSION);
    let ok = store.invoke(instance, "depth", &[Value::I32(10)], &mut NoHost);
    assert_eq!(ok, Ok(vec![Value::I32(10)]));
    let deep = store.invoke(instance, "depth", &[Value::I32(5000)], &mut NoHost);
    assert_eq!(deep, Err(Error::Limit(LimitKind::Stack)));
}

#[test]
fn deep_recursion_does_not_use_the_native_stack() {
    // 50 000 nested Wasm calls on a 512 KiB native stack: only possible without recursion
    // (the interpreter loop's own frame takes some 280 KiB in an unoptimised build, where
    // every instruction arm keeps its own stack slots; a few hundred bytes when optimised).
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let (mut store, instance) = instantiate(Config::default(), RECURSION);
            store.invoke(instance, "depth", &[Value::I32(50_000)], &mut NoHost)
        })
        .unwrap();
    assert_eq!(worker.join().unwrap(), Ok(vec![Value::I32(50_000)]));
}

const GROW: &str = r#"(module
  (memory 1)
  (table 1 funcref)
  (func (export "grow_memory") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_table") (param i32) (result i32)
    (table.grow (ref.null func) (local.get 0))))"#;

#[test]
fn memory_limit_stops_growth_and_instantiation() {
    let limits = Limits {
        max_memory_bytes: 3 * 65_536,
        ..Limits::default()
    };
    let (mut store, instance) = instantiate(limited(limits), GROW);
    let grow = |store: &mut wasmrel_executor::Store, pages| {
        store.invoke(instance, "grow_memory", &[Value::I32(pages)], &mut NoHost)
    };
    assert_eq!(grow(&mut store, 2), Ok(vec![Value::I32(1)]));
    assert_eq!(grow(&mut store, 1), Err(Error::Limit(LimitKind::Memory)));
    assert_eq!(store.memory(instance).unwrap().pages(), 3);

    let bytes = common::wat("(module (memory 4))");
    let module = wasmrel_executor::Module::new(&limited(limits), &bytes).unwrap();
    let mut store = wasmrel_executor::Store::<wasmrel_executor::Plain>::new(limited(limits));
    let outcome = wasmrel_executor::Linker::new().instantiate(&mut store, &module, &mut NoHost);
    assert_eq!(outcome, Err(Error::Limit(LimitKind::Memory)));
}

#[test]
fn table_limit_stops_growth() {
    let limits = Limits {
        max_table_elements: 5,
        ..Limits::default()
    };
    let (mut store, instance) = instantiate(limited(limits), GROW);
    let grow = |store: &mut wasmrel_executor::Store, n| {
        store.invoke(instance, "grow_table", &[Value::I32(n)], &mut NoHost)
    };
    assert_eq!(grow(&mut store, 4), Ok(vec![Value::I32(1)]));
    assert_eq!(grow(&mut store, 1), Err(Error::Limit(LimitKind::Table)));
}

const BRANCHES: &str = r#"(module
  (func (export "br_if") (param i32) (result i32)
    (block (result i32)
      (i32.const 1) (local.get 0) (local.get 0) (br_if 0)
      (drop) (drop) (i32.const 7)))
  (func (export "br_table") (param i32) (result i32)
    (block (result i32)
      (block (result i32)
        (i32.const 100) (i32.const 5) (local.get 0) (br_table 0 1 1))
      (i32.add (i32.const 1))))
  (func (export "switch") (param i32) (result i32)
    (block
      (block
        (br_table 0 1 (local.get 0)))
      (return (i32.const 10)))
    (i32.const 20))
  (func (export "ends") (param i32) (result i32)
    (block
      (block
        (br_if 0 (local.get 0))
        (br_if 1 (local.get 0)))
      (nop))
    (i32.const 30)))"#;

#[test]
fn fuel_is_exact_through_branches_that_move_values() {
    // (export, argument, result, Wasm instructions executed), counted by hand.
    let cases = [
        ("br_if", 3, 3, 6),
        ("br_if", 0, 7, 10),
        ("br_table", 0, 6, 10),
        ("br_table", 1, 5, 7),
        ("br_table", 9, 5, 7),
        ("switch", 0, 10, 6),
        ("switch", 1, 20, 6),
        ("switch", -1, 20, 6),
        // A label reached by a jump and by falling through, the fuel of `nop` and `end`
        // after it: charged on both paths.
        ("ends", 1, 30, 8),
        ("ends", 0, 30, 11),
    ];
    for (name, arg, result, exact) in cases {
        let (mut store, instance) =
            instantiate(count_config(FuelCount::Exact, Some(exact), None), BRANCHES);
        let mut execution = store
            .start_call(instance, name, &[Value::I32(arg)])
            .unwrap();
        let results = execution.run(&mut store, &mut NoHost);
        assert_eq!(results, Ok(vec![Value::I32(result)]), "{name}({arg})");
        assert_eq!(execution.fuel_used(), exact, "{name}({arg})");
        let (mut store, instance) = instantiate(
            count_config(FuelCount::Exact, Some(exact - 1), None),
            BRANCHES,
        );
        let outcome = store.invoke(instance, name, &[Value::I32(arg)], &mut NoHost);
        assert_eq!(outcome, Err(Error::Limit(LimitKind::Fuel)), "{name}({arg})");
    }
}

#[test]
fn fuel_before_a_label_rides_on_the_instruction_before_it() {
    use wasmrel_executor::ir::{fuel_of, Op};
    // `block` and `loop` are charged by the addition before the loop, not by an instruction
    // of their own, and the count stays exact.
    let text = r#"(module
      (func (export "f") (param i32) (result i32)
        (local.set 0 (i32.add (local.get 0) (i32.const 3)))
        (block (loop
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br_if 0 (local.get 0))))
        (local.get 0)))"#;
    let (mut store, instance) = instantiate(count_config(FuelCount::Exact, None, None), text);
    let func = store.get_func(instance, "f").unwrap();
    let code = store.code_mut(func).unwrap().to_vec();
    let listing = wasmrel_executor::ir::disassemble(&code);
    assert!(!listing.contains("Fuel"), "{listing}");
    let first = Op::decode(code[0]);
    assert_eq!(
        (first, fuel_of(code[0])),
        (Some(Op::I32AddImm), 6),
        "{listing}"
    );
    let mut execution = store.start_call(instance, "f", &[Value::I32(2)]).unwrap();
    let results = execution.run(&mut store, &mut NoHost).unwrap();
    assert_eq!(results, [Value::I32(0)]);
    // 4 before the block, 2 for `block` and `loop`, 6 per iteration (5 of them), the `end`
    // of the loop, the block and the function, and `local.get`.
    assert_eq!(execution.fuel_used(), 4 + 2 + 6 * 5 + 3 + 1);
}

#[test]
fn two_additions_of_constants_run_as_one_instruction_unless_a_label_is_between() {
    let text = r#"(module
      (func (export "f") (param i32 i32) (result i32)
        (loop
          (local.set 0 (i32.add (local.get 0) (i32.const 1)))
          (local.set 1 (i32.add (local.get 0) (i32.const 10)))
          (br_if 0 (i32.lt_u (local.get 0) (i32.const 5))))
        (i32.add (local.get 0) (local.get 1)))
      (func (export "g") (param i32) (result i32)
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (loop
          (local.set 0 (i32.add (local.get 0) (i32.const 2)))
          (br_if 0 (i32.lt_u (local.get 0) (i32.const 9))))
        (local.get 0)))"#;
    let (mut store, instance) = instantiate(count_config(FuelCount::Exact, None, None), text);
    let listing = |store: &mut wasmrel_executor::Store, name| {
        let func = store.get_func(instance, name).unwrap();
        wasmrel_executor::ir::disassemble(store.code_mut(func).unwrap())
    };
    let (f, g) = (listing(&mut store, "f"), listing(&mut store, "g"));
    assert!(f.contains("I32AddImm2"), "{f}");
    assert!(!g.contains("I32AddImm2"), "{g}");
    // The second addition reads the first's result: 5 + 10 + 5.
    let mut execution = store
        .start_call(instance, "f", &[Value::I32(0), Value::I32(0)])
        .unwrap();
    let results = execution.run(&mut store, &mut NoHost).unwrap();
    assert_eq!(results, [Value::I32(20)]);
    // `loop`, 12 per iteration (5 of them), then 5.
    assert_eq!(execution.fuel_used(), 1 + 12 * 5 + 5);
    let outcome = store.invoke(instance, "g", &[Value::I32(0)], &mut NoHost);
    assert_eq!(outcome, Ok(vec![Value::I32(9)]));
}

#[test]
fn corrupted_code_cannot_loop_without_fuel() {
    use wasmrel_executor::ir::{opcode_word, Op};
    use wasmrel_executor::Corruption;
    let (mut store, instance) = instantiate(Config::default(), COUNT_LOOP);
    let func = store.get_func(instance, "count").unwrap();
    let code = store.code_mut(func).unwrap();
    let at = code
        .iter()
        .position(|word| Op::decode(*word) == Some(Op::Br))
        .expect("the loop's back edge is a Br");
    // A free jump to itself would spin forever without the fuel limit or hook ever firing.
    code[at] = opcode_word(Op::Br, 0);
    code[at + 1] = at as u32;
    let outcome = store.invoke(instance, "count", &[Value::I32(5)], &mut NoHost);
    assert_eq!(outcome, Err(Error::Corrupted(Corruption::FreeBackwardJump)));
}

#[test]
fn a_large_memory_costs_only_what_is_touched() {
    // 1 GiB: zero pages come from the allocator untouched, so this is quick and small.
    let (mut store, instance) = instantiate(Config::default(), GROW);
    let started = std::time::Instant::now();
    let grown = store.invoke(instance, "grow_memory", &[Value::I32(16_383)], &mut NoHost);
    assert_eq!(grown, Ok(vec![Value::I32(1)]));
    let memory = store.memory_mut(instance).unwrap();
    assert_eq!(memory.size(), 1 << 30);
    let last = memory.bytes_mut().last_mut().unwrap();
    assert_eq!(*last, 0);
    *last = 7;
    assert_eq!(memory.bytes()[(1 << 30) - 1], 7);
    assert!(
        started.elapsed().as_secs() < 5,
        "growing must not write the whole memory"
    );
}
