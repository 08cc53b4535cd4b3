//! The predicate: wasmi diverges from wasmrel (plain) and wasmtime sides with wasmrel on the
//! first item where they differ (a step's ending and returned values, or a final global).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use wasmrel_difftest::generate::Arguments;
use wasmrel_difftest::observe::{compare, Observation, Step, Trap, Val, Verdict};
use wasmrel_difftest::{wasmi_engine, wasmrel_engine};
use wasmrel_executor::Plain;

/// wasmtime's trap codes as `tools/wasmtime_observe.py` prints them, for each trap.
const TRAP_CODES: [(Trap, &str); 7] = [
    (Trap::Unreachable, "TrapCode.UNREACHABLE"),
    (
        Trap::IntegerDivideByZero,
        "TrapCode.INTEGER_DIVISION_BY_ZERO",
    ),
    (Trap::IntegerOverflow, "TrapCode.INTEGER_OVERFLOW"),
    (Trap::MemoryOutOfBounds, "TrapCode.MEMORY_OUT_OF_BOUNDS"),
    (Trap::TableOutOfBounds, "TrapCode.TABLE_OUT_OF_BOUNDS"),
    (
        Trap::InvalidConversionToInteger,
        "TrapCode.BAD_CONVERSION_TO_INTEGER",
    ),
    (Trap::IndirectCallTypeMismatch, "TrapCode.BAD_SIGNATURE"),
];

/// Runs candidates in wasmrel, wasmi and a long-lived wasmtime observer.
pub struct Judge {
    arguments: Arguments,
    observer: Child,
    to_observer: ChildStdin,
    from_observer: BufReader<ChildStdout>,
    /// Where a candidate is written for the observer.
    scratch: PathBuf,
}

impl Judge {
    pub fn start(arguments: Arguments) -> Result<Judge, String> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/wasmtime_observe.py");
        let mut observer = Command::new("python3")
            .args([script, "--serve"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("python3 {script}: {e}"))?;
        let (Some(to_observer), Some(from_observer)) =
            (observer.stdin.take(), observer.stdout.take())
        else {
            return Err("no pipe to the wasmtime observer".into());
        };
        let scratch =
            std::env::temp_dir().join(format!("wasmrel-shrink-{}.wasm", std::process::id()));
        Ok(Judge {
            arguments,
            observer,
            to_observer,
            from_observer: BufReader::new(from_observer),
            scratch,
        })
    }

    /// The plain-vs-wasmi divergence of `bytes` ([`difference`]) when wasmtime sides with
    /// wasmrel on it; with `expected`, only if the divergence is that one.
    pub fn wasmi_alone_wrong(
        &mut self,
        bytes: &[u8],
        expected: Option<&str>,
    ) -> Result<Option<String>, String> {
        let plain = wasmrel_engine::observe::<Plain>(bytes, self.arguments);
        let wasmi = wasmi_engine::observe(bytes, self.arguments);
        let Verdict::Diverge(_) = compare(&plain, &wasmi) else {
            return Ok(None);
        };
        let Some(text) = difference(&plain, &wasmi) else {
            return Ok(None);
        };
        if expected.is_some_and(|expected| expected != text) {
            return Ok(None);
        }
        let wasmtime = self.wasmtime(bytes)?;
        Ok(sides_with_plain(&plain, &wasmi, &wasmtime).then_some(text))
    }

    /// The wasmtime observer's lines for `bytes`.
    fn wasmtime(&mut self, bytes: &[u8]) -> Result<Vec<String>, String> {
        std::fs::write(&self.scratch, bytes).map_err(|e| e.to_string())?;
        let seed = match self.arguments {
            Arguments::Seeded(seed) => seed.to_string(),
            Arguments::Zero => "-".into(),
        };
        writeln!(self.to_observer, "{} {seed}", self.scratch.display())
            .and_then(|()| self.to_observer.flush())
            .map_err(|e| format!("wasmtime observer: {e}"))?;
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read = self.from_observer.read_line(&mut line);
            if read.map_err(|e| e.to_string())? == 0 {
                return Err("the wasmtime observer stopped".into());
            }
            let line = line.trim_end_matches('\n');
            if line == "end" {
                return Ok(lines);
            }
            lines.push(line.to_string());
        }
    }
}

impl Drop for Judge {
    fn drop(&mut self) {
        let _ = self.observer.kill();
        let _ = self.observer.wait();
        let _ = std::fs::remove_file(&self.scratch);
    }
}

