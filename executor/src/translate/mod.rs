//! Translation of a validated function body into IR ([`crate::ir`]).
//!
//! The translator walks the Wasm operators once, validating each with wasmparser's function
//! validator before translating it, and keeps a *virtual* operand stack
//! ([`stack::Operand`]): a `local.get` emits nothing and its consumer reads the local's slot
//! directly; a result that is immediately stored by `local.set`/`local.tee` is written straight
//! into the local. The pending fuel of every elided instruction rides on the next emitted one
//! and is flushed before every label, so fuel stays exact whatever path runs.

mod control;
mod fuse;
mod ops;
mod signature;
mod stack;
mod visit;

use crate::error::Error;
use crate::fallible::{self, Growing};
use crate::ir::{fuel_of, opcode_word, Op, MAX_FUEL_PER_OP};
use crate::module::{val_type, Module};
use crate::value::ValType;
use alloc::vec::Vec;
use control::Control;
pub(crate) use signature::{code_checksum, fold_at, sign, signature_before, FUNCTION_ENTRY};
use signature::{flow, Flow};
use stack::Operand;
use wasmparser::{FuncValidator, FunctionBody, ValidatorResources};

/// Which store address an operand word must be patched to at instantiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelocKind {
    Func,
    Global,
    Table,
    Type,
    Data,
    Elem,
}

/// An operand word holding a module index that instantiation replaces by a store address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reloc {
    pub at: u32,
    pub kind: RelocKind,
}

/// A translated function body.
#[derive(Debug, Clone)]
pub(crate) struct CompiledFunc {
    /// The function's index in the module's function index space.
    pub index: u32,
    /// The module type index of the function.
    pub type_index: u32,
    pub num_params: u32,
    /// The types of the declared locals (after the parameters), for zeroing at entry.
    pub locals: Vec<ValType>,
    /// Slots the frame needs: parameters, locals and the deepest operand stack.
    pub frame_size: u32,
    pub code: Vec<u32>,
    pub relocs: Vec<Reloc>,
    /// `(IR offset, Wasm module offset)` of every emitted instruction, sorted: where in the
    /// module an instruction came from, looked up only to report a detection.
    pub positions: Vec<(u32, u32)>,
}

/// The state of translating one function.
pub(crate) struct Translator<'m> {
    /// The module offset of the Wasm instruction being translated.
    wasm_offset: u32,
    /// See [`CompiledFunc::positions`].
    positions: Growing<(u32, u32)>,
    module: &'m Module,
    /// The IR, relocations, positions and virtual stack grow with the function body, so
    /// their growth may be refused ([`Growing`], checked after every instruction).
    code: Growing<u32>,
    relocs: Growing<Reloc>,
    num_locals: u32,
    stack: Growing<Operand>,
    max_height: u32,
    controls: Vec<Control>,
    /// Fuel of elided instructions not yet charged by an emitted one.
    pending_fuel: u32,
    /// Blocks opened inside dead code (after `br`, `return`, ...), which emit nothing.
    dead_depth: u32,
    /// The last emitted instruction's `dst` word and the stack position it wrote, while it is
    /// still the top of the stack, so a following `local.set` can retarget it.
    last_result: Option<(usize, u32)>,
    /// Where the last opcode word was emitted.
    last_opcode: usize,
    /// Where the opcode word before it was emitted.
    prev_opcode: usize,
    /// The last label: the latest position code may jump to.
    label: usize,
}

fn too_large() -> Error {
    Error::Invalid("function too large to translate".into())
}

fn word(value: usize) -> Result<u32, Error> {
    u32::try_from(value).map_err(|_| too_large())
}

/// A validation error as the engine reports it.
fn invalid(e: wasmparser::BinaryReaderError) -> Error {
    Error::Invalid(alloc::format!(
        "{} (at offset {:#x})",
        e.message(),
        e.offset()
    ))
}

