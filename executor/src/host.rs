//! The host side of a call: the [`Host`] trait and the [`Caller`] view of guest memory.
//!
//! Hosts are statically dispatched (a generic parameter, not `dyn`): the CLI brings WASI, the
//! spec harness a `spectest` host, the kernel its own. A host sees guest memory only through
//! [`Caller::read`] and [`Caller::write`], never as a raw slice it could keep, so protected
//! memory (checksums, shadow copies) and dual execution (mirroring writes into the second
//! replica) can intercept every access.

use crate::error::{Corruption, Error};
use crate::memory::Memory;
use crate::store::InstanceId;
use crate::value::Value;
use alloc::string::String;
use core::cell::Cell;
use core::fmt;

/// Identifies a host function to its [`Host`]; chosen by whoever defines the import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostFuncId(pub u32);

/// Why a host function did not return normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostError {
    /// The guest exits with this code (WASI `proc_exit`); ends the run with `Error::Exit`.
    Exit(i32),
    /// The host function failed; ends the run with `Error::Host` carrying the message.
    Trap(String),
}

/// A guest memory access outside the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfBounds;

impl fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("guest memory access out of bounds")
    }
}

/// What a host function may touch of its caller: memory 0 of the calling instance.
pub struct Caller<'a> {
    memory: &'a mut Memory,
    /// The second replica's memory in dual execution: the host's writes go to both
    /// memories, and what it reads must be the same in both.
    mirror: Option<&'a mut Memory>,
    /// Whether a read found the two replicas' bytes different.
    diverged: Cell<bool>,
    instance: Option<InstanceId>,
    fuel_used: u64,
    /// A read or write found guest memory disagreeing with its protection (encoded stores).
    /// The host sees only [`OutOfBounds`]; the executor ends the run as detected.
    corrupted: Cell<bool>,
}

impl<'a> Caller<'a> {
    pub(crate) fn new(memory: &'a mut Memory, instance: Option<InstanceId>) -> Self {
        Self {
            memory,
            mirror: None,
            diverged: Cell::new(false),
            instance,
            fuel_used: 0,
            corrupted: Cell::new(false),
        }
    }

    /// Mirrors this caller's memory accesses into `mirror` (see [`Caller::diverged`]).
    pub(crate) fn with_mirror(mut self, mirror: Option<&'a mut Memory>) -> Self {
        self.mirror = mirror;
        self
    }

    /// Whether the host read bytes that differ between the two replicas of a mirrored call
    /// (the read failed, so the host saw no disagreeing data).
    pub(crate) fn diverged(&self) -> bool {
        self.diverged.get()
    }

    /// Records the calling execution's fuel used, for [`Caller::fuel_used`].
    pub(crate) fn with_fuel_used(mut self, fuel_used: u64) -> Self {
        self.fuel_used = fuel_used;
        self
    }

    /// Wasm instructions the calling execution has run so far: a clock that advances with
    /// the guest's progress only (deterministic WASI time is derived from it).
    pub fn fuel_used(&self) -> u64 {
        self.fuel_used
    }

    /// The calling instance (`None` when the host function was invoked directly).
    pub fn instance(&self) -> Option<InstanceId> {
        self.instance
    }

    /// Copies guest memory at `address` into `out`. In an encoded store the bytes are
    /// checked against the memory's protection first. In a mirrored (dual) call the bytes
    /// must be equal in both replicas; if they are not, the read fails and the call is marked
    /// diverged.
    pub fn read(&self, address: u64, out: &mut [u8]) -> Result<(), OutOfBounds> {
        let result = self.memory.read(address, out);
        self.access(result)?;
        if let Some(mirror) = &self.mirror {
            let same = usize::try_from(address)
                .ok()
                .and_then(|start| mirror.bytes().get(start..start.checked_add(out.len())?))
                .is_some_and(|bytes| bytes == out);
            if !same {
                self.diverged.set(true);
                return Err(OutOfBounds);
            }
        }
        Ok(())
    }

    /// Copies `data` into guest memory at `address` (into both replicas in a mirrored call).
    pub fn write(&mut self, address: u64, data: &[u8]) -> Result<(), OutOfBounds> {
        let result = self.memory.write(address, data);
        self.access(result)?;
        if let Some(mirror) = self.mirror.as_deref_mut() {
            if mirror.write(address, data).is_err() {
                self.diverged.set(true);
                return Err(OutOfBounds);
            }
        }
        Ok(())
    }

    /// Whether an access found guest memory corrupted (then the run ends detected).
    pub(crate) fn corrupted(&self) -> bool {
        self.corrupted.get()
    }

    /// Notes a protection mismatch (the host sees only [`OutOfBounds`]).
    fn access(&self, result: Result<(), Error>) -> Result<(), OutOfBounds> {
        if let Err(Error::Corrupted(Corruption::MemoryMismatch)) = result {
            self.corrupted.set(true);
        }
        result.map_err(|_| OutOfBounds)
    }

    /// The size of the caller's memory in bytes (0 without a memory).
    pub fn size(&self) -> u64 {
        self.memory.size()
    }
}

/// The implementation of a store's host functions.
pub trait Host {
    /// Runs host function `id` with `args`, writing `results` (pre-filled with zeros of the
    /// declared result types; their types must not change).
    fn call(
        &mut self,
        id: HostFuncId,
        caller: &mut Caller<'_>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError>;
}

/// A host with no functions: every call fails. Useful for modules without imports.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHost;

impl Host for NoHost {
    fn call(
        &mut self,
        id: HostFuncId,
        _caller: &mut Caller<'_>,
        _args: &[Value],
        _results: &mut [Value],
    ) -> Result<(), HostError> {
        Err(HostError::Trap(alloc::format!("no host function {}", id.0)))
    }
}
