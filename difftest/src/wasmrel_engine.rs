//! Runs a module in wasmrel, in any value domain (plain or AN-encoded).

use crate::observe::{Observation, Step, Trap, Val};
use crate::ENGINE_FUEL;
use wasmrel_executor::{
    Config, Domain, Error, ExternType, Linker, Module, NoHost, Store, TrapCode, Value,
};

/// Instantiates `bytes` in a fresh store of domain `D`, calls every exported function with
/// zero arguments (sorted by name), then records the exported globals and memory.
pub fn observe<D: Domain>(bytes: &[u8]) -> Observation {
    let config = Config {
        fuel: Some(ENGINE_FUEL),
        ..Config::default()
    };
    let mut seen = Observation::default();
    let module = match Module::new(&config, bytes) {
        Ok(module) => module,
        Err(error) => {
            seen.steps.push(("validate".into(), step(error)));
            return seen;
        }
    };
    let mut store: Store<D> = Store::new(config);
    let instance = match Linker::new().instantiate(&mut store, &module, &mut NoHost) {
        Ok(instance) => instance,
        Err(error) => {
            seen.steps.push(("instantiate".into(), step(error)));
            return seen;
        }
    };
    seen.steps
        .push(("instantiate".into(), Step::Returned(Vec::new())));
    let mut exports: Vec<_> = module.exports().collect();
    exports.sort_by(|a, b| a.name.cmp(&b.name));
    for export in &exports {
        let ExternType::Func(ty) = &export.ty else {
            continue;
        };
        let args: Vec<Value> = ty.params().iter().map(|t| t.zero()).collect();
        let outcome = match store.invoke(instance, &export.name, &args, &mut NoHost) {
            Ok(values) => Step::Returned(values.into_iter().map(val).collect()),
            Err(error) => step(error),
        };
        let stop = matches!(outcome, Step::Inconclusive(_) | Step::Failed(_));
        seen.steps.push((export.name.clone(), outcome));
        if stop {
            return seen;
        }
    }
    for export in &exports {
        match &export.ty {
            ExternType::Global(_) => match store.get_global(instance, &export.name) {
                Ok(value) => seen.globals.push((export.name.clone(), val(value))),
                Err(error) => seen.steps.push((export.name.clone(), step(error))),
            },
            ExternType::Memory(_) => {
                seen.memory = store.memory(instance).map(|m| m.bytes().to_vec());
            }
            _ => {}
        }
    }
    seen
}

fn step(error: Error) -> Step {
    match error {
        Error::Trap(code) => Step::Trapped(trap(code)),
        Error::Limit(kind) => Step::Inconclusive(format!("{kind:?}")),
        other => Step::Failed(other.to_string()),
    }
}

fn trap(code: TrapCode) -> Trap {
    match code {
        TrapCode::Unreachable => Trap::Unreachable,
        TrapCode::MemoryOutOfBounds => Trap::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds | TrapCode::UndefinedElement => Trap::TableOutOfBounds,
        TrapCode::UninitializedElement => Trap::NullReference,
        TrapCode::IndirectCallTypeMismatch => Trap::IndirectCallTypeMismatch,
        TrapCode::IntegerDivideByZero => Trap::IntegerDivideByZero,
        TrapCode::IntegerOverflow => Trap::IntegerOverflow,
        TrapCode::InvalidConversionToInteger => Trap::InvalidConversionToInteger,
    }
}

fn val(value: Value) -> Val {
    match value {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(bits) => Val::F32(bits),
        Value::F64(bits) => Val::F64(bits),
        Value::FuncRef(r) => Val::Ref { null: r.is_none() },
        Value::ExternRef(r) => Val::Ref { null: r.is_none() },
    }
}
