//! Well-formed programs: results, floats, traps, limits, WASI exit codes, concurrency.

use wasmrel_kmod_client::{run, Outcome, Reply, Request, Value, DEFAULT_DEVICE};

use crate::{ensure, Case, Check};

/// The built-in cases of this file.
pub const ALL: &[Case] = &[
    ("add returns its sum", add),
    ("floats agree bit for bit with the host FPU", floats),
    ("unreachable traps", unreachable_traps),
    ("division by zero traps", division_traps),
    ("infinite loop stops at the fuel limit", fuel_limit),
    ("memory growth stops at the memory limit", memory_limit),
    (
        "memory growth up to the default limit",
        memory_default_limit,
    ),
    (
        "deep recursion stops at the call-depth limit",
        deep_recursion,
    ),
    ("proc_exit code and stdout come back", proc_exit),
    ("concurrent sessions are isolated", concurrent),
    ("poll_oneoff sleeps for its timeout", sleep),
];

/// Compiles WAT text (the cases are written as text for readability).
pub fn wasm(text: &str) -> Result<Vec<u8>, String> {
    wat::parse_str(text).map_err(|err| format!("a built-in test module does not compile: {err}"))
}

/// Invokes `name` in `module` with `args` through the kernel.
pub fn invoke(module: &[u8], name: &str, args: Vec<Value>) -> Result<Reply, String> {
    invoke_with(Request {
        module,
        invoke: Some((name.to_string(), args)),
        ..Request::default()
    })
}

/// Runs `request` through the kernel, turning a client error into a failure message.
pub fn invoke_with(request: Request<'_>) -> Result<Reply, String> {
    run(DEFAULT_DEVICE, &request).map_err(|err| format!("client error: {err}"))
}

fn expect_outcome(reply: &Reply, outcome: Outcome, exit_code: i32) -> Check {
    ensure(
        reply.outcome == outcome && reply.exit_code() == exit_code,
        || {
            format!(
                "expected {outcome:?} (exit {exit_code}), got {:?} (exit {}): {}",
                reply.outcome,
                reply.exit_code(),
                reply.message
            )
        },
    )
}

fn add() -> Check {
    let module = wasm(
        r#"(module (func (export "add") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.add))"#,
    )?;
    let reply = invoke(&module, "add", vec![Value::I32(2), Value::I32(40)])?;
    expect_outcome(&reply, Outcome::Returned, 0)?;
    ensure(reply.results == [Value::I32(42)], || {
        format!("results {:?}", reply.results)
    })?;
    ensure(reply.fuel_used > 0, || "no fuel counted".to_string())
}

fn floats() -> Check {
    let module = wasm(
        r#"(module
          (func (export "f64") (param f64 f64) (result f64)
            (f64.add
              (f64.div (f64.sqrt (local.get 0)) (local.get 1))
              (f64.mul (f64.nearest (local.get 0)) (f64.convert_i64_s (i64.trunc_sat_f64_s (local.get 1))))))
          (func (export "f32") (param f32 f32) (result f32)
            (f32.sub (f32.div (local.get 0) (local.get 1))
                     (f32.demote_f64 (f64.promote_f32 (f32.sqrt (local.get 1))))))
          (func (export "f64_to_i64") (param f64) (result i64)
            (i64.trunc_sat_f64_u (local.get 0))))"#,
    )?;
    let pairs = [
        (2.0f64, 3.0f64),
        (1e300, 1e-300),
        (0.1, 0.7),
        (123456.789, -42.5),
        (5e-324, 1.5),
        (-0.0, 7.0),
    ];
    for (a, b) in pairs {
        let expected = a.sqrt() / b + a.round_ties_even() * ((b as i64) as f64);
        let reply = invoke(
            &module,
            "f64",
            vec![Value::F64(a.to_bits()), Value::F64(b.to_bits())],
        )?;
        let got = reply.results.first().copied();
        ensure(got == Some(Value::F64(expected.to_bits())), || {
            format!(
                "f64({a}, {b}): expected {expected:e}, got {got:?} {}",
                reply.message
            )
        })?;
        let (x, y) = (a as f32, b as f32);
        let expected = x / y - (y.sqrt() as f64) as f32;
        let reply = invoke(
            &module,
            "f32",
            vec![Value::F32(x.to_bits()), Value::F32(y.to_bits())],
        )?;
        let got = reply.results.first().copied();
        let same = match got {
            // Wasm leaves the NaN sign and payload open; any NaN matches a NaN.
            Some(Value::F32(bits)) => {
                bits == expected.to_bits() || (f32::from_bits(bits).is_nan() && expected.is_nan())
            }
            _ => false,
        };
        ensure(same, || {
            format!("f32({x}, {y}): expected {expected:e}, got {got:?}")
        })?;
    }
    let reply = invoke(&module, "f64_to_i64", vec![Value::F64(1.8e19f64.to_bits())])?;
    ensure(
        reply.results == [Value::I64(1.8e19f64 as u64 as i64)],
        || format!("f64_to_i64: {:?}", reply.results),
    )
}

