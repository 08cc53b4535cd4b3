//! The plain value domain: a slot is a `u64` holding the value's bits zero-extended.
//!
//! Every conversion is an identity or a truncation and never fails, so the provided
//! operations of [`Domain`] compile to the bare machine operation: plain mode pays nothing
//! for the interpreter being generic.

use crate::domain::Domain;
use crate::error::Error;

/// Unencoded execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Plain;

impl Domain for Plain {
    type Slot = u64;

    #[inline(always)]
    fn from_i32(value: i32) -> u64 {
        u64::from(value as u32)
    }
    #[inline(always)]
    fn from_i64(value: i64) -> u64 {
        value as u64
    }
    #[inline(always)]
    fn from_f32(bits: u32) -> u64 {
        u64::from(bits)
    }
    #[inline(always)]
    fn from_f64(bits: u64) -> u64 {
        bits
    }
    #[inline(always)]
    fn to_i32(slot: u64) -> Result<i32, Error> {
        Ok(slot as u32 as i32)
    }
    #[inline(always)]
    fn to_i64(slot: u64) -> Result<i64, Error> {
        Ok(slot as i64)
    }
    #[inline(always)]
    fn to_f32(slot: u64) -> Result<u32, Error> {
        Ok(slot as u32)
    }
    #[inline(always)]
    fn to_f64(slot: u64) -> Result<u64, Error> {
        Ok(slot)
    }
}
