//! Instruction fusion: a constant second operand (or load address) becomes an immediate, an
//! `i32` or `i64` comparison feeding a branch becomes one compare-and-branch instruction, and
//! an `i32.add` computing a memory address (of two values, or of a value and a constant)
//! moves into the load or store (each dispatch saved is worth more than the operand word it
//! adds).
//!
//! All look back at the instruction just emitted (the producer of the top of the stack, see
//! `Translator::last_result`; for a store, of the address below a value still in its local),
//! remove it and emit the fused form charging the fuel of both, so fuel stays exact. Nothing
//! is fused across a label: `last_result` is cleared at labels.

use super::stack::Operand;
use super::Translator;
use crate::domain::IntRelop;
use crate::ir::{fuel_of, Op};

/// A branch condition: a slot, or a comparison whose instruction was removed to be fused.
#[derive(Debug, Clone, Copy)]
pub(super) enum Condition {
    Slot(u32),
    /// `i32.eqz a`, costing `fuel`.
    Eqz {
        a: u32,
        fuel: u32,
    },
    /// `a <relop> b` (`b` an immediate when `immediate`, sign-extended if `wide`; 64-bit
    /// operands when `wide`),
    /// costing `fuel`.
    Compare {
        relop: IntRelop,
        wide: bool,
        a: u32,
        b: u32,
        immediate: bool,
        fuel: u32,
    },
}

/// The immediate form of a binary operation, if it has one.
fn immediate_form(op: Op) -> Option<Op> {
    Some(match op {
        Op::I32Add => Op::I32AddImm,
        Op::I32Sub => Op::I32SubImm,
        Op::I32Mul => Op::I32MulImm,
        Op::I32And => Op::I32AndImm,
        Op::I32Or => Op::I32OrImm,
        Op::I32Xor => Op::I32XorImm,
        Op::I32Shl => Op::I32ShlImm,
        Op::I32ShrS => Op::I32ShrSImm,
        Op::I32ShrU => Op::I32ShrUImm,
        Op::I32Rotl => Op::I32RotlImm,
        Op::I32Rotr => Op::I32RotrImm,
        Op::I32Eq => Op::I32EqImm,
        Op::I32Ne => Op::I32NeImm,
        Op::I32LtS => Op::I32LtSImm,
        Op::I32LtU => Op::I32LtUImm,
        Op::I32GtS => Op::I32GtSImm,
        Op::I32GtU => Op::I32GtUImm,
        Op::I32LeS => Op::I32LeSImm,
        Op::I32LeU => Op::I32LeUImm,
        Op::I32GeS => Op::I32GeSImm,
        Op::I32GeU => Op::I32GeUImm,
        Op::I64Add => Op::I64AddImm,
        Op::I64Sub => Op::I64SubImm,
        Op::I64Mul => Op::I64MulImm,
        Op::I64And => Op::I64AndImm,
        Op::I64Or => Op::I64OrImm,
        Op::I64Xor => Op::I64XorImm,
        Op::I64Shl => Op::I64ShlImm,
        Op::I64ShrS => Op::I64ShrSImm,
        Op::I64ShrU => Op::I64ShrUImm,
        Op::I64Eq => Op::I64EqImm,
        Op::I64Ne => Op::I64NeImm,
        Op::I64LtS => Op::I64LtSImm,
        Op::I64LtU => Op::I64LtUImm,
        Op::I64GtS => Op::I64GtSImm,
        Op::I64GtU => Op::I64GtUImm,
        Op::I64LeS => Op::I64LeSImm,
        Op::I64LeU => Op::I64LeUImm,
        Op::I64GeS => Op::I64GeSImm,
        Op::I64GeU => Op::I64GeUImm,
        _ => return None,
    })
}

