//! Hostile modules that try to exhaust a resource: each ends with the matching limit error or
//! a validation error, never a panic, an abort or an unbounded run. Bounds are on fuel, pages,
//! elements and slots, not on wall-clock time; bytes allocated are measured separately in
//! `peak_memory.rs` (its own binary, so that parallel tests do not disturb the count).

mod common;

use common::{instantiate, wat};
use wasmrel_executor::{Config, Error, LimitKind, Limits, Module, NoHost, Value};

fn config(limits: Limits, fuel: Option<u64>) -> Config {
    Config {
        limits,
        fuel,
        ..Config::default()
    }
}

fn small_limits() -> Limits {
    Limits {
        max_memory_bytes: 16 * 65_536,
        max_table_elements: 1_000,
        max_call_depth: 1_000,
        max_stack_slots: 100_000,
    }
}

/// Runs export `name` with no arguments.
fn run(config: Config, text: &str, name: &str) -> Result<Vec<Value>, Error> {
    let (mut store, instance) = instantiate(config, text);
    store.invoke(instance, name, &[], &mut NoHost)
}

#[test]
fn infinite_recursion_ends_at_the_call_depth_limit() {
    let text = r#"(module (func $f (export "f") call $f))"#;
    let outcome = run(config(small_limits(), None), text, "f");
    assert_eq!(outcome, Err(Error::Limit(LimitKind::CallDepth)));
}

#[test]
fn mutual_recursion_with_many_locals_ends_at_the_value_stack_limit() {
    // Each frame holds 1 000 locals: 100 frames exceed a 100 000-slot value stack long before
    // the call depth limit of 1 000.
    let locals = " i64".repeat(1_000);
    let text = format!(
        r#"(module
            (func $a (export "a") (local {locals}) call $b)
            (func $b (local {locals}) call $a))"#
    );
    let outcome = run(config(small_limits(), None), &text, "a");
    assert_eq!(outcome, Err(Error::Limit(LimitKind::Stack)));
}

#[test]
fn infinite_loop_ends_when_the_fuel_is_spent() {
    let text = r#"(module (func (export "spin") (loop (br 0))))"#;
    let fuel = 1_000_000;
    let (mut store, instance) = instantiate(config(small_limits(), Some(fuel)), text);
    let mut execution = store.start_call(instance, "spin", &[]).unwrap();
    let outcome = execution.run(&mut store, &mut NoHost);
    assert_eq!(outcome, Err(Error::Limit(LimitKind::Fuel)));
    assert!(execution.fuel_used() <= fuel, "{}", execution.fuel_used());
    assert!(
        execution.fuel_used() >= fuel - 2,
        "{}",
        execution.fuel_used()
    );
}

#[test]
fn memory_growth_past_the_configured_limit_is_a_limit_error() {
    // Grows one page at a time forever; the module itself sets no maximum.
    let text = r#"(module (memory (export "m") 1)
        (func (export "grow") (loop (br_if 0 (i32.ge_s (memory.grow (i32.const 1)) (i32.const 0))))))"#;
    let (mut store, instance) = instantiate(config(small_limits(), Some(10_000_000)), text);
    let outcome = store.invoke(instance, "grow", &[], &mut NoHost);
    assert_eq!(outcome, Err(Error::Limit(LimitKind::Memory)));
    let memory = store.memory(instance).unwrap();
    assert_eq!(memory.pages(), 16, "grown exactly to the 16-page limit");
}

#[test]
fn memory_growth_past_the_declared_maximum_returns_minus_one() {
    let text = r#"(module (memory 1 4)
        (func (export "grow") (result i32) (memory.grow (i32.const 100))))"#;
    let outcome = run(config(small_limits(), None), text, "grow");
    assert_eq!(outcome, Ok(vec![Value::I32(-1)]));
}

#[test]
fn huge_initial_memory_is_refused_at_instantiation() {
    // 65 536 pages = 4 GiB declared as the minimum, with a 1 MiB limit.
    let bytes = wat(r#"(module (memory 65536))"#);
    let config = config(small_limits(), None);
    let module = Module::new(&config, &bytes).unwrap();
    let mut store = wasmrel_executor::Store::<wasmrel_executor::Plain>::new(config);
    let outcome = wasmrel_executor::Linker::new().instantiate(&mut store, &module, &mut NoHost);
    assert_eq!(outcome.err(), Some(Error::Limit(LimitKind::Memory)));
}

#[test]
fn table_growth_past_the_configured_limit_is_a_limit_error() {
    let text = r#"(module (table (export "t") 1 funcref)
        (func (export "grow") (loop (br_if 0 (i32.ge_s
            (table.grow (ref.null func) (i32.const 7)) (i32.const 0))))))"#;
    let outcome = run(config(small_limits(), Some(10_000_000)), text, "grow");
    assert_eq!(outcome, Err(Error::Limit(LimitKind::Table)));
}

