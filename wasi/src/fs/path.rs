//! The `path_*` functions: every path is resolved inside the directory fd it is relative to.

use std::prelude::rust_2021::*;

use std::fs::File;
use std::os::fd::AsFd;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use super::sandbox::{resolve, Resolved};
use super::{OpenDir, OpenFile};
use crate::abi::{fdflags, oflags, rights, LOOKUP_SYMLINK_FOLLOW};
use crate::ctx::WasiCtx;
use crate::descriptor::Descriptor;
use crate::errno::{Errno, WasiResult};
use crate::guest::{Guest, GuestExt};
use crate::snapshot::Snapshot;

/// A guest path argument: directory fd, address and length.
#[derive(Clone, Copy)]
pub(crate) struct PathArg {
    pub fd: u32,
    pub addr: u32,
    pub len: u32,
}

/// The arguments of `path_open` after the path.
#[derive(Clone, Copy)]
pub(crate) struct OpenRequest {
    pub lookup: u32,
    pub oflags: u16,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    pub fdflags: u16,
}

impl WasiCtx {
    /// Reads a path argument and resolves it inside its directory fd.
    fn resolve_arg(
        &mut self,
        guest: &mut impl Guest,
        path: PathArg,
        follow: bool,
    ) -> WasiResult<Resolved> {
        let root = self.fds.get(path.fd)?.dir()?;
        let bytes = read_path(guest, path.addr, path.len)?;
        resolve(root.fd(), &bytes, follow)
    }

    pub(crate) fn path_open(
        &mut self,
        guest: &mut impl Guest,
        path: PathArg,
        request: OpenRequest,
        fd_out: u32,
    ) -> WasiResult {
        let resolved =
            self.resolve_arg(guest, path, request.lookup & LOOKUP_SYMLINK_FOLLOW != 0)?;
        let descriptor = open(&resolved, request)?;
        let fd = self.fds.insert(descriptor)?;
        guest.write_u32(fd_out, fd).inspect_err(|_| {
            let _ = self.fds.remove(fd);
        })
    }

