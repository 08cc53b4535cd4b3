//! `wasmrel run --kernel`: the same run, executed by the kernel module behind `/dev/wasmrel`.
//!
//! The module is read and its `--invoke` arguments typed here, exactly as for a user-space
//! run; the kernel gets the binary, the arguments, the environment and the limits, and sends
//! back the guest's output, results, fuel and outcome. The outcome's detail is worded in the
//! kernel by `wasmrel-outcome`, the code that words user-space outcomes, so both runs print
//! the same lines and exit with the same codes.

use std::io::Write;
use std::path::Path;

use wasmrel_executor::{Module, Value};
use wasmrel_kmod_client::{self as client, Mode, Reply, Request};

use crate::args::{CheckLevel, MemoryProtection, RunArgs};
use crate::dual::Replicas;
use crate::load::read_module;
use crate::outcome::Outcome;
use crate::{run, values};

/// Runs the module in the kernel; `fuel_used` is set once the kernel has answered.
pub fn execute(args: &RunArgs, fuel_used: &mut Option<u64>) -> Result<Outcome, Outcome> {
    refuse_user_space_only(args)?;
    let (module_path, guest_args) = args
        .module_and_args
        .split_first()
        .ok_or_else(|| Outcome::Error("no module given".to_owned()))?;
    let bytes = read_module(Path::new(module_path)).map_err(Outcome::Error)?;
    let invoke = match &args.invoke {
        Some(name) => {
            // Typed against the export here, so a typo gets the user-space message.
            let module = Module::new(&run::config(args), &bytes).map_err(Outcome::from_engine)?;
            let values = run::invoke_args(&module, name, guest_args)?;
            Some((name.clone(), values.into_iter().map(to_client).collect()))
        }
        None => None,
    };
    let mut wasi_args = vec![module_path.as_bytes().to_vec()];
    wasi_args.extend(guest_args.iter().map(|arg| arg.as_bytes().to_vec()));
    let request = Request {
        module: &bytes,
        mode: mode(args),
        args: wasi_args,
        env: args
            .envs
            .iter()
            .map(|(name, value)| format!("{name}={value}").into_bytes())
            .collect(),
        invoke,
        fuel: args.limits.fuel,
        memory_bytes: args.limits.max_memory,
        call_depth: args.limits.max_call_depth,
        table_elements: args.limits.max_table_elements,
        stack_bytes: args.limits.max_stack,
    };
    let reply = client::run(&args.device, &request)
        .map_err(|err| Outcome::Error(format!("kernel: {err}")))?;
    *fuel_used = Some(reply.fuel_used);
    let outcome = show(&reply)?;
    // The reply does not say whether anything was called; the module's exports do. (The
    // kernel validated the module, so it decodes here too.)
    if args.invoke.is_none()
        && reply.outcome == client::Outcome::Returned
        && Module::new(&run::config(args), &bytes)
            .is_ok_and(|module| run::calls_nothing(args, &module))
    {
        run::note_nothing_called();
    }
    Ok(outcome)
}

/// The execution `--encoded`/`--dual` and their options ask for.
fn mode(args: &RunArgs) -> Mode {
    if args.encoded {
        Mode::Encoded(client::Encoding {
            check: match args.check {
                CheckLevel::Op => client::CheckLevel::Op,
                CheckLevel::Block => client::CheckLevel::Block,
                CheckLevel::Effects => client::CheckLevel::Effects,
            },
            memory: match args.memory_protection {
                MemoryProtection::None => client::MemoryProtection::None,
                MemoryProtection::Crc => client::MemoryProtection::Crc,
                MemoryProtection::Dup => client::MemoryProtection::Dup,
            },
        })
    } else if args.dual {
        Mode::Dual(match args.replicas.unwrap_or_default() {
            Replicas::Inverted => client::Replicas::Inverted,
            Replicas::Encoded => client::Replicas::Encoded,
        })
    } else {
        Mode::Plain
    }
}

/// Options whose meaning needs something the kernel does not have (a file system, a
/// reproducible clock): refused, never silently ignored.
fn refuse_user_space_only(args: &RunArgs) -> Result<(), Outcome> {
    let refused = if !args.dirs.is_empty() {
        Some("--dir (the kernel gives the guest no file system)")
    } else if args.deterministic {
        Some("--deterministic (the kernel's clocks and random source are the real ones)")
    } else {
        None
    };
    match refused {
        Some(option) => Err(Outcome::Error(format!(
            "{option} is not available with --kernel (see `wasmrel run --help`)"
        ))),
        None => Ok(()),
    }
}

/// Writes the guest's output and results and turns the kernel's outcome into ours.
fn show(reply: &Reply) -> Result<Outcome, Outcome> {
    let written = std::io::stdout()
        .write_all(&reply.stdout)
        .and_then(|()| std::io::stderr().write_all(&reply.stderr));
    written.map_err(|err| Outcome::Error(format!("cannot write the guest's output: {err}")))?;
    let message = reply.message.clone();
    match reply.outcome {
        client::Outcome::Exit => Ok(Outcome::Exit(reply.guest_exit_code)),
        client::Outcome::Returned => {
            print_results(&reply.results)?;
            Ok(Outcome::Exit(0))
        }
        client::Outcome::Error => Err(Outcome::Error(message)),
        client::Outcome::Limit => Err(Outcome::Limit(message)),
        client::Outcome::Trap => Err(Outcome::Trap(message)),
        client::Outcome::Detected => Err(Outcome::detected_from_detail(&message)
            .unwrap_or_else(|| Outcome::Internal(format!("unknown detection `{message}`")))),
        client::Outcome::EngineBug => Err(Outcome::Internal(message)),
    }
}

/// Prints results as a user-space `--invoke` does.
fn print_results(results: &[client::Value]) -> Result<(), Outcome> {
    let mut text = String::new();
    for &value in results {
        let line = match value {
            client::Value::FuncRef(Some(index)) => values::format_funcref(index),
            other => values::format(from_client(other)?),
        };
        text.push_str(&line);
        text.push('\n');
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|err| Outcome::Error(format!("cannot print the results: {err}")))
}

fn to_client(value: Value) -> client::Value {
    match value {
        Value::I32(v) => client::Value::I32(v),
        Value::I64(v) => client::Value::I64(v),
        Value::F32(bits) => client::Value::F32(bits),
        Value::F64(bits) => client::Value::F64(bits),
        Value::FuncRef(func) => client::Value::FuncRef(func.map(|f| f.index().into())),
        Value::ExternRef(handle) => client::Value::ExternRef(handle.map(u64::from)),
    }
}

/// A result from the kernel as a value of ours (function references are printed by index).
fn from_client(value: client::Value) -> Result<Value, Outcome> {
    let unexpected = || Outcome::Internal(format!("the kernel returned an unexpected {value:?}"));
    Ok(match value {
        client::Value::I32(v) => Value::I32(v),
        client::Value::I64(v) => Value::I64(v),
        client::Value::F32(bits) => Value::F32(bits),
        client::Value::F64(bits) => Value::F64(bits),
        client::Value::FuncRef(None) => Value::FuncRef(None),
        client::Value::ExternRef(handle) => Value::ExternRef(match handle {
            Some(handle) => Some(u32::try_from(handle).map_err(|_| unexpected())?),
            None => None,
        }),
        client::Value::FuncRef(Some(_)) | client::Value::V128(_) => return Err(unexpected()),
    })
}
