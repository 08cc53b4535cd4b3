//! What the engine needs from its surroundings, so the same session code runs in the kernel
//! and in user-space tests.

/// Services of the environment a run executes in.
pub trait Platform {
    /// Called periodically during a run (every fuel-hook interval). The kernel reschedules
    /// here; returning `true` stops the run because the caller has a signal pending.
    fn should_stop(&mut self) -> bool;
    /// Wall-clock time in nanoseconds since the Unix epoch (WASI `clock_time_get(realtime)`).
    fn realtime_ns(&mut self) -> u64;
    /// Monotonic time in nanoseconds (WASI `clock_time_get(monotonic)`).
    fn monotonic_ns(&mut self) -> u64;
    /// Fills `buf` with cryptographically strong random bytes (WASI `random_get`).
    fn random(&mut self, buf: &mut [u8]);
    /// Sleeps for about `ns` nanoseconds without using the CPU; returns `true` if a signal
    /// cut the sleep short.
    fn sleep(&mut self, ns: u64) -> bool;
}
