//! The WASI world of every campaign run: deterministic, with captured output, and with a
//! state a checkpoint can copy.
//!
//! A checkpoint of the golden run must hold the host's state too, or a run restarted from it
//! would see another clock, other random bytes or lose the output written so far. The
//! deterministic clock and the seeded random source are shared with the context so their
//! state can be read and set; the output is captured. Every other piece of WASI state (open
//! descriptors, file positions, files in granted directories) is not copied: a call that can
//! change it marks the host *not copyable*, and from then on the golden run takes no more
//! checkpoints and an injected run no longer compares equal to one.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use wasmrel_executor::{Caller, Host, HostError, HostFuncId, Value};
use wasmrel_wasi::clock::{Clock, DeterministicClock};
use wasmrel_wasi::random::{RandomSource, SeededRandom};
use wasmrel_wasi::stdio::{InputSource, OutputSink};
use wasmrel_wasi::{Errno, Func, Snapshot, WasiCtx};

use crate::app::App;

/// The most output bytes kept per stream; more is counted but not stored.
const OUTPUT_CAP: usize = 16 << 20;

/// Bytes written to one stream (the first [`OUTPUT_CAP`]) and how many in all.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub bytes: Vec<u8>,
    pub total: u64,
}

/// What a checkpoint keeps of the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostState {
    clock: DeterministicClock,
    random: SeededRandom,
    stdout: Output,
    stderr: Output,
    calls: u64,
}

/// The campaign's WASI context with shared, copyable state.
pub struct CampaignHost {
    wasi: WasiCtx,
    clock: Rc<RefCell<DeterministicClock>>,
    random: Rc<RefCell<SeededRandom>>,
    stdout: Rc<RefCell<Output>>,
    stderr: Rc<RefCell<Output>>,
    read_stdin: Rc<RefCell<bool>>,
    calls: u64,
    copyable: bool,
}

impl CampaignHost {
    /// A fresh world for `app`: its arguments and environment, no input, captured output,
    /// and its granted directories at `dirs` (the run's private copies).
    pub fn new(app: &App, dirs: &[PathBuf]) -> Result<CampaignHost, String> {
        let mut wasi = WasiCtx::deterministic(0);
        let clock = Rc::new(RefCell::new(DeterministicClock::new()));
        let random = Rc::new(RefCell::new(SeededRandom::new(0)));
        wasi.set_clock(Box::new(Shared(clock.clone())));
        wasi.set_random(Box::new(Shared(random.clone())));
        let mut host = CampaignHost {
            wasi,
            clock,
            random,
            stdout: Rc::default(),
            stderr: Rc::default(),
            read_stdin: Rc::default(),
            calls: 0,
            copyable: true,
        };
        host.wasi.set_stdout(Box::new(Capture(host.stdout.clone())));
        host.wasi.set_stderr(Box::new(Capture(host.stderr.clone())));
        host.wasi
            .set_stdin(Box::new(NoInput(host.read_stdin.clone())));
        host.wasi.push_arg(&app.name);
        for arg in &app.guest_args {
            host.wasi.push_arg(arg);
        }
        for (name, value) in &app.envs {
            host.wasi.push_env(name, value);
        }
        for (path, (_, guest)) in dirs.iter().zip(&app.dirs) {
            host.wasi
                .preopen_dir(path, guest)
                .map_err(|e| format!("cannot grant directory `{}`: {e}", path.display()))?;
        }
        Ok(host)
    }

    /// The host's state, if every call so far kept it copyable.
    pub fn state(&self) -> Option<HostState> {
        self.copyable.then(|| HostState {
            clock: self.clock.borrow().clone(),
            random: self.random.borrow().clone(),
            stdout: self.stdout.borrow().clone(),
            stderr: self.stderr.borrow().clone(),
            calls: self.calls,
        })
    }

    /// Sets the state a checkpoint kept (on a host made by [`CampaignHost::new`] for the same
    /// app, which has the same arguments, environment and descriptors).
    pub fn restore(&mut self, state: &HostState) {
        *self.clock.borrow_mut() = state.clock.clone();
        *self.random.borrow_mut() = state.random.clone();
        *self.stdout.borrow_mut() = state.stdout.clone();
        *self.stderr.borrow_mut() = state.stderr.clone();
        self.calls = state.calls;
    }

    pub fn stdout(&self) -> Output {
        self.stdout.borrow().clone()
    }

    pub fn stderr(&self) -> Output {
        self.stderr.borrow().clone()
    }

    /// Whether the guest tried to read standard input.
    pub fn read_stdin(&self) -> bool {
        *self.read_stdin.borrow()
    }

    /// Host calls served so far.
    pub fn calls(&self) -> u64 {
        self.calls
    }
}

/// Whether a call of WASI function `func` with `args` changes only state a [`HostState`]
/// holds (clock, random source, standard output and error) or guest memory.
fn keeps_copyable(func: Func, args: &[Value]) -> bool {
    use Func::*;
    match func {
        ArgsGet | ArgsSizesGet | EnvironGet | EnvironSizesGet | ClockResGet | ClockTimeGet
        | RandomGet | SchedYield | ProcExit | PollOneoff | FdFdstatGet | FdPrestatGet
        | FdPrestatDirName | FdFilestatGet | PathFilestatGet => true,
        FdWrite => matches!(args.first(), Some(Value::I32(1 | 2))),
        _ => false,
    }
}

impl Host for CampaignHost {
    fn call(
        &mut self,
        id: HostFuncId,
        caller: &mut Caller<'_>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError> {
        let known = Snapshot::of_id(id.0).is_some_and(|(_, func)| keeps_copyable(func, args));
        self.copyable &= known;
        self.calls += 1;
        self.wasi.call(id, caller, args, results)
    }
}

/// A clock or random source the context uses while the campaign keeps a handle on it.
struct Shared<T>(Rc<RefCell<T>>);

impl Clock for Shared<DeterministicClock> {
    fn now(&mut self, id: u32, fuel_used: u64) -> wasmrel_wasi::errno::WasiResult<u64> {
        self.0.borrow_mut().now(id, fuel_used)
    }

    fn resolution(&self, id: u32) -> wasmrel_wasi::errno::WasiResult<u64> {
        self.0.borrow().resolution(id)
    }

    fn sleep_until(
        &mut self,
        id: u32,
        deadline: u64,
        fuel_used: u64,
    ) -> wasmrel_wasi::errno::WasiResult {
        self.0.borrow_mut().sleep_until(id, deadline, fuel_used)
    }
}

impl RandomSource for Shared<SeededRandom> {
    fn fill(&mut self, buf: &mut [u8]) -> wasmrel_wasi::errno::WasiResult {
        self.0.borrow_mut().fill(buf)
    }
}

struct Capture(Rc<RefCell<Output>>);

impl OutputSink for Capture {
    fn write(&mut self, bytes: &[u8]) -> Result<usize, Errno> {
        let mut output = self.0.borrow_mut();
        let room = OUTPUT_CAP.saturating_sub(output.bytes.len());
        output
            .bytes
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
        output.total += bytes.len() as u64;
        Ok(bytes.len())
    }
}

/// An empty stdin that remembers being read: a golden run that reads input is refused,
/// because campaigns replay no input.
struct NoInput(Rc<RefCell<bool>>);

impl InputSource for NoInput {
    fn read(&mut self, _buf: &mut [u8]) -> Result<usize, Errno> {
        *self.0.borrow_mut() = true;
        Ok(0)
    }
}
