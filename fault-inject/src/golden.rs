//! Running the application in one mode: the golden run, one injected run, and the
//! classification of an injected run against the golden one.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use wasmrel_an_encoding::{level, An};
use wasmrel_executor::{Config, Error, LimitKind, Plain};

use crate::app::{App, Check, Mode, Output, Second};
use crate::driver::{self, Call, End, Progress, Run};
use crate::dual::Inverted;
use crate::fault::{Class, Fault};
use crate::flip::Injector;
use crate::label::Label;

/// One run's observable behaviour.
#[derive(Debug, Clone)]
pub struct Observed {
    pub end: End,
    pub progress: Progress,
    pub stdout: Output,
    pub stderr: Output,
    pub read_stdin: bool,
}

impl App {
    /// The export calls of a run: `_start`, or `_initialize` (if exported) and the invoked
    /// export.
    pub fn calls(&self) -> Result<Vec<Call>, String> {
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

    /// Runs the app once in `mode` with a fuel limit, optionally injecting a fault.
    pub fn execute(
        &self,
        mode: Mode,
        fuel: Option<u64>,
        injector: Option<&mut Injector<'_>>,
        keep_memory: bool,
    ) -> Result<Observed, String> {
        let calls = self.calls()?;
        let (mut wasi, streams) = self.wasi();
        let config = Config {
            fuel,
            ..self.config
        };
        let run = Run {
            module: &self.module,
            config,
            host: &mut wasi,
            calls: &calls,
            keep_memory,
        };
        let (end, progress) = match (mode, self.check, self.second) {
            (Mode::Plain, ..) => driver::single::<Plain>(run, injector),
            (Mode::Encoded, Check::Op, _) => driver::single::<An<{ level::OP }>>(run, injector),
            (Mode::Encoded, Check::Block, _) => {
                driver::single::<An<{ level::BLOCK }>>(run, injector)
            }
            (Mode::Encoded, Check::Effects, _) => {
                driver::single::<An<{ level::EFFECTS }>>(run, injector)
            }
            (Mode::Dual, _, Second::Inverted) => driver::dual::<Plain, Inverted>(run, injector),
            (Mode::Dual, _, Second::Encoded) => driver::dual::<Plain, An>(run, injector),
        };
        let stdout = streams.stdout.borrow().clone();
        let stderr = streams.stderr.borrow().clone();
        let read_stdin = *streams.read_stdin.borrow();
        Ok(Observed {
            end,
            progress,
            stdout,
            stderr,
            read_stdin,
        })
    }
}

/// The fault-free reference run.
#[derive(Debug, Clone)]
pub struct Golden {
    pub observed: Observed,
    /// Wasm instructions of the injected call.
    pub length: u64,
    /// Wall time of one golden run (the fastest of the repetitions), in nanoseconds.
    pub time_ns: u64,
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
    /// second has passed (at most 20 times): the fastest time is the least disturbed by a
    /// loaded machine. Refuses runs that fail, read input, or disagree with each other.
    pub fn record(app: &App, mode: Mode) -> Result<Golden, String> {
        let mut best: Option<(Observed, u64)> = None;
        let started = Instant::now();
        let mut runs = 0;
        while runs < 3 || (runs < 20 && started.elapsed().as_millis() < 250) {
            runs += 1;
            let begin = Instant::now();
            let observed = app.execute(mode, None, None, true)?;
            let time = begin.elapsed().as_nanos() as u64;
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
        Ok(Golden {
            observed,
            length,
            time_ns,
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

/// Runs fault `fault` and classifies it; a panic in the engine becomes `engine-bug`.
pub fn inject(
    app: &App,
    mode: Mode,
    golden: &Golden,
    fault: Fault,
    hang_factor: u64,
) -> (Record, Option<String>) {
    let (id, class, t, bits) = (fault.id, fault.class, fault.t, fault.bits);
    let fuel = golden.length.saturating_mul(hang_factor).max(1);
    let mut injector = Injector::new(fault, app);
    let run = catch_unwind(AssertUnwindSafe(|| {
        app.execute(mode, Some(fuel), Some(&mut injector), true)
    }));
    let (outcome, used, detail, trace) = match run {
        Ok(Ok(observed)) => {
            let (label, detail) = classify(golden, &observed);
            (
                label,
                observed.progress.fuel,
                detail,
                observed.progress.trace,
            )
        }
        Ok(Err(error)) => (Label::EngineBug, 0, Some(error), None),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "panic".to_owned());
            (Label::EngineBug, 0, Some(format!("panic: {message}")), None)
        }
    };
    let record = Record {
        id,
        class,
        t,
        bits,
        outcome,
        fuel: used,
        detail,
    };
    (record, trace)
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
        Error::Corrupted(corruption) => match corruption.mechanism() {
            "an" => Label::DetectedAn,
            "signature" => Label::DetectedSignature,
            "memory" => Label::DetectedMemory,
            _ => Label::DetectedCode,
        },
        Error::Trap(_) | Error::Host(_) => Label::Trap,
        Error::Limit(LimitKind::Fuel) => Label::Hang,
        Error::Limit(_) => Label::Limit,
        // Exit is an `End::Exit`; the rest cannot arise from a running call.
        Error::Exit(_) | Error::Invalid(_) | Error::Link(_) | Error::Call(_) => Label::EngineBug,
    }
}

fn same_behaviour(a: &Observed, b: &Observed) -> bool {
    a.end == b.end && a.stdout == b.stdout && a.stderr == b.stderr
}

fn describe(end: &End) -> String {
    match end {
        End::Returned(values) => format!("returned {values:?}"),
        End::Exit(code) => format!("exit {code}"),
        End::Failed(error) => error.to_string(),
        End::Mismatch(why) => format!("replicas disagree: {why}"),
    }
}
