//! The verifiable draw.
//!
//! 1. Before drawing, the plan publishes its parameters, the SM3 digest of the pool snapshot
//!    ([`pool_digest`]) and a commitment `SM3(secret)` to a secret fixed in advance.
//! 2. At the draw, the secret is revealed; the seed is `SM3(secret ‖ digest of the published inputs)`
//!    ([`seed`]), so neither the agency (committed before the pool was known) nor anyone else can steer it.
//! 3. The draw is a pure function of the seed and the pool ([`draw_units`], [`assign_officers`]): SM3 in
//!    counter mode as the random stream, rejection sampling against modulo bias, a partial Fisher–Yates
//!    shuffle per stratum over the pool sorted by id. Re-running it on the published export gives the same
//!    result, or the export was altered.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sm3::{Digest, Sm3};

use crate::error::{DomainError, Result};

/// SM3 of `data`.
pub fn sm3(data: &[u8]) -> [u8; 32] {
    Sm3::digest(data).into()
}

/// A deterministic stream of random numbers: `SM3(seed ‖ counter)` blocks.
pub struct DrawRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl DrawRng {
    /// A stream from a seed.
    pub fn new(seed: [u8; 32]) -> Self {
        DrawRng { seed, counter: 0, block: [0; 32], used: 32 }
    }

    fn next_u64(&mut self) -> u64 {
        if self.used + 8 > 32 {
            let mut input = self.seed.to_vec();
            input.extend_from_slice(&self.counter.to_be_bytes());
            self.block = sm3(&input);
            self.counter += 1;
            self.used = 0;
        }
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.block[self.used..self.used + 8]);
        self.used += 8;
        u64::from_be_bytes(b)
    }

    /// A uniform integer in `0..n` (n > 0), without modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        // Reject the top sliver of the range that would favour small values.
        let zone = u64::MAX - (u64::MAX % n) - 1;
        loop {
            let x = self.next_u64();
            if x <= zone {
                return x % n;
            }
        }
    }
}

/// The seed: `SM3(revealed secret ‖ published inputs digest)`. Fails if the secret does not match the
/// commitment published before the draw.
pub fn seed(secret: &[u8], commitment_hex: &str, published_inputs_digest_hex: &str) -> Result<[u8; 32]> {
    if hex_of(&sm3(secret)) != commitment_hex.to_ascii_lowercase() {
        return Err(DomainError::Rule("公布的承诺值与揭示的随机数不符，抽取无效".into()));
    }
    let mut input = secret.to_vec();
    input.extend_from_slice(published_inputs_digest_hex.as_bytes());
    Ok(sm3(&input))
}

/// Lower-case hex.
pub fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One unit in the pool snapshot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PoolUnit {
    /// Unit id.
    pub id: String,
    /// Stratum (e.g. the risk grade) it is drawn in.
    pub stratum: String,
    /// The org path of its jurisdiction, for officer eligibility.
    pub org_path: String,
}

/// The SM3 digest of a pool snapshot: its units sorted by id, one `id|stratum|org_path` line each.
pub fn pool_digest(pool: &[PoolUnit]) -> String {
    let mut sorted: Vec<&PoolUnit> = pool.iter().collect();
    if !sorted.is_sorted() {
        sorted.sort();
    }
    let mut h = Sm3::new();
    for u in sorted {
        h.update(u.id.as_bytes());
        h.update(b"|");
        h.update(u.stratum.as_bytes());
        h.update(b"|");
        h.update(u.org_path.as_bytes());
        h.update(b"\n");
    }
    hex_of(&h.finalize())
}

