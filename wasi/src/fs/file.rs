//! An open regular file.

use std::prelude::rust_2021::*;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;

use crate::abi::{fdflags, filestat, rights, whence};
use crate::descriptor::FdStat;
use crate::errno::{Errno, WasiResult};

pub(crate) struct OpenFile {
    file: File,
    /// `fdflags`; `APPEND` is applied here (seek to the end before each write) so that
    /// `fd_fdstat_set_flags` can switch it on and off like wasi-libc's `fopen("a")` expects.
    flags: u16,
    rights: u64,
}

impl OpenFile {
    pub fn new(file: File, flags: u16, rights_base: u64) -> Self {
        Self {
            file,
            flags,
            rights: rights_base & rights::FILE,
        }
    }

    pub fn write(&mut self, bytes: &[u8]) -> WasiResult<usize> {
        if self.flags & fdflags::APPEND != 0 {
            self.file.seek(SeekFrom::End(0))?;
        }
        Ok(self.file.write(bytes)?)
    }

    pub fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        Ok(self.file.read(buf)?)
    }

    pub fn pread(&mut self, buf: &mut [u8], offset: u64) -> WasiResult<usize> {
        Ok(self.file.read_at(buf, offset)?)
    }

    pub fn pwrite(&mut self, bytes: &[u8], offset: u64) -> WasiResult<usize> {
        Ok(self.file.write_at(bytes, offset)?)
    }

    pub fn seek(&mut self, offset: i64, from: u32) -> WasiResult<u64> {
        let target = match from {
            whence::SET => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::INVAL)?),
            whence::CUR => SeekFrom::Current(offset),
            whence::END => SeekFrom::End(offset),
            _ => return Err(Errno::INVAL),
        };
        Ok(self.file.seek(target)?)
    }

    pub fn fdstat(&self) -> FdStat {
        FdStat {
            filetype: crate::abi::filetype::REGULAR_FILE,
            flags: self.flags,
            rights_base: self.rights,
            rights_inheriting: 0,
        }
    }

    pub fn set_flags(&mut self, flags: u16) {
        self.flags = flags;
    }

    pub fn filestat(&self) -> WasiResult<[u8; filestat::SIZE]> {
        Ok(super::filestat_of(&self.file.metadata()?))
    }

    pub fn set_len(&mut self, size: u64) -> WasiResult {
        Ok(self.file.set_len(size)?)
    }

    /// `fd_allocate`: makes the file at least `offset + len` bytes long.
    pub fn allocate(&mut self, offset: u64, len: u64) -> WasiResult {
        let end = offset.checked_add(len).ok_or(Errno::FBIG)?;
        if self.file.metadata()?.len() < end {
            self.file.set_len(end)?;
        }
        Ok(())
    }

    pub fn set_times(&mut self, atim: u64, mtim: u64, flags: u16) -> WasiResult {
        super::set_times(&self.file, atim, mtim, flags)
    }

    pub fn sync(&mut self) -> WasiResult {
        Ok(self.file.sync_all()?)
    }

    pub fn datasync(&mut self) -> WasiResult {
        Ok(self.file.sync_data()?)
    }
}
