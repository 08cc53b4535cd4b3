//! Drivers of the resumable engine: one replica ([`Single`]) or two in lockstep ([`Pair`]),
//! run to a given instruction count at a time so that a campaign can stop them at the
//! fault's time, at checkpoints, and copy or compare their complete state there.

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

impl From<Error> for End {
    fn from(error: Error) -> End {
        match error {
            Error::Exit(code) => End::Exit(code),
            error => End::Failed(error),
        }
    }
}

/// Where [`System::run_until`] stopped, if the run did not end.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// At the requested instruction count.
    Stopped,
    /// The current call returned.
    Done(Vec<Value>),
}

/// The replicas of one run with the call in progress: what a campaign starts, stops at
/// instruction counts, injects into, copies at checkpoints and compares with them.
pub trait System: Clone + Sized {
    /// Instantiates the replicas and prepares the first call.
    fn instantiate(
        module: &Module,
        config: Config,
        host: &mut impl Host,
        call: &Call,
    ) -> Result<Self, End>;

    /// Prepares the next call (the previous one returned).
    fn call_next(&mut self, call: &Call) -> Result<(), End>;

    /// Runs until the instruction count of the (first replica's) call would pass `stop`,
    /// or the call returns. Host calls are served with `host` on the way.
    fn run_until(&mut self, host: &mut impl Host, stop: u64) -> Result<Event, End>;

    /// Applies the injector at the current stop.
    fn inject(&mut self, injector: &mut Injector<'_>) -> Step;

    /// Whether the complete state equals `other`'s. `hints` keep, per replica, where the
    /// two memories last differed, so that a run with a lasting memory difference is told
    /// apart at once instead of by comparing whole memories at every checkpoint.
    fn same_state(&self, other: &Self, hints: &mut [Option<usize>; 2]) -> bool;

    /// Instructions the (first replica's) current call has executed.
    fn fuel(&self) -> u64;

    /// The first replica's linear memory.
    fn memory(&self) -> Option<&[u8]>;

    /// Limits the current call to `limit` instructions.
    fn set_fuel_limit(&mut self, limit: u64);

    /// Instantiates, runs every call but the last to its end and prepares the last one.
    fn start(
        module: &Module,
        config: Config,
        host: &mut impl Host,
        calls: &[Call],
    ) -> Result<Self, End> {
        let (first, rest) = calls
            .split_first()
            .ok_or_else(|| End::Mismatch("no call to make".to_owned()))?;
        let mut system = Self::instantiate(module, config, host, first)?;
        for call in rest {
            system.run_until(host, u64::MAX)?;
            system.call_next(call)?;
        }
        Ok(system)
    }

    /// Runs the current call to its end.
    fn finish(&mut self, host: &mut impl Host) -> End {
        match self.run_until(host, u64::MAX) {
            Ok(Event::Done(values)) => End::Returned(values),
            // A stop at u64::MAX cannot happen: the fuel limit ends the run first.
            Ok(Event::Stopped) => End::Failed(Error::Call("stopped at the end of time".into())),
            Err(end) => end,
        }
    }
}

/// One replica: its store, its instance and the call in progress.
pub struct Single<D: Injectable> {
    store: Store<D>,
    instance: InstanceId,
    exec: Execution<D>,
}

impl<D: Injectable> Clone for Single<D> {
    fn clone(&self) -> Self {
        Single {
            store: self.store.clone(),
            instance: self.instance,
            exec: self.exec.clone(),
        }
    }
}

impl<D: Injectable> Single<D> {
    /// Resumes to the next pause that is not a hook; with `stops` false, stop points are
    /// passed over too (a second replica that was not asked to stop).
    fn next(&mut self, stops: bool) -> Result<Pause, End> {
        loop {
            match self.exec.resume(&mut self.store)? {
                Pause::Hook => {}
                Pause::Stopped if !stops => {}
                pause => return Ok(pause),
            }
        }
    }

    fn memory_bytes(&self) -> Option<&[u8]> {
        self.store.memory(self.instance).map(|m| m.bytes())
    }

    /// [`System::same_state`] of one replica: the execution first (small), then the byte at
    /// `hint`, then the memories, then the rest of the store.
    fn same_with(&self, other: &Self, hint: &mut Option<usize>) -> bool {
        if !self.exec.same_state(&other.exec, &self.store) {
            return false;
        }
        let mine = self.memory_bytes().unwrap_or_default();
        let theirs = other.memory_bytes().unwrap_or_default();
        if let Some(at) = *hint {
            if mine.get(at) != theirs.get(at) {
                return false;
            }
        }
        if mine != theirs {
            *hint = mine.iter().zip(theirs).position(|(a, b)| a != b);
            return false;
        }
        self.store.same_state(&other.store)
    }
}

impl<D: Injectable> System for Single<D> {
    fn instantiate(
        module: &Module,
        config: Config,
        host: &mut impl Host,
        call: &Call,
    ) -> Result<Self, End> {
        let mut store = Store::new(config);
        let mut linker = Linker::new();
        wasmrel_wasi::link(&mut linker);
        let instance = linker.instantiate(&mut store, module, host)?;
        let exec = store.start_call(instance, &call.name, &call.args)?;
        Ok(Single {
            store,
            instance,
            exec,
        })
    }

    fn call_next(&mut self, call: &Call) -> Result<(), End> {
        self.exec = self
            .store
            .start_call(self.instance, &call.name, &call.args)?;
        Ok(())
    }

    fn run_until(&mut self, host: &mut impl Host, stop: u64) -> Result<Event, End> {
        self.exec.set_pause_at(stop);
        loop {
            match self.next(true)? {
                Pause::Stopped => return Ok(Event::Stopped),
                Pause::Done(values) => return Ok(Event::Done(values)),
                Pause::HostCall(call) => self.exec.call_host(&mut self.store, &call, host)?,
                Pause::Hook => {}
            }
        }
    }

