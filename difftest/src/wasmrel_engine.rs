//! Runs a module in wasmrel: in one value domain (plain or AN-encoded), or as dual execution.

use crate::generate::Arguments;
use crate::observe::{Observation, Step, Trap, Val, Verdict};
use crate::ENGINE_FUEL;
use wasmrel_executor::{
    Config, Domain, Error, ExternType, FuncType, Linker, Module, NoHost, Plain, Store, TrapCode,
    ValType, Value,
};
use wasmrel_fault_inject::driver::{Call, End, Pair, Replicas, System};
use wasmrel_fault_inject::dual::Inverted;

fn config() -> Config {
    Config {
        fuel: Some(ENGINE_FUEL),
        ..Config::default()
    }
}

/// Instantiates `bytes` in a fresh store of domain `D`, calls every exported function with
/// `arguments` (sorted by name), then records the exported globals and memory.
pub fn observe<D: Domain>(bytes: &[u8], arguments: Arguments) -> Observation {
    let mut seen = Observation::default();
    let module = match Module::new(&config(), bytes) {
        Ok(module) => module,
        Err(error) => {
            seen.steps.push(("validate".into(), step(error)));
            return seen;
        }
    };
    let mut store: Store<D> = Store::new(config());
    let instance = match Linker::new().instantiate(&mut store, &module, &mut NoHost) {
        Ok(instance) => instance,
        Err(error) => {
            seen.steps.push(("instantiate".into(), step(error)));
            return seen;
        }
    };
    seen.steps
        .push(("instantiate".into(), Step::Returned(Vec::new())));
    let exports = sorted_exports(&module);
    for (call, (name, ty)) in function_exports(&exports).enumerate() {
        let args = values(ty, arguments, call);
        let outcome = match store.invoke(instance, name, &args, &mut NoHost) {
            Ok(values) => Step::Returned(values.into_iter().map(val).collect()),
            Err(error) => step(error),
        };
        let stop = matches!(outcome, Step::Inconclusive(_) | Step::Failed(_));
        seen.steps.push((name.clone(), outcome));
        if stop {
            return seen;
        }
    }
    for (name, ty) in &exports {
        match ty {
            ExternType::Global(_) => match store.get_global(instance, name) {
                Ok(value) => seen.globals.push((name.clone(), val(value))),
                Err(error) => seen.steps.push((name.clone(), step(error))),
            },
            ExternType::Memory(_) => {
                seen.memory = store.memory(instance).map(|m| m.bytes().to_vec());
            }
            _ => {}
        }
    }
    seen
}

/// Dual execution (plain and bit-inverted replicas in lockstep, as `wasmrel run --dual`) of
/// the export calls `plain` observed, up to its first call that did not return (the dual
/// driver stops at the first error). Its end must match that call's step, and when every
/// call returned, its final memory must match `plain`'s.
pub fn check_dual(bytes: &[u8], arguments: Arguments, plain: &Observation) -> Verdict {
    let Ok(module) = Module::new(&config(), bytes) else {
        return Verdict::Agree; // plain failed validation the same way; nothing runs.
    };
    let exports = sorted_exports(&module);
    let mut calls = Vec::new();
    let mut expected = Step::Returned(Vec::new());
    for (step_name, step) in &plain.steps {
        if step_name != "instantiate" {
            let found = function_exports(&exports)
                .enumerate()
                .find(|(_, (name, _))| *name == step_name);
            let Some((call, (name, ty))) = found else {
                return Verdict::Diverge(format!("dual: no function export `{step_name}`"));
            };
            calls.push(Call {
                name: name.clone(),
                args: values(ty, arguments, call),
            });
        }
        expected = step.clone();
        if !matches!(step, Step::Returned(_)) {
            break;
        }
    }
    let every_call = calls.len() == function_exports(&exports).count();
    if calls.is_empty() {
        // The driver needs a call to prepare; when instantiation traps it never runs.
        match function_exports(&exports).next() {
            Some((name, ty)) => calls.push(Call {
                name: name.clone(),
                args: values(ty, arguments, 0),
            }),
            None => return Verdict::Agree, // nothing dual execution could run
        }
    }
    let mut memory = None;
    let end = match Pair::<Plain, Inverted>::start(&module, config(), &mut NoHost, &calls) {
        Ok(mut pair) => {
            let end = pair.finish(&mut NoHost);
            memory = pair.memory().map(<[u8]>::to_vec);
            end
        }
        Err(end) => end,
    };
    let got = match end {
        End::Returned(values) => Step::Returned(values.into_iter().map(val).collect()),
        End::Failed(error) => step(error),
        End::Exit(code) => Step::Failed(format!("exit {code}")),
        End::Mismatch(why) => return Verdict::Diverge(format!("dual: replicas disagree: {why}")),
    };
    for step in [&got, &expected] {
        if let Step::Inconclusive(why) = step {
            return Verdict::Inconclusive(format!("dual: {why}"));
        }
    }
    if got != expected {
        return Verdict::Diverge(format!("dual: {got} vs plain {expected}"));
    }
    if every_call && matches!(got, Step::Returned(_)) && memory != plain.memory {
        return Verdict::Diverge("dual: final memory differs from plain".into());
    }
    Verdict::Agree
}

/// The module's exports sorted by name: the order every engine calls them in.
fn sorted_exports(module: &Module) -> Vec<(String, ExternType)> {
    let mut exports: Vec<_> = module
        .exports()
        .map(|e| (e.name.clone(), e.ty.clone()))
        .collect();
    exports.sort_by(|a, b| a.0.cmp(&b.0));
    exports
}

fn function_exports(
    exports: &[(String, ExternType)],
) -> impl Iterator<Item = (&String, &FuncType)> {
    exports.iter().filter_map(|(name, ty)| match ty {
        ExternType::Func(ty) => Some((name, ty)),
        _ => None,
    })
}

/// The arguments of the `call`-th export call.
fn values(ty: &FuncType, arguments: Arguments, call: usize) -> Vec<Value> {
    let value = |(param, ty): (usize, &ValType)| {
        let bits = arguments.bits(call, param);
        match ty {
            ValType::I32 => Value::I32(bits as i32),
            ValType::I64 => Value::I64(bits as i64),
            ValType::F32 => Value::F32(bits as u32),
            ValType::F64 => Value::F64(bits),
            ValType::FuncRef | ValType::ExternRef => ty.zero(),
        }
    };
    ty.params().iter().enumerate().map(value).collect()
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
