//! How WASI functions reach the guest: its linear memory and the engine's fuel counter.
//!
//! WASI never holds a slice of guest memory. Every access goes through [`Guest`], which the
//! engine's `Caller` implements, so protected memory (checksums, shadow copies) and dual
//! execution (mirroring host writes into the second replica) see every byte a host writes.

use alloc::vec;
use alloc::vec::Vec;

use crate::errno::{Errno, WasiResult};

/// Guest memory and execution state as a host function sees them.
///
/// Out-of-bounds accesses are reported as `EFAULT` to the guest rather than trapping: a libc
/// turns that into an ordinary error return.
pub trait Guest {
    /// Copies `buf.len()` bytes starting at guest address `addr` into `buf`.
    fn read(&mut self, addr: u32, buf: &mut [u8]) -> WasiResult;
    /// Copies `data` into guest memory starting at `addr`.
    fn write(&mut self, addr: u32, data: &[u8]) -> WasiResult;
    /// The current size of the guest's memory in bytes.
    fn memory_size(&mut self) -> u64;
    /// Wasm instructions executed so far; deterministic clocks are derived from it.
    fn fuel_used(&mut self) -> u64;
}

/// One `iovec`/`ciovec`: a guest buffer address and length.
#[derive(Debug, Clone, Copy)]
pub struct IoVec {
    pub addr: u32,
    pub len: u32,
}

/// Typed accessors on top of [`Guest`], shared by every WASI function.
pub trait GuestExt: Guest {
    fn read_u32(&mut self, addr: u32) -> WasiResult<u32> {
        let mut word = [0; 4];
        self.read(addr, &mut word)?;
        Ok(u32::from_le_bytes(word))
    }

    fn write_u32(&mut self, addr: u32, value: u32) -> WasiResult {
        self.write(addr, &value.to_le_bytes())
    }

    fn write_u64(&mut self, addr: u32, value: u64) -> WasiResult {
        self.write(addr, &value.to_le_bytes())
    }

    /// Checks that `[addr, addr + len)` lies in guest memory, so a hostile length cannot make
    /// the host allocate gigabytes before the access fails.
    fn check_range(&mut self, addr: u32, len: u64) -> WasiResult {
        if u64::from(addr) + len > self.memory_size() {
            return Err(Errno::FAULT);
        }
        Ok(())
    }

    /// Reads `len` bytes at `addr` into a new vector.
    fn read_bytes(&mut self, addr: u32, len: u32) -> WasiResult<Vec<u8>> {
        self.check_range(addr, u64::from(len))?;
        let mut bytes = vec![0; len as usize];
        self.read(addr, &mut bytes)?;
        Ok(bytes)
    }

    /// Reads the `count` iovecs of an `fd_read`/`fd_write` call.
    fn read_iovecs(&mut self, addr: u32, count: u32) -> WasiResult<Vec<IoVec>> {
        let raw = self.read_bytes(addr, count.checked_mul(8).ok_or(Errno::FAULT)?)?;
        Ok(raw
            .chunks_exact(8)
            .map(|pair| IoVec {
                addr: crate::abi::get_u32(pair, 0),
                len: crate::abi::get_u32(pair, 4),
            })
            .collect())
    }
}

impl<G: Guest + ?Sized> GuestExt for G {}
