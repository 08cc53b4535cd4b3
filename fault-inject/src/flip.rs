//! Applying a [`Fault`] to a paused execution: pick the location from the state at `t`,
//! flip its bits, and say what happened (the replay trace).

use wasmrel_executor::ir::{fuel_of, Op};
use wasmrel_executor::{Domain, Execution, InstanceId, IntRelop, Store};

use crate::app::App;
use crate::fault::{Class, Fault};

/// A slot representation whose bits a fault can flip.
pub trait Flippable: Copy {
    /// How many bits the representation has (the fault space per slot).
    const BITS: u32;
    fn flipped(self, bits: &[u32]) -> Self;
    fn hex(self) -> String;
}

impl Flippable for u64 {
    const BITS: u32 = 64;
    fn flipped(self, bits: &[u32]) -> Self {
        bits.iter().fold(self, |v, b| v ^ (1u64 << b))
    }
    fn hex(self) -> String {
        format!("{self:#018x}")
    }
}

impl Flippable for u128 {
    const BITS: u32 = 128;
    fn flipped(self, bits: &[u32]) -> Self {
        bits.iter().fold(self, |v, b| v ^ (1u128 << b))
    }
    fn hex(self) -> String {
        format!("{self:#034x}")
    }
}

/// A domain whose slots can be flipped.
pub trait Injectable: Domain<Slot: Flippable> {}
impl<D: Domain<Slot: Flippable>> Injectable for D {}

/// Which value-stack slots a class covers.
#[derive(Clone, Copy)]
enum Slots {
    /// The executing function's locals and parameters.
    Locals,
    /// Everything above them: its operands and stale slots of returned callees.
    Operands,
    /// The whole value stack (the second replica's state in a dual run).
    All,
}

/// How far the search for a conditional branch goes (in instructions) before giving up.
const BRANCH_SEARCH: u32 = 100_000;

/// What the injector wants after a stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The fault is in; the trace says where it went.
    Injected(String),
    /// Stop again at this fuel count (searching for the next conditional branch).
    Again(u64),
}

/// Applies one fault when its execution stops at `t`.
pub struct Injector<'a> {
    pub fault: Fault,
    app: &'a App,
    searched: u32,
}

impl<'a> Injector<'a> {
    pub fn new(fault: Fault, app: &'a App) -> Self {
        Self {
            fault,
            app,
            searched: 0,
        }
    }

    /// Injects into the stopped execution (for [`Class::Replica`], into the replica given).
    pub fn at_stop<D: Injectable>(
        &mut self,
        exec: &mut Execution<D>,
        store: &mut Store<D>,
        instance: InstanceId,
    ) -> Step {
        let func = exec.current_func().index();
        let pc = exec.pc();
        let at = format!("t={} func={func} pc={pc}", exec.fuel_used());
        let what = match self.fault.class {
            Class::Stack => self.flip_stack(exec, Slots::Operands),
            Class::Local => self.flip_stack(exec, Slots::Locals),
            Class::Replica => self.flip_stack(exec, Slots::All),
            Class::Global => self.flip_global(store),
            Class::Memory => self.flip_memory(store, instance),
            Class::Pc => {
                let bits = self.fault.bit_positions(32);
                let new = flip_u32(pc, &bits);
                exec.set_pc(new);
                format!("pc bits {bits:?}: {pc} -> {new}")
            }
            Class::Code => self.flip_code(exec, store),
            Class::Signature => {
                let bits = self.fault.bit_positions(32);
                let signature = exec.signature_mut();
                let old = *signature;
                *signature = flip_u32(old, &bits);
                format!(
                    "signature bits {bits:?}: {old:#010x} -> {:#010x}",
                    *signature
                )
            }
            Class::Branch => match invert_branch(exec, store) {
                Some(what) => what,
                None if self.searched < BRANCH_SEARCH => {
                    self.searched += 1;
                    let word = store
                        .code_mut(exec.current_func())
                        .and_then(|code| code.get(pc as usize).copied())
                        .unwrap_or(0);
                    return Step::Again(exec.fuel_used() + fuel_of(word));
                }
                None => format!("no conditional branch within {BRANCH_SEARCH} instructions"),
            },
        };
        Step::Injected(format!("{at}: {what}"))
    }

