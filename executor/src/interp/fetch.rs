//! The instruction fetch: a function's code together with the bound the fetch checks.

use crate::error::Corruption;
use crate::ir::FETCH;

/// A function's code and the last program counter whose fetch window lies inside it. Only
/// [`Code::new`] sets the two, so the bound always belongs to the words.
#[derive(Clone, Copy)]
pub(super) struct Code<'a> {
    words: &'a [u32],
    last: usize,
}

impl<'a> Code<'a> {
    /// `None` for code shorter than one window (translated code never is: it ends in
    /// `ir::PADDING`).
    #[inline(always)]
    pub(super) fn new(words: &'a [u32]) -> Option<Self> {
        let last = words.len().checked_sub(FETCH)?;
        Some(Self { words, last })
    }

    /// The opcode word at `pc` and the `FETCH - 1` words after it, behind one compare. A slice's
    /// `get(pc..pc + FETCH)` compares twice (the end, and the start against a wrapped end),
    /// and this fetch runs once per instruction: one compare less is about a tenth of the
    /// machine instructions of a simple one. (A `Result`, not an `Option`: the compiler
    /// cannot tell that the pointer is not null, and would test it again.)
    #[inline(always)]
    pub(super) fn window(self, pc: usize) -> Result<&'a [u32; FETCH], Corruption> {
        if pc > self.last {
            return Err(Corruption::PcOutOfRange);
        }
        // SAFETY: `last` is `words.len() - FETCH` (`new`), so the `FETCH` words from
        // `pc <= last` are inside `words`, and `[u32; FETCH]` has `u32`'s alignment.
        Ok(unsafe { &*self.words.as_ptr().add(pc).cast::<[u32; FETCH]>() })
    }

    /// Every word (operands beyond the window).
    #[inline(always)]
    pub(super) fn words(self) -> &'a [u32] {
        self.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_stays_inside_the_code() {
        let words: [u32; FETCH + 2] = core::array::from_fn(|i| 10 + i as u32);
        let window =
            |pc| Code::new(&words).map(|code| code.window(pc).map(|w| (w[0], w[FETCH - 1])));
        assert_eq!(window(0), Some(Ok((10, 10 + FETCH as u32 - 1))));
        assert_eq!(window(2), Some(Ok((12, 12 + FETCH as u32 - 1))));
        assert_eq!(window(3), Some(Err(Corruption::PcOutOfRange)));
        assert_eq!(window(usize::MAX), Some(Err(Corruption::PcOutOfRange)));
        assert!(words.get(..FETCH - 1).and_then(Code::new).is_none());
    }
}
