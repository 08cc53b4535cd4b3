//! The application under test: its bytes, the call a campaign makes, and the deterministic
//! WASI world every run of it gets.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wasmrel_an_encoding::{level, An};
use wasmrel_executor::{Config, Module, Plain, Protection, Value};

use crate::driver::{Pair, Single, System};
use crate::dual::Inverted;

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
    /// The name [`Check::parse`] reads back.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Op => "op",
            Check::Block => "block",
            Check::Effects => "effects",
        }
    }

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

/// How encoded runs protect linear memory (`--memory-protection`, as for `wasmrel run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemoryProtection {
    /// No protection.
    None,
    /// A CRC-8 per aligned 8-byte word (the default).
    #[default]
    Crc,
    /// A shadow copy.
    Dup,
}

impl MemoryProtection {
    /// The name [`MemoryProtection::parse`] reads back.
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryProtection::None => "none",
            MemoryProtection::Crc => "crc",
            MemoryProtection::Dup => "dup",
        }
    }

    pub fn parse(text: &str) -> Result<MemoryProtection, String> {
        match text {
            "none" => Ok(MemoryProtection::None),
            "crc" => Ok(MemoryProtection::Crc),
            "dup" => Ok(MemoryProtection::Dup),
            _ => Err(format!(
                "unknown memory protection `{text}` (use crc, dup or none)"
            )),
        }
    }

    /// The engine's setting.
    pub fn protection(self) -> Protection {
        match self {
            MemoryProtection::None => Protection::None,
            MemoryProtection::Crc => Protection::Crc,
            MemoryProtection::Dup => Protection::Dup,
        }
    }

    /// What an engine configuration asks for (`None` is encoded stores' default, crc).
    pub fn of(config: &Config) -> MemoryProtection {
        match config.memory_protection {
            Some(Protection::None) => MemoryProtection::None,
            Some(Protection::Crc) | None => MemoryProtection::Crc,
            Some(Protection::Dup) => MemoryProtection::Dup,
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
    /// The pair of replicas, as [`Second::parse`] reads it back.
    pub fn as_str(self) -> &'static str {
        match self {
            Second::Inverted => "plain,inverted",
            Second::Encoded => "plain,encoded",
        }
    }

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
    /// Host directories granted to the guest (`HOST`, guest name); every run gets copies.
    pub dirs: Vec<(PathBuf, String)>,
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
            dirs: Vec::new(),
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

    /// The host directories granted to the guest.
    pub fn dir_hosts(&self) -> Vec<PathBuf> {
        self.dirs.iter().map(|(host, _)| host.clone()).collect()
    }

    /// Calls `f` with the [`System`] that runs `mode` (with this app's check level and
    /// replicas).
    pub fn with_system<F: SystemFn>(&self, mode: Mode, f: F) -> F::Output {
        match (mode, self.check, self.second) {
            (Mode::Plain, ..) => f.call::<Single<Plain>>(self),
            (Mode::Encoded, Check::Op, _) => f.call::<Single<An<{ level::OP }>>>(self),
            (Mode::Encoded, Check::Block, _) => f.call::<Single<An<{ level::BLOCK }>>>(self),
            (Mode::Encoded, Check::Effects, _) => f.call::<Single<An<{ level::EFFECTS }>>>(self),
            (Mode::Dual, _, Second::Inverted) => f.call::<Pair<Plain, Inverted>>(self),
            (Mode::Dual, _, Second::Encoded) => f.call::<Pair<Plain, An>>(self),
        }
    }
}

/// Code generic over the [`System`] a mode runs as (see [`App::with_system`]).
pub trait SystemFn {
    type Output;
    fn call<S: System + Send + Sync + 'static>(self, app: &App) -> Self::Output;
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
