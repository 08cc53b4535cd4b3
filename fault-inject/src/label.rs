//! The one fixed set of outcome labels used by campaigns, reports and `run --json`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How one injected run ended, compared with the golden run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Label {
    /// Same observable behaviour and same final memory.
    #[serde(rename = "benign")]
    Benign,
    /// Same observable behaviour, but linear memory differs at the end (never read back).
    #[serde(rename = "latent")]
    Latent,
    /// An AN code word failed its check.
    #[serde(rename = "detected:an")]
    DetectedAn,
    /// A control-flow signature check failed.
    #[serde(rename = "detected:signature")]
    DetectedSignature,
    /// Memory protection (checksum or shadow copy) found a mismatch.
    #[serde(rename = "detected:memory")]
    DetectedMemory,
    /// The engine's structural checks (opcode, pc, slot, index, frame) stopped the run.
    #[serde(rename = "detected:code")]
    DetectedCode,
    /// The two replicas of a dual run disagreed.
    #[serde(rename = "detected:dual")]
    DetectedDual,
    /// A WebAssembly trap (or a host function refusing its arguments).
    #[serde(rename = "trap")]
    Trap,
    /// The fuel ran out at the hang factor times the golden length.
    #[serde(rename = "hang")]
    Hang,
    /// Another resource limit (memory, table, call depth, stack).
    #[serde(rename = "limit")]
    Limit,
    /// The engine panicked or reported an internal error: a bug to fix.
    #[serde(rename = "engine-bug")]
    EngineBug,
    /// Different observable behaviour and nothing detected: silent data corruption.
    #[serde(rename = "sdc")]
    Sdc,
}

impl Label {
    /// Every label, in report order.
    pub const ALL: [Label; 12] = [
        Label::Benign,
        Label::Latent,
        Label::DetectedAn,
        Label::DetectedSignature,
        Label::DetectedMemory,
        Label::DetectedCode,
        Label::DetectedDual,
        Label::Trap,
        Label::Hang,
        Label::Limit,
        Label::EngineBug,
        Label::Sdc,
    ];

    /// The label's text, as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Benign => "benign",
            Label::Latent => "latent",
            Label::DetectedAn => "detected:an",
            Label::DetectedSignature => "detected:signature",
            Label::DetectedMemory => "detected:memory",
            Label::DetectedCode => "detected:code",
            Label::DetectedDual => "detected:dual",
            Label::Trap => "trap",
            Label::Hang => "hang",
            Label::Limit => "limit",
            Label::EngineBug => "engine-bug",
            Label::Sdc => "sdc",
        }
    }

    /// The label of a detection by `mechanism` (as [`Corruption::mechanism`] names it), or
    /// `None` for a name this label set does not know (a new mechanism must get a label,
    /// not be folded into another).
    ///
    /// [`Corruption::mechanism`]: wasmrel_executor::Corruption::mechanism
    pub fn detected(mechanism: &str) -> Option<Label> {
        Label::ALL
            .into_iter()
            .find(|label| label.as_str().strip_prefix("detected:") == Some(mechanism))
    }

    /// Whether a fault-tolerance mechanism caught the fault.
    pub fn is_detected(self) -> bool {
        matches!(
            self,
            Label::DetectedAn
                | Label::DetectedSignature
                | Label::DetectedMemory
                | Label::DetectedCode
                | Label::DetectedDual
        )
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
