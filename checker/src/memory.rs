//! Protection of linear memory in encoded execution: check bits per aligned word (`crc`) or a
//! shadow copy (`dup`), kept beside the memory's bytes by [`MemoryGuard`].
//!
//! Values in linear memory are plain bytes (Wasm programs reinterpret them freely, so they
//! cannot stay AN code words), which leaves memory outside the value code. The guard closes
//! the gap with one of two mechanisms, chosen per run:
//!
//! * **`crc`**: one CRC-8 per aligned 8-byte word (CRC-8/AUTOSAR, polynomial 0x2F, which has
//!   Hamming distance 4 for 64 data bits per Koopman's tables: every 1-, 2- and 3-bit error
//!   in a word and its check byte is detected). A load verifies the one or two words it
//!   touches. A store inside one word updates the word's check byte by the change it makes
//!   ([`LANES`]: a CRC is linear apart from its constants), so a flip anywhere in the word
//!   stays a mismatch after the store and is reported by the next read of the word; the
//!   check byte is never recomputed over bytes nobody verified, which would absorb such a
//!   flip. A store of a whole aligned word recomputes it (nothing of the old word survives);
//!   a store across two words verifies both first, then recomputes. O(1) per access, 1/8
//!   of the memory extra.
//!   The CRC of a word is computed with six table look-ups ([`crc8_of_word`]), the same
//!   value the `crc` crate computes byte by byte (the tests compare the two).
//! * **`dup`**: a full shadow copy written by every store and compared by every load. Catches
//!   any difference between the copies, costs the memory's size again. A store copies only
//!   the bytes it writes, so a flipped neighbour stays different from its copy: nothing to
//!   verify before a store.
//!
//! **Measured** (`cargo run --release -p wasmrel-an-encoding --example memory_coverage --
//! --samples 300`: 300 flips of 1, 2 and 3 bits each in used 8-byte words of sieve, sort, lz
//! and sha256, at random points of their runs): no wrong result with `crc` nor with `dup`
//! (3,600 runs each; 1,930 wrong results unprotected). `dup` reports only flips the program
//! reads; `crc` also flips in unread bytes of a word it reads. Their time, encoded over plain
//! at the default check level, is README's table (`block` is `crc`, `block + dup` is `dup`):
//! `dup` is the faster of the two. `crc` is the default: the same coverage of these faults
//! for 1/8 of the memory instead of all of it again.
//!
//! Hosts read guest memory through [`MemoryGuard::verify`] too (the executor's `Caller`), so
//! a flipped byte does not leave the guest through a WASI `fd_write` either.
//!
//! Every operation takes the memory's bytes as an argument, so the guard never holds a
//! reference into them and the memory stays the single owner of its buffer.

use alloc::collections::TryReserveError;
use alloc::vec::Vec;

/// The word the check bits cover.
const WORD: usize = 8;

/// CRC-8/AUTOSAR (Hamming distance 4 up to 119 data bits): polynomial, initial value and
/// final XOR, as in the `crc` catalogue.
const POLY: u8 = 0x2f;
const INIT: u8 = 0xff;
const XOROUT: u8 = 0xff;

/// CRC-8/AUTOSAR of an 8-byte word, bit by bit (builds the tables, at compile time).
#[allow(clippy::indexing_slicing)] // `i < WORD`; only evaluated at compile time
const fn crc8_bitwise(word: [u8; WORD]) -> u8 {
    let mut crc = INIT;
    let mut i = 0;
    while i < WORD {
        crc ^= word[i];
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ POLY
            } else {
                crc << 1
            };
            bit += 1;
        }
        i += 1;
    }
    crc ^ XOROUT
}

/// The CRC of the all-zero word.
const CRC_OF_ZERO: u8 = crc8_bitwise([0; WORD]);

/// The word's 64 bits (little-endian, as a Wasm load reads them) in six chunks of 11, 11,
/// 11, 11, 10 and 10 bits, each with its own table: six look-ups per word instead of one
/// per byte (the check is on every encoded load and store), in 12 KiB of tables.
const CHUNK_BITS: [u32; 6] = [11, 11, 11, 11, 10, 10];
/// Entries per table (the widest chunk).
const CHUNK_VALUES: usize = 1 << 11;

