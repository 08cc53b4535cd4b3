//! The translator's virtual operand stack.
//!
//! Every stack position `p` has a *home slot* `num_locals + p` in the frame. An entry either
//! lives in its home slot or is a pending reference to a local (an elided `local.get`). Before
//! the local is written, and before any control-flow join, pending references are
//! *materialised* (copied into their home slots), so every path agrees where each value is.

use super::{too_large, Translator};
use crate::error::Error;
use crate::ir::Op;

/// Where the value of a virtual stack entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operand {
    /// In the entry's home slot.
    Home,
    /// Still in local `index` (not yet copied).
    Local(u32),
}

impl Translator<'_> {
    pub(super) fn height(&self) -> u32 {
        // The validator bounds the operand stack far below `u32::MAX`.
        self.stack.len() as u32
    }

    /// The home slot of stack position `position`.
    pub(super) fn home(&self, position: u32) -> u32 {
        self.num_locals + position
    }

    /// The slot an entry at `position` is read from.
    pub(super) fn source(&self, position: u32, operand: Operand) -> u32 {
        match operand {
            Operand::Home => self.home(position),
            Operand::Local(index) => index,
        }
    }

    /// Pushes a value that the next instruction writes to its home slot; returns that slot.
    pub(super) fn push_home(&mut self) -> Result<u32, Error> {
        self.push(Operand::Home)?;
        Ok(self.home(self.height() - 1))
    }

    pub(super) fn push(&mut self, operand: Operand) -> Result<(), Error> {
        self.stack.push(operand);
        self.max_height = self.max_height.max(self.height());
        if self.num_locals.checked_add(self.max_height).is_none() {
            return Err(too_large());
        }
        Ok(())
    }

    /// Pops the top entry and returns the slot to read it from. Validation guarantees the
    /// stack is not empty in reachable code; an empty stack reports an invalid module.
    pub(super) fn pop(&mut self) -> Result<u32, Error> {
        let operand = self.stack.pop().ok_or_else(stack_underflow)?;
        Ok(self.source(self.height(), operand))
    }

    /// Copies entry `position` into its home slot if it is a pending local reference.
    fn materialise(&mut self, position: u32) {
        if let Some(&Operand::Local(index)) = self.stack.get(position as usize) {
            let home = self.home(position);
            self.emit_free(Op::Copy, &[home, index]);
            if let Some(entry) = self.stack.get_mut(position as usize) {
                *entry = Operand::Home;
            }
        }
    }

    /// Materialises the top `count` entries.
    pub(super) fn materialise_top(&mut self, count: u32) {
        let height = self.height();
        for position in height.saturating_sub(count)..height {
            self.materialise(position);
        }
    }

    /// Materialises every entry (before a control-flow join).
    pub(super) fn materialise_all(&mut self) {
        self.materialise_top(self.height());
    }

    /// Materialises the entries referring to `local` (before it is written).
    pub(super) fn materialise_local(&mut self, local: u32) {
        for position in 0..self.height() {
            if self.stack.get(position as usize) == Some(&Operand::Local(local)) {
                self.materialise(position);
            }
        }
    }

    /// Whether any entry refers to `local`.
    pub(super) fn references_local(&self, local: u32) -> bool {
        self.stack.contains(&Operand::Local(local))
    }
}

pub(super) fn stack_underflow() -> Error {
    Error::Invalid("operand stack underflow in translation".into())
}
