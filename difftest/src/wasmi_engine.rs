//! Runs a module in wasmi, the reference engine of the comparison.

use crate::generate::Arguments;
use crate::observe::{Observation, Step, Trap, Val};
use crate::ENGINE_FUEL;
use wasmi::errors::{ErrorKind, InstantiationError, MemoryError, TableError};
use wasmi::TrapCode;
use wasmi::{Engine, Error, Linker, Module, Store};

/// The same protocol as [`crate::wasmrel_engine::observe`]: instantiate, call every exported
/// function (sorted by name) with `arguments`, record exported globals and memory.
pub fn observe(bytes: &[u8], arguments: Arguments) -> Observation {
    let mut config = wasmi::Config::default();
    // Deep enough for every recursion a generated module's fuel global allows, so that
    // wasmi's defaults (1024 calls) do not make runs inconclusive.
    config
        .consume_fuel(true)
        .set_max_recursion_depth(100_000)
        .set_max_stack_height(64 << 20);
    let engine = Engine::new(&config);
    let mut seen = Observation::default();
    let module = match Module::new(&engine, bytes) {
        Ok(module) => module,
        Err(error) => {
            seen.steps.push(("validate".into(), step(&error)));
            return seen;
        }
    };
    let mut store = Store::new(&engine, ());
    if let Err(error) = store.set_fuel(ENGINE_FUEL) {
        seen.steps.push(("instantiate".into(), step(&error)));
        return seen;
    }
    let instance = match Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module) {
        Ok(instance) => instance,
        Err(error) => {
            seen.steps.push(("instantiate".into(), step(&error)));
            return seen;
        }
    };
    seen.steps
        .push(("instantiate".into(), Step::Returned(Vec::new())));
    let mut exports: Vec<_> = instance
        .exports(&store)
        .map(|e| (e.name().to_owned(), e.into_extern()))
        .collect();
    exports.sort_by(|a, b| a.0.cmp(&b.0));
    let functions = exports
        .iter()
        .filter_map(|(name, e)| Some((name, e.into_func()?)));
    for (call, (name, func)) in functions.enumerate() {
        let ty = func.ty(&store);
        let args: Vec<wasmi::Val> = ty
            .params()
            .iter()
            .enumerate()
            .map(|(param, t)| value(*t, arguments.bits(call, param)))
            .collect();
        let mut results: Vec<wasmi::Val> = ty
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();
        let outcome = match store
            .set_fuel(ENGINE_FUEL)
            .and_then(|()| func.call(&mut store, &args, &mut results))
        {
            Ok(()) => Step::Returned(results.iter().map(val).collect()),
            Err(error) => step(&error),
        };
        let stop = matches!(outcome, Step::Inconclusive(_) | Step::Failed(_));
        seen.steps.push((name.clone(), outcome));
        if stop {
            return seen;
        }
    }
    for (name, export) in &exports {
        if let Some(global) = export.into_global() {
            seen.globals.push((name.clone(), val(&global.get(&store))));
        } else if let Some(memory) = export.into_memory() {
            seen.memory = Some(memory.data(&store).to_vec());
        }
    }
    seen
}

/// A value of type `ty` from argument bits (see [`Arguments::bits`]).
fn value(ty: wasmi::ValType, bits: u64) -> wasmi::Val {
    match ty {
        wasmi::ValType::I32 => wasmi::Val::I32(bits as i32),
        wasmi::ValType::I64 => wasmi::Val::I64(bits as i64),
        wasmi::ValType::F32 => wasmi::Val::F32(wasmi::F32::from_bits(bits as u32)),
        wasmi::ValType::F64 => wasmi::Val::F64(wasmi::F64::from_bits(bits)),
        other => wasmi::Val::default_for_ty(other),
    }
}

fn step(error: &Error) -> Step {
    let Some(code) = error.as_trap_code() else {
        return match instantiation_trap(error.kind()) {
            Some(trap) => Step::Trapped(trap),
            None => Step::Failed(error.to_string()),
        };
    };
    let trap = match code {
        TrapCode::UnreachableCodeReached => Trap::Unreachable,
        TrapCode::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds => Trap::TableOutOfBounds,
        TrapCode::IndirectCallToNull => Trap::NullReference,
        TrapCode::BadSignature => Trap::IndirectCallTypeMismatch,
        TrapCode::IntegerDivisionByZero => Trap::IntegerDivideByZero,
        TrapCode::IntegerOverflow => Trap::IntegerOverflow,
        TrapCode::BadConversionToInteger => Trap::InvalidConversionToInteger,
        TrapCode::StackOverflow
        | TrapCode::OutOfFuel
        | TrapCode::GrowthOperationLimited
        | TrapCode::OutOfSystemMemory => return Step::Inconclusive(format!("{code:?}")),
    };
    Step::Trapped(trap)
}

/// wasmi reports a segment that does not fit at instantiation as an error of its own, where
/// the specification traps.
fn instantiation_trap(kind: &ErrorKind) -> Option<Trap> {
    match kind {
        ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit { .. }) => {
            Some(Trap::TableOutOfBounds)
        }
        ErrorKind::Table(
            TableError::InitOutOfBounds
            | TableError::SetOutOfBounds
            | TableError::CopyOutOfBounds
            | TableError::FillOutOfBounds,
        ) => Some(Trap::TableOutOfBounds),
        ErrorKind::Memory(MemoryError::OutOfBoundsAccess) => Some(Trap::MemoryOutOfBounds),
        _ => None,
    }
}

fn val(value: &wasmi::Val) -> Val {
    match value {
        wasmi::Val::I32(x) => Val::I32(*x),
        wasmi::Val::I64(x) => Val::I64(*x),
        wasmi::Val::F32(x) => Val::F32(x.to_bits()),
        wasmi::Val::F64(x) => Val::F64(x.to_bits()),
        wasmi::Val::FuncRef(r) => Val::Ref { null: r.is_null() },
        wasmi::Val::ExternRef(r) => Val::Ref { null: r.is_null() },
        wasmi::Val::V128(x) => Val::V128(x.as_u128()),
    }
}
