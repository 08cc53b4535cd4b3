//! Standard input, output and error as pluggable endpoints.
//!
//! The CLI connects them to the host's streams; the kernel module to buffers it hands back
//! to user space; tests and campaigns may discard or capture them.

use crate::errno::WasiResult;

/// Where the guest's fd 1 or fd 2 goes.
pub trait OutputSink {
    /// Writes some of `bytes`, returning how many were taken.
    fn write(&mut self, bytes: &[u8]) -> WasiResult<usize>;
    /// Pushes out anything buffered (called by `fd_sync` and at exit by the embedder).
    fn flush(&mut self) -> WasiResult {
        Ok(())
    }
    /// Whether the sink is an interactive terminal (libc then line-buffers).
    fn is_terminal(&self) -> bool {
        false
    }
}

/// Where the guest's fd 0 reads from.
pub trait InputSource {
    /// Reads into `buf`, returning 0 at end of input.
    fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize>;
    fn is_terminal(&self) -> bool {
        false
    }
}

/// An empty input and a bottomless output.
#[derive(Debug, Default, Clone, Copy)]
pub struct Null;

impl OutputSink for Null {
    fn write(&mut self, bytes: &[u8]) -> WasiResult<usize> {
        Ok(bytes.len())
    }
}

impl InputSource for Null {
    fn read(&mut self, _buf: &mut [u8]) -> WasiResult<usize> {
        Ok(0)
    }
}

#[cfg(feature = "std")]
mod host {
    use std::io::{IsTerminal, Read, Write};

    use super::{InputSource, OutputSink};
    use crate::errno::WasiResult;

    /// The host process's standard output.
    #[derive(Debug, Default)]
    pub struct HostStdout;

    /// The host process's standard error.
    #[derive(Debug, Default)]
    pub struct HostStderr;

    /// The host process's standard input.
    #[derive(Debug, Default)]
    pub struct HostStdin;

    impl OutputSink for HostStdout {
        /// Writes through at once: the guest's libc does its own buffering, and a prompt
        /// without a newline must show before the guest blocks reading stdin.
        fn write(&mut self, bytes: &[u8]) -> WasiResult<usize> {
            let mut stdout = std::io::stdout().lock();
            let written = stdout.write(bytes)?;
            stdout.flush()?;
            Ok(written)
        }
        fn flush(&mut self) -> WasiResult {
            Ok(std::io::stdout().flush()?)
        }
        fn is_terminal(&self) -> bool {
            std::io::stdout().is_terminal()
        }
    }

    impl OutputSink for HostStderr {
        fn write(&mut self, bytes: &[u8]) -> WasiResult<usize> {
            Ok(std::io::stderr().write(bytes)?)
        }
        fn is_terminal(&self) -> bool {
            std::io::stderr().is_terminal()
        }
    }

    impl InputSource for HostStdin {
        fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
            Ok(std::io::stdin().read(buf)?)
        }
        fn is_terminal(&self) -> bool {
            std::io::stdin().is_terminal()
        }
    }
}

#[cfg(feature = "std")]
pub use host::{HostStderr, HostStdin, HostStdout};
