//! The intermediate representation the interpreter executes.
//!
//! A function's code is a `Vec<u32>`. An instruction is an *opcode word* followed by its
//! operand words. The opcode word's low 16 bits select the [`Op`] ([`opcode_word`]); its high
//! 16 bits are the number of Wasm instructions the IR instruction stands for, which is what it
//! costs in fuel (an elided `local.get` rides on its consumer, a fused compare-and-branch
//! costs 2).
//!
//! The low byte names one of 255 operations, or is `0xff` and the next byte names one of the
//! others (the bulk memory and table operations and the rarer `i64` forms). The interpreter's
//! dispatch is then a jump through a table of 256 entries indexed by the byte itself, valid
//! for every byte: no range check (a compare and a conditional move) on the path of every
//! instruction. The second byte of an opcode word of the first kind is not read, so a flip
//! there changes nothing in plain code; encoded code folds the whole word into its
//! control-flow signature, which catches it.
//!
//! Operands are frame-relative slot numbers (locals first, then the operand stack, whose
//! height is known statically at every instruction), absolute IR offsets for branch targets,
//! or store addresses patched in at instantiation (functions, globals, tables, segments,
//! canonical type ids).
//!
//! Fuel counts Wasm instructions as control reaches them in sequence: every executed
//! instruction costs 1 (`block`, `loop`, `if`, `else`, `end`, `nop`, `drop` and `local.get`
//! included); a branch — `br`, a taken `br_if`, `br_table`, `if` jumping to its `else`, the end
//! of a `then` arm jumping past the `else` arm — continues after the target's `end` (or after
//! its `loop`), so that `end` is not charged on that path; unreachable code costs nothing.
//!
//! Every taken backward jump costs at least one fuel; a free (zero-fuel) jump only ever goes
//! forward. The interpreter rejects a free backward jump as corruption, so no bit flip can
//! build a loop that spins without consuming fuel, and the fuel limit and the hook always
//! fire. Everything is a plain integer: a bit flip can change which slot,
//! target or opcode is named, and the interpreter checks each one before use, but it can never
//! produce an invalid Rust value.

/// The opcode word's field holding the operation.
pub const OP_MASK: u32 = 0xffff;
/// The opcode word's shift to the fuel count.
pub const FUEL_SHIFT: u32 = 16;
/// The most Wasm instructions one IR instruction may stand for.
pub const MAX_FUEL_PER_OP: u32 = 0xffff;

/// The words of an instruction that the control-flow signature mixes before its one fold
/// (`wasmrel_checker::mix`): the opcode word and its first three operands.
pub const WINDOW: usize = 4;

/// How many words from an opcode word the interpreter may read without a bounds check (one
/// check per instruction keeps its position at least this far from the code's end): every
/// operand of the common instructions, the signature words of a compare-and-branch
/// included. Shorter instructions see words of the next ones, unused.
pub const FETCH: usize = 8;

/// The words that end every function's code, so that a fetch of [`FETCH`] words at any
/// instruction stays inside it. They are no operation: reaching them is corruption.
pub const PADDING: [u32; FETCH - 1] = [OP_MASK; FETCH - 1];

/// The low byte of the opcode word of an operation named by its second byte.
const EXTENDED: u32 = 0xff;

/// Builds an opcode word.
#[inline]
pub fn opcode_word(op: Op, fuel: u32) -> u32 {
    op.code() | (fuel.min(MAX_FUEL_PER_OP) << FUEL_SHIFT)
}

