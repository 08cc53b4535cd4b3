//! `wasmrel run`: instantiate a module with WASI and run `_start` or one `--invoke`d export.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use wasmrel_an_encoding::{level, An};
use wasmrel_executor::{
    Config, Domain, Error, ExternType, FuelCount, InstanceId, Limits, Linker, Module, Place, Plain,
    Protection, Store, Value,
};
use wasmrel_wasi::WasiCtx;

use crate::args::{CheckLevel, MemoryProtection, RunArgs};
use crate::load::read_module;
use crate::outcome::{Outcome, Report};
use crate::values;

/// Runs the module and reports how it ended.
pub fn run(args: &RunArgs) -> ExitCode {
    let mut fuel_used = None;
    let outcome = execute(args, &mut fuel_used).unwrap_or_else(|outcome| outcome);
    outcome.report(args.json, fuel_used)
}

fn execute(args: &RunArgs, fuel_used: &mut Option<u64>) -> Result<Outcome, Outcome> {
    if args.kernel {
        return crate::kernel::execute(args, fuel_used);
    }
    let (module_path, guest_args) = args
        .module_and_args
        .split_first()
        .ok_or_else(|| Outcome::Error("no module given".to_owned()))?;
    let bytes = read_module(Path::new(module_path)).map_err(Outcome::Error)?;
    if args.dual {
        return crate::dual::execute(args, module_path, guest_args, &bytes, fuel_used);
    }
    let run = Input {
        args,
        module_path,
        guest_args,
        bytes: &bytes,
        fuel_used,
    };
    match (args.encoded, args.check) {
        (false, _) => execute_in::<Plain>(run),
        (true, CheckLevel::Op) => execute_in::<An<{ level::OP }>>(run),
        (true, CheckLevel::Block) => execute_in::<An<{ level::BLOCK }>>(run),
        (true, CheckLevel::Effects) => execute_in::<An<{ level::EFFECTS }>>(run),
    }
}

/// What a run starts from, whatever its value domain.
struct Input<'a> {
    args: &'a RunArgs,
    module_path: &'a str,
    guest_args: &'a [String],
    bytes: &'a [u8],
    fuel_used: &'a mut Option<u64>,
}

/// Runs in the value domain `D`: plain or AN-encoded, the same interpreter source.
fn execute_in<D: Domain>(input: Input<'_>) -> Result<Outcome, Outcome> {
    let Input {
        args,
        module_path,
        guest_args,
        bytes,
        fuel_used,
    } = input;
    let config = config(args);
    let module = Module::new(&config, bytes).map_err(Outcome::from_engine)?;
    // Arguments are checked before anything runs, so a typo costs no side effects.
    let invocation = match &args.invoke {
        Some(name) => Some((name.as_str(), invoke_args(&module, name, guest_args)?)),
        None => None,
    };
    let wasi = wasi_ctx(args, module_path, guest_args)?;
    let calls_nothing = calls_nothing(args, &module);

    let mut store = Store::new(config);
    store.set_memory_protection(match args.memory_protection {
        MemoryProtection::None => Protection::None,
        MemoryProtection::Crc => Protection::Crc,
        MemoryProtection::Dup => Protection::Dup,
    });
    let mut instance = Instance::<D> {
        store,
        wasi,
        fuel_used: 0,
        stopped_in: None,
    };
    let result = instance.run(&module, invocation);
    *fuel_used = Some(instance.fuel_used);
    instance.wasi.flush();
    match result {
        Ok(results) => {
            print_results(&results)
                .map_err(|err| Outcome::Error(format!("cannot print the results: {err}")))?;
            if calls_nothing {
                note_nothing_called();
            }
            Ok(Outcome::Exit(0))
        }
        Err(Error::Exit(code)) => Ok(Outcome::Exit(code)),
        Err(error) => Err(Outcome::from_engine(error).located(instance.stopped_in)),
    }
}

/// The guest's store, its WASI world, and the instructions its calls have run.
struct Instance<D: Domain> {
    store: Store<D>,
    wasi: WasiCtx,
    fuel_used: u64,
    /// The store address of the function a failed call stopped in.
    stopped_in: Option<Place>,
}

impl<D: Domain> Instance<D> {
    /// Instantiates `module` and calls `_start`, or `_initialize` and then the export
    /// `--invoke` names. A module without `_start` is only instantiated (its start function
    /// runs), as wasmtime does, and exits 0 with [`note_nothing_called`]'s note.
    fn run(
        &mut self,
        module: &Module,
        invocation: Option<(&str, Vec<Value>)>,
    ) -> Result<Vec<Value>, Error> {
        let mut linker = Linker::new();
        wasmrel_wasi::link(&mut linker);
        let instance = linker.instantiate(&mut self.store, module, &mut self.wasi)?;
        let exports: Vec<String> = module.exports().map(|export| export.name).collect();
        let has = |name: &str| exports.iter().any(|export| export == name);
        match invocation {
            None if has("_start") => self.call(instance, "_start", &[]),
            None => Ok(Vec::new()),
            Some((name, values)) => {
                if has("_initialize") {
                    self.call(instance, "_initialize", &[])?;
                }
                self.call(instance, name, &values)
            }
        }
    }

