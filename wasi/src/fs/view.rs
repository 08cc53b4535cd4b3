//! What file metadata the guest is shown.
//!
//! Normally the host's numbers and times, as they are. A reproducible (deterministic) run
//! must not see what differs between two runs over equal files: timestamps and the device and
//! inode numbers a fresh file happens to get. It sees device 0, inode numbers given in order
//! of first appearance (so equal files still compare equal), and every time at the
//! deterministic clock's epoch.

use std::collections::BTreeMap;

use crate::abi::{self, filestat};
use crate::clock::DeterministicClock;

#[derive(Debug, Default)]
pub(crate) struct MetadataView {
    /// Host `(device, inode)` to shown inode, in reproducible mode only.
    inodes: Option<BTreeMap<(u64, u64), u64>>,
}

impl MetadataView {
    pub fn reproducible() -> Self {
        Self {
            inodes: Some(BTreeMap::new()),
        }
    }

    /// The inode number shown for host inode `ino` on device `dev`.
    pub fn ino(&mut self, dev: u64, ino: u64) -> u64 {
        match &mut self.inodes {
            None => ino,
            Some(shown) => {
                let next = shown.len() as u64 + 1;
                *shown.entry((dev, ino)).or_insert(next)
            }
        }
    }

    /// A `filestat` image as this view shows it.
    pub fn filestat(&mut self, mut image: [u8; filestat::SIZE]) -> [u8; filestat::SIZE] {
        if self.inodes.is_none() {
            return image;
        }
        let dev = abi::get_u64(&image, filestat::DEV);
        let ino = abi::get_u64(&image, filestat::INO);
        if ino != 0 {
            let shown = self.ino(dev, ino);
            abi::put_u64(&mut image, filestat::INO, shown);
        }
        abi::put_u64(&mut image, filestat::DEV, 0);
        for field in [filestat::ATIM, filestat::MTIM, filestat::CTIM] {
            abi::put_u64(&mut image, field, DeterministicClock::EPOCH_NS);
        }
        image
    }
}
