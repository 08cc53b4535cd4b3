//! How a run ends: the outcome class, the exit code and the one-line message.
//!
//! `no_std` so that the kernel module classifies and words its results with exactly the code
//! `wasmrel run` uses in user space: a script sees the same exit code and the same
//! `wasmrel: <word>: <detail>` line whichever side ran the module. The mapping is the same in
//! every mode (plain, encoded, dual, kernel), so campaigns can classify a run from its exit
//! code alone.

#![no_std]

extern crate alloc;

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use wasmrel_executor::{Corruption, Error, LimitKind, Place};

/// The highest exit code a guest keeps; the codes above are wasmrel's own outcomes.
pub const MAX_GUEST_CODE: u32 = 125;

/// The detection mechanisms a [`Outcome::Detected`] can name.
const MECHANISMS: [&str; 5] = ["an", "signature", "code", "memory", "dual"];

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
    /// linear memory's check bits or shadow copy; `dual`: the replicas disagreed), at `at`
    /// (`wasmrel_executor::Place` as text: `<function name or index>+<Wasm module offset>`),
    /// if known.
    Detected {
        mechanism: &'static str,
        at: Option<String>,
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

    /// Adds where a detection happened (`Execution::place` of the stopped execution).
    pub fn located(self, place: Option<Place>) -> Self {
        match self {
            Outcome::Detected { mechanism, .. } => Outcome::Detected {
                mechanism,
                // A name comes from the module: one line, like every detail.
                at: place.map(|place| one_line(&place.to_string())),
            },
            other => other,
        }
    }

    /// The outcome's word: the `wasmrel: <word>:` of its line.
    pub fn word(&self) -> &'static str {
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

    /// The one-line detail printed after the word; `None` for the guest's own exit.
    pub fn detail(&self) -> Option<String> {
        match self {
            Outcome::Exit(_) => None,
            Outcome::Error(d) | Outcome::Limit(d) | Outcome::Trap(d) | Outcome::Internal(d) => {
                Some(one_line(d))
            }
            Outcome::Detected { mechanism, at } => Some(match at {
                Some(place) => format!("{mechanism} at {place}"),
                None => (*mechanism).to_owned(),
            }),
        }
    }

    /// Rebuilds a detection from its [`Outcome::detail`] (the kernel module sends the
    /// detail text); `None` if the text names no known mechanism.
    pub fn detected_from_detail(detail: &str) -> Option<Self> {
        let (name, place) = match detail.split_once(" at ") {
            Some((name, place)) if !place.is_empty() => (name, Some(place.to_owned())),
            Some(_) => return None,
            None => (detail, None),
        };
        let mechanism = MECHANISMS.into_iter().find(|&known| known == name)?;
        Some(Outcome::Detected {
            mechanism,
            at: place,
        })
    }
}

/// The line that explains a dual run's detection (before the outcome's line).
pub fn dual_mismatch_line(why: &str) -> String {
    format!("wasmrel: dual: the replicas disagree: {why}")
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

    fn place(function: u32, name: Option<&str>, offset: Option<u32>) -> Place {
        Place {
            function,
            name: name.map(ToOwned::to_owned),
            offset,
        }
    }

    #[test]
    fn an_invalid_code_word_is_a_detection_not_a_trap() {
        let outcome = Outcome::from_engine(Error::Corrupted(Corruption::BadCodeWord));
        let located = outcome.located(Some(place(7, None, Some(0x1f4))));
        assert_eq!(located.exit_code(), 135);
        assert_eq!(located.word(), "detected");
        assert_eq!(located.detail().as_deref(), Some("an at function 7+0x1f4"));
        for (kind, mechanism) in [
            (Corruption::BadSignature, "signature"),
            (Corruption::BadChecksum, "code"),
            (Corruption::MemoryMismatch, "memory"),
        ] {
            let at = place(3, Some("fib\nloop"), Some(77));
            let outcome = Outcome::from_engine(Error::Corrupted(kind)).located(Some(at));
            assert_eq!(outcome.exit_code(), 135);
            assert_eq!(
                outcome.detail(),
                Some(format!("{mechanism} at fib loop+0x4d"))
            );
        }
        let trap = Outcome::from_engine(Error::Trap(wasmrel_executor::TrapCode::Unreachable));
        assert_eq!(trap.located(Some(place(7, None, None))).exit_code(), 134);
    }

    #[test]
    fn a_detection_survives_its_detail_text() {
        for mechanism in MECHANISMS {
            for at in [
                None,
                Some(place(0, None, Some(0))),
                Some(place(4_000_000_000, Some("$main at home"), None)),
            ] {
                let outcome = Outcome::Detected {
                    mechanism,
                    at: None,
                }
                .located(at);
                let detail = outcome.detail().unwrap();
                assert_eq!(Outcome::detected_from_detail(&detail), Some(outcome));
            }
        }
        assert_eq!(Outcome::detected_from_detail("cosmic ray"), None);
        assert_eq!(
            Outcome::detected_from_detail("cosmic ray at function 1"),
            None
        );
        assert_eq!(Outcome::detected_from_detail("an at "), None);
        assert_eq!(Outcome::detected_from_detail(""), None);
    }

    #[test]
    fn details_are_one_line() {
        let outcome = Outcome::Error("invalid module:\n  bad magic\tnumber".to_owned());
        assert_eq!(
            outcome.detail().as_deref(),
            Some("invalid module: bad magic number")
        );
        assert_eq!(Outcome::Exit(3).detail(), None);
    }
}
