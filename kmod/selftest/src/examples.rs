//! The example programs, run in the kernel and compared byte for byte with user-space runs.
//!
//! CASES_DIR holds `cases.txt` (the `ID ARGS...` lines of examples/cases.txt), the modules at
//! the paths those lines name, and `expected/ID.{stdout,stderr,status}` from user space.
//! Each case runs plain and encoded, both compared with the plain user-space run. Cases that
//! need a directory grant (`--dir`) have no kernel equivalent and are skipped.

use std::path::Path;

use wasmrel_executor::{Config, ExternType, Module, ValType};
use wasmrel_kmod_client::{Encoding, Mode, Outcome, Request, Value};

use crate::cases::invoke_with;
use crate::{ensure, Check};

/// Runs every eligible case; returns each case's name and result.
pub fn run_all(dir: &Path) -> Vec<(String, Check)> {
    let list = match std::fs::read_to_string(dir.join("cases.txt")) {
        Ok(list) => list,
        Err(err) => return vec![("examples".to_string(), Err(format!("cases.txt: {err}")))],
    };
    let mut results = Vec::new();
    for line in list.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.contains(&"--dir") {
            continue;
        }
        let (id, args) = words.split_first().unwrap_or((&"", &[]));
        for (mode, label) in [
            (Mode::Plain, ""),
            (Mode::Encoded(Encoding::default()), " (encoded)"),
        ] {
            results.push((
                format!("example {id}{label}"),
                run_case(dir, id, args, mode),
            ));
        }
    }
    results
}

fn run_case(dir: &Path, id: &str, words: &[&str], mode: Mode) -> Check {
    let mut invoke = None;
    let mut env = Vec::new();
    let mut rest = words.iter();
    let module_path = loop {
        match rest.next().copied() {
            Some("--invoke") => invoke = rest.next().copied(),
            Some("--env") => env.extend(rest.next().map(|e| e.as_bytes().to_vec())),
            Some(word) if word.starts_with("--") => return Err(format!("unknown option {word}")),
            Some(word) => break word,
            None => return Err("no module".to_string()),
        }
    };
    let guest_args: Vec<&str> = rest.copied().collect();
    let module =
        std::fs::read(dir.join(module_path)).map_err(|err| format!("{module_path}: {err}"))?;
    let invoke = match invoke {
        Some(name) => Some((name.to_string(), typed_args(&module, name, &guest_args)?)),
        None => None,
    };
    // As `wasmrel run` does: the module path as given, then the guest arguments.
    let mut args = vec![module_path.as_bytes().to_vec()];
    args.extend(guest_args.iter().map(|a| a.as_bytes().to_vec()));
    let reply = invoke_with(Request {
        module: &module,
        mode,
        args,
        env,
        invoke,
        ..Request::default()
    })?;
    let mut stdout = reply.stdout.clone();
    if reply.outcome == Outcome::Returned {
        for value in &reply.results {
            stdout.extend(format!("{}\n", format_value(*value)).bytes());
        }
    }
    let expected = |ext: &str| {
        std::fs::read(dir.join("expected").join(format!("{id}.{ext}")))
            .map_err(|err| format!("expected/{id}.{ext}: {err}"))
    };
    let status: i32 = String::from_utf8_lossy(&expected("status")?)
        .trim()
        .parse()
        .map_err(|err| format!("expected/{id}.status: {err}"))?;
    ensure(reply.exit_code() == status, || {
        format!(
            "exit {} instead of {status}: {}",
            reply.exit_code(),
            reply.message
        )
    })?;
    ensure(stdout == expected("stdout")?, || {
        format!("stdout differs: {:?}", String::from_utf8_lossy(&stdout))
    })?;
    ensure(reply.stderr == expected("stderr")?, || {
        format!(
            "stderr differs: {:?}",
            String::from_utf8_lossy(&reply.stderr)
        )
    })
}

/// Types the `--invoke` arguments by the export's signature (integers and floats).
fn typed_args(module: &[u8], name: &str, texts: &[&str]) -> Result<Vec<Value>, String> {
    let module = Module::new(&Config::default(), module).map_err(|err| err.to_string())?;
    let ty = module
        .exports()
        .find_map(|export| match export.ty {
            ExternType::Func(ty) if export.name == name => Some(ty),
            _ => None,
        })
        .ok_or_else(|| format!("no export {name}"))?;
    let bad = |text: &str| format!("cannot read `{text}` for {name}");
    ty.params()
        .iter()
        .zip(texts)
        .map(|(ty, text)| match ty {
            ValType::I32 => text.parse().map(Value::I32).map_err(|_| bad(text)),
            ValType::I64 => text.parse().map(Value::I64).map_err(|_| bad(text)),
            ValType::F32 => text
                .parse::<f32>()
                .map(|f| Value::F32(f.to_bits()))
                .map_err(|_| bad(text)),
            ValType::F64 => text
                .parse::<f64>()
                .map(|f| Value::F64(f.to_bits()))
                .map_err(|_| bad(text)),
            _ => Err(bad(text)),
        })
        .collect()
}

/// Prints a result as `wasmrel run --invoke` does for numbers.
fn format_value(value: Value) -> String {
    match value {
        Value::I32(v) => v.to_string(),
        Value::I64(v) => v.to_string(),
        Value::F32(bits) => f32::from_bits(bits).to_string(),
        Value::F64(bits) => f64::from_bits(bits).to_string(),
        other => format!("{other:?}"),
    }
}
