//! Protection of linear memory in encoded execution: check bits per aligned word (`crc`) or a
//! shadow copy (`dup`), kept beside the memory's bytes by [`MemoryGuard`].
//!
//! Values in linear memory are plain bytes (Wasm programs reinterpret them freely, so they
//! cannot stay AN code words), which leaves memory outside the value code. The guard closes
//! the gap with one of two mechanisms, chosen per run:
//!
//! * **`crc`**: one CRC-8 per aligned 8-byte word (CRC-8/AUTOSAR, polynomial 0x2F, which has
//!   Hamming distance 4 for 64 data bits per Koopman's tables: every 1-, 2- and 3-bit error
//!   in a word and its check byte is detected). A store recomputes the check bytes of the one
//!   or two words it touches; a load verifies them. O(1) per access, 1/8 of the memory extra.
//! * **`dup`**: a full shadow copy written by every store and compared by every load. Catches
//!   any difference between the copies, costs the memory's size again.
//!
//! Every operation takes the memory's bytes as an argument, so the guard never holds a
//! reference into them and the memory stays the single owner of its buffer.

use alloc::vec::Vec;

/// The word the check bits cover.
const WORD: usize = 8;

/// CRC-8/AUTOSAR: Hamming distance 4 up to 119 data bits.
const CRC8: crc::Crc<u8> = crc::Crc::<u8>::new(&crc::CRC_8_AUTOSAR);

/// Which protection a memory has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protection {
    /// None (plain mode, or `--memory-protection none`).
    #[default]
    None,
    /// A CRC-8 per aligned 8-byte word.
    Crc,
    /// A shadow copy.
    Dup,
}

/// A load found the memory's bytes disagreeing with their protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryFault {
    /// The first byte address of the word (crc) or byte (dup) that failed.
    pub address: usize,
}

/// The check bytes or shadow copy of one linear memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemoryGuard {
    protection: Protection,
    /// `crc`: one check byte per word; `dup`: a copy of every byte; `none`: empty.
    shadow: Vec<u8>,
}

fn crc_of(bytes: &[u8], word: usize) -> u8 {
    let start = word * WORD;
    CRC8.checksum(bytes.get(start..start + WORD).unwrap_or_default())
}

impl MemoryGuard {
    /// A guard for `bytes` (the memory's initial contents).
    pub fn new(protection: Protection, bytes: &[u8]) -> Self {
        let mut guard = Self {
            protection,
            shadow: Vec::new(),
        };
        guard.resize(bytes);
        guard
    }

    /// The protection in force.
    pub fn protection(&self) -> Protection {
        self.protection
    }

    /// Bytes the guard holds beside the memory (reported, not counted against limits).
    pub fn overhead_bytes(&self) -> usize {
        self.shadow.len()
    }

    /// Follows a grown memory: protects the new (zeroed) bytes.
    pub fn resize(&mut self, bytes: &[u8]) {
        match self.protection {
            Protection::None => {}
            Protection::Crc => {
                let words = bytes.len() / WORD;
                let old = self.shadow.len();
                self.shadow.resize(words, 0);
                for word in old..words {
                    if let Some(check) = self.shadow.get_mut(word) {
                        *check = crc_of(bytes, word);
                    }
                }
            }
            Protection::Dup => {
                let old = self.shadow.len().min(bytes.len());
                self.shadow.truncate(old);
                self.shadow
                    .extend_from_slice(bytes.get(old..).unwrap_or_default());
            }
        }
    }

    /// The words (crc) covering `address..address + len`.
    fn words(address: usize, len: usize) -> core::ops::Range<usize> {
        if len == 0 {
            return 0..0;
        }
        address / WORD..(address + len - 1) / WORD + 1
    }

    /// Records a write of `bytes[address..address + len]` (already done in `bytes`).
    #[inline]
    pub fn stored(&mut self, bytes: &[u8], address: usize, len: usize) {
        match self.protection {
            Protection::None => {}
            Protection::Crc => {
                for word in Self::words(address, len) {
                    if let Some(check) = self.shadow.get_mut(word) {
                        *check = crc_of(bytes, word);
                    }
                }
            }
            Protection::Dup => {
                let range = address..address + len;
                if let (Some(copy), Some(source)) =
                    (self.shadow.get_mut(range.clone()), bytes.get(range))
                {
                    copy.copy_from_slice(source);
                }
            }
        }
    }

