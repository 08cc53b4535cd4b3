//! Bytes allocated by hostile modules stay bounded. A counting global allocator records the
//! peak of live heap bytes; each case runs alone (this binary has no test harness and runs the
//! cases one after another), so no other test's allocations disturb the figure.

mod common;

use common::wat;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use wasmrel_executor::{Config, Error, LimitKind, Limits, Linker, Module, NoHost, Plain, Store};

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed on as is.
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `case` and returns how far live heap bytes rose above where they started.
fn peak_growth(case: impl FnOnce()) -> usize {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    case();
    PEAK.load(Ordering::SeqCst) - before
}

const MIB: usize = 1 << 20;

fn limited(max_memory_bytes: u64, max_stack_slots: u32) -> Config {
    Config {
        limits: Limits {
            max_memory_bytes,
            max_stack_slots,
            ..Limits::default()
        },
        fuel: Some(10_000_000),
        ..Config::default()
    }
}

/// Loads, instantiates and calls export `name`, expecting `expected`.
fn load_and_run(config: Config, bytes: &[u8], name: &str, expected: Result<Vec<i32>, Error>) {
    let module = Module::new(&config, bytes).expect("valid module");
    let mut store: Store<Plain> = Store::new(config);
    let instance = Linker::new()
        .instantiate(&mut store, &module, &mut NoHost)
        .expect("instantiates");
    let outcome = store.invoke(instance, name, &[], &mut NoHost);
    let outcome = outcome.map(|values| {
        let ints = values.into_iter().map(|v| match v {
            wasmrel_executor::Value::I32(x) => x,
            other => panic!("unexpected {other:?}"),
        });
        ints.collect::<Vec<_>>()
    });
    assert_eq!(outcome, expected);
}

/// A named hostile case and the most bytes it may allocate.
type Case = (&'static str, usize, Box<dyn FnOnce()>);

fn cases() -> Vec<Case> {
    // A 4 GiB maximum, grown page by page until the 1 MiB configured limit stops it.
    let grow = wat(r#"(module (memory 1 65536)
        (func (export "grow") (loop (br_if 0 (i32.ge_s (memory.grow (i32.const 1)) (i32.const 0))))))"#);
    // The most locals validation allows, called with a 10 000-slot value stack.
    let locals = wat(&format!(
        r#"(module (func (export "f") (local {})))"#,
        " i64".repeat(50_000)
    ));
    // Infinite recursion up to the default depth limit of 100 000 frames.
    let recurse = wat(r#"(module (func $f (export "f") call $f))"#);
    // A code section announcing 2^32 - 1 bodies and holding none.
    let absurd_count = vec![
        0, b'a', b's', b'm', 1, 0, 0, 0, 10, 5, 0xff, 0xff, 0xff, 0xff, 0x0f,
    ];
    // One table.grow of 2^32 - 1 elements.
    let table = wat(r#"(module (table 0 funcref)
        (func (export "grow") (result i32) (table.grow (ref.null func) (i32.const -1))))"#);
    vec![
        (
            "memory with a 4 GiB maximum grown to a 1 MiB limit",
            2 * MIB,
            Box::new(move || {
                let expected = Err(Error::Limit(LimitKind::Memory));
                load_and_run(limited(MIB as u64, 100_000), &grow, "grow", expected);
            }),
        ),
        (
            "50 000 locals against a 10 000-slot stack",
            MIB,
            Box::new(move || {
                let expected = Err(Error::Limit(LimitKind::Stack));
                load_and_run(limited(MIB as u64, 10_000), &locals, "f", expected);
            }),
        ),
        (
            "infinite recursion to the call depth limit",
            8 * MIB,
            Box::new(move || {
                let expected = Err(Error::Limit(LimitKind::CallDepth));
                load_and_run(Config::default(), &recurse, "f", expected);
            }),
        ),
        (
            "a code section announcing 2^32 - 1 bodies",
            64 << 10,
            Box::new(move || {
                let outcome = Module::new(&Config::default(), &absurd_count);
                assert!(matches!(outcome, Err(Error::Invalid(_))), "{outcome:?}");
            }),
        ),
        (
            "table.grow by 2^32 - 1 elements",
            64 << 10,
            Box::new(move || {
                let expected = Err(Error::Limit(LimitKind::Table));
                load_and_run(limited(MIB as u64, 100_000), &table, "grow", expected);
            }),
        ),
    ]
}

fn main() {
    let cases = cases();
    let total = cases.len();
    for (name, bound, case) in cases {
        let grew = peak_growth(case);
        println!("{name}: peak {grew} bytes (bound {bound})");
        assert!(
            grew <= bound,
            "{name}: {grew} bytes allocated, bound {bound}"
        );
    }
    println!("{total} passed, 0 failed");
}