fn unreachable_traps() -> Check {
    let module = wasm(r#"(module (func (export "f") unreachable))"#)?;
    let reply = invoke(&module, "f", vec![])?;
    expect_outcome(&reply, Outcome::Trap, 134)?;
    ensure(reply.message.contains("unreachable"), || {
        reply.message.clone()
    })
}

fn division_traps() -> Check {
    let module = wasm(
        r#"(module (func (export "div") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.div_s))"#,
    )?;
    let reply = invoke(&module, "div", vec![Value::I32(1), Value::I32(0)])?;
    expect_outcome(&reply, Outcome::Trap, 134)?;
    ensure(reply.message.contains("divide by zero"), || {
        reply.message.clone()
    })
}

fn fuel_limit() -> Check {
    let module = wasm(r#"(module (func (export "spin") (loop br 0)))"#)?;
    let reply = invoke_with(Request {
        module: &module,
        invoke: Some(("spin".to_string(), vec![])),
        fuel: Some(3_000_000),
        ..Request::default()
    })?;
    expect_outcome(&reply, Outcome::Limit, 128)?;
    ensure(reply.message.contains("fuel"), || reply.message.clone())?;
    ensure((2_900_000..=3_000_000).contains(&reply.fuel_used), || {
        format!("fuel used {}", reply.fuel_used)
    })
}

/// Grows memory by `step` pages until `memory.grow` fails, touching each new page so it is
/// really backed, and returns the final size in pages.
const GROW: &str = r#"(module (memory 1)
    (func (export "grow") (param $step i32) (result i32)
      (block $full (loop $more
        (br_if $full (i32.eq (memory.grow (local.get $step)) (i32.const -1)))
        (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (i32.const 7))
        (br $more)))
      (memory.size)))"#;

fn memory_limit() -> Check {
    let module = wasm(GROW)?;
    let reply = invoke_with(Request {
        module: &module,
        invoke: Some(("grow".to_string(), vec![Value::I32(1)])),
        memory_bytes: Some(8 << 20),
        ..Request::default()
    })?;
    // Growing past the configured limit ends the run as a limit (as in user space), which
    // tells a runaway allocation from a program that checks memory.grow's result.
    expect_outcome(&reply, Outcome::Limit, 128)?;
    ensure(reply.message.contains("memory"), || reply.message.clone())
}

fn memory_default_limit() -> Check {
    let module = wasm(GROW)?;
    // Big steps keep the copying of each growth cheap under an emulated CPU.
    let reply = invoke(&module, "grow", vec![Value::I32(256)])?;
    match (reply.outcome, reply.results.as_slice()) {
        (Outcome::Limit, _) => ensure(reply.message.contains("memory"), || reply.message.clone()),
        // The kernel ran out of memory first: memory.grow failed and the guest saw -1.
        (Outcome::Returned, [Value::I32(pages)]) => {
            let limit_pages = (read_limit_mb()? << 20) / 65536;
            ensure((1..limit_pages).contains(pages), || {
                format!("memory ended at {pages} pages, limit {limit_pages}")
            })
        }
        _ => Err(format!(
            "{:?} {:?}: {}",
            reply.outcome, reply.results, reply.message
        )),
    }
}

fn read_limit_mb() -> Result<i32, String> {
    let path = "/sys/module/wasmrel/parameters/memory_limit_mb";
    let text = std::fs::read_to_string(path).map_err(|err| format!("{path}: {err}"))?;
    text.trim().parse().map_err(|err| format!("{path}: {err}"))
}

fn deep_recursion() -> Check {
    let module = wasm(
        r#"(module (func $down (export "down") (param i64) (result i64)
            (i64.add (call $down (i64.add (local.get 0) (i64.const 1))) (i64.const 1))))"#,
    )?;
    let reply = invoke(&module, "down", vec![Value::I64(0)])?;
    expect_outcome(&reply, Outcome::Limit, 128)?;
    ensure(reply.message.contains("call"), || reply.message.clone())
}

fn proc_exit() -> Check {
    let module = wasm(
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "kernel says hi\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 15))
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $exit (i32.const 7))))"#,
    )?;
    let reply = invoke_with(Request {
        module: &module,
        args: vec![b"prog".to_vec()],
        ..Request::default()
    })?;
    expect_outcome(&reply, Outcome::Exit, 7)?;
    ensure(reply.stdout == b"kernel says hi\n", || {
        format!("stdout {:?}", String::from_utf8_lossy(&reply.stdout))
    })?;
    ensure(reply.stderr == b"kernel says hi\n", || {
        format!("stderr {:?}", String::from_utf8_lossy(&reply.stderr))
    })
}

fn concurrent() -> Check {
    let module = wasm(
        r#"(module (func (export "sum") (param i64) (result i64) (local $acc i64)
            (block $done (loop $next
              (br_if $done (i64.eqz (local.get 0)))
              (local.set $acc (i64.add (local.get $acc) (local.get 0)))
              (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
              (br $next)))
            (local.get $acc)))"#,
    )?;
    let threads: Vec<_> = (1..=4i64)
        .map(|k| {
            let module = module.clone();
            std::thread::spawn(move || {
                let n = 100_000 * k;
                (n, invoke(&module, "sum", vec![Value::I64(n)]))
            })
        })
        .collect();
    for thread in threads {
        let (n, reply) = thread
            .join()
            .map_err(|_| "a session thread panicked".to_string())?;
        let reply = reply?;
        ensure(reply.results == [Value::I64(n * (n + 1) / 2)], || {
            format!("sum({n}) = {:?} {}", reply.results, reply.message)
        })?;
    }
    Ok(())
}

fn sleep() -> Check {
    // One relative clock subscription (monotonic, 300 ms) at 0; the event goes to 64, the
    // event count to 128; exits with poll_oneoff's errno.
    let module = wasm(
        r#"(module
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store8 (i32.const 8) (i32.const 0))
            (i32.store (i32.const 16) (i32.const 1))
            (i64.store (i32.const 24) (i64.const 300000000))
            (call $exit (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))"#,
    )?;
    let started = std::time::Instant::now();
    let reply = invoke_with(Request {
        module: &module,
        ..Request::default()
    })?;
    let slept = started.elapsed();
    expect_outcome(&reply, Outcome::Exit, 0)?;
    ensure((300..3000).contains(&slept.as_millis()), || {
        format!("slept {slept:?}")
    })
}
