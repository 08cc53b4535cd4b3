//! A resumable call: [`Execution`] and the [`Pause`]s it returns to its driver.
//!
//! The interpreter never recurses on the native stack and never blocks: it runs until the
//! call finishes, a host function must be called, the hook interval elapses or the fault
//! injector's stop point is reached, and then returns to whoever drives it. Dual execution,
//! fault injection and the kernel's `cond_resched` are all drivers of this one loop.

use crate::domain::Domain;
use crate::error::{Corruption, Error};
use crate::host::{Caller, Host, HostError, HostFuncId};
use crate::memory::Memory;
use crate::store::{Func, InstanceId, Store};
use crate::translate::FUNCTION_ENTRY;
use crate::value::{FuncAddr, ValType, Value};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Why [`Execution::resume`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pause {
    /// The call returned these results.
    Done(Vec<Value>),
    /// The guest called a host function; answer with [`Execution::set_host_results`] (or
    /// [`Execution::call_host`]) before resuming.
    HostCall(HostCall),
    /// `hook_interval` fuel has been used since the last hook; resume to continue.
    Hook,
    /// The stop point set with [`Execution::set_pause_at`] is reached; resume to continue.
    Stopped,
}

/// A pending host function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCall {
    pub id: HostFuncId,
    pub args: Vec<Value>,
    pub result_types: Vec<ValType>,
    /// The calling instance, whose memory 0 the host may access (`None` for a host function
    /// invoked directly).
    pub instance: Option<InstanceId>,
}

/// A caller's state saved across a call: plain integers, checked when restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// The caller's function address.
    pub func: u32,
    /// Where the caller continues (IR offset after the call instruction).
    pub pc: u32,
    /// The caller's frame base in the value stack.
    pub base: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// The entry function is about to be called.
    Entry {
        func: u32,
    },
    Running,
    /// Waiting for a host function's results, to be written at stack slot `at`.
    Host {
        at: u32,
        type_id: u32,
        results_set: bool,
        /// Whether a Wasm function continues after the host call (false: the host function
        /// was the entry, and its results are the call's results).
        in_wasm: bool,
    },
    Finished,
}

/// A place in a module's code (see [`Execution::place`]): shown as `name+0x1f4`, or
/// `function 3+0x1f4` for a function without a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The function's index in its module's function index space.
    pub function: u32,
    /// Its name from the module's name section.
    pub name: Option<String>,
    /// The module offset of the Wasm instruction.
    pub offset: Option<u32>,
}

impl core::fmt::Display for Place {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.name {
            Some(name) => f.write_str(name)?,
            None => write!(f, "function {}", self.function)?,
        }
        match self.offset {
            Some(offset) => write!(f, "+{offset:#x}"),
            None => Ok(()),
        }
    }
}

/// A call in progress, owning its value stack and call stack.
pub struct Execution<D: Domain> {
    pub(crate) stack: Vec<D::Slot>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) func: u32,
    pub(crate) pc: u32,
    pub(crate) base: u32,
    pub(crate) fuel_used: u64,
    pub(crate) fuel_limit: u64,
    pub(crate) hook_interval: u64,
    pub(crate) next_hook: u64,
    pub(crate) pause_at: u64,
    pub(crate) results: Vec<ValType>,
    pub(crate) status: Status,
    /// The runtime control-flow signature (encoded stores only, see `translate::signature`).
    pub(crate) signature: u32,
    /// The callers' runtime signatures, one per saved frame (encoded stores only).
    pub(crate) signatures: Vec<u32>,
}

impl<D: Domain> Execution<D> {
    pub(crate) fn new(
        store: &Store<D>,
        func: FuncAddr,
        args: &[Value],
        results: Vec<ValType>,
    ) -> Result<Self, Error> {
        let mut stack = Vec::new();
        stack
            .try_reserve(args.len().max(results.len()))
            .map_err(|_| crate::error::LimitKind::Stack)?;
        stack.extend(args.iter().map(|arg| D::from_value(*arg)));
        let config = store.config;
        let hook_interval = config.hook_interval.unwrap_or(0);
        Ok(Execution {
            stack,
            frames: Vec::new(),
            func: func.0,
            pc: 0,
            base: 0,
            fuel_used: 0,
            fuel_limit: config.fuel.unwrap_or(u64::MAX),
            hook_interval,
            next_hook: if hook_interval == 0 {
                u64::MAX
            } else {
                hook_interval
            },
            pause_at: u64::MAX,
            results,
            status: Status::Entry { func: func.0 },
            signature: FUNCTION_ENTRY,
            signatures: Vec::new(),
        })
    }

