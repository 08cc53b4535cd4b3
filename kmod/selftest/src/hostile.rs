//! Hostile and malformed requests: bad modules, protocol abuse, signals, missing privileges,
//! oversized inputs, unloading while in use. Each must end in a clear error, never an oops.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use wasmrel_kmod_client::abi;
use wasmrel_kmod_client::{run, ClientError, Outcome, Request, Value, DEFAULT_DEVICE};

use crate::cases::{invoke, invoke_with, wasm};
use crate::{ensure, Case, Check};

/// The hostile cases.
pub const ALL: &[Case] = &[
    (
        "truncated module is an invalid-module error",
        truncated_module,
    ),
    ("garbage bytes are an invalid-module error", garbage_module),
    ("missing export is an error", missing_export),
    ("mistyped invoke arguments are an error", mistyped_arguments),
    ("protocol version mismatch is refused", version_mismatch),
    ("wrong struct size is refused", wrong_size),
    ("malformed argument table is refused", malformed_strings),
    (
        "unknown mode options, or options of another mode, are refused",
        misplaced_mode_options,
    ),
    (
        "limit above the module parameter is refused",
        limit_above_parameter,
    ),
    ("oversized module is refused", oversized_module),
    (
        "a 4 MB module with a million functions runs and leaks nothing",
        huge_module,
    ),
    (
        "second run without reset is refused, reset allows it",
        run_twice,
    ),
    ("short reads return the rest of a stream", short_reads),
    ("unprivileged caller is refused", unprivileged),
    (
        "SIGKILL ends an endless run (export or start function) promptly",
        signal_stops_run,
    ),
    ("rmmod is refused while a session is open", rmmod_while_open),
];

const PARAMETERS: &str = "/sys/module/wasmrel/parameters";

fn add_module() -> Result<Vec<u8>, String> {
    wasm(
        r#"(module (func (export "add") (param i32 i32) (result i32)
            local.get 0 local.get 1 i32.add))"#,
    )
}

fn truncated_module() -> Check {
    let module = add_module()?;
    for cut in [0, 4, 8, 12, module.len() - 1] {
        let reply = invoke(&module[..cut], "add", vec![Value::I32(1), Value::I32(2)])?;
        ensure(
            reply.outcome == Outcome::Error && reply.exit_code() == 126,
            || format!("cut at {cut}: {:?} {}", reply.outcome, reply.message),
        )?;
        ensure(!reply.message.is_empty(), || {
            format!("cut at {cut}: no message")
        })?;
    }
    Ok(())
}

fn garbage_module() -> Check {
    let mut garbage = b"\0asm\x01\0\0\0".to_vec();
    garbage.extend((0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
    let reply = invoke(&garbage, "add", vec![])?;
    ensure(reply.outcome == Outcome::Error, || {
        format!("{:?} {}", reply.outcome, reply.message)
    })
}

fn missing_export() -> Check {
    let reply = invoke(&add_module()?, "nope", vec![])?;
    ensure(
        reply.outcome == Outcome::Error && reply.message.contains("nope"),
        || format!("{:?} {}", reply.outcome, reply.message),
    )
}

fn mistyped_arguments() -> Check {
    let reply = invoke(&add_module()?, "add", vec![Value::I64(1), Value::I32(2)])?;
    ensure(reply.outcome == Outcome::Error, || {
        format!("{:?} {}", reply.outcome, reply.message)
    })
}

fn open_device() -> Result<File, String> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(DEFAULT_DEVICE)
        .map_err(|err| format!("open {DEFAULT_DEVICE}: {err}"))
}

/// Issues one ioctl and returns the errno it failed with (0 on success).
fn ioctl_errno<T>(file: &File, request: libc::c_ulong, arg: &mut T) -> i32 {
    // SAFETY: `arg` is a live value of the struct the request names.
    let ret = unsafe { libc::ioctl(file.as_raw_fd(), request as _, arg as *mut T) };
    if ret < 0 {
        std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)
    } else {
        0
    }
}

fn version_mismatch() -> Check {
    let file = open_device()?;
    let mut version = 0u32;
    ensure(
        ioctl_errno(&file, abi::IOC_VERSION, &mut version) == 0,
        || "VERSION failed".to_string(),
    )?;
    ensure(version == abi::PROTOCOL_VERSION, || {
        format!("version {version}")
    })?;
    let mut config = abi::Config::new();
    config.header.version = abi::PROTOCOL_VERSION + 1;
    let errno = ioctl_errno(&file, abi::IOC_CONFIGURE, &mut config);
    ensure(errno == libc::EPROTO, || format!("errno {errno}"))
}

fn wrong_size() -> Check {
    let file = open_device()?;
    let mut run = abi::Run::default();
    run.header.size -= 8;
    let errno = ioctl_errno(&file, abi::IOC_RUN, &mut run);
    ensure(errno == libc::EPROTO, || format!("errno {errno}"))
}

