//! Control-flow signatures for encoded execution: a pass over a function's finished
//! (relocated) IR that adds the checker's words. Only encoded stores run it
//! ([`crate::Domain::SIGNATURES`]); plain code never contains these words.
//!
//! The code is cut into basic blocks (leaders: the entry, every branch target, every
//! instruction after a branch, return or `unreachable`). The interpreter keeps a runtime
//! signature `G` and folds every instruction it runs into it: the opcode word and its own
//! operands among the three words fetched with it ([`wasmrel_checker::mix`]), then any
//! further operand words ([`wasmrel_checker::fold`]). So `G` tracks the exact sequence of
//! instructions *and* their operand words: a flipped opcode, slot, offset or immediate, a
//! skipped or repeated instruction, a jump into the middle of a block all leave `G` off its
//! static value, and since every update is a bijection of `G`, it stays off.
//!
//! Each block `b` has a static entry signature `s_b`: [`FUNCTION_ENTRY`] for the entry block,
//! the static `G` at the end of the previous block for a block entered by falling through (so
//! a fall-through needs no instruction), a hash ([`wasmrel_checker::block_signature`]) for the
//! others. An instruction that leaves its block carries, after its operands, the static `G`
//! after its own fold (`e`, checked: a mismatch is a detected fault) and the edge differences
//! `e ⊕ s_target` XORed into `G` on the way out:
//!
//! * `Br`: `[e, d]`; `BrTable`: `[e, d_0 … d_n]`, one per entry in entry order;
//! * conditional branches (`BrIfNez`, `BrIfEqz`, the fused `BrIfI32*`/`BrIfI64*`):
//!   `[e, d_if_true, d_if_false]`, named by the *condition's value*, so that the interpreter
//!   selects the difference from the encoded condition ([`wasmrel_checker::branch`]), apart
//!   from the decision that moves the program counter: a wrong decision arrives with the
//!   other successor's signature, caught at the next check;
//! * `Return`, `Call`, `CallIndirect`: `[e]`, checked before the frame is left or a callee
//!   (a host function: an effect) runs.
//!
//! A check therefore runs at every block exit and before every call and return, and costs
//! one compare with a word the instruction carries: no second pass over the block. A call
//! saves the caller's runtime signature and starts the callee at [`FUNCTION_ENTRY`]; the
//! return restores it.

use crate::error::Error;
use crate::fallible::{self, copy_of, filled};
use crate::ir::{Op, WINDOW};
use alloc::vec::Vec;
use core::cell::Cell;
use wasmrel_checker::{block_signature, edge, fold, fold_words, mix};

/// The runtime signature a function is entered with.
pub(crate) const FUNCTION_ENTRY: u32 = block_signature(u32::MAX, 0);

/// Marks an old IR offset that is not a leader.
const NOT_A_LEADER: u32 = u32::MAX;

/// One instruction of the unsigned code.
#[derive(Clone, Copy)]
struct Instruction {
    at: usize,
    op: Op,
    operands: usize,
}

/// How an instruction ends its block and which operand words are targets.
pub(super) enum Flow {
    /// Runs on to the next instruction.
    Next,
    /// `Br`: operand 0 is the target.
    Jump,
    /// Branches to operand `target` if the condition is `when_true`, else falls through.
    Branch { target: usize, when_true: bool },
    /// `BrTable`: operands `2..` are the targets.
    Table,
    /// `Return` or `Unreachable`: leaves the function.
    Exit,
}

