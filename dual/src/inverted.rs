//! The diverse replica of dual execution and the comparison of replica values.
//!
//! ED4I (Oh, Mitra, McCluskey, IEEE TC 2002) runs the second copy on transformed data so that
//! a permanent fault hitting both copies the same way still shows as a difference. Here the
//! second replica keeps every value bit-inverted in its slots (stack, locals, globals): the
//! same interpreter runs it, only the [`Domain`] conversions differ, and a stuck bit in a
//! slot corrupts the two replicas' values differently. Linear memory keeps the plain layout
//! (memories are compared and the host's writes copied at each host call).

use wasmrel_executor::{Domain, Error, Value};

/// Plain values stored bit-inverted: the diverse replica's domain.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inverted;

impl Domain for Inverted {
    type Slot = u64;

    #[inline(always)]
    fn from_i32(value: i32) -> u64 {
        !u64::from(value as u32)
    }
    #[inline(always)]
    fn from_i64(value: i64) -> u64 {
        !(value as u64)
    }
    #[inline(always)]
    fn from_f32(bits: u32) -> u64 {
        !u64::from(bits)
    }
    #[inline(always)]
    fn from_f64(bits: u64) -> u64 {
        !bits
    }
    #[inline(always)]
    fn to_i32(slot: u64) -> Result<i32, Error> {
        Ok(!slot as u32 as i32)
    }
    #[inline(always)]
    fn to_i64(slot: u64) -> Result<i64, Error> {
        Ok(!slot as i64)
    }
    #[inline(always)]
    fn to_f32(slot: u64) -> Result<u32, Error> {
        Ok(!slot as u32)
    }
    #[inline(always)]
    fn to_f64(slot: u64) -> Result<u64, Error> {
        Ok(!slot)
    }
}

/// Whether two replicas' values agree; NaNs agree with NaNs (their payload bits are
/// nondeterministic in Wasm).
pub fn same_values(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| canonical(*x) == canonical(*y))
}

fn canonical(value: Value) -> Value {
    match value {
        Value::F32(bits) if f32::from_bits(bits).is_nan() => Value::F32(0x7fc0_0000),
        Value::F64(bits) if f64::from_bits(bits).is_nan() => Value::F64(0x7ff8_0000_0000_0000),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmrel_executor::Plain;

    #[test]
    fn every_value_bit_differs_from_plain_and_converts_back() {
        for value in [0, 1, -1, i32::MIN, 0x1234_5678] {
            let slot = Inverted::from_i32(value);
            assert_eq!(Inverted::to_i32(slot), Ok(value));
            assert_eq!((slot ^ Plain::from_i32(value)) as u32, u32::MAX, "{value}");
            let slot = Inverted::from_f32(value as u32);
            assert_eq!(Inverted::to_f32(slot), Ok(value as u32));
            assert_eq!((slot ^ Plain::from_f32(value as u32)) as u32, u32::MAX);
        }
        for value in [0, 1, -1, i64::MIN, 0x1234_5678_9abc_def0] {
            let slot = Inverted::from_i64(value);
            assert_eq!(Inverted::to_i64(slot), Ok(value));
            assert_eq!(slot ^ Plain::from_i64(value), u64::MAX, "{value}");
            let slot = Inverted::from_f64(value as u64);
            assert_eq!(Inverted::to_f64(slot), Ok(value as u64));
            assert_eq!(slot ^ Plain::from_f64(value as u64), u64::MAX);
        }
    }
}
