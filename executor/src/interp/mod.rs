//! The interpreter loop.
//!
//! One `match` over the IR opcode per instruction, generic over the value [`Domain`] (its
//! dispatch copied into the end of every arm in uncounted runs, see `fetch!`). Every
//! word read at run time is checked: the program counter against its code's bound
//! ([`fetch::Code`]), operand words with `get`, slot operands against the current frame,
//! addresses of functions, globals, tables and segments against the store. A failed check is an [`Error::Corrupted`]; nothing here can panic or
//! read outside a Rust object, whatever bits a fault flips.
//!
//! [`Execution::execute`] switches between Wasm functions itself: a call pushes the caller's
//! [`Frame`] on the execution's heap call stack and continues in the callee, a return pops it
//! (see [`call`]). It leaves only for a host call, the return of the entry function, a pause,
//! a call that needs a larger stack ([`Transfer::Reserve`]) and the instructions of [`rare`];
//! [`Execution::run_loop`] handles those. Calls therefore never nest on the native stack.
//!
//! Speed comes from the register allocator: the loop's state (pc, fuel, code, frame) must stay
//! in registers. So every failed check is a cold path ([`Check`], `fail!`), and nothing the
//! common path runs calls out of line (allocation, `memmove`, bulk operations are in
//! [`rare`] or behind `Transfer::Reserve`).

mod bulk;
pub(crate) mod call;
mod fetch;
mod hot;
mod rare;

use crate::config::FuelCount;
use crate::domain::{
    Conversion, Domain, FloatBinop, FloatRelop, FloatUnop, IntBinop, IntRelop, IntUnop,
};
use crate::error::{Corruption, Error, LimitKind, TrapCode};
use crate::exec::{Execution, Frame, Pause};
use crate::ir::{fuel_of, opcode, Dispatch, Extended, FETCH};
use crate::store::{Func, Store};
use crate::translate::{code_checksum, signature_before, FUNCTION_ENTRY};
use fetch::Code;

/// Why [`Execution::execute`] left the loop.
enum Transfer {
    /// Call host function `func` with its arguments at `frame_offset` in the current frame.
    Call { func: u32, frame_offset: u32 },
    /// The entry function returns `count` results (already in the frame's first slots).
    Return { count: u32 },
    /// Run the instruction with this opcode word at the pc out of the loop ([`rare`]); its
    /// fuel is charged.
    Rare(u32),
    /// Grow the call stack by a frame and the value stack to `stack_end` slots, then run the
    /// call instruction at the pc again (its fuel is not charged).
    Reserve { stack_end: usize },
    /// Stop and hand this to the driver.
    Pause(Pause),
}

impl<D: Domain> Execution<D> {
    /// Runs until the call finishes or pauses.
    pub(crate) fn run_loop(&mut self, store: &mut Store<D>) -> Result<Pause, Error> {
        loop {
            let counted = store.config.fuel_count == FuelCount::Exact
                || self.fuel_limit.min(self.next_hook).min(self.pause_at) != u64::MAX;
            let transfer = if counted {
                self.execute::<true>(store)
            } else {
                self.execute::<false>(store)
            };
            let transfer = match transfer {
                Err(Error::Trap(trap)) if D::SIGNATURES => {
                    return Err(self.confirm_trap(store, trap))
                }
                other => other?,
            };
            let pause = match transfer {
                Transfer::Call { func, frame_offset } => {
                    let caller = Frame {
                        func: self.func,
                        pc: self.pc,
                        base: self.base,
                    };
                    let base = self.base as usize + frame_offset as usize;
                    self.call(store, func, base, Some(caller))?
                }
                Transfer::Return { count } => self.return_(count)?,
                Transfer::Rare(word) => match self.rare_op(store, word) {
                    Err(Error::Trap(trap)) if D::SIGNATURES => {
                        return Err(self.confirm_trap(store, trap))
                    }
                    other => other.map(|()| None)?,
                },
                Transfer::Reserve { stack_end } => {
                    call::reserve::<D>(self, stack_end)?;
                    None
                }
                Transfer::Pause(pause) => Some(pause),
            };
            if let Some(pause) = pause {
                return Ok(pause);
            }
        }
    }

    /// Decides what a fuel threshold crossing means: the stop point, a hook or the end of
    /// the fuel. The instruction at the pc has not run.
    fn fuel_event(&mut self, cost: u64) -> Result<Pause, Error> {
        let needed = self.fuel_used + cost;
        if needed > self.pause_at {
            self.pause_at = u64::MAX;
            return Ok(Pause::Stopped);
        }
        if needed > self.next_hook {
            while self.next_hook < needed {
                self.next_hook = self.next_hook.saturating_add(self.hook_interval);
            }
            return Ok(Pause::Hook);
        }
        Err(LimitKind::Fuel.into())
    }

    /// A trap in an encoded store is reported only if the trapping function's code is
    /// intact and the runtime signature is the static one of the trapping instruction. A
    /// flipped word that ran before the next signature check (a wrong slot, offset or opcode)
    /// can make a correct program trap, and so can a program counter moved to intact code
    /// (the signature is then still that of the place it left): both are detected faults, not
    /// the program's trap. Verified once, at the end of the run: the checksum over the whole
    /// function, the signature by folding the trapping instruction's block up to it. A trap
    /// of a fault-free run always passes both, so it stays the trap plain mode raises.
    fn confirm_trap(&self, store: &Store<D>, trap: TrapCode) -> Error {
        let Some(Func::Wasm(function)) = store.funcs.get(self.func as usize) else {
            return Corruption::BadChecksum.into();
        };
        if code_checksum(&function.code) != function.checksum {
            return Corruption::BadChecksum.into();
        }
        let expected = signature_before(&function.code, &function.blocks, self.pc as usize);
        if expected != Some(self.signature) {
            return Corruption::BadSignature.into();
        }
        trap.into()
    }
}

/// `Option::ok_or` for the interpreter's checks, with the failure path marked cold: the
/// compiler then lays out and allocates registers for the path where every check passes
/// (otherwise it weighs each failed bounds check as likely as a passed one).
trait Check<T> {
    fn check(self, error: impl Into<Error>) -> Result<T, Error>;
}