pub(super) fn flow(op: Op) -> Flow {
    use Op::*;
    match op {
        Br => Flow::Jump,
        BrIfNez => Flow::Branch {
            target: 1,
            when_true: true,
        },
        BrIfEqz => Flow::Branch {
            target: 1,
            when_true: false,
        },
        BrIfI32Eq | BrIfI32Ne | BrIfI32LtS | BrIfI32LtU | BrIfI32GtS | BrIfI32GtU | BrIfI32LeS
        | BrIfI32LeU | BrIfI32GeS | BrIfI32GeU | BrIfI32EqImm | BrIfI32NeImm | BrIfI32LtSImm
        | BrIfI32LtUImm | BrIfI32GtSImm | BrIfI32GtUImm | BrIfI32LeSImm | BrIfI32LeUImm
        | BrIfI32GeSImm | BrIfI32GeUImm | BrIfI64Eq | BrIfI64Ne | BrIfI64LtS | BrIfI64LtU
        | BrIfI64GtS | BrIfI64GtU | BrIfI64LeS | BrIfI64LeU | BrIfI64GeS | BrIfI64GeU
        | BrIfI64EqImm | BrIfI64NeImm | BrIfI64LtSImm | BrIfI64LtUImm | BrIfI64GtSImm
        | BrIfI64GtUImm | BrIfI64LeSImm | BrIfI64LeUImm | BrIfI64GeSImm | BrIfI64GeUImm => {
            Flow::Branch {
                target: 2,
                when_true: true,
            }
        }
        BrTable => Flow::Table,
        Return | Unreachable => Flow::Exit,
        _ => Flow::Next,
    }
}

/// Splits `code` into instructions; `None` if it does not parse (the translator's output
/// always does).
fn parse(code: &[u32], refused: &Cell<bool>) -> Option<Vec<Instruction>> {
    let mut instructions = Vec::new();
    let mut at = 0;
    while at < code.len() {
        let op = Op::decode(*code.get(at)?)?;
        let operands = op.operand_count(code.get(at + 1..)?)?;
        noted(refused, instructions.try_reserve(1).ok())?;
        instructions.push(Instruction { at, op, operands });
        at += 1 + operands;
    }
    (at == code.len()).then_some(instructions)
}

/// The signed code of a function with what is needed to relate it to the unsigned code and
/// to check the runtime signature anywhere in it.
pub(crate) struct Signed {
    /// The code with the signature words.
    pub code: Vec<u32>,
    /// The new offset of every old instruction offset (and of the end).
    pub new_at: Vec<u32>,
    /// Every block's first instruction (new offset) and entry signature, in code order (see
    /// [`signature_before`]).
    pub blocks: Vec<(u32, u32)>,
}

/// Adds the signature words to `code` of function `func` (any number that tells functions
/// apart); an error if the code does not parse or a target is not an instruction. Its
/// tables are as long as the code, so they are allocated fallibly: a refusal is the memory
/// limit error.
pub(crate) fn sign(code: &[u32], func: u32) -> Result<Signed, Error> {
    let refused = Cell::new(false);
    match signed(code, func, &refused) {
        Some(signed) => Ok(signed),
        None if refused.get() => Err(fallible::refused()),
        None => Err(Error::Invalid("code that cannot be signed".into())),
    }
}

/// `value`, noting in `refused` when it is `None` because an allocation was refused.
fn noted<T>(refused: &Cell<bool>, value: Option<T>) -> Option<T> {
    refused.set(value.is_none());
    value
}

