//! WASI preview 1 error numbers.
//!
//! The numbers are the ABI: a guest's libc turns them back into its own `errno`, so each one
//! must match the preview-1 `errno` enumeration exactly.

/// A preview-1 error number; `Ok(())` stands for `success` (0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Errno(pub u16);

impl Errno {
    pub const TOOBIG: Errno = Errno(1);
    pub const ACCES: Errno = Errno(2);
    pub const AGAIN: Errno = Errno(6);
    pub const BADF: Errno = Errno(8);
    pub const BUSY: Errno = Errno(10);
    pub const EXIST: Errno = Errno(20);
    pub const FAULT: Errno = Errno(21);
    pub const FBIG: Errno = Errno(22);
    pub const ILSEQ: Errno = Errno(25);
    pub const INTR: Errno = Errno(27);
    pub const INVAL: Errno = Errno(28);
    pub const IO: Errno = Errno(29);
    pub const ISDIR: Errno = Errno(31);
    pub const LOOP: Errno = Errno(32);
    pub const MFILE: Errno = Errno(33);
    pub const MLINK: Errno = Errno(34);
    pub const NAMETOOLONG: Errno = Errno(37);
    pub const NFILE: Errno = Errno(41);
    pub const NOENT: Errno = Errno(44);
    pub const NOMEM: Errno = Errno(48);
    pub const NOSPC: Errno = Errno(51);
    pub const NOSYS: Errno = Errno(52);
    pub const NOTDIR: Errno = Errno(54);
    pub const NOTEMPTY: Errno = Errno(55);
    pub const NOTSUP: Errno = Errno(58);
    pub const OVERFLOW: Errno = Errno(61);
    pub const PERM: Errno = Errno(63);
    pub const PIPE: Errno = Errno(64);
    pub const ROFS: Errno = Errno(69);
    pub const SPIPE: Errno = Errno(70);
    pub const TXTBSY: Errno = Errno(74);
    pub const XDEV: Errno = Errno(75);
    /// The path leaves the directory grant (`..` above it, an absolute path, a symlink out).
    pub const NOTCAPABLE: Errno = Errno(76);
}

/// The result of every WASI function that returns an `errno`.
pub type WasiResult<T = ()> = Result<T, Errno>;

#[cfg(feature = "std")]
impl From<rustix::io::Errno> for Errno {
    fn from(err: rustix::io::Errno) -> Self {
        std::io::Error::from(err).into()
    }
}

#[cfg(feature = "std")]
impl From<std::io::Error> for Errno {
    /// Host errors keep their meaning; anything without a preview-1 twin becomes `EIO`.
    fn from(err: std::io::Error) -> Self {
        let Some(code) = err.raw_os_error() else {
            return match err.kind() {
                std::io::ErrorKind::NotFound => Errno::NOENT,
                std::io::ErrorKind::PermissionDenied => Errno::ACCES,
                std::io::ErrorKind::AlreadyExists => Errno::EXIST,
                std::io::ErrorKind::InvalidInput => Errno::INVAL,
                _ => Errno::IO,
            };
        };
        match code {
            libc::EPERM => Errno::PERM,
            libc::ENOENT => Errno::NOENT,
            libc::EINTR => Errno::INTR,
            libc::EBADF => Errno::BADF,
            libc::EAGAIN => Errno::AGAIN,
            libc::ENOMEM => Errno::NOMEM,
            libc::EACCES => Errno::ACCES,
            libc::EBUSY => Errno::BUSY,
            libc::EEXIST => Errno::EXIST,
            libc::EXDEV => Errno::XDEV,
            libc::ENOTDIR => Errno::NOTDIR,
            libc::EISDIR => Errno::ISDIR,
            libc::EINVAL => Errno::INVAL,
            libc::ENFILE => Errno::NFILE,
            libc::EMFILE => Errno::MFILE,
            libc::ETXTBSY => Errno::TXTBSY,
            libc::EFBIG => Errno::FBIG,
            libc::ENOSPC => Errno::NOSPC,
            libc::ESPIPE => Errno::SPIPE,
            libc::EROFS => Errno::ROFS,
            libc::EMLINK => Errno::MLINK,
            libc::EPIPE => Errno::PIPE,
            libc::ENAMETOOLONG => Errno::NAMETOOLONG,
            libc::ENOSYS => Errno::NOSYS,
            libc::ENOTEMPTY => Errno::NOTEMPTY,
            libc::ELOOP => Errno::LOOP,
            libc::EOVERFLOW => Errno::OVERFLOW,
            libc::EILSEQ => Errno::ILSEQ,
            libc::E2BIG => Errno::TOOBIG,
            libc::EOPNOTSUPP => Errno::NOTSUP,
            _ => Errno::IO,
        }
    }
}