impl<T> Check<T> for Option<T> {
    #[inline(always)]
    fn check(self, error: impl Into<Error>) -> Result<T, Error> {
        match self {
            Some(value) => Ok(value),
            None => {
                core::hint::cold_path();
                Err(error.into())
            }
        }
    }
}

/// Returns the error `$error` from a path marked cold (see [`Check`]).
macro_rules! fail {
    ($error:expr) => {{
        core::hint::cold_path();
        return Err($error.into());
    }};
}

/// Builds the instruction `match`: one arm per numeric operation (through the `unary` or
/// `binary` handler macro named by the caller) and the caller's own arms, on the opcode
/// word's low byte ([`Dispatch`]); for `Extended`, a second `match` on its second byte
/// ([`Extended`]) with the caller's arms for those operations and its catch-all arm last.
/// Every arm gets its dispatch weight ([`dispatch_weight`]); the catch-all (the
/// instructions of [`rare`] and corrupted opcodes) weighs as a cold arm.
macro_rules! instruction_match {
    ([$word:ident $unary:ident $binary:ident {
        $(opcode::$arm:ident => $body:expr,)*
     } extended {
        $(opcode::$extended:ident => $extended_body:expr,)*
        rare [$($rare:ident)*] => $other:expr $(,)?
     }]
     $($name:ident $arity:tt $method:ident $operation:path),* $(,)?) => {
        match Dispatch::of($word) {
            $(Dispatch::$name => {
                dispatch_weight!($name);
                numeric_arm!($arity $unary $binary $method $operation)
            })*
            $(Dispatch::$arm => {
                dispatch_weight!($arm);
                $body
            })*
            Dispatch::Extended => match Extended::of($word) {
                $(Extended::$extended => {
                    dispatch_weight!($extended);
                    $extended_body
                })*
                $(Extended::$rare)|* | Extended::Invalid => {
                    if cfg!(wasmrel_no_jump_tables) {
                        core::hint::cold_path();
                    }
                    $other
                }
            },
        }
    };
}

/// In a build without jump tables (`--cfg wasmrel_no_jump_tables`, which `kmod/Kbuild` sets
/// when the kernel's Rust flags turn them off), marks the arm of opcode `$name` cold unless it
/// is [`hot::hot`]: LLVM lowers the `match` to a compare tree balanced by the arms' weights,
/// so the hot opcodes sit near its root. Elsewhere nothing: with a jump table every arm is one
/// indirect jump away, and the weights only moved the register allocation of the loop
/// (callgrind, plain user space: 15-17 % more instructions with them).
macro_rules! dispatch_weight {
    ($name:ident) => {
        if cfg!(wasmrel_no_jump_tables) && !const { hot::hot(opcode::$name) } {
            core::hint::cold_path();
        }
    };
}

macro_rules! numeric_arm {
    (1 $unary:ident $binary:ident $method:ident $operation:path) => {
        $unary!($method, $operation)
    };
    (2 $unary:ident $binary:ident $method:ident $operation:path) => {
        $binary!($method, $operation)
    };
}

