//! Calls and returns on the explicit call stack.
//!
//! A Wasm call pushes the caller's [`Frame`] on a heap `Vec` and switches the interpreter's
//! state; nothing recurses on the native stack, so call depth is bounded by a configured
//! limit, not by the native stack size (a kernel stack is 16 KiB).

use crate::config::Limits;
use crate::domain::Domain;
use crate::error::{Corruption, Error, LimitKind};
use crate::exec::{Execution, Frame, HostCall, Pause, Status};
use crate::store::{Func, InstanceId, Store, WasmFunc};
use crate::value::{ValType, Value};
use alloc::vec::Vec;

impl<D: Domain> Execution<D> {
    /// Calls `func` with its frame at stack slot `base`; `caller` is the frame to return to
    /// (`None` for the entry call). Returns a pause for host functions.
    pub(crate) fn call(
        &mut self,
        store: &Store<D>,
        func: u32,
        base: usize,
        caller: Option<Frame>,
    ) -> Result<Option<Pause>, Error> {
        let callee = store.funcs.get(func as usize).ok_or(Corruption::BadIndex)?;
        let base_word = u32::try_from(base).map_err(|_| LimitKind::Stack)?;
        match callee {
            Func::Host { id, type_id } => {
                let ty = store
                    .types
                    .get(*type_id as usize)
                    .ok_or(Corruption::BadIndex)?;
                let end = base + ty.params().len();
                let slots = self
                    .stack
                    .get(base..end)
                    .ok_or(Corruption::SlotOutOfFrame)?;
                let args = ty.params().iter().zip(slots);
                let args = args.map(|(t, slot)| D::to_value(*t, *slot));
                let args = args.collect::<Result<Vec<_>, _>>()?;
                let instance = match (caller, store.funcs.get(self.func as usize)) {
                    (Some(_), Some(Func::Wasm(current))) => Some(InstanceId(current.instance)),
                    _ => None,
                };
                self.status = Status::Host {
                    at: base_word,
                    type_id: *type_id,
                    results_set: false,
                    in_wasm: caller.is_some(),
                };
                Ok(Some(Pause::HostCall(HostCall {
                    id: *id,
                    args,
                    result_types: ty.results().to_vec(),
                    instance,
                })))
            }
            Func::Wasm(callee) => {
                let limits = &store.config.limits;
                if let Some(frame) = caller {
                    push_frame(&mut self.frames, frame, limits)?;
                }
                enter::<D>(&mut self.stack, callee, base, limits)?;
                self.func = func;
                self.pc = 0;
                self.base = base_word;
                Ok(None)
            }
        }
    }

    /// Returns from the current function, whose `count` results are in its first slots.
    /// `Some` when the entry function returned.
    pub(crate) fn return_(&mut self, count: u32) -> Result<Option<Pause>, Error> {
        match self.frames.pop() {
            Some(frame) => {
                self.func = frame.func;
                self.pc = frame.pc;
                self.base = frame.base;
                Ok(None)
            }
            None => {
                if count as usize != self.results.len() {
                    return Err(Corruption::BadFrame.into());
                }
                let base = self.base as usize;
                let slots = self
                    .stack
                    .get(base..base + self.results.len())
                    .ok_or(Corruption::SlotOutOfFrame)?;
                let results = self.results.iter().zip(slots);
                let results = results.map(|(ty, slot)| D::to_value(*ty, *slot));
                let values: Vec<Value> = results.collect::<Result<_, _>>()?;
                Ok(Some(Pause::Done(values)))
            }
        }
    }
}

/// Saves the caller's frame, checking the call depth limit.
#[inline(always)]
pub(crate) fn push_frame(
    frames: &mut Vec<Frame>,
    frame: Frame,
    limits: &Limits,
) -> Result<(), Error> {
    if frames.len() + 2 > limits.max_call_depth as usize {
        return Err(LimitKind::CallDepth.into());
    }
    if frames.len() == frames.capacity() {
        frames.try_reserve(1).map_err(|_| LimitKind::CallDepth)?;
    }
    frames.push(frame);
    Ok(())
}

/// Makes room for `callee`'s frame at `base` (within the stack limit) and zeroes its
/// declared locals; the parameters are already in place.
#[inline(always)]
pub(crate) fn enter<D: Domain>(
    stack: &mut Vec<D::Slot>,
    callee: &WasmFunc,
    base: usize,
    limits: &Limits,
) -> Result<(), Error> {
    let end = base + callee.frame_size as usize;
    if end > limits.max_stack_slots as usize {
        return Err(LimitKind::Stack.into());
    }
    grow_stack::<D>(stack, end)?;
    zero_locals::<D>(stack, callee, base)
}

/// Zeroes `callee`'s declared locals in its frame at `base`.
#[inline(always)]
pub(crate) fn zero_locals<D: Domain>(
    stack: &mut [D::Slot],
    callee: &WasmFunc,
    base: usize,
) -> Result<(), Error> {
    let first_local = base + callee.num_params as usize;
    let locals = stack
        .get_mut(first_local..first_local + callee.locals.len())
        .ok_or(Corruption::SlotOutOfFrame)?;
    let mut locals = locals.iter_mut().zip(&callee.locals);
    // The first few one by one, unrolled: the compiler turns a zeroing loop into a call of
    // `memset`, which costs more than the stores for the few locals most functions have.
    for _ in 0..4 {
        let Some((slot, ty)) = locals.next() else {
            return Ok(());
        };
        *slot = D::zero(*ty);
    }
    for (slot, ty) in locals {
        *slot = D::zero(*ty);
    }
    Ok(())
}

/// Lengthens the value stack to `end` slots (the caller checked the limit).
fn grow_stack<D: Domain>(stack: &mut Vec<D::Slot>, end: usize) -> Result<(), Error> {
    if stack.len() < end {
        let additional = end - stack.len();
        stack
            .try_reserve(additional)
            .map_err(|_| LimitKind::Stack)?;
        stack.resize(end, D::zero(ValType::I64));
    }
    Ok(())
}

/// Makes room for one more call: a saved frame (and signature) and a value stack of
/// `stack_end` slots, so that the interpreter's call needs no allocation.
pub(crate) fn reserve<D: Domain>(exec: &mut Execution<D>, stack_end: usize) -> Result<(), Error> {
    exec.frames
        .try_reserve(1)
        .map_err(|_| LimitKind::CallDepth)?;
    if D::SIGNATURES {
        exec.signatures
            .try_reserve(1)
            .map_err(|_| LimitKind::CallDepth)?;
    }
    grow_stack::<D>(&mut exec.stack, stack_end)
}
