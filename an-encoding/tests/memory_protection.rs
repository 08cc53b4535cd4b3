//! Linear-memory protection against flips the guest's own accesses do not read at once: a
//! flipped byte next to a store in the same protected word, and a flipped byte that leaves the
//! guest through a host function. Both must end the run detected (`memory`), with `crc` and
//! with `dup`, never with a wrong result.

use wasmrel_an_encoding::An;
use wasmrel_executor::{
    Caller, Config, Error, FuncType, Host, HostError, HostFuncId, Linker, Module, Pause,
    Protection, Store, ValType, Value,
};

/// Stores to bytes 0..4 in a loop, then reads bytes 4..8 (the same 8-byte word) directly and
/// bytes 8..16 through the host function `env.sum`.
const PROGRAM: &str = r#"(module
  (import "env" "sum" (func $sum (param i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 4) "\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (func (export "run") (result i32) (local $i i32)
    (loop $l
      (i32.store (i32.const 0) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20))))
    (i32.add (i32.load (i32.const 4)) (call $sum (i32.const 8) (i32.const 8)))))"#;

/// `env.sum(address, len)`: the sum of `len` bytes of guest memory, read through `Caller`.
struct Summer;

impl Host for Summer {
    fn call(
        &mut self,
        _id: HostFuncId,
        caller: &mut Caller<'_>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), HostError> {
        let [Value::I32(address), Value::I32(len)] = args else {
            return Err(HostError::Trap("sum takes two i32".into()));
        };
        let mut bytes = vec![0u8; *len as usize];
        caller
            .read(*address as u64, &mut bytes)
            .map_err(|e| HostError::Trap(e.to_string()))?;
        let sum: i32 = bytes.iter().map(|&b| i32::from(b)).sum();
        if let Some(result) = results.first_mut() {
            *result = Value::I32(sum);
        }
        Ok(())
    }
}

/// Runs `run` with `protection`, flipping `bit` of memory byte `address` after `stop`
/// instructions (`None`: no flip).
fn run(protection: Protection, flip: Option<(u64, usize, u32)>) -> Result<Vec<Value>, Error> {
    let bytes = wat::parse_str(PROGRAM).expect("valid module");
    let config = Config::default();
    let module = Module::new(&config, &bytes).expect("valid module");
    let mut store: Store<An> = Store::new(config);
    store.set_memory_protection(protection);
    let mut linker = Linker::new();
    let ty = FuncType::new([ValType::I32, ValType::I32], [ValType::I32]);
    linker.define_host_func("env", "sum", ty, HostFuncId(0));
    let instance = linker
        .instantiate(&mut store, &module, &mut Summer)
        .expect("links");
    let mut execution = store.start_call(instance, "run", &[]).expect("starts");
    if let Some((stop, address, bit)) = flip {
        execution.set_pause_at(stop);
        assert_eq!(execution.resume(&mut store), Ok(Pause::Stopped));
        let memory = store.memory_mut(instance).expect("has a memory");
        memory.bytes_mut()[address] ^= 1 << bit;
    }
    execution.run(&mut store, &mut Summer)
}

fn detected(outcome: &Result<Vec<Value>, Error>) -> bool {
    matches!(outcome, Err(Error::Corrupted(c)) if c.mechanism() == "memory")
}

#[test]
fn unflipped_runs_give_the_plain_result() {
    let expected = i32::from_le_bytes([5, 6, 7, 8]) + (9..=16).sum::<i32>();
    for protection in [Protection::None, Protection::Crc, Protection::Dup] {
        assert_eq!(run(protection, None), Ok(vec![Value::I32(expected)]));
    }
}

#[test]
fn a_flip_beside_a_store_is_not_absorbed() {
    // Bytes 4..8 share the protected word of the stores to 0..4; the loop stores into that
    // word after each stop point, and `run` reads bytes 4..8 at the end.
    for protection in [Protection::Crc, Protection::Dup] {
        for stop in [3, 20, 41] {
            for address in 4..8 {
                for bit in 0..8 {
                    let outcome = run(protection, Some((stop, address, bit)));
                    assert!(
                        detected(&outcome),
                        "{protection:?} byte {address} bit {bit} at {stop}: {outcome:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_flip_the_host_reads_is_detected() {
    for protection in [Protection::Crc, Protection::Dup] {
        for address in 8..16 {
            for bit in 0..8 {
                let outcome = run(protection, Some((10, address, bit)));
                assert!(
                    detected(&outcome),
                    "{protection:?} byte {address} bit {bit}: {outcome:?}"
                );
            }
        }
    }
    // Unprotected memory lets the flip through: the test above can fail.
    let outcome = run(Protection::None, Some((10, 8, 0)));
    assert!(outcome.is_ok() && outcome != run(Protection::None, None));
}