/// Draws `quota[stratum]` units from each stratum. The result is sorted by stratum, then in draw order.
pub fn draw_units(pool: &[PoolUnit], quota: &BTreeMap<String, usize>, rng: &mut DrawRng) -> Result<Vec<PoolUnit>> {
    // One pass groups the pool by stratum, keeping its order (a handful of strata: a linear look-up beats
    // hashing a million strings).
    let keys: Vec<&str> = quota.keys().map(String::as_str).collect();
    let mut groups: Vec<Vec<&PoolUnit>> =
        (0..keys.len()).map(|_| Vec::with_capacity(pool.len() / keys.len().max(1))).collect();
    for u in pool {
        if let Some(i) = keys.iter().position(|k| *k == u.stratum) {
            groups[i].push(u);
        }
    }
    let mut out = Vec::new();
    for ((stratum, &k), mut units) in quota.iter().zip(groups) {
        if units.len() < k {
            return Err(DomainError::Rule(format!(
                "“{stratum}”层的检查对象只有{}个，少于计划抽取的{k}个，请调整比例或名录库",
                units.len()
            )));
        }
        // The store hands the pool over sorted by id: then one linear check proves order and uniqueness.
        if !units.windows(2).all(|w| w[0].id < w[1].id) {
            units.sort();
            if units.windows(2).any(|w| w[0].id == w[1].id) {
                return Err(DomainError::Rule(format!("“{stratum}”层的检查对象名录有重复单位")));
            }
        }
        // Partial Fisher–Yates: the first k positions become a uniform sample in random order.
        for i in 0..k {
            let j = i + rng.below((units.len() - i) as u64) as usize;
            units.swap(i, j);
        }
        out.extend(units.into_iter().take(k).cloned());
    }
    Ok(out)
}

/// An officer who may be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolOfficer {
    /// Account id.
    pub id: String,
    /// The org path of the officer's jurisdiction: units at or below it are eligible.
    pub org_path: String,
    /// Units the officer must not inspect (declared conflicts; units inspected last period under rotation).
    pub excluded_units: BTreeSet<String>,
}

