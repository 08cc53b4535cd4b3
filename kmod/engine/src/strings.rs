//! String tables as they cross the user/kernel boundary: `count` NUL-terminated strings,
//! back to back, nothing else. Parsed strictly, so a malformed table is refused rather than
//! half-read.

use alloc::vec::Vec;

/// Splits a table of exactly `count` NUL-terminated strings (without their NULs).
///
/// Returns `None` when the bytes do not hold exactly `count` strings or the allocation fails.
pub fn parse_string_table(bytes: &[u8], count: u32) -> Option<Vec<Vec<u8>>> {
    let count = usize::try_from(count).ok()?;
    if count == 0 {
        return bytes.is_empty().then(Vec::new);
    }
    if bytes.last() != Some(&0) || bytes.iter().filter(|&&b| b == 0).count() != count {
        return None;
    }
    let mut table = Vec::new();
    table.try_reserve_exact(count).ok()?;
    for item in bytes[..bytes.len() - 1].split(|&b| b == 0) {
        let mut owned = Vec::new();
        owned.try_reserve_exact(item.len()).ok()?;
        owned.extend_from_slice(item);
        table.push(owned);
    }
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_exactly_count_strings() {
        let table = parse_string_table(b"app\0-n\0\0", 3).unwrap();
        assert_eq!(table, [&b"app"[..], b"-n", b""]);
    }

    #[test]
    fn refuses_a_wrong_count_or_missing_terminator() {
        assert!(parse_string_table(b"a\0b\0", 1).is_none());
        assert!(parse_string_table(b"a\0b\0", 3).is_none());
        assert!(parse_string_table(b"a\0b", 2).is_none());
        assert!(parse_string_table(b"a", 0).is_none());
        assert_eq!(parse_string_table(b"", 0).unwrap().len(), 0);
    }
}
