//! Linear memory.
//!
//! The bytes come from the allocator's zeroing allocation, fallibly, so that an allocation
//! failure is a failed `memory.grow` (or a limit error), never an abort, and so that a large
//! memory only costs the pages the program touches (fresh pages are zero already; nothing is
//! written to clear them). Capacity grows by doubling and the bytes beyond the current size are
//! kept zero, so growing within the capacity writes nothing. Every access computes its
//! effective address in `u64` (address + offset cannot overflow) and is bounds-checked against
//! the current size.

use crate::error::{Corruption, Error, LimitKind, TrapCode};
use crate::types::{MemoryType, PAGE_SIZE};
use alloc::vec::Vec;
use wasmrel_checker::memory::{MemoryGuard, Protection};

/// One linear memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memory {
    /// The allocation: `size` live bytes, then zeros up to the capacity.
    bytes: Vec<u8>,
    /// The current size in bytes (a multiple of the page size).
    size: usize,
    /// The maximum in pages the module declared.
    declared_max: Option<u64>,
    /// The declared maximum, or 65 536 (the 32-bit address space).
    max_pages: u64,
    /// The configured byte limit, in pages.
    limit_pages: u64,
    /// Check bits or a shadow copy of the live bytes (encoded stores; none otherwise). Not
    /// counted against the byte limit.
    guard: MemoryGuard,
}

/// The largest memory a 32-bit address can reach, in pages.
const MAX_PAGES_32: u64 = 65_536;

impl Memory {
    /// A memory of `ty`'s minimum size, refusing one above `max_bytes`.
    pub(crate) fn new(ty: MemoryType, max_bytes: u64) -> Result<Self, Error> {
        let mut memory = Memory {
            bytes: Vec::new(),
            size: 0,
            declared_max: ty.max_pages,
            max_pages: ty.max_pages.unwrap_or(MAX_PAGES_32).min(MAX_PAGES_32),
            limit_pages: max_bytes / PAGE_SIZE,
            guard: MemoryGuard::default(),
        };
        if ty.min_pages > memory.limit_pages {
            return Err(LimitKind::Memory.into());
        }
        if memory.grow(ty.min_pages)? < 0 {
            return Err(LimitKind::Memory.into());
        }
        Ok(memory)
    }

    /// Protects the memory with `protection` from now on (its current bytes are taken as
    /// correct). A memory whose check bits or shadow copy the allocator refuses is over the
    /// memory limit.
    pub(crate) fn protect(&mut self, protection: Protection) -> Result<(), Error> {
        self.guard = MemoryGuard::new(protection, self.bytes()).map_err(|_| LimitKind::Memory)?;
        Ok(())
    }

    /// Before a write of `len` bytes at `start`: the protected words it covers in part must
    /// be intact, or the write would make their flipped bytes look correct.
    #[inline(always)]
    fn verify_unwritten(&self, start: usize, len: usize) -> Result<(), Error> {
        self.guard
            .verify_partial(self.bytes(), start, len)
            .map_err(|_| Corruption::MemoryMismatch.into())
    }

    /// Checks `len` bytes at `start` against the protection before they are read.
    #[inline(always)]
    fn verify_read(&self, start: usize, len: usize) -> Result<(), Error> {
        self.guard
            .verify(self.bytes(), start, len)
            .map_err(|_| Corruption::MemoryMismatch.into())
    }

    /// Updates the protection after a write of `len` bytes at `start`.
    #[inline(always)]
    fn protect_written(&mut self, start: usize, len: usize) {
        let live = self.bytes.get(..self.size).unwrap_or_default();
        self.guard.stored(live, start, len);
    }

    /// Bytes the protection keeps beside the memory (check bits or the shadow copy).
    pub fn protection_bytes(&self) -> usize {
        self.guard.overhead_bytes()
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.size as u64
    }

    /// The size in pages.
    pub fn pages(&self) -> u64 {
        self.size() / PAGE_SIZE
    }

    /// The contents.
    pub fn bytes(&self) -> &[u8] {
        self.bytes.get(..self.size).unwrap_or_default()
    }

