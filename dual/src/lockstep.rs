//! The replicas of a run: one ([`Single`]) or two in lockstep ([`Pair`]), run to a given
//! instruction count at a time, so that their driver can stop them there: a campaign to
//! inject a fault or take a checkpoint, the kernel to give the CPU back.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use wasmrel_executor::{
    Caller, Config, Domain, Error, Execution, Host, HostError, HostFuncId, InstanceId, Linker,
    Module, Pause, Store, Value,
};

use crate::same_values;

/// One export call of a run; the last call of a run is the one faults are injected into.
#[derive(Debug, Clone)]
pub struct Call {
    pub name: String,
    pub args: Vec<Value>,
}

impl Call {
    /// The calls of a run, as `wasmrel run` makes them: the export `invoke` names (after
    /// `_initialize`, if the module has one), or else `_start` if there is one.
    pub fn of_run(module: &Module, invoke: Option<(&str, Vec<Value>)>) -> Vec<Call> {
        let has = |name: &str| module.exports().any(|export| export.name == name);
        let call = |name: &str, args| Call {
            name: name.to_owned(),
            args,
        };
        let mut calls = Vec::new();
        match invoke {
            Some((name, args)) => {
                if has("_initialize") {
                    calls.push(call("_initialize", Vec::new()));
                }
                calls.push(call(name, args));
            }
            None if has("_start") => calls.push(call("_start", Vec::new())),
            None => {}
        }
        calls
    }
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

/// Where `run_until` stopped, if the run did not end.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// At the requested instruction count.
    Stopped,
    /// The current call returned.
    Done(Vec<Value>),
}

/// The replicas of one run with the call in progress, run to given instruction counts.
pub trait Replicas: Sized {
    /// Instantiates the replicas (WASI linked, served by `host`) and prepares `call`.
    fn instantiate(
        module: &Module,
        config: Config,
        host: &mut impl Host,
        call: &Call,
    ) -> Result<Self, End>;

    /// Prepares the next call (the previous one returned).
    fn call_next(&mut self, call: &Call) -> Result<(), End>;

    /// Runs until the (first replica's) call's instruction count would pass `stop`, or the
    /// call returns. Host calls are served with `host` on the way.
    fn run_until(&mut self, host: &mut impl Host, stop: u64) -> Result<Event, End>;

    /// Instructions the (first replica's) current call has executed.
    fn fuel(&self) -> u64;

    /// The (first replica's) linear memory.
    fn memory(&self) -> Option<&[u8]>;

    /// Limits the current call to `limit` instructions.
    fn set_fuel_limit(&mut self, limit: u64);
}

/// One replica: its store, its instance and the call in progress.
pub struct Single<D: Domain> {
    pub store: Store<D>,
    pub instance: InstanceId,
    pub exec: Execution<D>,
}

impl<D: Domain> Clone for Single<D> {
    fn clone(&self) -> Self {
        Single {
            store: self.store.clone(),
            instance: self.instance,
            exec: self.exec.clone(),
        }
    }
}

impl<D: Domain> Single<D> {
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
}