/// `TABLES[i][v]`: how value `v` in chunk `i` changes the CRC of a word. A CRC is linear
/// apart from its constant initial value and final XOR, so the CRC of a word is
/// `CRC_OF_ZERO` XOR the chunks' contributions, and a chunk's contribution is the XOR of
/// its bits' (each entry is built from one with its lowest bit cleared).
#[allow(clippy::indexing_slicing)] // evaluated at compile time: a bad index fails the build
const TABLES: [[u8; CHUNK_VALUES]; CHUNK_BITS.len()] = {
    let mut tables = [[0u8; CHUNK_VALUES]; CHUNK_BITS.len()];
    let mut chunk = 0;
    let mut shift = 0;
    while chunk < CHUNK_BITS.len() {
        let mut value: usize = 1;
        while value < 1 << CHUNK_BITS[chunk] {
            let low = value.trailing_zeros();
            let bit = (1u64 << (shift + low)).to_le_bytes();
            tables[chunk][value] =
                tables[chunk][value & (value - 1)] ^ crc8_bitwise(bit) ^ CRC_OF_ZERO;
            value += 1;
        }
        shift += CHUNK_BITS[chunk];
        chunk += 1;
    }
    tables
};

/// CRC-8/AUTOSAR of the 8-byte word `word` (bytes in memory order).
#[inline(always)]
pub fn crc8_of_word(word: [u8; WORD]) -> u8 {
    let word = u64::from_le_bytes(word);
    let mut crc = CRC_OF_ZERO;
    let mut shift = 0;
    for (table, bits) in TABLES.iter().zip(CHUNK_BITS) {
        let chunk = (word >> shift) as usize & ((1 << bits) - 1);
        shift += bits;
        // A chunk is below 2^11, the tables' length: always in range (the check compiles away).
        crc ^= table.get(chunk).copied().unwrap_or_default();
    }
    crc
}

/// `LANES[k][b]`: how changing byte `k` of a word by `b` (XOR) changes its CRC, whatever the
/// other bytes: the difference of two CRCs is the CRC's linear part of the difference.
#[allow(clippy::indexing_slicing)] // evaluated at compile time: a bad index fails the build
const LANES: [[u8; 256]; WORD] = {
    let mut lanes = [[0u8; 256]; WORD];
    let mut lane = 0;
    while lane < WORD {
        let mut value = 1;
        while value < 256 {
            let mut word = [0u8; WORD];
            word[lane] = value as u8;
            lanes[lane][value] = crc8_bitwise(word) ^ CRC_OF_ZERO;
            value += 1;
        }
        lane += 1;
    }
    lanes
};

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

/// Word number `word` of `bytes` (a missing word counts as zeros: the guard covers whole
/// words of a memory whose size is a multiple of the page size).
#[inline(always)]
fn word_of(bytes: &[u8], word: usize) -> [u8; WORD] {
    let start = word * WORD;
    bytes
        .get(start..start + WORD)
        .and_then(|w| <[u8; WORD]>::try_from(w).ok())
        .unwrap_or_default()
}

/// Whether `len` bytes at `address` lie inside one word.
#[inline(always)]
fn inside_word(address: usize, len: usize) -> bool {
    address % WORD + len <= WORD
}

/// The CRC of word number `word` of `bytes`.
#[inline(always)]
fn crc_of(bytes: &[u8], word: usize) -> u8 {
    crc8_of_word(word_of(bytes, word))
}

impl MemoryGuard {
    /// A guard for `bytes` (the memory's initial contents).
    /// Fails only when the allocator refuses the check bits or the shadow copy (their size
    /// follows the memory's, which the module chooses).
    pub fn new(protection: Protection, bytes: &[u8]) -> Result<Self, TryReserveError> {
        let mut guard = Self {
            protection,
            shadow: Vec::new(),
        };
        guard.resize(bytes)?;
        Ok(guard)
    }

    /// The protection in force.
    pub fn protection(&self) -> Protection {
        self.protection
    }

    /// Bytes the guard holds beside the memory (reported, not counted against limits).
    pub fn overhead_bytes(&self) -> usize {
        self.shadow.len()
    }

