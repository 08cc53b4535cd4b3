//! Guest memory as a byte vector, shared by the tests that drive the WASI core directly.

use wasmrel_wasi::errno::WasiResult;
use wasmrel_wasi::Errno;

/// Copies `buf.len()` bytes of `bytes` from `addr`; out of range is `FAULT`, as in a guest.
pub fn read(bytes: &[u8], addr: u32, buf: &mut [u8]) -> WasiResult {
    let start = addr as usize;
    let src = bytes.get(start..start + buf.len()).ok_or(Errno::FAULT)?;
    buf.copy_from_slice(src);
    Ok(())
}

/// Copies `data` into `bytes` at `addr`; out of range is `FAULT`.
pub fn write(bytes: &mut [u8], addr: u32, data: &[u8]) -> WasiResult {
    let start = addr as usize;
    let dst = bytes
        .get_mut(start..start + data.len())
        .ok_or(Errno::FAULT)?;
    dst.copy_from_slice(data);
    Ok(())
}
