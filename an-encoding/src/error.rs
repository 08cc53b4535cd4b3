//! What can go wrong on a code word: a detected fault, or a WebAssembly trap.
//!
//! The two are kept apart on purpose: a module that traps in plain mode must trap the same way
//! in encoded mode, and a hardware fault must never be passed off as the program's own trap.

use core::fmt;

/// The outcome of an operation that did not produce a code word.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AnError {
    /// A fault was detected; the run must stop and report it.
    Detected(Detection),
    /// The WebAssembly operation traps on these (valid) operands, agreed by both copies.
    Trap(Trap),
}

/// Which check caught a fault.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Detection {
    /// A word is not `A·x ⊕ M` for any `x` of its type (failed the range check after
    /// multiplying with `A⁻¹`).
    CodeWord,
    /// The two independently decoded copies of a computation disagree.
    Mismatch,
}

/// WebAssembly traps raised by numeric instructions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Trap {
    /// `div`/`rem` with a zero divisor.
    IntegerDivideByZero,
    /// `div_s` of the minimum value by -1, or a float truncation out of the integer range.
    IntegerOverflow,
    /// Float-to-integer truncation of a NaN.
    InvalidConversionToInteger,
}

impl fmt::Display for AnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnError::Detected(Detection::CodeWord) => f.write_str("detected: invalid code word"),
            AnError::Detected(Detection::Mismatch) => {
                f.write_str("detected: duplicated computation disagrees")
            }
            AnError::Trap(trap) => fmt::Display::fmt(trap, f),
        }
    }
}

impl fmt::Display for Trap {
    /// The wording of the WebAssembly spec test suite's `assert_trap` messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Trap::IntegerDivideByZero => "integer divide by zero",
            Trap::IntegerOverflow => "integer overflow",
            Trap::InvalidConversionToInteger => "invalid conversion to integer",
        })
    }
}

impl From<Trap> for AnError {
    fn from(trap: Trap) -> Self {
        AnError::Trap(trap)
    }
}