    /// Follows a grown memory: protects the new (zeroed) bytes. When the allocator refuses
    /// the room, the guard is left as it was.
    pub fn resize(&mut self, bytes: &[u8]) -> Result<(), TryReserveError> {
        match self.protection {
            Protection::None => {}
            Protection::Crc => {
                let words = bytes.len() / WORD;
                let old = self.shadow.len();
                self.shadow.try_reserve_exact(words.saturating_sub(old))?;
                self.shadow.resize(words, 0);
                for word in old..words {
                    if let Some(check) = self.shadow.get_mut(word) {
                        *check = crc_of(bytes, word);
                    }
                }
            }
            Protection::Dup => {
                let old = self.shadow.len().min(bytes.len());
                self.shadow
                    .try_reserve_exact(bytes.len().saturating_sub(old))?;
                self.shadow.truncate(old);
                self.shadow
                    .extend_from_slice(bytes.get(old..).unwrap_or_default());
            }
        }
        Ok(())
    }

    /// The words (crc) covering `address..address + len`.
    fn words(address: usize, len: usize) -> core::ops::Range<usize> {
        if len == 0 {
            return 0..0;
        }
        address / WORD..(address + len - 1) / WORD + 1
    }

    /// Checks the words a write of `len` bytes at `address` covers only in part, before the
    /// write: their other bytes survive it, and [`Self::stored`] would take them as correct.
    /// Nothing to do for `dup`, whose copy of those bytes stays as it was, nor for a write of
    /// whole aligned words (an aligned f64 or i64 store): that test is inline, so such a store
    /// costs no call.
    #[inline(always)]
    pub fn verify_partial(
        &self,
        bytes: &[u8],
        address: usize,
        len: usize,
    ) -> Result<(), MemoryFault> {
        if self.protection != Protection::Crc
            || len == 0
            || (address.is_multiple_of(WORD) && len.is_multiple_of(WORD))
        {
            return Ok(());
        }
        self.verify_partial_words(bytes, address, len)
    }

    /// [`Self::verify_partial`] for a Wasm store of `N` bytes that [`Self::stored_value`]
    /// records: a store inside one word needs no check, since `stored_value` changes the
    /// word's check byte by the store's change and so carries a flip in it on.
    #[inline(always)]
    pub fn verify_partial_value<const N: usize>(
        &self,
        bytes: &[u8],
        address: usize,
    ) -> Result<(), MemoryFault> {
        if inside_word(address, N) {
            return Ok(());
        }
        self.verify_partial(bytes, address, N)
    }

    /// [`Self::verify_partial`] for a write that covers some word in part.
    #[inline]
    fn verify_partial_words(
        &self,
        bytes: &[u8],
        address: usize,
        len: usize,
    ) -> Result<(), MemoryFault> {
        let end = address + len;
        if !address.is_multiple_of(WORD) || len < WORD {
            self.verify_word(bytes, address / WORD)?;
        }
        if !end.is_multiple_of(WORD) && (end - 1) / WORD != address / WORD {
            self.verify_word(bytes, (end - 1) / WORD)?;
        }
        Ok(())
    }

    /// Checks one word's CRC.
    #[inline(always)]
    fn verify_word(&self, bytes: &[u8], word: usize) -> Result<(), MemoryFault> {
        self.check_word(word, word_of(bytes, word))
    }

    /// Checks word number `word`, whose bytes are `contents`, against its CRC.
    #[inline(always)]
    fn check_word(&self, word: usize, contents: [u8; WORD]) -> Result<(), MemoryFault> {
        if self.shadow.get(word) == Some(&crc8_of_word(contents)) {
            Ok(())
        } else {
            Err(MemoryFault {
                address: word * WORD,
            })
        }
    }

