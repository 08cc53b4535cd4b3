//! One `/dev/wasmrel` session: module upload, configuration, one run, reading the report.

use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{Invoke, Limits, Mode, RunConfig};
use crate::platform::Platform;
use crate::report::Report;
use crate::run;
use crate::strings::parse_string_table;

/// Why a session request was refused; the FFI layer maps each to an errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// The module would exceed its size limit (`EFBIG`).
    ModuleTooBig,
    /// An allocation failed (`ENOMEM`).
    OutOfMemory,
    /// A malformed argument: string table, mode, export name (`EINVAL`).
    InvalidArgument,
    /// Run before configure, or a second run without reset (`EBUSY`).
    WrongState,
    /// The caller got a signal during the run (`EINTR`).
    Interrupted,
}

/// Raw configuration as it crosses the FFI, before parsing.
pub struct RawConfig<'a> {
    /// `WASMREL_MODE_*`.
    pub mode: u32,
    /// Resolved limits.
    pub limits: Limits,
    /// WASI arguments as a string table with `argc` entries.
    pub argv: (&'a [u8], u32),
    /// Environment as a string table with `envc` entries.
    pub envp: (&'a [u8], u32),
    /// Export name, if an export is invoked.
    pub invoke: Option<&'a [u8]>,
    /// Invoke arguments as a string table.
    pub invoke_argv: (&'a [u8], u32),
}

/// The state of one open file.
#[derive(Default)]
pub struct Session {
    module: Vec<u8>,
    config: Option<RunConfig>,
    report: Option<Report>,
}

impl Session {
    /// An empty session.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets module, configuration and report.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Appends a chunk of the module, refusing to grow past `max_total` bytes.
    pub fn append_module(&mut self, chunk: &[u8], max_total: usize) -> Result<(), SessionError> {
        if self.report.is_some() {
            return Err(SessionError::WrongState);
        }
        let total = self.module.len().checked_add(chunk.len());
        if total.is_none_or(|total| total > max_total) {
            return Err(SessionError::ModuleTooBig);
        }
        self.module
            .try_reserve(chunk.len())
            .map_err(|_| SessionError::OutOfMemory)?;
        self.module.extend_from_slice(chunk);
        Ok(())
    }

    /// Parses and stores the configuration of the next run.
    pub fn configure(&mut self, raw: &RawConfig<'_>) -> Result<(), SessionError> {
        if self.report.is_some() {
            return Err(SessionError::WrongState);
        }
        let mode = Mode::from_raw(raw.mode).ok_or(SessionError::InvalidArgument)?;
        let table = |(bytes, count): (&[u8], u32)| {
            parse_string_table(bytes, count).ok_or(SessionError::InvalidArgument)
        };
        let args = table(raw.argv)?;
        let env = table(raw.envp)?;
        let invoke = match raw.invoke {
            None => None,
            Some(name) => Some(Invoke {
                name: utf8(name)?,
                args: table(raw.invoke_argv)?
                    .into_iter()
                    .map(|arg| utf8(&arg))
                    .collect::<Result<_, _>>()?,
            }),
        };
        self.config = Some(RunConfig {
            mode,
            limits: raw.limits,
            args,
            env,
            invoke,
        });
        Ok(())
    }

    /// Runs the uploaded module once with the stored configuration.
    pub fn run(&mut self, platform: &mut impl Platform) -> Result<&Report, SessionError> {
        if self.report.is_some() {
            return Err(SessionError::WrongState);
        }
        let config = self.config.as_ref().ok_or(SessionError::WrongState)?;
        let report = run::execute(&self.module, config, platform)?;
        // The module bytes are no longer needed; give their memory back right away.
        self.module = Vec::new();
        Ok(self.report.insert(report))
    }

    /// The report of the last run, if there was one.
    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }
}

fn utf8(bytes: &[u8]) -> Result<String, SessionError> {
    let text = core::str::from_utf8(bytes).map_err(|_| SessionError::InvalidArgument)?;
    let mut owned = String::new();
    owned
        .try_reserve_exact(text.len())
        .map_err(|_| SessionError::OutOfMemory)?;
    owned.push_str(text);
    Ok(owned)
}
