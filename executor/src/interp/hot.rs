//! The opcodes the dispatch reaches first when it cannot jump through a table.
//!
//! The Linux kernel builds Rust with `-Cjump-tables=n` when it has IBT (kernel indirect
//! branch tracking: a jump table's `notrack jmp` would fault there), and `wasmrel.ko` gets the
//! same flags. The interpreter's instruction `match` then becomes a tree of compares over
//! about 310 opcodes, eight or nine taken or untaken branches per instruction where user
//! space pays one indirect jump. LLVM balances that tree by the arms' weights, so in such a
//! build (`cfg(wasmrel_no_jump_tables)`, set by `kmod/Kbuild`) the interpreter marks every
//! arm outside this list cold: the listed opcodes share a tree of depth about six near the
//! root and the others hang below it.
//!
//! The list: every opcode that is at least 0.5 % of the executed IR instructions of some
//! benchmark program (`benches/programs`, plain, counted per dispatch at 7893bcb); in each
//! program these cover 97 % or more of the instructions. They are the fused compare-and-branch,
//! immediate and addressing forms the translator emits for C loops, plus nbody's `f64`
//! arithmetic. A weight changes only how fast an opcode is found, never what it does.

use crate::ir::opcode;

/// Whether the dispatch of `number` is weighted as likely (see the module documentation).
pub(super) const fn hot(number: u32) -> bool {
    matches!(
        number,
        opcode::Fuel
            | opcode::Copy
            | opcode::ConstI32
            | opcode::ConstF64
            | opcode::Br
            | opcode::BrIfNez
            | opcode::BrIfEqz
            | opcode::BrTable
            | opcode::Call
            | opcode::Return
            | opcode::BrIfI32Eq
            | opcode::BrIfI32Ne
            | opcode::BrIfI32GeS
            | opcode::BrIfI32GeU
            | opcode::BrIfI32GtU
            | opcode::BrIfI32LeU
            | opcode::BrIfI32LtU
            | opcode::BrIfI32EqImm
            | opcode::BrIfI32NeImm
            | opcode::BrIfI32GeSImm
            | opcode::BrIfI32GtSImm
            | opcode::BrIfI32GtUImm
            | opcode::BrIfI64NeImm
            | opcode::BrIfI64LtUImm
            | opcode::BrIfI64GtUImm
            | opcode::I32Add
            | opcode::I32Sub
            | opcode::I32Mul
            | opcode::I32And
            | opcode::I32Or
            | opcode::I32Xor
            | opcode::I32AddImm
            | opcode::I32AddImm2
            | opcode::I32MulImm
            | opcode::I32AndImm
            | opcode::I32XorImm
            | opcode::I32ShlImm
            | opcode::I32ShrUImm
            | opcode::I32RotlImm
            | opcode::I32GtUImm
            | opcode::I32WrapI64
            | opcode::I64Add
            | opcode::I64Mul
            | opcode::I64AddImm
            | opcode::I32Load
            | opcode::I32LoadAt
            | opcode::I32LoadPlus
            | opcode::I32LoadIndexed
            | opcode::I32Load8U
            | opcode::I32Load8UPlus
            | opcode::I32Load8UIndexed
            | opcode::I32Store
            | opcode::I32StorePlus
            | opcode::I32Store8
            | opcode::I32Store8Imm
            | opcode::I64StoreImm
            | opcode::F64Load
            | opcode::F64LoadPlus
            | opcode::F64Store
            | opcode::F64Add
            | opcode::F64Sub
            | opcode::F64Mul
            | opcode::F64Div
            | opcode::F64Sqrt
    )
}
