//! Executes one configured run: the engine with WASI's `no_std` core as host, driven step by
//! step so that the fuel hook can yield the CPU and stop on a signal.

use alloc::boxed::Box;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

use wasmrel_an_encoding::{level, An};
use wasmrel_dual::{Call, End, Inverted};
use wasmrel_executor::{
    Config, Domain, Error, ExternType, FuelCount, FuncAddr, Limits as EngineLimits, Linker, Module,
    Pause, Place, Plain, Store, Value,
};
use wasmrel_outcome::Outcome as Ending;
use wasmrel_wasi::clock::Clock;
use wasmrel_wasi::random::RandomSource;
use wasmrel_wasi::stdio::OutputSink;
use wasmrel_wasi::{Errno, WasiCtx};

use crate::config::{CheckLevel, Mode, Replicas, RunConfig};
use crate::platform::Platform;
use crate::record::encode;
use crate::report::{Outcome, Report};
use crate::session::SessionError;

/// Fuel between two yields: small enough that a run gives the CPU back within a millisecond
/// or so, large enough that the pause costs nothing measurable.
const HOOK_INTERVAL: u64 = 100_000;
/// The unit `--max-stack` counts the value stack in.
const PLAIN_SLOT_BYTES: u64 = 8;

/// Runs `module` under `config`. Guest failures are outcomes in the report; only a signal
/// (`Interrupted`) or an allocation failure of the report itself is an error.
pub fn execute<P: Platform + Clone + 'static>(
    module: &[u8],
    config: &RunConfig,
    platform: &mut P,
) -> Result<Report, SessionError> {
    let output = Output::new(config.limits.output_bytes);
    let mut run = Run {
        fuel_used: 0,
        output: output.clone(),
    };
    // Each mode is its own instance of the interpreter, as in `wasmrel run`.
    let result = match config.mode {
        Mode::Plain => run.execute::<Plain, P>(module, config, platform),
        Mode::Encoded { check, .. } => match check {
            CheckLevel::Op => run.execute::<An<{ level::OP }>, P>(module, config, platform),
            CheckLevel::Block => run.execute::<An<{ level::BLOCK }>, P>(module, config, platform),
            CheckLevel::Effects => {
                run.execute::<An<{ level::EFFECTS }>, P>(module, config, platform)
            }
        },
        Mode::Dual(Replicas::Inverted) => run.execute_dual::<Inverted, P>(module, config, platform),
        Mode::Dual(Replicas::Encoded) => run.execute_dual::<An, P>(module, config, platform),
    };
    let (stdout, stderr, overflowed) = output.take();
    let mut report = match result {
        Ok(results) => {
            let (outcome, exit_code, results) = match results {
                Finished::Returned(values) => (Outcome::Returned, 0, records(&values)?),
                Finished::Exited(code) => (Outcome::Exit, code, Vec::new()),
            };
            Report {
                outcome,
                exit_code,
                fuel_used: 0,
                stdout: Vec::new(),
                stderr: Vec::new(),
                results,
                message: String::new(),
            }
        }
        Err(Stop::Interrupted) => return Err(SessionError::Interrupted),
        Err(Stop::Exited(code)) => Report::failed(Outcome::Exit, String::new()).exit(code),
        Err(Stop::Failed(outcome, message)) => Report::failed(outcome, message),
    };
    if overflowed && matches!(report.outcome, Outcome::Exit | Outcome::Returned) {
        report.outcome = Outcome::Limit;
        report.message = "output limit exceeded (module parameter output_limit_mb)".to_string();
    }
    report.fuel_used = run.fuel_used;
    report.stdout = stdout;
    report.stderr = stderr;
    Ok(report)
}

enum Finished {
    Returned(Vec<Value>),
    Exited(i32),
}

enum Stop {
    Interrupted,
    /// WASI `proc_exit`.
    Exited(i32),
    Failed(Outcome, String),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Self {
        Stop::from(Ending::from_engine(error))
    }
}

