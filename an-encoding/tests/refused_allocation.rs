//! Memory protection under an allocator that refuses: the crc check bits and the dup shadow
//! copy grow with the guest's memory, so the allocator may refuse them (in the kernel any large
//! allocation may fail). Instantiation must then end with the memory limit error and
//! `memory.grow` with -1, the memory unchanged and still verified, never an abort. (Found by
//! the `oom` fuzz target: the guard grew its shadow infallibly.)
//!
//! The same holds for everything else whose size the module chooses: its sections, the
//! translated code, the per-instance copy of that code and its signatures, segments. For
//! modules built to make those large (while wasmparser's own allocations for them stay
//! small), every costly request of decoding, instantiating and running is refused in turn:
//! each refusal ends with a limit error (memory, or the table or value stack when those were
//! refused), and the run without one gives the answer.
//!
//! No test harness: the failing allocator is global, so the cases run one after another.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use wasmrel_an_encoding::An;
use wasmrel_executor::{
    Config, Domain, Error, LimitKind, Linker, Module, NoHost, Plain, Protection, Store, Value,
};

/// Requests above this size are "costly"; `REFUSE_FROM` says which of them fail.
const COSTLY: usize = 32 * 1024;

/// Costly requests seen so far, and the index of the first one refused (`usize::MAX`: none).
static COSTLY_SEEN: AtomicUsize = AtomicUsize::new(0);
static REFUSE_FROM: AtomicUsize = AtomicUsize::new(usize::MAX);

struct Refusing;

impl Refusing {
    fn refuses(size: usize) -> bool {
        size > COSTLY && COSTLY_SEEN.fetch_add(1, SeqCst) >= REFUSE_FROM.load(SeqCst)
    }
}

