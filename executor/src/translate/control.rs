//! Structured control flow: blocks, loops, `if`/`else`, branches and returns.
//!
//! Labels resolve to absolute IR offsets. A block's or `if`'s label is after its `end` (the
//! branch sites are patched when the `end` is reached); a loop's label is its start. A branch
//! copies the label's values (results, or a loop's parameters) into the label's home slots,
//! unless they are already there.

use super::fuse::Condition;
use super::stack::{stack_underflow, Operand};
use super::{word, Translator};
use crate::error::Error;
use crate::ir::Op;
use alloc::vec::Vec;
use wasmparser::BlockType;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ControlKind {
    Function,
    Block,
    Loop,
    /// An `if` whose `else` has not been seen; the field is the `BrIfEqz` target word.
    If(usize),
    Else,
}

/// An open structured-control construct.
#[derive(Debug, Clone)]
pub(super) struct Control {
    kind: ControlKind,
    /// Stack height below the construct's parameters.
    height: u32,
    params: u32,
    results: u32,
    /// The loop start, for loops.
    start: u32,
    /// Target words to patch with the label's offset at `end`.
    patches: Vec<usize>,
    /// The rest of the construct is unreachable.
    dead: bool,
}

impl Control {
    pub(super) fn function(results: u32) -> Self {
        Control {
            kind: ControlKind::Function,
            height: 0,
            params: 0,
            results,
            start: 0,
            patches: Vec::new(),
            dead: false,
        }
    }

    /// How many values a branch to this construct carries.
    fn label_arity(&self) -> u32 {
        match self.kind {
            ControlKind::Loop => self.params,
            _ => self.results,
        }
    }
}