fn malformed_strings() -> Check {
    let file = open_device()?;
    let table = b"one\0two\0";
    for (argc, bytes) in [(3u32, &table[..]), (1, &table[..]), (2, &table[..7])] {
        let mut config = abi::Config::new();
        config.argc = argc;
        config.argv = table.as_ptr() as u64;
        config.argv_bytes = bytes.len() as u64;
        let errno = ioctl_errno(&file, abi::IOC_CONFIGURE, &mut config);
        ensure(errno == libc::EINVAL, || {
            format!("argc {argc}: errno {errno}")
        })?;
    }
    let mut config = abi::Config::new();
    config.argc = 1;
    config.argv = 16; // an unmapped user address
    config.argv_bytes = 4;
    let errno = ioctl_errno(&file, abi::IOC_CONFIGURE, &mut config);
    ensure(errno == libc::EFAULT, || {
        format!("bad pointer: errno {errno}")
    })
}

fn read_parameter(name: &str) -> Result<u64, String> {
    let text = std::fs::read_to_string(format!("{PARAMETERS}/{name}"))
        .map_err(|err| format!("parameter {name}: {err}"))?;
    text.trim()
        .parse()
        .map_err(|err| format!("parameter {name}: {err}"))
}

fn write_parameter(name: &str, value: u64) -> Check {
    std::fs::write(format!("{PARAMETERS}/{name}"), value.to_string())
        .map_err(|err| format!("setting {name}: {err}"))
}

fn misplaced_mode_options() -> Check {
    let file = open_device()?;
    // (mode, check level, memory protection, replicas)
    for (mode, check_level, memory_protection, replicas) in [
        (0, 1, 0, 0),
        (0, 0, 2, 0),
        (0, 0, 0, 1),
        (1, 3, 0, 0),
        (1, 0, 3, 0),
        (1, 0, 0, 1),
        (2, 2, 0, 0),
        (2, 0, 0, 2),
        (3, 0, 0, 0),
    ] {
        let mut config = abi::Config::new();
        (config.mode, config.check_level) = (mode, check_level);
        (config.memory_protection, config.replicas) = (memory_protection, replicas);
        let errno = ioctl_errno(&file, abi::IOC_CONFIGURE, &mut config);
        ensure(errno == libc::EINVAL, || {
            format!("{mode} {check_level} {memory_protection} {replicas}: errno {errno}")
        })?;
    }
    let mut config = abi::Config::new();
    (config.mode, config.check_level, config.memory_protection) = (1, 2, 2);
    let errno = ioctl_errno(&file, abi::IOC_CONFIGURE, &mut config);
    ensure(errno == 0, || {
        format!("encoded, effects, dup: errno {errno}")
    })
}

fn limit_above_parameter() -> Check {
    let fuel_limit = read_parameter("fuel_limit")?;
    let table_limit = read_parameter("table_limit")?;
    let stack_limit = read_parameter("stack_limit_mb")? << 20;
    let module = add_module()?;
    let request = || Request {
        module: &module,
        invoke: Some(("add".to_string(), vec![Value::I32(1), Value::I32(2)])),
        ..Request::default()
    };
    for (what, over) in [
        (
            "fuel",
            Request {
                fuel: Some(fuel_limit + 1),
                ..request()
            },
        ),
        (
            "table",
            Request {
                table_elements: Some(table_limit as u32 + 1),
                ..request()
            },
        ),
        (
            "stack",
            Request {
                stack_bytes: Some(stack_limit + 1),
                ..request()
            },
        ),
    ] {
        let result = run(DEFAULT_DEVICE, &over);
        ensure(matches!(result, Err(ClientError::LimitTooHigh)), || {
            format!("{what}: {result:?}")
        })?;
    }
    let at_the_limits = Request {
        table_elements: Some(table_limit as u32),
        stack_bytes: Some(stack_limit),
        ..request()
    };
    let reply = run(DEFAULT_DEVICE, &at_the_limits).map_err(|err| err.to_string())?;
    ensure(reply.results == [Value::I32(3)], || {
        format!("at the limits: {:?} {}", reply.outcome, reply.message)
    })
}

fn oversized_module() -> Check {
    let limit = read_parameter("module_limit_mb")?;
    write_parameter("module_limit_mb", 1)?;
    let mut module = add_module()?;
    module.resize(2 << 20, 0);
    let result = run(
        DEFAULT_DEVICE,
        &Request {
            module: &module,
            ..Request::default()
        },
    );
    write_parameter("module_limit_mb", limit)?;
    ensure(matches!(result, Err(ClientError::ModuleTooBig)), || {
        format!("{result:?}")
    })
}

