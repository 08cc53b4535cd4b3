//! Running the application in one mode: the golden run, one injected run, and the
//! classification of an injected run against the golden one.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use wasmrel_executor::{Config, Error, LimitKind};

use crate::app::{App, Mode, SystemFn};
use crate::driver::{End, System};
use crate::fault::{Class, Fault};
use crate::flip::Injector;
use crate::host::Output;
use crate::label::Label;
use crate::runner::{self, Checkpoints};

/// One run's observable behaviour.
#[derive(Debug, Clone)]
pub struct Observed {
    pub end: End,
    pub progress: Progress,
    pub stdout: Output,
    pub stderr: Output,
    pub read_stdin: bool,
    /// A digest of the granted directories' contents at the end (with `--dir`).
    pub files: Option<String>,
}

/// What a run reports besides its observable behaviour.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Fuel used by the last call (of the first replica).
    pub fuel: u64,
    pub host_calls: u64,
    /// Where the fault went, if one was injected.
    pub trace: Option<String>,
    /// Linear memory of the (first) replica at the end, if asked for.
    pub memory: Option<Vec<u8>>,
    /// Whether the run restarted from a checkpoint of the golden run.
    pub restarted: bool,
    /// Whether the run ended early, its state equal to the golden run's at a checkpoint.
    pub early: bool,
}

impl App {
    /// The export calls of a run: `_start`, or `_initialize` (if exported) and the invoked
    /// export.
    pub fn calls(&self) -> Result<Vec<crate::driver::Call>, String> {
        use crate::driver::Call;
        let exports: Vec<String> = self.module.exports().map(|e| e.name).collect();
        let has = |name: &str| exports.iter().any(|e| e == name);
        let mut calls = Vec::new();
        match &self.invoke {
            Some((name, args)) => {
                if has("_initialize") {
                    calls.push(Call {
                        name: "_initialize".to_owned(),
                        args: Vec::new(),
                    });
                }
                if !has(name) {
                    return Err(format!("{}: no exported function `{name}`", self.name));
                }
                calls.push(Call {
                    name: name.clone(),
                    args: args.clone(),
                });
            }
            None if has("_start") => calls.push(Call {
                name: "_start".to_owned(),
                args: Vec::new(),
            }),
            None => {
                return Err(format!(
                    "{}: exports no `_start`; name an export to call with --invoke",
                    self.name
                ))
            }
        }
        Ok(calls)
    }

    /// Runs the app once in `mode` from the start with a fuel limit, optionally injecting a
    /// fault.
    pub fn execute(
        &self,
        mode: Mode,
        fuel: Option<u64>,
        injector: Option<&mut Injector<'_>>,
        keep_memory: bool,
    ) -> Result<Observed, String> {
        self.with_system(
            mode,
            Execute {
                fuel,
                injector,
                checkpoints: &Checkpoints::none(),
                golden: None,
                keep_memory,
            },
        )
    }
}

/// [`runner::observe`] for the system of a mode.
struct Execute<'a, 'i> {
    fuel: Option<u64>,
    injector: Option<&'a mut Injector<'i>>,
    checkpoints: &'a Checkpoints,
    golden: Option<&'a Observed>,
    keep_memory: bool,
}

impl SystemFn for Execute<'_, '_> {
    type Output = Result<Observed, String>;

    fn call<S: System + Send + Sync + 'static>(self, app: &App) -> Self::Output {
        let config = Config {
            fuel: self.fuel,
            ..app.config
        };
        runner::observe::<S>(
            app,
            config,
            self.injector,
            self.checkpoints,
            self.golden,
            self.keep_memory,
        )
    }
}

/// [`runner::record`] for the system of a mode.
struct TakeCheckpoints {
    length: u64,
    count: u64,
}

impl SystemFn for TakeCheckpoints {
    type Output = Result<(Checkpoints, Observed), String>;

    fn call<S: System + Send + Sync + 'static>(self, app: &App) -> Self::Output {
        runner::record::<S>(app, self.length, self.count)
    }
}

