//! Host functions: the pause/resume protocol, memory access through `Caller`, exits and
//! result type checks.

mod common;

use common::wat;
use wasmrel_executor::{
    Caller, Config, Error, FuncType, Host, HostError, HostFuncId, InstanceId, Linker, Module,
    Pause, Plain, Store, ValType, Value,
};

const MODULE: &str = r#"(module
  (import "env" "double" (func $double (param i32) (result i32)))
  (import "env" "shout" (func $shout (param i32 i32)))
  (import "env" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello")
  (func (export "twice_plus_one") (param i32) (result i32)
    (i32.add (call $double (local.get 0)) (i32.const 1)))
  (func (export "shout") (result i32)
    (call $shout (i32.const 0) (i32.const 5))
    (i32.load8_u (i32.const 0)))
  (func (export "exit") (call $exit (i32.const 3)) (unreachable)))"#;

const DOUBLE: HostFuncId = HostFuncId(1);
const SHOUT: HostFuncId = HostFuncId(2);
const EXIT: HostFuncId = HostFuncId(3);

/// `double` doubles, `shout` upper-cases guest memory in place, `exit` exits.
struct TestHost {
    wrong_type: bool,
}

impl Host for TestHost {
    fn call(
        &mut self,
        id: HostFuncId,
        caller: &mut Caller<'_>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError> {
        match id {
            DOUBLE if self.wrong_type => results[0] = Value::I64(0),
            DOUBLE => results[0] = Value::I32(args[0].as_i32().unwrap() * 2),
            SHOUT => {
                let (address, len) = (args[0].as_i32().unwrap(), args[1].as_i32().unwrap());
                let mut text = vec![0; len as usize];
                let unreadable = |_| HostError::Trap("unreadable".into());
                caller.read(address as u64, &mut text).map_err(unreadable)?;
                text.make_ascii_uppercase();
                caller.write(address as u64, &text).unwrap();
                assert!(caller.write(caller.size(), b"x").is_err());
            }
            EXIT => return Err(HostError::Exit(args[0].as_i32().unwrap())),
            _ => return Err(HostError::Trap("unknown".into())),
        }
        Ok(())
    }
}

fn setup() -> (Store<Plain>, InstanceId) {
    let config = Config::default();
    let module = Module::new(&config, &wat(MODULE)).unwrap();
    let mut store = Store::new(config);
    let mut linker = Linker::new();
    let i32_to_i32 = FuncType::new([ValType::I32], [ValType::I32]);
    linker.define_host_func("env", "double", i32_to_i32, DOUBLE);
    let two_i32 = FuncType::new([ValType::I32, ValType::I32], []);
    linker.define_host_func("env", "shout", two_i32, SHOUT);
    linker.define_host_func("env", "exit", FuncType::new([ValType::I32], []), EXIT);
    let host = &mut TestHost { wrong_type: false };
    let instance = linker.instantiate(&mut store, &module, host).unwrap();
    (store, instance)
}

#[test]
fn host_calls_pause_and_resume_with_results() {
    let (mut store, instance) = setup();
    let args = [Value::I32(20)];
    let mut execution = store.start_call(instance, "twice_plus_one", &args).unwrap();
    let Pause::HostCall(call) = execution.resume(&mut store).unwrap() else {
        panic!("expected a host call");
    };
    assert_eq!(call.id, DOUBLE);
    assert_eq!(call.args, [Value::I32(20)]);
    assert_eq!(call.result_types, [ValType::I32]);
    assert_eq!(call.instance, Some(instance));
    // Resuming without results is the driver's mistake; the call stays resumable.
    assert!(matches!(execution.resume(&mut store), Err(Error::Call(_))));
    let wrong = execution.set_host_results(&store, &[Value::I64(40)]);
    assert!(matches!(wrong, Err(Error::Host(_))));
    execution
        .set_host_results(&store, &[Value::I32(40)])
        .unwrap();
    let done = execution.resume(&mut store).unwrap();
    assert_eq!(done, Pause::Done(vec![Value::I32(41)]));
}

