//! Control-flow signatures for encoded execution: a pass over a function's finished
//! (relocated) IR that adds the checker's words. Only encoded stores run it
//! ([`crate::Domain::SIGNED`]); plain code never contains these words.
//!
//! The code is cut into basic blocks (leaders: the entry, every branch target, every
//! instruction after a branch, return or `unreachable`). Each block `b` gets a static
//! signature `s_b` ([`wasmrel_checker::block_signature`]; the entry block of every function
//! has [`FUNCTION_ENTRY`]) and starts with `SigEnter [expected, len, checksum]`. The
//! interpreter folds every opcode word it dispatches into its runtime signature `G`
//! ([`wasmrel_checker::fold`]), so `G` tracks the exact instruction sequence: arriving with
//! `G = s_b`, `SigEnter` finds `G = fold(s_b, SigEnter's word) = expected`; the block's
//! next `len` words (operands included) must fold to `checksum` — the IR's check bits,
//! verified each time the block is left (by its branch, `SigEdge` or `Return`, and before a
//! trap in it is reported). A skipped, repeated or foreign instruction leaves
//! `G` off the static value from then on. Every transfer XORs an edge difference
//! `G_exit ⊕ s_target` (with `G_exit` the static `G` after the transferring instruction) into
//! the runtime signature:
//!
//! * `Br` gets `[d]` after its operands; `BrTable` gets one `d` per entry, in entry order;
//! * conditional branches (`BrIfNez`, `BrIfEqz`, the fused `BrIfI32*`) get
//!   `[d_if_true, d_if_false]`, named by the *condition's value*, so that the interpreter
//!   selects the difference from the encoded condition ([`wasmrel_checker::branch`]), apart
//!   from the decision that moves the program counter;
//! * falling into a leader goes through `SigEdge [d]`;
//! * `Return` gets `[G]`, checked before the frame is left.
//!
//! A call saves the caller's runtime signature and starts the callee at [`FUNCTION_ENTRY`];
//! the return restores it.

use crate::ir::Op;
use alloc::vec;
use alloc::vec::Vec;
use wasmrel_checker::{block_signature, edge, fold, fold_words};

/// The runtime signature a function is entered with.
pub(crate) const FUNCTION_ENTRY: u32 = block_signature(u32::MAX, 0);