    fn call(
        &mut self,
        instance: InstanceId,
        name: &str,
        values: &[Value],
    ) -> Result<Vec<Value>, Error> {
        let mut execution = self
            .store
            .start_call(instance, name, values)
            .map_err(|error| match error {
                Error::Call(why) => Error::Call(format!("cannot call `{name}`: {why}")),
                other => other,
            })?;
        let result = execution.run(&mut self.store, &mut self.wasi);
        self.fuel_used += execution.fuel_used();
        if result.is_err() {
            self.stopped_in = execution.place(&self.store);
        }
        result
    }
}

/// Whether the run calls no function: no --invoke, and no `_start` to run instead.
pub(crate) fn calls_nothing(args: &RunArgs, module: &Module) -> bool {
    args.invoke.is_none() && !module.exports().any(|export| export.name == "_start")
}

/// Says why a run that instantiated the module and called nothing printed nothing and
/// exited 0 (as wasmtime does): a library module run by mistake would otherwise look like a
/// program that ran and succeeded.
pub(crate) fn note_nothing_called() {
    let _ = writeln!(
        std::io::stderr(),
        "wasmrel: note: the module has no _start export, so nothing was called \
         (use --invoke NAME to call an export)"
    );
}

/// Prints one result per line (stdout may be a closed pipe: that is an error, not a panic).
pub(crate) fn print_results(results: &[Value]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for value in results {
        writeln!(stdout, "{}", values::format(*value))?;
    }
    stdout.flush()
}

/// `--max-stack` counts bytes of plain 8-byte slots in every mode, so an encoded run (whose
/// slots are wider) accepts exactly the programs a plain run accepts. Only the JSON report (its
/// `fuel_used`) and the deterministic clock (1 ns per instruction) read the fuel count, so
/// other runs count only where something else needs it (a `--fuel` limit) and otherwise run
/// the interpreter's faster uncounted loop.
pub(crate) fn config(args: &RunArgs) -> Config {
    let limits = &args.limits;
    let defaults = Limits::default();
    let slot_bytes = std::mem::size_of::<u64>() as u64;
    Config {
        limits: Limits {
            max_memory_bytes: limits.max_memory.unwrap_or(defaults.max_memory_bytes),
            max_table_elements: limits
                .max_table_elements
                .unwrap_or(defaults.max_table_elements),
            max_call_depth: limits.max_call_depth.unwrap_or(defaults.max_call_depth),
            max_stack_slots: limits.max_stack.map_or(defaults.max_stack_slots, |bytes| {
                u32::try_from(bytes / slot_bytes).unwrap_or(u32::MAX)
            }),
        },
        fuel: limits.fuel,
        fuel_count: if args.json || args.deterministic {
            FuelCount::Exact
        } else {
            FuelCount::WhenNeeded
        },
        ..Config::default()
    }
}

/// Parses the `--invoke` arguments against the export's signature.
pub(crate) fn invoke_args(
    module: &Module,
    name: &str,
    texts: &[String],
) -> Result<Vec<Value>, Outcome> {
    let ty = module
        .exports()
        .find_map(|export| match export.ty {
            ExternType::Func(ty) if export.name == name => Some(ty),
            _ => None,
        })
        .ok_or_else(|| Outcome::Error(format!("the module exports no function `{name}`")))?;
    if ty.params().len() != texts.len() {
        return Err(Outcome::Error(format!(
            "`{name}` takes {} argument(s) {ty}, got {}",
            ty.params().len(),
            texts.len()
        )));
    }
    ty.params()
        .iter()
        .zip(texts)
        .enumerate()
        .map(|(index, (&param, text))| {
            values::parse(text, param)
                .map_err(|why| Outcome::Error(format!("argument {} of `{name}`: {why}", index + 1)))
        })
        .collect()
}

/// The guest's world: only what the command line grants.
pub(crate) fn wasi_ctx(
    args: &RunArgs,
    module_path: &str,
    guest_args: &[String],
) -> Result<WasiCtx, Outcome> {
    let mut wasi = if args.deterministic {
        WasiCtx::deterministic(args.seed)
    } else {
        WasiCtx::system()
    };
    wasi.inherit_stdio();
    wasi.push_arg(module_path);
    for arg in guest_args {
        wasi.push_arg(arg);
    }
    for (name, value) in &args.envs {
        wasi.push_env(name, value);
    }
    for grant in &args.dirs {
        wasi.preopen_dir(&grant.host, &grant.guest).map_err(|err| {
            Outcome::Error(format!(
                "cannot grant directory `{}`: {err}",
                grant.host.display()
            ))
        })?;
    }
    Ok(wasi)
}
