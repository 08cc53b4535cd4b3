//! The complete list of preview-1 functions and their Wasm signatures.
//!
//! Every function is linked, implemented or not, because toolchains import more than a
//! program calls: a module must start even if it names `sock_accept`. The index of a function
//! in [`Func::ALL`] is the host-function id the linker hands back on each call.

/// The Wasm type of one parameter. Every preview-1 result is a single `i32` errno, except
/// `proc_exit`, which does not return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    I32,
    I64,
}

macro_rules! wasi_functions {
    ($($variant:ident = $name:literal ($($param:ident),*);)*) => {
        /// One preview-1 function.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Func {
            $($variant,)*
        }

        impl Func {
            /// All functions; a function's index here is its host-function id.
            pub const ALL: &'static [Func] = &[$(Func::$variant,)*];

            /// The import name inside [`crate::abi::MODULE`].
            pub fn name(self) -> &'static str {
                match self {
                    $(Func::$variant => $name,)*
                }
            }

            /// The parameter types.
            pub fn params(self) -> &'static [Param] {
                match self {
                    $(Func::$variant => &[$(Param::$param),*],)*
                }
            }
        }
    };
}

wasi_functions! {
    ArgsGet = "args_get" (I32, I32);
    ArgsSizesGet = "args_sizes_get" (I32, I32);
    EnvironGet = "environ_get" (I32, I32);
    EnvironSizesGet = "environ_sizes_get" (I32, I32);
    ClockResGet = "clock_res_get" (I32, I32);
    ClockTimeGet = "clock_time_get" (I32, I64, I32);
    FdAdvise = "fd_advise" (I32, I64, I64, I32);
    FdAllocate = "fd_allocate" (I32, I64, I64);
    FdClose = "fd_close" (I32);
    FdDatasync = "fd_datasync" (I32);
    FdFdstatGet = "fd_fdstat_get" (I32, I32);
    FdFdstatSetFlags = "fd_fdstat_set_flags" (I32, I32);
    FdFdstatSetRights = "fd_fdstat_set_rights" (I32, I64, I64);
    FdFilestatGet = "fd_filestat_get" (I32, I32);
    FdFilestatSetSize = "fd_filestat_set_size" (I32, I64);
    FdFilestatSetTimes = "fd_filestat_set_times" (I32, I64, I64, I32);
    FdPread = "fd_pread" (I32, I32, I32, I64, I32);
    FdPrestatGet = "fd_prestat_get" (I32, I32);
    FdPrestatDirName = "fd_prestat_dir_name" (I32, I32, I32);
    FdPwrite = "fd_pwrite" (I32, I32, I32, I64, I32);
    FdRead = "fd_read" (I32, I32, I32, I32);
    FdReaddir = "fd_readdir" (I32, I32, I32, I64, I32);
    FdRenumber = "fd_renumber" (I32, I32);
    FdSeek = "fd_seek" (I32, I64, I32, I32);
    FdSync = "fd_sync" (I32);
    FdTell = "fd_tell" (I32, I32);
    FdWrite = "fd_write" (I32, I32, I32, I32);
    PathCreateDirectory = "path_create_directory" (I32, I32, I32);
    PathFilestatGet = "path_filestat_get" (I32, I32, I32, I32, I32);
    PathFilestatSetTimes = "path_filestat_set_times" (I32, I32, I32, I32, I64, I64, I32);
    PathLink = "path_link" (I32, I32, I32, I32, I32, I32, I32);
    PathOpen = "path_open" (I32, I32, I32, I32, I32, I64, I64, I32, I32);
    PathReadlink = "path_readlink" (I32, I32, I32, I32, I32, I32);
    PathRemoveDirectory = "path_remove_directory" (I32, I32, I32);
    PathRename = "path_rename" (I32, I32, I32, I32, I32, I32);
    PathSymlink = "path_symlink" (I32, I32, I32, I32, I32);
    PathUnlinkFile = "path_unlink_file" (I32, I32, I32);
    PollOneoff = "poll_oneoff" (I32, I32, I32, I32);
    ProcExit = "proc_exit" (I32);
    ProcRaise = "proc_raise" (I32);
    SchedYield = "sched_yield" ();
    RandomGet = "random_get" (I32, I32);
    SockAccept = "sock_accept" (I32, I32, I32);
    SockRecv = "sock_recv" (I32, I32, I32, I32, I32, I32);
    SockSend = "sock_send" (I32, I32, I32, I32, I32);
    SockShutdown = "sock_shutdown" (I32, I32);
}

impl Func {
    /// The function with host-function id `id`, if there is one.
    pub fn from_id(id: u32) -> Option<Func> {
        Func::ALL.get(usize::try_from(id).ok()?).copied()
    }

    /// Whether the function returns an errno (all but `proc_exit`).
    pub fn returns_errno(self) -> bool {
        self != Func::ProcExit
    }
}
