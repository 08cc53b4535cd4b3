//! Clocks, randomness, `poll_oneoff` and `sched_yield`.

use alloc::vec;

use crate::abi::{self, poll};
use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::guest::{Guest, GuestExt};
use crate::snapshot::Snapshot;

/// `random_get` fills the guest buffer in pieces of this size, so a huge request does not
/// need a huge host buffer.
const RANDOM_CHUNK: usize = 4096;

impl WasiCtx {
    pub(crate) fn clock_res_get(&self, guest: &mut impl Guest, id: u32, out: u32) -> WasiResult {
        let resolution = self.clock.resolution(id)?;
        guest.write_u64(out, resolution)
    }

    pub(crate) fn clock_time_get(
        &mut self,
        guest: &mut impl Guest,
        id: u32,
        out: u32,
    ) -> WasiResult {
        let fuel = guest.fuel_used();
        let now = self.clock.now(id, fuel)?;
        guest.write_u64(out, now)
    }

    pub(crate) fn random_get(&mut self, guest: &mut impl Guest, buf: u32, len: u32) -> WasiResult {
        guest.check_range(buf, u64::from(len))?;
        let mut chunk = vec![0; RANDOM_CHUNK.min(len as usize)];
        let mut done = 0;
        while done < len {
            let piece = (len - done).min(RANDOM_CHUNK as u32);
            let bytes = chunk.get_mut(..piece as usize).ok_or(Errno::INVAL)?;
            self.random.fill(bytes)?;
            guest.write(buf + done, bytes)?;
            done += piece;
        }
        Ok(())
    }

    /// Waits for the earliest clock subscription; fd subscriptions are ready at once, since
    /// every descriptor this host has (stdio, files) never blocks for long.
    pub(crate) fn poll_oneoff(
        &mut self,
        guest: &mut impl Guest,
        snapshot: Snapshot,
        subscriptions: u32,
        events: u32,
        count: u32,
        nevents: u32,
    ) -> WasiResult {
        if count == 0 {
            return Err(Errno::INVAL);
        }
        let layout = snapshot.subscription();
        let raw = guest.read_bytes(
            subscriptions,
            count.checked_mul(layout.size as u32).ok_or(Errno::FAULT)?,
        )?;
        let subs = raw.chunks_exact(layout.size);
        let any_fd = subs.clone().any(|sub| tag_of(sub) != poll::TAG_CLOCK);

        // The earliest deadline among the clock subscriptions, as (index, clock, deadline).
        let mut earliest: Option<(usize, u32, u64)> = None;
        for (index, sub) in subs.clone().enumerate() {
            if tag_of(sub) != poll::TAG_CLOCK {
                continue;
            }
            let id = abi::get_u32(sub, layout.clock_id);
            let timeout = abi::get_u64(sub, layout.clock_timeout);
            let absolute = abi::get_u16(sub, layout.clock_flags) & poll::ABSTIME != 0;
            let fuel = guest.fuel_used();
            let deadline = if absolute {
                timeout
            } else {
                self.clock.now(id, fuel)?.saturating_add(timeout)
            };
            if earliest.is_none_or(|(_, _, best)| deadline < best) {
                earliest = Some((index, id, deadline));
            }
        }

        let mut written = 0u32;
        let mut event = [0u8; poll::EVENT_SIZE];
        for (index, sub) in subs.enumerate() {
            let tag = tag_of(sub);
            let ready = match tag {
                poll::TAG_CLOCK => !any_fd && earliest.is_some_and(|(best, _, _)| best == index),
                poll::TAG_FD_READ | poll::TAG_FD_WRITE => true,
                _ => return Err(Errno::INVAL),
            };
            if !ready {
                continue;
            }
            let error = if tag == poll::TAG_CLOCK {
                0
            } else {
                let fd = abi::get_u32(sub, layout.fd);
                self.fds.get(fd).err().map_or(0, |errno| errno.0)
            };
            event.fill(0);
            abi::put_u64(&mut event, 0, abi::get_u64(sub, poll::SUB_USERDATA));
            abi::put_u16(&mut event, poll::EV_ERROR, error);
            event[poll::EV_TYPE] = tag;
            abi::put_u64(&mut event, poll::EV_NBYTES, 0);
            let at = events
                .checked_add(written * poll::EVENT_SIZE as u32)
                .ok_or(Errno::FAULT)?;
            guest.write(at, &event)?;
            written += 1;
        }
        if !any_fd {
            if let Some((_, id, deadline)) = earliest {
                let fuel = guest.fuel_used();
                self.clock.sleep_until(id, deadline, fuel)?;
            }
        }
        guest.write_u32(nevents, written)
    }
}

/// A subscription's tag byte (an impossible tag if the image were too short).
fn tag_of(subscription: &[u8]) -> u8 {
    subscription.get(poll::SUB_TAG).copied().unwrap_or(u8::MAX)
}
