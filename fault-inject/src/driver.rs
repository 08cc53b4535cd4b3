//! Drivers of the resumable engine: one replica, or two in lockstep, with an optional
//! fault injected at its stop point.

use wasmrel_executor::{
    Caller, Config, Error, Execution, Host, HostError, HostFuncId, InstanceId, Linker, Module,
    Pause, Store, Value,
};

use crate::dual::same_values;
use crate::fault::Class;
use crate::flip::{Injectable, Injector, Step};

/// One export call of a run; the last call of a run is the one faults are injected into.
#[derive(Debug, Clone)]
pub struct Call {
    pub name: String,
    pub args: Vec<Value>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// The last call returned these values.
    Returned(Vec<Value>),
    /// The guest exited (WASI `proc_exit`).
    Exit(i32),
    /// The engine stopped the run with this error.
    Failed(Error),
    /// The replicas of a dual run disagreed; the text says where.
    Mismatch(String),
}

/// What a driver reports besides the end.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Fuel used by the last call (of the first replica).
    pub fuel: u64,
    pub host_calls: u64,
    /// Where the fault went, if one was injected.
    pub trace: Option<String>,
    /// Linear memory of the (first) replica at the end, if asked for.
    pub memory: Option<Vec<u8>>,
}

/// What a driver runs: the module, its configuration and host, the calls, and whether to
/// keep the final memory (for telling `latent` from `benign`).
pub struct Run<'a, H: Host> {
    pub module: &'a Module,
    pub config: Config,
    pub host: &'a mut H,
    pub calls: &'a [Call],
    pub keep_memory: bool,
}

/// One replica: its store, its instance and the call in progress.
struct Replica<D: Injectable> {
    store: Store<D>,
    instance: InstanceId,
}

impl<D: Injectable> Replica<D> {
    fn new(module: &Module, config: Config, host: &mut impl Host) -> Result<Self, Error> {
        let mut store = Store::new(config);
        let mut linker = Linker::new();
        wasmrel_wasi::link(&mut linker);
        let instance = linker.instantiate(&mut store, module, host)?;
        Ok(Replica { store, instance })
    }

    fn memory(&self) -> Option<&[u8]> {
        self.store.memory(self.instance).map(|m| m.bytes())
    }
}

/// Runs `exec` to its next host call or its end, applying `injector` at its stop point.
fn advance<D: Injectable>(
    exec: &mut Execution<D>,
    replica: &mut Replica<D>,
    injector: &mut Option<&mut Injector<'_>>,
    trace: &mut Option<String>,
) -> Result<Pause, Error> {
    loop {
        match exec.resume(&mut replica.store)? {
            Pause::Hook => {}
            Pause::Stopped => {
                let Some(injector) = injector.as_deref_mut() else {
                    continue;
                };
                match injector.at_stop(exec, &mut replica.store, replica.instance) {
                    Step::Injected(text) => *trace = Some(text),
                    Step::Again(t) => exec.set_pause_at(t),
                }
            }
            pause => return Ok(pause),
        }
    }
}

fn start<D: Injectable>(
    replica: &mut Replica<D>,
    call: &Call,
    injector: &Option<&mut Injector<'_>>,
) -> Result<Execution<D>, Error> {
    let mut exec = replica
        .store
        .start_call(replica.instance, &call.name, &call.args)?;
    if let Some(injector) = injector {
        exec.set_pause_at(injector.fault.t);
    }
    Ok(exec)
}

/// Runs `calls` on one replica of domain `D`; the fault (if any) goes into the last call.
pub fn single<D: Injectable>(
    run: Run<'_, impl Host>,
    mut injector: Option<&mut Injector<'_>>,
) -> (End, Progress) {
    let Run {
        module,
        config,
        host,
        calls,
        keep_memory,
    } = run;
    let mut progress = Progress::default();
    let end = (|| {
        let mut replica = Replica::<D>::new(module, config, host)?;
        let mut results = Vec::new();
        for (index, call) in calls.iter().enumerate() {
            let last = index + 1 == calls.len();
            let mut faults = if last { injector.as_deref_mut() } else { None };
            let mut exec = start(&mut replica, call, &faults)?;
            let outcome = loop {
                match advance(&mut exec, &mut replica, &mut faults, &mut progress.trace) {
                    Ok(Pause::HostCall(c)) => {
                        progress.host_calls += 1;
                        if let Err(e) = exec.call_host(&mut replica.store, &c, host) {
                            break Err(e);
                        }
                    }
                    Ok(Pause::Done(values)) => break Ok(values),
                    Ok(_) => {}
                    Err(e) => break Err(e),
                }
            };
            progress.fuel = exec.fuel_used();
            if keep_memory && last {
                progress.memory = replica.memory().map(<[u8]>::to_vec);
            }
            results = outcome?;
        }
        Ok(results)
    })();
    (ending(end), progress)
}

