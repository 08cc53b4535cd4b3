//! How a kernel run executes: the mode and the options of `wasmrel run` that belong to it,
//! as the protocol's `WASMREL_MODE_*`, `WASMREL_CHECK_*`, `WASMREL_MEMORY_*` and
//! `WASMREL_REPLICAS_*` words. An option exists only inside its mode, so a request cannot
//! ask for a check level of a plain run (the kernel would refuse it with `EINVAL`).

/// Execution mode requested from the kernel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// The plain interpreter.
    #[default]
    Plain,
    /// AN-encoded execution (`--encoded`).
    Encoded(Encoding),
    /// Two replicas in lockstep (`--dual`), the first one plain.
    Dual(Replicas),
}

/// The options of encoded execution; the default is `wasmrel run --encoded`'s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Encoding {
    /// `--check`.
    pub check: CheckLevel,
    /// `--memory-protection`.
    pub memory: MemoryProtection,
}

/// `--check`: how often encoded execution checks values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CheckLevel {
    /// Where values leave the code and at block boundaries.
    #[default]
    Block,
    /// Every operand.
    Op,
    /// Only before effects.
    Effects,
}

/// `--memory-protection`: how encoded execution protects linear memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MemoryProtection {
    /// A CRC-8 per aligned 8-byte word.
    #[default]
    Crc,
    /// Nothing.
    None,
    /// A shadow copy (twice the kernel memory per linear memory).
    Dup,
}

/// `--replicas`: the second replica of a dual run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Replicas {
    /// Every value bit-inverted.
    #[default]
    Inverted,
    /// AN-encoded.
    Encoded,
}

/// The four protocol words of a mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawMode {
    pub mode: u32,
    pub check_level: u32,
    pub memory_protection: u32,
    pub replicas: u32,
}

impl Mode {
    pub(crate) fn raw(self) -> RawMode {
        match self {
            Mode::Plain => RawMode::default(),
            Mode::Encoded(Encoding { check, memory }) => RawMode {
                mode: 1,
                check_level: match check {
                    CheckLevel::Block => 0,
                    CheckLevel::Op => 1,
                    CheckLevel::Effects => 2,
                },
                memory_protection: match memory {
                    MemoryProtection::Crc => 0,
                    MemoryProtection::None => 1,
                    MemoryProtection::Dup => 2,
                },
                ..RawMode::default()
            },
            Mode::Dual(replicas) => RawMode {
                mode: 2,
                replicas: match replicas {
                    Replicas::Inverted => 0,
                    Replicas::Encoded => 1,
                },
                ..RawMode::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_zero_words_and_options_stay_in_their_mode() {
        assert_eq!(Mode::Plain.raw(), RawMode::default());
        let encoded = Mode::Encoded(Encoding::default()).raw();
        assert_eq!(
            (encoded.mode, encoded.check_level, encoded.memory_protection),
            (1, 0, 0)
        );
        let effects_dup = Mode::Encoded(Encoding {
            check: CheckLevel::Effects,
            memory: MemoryProtection::Dup,
        })
        .raw();
        assert_eq!(
            effects_dup,
            RawMode {
                mode: 1,
                check_level: 2,
                memory_protection: 2,
                replicas: 0
            }
        );
        let dual = Mode::Dual(Replicas::Encoded).raw();
        assert_eq!(
            dual,
            RawMode {
                mode: 2,
                replicas: 1,
                ..RawMode::default()
            }
        );
    }
}