/// The load from `base + index` for a load.
fn indexed_form(op: Op) -> Option<Op> {
    Some(match op {
        Op::I32Load => Op::I32LoadIndexed,
        Op::I64Load => Op::I64LoadIndexed,
        Op::F32Load => Op::F32LoadIndexed,
        Op::F64Load => Op::F64LoadIndexed,
        Op::I32Load8S => Op::I32Load8SIndexed,
        Op::I32Load8U => Op::I32Load8UIndexed,
        Op::I32Load16S => Op::I32Load16SIndexed,
        Op::I32Load16U => Op::I32Load16UIndexed,
        Op::I64Load8S => Op::I64Load8SIndexed,
        Op::I64Load8U => Op::I64Load8UIndexed,
        Op::I64Load16S => Op::I64Load16SIndexed,
        Op::I64Load16U => Op::I64Load16UIndexed,
        Op::I64Load32S => Op::I64Load32SIndexed,
        Op::I64Load32U => Op::I64Load32UIndexed,
        _ => return None,
    })
}

/// The access to `address + immediate` for a load or store.
fn plus_form(op: Op) -> Option<Op> {
    Some(match op {
        Op::I32Load => Op::I32LoadPlus,
        Op::I64Load => Op::I64LoadPlus,
        Op::F32Load => Op::F32LoadPlus,
        Op::F64Load => Op::F64LoadPlus,
        Op::I32Load8S => Op::I32Load8SPlus,
        Op::I32Load8U => Op::I32Load8UPlus,
        Op::I32Load16S => Op::I32Load16SPlus,
        Op::I32Load16U => Op::I32Load16UPlus,
        Op::I64Load8S => Op::I64Load8SPlus,
        Op::I64Load8U => Op::I64Load8UPlus,
        Op::I64Load16S => Op::I64Load16SPlus,
        Op::I64Load16U => Op::I64Load16UPlus,
        Op::I64Load32S => Op::I64Load32SPlus,
        Op::I64Load32U => Op::I64Load32UPlus,
        Op::I32Store => Op::I32StorePlus,
        Op::I64Store => Op::I64StorePlus,
        Op::F32Store => Op::F32StorePlus,
        Op::F64Store => Op::F64StorePlus,
        Op::I32Store8 => Op::I32Store8Plus,
        Op::I32Store16 => Op::I32Store16Plus,
        Op::I64Store8 => Op::I64Store8Plus,
        Op::I64Store16 => Op::I64Store16Plus,
        Op::I64Store32 => Op::I64Store32Plus,
        _ => return None,
    })
}

/// Whether an immediate form takes an `i64` constant (sign-extended from its low word).
fn wide_immediate(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        I64AddImm
            | I64SubImm
            | I64MulImm
            | I64AndImm
            | I64OrImm
            | I64XorImm
            | I64ShlImm
            | I64ShrSImm
            | I64ShrUImm
            | I64EqImm
            | I64NeImm
            | I64LtSImm
            | I64LtUImm
            | I64GtSImm
            | I64GtUImm
            | I64LeSImm
            | I64LeUImm
            | I64GeSImm
            | I64GeUImm
    )
}

/// The comparison an instruction computes, whether its second operand is an immediate and
/// whether it compares `i64`s.
fn comparison(op: Op) -> Option<(IntRelop, bool, bool)> {
    use IntRelop::*;
    let wide = match op {
        Op::I64Eq => Eq,
        Op::I64Ne => Ne,
        Op::I64LtS => LtS,
        Op::I64LtU => LtU,
        Op::I64GtS => GtS,
        Op::I64GtU => GtU,
        Op::I64LeS => LeS,
        Op::I64LeU => LeU,
        Op::I64GeS => GeS,
        Op::I64GeU => GeU,
        _ => return comparison_i64_immediate(op),
    };
    Some((wide, false, true))
}

/// The `i64` comparison with an immediate an instruction computes.
fn comparison_i64_immediate(op: Op) -> Option<(IntRelop, bool, bool)> {
    use IntRelop::*;
    let relop = match op {
        Op::I64EqImm => Eq,
        Op::I64NeImm => Ne,
        Op::I64LtSImm => LtS,
        Op::I64LtUImm => LtU,
        Op::I64GtSImm => GtS,
        Op::I64GtUImm => GtU,
        Op::I64LeSImm => LeS,
        Op::I64LeUImm => LeU,
        Op::I64GeSImm => GeS,
        Op::I64GeUImm => GeU,
        _ => return comparison_i32(op).map(|(relop, immediate)| (relop, immediate, false)),
    };
    Some((relop, true, true))
}

