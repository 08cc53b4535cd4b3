//! Talking to `/dev/wasmrel`: one open file per run, the module written in chunks, then the
//! configure, run and read ioctls of the protocol.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsRawFd;

use crate::abi;
use crate::error::ClientError;
use crate::mode::Mode;
use crate::reply::{Outcome, Reply, Value};

/// Where the module's misc device appears.
pub const DEFAULT_DEVICE: &str = "/dev/wasmrel";

/// Bytes per write(2) of the module; the kernel copies through a buffer of this size.
const CHUNK_BYTES: usize = 64 * 1024;

/// One run to perform in the kernel. Limits left at `None` take the module parameters' values.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    /// The Wasm module's bytes.
    pub module: &'a [u8],
    /// Plain, encoded or dual execution, with its options.
    pub mode: Mode,
    /// WASI arguments, the program name first. Must not contain NUL bytes.
    pub args: Vec<Vec<u8>>,
    /// WASI environment as `KEY=VALUE`. Must not contain NUL bytes.
    pub env: Vec<Vec<u8>>,
    /// Export to call instead of `_start`, with its arguments (typed as the export's
    /// parameters; the kernel checks them).
    pub invoke: Option<(String, Vec<Value>)>,
    /// Wasm instructions allowed.
    pub fuel: Option<u64>,
    /// Linear memory allowed, bytes.
    pub memory_bytes: Option<u64>,
    /// Nested calls allowed.
    pub call_depth: Option<u32>,
    /// Elements a table may hold.
    pub table_elements: Option<u32>,
    /// Value stack allowed, bytes of 8-byte slots (as `wasmrel run --max-stack`).
    pub stack_bytes: Option<u64>,
}

/// Runs `request` through the kernel module at `device` (usually [`DEFAULT_DEVICE`]).
pub fn run(device: &str, request: &Request<'_>) -> Result<Reply, ClientError> {
    let file = open(device)?;
    check_version(&file, device)?;
    write_module(&file, request.module)?;
    configure(&file, request)?;

    let mut run = abi::Run::default();
    ioctl(&file, abi::IOC_RUN, &mut run).map_err(|err| error_of("running the module", err))?;
    let outcome = Outcome::from_raw(run.outcome).ok_or(ClientError::InvalidArgument(
        "to answer with a known outcome (protocol mismatch)",
    ))?;
    let message_len = run.message.iter().position(|&b| b == 0).unwrap_or(0);
    let results = read_stream(
        &file,
        abi::STREAM_RESULTS,
        run.result_count as u64 * abi::VALUE_BYTES as u64,
    )?;
    Ok(Reply {
        outcome,
        guest_exit_code: run.exit_code,
        fuel_used: run.fuel_used,
        stdout: read_stream(&file, abi::STREAM_STDOUT, run.stdout_bytes)?,
        stderr: read_stream(&file, abi::STREAM_STDERR, run.stderr_bytes)?,
        results: results
            .chunks_exact(abi::VALUE_BYTES)
            .map(Value::from_record)
            .collect::<Option<_>>()
            .ok_or(ClientError::InvalidArgument(
                "to answer with known value types (protocol mismatch)",
            ))?,
        message: String::from_utf8_lossy(&run.message[..message_len]).into_owned(),
    })
}

fn open(device: &str) -> Result<File, ClientError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(device)
        .map_err(|err| open_error(device, err))
}

/// Why the device could not be opened, in the terms a user acts on.
fn open_error(device: &str, err: io::Error) -> ClientError {
    match err.kind() {
        io::ErrorKind::NotFound => ClientError::NoDevice(device.to_string()),
        io::ErrorKind::PermissionDenied => ClientError::PermissionDenied(device.to_string()),
        _ => ClientError::Io("opening the kernel device", err),
    }
}

fn check_version(file: &File, device: &str) -> Result<(), ClientError> {
    let mut version = 0u32;
    ioctl(file, abi::IOC_VERSION, &mut version).map_err(|err| match err.raw_os_error() {
        // Any other file answers an unknown ioctl with ENOTTY.
        Some(libc::ENOTTY) => ClientError::NotTheDevice(device.to_string()),
        _ => error_of("asking the protocol version", err),
    })?;
    compatible(version)
}

/// Client and kernel must speak the same protocol version.
fn compatible(kernel: u32) -> Result<(), ClientError> {
    if kernel == abi::PROTOCOL_VERSION {
        Ok(())
    } else {
        Err(ClientError::VersionMismatch {
            kernel: Some(kernel),
            client: abi::PROTOCOL_VERSION,
        })
    }
}

fn write_module(mut file: &File, module: &[u8]) -> Result<(), ClientError> {
    for chunk in module.chunks(CHUNK_BYTES) {
        file.write_all(chunk)
            .map_err(|err| error_of("sending the module", err))?;
    }
    Ok(())
}

/// Packs strings into the protocol's table: each NUL-terminated, back to back.
fn string_table(items: &[Vec<u8>]) -> Result<(Vec<u8>, u32), ClientError> {
    let mut table = Vec::new();
    for item in items {
        if item.contains(&0) {
            return Err(ClientError::InvalidArgument(
                "an argument or environment entry with a NUL byte",
            ));
        }
        table.extend_from_slice(item);
        table.push(0);
    }
    let count = u32::try_from(items.len()).map_err(|_| ClientError::LimitTooHigh)?;
    Ok((table, count))
}

