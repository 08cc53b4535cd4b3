//! Instructions run outside the hot loop: memory and table management, bulk operations and
//! references.
//!
//! They call into the allocator, `memmove` or other out-of-line code. Inside the loop, every
//! such call would clobber the registers that hold the loop's state (program counter, fuel,
//! code and frame), and the register allocator then keeps that state in memory for *every*
//! instruction. So the loop leaves for them ([`super::Transfer::Rare`]) and this function runs
//! the one instruction at the saved program counter, with the same checks as the loop.

use super::bulk;
use crate::domain::Domain;
use crate::error::{Corruption, Error};
use crate::exec::Execution;
use crate::ir::{opcode, Op};
use crate::store::{Func, Store};
use crate::translate::fold_at;

impl<D: Domain> Execution<D> {
    /// Runs the instruction with opcode word `word` at `self.pc` (its fuel is already
    /// charged) and moves the program counter past it.
    #[inline(never)]
    pub(super) fn rare_op(&mut self, store: &mut Store<D>, word: u32) -> Result<(), Error> {
        let op = Op::decode(word).ok_or(Corruption::BadOpcode)? as u32;
        let Some(Func::Wasm(function)) = store.funcs.get(self.func as usize) else {
            return Err(Corruption::BadFrame.into());
        };
        let code = &function.code[..];
        let pc = self.pc as usize;
        // The loop folds its instructions into the signature in their arms; this one here,
        // kept aside until it has run: a trap is checked against the signature before it.
        let folded = if D::SIGNATURES {
            fold_at(self.signature, code, pc).ok_or(Corruption::BadOpcode)?
        } else {
            self.signature
        };
        let base = self.base as usize;
        let frame = self
            .stack
            .get_mut(base..base + function.frame_size as usize)
            .ok_or(Corruption::SlotOutOfFrame)?;
        let memory = store
            .memories
            .get_mut(function.memory as usize)
            .ok_or(Corruption::BadIndex)?;
        let (tables, elems, datas) = (&mut store.tables, &mut store.elems, &mut store.datas);
        let operand = |i: usize| code.get(pc + i).copied().ok_or(Corruption::PcOutOfRange);
        // The slot named by operand word `i`.
        macro_rules! slot {
            ($i:expr) => {
                *frame
                    .get(operand($i)? as usize)
                    .ok_or(Corruption::SlotOutOfFrame)?
            };
        }
        macro_rules! set {
            ($i:expr, $value:expr) => {{
                let value = $value;
                *frame
                    .get_mut(operand($i)? as usize)
                    .ok_or(Corruption::SlotOutOfFrame)? = value;
            }};
        }
        let length = match op {
            opcode::MemorySize => {
                set!(1, D::from_i32(memory.pages() as i32));
                2
            }
            opcode::MemoryGrow => {
                let delta = D::to_i32(slot!(2))? as u32;
                let old = memory.grow(u64::from(delta))?;
                set!(1, D::from_i32(old as i32));
                3
            }
            opcode::MemoryInit => {
                let segment = datas
                    .get(operand(1)? as usize)
                    .ok_or(Corruption::BadIndex)?;
                let dst = D::to_i32(slot!(2))? as u32;
                let src = D::to_i32(slot!(3))? as u32;
                let len = D::to_i32(slot!(4))? as u32;
                bulk::memory_init(memory, segment, dst, src, len)?;
                5
            }
            opcode::DataDrop => {
                let segment = datas.get_mut(operand(1)? as usize);
                *segment.ok_or(Corruption::BadIndex)? = alloc::vec::Vec::new();
                2
            }
            opcode::MemoryCopy => {
                let dst = D::to_i32(slot!(1))? as u32;
                let src = D::to_i32(slot!(2))? as u32;
                let len = D::to_i32(slot!(3))? as u32;
                memory.copy_within(dst, src, len)?;
                4
            }
            opcode::MemoryFill => {
                let dst = D::to_i32(slot!(1))? as u32;
                let value = D::to_i32(slot!(2))? as u8;
                let len = D::to_i32(slot!(3))? as u32;
                memory.fill(dst, value, len)?;
                4
            }
            opcode::TableInit => {
                let table = tables
                    .get_mut(operand(1)? as usize)
                    .ok_or(Corruption::BadIndex)?;
                let segment = elems
                    .get(operand(2)? as usize)
                    .ok_or(Corruption::BadIndex)?;
                let dst = D::to_i32(slot!(3))? as u32;
                let src = D::to_i32(slot!(4))? as u32;
                let len = D::to_i32(slot!(5))? as u32;
                bulk::table_init(table, segment, dst, src, len)?;
                6
            }
            opcode::ElemDrop => {
                let segment = elems.get_mut(operand(1)? as usize);
                *segment.ok_or(Corruption::BadIndex)? = alloc::vec::Vec::new();
                2
            }
            opcode::TableCopy => {
                let (dst_table, src_table) = (operand(1)?, operand(2)?);
                let dst = D::to_i32(slot!(3))? as u32;
                let src = D::to_i32(slot!(4))? as u32;
                let len = D::to_i32(slot!(5))? as u32;
                bulk::table_copy(tables, dst_table, src_table, dst, src, len)?;
                6
            }
            opcode::TableGrow => {
                let table = tables
                    .get_mut(operand(2)? as usize)
                    .ok_or(Corruption::BadIndex)?;
                let init = D::to_i64(slot!(3))? as u64;
                let delta = D::to_i32(slot!(4))? as u32;
                set!(1, D::from_i32(table.grow(delta, init)?));
                5
            }
            opcode::TableSize => {
                let table = tables
                    .get(operand(2)? as usize)
                    .ok_or(Corruption::BadIndex)?;
                set!(1, D::from_i32(table.size() as i32));
                3
            }
            opcode::TableFill => {
                let table = tables
                    .get_mut(operand(1)? as usize)
                    .ok_or(Corruption::BadIndex)?;
                let start = D::to_i32(slot!(2))? as u32;
                let value = D::to_i64(slot!(3))? as u64;
                let len = D::to_i32(slot!(4))? as u32;
                table.fill(start, value, len)?;
                5
            }
            opcode::TableGet => {
                let table = tables
                    .get(operand(2)? as usize)
                    .ok_or(Corruption::BadIndex)?;
                let index = D::to_i32(slot!(3))? as u32;
                set!(1, D::from_i64(table.get(index)? as i64));
                4
            }
            opcode::TableSet => {
                let table = tables
                    .get_mut(operand(1)? as usize)
                    .ok_or(Corruption::BadIndex)?;
                let index = D::to_i32(slot!(2))? as u32;
                table.set(index, D::to_i64(slot!(3))? as u64)?;
                4
            }
            opcode::RefIsNull => {
                set!(1, D::from_i32(i32::from(D::to_i64(slot!(2))? == 0)));
                3
            }
            opcode::RefFunc => {
                set!(1, D::from_i64(i64::from(operand(2)?) + 1));
                3
            }
            _ => return Err(Corruption::BadOpcode.into()),
        };
        self.pc += length;
        self.signature = folded;
        Ok(())
    }
}
