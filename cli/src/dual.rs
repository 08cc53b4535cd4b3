//! `wasmrel run --dual`: two replicas in lockstep, compared at every host call and at the end.

use wasmrel_an_encoding::An;
use wasmrel_dual::{Call, End, Inverted};
use wasmrel_executor::{Module, Plain};

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
    let config = run::config(args);
    let module = Module::new(&config, bytes).map_err(Outcome::from_engine)?;
    let invoke = match &args.invoke {
        Some(name) => Some((name.as_str(), run::invoke_args(&module, name, guest_args)?)),
        None => None,
    };
    let calls_nothing = run::calls_nothing(args, &module);
    let calls = Call::of_run(&module, invoke);
    let mut wasi = run::wasi_ctx(args, module_path, guest_args)?;
    let replicas = args.replicas.unwrap_or_default();
    let go_on = || true;
    let ended = match replicas {
        Replicas::Inverted => wasmrel_dual::run::<Plain, Inverted>(
            &module,
            config,
            &mut wasi,
            &calls,
            u64::MAX,
            go_on,
        ),
        Replicas::Encoded => {
            wasmrel_dual::run::<Plain, An>(&module, config, &mut wasi, &calls, u64::MAX, go_on)
        }
    };
    let (end, fuel) =
        ended.ok_or_else(|| Outcome::Internal("the dual run stopped by itself".to_owned()))?;
    *fuel_used = Some(fuel);
    wasi.flush();
    match end {
        End::Returned(values) => {
            run::print_results(&values)
                .map_err(|err| Outcome::Error(format!("cannot print the results: {err}")))?;
            if calls_nothing {
                run::note_nothing_called();
            }
            Ok(Outcome::Exit(0))
        }
        End::Exit(code) => Ok(Outcome::Exit(code)),
        End::Failed(error) => Err(Outcome::from_engine(error)),
        End::Mismatch(why) => {
            eprintln!("{}", wasmrel_outcome::dual_mismatch_line(&why));
            Err(Outcome::Detected {
                mechanism: "dual",
                at: None,
            })
        }
    }
}