/// The `i32` comparison an instruction computes, and whether its second operand is an
/// immediate.
fn comparison_i32(op: Op) -> Option<(IntRelop, bool)> {
    use IntRelop::*;
    Some(match op {
        Op::I32Eq => (Eq, false),
        Op::I32Ne => (Ne, false),
        Op::I32LtS => (LtS, false),
        Op::I32LtU => (LtU, false),
        Op::I32GtS => (GtS, false),
        Op::I32GtU => (GtU, false),
        Op::I32LeS => (LeS, false),
        Op::I32LeU => (LeU, false),
        Op::I32GeS => (GeS, false),
        Op::I32GeU => (GeU, false),
        Op::I32EqImm => (Eq, true),
        Op::I32NeImm => (Ne, true),
        Op::I32LtSImm => (LtS, true),
        Op::I32LtUImm => (LtU, true),
        Op::I32GtSImm => (GtS, true),
        Op::I32GtUImm => (GtU, true),
        Op::I32LeSImm => (LeS, true),
        Op::I32LeUImm => (LeU, true),
        Op::I32GeSImm => (GeS, true),
        Op::I32GeUImm => (GeU, true),
        _ => return None,
    })
}

/// The comparison that holds exactly when `relop` does not.
fn inverse(relop: IntRelop) -> IntRelop {
    use IntRelop::*;
    match relop {
        Eq => Ne,
        Ne => Eq,
        LtS => GeS,
        LtU => GeU,
        GtS => LeS,
        GtU => LeU,
        LeS => GtS,
        LeU => GtU,
        GeS => LtS,
        GeU => LtU,
    }
}

/// The compare-and-branch instruction for `relop`.
fn branch_op(relop: IntRelop, immediate: bool, wide: bool) -> Op {
    use IntRelop::*;
    if wide && immediate {
        return match relop {
            Eq => Op::BrIfI64EqImm,
            Ne => Op::BrIfI64NeImm,
            LtS => Op::BrIfI64LtSImm,
            LtU => Op::BrIfI64LtUImm,
            GtS => Op::BrIfI64GtSImm,
            GtU => Op::BrIfI64GtUImm,
            LeS => Op::BrIfI64LeSImm,
            LeU => Op::BrIfI64LeUImm,
            GeS => Op::BrIfI64GeSImm,
            GeU => Op::BrIfI64GeUImm,
        };
    }
    if wide {
        return match relop {
            Eq => Op::BrIfI64Eq,
            Ne => Op::BrIfI64Ne,
            LtS => Op::BrIfI64LtS,
            LtU => Op::BrIfI64LtU,
            GtS => Op::BrIfI64GtS,
            GtU => Op::BrIfI64GtU,
            LeS => Op::BrIfI64LeS,
            LeU => Op::BrIfI64LeU,
            GeS => Op::BrIfI64GeS,
            GeU => Op::BrIfI64GeU,
        };
    }
    match (relop, immediate) {
        (Eq, false) => Op::BrIfI32Eq,
        (Ne, false) => Op::BrIfI32Ne,
        (LtS, false) => Op::BrIfI32LtS,
        (LtU, false) => Op::BrIfI32LtU,
        (GtS, false) => Op::BrIfI32GtS,
        (GtU, false) => Op::BrIfI32GtU,
        (LeS, false) => Op::BrIfI32LeS,
        (LeU, false) => Op::BrIfI32LeU,
        (GeS, false) => Op::BrIfI32GeS,
        (GeU, false) => Op::BrIfI32GeU,
        (Eq, true) => Op::BrIfI32EqImm,
        (Ne, true) => Op::BrIfI32NeImm,
        (LtS, true) => Op::BrIfI32LtSImm,
        (LtU, true) => Op::BrIfI32LtUImm,
        (GtS, true) => Op::BrIfI32GtSImm,
        (GtU, true) => Op::BrIfI32GtUImm,
        (LeS, true) => Op::BrIfI32LeSImm,
        (LeU, true) => Op::BrIfI32LeUImm,
        (GeS, true) => Op::BrIfI32GeSImm,
        (GeU, true) => Op::BrIfI32GeUImm,
    }
}