    /// The contents, for fault injection and for hosts that write guest memory.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.size).unwrap_or_default()
    }

    /// `memory.grow`: the old size in pages, or -1 when the module's maximum or the
    /// allocator refuses. Growing past the configured byte limit is a limit error.
    pub(crate) fn grow(&mut self, delta: u64) -> Result<i64, Error> {
        let old = self.pages();
        let new = old.saturating_add(delta);
        if new > self.max_pages {
            return Ok(-1);
        }
        if new > self.limit_pages {
            return Err(LimitKind::Memory.into());
        }
        let new_size = (new * PAGE_SIZE) as usize;
        if new_size > self.bytes.len() {
            // Double the capacity (within what may ever be used) so that programs growing
            // page by page (malloc) do not copy the whole memory at every step.
            let most = (self.max_pages.min(self.limit_pages) * PAGE_SIZE) as usize;
            let doubled = self.bytes.len().saturating_mul(2).min(most).max(new_size);
            let Some(mut fresh) = zeroed(doubled).or_else(|| zeroed(new_size)) else {
                return Ok(-1);
            };
            let live = self.bytes.get(..self.size).unwrap_or_default();
            if let Some(target) = fresh.get_mut(..live.len()) {
                target.copy_from_slice(live);
            }
            self.bytes = fresh;
        }
        // The protection grows first, so that a refusal leaves the memory as it was.
        if self
            .guard
            .resize(self.bytes.get(..new_size).unwrap_or_default())
            .is_err()
        {
            return Ok(-1);
        }
        self.size = new_size;
        Ok(old as i64)
    }

    /// The in-bounds range `[address + offset, + len)`, or a trap.
    #[inline(always)]
    fn range(
        &self,
        address: u32,
        offset: u32,
        len: usize,
    ) -> Result<core::ops::Range<usize>, Error> {
        let start = u64::from(address) + u64::from(offset);
        let end = start + len as u64;
        if end > self.size() {
            core::hint::cold_path();
            return Err(TrapCode::MemoryOutOfBounds.into());
        }
        Ok(start as usize..end as usize)
    }

    /// Reads `N` bytes at `address + offset`.
    #[inline(always)]
    pub(crate) fn load<const N: usize>(&self, address: u32, offset: u32) -> Result<[u8; N], Error> {
        let range = self.range(address, offset, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes.get(range).ok_or(TrapCode::MemoryOutOfBounds)?);
        Ok(out)
    }

    /// [`Self::load`] that verifies the bytes against the protection before it returns them
    /// (encoded stores): a mismatch is [`Corruption::MemoryMismatch`].
    #[inline(always)]
    pub(crate) fn load_checked<const N: usize>(
        &self,
        address: u32,
        offset: u32,
    ) -> Result<[u8; N], Error> {
        let range = self.range(address, offset, N)?;
        let live = self.bytes();
        let start = range.start;
        let mut out = [0u8; N];
        out.copy_from_slice(live.get(range).ok_or(TrapCode::MemoryOutOfBounds)?);
        self.guard
            .verify_read(live, start, out)
            .map_err(|_| Corruption::MemoryMismatch)?;
        Ok(out)
    }

    /// [`Self::store`] that also keeps the protection (encoded stores): verifies the words
    /// the store covers in part where the guard needs it, writes, updates their check bits
    /// (from the bytes replaced and written).
    #[inline(always)]
    pub(crate) fn store_checked<const N: usize>(
        &mut self,
        address: u32,
        offset: u32,
        value: [u8; N],
    ) -> Result<(), Error> {
        let range = self.range(address, offset, N)?;
        self.guard
            .verify_partial_value::<N>(self.bytes(), range.start)
            .map_err(|_| Corruption::MemoryMismatch)?;
        let target = self
            .bytes
            .get_mut(range.clone())
            .ok_or(TrapCode::MemoryOutOfBounds)?;
        let mut old = [0u8; N];
        old.copy_from_slice(target);
        target.copy_from_slice(&value);
        let live = self.bytes.get(..self.size).unwrap_or_default();
        self.guard.stored_value(live, range.start, old, value);
        Ok(())
    }

    /// Writes `N` bytes at `address + offset`.
    #[inline(always)]
    pub(crate) fn store<const N: usize>(
        &mut self,
        address: u32,
        offset: u32,
        value: [u8; N],
    ) -> Result<(), Error> {
        let range = self.range(address, offset, N)?;
        let target = self
            .bytes
            .get_mut(range)
            .ok_or(TrapCode::MemoryOutOfBounds)?;
        target.copy_from_slice(&value);
        Ok(())
    }

    /// The in-bounds byte range `[address, address + len)` of a host access, or a trap.
    fn host_range(&self, address: u64, len: usize) -> Result<core::ops::Range<usize>, Error> {
        let end = address
            .checked_add(len as u64)
            .ok_or(TrapCode::MemoryOutOfBounds)?;
        match (usize::try_from(address), usize::try_from(end)) {
            (Ok(start), Ok(end)) if end <= self.size => Ok(start..end),
            _ => Err(TrapCode::MemoryOutOfBounds.into()),
        }
    }

    /// Reads `out.len()` bytes at `address` (host access), checked against the protection:
    /// a mismatch is [`Corruption::MemoryMismatch`].
    pub fn read(&self, address: u64, out: &mut [u8]) -> Result<(), Error> {
        let range = self.host_range(address, out.len())?;
        self.verify_read(range.start, range.len())?;
        out.copy_from_slice(self.bytes().get(range).ok_or(TrapCode::MemoryOutOfBounds)?);
        Ok(())
    }

    /// Writes `data` at `address` (host access, data segments), keeping the protection as a
    /// store does.
    pub fn write(&mut self, address: u64, data: &[u8]) -> Result<(), Error> {
        let range = self.host_range(address, data.len())?;
        self.verify_unwritten(range.start, range.len())?;
        self.bytes_mut()
            .get_mut(range.clone())
            .ok_or(TrapCode::MemoryOutOfBounds)?
            .copy_from_slice(data);
        self.protect_written(range.start, range.len());
        Ok(())
    }

    /// `memory.fill`
    pub(crate) fn fill(&mut self, address: u32, value: u8, len: u32) -> Result<(), Error> {
        let range = self.range(address, 0, len as usize)?;
        self.verify_unwritten(range.start, range.len())?;
        self.bytes
            .get_mut(range.clone())
            .ok_or(TrapCode::MemoryOutOfBounds)?
            .fill(value);
        self.protect_written(range.start, range.len());
        Ok(())
    }

    /// `memory.copy` (overlapping ranges allowed); the source is read, so it is verified.
    pub(crate) fn copy_within(&mut self, dst: u32, src: u32, len: u32) -> Result<(), Error> {
        let source = self.range(src, 0, len as usize)?;
        let target = self.range(dst, 0, len as usize)?;
        self.verify_read(source.start, source.len())?;
        self.verify_unwritten(target.start, target.len())?;
        self.bytes.copy_within(source, target.start);
        self.protect_written(target.start, target.len());
        Ok(())
    }

    /// The type this memory matches as an import (current size, declared maximum).
    pub(crate) fn ty(&self) -> MemoryType {
        MemoryType {
            min_pages: self.pages(),
            max_pages: self.declared_max,
        }
    }
}

/// `len` zero bytes from the allocator's zeroing allocation (`calloc`-like), or `None` when
/// the allocator refuses.
fn zeroed(len: usize) -> Option<Vec<u8>> {
    if len == 0 {
        return Some(Vec::new());
    }
    let layout = core::alloc::Layout::array::<u8>(len).ok()?;
    // SAFETY: `layout` has a non-zero size (`len > 0`), as `alloc_zeroed` requires.
    let pointer = unsafe { alloc::alloc::alloc_zeroed(layout) };
    if pointer.is_null() {
        return None;
    }
    // SAFETY: `pointer` was allocated by the global allocator with `layout` (size `len`,
    // alignment 1), exactly the allocation a `Vec<u8>` of capacity `len` owns and frees; its
    // `len` bytes are initialised (zeroed), and the length `len` does not exceed the capacity.
    Some(unsafe { Vec::from_raw_parts(pointer, len, len) })
}