impl Translator<'_> {
    /// Whether the code being translated is unreachable.
    pub(super) fn is_dead(&self) -> bool {
        self.dead_depth > 0 || self.controls.last().is_none_or(|c| c.dead)
    }

    /// Marks the rest of the current construct unreachable and forgets its operands.
    pub(super) fn set_dead(&mut self) {
        if let Some(control) = self.controls.last_mut() {
            control.dead = true;
            let height = control.height as usize;
            self.stack.truncate(height);
        }
    }

    fn block_arity(&self, block_type: BlockType) -> Result<(u32, u32), Error> {
        Ok(match block_type {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(index) => {
                let ty = self
                    .module
                    .types
                    .get(index as usize)
                    .ok_or_else(stack_underflow)?;
                (word(ty.params().len())?, word(ty.results().len())?)
            }
        })
    }

    /// `block`, `loop` (`is_loop`) and `if` (`condition` slot).
    pub(super) fn open(
        &mut self,
        block_type: BlockType,
        kind: ControlKind,
        condition: Option<Condition>,
    ) -> Result<(), Error> {
        let (params, results) = self.block_arity(block_type)?;
        self.materialise_all();
        let height = self
            .height()
            .checked_sub(params)
            .ok_or_else(stack_underflow)?;
        let mut control = Control {
            kind,
            height,
            params,
            results,
            start: 0,
            patches: Vec::new(),
            dead: false,
        };
        match (kind, condition) {
            (ControlKind::If(_), Some(condition)) => {
                self.emit_branch(condition, true, 1);
                self.code.push(0);
                control.kind = ControlKind::If(self.code.len() - 1);
            }
            (ControlKind::Loop, _) => {
                self.defer_fuel();
                self.flush_fuel();
                control.start = self.label()?;
            }
            _ => self.defer_fuel(),
        }
        self.controls.push(control);
        Ok(())
    }

    /// `else`: ends the `then` arm (jumping to the end) and starts the `else` arm.
    pub(super) fn else_arm(&mut self) -> Result<(), Error> {
        let control = self.controls.last().ok_or_else(stack_underflow)?.clone();
        let ControlKind::If(else_target) = control.kind else {
            return Err(stack_underflow());
        };
        let mut patches = control.patches;
        if !control.dead {
            self.materialise_top(control.results);
            self.emit(Op::Br, &[0]);
            patches.push(self.code.len() - 1);
        }
        let target = self.label()?;
        if let Some(word) = self.code.get_mut(else_target) {
            *word = target;
        }
        self.stack.truncate(control.height as usize);
        for _ in 0..control.params {
            self.push(Operand::Home)?;
        }
        if let Some(top) = self.controls.last_mut() {
            top.kind = ControlKind::Else;
            top.patches = patches;
            top.dead = false;
        }
        Ok(())
    }

    /// `end` of a construct (or of the function).
    pub(super) fn end(&mut self) -> Result<(), Error> {
        let control = self.controls.pop().ok_or_else(stack_underflow)?;
        if !control.dead {
            self.materialise_top(control.results);
            self.defer_fuel();
        }
        let mut patches = control.patches;
        if let ControlKind::If(else_target) = control.kind {
            // An `if` without `else`: the false path jumps here.
            patches.push(else_target);
        }
        if !patches.is_empty() {
            self.flush_fuel();
        }
        let label = self.label()?;
        for patch in patches {
            if let Some(word) = self.code.get_mut(patch) {
                *word = label;
            }
        }
        self.stack.truncate(control.height as usize);
        for _ in 0..control.results {
            self.push(Operand::Home)?;
        }
        if control.kind == ControlKind::Function {
            let first = self.home(0);
            self.emit_op(Op::Return, 0);
            self.code.extend_from_slice(&[first, control.results]);
        }
        Ok(())
    }

    /// Emits the copies moving the top values into the label `depth`'s slots.
    fn branch_copies(&mut self, depth: u32) -> Result<(), Error> {
        let control = self.control(depth)?;
        if control.kind == ControlKind::Function {
            // `Return` moves the values itself.
            return Ok(());
        }
        let (arity, height) = (control.label_arity(), control.height);
        let first = self
            .height()
            .checked_sub(arity)
            .ok_or_else(stack_underflow)?;
        for i in 0..arity {
            let operand = *self
                .stack
                .get((first + i) as usize)
                .ok_or_else(stack_underflow)?;
            let source = self.source(first + i, operand);
            let destination = self.home(height + i);
            if source != destination {
                self.emit_free(Op::Copy, &[destination, source]);
            }
        }
        Ok(())
    }

    /// Whether a branch to `depth` needs no copies.
    fn branch_in_place(&self, depth: u32) -> Result<bool, Error> {
        let control = self.control(depth)?;
        let (arity, height) = (control.label_arity(), control.height);
        let first = self
            .height()
            .checked_sub(arity)
            .ok_or_else(stack_underflow)?;
        Ok(first == height
            && (first..first + arity).all(|p| self.stack.get(p as usize) == Some(&Operand::Home)))
    }

    fn control(&self, depth: u32) -> Result<&Control, Error> {
        let index = self
            .controls
            .len()
            .checked_sub(1 + depth as usize)
            .ok_or_else(stack_underflow)?;
        self.controls.get(index).ok_or_else(stack_underflow)
    }

    /// Emits the jump of a branch to `depth` (after its copies) with `fuel`.
    fn jump(&mut self, depth: u32, fuel: u32) -> Result<(), Error> {
        let control = self.control(depth)?;
        if control.kind == ControlKind::Function {
            let results = control.results;
            let bottom = self
                .height()
                .checked_sub(results)
                .ok_or_else(stack_underflow)?;
            let first = self.home(bottom);
            self.emit_op(Op::Return, fuel);
            self.code.extend_from_slice(&[first, results]);
            return Ok(());
        }
        let (kind, start) = (control.kind, control.start);
        self.emit_op(Op::Br, fuel);
        self.push_target(depth, kind, start)
    }

    /// Appends a branch-target word for label `depth`, patched later unless it is a loop.
    fn push_target(&mut self, depth: u32, kind: ControlKind, start: u32) -> Result<(), Error> {
        if kind == ControlKind::Loop {
            self.code.push(start);
        } else {
            self.code.push(0);
            let at = self.code.len() - 1;
            let index = self.controls.len().checked_sub(1 + depth as usize);
            let control = index.and_then(|index| self.controls.get_mut(index));
            // One patch per branch: as many as the body has bytes, so fallibly.
            let patches = &mut control.ok_or_else(stack_underflow)?.patches;
            crate::fallible::push(patches, at)?;
        }
        Ok(())
    }

    /// `br depth`
    pub(super) fn br(&mut self, depth: u32) -> Result<(), Error> {
        if self.control(depth)?.kind == ControlKind::Function {
            return self.return_();
        }
        self.branch_copies(depth)?;
        self.jump(depth, 1)?;
        self.set_dead();
        Ok(())
    }

    /// `return`
    pub(super) fn return_(&mut self) -> Result<(), Error> {
        let function = self.controls.first().ok_or_else(stack_underflow)?;
        let results = function.results;
        self.materialise_top(results);
        let first = self.home(
            self.height()
                .checked_sub(results)
                .ok_or_else(stack_underflow)?,
        );
        self.emit(Op::Return, &[first, results]);
        self.set_dead();
        Ok(())
    }

    /// `br_if depth` with the condition already popped into `condition`.
    pub(super) fn br_if(&mut self, depth: u32, condition: Condition) -> Result<(), Error> {
        let control = self.control(depth)?;
        let (kind, start, arity) = (control.kind, control.start, control.label_arity());
        self.materialise_top(arity);
        if kind != ControlKind::Function && self.branch_in_place(depth)? {
            self.emit_branch(condition, false, 1);
            return self.push_target(depth, kind, start);
        }
        // The `br_if` itself is charged on each path (by the jump, or after `skip`), so that the
        // forward skip may be free and every backward jump costs fuel (see `ir`).
        self.emit_branch(condition, true, 0);
        self.code.push(0);
        let skip = self.code.len() - 1;
        self.branch_copies(depth)?;
        self.jump(depth, 1)?;
        let label = self.label()?;
        if let Some(word) = self.code.get_mut(skip) {
            *word = label;
        }
        self.emit_op(Op::Fuel, 1);
        Ok(())
    }

    /// `br_table` with the index already popped into `index`.
    pub(super) fn br_table(&mut self, targets: &[u32], index: u32) -> Result<(), Error> {
        // Every path out of the table must agree where the values are.
        self.materialise_all();
        let count = word(targets.len().saturating_sub(1))?;
        let mut direct = true;
        for &depth in targets {
            direct &= self.control(depth)?.kind != ControlKind::Function
                && self.branch_in_place(depth)?;
        }
        if direct {
            // No target needs its values moved: the table holds the labels themselves and
            // charges the `br_table`.
            self.emit(Op::BrTable, &[index, count]);
            for &depth in targets {
                let (kind, start) = {
                    let control = self.control(depth)?;
                    (control.kind, control.start)
                };
                self.push_target(depth, kind, start)?;
            }
            self.set_dead();
            return Ok(());
        }
        // Otherwise each entry jumps to a stub that moves the values and branches. The table
        // jumps forward for free and each stub's jump charges the `br_table`, so every
        // backward jump costs fuel (see `ir`).
        self.emit_op(Op::BrTable, 0);
        self.code.extend_from_slice(&[index, count]);
        let table = self.code.len();
        self.code.resize(table + targets.len(), 0);
        for (i, &depth) in targets.iter().enumerate() {
            let stub = self.label()?;
            if let Some(word) = self.code.get_mut(table + i) {
                *word = stub;
            }
            self.branch_copies(depth)?;
            self.jump(depth, 1)?;
        }
        self.set_dead();
        Ok(())
    }
}