fn run_twice() -> Check {
    let mut file = open_device()?;
    let module = add_module()?;
    let name = b"add";
    let args: Vec<u8> = [Value::I32(1), Value::I32(2)]
        .iter()
        .flat_map(|v| record(*v))
        .collect();
    let configure = |file: &mut File| -> Check {
        file.write_all(&module).map_err(|err| err.to_string())?;
        let mut config = abi::Config::new();
        config.invoke = name.as_ptr() as u64;
        config.invoke_bytes = name.len() as u64;
        config.invoke_argc = 2;
        config.invoke_argv = args.as_ptr() as u64;
        let errno = ioctl_errno(file, abi::IOC_CONFIGURE, &mut config);
        ensure(errno == 0, || format!("configure: errno {errno}"))
    };
    configure(&mut file)?;
    let mut run = abi::Run::default();
    ensure(ioctl_errno(&file, abi::IOC_RUN, &mut run) == 0, || {
        "first run failed".to_string()
    })?;
    let errno = ioctl_errno(&file, abi::IOC_RUN, &mut run);
    ensure(errno == libc::EBUSY, || {
        format!("second run: errno {errno}")
    })?;
    let errno = ioctl_errno(&file, abi::IOC_RESET, &mut ());
    ensure(errno == 0, || format!("reset: errno {errno}"))?;
    configure(&mut file)?;
    let errno = ioctl_errno(&file, abi::IOC_RUN, &mut run);
    ensure(errno == 0 && run.result_count == 1, || {
        format!(
            "run after reset: errno {errno}, {} results",
            run.result_count
        )
    })
}

fn record(value: Value) -> [u8; abi::VALUE_BYTES] {
    let (type_code, bits) = match value {
        Value::I32(v) => (0x7fu32, u64::from(v as u32)),
        _ => (0x7e, 0),
    };
    let mut out = [0; abi::VALUE_BYTES];
    out[0..4].copy_from_slice(&type_code.to_le_bytes());
    out[8..16].copy_from_slice(&bits.to_le_bytes());
    out
}

fn short_reads() -> Check {
    let module = wasm(
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "0123456789")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 10))
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    )?;
    let mut file = open_device()?;
    file.write_all(&module).map_err(|err| err.to_string())?;
    let mut config = abi::Config::new();
    ensure(
        ioctl_errno(&file, abi::IOC_CONFIGURE, &mut config) == 0,
        || "configure failed".to_string(),
    )?;
    let mut run = abi::Run::default();
    ensure(ioctl_errno(&file, abi::IOC_RUN, &mut run) == 0, || {
        "run failed".to_string()
    })?;
    ensure(run.stdout_bytes == 10, || {
        format!("{} stdout bytes", run.stdout_bytes)
    })?;
    let mut buffer = [0u8; 4];
    let mut read = abi::Read::new(abi::STREAM_STDOUT, 8, &mut buffer);
    ensure(ioctl_errno(&file, abi::IOC_READ, &mut read) == 0, || {
        "read failed".to_string()
    })?;
    ensure(read.copied == 2 && &buffer[..2] == b"89", || {
        format!("copied {} {:?}", read.copied, &buffer[..2])
    })?;
    let mut read = abi::Read::new(abi::STREAM_STDOUT, 1 << 40, &mut buffer);
    ensure(
        ioctl_errno(&file, abi::IOC_READ, &mut read) == 0 && read.copied == 0,
        || format!("read past the end copied {}", read.copied),
    )?;
    let mut read = abi::Read::new(7, 0, &mut buffer);
    let errno = ioctl_errno(&file, abi::IOC_READ, &mut read);
    ensure(errno == libc::EINVAL, || {
        format!("unknown stream: errno {errno}")
    })
}

/// Child modes: the parent re-executes this binary to test what needs a separate process.
pub fn child_mode(args: &[String]) -> Option<ExitCode> {
    match args.get(1).map(String::as_str) {
        Some("--child-unprivileged") => {
            // SAFETY: plain system calls on this single-threaded child.
            let dropped = unsafe { libc::setgid(65534) == 0 && libc::setuid(65534) == 0 };
            if !dropped {
                return Some(ExitCode::from(3));
            }
            let code = match invoke(
                &add_module().ok()?,
                "add",
                vec![Value::I32(1), Value::I32(2)],
            ) {
                Err(message) if message.contains("permission denied") => 0,
                Err(message) => {
                    eprintln!("{message}");
                    1
                }
                Ok(_) => 2,
            };
            Some(ExitCode::from(code))
        }
        Some("--child-spin") => {
            // An endless export, or (with `start`) an endless start function.
            let in_start = args.get(2).is_some_and(|where_| where_ == "start");
            let text = match in_start {
                true => r#"(module (func $spin (loop br 0)) (start $spin))"#,
                false => r#"(module (func (export "spin") (loop br 0)))"#,
            };
            let module = wasm(text).ok()?;
            let _ = invoke_with(Request {
                module: &module,
                invoke: (!in_start).then(|| ("spin".to_string(), vec![])),
                ..Request::default()
            });
            Some(ExitCode::from(4))
        }
        _ => None,
    }
}

