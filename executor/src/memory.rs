//! Linear memory.
//!
//! The bytes are a `Vec<u8>` grown fallibly (`try_reserve`) so that an allocation failure is a
//! failed `memory.grow` (or a limit error), never an abort. Every access computes its effective
//! address in `u64` (address + offset cannot overflow) and is bounds-checked.

use crate::error::{Error, LimitKind, TrapCode};
use crate::types::{MemoryType, PAGE_SIZE};
use alloc::vec::Vec;

/// One linear memory.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    bytes: Vec<u8>,
    /// The maximum in pages the module declared.
    declared_max: Option<u64>,
    /// The declared maximum, or 65 536 (the 32-bit address space).
    max_pages: u64,
    /// The configured byte limit, in pages.
    limit_pages: u64,
}

/// The largest memory a 32-bit address can reach, in pages.
const MAX_PAGES_32: u64 = 65_536;

impl Memory {
    /// A memory of `ty`'s minimum size, refusing one above `max_bytes`.
    pub(crate) fn new(ty: MemoryType, max_bytes: u64) -> Result<Self, Error> {
        let mut memory = Memory {
            bytes: Vec::new(),
            declared_max: ty.max_pages,
            max_pages: ty.max_pages.unwrap_or(MAX_PAGES_32).min(MAX_PAGES_32),
            limit_pages: max_bytes / PAGE_SIZE,
        };
        if ty.min_pages > memory.limit_pages {
            return Err(LimitKind::Memory.into());
        }
        if memory.grow(ty.min_pages)? < 0 {
            return Err(LimitKind::Memory.into());
        }
        Ok(memory)
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The size in pages.
    pub fn pages(&self) -> u64 {
        self.size() / PAGE_SIZE
    }

    /// The contents.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The contents, for fault injection and for hosts that write guest memory.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
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
        let new_len = (new * PAGE_SIZE) as usize;
        let additional = new_len - self.bytes.len();
        // Amortised growth, so programs that grow page by page (malloc) do not copy the whole
        // memory at every step; exact growth when doubling the capacity is refused.
        let reserved = self.bytes.try_reserve(additional).is_ok()
            || self.bytes.try_reserve_exact(additional).is_ok();
        if !reserved {
            return Ok(-1);
        }
        self.bytes.resize(new_len, 0);
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

    /// Reads `out.len()` bytes at `address` (host access).
    pub fn read(&self, address: u64, out: &mut [u8]) -> Result<(), Error> {
        let end = address
            .checked_add(out.len() as u64)
            .ok_or(TrapCode::MemoryOutOfBounds)?;
        let source = usize::try_from(address)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(start, end)| self.bytes.get(start..end))
            .ok_or(TrapCode::MemoryOutOfBounds)?;
        out.copy_from_slice(source);
        Ok(())
    }

    /// Writes `data` at `address` (host access, data segments).
    pub fn write(&mut self, address: u64, data: &[u8]) -> Result<(), Error> {
        let end = address
            .checked_add(data.len() as u64)
            .ok_or(TrapCode::MemoryOutOfBounds)?;
        let target = usize::try_from(address)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(start, end)| self.bytes.get_mut(start..end))
            .ok_or(TrapCode::MemoryOutOfBounds)?;
        target.copy_from_slice(data);
        Ok(())
    }

    /// `memory.fill`
    pub(crate) fn fill(&mut self, address: u32, value: u8, len: u32) -> Result<(), Error> {
        let range = self.range(address, 0, len as usize)?;
        self.bytes
            .get_mut(range)
            .ok_or(TrapCode::MemoryOutOfBounds)?
            .fill(value);
        Ok(())
    }

    /// `memory.copy` (overlapping ranges allowed).
    pub(crate) fn copy_within(&mut self, dst: u32, src: u32, len: u32) -> Result<(), Error> {
        let source = self.range(src, 0, len as usize)?;
        let target = self.range(dst, 0, len as usize)?;
        self.bytes.copy_within(source, target.start);
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
