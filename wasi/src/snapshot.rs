//! The two WASI snapshots served by one implementation: preview 1
//! (`wasi_snapshot_preview1`) and its predecessor preview 0 (`wasi_unstable`), which older
//! toolchains emit. Their functions share names and signatures; the ABIs differ in three
//! places, all translated here: the numbering of `whence`, the `filestat` layout (a 32-bit
//! link count) and the clock subscription layout (an extra identifier field).

use crate::abi::{self, filestat};
use crate::functions::Func;

/// Which snapshot's ABI a call follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snapshot {
    Preview1,
    Preview0,
}

/// Host-function ids of preview 0 are those of preview 1 plus this.
const PREVIEW0_ID_BASE: u32 = 64;

/// Where the fields of a `poll_oneoff` subscription lie.
pub(crate) struct SubscriptionLayout {
    pub size: usize,
    pub clock_id: usize,
    pub clock_timeout: usize,
    pub clock_flags: usize,
    pub fd: usize,
}

impl Snapshot {
    /// The import module name.
    pub fn module(self) -> &'static str {
        match self {
            Snapshot::Preview1 => abi::MODULE,
            Snapshot::Preview0 => "wasi_unstable",
        }
    }

    /// Whether the snapshot has `func` (`sock_accept` came with preview 1).
    pub fn has(self, func: Func) -> bool {
        self == Snapshot::Preview1 || func != Func::SockAccept
    }

    /// The host-function id of the function at `index` in [`Func::ALL`].
    pub fn id(self, index: usize) -> u32 {
        let base = match self {
            Snapshot::Preview1 => 0,
            Snapshot::Preview0 => PREVIEW0_ID_BASE,
        };
        base + index as u32
    }

    /// The snapshot and function a host-function id stands for.
    pub fn of_id(id: u32) -> Option<(Snapshot, Func)> {
        match id.checked_sub(PREVIEW0_ID_BASE) {
            Some(index) => Some((Snapshot::Preview0, Func::from_id(index)?)),
            None => Some((Snapshot::Preview1, Func::from_id(id)?)),
        }
    }

    /// A `whence` in preview-1 numbering (preview 0 counts `cur`, `end`, `set`). Only files
    /// seek, so only the std part needs it.
    #[cfg(feature = "std")]
    pub(crate) fn whence(self, whence: u32) -> u32 {
        match (self, whence) {
            (Snapshot::Preview1, _) => whence,
            (Snapshot::Preview0, 0) => abi::whence::CUR,
            (Snapshot::Preview0, 1) => abi::whence::END,
            (Snapshot::Preview0, 2) => abi::whence::SET,
            (Snapshot::Preview0, other) => other,
        }
    }

    /// A preview-1 `filestat` image in this snapshot's layout, and its length.
    pub(crate) fn filestat(self, image: [u8; filestat::SIZE]) -> ([u8; filestat::SIZE], usize) {
        match self {
            Snapshot::Preview1 => (image, filestat::SIZE),
            Snapshot::Preview0 => {
                // dev, ino, filetype; nlink as u32 at 20; size and the times from 24 on.
                let mut old = [0u8; filestat::SIZE];
                old[..=filestat::FILETYPE].copy_from_slice(&image[..=filestat::FILETYPE]);
                let nlink = abi::get_u64(&image, filestat::NLINK);
                abi::put_u32(&mut old, 20, u32::try_from(nlink).unwrap_or(u32::MAX));
                old[24..56].copy_from_slice(&image[filestat::SIZE_FIELD..filestat::SIZE]);
                (old, 56)
            }
        }
    }

    pub(crate) fn subscription(self) -> &'static SubscriptionLayout {
        match self {
            Snapshot::Preview1 => &SubscriptionLayout {
                size: 48,
                clock_id: 16,
                clock_timeout: 24,
                clock_flags: 40,
                fd: 16,
            },
            Snapshot::Preview0 => &SubscriptionLayout {
                size: 56,
                clock_id: 24,
                clock_timeout: 32,
                clock_flags: 48,
                fd: 16,
            },
        }
    }
}
