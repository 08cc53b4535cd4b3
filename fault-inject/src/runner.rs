//! One run of the application as a [`System`], with or without a fault, and the golden
//! run's checkpoints that make injected runs cheaper.
//!
//! FAIL*-style (Schirmeier et al.): an injected run restarts from the latest checkpoint of
//! the golden run at or before its fault time instead of from the start, and once its
//! complete state (replicas, host and output so far) equals the golden run's state at a
//! later checkpoint it ends at once as the golden run ended: from equal states the
//! deterministic engine and host run identically. Both shortcuts give exactly the outcome of
//! a full run (a test checks this per id).

use std::any::Any;
use std::sync::Arc;

use wasmrel_executor::Config;

use crate::app::App;
use crate::dirs::PrivateDirs;
use crate::driver::{End, Event, Replicas, System};
use crate::flip::{Injector, Step};
use crate::golden::{Observed, Progress};
use crate::host::{CampaignHost, HostState};

/// A copy of the golden run stopped at instruction count `at` of its last call.
pub struct Checkpoint<S> {
    pub at: u64,
    system: S,
    host: HostState,
}

/// The checkpoints of a golden run; their system type is the mode's, hidden so that the
/// golden run needs no type parameter.
#[derive(Clone)]
pub struct Checkpoints(Arc<dyn Any + Send + Sync>);

impl std::fmt::Debug for Checkpoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Checkpoints")
    }
}

impl Checkpoints {
    /// The checkpoints as system `S` (none if they were recorded for another system).
    pub fn of<S: System + 'static>(&self) -> &[Checkpoint<S>] {
        self.0
            .downcast_ref::<Vec<Checkpoint<S>>>()
            .map_or(&[], Vec::as_slice)
    }

    pub fn none() -> Checkpoints {
        Checkpoints(Arc::new(()))
    }
}

/// At most this many bytes of checkpoints per campaign.
const BUDGET: u64 = 256 << 20;

/// Runs the golden run of `app` as `S` without a fuel limit, taking up to `count`
/// checkpoints evenly over its `length` instructions while the host stays copyable; returns
/// them with the run's observed behaviour (which must equal the golden run's).
pub fn record<S: System + Send + Sync + 'static>(
    app: &App,
    length: u64,
    count: u64,
) -> Result<(Checkpoints, Observed), String> {
    let dirs = PrivateDirs::new(&app.dir_hosts())?;
    let mut host = CampaignHost::new(app, dirs.paths())?;
    let calls = app.calls()?;
    let mut list: Vec<Checkpoint<S>> = Vec::new();
    let start = S::start(&app.module, app.config, &mut host, &calls);
    let (end, system) = match start {
        Err(end) => (end, None),
        Ok(mut system) => {
            let size = system.memory().map_or(0, <[u8]>::len) as u64 + (1 << 16);
            let count = count.min(BUDGET / size).max(1);
            let interval = length.div_ceil(count).max(1);
            let mut at = 0;
            let end = loop {
                if let Some(state) = host.state() {
                    list.push(Checkpoint {
                        at,
                        system: system.clone(),
                        host: state,
                    });
                }
                at += interval;
                match system.run_until(&mut host, at) {
                    Ok(Event::Stopped) => {}
                    Ok(Event::Done(values)) => break End::Returned(values),
                    Err(end) => break end,
                }
            };
            (end, Some(system))
        }
    };
    let observed = observed(end, system.as_ref(), &host, &dirs, None, true);
    Ok((Checkpoints(Arc::new(list)), observed))
}