macro_rules! define_ops {
    ([[$($fixed:ident)*] [$($extended:ident)*]]
     $($numeric:ident $arity:tt $method:ident $operation:path),* $(,)?) => {
        /// An IR operation. Operand layout per operation is documented at each variant; the
        /// numeric operations are `[dst, a]` (unary) or `[dst, a, b]` (binary).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u16)]
        pub enum Op {
            /// `[]` — only charges fuel: the pending fuel of elided instructions before a label,
            /// when the instruction before them cannot carry it (a branch, a call, a label).
            Fuel,
            /// `[dst, src]`
            Copy,
            /// `[dst, value]`
            ConstI32,
            /// `[dst, low, high]`
            ConstI64,
            /// `[dst, bits]`
            ConstF32,
            /// `[dst, low bits, high bits]`
            ConstF64,
            /// `[]`
            Unreachable,
            /// `[target]`
            Br,
            /// `[cond, target]` — branch if the `i32` is not zero.
            BrIfNez,
            /// `[cond, target]` — branch if the `i32` is zero.
            BrIfEqz,
            /// `[index, n, target_0 .. target_{n-1}, default]`
            BrTable,
            /// `[first result slot, count]` — results move to slots `0..count`.
            Return,
            /// `[function address, frame offset]`
            Call,
            /// `[canonical type id, table address, index slot, frame offset]`
            CallIndirect,
            /// `[dst, cond, if_true, if_false]`
            Select,
            /// `[dst, global address]`
            GlobalGet,
            /// `[global address, src]`
            GlobalSet,
            /// `[dst, address slot, offset]` (and so for every load)
            I32Load, I64Load, F32Load, F64Load,
            I32Load8S, I32Load8U, I32Load16S, I32Load16U,
            I64Load8S, I64Load8U, I64Load16S, I64Load16U, I64Load32S, I64Load32U,
            /// `[address slot, value slot, offset]` (and so for every store)
            I32Store, I64Store, F32Store, F64Store,
            I32Store8, I32Store16, I64Store8, I64Store16, I64Store32,
            /// `[dst]`
            MemorySize,
            /// `[dst, delta]`
            MemoryGrow,
            /// `[data address, dst, src, len]`
            MemoryInit,
            /// `[data address]`
            DataDrop,
            /// `[dst, src, len]`
            MemoryCopy,
            /// `[dst, value, len]`
            MemoryFill,
            /// `[table address, element address, dst, src, len]`
            TableInit,
            /// `[element address]`
            ElemDrop,
            /// `[dst table, src table, dst, src, len]`
            TableCopy,
            /// `[dst, table address, init, delta]`
            TableGrow,
            /// `[dst, table address]`
            TableSize,
            /// `[table address, index, value, len]`
            TableFill,
            /// `[dst, table address, index]`
            TableGet,
            /// `[table address, index, value]`
            TableSet,
            /// `[dst, src]`
            RefIsNull,
            /// `[dst, function address]`
            RefFunc,
            /// `[a, b, target]` — branch if the `i32` comparison holds (and so for each).
            BrIfI32Eq, BrIfI32Ne, BrIfI32LtS, BrIfI32LtU, BrIfI32GtS, BrIfI32GtU, BrIfI32LeS,
            BrIfI32LeU, BrIfI32GeS, BrIfI32GeU,
            /// `[a, immediate, target]` — branch if the comparison with a constant holds.
            BrIfI32EqImm, BrIfI32NeImm, BrIfI32LtSImm, BrIfI32LtUImm, BrIfI32GtSImm, BrIfI32GtUImm,
            BrIfI32LeSImm, BrIfI32LeUImm, BrIfI32GeSImm, BrIfI32GeUImm,
            /// `[a, b, target]` — branch if the `i64` comparison holds.
            BrIfI64Eq, BrIfI64Ne, BrIfI64LtS, BrIfI64LtU, BrIfI64GtS, BrIfI64GtU, BrIfI64LeS,
            BrIfI64LeU, BrIfI64GeS, BrIfI64GeU,
            /// `[dst, a, immediate]` — a binary operation with a constant second operand.
            I32AddImm, I32SubImm, I32MulImm, I32AndImm, I32OrImm, I32XorImm, I32ShlImm, I32ShrSImm,
            I32ShrUImm, I32EqImm, I32NeImm, I32LtSImm, I32LtUImm, I32GtSImm, I32GtUImm, I32LeSImm,
            I32LeUImm, I32GeSImm, I32GeUImm, I64AddImm, I32RotlImm, I32RotrImm,
            /// `[dst, address, offset]` — an `i32.load` from a constant address.
            I32LoadAt,
            /// `[dst, a, immediate, dst2, a2, immediate2]` — two `I32AddImm` in a row, the
            /// second after the first (it reads the first's result if `a2` is `dst`): the
            /// increments of a loop's counters and pointers, one dispatch for both.
            I32AddImm2,
            /// `[address slot, immediate, offset]` — a store of a constant (`i64.store`: the
            /// immediate sign-extended).
            I32StoreImm, I32Store8Imm, I32Store16Imm, I64StoreImm,
            /// `[dst, a, immediate]` — an `i64` operation with a constant second operand, the
            /// immediate sign-extended.
            I64EqImm, I64NeImm, I64LtSImm, I64LtUImm, I64GtSImm, I64GtUImm, I64LeSImm,
            I64LeUImm, I64GeSImm, I64GeUImm,
            I64SubImm, I64MulImm, I64AndImm, I64OrImm, I64XorImm, I64ShlImm, I64ShrSImm, I64ShrUImm,
            /// `[a, immediate, target]` — branch if the `i64` comparison with a sign-extended
            /// constant holds.
            BrIfI64EqImm, BrIfI64NeImm, BrIfI64LtSImm, BrIfI64LtUImm, BrIfI64GtSImm,
            BrIfI64GtUImm, BrIfI64LeSImm, BrIfI64LeUImm, BrIfI64GeSImm, BrIfI64GeUImm,
            /// `[dst, base slot, index slot, offset]` — a load from the address `base + index`
            /// (an `i32.add` fused into the load; and so for every load).
            I32LoadIndexed, I64LoadIndexed, F32LoadIndexed, F64LoadIndexed,
            I32Load8SIndexed, I32Load8UIndexed, I32Load16SIndexed, I32Load16UIndexed,
            I64Load8SIndexed, I64Load8UIndexed, I64Load16SIndexed, I64Load16UIndexed,
            I64Load32SIndexed, I64Load32UIndexed,
            /// `[dst, address slot, immediate, offset]` — a load from the address
            /// `address + immediate` (an `i32.add` of a constant fused into the load, wrapping as
            /// in Wasm; and so for every load).
            I32LoadPlus, I64LoadPlus, F32LoadPlus, F64LoadPlus, I32Load8SPlus,
            I32Load8UPlus, I32Load16SPlus, I32Load16UPlus, I64Load8SPlus, I64Load8UPlus,
            I64Load16SPlus, I64Load16UPlus, I64Load32SPlus, I64Load32UPlus,
            /// `[address slot, value slot, immediate, offset]` — a store to the address
            /// `address + immediate` (likewise).
            I32StorePlus, I64StorePlus, F32StorePlus, F64StorePlus, I32Store8Plus,
            I32Store16Plus, I64Store8Plus, I64Store16Plus, I64Store32Plus,
            $($numeric,)*
        }

        /// The interpreter's view of an opcode word's low byte: one of 255 operations, or
        /// `Extended`. Its own type of exactly 256 values, so that the interpreter's `match`
        /// names every byte and so needs no range check.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        #[allow(dead_code)] // built only by `Dispatch::of`, from a byte
        pub(crate) enum Dispatch {
            $($fixed,)*
            $($numeric,)*
            Extended,
        }

        /// The interpreter's view of the second byte of an `Extended` opcode word: the other
        /// operations, then `Invalid` for every larger number ([`Extended::of`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        #[allow(dead_code)] // built only by `Extended::of`, from a number
        pub(crate) enum Extended {
            $($extended,)*
            Invalid,
        }

        /// The operations of the first kind, in the order of their bytes.
        const FIRST: &[Op] = &[$(Op::$fixed,)* $(Op::$numeric,)*];
        /// The operations of an `Extended` opcode word, in the order of their second bytes.
        const SECOND: &[Op] = &[$(Op::$extended,)*];

        impl Op {
            /// The low 16 bits of the operation's opcode word.
            const fn code(self) -> u32 {
                match self {
                    $(Op::$fixed => Dispatch::$fixed as u32,)*
                    $(Op::$numeric => Dispatch::$numeric as u32,)*
                    $(Op::$extended => EXTENDED | (Extended::$extended as u32) << 8,)*
                }
            }
        }

        /// The number of every operation (its [`Op`] discriminant), to name them in `match`es
        /// over numbers (the dispatch weights, the instructions run out of the loop).
        #[allow(non_upper_case_globals)]
        pub mod opcode {
            use super::Op;
            $(pub const $fixed: u32 = Op::$fixed as u32;)*
            $(pub const $extended: u32 = Op::$extended as u32;)*
            $(pub const $numeric: u32 = Op::$numeric as u32;)*
        }
    };
}