fn child(args: &[&str]) -> Command {
    let mut command = Command::new("/proc/self/exe");
    command.args(args);
    command
}

fn unprivileged() -> Check {
    // Once with the node's own 0600 mode, once with the node opened up, so that the module's
    // CAP_SYS_ADMIN check is what refuses.
    for mode in [0o600, 0o666] {
        std::fs::set_permissions(
            DEFAULT_DEVICE,
            std::os::unix::fs::PermissionsExt::from_mode(mode),
        )
        .map_err(|err| err.to_string())?;
        let status = child(&["--child-unprivileged"])
            .status()
            .map_err(|err| err.to_string())?;
        ensure(status.code() == Some(0), || {
            format!("mode {mode:o}: child exit {status:?}")
        })?;
    }
    std::fs::set_permissions(
        DEFAULT_DEVICE,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .map_err(|err| err.to_string())
}

fn signal_stops_run() -> Check {
    for place in ["export", "start"] {
        let mut spinner = child(&["--child-spin", place])
            .spawn()
            .map_err(|err| err.to_string())?;
        std::thread::sleep(Duration::from_millis(1500));
        if let Ok(Some(status)) = spinner.try_wait() {
            return Err(format!(
                "{place}: the endless run ended by itself: {status:?}"
            ));
        }
        let killed_at = Instant::now();
        spinner.kill().map_err(|err| err.to_string())?;
        let status = spinner.wait().map_err(|err| err.to_string())?;
        let waited = killed_at.elapsed();
        ensure(status.signal() == Some(libc::SIGKILL), || {
            format!("{place}: child status {status:?}")
        })?;
        ensure(waited < Duration::from_secs(2), || {
            format!("{place}: the run took {waited:?} to stop")
        })?;
    }
    // The device still works afterwards.
    let reply = invoke(&add_module()?, "add", vec![Value::I32(20), Value::I32(22)])?;
    ensure(reply.results == [Value::I32(42)], || {
        format!("after the kill: {:?}", reply.results)
    })
}

fn rmmod_while_open() -> Check {
    let file = open_device()?;
    let output = Command::new("rmmod")
        .arg("wasmrel")
        .output()
        .map_err(|err| format!("rmmod: {err}"))?;
    ensure(!output.status.success(), || {
        "rmmod succeeded while /dev/wasmrel was open".to_string()
    })?;
    drop(file);
    ensure(std::path::Path::new(DEFAULT_DEVICE).exists(), || {
        "the device vanished".to_string()
    })
}

/// A module with `count` empty functions of type [] -> [] and nothing else.
fn many_functions(count: u32) -> Vec<u8> {
    fn leb(mut value: u32, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    fn section(id: u8, body: Vec<u8>, out: &mut Vec<u8>) {
        out.push(id);
        leb(body.len() as u32, out);
        out.extend(body);
    }
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    section(1, vec![1, 0x60, 0, 0], &mut module);
    let mut functions = Vec::new();
    leb(count, &mut functions);
    functions.resize(functions.len() + count as usize, 0);
    section(3, functions, &mut module);
    let mut code = Vec::new();
    leb(count, &mut code);
    for _ in 0..count {
        code.extend([2, 0, 0x0b]);
    }
    section(10, code, &mut module);
    module
}

fn available_kib() -> Result<u64, String> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").map_err(|err| err.to_string())?;
    meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no MemAvailable in /proc/meminfo".to_string())
}

fn huge_module() -> Check {
    // The most functions wasmparser accepts: about 130 MB of engine state in user space.
    let module = many_functions(1_000_000);
    let request = || Request {
        module: &module,
        ..Request::default()
    };
    // A first run warms the allocators; the later ones must give back what they take.
    invoke_with(request())?;
    let before = available_kib()?;
    for _ in 0..2 {
        let reply = invoke_with(request())?;
        ensure(
            reply.outcome == Outcome::Exit && reply.exit_code() == 0,
            || format!("{:?}: {}", reply.outcome, reply.message),
        )?;
    }
    let after = available_kib()?;
    ensure(after + 8 * 1024 >= before, || {
        format!("available memory went from {before} KiB to {after} KiB")
    })?;
    let reply = invoke_with(Request {
        module: &many_functions(1_000_001),
        ..Request::default()
    })?;
    ensure(reply.outcome == Outcome::Error, || {
        format!("1 000 001 functions: {:?} {}", reply.outcome, reply.message)
    })
}