    fn flip_stack<D: Injectable>(&mut self, exec: &mut Execution<D>, slots: Slots) -> String {
        let base = exec.frame_base() as usize;
        let count = self.app.locals_of(exec.current_func().index()) as usize;
        let stack = exec.stack_mut();
        let locals_end = (base + count).min(stack.len());
        let (first, end) = match slots {
            Slots::Locals => (base, locals_end),
            Slots::Operands => (locals_end, stack.len()),
            Slots::All => (0, stack.len()),
        };
        if first >= end {
            return "no slot in this class at t".to_owned();
        }
        let index = first + self.fault.below((end - first) as u64) as usize;
        let bits = self.fault.bit_positions(D::Slot::BITS);
        let Some(slot) = stack.get_mut(index) else {
            return "no slot in this class at t".to_owned();
        };
        let old = *slot;
        *slot = old.flipped(&bits);
        let name = match slots {
            Slots::Locals => "local",
            Slots::Operands | Slots::All => "stack slot",
        };
        format!(
            "{name} {} (slot {index}, frame base {base}) bits {bits:?}: {} -> {}",
            index - first,
            old.hex(),
            slot.hex()
        )
    }

    fn flip_global<D: Injectable>(&mut self, store: &mut Store<D>) -> String {
        let count = store.global_count();
        let index = self.fault.below(u64::from(count)) as u32;
        let bits = self.fault.bit_positions(D::Slot::BITS);
        let Some(slot) = store.global_slot_mut(index) else {
            return "no global".to_owned();
        };
        let old = *slot;
        *slot = old.flipped(&bits);
        format!(
            "global {index} bits {bits:?}: {} -> {}",
            old.hex(),
            slot.hex()
        )
    }

    fn flip_memory<D: Injectable>(&mut self, store: &mut Store<D>, instance: InstanceId) -> String {
        let Some(memory) = store.memory_mut(instance) else {
            return "no memory".to_owned();
        };
        let bytes = memory.bytes_mut();
        let address = self.fault.below(bytes.len() as u64) as usize;
        let bits = self.fault.bit_positions(8);
        let Some(byte) = bytes.get_mut(address) else {
            return "no memory".to_owned();
        };
        let old = *byte;
        *byte = bits.iter().fold(old, |v, b| v ^ (1u8 << b));
        format!(
            "memory byte {address:#x} bits {bits:?}: {old:#04x} -> {:#04x}",
            *byte
        )
    }

    fn flip_code<D: Injectable>(&mut self, exec: &Execution<D>, store: &mut Store<D>) -> String {
        let func = exec.current_func();
        let Some(code) = store.code_mut(func) else {
            return "no code".to_owned();
        };
        let index = self.fault.below(code.len() as u64) as usize;
        let bits = self.fault.bit_positions(32);
        let Some(word) = code.get_mut(index) else {
            return "no code".to_owned();
        };
        let old = *word;
        *word = flip_u32(old, &bits);
        format!(
            "IR word {index} of func {} bits {bits:?}: {old:#010x} -> {:#010x}",
            func.index(),
            *word
        )
    }
}

fn flip_u32(value: u32, bits: &[u32]) -> u32 {
    bits.iter().fold(value, |v, b| v ^ (1u32 << b))
}

