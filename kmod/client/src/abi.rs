//! The protocol itself (public for tools and tests that speak it directly): the structs and ioctl numbers of `kmod/include/uapi/wasmrel.h`, mirrored field for field.
//! The size assertions below fail to compile if the two drift apart in size.

/// The protocol version this client speaks.
pub const PROTOCOL_VERSION: u32 = 2;
const IOCTL_MAGIC: u32 = 0xb7;
/// Bytes of the reply's message field.
pub const MESSAGE_BYTES: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Header {
    pub version: u32,
    pub size: u32,
}

impl Header {
    fn of<T>() -> Self {
        Header {
            version: PROTOCOL_VERSION,
            size: core::mem::size_of::<T>() as u32,
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Config {
    pub header: Header,
    pub mode: u32,
    pub flags: u32,
    pub fuel: u64,
    pub memory_bytes: u64,
    pub call_depth: u32,
    pub argc: u32,
    pub argv: u64,
    pub argv_bytes: u64,
    pub envc: u32,
    pub reserved: u32,
    pub envp: u64,
    pub envp_bytes: u64,
    pub invoke: u64,
    pub invoke_bytes: u64,
    pub invoke_argc: u32,
    pub reserved2: u32,
    pub invoke_argv: u64,
    pub check_level: u32,
    pub memory_protection: u32,
    pub replicas: u32,
    pub table_elements: u32,
    pub stack_bytes: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub header: Header,
    pub outcome: u32,
    pub exit_code: i32,
    pub fuel_used: u64,
    pub stdout_bytes: u64,
    pub stderr_bytes: u64,
    pub result_count: u32,
    pub reserved: u32,
    pub message: [u8; MESSAGE_BYTES],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Read {
    pub header: Header,
    pub stream: u32,
    pub reserved: u32,
    pub offset: u64,
    pub buffer: u64,
    pub bytes: u64,
    pub copied: u64,
}

/// Size of one `struct wasmrel_value`.
pub const VALUE_BYTES: usize = 24;

pub const STREAM_STDOUT: u32 = 0;
pub const STREAM_STDERR: u32 = 1;
pub const STREAM_RESULTS: u32 = 2;

const _: () = assert!(core::mem::size_of::<Config>() == 136);
const _: () = assert!(core::mem::size_of::<Run>() == 48 + MESSAGE_BYTES);
const _: () = assert!(core::mem::size_of::<Read>() == 48);

impl Default for Run {
    fn default() -> Self {
        Run {
            header: Header::of::<Run>(),
            outcome: 0,
            exit_code: 0,
            fuel_used: 0,
            stdout_bytes: 0,
            stderr_bytes: 0,
            result_count: 0,
            reserved: 0,
            message: [0; MESSAGE_BYTES],
        }
    }
}

impl Config {
    pub fn new() -> Self {
        Config {
            header: Header::of::<Config>(),
            ..Default::default()
        }
    }
}

impl Read {
    pub fn new(stream: u32, offset: u64, buffer: &mut [u8]) -> Self {
        Read {
            header: Header::of::<Read>(),
            stream,
            offset,
            buffer: buffer.as_mut_ptr() as u64,
            bytes: buffer.len() as u64,
            ..Default::default()
        }
    }
}

const fn ioc(dir: u32, nr: u32, size: usize) -> libc::c_ulong {
    ((dir << 30) | ((size as u32) << 16) | (IOCTL_MAGIC << 8) | nr) as libc::c_ulong
}
const WRITE: u32 = 1;
const READ: u32 = 2;

pub const IOC_VERSION: libc::c_ulong = ioc(READ, 0, 4);
pub const IOC_CONFIGURE: libc::c_ulong = ioc(WRITE, 1, core::mem::size_of::<Config>());
pub const IOC_RUN: libc::c_ulong = ioc(READ | WRITE, 2, core::mem::size_of::<Run>());
pub const IOC_READ: libc::c_ulong = ioc(READ | WRITE, 3, core::mem::size_of::<Read>());
pub const IOC_RESET: libc::c_ulong = ioc(0, 4, 0);