#[test]
fn huge_table_growth_in_one_step_is_refused_without_allocating() {
    // 2^32 - 1 more elements: above the configured limit from an empty table, past the index
    // space from a table of one element.
    let grow = |min: u32| {
        format!(
            r#"(module (table {min} funcref)
                (func (export "grow") (result i32) (table.grow (ref.null func) (i32.const -1))))"#
        )
    };
    let outcome = run(config(small_limits(), None), &grow(0), "grow");
    assert_eq!(outcome, Err(Error::Limit(LimitKind::Table)));
    let outcome = run(config(small_limits(), None), &grow(1), "grow");
    assert_eq!(outcome, Ok(vec![Value::I32(-1)]));
}

#[test]
fn a_huge_static_value_stack_is_a_stack_limit_error() {
    // One function whose operand stack reaches 200 000 values, above a 100 000-slot limit.
    let pushes = "(i32.const 1)".repeat(200_000);
    let drops = "drop ".repeat(200_000);
    let text = format!(r#"(module (func (export "deep") {pushes} {drops}))"#);
    let outcome = run(config(small_limits(), None), &text, "deep");
    assert_eq!(outcome, Err(Error::Limit(LimitKind::Stack)));
}

#[test]
fn the_most_locals_validation_allows_hit_the_stack_limit() {
    let locals = " i32".repeat(50_000);
    let text = format!(r#"(module (func (export "f") (local {locals})))"#);
    let limits = Limits {
        max_stack_slots: 10_000,
        ..small_limits()
    };
    let outcome = run(config(limits, None), &text, "f");
    assert_eq!(outcome, Err(Error::Limit(LimitKind::Stack)));
}

#[test]
fn more_locals_than_validation_allows_are_invalid() {
    // wasmparser caps a function at 50 000 locals.
    let bytes = wat(&format!(
        r#"(module (func (local {})))"#,
        " i32".repeat(50_001)
    ));
    let outcome = Module::new(&Config::default(), &bytes);
    assert!(matches!(outcome, Err(Error::Invalid(_))), "{outcome:?}");
}

/// A module whose sections announce `count` entries but hold none: the decoder must refuse it
/// without trusting the count.
fn truncated_section(id: u8, count: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, b'a', b's', b'm', 1, 0, 0, 0, id, count.len() as u8];
    bytes.extend_from_slice(count);
    bytes
}

#[test]
fn absurd_declared_counts_are_invalid() {
    let four_billion = [0xff, 0xff, 0xff, 0xff, 0x0f];
    for id in [1, 2, 3, 4, 5, 6, 7, 9, 10, 11] {
        let bytes = truncated_section(id, &four_billion);
        let outcome = Module::new(&Config::default(), &bytes);
        assert!(
            matches!(outcome, Err(Error::Invalid(_))),
            "section {id}: {outcome:?}"
        );
    }
}

#[test]
fn many_types_and_functions_load_and_run() {
    // 10 000 distinct function types and 10 000 functions, each calling the next.
    let mut text = String::from("(module\n");
    for i in 0..10_000 {
        text.push_str(&format!("(type (func (param {})))\n", " i32".repeat(i % 7)));
    }
    for i in 0..10_000 {
        let next = if i + 1 < 10_000 {
            format!("call {}", i + 1)
        } else {
            String::new()
        };
        text.push_str(&format!("(func {next})\n"));
    }
    text.push_str(r#"(export "first" (func 0)))"#);
    let limits = Limits {
        max_call_depth: 20_000,
        ..small_limits()
    };
    assert_eq!(run(config(limits, None), &text, "first"), Ok(vec![]));
    // The same chain with a depth limit below its length ends with a limit error.
    assert_eq!(
        run(config(small_limits(), None), &text, "first"),
        Err(Error::Limit(LimitKind::CallDepth))
    );
}

#[test]
fn deeply_nested_blocks_translate_and_run() {
    let depth = 100_000;
    let text = format!(
        r#"(module (func (export "nest") (result i32) {} (i32.const 7) br {} {}))"#,
        "(block (result i32) ".repeat(depth),
        depth - 1,
        ")".repeat(depth)
    );
    assert_eq!(
        run(config(small_limits(), Some(10_000_000)), &text, "nest"),
        Ok(vec![Value::I32(7)])
    );
}

#[test]
fn deeply_nested_loops_spin_until_the_fuel_is_spent() {
    let depth = 10_000;
    let text = format!(
        r#"(module (func (export "spin") {} br {} {}))"#,
        "(loop ".repeat(depth),
        depth - 1,
        ")".repeat(depth)
    );
    assert_eq!(
        run(config(small_limits(), Some(1_000_000)), &text, "spin"),
        Err(Error::Limit(LimitKind::Fuel))
    );
}
