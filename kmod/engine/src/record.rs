//! `struct wasmrel_value`: how invoke arguments and results cross the user/kernel boundary.

use wasmrel_executor::Value;

/// Size of one record.
pub const RECORD_BYTES: usize = 24;

const I32: u32 = 0x7f;
const I64: u32 = 0x7e;
const F32: u32 = 0x7d;
const F64: u32 = 0x7c;
const FUNCREF: u32 = 0x70;
const EXTERNREF: u32 = 0x6f;

/// The record of `value` (little-endian, the layout of the C struct on x86-64).
pub fn encode(value: Value) -> [u8; RECORD_BYTES] {
    let (type_code, is_null, low) = match value {
        Value::I32(v) => (I32, false, u64::from(v as u32)),
        Value::I64(v) => (I64, false, v as u64),
        Value::F32(bits) => (F32, false, u64::from(bits)),
        Value::F64(bits) => (F64, false, bits),
        Value::FuncRef(func) => (
            FUNCREF,
            func.is_none(),
            func.map_or(0, |f| f.index().into()),
        ),
        Value::ExternRef(handle) => (EXTERNREF, handle.is_none(), handle.map_or(0, u64::from)),
    };
    let mut out = [0; RECORD_BYTES];
    out[0..4].copy_from_slice(&type_code.to_le_bytes());
    out[4..8].copy_from_slice(&u32::from(is_null).to_le_bytes());
    out[8..16].copy_from_slice(&low.to_le_bytes());
    out
}

/// The value of an argument record. References can only be passed as null: a user-space
/// number names no function or host object of the run.
pub fn decode(record: &[u8; RECORD_BYTES]) -> Option<Value> {
    let [t0, t1, t2, t3, n0, n1, n2, n3, l0, l1, l2, l3, l4, l5, l6, l7, ..] = *record;
    let type_code = u32::from_le_bytes([t0, t1, t2, t3]);
    let is_null = u32::from_le_bytes([n0, n1, n2, n3]);
    let low = u64::from_le_bytes([l0, l1, l2, l3, l4, l5, l6, l7]);
    let high_clear = record[16..].iter().all(|&b| b == 0);
    if !high_clear || is_null > 1 {
        return None;
    }
    match (type_code, is_null) {
        (I32, 0) => u32::try_from(low).ok().map(|v| Value::I32(v as i32)),
        (I64, 0) => Some(Value::I64(low as i64)),
        (F32, 0) => u32::try_from(low).ok().map(Value::F32),
        (F64, 0) => Some(Value::F64(low)),
        (FUNCREF, 1) if low == 0 => Some(Value::FuncRef(None)),
        (EXTERNREF, 1) if low == 0 => Some(Value::ExternRef(None)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for value in [
            Value::I32(-7),
            Value::I64(i64::MIN),
            Value::F32(0x7fc0_0001),
            Value::F64(0x8000_0000_0000_0000),
            Value::FuncRef(None),
            Value::ExternRef(None),
        ] {
            assert_eq!(decode(&encode(value)), Some(value));
        }
    }

    #[test]
    fn refuses_malformed_records() {
        let mut record = encode(Value::I32(1));
        record[20] = 1;
        assert_eq!(decode(&record), None);
        let mut record = encode(Value::I32(1));
        record[12] = 1; // i32 with bits above 32
        assert_eq!(decode(&record), None);
        let mut record = encode(Value::ExternRef(None));
        record[8] = 5; // a non-null reference from user space
        record[4] = 0;
        assert_eq!(decode(&record), None);
        let mut record = encode(Value::I64(0));
        record[0] = 0x42;
        assert_eq!(decode(&record), None);
    }
}