for_each_numeric_op!(define_ops [
    Fuel Copy ConstI32 ConstI64 ConstF32 ConstF64 Unreachable Br BrIfNez BrIfEqz BrTable Return
    Call CallIndirect Select GlobalGet GlobalSet I32Load I64Load F32Load F64Load I32Load8S
    I32Load8U I32Load16S I32Load16U I64Load8S I64Load8U I64Load16S I64Load16U I64Load32S
    I64Load32U I32Store I64Store F32Store F64Store I32Store8 I32Store16 I64Store8 I64Store16
    I64Store32
    BrIfI32Eq BrIfI32Ne BrIfI32LtS BrIfI32LtU BrIfI32GtS BrIfI32GtU BrIfI32LeS BrIfI32LeU
    BrIfI32GeS BrIfI32GeU BrIfI32EqImm BrIfI32NeImm BrIfI32LtSImm BrIfI32LtUImm BrIfI32GtSImm
    BrIfI32GtUImm BrIfI32LeSImm BrIfI32LeUImm BrIfI32GeSImm BrIfI32GeUImm
    I32AddImm I32SubImm
    I32MulImm I32AndImm I32OrImm I32XorImm I32ShlImm I32ShrSImm I32ShrUImm I32EqImm I32NeImm
    I32LtSImm I32LtUImm I32GtSImm I32GtUImm I32LeSImm I32LeUImm I32GeSImm I32GeUImm I64AddImm
    I32RotlImm I32RotrImm I32LoadAt I32AddImm2 I32StoreImm I32Store8Imm I32Store16Imm I64StoreImm
    BrIfI64NeImm BrIfI64LtUImm BrIfI64GtUImm
    I32LoadIndexed I64LoadIndexed F32LoadIndexed F64LoadIndexed I32Load8SIndexed
    I32Load8UIndexed I32Load16SIndexed I32Load16UIndexed
    I32LoadPlus I64LoadPlus F32LoadPlus F64LoadPlus I32Load8SPlus I32Load8UPlus I32Load16SPlus
    I32Load16UPlus I64Load8UPlus I64Load16UPlus I64Load32SPlus
    I64Load32UPlus I32StorePlus I64StorePlus F32StorePlus F64StorePlus I32Store8Plus
    I32Store16Plus I64Store8Plus I64Store32Plus
] [
    MemorySize MemoryGrow MemoryInit DataDrop MemoryCopy MemoryFill TableInit
    ElemDrop TableCopy TableGrow TableSize TableFill TableGet TableSet RefIsNull RefFunc
    BrIfI64Eq BrIfI64Ne BrIfI64LtS BrIfI64LtU BrIfI64GtS BrIfI64GtU BrIfI64LeS BrIfI64LeU BrIfI64GeS
    BrIfI64GeU
    I64EqImm I64NeImm I64LtSImm I64LtUImm I64GtSImm I64GtUImm I64LeSImm I64LeUImm I64GeSImm
    I64GeUImm
    I64SubImm I64MulImm I64AndImm I64OrImm I64XorImm I64ShlImm I64ShrSImm I64ShrUImm
    BrIfI64EqImm BrIfI64LtSImm BrIfI64GtSImm BrIfI64LeSImm BrIfI64LeUImm BrIfI64GeSImm
    BrIfI64GeUImm
    I64Load8SIndexed I64Load8UIndexed I64Load16SIndexed I64Load16UIndexed I64Load32SIndexed
    I64Load32UIndexed I64Load8SPlus I64Load16SPlus I64Store16Plus
]);

