//! Copies and comparisons of a paused call's complete state.
//!
//! Fault-injection campaigns restart each injected run from a copy of the golden run taken at
//! a checkpoint before the fault, instead of from the start, and end an injected run early
//! once its state at a later checkpoint equals the golden run's there: from equal states the
//! deterministic engine runs identically, so the outcome is the golden one (FAIL*-style).
//! Both need every piece of state an execution can change, which only this crate can see.

use crate::domain::Domain;
use crate::exec::Execution;
use crate::store::{Func, Global, Store};

impl<D: Domain> Clone for Store<D> {
    /// A deep copy: the copy runs on independently of the original.
    fn clone(&self) -> Self {
        Store {
            config: self.config,
            types: self.types.clone(),
            type_ids: self.type_ids.clone(),
            funcs: self.funcs.clone(),
            tables: self.tables.clone(),
            memories: self.memories.clone(),
            globals: self.globals.iter().map(copy_global).collect(),
            elems: self.elems.clone(),
            datas: self.datas.clone(),
            instances: self.instances.clone(),
            memory_protection: self.memory_protection,
        }
    }
}

fn copy_global<D: Domain>(global: &Global<D>) -> Global<D> {
    Global {
        ty: global.ty,
        value: global.value,
    }
}

impl<D: Domain> Store<D> {
    /// Whether everything a running call can change — linear memories (with their check
    /// bits), tables, globals, element and data segments (dropped or not) and the functions'
    /// IR (a fault can flip code) — is equal in both stores. Types and instances are fixed
    /// after instantiation. Memories are compared last: they are the largest, and the
    /// comparison stops at the first difference.
    pub fn same_state(&self, other: &Store<D>) -> bool {
        let same_globals = self.globals.len() == other.globals.len()
            && self
                .globals
                .iter()
                .zip(&other.globals)
                .all(|(a, b)| a.value == b.value);
        let same_code = self.funcs.len() == other.funcs.len()
            && self
                .funcs
                .iter()
                .zip(&other.funcs)
                .all(|(a, b)| match (a, b) {
                    (Func::Wasm(a), Func::Wasm(b)) => a.code == b.code,
                    (a, b) => a.type_id() == b.type_id(),
                });
        same_globals
            && self.tables == other.tables
            && self.elems == other.elems
            && self.datas == other.datas
            && same_code
            && self.memories == other.memories
    }
}

impl<D: Domain> Clone for Execution<D> {
    /// A copy of a paused call; resume it with a copy of the store it ran on.
    fn clone(&self) -> Self {
        Execution {
            stack: self.stack.clone(),
            frames: self.frames.clone(),
            func: self.func,
            pc: self.pc,
            base: self.base,
            fuel_used: self.fuel_used,
            fuel_limit: self.fuel_limit,
            hook_interval: self.hook_interval,
            next_hook: self.next_hook,
            pause_at: self.pause_at,
            results: self.results.clone(),
            status: self.status,
            signature: self.signature,
            signatures: self.signatures.clone(),
        }
    }
}

impl<D: Domain> Execution<D> {
    /// Whether the two calls (running on stores of the same module) are at the same point
    /// with the same state: call frames, function, program counter, frame base, fuel used,
    /// status, control-flow signatures and the value stack up to the end of the current
    /// frame (its dead operand slots included, conservatively). Slots above the current
    /// frame are dead: a callee's frame is written before it is read (parameters by the
    /// call, locals zeroed on entry, operands before use), so stale values there do not
    /// matter. Limits and pause points are settings, not state, and are not compared.
    pub fn same_state(&self, other: &Execution<D>, store: &Store<D>) -> bool {
        let frame_end = match store.funcs.get(self.func as usize) {
            Some(Func::Wasm(function)) => self.base as usize + function.frame_size as usize,
            _ => usize::MAX,
        };
        let live = self.stack.len().min(frame_end);
        self.func == other.func
            && self.pc == other.pc
            && self.base == other.base
            && self.fuel_used == other.fuel_used
            && self.status == other.status
            && self.signature == other.signature
            && self.frames == other.frames
            && self.signatures == other.signatures
            && self.results == other.results
            && other.stack.len().min(frame_end) == live
            && self.stack.get(..live) == other.stack.get(..live)
    }

    /// Sets the fuel limit of this call (a copy restored from a checkpoint of an unlimited
    /// golden run gets the injected run's limit).
    pub fn set_fuel_limit(&mut self, limit: u64) {
        self.fuel_limit = limit;
    }
}
