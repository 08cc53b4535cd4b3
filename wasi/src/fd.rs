//! The `fd_*` functions on any descriptor: streams always, files and directories with `std`.

use alloc::vec;

use crate::abi::{self, fdstat, prestat};
use crate::ctx::WasiCtx;
#[cfg(feature = "std")]
use crate::descriptor::Descriptor;
use crate::errno::{Errno, WasiResult};
use crate::guest::{Guest, GuestExt, IoVec};
use crate::snapshot::Snapshot;

impl WasiCtx {
    pub(crate) fn fd_write(
        &mut self,
        guest: &mut impl Guest,
        fd: u32,
        iovs: u32,
        count: u32,
        out: u32,
    ) -> WasiResult {
        let iovecs = guest.read_iovecs(iovs, count)?;
        let descriptor = self.fds.get(fd)?;
        let total = write_from(guest, &iovecs, |bytes| descriptor.write(bytes))?;
        guest.write_u32(out, total)
    }

    pub(crate) fn fd_read(
        &mut self,
        guest: &mut impl Guest,
        fd: u32,
        iovs: u32,
        count: u32,
        out: u32,
    ) -> WasiResult {
        let iovecs = guest.read_iovecs(iovs, count)?;
        let descriptor = self.fds.get(fd)?;
        let total = read_into(guest, &iovecs, |buf| descriptor.read(buf))?;
        guest.write_u32(out, total)
    }

    pub(crate) fn fd_close(&mut self, fd: u32) -> WasiResult {
        self.fds.remove(fd).map(drop)
    }

    pub(crate) fn fd_renumber(&mut self, from: u32, to: u32) -> WasiResult {
        self.fds.renumber(from, to)
    }

    pub(crate) fn fd_fdstat_get(
        &mut self,
        guest: &mut impl Guest,
        fd: u32,
        out: u32,
    ) -> WasiResult {
        let stat = self.fds.get(fd)?.fdstat();
        let mut image = [0u8; fdstat::SIZE];
        image[fdstat::FILETYPE] = stat.filetype;
        abi::put_u16(&mut image, fdstat::FLAGS, stat.flags);
        abi::put_u64(&mut image, fdstat::RIGHTS_BASE, stat.rights_base);
        abi::put_u64(
            &mut image,
            fdstat::RIGHTS_INHERITING,
            stat.rights_inheriting,
        );
        guest.write(out, &image)
    }

    pub(crate) fn fd_fdstat_set_flags(&mut self, fd: u32, flags: u16) -> WasiResult {
        self.fds.get(fd)?.set_flags(flags);
        Ok(())
    }

    /// Rights may only shrink. They are reported by `fd_fdstat_get` but not enforced: the
    /// host's own open mode already refuses writes to read-only files.
    pub(crate) fn fd_fdstat_set_rights(
        &mut self,
        fd: u32,
        base: u64,
        inheriting: u64,
    ) -> WasiResult {
        let stat = self.fds.get(fd)?.fdstat();
        if base & !stat.rights_base != 0 || inheriting & !stat.rights_inheriting != 0 {
            return Err(Errno::NOTCAPABLE);
        }
        Ok(())
    }

    pub(crate) fn fd_filestat_get(
        &mut self,
        guest: &mut impl Guest,
        snapshot: Snapshot,
        fd: u32,
        out: u32,
    ) -> WasiResult {
        let image = self.fds.get(fd)?.filestat()?;
        #[cfg(feature = "std")]
        let image = self.metadata.filestat(image);
        let (image, len) = snapshot.filestat(image);
        guest.write(out, image.get(..len).unwrap_or(image.as_slice()))
    }

    pub(crate) fn fd_sync(&mut self, fd: u32) -> WasiResult {
        self.fds.get(fd)?.sync()
    }

    pub(crate) fn fd_prestat_get(
        &mut self,
        guest: &mut impl Guest,
        fd: u32,
        out: u32,
    ) -> WasiResult {
        let name_len = self.preopen_name(fd)?.len();
        let mut image = [0u8; prestat::SIZE];
        image[0] = prestat::TAG_DIR;
        abi::put_u32(
            &mut image,
            prestat::NAME_LEN,
            u32::try_from(name_len).map_err(|_| Errno::NAMETOOLONG)?,
        );
        guest.write(out, &image)
    }

    pub(crate) fn fd_prestat_dir_name(
        &mut self,
        guest: &mut impl Guest,
        fd: u32,
        buf: u32,
        len: u32,
    ) -> WasiResult {
        let name = self.preopen_name(fd)?;
        if name.len() > len as usize {
            return Err(Errno::NAMETOOLONG);
        }
        let name = name.as_bytes().to_vec();
        guest.write(buf, &name)
    }

    /// The name of a preopened directory; any other fd is `EBADF`, which is how a libc
    /// scanning fds from 3 upwards learns where the preopens end.
    #[cfg(feature = "std")]
    fn preopen_name(&mut self, fd: u32) -> WasiResult<&str> {
        match self.fds.get(fd)? {
            Descriptor::Dir(dir) => dir.preopen.as_deref().ok_or(Errno::BADF),
            _ => Err(Errno::BADF),
        }
    }

    #[cfg(not(feature = "std"))]
    fn preopen_name(&mut self, fd: u32) -> WasiResult<&str> {
        self.fds.get(fd)?;
        Err(Errno::BADF)
    }
}

