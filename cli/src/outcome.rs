//! Reporting how a run ends: the outcome's line on stderr, the `--json` object and the exit
//! code. The outcome itself ([`Outcome`]: classes, codes, wording) is `wasmrel-outcome`,
//! shared with the kernel module so that `wasmrel run --kernel` reports identically.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;
pub use wasmrel_outcome::Outcome;
use wasmrel_outcome::MAX_GUEST_CODE;

/// Printing an [`Outcome`] at the end of a command.
pub trait Report {
    /// Prints the outcome's line (and the JSON report if asked) and returns the exit code.
    fn report(&self, json: bool, fuel_used: Option<u64>) -> ExitCode;
}

impl Report for Outcome {
    fn report(&self, json: bool, fuel_used: Option<u64>) -> ExitCode {
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
            let report = Json {
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
                place: match self {
                    Outcome::Detected { at, .. } => at.as_deref(),
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

/// The `--json` object.
#[derive(Serialize)]
struct Json<'a> {
    outcome: &'a str,
    exit_code: u8,
    guest_exit_code: Option<i32>,
    fuel_used: Option<u64>,
    detail: Option<&'a str>,
    /// Which mechanism detected a fault (`an` in encoded execution); null otherwise.
    detection: Option<&'a str>,
    /// Where: `<function name or index>+<Wasm module offset>`; null if not a detection or
    /// not known.
    place: Option<&'a str>,
}
