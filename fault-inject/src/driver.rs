//! Drivers of the resumable engine: one replica ([`Single`]) or two in lockstep ([`Pair`]),
//! run to a given instruction count at a time so that a campaign can stop them at the
//! fault's time, at checkpoints, and copy or compare their complete state there. The
//! replicas and the lockstep are `wasmrel-dual`'s (`no_std`, shared with the kernel module);
//! this file adds what campaigns need of them: injection and state comparison.

use wasmrel_executor::{Config, Error, Host, Module};

use crate::fault::Class;
use crate::flip::{Injectable, Injector, Step};

pub use wasmrel_dual::{Call, End, Event, Pair, Single};

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

/// [`System::same_state`] of one replica: the execution first (small), then the byte at
/// `hint`, then the memories, then the rest of the store.
fn same_with<D: Injectable>(mine: &Single<D>, other: &Single<D>, hint: &mut Option<usize>) -> bool {
    if !mine.exec.same_state(&other.exec, &mine.store) {
        return false;
    }
    let ours = mine.memory().unwrap_or_default();
    let theirs = other.memory().unwrap_or_default();
    if let Some(at) = *hint {
        if ours.get(at) != theirs.get(at) {
            return false;
        }
    }
    if ours != theirs {
        *hint = ours.iter().zip(theirs).position(|(a, b)| a != b);
        return false;
    }
    mine.store.same_state(&other.store)
}

impl<D: Injectable> System for Single<D> {
    fn instantiate(
        module: &Module,
        config: Config,
        host: &mut impl Host,
        call: &Call,
    ) -> Result<Self, End> {
        Single::instantiate(module, config, host, call)
    }

    fn call_next(&mut self, call: &Call) -> Result<(), End> {
        Single::call_next(self, call)
    }

    fn run_until(&mut self, host: &mut impl Host, stop: u64) -> Result<Event, End> {
        Single::run_until(self, host, stop)
    }

    fn inject(&mut self, injector: &mut Injector<'_>) -> Step {
        injector.at_stop(&mut self.exec, &mut self.store, self.instance)
    }

    fn same_state(&self, other: &Self, hints: &mut [Option<usize>; 2]) -> bool {
        same_with(self, other, &mut hints[0])
    }

    fn fuel(&self) -> u64 {
        Single::fuel(self)
    }

    fn memory(&self) -> Option<&[u8]> {
        Single::memory(self)
    }

    fn set_fuel_limit(&mut self, limit: u64) {
        Single::set_fuel_limit(self, limit)
    }
}

/// A fault of class [`Class::Replica`] goes into `b`, any other into `a`.
impl<A: Injectable, B: Injectable> System for Pair<A, B> {
    fn instantiate(
        module: &Module,
        config: Config,
        host: &mut impl Host,
        call: &Call,
    ) -> Result<Self, End> {
        Pair::instantiate(module, config, host, call)
    }

    fn call_next(&mut self, call: &Call) -> Result<(), End> {
        Pair::call_next(self, call)
    }

    fn run_until(&mut self, host: &mut impl Host, stop: u64) -> Result<Event, End> {
        Pair::run_until(self, host, stop)
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
            && same_with(&self.a, &other.a, hint_a)
            && same_with(&self.b, &other.b, hint_b)
    }

    fn fuel(&self) -> u64 {
        Pair::fuel(self)
    }

    fn memory(&self) -> Option<&[u8]> {
        self.a.memory()
    }

    fn set_fuel_limit(&mut self, limit: u64) {
        Pair::set_fuel_limit(self, limit)
    }
}
