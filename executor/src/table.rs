//! Tables of references.
//!
//! Elements are raw references (`0` null, `n + 1` the function or host reference `n`), plain
//! integers whatever the value domain: a flipped bit yields another index, which
//! `call_indirect` checks like any other.

use crate::error::{Error, LimitKind, TrapCode};
use crate::types::TableType;
use crate::value::ValType;
use alloc::vec::Vec;

/// One table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    elements: Vec<u64>,
    element: ValType,
    declared_max: Option<u32>,
    limit: u32,
}

impl Table {
    /// A table of `ty`'s minimum size filled with `init`, refusing one above `limit`.
    pub(crate) fn new(ty: TableType, init: u64, limit: u32) -> Result<Self, Error> {
        if ty.min > limit {
            return Err(LimitKind::Table.into());
        }
        let mut elements = Vec::new();
        elements
            .try_reserve_exact(ty.min as usize)
            .map_err(|_| Error::Limit(LimitKind::Table))?;
        elements.resize(ty.min as usize, init);
        Ok(Table {
            elements,
            element: ty.element,
            declared_max: ty.max,
            limit,
        })
    }

    /// The number of elements.
    pub fn size(&self) -> u32 {
        // Bounded by `limit: u32` at creation and growth.
        self.elements.len() as u32
    }

    /// The raw elements, for fault injection.
    pub fn elements_mut(&mut self) -> &mut [u64] {
        &mut self.elements
    }

    /// The type this table matches as an import.
    pub(crate) fn ty(&self) -> TableType {
        TableType {
            element: self.element,
            min: self.size(),
            max: self.declared_max,
        }
    }

    /// `table.get`
    #[inline]
    pub(crate) fn get(&self, index: u32) -> Result<u64, Error> {
        let element = self.elements.get(index as usize);
        element.copied().ok_or(TrapCode::TableOutOfBounds.into())
    }

    /// `table.set`
    #[inline]
    pub(crate) fn set(&mut self, index: u32, value: u64) -> Result<(), Error> {
        let element = self.elements.get_mut(index as usize);
        *element.ok_or(TrapCode::TableOutOfBounds)? = value;
        Ok(())
    }

    /// `table.grow`: the old size, or -1 when the declared maximum or the allocator refuses.
    /// Growing past the configured limit is a limit error.
    pub(crate) fn grow(&mut self, delta: u32, init: u64) -> Result<i32, Error> {
        let old = self.size();
        let Some(new) = old.checked_add(delta) else {
            return Ok(-1);
        };
        if self.declared_max.is_some_and(|max| new > max) {
            return Ok(-1);
        }
        if new > self.limit {
            return Err(LimitKind::Table.into());
        }
        let reserved = self.elements.try_reserve(delta as usize).is_ok()
            || self.elements.try_reserve_exact(delta as usize).is_ok();
        if !reserved {
            return Ok(-1);
        }
        self.elements.resize(new as usize, init);
        Ok(old as i32)
    }

    /// The in-bounds range `[start, start + len)`, or a trap.
    fn range(&self, start: u32, len: u32) -> Result<core::ops::Range<usize>, Error> {
        let end = u64::from(start) + u64::from(len);
        if end > u64::from(self.size()) {
            return Err(TrapCode::TableOutOfBounds.into());
        }
        Ok(start as usize..end as usize)
    }

    /// `table.fill`
    pub(crate) fn fill(&mut self, start: u32, value: u64, len: u32) -> Result<(), Error> {
        let range = self.range(start, len)?;
        let target = self
            .elements
            .get_mut(range)
            .ok_or(TrapCode::TableOutOfBounds)?;
        target.fill(value);
        Ok(())
    }

    /// `table.copy` within this table (overlap allowed).
    pub(crate) fn copy_within(&mut self, dst: u32, src: u32, len: u32) -> Result<(), Error> {
        let source = self.range(src, len)?;
        let target = self.range(dst, len)?;
        self.elements.copy_within(source, target.start);
        Ok(())
    }

    /// Writes `items` at `start` (element segments, `table.init`, copies between tables).
    pub(crate) fn write(&mut self, start: u32, items: &[u64]) -> Result<(), Error> {
        let len = u32::try_from(items.len()).map_err(|_| TrapCode::TableOutOfBounds)?;
        let range = self.range(start, len)?;
        let target = self
            .elements
            .get_mut(range)
            .ok_or(TrapCode::TableOutOfBounds)?;
        target.copy_from_slice(items);
        Ok(())
    }

    /// Reads `len` elements at `start`.
    pub(crate) fn read(&self, start: u32, len: u32) -> Result<&[u64], Error> {
        let range = self.range(start, len)?;
        self.elements
            .get(range)
            .ok_or(TrapCode::TableOutOfBounds.into())
    }
}