    pub(crate) fn path_filestat_get(
        &mut self,
        guest: &mut impl Guest,
        snapshot: Snapshot,
        path: PathArg,
        lookup: u32,
        out: u32,
    ) -> WasiResult {
        let target = self.resolve_arg(guest, path, lookup & LOOKUP_SYMLINK_FOLLOW != 0)?;
        // An O_PATH descriptor of the target itself (a symlink stays a symlink), for std's
        // metadata.
        let handle = rustix::fs::openat(
            &target.dir,
            target.at(),
            OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        let meta = File::from(handle).metadata()?;
        let image = self.metadata.filestat(super::filestat_of(&meta));
        let (image, len) = snapshot.filestat(image);
        guest.write(out, image.get(..len).unwrap_or(image.as_slice()))
    }

    pub(crate) fn path_filestat_set_times(
        &mut self,
        guest: &mut impl Guest,
        path: PathArg,
        lookup: u32,
        times: (u64, u64, u16),
    ) -> WasiResult {
        let follow = lookup & LOOKUP_SYMLINK_FOLLOW != 0;
        let target = self.resolve_arg(guest, path, follow)?;
        let times = super::timestamps(times.0, times.1, times.2)?;
        Ok(rustix::fs::utimensat(
            &target.dir,
            target.at(),
            &times,
            AtFlags::SYMLINK_NOFOLLOW,
        )?)
    }

    pub(crate) fn path_create_directory(
        &mut self,
        guest: &mut impl Guest,
        path: PathArg,
    ) -> WasiResult {
        let target = self.resolve_arg(guest, path, false)?;
        let name = target.require_name(Errno::EXIST)?;
        Ok(rustix::fs::mkdirat(&target.dir, name, Mode::from(0o777))?)
    }

    pub(crate) fn path_remove_directory(
        &mut self,
        guest: &mut impl Guest,
        path: PathArg,
    ) -> WasiResult {
        let target = self.resolve_arg(guest, path, false)?;
        let name = target.require_name(Errno::INVAL)?;
        Ok(rustix::fs::unlinkat(&target.dir, name, AtFlags::REMOVEDIR)?)
    }

    pub(crate) fn path_unlink_file(&mut self, guest: &mut impl Guest, path: PathArg) -> WasiResult {
        let target = self.resolve_arg(guest, path, false)?;
        let name = target.require_name(Errno::ISDIR)?;
        // Linux's unlinkat refuses a directory with EISDIR.
        Ok(rustix::fs::unlinkat(&target.dir, name, AtFlags::empty())?)
    }

    pub(crate) fn path_rename(
        &mut self,
        guest: &mut impl Guest,
        from: PathArg,
        to: PathArg,
    ) -> WasiResult {
        let source = self.resolve_arg(guest, from, false)?;
        let target = self.resolve_arg(guest, to, false)?;
        Ok(rustix::fs::renameat(
            &source.dir,
            source.require_name(Errno::BUSY)?,
            &target.dir,
            target.require_name(Errno::BUSY)?,
        )?)
    }

    pub(crate) fn path_link(
        &mut self,
        guest: &mut impl Guest,
        from: PathArg,
        lookup: u32,
        to: PathArg,
    ) -> WasiResult {
        let source = self.resolve_arg(guest, from, lookup & LOOKUP_SYMLINK_FOLLOW != 0)?;
        let target = self.resolve_arg(guest, to, false)?;
        // Without AT_SYMLINK_FOLLOW: a followed source was resolved to a non-link already.
        Ok(rustix::fs::linkat(
            &source.dir,
            source.require_name(Errno::PERM)?,
            &target.dir,
            target.require_name(Errno::EXIST)?,
            AtFlags::empty(),
        )?)
    }

    /// Creates a symlink. Its target is stored as given; it is harmless because lookups never
    /// follow a link out of a grant. Absolute targets are refused, since inside a grant they
    /// could never resolve.
    pub(crate) fn path_symlink(
        &mut self,
        guest: &mut impl Guest,
        target: (u32, u32),
        link: PathArg,
    ) -> WasiResult {
        let target = read_path(guest, target.0, target.1)?;
        if target.starts_with(b"/") {
            return Err(Errno::NOTCAPABLE);
        }
        if target.is_empty() || target.contains(&0) {
            return Err(Errno::INVAL);
        }
        let link = self.resolve_arg(guest, link, false)?;
        let name = link.require_name(Errno::EXIST)?;
        Ok(rustix::fs::symlinkat(target, &link.dir, name)?)
    }

    pub(crate) fn path_readlink(
        &mut self,
        guest: &mut impl Guest,
        path: PathArg,
        buf: (u32, u32),
        used_out: u32,
    ) -> WasiResult {
        let link = self.resolve_arg(guest, path, false)?;
        let target =
            rustix::fs::readlinkat(&link.dir, link.require_name(Errno::INVAL)?, Vec::new())?;
        let bytes = target.as_bytes();
        let used = bytes.len().min(buf.1 as usize);
        guest.write(buf.0, bytes.get(..used).unwrap_or_default())?;
        guest.write_u32(used_out, used as u32)
    }
}

/// The longest path a guest may pass. Far above any host's `PATH_MAX`, and it keeps a
/// hostile length from costing more than this much host memory.
const MAX_PATH: u32 = 64 * 1024;

fn read_path(guest: &mut impl Guest, addr: u32, len: u32) -> WasiResult<Vec<u8>> {
    if len > MAX_PATH {
        return Err(Errno::NAMETOOLONG);
    }
    guest.read_bytes(addr, len)
}

/// Opens the resolved target as a directory or a file, as `path_open`'s flags and rights ask.
///
/// The last component is never followed (`O_NOFOLLOW`): a symlink there was expanded by the
/// resolver if the guest asked for that, so one found now was swapped in meanwhile.
fn open(target: &Resolved, request: OpenRequest) -> WasiResult<Descriptor> {
    let existing = rustix::fs::statat(&target.dir, target.at(), AtFlags::SYMLINK_NOFOLLOW)
        .ok()
        .map(|stat| FileType::from_raw_mode(stat.st_mode));
    let writes = request.rights_base
        & (rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE)
        != 0;
    if existing == Some(FileType::Directory) {
        if request.oflags & (oflags::CREAT | oflags::EXCL) == oflags::CREAT | oflags::EXCL {
            return Err(Errno::EXIST);
        }
        if writes || request.oflags & oflags::TRUNC != 0 {
            return Err(Errno::ISDIR);
        }
        let dir = OpenDir::open_at(
            target.dir.as_fd(),
            target.at(),
            request.rights_base,
            request.rights_inheriting,
        )?;
        return Ok(Descriptor::Dir(dir));
    }
    if request.oflags & oflags::DIRECTORY != 0 {
        return Err(match existing {
            Some(FileType::Symlink) => Errno::LOOP,
            Some(_) => Errno::NOTDIR,
            None => Errno::NOENT,
        });
    }

    // Creation and truncation go straight to openat(2) as flags, so a read-only open with
    // O_CREAT behaves as in POSIX.
    let reads = request.rights_base & (rights::FD_READ | rights::FD_READDIR) != 0 || !writes;
    let access = match (reads, writes) {
        (true, true) => OFlags::RDWR,
        (false, true) => OFlags::WRONLY,
        _ => OFlags::RDONLY,
    };
    let flags = access
        | OFlags::NOFOLLOW
        | OFlags::CLOEXEC
        | host_flags(
            request.oflags,
            &[
                (oflags::CREAT, OFlags::CREATE),
                (oflags::EXCL, OFlags::EXCL),
                (oflags::TRUNC, OFlags::TRUNC),
            ],
        )
        | host_flags(
            request.fdflags,
            &[
                (fdflags::DSYNC, OFlags::DSYNC),
                (fdflags::SYNC, OFlags::SYNC),
                (fdflags::RSYNC, OFlags::RSYNC),
            ],
        );
    let file = rustix::fs::openat(&target.dir, target.at(), flags, Mode::from(0o666))?;
    Ok(Descriptor::File(OpenFile::new(
        File::from(file),
        request.fdflags,
        request.rights_base,
    )))
}

/// The `open(2)` flags whose WASI bits are set in `bits`.
fn host_flags(bits: u16, table: &[(u16, OFlags)]) -> OFlags {
    table
        .iter()
        .filter(|(wasi, _)| bits & wasi != 0)
        .fold(OFlags::empty(), |flags, (_, host)| flags | *host)
}