/// The fault-free reference run.
#[derive(Debug, Clone)]
pub struct Golden {
    pub observed: Observed,
    /// Wasm instructions of the injected call.
    pub length: u64,
    /// CPU time of one golden run (the fastest of the repetitions), in nanoseconds.
    pub time_ns: u64,
    /// Copies of the run for restarting injected runs (none if checkpoints are off).
    pub checkpoints: Checkpoints,
}

/// The CPU time this thread has used, in nanoseconds: unlike wall-clock time it does not
/// grow while the thread waits for a core, so the cost of each mode is measured alike on a
/// loaded machine.
fn cpu_time() -> Result<u64, String> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a live, writable timespec and the clock id a constant of the platform.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } != 0 {
        return Err(format!(
            "cannot read the thread CPU-time clock: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok((now.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(now.tv_nsec as u64))
}

/// What campaign.json keeps of the golden run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoldenSummary {
    pub length: u64,
    pub time_ns: u64,
    pub end: String,
    pub stdout_bytes: u64,
    pub stderr_bytes: u64,
    pub host_calls: u64,
}

impl Golden {
    /// Runs the app without faults at least three times and, for short runs, until a quarter
    /// second has passed (at most 20 times), timing each by the thread's CPU time: the fastest
    /// is the least disturbed by a loaded machine. Refuses runs that fail, read input, or disagree with each other.
    /// Then records up to `checkpoints` checkpoints in one more run, which must agree too.
    pub fn record(app: &App, mode: Mode, checkpoints: u64) -> Result<Golden, String> {
        let mut best: Option<(Observed, u64)> = None;
        let started = Instant::now();
        let mut runs = 0;
        while runs < 3 || (runs < 20 && started.elapsed().as_millis() < 250) {
            runs += 1;
            let begin = cpu_time()?;
            let observed = app.execute(mode, None, None, true)?;
            let time = cpu_time()?.saturating_sub(begin);
            if observed.read_stdin {
                return Err(format!(
                    "{}: the golden run reads standard input; campaigns run without input",
                    app.name
                ));
            }
            match &observed.end {
                End::Failed(error) => {
                    return Err(format!("{}: the golden run failed: {error}", app.name))
                }
                End::Mismatch(why) => {
                    return Err(format!(
                        "{}: the golden run's replicas disagree: {why}",
                        app.name
                    ))
                }
                End::Exit(code) if *code != 0 => {
                    let stderr = String::from_utf8_lossy(&observed.stderr.bytes);
                    let first = stderr.lines().next().unwrap_or_default();
                    return Err(format!(
                        "{}: the golden run exited with code {code} ({first}); campaigns need a run that succeeds",
                        app.name
                    ));
                }
                End::Returned(_) | End::Exit(_) => {}
            }
            if let Some((first, _)) = &best {
                if !same_behaviour(first, &observed)
                    || first.progress.fuel != observed.progress.fuel
                {
                    return Err(format!(
                        "{}: two golden runs differ; the app is not deterministic",
                        app.name
                    ));
                }
            }
            best = match best {
                Some((kept, fastest)) if fastest <= time => Some((kept, fastest)),
                _ => Some((observed, time)),
            };
        }
        let (observed, time_ns) = best.ok_or("no golden run")?;
        let length = observed.progress.fuel;
        if length == 0 {
            return Err(format!(
                "{}: the golden run executes no instructions",
                app.name
            ));
        }
        let checkpoints = if checkpoints == 0 {
            Checkpoints::none()
        } else {
            let (list, again) = app.with_system(
                mode,
                TakeCheckpoints {
                    length,
                    count: checkpoints,
                },
            )?;
            let same = same_behaviour(&observed, &again)
                && again.progress.fuel == length
                && again.progress.memory == observed.progress.memory;
            if !same {
                return Err(format!(
                    "{}: the golden run taking checkpoints differs from the plain golden run (an engine bug: pausing changed the run)",
                    app.name
                ));
            }
            list
        };
        Ok(Golden {
            observed,
            length,
            time_ns,
            checkpoints,
        })
    }

    pub fn summary(&self) -> GoldenSummary {
        GoldenSummary {
            length: self.length,
            time_ns: self.time_ns,
            end: describe(&self.observed.end),
            stdout_bytes: self.observed.stdout.total,
            stderr_bytes: self.observed.stderr.total,
            host_calls: self.observed.progress.host_calls,
        }
    }
}

/// One line of `results.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: u64,
    pub class: Class,
    pub t: u64,
    pub bits: u32,
    pub outcome: Label,
    /// Wasm instructions the injected call executed.
    pub fuel: u64,
    /// The error or difference, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Runs fault `fault` and classifies it; a panic in the engine becomes `engine-bug`. The
/// progress says where the fault went and whether checkpoints shortened the run.
pub fn inject(
    app: &App,
    mode: Mode,
    golden: &Golden,
    fault: Fault,
    hang_factor: u64,
) -> (Record, Progress) {
    let (id, class, t, bits) = (fault.id, fault.class, fault.t, fault.bits);
    let fuel = golden.length.saturating_mul(hang_factor).max(1);
    let mut injector = Injector::new(fault, app);
    let run = catch_unwind(AssertUnwindSafe(|| {
        app.with_system(
            mode,
            Execute {
                fuel: Some(fuel),
                injector: Some(&mut injector),
                checkpoints: &golden.checkpoints,
                golden: Some(&golden.observed),
                keep_memory: true,
            },
        )
    }));
    let (outcome, detail, progress) = match run {
        Ok(Ok(observed)) => {
            let (label, detail) = classify(golden, &observed);
            (label, detail, observed.progress)
        }
        Ok(Err(error)) => (Label::EngineBug, Some(error), Progress::default()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "panic".to_owned());
            let detail = Some(format!("panic: {message}"));
            (Label::EngineBug, detail, Progress::default())
        }
    };
    let record = Record {
        id,
        class,
        t,
        bits,
        outcome,
        fuel: progress.fuel,
        detail,
    };
    (record, progress)
}

