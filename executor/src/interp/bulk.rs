//! Bulk memory and table operations that need more than one object.

use crate::error::{Corruption, Error, TrapCode};
use crate::memory::Memory;
use crate::table::Table;

/// `memory.init`: copies `segment[src..src + len]` to `dst`.
pub(super) fn memory_init(
    memory: &mut Memory,
    segment: &[u8],
    dst: u32,
    src: u32,
    len: u32,
) -> Result<(), Error> {
    let end = u64::from(src) + u64::from(len);
    let bytes = segment
        .get(src as usize..end as usize)
        .ok_or(TrapCode::MemoryOutOfBounds)?;
    memory.write(u64::from(dst), bytes)
}

/// `table.init`: copies `segment[src..src + len]` to `dst`.
pub(super) fn table_init(
    table: &mut Table,
    segment: &[u64],
    dst: u32,
    src: u32,
    len: u32,
) -> Result<(), Error> {
    let end = u64::from(src) + u64::from(len);
    let items = segment
        .get(src as usize..end as usize)
        .ok_or(TrapCode::TableOutOfBounds)?;
    table.write(dst, items)
}

/// `table.copy` between two tables, or within one.
pub(super) fn table_copy(
    tables: &mut [Table],
    dst_table: u32,
    src_table: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> Result<(), Error> {
    let (dst_index, src_index) = (dst_table as usize, src_table as usize);
    if dst_index == src_index {
        let table = tables.get_mut(dst_index).ok_or(Corruption::BadIndex)?;
        return table.copy_within(dst, src, len);
    }
    if dst_index.max(src_index) >= tables.len() {
        return Err(Corruption::BadIndex.into());
    }
    // Two distinct tables: split the slice so one can be read while the other is written.
    let (low, high) = tables.split_at_mut(dst_index.max(src_index));
    let first = low
        .get_mut(dst_index.min(src_index))
        .ok_or(Corruption::BadIndex)?;
    let second = high.first_mut().ok_or(Corruption::BadIndex)?;
    let (target, source) = if dst_index < src_index {
        (first, second)
    } else {
        (second, first)
    };
    target.write(dst, source.read(src, len)?)
}
