//! From a host-function id and raw arguments to the WASI function that implements it.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::functions::Func;
use crate::guest::Guest;
use crate::snapshot::Snapshot;

/// The guest called `proc_exit` with this code; the embedder ends the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit(pub i32);

/// A call's raw arguments: `i32` zero-extended, `i64` as is. A missing argument reads as 0,
/// so a mismatched call cannot index out of bounds.
struct Args<'a>(&'a [u64]);

impl Args<'_> {
    fn u64(&self, index: usize) -> u64 {
        self.0.get(index).copied().unwrap_or(0)
    }
    fn u32(&self, index: usize) -> u32 {
        self.u64(index) as u32
    }
    fn u16(&self, index: usize) -> u16 {
        self.u64(index) as u16
    }
    /// A path argument: a directory fd, then the path's address and length.
    #[cfg(feature = "std")]
    fn path(&self, fd: usize) -> crate::fs::PathArg {
        self.path_at(fd, fd + 1)
    }
    /// A path argument whose fd is followed by `lookupflags`.
    #[cfg(feature = "std")]
    fn flagged_path(&self, fd: usize) -> crate::fs::PathArg {
        self.path_at(fd, fd + 2)
    }
    #[cfg(feature = "std")]
    fn path_at(&self, fd: usize, addr: usize) -> crate::fs::PathArg {
        crate::fs::PathArg {
            fd: self.u32(fd),
            addr: self.u32(addr),
            len: self.u32(addr + 1),
        }
    }
}

impl WasiCtx {
    /// Runs `func` as `snapshot` defines it; returns the errno for the guest (0 = success)
    /// or the guest's exit.
    pub fn call_func(
        &mut self,
        snapshot: Snapshot,
        func: Func,
        guest: &mut impl Guest,
        args: &[u64],
    ) -> Result<u16, Exit> {
        let a = Args(args);
        if func == Func::ProcExit {
            return Err(Exit(a.u32(0) as i32));
        }
        let result = self.run(snapshot, func, guest, &a);
        Ok(result.err().map_or(0, |errno| errno.0))
    }

    fn run(&mut self, s: Snapshot, func: Func, g: &mut impl Guest, a: &Args) -> WasiResult {
        match func {
            Func::ArgsGet => self.args_get(g, a.u32(0), a.u32(1)),
            Func::ArgsSizesGet => self.args_sizes_get(g, a.u32(0), a.u32(1)),
            Func::EnvironGet => self.environ_get(g, a.u32(0), a.u32(1)),
            Func::EnvironSizesGet => self.environ_sizes_get(g, a.u32(0), a.u32(1)),
            Func::ClockResGet => self.clock_res_get(g, a.u32(0), a.u32(1)),
            Func::ClockTimeGet => self.clock_time_get(g, a.u32(0), a.u32(2)),
            Func::RandomGet => self.random_get(g, a.u32(0), a.u32(1)),
            Func::PollOneoff => self.poll_oneoff(g, s, a.u32(0), a.u32(1), a.u32(2), a.u32(3)),
            Func::SchedYield => Ok(()),
            Func::FdWrite => self.fd_write(g, a.u32(0), a.u32(1), a.u32(2), a.u32(3)),
            Func::FdRead => self.fd_read(g, a.u32(0), a.u32(1), a.u32(2), a.u32(3)),
            Func::FdClose => self.fd_close(a.u32(0)),
            Func::FdRenumber => self.fd_renumber(a.u32(0), a.u32(1)),
            Func::FdFdstatGet => self.fd_fdstat_get(g, a.u32(0), a.u32(1)),
            Func::FdFdstatSetFlags => self.fd_fdstat_set_flags(a.u32(0), a.u16(1)),
            Func::FdFdstatSetRights => self.fd_fdstat_set_rights(a.u32(0), a.u64(1), a.u64(2)),
            Func::FdFilestatGet => self.fd_filestat_get(g, s, a.u32(0), a.u32(1)),
            Func::FdSync => self.fd_sync(a.u32(0)),
            Func::FdPrestatGet => self.fd_prestat_get(g, a.u32(0), a.u32(1)),
            Func::FdPrestatDirName => self.fd_prestat_dir_name(g, a.u32(0), a.u32(1), a.u32(2)),
            #[cfg(feature = "std")]
            _ => self.run_fs(s, func, g, a),
            #[cfg(not(feature = "std"))]
            _ => Err(Errno::NOSYS),
        }
    }

    /// The functions that need files and directories.
    #[cfg(feature = "std")]
    fn run_fs(&mut self, s: Snapshot, func: Func, g: &mut impl Guest, a: &Args) -> WasiResult {
        match func {
            Func::FdPread => self.fd_pread(g, a.u32(0), (a.u32(1), a.u32(2)), a.u64(3), a.u32(4)),
            Func::FdPwrite => self.fd_pwrite(g, a.u32(0), (a.u32(1), a.u32(2)), a.u64(3), a.u32(4)),
            Func::FdSeek => {
                self.fd_seek(g, a.u32(0), a.u64(1) as i64, s.whence(a.u32(2)), a.u32(3))
            }
            Func::FdTell => self.fd_tell(g, a.u32(0), a.u32(1)),
            Func::FdDatasync => self.fd_datasync(a.u32(0)),
            Func::FdFilestatSetSize => self.fd_filestat_set_size(a.u32(0), a.u64(1)),
            Func::FdFilestatSetTimes => {
                self.fd_filestat_set_times(a.u32(0), a.u64(1), a.u64(2), a.u16(3))
            }
            Func::FdAdvise => self.fd_advise(a.u32(0), a.u32(3)),
            Func::FdAllocate => self.fd_allocate(a.u32(0), a.u64(1), a.u64(2)),
            Func::FdReaddir => {
                self.fd_readdir(g, a.u32(0), (a.u32(1), a.u32(2)), a.u64(3), a.u32(4))
            }
            Func::PathOpen => {
                let request = crate::fs::OpenRequest {
                    lookup: a.u32(1),
                    oflags: a.u16(4),
                    rights_base: a.u64(5),
                    rights_inheriting: a.u64(6),
                    fdflags: a.u16(7),
                };
                let path = a.flagged_path(0);
                self.path_open(g, path, request, a.u32(8))
            }
            Func::PathFilestatGet => {
                let path = a.flagged_path(0);
                self.path_filestat_get(g, s, path, a.u32(1), a.u32(4))
            }
            Func::PathFilestatSetTimes => {
                let path = a.flagged_path(0);
                self.path_filestat_set_times(g, path, a.u32(1), (a.u64(4), a.u64(5), a.u16(6)))
            }
            Func::PathCreateDirectory => self.path_create_directory(g, a.path(0)),
            Func::PathRemoveDirectory => self.path_remove_directory(g, a.path(0)),
            Func::PathUnlinkFile => self.path_unlink_file(g, a.path(0)),
            Func::PathRename => self.path_rename(g, a.path(0), a.path(3)),
            Func::PathLink => {
                let from = a.flagged_path(0);
                self.path_link(g, from, a.u32(1), a.path(4))
            }
            Func::PathSymlink => self.path_symlink(g, (a.u32(0), a.u32(1)), a.path(2)),
            Func::PathReadlink => self.path_readlink(g, a.path(0), (a.u32(3), a.u32(4)), a.u32(5)),
            _ => Err(Errno::NOSYS),
        }
    }
}
