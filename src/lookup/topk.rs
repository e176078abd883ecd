//! The bounded best-`k` collector used by every search phase: one rank per entry, the best one
//! kept, at most `k` entries held. Ranks are packed into a `u64` so that a smaller number is a
//! better result and ties fall to the smaller entry position (the smaller dossier id). It must
//! not know how ranks are computed.

use std::collections::{BTreeSet, HashMap};

/// Packs a tier (0 exact, 1 prefix, 2 fuzzy, 3 post/unit words), a penalty within the tier and
/// an entry position into one sortable rank.
pub fn rank(tier: u8, penalty: u32, pos: u32) -> u64 {
    ((tier as u64 & 3) << 62) | ((penalty.min((1 << 30) - 1) as u64) << 32) | pos as u64
}

pub fn rank_tier(r: u64) -> u8 {
    (r >> 62) as u8
}
pub fn rank_penalty(r: u64) -> u32 {
    ((r >> 32) & ((1 << 30) - 1)) as u32
}
pub fn rank_pos(r: u64) -> u32 {
    r as u32
}

pub struct TopK {
    cap: usize,
    set: BTreeSet<u64>,
    best: HashMap<u32, u64>,
    /// The worst rank held when full, else u64::MAX (so every offer is considered).
    worst: u64,
}

impl TopK {
    pub fn new(cap: usize) -> Self {
        TopK {
            cap,
            set: BTreeSet::new(),
            best: HashMap::new(),
            worst: u64::MAX,
        }
    }

    /// Offers `r` (from `rank`); keeps it if it is among the best `cap` and better than what
    /// the same entry already has.
    #[inline]
    pub fn offer(&mut self, r: u64) {
        if r >= self.worst || self.cap == 0 {
            return;
        }
        self.offer_slow(r);
    }

    fn offer_slow(&mut self, r: u64) {
        let pos = rank_pos(r);
        if let Some(&old) = self.best.get(&pos) {
            if old <= r {
                return;
            }
            self.set.remove(&old);
        }
        self.set.insert(r);
        self.best.insert(pos, r);
        if self.set.len() > self.cap
            && let Some(w) = self.set.pop_last()
        {
            self.best.remove(&rank_pos(w));
        }
        self.worst = if self.set.len() >= self.cap {
            self.set.last().copied().unwrap_or(u64::MAX)
        } else {
            u64::MAX
        };
    }

    /// Whether `r` could enter now (cheap; lets callers skip work for hopeless candidates).
    #[inline]
    pub fn accepts(&self, r: u64) -> bool {
        r < self.worst && self.cap > 0
    }

    /// The worst rank held when full, else u64::MAX.
    pub fn worst(&self) -> u64 {
        self.worst
    }

    pub fn is_full(&self) -> bool {
        self.set.len() >= self.cap
    }

    /// Full, and nothing held is worse than `tier`: later tiers cannot enter.
    pub fn settled_at(&self, tier: u8) -> bool {
        self.is_full() && self.set.last().is_none_or(|&w| rank_tier(w) <= tier)
    }

    pub fn contains(&self, pos: u32) -> bool {
        self.best.contains_key(&pos)
    }

    /// Ranks, best first.
    pub fn into_sorted(self) -> Vec<u64> {
        self.set.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_best_per_entry_and_bounds() {
        let mut t = TopK::new(2);
        t.offer(rank(1, 3, 7));
        t.offer(rank(1, 0, 7)); // better for the same entry replaces
        t.offer(rank(2, 0, 7)); // worse for the same entry is ignored
        t.offer(rank(0, 0, 9));
        t.offer(rank(1, 0, 1)); // ties on tier and penalty: smaller position wins
        assert_eq!(t.into_sorted(), vec![rank(0, 0, 9), rank(1, 0, 1)]);
    }

    #[test]
    fn settled_only_when_full_within_tier() {
        let mut t = TopK::new(2);
        t.offer(rank(1, 0, 1));
        assert!(!t.settled_at(1));
        t.offer(rank(2, 0, 2));
        assert!(t.is_full() && !t.settled_at(1) && t.settled_at(2));
        t.offer(rank(0, 0, 3));
        assert!(t.settled_at(1));
    }

    #[test]
    fn rank_parts_round_trip() {
        let r = rank(3, 12345, 987654);
        assert_eq!(
            (rank_tier(r), rank_penalty(r), rank_pos(r)),
            (3, 12345, 987654)
        );
        assert!(rank(0, 9, 9) < rank(1, 0, 0));
        assert!(rank(1, 0, 9) < rank(1, 1, 0));
    }
}