// Every byte value names a `Dispatch` variant (what makes `Dispatch::of` sound), and every
// second byte of an `Extended` word fits the byte.
const _: () = assert!(Dispatch::Extended as u32 == EXTENDED);
const _: () = assert!(SECOND.len() < EXTENDED as usize);

impl Dispatch {
    /// The operation (or `Extended`) an opcode word's low byte names: the byte itself, no
    /// check and no branch, so that the interpreter's dispatch stays one straight block that
    /// the compiler copies into the end of every instruction.
    #[inline(always)]
    pub(crate) fn of(word: u32) -> Dispatch {
        // SAFETY: `Dispatch` is `repr(u8)` with implicit discriminants `0..=Extended`, and
        // `Extended` is 255 (asserted above), so every byte is a variant's.
        unsafe { core::mem::transmute::<u8, Dispatch>(word as u8) }
    }
}

impl Extended {
    /// The operation an `Extended` opcode word's second byte names, `Invalid` for a number no
    /// operation has: a compare and a conditional move, no branch (as [`Dispatch::of`]).
    #[inline(always)]
    pub(crate) fn of(word: u32) -> Extended {
        let number = ((word >> 8) as u8).min(Extended::Invalid as u8);
        // SAFETY: `Extended` is `repr(u8)` with implicit discriminants, so its variants are
        // numbered `0..=Invalid` without gaps, and `number` is at most `Invalid`'s.
        unsafe { core::mem::transmute::<u8, Extended>(number) }
    }
}

