//! Engine configuration: resource limits, fuel, the periodic hook and memory protection.
//!
//! Limits are properties of the *run*, not of the program: exceeding one is an
//! [`Error::Limit`](crate::Error::Limit), distinct from a trap, so that campaigns can tell a
//! hang or a runaway allocation (likely caused by a fault) from a program error.

use wasmrel_checker::memory::Protection;

/// Resource limits of one [`crate::Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes any one linear memory may have (instantiation or `memory.grow`).
    pub max_memory_bytes: u64,
    /// The most elements any one table may have (instantiation or `table.grow`).
    pub max_table_elements: u32,
    /// The deepest nesting of Wasm calls. Calls live on an explicit stack, so this bounds
    /// heap use, not native stack use.
    pub max_call_depth: u32,
    /// The most value-stack slots (locals and operands of all live frames together).
    pub max_stack_slots: u32,
}

impl Default for Limits {
    /// Generous defaults for ordinary programs: all of wasm32's 4 GiB, 10 M table elements,
    /// 100 000 nested calls and 16 M stack slots (128 MiB with plain 8-byte slots).
    fn default() -> Self {
        Self {
            max_memory_bytes: 1 << 32,
            max_table_elements: 10_000_000,
            max_call_depth: 100_000,
            max_stack_slots: 16 << 20,
        }
    }
}

/// Whether runs count the fuel they use (the Wasm instructions they execute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FuelCount {
    /// Always counted: [`crate::Execution::fuel_used`] is exact, and host functions see it
    /// (WASI's deterministic clock advances with it).
    #[default]
    Exact,
    /// Counted only while a fuel limit, a hook interval or a stop point needs the count;
    /// otherwise the interpreter charges nothing, as other runtimes do with fuel metering off,
    /// and `fuel_used` stays where it was. A run without a limit then has no bound on its
    /// length, so campaigns and the kernel, which need one, always set a limit. In stores
    /// that detect faults (encoded) the signatures still catch wrong jumps; only the rule
    /// that every backward jump costs fuel (`ir`) needs a count, and with no limit it has
    /// nothing to bound.
    WhenNeeded,
}

/// Configuration of a [`crate::Store`] and of module translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Config {
    /// Resource limits.
    pub limits: Limits,
    /// The fuel budget of each call: how many Wasm instructions may execute before the run
    /// ends with `Error::Limit(LimitKind::Fuel)`. `None` is unlimited.
    pub fuel: Option<u64>,
    /// Whether a run counts its fuel when no limit, hook or stop point needs the count.
    pub fuel_count: FuelCount,
    /// Pause with [`crate::Pause::Hook`] every this many units of fuel, so the driver can
    /// yield (kernel `cond_resched`), check for signals or detect hangs. `None` never pauses.
    pub hook_interval: Option<u64>,
    /// How the linear memories of a store whose domain checks memory are protected
    /// (`wasmrel run --memory-protection`); `None` is that domain's default, [`Protection::Crc`].
    /// Part of the configuration, not only a store setting, so that drivers that create their
    /// own stores (dual replicas, campaigns) protect memory as they are told. Plain stores
    /// ignore it.
    pub memory_protection: Option<Protection>,
}