impl<D: Domain> Execution<D> {
    /// Runs the current function from `self.pc` until a call, return or pause, charging
    /// each instruction's fuel if `COUNTED` (else the fuel used stays as it was; see
    /// [`FuelCount`]).
    #[allow(clippy::too_many_lines)]
    fn execute<const COUNTED: bool>(&mut self, store: &mut Store<D>) -> Result<Transfer, Error> {
        let Store {
            funcs,
            memories,
            globals,
            tables,
            config,
            ..
        } = store;
        let limits = &config.limits;
        let Some(Func::Wasm(function)) = funcs.get(self.func as usize) else {
            fail!(Corruption::BadFrame);
        };
        let mut code = Code::new(&function.code).check(Corruption::PcOutOfRange)?;
        let mut memory = memories
            .get_mut(function.memory as usize)
            .check(Corruption::BadIndex)?;
        // The fuel count at which the loop must stop (read from the fields, not through a
        // method: `frame` borrows `self.stack`).
        macro_rules! threshold {
            () => {
                self.fuel_limit.min(self.next_hook).min(self.pause_at)
            };
        }
        let base = self.base as usize;
        let mut frame = self
            .stack
            .get_mut(base..base + function.frame_size as usize)
            .check(Corruption::SlotOutOfFrame)?;
        // The program counter (a `u32` outside the loop; wrapping adds here, so a corrupted pc
        // fails the next fetch, see `Code::window`).
        let mut pc: usize = self.pc as usize;
        // The fuel of the current instruction (declared here for the macros below; uncounted
        // runs charge nothing).
        let mut cost: u64 = 0;
        // The opcode word of the current instruction and the words after it (likewise).
        let mut window: &[u32; FETCH];
        // Fuel left before the threshold: one counter in the loop instead of two.
        // (The threshold and the frame base stay in `self`: fewer values for the loop to keep
        // in registers.)
        let Some(mut remaining) = threshold!().checked_sub(self.fuel_used) else {
            // Already past it (a stop point set in the past): as the first instruction would.
            let word = *code.words().get(pc).check(Corruption::PcOutOfRange)?;
            return Ok(Transfer::Pause(self.fuel_event(fuel_of(word))?));
        };
        // The runtime control-flow signature (`translate::signature`); encoded stores only.
        let mut signature = self.signature;
        // The signature words after a conditional branch's operands (none in plain code).
        let edge_words: usize = if D::SIGNATURES { 3 } else { 0 };
        // The signature word after a call's operands (likewise).
        let call_words: usize = if D::SIGNATURES { 1 } else { 0 };

        // Operand word `i` of the current instruction: the first `FETCH - 1` come with the
        // opcode word's fetch (see the loop), later ones are fetched with a bounds check.
        macro_rules! operand {
            (1) => {
                window[1]
            };
            (2) => {
                window[2]
            };
            (3) => {
                window[3]
            };
            ($i:expr) => {
                match window.get($i) {
                    Some(word) => *word,
                    None => *code.words().get(pc + $i).check(Corruption::PcOutOfRange)?,
                }
            };
        }
        // The slot named by operand word `i`.
        macro_rules! slot {
            ($i:expr) => {
                get!(operand!($i))
            };
        }
        // Writes the slot named by operand word `i`.
        macro_rules! set {
            ($i:expr, $value:expr) => {
                put!(operand!($i), $value)
            };
        }
        // Gives back the current instruction's fuel (cold paths only). Through `black_box`:
        // otherwise the optimiser sees that this restores the count before the charge and keeps
        // a copy of it, one more register and move on the hot path of every instruction.
        macro_rules! uncharge {
            () => {
                if COUNTED {
                    remaining = remaining.wrapping_add(core::hint::black_box(cost));
                }
            };
        }
        // Moves the pc past the current instruction, `$n` words long (wrapping: a corrupted pc
        // fails the next fetch, it cannot overflow).
        macro_rules! advance {
            ($n:expr) => {{
                pc = pc.wrapping_add($n);
                fetch!();
            }};
        }
        // Where the pc moves: an uncounted run fetches the next instruction here, at the end
        // of the current one, so that its loop head is one straight block (decode and jump)
        // that the compiler copies into every arm: each instruction then ends in its own
        // indirect jump. A counted run fetches at the head, next to its fuel check (which
        // branches anyway; fetched here too it measured slower, `ARCHITECTURE.md`).
        macro_rules! fetch {
            () => {
                if !COUNTED {
                    fetch_now!();
                }
            };
        }
        // Fetches the instruction at the pc: its opcode word and the `FETCH - 1` words after
        // it in one bounds check (the code is padded, `ir::PADDING`, so that every
        // instruction has them).
        macro_rules! fetch_now {
            () => {{
                window = match code.window(pc) {
                    Ok(fetched) => fetched,
                    Err(corruption) => fail!(corruption),
                };
            }};
        }
        // Saves the state and leaves the loop.
        macro_rules! leave {
            ($transfer:expr) => {{
                self.pc = pc as u32;
                self.fuel_used = threshold!() - remaining;
                self.signature = signature;
                return Ok($transfer);
            }};
        }
        // Switches the loop's state to Wasm function `$func` (pc, code, memory, frame).
        macro_rules! switch_to {
            ($func:expr, $callee:expr, $pc:expr, $base:expr) => {{
                let callee = $callee;
                self.func = $func;
                pc = $pc as usize;
                let base: usize = $base;
                self.base = base as u32;
                code = Code::new(&callee.code).check(Corruption::PcOutOfRange)?;
                memory = memories
                    .get_mut(callee.memory as usize)
                    .check(Corruption::BadIndex)?;
                frame = self
                    .stack
                    .get_mut(base..base + callee.frame_size as usize)
                    .check(Corruption::SlotOutOfFrame)?;
                fetch!();
            }};
        }
        // Calls `$func` with its frame at `$frame_offset` from an instruction `$length` words
        // long; host functions leave the loop. A call that needs a larger stack leaves the loop
        // to grow it and runs again (so the loop never calls the allocator).
        macro_rules! call {
            ($func:expr, $frame_offset:expr, $length:expr) => {{
                let (func, frame_offset) = ($func, $frame_offset);
                let Some(Func::Wasm(callee)) = funcs.get(func as usize) else {
                    pc = pc.wrapping_add($length);
                    leave!(Transfer::Call { func, frame_offset });
                };
                if self.frames.len() + 2 > limits.max_call_depth as usize {
                    fail!(LimitKind::CallDepth);
                }
                let callee_base = self.base as usize + frame_offset as usize;
                let stack_end = callee_base + callee.frame_size as usize;
                if stack_end > limits.max_stack_slots as usize {
                    fail!(LimitKind::Stack);
                }
                let room = self.frames.len() < self.frames.capacity()
                    && stack_end <= self.stack.len()
                    && (!D::SIGNATURES || self.signatures.len() < self.signatures.capacity());
                if !room {
                    core::hint::cold_path();
                    uncharge!();
                    signature = self.signature;
                    leave!(Transfer::Reserve { stack_end });
                }
                self.frames.push(Frame {
                    func: self.func,
                    pc: pc.wrapping_add($length) as u32,
                    base: self.base,
                });
                if D::SIGNATURES {
                    self.signatures.push(signature);
                    signature = FUNCTION_ENTRY;
                }
                call::zero_locals::<D>(&mut self.stack, callee, callee_base)?;
                switch_to!(func, callee, 0, callee_base);
            }};
        }
        // The first `$n` operand words of the current instruction (fetched with it).
        macro_rules! operands {
            (2) => {
                [window[1], window[2]]
            };
            (3) => {
                [window[1], window[2], window[3]]
            };
        }
        // The frame slot `$index` (checked, then indexed: the compiler drops the indexing's
        // own check).
        macro_rules! get {
            ($index:expr) => {{
                let index = $index as usize;
                if index >= frame.len() {
                    fail!(Corruption::SlotOutOfFrame);
                }
                #[allow(clippy::indexing_slicing)] // in bounds: checked just above
                let value = frame[index];
                value
            }};
        }
        // Writes the frame slot `$index`.
        macro_rules! put {
            ($index:expr, $value:expr) => {{
                let value = $value;
                let index = $index as usize;
                if index >= frame.len() {
                    fail!(Corruption::SlotOutOfFrame);
                }
                #[allow(clippy::indexing_slicing)] // in bounds: checked just above
                let slot = &mut frame[index];
                *slot = value;
            }};
        }
        macro_rules! unary {
            ($method:ident, $operation:path) => {{
                sign!(2);
                let [dst, a] = operands!(2);
                put!(dst, D::$method($operation, get!(a))?);
                advance!(3);
            }};
        }
        macro_rules! binary {
            ($method:ident, $operation:path) => {{
                sign!(3);
                let [dst, a, b] = operands!(3);
                put!(dst, D::$method($operation, get!(a), get!(b))?);
                advance!(4);
            }};
        }
        // Jumps to `$target`; a free jump must go forward (see `ir`), so corrupted code cannot
        // loop without consuming fuel (an uncounted run has no fuel to consume).
        macro_rules! jump {
            ($target:expr) => {{
                let target: u32 = $target;
                if COUNTED && cost == 0 && target as usize <= pc {
                    fail!(Corruption::FreeBackwardJump);
                }
                pc = target as usize;
                fetch!();
            }};
        }
        macro_rules! binary_immediate {
            ($method:ident, $operation:path, $from:ident, $widen:ty) => {{
                sign!(3);
                let [dst, a, immediate] = operands!(3);
                let immediate = D::$from(<$widen>::from(immediate as i32));
                put!(dst, D::$method($operation, get!(a), immediate)?);
                advance!(4);
            }};
        }
        // Folds the current instruction into the runtime signature: its opcode word and its
        // first `$own` operand words (`Op::window_operands`; the first thing every arm does,
        // encoded stores only).
        macro_rules! sign {
            ($own:literal) => {
                if D::SIGNATURES {
                    let [word, first, second, third, ..] = *window;
                    let operands = [first, second, third];
                    let mixed = wasmrel_checker::mix(word, operands, $own);
                    signature = wasmrel_checker::fold(signature, mixed);
                }
            };
        }
        // Folds operand words beyond the fetched window into the runtime signature (the
        // few instructions with more than three operands; encoded stores only).
        macro_rules! sign_operands {
            ($($i:literal),*) => {
                if D::SIGNATURES {
                    $(signature = wasmrel_checker::fold(signature, operand!($i));)*
                }
            };
        }
        // Checks the runtime signature against the static value in operand word `$i`: at a
        // block's exit, before a call (a host call is an effect) and before a return.
        macro_rules! check_signature {
            ($i:expr) => {
                if D::SIGNATURES && signature != operand!($i) {
                    fail!(Corruption::BadSignature);
                }
            };
        }
        // A conditional branch's signature update, selected by the encoded condition itself
        // from the two edge words at operand `$at` (encoded stores only).
        macro_rules! branch_signature {
            ($condition:expr, $at:literal) => {
                check_signature!($at);
                if D::SIGNATURES {
                    let [if_true, if_false] = [operand!($at + 1), operand!($at + 2)];
                    let flag = D::branch_flag($condition);
                    signature = wasmrel_checker::branch(signature, flag, if_true, if_false);
                }
            };
        }
        macro_rules! branch_compare {
            ($method:ident, $relop:path) => {{
                sign!(3);
                let [a, b, target] = operands!(3);
                let holds = D::$method($relop, get!(a), get!(b))?;
                branch_signature!(holds, 4);
                if D::condition(holds)? {
                    jump!(target);
                } else {
                    advance!(4 + edge_words);
                }
            }};
        }
        macro_rules! branch_compare_immediate {
            ($relop:path) => {
                branch_compare_immediate!(i32_relop, $relop, from_i32, i32)
            };
            ($method:ident, $relop:path, $from:ident, $widen:ty) => {{
                sign!(3);
                let [a, immediate, target] = operands!(3);
                let immediate = D::$from(<$widen>::from(immediate as i32));
                let holds = D::$method($relop, get!(a), immediate)?;
                branch_signature!(holds, 4);
                if D::condition(holds)? {
                    jump!(target);
                } else {
                    advance!(4 + edge_words);
                }
            }};
        }
        // A store to linear memory; encoded stores keep its protection up to date.
        macro_rules! write_memory {
            ($address:expr, $offset:expr, $bytes:expr) => {
                if D::CHECKS_MEMORY {
                    memory.store_checked($address, $offset, $bytes)?;
                } else {
                    memory.store($address, $offset, $bytes)?;
                }
            };
        }
        // A load from linear memory; encoded stores check its protection.
        macro_rules! read_memory {
            ($n:literal, $address:expr, $offset:expr) => {{
                let bytes: [u8; $n] = if D::CHECKS_MEMORY {
                    memory.load_checked($address, $offset)?
                } else {
                    memory.load($address, $offset)?
                };
                bytes
            }};
        }
        macro_rules! load {
            ($n:literal, $convert:expr) => {{
                sign!(3);
                let [dst, address, offset] = operands!(3);
                let address = D::to_i32(get!(address))? as u32;
                put!(dst, $convert(read_memory!($n, address, offset)));
                advance!(4);
            }};
        }
        // A load from `base + index` (a fused `i32.add`, wrapping as Wasm's does).
        macro_rules! load_indexed {
            ($n:literal, $convert:expr) => {{
                sign!(3);
                let [dst, base, index] = operands!(3);
                let offset = operand!(4);
                sign_operands!(4);
                let address = D::i32_binop(IntBinop::Add, get!(base), get!(index))?;
                let address = D::to_i32(address)? as u32;
                put!(dst, $convert(read_memory!($n, address, offset)));
                advance!(5);
            }};
        }
        // A load from `address + immediate` (a fused `i32.add` of a constant, wrapping).
        macro_rules! load_plus {
            ($n:literal, $convert:expr) => {{
                sign!(3);
                let [dst, address, immediate] = operands!(3);
                let offset = operand!(4);
                sign_operands!(4);
                let address = (D::to_i32(get!(address))? as u32).wrapping_add(immediate);
                put!(dst, $convert(read_memory!($n, address, offset)));
                advance!(5);
            }};
        }
        // A store to `address + immediate` (likewise).
        macro_rules! store_plus {
            ($convert:expr) => {{
                sign!(3);
                let [address, value, immediate] = operands!(3);
                let offset = operand!(4);
                sign_operands!(4);
                let address = (D::to_i32(get!(address))? as u32).wrapping_add(immediate);
                let bytes = $convert(get!(value))?;
                write_memory!(address, offset, bytes);
                advance!(5);
            }};
        }
        // A load whose address is an operand word, not a slot.
        macro_rules! load_at {
            ($n:literal, $convert:expr) => {{
                sign!(3);
                let [dst, address, offset] = operands!(3);
                put!(dst, $convert(read_memory!($n, address, offset)));
                advance!(4);
            }};
        }
        macro_rules! store {
            ($convert:expr) => {{
                sign!(3);
                let [address, value, offset] = operands!(3);
                let address = D::to_i32(get!(address))? as u32;
                let bytes = $convert(get!(value))?;
                write_memory!(address, offset, bytes);
                advance!(4);
            }};
        }
        // A store of an immediate, encoded into the domain like any constant.
        macro_rules! store_immediate {
            ($encode:expr, $convert:expr) => {{
                sign!(3);
                let [address, immediate, offset] = operands!(3);
                let address = D::to_i32(get!(address))? as u32;
                let bytes = $convert($encode(immediate as i32))?;
                write_memory!(address, offset, bytes);
                advance!(4);
            }};
        }

        fetch_now!();
        loop {
            if COUNTED {
                fetch_now!();
            }
            let word = window[0];
            if COUNTED {
                cost = fuel_of(word);
                let short;
                (remaining, short) = remaining.overflowing_sub(cost);
                if short {
                    core::hint::cold_path();
                    uncharge!();
                    // The loop may have switched frames (in-loop calls): `self` has the frame.
                    self.pc = pc as u32;
                    self.fuel_used = threshold!() - remaining;
                    self.signature = signature;
                    return Ok(Transfer::Pause(self.fuel_event(cost)?));
                }
            }
            if D::DETECTS {
                // Where a failed check will say it happened (one store; see `Domain`).
                self.pc = pc as u32;
                if D::SIGNATURES {
                    // The signature before this instruction: what a trap is checked against
                    // (`confirm_trap`) and where a call that runs again restarts from.
                    self.signature = signature;
                }
            }
            for_each_numeric_op! { instruction_match word unary binary {
                opcode::BrIfI32Eq => branch_compare!(i32_relop, IntRelop::Eq),
                opcode::BrIfI32Ne => branch_compare!(i32_relop, IntRelop::Ne),
                opcode::BrIfI32LtS => branch_compare!(i32_relop, IntRelop::LtS),
                opcode::BrIfI32LtU => branch_compare!(i32_relop, IntRelop::LtU),
                opcode::BrIfI32GtS => branch_compare!(i32_relop, IntRelop::GtS),
                opcode::BrIfI32GtU => branch_compare!(i32_relop, IntRelop::GtU),
                opcode::BrIfI32LeS => branch_compare!(i32_relop, IntRelop::LeS),
                opcode::BrIfI32LeU => branch_compare!(i32_relop, IntRelop::LeU),
                opcode::BrIfI32GeS => branch_compare!(i32_relop, IntRelop::GeS),
                opcode::BrIfI32GeU => branch_compare!(i32_relop, IntRelop::GeU),
                opcode::BrIfI32EqImm => branch_compare_immediate!(IntRelop::Eq),
                opcode::BrIfI32NeImm => branch_compare_immediate!(IntRelop::Ne),
                opcode::BrIfI32LtSImm => branch_compare_immediate!(IntRelop::LtS),
                opcode::BrIfI32LtUImm => branch_compare_immediate!(IntRelop::LtU),
                opcode::BrIfI32GtSImm => branch_compare_immediate!(IntRelop::GtS),
                opcode::BrIfI32GtUImm => branch_compare_immediate!(IntRelop::GtU),
                opcode::BrIfI32LeSImm => branch_compare_immediate!(IntRelop::LeS),
                opcode::BrIfI32LeUImm => branch_compare_immediate!(IntRelop::LeU),
                opcode::BrIfI32GeSImm => branch_compare_immediate!(IntRelop::GeS),
                opcode::BrIfI32GeUImm => branch_compare_immediate!(IntRelop::GeU),
                opcode::I32AddImm => binary_immediate!(i32_binop, IntBinop::Add, from_i32, i32),
                opcode::I32AddImm2 => {
                    sign!(3);
                    sign_operands!(4, 5, 6);
                    let [dst, a, immediate] = operands!(3);
                    let sum = D::i32_binop(IntBinop::Add, get!(a), D::from_i32(immediate as i32))?;
                    put!(dst, sum);
                    let [dst, a, immediate] = [operand!(4), operand!(5), operand!(6)];
                    let sum = D::i32_binop(IntBinop::Add, get!(a), D::from_i32(immediate as i32))?;
                    put!(dst, sum);
                    advance!(7);
                },
                opcode::I32SubImm => binary_immediate!(i32_binop, IntBinop::Sub, from_i32, i32),
                opcode::I32MulImm => binary_immediate!(i32_binop, IntBinop::Mul, from_i32, i32),
                opcode::I32AndImm => binary_immediate!(i32_binop, IntBinop::And, from_i32, i32),
                opcode::I32OrImm => binary_immediate!(i32_binop, IntBinop::Or, from_i32, i32),
                opcode::I32XorImm => binary_immediate!(i32_binop, IntBinop::Xor, from_i32, i32),
                opcode::I32ShlImm => binary_immediate!(i32_binop, IntBinop::Shl, from_i32, i32),
                opcode::I32ShrSImm => binary_immediate!(i32_binop, IntBinop::ShrS, from_i32, i32),
                opcode::I32ShrUImm => binary_immediate!(i32_binop, IntBinop::ShrU, from_i32, i32),
                opcode::I32RotlImm => binary_immediate!(i32_binop, IntBinop::Rotl, from_i32, i32),
                opcode::I32RotrImm => binary_immediate!(i32_binop, IntBinop::Rotr, from_i32, i32),
                opcode::I32EqImm => binary_immediate!(i32_relop, IntRelop::Eq, from_i32, i32),
                opcode::I32NeImm => binary_immediate!(i32_relop, IntRelop::Ne, from_i32, i32),
                opcode::I32LtSImm => binary_immediate!(i32_relop, IntRelop::LtS, from_i32, i32),
                opcode::I32LtUImm => binary_immediate!(i32_relop, IntRelop::LtU, from_i32, i32),
                opcode::I32GtSImm => binary_immediate!(i32_relop, IntRelop::GtS, from_i32, i32),
                opcode::I32GtUImm => binary_immediate!(i32_relop, IntRelop::GtU, from_i32, i32),
                opcode::I32LeSImm => binary_immediate!(i32_relop, IntRelop::LeS, from_i32, i32),
                opcode::I32LeUImm => binary_immediate!(i32_relop, IntRelop::LeU, from_i32, i32),
                opcode::I32GeSImm => binary_immediate!(i32_relop, IntRelop::GeS, from_i32, i32),
                opcode::I32GeUImm => binary_immediate!(i32_relop, IntRelop::GeU, from_i32, i32),
                opcode::I32StoreImm => {
                    store_immediate!(D::from_i32, |s| D::to_i32(s).map(i32::to_le_bytes))
                },
                opcode::I32Store8Imm => {
                    store_immediate!(D::from_i32, |s| D::to_i32(s).map(|v| [v as u8]))
                },
                opcode::I32Store16Imm => store_immediate!(D::from_i32, |s| D::to_i32(s)
                    .map(|v| (v as u16).to_le_bytes())),
                opcode::I64StoreImm => store_immediate!(
                    |v: i32| D::from_i64(i64::from(v)),
                    |s| D::to_i64(s).map(i64::to_le_bytes)
                ),
                opcode::I64AddImm => binary_immediate!(i64_binop, IntBinop::Add, from_i64, i64),
                opcode::BrIfI64NeImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::Ne, from_i64, i64)
                },
                opcode::BrIfI64LtUImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::LtU, from_i64, i64)
                },
                opcode::BrIfI64GtUImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::GtU, from_i64, i64)
                },
                opcode::Fuel => {
                    sign!(0);
                    advance!(1);
                },
                opcode::Copy => {
                    sign!(2);
                    let [dst, src] = operands!(2);
                    put!(dst, get!(src));
                    advance!(3);
                },
                opcode::ConstI32 => {
                    sign!(2);
                    let [dst, value] = operands!(2);
                    put!(dst, D::from_i32(value as i32));
                    advance!(3);
                },
                opcode::ConstF32 => {
                    sign!(2);
                    set!(1, D::from_f32(operand!(2)));
                    advance!(3);
                },
                opcode::ConstI64 => {
                    sign!(3);
                    let bits = u64::from(operand!(2)) | (u64::from(operand!(3)) << 32);
                    set!(1, D::from_i64(bits as i64));
                    advance!(4);
                },
                opcode::ConstF64 => {
                    sign!(3);
                    let bits = u64::from(operand!(2)) | (u64::from(operand!(3)) << 32);
                    set!(1, D::from_f64(bits));
                    advance!(4);
                },
                opcode::Unreachable => fail!(TrapCode::Unreachable),
                opcode::Br => {
                    sign!(1);
                    check_signature!(2);
                    if D::SIGNATURES {
                        signature ^= operand!(3);
                    }
                    jump!(operand!(1));
                },
                opcode::BrIfNez => {
                    sign!(2);
                    let [condition, target] = operands!(2);
                    let condition = get!(condition);
                    branch_signature!(condition, 3);
                    if D::condition(condition)? {
                        jump!(target);
                    } else {
                        advance!(3 + edge_words);
                    }
                },
                opcode::BrIfEqz => {
                    sign!(2);
                    let [condition, target] = operands!(2);
                    let condition = get!(condition);
                    branch_signature!(condition, 3);
                    if D::condition(condition)? {
                        advance!(3 + edge_words);
                    } else {
                        jump!(target);
                    }
                },
                opcode::BrTable => {
                    sign!(3);
                    let index = D::to_i32(slot!(1))? as u32;
                    let count = operand!(2);
                    let entry = index.min(count) as usize;
                    check_signature!(4 + count as usize);
                    if D::SIGNATURES {
                        signature ^= operand!(5 + count as usize + entry);
                    }
                    jump!(operand!(3 + entry));
                },
                opcode::Return => {
                    sign!(2);
                    let (first, count) = (operand!(1) as usize, operand!(2));
                    let results = first..first + count as usize;
                    if results.end > frame.len() {
                        fail!(Corruption::SlotOutOfFrame);
                    }
                    check_signature!(3);
                    // Few results: a loop, not a call of `memmove` (see `rare`).
                    for (to, from) in results.enumerate() {
                        put!(to, get!(from));
                    }
                    let Some(caller) = self.frames.pop() else {
                        leave!(Transfer::Return { count });
                    };
                    if D::SIGNATURES {
                        signature = self.signatures.pop().check(Corruption::BadFrame)?;
                    }
                    let Some(Func::Wasm(function)) = funcs.get(caller.func as usize) else {
                        fail!(Corruption::BadFrame);
                    };
                    switch_to!(caller.func, function, caller.pc, caller.base as usize);
                },
                opcode::Call => {
                    sign!(2);
                    let (func, frame_offset) = (operand!(1), operand!(2));
                    check_signature!(3);
                    call!(func, frame_offset, 3 + call_words);
                },
                opcode::CallIndirect => {
                    sign!(3);
                    let (type_id, table) = (operand!(1), operand!(2));
                    let index = D::to_i32(slot!(3))? as u32;
                    let frame_offset = operand!(4);
                    sign_operands!(4);
                    check_signature!(5);
                    let table = tables.get(table as usize).check(Corruption::BadIndex)?;
                    let element = table.get(index).map_err(|_| TrapCode::UndefinedElement)?;
                    let func = element.checked_sub(1).check(TrapCode::UninitializedElement)?;
                    let func = u32::try_from(func).map_err(|_| Corruption::BadIndex)?;
                    let callee = funcs.get(func as usize).check(Corruption::BadIndex)?;
                    if callee.type_id() != type_id {
                        fail!(TrapCode::IndirectCallTypeMismatch);
                    }
                    call!(func, frame_offset, 5 + call_words);
                },
                opcode::Select => {
                    sign!(3);
                    sign_operands!(4);
                    let chosen = if D::condition(slot!(2))? { slot!(3) } else { slot!(4) };
                    set!(1, chosen);
                    advance!(5);
                },
                opcode::GlobalGet => {
                    sign!(2);
                    let global = globals.get(operand!(2) as usize).check(Corruption::BadIndex)?;
                    set!(1, global.value);
                    advance!(3);
                },
                opcode::GlobalSet => {
                    sign!(2);
                    let value = slot!(2);
                    let global = globals.get_mut(operand!(1) as usize);
                    global.check(Corruption::BadIndex)?.value = value;
                    advance!(3);
                },
                opcode::I32Load => load!(4, |b| D::from_i32(i32::from_le_bytes(b))),
                opcode::I32LoadPlus => load_plus!(4, |b| D::from_i32(i32::from_le_bytes(b))),
                opcode::I32LoadIndexed => load_indexed!(4, |b| D::from_i32(i32::from_le_bytes(b))),
                opcode::I32LoadAt => load_at!(4, |b| D::from_i32(i32::from_le_bytes(b))),
                opcode::I64Load => load!(8, |b| D::from_i64(i64::from_le_bytes(b))),
                opcode::I64LoadPlus => load_plus!(8, |b| D::from_i64(i64::from_le_bytes(b))),
                opcode::I64LoadIndexed => load_indexed!(8, |b| D::from_i64(i64::from_le_bytes(b))),
                opcode::F32Load => load!(4, |b| D::from_f32(u32::from_le_bytes(b))),
                opcode::F32LoadPlus => load_plus!(4, |b| D::from_f32(u32::from_le_bytes(b))),
                opcode::F32LoadIndexed => load_indexed!(4, |b| D::from_f32(u32::from_le_bytes(b))),
                opcode::F64Load => load!(8, |b| D::from_f64(u64::from_le_bytes(b))),
                opcode::F64LoadPlus => load_plus!(8, |b| D::from_f64(u64::from_le_bytes(b))),
                opcode::F64LoadIndexed => load_indexed!(8, |b| D::from_f64(u64::from_le_bytes(b))),
                opcode::I32Load8S => load!(1, |b| D::from_i32(i32::from(i8::from_le_bytes(b)))),
                opcode::I32Load8SPlus => load_plus!(1, |b| D::from_i32(i32::from(i8::from_le_bytes(b)))),
                opcode::I32Load8SIndexed => load_indexed!(1, |b| D::from_i32(i32::from(i8::from_le_bytes(b)))),
                opcode::I32Load8U => load!(1, |b| D::from_i32(i32::from(u8::from_le_bytes(b)))),
                opcode::I32Load8UPlus => load_plus!(1, |b| D::from_i32(i32::from(u8::from_le_bytes(b)))),
                opcode::I32Load8UIndexed => load_indexed!(1, |b| D::from_i32(i32::from(u8::from_le_bytes(b)))),
                opcode::I32Load16S => load!(2, |b| D::from_i32(i32::from(i16::from_le_bytes(b)))),
                opcode::I32Load16SPlus => load_plus!(2, |b| D::from_i32(i32::from(i16::from_le_bytes(b)))),
                opcode::I32Load16SIndexed => load_indexed!(2, |b| D::from_i32(i32::from(i16::from_le_bytes(b)))),
                opcode::I32Load16U => load!(2, |b| D::from_i32(i32::from(u16::from_le_bytes(b)))),
                opcode::I32Load16UPlus => load_plus!(2, |b| D::from_i32(i32::from(u16::from_le_bytes(b)))),
                opcode::I32Load16UIndexed => load_indexed!(2, |b| D::from_i32(i32::from(u16::from_le_bytes(b)))),
                opcode::I64Load8S => load!(1, |b| D::from_i64(i64::from(i8::from_le_bytes(b)))),
                opcode::I64Load8U => load!(1, |b| D::from_i64(i64::from(u8::from_le_bytes(b)))),
                opcode::I64Load8UPlus => load_plus!(1, |b| D::from_i64(i64::from(u8::from_le_bytes(b)))),
                opcode::I64Load16S => load!(2, |b| D::from_i64(i64::from(i16::from_le_bytes(b)))),
                opcode::I64Load16U => load!(2, |b| D::from_i64(i64::from(u16::from_le_bytes(b)))),
                opcode::I64Load16UPlus => load_plus!(2, |b| D::from_i64(i64::from(u16::from_le_bytes(b)))),
                opcode::I64Load32S => load!(4, |b| D::from_i64(i64::from(i32::from_le_bytes(b)))),
                opcode::I64Load32SPlus => load_plus!(4, |b| D::from_i64(i64::from(i32::from_le_bytes(b)))),
                opcode::I64Load32U => load!(4, |b| D::from_i64(i64::from(u32::from_le_bytes(b)))),
                opcode::I64Load32UPlus => load_plus!(4, |b| D::from_i64(i64::from(u32::from_le_bytes(b)))),
                opcode::I32Store => store!(|s| D::to_i32(s).map(i32::to_le_bytes)),
                opcode::I32StorePlus => store_plus!(|s| D::to_i32(s).map(i32::to_le_bytes)),
                opcode::I64Store => store!(|s| D::to_i64(s).map(i64::to_le_bytes)),
                opcode::I64StorePlus => store_plus!(|s| D::to_i64(s).map(i64::to_le_bytes)),
                opcode::F32Store => store!(|s| D::to_f32(s).map(u32::to_le_bytes)),
                opcode::F32StorePlus => store_plus!(|s| D::to_f32(s).map(u32::to_le_bytes)),
                opcode::F64Store => store!(|s| D::to_f64(s).map(u64::to_le_bytes)),
                opcode::F64StorePlus => store_plus!(|s| D::to_f64(s).map(u64::to_le_bytes)),
                opcode::I32Store8 => store!(|s| D::to_i32(s).map(|v| [v as u8])),
                opcode::I32Store8Plus => store_plus!(|s| D::to_i32(s).map(|v| [v as u8])),
                opcode::I32Store16 => store!(|s| D::to_i32(s).map(|v| (v as u16).to_le_bytes())),
                opcode::I32Store16Plus => store_plus!(|s| D::to_i32(s).map(|v| (v as u16).to_le_bytes())),
                opcode::I64Store8 => store!(|s| D::to_i64(s).map(|v| [v as u8])),
                opcode::I64Store8Plus => store_plus!(|s| D::to_i64(s).map(|v| [v as u8])),
                opcode::I64Store16 => store!(|s| D::to_i64(s).map(|v| (v as u16).to_le_bytes())),
                opcode::I64Store32 => store!(|s| D::to_i64(s).map(|v| (v as u32).to_le_bytes())),
                opcode::I64Store32Plus => store_plus!(|s| D::to_i64(s).map(|v| (v as u32).to_le_bytes())),
            } extended {
                opcode::BrIfI64Eq => branch_compare!(i64_relop, IntRelop::Eq),
                opcode::BrIfI64Ne => branch_compare!(i64_relop, IntRelop::Ne),
                opcode::BrIfI64LtS => branch_compare!(i64_relop, IntRelop::LtS),
                opcode::BrIfI64LtU => branch_compare!(i64_relop, IntRelop::LtU),
                opcode::BrIfI64GtS => branch_compare!(i64_relop, IntRelop::GtS),
                opcode::BrIfI64GtU => branch_compare!(i64_relop, IntRelop::GtU),
                opcode::BrIfI64LeS => branch_compare!(i64_relop, IntRelop::LeS),
                opcode::BrIfI64LeU => branch_compare!(i64_relop, IntRelop::LeU),
                opcode::BrIfI64GeS => branch_compare!(i64_relop, IntRelop::GeS),
                opcode::BrIfI64GeU => branch_compare!(i64_relop, IntRelop::GeU),
                opcode::I64SubImm => binary_immediate!(i64_binop, IntBinop::Sub, from_i64, i64),
                opcode::I64MulImm => binary_immediate!(i64_binop, IntBinop::Mul, from_i64, i64),
                opcode::I64AndImm => binary_immediate!(i64_binop, IntBinop::And, from_i64, i64),
                opcode::I64OrImm => binary_immediate!(i64_binop, IntBinop::Or, from_i64, i64),
                opcode::I64XorImm => binary_immediate!(i64_binop, IntBinop::Xor, from_i64, i64),
                opcode::I64ShlImm => binary_immediate!(i64_binop, IntBinop::Shl, from_i64, i64),
                opcode::I64ShrSImm => binary_immediate!(i64_binop, IntBinop::ShrS, from_i64, i64),
                opcode::I64ShrUImm => binary_immediate!(i64_binop, IntBinop::ShrU, from_i64, i64),
                opcode::I64EqImm => binary_immediate!(i64_relop, IntRelop::Eq, from_i64, i64),
                opcode::I64NeImm => binary_immediate!(i64_relop, IntRelop::Ne, from_i64, i64),
                opcode::I64LtSImm => binary_immediate!(i64_relop, IntRelop::LtS, from_i64, i64),
                opcode::I64LtUImm => binary_immediate!(i64_relop, IntRelop::LtU, from_i64, i64),
                opcode::I64GtSImm => binary_immediate!(i64_relop, IntRelop::GtS, from_i64, i64),
                opcode::I64GtUImm => binary_immediate!(i64_relop, IntRelop::GtU, from_i64, i64),
                opcode::I64LeSImm => binary_immediate!(i64_relop, IntRelop::LeS, from_i64, i64),
                opcode::I64LeUImm => binary_immediate!(i64_relop, IntRelop::LeU, from_i64, i64),
                opcode::I64GeSImm => binary_immediate!(i64_relop, IntRelop::GeS, from_i64, i64),
                opcode::I64GeUImm => binary_immediate!(i64_relop, IntRelop::GeU, from_i64, i64),
                opcode::BrIfI64EqImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::Eq, from_i64, i64)
                },
                opcode::BrIfI64LtSImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::LtS, from_i64, i64)
                },
                opcode::BrIfI64GtSImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::GtS, from_i64, i64)
                },
                opcode::BrIfI64LeSImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::LeS, from_i64, i64)
                },
                opcode::BrIfI64LeUImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::LeU, from_i64, i64)
                },
                opcode::BrIfI64GeSImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::GeS, from_i64, i64)
                },
                opcode::BrIfI64GeUImm => {
                    branch_compare_immediate!(i64_relop, IntRelop::GeU, from_i64, i64)
                },
                opcode::I64Load8SPlus => load_plus!(1, |b| D::from_i64(i64::from(i8::from_le_bytes(b)))),
                opcode::I64Load8SIndexed => load_indexed!(1, |b| D::from_i64(i64::from(i8::from_le_bytes(b)))),
                opcode::I64Load8UIndexed => load_indexed!(1, |b| D::from_i64(i64::from(u8::from_le_bytes(b)))),
                opcode::I64Load16SPlus => load_plus!(2, |b| D::from_i64(i64::from(i16::from_le_bytes(b)))),
                opcode::I64Load16SIndexed => load_indexed!(2, |b| D::from_i64(i64::from(i16::from_le_bytes(b)))),
                opcode::I64Load16UIndexed => load_indexed!(2, |b| D::from_i64(i64::from(u16::from_le_bytes(b)))),
                opcode::I64Store16Plus => store_plus!(|s| D::to_i64(s).map(|v| (v as u16).to_le_bytes())),
                opcode::I64Load32SIndexed => load_indexed!(4, |b| D::from_i64(i64::from(i32::from_le_bytes(b)))),
                opcode::I64Load32UIndexed => load_indexed!(4, |b| D::from_i64(i64::from(u32::from_le_bytes(b)))),
                rare [
                    MemorySize MemoryGrow MemoryInit DataDrop MemoryCopy MemoryFill TableInit
                    ElemDrop TableCopy TableGrow TableSize TableFill TableGet TableSet RefIsNull
                    RefFunc
                ] => leave!(Transfer::Rare(word)),
            }}
        }
    }
}
