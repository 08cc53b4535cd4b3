//! Translation of each Wasm operator.

use super::control::ControlKind;
use super::stack::{stack_underflow, Operand};
use super::{word, RelocKind, Translator};
use crate::error::Error;
use crate::ir::Op;
use alloc::vec::Vec;
use wasmparser::{MemArg, Operator};

macro_rules! numeric_ir_op {
    ([] $($name:ident $arity:tt $method:ident $operation:path),* $(,)?) => {
        /// The IR operation and operand count of a numeric Wasm operator.
        fn numeric_op(op: &Operator<'_>) -> Option<(Op, u32)> {
            Some(match op {
                $(Operator::$name => (Op::$name, $arity),)*
                _ => return None,
            })
        }
    };
}
for_each_numeric_op!(numeric_ir_op);

/// The IR load for a Wasm load operator.
fn load_op(op: &Operator<'_>) -> Option<(Op, MemArg)> {
    use Operator as O;
    Some(match *op {
        O::I32Load { memarg } => (Op::I32Load, memarg),
        O::I64Load { memarg } => (Op::I64Load, memarg),
        O::F32Load { memarg } => (Op::F32Load, memarg),
        O::F64Load { memarg } => (Op::F64Load, memarg),
        O::I32Load8S { memarg } => (Op::I32Load8S, memarg),
        O::I32Load8U { memarg } => (Op::I32Load8U, memarg),
        O::I32Load16S { memarg } => (Op::I32Load16S, memarg),
        O::I32Load16U { memarg } => (Op::I32Load16U, memarg),
        O::I64Load8S { memarg } => (Op::I64Load8S, memarg),
        O::I64Load8U { memarg } => (Op::I64Load8U, memarg),
        O::I64Load16S { memarg } => (Op::I64Load16S, memarg),
        O::I64Load16U { memarg } => (Op::I64Load16U, memarg),
        O::I64Load32S { memarg } => (Op::I64Load32S, memarg),
        O::I64Load32U { memarg } => (Op::I64Load32U, memarg),
        _ => return None,
    })
}

/// The IR store for a Wasm store operator.
fn store_op(op: &Operator<'_>) -> Option<(Op, MemArg)> {
    use Operator as O;
    Some(match *op {
        O::I32Store { memarg } => (Op::I32Store, memarg),
        O::I64Store { memarg } => (Op::I64Store, memarg),
        O::F32Store { memarg } => (Op::F32Store, memarg),
        O::F64Store { memarg } => (Op::F64Store, memarg),
        O::I32Store8 { memarg } => (Op::I32Store8, memarg),
        O::I32Store16 { memarg } => (Op::I32Store16, memarg),
        O::I64Store8 { memarg } => (Op::I64Store8, memarg),
        O::I64Store16 { memarg } => (Op::I64Store16, memarg),
        O::I64Store32 { memarg } => (Op::I64Store32, memarg),
        _ => return None,
    })
}

fn offset(memarg: MemArg) -> Result<u32, Error> {
    u32::try_from(memarg.offset).map_err(|_| Error::Invalid("memory offset exceeds 32 bits".into()))
}

