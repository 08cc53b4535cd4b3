//! The entry points of `kmod/src/engine.h`. Each turns raw pointers into references once,
//! at the top, and leaves the work to `wasmrel_kmod_engine::Session`.

use alloc::alloc::{alloc, dealloc};
use core::alloc::Layout;
use core::ptr;
use core::slice;

use wasmrel_kmod_engine::{
    Limits, RawConfig, RawMode, Report, Session, SessionError, RECORD_BYTES,
};

use crate::kernel::Kernel;

const EINTR: i32 = 4;
const ENOMEM: i32 = 12;
const EBUSY: i32 = 16;
const EINVAL: i32 = 22;
const EFBIG: i32 = 27;

const STREAM_STDOUT: u32 = 0;
const STREAM_STDERR: u32 = 1;
const STREAM_RESULTS: u32 = 2;

/// `struct wasmrel_engine_config`.
#[repr(C)]
pub struct EngineConfig {
    mode: u32,
    call_depth: u32,
    fuel: u64,
    memory_bytes: u64,
    output_bytes: u64,
    stack_bytes: u64,
    table_elements: u32,
    check_level: u32,
    memory_protection: u32,
    replicas: u32,
    argc: u32,
    envc: u32,
    invoke_argc: u32,
    has_invoke: u32,
    argv: *const u8,
    argv_bytes: usize,
    envp: *const u8,
    envp_bytes: usize,
    invoke: *const u8,
    invoke_bytes: usize,
    invoke_argv: *const u8,
}

/// `struct wasmrel_engine_summary`.
#[repr(C)]
pub struct Summary {
    outcome: u32,
    exit_code: i32,
    fuel_used: u64,
    stdout_bytes: u64,
    stderr_bytes: u64,
    result_count: u32,
    message_bytes: u32,
    message: [u8; 256],
}

const _: () = assert!(core::mem::size_of::<EngineConfig>() == 128);
const _: () = assert!(core::mem::size_of::<Summary>() == 296);

fn errno(err: SessionError) -> i32 {
    -match err {
        SessionError::ModuleTooBig => EFBIG,
        SessionError::OutOfMemory => ENOMEM,
        SessionError::InvalidArgument => EINVAL,
        SessionError::WrongState => EBUSY,
        SessionError::Interrupted => EINTR,
    }
}

fn status(result: Result<(), SessionError>) -> i32 {
    result.map_or_else(errno, |()| 0)
}

/// Views `len` bytes at `ptr`; a null pointer is an empty slice.
///
/// # Safety
/// A non-null `ptr` must be valid for `len` bytes for the returned lifetime.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { slice::from_raw_parts(ptr, len) }
    }
}

#[no_mangle]
pub extern "C" fn wasmrel_engine_session_new() -> *mut Session {
    let layout = Layout::new::<Session>();
    // SAFETY: Session is not zero-sized.
    let session = unsafe { alloc(layout) }.cast::<Session>();
    if !session.is_null() {
        // SAFETY: freshly allocated with Session's layout.
        unsafe { session.write(Session::new()) };
    }
    session
}

/// # Safety
/// `session` comes from `wasmrel_engine_session_new` and is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn wasmrel_engine_session_free(session: *mut Session) {
    if session.is_null() {
        return;
    }
    // SAFETY: a live Session allocated with its own layout.
    unsafe {
        ptr::drop_in_place(session);
        dealloc(session.cast(), Layout::new::<Session>());
    }
}

/// # Safety
/// `session` is live and not used concurrently.
#[no_mangle]
pub unsafe extern "C" fn wasmrel_engine_reset(session: *mut Session) {
    // SAFETY: guaranteed by the caller.
    unsafe { &mut *session }.reset();
}

/// # Safety
/// `session` is live and exclusive; `chunk` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn wasmrel_engine_append_module(
    session: *mut Session,
    chunk: *const u8,
    len: usize,
    max_total: usize,
) -> i32 {
    // SAFETY: guaranteed by the caller.
    let (session, chunk) = unsafe { (&mut *session, bytes(chunk, len)) };
    status(session.append_module(chunk, max_total))
}

/// # Safety
/// `session` is live and exclusive; `config` and every buffer it names are valid.
#[no_mangle]
pub unsafe extern "C" fn wasmrel_engine_configure(
    session: *mut Session,
    config: *const EngineConfig,
) -> i32 {
    // SAFETY: guaranteed by the caller.
    let (session, c) = unsafe { (&mut *session, &*config) };
    // SAFETY: the shim passes kernel copies of the stated lengths.
    let raw = unsafe {
        RawConfig {
            mode: RawMode {
                mode: c.mode,
                check_level: c.check_level,
                memory_protection: c.memory_protection,
                replicas: c.replicas,
            },
            limits: Limits {
                fuel: c.fuel,
                memory_bytes: c.memory_bytes,
                call_depth: c.call_depth,
                table_elements: c.table_elements,
                stack_bytes: c.stack_bytes,
                output_bytes: c.output_bytes,
            },
            argv: (bytes(c.argv, c.argv_bytes), c.argc),
            envp: (bytes(c.envp, c.envp_bytes), c.envc),
            invoke: (c.has_invoke != 0).then(|| bytes(c.invoke, c.invoke_bytes)),
            invoke_args: bytes(
                c.invoke_argv,
                (c.invoke_argc as usize).saturating_mul(RECORD_BYTES),
            ),
        }
    };
    status(session.configure(&raw))
}

fn summarize(report: &Report, summary: &mut Summary) {
    summary.outcome = report.outcome as u32;
    summary.exit_code = report.exit_code;
    summary.fuel_used = report.fuel_used;
    summary.stdout_bytes = report.stdout.len() as u64;
    summary.stderr_bytes = report.stderr.len() as u64;
    summary.result_count = report.result_count() as u32;
    let message = report.message.as_bytes();
    let n = message.len().min(summary.message.len() - 1);
    summary.message[..n].copy_from_slice(&message[..n]);
    summary.message_bytes = n as u32;
}

/// # Safety
/// `session` is live and exclusive; `summary` is valid for writing.
#[no_mangle]
pub unsafe extern "C" fn wasmrel_engine_run(session: *mut Session, summary: *mut Summary) -> i32 {
    // SAFETY: guaranteed by the caller.
    let (session, summary) = unsafe { (&mut *session, &mut *summary) };
    match session.run(&mut Kernel) {
        Ok(report) => {
            summarize(report, summary);
            0
        }
        Err(err) => errno(err),
    }
}

/// # Safety
/// `session` is live and exclusive; `data` and `len` are valid for writing. The stream stays
/// valid until the next call on the session.
#[no_mangle]
pub unsafe extern "C" fn wasmrel_engine_stream(
    session: *mut Session,
    stream: u32,
    data: *mut *const u8,
    len: *mut usize,
) -> i32 {
    // SAFETY: guaranteed by the caller.
    let session = unsafe { &*session };
    let Some(report) = session.report() else {
        return -EBUSY;
    };
    let bytes: &[u8] = match stream {
        STREAM_STDOUT => &report.stdout,
        STREAM_STDERR => &report.stderr,
        STREAM_RESULTS => &report.results,
        _ => return -EINVAL,
    };
    // SAFETY: guaranteed by the caller.
    unsafe {
        *data = bytes.as_ptr();
        *len = bytes.len();
    }
    0
}