impl From<Ending> for Stop {
    /// Classifies and words the ending with `wasmrel run`'s own code, so the reply's
    /// message is the detail a user-space run prints.
    fn from(ending: Ending) -> Self {
        let outcome = match &ending {
            Ending::Exit(code) => return Stop::Exited(*code),
            Ending::Error(_) => Outcome::Error,
            Ending::Limit(_) => Outcome::Limit,
            Ending::Trap(_) => Outcome::Trap,
            Ending::Detected { .. } => Outcome::Detected,
            Ending::Internal(_) => Outcome::EngineBug,
        };
        Stop::Failed(outcome, ending.detail().unwrap_or_default())
    }
}

struct Run {
    fuel_used: u64,
    output: Output,
}

impl Run {
    fn execute<D: Domain, P: Platform + Clone + 'static>(
        &mut self,
        bytes: &[u8],
        config: &RunConfig,
        platform: &mut P,
    ) -> Result<Finished, Stop> {
        let engine_config = engine_config(config);
        let module = Module::new(&engine_config, bytes)?;
        let invoke = match &config.invoke {
            Some(invoke) => Some((invoke.name.as_str(), checked_args(&module, invoke)?)),
            None => None,
        };
        let mut wasi = self.wasi(config, platform)?;
        let mut store: Store<D> = Store::new(engine_config);
        let mut linker = Linker::new();
        wasmrel_wasi::link(&mut linker);
        let outcome = linker
            .instantiate_deferred(&mut store, &module)
            .map_err(Stop::from)
            .and_then(|(instance, start)| {
                // The start function runs like any call, so it too yields and stops on a
                // signal (Linker::instantiate would run it to completion).
                if let Some(start) = start {
                    // Not counted, as in user space (whose instantiation runs it), so that
                    // `--json` reports the same fuel.
                    let counted = self.fuel_used;
                    self.call(&mut store, start, &[], &mut wasi, platform)?;
                    self.fuel_used = counted;
                }
                let has = |name: &str| module.exports().any(|export| export.name == name);
                let mut call = |name: &str, args: &[Value]| {
                    let func = store.get_func(instance, name)?;
                    self.call(&mut store, func, args, &mut wasi, platform)
                };
                match invoke {
                    None if has("_start") => call("_start", &[]).map(|_| Finished::Exited(0)),
                    None => Ok(Finished::Exited(0)),
                    Some((name, args)) => {
                        if has("_initialize") {
                            call("_initialize", &[])?;
                        }
                        call(name, &args).map(Finished::Returned)
                    }
                }
            });
        wasi.flush();
        match outcome {
            Err(Stop::Exited(code)) => Ok(Finished::Exited(code)),
            other => other,
        }
    }

    /// Runs the module on a plain replica and one of domain `B` in lockstep with `wasmrel
    /// run --dual`'s own code, yielding every [`HOOK_INTERVAL`] instructions.
    fn execute_dual<B: Domain, P: Platform + Clone + 'static>(
        &mut self,
        bytes: &[u8],
        config: &RunConfig,
        platform: &mut P,
    ) -> Result<Finished, Stop> {
        let engine_config = engine_config(config);
        let module = Module::new(&engine_config, bytes)?;
        let invoke = match &config.invoke {
            Some(invoke) => Some((invoke.name.as_str(), checked_args(&module, invoke)?)),
            None => None,
        };
        let calls = Call::of_run(&module, invoke);
        let mut wasi = self.wasi(config, platform)?;
        let ended = wasmrel_dual::run::<Plain, B>(
            &module,
            engine_config,
            &mut wasi,
            &calls,
            HOOK_INTERVAL,
            || !platform.should_stop(),
        );
        wasi.flush();
        let Some((end, fuel)) = ended else {
            return Err(Stop::Interrupted);
        };
        // As in user space: the first replica's instructions in the last call.
        self.fuel_used = fuel;
        match end {
            End::Returned(values) if config.invoke.is_some() => Ok(Finished::Returned(values)),
            End::Returned(_) => Ok(Finished::Exited(0)),
            End::Exit(code) => Ok(Finished::Exited(code)),
            End::Failed(error) => Err(Stop::from(error)),
            End::Mismatch(why) => {
                let line = wasmrel_outcome::dual_mismatch_line(&why) + "\n";
                // A full output buffer loses the explanation, not the detection.
                let _ = self.output.sink(Stream::Stderr).write(line.as_bytes());
                Err(Stop::from(Ending::Detected {
                    mechanism: "dual",
                    at: None,
                }))
            }
        }
    }

    /// Calls one function, yielding at every fuel hook and serving WASI calls.
    fn call<D: Domain, P: Platform>(
        &mut self,
        store: &mut Store<D>,
        func: FuncAddr,
        args: &[Value],
        wasi: &mut WasiCtx,
        platform: &mut P,
    ) -> Result<Vec<Value>, Stop> {
        let mut execution = store.start_call_func(func, args)?;
        let result = loop {
            match execution.resume(store) {
                Ok(Pause::Done(values)) => break Ok(values),
                Ok(Pause::HostCall(call)) => {
                    if let Err(error) = execution.call_host(store, &call, wasi) {
                        break Err(Stop::from(error));
                    }
                }
                Ok(Pause::Hook | Pause::Stopped) => {
                    if platform.should_stop() {
                        break Err(Stop::Interrupted);
                    }
                }
                Err(error) => break Err(located(error, execution.place(store))),
            }
        };
        self.fuel_used = self.fuel_used.saturating_add(execution.fuel_used());
        result
    }

    fn wasi<P: Platform + Clone + 'static>(
        &self,
        config: &RunConfig,
        platform: &P,
    ) -> Result<WasiCtx, Stop> {
        let bad = |what: &str| Stop::Failed(Outcome::Error, format!("{what} is not UTF-8"));
        let mut wasi = WasiCtx::new(
            Box::new(KernelClock(platform.clone())),
            Box::new(KernelRandom(platform.clone())),
        );
        for arg in &config.args {
            wasi.push_arg(core::str::from_utf8(arg).map_err(|_| bad("an argument"))?);
        }
        for entry in &config.env {
            let entry = core::str::from_utf8(entry).map_err(|_| bad("an environment entry"))?;
            let (name, value) = entry.split_once('=').unwrap_or((entry, ""));
            wasi.push_env(name, value);
        }
        wasi.set_stdout(Box::new(self.output.sink(Stream::Stdout)));
        wasi.set_stderr(Box::new(self.output.sink(Stream::Stderr)));
        Ok(wasi)
    }
}