    /// Runs until the next [`Pause`] or error. After `Done` or an error the execution is
    /// finished and further resumes fail.
    pub fn resume(&mut self, store: &mut Store<D>) -> Result<Pause, Error> {
        if let Status::Host {
            results_set: false, ..
        } = self.status
        {
            // A driver mistake, not a run failure: the call stays resumable.
            return Err(Error::Call("host results were not provided".to_string()));
        }
        let outcome = self.step(store);
        if !matches!(
            outcome,
            Ok(Pause::HostCall(_) | Pause::Hook | Pause::Stopped)
        ) {
            self.status = Status::Finished;
        }
        outcome
    }

    fn step(&mut self, store: &mut Store<D>) -> Result<Pause, Error> {
        match self.status {
            Status::Finished => Err(Error::Call("the execution has finished".to_string())),
            Status::Host {
                results_set: false, ..
            } => Err(Error::Call("host results were not provided".to_string())),
            Status::Host {
                in_wasm: false, at, ..
            } => {
                let values = self.stack.get(at as usize..).ok_or(Corruption::BadFrame)?;
                let results = self.results.iter().zip(values);
                let results = results.map(|(ty, slot)| D::to_value(*ty, *slot));
                Ok(Pause::Done(results.collect::<Result<Vec<_>, _>>()?))
            }
            Status::Host { .. } => {
                self.status = Status::Running;
                self.run_loop(store)
            }
            Status::Entry { func } => {
                self.status = Status::Running;
                if let Some(pause) = self.call(store, func, 0, None)? {
                    return Ok(pause);
                }
                self.run_loop(store)
            }
            Status::Running => self.run_loop(store),
        }
    }

    /// Writes a host call's results (checked against its declared result types).
    pub fn set_host_results(&mut self, store: &Store<D>, results: &[Value]) -> Result<(), Error> {
        let Status::Host {
            at,
            type_id,
            in_wasm,
            ..
        } = self.status
        else {
            return Err(Error::Call("no host call is pending".to_string()));
        };
        let ty = store
            .types
            .get(type_id as usize)
            .ok_or(Corruption::BadIndex)?;
        let matches = ty.results().len() == results.len()
            && ty.results().iter().zip(results).all(|(t, v)| v.ty() == *t);
        if !matches {
            return Err(Error::Host(
                "host function returned values of the wrong types".to_string(),
            ));
        }
        let at = at as usize;
        let end = at + results.len();
        if self.stack.len() < end {
            self.stack
                .try_reserve(end - self.stack.len())
                .map_err(|_| crate::error::LimitKind::Stack)?;
            self.stack.resize(end, D::zero(ValType::I64));
        }
        for (slot, value) in self
            .stack
            .get_mut(at..end)
            .into_iter()
            .flatten()
            .zip(results)
        {
            *slot = D::from_value(*value);
        }
        self.status = Status::Host {
            at: at as u32,
            type_id,
            results_set: true,
            in_wasm,
        };
        Ok(())
    }

    /// Serves a pending host call with `host`: gives it the calling instance's memory and
    /// writes its results back.
    pub fn call_host(
        &mut self,
        store: &mut Store<D>,
        call: &HostCall,
        host: &mut impl Host,
    ) -> Result<(), Error> {
        self.serve_host(store, None, call, host).map(|_| ())
    }

    /// Serves a pending host call of the first replica of a dual execution: the host's
    /// memory writes go to `mirror` (the second replica's memory) as well, and every byte it
    /// reads must be equal in both. Returns `Ok(false)`, without results, if a read found the
    /// replicas different; the host saw no disagreeing bytes (the read failed).
    pub fn call_host_mirrored(
        &mut self,
        store: &mut Store<D>,
        mirror: &mut Memory,
        call: &HostCall,
        host: &mut impl Host,
    ) -> Result<bool, Error> {
        self.serve_host(store, Some(mirror), call, host)
    }

