//! Drivers of the resumable engine: one replica ([`Single`]) or two in lockstep ([`Pair`]),
//! run to a given instruction count at a time so that a campaign can stop them at the
//! fault's time, at checkpoints, and copy or compare their complete state there. The
//! replicas and the lockstep are `wasmrel-dual`'s (`no_std`, shared with the kernel module);
//! this file adds what campaigns need of them: injection and state comparison.

use wasmrel_executor::{Config, Error, Host, Module};

use crate::fault::Class;
use crate::flip::{Injectable, Injector, Step};

pub use wasmrel_dual::{Call, End, Event, Pair, Replicas, Single};

/// The replicas of one run with the call in progress ([`Replicas`]) as a campaign uses them:
/// started, stopped at instruction counts, injected into, copied at checkpoints and compared
/// with them.
pub trait System: Replicas + Clone {
    /// Applies the injector at the current stop.
    fn inject(&mut self, injector: &mut Injector<'_>) -> Step;

    /// Whether the complete state equals `other`'s. `hints` keep, per replica, where the
    /// two memories last differed, so that a run with a lasting memory difference is told
    /// apart at once instead of by comparing whole memories at every checkpoint.
    fn same_state(&self, other: &Self, hints: &mut [Option<usize>; 2]) -> bool;

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
    fn inject(&mut self, injector: &mut Injector<'_>) -> Step {
        injector.at_stop(&mut self.exec, &mut self.store, self.instance)
    }

    fn same_state(&self, other: &Self, hints: &mut [Option<usize>; 2]) -> bool {
        same_with(self, other, &mut hints[0])
    }
}

/// A fault of class [`Class::Replica`] goes into `b`, any other into `a`.
impl<A: Injectable, B: Injectable> System for Pair<A, B> {
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
}