/// Validates and translates one function body of `module` (whose declarations are complete).
pub(crate) fn translate(
    module: &Module,
    validator: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
) -> Result<CompiledFunc, Error> {
    let func_index = validator.index();
    let ty = module.func_type(func_index).ok_or_else(too_large)?;
    let type_index = *module
        .funcs
        .get(func_index as usize)
        .ok_or_else(too_large)?;
    let num_params = word(ty.params().len())?;
    let num_results = word(ty.results().len())?;

    let mut locals = Vec::new();
    let mut locals_reader = body.get_locals_reader().map_err(invalid)?;
    for _ in 0..locals_reader.get_count() {
        let offset = locals_reader.original_position();
        let (count, ty) = locals_reader.read().map_err(invalid)?;
        validator
            .define_locals(offset, count, ty)
            .map_err(invalid)?;
        let ty = val_type(ty)?;
        // The validator bounds the total number of locals (50 000); still more than the
        // kernel's smallest allocations, so the room is reserved fallibly.
        locals
            .try_reserve(count as usize)
            .map_err(|_| fallible::refused())?;
        locals.extend(core::iter::repeat_n(ty, count as usize));
    }
    let num_locals = num_params
        .checked_add(word(locals.len())?)
        .ok_or_else(too_large)?;

    let range = body.range();
    let body_len = usize::try_from(range.end - range.start).unwrap_or(0);
    let mut translator = Translator {
        wasm_offset: 0,
        positions: Growing::default(),
        module,
        code: Growing::default(),
        relocs: Growing::default(),
        num_locals,
        stack: Growing::default(),
        max_height: 0,
        controls: Vec::new(),
        pending_fuel: 0,
        dead_depth: 0,
        last_result: None,
        last_opcode: 0,
        prev_opcode: 0,
        label: 0,
    };
    translator.controls.push(Control::function(num_results));
    // Room for the first instructions, so that no word before them is ever missing, and for
    // the usual IR size (about one word per body byte, an emitted instruction per three
    // bytes), so that emitting rarely reallocates; trimmed at the end.
    translator
        .code
        .try_reserve(body_len.max(FIRST_WORDS))
        .map_err(|_| fallible::refused())?;
    translator
        .positions
        .try_reserve(body_len / 3)
        .map_err(|_| fallible::refused())?;

    let mut reader = body.get_operators_reader().map_err(invalid)?;
    while !reader.eof() {
        let offset = reader.original_position();
        translator.wasm_offset = u32::try_from(offset).map_err(|_| too_large())?;
        let translated = reader
            .visit_operator(&mut visit::Both {
                validator: validator.visitor(offset),
                translator: &mut translator,
            })
            .map_err(invalid)
            .and_then(|translated| translated);
        // A refused push may have made the instruction fail some other way (a missing stack
        // entry); the refusal is the cause to report.
        translator.check_growth()?;
        translated?;
    }
    reader.finish().map_err(invalid)?;

    let frame_size = num_locals
        .checked_add(translator.max_height)
        .ok_or_else(too_large)?
        .max(num_results);
    Ok(CompiledFunc {
        index: func_index,
        type_index,
        num_params,
        locals,
        frame_size,
        code: trimmed(translator.code.into_vec())?,
        relocs: translator.relocs.into_vec(),
        positions: trimmed(translator.positions.into_vec())?,
    })
}

/// IR words reserved before translation starts (a few instructions).
const FIRST_WORDS: usize = 64;

/// `items` without a spare quarter or more of their capacity (the translation's estimate was
/// generous): a fallible copy, as shrinking in place could abort when refused.
fn trimmed<T: Clone>(items: Vec<T>) -> Result<Vec<T>, Error> {
    if items.capacity() - items.len() > items.len() / 4 {
        fallible::copy_of(&items, 0)
    } else {
        Ok(items)
    }
}