/// If the instruction at the pc is a conditional branch, sends it the other way (the pc
/// moves to the successor it would not have taken) and says so; otherwise `None`.
///
/// The runtime signature is left as the branch would have set it, as a fault in the decision
/// itself leaves it; in encoded stores the fall-through successor lies past the branch's
/// signature words.
fn invert_branch<D: Injectable>(exec: &mut Execution<D>, store: &mut Store<D>) -> Option<String> {
    let pc = exec.pc() as usize;
    let code = store.code_mut(exec.current_func())?;
    let operands: Vec<u32> = code.get(pc..(pc + 4).min(code.len()))?.to_vec();
    let op = Op::decode(*operands.first()?)?;
    let base = exec.frame_base() as usize;
    let stack = exec.stack_mut();
    let slot = |i: usize| -> Option<D::Slot> {
        let index = *operands.get(i)? as usize;
        stack.get(base + index).copied()
    };
    let edge_words = if D::SIGNATURES { 3 } else { 0 };
    let (taken, length, target) = match op {
        Op::BrIfNez | Op::BrIfEqz => {
            let nonzero = D::condition(slot(1)?).ok()?;
            (nonzero == (op == Op::BrIfNez), 3, *operands.get(2)?)
        }
        _ => {
            let (relop, width, immediate) = compare_branch(op)?;
            let b = match (immediate, width) {
                (false, _) => slot(2)?,
                (true, Width::I32) => D::from_i32(*operands.get(2)? as i32),
                (true, Width::I64) => D::from_i64(i64::from(*operands.get(2)? as i32)),
            };
            let holds = match width {
                Width::I32 => D::i32_relop(relop, slot(1)?, b),
                Width::I64 => D::i64_relop(relop, slot(1)?, b),
            };
            (D::condition(holds.ok()?).ok()?, 4, *operands.get(3)?)
        }
    };
    let next = if taken {
        (pc + length + edge_words) as u32
    } else {
        target
    };
    exec.set_pc(next);
    Some(format!(
        "branch {op:?} at pc {pc} {} -> pc {next}",
        if taken {
            "was taken, falls through"
        } else {
            "was not taken, jumps"
        }
    ))
}

/// The operand width of a fused compare-and-branch.
#[derive(Clone, Copy)]
enum Width {
    I32,
    I64,
}

/// The comparison of a fused compare-and-branch, its operand width, and whether its second
/// operand is an immediate (an `i32` operand word, sign-extended for `i64`).
fn compare_branch(op: Op) -> Option<(IntRelop, Width, bool)> {
    use IntRelop::*;
    use Width::*;
    Some(match op {
        Op::BrIfI32Eq => (Eq, I32, false),
        Op::BrIfI32Ne => (Ne, I32, false),
        Op::BrIfI32LtS => (LtS, I32, false),
        Op::BrIfI32LtU => (LtU, I32, false),
        Op::BrIfI32GtS => (GtS, I32, false),
        Op::BrIfI32GtU => (GtU, I32, false),
        Op::BrIfI32LeS => (LeS, I32, false),
        Op::BrIfI32LeU => (LeU, I32, false),
        Op::BrIfI32GeS => (GeS, I32, false),
        Op::BrIfI32GeU => (GeU, I32, false),
        Op::BrIfI32EqImm => (Eq, I32, true),
        Op::BrIfI32NeImm => (Ne, I32, true),
        Op::BrIfI32LtSImm => (LtS, I32, true),
        Op::BrIfI32LtUImm => (LtU, I32, true),
        Op::BrIfI32GtSImm => (GtS, I32, true),
        Op::BrIfI32GtUImm => (GtU, I32, true),
        Op::BrIfI32LeSImm => (LeS, I32, true),
        Op::BrIfI32LeUImm => (LeU, I32, true),
        Op::BrIfI32GeSImm => (GeS, I32, true),
        Op::BrIfI32GeUImm => (GeU, I32, true),
        Op::BrIfI64Eq => (Eq, I64, false),
        Op::BrIfI64Ne => (Ne, I64, false),
        Op::BrIfI64LtS => (LtS, I64, false),
        Op::BrIfI64LtU => (LtU, I64, false),
        Op::BrIfI64GtS => (GtS, I64, false),
        Op::BrIfI64GtU => (GtU, I64, false),
        Op::BrIfI64LeS => (LeS, I64, false),
        Op::BrIfI64LeU => (LeU, I64, false),
        Op::BrIfI64GeS => (GeS, I64, false),
        Op::BrIfI64GeU => (GeU, I64, false),
        Op::BrIfI64EqImm => (Eq, I64, true),
        Op::BrIfI64NeImm => (Ne, I64, true),
        Op::BrIfI64LtSImm => (LtS, I64, true),
        Op::BrIfI64LtUImm => (LtU, I64, true),
        Op::BrIfI64GtSImm => (GtS, I64, true),
        Op::BrIfI64GtUImm => (GtU, I64, true),
        Op::BrIfI64LeSImm => (LeS, I64, true),
        Op::BrIfI64LeUImm => (LeU, I64, true),
        Op::BrIfI64GeSImm => (GeS, I64, true),
        Op::BrIfI64GeUImm => (GeU, I64, true),
        _ => return None,
    })
}
