//! `wasmrel run --dual`: two replicas in lockstep, compared at every host call and at the end.

use wasmrel_an_encoding::An;
use wasmrel_executor::{Module, Plain};
use wasmrel_fault_inject::driver::{self, Call, End};
use wasmrel_fault_inject::dual::Inverted;

use crate::args::RunArgs;
use crate::outcome::Outcome;
use crate::run;

pub use wasmrel_fault_inject::Second as Replicas;

/// Parses `--replicas`.
pub fn parse_replicas(text: &str) -> Result<Replicas, String> {
    Replicas::parse(text)
}

/// Runs the module as `run` does, on two replicas.
pub fn execute(
    args: &RunArgs,
    module_path: &str,
    guest_args: &[String],
    bytes: &[u8],
    fuel_used: &mut Option<u64>,
) -> Result<Outcome, Outcome> {
    let config = run::config(&args.limits);
    let module = Module::new(&config, bytes).map_err(Outcome::from_engine)?;
    let has = |name: &str| module.exports().any(|export| export.name == name);
    let mut calls = Vec::new();
    let call = |name: &str, args| Call {
        name: name.to_owned(),
        args,
    };
    match &args.invoke {
        Some(name) => {
            let values = run::invoke_args(&module, name, guest_args)?;
            if has("_initialize") {
                calls.push(call("_initialize", Vec::new()));
            }
            calls.push(call(name, values));
        }
        None if has("_start") => calls.push(call("_start", Vec::new())),
        None => {}
    }
    let mut wasi = run::wasi_ctx(args, module_path, guest_args)?;
    let replicas = args.replicas.unwrap_or_default();
    let (end, fuel) = match replicas {
        Replicas::Inverted => driver::dual::<Plain, Inverted>(&module, config, &mut wasi, &calls),
        Replicas::Encoded => driver::dual::<Plain, An>(&module, config, &mut wasi, &calls),
    };
    *fuel_used = Some(fuel);
    wasi.flush();
    match end {
        End::Returned(values) => {
            run::print_results(&values)
                .map_err(|err| Outcome::Error(format!("cannot print the results: {err}")))?;
            Ok(Outcome::Exit(0))
        }
        End::Exit(code) => Ok(Outcome::Exit(code)),
        End::Failed(error) => Err(Outcome::from_engine(error)),
        End::Mismatch(why) => {
            eprintln!("wasmrel: dual: the replicas disagree: {why}");
            Err(Outcome::Detected {
                mechanism: "dual",
                at: None,
            })
        }
    }
}
