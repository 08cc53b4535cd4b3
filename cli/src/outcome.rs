//! How a run ends: the exit code, the one-line message and the `--json` report.
//!
//! The mapping is the same in every mode (plain, encoded, dual, kernel) so that scripts and
//! campaigns can classify a run from its exit code alone.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;
use wasmrel_executor::{Corruption, Error, LimitKind};

/// The highest exit code a guest keeps; the codes above are wasmrel's own outcomes.
const MAX_GUEST_CODE: u32 = 125;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The guest finished (returned from `_start`, or `proc_exit`) with this code.
    Exit(i32),
    /// Usage, I/O, invalid module or link error.
    Error(String),
    /// A configured limit was reached.
    Limit(String),
    /// The program trapped.
    Trap(String),
    /// A fault was detected by `mechanism` (`an`: an invalid AN code word or disagreeing
    /// duplicated computation; `signature`: control flow; `code`: IR check bits; `memory`:
    /// linear memory's check bits or shadow copy), in the function at `at` (its store
    /// address, if known).
    Detected {
        mechanism: &'static str,
        at: Option<u32>,
    },
    /// The engine's state was found corrupted (a fault it could not attribute to a checker).
    Internal(String),
}

impl Outcome {
    /// Classifies an engine error.
    pub fn from_engine(error: Error) -> Self {
        match error {
            Error::Exit(code) => Outcome::Exit(code),
            Error::Trap(code) => Outcome::Trap(code.message().to_owned()),
            Error::Limit(kind) => Outcome::Limit(limit_detail(kind).to_owned()),
            Error::Invalid(msg) => Outcome::Error(format!("invalid module: {msg}")),
            Error::Link(msg) => Outcome::Error(format!("link error: {msg}")),
            Error::Call(msg) => Outcome::Error(msg),
            Error::Corrupted(
                kind @ (Corruption::BadCodeWord
                | Corruption::BadSignature
                | Corruption::BadChecksum
                | Corruption::MemoryMismatch),
            ) => Outcome::Detected {
                mechanism: kind.mechanism(),
                at: None,
            },
            other => Outcome::Internal(other.to_string()),
        }
    }

    /// Adds where a detection happened.
    pub fn located(self, func: Option<u32>) -> Self {
        match self {
            Outcome::Detected { mechanism, .. } => Outcome::Detected {
                mechanism,
                at: func,
            },
            other => other,
        }
    }

    fn word(&self) -> &'static str {
        match self {
            Outcome::Exit(_) => "exit",
            Outcome::Error(_) => "error",
            Outcome::Limit(_) => "limit",
            Outcome::Trap(_) => "trap",
            Outcome::Detected { .. } => "detected",
            Outcome::Internal(_) => "internal",
        }
    }

    /// The process exit code (see ARCHITECTURE.md, "Outcomes and exit codes").
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Exit(code) => guest_code(*code),
            Outcome::Error(_) => 126,
            Outcome::Limit(_) => 128,
            Outcome::Trap(_) => 134,
            Outcome::Detected { .. } => 135,
            Outcome::Internal(_) => 136,
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            Outcome::Exit(_) => None,
            Outcome::Error(d) | Outcome::Limit(d) | Outcome::Trap(d) | Outcome::Internal(d) => {
                Some(one_line(d))
            }
            Outcome::Detected { mechanism, at } => Some(match at {
                Some(func) => format!("{mechanism} at function {func}"),
                None => (*mechanism).to_owned(),
            }),
        }
    }

    /// Prints the outcome's line (and the JSON report if asked) and returns the exit code.
    pub fn report(&self, json: bool, fuel_used: Option<u64>) -> ExitCode {
        if let Outcome::Exit(code) = *self {
            if code as u32 > MAX_GUEST_CODE {
                say(&format!(
                    "wasmrel: warning: guest exit code {code} is above {MAX_GUEST_CODE} \
                     (the codes above are wasmrel's); exiting with {MAX_GUEST_CODE}"
                ));
            }
        }
        let detail = self.detail();
        if let Some(detail) = &detail {
            say(&format!("wasmrel: {}: {}", self.word(), detail));
        }
        if json {
            let report = Report {
                outcome: match self {
                    Outcome::Internal(_) => "engine-bug",
                    other => other.word(),
                },
                exit_code: self.exit_code(),
                guest_exit_code: match self {
                    Outcome::Exit(code) => Some(*code),
                    _ => None,
                },
                fuel_used,
                detail: detail.as_deref(),
                detection: match self {
                    Outcome::Detected { mechanism, .. } => Some(mechanism),
                    _ => None,
                },
            };
            match serde_json::to_string(&report) {
                Ok(line) => say(&line),
                Err(err) => say(&format!(
                    "wasmrel: internal: cannot write the JSON report: {err}"
                )),
            }
        }
        ExitCode::from(self.exit_code())
    }
}

/// One line on stderr; a closed stderr loses the line rather than panicking.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Messages from below (the decoder, the OS) may span lines; the outcome is always one.
fn one_line(detail: &str) -> String {
    detail.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A guest's code as the process's: 0–125 unchanged, anything else 125.
fn guest_code(code: i32) -> u8 {
    u8::try_from(code)
        .ok()
        .filter(|&c| u32::from(c) <= MAX_GUEST_CODE)
        .unwrap_or(MAX_GUEST_CODE as u8)
}

fn limit_detail(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::Fuel => "fuel exhausted (raise --fuel)",
        LimitKind::Memory => "memory limit exceeded (raise --max-memory)",
        LimitKind::Table => "table element limit exceeded (raise --max-table-elements)",
        LimitKind::CallDepth => "call depth limit exceeded (raise --max-call-depth)",
        LimitKind::Stack => "value stack limit exceeded (raise --max-stack)",
    }
}

/// The `--json` object.
#[derive(Serialize)]
struct Report<'a> {
    outcome: &'a str,
    exit_code: u8,
    guest_exit_code: Option<i32>,
    fuel_used: Option<u64>,
    detail: Option<&'a str>,
    /// Which mechanism detected a fault (`an` in encoded execution); null otherwise.
    detection: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_codes_above_125_become_125() {
        assert_eq!(Outcome::Exit(0).exit_code(), 0);
        assert_eq!(Outcome::Exit(125).exit_code(), 125);
        assert_eq!(Outcome::Exit(126).exit_code(), 125);
        assert_eq!(Outcome::Exit(-1).exit_code(), 125);
        assert_eq!(Outcome::Exit(300).exit_code(), 125);
    }

    #[test]
    fn an_invalid_code_word_is_a_detection_not_a_trap() {
        let outcome = Outcome::from_engine(Error::Corrupted(Corruption::BadCodeWord));
        let located = outcome.located(Some(7));
        assert_eq!(located.exit_code(), 135);
        assert_eq!(located.word(), "detected");
        assert_eq!(located.detail().as_deref(), Some("an at function 7"));
        for (kind, mechanism) in [
            (Corruption::BadSignature, "signature"),
            (Corruption::BadChecksum, "code"),
            (Corruption::MemoryMismatch, "memory"),
        ] {
            let outcome = Outcome::from_engine(Error::Corrupted(kind)).located(Some(3));
            assert_eq!(outcome.exit_code(), 135);
            assert_eq!(outcome.detail(), Some(format!("{mechanism} at function 3")));
        }
        let trap = Outcome::from_engine(Error::Trap(wasmrel_executor::TrapCode::Unreachable));
        assert_eq!(trap.located(Some(7)).exit_code(), 134);
    }
}