fn ending(result: Result<Vec<Value>, Error>) -> End {
    match result {
        Ok(values) => End::Returned(values),
        Err(Error::Exit(code)) => End::Exit(code),
        Err(error) => End::Failed(error),
    }
}

/// Runs `calls` on replicas of domains `A` and `B` in lockstep: both run to each host call,
/// whose arguments and the memories are compared; the call runs once (on `A`), its results
/// go to both and `A`'s memory (with the host's writes) is copied to `B`. Results are
/// compared at the end. A fault of class [`Class::Replica`] goes into `B`, any other into `A`.
pub fn dual<A: Injectable, B: Injectable>(
    run: Run<'_, impl Host>,
    mut injector: Option<&mut Injector<'_>>,
) -> (End, Progress) {
    let Run {
        module,
        config,
        host,
        calls,
        keep_memory,
    } = run;
    let mut progress = Progress::default();
    let end = (|| {
        let mut a = Replica::<A>::new(module, config, host)?;
        let mut b = Replica::<B>::new(module, config, &mut Refuse)?;
        let mut results = Vec::new();
        for (index, call) in calls.iter().enumerate() {
            let last = index + 1 == calls.len();
            let faults = if last { injector.as_deref_mut() } else { None };
            let into_b = faults
                .as_ref()
                .is_some_and(|f| f.fault.class == Class::Replica);
            let (mut faults_a, mut faults_b) = if into_b {
                (None, faults)
            } else {
                (faults, None)
            };
            let mut exec_a = start(&mut a, call, &faults_a)?;
            let mut exec_b = start(&mut b, call, &faults_b)?;
            let outcome = (|| loop {
                let pause_a = advance(&mut exec_a, &mut a, &mut faults_a, &mut progress.trace)?;
                let pause_b = advance(&mut exec_b, &mut b, &mut faults_b, &mut progress.trace)?;
                match (pause_a, pause_b) {
                    (Pause::HostCall(ca), Pause::HostCall(cb)) => {
                        progress.host_calls += 1;
                        let n = progress.host_calls;
                        if ca.id != cb.id || !same_values(&ca.args, &cb.args) {
                            return Ok(Err(format!("host call {n}: arguments differ")));
                        }
                        if a.memory() != b.memory() {
                            return Ok(Err(format!("host call {n}: memories differ")));
                        }
                        let mut recording = Recording {
                            host: &mut *host,
                            results: Vec::new(),
                        };
                        exec_a.call_host(&mut a.store, &ca, &mut recording)?;
                        exec_b.set_host_results(&b.store, &recording.results)?;
                        if let (Some(from), Some(to)) =
                            (a.store.memory(a.instance), b.store.memory_mut(b.instance))
                        {
                            // `write` keeps a protected memory's check bits current.
                            to.write(0, from.bytes())?;
                        }
                    }
                    (Pause::Done(ra), Pause::Done(rb)) => {
                        return Ok(if same_values(&ra, &rb) {
                            Ok(ra)
                        } else {
                            Err("results differ".to_owned())
                        });
                    }
                    _ => {
                        return Ok(Err(
                            "one replica returned, the other called the host".to_owned()
                        ))
                    }
                }
            })();
            progress.fuel = exec_a.fuel_used();
            if keep_memory && last {
                progress.memory = a.memory().map(<[u8]>::to_vec);
            }
            match outcome {
                Ok(Ok(values)) => results = values,
                Ok(Err(mismatch)) => return Ok(Err(mismatch)),
                Err(error) => return Err(error),
            }
        }
        Ok(Ok(results))
    })();
    let end = match end {
        Ok(Err(mismatch)) => End::Mismatch(mismatch),
        Ok(Ok(values)) => End::Returned(values),
        Err(error) => ending(Err(error)),
    };
    (end, progress)
}

/// Serves the host for the first replica and keeps the results for the second.
struct Recording<'h, H: Host> {
    host: &'h mut H,
    results: Vec<Value>,
}

impl<H: Host> Host for Recording<'_, H> {
    fn call(
        &mut self,
        id: HostFuncId,
        caller: &mut Caller<'_>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError> {
        self.host.call(id, caller, args, results)?;
        self.results = results.to_vec();
        Ok(())
    }
}

/// The second replica's host during instantiation: a start function calling the host would
/// run its effects twice, so dual execution refuses it.
struct Refuse;

impl Host for Refuse {
    fn call(
        &mut self,
        _id: HostFuncId,
        _caller: &mut Caller<'_>,
        _args: &[Value],
        _results: &mut [Value],
    ) -> Result<(), HostError> {
        Err(HostError::Trap(
            "dual execution: a start function may not call the host".to_owned(),
        ))
    }
}