impl Translator<'_> {
    /// The memory limit error if growing the translation's buffers was refused.
    fn check_growth(&self) -> Result<(), Error> {
        self.code.check()?;
        self.positions.check()?;
        self.relocs.check()?;
        self.stack.check()
    }

    /// Emits an opcode word that charges `fuel` plus all pending fuel.
    fn emit_op(&mut self, op: Op, fuel: u32) {
        self.pair_additions();
        let mut total = self.pending_fuel + fuel;
        if total > MAX_FUEL_PER_OP {
            self.code
                .push(opcode_word(Op::Fuel, total - MAX_FUEL_PER_OP));
            total = MAX_FUEL_PER_OP;
        }
        self.pending_fuel = 0;
        self.last_result = None;
        // Fusion replaces instructions already emitted: their positions go with them.
        let at = self.code.len() as u32;
        while self.positions.last().is_some_and(|&(ir, _)| ir >= at) {
            self.positions.pop();
        }
        self.positions.push((at, self.wasm_offset));
        self.prev_opcode = self.last_opcode;
        self.last_opcode = self.code.len();
        self.code.push(opcode_word(op, total));
    }

    /// Merges the last two instructions into one `I32AddImm2` if both are `I32AddImm` and no
    /// label lies after the first (a jump may not land between them, and a label's offset
    /// must not move). Run before the next instruction is emitted, when fusion can no longer
    /// take the second over (sort, vm: one in ten dispatches was such a second addition).
    fn pair_additions(&mut self) {
        let (first, second) = (self.prev_opcode, self.last_opcode);
        let addition = |at: usize| {
            let word = self.code.get(at).copied();
            word.filter(|&word| Op::decode(word) == Some(Op::I32AddImm))
        };
        let (Some(first_word), Some(second_word)) = (addition(first), addition(second)) else {
            return;
        };
        let fuel = fuel_of(first_word) + fuel_of(second_word);
        let adjacent = first + 4 == second && second + 4 == self.code.len();
        if !adjacent || self.label > first || fuel > u64::from(MAX_FUEL_PER_OP) {
            return;
        }
        if let Some(word) = self.code.get_mut(first) {
            *word = opcode_word(Op::I32AddImm2, fuel as u32);
        }
        self.code.remove(second);
        if self
            .positions
            .last()
            .is_some_and(|&(ir, _)| ir as usize == second)
        {
            self.positions.pop();
        }
        self.last_opcode = first;
    }

    /// Emits an instruction standing for one Wasm instruction.
    fn emit(&mut self, op: Op, operands: &[u32]) {
        self.emit_op(op, 1);
        self.code.extend_from_slice(operands);
    }

    /// Emits a zero-fuel instruction (a move the translator inserted).
    fn emit_free(&mut self, op: Op, operands: &[u32]) {
        let pending = core::mem::take(&mut self.pending_fuel);
        self.emit_op(op, 0);
        self.pending_fuel = pending;
        self.code.extend_from_slice(operands);
    }

    /// Emits a one-fuel instruction whose first operand is the result slot of the value it
    /// pushes, and pushes it.
    fn emit_result(&mut self, op: Op, operands: &[u32]) -> Result<(), Error> {
        let position = self.height();
        let dst = self.push_home()?;
        self.emit_op(op, 1);
        self.last_result = Some((self.code.len(), position));
        self.code.push(dst);
        self.code.extend_from_slice(operands);
        Ok(())
    }

    /// Records that the operand word just emitted needs patching to a store address.
    fn reloc_last(&mut self, kind: RelocKind) -> Result<(), Error> {
        let at = word(self.code.len() - 1)?;
        self.relocs.push(Reloc { at, kind });
        Ok(())
    }

    /// Charges the current instruction's fuel on the next emitted instruction.
    fn defer_fuel(&mut self) {
        self.pending_fuel += 1;
        if self.pending_fuel >= MAX_FUEL_PER_OP {
            self.flush_fuel();
        }
    }

    /// Charges the pending fuel before a label can follow: code jumping to the label must not
    /// be charged for instructions before it.
    fn flush_fuel(&mut self) {
        if self.pending_fuel > 0 && !self.fold_pending_fuel() {
            self.emit_op(Op::Fuel, 0);
        }
        self.last_result = None;
    }

    /// Adds the pending fuel to the last instruction if every path here comes through it:
    /// no label since it started, and it runs on to the next instruction (a call excepted,
    /// whose callee would run on the fuel first). Charged a few elided instructions early,
    /// the same total, and no `Fuel` instruction to run: loop entries and block ends are
    /// mostly such places (sort: 4 % of the executed instructions were `Fuel`).
    fn fold_pending_fuel(&mut self) -> bool {
        if self.label > self.last_opcode {
            return false;
        }
        let Some(word) = self.code.get_mut(self.last_opcode) else {
            return false;
        };
        let Some(op) = Op::decode(*word) else {
            return false;
        };
        let fuel = fuel_of(*word) + u64::from(self.pending_fuel);
        let runs_on = matches!(flow(op), Flow::Next) && !matches!(op, Op::Call | Op::CallIndirect);
        if !runs_on || fuel > u64::from(MAX_FUEL_PER_OP) {
            return false;
        }
        *word = opcode_word(op, fuel as u32);
        self.pending_fuel = 0;
        true
    }

    /// A label at the next instruction: its IR offset, which code may jump to (every jump
    /// target comes from here, so that [`Self::fold_pending_fuel`] knows them all).
    fn label(&mut self) -> Result<u32, Error> {
        self.label = self.code.len();
        word(self.label)
    }
}