    /// Checks `bytes[address..address + len]` before it is read.
    #[inline]
    pub fn verify(&self, bytes: &[u8], address: usize, len: usize) -> Result<(), MemoryFault> {
        match self.protection {
            Protection::None => Ok(()),
            Protection::Crc => {
                for word in Self::words(address, len) {
                    if self.shadow.get(word) != Some(&crc_of(bytes, word)) {
                        return Err(MemoryFault {
                            address: word * WORD,
                        });
                    }
                }
                Ok(())
            }
            Protection::Dup => {
                let range = address..address + len;
                match (self.shadow.get(range.clone()), bytes.get(range)) {
                    (Some(copy), Some(read)) if copy == read => Ok(()),
                    (Some(copy), Some(read)) => {
                        let at = copy.iter().zip(read).take_while(|(a, b)| a == b).count();
                        Err(MemoryFault {
                            address: address + at,
                        })
                    }
                    _ => Err(MemoryFault { address }),
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)] // a wrong index in a test is a failed test
mod tests {
    use super::*;
    use alloc::vec;

    fn write(guard: &mut MemoryGuard, bytes: &mut [u8], address: usize, data: &[u8]) {
        bytes[address..address + data.len()].copy_from_slice(data);
        guard.stored(bytes, address, data.len());
    }

    #[test]
    fn stores_keep_the_guard_consistent_and_flips_are_caught() {
        for protection in [Protection::Crc, Protection::Dup] {
            let mut bytes = vec![0u8; 64];
            let mut guard = MemoryGuard::new(protection, &bytes);
            write(&mut guard, &mut bytes, 5, &[1, 2, 3, 4, 5, 6, 7, 8]); // spans two words
            write(&mut guard, &mut bytes, 40, &[0xff]);
            assert_eq!(guard.verify(&bytes, 0, 64), Ok(()));
            for address in 0..64 {
                for bit in 0..8 {
                    bytes[address] ^= 1 << bit;
                    let fault = guard.verify(&bytes, address, 1);
                    assert!(fault.is_err(), "{protection:?} byte {address} bit {bit}");
                    // A load that does not touch the flipped byte's word is unaffected.
                    let far = (address + 16) % 64 / 8 * 8;
                    assert_eq!(guard.verify(&bytes, far, 8), Ok(()));
                    bytes[address] ^= 1 << bit;
                }
            }
        }
    }

    #[test]
    fn crc_catches_every_two_and_three_bit_flip_in_a_word() {
        let mut bytes: Vec<u8> = (0u8..16).map(|b| b.wrapping_mul(37)).collect();
        let guard = MemoryGuard::new(Protection::Crc, &bytes);
        for i in 0..64 {
            for j in i + 1..64 {
                for k in j + 1..=64 {
                    let bits = [i, j, k];
                    let used = if k == 64 { &bits[..2] } else { &bits[..] };
                    for &bit in used {
                        bytes[bit / 8] ^= 1 << (bit % 8);
                    }
                    assert!(guard.verify(&bytes, 0, 8).is_err(), "bits {used:?}");
                    for &bit in used {
                        bytes[bit / 8] ^= 1 << (bit % 8);
                    }
                }
            }
        }
    }

    #[test]
    fn growing_protects_the_new_pages_and_none_checks_nothing() {
        for protection in [Protection::Crc, Protection::Dup] {
            let mut bytes = vec![7u8; 16];
            let mut guard = MemoryGuard::new(protection, &bytes);
            bytes.resize(48, 0);
            guard.resize(&bytes);
            assert_eq!(guard.verify(&bytes, 0, 48), Ok(()));
            bytes[40] = 1;
            assert_eq!(
                guard.verify(&bytes, 40, 1),
                Err(MemoryFault { address: 40 })
            );
        }
        let bytes = vec![1u8; 8];
        let guard = MemoryGuard::new(Protection::None, &bytes);
        assert_eq!(guard.overhead_bytes(), 0);
        assert_eq!(guard.verify(&[0; 8], 0, 8), Ok(()));
    }
}