impl Op {
    /// Decodes an opcode word's operation as the interpreter does; `None` for a number no
    /// operation has.
    #[inline(always)]
    pub fn decode(word: u32) -> Option<Op> {
        match word as u8 {
            0xff => SECOND.get((word >> 8) as u8 as usize).copied(),
            byte => FIRST.get(usize::from(byte)).copied(),
        }
    }

    /// How many operand words follow the opcode word, given the words after it (only
    /// `BrTable` needs them: its count is its second operand). `None` if they are too short.
    /// In encoded stores, branches, calls and `Return` carry signature words after these (see
    /// `translate::signature`).
    pub fn operand_count(self, operands: &[u32]) -> Option<usize> {
        Some(match self {
            Op::BrTable => 3 + *operands.get(1)? as usize,
            op => op.fixed_operands()?,
        })
    }

    /// The operand count of every operation but `BrTable` (3 for it: index, count, default).
    /// `None` only for a numeric operation without an arity, which cannot exist.
    const fn fixed_operands(self) -> Option<usize> {
        use Op::*;
        Some(match self {
            Fuel | Unreachable => 0,
            Br | DataDrop | ElemDrop | MemorySize => 1,
            Copy | ConstI32 | ConstF32 | BrIfNez | BrIfEqz | Return | Call | GlobalGet
            | GlobalSet | MemoryGrow | TableSize | RefIsNull | RefFunc => 2,
            BrTable => 3,
            ConstI64 | ConstF64 | MemoryCopy | MemoryFill | TableGet | TableSet => 3,
            CallIndirect | Select | MemoryInit | TableGrow | TableFill => 4,
            I32AddImm2 => 6,
            TableInit | TableCopy => 5,
            I32LoadPlus | I64LoadPlus | F32LoadPlus | F64LoadPlus | I32Load8SPlus
            | I32Load8UPlus | I32Load16SPlus | I32Load16UPlus | I64Load8SPlus | I64Load8UPlus
            | I64Load16SPlus | I64Load16UPlus | I64Load32SPlus | I64Load32UPlus | I32StorePlus
            | I64StorePlus | F32StorePlus | F64StorePlus | I32Store8Plus | I32Store16Plus
            | I64Store8Plus | I64Store16Plus | I64Store32Plus => 4,
            I32LoadIndexed | I64LoadIndexed | F32LoadIndexed | F64LoadIndexed
            | I32Load8SIndexed | I32Load8UIndexed | I32Load16SIndexed | I32Load16UIndexed
            | I64Load8SIndexed | I64Load8UIndexed | I64Load16SIndexed | I64Load16UIndexed
            | I64Load32SIndexed | I64Load32UIndexed => 4,
            I32Load | I64Load | F32Load | F64Load | I32Load8S | I32Load8U | I32Load16S
            | I32Load16U | I64Load8S | I64Load8U | I64Load16S | I64Load16U | I64Load32S
            | I64Load32U | I32Store | I64Store | F32Store | F64Store | I32Store8 | I32Store16
            | I64Store8 | I64Store16 | I64Store32 => 3,
            BrIfI32Eq | BrIfI32Ne | BrIfI32LtS | BrIfI32LtU | BrIfI32GtS | BrIfI32GtU
            | BrIfI32LeS | BrIfI32LeU | BrIfI32GeS | BrIfI32GeU | BrIfI32EqImm | BrIfI32NeImm
            | BrIfI32LtSImm | BrIfI32LtUImm | BrIfI32GtSImm | BrIfI32GtUImm | BrIfI32LeSImm
            | BrIfI32LeUImm | BrIfI32GeSImm | BrIfI32GeUImm => 3,
            BrIfI64Eq | BrIfI64Ne | BrIfI64LtS | BrIfI64LtU | BrIfI64GtS | BrIfI64GtU
            | BrIfI64LeS | BrIfI64LeU | BrIfI64GeS | BrIfI64GeU => 3,
            I32AddImm | I32SubImm | I32MulImm | I32AndImm | I32OrImm | I32XorImm | I32ShlImm
            | I32ShrSImm | I32ShrUImm | I32EqImm | I32NeImm | I32LtSImm | I32LtUImm | I32GtSImm
            | I32GtUImm | I32LeSImm | I32LeUImm | I32GeSImm | I32GeUImm | I64AddImm
            | I32RotlImm | I32RotrImm => 3,
            I32LoadAt | I32StoreImm | I32Store8Imm | I32Store16Imm | I64StoreImm => 3,
            I64EqImm | I64NeImm | I64LtSImm | I64LtUImm | I64GtSImm | I64GtUImm | I64LeSImm
            | I64LeUImm | I64GeSImm | I64GeUImm => 3,
            I64SubImm | I64MulImm | I64AndImm | I64OrImm | I64XorImm | I64ShlImm | I64ShrSImm
            | I64ShrUImm => 3,
            BrIfI64EqImm | BrIfI64NeImm | BrIfI64LtSImm | BrIfI64LtUImm | BrIfI64GtSImm
            | BrIfI64GtUImm | BrIfI64LeSImm | BrIfI64LeUImm | BrIfI64GeSImm | BrIfI64GeUImm => 3,
            numeric => match numeric_arity(numeric) {
                Some(arity) => arity + 1,
                None => return None,
            },
        })
    }