    fn serve_host(
        &mut self,
        store: &mut Store<D>,
        mirror: Option<&mut Memory>,
        call: &HostCall,
        host: &mut impl Host,
    ) -> Result<bool, Error> {
        let memory = call
            .instance
            .and_then(|instance| store.instances.get(instance.0 as usize))
            .and_then(|instance| instance.memories.first().copied())
            .unwrap_or(0);
        let mut results: Vec<Value> = call.result_types.iter().map(|t| t.zero()).collect();
        let memory = store
            .memories
            .get_mut(memory as usize)
            .ok_or(Corruption::BadIndex)?;
        let mut caller = Caller::new(memory, call.instance)
            .with_fuel_used(self.fuel_used)
            .with_mirror(mirror);
        let outcome = host.call(call.id, &mut caller, &call.args, &mut results);
        // A corrupted byte the host ran into is a detection, whatever the host made of it.
        if caller.corrupted() {
            return Err(Corruption::MemoryMismatch.into());
        }
        if caller.diverged() {
            return Ok(false);
        }
        outcome.map_err(|error| match error {
            HostError::Exit(code) => Error::Exit(code),
            HostError::Trap(message) => Error::Host(message),
        })?;
        self.set_host_results(store, &results)?;
        Ok(true)
    }

    /// Runs to completion, serving host calls with `host` and continuing through pauses.
    pub fn run(&mut self, store: &mut Store<D>, host: &mut impl Host) -> Result<Vec<Value>, Error> {
        loop {
            match self.resume(store)? {
                Pause::Done(results) => return Ok(results),
                Pause::HostCall(call) => {
                    if let Err(error) = self.call_host(store, &call, host) {
                        self.status = Status::Finished;
                        return Err(error);
                    }
                }
                Pause::Hook | Pause::Stopped => {}
            }
        }
    }

    /// Fuel used so far: the number of Wasm instructions executed (instructions fused into
    /// one IR instruction are charged together, before it runs).
    pub fn fuel_used(&self) -> u64 {
        self.fuel_used
    }

    /// Pauses with [`Pause::Stopped`] before the first instruction that would take the fuel
    /// used past `t` (so at the pause `fuel_used() <= t`). Used once; `u64::MAX` disables it.
    pub fn set_pause_at(&mut self, t: u64) {
        self.pause_at = t;
    }

    /// The current program counter (IR offset in the current function).
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// Sets the program counter (fault injection); checked before use.
    pub fn set_pc(&mut self, pc: u32) {
        self.pc = pc;
    }

    /// The function executing now.
    pub fn current_func(&self) -> FuncAddr {
        FuncAddr(self.func)
    }

    /// Where the execution stopped, in the module's terms: the current function (its name
    /// from the name section, else its index) and the module offset of the Wasm instruction
    /// at the program counter. Encoded stores keep the program counter of the instruction
    /// that failed a check, so after a detection this is where it was detected; `None` for
    /// a host function.
    pub fn place(&self, store: &Store<D>) -> Option<Place> {
        let Some(Func::Wasm(function)) = store.funcs.get(self.func as usize) else {
            return None;
        };
        let after = function.positions.partition_point(|&(ir, _)| ir <= self.pc);
        let offset = after
            .checked_sub(1)
            .and_then(|i| function.positions.get(i))
            .map(|&(_, offset)| offset);
        Some(Place {
            function: function.module_index,
            name: function.name.clone(),
            offset,
        })
    }

    /// The current frame's base in the value stack.
    pub fn frame_base(&self) -> u32 {
        self.base
    }

    /// Sets the current frame's base (fault injection); checked before use.
    pub fn set_frame_base(&mut self, base: u32) {
        self.base = base;
    }

    /// The value stack (all frames), for fault injection.
    pub fn stack_mut(&mut self) -> &mut [D::Slot] {
        &mut self.stack
    }

    /// The runtime control-flow signature (encoded stores), for fault injection.
    pub fn signature_mut(&mut self) -> &mut u32 {
        &mut self.signature
    }

    /// The saved caller frames, innermost last, for fault injection.
    pub fn frames_mut(&mut self) -> &mut [Frame] {
        &mut self.frames
    }

    /// The number of Wasm frames live (callers plus the current one).
    pub fn call_depth(&self) -> usize {
        self.frames.len() + 1
    }

    /// Whether the execution has finished (returned, trapped or failed).
    pub fn is_finished(&self) -> bool {
        self.status == Status::Finished
    }
}
