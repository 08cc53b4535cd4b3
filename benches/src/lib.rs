//! Shared pieces of the speed benchmarks: the program set and one runner per engine.
//!
//! Every runner is prepared once (decode, validate, translate, instantiate) and then times
//! only calls of the program's no-import `run` export, so the engines are compared on the same
//! module bytes doing the same work in the same process.

use std::path::{Path, PathBuf};
use wasmrel_executor::{
    Config, Domain, FuelCount, InstanceId, Linker, Module, NoHost, Plain, Protection, Store, Value,
};
use wasmrel_fault_inject::driver::{Call, End, Event, Pair, Replicas};
use wasmrel_fault_inject::dual::Inverted;

/// A benchmark program: its name and the bytes of its no-import `run` build.
pub struct Program {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The directory of the shared benchmark programs.
pub fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("programs")
}

/// Every `*.run.wasm` in [`programs_dir`], sorted by name.
pub fn programs() -> std::io::Result<Vec<Program>> {
    let mut programs = Vec::new();
    for entry in std::fs::read_dir(programs_dir())? {
        let path = entry?.path();
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if let Some(name) = file.strip_suffix(".run.wasm") {
            programs.push(Program {
                name: name.to_string(),
                bytes: std::fs::read(&path)?,
            });
        }
    }
    programs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(programs)
}

/// Whether the engine counts fuel against a limit while running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metering {
    Off,
    On,
}

/// The engine configuration: default limits; when metering, a fuel limit (far away), else
/// no fuel counted (as wasmi with metering off).
fn config(metering: Metering) -> Config {
    Config {
        fuel: (metering == Metering::On).then_some(u64::MAX / 2),
        fuel_count: FuelCount::WhenNeeded,
        ..Config::default()
    }
}

/// A program instantiated in wasmrel, plain mode.
pub type WasmrelRunner = DomainRunner<Plain>;

/// A program instantiated in wasmrel in the value domain `D`: plain (`Plain`) or encoded
/// (`wasmrel_an_encoding::An`).
pub struct DomainRunner<D: Domain> {
    store: Store<D>,
    instance: InstanceId,
}

impl<D: Domain> DomainRunner<D> {
    pub fn new(bytes: &[u8], metering: Metering) -> Result<Self, wasmrel_executor::Error> {
        Self::with_protection(bytes, metering, Protection::Crc)
    }

    /// As [`Self::new`], with linear memory protected by `protection` (encoded domains only;
    /// plain ignores it).
    pub fn with_protection(
        bytes: &[u8],
        metering: Metering,
        protection: Protection,
    ) -> Result<Self, wasmrel_executor::Error> {
        let config = config(metering);
        let module = Module::new(&config, bytes)?;
        let mut store = Store::new(config);
        store.set_memory_protection(protection);
        let instance = Linker::new().instantiate(&mut store, &module, &mut NoHost)?;
        Ok(Self { store, instance })
    }

    /// Calls `run` once and returns its checksum.
    pub fn run(&mut self) -> Result<i32, wasmrel_executor::Error> {
        match self.store.invoke(self.instance, "run", &[], &mut NoHost)?[..] {
            [Value::I32(checksum)] => Ok(checksum),
            _ => Err(wasmrel_executor::Error::Call(
                "run must return one i32".into(),
            )),
        }
    }
}

/// A program instantiated in dual execution with the default replicas (plain and a
/// bit-inverted plain copy, `wasmrel run --dual`): both run in lockstep through the fault
/// injector's [`Pair`] driver and their results are compared at the end of every call.
pub struct DualRunner {
    pair: Pair<Plain, Inverted>,
    call: Call,
    /// Whether `pair` holds a prepared call (instantiation prepares the first).
    prepared: bool,
}

impl DualRunner {
    pub fn new(bytes: &[u8], metering: Metering) -> Result<Self, String> {
        let config = config(metering);
        let module = Module::new(&config, bytes).map_err(|e| e.to_string())?;
        let call = Call {
            name: "run".into(),
            args: Vec::new(),
        };
        let pair = Pair::instantiate(&module, config, &mut NoHost, &call).map_err(end_text)?;
        Ok(Self {
            pair,
            call,
            prepared: true,
        })
    }

    /// Calls `run` once on both replicas and returns the checksum they agree on.
    pub fn run(&mut self) -> Result<i32, String> {
        if !self.prepared {
            self.pair.call_next(&self.call).map_err(end_text)?;
        }
        self.prepared = false;
        match self
            .pair
            .run_until(&mut NoHost, u64::MAX)
            .map_err(end_text)?
        {
            Event::Done(values) => match values[..] {
                [Value::I32(checksum)] => Ok(checksum),
                _ => Err("run must return one i32".into()),
            },
            Event::Stopped => Err("the dual run stopped before its end".into()),
        }
    }
}

fn end_text(end: End) -> String {
    format!("dual run ended: {end:?}")
}

/// A program instantiated in wasmi.
pub struct WasmiRunner {
    store: wasmi::Store<()>,
    run: wasmi::TypedFunc<(), i32>,
    metering: Metering,
}

impl WasmiRunner {
    pub fn new(
        bytes: &[u8],
        mode: wasmi::CompilationMode,
        metering: Metering,
    ) -> Result<Self, wasmi::Error> {
        let mut config = wasmi::Config::default();
        config.compilation_mode(mode);
        config.consume_fuel(metering == Metering::On);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, bytes)?;
        let mut store = wasmi::Store::new(&engine, ());
        let instance =
            wasmi::Linker::<()>::new(&engine).instantiate_and_start(&mut store, &module)?;
        let run = instance.get_typed_func::<(), i32>(&store, "run")?;
        Ok(Self {
            store,
            run,
            metering,
        })
    }

    /// Calls `run` once and returns its checksum.
    pub fn run(&mut self) -> Result<i32, wasmi::Error> {
        if self.metering == Metering::On {
            self.store.set_fuel(u64::MAX / 2)?;
        }
        self.run.call(&mut self.store, ())
    }
}
