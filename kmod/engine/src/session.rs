//! One `/dev/wasmrel` session: module upload, configuration, one run, reading the report.

use alloc::string::String;
use alloc::vec::Vec;

use wasmrel_executor::Value;

use crate::config::{Invoke, Limits, Mode, RawMode, RunConfig};
use crate::platform::Platform;
use crate::record::{decode, RECORD_BYTES};
use crate::report::Report;
use crate::run;
use crate::strings::parse_string_table;

/// Why a session request was refused; the FFI layer maps each to an errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// The module would exceed its size limit (`EFBIG`).
    ModuleTooBig,
    /// An allocation failed (`ENOMEM`).
    OutOfMemory,
    /// A malformed argument: string table, mode or its options, export name (`EINVAL`).
    InvalidArgument,
    /// Run before configure, or a second run without reset (`EBUSY`).
    WrongState,
    /// The caller got a signal during the run (`EINTR`).
    Interrupted,
}

/// Raw configuration as it crosses the FFI, before parsing.
pub struct RawConfig<'a> {
    /// The mode and its options.
    pub mode: RawMode,
    /// Resolved limits.
    pub limits: Limits,
    /// WASI arguments as a string table with `argc` entries.
    pub argv: (&'a [u8], u32),
    /// Environment as a string table with `envc` entries.
    pub envp: (&'a [u8], u32),
    /// Export name, if an export is invoked.
    pub invoke: Option<&'a [u8]>,
    /// Invoke arguments: `struct wasmrel_value` records.
    pub invoke_args: &'a [u8],
}

/// The state of one open file.
#[derive(Default)]
pub struct Session {
    module: Vec<u8>,
    config: Option<RunConfig>,
    report: Option<Report>,
}

impl Session {
    /// An empty session.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets module, configuration and report.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Appends a chunk of the module, refusing to grow past `max_total` bytes.
    pub fn append_module(&mut self, chunk: &[u8], max_total: usize) -> Result<(), SessionError> {
        if self.report.is_some() {
            return Err(SessionError::WrongState);
        }
        let total = self.module.len().checked_add(chunk.len());
        if total.is_none_or(|total| total > max_total) {
            return Err(SessionError::ModuleTooBig);
        }
        self.module
            .try_reserve(chunk.len())
            .map_err(|_| SessionError::OutOfMemory)?;
        self.module.extend_from_slice(chunk);
        Ok(())
    }

    /// Parses and stores the configuration of the next run.
    pub fn configure(&mut self, raw: &RawConfig<'_>) -> Result<(), SessionError> {
        if self.report.is_some() {
            return Err(SessionError::WrongState);
        }
        let mode = Mode::from_raw(raw.mode).ok_or(SessionError::InvalidArgument)?;
        let table = |(bytes, count): (&[u8], u32)| {
            parse_string_table(bytes, count).ok_or(SessionError::InvalidArgument)
        };
        let args = table(raw.argv)?;
        let env = table(raw.envp)?;
        let invoke = match raw.invoke {
            None => None,
            Some(name) => Some(Invoke {
                name: utf8(name)?,
                args: values(raw.invoke_args)?,
            }),
        };
        self.config = Some(RunConfig {
            mode,
            limits: raw.limits,
            args,
            env,
            invoke,
        });
        Ok(())
    }

    /// Runs the uploaded module once with the stored configuration.
    pub fn run<P: Platform + Clone + 'static>(
        &mut self,
        platform: &mut P,
    ) -> Result<&Report, SessionError> {
        if self.report.is_some() {
            return Err(SessionError::WrongState);
        }
        let config = self.config.as_ref().ok_or(SessionError::WrongState)?;
        let report = run::execute(&self.module, config, platform)?;
        // The module bytes are no longer needed; give their memory back right away.
        self.module = Vec::new();
        Ok(self.report.insert(report))
    }

    /// The report of the last run, if there was one.
    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }
}

fn utf8(bytes: &[u8]) -> Result<String, SessionError> {
    let text = core::str::from_utf8(bytes).map_err(|_| SessionError::InvalidArgument)?;
    let mut owned = String::new();
    owned
        .try_reserve_exact(text.len())
        .map_err(|_| SessionError::OutOfMemory)?;
    owned.push_str(text);
    Ok(owned)
}

