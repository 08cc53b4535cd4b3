//! Errors of the client, each with a one-line message that tells the user what to do.

use std::fmt;
use std::io;

/// Why a request to the kernel module failed before producing a run outcome.
#[derive(Debug)]
pub enum ClientError {
    /// The device node does not exist: the module is not loaded.
    NoDevice(String),
    /// The path exists but is not the wasmrel device (it does not answer the protocol).
    NotTheDevice(String),
    /// The caller lacks `CAP_SYS_ADMIN`.
    PermissionDenied(String),
    /// Client and module speak different protocol versions.
    VersionMismatch {
        /// Version of the loaded module, when it could be read.
        kernel: Option<u32>,
        /// Version of this client.
        client: u32,
    },
    /// The module is larger than the `module_limit_mb` parameter allows.
    ModuleTooBig,
    /// A requested limit exceeds the module parameter, or arguments are too large.
    LimitTooHigh,
    /// The kernel refused an argument as malformed.
    InvalidArgument(&'static str),
    /// A signal interrupted the run.
    Interrupted,
    /// Any other system error, with the step that failed.
    Io(&'static str, io::Error),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::NoDevice(path) => write!(
                f,
                "{path} does not exist: load the kernel module first (insmod wasmrel.ko)"
            ),
            ClientError::NotTheDevice(path) => write!(
                f,
                "{path} is not the wasmrel kernel module's device (it does not answer its ioctls)"
            ),
            ClientError::PermissionDenied(path) => write!(
                f,
                "{path}: permission denied (running code in the kernel needs CAP_SYS_ADMIN)"
            ),
            ClientError::VersionMismatch {
                kernel: Some(kernel),
                client,
            } => write!(
                f,
                "the kernel module speaks protocol version {kernel}, this client speaks {client}: \
                 rebuild one of them from the same source"
            ),
            ClientError::VersionMismatch {
                kernel: None,
                client,
            } => write!(
                f,
                "the kernel module does not speak protocol version {client} of this client"
            ),
            ClientError::ModuleTooBig => write!(
                f,
                "the Wasm module exceeds the kernel module's module_limit_mb parameter"
            ),
            ClientError::LimitTooHigh => write!(
                f,
                "a requested limit (fuel, memory, table, stack, call depth, argument size) \
                 exceeds the kernel module's parameter; see /sys/module/wasmrel/parameters"
            ),
            ClientError::InvalidArgument(what) => write!(f, "the kernel refused {what}"),
            ClientError::Interrupted => write!(f, "the kernel run was interrupted by a signal"),
            ClientError::Io(step, err) => write!(f, "{step}: {err}"),
        }
    }
}

impl std::error::Error for ClientError {}
