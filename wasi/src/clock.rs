//! Clocks for `clock_time_get`, `clock_res_get` and the timeouts of `poll_oneoff`.
//!
//! A clock is a trait so that each embedder brings its own time: the CLI the host's clocks,
//! the kernel module `ktime`, and campaigns and dual execution the [`DeterministicClock`],
//! whose time is a function of the guest's own progress so that two runs see the same values.

use crate::abi::clock;
use crate::errno::{Errno, WasiResult};

/// A source of the four preview-1 clocks, in nanoseconds.
pub trait Clock {
    /// The current time of clock `id`; `fuel_used` is the guest's executed instruction count.
    fn now(&mut self, id: u32, fuel_used: u64) -> WasiResult<u64>;
    /// The resolution of clock `id`.
    fn resolution(&self, id: u32) -> WasiResult<u64>;
    /// Blocks until clock `id` reads at least `deadline` (a `poll_oneoff` timeout).
    fn sleep_until(&mut self, id: u32, deadline: u64, fuel_used: u64) -> WasiResult;
}

/// Checks a clock id; the deterministic and the host clock accept the same four.
pub(crate) fn check_id(id: u32) -> WasiResult {
    match id {
        clock::REALTIME | clock::MONOTONIC | clock::PROCESS_CPUTIME | clock::THREAD_CPUTIME => {
            Ok(())
        }
        _ => Err(Errno::INVAL),
    }
}

/// Time that advances only with executed instructions (1 ns each) and with sleeps.
///
/// The wall clock starts at 2000-01-01T00:00:00Z, the other clocks at zero. Sleeping adds the
/// requested time at once instead of waiting, so a program that sleeps sees time pass and
/// still finishes immediately and reproducibly.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeterministicClock {
    slept: u64,
}

impl DeterministicClock {
    /// The fixed wall-clock epoch, in nanoseconds since 1970-01-01.
    pub const EPOCH_NS: u64 = 946_684_800 * 1_000_000_000;
    /// Nanoseconds that pass per executed Wasm instruction.
    pub const NS_PER_FUEL: u64 = 1;

    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for DeterministicClock {
    fn now(&mut self, id: u32, fuel_used: u64) -> WasiResult<u64> {
        check_id(id)?;
        let elapsed = fuel_used
            .saturating_mul(Self::NS_PER_FUEL)
            .saturating_add(self.slept);
        Ok(match id {
            clock::REALTIME => Self::EPOCH_NS.saturating_add(elapsed),
            _ => elapsed,
        })
    }

    fn resolution(&self, id: u32) -> WasiResult<u64> {
        check_id(id)?;
        Ok(Self::NS_PER_FUEL)
    }

    fn sleep_until(&mut self, id: u32, deadline: u64, fuel_used: u64) -> WasiResult {
        let now = self.now(id, fuel_used)?;
        self.slept = self.slept.saturating_add(deadline.saturating_sub(now));
        Ok(())
    }
}

/// The host's clocks: wall time from the system, the others from a monotonic timer that
/// starts when the context is made (std has no portable CPU-time clock).
#[cfg(feature = "std")]
#[derive(Debug)]
pub struct SystemClock {
    start: std::time::Instant,
}

#[cfg(feature = "std")]
impl SystemClock {
    pub fn new() -> Self {
        Self {
            start: std::time::Instant::now(),
        }
    }
}

#[cfg(feature = "std")]
impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now(&mut self, id: u32, _fuel_used: u64) -> WasiResult<u64> {
        check_id(id)?;
        let since = match id {
            clock::REALTIME => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|_| Errno::OVERFLOW)?,
            _ => self.start.elapsed(),
        };
        u64::try_from(since.as_nanos()).map_err(|_| Errno::OVERFLOW)
    }

    fn resolution(&self, id: u32) -> WasiResult<u64> {
        check_id(id)?;
        Ok(1)
    }

    fn sleep_until(&mut self, id: u32, deadline: u64, fuel_used: u64) -> WasiResult {
        let now = self.now(id, fuel_used)?;
        std::thread::sleep(core::time::Duration::from_nanos(
            deadline.saturating_sub(now),
        ));
        Ok(())
    }
}