/// The opcode words this pass adds (they charge no fuel).
const SIG_ENTER: u32 = Op::SigEnter as u32;
const SIG_EDGE: u32 = Op::SigEdge as u32;

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
enum Flow {
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

fn flow(op: Op) -> Flow {
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
        | BrIfI64GtS | BrIfI64GtU | BrIfI64LeS | BrIfI64LeU | BrIfI64GeS | BrIfI64GeU => {
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
fn parse(code: &[u32]) -> Option<Vec<Instruction>> {
    let mut instructions = Vec::new();
    let mut at = 0;
    while at < code.len() {
        let op = Op::decode(*code.get(at)?)?;
        let operands = op.operand_count(code.get(at + 1..)?)?;
        instructions.push(Instruction { at, op, operands });
        at += 1 + operands;
    }
    (at == code.len()).then_some(instructions)
}

/// Adds the signature words to `code` of function `func` (any number that tells functions
/// apart); `None` if the code does not parse or a target is not an instruction.
pub(crate) fn sign(code: &[u32], func: u32) -> Option<Vec<u32>> {
    let instructions = parse(code)?;
    // Block number of every leader, by old offset.
    let mut block_of = vec![NOT_A_LEADER; code.len() + 1];
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
    let starts: Vec<usize> = instructions.iter().map(|i| i.at).collect();
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
    let signature = |block: u32| {
        if block == 0 {
            FUNCTION_ENTRY
        } else {
            block_signature(func, block)
        }
    };
    let signature_at = |at: u32| -> Option<u32> {
        let block = *block_of.get(at as usize)?;
        (block != NOT_A_LEADER).then(|| signature(block))
    };

    // New offsets of the leaders' `SigEnter`s (a first pass with the same layout rules).
    let mut new_at = vec![0u32; code.len() + 1];
    let mut length = 0usize;
    let mut falls_through = false;
    for instruction in &instructions {
        if signature_at(instruction.at as u32).is_some() {
            if falls_through {
                length += 2;
            }
            *new_at.get_mut(instruction.at)? = u32::try_from(length).ok()?;
            length += 4;
        }
        length += 1 + instruction.operands + extra_words(instruction.op, code, instruction)?;
        // A conditional branch's not-taken edge already leads into the next block.
        falls_through = matches!(flow(instruction.op), Flow::Next);
    }
    // A jump to the end of the code (never translated) stays one.
    *new_at.get_mut(code.len())? = u32::try_from(length).ok()?;

    let mut signed = Vec::with_capacity(length);
    // The runtime signature as the interpreter will hold it after the last emitted
    // instruction (every executed opcode word is folded in at dispatch).
    let mut current = FUNCTION_ENTRY;
    let mut enter_at: Option<(usize, u32)> = None;
    let close = |signed: &mut Vec<u32>, enter_at: Option<(usize, u32)>| -> Option<()> {
        if let Some((enter, expected)) = enter_at {
            let words = signed.get(enter + 4..)?;
            let (len, checksum) = (words.len() as u32, fold_words(expected, words));
            *signed.get_mut(enter + 2)? = len;
            *signed.get_mut(enter + 3)? = checksum;
        }
        Some(())
    };
    let mut falls_through = false;
    for instruction in &instructions {
        let at = instruction.at;
        if let Some(next) = signature_at(at as u32) {
            if falls_through {
                current = fold(current, SIG_EDGE);
                signed.extend([SIG_EDGE, edge(current, next)]);
            }
            close(&mut signed, enter_at)?;
            let expected = fold(next, SIG_ENTER);
            enter_at = Some((signed.len(), expected));
            signed.extend([SIG_ENTER, expected, 0, 0]);
            current = expected;
        }
        let operands = code.get(at + 1..at + 1 + instruction.operands)?;
        let word = *code.get(at)?;
        signed.push(word);
        current = fold(current, word);
        let remap = |target: u32| new_at.get(target as usize).copied();
        let difference = |target: u32| Some(edge(current, signature_at(target)?));
        match flow(instruction.op) {
            Flow::Next => signed.extend_from_slice(operands),
            Flow::Exit => {
                signed.extend_from_slice(operands);
                if instruction.op == Op::Return {
                    signed.push(current);
                }
            }
            Flow::Jump => {
                let target = *operands.first()?;
                signed.push(remap(target)?);
                signed.extend_from_slice(operands.get(1..)?);
                signed.push(difference(target)?);
            }
            Flow::Branch { target, when_true } => {
                let next = (at + 1 + instruction.operands) as u32;
                for (index, &word) in operands.iter().enumerate() {
                    signed.push(if index == target { remap(word)? } else { word });
                }
                let taken = difference(*operands.get(target)?)?;
                let not_taken = difference(next)?;
                if when_true {
                    signed.extend([taken, not_taken]);
                } else {
                    signed.extend([not_taken, taken]);
                }
            }
            Flow::Table => {
                signed.extend_from_slice(operands.get(..2)?);
                let targets = operands.get(2..)?;
                for &target in targets {
                    signed.push(remap(target)?);
                }
                for &target in targets {
                    signed.push(difference(target)?);
                }
            }
        }
        // A conditional branch's not-taken edge already leads into the next block.
        falls_through = matches!(flow(instruction.op), Flow::Next);
    }
    close(&mut signed, enter_at)?;
    (signed.len() == length).then_some(signed)
}

/// The words the signed layout adds after an instruction's operands.
fn extra_words(op: Op, code: &[u32], instruction: &Instruction) -> Option<usize> {
    Some(match flow(op) {
        Flow::Next => 0,
        Flow::Exit => usize::from(op == Op::Return),
        Flow::Jump => 1,
        Flow::Branch { .. } => 2,
        Flow::Table => 1 + *code.get(instruction.at + 2)? as usize,
    })
}