/// Gives each drawn unit `per_unit` officers from its jurisdiction, never one with a conflict, balancing
/// the load: among the eligible, those with the fewest assignments so far, ties broken by the random
/// stream. Officers are considered in id order, so the result depends only on the inputs.
pub fn assign_officers(
    units: &[PoolUnit],
    officers: &[PoolOfficer],
    per_unit: usize,
    rng: &mut DrawRng,
) -> Result<Vec<(String, Vec<String>)>> {
    let mut sorted: Vec<&PoolOfficer> = officers.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut load: Vec<usize> = vec![0; sorted.len()];
    // Officers by the org path of their jurisdiction: a unit's eligible officers are those filed under one of
    // the unit's own path prefixes (its org and the orgs above it), found without scanning everyone.
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, o) in sorted.iter().enumerate() {
        by_path.entry(o.org_path.as_str()).or_default().push(i);
    }
    let mut out = Vec::with_capacity(units.len());
    for u in units {
        let mut eligible: Vec<usize> = u
            .org_path
            .match_indices('/')
            .filter_map(|(end, _)| by_path.get(&u.org_path[..=end]))
            .flatten()
            .copied()
            .filter(|&i| !sorted[i].excluded_units.contains(&u.id))
            .collect();
        eligible.sort_unstable();
        if eligible.len() < per_unit {
            return Err(DomainError::Rule(format!(
                "单位 {} 可派执法人员只有{}名（回避后），少于每组{per_unit}名，请补充执法检查人员名录库",
                u.id,
                eligible.len()
            )));
        }
        let mut chosen = Vec::with_capacity(per_unit);
        let mut left = eligible;
        for _ in 0..per_unit {
            let min = left.iter().map(|&i| load[i]).min().unwrap_or(0);
            let lightest: Vec<usize> = left.iter().copied().filter(|&i| load[i] == min).collect();
            let pick = lightest[rng.below(lightest.len() as u64) as usize];
            load[pick] += 1;
            chosen.push(sorted[pick].id.clone());
            left.retain(|&i| i != pick);
        }
        out.push((u.id.clone(), chosen));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pool(n: usize) -> Vec<PoolUnit> {
        (0..n)
            .map(|i| PoolUnit {
                id: format!("u{i:06}"),
                stratum: if i % 3 == 0 { "高风险".into() } else { "一般".into() },
                org_path: if i % 2 == 0 { "/a/b/".into() } else { "/a/c/".into() },
            })
            .collect()
    }

    fn officers() -> Vec<PoolOfficer> {
        ["o1", "o2", "o3"]
            .iter()
            .map(|id| PoolOfficer { id: id.to_string(), org_path: "/a/b/".into(), excluded_units: BTreeSet::new() })
            .chain(["o4", "o5", "o6"].iter().map(|id| PoolOfficer {
                id: id.to_string(),
                org_path: "/a/".into(),
                excluded_units: BTreeSet::new(),
            }))
            .collect()
    }

    #[test]
    fn the_seed_needs_the_committed_secret() {
        let secret = b"drawn-by-the-agency-2026-11";
        let commitment = hex_of(&sm3(secret));
        assert!(seed(secret, &commitment, "abc").is_ok());
        assert!(seed(b"another", &commitment, "abc").is_err());
        assert_ne!(seed(secret, &commitment, "abc").unwrap(), seed(secret, &commitment, "abd").unwrap());
    }

    #[test]
    fn same_seed_and_pool_same_draw_in_any_input_order() {
        let p = pool(1000);
        let quota = BTreeMap::from([("高风险".to_string(), 10), ("一般".to_string(), 20)]);
        let a = draw_units(&p, &quota, &mut DrawRng::new([7; 32])).unwrap();
        let mut shuffled = p.clone();
        shuffled.reverse();
        let b = draw_units(&shuffled, &quota, &mut DrawRng::new([7; 32])).unwrap();
        assert_eq!(a, b);
        assert_eq!(pool_digest(&p), pool_digest(&shuffled));
        let c = draw_units(&p, &quota, &mut DrawRng::new([8; 32])).unwrap();
        assert_ne!(a, c);
        assert_eq!(a.iter().filter(|u| u.stratum == "高风险").count(), 10);
    }

    #[test]
    fn too_small_a_stratum_is_refused_in_chinese() {
        let quota = BTreeMap::from([("高风险".to_string(), 500)]);
        let e = draw_units(&pool(100), &quota, &mut DrawRng::new([1; 32])).unwrap_err();
        assert!(e.to_string().contains("少于计划抽取的500个"));
    }

    #[test]
    fn officers_come_from_the_jurisdiction_respect_conflicts_and_share_the_load() {
        let units: Vec<PoolUnit> = pool(60);
        let mut off = officers();
        off[3].excluded_units.insert("u000001".into());
        let pairs = assign_officers(&units, &off, 2, &mut DrawRng::new([3; 32])).unwrap();
        let mut load: BTreeMap<String, usize> = BTreeMap::new();
        for (unit, pair) in &pairs {
            assert_eq!(pair.len(), 2);
            assert_ne!(pair[0], pair[1]);
            let u = units.iter().find(|u| &u.id == unit).unwrap();
            for o in pair {
                let officer = off.iter().find(|x| &x.id == o).unwrap();
                assert!(u.org_path.starts_with(&officer.org_path), "{o} outside the jurisdiction of {unit}");
                assert!(!officer.excluded_units.contains(unit), "{o} has a conflict with {unit}");
                *load.entry(o.clone()).or_default() += 1;
            }
        }
        // Units under /a/c/ can only get o4–o6: they carry more, but evenly among themselves.
        let (lo, hi) = (
            ["o4", "o5", "o6"].iter().map(|o| load[*o]).min().unwrap(),
            ["o4", "o5", "o6"].iter().map(|o| load[*o]).max().unwrap(),
        );
        assert!(hi - lo <= 2, "{load:?}");
        // Too few officers for a pair after recusal.
        let lonely = vec![PoolOfficer { id: "x".into(), org_path: "/a/".into(), excluded_units: BTreeSet::new() }];
        assert!(assign_officers(&units[..1], &lonely, 2, &mut DrawRng::new([3; 32])).is_err());
    }

    proptest! {
        #[test]
        fn below_stays_in_range(seed in any::<[u8; 32]>(), n in 1u64..1_000_000) {
            let mut rng = DrawRng::new(seed);
            for _ in 0..20 {
                prop_assert!(rng.below(n) < n);
            }
        }

        #[test]
        fn a_draw_has_no_duplicates_and_only_pool_units(seed in any::<[u8; 32]>(), k in 0usize..50) {
            let p = pool(300);
            let quota = BTreeMap::from([("一般".to_string(), k)]);
            let drawn = draw_units(&p, &quota, &mut DrawRng::new(seed)).unwrap();
            let ids: BTreeSet<&str> = drawn.iter().map(|u| u.id.as_str()).collect();
            prop_assert_eq!(ids.len(), k);
            prop_assert!(drawn.iter().all(|u| p.contains(u)));
        }
    }
}