fn configure(file: &File, request: &Request<'_>) -> Result<(), ClientError> {
    let (argv, argc) = string_table(&request.args)?;
    let (envp, envc) = string_table(&request.env)?;
    let (invoke_name, invoke_args) = match &request.invoke {
        Some((name, args)) => (name.as_bytes(), args.as_slice()),
        None => (&[][..], &[][..]),
    };
    let invoke_argv: Vec<u8> = invoke_args.iter().flat_map(|v| v.to_record()).collect();
    let invoke_argc = u32::try_from(invoke_args.len()).map_err(|_| ClientError::LimitTooHigh)?;
    let mut config = abi::Config::new();
    let mode = request.mode.raw();
    config.mode = mode.mode;
    config.check_level = mode.check_level;
    config.memory_protection = mode.memory_protection;
    config.replicas = mode.replicas;
    config.fuel = request.fuel.unwrap_or(0);
    config.memory_bytes = request.memory_bytes.unwrap_or(0);
    config.call_depth = request.call_depth.unwrap_or(0);
    config.table_elements = request.table_elements.unwrap_or(0);
    config.stack_bytes = request.stack_bytes.unwrap_or(0);
    (config.argv, config.argv_bytes, config.argc) = (addr(&argv), argv.len() as u64, argc);
    (config.envp, config.envp_bytes, config.envc) = (addr(&envp), envp.len() as u64, envc);
    if request.invoke.is_some() {
        // A non-null pointer says "invoke", even for an empty name.
        config.invoke = invoke_name.as_ptr() as u64;
        config.invoke_bytes = invoke_name.len() as u64;
    }
    config.invoke_argv = addr(&invoke_argv);
    config.invoke_argc = invoke_argc;
    ioctl(file, abi::IOC_CONFIGURE, &mut config).map_err(|err| error_of("configuring the run", err))
}

fn addr(bytes: &[u8]) -> u64 {
    if bytes.is_empty() {
        0
    } else {
        bytes.as_ptr() as u64
    }
}

/// Reads a whole output stream whose length the run reply announced.
fn read_stream(file: &File, stream: u32, len: u64) -> Result<Vec<u8>, ClientError> {
    let len = usize::try_from(len).map_err(|_| ClientError::LimitTooHigh)?;
    let mut data = vec![0u8; len];
    let mut offset = 0;
    while offset < len {
        let mut read = abi::Read::new(stream, offset as u64, &mut data[offset..]);
        ioctl(file, abi::IOC_READ, &mut read).map_err(|err| error_of("reading the output", err))?;
        if read.copied == 0 {
            data.truncate(offset);
            break;
        }
        offset += read.copied as usize;
    }
    Ok(data)
}

fn ioctl<T>(file: &File, request: libc::c_ulong, arg: &mut T) -> io::Result<()> {
    // SAFETY: `arg` is a live, exclusively borrowed value of the type the request expects;
    // the kernel reads and writes at most size_of::<T>() bytes there.
    let ret = unsafe { libc::ioctl(file.as_raw_fd(), request as _, arg as *mut T) };
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Turns the errno of a protocol step into the error a user can act on.
fn error_of(step: &'static str, err: io::Error) -> ClientError {
    match err.raw_os_error() {
        Some(libc::EPROTO) => ClientError::VersionMismatch {
            kernel: None,
            client: abi::PROTOCOL_VERSION,
        },
        Some(libc::EFBIG) => ClientError::ModuleTooBig,
        Some(libc::E2BIG) => ClientError::LimitTooHigh,
        Some(libc::EINVAL) => ClientError::InvalidArgument("a malformed request"),
        Some(libc::EINTR) => ClientError::Interrupted,
        Some(libc::EPERM) | Some(libc::EACCES) => ClientError::PermissionDenied(step.to_string()),
        _ => ClientError::Io(step, err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_failures_name_their_cause() {
        let denied = open_error("/dev/wasmrel", io::ErrorKind::PermissionDenied.into());
        assert!(matches!(denied, ClientError::PermissionDenied(_)));
        assert!(denied.to_string().contains("CAP_SYS_ADMIN"), "{denied}");
        let missing = open_error("/dev/wasmrel", io::ErrorKind::NotFound.into());
        assert!(
            missing.to_string().contains("insmod wasmrel.ko"),
            "{missing}"
        );
    }

    #[test]
    fn another_protocol_version_is_refused() {
        assert!(compatible(abi::PROTOCOL_VERSION).is_ok());
        let err = compatible(abi::PROTOCOL_VERSION + 1).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("protocol version"), "{text}");
        assert!(text.contains(&abi::PROTOCOL_VERSION.to_string()), "{text}");
    }

    #[test]
    fn a_file_that_is_not_the_device_is_refused() {
        let path =
            std::env::temp_dir().join(format!("wasmrel-not-a-device-{}", std::process::id()));
        std::fs::write(&path, b"").unwrap();
        let device = path.to_str().unwrap();
        let err = run(device, &Request::default()).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(err, ClientError::NotTheDevice(_)), "{err}");
        let missing = run("/nonexistent/wasmrel", &Request::default()).unwrap_err();
        assert!(matches!(missing, ClientError::NoDevice(_)), "{missing}");
    }
}
