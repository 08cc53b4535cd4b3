//! Executes one configured run.
//!
//! PLACEHOLDER until `wasmrel-executor` has `Module::new` and `invoke`: it validates the
//! module with wasmparser and reports that execution is not available, so that the kernel
//! plumbing (upload, limits, reply) can be built and tested end to end.

use alloc::string::String;
use core::fmt::Write;

use crate::config::RunConfig;
use crate::platform::Platform;
use crate::report::{Outcome, Report};
use crate::session::SessionError;

/// Runs `module` under `config`; guest failures are outcomes in the report, only session-level
/// problems (allocation of the report, a signal) are errors.
pub fn execute(
    module: &[u8],
    _config: &RunConfig,
    _platform: &mut impl Platform,
) -> Result<Report, SessionError> {
    let mut report = Report::default();
    let mut message = String::new();
    match wasmparser::Validator::new().validate_all(module) {
        Ok(_) => {
            report.outcome = Some(Outcome::EngineBug);
            message.push_str("the executor is not linked into the kernel module yet");
        }
        Err(err) => {
            report.outcome = Some(Outcome::Error);
            let _ = write!(message, "invalid module: {err}");
        }
    }
    report.message = message;
    Ok(report)
}