impl<D: Domain> Replicas for Single<D> {
    fn instantiate(
        module: &Module,
        config: Config,
        host: &mut impl Host,
        call: &Call,
    ) -> Result<Self, End> {
        let mut store = Store::new(config);
        let instance = instantiate_into(&mut store, module, host)?;
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

    fn fuel(&self) -> u64 {
        self.exec.fuel_used()
    }

    fn memory(&self) -> Option<&[u8]> {
        self.store.memory(self.instance).map(|m| m.bytes())
    }

    fn set_fuel_limit(&mut self, limit: u64) {
        self.exec.set_fuel_limit(limit);
    }
}

/// Two replicas in lockstep: both run to each host call, whose arguments are compared; the
/// call runs once, on `a`, with its memory writes mirrored into `b` and every byte it reads
/// required to be equal in both; its results go to both. Results are compared at the end.
pub struct Pair<A: Domain, B: Domain> {
    pub a: Single<A>,
    pub b: Single<B>,
    /// Where `b` paused instead of stopping when `a` stopped (a diverged run only).
    pub pending: Option<Pause>,
    /// Host calls served so far (for mismatch messages).
    calls: u64,
}

impl<A: Domain, B: Domain> Clone for Pair<A, B> {
    fn clone(&self) -> Self {
        Pair {
            a: self.a.clone(),
            b: self.b.clone(),
            pending: self.pending.clone(),
            calls: self.calls,
        }
    }
}

impl<A: Domain, B: Domain> Replicas for Pair<A, B> {
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

/// Runs `calls` on replicas of domains `A` and `B` in lockstep with `host`: `wasmrel run
/// --dual`, in user space and in the kernel. Every `interval` instructions `proceed` says
/// whether to go on (the kernel yields the CPU there and stops on a signal). Returns how the
/// run ended and the first replica's instruction count in the last call (0 if an earlier
/// step ended the run), or `None` if `proceed` stopped it.
pub fn run<A: Domain, B: Domain>(
    module: &Module,
    config: Config,
    host: &mut impl Host,
    calls: &[Call],
    interval: u64,
    mut proceed: impl FnMut() -> bool,
) -> Option<(End, u64)> {
    let Some((first, rest)) = calls.split_first() else {
        return Some((instantiate_only::<A, B>(module, config, host), 0));
    };
    let mut pair = match Pair::<A, B>::instantiate(module, config, host, first) {
        Ok(pair) => pair,
        Err(end) => return Some((end, 0)),
    };
    for call in rest {
        let ended = match pair.run_to_end(host, interval, &mut proceed)? {
            Ok(_) => pair.call_next(call).err(),
            Err(end) => Some(end),
        };
        if let Some(end) = ended {
            return Some((end, 0));
        }
    }
    let end = match pair.run_to_end(host, interval, &mut proceed)? {
        Ok(values) => End::Returned(values),
        Err(end) => end,
    };
    Some((end, pair.fuel()))
}

impl<A: Domain, B: Domain> Pair<A, B> {
    /// Runs the current call to its end, asking `proceed` every `interval` instructions;
    /// `None` if it said stop.
    fn run_to_end(
        &mut self,
        host: &mut impl Host,
        interval: u64,
        proceed: &mut impl FnMut() -> bool,
    ) -> Option<Result<Vec<Value>, End>> {
        loop {
            match self.run_until(host, self.fuel().saturating_add(interval)) {
                Ok(Event::Stopped) if proceed() => {}
                Ok(Event::Stopped) => return None,
                Ok(Event::Done(values)) => return Some(Ok(values)),
                Err(end) => return Some(Err(end)),
            }
        }
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

/// A run without calls (a module without `_start` and no `--invoke`): like a plain run, both
/// replicas are only instantiated, so their start functions run.
fn instantiate_only<A: Domain, B: Domain>(
    module: &Module,
    config: Config,
    host: &mut impl Host,
) -> End {
    let ended = instantiate_into(&mut Store::<A>::new(config), module, host)
        .and_then(|_| instantiate_into(&mut Store::<B>::new(config), module, &mut Refuse));
    match ended {
        Ok(_) => End::Returned(Vec::new()),
        Err(error) => error.into(),
    }
}

fn instantiate_into<D: Domain>(
    store: &mut Store<D>,
    module: &Module,
    host: &mut impl Host,
) -> Result<InstanceId, Error> {
    let mut linker = Linker::new();
    wasmrel_wasi::link(&mut linker);
    linker.instantiate(store, module, host)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Inverted;
    use wasmrel_executor::Plain;

    fn mul_module() -> Module {
        let wasm = wat::parse_str(
            r#"(module (func (export "mul") (param i32 i32) (result i32)
                local.get 0 local.get 1 i32.mul))"#,
        )
        .unwrap();
        Module::new(&Config::default(), &wasm).unwrap()
    }

    fn mul(a: i32, b: i32) -> [Call; 1] {
        [Call {
            name: "mul".to_owned(),
            args: alloc::vec![Value::I32(a), Value::I32(b)],
        }]
    }

    #[test]
    fn agreeing_replicas_return_their_results() {
        let (end, fuel) = run::<Plain, Inverted>(
            &mul_module(),
            Config::default(),
            &mut Refuse,
            &mul(6, 7),
            u64::MAX,
            || true,
        )
        .unwrap();
        assert_eq!(end, End::Returned(alloc::vec![Value::I32(42)]));
        assert!(fuel > 0);
    }

    #[test]
    fn a_corrupted_replica_is_caught_at_the_end() {
        let module = mul_module();
        let mut pair = Pair::<Plain, Inverted>::instantiate(
            &module,
            Config::default(),
            &mut Refuse,
            &mul(6, 7)[0],
        )
        .unwrap();
        assert_eq!(pair.run_until(&mut Refuse, 1), Ok(Event::Stopped));
        // The second replica's first local, bit-inverted in its slot, now reads 7 too.
        let base = pair.b.exec.frame_base() as usize;
        pair.b.exec.stack_mut()[base] = !7;
        assert_eq!(
            pair.run_until(&mut Refuse, u64::MAX),
            Err(End::Mismatch("results differ".to_owned()))
        );
    }

    #[test]
    fn proceed_is_asked_between_intervals_and_can_stop_the_run() {
        let spin = wat::parse_str(r#"(module (func (export "f") (loop br 0)))"#).unwrap();
        let module = Module::new(&Config::default(), &spin).unwrap();
        let calls = [Call {
            name: "f".to_owned(),
            args: Vec::new(),
        }];
        let mut asked = 0;
        let stopped = run::<Plain, Inverted>(
            &module,
            Config::default(),
            &mut Refuse,
            &calls,
            1000,
            || {
                asked += 1;
                asked < 5
            },
        );
        assert!(stopped.is_none());
        assert_eq!(asked, 5);
    }
}
