//! The file-descriptor table: what each guest fd stands for.
//!
//! Standard streams are descriptors like any other, so `fd_renumber`, `fd_close` and the
//! generic `fd_*` functions treat them uniformly; files and directories exist only with `std`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::abi::{filestat, filetype, rights};
use crate::errno::{Errno, WasiResult};
use crate::stdio::{InputSource, OutputSink};

/// One open guest descriptor.
pub(crate) enum Descriptor {
    Input(Box<dyn InputSource>),
    Output(Box<dyn OutputSink>),
    #[cfg(feature = "std")]
    File(crate::fs::OpenFile),
    #[cfg(feature = "std")]
    Dir(crate::fs::OpenDir),
}

/// The fields of an `fdstat`.
pub(crate) struct FdStat {
    pub filetype: u8,
    pub flags: u16,
    pub rights_base: u64,
    pub rights_inheriting: u64,
}

impl Descriptor {
    pub fn write(&mut self, bytes: &[u8]) -> WasiResult<usize> {
        match self {
            Descriptor::Output(sink) => sink.write(bytes),
            #[cfg(feature = "std")]
            Descriptor::File(file) => file.write(bytes),
            _ => Err(Errno::BADF),
        }
    }

    pub fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        match self {
            Descriptor::Input(source) => source.read(buf),
            #[cfg(feature = "std")]
            Descriptor::File(file) => file.read(buf),
            #[cfg(feature = "std")]
            Descriptor::Dir(_) => Err(Errno::ISDIR),
            Descriptor::Output(_) => Err(Errno::BADF),
        }
    }

    pub fn fdstat(&self) -> FdStat {
        let stream = |terminal: bool, rights_base| FdStat {
            // A libc treats a character device without seek rights as a terminal; anything
            // else (a pipe or a file behind our stdio) is reported as an unknown stream.
            filetype: if terminal {
                filetype::CHARACTER_DEVICE
            } else {
                filetype::UNKNOWN
            },
            flags: 0,
            rights_base,
            rights_inheriting: 0,
        };
        match self {
            Descriptor::Input(source) => stream(source.is_terminal(), rights::STDIN),
            Descriptor::Output(sink) => stream(sink.is_terminal(), rights::STDOUT),
            #[cfg(feature = "std")]
            Descriptor::File(file) => file.fdstat(),
            #[cfg(feature = "std")]
            Descriptor::Dir(dir) => dir.fdstat(),
        }
    }

    /// Changes `fdflags`. Only files keep them (`APPEND`); streams and directories accept
    /// and ignore them, as they have no position to append at.
    pub fn set_flags(&mut self, flags: u16) {
        #[cfg(feature = "std")]
        if let Descriptor::File(file) = self {
            file.set_flags(flags);
        }
        #[cfg(not(feature = "std"))]
        let _ = flags;
    }

    /// The `filestat` image of this descriptor.
    pub fn filestat(&self) -> WasiResult<[u8; filestat::SIZE]> {
        match self {
            #[cfg(feature = "std")]
            Descriptor::File(file) => file.filestat(),
            #[cfg(feature = "std")]
            Descriptor::Dir(dir) => dir.filestat(),
            _ => {
                let mut image = [0; filestat::SIZE];
                image[filestat::FILETYPE] = self.fdstat().filetype;
                Ok(image)
            }
        }
    }

    /// The open file behind this descriptor; streams cannot be positioned (`ESPIPE`).
    #[cfg(feature = "std")]
    pub fn file(&mut self) -> WasiResult<&mut crate::fs::OpenFile> {
        match self {
            Descriptor::File(file) => Ok(file),
            Descriptor::Dir(_) => Err(Errno::ISDIR),
            _ => Err(Errno::SPIPE),
        }
    }

    /// The directory behind this descriptor, the base of every path lookup.
    #[cfg(feature = "std")]
    pub fn dir(&mut self) -> WasiResult<&mut crate::fs::OpenDir> {
        match self {
            Descriptor::Dir(dir) => Ok(dir),
            _ => Err(Errno::NOTDIR),
        }
    }

    pub fn sync(&mut self) -> WasiResult {
        match self {
            Descriptor::Output(sink) => sink.flush(),
            #[cfg(feature = "std")]
            Descriptor::File(file) => file.sync(),
            #[cfg(feature = "std")]
            Descriptor::Dir(dir) => dir.sync(),
            Descriptor::Input(_) => Ok(()),
        }
    }
}

/// Guest fds mapped to descriptors; a closed fd is a hole that the next open reuses.
#[derive(Default)]
pub(crate) struct FdTable {
    slots: Vec<Option<Descriptor>>,
}

impl FdTable {
    pub fn get(&mut self, fd: u32) -> WasiResult<&mut Descriptor> {
        self.slots
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::BADF)
    }

    /// Adds `descriptor` at the lowest free fd, as POSIX `open` does.
    pub fn insert(&mut self, descriptor: Descriptor) -> WasiResult<u32> {
        let index = match self.slots.iter().position(Option::is_none) {
            Some(index) => index,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        let fd = u32::try_from(index).map_err(|_| Errno::MFILE)?;
        *self.slots.get_mut(index).ok_or(Errno::MFILE)? = Some(descriptor);
        Ok(fd)
    }

    pub fn remove(&mut self, fd: u32) -> WasiResult<Descriptor> {
        self.slots
            .get_mut(fd as usize)
            .and_then(Option::take)
            .ok_or(Errno::BADF)
    }

    /// Moves `from` onto `to`, closing what `to` held; both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult {
        self.get(to)?;
        let descriptor = self.remove(from)?;
        *self.slots.get_mut(to as usize).ok_or(Errno::BADF)? = Some(descriptor);
        Ok(())
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Descriptor> {
        self.slots.iter_mut().flatten()
    }
}
