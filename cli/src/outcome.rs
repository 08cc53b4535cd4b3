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
        if let Some(warning) = clamp_warning(self) {
            say(&warning);
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

/// The warning for a guest exit code wasmrel cannot pass on. WASI's exit code is a u32, so
/// that is the number shown; a C program's `exit(-1)` also gets its signed reading.
fn clamp_warning(outcome: &Outcome) -> Option<String> {
    let Outcome::Exit(code) = *outcome else {
        return None;
    };
    let unsigned = code as u32;
    if unsigned <= MAX_GUEST_CODE {
        return None;
    }
    let signed = if code < 0 {
        format!(" ({code} as a signed int)")
    } else {
        String::new()
    };
    Some(format!(
        "wasmrel: warning: guest exit code {unsigned}{signed} is above {MAX_GUEST_CODE} \
         (the codes above are wasmrel's); exiting with {MAX_GUEST_CODE}"
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_exit_codes_are_shown_as_wasi_sees_them() {
        assert_eq!(clamp_warning(&Outcome::Exit(125)), None);
        assert_eq!(clamp_warning(&Outcome::Exit(0)), None);
        assert_eq!(
            clamp_warning(&Outcome::Exit(200)).as_deref(),
            Some(
                "wasmrel: warning: guest exit code 200 is above 125 \
                 (the codes above are wasmrel's); exiting with 125"
            )
        );
        assert_eq!(
            clamp_warning(&Outcome::Exit(-1)).as_deref(),
            Some(
                "wasmrel: warning: guest exit code 4294967295 (-1 as a signed int) is above 125 \
                 (the codes above are wasmrel's); exiting with 125"
            )
        );
        assert_eq!(clamp_warning(&Outcome::Trap("x".to_owned())), None);
    }
}
