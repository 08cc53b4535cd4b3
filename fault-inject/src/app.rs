//! The application under test: its bytes, the call a campaign makes, and the deterministic
//! WASI world every run of it gets.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wasmrel_executor::{Config, Module, Value};
use wasmrel_wasi::stdio::{InputSource, OutputSink};
use wasmrel_wasi::{Errno, WasiCtx};

/// How the application is executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The plain interpreter.
    Plain,
    /// AN-encoded values (`An` domain).
    Encoded,
    /// Two replicas in lockstep: plain and a bit-inverted diverse copy.
    Dual,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Encoded => "encoded",
            Mode::Dual => "dual",
        }
    }

    pub fn parse(text: &str) -> Result<Mode, String> {
        match text {
            "plain" => Ok(Mode::Plain),
            "encoded" => Ok(Mode::Encoded),
            "dual" => Ok(Mode::Dual),
            _ => Err(format!(
                "unknown mode `{text}` (use plain, encoded or dual)"
            )),
        }
    }
}

/// How often encoded execution checks code words (the `An` domain's levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// Every operand when it is used.
    Op,
    /// Where values leave the code and at block boundaries (the default).
    #[default]
    Block,
    /// Only before effects.
    Effects,
}

impl Check {
    pub fn parse(text: &str) -> Result<Check, String> {
        match text {
            "op" => Ok(Check::Op),
            "block" => Ok(Check::Block),
            "effects" => Ok(Check::Effects),
            _ => Err(format!(
                "unknown check level `{text}` (use op, block or effects)"
            )),
        }
    }
}

/// The second replica of a dual run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Second {
    /// A plain copy holding every value bit-inverted (the default).
    #[default]
    Inverted,
    /// An AN-encoded copy (default check level).
    Encoded,
}

impl Second {
    pub fn parse(text: &str) -> Result<Second, String> {
        match text {
            "plain,inverted" | "plain,diverse" => Ok(Second::Inverted),
            "plain,encoded" => Ok(Second::Encoded),
            _ => Err(format!(
                "`{text}`: choose plain,inverted (the default) or plain,encoded"
            )),
        }
    }
}

/// The most output bytes kept per stream; more is counted but not stored.
const OUTPUT_CAP: usize = 16 << 20;

/// A module with the call a campaign makes: WASI `_start` with guest arguments, or one
/// `--invoke`d export with typed arguments.
pub struct App {
    pub name: String,
    pub bytes: Vec<u8>,
    pub module: Module,
    pub config: Config,
    pub guest_args: Vec<String>,
    pub invoke: Option<(String, Vec<Value>)>,
    /// Parameters plus declared locals of each defined function, in module order.
    pub locals: Vec<u32>,
    /// Imported functions come first in a fresh store's function addresses.
    pub imported_funcs: u32,
    /// Guest environment variables (`NAME`, `VALUE`).
    pub envs: Vec<(String, String)>,
    /// The check level of encoded runs.
    pub check: Check,
    /// The second replica of dual runs.
    pub second: Second,
}

impl App {
    /// Decodes, validates and translates `bytes`.
    pub fn new(
        name: &str,
        bytes: Vec<u8>,
        guest_args: Vec<String>,
        invoke: Option<(String, Vec<Value>)>,
    ) -> Result<App, String> {
        let config = Config::default();
        let module = Module::new(&config, &bytes).map_err(|e| format!("{name}: {e}"))?;
        let (locals, imported_funcs) = local_counts(&bytes).map_err(|e| format!("{name}: {e}"))?;
        Ok(App {
            name: name.to_owned(),
            bytes,
            module,
            config,
            guest_args,
            invoke,
            locals,
            imported_funcs,
            envs: Vec::new(),
            check: Check::default(),
            second: Second::default(),
        })
    }

    /// The SHA-256 of the module bytes, in hex.
    pub fn sha256(&self) -> String {
        let digest = Sha256::digest(&self.bytes);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The number of locals (parameters included) of the function at store address `func`
    /// in a store holding only this app's instance.
    pub fn locals_of(&self, func: u32) -> u32 {
        func.checked_sub(self.imported_funcs)
            .and_then(|index| self.locals.get(index as usize))
            .copied()
            .unwrap_or(0)
    }

    /// A fresh deterministic WASI world with captured output and an input that records
    /// whether the guest tried to read it.
    pub fn wasi(&self) -> (WasiCtx, Streams) {
        let mut wasi = WasiCtx::deterministic(0);
        let streams = Streams::default();
        wasi.set_stdout(Box::new(Capture(streams.stdout.clone())));
        wasi.set_stderr(Box::new(Capture(streams.stderr.clone())));
        wasi.set_stdin(Box::new(NoInput(streams.read_stdin.clone())));
        wasi.push_arg(&self.name);
        for arg in &self.guest_args {
            wasi.push_arg(arg);
        }
        for (name, value) in &self.envs {
            wasi.push_env(name, value);
        }
        (wasi, streams)
    }
}

/// What a run wrote, shared with the WASI sinks.
#[derive(Default, Clone)]
pub struct Streams {
    pub stdout: Rc<RefCell<Output>>,
    pub stderr: Rc<RefCell<Output>>,
    pub read_stdin: Rc<RefCell<bool>>,
}

/// Bytes written to one stream (the first [`OUTPUT_CAP`]) and how many in all.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub bytes: Vec<u8>,
    pub total: u64,
}

struct Capture(Rc<RefCell<Output>>);

impl OutputSink for Capture {
    fn write(&mut self, bytes: &[u8]) -> Result<usize, Errno> {
        let mut output = self.0.borrow_mut();
        let room = OUTPUT_CAP.saturating_sub(output.bytes.len());
        output
            .bytes
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
        output.total += bytes.len() as u64;
        Ok(bytes.len())
    }
}

/// An empty stdin that remembers being read: a golden run that reads input is refused,
/// because campaigns replay no input.
struct NoInput(Rc<RefCell<bool>>);

impl InputSource for NoInput {
    fn read(&mut self, _buf: &mut [u8]) -> Result<usize, Errno> {
        *self.0.borrow_mut() = true;
        Ok(0)
    }
}

/// Counts each defined function's locals (parameters included) and the imported functions.
fn local_counts(bytes: &[u8]) -> Result<(Vec<u32>, u32), String> {
    use wasmparser::{Parser, Payload, TypeRef};
    let mut param_counts: Vec<u32> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut imported = 0u32;
    let mut locals = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    param_counts.push(ty.map_err(|e| e.to_string())?.params().len() as u32);
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if let TypeRef::Func(_) = import.map_err(|e| e.to_string())?.ty {
                        imported += 1;
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    func_types.push(ty.map_err(|e| e.to_string())?);
                }
            }
            Payload::CodeSectionEntry(body) => {
                let ty = func_types.get(locals.len()).copied().unwrap_or(0);
                let mut count = param_counts.get(ty as usize).copied().unwrap_or(0);
                for local in body.get_locals_reader().map_err(|e| e.to_string())? {
                    count = count.saturating_add(local.map_err(|e| e.to_string())?.0);
                }
                locals.push(count);
            }
            _ => {}
        }
    }
    Ok((locals, imported))
}