// SAFETY: every call is forwarded unchanged to `System`, or refused with a null pointer as
// `GlobalAlloc` allows.
unsafe impl GlobalAlloc for Refusing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if Refusing::refuses(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if Refusing::refuses(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `alloc_zeroed` is passed on as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() && Refusing::refuses(new_size) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `realloc` is passed on as is.
        unsafe { System.realloc(pointer, layout, new_size) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed on as is.
        unsafe { System.dealloc(pointer, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Refusing = Refusing;

/// From now on, lets `allowed` more costly requests through and refuses the rest.
fn refuse_after(allowed: usize) {
    REFUSE_FROM.store(COSTLY_SEEN.load(SeqCst) + allowed, SeqCst);
}

fn allow_all() {
    REFUSE_FROM.store(usize::MAX, SeqCst);
}

const SIXTEEN_MIB: &str = r#"(module (memory 256) (data (i32.const 0) "\2a"))"#;

const GROWS: &str = r#"(module
  (memory 1)
  (data (i32.const 0) "\2a")
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "first") (result i32) (i32.load8_u (i32.const 0))))"#;

fn store(protection: Protection) -> Store<An> {
    let mut store: Store<An> = Store::new(Config::default());
    store.set_memory_protection(protection);
    store
}

/// The memory (one costly request) is granted, its protection refused.
fn protection_refused_at_instantiation(protection: Protection) {
    let module = Module::new(&Config::default(), &wat::parse_str(SIXTEEN_MIB).unwrap()).unwrap();
    let mut store = store(protection);
    refuse_after(1);
    let outcome = Linker::new().instantiate(&mut store, &module, &mut NoHost);
    allow_all();
    assert_eq!(
        outcome.err(),
        Some(Error::Limit(LimitKind::Memory)),
        "{protection:?}"
    );
}

/// `memory.grow` gets the new bytes but not their protection: -1, and the memory keeps its
/// size and verified contents; once the allocator agrees again, the grow succeeds.
fn protection_refused_at_grow(protection: Protection) {
    let module = Module::new(&Config::default(), &wat::parse_str(GROWS).unwrap()).unwrap();
    let mut store = store(protection);
    let instance = Linker::new()
        .instantiate(&mut store, &module, &mut NoHost)
        .unwrap();
    let mut call = |name: &str, args: &[Value]| store.invoke(instance, name, args, &mut NoHost);
    refuse_after(1);
    let refused = call("grow", &[Value::I32(255)]);
    allow_all();
    assert_eq!(refused, Ok(vec![Value::I32(-1)]), "{protection:?}");
    assert_eq!(call("size", &[]), Ok(vec![Value::I32(1)]), "{protection:?}");
    assert_eq!(
        call("first", &[]),
        Ok(vec![Value::I32(42)]),
        "{protection:?}"
    );
    assert_eq!(
        call("grow", &[Value::I32(255)]),
        Ok(vec![Value::I32(1)]),
        "{protection:?}"
    );
    assert_eq!(
        call("first", &[]),
        Ok(vec![Value::I32(42)]),
        "{protection:?}"
    );
}

/// Modules whose engine-side buffers grow with their bytes, each with an export `run` and
/// what it returns. Their bytes are read in place by wasmparser, whose own allocations for
/// them stay below the costly size.
fn large_modules() -> Vec<(&'static str, String, i32)> {
    let body = "(local.set 0 (i32.add (local.get 0) (i32.const 1)))".repeat(12_000);
    let functions: String = (0..3_000)
        .map(|k| format!("(func $f{k} (result i32) (i32.const {k}))"))
        .collect();
    let elements = "$g ".repeat(5_000);
    let targets = "0 ".repeat(10_000);
    vec![
        (
            "a 12 000-instruction body (IR, positions)",
            format!("(module (func (export \"run\") (result i32) (local i32) {body} (local.get 0)))"),
            12_000,
        ),
        (
            "a 200 000-byte data segment",
            format!(
                "(module (memory 4) (data (i32.const 0) \"{}\")
                   (func (export \"run\") (result i32) (i32.load8_u (i32.const 199999))))",
                "\\2a".repeat(200_000)
            ),
            42,
        ),
        (
            "3 000 functions",
            format!("(module {functions} (func (export \"run\") (result i32) (call $f2999)))"),
            2_999,
        ),
        (
            "a 5 000-element segment",
            format!(
                "(module (table 5000 funcref) (elem (i32.const 0) func {elements})
                   (func $g (result i32) (i32.const 7))
                   (func (export \"run\") (result i32) (call_indirect (result i32) (i32.const 4999))))"
            ),
            7,
        ),
        (
            "a 10 000-target br_table",
            format!(
                "(module (func (export \"run\") (result i32)
                   (block (br_table {targets} (i32.const 5))) (i32.const 9)))"
            ),
            9,
        ),
    ]
}

/// Decodes, instantiates and runs `run`.
fn decode_and_run<D: Domain>(bytes: &[u8]) -> Result<Vec<Value>, Error> {
    let module = Module::new(&Config::default(), bytes)?;
    let mut store: Store<D> = Store::new(Config::default());
    let instance = Linker::new().instantiate(&mut store, &module, &mut NoHost)?;
    store.invoke(instance, "run", &[], &mut NoHost)
}

/// Refuses the first, second, ... costly request of decoding, instantiating and running
/// `bytes` until a run makes no more of them than were allowed; returns that count.
fn refused_in_turn<D: Domain>(name: &str, bytes: &[u8], answer: i32) -> usize {
    for allowed in 0.. {
        refuse_after(allowed);
        let before = COSTLY_SEEN.load(SeqCst);
        let outcome = decode_and_run::<D>(bytes);
        let costly = COSTLY_SEEN.load(SeqCst) - before;
        allow_all();
        if costly <= allowed {
            assert_eq!(outcome, Ok(vec![Value::I32(answer)]), "{name}");
            return costly;
        }
        // The limit of what was refused: memory for the module's buffers, the table or
        // the value stack for those.
        assert!(
            matches!(
                outcome,
                Err(Error::Limit(
                    LimitKind::Memory | LimitKind::Table | LimitKind::Stack
                ))
            ),
            "{name}: costly request {allowed} refused: {outcome:?}"
        );
    }
    unreachable!("the loop returns")
}

fn main() {
    for (name, text, answer) in large_modules() {
        let bytes = wat::parse_str(&text).unwrap();
        let plain = refused_in_turn::<Plain>(name, &bytes, answer);
        println!("test refused_in_turn ({name}, plain: {plain} costly requests) ... ok");
        let encoded = refused_in_turn::<An>(name, &bytes, answer);
        println!("test refused_in_turn ({name}, encoded: {encoded} costly requests) ... ok");
    }
    for protection in [Protection::Crc, Protection::Dup] {
        protection_refused_at_instantiation(protection);
        println!("test protection_refused_at_instantiation ({protection:?}) ... ok");
        protection_refused_at_grow(protection);
        println!("test protection_refused_at_grow ({protection:?}) ... ok");
    }
}
