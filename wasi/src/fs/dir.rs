//! An open directory: a sandbox root for path lookups, and a listing for `fd_readdir`.

use std::prelude::rust_2021::*;

use std::ffi::OsString;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirEntryExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::abi::{self, dirent, filestat, filetype, rights};
use crate::descriptor::FdStat;
use crate::errno::WasiResult;

pub(crate) struct OpenDir {
    /// The host path; every lookup through this descriptor stays below it.
    pub root: PathBuf,
    handle: File,
    /// The guest name of a preopened directory (`fd_prestat_*`); `None` for opened ones.
    pub preopen: Option<String>,
    rights_base: u64,
    rights_inheriting: u64,
    /// The listing `fd_readdir` pages through; taken afresh when a listing starts (cookie 0).
    listing: Vec<Entry>,
}

struct Entry {
    name: OsString,
    ino: u64,
    filetype: u8,
}

impl OpenDir {
    /// Opens a host directory (never through a symlink in its last component).
    pub fn open(root: PathBuf, rights_base: u64, rights_inheriting: u64) -> std::io::Result<Self> {
        let handle = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
            .open(&root)?;
        Ok(Self {
            root,
            handle,
            preopen: None,
            rights_base: rights_base & rights::DIRECTORY,
            rights_inheriting,
            listing: Vec::new(),
        })
    }

    /// Opens a granted directory; its canonical path becomes the root, so a grant given
    /// through a symlink still has a symlink-free root.
    pub fn preopen(host: &Path, guest: &str) -> std::io::Result<Self> {
        let root = host.canonicalize()?;
        std::fs::read_dir(&root)?;
        let mut dir = Self::open(root, rights::DIRECTORY, rights::ALL)?;
        dir.preopen = Some(guest.to_owned());
        Ok(dir)
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
            let name = entry.name.as_bytes();
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
        let parent = std::fs::metadata(self.root.join("..")).unwrap_or_else(|_| here.clone());
        let mut entries = vec![
            Entry {
                name: ".".into(),
                ino: view.ino(here.dev(), here.ino()),
                filetype: filetype::DIRECTORY,
            },
            Entry {
                name: "..".into(),
                ino: view.ino(parent.dev(), parent.ino()),
                filetype: filetype::DIRECTORY,
            },
        ];
        let mut children = Vec::new();
        for child in std::fs::read_dir(&self.root)? {
            let child = child?;
            children.push(Entry {
                name: child.file_name(),
                ino: view.ino(here.dev(), child.ino()),
                filetype: super::filetype_of(child.file_type()?),
            });
        }
        children.sort_by(|a, b| a.name.cmp(&b.name));
        entries.extend(children);
        Ok(entries)
    }
}