/// [`sign`]; `None` with `refused` set when an allocation was refused.
fn signed(code: &[u32], func: u32, refused: &Cell<bool>) -> Option<Signed> {
    let instructions = parse(code, refused)?;
    // Block number of every leader, by old offset.
    let mut block_of = noted(refused, filled(code.len() + 1, NOT_A_LEADER))?;
    let mut mark = |at: u32| -> Option<()> {
        *block_of.get_mut(at as usize)? = 0;
        Some(())
    };
    mark(0)?;
    for instruction in &instructions {
        let operands = code.get(instruction.at + 1..instruction.at + 1 + instruction.operands)?;
        let next = (instruction.at + 1 + instruction.operands) as u32;
        match flow(instruction.op) {
            Flow::Next => {}
            Flow::Jump => {
                mark(*operands.first()?)?;
                mark(next)?;
            }
            Flow::Branch { target, .. } => {
                mark(*operands.get(target)?)?;
                mark(next)?;
            }
            Flow::Table => {
                for &target in operands.get(2..)? {
                    mark(target)?;
                }
                mark(next)?;
            }
            Flow::Exit => mark(next)?,
        }
    }
    // Targets must be instruction starts; then number the blocks in code order.
    let mut starts = Vec::new();
    noted(refused, starts.try_reserve_exact(instructions.len()).ok())?;
    starts.extend(instructions.iter().map(|i| i.at));
    let mut count = 0;
    for (at, block) in block_of.iter_mut().enumerate() {
        if *block != NOT_A_LEADER {
            if at < code.len() && starts.binary_search(&at).is_err() {
                return None;
            }
            *block = count;
            count += 1;
        }
    }

    // New offsets of the instructions (and of the end, which a jump may target).
    let mut new_at = noted(refused, filled(code.len() + 1, 0u32))?;
    let mut length = 0usize;
    for instruction in &instructions {
        *new_at.get_mut(instruction.at)? = u32::try_from(length).ok()?;
        length += 1 + instruction.operands + extra_words(instruction.op, instruction.operands);
    }
    *new_at.get_mut(code.len())? = u32::try_from(length).ok()?;
    let relocate = |instruction: &Instruction| -> Option<Vec<u32>> {
        let operands = code.get(instruction.at + 1..instruction.at + 1 + instruction.operands)?;
        let remap = |target: u32| new_at.get(target as usize).copied();
        let mut relocated = noted(refused, copy_of(operands, 0).ok())?;
        match flow(instruction.op) {
            Flow::Next | Flow::Exit => {}
            Flow::Jump => *relocated.first_mut()? = remap(*operands.first()?)?,
            Flow::Branch { target, .. } => {
                *relocated.get_mut(target)? = remap(*operands.get(target)?)?;
            }
            Flow::Table => {
                for slot in relocated.get_mut(2..)? {
                    *slot = remap(*slot)?;
                }
            }
        }
        Some(relocated)
    };

    // The static signatures: every leader's entry signature (by old offset) and `G` after
    // every instruction, in one walk in code order (a fall-through leader's signature is the
    // `G` reaching it, which depends only on earlier words).
    let mut entry = noted(refused, filled(code.len() + 1, 0u32))?;
    let mut blocks = Vec::new();
    noted(refused, blocks.try_reserve_exact(count as usize).ok())?;
    let mut after = Vec::new();
    noted(refused, after.try_reserve_exact(instructions.len()).ok())?;
    let mut current = FUNCTION_ENTRY;
    let mut falls_through = false;
    for instruction in &instructions {
        let block = *block_of.get(instruction.at)?;
        if block != NOT_A_LEADER {
            if !falls_through {
                current = if block == 0 {
                    FUNCTION_ENTRY
                } else {
                    block_signature(func, block)
                };
            }
            *entry.get_mut(instruction.at)? = current;
            blocks.push((*new_at.get(instruction.at)?, current));
        }
        current = fold_instruction(current, *code.get(instruction.at)?, &relocate(instruction)?);
        after.push(current);
        falls_through = matches!(flow(instruction.op), Flow::Next);
    }
    *entry.get_mut(code.len())? = block_signature(func, *block_of.get(code.len())?);

    let mut signed = Vec::new();
    noted(refused, signed.try_reserve_exact(length).ok())?;
    for (instruction, &exit) in instructions.iter().zip(&after) {
        signed.push(*code.get(instruction.at)?);
        signed.extend_from_slice(&relocate(instruction)?);
        let operands = code.get(instruction.at + 1..instruction.at + 1 + instruction.operands)?;
        let difference = |target: u32| Some(edge(exit, *entry.get(target as usize)?));
        match flow(instruction.op) {
            Flow::Next if matches!(instruction.op, Op::Call | Op::CallIndirect) => {
                signed.push(exit);
            }
            Flow::Exit if instruction.op == Op::Return => signed.push(exit),
            Flow::Next | Flow::Exit => {}
            Flow::Jump => signed.extend([exit, difference(*operands.first()?)?]),
            Flow::Branch { target, when_true } => {
                let next = (instruction.at + 1 + instruction.operands) as u32;
                let taken = difference(*operands.get(target)?)?;
                let not_taken = difference(next)?;
                signed.push(exit);
                if when_true {
                    signed.extend([taken, not_taken]);
                } else {
                    signed.extend([not_taken, taken]);
                }
            }
            Flow::Table => {
                signed.push(exit);
                for &target in operands.get(2..)? {
                    signed.push(difference(target)?);
                }
            }
        }
    }
    (signed.len() == length).then_some(Signed {
        code: signed,
        new_at,
        blocks,
    })
}

