//! The value syntax of `--invoke`: how arguments are read and results printed.
//!
//! Integers are signed decimal. Floats are printed in the shortest decimal that reads back
//! to the same bits, with an exponent outside 1e-5..1e16 (`0.1`, `1e300`, `5e-324`; `-0`
//! kept, `inf`, `-inf`); NaNs are `nan` when canonical (the positive
//! quiet NaN with an empty payload) and `nan:0x…` with the full bit pattern otherwise, so
//! every result can be passed back as an argument unchanged.

use wasmrel_executor::{ValType, Value};

const F32_CANONICAL_NAN: u32 = 0x7fc0_0000;
const F64_CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;

/// Formats one result.
pub fn format(value: Value) -> String {
    match value {
        Value::I32(v) => v.to_string(),
        Value::I64(v) => v.to_string(),
        Value::F32(bits) => {
            let float = f32::from_bits(bits);
            let canonical = bits == F32_CANONICAL_NAN;
            format_float(
                float.is_nan(),
                canonical,
                || shortest(float),
                || format!("{bits:#010x}"),
            )
        }
        Value::F64(bits) => {
            let float = f64::from_bits(bits);
            let canonical = bits == F64_CANONICAL_NAN;
            format_float(
                float.is_nan(),
                canonical,
                || shortest(float),
                || format!("{bits:#018x}"),
            )
        }
        Value::FuncRef(None) | Value::ExternRef(None) => "null".to_owned(),
        Value::FuncRef(Some(addr)) => format_funcref(addr.index().into()),
        Value::ExternRef(Some(handle)) => format!("externref:{handle}"),
    }
}

/// A function reference by its store index (also for results that come from the kernel,
/// where there is no store to make a [`wasmrel_executor::FuncAddr`] in).
pub fn format_funcref(index: u64) -> String {
    format!("funcref:{index}")
}

/// The shortest digits that read back to `float`. `Display` never uses an exponent (1e300
/// would be 301 digits, the smallest subnormal 5e-324 over 300); `Debug` does outside
/// 1e-5..1e16 but writes `1.0` for 1. So: `Debug` where it has an exponent, else `Display`.
fn shortest<F: std::fmt::Display + std::fmt::Debug>(float: F) -> String {
    let debug = format!("{float:?}");
    if debug.contains('e') {
        debug
    } else {
        float.to_string()
    }
}

/// A float as shortest round-trip decimal, `nan`, or `nan:` and its bits in hex.
fn format_float(
    nan: bool,
    canonical: bool,
    decimal: impl FnOnce() -> String,
    hex_bits: impl FnOnce() -> String,
) -> String {
    match (nan, canonical) {
        (false, _) => decimal(),
        (true, true) => "nan".to_owned(),
        (true, false) => format!("nan:{}", hex_bits()),
    }
}

/// Parses one argument of type `ty`; the error says what was expected.
pub fn parse(text: &str, ty: ValType) -> Result<Value, String> {
    let expected = || format!("`{text}` is not a valid {ty}");
    match ty {
        ValType::I32 => parse_int(text, i32::MIN.into(), u32::MAX.into())
            .map(|v| Value::I32(v as u32 as i32))
            .ok_or_else(expected),
        ValType::I64 => parse_int(text, i64::MIN.into(), u64::MAX.into())
            .map(|v| Value::I64(v as u64 as i64))
            .ok_or_else(expected),
        ValType::F32 => parse_float_bits(text, 32)
            .map(|bits| Value::F32(bits as u32))
            .ok_or_else(expected),
        ValType::F64 => parse_float_bits(text, 64)
            .map(Value::F64)
            .ok_or_else(expected),
        ValType::FuncRef | ValType::ExternRef => match text {
            "null" => Ok(ty.zero()),
            _ => Err(format!("`{text}`: only `null` can be passed as a {ty}")),
        },
    }
}

/// A decimal integer in `[min, max]`; values above the signed range are taken as unsigned
/// bit patterns, so both `-1` and `4294967295` give the i32 with all bits set.
fn parse_int(text: &str, min: i128, max: i128) -> Option<i128> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i128 = text.parse().ok()?;
    (min..=max).contains(&value).then_some(value)
}