/// The most bytes moved through a host buffer at once, so a guest asking for a gigabyte
/// does not make the host allocate one: a read comes back short, a write is done in pieces.
const IO_CHUNK: u32 = 1 << 20;

/// Fills the iovecs in order from `read` until one comes back short; returns the total.
fn read_into(
    guest: &mut impl Guest,
    iovecs: &[IoVec],
    mut read: impl FnMut(&mut [u8]) -> WasiResult<usize>,
) -> WasiResult<u32> {
    let mut total = 0u32;
    for iov in iovecs {
        guest.check_range(iov.addr, u64::from(iov.len))?;
        let wanted = iov.len.min(IO_CHUNK);
        let mut buf = vec![0; wanted as usize];
        let got = read(&mut buf)?.min(buf.len());
        guest.write(iov.addr, buf.get(..got).unwrap_or_default())?;
        total = total.saturating_add(got as u32);
        if got < iov.len as usize {
            break;
        }
    }
    Ok(total)
}

/// Writes the iovecs in order through `write`, retrying short writes; returns the total.
fn write_from(
    guest: &mut impl Guest,
    iovecs: &[IoVec],
    mut write: impl FnMut(&[u8]) -> WasiResult<usize>,
) -> WasiResult<u32> {
    let mut total = 0u32;
    for iov in iovecs {
        guest.check_range(iov.addr, u64::from(iov.len))?;
        let mut done = 0;
        while done < iov.len {
            let bytes = guest.read_bytes(iov.addr + done, (iov.len - done).min(IO_CHUNK))?;
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let written = write(rest)?.min(rest.len());
                if written == 0 {
                    return Err(Errno::IO);
                }
                rest = rest.get(written..).unwrap_or_default();
            }
            done += bytes.len() as u32;
        }
        total = total.saturating_add(iov.len);
    }
    Ok(total)
}

/// The `fd_*` functions that need a positioned file or a directory.
#[cfg(feature = "std")]
impl WasiCtx {
    pub(crate) fn fd_pread(
        &mut self,
        guest: &mut impl Guest,
        fd: u32,
        iovs: (u32, u32),
        offset: u64,
        out: u32,
    ) -> WasiResult {
        let iovecs = guest.read_iovecs(iovs.0, iovs.1)?;
        let file = self.fds.get(fd)?.file()?;
        let mut at = offset;
        let total = read_into(guest, &iovecs, |buf| {
            let got = file.pread(buf, at)?;
            at += got as u64;
            Ok(got)
        })?;
        guest.write_u32(out, total)
    }

    pub(crate) fn fd_pwrite(
        &mut self,
        guest: &mut impl Guest,
        fd: u32,
        iovs: (u32, u32),
        offset: u64,
        out: u32,
    ) -> WasiResult {
        let iovecs = guest.read_iovecs(iovs.0, iovs.1)?;
        let file = self.fds.get(fd)?.file()?;
        let mut at = offset;
        let total = write_from(guest, &iovecs, |bytes| {
            let written = file.pwrite(bytes, at)?;
            at += written as u64;
            Ok(written)
        })?;
        guest.write_u32(out, total)
    }

    pub(crate) fn fd_seek(
        &mut self,
        guest: &mut impl Guest,
        fd: u32,
        offset: i64,
        whence: u32,
        out: u32,
    ) -> WasiResult {
        let position = self.fds.get(fd)?.file()?.seek(offset, whence)?;
        guest.write_u64(out, position)
    }

    pub(crate) fn fd_tell(&mut self, guest: &mut impl Guest, fd: u32, out: u32) -> WasiResult {
        self.fd_seek(guest, fd, 0, abi::whence::CUR, out)
    }

    pub(crate) fn fd_datasync(&mut self, fd: u32) -> WasiResult {
        self.fds.get(fd)?.file()?.datasync()
    }

    pub(crate) fn fd_filestat_set_size(&mut self, fd: u32, size: u64) -> WasiResult {
        self.fds.get(fd)?.file()?.set_len(size)
    }

    pub(crate) fn fd_filestat_set_times(
        &mut self,
        fd: u32,
        atim: u64,
        mtim: u64,
        flags: u16,
    ) -> WasiResult {
        match self.fds.get(fd)? {
            Descriptor::File(file) => file.set_times(atim, mtim, flags),
            Descriptor::Dir(dir) => dir.set_times(atim, mtim, flags),
            _ => Err(Errno::BADF),
        }
    }

    /// Advice is only a hint; it is checked and otherwise ignored.
    pub(crate) fn fd_advise(&mut self, fd: u32, advice: u32) -> WasiResult {
        self.fds.get(fd)?.file()?;
        if advice > 5 {
            return Err(Errno::INVAL);
        }
        Ok(())
    }

    pub(crate) fn fd_allocate(&mut self, fd: u32, offset: u64, len: u64) -> WasiResult {
        self.fds.get(fd)?.file()?.allocate(offset, len)
    }

    pub(crate) fn fd_readdir(
        &mut self,
        guest: &mut impl Guest,
        fd: u32,
        buf: (u32, u32),
        cookie: u64,
        out: u32,
    ) -> WasiResult {
        guest.check_range(buf.0, u64::from(buf.1))?;
        let dir = self.fds.get(fd)?.dir()?;
        let bytes = dir.readdir(cookie, buf.1 as usize, &mut self.metadata)?;
        guest.write(buf.0, &bytes)?;
        guest.write_u32(out, bytes.len() as u32)
    }
}