/// The static runtime signature before the instruction at `pc` of signed `code` whose
/// blocks are `blocks` ([`Signed::blocks`]): the entry signature of the block holding `pc`,
/// folded with the instructions before it in that block. `None` if `pc` is not the start of
/// an instruction.
///
/// A run that ends with a trap checks its runtime signature against this (see
/// `interp::Execution::confirm_trap`): a program counter that a fault moved to intact code
/// can reach a trapping instruction before the next block exit checks the signature, and
/// then the signature is the one of the place the pc left, not of the one it trapped at.
pub(crate) fn signature_before(code: &[u32], blocks: &[(u32, u32)], pc: usize) -> Option<u32> {
    let block = blocks.partition_point(|&(at, _)| at as usize <= pc);
    let &(start, mut signature) = blocks.get(block.checked_sub(1)?)?;
    let mut at = start as usize;
    while at < pc {
        let word = *code.get(at)?;
        let op = Op::decode(word)?;
        let count = op.operand_count(code.get(at + 1..)?)?;
        signature = fold_at(signature, code, at)?;
        at += 1 + count + extra_words(op, count);
    }
    (at == pc).then_some(signature)
}

/// The interpreter's signature update for one instruction: the opcode word with its own
/// operands in the fetched window, then each further operand (a table's targets are covered
/// by their edge differences instead).
fn fold_instruction(current: u32, word: u32, operands: &[u32]) -> u32 {
    let mut window = [0u32; WINDOW - 1];
    for (slot, &operand) in window.iter_mut().zip(operands) {
        *slot = operand;
    }
    let own = Op::decode(word).map_or(0, Op::window_operands);
    let mut current = fold(current, mix(word, window, own));
    if Op::decode(word) != Some(Op::BrTable) {
        for &operand in operands.get(WINDOW - 1..).unwrap_or_default() {
            current = fold(current, operand);
        }
    }
    current
}

/// [`fold_instruction`] for the instruction at `pc` of signed `code` (instructions the
/// interpreter runs out of its loop); `None` if no instruction is there.
pub(crate) fn fold_at(current: u32, code: &[u32], pc: usize) -> Option<u32> {
    let word = *code.get(pc)?;
    let rest = code.get(pc + 1..)?;
    let count = Op::decode(word)?.operand_count(rest)?;
    Some(fold_instruction(current, word, rest.get(..count)?))
}

/// The words the signed layout adds after an instruction's `operands` operand words.
fn extra_words(op: Op, operands: usize) -> usize {
    match flow(op) {
        Flow::Next => usize::from(matches!(op, Op::Call | Op::CallIndirect)),
        Flow::Exit => usize::from(op == Op::Return),
        Flow::Jump => 2,
        Flow::Branch { .. } => 3,
        // The exit signature and one difference per target (operands 2..).
        Flow::Table => 1 + operands - 2,
    }
}

/// A checksum of a whole signed function, verified only when it traps: a flipped word that
/// ran before the next signature check (a wrong slot, offset or opcode) can make a correct
/// program trap, and that is a detected fault, not the program's trap.
pub(crate) fn code_checksum(code: &[u32]) -> u32 {
    fold_words(FUNCTION_ENTRY, code)
}