fn values(records: &[u8]) -> Result<Vec<Value>, SessionError> {
    let chunks = records.chunks_exact(RECORD_BYTES);
    if !chunks.remainder().is_empty() {
        return Err(SessionError::InvalidArgument);
    }
    let mut values = Vec::new();
    values
        .try_reserve_exact(records.len() / RECORD_BYTES)
        .map_err(|_| SessionError::OutOfMemory)?;
    for chunk in chunks {
        let record = chunk
            .try_into()
            .map_err(|_| SessionError::InvalidArgument)?;
        values.push(decode(record).ok_or(SessionError::InvalidArgument)?);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CheckLevel, Replicas};
    use crate::record::encode;
    use crate::report::Outcome;
    use wasmrel_executor::Protection;

    #[derive(Clone)]
    struct TestPlatform {
        stop_after: u32,
    }

    impl Platform for TestPlatform {
        fn should_stop(&mut self) -> bool {
            self.stop_after = self.stop_after.saturating_sub(1);
            self.stop_after == 0
        }
        fn realtime_ns(&mut self) -> u64 {
            1
        }
        fn monotonic_ns(&mut self) -> u64 {
            2
        }
        fn random(&mut self, buf: &mut [u8]) {
            buf.fill(4);
        }
        fn sleep(&mut self, _ns: u64) -> bool {
            true
        }
    }

    const LIMITS: Limits = Limits {
        fuel: 1_000_000,
        memory_bytes: 1 << 20,
        call_depth: 100,
        table_elements: 1000,
        stack_bytes: 1 << 20,
        output_bytes: 64,
    };

    fn session(wat: &str, invoke: Option<(&str, &[Value])>) -> Session {
        session_in(0, wat, invoke)
    }

    fn mode(mode: u32) -> RawMode {
        RawMode {
            mode,
            ..RawMode::default()
        }
    }

    fn session_in(mode: u32, wat: &str, invoke: Option<(&str, &[Value])>) -> Session {
        session_with(self::mode(mode), LIMITS, wat, invoke)
    }

    fn session_with(
        mode: RawMode,
        limits: Limits,
        wat: &str,
        invoke: Option<(&str, &[Value])>,
    ) -> Session {
        let module = wat::parse_str(wat).unwrap();
        let mut session = Session::new();
        for chunk in module.chunks(7) {
            session.append_module(chunk, 1 << 20).unwrap();
        }
        let args: Vec<u8> = invoke
            .map(|(_, args)| args.iter().flat_map(|v| encode(*v)).collect())
            .unwrap_or_default();
        session
            .configure(&RawConfig {
                mode,
                limits,
                argv: (b"prog\0", 1),
                envp: (b"", 0),
                invoke: invoke.map(|(name, _)| name.as_bytes()),
                invoke_args: &args,
            })
            .unwrap();
        session
    }

    fn platform() -> TestPlatform {
        TestPlatform {
            stop_after: u32::MAX,
        }
    }

    #[test]
    fn invokes_an_export_and_encodes_its_results() {
        let mut s = session(
            r#"(module (func (export "add") (param i32 i32) (result i32)
                local.get 0 local.get 1 i32.add))"#,
            Some(("add", &[Value::I32(2), Value::I32(3)])),
        );
        let report = s.run(&mut platform()).unwrap();
        assert_eq!(report.outcome, Outcome::Returned);
        assert_eq!(report.results, encode(Value::I32(5)));
        assert_eq!(report.fuel_used, 4);
        assert_eq!(s.run(&mut platform()), Err(SessionError::WrongState));
    }

    const FIB: &str = r#"(module (func $fib (export "fib") (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#;

    #[test]
    fn calls_survive_the_periodic_yield() {
        // ~300 000 instructions in nested calls: pauses for the fuel hook happen inside
        // callees, and the run must resume in the right frame.
        let mut s = session(FIB, Some(("fib", &[Value::I32(20)])));
        let report = s.run(&mut platform()).unwrap();
        assert_eq!(report.message, "");
        assert_eq!(report.results, encode(Value::I32(6765)));
    }

    #[test]
    fn encoded_mode_computes_the_same_results() {
        let plain = session_in(0, FIB, Some(("fib", &[Value::I32(15)])))
            .run(&mut platform())
            .unwrap()
            .clone();
        let encoded = session_in(1, FIB, Some(("fib", &[Value::I32(15)])))
            .run(&mut platform())
            .unwrap()
            .clone();
        assert_eq!(encoded.outcome, Outcome::Returned);
        assert_eq!(encoded.results, plain.results);
        assert_eq!(encoded.fuel_used, plain.fuel_used);
        let dual = session_in(2, FIB, Some(("fib", &[Value::I32(15)])))
            .run(&mut platform())
            .unwrap()
            .clone();
        assert_eq!(dual.outcome, Outcome::Returned, "{}", dual.message);
        assert_eq!(dual.results, plain.results);
        assert_eq!(dual.fuel_used, plain.fuel_used);
    }

    #[test]
    fn dual_mode_serves_wasi_once_and_stops_on_a_signal() {
        let mut s = session_in(2, HELLO, None);
        let report = s.run(&mut platform()).unwrap();
        assert_eq!((report.outcome, report.exit_code), (Outcome::Exit, 3));
        assert_eq!(report.stdout, b"hi\n");
        let spin = r#"(module (func (export "f") (loop br 0)))"#;
        let mut s = session_in(2, spin, Some(("f", &[])));
        assert_eq!(
            s.run(&mut TestPlatform { stop_after: 2 }),
            Err(SessionError::Interrupted)
        );
    }

    const HELLO: &str = r#"(module
        (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (data (i32.const 16) "hi\n")
        (func (export "_start")
          (i32.store (i32.const 0) (i32.const 16))
          (i32.store (i32.const 4) (i32.const 3))
          (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (call $exit (i32.const 3))))"#;

    #[test]
    fn a_wasi_command_writes_stdout_and_exits() {
        let mut s = session(HELLO, None);
        let report = s.run(&mut platform()).unwrap();
        assert_eq!((report.outcome, report.exit_code), (Outcome::Exit, 3));
        assert_eq!(report.stdout, b"hi\n");
    }

    #[test]
    fn output_beyond_the_limit_is_a_limit() {
        let mut s = session(
            r#"(module
              (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (i32.store (i32.const 4) (i32.const 40))
                (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
            None,
        );
        let report = s.run(&mut platform()).unwrap();
        assert_eq!(report.outcome, Outcome::Limit);
        assert_eq!(report.stdout.len(), 40);
    }

    #[test]
    fn limits_traps_and_bad_modules_are_outcomes() {
        let spin = r#"(module (func (export "f") (loop br 0)))"#;
        let report = session(spin, Some(("f", &[])))
            .run(&mut platform())
            .unwrap()
            .clone();
        assert_eq!(report.outcome, Outcome::Limit);
        assert_eq!(report.fuel_used, LIMITS.fuel);

        let trap = r#"(module (func (export "f") unreachable))"#;
        let report = session(trap, Some(("f", &[])))
            .run(&mut platform())
            .unwrap()
            .clone();
        assert_eq!(report.outcome, Outcome::Trap);

        let mut s = Session::new();
        s.append_module(b"\0asm\x01\0\0", 100).unwrap();
        s.configure(&RawConfig {
            mode: mode(0),
            limits: LIMITS,
            argv: (b"", 0),
            envp: (b"", 0),
            invoke: None,
            invoke_args: &[],
        })
        .unwrap();
        assert_eq!(s.run(&mut platform()).unwrap().outcome, Outcome::Error);
    }

    #[test]
    fn the_start_function_runs_first_and_yields_like_any_call() {
        let module = r#"(module (global $g (mut i32) (i32.const 0))
            (func $init (global.set $g (i32.const 41)))
            (start $init)
            (func (export "get") (result i32) (i32.add (global.get $g) (i32.const 1))))"#;
        let report = session(module, Some(("get", &[])))
            .run(&mut platform())
            .unwrap()
            .clone();
        assert_eq!(report.results, encode(Value::I32(42)));

        let spin = r#"(module (func $spin (loop br 0)) (start $spin))"#;
        let mut s = session(spin, None);
        assert_eq!(
            s.run(&mut TestPlatform { stop_after: 2 }),
            Err(SessionError::Interrupted)
        );
    }

    #[test]
    fn a_stop_request_interrupts_the_run() {
        let spin = r#"(module (func (export "f") (loop br 0)))"#;
        let mut s = session(spin, Some(("f", &[])));
        assert_eq!(
            s.run(&mut TestPlatform { stop_after: 2 }),
            Err(SessionError::Interrupted)
        );
    }

    #[test]
    fn refuses_oversized_modules_and_malformed_arguments() {
        let mut s = Session::new();
        s.append_module(&[0; 10], 16).unwrap();
        assert_eq!(
            s.append_module(&[0; 7], 16),
            Err(SessionError::ModuleTooBig)
        );
        let bad = RawConfig {
            mode: mode(9),
            limits: LIMITS,
            argv: (b"", 0),
            envp: (b"", 0),
            invoke: None,
            invoke_args: &[],
        };
        assert_eq!(s.configure(&bad), Err(SessionError::InvalidArgument));
        let bad = RawConfig {
            mode: mode(0),
            invoke: Some(b"f"),
            invoke_args: &[1, 2, 3],
            ..bad
        };
        assert_eq!(s.configure(&bad), Err(SessionError::InvalidArgument));
    }

    #[test]
    fn mode_options_belong_to_their_mode() {
        let raw = |mode, check_level, memory_protection, replicas| RawMode {
            mode,
            check_level,
            memory_protection,
            replicas,
        };
        assert_eq!(Mode::from_raw(raw(0, 0, 0, 0)), Some(Mode::Plain));
        assert_eq!(
            Mode::from_raw(raw(1, 2, 2, 0)),
            Some(Mode::Encoded {
                check: CheckLevel::Effects,
                memory: Protection::Dup
            })
        );
        assert_eq!(
            Mode::from_raw(raw(1, 1, 1, 0)),
            Some(Mode::Encoded {
                check: CheckLevel::Op,
                memory: Protection::None
            })
        );
        assert_eq!(
            Mode::from_raw(raw(2, 0, 0, 1)),
            Some(Mode::Dual(Replicas::Encoded))
        );
        for refused in [
            raw(0, 1, 0, 0),
            raw(0, 0, 1, 0),
            raw(0, 0, 0, 1),
            raw(1, 3, 0, 0),
            raw(1, 0, 3, 0),
            raw(1, 0, 0, 1),
            raw(2, 1, 0, 0),
            raw(2, 0, 2, 0),
            raw(2, 0, 0, 2),
            raw(3, 0, 0, 0),
        ] {
            assert_eq!(Mode::from_raw(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn every_check_level_protection_and_replica_pair_computes_the_same() {
        let expected = encode(Value::I32(610));
        let modes = [
            (1, 1, 0, 0),
            (1, 2, 0, 0),
            (1, 0, 1, 0),
            (1, 0, 2, 0),
            (2, 0, 0, 1),
        ];
        for (mode, check_level, memory_protection, replicas) in modes {
            let raw = RawMode {
                mode,
                check_level,
                memory_protection,
                replicas,
            };
            let report = session_with(raw, LIMITS, FIB, Some(("fib", &[Value::I32(15)])))
                .run(&mut platform())
                .unwrap()
                .clone();
            assert_eq!(
                report.outcome,
                Outcome::Returned,
                "{raw:?}: {}",
                report.message
            );
            assert_eq!(report.results, expected, "{raw:?}");
        }
    }

    #[test]
    fn table_and_stack_limits_are_the_requested_ones() {
        let table = r#"(module (table 100 funcref) (func (export "f")))"#;
        for (elements, outcome) in [(100, Outcome::Returned), (99, Outcome::Limit)] {
            let limits = Limits {
                table_elements: elements,
                ..LIMITS
            };
            let report = session_with(mode(0), limits, table, Some(("f", &[])))
                .run(&mut platform())
                .unwrap()
                .clone();
            assert_eq!(report.outcome, outcome, "{elements}: {}", report.message);
        }
        // Each call holds a frame of a few slots: 64 KiB of 8-byte slots runs out long
        // before the call depth (deep enough here) in both domains.
        let deep = r#"(module (func $f (export "f") (local i64 i64 i64 i64) call $f))"#;
        let limits = Limits {
            stack_bytes: 64 << 10,
            call_depth: 1 << 20,
            ..LIMITS
        };
        for raw in [mode(0), mode(1)] {
            let report = session_with(raw, limits, deep, Some(("f", &[])))
                .run(&mut platform())
                .unwrap()
                .clone();
            assert_eq!(report.outcome, Outcome::Limit, "{raw:?}");
            assert!(report.message.contains("stack"), "{}", report.message);
        }
    }
}