    /// How many of the three operand words fetched with the opcode word the control-flow
    /// signature covers ([`wasmrel_checker::mix`]): the operation's own operands, at most
    /// three (the signature words after them are left out: they depend on the signature).
    pub(crate) const fn window_operands(self) -> u32 {
        match self.fixed_operands() {
            None => 0,
            Some(count) if count < WINDOW - 1 => count as u32,
            Some(_) => (WINDOW - 1) as u32,
        }
    }
}

macro_rules! define_numeric_arity {
    ([] $($name:ident $arity:tt $method:ident $operation:path),* $(,)?) => {
        /// The operand count (1 or 2) of a numeric operation.
        const fn numeric_arity(op: Op) -> Option<usize> {
            match op {
                $(Op::$name => Some($arity),)*
                _ => None,
            }
        }
    };
}
for_each_numeric_op!(define_numeric_arity);

/// One line per instruction (`offset: Op operands…`), for debugging and fault-injection
/// reports; undecodable words are shown raw.
pub fn disassemble(code: &[u32]) -> alloc::string::String {
    use core::fmt::Write;
    let mut out = alloc::string::String::new();
    let mut pc = 0;
    while let Some(&word) = code.get(pc) {
        let rest = code.get(pc + 1..).unwrap_or_default();
        let decoded = Op::decode(word).and_then(|op| Some((op, op.operand_count(rest)?)));
        let Some((op, count)) = decoded.filter(|(_, count)| *count <= rest.len()) else {
            let _ = writeln!(out, "{pc:5}: .word {word:#x}");
            pc += 1;
            continue;
        };
        let _ = write!(out, "{pc:5}: {op:?}");
        if fuel_of(word) != 1 {
            let _ = write!(out, " (fuel {})", fuel_of(word));
        }
        for operand in rest.iter().take(count) {
            let _ = write!(out, " {operand}");
        }
        out.push('\n');
        pc += 1 + count;
    }
    out
}

/// The fuel an opcode word charges.
#[inline(always)]
pub fn fuel_of(word: u32) -> u64 {
    u64::from(word >> FUEL_SHIFT)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation, each once.
    fn all_ops() -> impl Iterator<Item = &'static Op> {
        FIRST.iter().chain(SECOND)
    }

    #[test]
    fn every_op_has_an_operand_count_and_fits_one_fetch() {
        for op in all_ops() {
            let count = op.operand_count(&[0, 2]);
            assert!(count.is_some_and(|c| c < FETCH), "{op:?}");
        }
    }

    #[test]
    fn every_op_decodes_to_itself() {
        let mut seen = alloc::collections::BTreeSet::new();
        for op in all_ops() {
            assert!(seen.insert(*op as u16), "{op:?} is listed twice");
            assert_eq!(Op::decode(opcode_word(*op, 3)), Some(*op));
            assert_eq!(fuel_of(opcode_word(*op, 3)), 3);
        }
        assert_eq!(Op::decode(EXTENDED | (SECOND.len() as u32) << 8), None);
        assert_eq!(Op::decode(PADDING[0]), None);
    }

    #[test]
    fn dispatch_names_the_operation_decode_does() {
        for word in (0..=u16::MAX).map(|number| u32::from(number) | 0x3_0000) {
            let name = match Dispatch::of(word) {
                Dispatch::Extended => alloc::format!("{:?}", Extended::of(word)),
                first => alloc::format!("{first:?}"),
            };
            let expected = Op::decode(word).map_or("Invalid".into(), |op| alloc::format!("{op:?}"));
            assert_eq!(name, expected, "opcode word {word:#x}");
        }
    }
}