    fn inject(&mut self, injector: &mut Injector<'_>) -> Step {
        injector.at_stop(&mut self.exec, &mut self.store, self.instance)
    }

    fn same_state(&self, other: &Self, hints: &mut [Option<usize>; 2]) -> bool {
        self.same_with(other, &mut hints[0])
    }

    fn fuel(&self) -> u64 {
        self.exec.fuel_used()
    }

    fn memory(&self) -> Option<&[u8]> {
        self.memory_bytes()
    }

    fn set_fuel_limit(&mut self, limit: u64) {
        self.exec.set_fuel_limit(limit);
    }
}

/// Two replicas in lockstep: both run to each host call, whose arguments are compared; the
/// call runs once, on `a`, with its memory writes mirrored into `b` and every byte it reads
/// required to be equal in both; its results go to both. Results are compared at the end. A
/// fault of class [`Class::Replica`] goes into `b`, any other into `a`.
pub struct Pair<A: Injectable, B: Injectable> {
    a: Single<A>,
    b: Single<B>,
    /// Where `b` paused instead of stopping when `a` stopped (a diverged run only).
    pending: Option<Pause>,
    /// Host calls served so far (for mismatch messages).
    calls: u64,
}

impl<A: Injectable, B: Injectable> Clone for Pair<A, B> {
    fn clone(&self) -> Self {
        Pair {
            a: self.a.clone(),
            b: self.b.clone(),
            pending: self.pending.clone(),
            calls: self.calls,
        }
    }
}

impl<A: Injectable, B: Injectable> System for Pair<A, B> {
    fn instantiate(
        module: &Module,
        config: Config,
        host: &mut impl Host,
        call: &Call,
    ) -> Result<Self, End> {
        Ok(Pair {
            a: Single::instantiate(module, config, host, call)?,
            b: Single::instantiate(module, config, &mut Refuse, call)?,
            pending: None,
            calls: 0,
        })
    }

    fn call_next(&mut self, call: &Call) -> Result<(), End> {
        self.a.call_next(call)?;
        self.b.call_next(call)
    }

    fn run_until(&mut self, host: &mut impl Host, stop: u64) -> Result<Event, End> {
        self.a.exec.set_pause_at(stop);
        loop {
            let pause_a = self.a.next(true)?;
            if pause_a == Pause::Stopped {
                if self.pending.is_none() {
                    self.b.exec.set_pause_at(stop);
                    match self.b.next(true)? {
                        Pause::Stopped => {}
                        other => self.pending = Some(other),
                    }
                }
                return Ok(Event::Stopped);
            }
            let pause_b = match self.pending.take() {
                Some(pause) => pause,
                None => self.b.next(false)?,
            };
            match (pause_a, pause_b) {
                (Pause::HostCall(call_a), Pause::HostCall(call_b)) => {
                    self.calls += 1;
                    let n = self.calls;
                    if call_a.id != call_b.id || !same_values(&call_a.args, &call_b.args) {
                        return Err(End::Mismatch(format!("host call {n}: arguments differ")));
                    }
                    let mut recording = Recording {
                        host: &mut *host,
                        results: Vec::new(),
                    };
                    let agreed = match self.b.store.memory_mut(self.b.instance) {
                        Some(mirror) => self.a.exec.call_host_mirrored(
                            &mut self.a.store,
                            mirror,
                            &call_a,
                            &mut recording,
                        )?,
                        None => {
                            let store = &mut self.a.store;
                            self.a.exec.call_host(store, &call_a, &mut recording)?;
                            true
                        }
                    };
                    if !agreed {
                        return Err(End::Mismatch(format!(
                            "host call {n}: the memory it reads differs"
                        )));
                    }
                    self.b
                        .exec
                        .set_host_results(&self.b.store, &recording.results)?;
                }
                (Pause::Done(results_a), Pause::Done(results_b)) => {
                    return if same_values(&results_a, &results_b) {
                        Ok(Event::Done(results_a))
                    } else {
                        Err(End::Mismatch("results differ".to_owned()))
                    };
                }
                _ => {
                    return Err(End::Mismatch(
                        "one replica returned, the other called the host".to_owned(),
                    ))
                }
            }
        }
    }

    fn inject(&mut self, injector: &mut Injector<'_>) -> Step {
        if injector.fault.class == Class::Replica {
            self.b.inject(injector)
        } else {
            self.a.inject(injector)
        }
    }

    fn same_state(&self, other: &Self, hints: &mut [Option<usize>; 2]) -> bool {
        let [hint_a, hint_b] = hints;
        self.pending == other.pending
            && self.a.same_with(&other.a, hint_a)
            && self.b.same_with(&other.b, hint_b)
    }

    fn fuel(&self) -> u64 {
        self.a.fuel()
    }

    fn memory(&self) -> Option<&[u8]> {
        self.a.memory()
    }

    fn set_fuel_limit(&mut self, limit: u64) {
        self.a.set_fuel_limit(limit);
        self.b.set_fuel_limit(limit);
    }
}

/// Runs `calls` on replicas of domains `A` and `B` in lockstep with `host` (`wasmrel run
/// --dual`); returns how the run ended and the first replica's instruction count.
pub fn dual<A: Injectable, B: Injectable>(
    module: &Module,
    config: Config,
    host: &mut impl Host,
    calls: &[Call],
) -> (End, u64) {
    match Pair::<A, B>::start(module, config, host, calls) {
        Ok(mut pair) => {
            let end = pair.finish(host);
            (end, pair.fuel())
        }
        Err(end) => (end, 0),
    }
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
