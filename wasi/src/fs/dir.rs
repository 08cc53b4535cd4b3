//! An open directory: a sandbox root for path lookups, and a listing for `fd_readdir`.

use std::prelude::rust_2021::*;

use std::fs::File;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use crate::abi::{self, dirent, filestat, filetype, rights};
use crate::descriptor::FdStat;
use crate::errno::WasiResult;

pub(crate) struct OpenDir {
    /// The open directory: the root every lookup through this descriptor starts from and
    /// stays below (`sandbox`), and what `fd_readdir` lists.
    handle: File,
    /// The guest name of a preopened directory (`fd_prestat_*`); `None` for opened ones.
    pub preopen: Option<String>,
    rights_base: u64,
    rights_inheriting: u64,
    /// The listing `fd_readdir` pages through; taken afresh when a listing starts (cookie 0).
    listing: Vec<Entry>,
}

struct Entry {
    name: Vec<u8>,
    ino: u64,
    filetype: u8,
}

impl OpenDir {
    /// Opens directory `name` in the open directory `parent` (never through a symlink).
    pub fn open_at(
        parent: BorrowedFd<'_>,
        name: &[u8],
        rights_base: u64,
        rights_inheriting: u64,
    ) -> WasiResult<Self> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let handle = File::from(rustix::fs::openat(parent, name, flags, Mode::empty())?);
        Ok(Self::new(handle, rights_base, rights_inheriting))
    }

    fn new(handle: File, rights_base: u64, rights_inheriting: u64) -> Self {
        Self {
            handle,
            preopen: None,
            rights_base: rights_base & rights::DIRECTORY,
            rights_inheriting,
            listing: Vec::new(),
        }
    }

    /// Opens a granted directory. The host chose its path, so symlinks on it are followed;
    /// from then on only the open directory counts, whatever happens to the path.
    pub fn preopen(host: &Path, guest: &str) -> std::io::Result<Self> {
        let handle = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY)
            .open(host)?;
        let mut dir = Self::new(handle, rights::DIRECTORY, rights::ALL);
        dir.preopen = Some(guest.to_owned());
        Ok(dir)
    }

    /// The directory every path through this descriptor is resolved below.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.handle.as_fd()
    }

    pub fn fdstat(&self) -> FdStat {
        FdStat {
            filetype: filetype::DIRECTORY,
            flags: 0,
            rights_base: self.rights_base,
            rights_inheriting: self.rights_inheriting,
        }
    }

    pub fn filestat(&self) -> WasiResult<[u8; filestat::SIZE]> {
        Ok(super::filestat_of(&self.handle.metadata()?))
    }

    pub fn set_times(&mut self, atim: u64, mtim: u64, flags: u16) -> WasiResult {
        super::set_times(&self.handle, atim, mtim, flags)
    }

    pub fn sync(&mut self) -> WasiResult {
        Ok(self.handle.sync_all()?)
    }

    /// The `fd_readdir` bytes from entry `cookie` on, cut at `capacity`: a cut entry tells
    /// the guest to come back with a larger buffer, as preview 1 specifies.
    pub fn readdir(
        &mut self,
        cookie: u64,
        capacity: usize,
        view: &mut super::MetadataView,
    ) -> WasiResult<Vec<u8>> {
        if cookie == 0 || self.listing.is_empty() {
            self.listing = self.list(view)?;
        }
        let start = usize::try_from(cookie).unwrap_or(usize::MAX);
        let mut out = Vec::new();
        for (index, entry) in self.listing.iter().enumerate().skip(start) {
            if out.len() >= capacity {
                break;
            }
            let name = entry.name.as_slice();
            let mut header = [0u8; dirent::SIZE];
            abi::put_u64(&mut header, dirent::NEXT, index as u64 + 1);
            abi::put_u64(&mut header, dirent::INO, entry.ino);
            abi::put_u32(&mut header, dirent::NAMLEN, name.len() as u32);
            header[dirent::TYPE] = entry.filetype;
            out.extend_from_slice(&header);
            out.extend_from_slice(name);
        }
        out.truncate(capacity);
        Ok(out)
    }

    /// `.`, `..` and the entries sorted by name, so listings are the same on every run.
    fn list(&self, view: &mut super::MetadataView) -> WasiResult<Vec<Entry>> {
        let here = self.handle.metadata()?;
        let (parent_dev, parent_ino) =
            match rustix::fs::statat(&self.handle, "..", AtFlags::SYMLINK_NOFOLLOW) {
                Ok(parent) => (parent.st_dev, parent.st_ino),
                Err(_) => (here.dev(), here.ino()),
            };
        let mut entries = vec![
            Entry {
                name: b".".to_vec(),
                ino: view.ino(here.dev(), here.ino()),
                filetype: filetype::DIRECTORY,
            },
            Entry {
                name: b"..".to_vec(),
                ino: view.ino(parent_dev, parent_ino),
                filetype: filetype::DIRECTORY,
            },
        ];
        let mut children = Vec::new();
        for child in rustix::fs::Dir::read_from(&self.handle)? {
            let child = child?;
            let name = child.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let kind = match child.file_type() {
                // Some file systems leave the type out of their entries.
                FileType::Unknown => {
                    let stat = rustix::fs::statat(&self.handle, name, AtFlags::SYMLINK_NOFOLLOW)?;
                    FileType::from_raw_mode(stat.st_mode)
                }
                kind => kind,
            };
            children.push(Entry {
                name: name.to_vec(),
                ino: view.ino(here.dev(), child.ino()),
                filetype: super::filetype_of(kind),
            });
        }
        children.sort_by(|a, b| a.name.cmp(&b.name));
        entries.extend(children);
        Ok(entries)
    }
}
