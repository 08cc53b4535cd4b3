//! What a kernel run returns, decoded from the protocol's records.

/// How a kernel run ended; the same classes as a user-space run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `_start` returned or the guest called `proc_exit`.
    Exit,
    /// The invoked export returned.
    Returned,
    /// Invalid module, link error or bad argument.
    Error,
    /// A fuel, memory, table, call-depth or output limit.
    Limit,
    /// A Wasm trap.
    Trap,
    /// A fault detected by encoded or dual execution.
    Detected,
    /// An internal error of the engine.
    EngineBug,
}

impl Outcome {
    pub(crate) fn from_raw(raw: u32) -> Option<Self> {
        Some(match raw {
            0 => Outcome::Exit,
            1 => Outcome::Returned,
            2 => Outcome::Error,
            3 => Outcome::Limit,
            4 => Outcome::Trap,
            5 => Outcome::Detected,
            6 => Outcome::EngineBug,
            _ => return None,
        })
    }

    /// The name used by `wasmrel run --json`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Exit | Outcome::Returned => "exit",
            Outcome::Error => "error",
            Outcome::Limit => "limit",
            Outcome::Trap => "trap",
            Outcome::Detected => "detected",
            Outcome::EngineBug => "engine-bug",
        }
    }
}

/// A result value of an invoked export. Floats are kept as bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    /// A function reference: `None` is null.
    FuncRef(Option<u64>),
    /// An external reference: `None` is null.
    ExternRef(Option<u64>),
}

impl Value {
    /// Encodes this value as one `struct wasmrel_value`.
    pub(crate) fn to_record(self) -> [u8; 24] {
        let (type_code, reference, low, high) = match self {
            Value::I32(v) => (0x7f, None, u64::from(v as u32), 0),
            Value::I64(v) => (0x7e, None, v as u64, 0),
            Value::F32(bits) => (0x7d, None, u64::from(bits), 0),
            Value::F64(bits) => (0x7c, None, bits, 0),
            Value::V128(bits) => (0x7b, None, bits as u64, (bits >> 64) as u64),
            Value::FuncRef(r) => (0x70, Some(r), r.unwrap_or(0), 0),
            Value::ExternRef(r) => (0x6f, Some(r), r.unwrap_or(0), 0),
        };
        let is_null = matches!(reference, Some(None));
        let mut out = [0; 24];
        out[0..4].copy_from_slice(&(type_code as u32).to_le_bytes());
        out[4..8].copy_from_slice(&u32::from(is_null).to_le_bytes());
        out[8..16].copy_from_slice(&low.to_le_bytes());
        out[16..24].copy_from_slice(&high.to_le_bytes());
        out
    }

    /// Decodes one `struct wasmrel_value`.
    pub(crate) fn from_record(record: &[u8]) -> Option<Value> {
        let bytes = |at: usize| record.get(at..at + 8)?.try_into().ok();
        let header: [u8; 8] = bytes(0)?;
        let type_code = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let is_null = header[4..].iter().any(|&b| b != 0);
        let (low, high) = (
            u64::from_le_bytes(bytes(8)?),
            u64::from_le_bytes(bytes(16)?),
        );
        let reference = (!is_null).then_some(low);
        Some(match type_code {
            0x7f => Value::I32(low as u32 as i32),
            0x7e => Value::I64(low as i64),
            0x7d => Value::F32(low as u32),
            0x7c => Value::F64(low),
            0x7b => Value::V128(u128::from(high) << 64 | u128::from(low)),
            0x70 => Value::FuncRef(reference),
            0x6f => Value::ExternRef(reference),
            _ => return None,
        })
    }
}

/// The complete answer of the kernel to one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// How the run ended.
    pub outcome: Outcome,
    /// Guest exit code for [`Outcome::Exit`].
    pub guest_exit_code: i32,
    /// Wasm instructions executed.
    pub fuel_used: u64,
    /// What the guest wrote to stdout.
    pub stdout: Vec<u8>,
    /// What the guest wrote to stderr.
    pub stderr: Vec<u8>,
    /// Results of the invoked export.
    pub results: Vec<Value>,
    /// One-line reason for any outcome but exit/returned.
    pub message: String,
}

impl Reply {
    /// The process exit code `wasmrel run` uses for this outcome. Guest codes outside
    /// 0..=125 become 125, so they never look like one of wasmrel's own outcomes.
    pub fn exit_code(&self) -> i32 {
        match self.outcome {
            Outcome::Exit if (0..=125).contains(&self.guest_exit_code) => self.guest_exit_code,
            Outcome::Exit => 125,
            Outcome::Returned => 0,
            Outcome::Error => 126,
            Outcome::Limit => 128,
            Outcome::Trap => 134,
            Outcome::Detected => 135,
            Outcome::EngineBug => 136,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(type_code: u32, is_null: u32, low: u64, high: u64) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&type_code.to_le_bytes());
        out.extend_from_slice(&is_null.to_le_bytes());
        out.extend_from_slice(&low.to_le_bytes());
        out.extend_from_slice(&high.to_le_bytes());
        out
    }

    #[test]
    fn decodes_value_records() {
        assert_eq!(
            Value::from_record(&record(0x7f, 0, 0xffff_fffe, 0)),
            Some(Value::I32(-2))
        );
        assert_eq!(
            Value::from_record(&record(0x7b, 0, 1, 2)),
            Some(Value::V128(2 << 64 | 1))
        );
        assert_eq!(
            Value::from_record(&record(0x70, 1, 0, 0)),
            Some(Value::FuncRef(None))
        );
        assert_eq!(Value::from_record(&record(0x42, 0, 0, 0)), None);
        for value in [
            Value::I64(-3),
            Value::F32(0x7fc0_0001),
            Value::ExternRef(None),
        ] {
            assert_eq!(Value::from_record(&value.to_record()), Some(value));
        }
    }

    #[test]
    fn maps_outcomes_to_cli_exit_codes() {
        let reply = |outcome, guest_exit_code| Reply {
            outcome,
            guest_exit_code,
            fuel_used: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
            results: Vec::new(),
            message: String::new(),
        };
        assert_eq!(reply(Outcome::Exit, 7).exit_code(), 7);
        assert_eq!(reply(Outcome::Exit, 126).exit_code(), 125);
        assert_eq!(reply(Outcome::Exit, -1).exit_code(), 125);
        assert_eq!(reply(Outcome::Limit, 0).exit_code(), 128);
        assert_eq!(reply(Outcome::Trap, 0).exit_code(), 134);
        assert_eq!(reply(Outcome::Error, 0).exit_code(), 126);
    }
}
