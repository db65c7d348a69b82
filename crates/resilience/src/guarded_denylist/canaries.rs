//! Where the sentinel denials go: spread over a Redis Cluster's slots, so that a master that
//! restarts empty loses at least one of them and is noticed.
//!
//! The Redis adapter keeps a user's denials under the hash tag `{user:<id>}`, so a denial's slot
//! is the CRC16 of `user:<id>` modulo 16384 (the cluster specification's key hashing). Each
//! sentinel's user id is picked so that the i-th falls in the i-th of [`COUNT`] equal slot
//! ranges: a master holding one such range whole (any master of a cluster of up to eight with
//! the slots split evenly in contiguous blocks, as `redis-cli --cluster create` does) holds at
//! least one sentinel. A master holding only scattered slots, or less than 1/16 of them, may
//! hold none. On one server every sentinel is on it; the cost is [`COUNT`] reads a check.

use authd_domain::ids::UserId;

/// How many sentinels, and slot ranges.
pub(super) const COUNT: usize = 16;

const SLOTS: usize = 16_384;

/// [`COUNT`] user ids, the i-th in the i-th slot range.
pub(super) fn spread_users() -> Vec<UserId> {
    (0..COUNT)
        .map(|range| {
            loop {
                // One try in COUNT lands in the range: a few dozen at most.
                let user = UserId::new();
                if slot(user) * COUNT / SLOTS == range {
                    break user;
                }
            }
        })
        .collect()
}

/// The cluster slot of the user's denials.
pub(super) fn slot(user: UserId) -> usize {
    usize::from(crc16(format!("user:{user}").as_bytes())) % SLOTS
}

/// CRC16-CCITT (XMODEM), Redis Cluster's key hash.
fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for byte in bytes {
        crc ^= u16::from(*byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 == 0 {
                crc << 1
            } else {
                (crc << 1) ^ 0x1021
            };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_redis_clusters() {
        // The cluster specification's test vector, and the slots the `CLUSTER KEYSLOT` page
        // gives for `somekey` and for `foo{hash_tag}` (the tag alone is hashed).
        assert_eq!(crc16(b"123456789"), 0x31C3);
        assert_eq!(usize::from(crc16(b"somekey")) % SLOTS, 11_058);
        assert_eq!(usize::from(crc16(b"hash_tag")) % SLOTS, 2_515);
    }

    #[test]
    fn each_slot_range_holds_one_sentinel() {
        let ranges: Vec<usize> = spread_users()
            .into_iter()
            .map(|user| slot(user) * COUNT / SLOTS)
            .collect();
        assert_eq!(ranges, (0..COUNT).collect::<Vec<_>>());
    }
}
