//! The WASI core without an engine: a byte-vector guest memory drives the functions directly.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use wasmrel_wasi::clock::{Clock, DeterministicClock};
use wasmrel_wasi::errno::WasiResult;
use wasmrel_wasi::random::{RandomSource, SeededRandom};
use wasmrel_wasi::stdio::OutputSink;
use wasmrel_wasi::{Errno, Exit, Func, Guest, Snapshot, WasiCtx};

/// One page of guest memory and a settable fuel counter.
struct Memory {
    bytes: Vec<u8>,
    fuel: u64,
}

impl Memory {
    fn new() -> Self {
        Memory {
            bytes: vec![0; 65536],
            fuel: 0,
        }
    }
    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.bytes[at..at + 4].try_into().unwrap())
    }
    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.bytes[at..at + 8].try_into().unwrap())
    }
}

impl Guest for Memory {
    fn read(&mut self, addr: u32, buf: &mut [u8]) -> WasiResult {
        common::read(&self.bytes, addr, buf)
    }
    fn write(&mut self, addr: u32, data: &[u8]) -> WasiResult {
        common::write(&mut self.bytes, addr, data)
    }
    fn memory_size(&mut self) -> u64 {
        self.bytes.len() as u64
    }
    fn fuel_used(&mut self) -> u64 {
        self.fuel
    }
}

/// Output collected for inspection.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl OutputSink for Capture {
    fn write(&mut self, bytes: &[u8]) -> WasiResult<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }
}

fn call(wasi: &mut WasiCtx, guest: &mut Memory, func: Func, args: &[u64]) -> Result<u16, Exit> {
    wasi.call_func(Snapshot::Preview1, func, guest, args)
}

#[test]
fn the_function_table_is_preview_1() {
    assert_eq!(Func::ALL.len(), 46);
    let mut names: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 46, "names are unique");
    for (id, func) in Func::ALL.iter().enumerate() {
        assert_eq!(Func::from_id(id as u32), Some(*func));
    }
    assert_eq!(Func::from_id(46), None);
    assert_eq!(Func::PathOpen.params().len(), 9);
    assert!(!Func::ProcExit.returns_errno());
}

#[test]
fn args_are_laid_out_as_argv() {
    let mut wasi = WasiCtx::deterministic(0);
    wasi.push_arg("prog");
    wasi.push_arg("-x");
    let mut guest = Memory::new();
    assert_eq!(
        call(&mut wasi, &mut guest, Func::ArgsSizesGet, &[0, 4]),
        Ok(0)
    );
    assert_eq!((guest.u32_at(0), guest.u32_at(4)), (2, 8));
    assert_eq!(
        call(&mut wasi, &mut guest, Func::ArgsGet, &[100, 200]),
        Ok(0)
    );
    assert_eq!((guest.u32_at(100), guest.u32_at(104)), (200, 205));
    assert_eq!(&guest.bytes[200..208], b"prog\0-x\0");
    // A pointer past the end of memory is EFAULT, not a crash.
    assert_eq!(
        call(&mut wasi, &mut guest, Func::ArgsGet, &[65534, 200]),
        Ok(Errno::FAULT.0)
    );
}

#[test]
fn fd_write_gathers_iovecs_into_the_sink() {
    let mut wasi = WasiCtx::deterministic(0);
    let out = Capture::default();
    wasi.set_stdout(Box::new(out.clone()));
    let mut guest = Memory::new();
    guest.bytes[1000..1005].copy_from_slice(b"hello");
    guest.bytes[2000..2003].copy_from_slice(b"!\n?");
    for (at, value) in [(0, 1000u32), (4, 5), (8, 2000), (12, 2)] {
        guest.bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }
    assert_eq!(
        call(&mut wasi, &mut guest, Func::FdWrite, &[1, 0, 2, 16]),
        Ok(0)
    );
    assert_eq!(guest.u32_at(16), 7);
    assert_eq!(out.0.borrow().as_slice(), b"hello!\n");
    assert_eq!(
        call(&mut wasi, &mut guest, Func::FdWrite, &[9, 0, 2, 16]),
        Ok(Errno::BADF.0)
    );
    assert_eq!(
        call(&mut wasi, &mut guest, Func::FdWrite, &[0, 0, 2, 16]),
        Ok(Errno::BADF.0)
    );
}

#[test]
fn proc_exit_ends_the_run() {
    let mut wasi = WasiCtx::deterministic(0);
    let mut guest = Memory::new();
    assert_eq!(
        call(&mut wasi, &mut guest, Func::ProcExit, &[0xffff_ffff]),
        Err(Exit(-1))
    );
    assert_eq!(
        call(&mut wasi, &mut guest, Func::SockAccept, &[3, 0, 0]),
        Ok(Errno::NOSYS.0)
    );
}

#[test]
fn deterministic_clock_follows_fuel_and_sleeps() {
    let mut clock = DeterministicClock::new();
    assert_eq!(clock.now(0, 0), Ok(DeterministicClock::EPOCH_NS));
    assert_eq!(clock.now(1, 1234), Ok(1234));
    clock.sleep_until(1, 1_000_000_000, 1234).unwrap();
    assert_eq!(clock.now(1, 1234), Ok(1_000_000_000));
    assert_eq!(clock.now(1, 1235), Ok(1_000_000_001));
    assert_eq!(clock.now(9, 0), Err(Errno::INVAL));

    let mut wasi = WasiCtx::deterministic(0);
    let mut guest = Memory::new();
    guest.fuel = 42;
    assert_eq!(
        call(&mut wasi, &mut guest, Func::ClockTimeGet, &[1, 1, 8]),
        Ok(0)
    );
    assert_eq!(guest.u64_at(8), 42);
}

#[test]
fn seeded_random_repeats() {
    let draw = |seed| {
        let mut bytes = [0u8; 32];
        SeededRandom::new(seed).fill(&mut bytes).unwrap();
        bytes
    };
    assert_eq!(draw(7), draw(7));
    assert_ne!(draw(7), draw(8));

    let mut wasi = WasiCtx::deterministic(7);
    let mut guest = Memory::new();
    assert_eq!(
        call(&mut wasi, &mut guest, Func::RandomGet, &[100, 32]),
        Ok(0)
    );
    assert_eq!(guest.bytes[100..132], draw(7));
    assert_eq!(
        call(&mut wasi, &mut guest, Func::RandomGet, &[65530, 32]),
        Ok(Errno::FAULT.0)
    );
}