/// The first step where plain and wasmi differ, or else the final globals that differ, with
/// both sides' answers.
enum Differing<'a> {
    Step {
        name: &'a str,
        plain: &'a Step,
        wasmi: &'a Step,
    },
    Globals(Vec<(&'a str, Val, Val)>),
}

/// Where `plain` and `wasmi` first differ; `None` for other differences (memory, step or
/// global counts), not judged here.
fn differing<'a>(plain: &'a Observation, wasmi: &'a Observation) -> Option<Differing<'a>> {
    let step = plain
        .steps
        .iter()
        .zip(&wasmi.steps)
        .find(|(a, b)| a.1 != b.1);
    if let Some(((name, plain), (_, wasmi))) = step {
        return Some(Differing::Step { name, plain, wasmi });
    }
    if plain.steps.len() != wasmi.steps.len() || plain.globals.len() != wasmi.globals.len() {
        return None;
    }
    let globals: Vec<_> = plain
        .globals
        .iter()
        .zip(&wasmi.globals)
        .filter(|(a, b)| a != b)
        .map(|((name, a), (_, b))| (name.as_str(), *a, *b))
        .collect();
    (!globals.is_empty()).then_some(Differing::Globals(globals))
}

/// The text of the first difference: what must stay the same while the module shrinks (the
/// rest of the module may go).
fn difference(plain: &Observation, wasmi: &Observation) -> Option<String> {
    Some(match differing(plain, wasmi)? {
        Differing::Step { name, plain, wasmi } => format!("`{name}`: {plain} vs {wasmi}"),
        Differing::Globals(globals) => globals
            .iter()
            .map(|(name, a, b)| format!("global `{name}`: {a:?} vs {b:?}"))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// Whether wasmtime's `lines` end the first item where `plain` and `wasmi` differ as plain
/// does and not as wasmi does.
fn sides_with_plain(plain: &Observation, wasmi: &Observation, lines: &[String]) -> bool {
    match differing(plain, wasmi) {
        Some(Differing::Step { name, plain, wasmi }) => {
            let prefix = format!("{name}: ");
            lines
                .iter()
                .find_map(|line| line.strip_prefix(&prefix))
                .is_some_and(|ending| ends_as(ending, plain) && !ends_as(ending, wasmi))
        }
        Some(Differing::Globals(globals)) => globals.iter().all(|(name, plain, wasmi)| {
            let prefix = format!("global {name} = ");
            let found = lines.iter().find_map(|line| line.strip_prefix(&prefix));
            found.is_some_and(|word| same(plain, word) && !same(wasmi, word))
        }),
        None => false,
    }
}

/// Whether wasmtime's ending (`returned VALUES` or `trapped CODE message`) is `step`.
fn ends_as(ending: &str, step: &Step) -> bool {
    match step {
        Step::Returned(values) => ending
            .strip_prefix("returned ")
            .and_then(python_values)
            .is_some_and(|words| {
                words.len() == values.len()
                    && values
                        .iter()
                        .zip(&words)
                        .all(|(value, word)| same(value, word))
            }),
        Step::Trapped(trap) => {
            let code = ending
                .strip_prefix("trapped ")
                .and_then(|rest| rest.split(' ').next());
            TRAP_CODES
                .iter()
                .any(|(known, name)| known == trap && code == Some(*name))
        }
        Step::Inconclusive(_) | Step::Failed(_) => false,
    }
}

/// The values of a Python result: `None`, one value, or a list of them.
fn python_values(text: &str) -> Option<Vec<&str>> {
    match text {
        "None" => Some(Vec::new()),
        list if list.starts_with('[') => {
            let inner = list.strip_prefix('[')?.strip_suffix(']')?;
            Some(inner.split(", ").collect())
        }
        one => Some(vec![one]),
    }
}

/// Whether Python's rendering `word` of a value is `value` (any NaN equals any NaN).
fn same(value: &Val, word: &str) -> bool {
    let float = word.parse::<f64>().ok();
    match *value {
        Val::I32(v) => word.parse::<i64>().is_ok_and(|w| w == i64::from(v)),
        Val::I64(v) => word.parse::<i64>().is_ok_and(|w| w == v),
        Val::F32(bits) => float.is_some_and(|w| {
            let v = f32::from_bits(bits);
            (v.is_nan() && w.is_nan()) || f64::from(v) == w
        }),
        Val::F64(bits) => float.is_some_and(|w| {
            let v = f64::from_bits(bits);
            (v.is_nan() && w.is_nan()) || v.to_bits() == w.to_bits()
        }),
        Val::Ref { null } => null == (word == "None"),
        Val::V128(_) => false,
    }
}
