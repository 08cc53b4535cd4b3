//! Constants and struct layouts of WASI preview 1 (`wasi_snapshot_preview1`).
//!
//! Offsets are those of the preview-1 C ABI (wasm32, natural alignment); the guest's libc
//! reads these structs field by field, so a wrong offset is a silent data bug, not an error.

/// The import module name every preview-1 function lives in.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// `clockid`.
pub mod clock {
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME: u32 = 2;
    pub const THREAD_CPUTIME: u32 = 3;
}

/// `filetype`.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `whence` of `fd_seek`.
pub mod whence {
    pub const SET: u32 = 0;
    pub const CUR: u32 = 1;
    pub const END: u32 = 2;
}

/// `fdflags`.
pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
}

/// `oflags` of `path_open`.
pub mod oflags {
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
}

/// `lookupflags`: bit 0 follows a symlink in the last path component.
pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// `fstflags` of the `*_set_times` functions.
pub mod fstflags {
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
}

/// `rights`: what a descriptor may be used for.
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    /// Every right preview 1 defines (bits 0..=29).
    pub const ALL: u64 = (1 << 30) - 1;
    /// Rights that only make sense on a regular file.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// Rights of a directory: everything except reading, writing and seeking its bytes.
    pub const DIRECTORY: u64 = ALL & !(FD_READ | FD_SEEK | FD_TELL | FD_WRITE | FD_ALLOCATE);
    /// Rights of standard input / output streams (not seekable, which makes them ttys to libc).
    pub const STDIN: u64 = FD_READ | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
    pub const STDOUT: u64 = FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

/// `fdstat`: 24 bytes.
pub mod fdstat {
    pub const SIZE: usize = 24;
    pub const FILETYPE: usize = 0;
    pub const FLAGS: usize = 2;
    pub const RIGHTS_BASE: usize = 8;
    pub const RIGHTS_INHERITING: usize = 16;
}

/// `filestat`: 64 bytes.
pub mod filestat {
    pub const SIZE: usize = 64;
    pub const DEV: usize = 0;
    pub const INO: usize = 8;
    pub const FILETYPE: usize = 16;
    pub const NLINK: usize = 24;
    pub const SIZE_FIELD: usize = 32;
    pub const ATIM: usize = 40;
    pub const MTIM: usize = 48;
    pub const CTIM: usize = 56;
}

/// `prestat`: 8 bytes, tag 0 (`dir`) then the name length.
pub mod prestat {
    pub const SIZE: usize = 8;
    pub const TAG_DIR: u8 = 0;
    pub const NAME_LEN: usize = 4;
}

/// `dirent`: a 24-byte header followed by the name (not NUL-terminated).
pub mod dirent {
    pub const SIZE: usize = 24;
    pub const NEXT: usize = 0;
    pub const INO: usize = 8;
    pub const NAMLEN: usize = 16;
    pub const TYPE: usize = 20;
}

/// `subscription` and `event` (32 bytes) of `poll_oneoff`.
pub mod poll {
    /// Offsets common to both snapshots; the rest is in [`crate::Snapshot`].
    pub const SUB_USERDATA: usize = 0;
    pub const SUB_TAG: usize = 8;
    /// `subclockflags`: the timeout is an absolute time of the clock.
    pub const ABSTIME: u16 = 1;

    pub const EVENT_SIZE: usize = 32;
    pub const EV_USERDATA: usize = 0;
    pub const EV_ERROR: usize = 8;
    pub const EV_TYPE: usize = 10;
    pub const EV_NBYTES: usize = 16;

    pub const TAG_CLOCK: u8 = 0;
    pub const TAG_FD_READ: u8 = 1;
    pub const TAG_FD_WRITE: u8 = 2;
}

/// Little-endian fields of struct images copied to and from the guest. Callers pass offsets
/// that are constants of the struct, inside images of its fixed size; a field that did not
/// fit would be left unwritten (or read as zero) rather than panic.
pub(crate) fn put_u16(buf: &mut [u8], at: usize, value: u16) {
    put(buf, at, value.to_le_bytes());
}

pub(crate) fn put_u32(buf: &mut [u8], at: usize, value: u32) {
    put(buf, at, value.to_le_bytes());
}

pub(crate) fn put_u64(buf: &mut [u8], at: usize, value: u64) {
    put(buf, at, value.to_le_bytes());
}

pub(crate) fn get_u16(buf: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(get(buf, at))
}

pub(crate) fn get_u32(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(get(buf, at))
}

pub(crate) fn get_u64(buf: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(get(buf, at))
}

fn put<const N: usize>(buf: &mut [u8], at: usize, bytes: [u8; N]) {
    if let Some(field) = buf.get_mut(at..).and_then(|rest| rest.get_mut(..N)) {
        field.copy_from_slice(&bytes);
    }
}

fn get<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut bytes = [0; N];
    if let Some(field) = buf.get(at..).and_then(|rest| rest.get(..N)) {
        bytes.copy_from_slice(field);
    }
    bytes
}