/// The engine's configuration for a run: its limits and memory protection.
fn engine_config(config: &RunConfig) -> Config {
    let limits = &config.limits;
    Config {
        limits: EngineLimits {
            max_memory_bytes: limits.memory_bytes,
            max_table_elements: limits.table_elements,
            max_call_depth: limits.call_depth,
            // Counted in plain 8-byte slots in every mode, as `wasmrel run --max-stack` does,
            // so both accept the same programs (an encoded slot takes 16 bytes).
            max_stack_slots: u32::try_from(limits.stack_bytes / PLAIN_SLOT_BYTES)
                .unwrap_or(u32::MAX),
        },
        fuel: Some(limits.fuel),
        // The limit needs the count in any case; `--json` reports it.
        fuel_count: FuelCount::Exact,
        hook_interval: Some(HOOK_INTERVAL),
        memory_protection: match config.mode {
            Mode::Encoded { memory, .. } => Some(memory),
            // Encoded stores' default (crc) for the encoded replica of a dual run, as in
            // user space.
            Mode::Plain | Mode::Dual(_) => None,
        },
    }
}

/// Names the place where a fault was detected, as `wasmrel run` does.
fn located(error: Error, place: Option<Place>) -> Stop {
    Stop::from(Ending::from_engine(error).located(place))
}

