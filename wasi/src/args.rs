//! `args_*` and `environ_*`: both copy a list of NUL-terminated strings the same way.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::guest::{Guest, GuestExt};

impl WasiCtx {
    pub(crate) fn args_sizes_get(
        &self,
        guest: &mut impl Guest,
        count: u32,
        size: u32,
    ) -> WasiResult {
        write_sizes(guest, &self.args, count, size)
    }

    pub(crate) fn args_get(&self, guest: &mut impl Guest, ptrs: u32, buf: u32) -> WasiResult {
        write_strings(guest, &self.args, ptrs, buf)
    }

    pub(crate) fn environ_sizes_get(
        &self,
        guest: &mut impl Guest,
        count: u32,
        size: u32,
    ) -> WasiResult {
        write_sizes(guest, &self.env, count, size)
    }

    pub(crate) fn environ_get(&self, guest: &mut impl Guest, ptrs: u32, buf: u32) -> WasiResult {
        write_strings(guest, &self.env, ptrs, buf)
    }
}

fn write_sizes(
    guest: &mut impl Guest,
    list: &[alloc::vec::Vec<u8>],
    count: u32,
    size: u32,
) -> WasiResult {
    let bytes: usize = list.iter().map(alloc::vec::Vec::len).sum();
    guest.write_u32(
        count,
        u32::try_from(list.len()).map_err(|_| Errno::OVERFLOW)?,
    )?;
    guest.write_u32(size, u32::try_from(bytes).map_err(|_| Errno::OVERFLOW)?)
}

/// Writes the strings back to back at `buf` and a pointer to each at `ptrs`.
fn write_strings(
    guest: &mut impl Guest,
    list: &[alloc::vec::Vec<u8>],
    ptrs: u32,
    buf: u32,
) -> WasiResult {
    let mut at = buf;
    for (index, string) in list.iter().enumerate() {
        let slot = ptrs
            .checked_add(u32::try_from(index * 4).map_err(|_| Errno::FAULT)?)
            .ok_or(Errno::FAULT)?;
        guest.write_u32(slot, at)?;
        guest.write(at, string)?;
        at = at
            .checked_add(u32::try_from(string.len()).map_err(|_| Errno::FAULT)?)
            .ok_or(Errno::FAULT)?;
    }
    Ok(())
}
