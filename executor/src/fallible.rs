//! Allocation that may be refused, for everything whose size the module chooses.
//!
//! In the kernel an allocation can fail and the engine must not abort, so buffers that grow
//! with the module's size or content (its sections, translated code, the per-instance copy
//! of that code, segments) are reserved with `try_reserve`. A refusal is the memory limit
//! error ([`LimitKind::Memory`]): the host ran out of memory it may spend on this module.
//! Small fixed-size allocations stay infallible, as in the kernel, where they do not fail.

use crate::error::{Error, LimitKind};
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::{Deref, DerefMut};

/// The error of a refused allocation.
pub(crate) fn refused() -> Error {
    Error::Limit(LimitKind::Memory)
}

/// Appends `item` to `items`, reporting a refused allocation instead of aborting.
pub(crate) fn push<T>(items: &mut Vec<T>, item: T) -> Result<(), Error> {
    items.try_reserve(1).map_err(|_| refused())?;
    items.push(item);
    Ok(())
}

/// A copy of `items` with room for `spare` more, or the refusal.
pub(crate) fn copy_of<T: Clone>(items: &[T], spare: usize) -> Result<Vec<T>, Error> {
    let mut copy = Vec::new();
    copy.try_reserve_exact(items.len().saturating_add(spare))
        .map_err(|_| refused())?;
    copy.extend_from_slice(items);
    Ok(copy)
}

/// A copy of `text` (a name from the module, as long as the module), or the refusal.
pub(crate) fn string(text: &str) -> Result<String, Error> {
    let mut copy = String::new();
    copy.try_reserve_exact(text.len()).map_err(|_| refused())?;
    copy.push_str(text);
    Ok(copy)
}

/// `count` copies of `item` in a new vector, or `None` when the allocation is refused.
pub(crate) fn filled<T: Clone>(count: usize, item: T) -> Option<Vec<T>> {
    let mut items = Vec::new();
    items.try_reserve_exact(count).ok()?;
    items.resize(count, item);
    Some(items)
}

/// A vector that the translator appends to without a `Result` at every push: a refused
/// allocation drops the item and is remembered, and [`Growing::check`] reports it after each
/// translated instruction, so the whole translation fails with the memory limit error.
/// Reading and shrinking go through `Deref` to the vector.
#[derive(Debug)]
pub(crate) struct Growing<T> {
    items: Vec<T>,
    refused: bool,
}

impl<T> Default for Growing<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            refused: false,
        }
    }
}

impl<T> Growing<T> {
    pub fn push(&mut self, item: T) {
        if self.items.try_reserve(1).is_ok() {
            self.items.push(item);
        } else {
            self.refused = true;
        }
    }

    pub fn extend_from_slice(&mut self, items: &[T])
    where
        T: Clone,
    {
        if self.items.try_reserve(items.len()).is_ok() {
            self.items.extend_from_slice(items);
        } else {
            self.refused = true;
        }
    }

    pub fn resize(&mut self, len: usize, item: T)
    where
        T: Clone,
    {
        let more = len.saturating_sub(self.items.len());
        if self.items.try_reserve(more).is_ok() {
            self.items.resize(len, item);
        } else {
            self.refused = true;
        }
    }

    /// The memory limit error if any growth was refused.
    pub fn check(&self) -> Result<(), Error> {
        if self.refused {
            Err(refused())
        } else {
            Ok(())
        }
    }

    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

impl<T> Deref for Growing<T> {
    type Target = Vec<T>;

    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T> DerefMut for Growing<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}