impl Translator<'_> {
    /// Translates one (already validated) operator.
    pub(super) fn operator(&mut self, op: &Operator<'_>) -> Result<(), Error> {
        use Operator as O;
        if self.is_dead() {
            return self.dead_operator(op);
        }
        if let Some((ir, arity)) = numeric_op(op) {
            if let Some((fused, a, immediate, fuel)) = self.take_immediate(ir) {
                let dst = self.push_home()?;
                self.emit_op(fused, 1 + fuel);
                self.last_result = Some((self.code.len(), self.height() - 1));
                self.code.extend_from_slice(&[dst, a, immediate]);
                return Ok(());
            }
            let b = if arity == 2 { Some(self.pop()?) } else { None };
            let a = self.pop()?;
            return match b {
                Some(b) => self.emit_result(ir, &[a, b]),
                None => self.emit_result(ir, &[a]),
            };
        }
        if let Some((ir, memarg)) = load_op(op) {
            if let Some((fused, address, fuel)) = self.take_constant_address(ir) {
                let dst = self.push_home()?;
                self.emit_op(fused, 1 + fuel);
                self.last_result = Some((self.code.len(), self.height() - 1));
                self.code
                    .extend_from_slice(&[dst, address, offset(memarg)?]);
                return Ok(());
            }
            if let Some((fused, base, index, fuel)) = self.take_added_address(ir) {
                let dst = self.push_home()?;
                self.emit_op(fused, 1 + fuel);
                self.last_result = Some((self.code.len(), self.height() - 1));
                self.code
                    .extend_from_slice(&[dst, base, index, offset(memarg)?]);
                return Ok(());
            }
            let address = self.pop()?;
            return self.emit_result(ir, &[address, offset(memarg)?]);
        }
        if let Some((ir, memarg)) = store_op(op) {
            if let Some((fused, immediate, fuel)) = self.take_store_immediate(ir) {
                let address = self.pop()?;
                self.emit_op(fused, 1 + fuel);
                self.code
                    .extend_from_slice(&[address, immediate, offset(memarg)?]);
                return Ok(());
            }
            if let Some((fused, address, value, immediate, fuel)) =
                self.take_added_store_address(ir)
            {
                self.emit_op(fused, 1 + fuel);
                self.code
                    .extend_from_slice(&[address, value, immediate, offset(memarg)?]);
                return Ok(());
            }
            let value = self.pop()?;
            let address = self.pop()?;
            self.emit(ir, &[address, value, offset(memarg)?]);
            return Ok(());
        }
        match *op {
            O::Nop => self.defer_fuel(),
            O::Unreachable => {
                self.emit(Op::Unreachable, &[]);
                self.set_dead();
            }
            O::Block { blockty } => self.open(blockty, ControlKind::Block, None)?,
            O::Loop { blockty } => self.open(blockty, ControlKind::Loop, None)?,
            O::If { blockty } => {
                let condition = self.pop_condition()?;
                self.open(blockty, ControlKind::If(0), Some(condition))?;
            }
            O::Else => self.else_arm()?,
            O::End => self.end()?,
            O::Br { relative_depth } => self.br(relative_depth)?,
            O::BrIf { relative_depth } => {
                let condition = self.pop_condition()?;
                self.br_if(relative_depth, condition)?;
            }
            O::BrTable { ref targets } => {
                let mut depths = Vec::new();
                // Up to as many targets as the body has bytes.
                depths
                    .try_reserve_exact(targets.len() as usize + 1)
                    .map_err(|_| crate::fallible::refused())?;
                for target in targets.targets() {
                    depths.push(target.map_err(|e| Error::Invalid(e.message().into()))?);
                }
                depths.push(targets.default());
                let index = self.pop()?;
                self.br_table(&depths, index)?;
            }
            O::Return => self.return_()?,
            O::Call { function_index } => {
                let ty = self
                    .module
                    .func_type(function_index)
                    .ok_or_else(stack_underflow)?;
                let (params, results) = (word(ty.params().len())?, word(ty.results().len())?);
                self.call(Op::Call, &[function_index], params, results)?;
                self.reloc_at_operand(1, RelocKind::Func)?;
            }
            O::CallIndirect {
                type_index,
                table_index,
            } => {
                let ty = self.module.types.get(type_index as usize);
                let ty = ty.ok_or_else(stack_underflow)?;
                let (params, results) = (word(ty.params().len())?, word(ty.results().len())?);
                let index = self.pop()?;
                self.call(
                    Op::CallIndirect,
                    &[type_index, table_index, index],
                    params,
                    results,
                )?;
                self.reloc_at_operand(1, RelocKind::Type)?;
                self.reloc_at_operand(2, RelocKind::Table)?;
            }
            O::Drop => {
                self.pop()?;
                self.defer_fuel();
            }
            O::Select | O::TypedSelect { .. } => {
                let condition = self.pop()?;
                let if_false = self.pop()?;
                let if_true = self.pop()?;
                self.emit_result(Op::Select, &[condition, if_true, if_false])?;
            }
            O::LocalGet { local_index } => {
                self.push(Operand::Local(local_index))?;
                self.defer_fuel();
            }
            O::LocalSet { local_index } => self.local_set(local_index, false)?,
            O::LocalTee { local_index } => self.local_set(local_index, true)?,
            O::GlobalGet { global_index } => {
                self.emit_result(Op::GlobalGet, &[global_index])?;
                self.reloc_last(RelocKind::Global)?;
            }
            O::GlobalSet { global_index } => {
                let value = self.pop()?;
                self.emit(Op::GlobalSet, &[global_index, value]);
                self.reloc_at_operand(1, RelocKind::Global)?;
            }
            O::I32Const { value } => self.emit_result(Op::ConstI32, &[value as u32])?,
            O::I64Const { value } => {
                let (low, high) = split(value as u64);
                self.emit_result(Op::ConstI64, &[low, high])?;
            }
            O::F32Const { value } => self.emit_result(Op::ConstF32, &[value.bits()])?,
            O::F64Const { value } => {
                let (low, high) = split(value.bits());
                self.emit_result(Op::ConstF64, &[low, high])?;
            }
            O::RefNull { .. } => self.emit_result(Op::ConstI64, &[0, 0])?,
            O::RefIsNull => {
                let value = self.pop()?;
                self.emit_result(Op::RefIsNull, &[value])?;
            }
            O::RefFunc { function_index } => {
                self.emit_result(Op::RefFunc, &[function_index])?;
                self.reloc_last(RelocKind::Func)?;
            }
            O::MemorySize { .. } => self.emit_result(Op::MemorySize, &[])?,
            O::MemoryGrow { .. } => {
                let delta = self.pop()?;
                self.emit_result(Op::MemoryGrow, &[delta])?;
            }
            O::MemoryInit { data_index, .. } => {
                let [d, s, n] = self.pop3()?;
                self.emit(Op::MemoryInit, &[data_index, d, s, n]);
                self.reloc_at_operand(1, RelocKind::Data)?;
            }
            O::DataDrop { data_index } => {
                self.emit(Op::DataDrop, &[data_index]);
                self.reloc_at_operand(1, RelocKind::Data)?;
            }
            O::MemoryCopy { .. } => {
                let [d, s, n] = self.pop3()?;
                self.emit(Op::MemoryCopy, &[d, s, n]);
            }
            O::MemoryFill { .. } => {
                let [d, v, n] = self.pop3()?;
                self.emit(Op::MemoryFill, &[d, v, n]);
            }
            O::TableInit { elem_index, table } => {
                let [d, s, n] = self.pop3()?;
                self.emit(Op::TableInit, &[table, elem_index, d, s, n]);
                self.reloc_at_operand(1, RelocKind::Table)?;
                self.reloc_at_operand(2, RelocKind::Elem)?;
            }
            O::ElemDrop { elem_index } => {
                self.emit(Op::ElemDrop, &[elem_index]);
                self.reloc_at_operand(1, RelocKind::Elem)?;
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let [d, s, n] = self.pop3()?;
                self.emit(Op::TableCopy, &[dst_table, src_table, d, s, n]);
                self.reloc_at_operand(1, RelocKind::Table)?;
                self.reloc_at_operand(2, RelocKind::Table)?;
            }
            O::TableGrow { table } => {
                let delta = self.pop()?;
                let init = self.pop()?;
                self.emit_result(Op::TableGrow, &[table, init, delta])?;
                self.reloc_at_operand(2, RelocKind::Table)?;
            }
            O::TableSize { table } => {
                self.emit_result(Op::TableSize, &[table])?;
                self.reloc_last(RelocKind::Table)?;
            }
            O::TableFill { table } => {
                let [i, v, n] = self.pop3()?;
                self.emit(Op::TableFill, &[table, i, v, n]);
                self.reloc_at_operand(1, RelocKind::Table)?;
            }
            O::TableGet { table } => {
                let index = self.pop()?;
                self.emit_result(Op::TableGet, &[table, index])?;
                self.reloc_at_operand(2, RelocKind::Table)?;
            }
            O::TableSet { table } => {
                let value = self.pop()?;
                let index = self.pop()?;
                self.emit(Op::TableSet, &[table, index, value]);
                self.reloc_at_operand(1, RelocKind::Table)?;
            }
            ref other => {
                return Err(Error::Invalid(alloc::format!(
                    "unsupported operator {other:?}"
                )))
            }
        }
        Ok(())
    }

    /// Operators in unreachable code emit nothing; only nesting is tracked.
    fn dead_operator(&mut self, op: &Operator<'_>) -> Result<(), Error> {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                self.dead_depth += 1;
            }
            Operator::Else if self.dead_depth == 0 => self.else_arm()?,
            Operator::End if self.dead_depth == 0 => self.end()?,
            Operator::End => self.dead_depth -= 1,
            _ => {}
        }
        Ok(())
    }

    /// Pops three operands, returning them bottom first.
    fn pop3(&mut self) -> Result<[u32; 3], Error> {
        let c = self.pop()?;
        let b = self.pop()?;
        let a = self.pop()?;
        Ok([a, b, c])
    }

    /// Records a relocation for the operand word `index` (1-based) of the instruction just
    /// emitted, counting back from its last word.
    fn reloc_at_operand(&mut self, index: usize, kind: super::RelocKind) -> Result<(), Error> {
        let at = word(self.last_opcode + index)?;
        self.relocs.push(super::Reloc { at, kind });
        Ok(())
    }

    /// `call`/`call_indirect`: arguments must be in their home slots, where the callee's
    /// frame begins; results come back in the same slots.
    fn call(&mut self, op: Op, operands: &[u32], params: u32, results: u32) -> Result<(), Error> {
        self.materialise_top(params);
        let base = self
            .height()
            .checked_sub(params)
            .ok_or_else(stack_underflow)?;
        let frame_offset = self.home(base);
        self.emit(op, operands);
        self.code.push(frame_offset);
        self.stack.truncate(base as usize);
        for _ in 0..results {
            self.push(Operand::Home)?;
        }
        Ok(())
    }

    /// `local.set` / `local.tee`.
    fn local_set(&mut self, local: u32, tee: bool) -> Result<(), Error> {
        let position = self.height().checked_sub(1).ok_or_else(stack_underflow)?;
        let top = *self.stack.last().ok_or_else(stack_underflow)?;
        let retarget = match self.last_result {
            Some((dst_word, written)) if written == position && top == Operand::Home => {
                Some(dst_word)
            }
            _ => None,
        };
        if let Some(dst_word) = retarget.filter(|_| !self.references_local(local)) {
            // The producing instruction writes the local directly.
            if let Some(word) = self.code.get_mut(dst_word) {
                *word = local;
            }
            self.stack.pop();
            self.last_result = None;
            self.defer_fuel();
            if tee {
                self.push(Operand::Local(local))?;
            }
            return Ok(());
        }
        if top == Operand::Local(local) {
            // `local.get x; local.set x`: the local keeps its value, nothing to run.
            self.stack.pop();
            self.defer_fuel();
            if tee {
                self.push(top)?;
            }
            return Ok(());
        }
        let source = self.pop()?;
        self.materialise_local(local);
        self.emit(Op::Copy, &[local, source]);
        if tee {
            self.push(top)?;
        }
        Ok(())
    }
}

fn split(value: u64) -> (u32, u32) {
    (value as u32, (value >> 32) as u32)
}