/// Runs `app` once as `S` with `config` (its fuel limit applies to every call), injecting
/// the fault of `injector` if any. With `checkpoints` (of the golden run `golden`) an
/// injected run restarts from the latest checkpoint at or before its fault and ends early
/// when its state equals the golden run's at a later one.
pub fn observe<S: System + 'static>(
    app: &App,
    config: Config,
    injector: Option<&mut Injector<'_>>,
    checkpoints: &Checkpoints,
    golden: Option<&Observed>,
    keep_memory: bool,
) -> Result<Observed, String> {
    let checkpoints = match golden {
        Some(_) => checkpoints.of::<S>(),
        None => &[],
    };
    let dirs = PrivateDirs::new(&app.dir_hosts())?;
    let mut host = CampaignHost::new(app, dirs.paths())?;
    let calls = app.calls()?;
    let t = injector.as_ref().map(|i| i.fault.t);
    let restart = t.and_then(|t| checkpoints.iter().rev().find(|c| c.at <= t));
    let start = match restart {
        Some(checkpoint) => {
            host.restore(&checkpoint.host);
            let mut system = checkpoint.system.clone();
            system.set_fuel_limit(config.fuel.unwrap_or(u64::MAX));
            Ok(system)
        }
        None => S::start(&app.module, config, &mut host, &calls),
    };
    let mut system = match start {
        Ok(system) => system,
        Err(end) => return Ok(observed::<S>(end, None, &host, &dirs, None, keep_memory)),
    };
    let mut trace = None;
    let end = match injector {
        Some(injector) => {
            match inject_and_follow(&mut system, &mut host, injector, checkpoints, &mut trace) {
                Some(end) => end,
                None => {
                    // Equal to the golden run at a checkpoint: it ends as the golden run did.
                    let mut same = golden.cloned().ok_or("no golden run to compare with")?;
                    same.progress.trace = trace;
                    same.progress.restarted = restart.is_some();
                    same.progress.early = true;
                    if !keep_memory {
                        same.progress.memory = None;
                    }
                    return Ok(same);
                }
            }
        }
        None => system.finish(&mut host),
    };
    let mut result = observed(end, Some(&system), &host, &dirs, trace, keep_memory);
    result.progress.restarted = restart.is_some();
    Ok(result)
}

/// Runs to the fault, injects it, and follows the run over the checkpoints after it:
/// `None` if its state equals the golden run's at one of them, else how the run ended.
fn inject_and_follow<S: System>(
    system: &mut S,
    host: &mut CampaignHost,
    injector: &mut Injector<'_>,
    checkpoints: &[Checkpoint<S>],
    trace: &mut Option<String>,
) -> Option<End> {
    let mut at = injector.fault.t;
    loop {
        match system.run_until(host, at) {
            Ok(Event::Stopped) => match system.inject(injector) {
                Step::Injected(text) => {
                    *trace = Some(text);
                    break;
                }
                Step::Again(next) => at = next,
            },
            Ok(Event::Done(values)) => return Some(End::Returned(values)),
            Err(end) => return Some(end),
        }
    }
    let mut hints = [None; 2];
    for checkpoint in checkpoints.iter().filter(|c| c.at > at) {
        match system.run_until(host, checkpoint.at) {
            Ok(Event::Stopped) => {
                let same_host = host.state().as_ref() == Some(&checkpoint.host);
                if same_host && system.same_state(&checkpoint.system, &mut hints) {
                    return None;
                }
            }
            Ok(Event::Done(values)) => return Some(End::Returned(values)),
            Err(end) => return Some(end),
        }
    }
    Some(system.finish(host))
}

fn observed<S: System>(
    end: End,
    system: Option<&S>,
    host: &CampaignHost,
    dirs: &PrivateDirs,
    trace: Option<String>,
    keep_memory: bool,
) -> Observed {
    let memory = system.filter(|_| keep_memory).and_then(|s| s.memory());
    Observed {
        end,
        progress: Progress {
            fuel: system.map_or(0, Replicas::fuel),
            host_calls: host.calls(),
            trace,
            memory: memory.map(<[u8]>::to_vec),
            ..Progress::default()
        },
        stdout: host.stdout(),
        stderr: host.stderr(),
        read_stdin: host.read_stdin(),
        files: dirs.digest(),
    }
}
