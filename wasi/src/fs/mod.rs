//! Files and directories under `--dir` grants (the `std` part of WASI).
//!
//! Each directory descriptor is a sandbox root of its own: paths resolved through it can
//! reach only what lies below it ([`sandbox`]). A preopen is such a descriptor with a name.

use std::prelude::rust_2021::*;

mod dir;
mod file;
mod path;
pub(crate) mod sandbox;
mod view;

pub(crate) use dir::OpenDir;
pub(crate) use file::OpenFile;
pub(crate) use path::{OpenRequest, PathArg};
pub(crate) use view::MetadataView;

use std::fs::{FileType, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::time::{Duration, SystemTime};

use crate::abi::{self, filestat, filetype, fstflags};
use crate::errno::{Errno, WasiResult};

/// The preview-1 `filetype` of a host file type.
pub(crate) fn filetype_of(kind: FileType) -> u8 {
    if kind.is_dir() {
        filetype::DIRECTORY
    } else if kind.is_file() {
        filetype::REGULAR_FILE
    } else if kind.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if kind.is_char_device() {
        filetype::CHARACTER_DEVICE
    } else if kind.is_block_device() {
        1
    } else if kind.is_socket() {
        6
    } else {
        filetype::UNKNOWN
    }
}

/// The `filestat` image of host metadata.
pub(crate) fn filestat_of(meta: &Metadata) -> [u8; filestat::SIZE] {
    let nanos = |secs: i64, nsecs: i64| {
        u64::try_from(secs)
            .unwrap_or(0)
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::try_from(nsecs).unwrap_or(0))
    };
    let mut image = [0; filestat::SIZE];
    abi::put_u64(&mut image, filestat::DEV, meta.dev());
    abi::put_u64(&mut image, filestat::INO, meta.ino());
    image[filestat::FILETYPE] = filetype_of(meta.file_type());
    abi::put_u64(&mut image, filestat::NLINK, meta.nlink());
    abi::put_u64(&mut image, filestat::SIZE_FIELD, meta.size());
    abi::put_u64(
        &mut image,
        filestat::ATIM,
        nanos(meta.atime(), meta.atime_nsec()),
    );
    abi::put_u64(
        &mut image,
        filestat::MTIM,
        nanos(meta.mtime(), meta.mtime_nsec()),
    );
    abi::put_u64(
        &mut image,
        filestat::CTIM,
        nanos(meta.ctime(), meta.ctime_nsec()),
    );
    image
}

/// Applies `*_set_times` arguments to an open host file or directory.
pub(crate) fn set_times(file: &std::fs::File, atim: u64, mtim: u64, flags: u16) -> WasiResult {
    let pick = |value: u64, set: u16, now: u16| -> WasiResult<Option<SystemTime>> {
        match (flags & set != 0, flags & now != 0) {
            (true, true) => Err(Errno::INVAL),
            (true, false) => Ok(Some(SystemTime::UNIX_EPOCH + Duration::from_nanos(value))),
            (false, true) => Ok(Some(SystemTime::now())),
            (false, false) => Ok(None),
        }
    };
    let mut times = std::fs::FileTimes::new();
    if let Some(time) = pick(atim, fstflags::ATIM, fstflags::ATIM_NOW)? {
        times = times.set_accessed(time);
    }
    if let Some(time) = pick(mtim, fstflags::MTIM, fstflags::MTIM_NOW)? {
        times = times.set_modified(time);
    }
    Ok(file.set_times(times)?)
}