/// Labels an injected run by comparing it with the golden run.
pub fn classify(golden: &Golden, run: &Observed) -> (Label, Option<String>) {
    match &run.end {
        End::Failed(error) => (label_error(error), Some(error.to_string())),
        End::Mismatch(why) => (Label::DetectedDual, Some(why.clone())),
        End::Returned(_) | End::Exit(_) => {
            if !same_behaviour(&golden.observed, run) {
                let golden = &golden.observed;
                let differs = [
                    (golden.stdout != run.stdout, "stdout"),
                    (golden.stderr != run.stderr, "stderr"),
                    (golden.files != run.files, "files"),
                    (golden.end != run.end, "end"),
                ];
                let parts: Vec<&str> = differs.iter().filter(|d| d.0).map(|d| d.1).collect();
                let detail = format!(
                    "{} differ; ended with {}",
                    parts.join(", "),
                    describe(&run.end)
                );
                (Label::Sdc, Some(detail))
            } else if golden.observed.progress.memory != run.progress.memory {
                (Label::Latent, None)
            } else {
                (Label::Benign, None)
            }
        }
    }
}

fn label_error(error: &Error) -> Label {
    match error {
        // A mechanism without a label of its own is a gap in this tool, reported loudly.
        Error::Corrupted(corruption) => {
            Label::detected(corruption.mechanism()).unwrap_or(Label::EngineBug)
        }
        Error::Trap(_) | Error::Host(_) => Label::Trap,
        Error::Limit(LimitKind::Fuel) => Label::Hang,
        Error::Limit(_) => Label::Limit,
        // Exit is an `End::Exit`; the rest cannot arise from a running call.
        Error::Exit(_) | Error::Invalid(_) | Error::Link(_) | Error::Call(_) => Label::EngineBug,
    }
}

fn same_behaviour(a: &Observed, b: &Observed) -> bool {
    a.end == b.end && a.stdout == b.stdout && a.stderr == b.stderr && a.files == b.files
}

fn describe(end: &End) -> String {
    match end {
        End::Returned(values) => format!("returned {values:?}"),
        End::Exit(code) => format!("exit {code}"),
        End::Failed(error) => error.to_string(),
        End::Mismatch(why) => format!("replicas disagree: {why}"),
    }
}