/// The IEEE bits of a float of `width` bits written as a decimal, `inf`, `nan` or
/// `nan:0x<bits>` (which must be a NaN pattern).
fn parse_float_bits(text: &str, width: u32) -> Option<u64> {
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let sign_bit = if sign { 1u64 << (width - 1) } else { 0 };
    if body == "nan" {
        let canonical = if width == 32 {
            u64::from(F32_CANONICAL_NAN)
        } else {
            F64_CANONICAL_NAN
        };
        return Some(canonical | sign_bit);
    }
    if let Some(hex) = body.strip_prefix("nan:0x") {
        if sign {
            return None;
        }
        let bits = u64::from_str_radix(hex, 16).ok()?;
        let is_nan = if width == 32 {
            u32::try_from(bits).is_ok_and(|b| f32::from_bits(b).is_nan())
        } else {
            f64::from_bits(bits).is_nan()
        };
        return is_nan.then_some(bits);
    }
    // Rust's parser also takes words like "infinity" and "NaN"; only the syntax above is ours.
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') && body != "inf" {
        return None;
    }
    if width == 32 {
        text.parse::<f32>().ok().map(|f| u64::from(f.to_bits()))
    } else {
        text.parse::<f64>().ok().map(f64::to_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, ty: ValType) -> String {
        format(parse(text, ty).unwrap())
    }

    #[test]
    fn integers_are_signed_decimal_and_accept_unsigned_patterns() {
        assert_eq!(round_trip("-7", ValType::I32), "-7");
        assert_eq!(round_trip("4294967295", ValType::I32), "-1");
        assert_eq!(round_trip("+12", ValType::I32), "12");
        assert_eq!(
            round_trip("-9223372036854775808", ValType::I64),
            "-9223372036854775808"
        );
        assert_eq!(round_trip("18446744073709551615", ValType::I64), "-1");
        assert!(parse("4294967296", ValType::I32).is_err());
        assert!(parse("-2147483649", ValType::I32).is_err());
        assert!(parse("1.5", ValType::I32).is_err());
        assert!(parse("", ValType::I64).is_err());
        assert!(parse("0x10", ValType::I32).is_err());
    }

    #[test]
    fn floats_print_shortest_round_trip() {
        assert_eq!(round_trip("0.1", ValType::F32), "0.1");
        assert_eq!(round_trip("0.1", ValType::F64), "0.1");
        assert_eq!(round_trip("1", ValType::F64), "1");
        assert_eq!(round_trip("-0", ValType::F64), "-0");
        assert_eq!(round_trip("-0.0", ValType::F32), "-0");
        assert_eq!(round_trip("1e10", ValType::F64), "10000000000");
        assert_eq!(round_trip("inf", ValType::F32), "inf");
        assert_eq!(round_trip("-inf", ValType::F64), "-inf");
        assert_eq!(round_trip("123456.5", ValType::F64), "123456.5");
        assert_eq!(round_trip("0.0001", ValType::F64), "0.0001");
        assert_eq!(round_trip("1e15", ValType::F64), "1000000000000000");
        // Outside 1e-5..1e16, and for subnormals, the exponent form rather than 300 digits.
        assert_eq!(round_trip("1e16", ValType::F64), "1e16");
        assert_eq!(round_trip("0.00001", ValType::F64), "1e-5");
        assert_eq!(round_trip("1e300", ValType::F64), "1e300");
        assert_eq!(round_trip("-1.5e-300", ValType::F64), "-1.5e-300");
        assert_eq!(
            format(Value::from_f64(f64::MIN_POSITIVE)),
            "2.2250738585072014e-308"
        );
        assert_eq!(format(Value::F64(1)), "5e-324");
        assert_eq!(format(Value::F32(1)), "1e-45");
        assert_eq!(format(Value::F32(f32::MAX.to_bits())), "3.4028235e38");
        assert!(parse("infinity", ValType::F64).is_err());
        assert!(parse("NaN", ValType::F64).is_err());
        assert!(parse("1.0.0", ValType::F64).is_err());
    }

    #[test]
    fn nans_keep_their_bits() {
        assert_eq!(parse("nan", ValType::F32), Ok(Value::F32(0x7fc0_0000)));
        assert_eq!(parse("-nan", ValType::F32), Ok(Value::F32(0xffc0_0000)));
        assert_eq!(round_trip("nan", ValType::F64), "nan");
        assert_eq!(round_trip("-nan", ValType::F64), "nan:0xfff8000000000000");
        assert_eq!(round_trip("nan:0x7fa00001", ValType::F32), "nan:0x7fa00001");
        assert_eq!(
            round_trip("nan:0x7ff0000000000001", ValType::F64),
            "nan:0x7ff0000000000001"
        );
        // A pattern that is not a NaN, or too wide for f32, is refused.
        assert!(parse("nan:0x3f800000", ValType::F32).is_err());
        assert!(parse("nan:0x7ff8000000000000", ValType::F32).is_err());
    }

    #[test]
    fn references_accept_only_null() {
        assert_eq!(round_trip("null", ValType::FuncRef), "null");
        assert!(parse("0", ValType::ExternRef).is_err());
    }
}