/// The invoke arguments, checked against the export's parameter types.
fn checked_args(module: &Module, invoke: &crate::config::Invoke) -> Result<Vec<Value>, Stop> {
    let name = invoke.name.as_str();
    let ty = module
        .exports()
        .find_map(|export| match export.ty {
            ExternType::Func(ty) if export.name == name => Some(ty),
            _ => None,
        })
        .ok_or_else(|| {
            Stop::Failed(
                Outcome::Error,
                format!("the module exports no function `{name}`"),
            )
        })?;
    let types_match = ty.params().len() == invoke.args.len()
        && ty
            .params()
            .iter()
            .zip(&invoke.args)
            .all(|(&t, v)| v.ty() == t);
    if !types_match {
        return Err(Stop::Failed(
            Outcome::Error,
            format!("the arguments do not match `{name}` {ty}"),
        ));
    }
    Ok(invoke.args.clone())
}

fn records(values: &[Value]) -> Result<Vec<u8>, SessionError> {
    let mut out = Vec::new();
    out.try_reserve_exact(values.len() * crate::record::RECORD_BYTES)
        .map_err(|_| SessionError::OutOfMemory)?;
    for value in values {
        out.extend_from_slice(&encode(*value));
    }
    Ok(out)
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

#[derive(Default)]
struct Captured {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    room: u64,
    overflowed: bool,
}

/// stdout and stderr kept for the reply, both within one output budget.
#[derive(Clone)]
struct Output(Rc<RefCell<Captured>>);

impl Output {
    fn new(limit: u64) -> Self {
        Output(Rc::new(RefCell::new(Captured {
            room: limit,
            ..Captured::default()
        })))
    }

    fn sink(&self, stream: Stream) -> OutputPipe {
        OutputPipe {
            output: self.clone(),
            stream,
        }
    }

    fn take(&self) -> (Vec<u8>, Vec<u8>, bool) {
        let mut captured = self.0.borrow_mut();
        let stdout = core::mem::take(&mut captured.stdout);
        let stderr = core::mem::take(&mut captured.stderr);
        (stdout, stderr, captured.overflowed)
    }
}

struct OutputPipe {
    output: Output,
    stream: Stream,
}

impl OutputSink for OutputPipe {
    fn write(&mut self, bytes: &[u8]) -> Result<usize, Errno> {
        let mut captured = self.output.0.borrow_mut();
        let captured = &mut *captured;
        if (bytes.len() as u64) > captured.room {
            captured.overflowed = true;
            return Err(Errno::NOSPC);
        }
        let buffer = match self.stream {
            Stream::Stdout => &mut captured.stdout,
            Stream::Stderr => &mut captured.stderr,
        };
        buffer.try_reserve(bytes.len()).map_err(|_| Errno::NOMEM)?;
        buffer.extend_from_slice(bytes);
        captured.room -= bytes.len() as u64;
        Ok(bytes.len())
    }
}

/// The kernel's clocks: realtime for `CLOCK_REALTIME`, monotonic for the others.
struct KernelClock<P>(P);

const REALTIME: u32 = 0;
const MONOTONIC: u32 = 1;
const PROCESS_CPUTIME: u32 = 2;
const THREAD_CPUTIME: u32 = 3;

impl<P: Platform> Clock for KernelClock<P> {
    fn now(&mut self, id: u32, _fuel_used: u64) -> Result<u64, Errno> {
        match id {
            REALTIME => Ok(self.0.realtime_ns()),
            MONOTONIC | PROCESS_CPUTIME | THREAD_CPUTIME => Ok(self.0.monotonic_ns()),
            _ => Err(Errno::INVAL),
        }
    }

    fn resolution(&self, id: u32) -> Result<u64, Errno> {
        match id {
            REALTIME | MONOTONIC | PROCESS_CPUTIME | THREAD_CPUTIME => Ok(1),
            _ => Err(Errno::INVAL),
        }
    }

    /// Sleeps until the deadline passes; a signal ends the wait early.
    fn sleep_until(&mut self, id: u32, deadline: u64, fuel_used: u64) -> Result<(), Errno> {
        loop {
            let now = self.now(id, fuel_used)?;
            if now >= deadline {
                return Ok(());
            }
            if self.0.sleep(deadline - now) {
                return Err(Errno::INTR);
            }
        }
    }
}

struct KernelRandom<P>(P);

impl<P: Platform> RandomSource for KernelRandom<P> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        self.0.random(buf);
        Ok(())
    }
}
