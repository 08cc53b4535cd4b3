//! The engine as the kernel runs it: every large allocation may fail. A counting global
//! allocator refuses "costly" requests (above 32 KiB, the kernel's
//! `PAGE_ALLOC_COSTLY_ORDER`; smaller ones are "too small to fail" there) once the live heap
//! would pass an input-chosen budget, or at an input-chosen costly request. `wasm-smith`
//! modules with memories up to 256 MiB and tables up to 10^6 elements are decoded,
//! instantiated and run (fuel-limited) in plain or encoded mode under generous engine limits,
//! so that the allocator, not the limits, is what runs out.
//!
//! Any error value is fine. A finding is an abort (an infallible allocation of an
//! input-dependent size: the alloc error handler aborts) or a panic.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm_smith::Module as SmithModule;
use wasmrel_an_encoding::An;
use wasmrel_difftest::generate;
use wasmrel_executor::{Config, Domain, ExternType, Limits, Linker, Module, NoHost, Plain, Store};

/// Requests up to this size are served whatever the budget.
const COSTLY: usize = 32 * 1024;

/// The failing allocator; it only fails while `ACTIVE` (the engine's part of an execution).
struct Budget;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static BUDGET: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Costly requests left before the one that fails (`usize::MAX`: none fails by count).
static FAIL_AFTER: AtomicUsize = AtomicUsize::new(usize::MAX);

impl Budget {
    /// Whether a request for `size` more bytes is refused.
    fn refuses(size: usize) -> bool {
        if size <= COSTLY || !ACTIVE.load(Relaxed) {
            return false;
        }
        let countdown = FAIL_AFTER.load(Relaxed);
        if countdown != usize::MAX {
            FAIL_AFTER.store(countdown.saturating_sub(1), Relaxed);
            if countdown == 0 {
                return true;
            }
        }
        LIVE.load(Relaxed).saturating_add(size) > BUDGET.load(Relaxed)
    }
}

unsafe impl GlobalAlloc for Budget {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if Budget::refuses(layout.size()) {
            return std::ptr::null_mut();
        }
        LIVE.fetch_add(layout.size(), Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if Budget::refuses(layout.size()) {
            return std::ptr::null_mut();
        }
        LIVE.fetch_add(layout.size(), Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() && Budget::refuses(new_size - layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded with the caller's pointer, layout and size.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            LIVE.fetch_add(new_size, Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Budget = Budget;

/// Decodes, instantiates and calls every export; errors end the run quietly.
fn run<D: Domain>(bytes: &[u8]) {
    let config = Config {
        fuel: Some(100_000),
        limits: Limits {
            max_memory_bytes: 1 << 30,
            max_table_elements: 10_000_000,
            ..Limits::default()
        },
        ..Config::default()
    };
    let Ok(module) = Module::new(&config, bytes) else {
        return;
    };
    let mut store: Store<D> = Store::new(config);
    let Ok(instance) = Linker::new().instantiate(&mut store, &module, &mut NoHost) else {
        return;
    };
    for export in module.exports() {
        if let ExternType::Func(ty) = &export.ty {
            let args: Vec<_> = ty.params().iter().map(|t| t.zero()).collect();
            let _ = store.invoke(instance, &export.name, &args, &mut NoHost);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let (Ok(encoded), Ok(budget_log2), Ok(fail_after)) = (
        input.arbitrary::<bool>(),
        input.int_in_range(16..=30u32),
        input.arbitrary::<Option<u8>>(),
    ) else {
        return;
    };
    let config = wasm_smith::Config {
        max_funcs: 5,
        max_instructions: 40,
        max_memory32_bytes: 256 << 20,
        max_table_elements: 1_000_000,
        ..generate::config(false)
    };
    let Ok(module) = SmithModule::new(config, &mut input) else {
        return;
    };
    let Some(bytes) = generate::finish(module, 100) else {
        return;
    };
    BUDGET.store(LIVE.load(Relaxed).saturating_add(1 << budget_log2), Relaxed);
    FAIL_AFTER.store(fail_after.map_or(usize::MAX, usize::from), Relaxed);
    ACTIVE.store(true, Relaxed);
    if encoded {
        run::<An>(&bytes);
    } else {
        run::<Plain>(&bytes);
    }
    ACTIVE.store(false, Relaxed);
});
