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

use std::fs::Metadata;
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;

use rustix::fs::{FileType, Timespec, Timestamps, UTIME_NOW, UTIME_OMIT};

use crate::abi::{self, filestat, filetype, fstflags};
use crate::errno::{Errno, WasiResult};

/// The preview-1 `filetype` of a host file type.
pub(crate) fn filetype_of(kind: FileType) -> u8 {
    match kind {
        FileType::Directory => filetype::DIRECTORY,
        FileType::RegularFile => filetype::REGULAR_FILE,
        FileType::Symlink => filetype::SYMBOLIC_LINK,
        FileType::CharacterDevice => filetype::CHARACTER_DEVICE,
        FileType::BlockDevice => 1,
        FileType::Socket => 6,
        _ => filetype::UNKNOWN,
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
    image[filestat::FILETYPE] = filetype_of(FileType::from_raw_mode(meta.mode()));
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

/// The `utimensat`/`futimens` times of `*_set_times` arguments: a given time, now, or left
/// as it is.
pub(crate) fn timestamps(atim: u64, mtim: u64, flags: u16) -> WasiResult<Timestamps> {
    let pick = |value: u64, set: u16, now: u16| -> WasiResult<Timespec> {
        let nsec = |nsec| Timespec {
            tv_sec: 0,
            tv_nsec: nsec,
        };
        match (flags & set != 0, flags & now != 0) {
            (true, true) => Err(Errno::INVAL),
            (true, false) => Ok(Timespec {
                tv_sec: i64::try_from(value / 1_000_000_000).map_err(|_| Errno::INVAL)?,
                tv_nsec: i64::try_from(value % 1_000_000_000).map_err(|_| Errno::INVAL)?,
            }),
            (false, true) => Ok(nsec(UTIME_NOW)),
            (false, false) => Ok(nsec(UTIME_OMIT)),
        }
    };
    Ok(Timestamps {
        last_access: pick(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        last_modification: pick(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    })
}

/// Applies `fd_filestat_set_times` arguments to an open host file or directory.
pub(crate) fn set_times(file: impl AsFd, atim: u64, mtim: u64, flags: u16) -> WasiResult {
    Ok(rustix::fs::futimens(file, &timestamps(atim, mtim, flags)?)?)
}