    /// Records a write of `bytes[address..address + len]` (already done in `bytes`); the
    /// words it covers in part must have passed [`Self::verify_partial`] before the write.
    #[inline]
    pub fn stored(&mut self, bytes: &[u8], address: usize, len: usize) {
        match self.protection {
            Protection::None => {}
            Protection::Crc => {
                for word in Self::words(address, len) {
                    self.protect_word(bytes, word);
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

    /// The one or two words (crc) an access of 1 to [`WORD`] bytes at `address` covers.
    #[inline(always)]
    fn access_words(address: usize, len: usize) -> (usize, usize) {
        (address / WORD, (address + len.max(1) - 1) / WORD)
    }

    /// [`Self::verify`] for a Wasm load (`len` at most a word, usually a constant): it
    /// touches one word or two neighbours, checked without the loop over a range, so the
    /// interpreter's load stays short. Longer reads take [`Self::verify`].
    #[inline(always)]
    pub fn verify_access(
        &self,
        bytes: &[u8],
        address: usize,
        len: usize,
    ) -> Result<(), MemoryFault> {
        if self.protection != Protection::Crc || len > WORD {
            return self.verify(bytes, address, len);
        }
        let (first, last) = Self::access_words(address, len);
        self.verify_word(bytes, first)?;
        if last != first {
            self.verify_word(bytes, last)?;
        }
        Ok(())
    }

    /// [`Self::verify_access`] for a Wasm load of `N` bytes whose bytes `read` were taken
    /// from `bytes` at `address`. An aligned whole word (f64 and i64 loads) is checked against
    /// the CRC of `read` itself: the load reads the memory once, and the bytes checked are the
    /// bytes the program gets.
    #[inline(always)]
    pub fn verify_read<const N: usize>(
        &self,
        bytes: &[u8],
        address: usize,
        read: [u8; N],
    ) -> Result<(), MemoryFault> {
        if let Some(word) = Self::aligned_word(self.protection, address, read) {
            return self.check_word(address / WORD, word);
        }
        self.verify_access(bytes, address, N)
    }

    /// [`Self::stored_access`] for a Wasm store of `N` bytes `written` at `address` (already
    /// in `bytes`) over the bytes `old`. An aligned whole word takes the CRC of `written`,
    /// without reading it back; a store inside one word changes its CRC by the bytes' change
    /// (see the module docs), with one table look-up per byte.
    #[inline(always)]
    pub fn stored_value<const N: usize>(
        &mut self,
        bytes: &[u8],
        address: usize,
        old: [u8; N],
        written: [u8; N],
    ) {
        if let Some(word) = Self::aligned_word(self.protection, address, written) {
            if let Some(check) = self.shadow.get_mut(address / WORD) {
                *check = crc8_of_word(word);
            }
            return;
        }
        if self.protection == Protection::Crc && inside_word(address, N) {
            let lane = address % WORD;
            let mut change = 0;
            for (i, (old, new)) in old.iter().zip(written).enumerate() {
                let table = LANES.get((lane + i) % WORD).unwrap_or(&[0; 256]);
                change ^= table
                    .get(usize::from(old ^ new))
                    .copied()
                    .unwrap_or_default();
            }
            if let Some(check) = self.shadow.get_mut(address / WORD) {
                *check ^= change;
            }
            return;
        }
        self.stored_access(bytes, address, N);
    }

    /// `value` as the one whole word it fills (crc, `N` a word, `address` aligned), else
    /// `None`. `N` is a constant, so the test folds away for narrower accesses.
    #[inline(always)]
    fn aligned_word<const N: usize>(
        protection: Protection,
        address: usize,
        value: [u8; N],
    ) -> Option<[u8; WORD]> {
        if N == WORD && protection == Protection::Crc && address.is_multiple_of(WORD) {
            <[u8; WORD]>::try_from(value.as_slice()).ok()
        } else {
            None
        }
    }

    /// [`Self::stored`] for a Wasm store (`len` at most a word), without the loop, as
    /// [`Self::verify_access`].
    #[inline(always)]
    pub fn stored_access(&mut self, bytes: &[u8], address: usize, len: usize) {
        if self.protection != Protection::Crc || len > WORD {
            return self.stored(bytes, address, len);
        }
        let (first, last) = Self::access_words(address, len);
        self.protect_word(bytes, first);
        if last != first {
            self.protect_word(bytes, last);
        }
    }

    /// Recomputes one word's CRC.
    #[inline(always)]
    fn protect_word(&mut self, bytes: &[u8], word: usize) {
        if let Some(check) = self.shadow.get_mut(word) {
            *check = crc_of(bytes, word);
        }
    }

    /// Checks `bytes[address..address + len]` before it is read.
    #[inline]
    pub fn verify(&self, bytes: &[u8], address: usize, len: usize) -> Result<(), MemoryFault> {
        match self.protection {
            Protection::None => Ok(()),
            Protection::Crc => {
                for word in Self::words(address, len) {
                    self.verify_word(bytes, word)?;
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
#[allow(clippy::indexing_slicing, clippy::unwrap_used)] // a wrong index or a refused allocation in a test is a failed test
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
            let mut guard = MemoryGuard::new(protection, &bytes).unwrap();
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
    fn single_accesses_update_and_check_what_the_general_paths_do() {
        for protection in [Protection::None, Protection::Crc, Protection::Dup] {
            for len in 1..=WORD {
                for address in 0..=32 - len {
                    let mut bytes = vec![0u8; 32];
                    let mut guard = MemoryGuard::new(protection, &bytes).unwrap();
                    let mut reference = guard.clone();
                    for (value, byte) in (1..).zip(&mut bytes[address..address + len]) {
                        *byte = value;
                    }
                    guard.stored_access(&bytes, address, len);
                    reference.stored(&bytes, address, len);
                    assert_eq!(guard, reference, "{protection:?} {address}+{len}");
                    assert_eq!(guard.verify_access(&bytes, address, len), Ok(()));
                    for byte in address..address + len {
                        bytes[byte] ^= 0x40;
                        assert_eq!(
                            guard.verify_access(&bytes, address, len).is_err(),
                            protection != Protection::None,
                            "{protection:?} {address}+{len}, byte {byte} flipped"
                        );
                        bytes[byte] ^= 0x40;
                    }
                }
            }
        }
    }

    /// `stored_value` and `verify_read` (the interpreter's loads and stores of `N` bytes) keep
    /// and check the guard as the general paths do, at every alignment.
    fn value_accesses_agree_with_the_general_paths<const N: usize>() {
        for protection in [Protection::None, Protection::Crc, Protection::Dup] {
            for address in 0..=32 - N {
                let mut bytes = vec![0u8; 32];
                let mut guard = MemoryGuard::new(protection, &bytes).unwrap();
                let mut reference = guard.clone();
                let mut value = [0u8; N];
                for (byte, v) in value.iter_mut().zip(1..) {
                    *byte = v;
                }
                assert_eq!(guard.verify_partial_value::<N>(&bytes, address), Ok(()));
                let old = <[u8; N]>::try_from(&bytes[address..address + N]).unwrap();
                bytes[address..address + N].copy_from_slice(&value);
                guard.stored_value(&bytes, address, old, value);
                reference.stored(&bytes, address, N);
                assert_eq!(guard, reference, "{protection:?} {address}+{N}");
                assert_eq!(guard.verify_read(&bytes, address, value), Ok(()));
                for byte in 0..32 {
                    bytes[byte] ^= 0x08;
                    let read = <[u8; N]>::try_from(&bytes[address..address + N]).unwrap();
                    assert_eq!(
                        guard.verify_read(&bytes, address, read).is_err(),
                        guard.verify(&bytes, address, N).is_err(),
                        "{protection:?} {address}+{N}, byte {byte} flipped"
                    );
                    // A flip in a word the write covers in part is caught before the write;
                    // a value store inside one word carries it on instead.
                    let partial = byte / WORD * WORD;
                    let touched = (address..address + N).any(|b| b / WORD * WORD == partial);
                    let whole = address % WORD == 0 && N == WORD;
                    assert_eq!(
                        guard.verify_partial(&bytes, address, N).is_err(),
                        protection == Protection::Crc && touched && !whole,
                        "{protection:?} write {address}+{N}, byte {byte} flipped"
                    );
                    let across = address % WORD + N > WORD;
                    assert_eq!(
                        guard.verify_partial_value::<N>(&bytes, address).is_err(),
                        protection == Protection::Crc && touched && across,
                        "{protection:?} store {address}+{N}, byte {byte} flipped"
                    );
                    bytes[byte] ^= 0x08;
                }
            }
        }
    }

    #[test]
    fn loads_and_stores_of_values_agree_with_the_general_paths() {
        value_accesses_agree_with_the_general_paths::<1>();
        value_accesses_agree_with_the_general_paths::<2>();
        value_accesses_agree_with_the_general_paths::<4>();
        value_accesses_agree_with_the_general_paths::<8>();
    }

    #[test]
    fn the_table_crc_is_the_crc_crates_crc_8_autosar() {
        let reference = crc::Crc::<u8>::new(&crc::CRC_8_AUTOSAR);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..10_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let word = if i < 64 { 1u64 << i } else { x }.to_le_bytes();
            assert_eq!(crc8_of_word(word), reference.checksum(&word), "{word:?}");
        }
        assert_eq!(crc8_of_word([0; 8]), reference.checksum(&[0; 8]));
    }

    /// A store of `N` bytes at `address` as the interpreter does it.
    fn store_value<const N: usize>(
        guard: &mut MemoryGuard,
        bytes: &mut [u8],
        address: usize,
        value: [u8; N],
    ) -> Result<(), MemoryFault> {
        guard.verify_partial_value::<N>(bytes, address)?;
        let old = <[u8; N]>::try_from(&bytes[address..address + N]).unwrap();
        bytes[address..address + N].copy_from_slice(&value);
        guard.stored_value(bytes, address, old, value);
        Ok(())
    }

    #[test]
    fn a_store_does_not_absorb_a_flip_in_the_rest_of_its_word() {
        // Inside one word the store goes ahead and the flip stays a mismatch, whether it is
        // in the bytes the store keeps or in those it replaces.
        for flipped in 0..WORD {
            let mut bytes = vec![0u8; 32];
            let mut guard = MemoryGuard::new(Protection::Crc, &bytes).unwrap();
            bytes[flipped] ^= 0x10; // a fault in word 0
            assert_eq!(store_value(&mut guard, &mut bytes, 1, [7]), Ok(()));
            assert_eq!(store_value(&mut guard, &mut bytes, 2, [1, 2]), Ok(()));
            assert_eq!(store_value(&mut guard, &mut bytes, 4, [3, 4, 5, 6]), Ok(()));
            assert_eq!(
                guard.verify(&bytes, 0, 8),
                Err(MemoryFault { address: 0 }),
                "byte {flipped}"
            );
        }
        let mut bytes = vec![0u8; 32];
        let mut guard = MemoryGuard::new(Protection::Crc, &bytes).unwrap();
        bytes[3] ^= 0x10;
        // Other writes (host writes, `memory.fill`, `memory.copy`) recompute the check byte,
        // so they check every word they cover in part first.
        for (address, len) in [(0, 1), (4, 4), (6, 4), (1, 2), (0, 4)] {
            assert_eq!(
                guard.verify_partial(&bytes, address, len),
                Err(MemoryFault { address: 0 }),
                "store of {len} at {address}"
            );
        }
        // A store that overwrites the whole word replaces the flipped byte: nothing to check.
        assert_eq!(guard.verify_partial(&bytes, 0, 8), Ok(()));
        write(&mut guard, &mut bytes, 0, &[9; 8]);
        assert_eq!(guard.verify(&bytes, 0, 32), Ok(()));
        // The last word of an unaligned store is checked too.
        bytes[17] ^= 1;
        assert!(guard.verify_partial(&bytes, 12, 4).is_ok());
        assert_eq!(
            guard.verify_partial(&bytes, 12, 5),
            Err(MemoryFault { address: 16 })
        );
        // dup keeps its own copy of the neighbour: nothing to verify before a store.
        let mut copy = vec![0u8; 16];
        let guard = MemoryGuard::new(Protection::Dup, &copy).unwrap();
        copy[3] ^= 1;
        assert_eq!(guard.verify_partial(&copy, 0, 1), Ok(()));
        assert!(guard.verify(&copy, 0, 8).is_err());
    }

    #[test]
    fn crc_catches_every_two_and_three_bit_flip_in_a_word() {
        let mut bytes: Vec<u8> = (0u8..16).map(|b| b.wrapping_mul(37)).collect();
        let guard = MemoryGuard::new(Protection::Crc, &bytes).unwrap();
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
            let mut guard = MemoryGuard::new(protection, &bytes).unwrap();
            bytes.resize(48, 0);
            guard.resize(&bytes).unwrap();
            assert_eq!(guard.verify(&bytes, 0, 48), Ok(()));
            bytes[40] = 1;
            assert_eq!(
                guard.verify(&bytes, 40, 1),
                Err(MemoryFault { address: 40 })
            );
        }
        let bytes = vec![1u8; 8];
        let guard = MemoryGuard::new(Protection::None, &bytes).unwrap();
        assert_eq!(guard.overhead_bytes(), 0);
        assert_eq!(guard.verify(&[0; 8], 0, 8), Ok(()));
    }
}