#[test]
fn hosts_reach_guest_memory_through_the_caller() {
    let (mut store, instance) = setup();
    let host = &mut TestHost { wrong_type: false };
    let results = store.invoke(instance, "shout", &[], host).unwrap();
    assert_eq!(results, [Value::I32(i32::from(b'H'))]);
    assert_eq!(&store.memory(instance).unwrap().bytes()[..5], b"HELLO");
}

#[test]
fn host_exit_and_wrong_result_types_end_the_run() {
    let (mut store, instance) = setup();
    let host = &mut TestHost { wrong_type: false };
    assert_eq!(
        store.invoke(instance, "exit", &[], host),
        Err(Error::Exit(3))
    );
    let host = &mut TestHost { wrong_type: true };
    let outcome = store.invoke(instance, "twice_plus_one", &[Value::I32(1)], host);
    assert!(matches!(outcome, Err(Error::Host(_))), "{outcome:?}");
}

#[test]
fn missing_and_mistyped_imports_are_link_errors() {
    let config = Config::default();
    let module = Module::new(&config, &wat(MODULE)).unwrap();
    let mut store: Store<Plain> = Store::new(config);
    let host = &mut TestHost { wrong_type: false };
    let error = Linker::new()
        .instantiate(&mut store, &module, host)
        .unwrap_err();
    assert_eq!(error, Error::Link("unknown import `env.double`".into()));

    let mut linker = Linker::new();
    linker.define_host_func("env", "double", FuncType::new([], []), DOUBLE);
    let error = linker.instantiate(&mut store, &module, host).unwrap_err();
    assert_eq!(
        error,
        Error::Link("incompatible import type for `env.double`".into())
    );
}

#[test]
fn bad_calls_name_the_problem() {
    let (mut store, instance) = setup();
    let host = &mut TestHost { wrong_type: false };
    let missing = store.invoke(instance, "nope", &[], host);
    assert!(matches!(missing, Err(Error::Call(m)) if m.contains("nope")));
    let not_func = store.invoke(instance, "memory", &[], host);
    assert!(matches!(not_func, Err(Error::Call(_))));
    let arity = store.invoke(instance, "twice_plus_one", &[], host);
    assert!(matches!(arity, Err(Error::Call(m)) if m.contains("expected 1 arguments")));
    let ty = store.invoke(instance, "twice_plus_one", &[Value::I64(1)], host);
    assert!(matches!(ty, Err(Error::Call(m)) if m.contains("must be i32")));
}

#[test]
fn mirrored_calls_write_both_replicas_and_refuse_disagreeing_reads() {
    let (mut store, instance) = setup();
    let (mut mirror_store, mirror_instance) = setup();
    let host = &mut TestHost { wrong_type: false };
    let mut execution = store.start_call(instance, "shout", &[]).unwrap();
    let Pause::HostCall(call) = execution.resume(&mut store).unwrap() else {
        panic!("expected a host call");
    };
    let mirror = mirror_store.memory_mut(mirror_instance).unwrap();
    let agreed = execution
        .call_host_mirrored(&mut store, mirror, &call, host)
        .unwrap();
    assert!(agreed);
    assert_eq!(
        &mirror_store.memory(mirror_instance).unwrap().bytes()[..5],
        b"HELLO"
    );
    assert_eq!(&store.memory(instance).unwrap().bytes()[..5], b"HELLO");

    // One differing byte in what the host reads: no results, nothing written.
    let (mut store, instance) = setup();
    let mut execution = store.start_call(instance, "shout", &[]).unwrap();
    let Pause::HostCall(call) = execution.resume(&mut store).unwrap() else {
        panic!("expected a host call");
    };
    let (mut mirror_store, mirror_instance) = setup();
    let mirror = mirror_store.memory_mut(mirror_instance).unwrap();
    mirror.write(4, b"O").unwrap();
    let agreed = execution
        .call_host_mirrored(&mut store, mirror, &call, host)
        .unwrap();
    assert!(!agreed);
    assert_eq!(&store.memory(instance).unwrap().bytes()[..5], b"hello");
    assert!(matches!(execution.resume(&mut store), Err(Error::Call(_))));
}
