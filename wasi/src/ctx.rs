//! The state of one WASI guest: its arguments, environment, clocks, randomness and fds.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::clock::{Clock, DeterministicClock};
use crate::descriptor::{Descriptor, FdTable};
use crate::random::{RandomSource, SeededRandom};
use crate::stdio::{InputSource, Null, OutputSink};

/// Everything a WASI guest can observe of the outside world.
///
/// Nothing is inherited implicitly: arguments, environment variables and directories exist
/// only if the embedder adds them.
pub struct WasiCtx {
    /// Each argument with its terminating NUL, as `args_get` copies it.
    pub(crate) args: Vec<Vec<u8>>,
    /// Each `NAME=VALUE` with its terminating NUL.
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) clock: Box<dyn Clock>,
    pub(crate) random: Box<dyn RandomSource>,
    pub(crate) fds: FdTable,
    /// How file metadata is shown (reproducible in deterministic contexts).
    #[cfg(feature = "std")]
    pub(crate) metadata: crate::fs::MetadataView,
}

impl WasiCtx {
    /// A context with the given time and randomness, empty stdin and discarded output.
    pub fn new(clock: Box<dyn Clock>, random: Box<dyn RandomSource>) -> Self {
        let mut fds = FdTable::default();
        for descriptor in [
            Descriptor::Input(Box::new(Null)),
            Descriptor::Output(Box::new(Null)),
            Descriptor::Output(Box::new(Null)),
        ] {
            // An empty table always has room for the three standard fds.
            let _ = fds.insert(descriptor);
        }
        Self {
            args: Vec::new(),
            env: Vec::new(),
            clock,
            random,
            fds,
            #[cfg(feature = "std")]
            metadata: crate::fs::MetadataView::default(),
        }
    }

    /// A reproducible context: [`DeterministicClock`], [`SeededRandom`] with `seed`, and
    /// file metadata without host times and inode numbers.
    pub fn deterministic(seed: u64) -> Self {
        let ctx = Self::new(
            Box::new(DeterministicClock::new()),
            Box::new(SeededRandom::new(seed)),
        );
        #[cfg(feature = "std")]
        let ctx = Self {
            metadata: crate::fs::MetadataView::reproducible(),
            ..ctx
        };
        ctx
    }

    /// A context on the host's real clocks and the OS random source.
    #[cfg(feature = "std")]
    pub fn system() -> Self {
        Self::new(
            Box::new(crate::clock::SystemClock::new()),
            Box::new(crate::random::OsRandom),
        )
    }

    /// Appends one argument (the first is the program name, `argv[0]`).
    pub fn push_arg(&mut self, arg: &str) {
        self.args.push(nul_terminated(&[arg.as_bytes()]));
    }

    /// Sets the environment variable `name=value`, replacing an earlier value of `name`.
    pub fn push_env(&mut self, name: &str, value: &str) {
        let prefix = [name.as_bytes(), b"="].concat();
        self.env.retain(|entry| !entry.starts_with(&prefix));
        self.env
            .push(nul_terminated(&[name.as_bytes(), b"=", value.as_bytes()]));
    }

    /// Replaces the clock (a fault-injection campaign shares it to copy its state at
    /// checkpoints).
    pub fn set_clock(&mut self, clock: Box<dyn Clock>) {
        self.clock = clock;
    }

    /// Replaces the random source (shared by campaigns for the same reason as the clock).
    pub fn set_random(&mut self, random: Box<dyn RandomSource>) {
        self.random = random;
    }

    pub fn set_stdin(&mut self, source: Box<dyn InputSource>) {
        self.replace_stdio(0, Descriptor::Input(source));
    }

    pub fn set_stdout(&mut self, sink: Box<dyn OutputSink>) {
        self.replace_stdio(1, Descriptor::Output(sink));
    }

    pub fn set_stderr(&mut self, sink: Box<dyn OutputSink>) {
        self.replace_stdio(2, Descriptor::Output(sink));
    }

    /// Connects fds 0, 1 and 2 to the host process's streams.
    #[cfg(feature = "std")]
    pub fn inherit_stdio(&mut self) {
        self.set_stdin(Box::new(crate::stdio::HostStdin));
        self.set_stdout(Box::new(crate::stdio::HostStdout));
        self.set_stderr(Box::new(crate::stdio::HostStderr));
    }

    /// Grants the guest the host directory `host` under the name `guest` (the next fd from 3
    /// on). Fails if `host` is not a readable directory.
    #[cfg(feature = "std")]
    pub fn preopen_dir(&mut self, host: &std::path::Path, guest: &str) -> std::io::Result<()> {
        let dir = crate::fs::OpenDir::preopen(host, guest)?;
        self.fds
            .insert(Descriptor::Dir(dir))
            .map_err(|_| std::io::Error::other("too many open descriptors"))?;
        Ok(())
    }

    /// Flushes every output stream the guest still holds (call it when the guest stops).
    pub fn flush(&mut self) {
        for descriptor in self.fds.iter_mut() {
            if let Descriptor::Output(sink) = descriptor {
                let _ = sink.flush();
            }
        }
    }

    fn replace_stdio(&mut self, fd: u32, descriptor: Descriptor) {
        if let Ok(slot) = self.fds.get(fd) {
            *slot = descriptor;
        }
    }
}

fn nul_terminated(parts: &[&[u8]]) -> Vec<u8> {
    let mut bytes: Vec<u8> = parts.concat();
    bytes.push(0);
    bytes
}