impl Translator<'_> {
    /// If the top of the stack was produced by the instruction just emitted, returns that
    /// instruction's operation and its operand words `[dst, ...]`.
    fn producer_of_top(&self) -> Option<(Op, &[u32])> {
        let (dst_word, position) = self.last_result?;
        let top = self.height().checked_sub(1)?;
        if position != top || self.stack.last() != Some(&Operand::Home) {
            return None;
        }
        let op = Op::decode(*self.code.get(self.last_opcode)?)?;
        Some((op, self.code.get(dst_word..)?))
    }

    /// Removes the instruction just emitted, returning its fuel.
    fn unemit(&mut self) -> u32 {
        let fuel = self
            .code
            .get(self.last_opcode)
            .map_or(0, |w| fuel_of(*w) as u32);
        self.code.truncate(self.last_opcode);
        self.last_result = None;
        // The instruction before is the last again (and the one before it is not known).
        self.last_opcode = self.prev_opcode;
        fuel
    }

    /// For a binary `op` whose second operand is the constant just emitted, pops both
    /// operands, drops the constant and returns the immediate form, the first operand's slot,
    /// the immediate and the constant's fuel.
    pub(super) fn take_immediate(&mut self, op: Op) -> Option<(Op, u32, u32, u32)> {
        let fused = immediate_form(op)?;
        let (producer, words) = self.producer_of_top()?;
        let immediate = match (producer, words) {
            (Op::ConstI32, [_, value]) if !wide_immediate(fused) => *value,
            // An i64 constant fits when it is its low word sign-extended.
            (Op::ConstI64, [_, low, high])
                if wide_immediate(fused)
                    && i64::from(*low as i32) as u64 >> 32 == u64::from(*high) =>
            {
                *low
            }
            _ => return None,
        };
        let fuel = self.unemit();
        self.stack.pop();
        let a = self.pop().ok()?;
        Some((fused, a, immediate, fuel))
    }

    /// For a store whose value is the `i32` constant just emitted (or, for `i64.store`, an `i64`
    /// constant that is a sign-extended `i32`), pops the value, drops the constant and returns
    /// the immediate form, the immediate and the constant's fuel.
    pub(super) fn take_store_immediate(&mut self, op: Op) -> Option<(Op, u32, u32)> {
        let (fused, wide) = match op {
            Op::I32Store => (Op::I32StoreImm, false),
            Op::I32Store8 => (Op::I32Store8Imm, false),
            Op::I32Store16 => (Op::I32Store16Imm, false),
            Op::I64Store => (Op::I64StoreImm, true),
            _ => return None,
        };
        let immediate = match self.producer_of_top()? {
            (Op::ConstI32, [_, value]) if !wide => *value,
            (Op::ConstI64, [_, low, high])
                if wide && i64::from(*low as i32) as u64 >> 32 == u64::from(*high) =>
            {
                *low
            }
            _ => return None,
        };
        let fuel = self.unemit();
        self.stack.pop();
        Some((fused, immediate, fuel))
    }

    /// For an `i32.load` whose address is the constant just emitted, pops the address, drops
    /// the constant and returns the fused form, the address and the constant's fuel.
    pub(super) fn take_constant_address(&mut self, op: Op) -> Option<(Op, u32, u32)> {
        if op != Op::I32Load {
            return None;
        }
        let (Op::ConstI32, [_, address]) = self.producer_of_top()? else {
            return None;
        };
        let address = *address;
        let fuel = self.unemit();
        self.stack.pop();
        Some((Op::I32LoadAt, address, fuel))
    }

    /// For a load whose address is the `i32.add` just emitted, pops the address, drops the
    /// addition and returns the indexed form, the addition's two operand slots and its fuel
    /// (the addition still wraps at run time, as in Wasm).
    pub(super) fn take_added_address(&mut self, op: Op) -> Option<(Op, u32, u32, u32)> {
        let (fused, a, b) = match self.producer_of_top()? {
            (Op::I32Add, [_, a, b]) => (indexed_form(op)?, *a, *b),
            (Op::I32AddImm, [_, a, immediate]) => (plus_form(op)?, *a, *immediate),
            _ => return None,
        };
        let fuel = self.unemit();
        self.stack.pop();
        Some((fused, a, b, fuel))
    }

    /// For a store whose address is the `i32.add` of a constant emitted just before the
    /// value (a local, so nothing was emitted for it), pops both, drops the addition and
    /// returns the fused form, the address slot, the value slot, the constant and the
    /// addition's fuel.
    pub(super) fn take_added_store_address(&mut self, op: Op) -> Option<(Op, u32, u32, u32, u32)> {
        let fused = plus_form(op)?;
        let (dst_word, position) = self.last_result?;
        let below_top = self.height().checked_sub(2)?;
        let value_is_local = matches!(self.stack.last(), Some(Operand::Local(_)));
        let address_is_home = self.stack.get(below_top as usize) == Some(&Operand::Home);
        if position != below_top || !value_is_local || !address_is_home {
            return None;
        }
        let op = Op::decode(*self.code.get(self.last_opcode)?)?;
        let (Op::I32AddImm, [_, a, immediate, ..]) = (op, self.code.get(dst_word..)?) else {
            return None;
        };
        let (a, immediate) = (*a, *immediate);
        let fuel = self.unemit();
        let value = self.pop().ok()?;
        self.stack.pop();
        Some((fused, a, value, immediate, fuel))
    }

    /// Pops a branch condition, taking over the comparison that computed it if possible.
    pub(super) fn pop_condition(&mut self) -> Result<Condition, crate::error::Error> {
        let fused = match self.producer_of_top() {
            Some((Op::I32Eqz, [_, a])) => Some((None, *a, 0, false)),
            Some((op, [_, a, b])) => {
                comparison(op).map(|(relop, imm, wide)| (Some((relop, wide)), *a, *b, imm))
            }
            _ => None,
        };
        let Some((relop, a, b, immediate)) = fused else {
            return Ok(Condition::Slot(self.pop()?));
        };
        let fuel = self.unemit();
        self.stack.pop();
        Ok(match relop {
            None => Condition::Eqz { a, fuel },
            Some((relop, wide)) => Condition::Compare {
                relop,
                wide,
                a,
                b,
                immediate,
                fuel,
            },
        })
    }

    /// Emits a conditional branch on `condition` (on its negation when `negate`) without its
    /// target word, which the caller appends. It charges the fuel of the fused comparison and
    /// `own_fuel` for the branching instruction itself.
    pub(super) fn emit_branch(&mut self, condition: Condition, negate: bool, own_fuel: u32) {
        match condition {
            Condition::Slot(slot) => {
                let op = if negate { Op::BrIfEqz } else { Op::BrIfNez };
                self.emit_op(op, own_fuel);
                self.code.push(slot);
            }
            Condition::Eqz { a, fuel } => {
                let op = if negate { Op::BrIfNez } else { Op::BrIfEqz };
                self.emit_op(op, own_fuel + fuel);
                self.code.push(a);
            }
            Condition::Compare {
                relop,
                wide,
                a,
                b,
                immediate,
                fuel,
            } => {
                let relop = if negate { inverse(relop) } else { relop };
                self.emit_op(branch_op(relop, immediate, wide), own_fuel + fuel);
                self.code.extend_from_slice(&[a, b]);
            }
        }
    }
}
