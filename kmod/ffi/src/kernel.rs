//! Services of the C shim: memory, time, randomness, rescheduling, panics.

use core::alloc::{GlobalAlloc, Layout};
use core::fmt::{self, Write};
use core::panic::PanicInfo;

use wasmrel_kmod_engine::Platform;

extern "C" {
    fn wasmrel_shim_alloc(size: usize, align: usize) -> *mut u8;
    fn wasmrel_shim_free(ptr: *mut u8);
    fn wasmrel_shim_yield() -> i32;
    fn wasmrel_shim_realtime_ns() -> u64;
    fn wasmrel_shim_monotonic_ns() -> u64;
    fn wasmrel_shim_random(buf: *mut u8, len: usize);
    fn wasmrel_shim_sleep(ns: u64) -> i32;
    fn wasmrel_shim_panic(message: *const u8, len: usize) -> !;
}

/// Every Rust allocation goes to `kvmalloc`, so large linear memories fall back to vmalloc
/// and all memory is charged to the caller's memory cgroup.
struct KernelAllocator;

// SAFETY: the shim returns either null or a block of at least `size` bytes aligned to `align`
// (it refuses alignments it cannot give); the check below catches a broken promise.
unsafe impl GlobalAlloc for KernelAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain call into the shim.
        let ptr = unsafe { wasmrel_shim_alloc(layout.size(), layout.align()) };
        if !ptr.is_null() && !(ptr as usize).is_multiple_of(layout.align()) {
            // SAFETY: `ptr` came from the shim's allocator.
            unsafe { wasmrel_shim_free(ptr) };
            return core::ptr::null_mut();
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` was returned by `alloc` above.
        unsafe { wasmrel_shim_free(ptr) }
    }
}

#[global_allocator]
static ALLOCATOR: KernelAllocator = KernelAllocator;

/// Time, randomness and the periodic yield of a run in the caller's process context.
#[derive(Clone)]
pub struct Kernel;

impl Platform for Kernel {
    fn should_stop(&mut self) -> bool {
        // SAFETY: plain call; the shim calls cond_resched() and checks signal_pending().
        unsafe { wasmrel_shim_yield() != 0 }
    }

    fn realtime_ns(&mut self) -> u64 {
        // SAFETY: plain call.
        unsafe { wasmrel_shim_realtime_ns() }
    }

    fn monotonic_ns(&mut self) -> u64 {
        // SAFETY: plain call.
        unsafe { wasmrel_shim_monotonic_ns() }
    }

    fn random(&mut self, buf: &mut [u8]) {
        // SAFETY: `buf` is valid for `buf.len()` writable bytes.
        unsafe { wasmrel_shim_random(buf.as_mut_ptr(), buf.len()) }
    }

    fn sleep(&mut self, ns: u64) -> bool {
        // SAFETY: plain call; the shim sleeps interruptibly.
        unsafe { wasmrel_shim_sleep(ns) != 0 }
    }
}

/// Formats a panic message into a fixed buffer: no allocation while panicking.
struct MessageBuffer {
    bytes: [u8; 256],
    len: usize,
}

impl Write for MessageBuffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.bytes.len() - self.len;
        let n = s.len().min(room);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// A panic is an engine bug (bad input is an error value); the kernel cannot unwind Rust, so
/// the shim logs the message and BUG()s, which kills the calling task, not the machine
/// (unless panic_on_oops is set).
#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    let mut message = MessageBuffer {
        bytes: [0; 256],
        len: 0,
    };
    let _ = write!(message, "{info}");
    // SAFETY: the buffer holds `len` initialised bytes.
    unsafe { wasmrel_shim_panic(message.bytes.as_ptr(), message.len) }
}
