//! The public record of a draw, and its verification.
//!
//! The record holds everything the draw used: the plan's parameters, both pools, the commitment, the
//! public beacon value, the revealed secret and the result. [`verify`] re-derives the digests and the
//! seed from it and draws again; `firelaw draw verify FILE` runs it on a downloaded record. The draw in
//! the application and the verification are the same function ([`run_draw`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};

use crate::error::{DomainError, Result};

use super::draw::{DrawRng, PoolOfficer, PoolUnit, assign_officers, draw_units, hex_of, pool_digest, seed};

/// The format tag of a record.
pub const FORMAT: &str = "firelaw-draw/1";

/// A unit in the published pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordUnit {
    /// Unit id.
    pub id: String,
    /// Stratum code.
    pub stratum: String,
    /// Jurisdiction path.
    pub org_path: String,
    /// Name (for people reading the record; not part of the digest).
    #[serde(default)]
    pub name: String,
}

/// An officer in the published pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordOfficer {
    /// Account id.
    pub id: String,
    /// Jurisdiction path.
    pub org_path: String,
    /// Units this officer may not be sent to (recusal or rotation; reasons are not published).
    pub excluded_units: BTreeSet<String>,
    /// Name (not part of the digest).
    #[serde(default)]
    pub name: String,
}

/// The SM3 digest of an officer pool: officers sorted by id, one `id|org_path|excluded,…` line each.
pub fn officer_digest(officers: &[RecordOfficer]) -> String {
    let mut sorted: Vec<&RecordOfficer> = officers.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut h = Sm3::new();
    for o in sorted {
        h.update(o.id.as_bytes());
        h.update(b"|");
        h.update(o.org_path.as_bytes());
        h.update(b"|");
        let ex: Vec<&str> = o.excluded_units.iter().map(String::as_str).collect();
        h.update(ex.join(",").as_bytes());
        h.update(b"\n");
    }
    hex_of(&h.finalize())
}

/// The inputs fixed when a plan is announced, and the beacon added at the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawInputs {
    /// Plan id.
    pub plan_id: String,
    /// Units per stratum.
    pub quota: BTreeMap<String, usize>,
    /// Officers per unit.
    pub officers_per_unit: usize,
    /// SM3 of the unit pool.
    pub pool_digest: String,
    /// SM3 of the officer pool.
    pub officer_digest: String,
    /// SM3 of the secret, published at announcement.
    pub commitment: String,
    /// A public value nobody knew at announcement (e.g. the next day's lottery draw), entered at the draw.
    pub beacon: String,
}

impl DrawInputs {
    /// SM3 over the inputs, line by line in a fixed order.
    pub fn digest(&self) -> String {
        let quota: Vec<String> = self.quota.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let text = format!(
            "{FORMAT}\nplan={}\nquota={}\nofficers_per_unit={}\npool={}\nofficers={}\ncommitment={}\nbeacon={}\n",
            self.plan_id,
            quota.join(","),
            self.officers_per_unit,
            self.pool_digest,
            self.officer_digest,
            self.commitment,
            self.beacon
        );
        hex_of(&Sm3::digest(text.as_bytes()))
    }
}

/// One drawn unit with its officers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// Unit id.
    pub unit_id: String,
    /// Stratum.
    pub stratum: String,
    /// Officer ids.
    pub officers: Vec<String>,
}

/// What a draw produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawOutcome {
    /// The seed (hex).
    pub seed_hex: String,
    /// SM3 of the inputs.
    pub inputs_digest: String,
    /// The units in draw order, with officers.
    pub assignments: Vec<Assignment>,
}

/// Draws: checks the pools against the published digests, derives the seed, draws units, then officers.
pub fn run_draw(
    inputs: &DrawInputs,
    secret: &[u8],
    pool: &[PoolUnit],
    officers: &[RecordOfficer],
) -> Result<DrawOutcome> {
    if pool_digest(pool) != inputs.pool_digest {
        return Err(DomainError::Rule("检查对象名录与公布的摘要不一致，抽取无效".into()));
    }
    if officer_digest(officers) != inputs.officer_digest {
        return Err(DomainError::Rule("执法检查人员名录与公布的摘要不一致，抽取无效".into()));
    }
    let inputs_digest = inputs.digest();
    let seed = seed(secret, &inputs.commitment, &inputs_digest)?;
    let mut rng = DrawRng::new(seed);
    let units = draw_units(pool, &inputs.quota, &mut rng)?;
    let pool_officers: Vec<PoolOfficer> = officers
        .iter()
        .map(|o| PoolOfficer {
            id: o.id.clone(),
            org_path: o.org_path.clone(),
            excluded_units: o.excluded_units.clone(),
        })
        .collect();
    let pairs = assign_officers(&units, &pool_officers, inputs.officers_per_unit, &mut rng)?;
    let assignments = units
        .iter()
        .zip(pairs)
        .map(|(u, (_, officers))| Assignment { unit_id: u.id.clone(), stratum: u.stratum.clone(), officers })
        .collect();
    Ok(DrawOutcome { seed_hex: hex_of(&seed), inputs_digest, assignments })
}

/// The published record of a drawn plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawRecord {
    /// [`FORMAT`].
    pub format: String,
    /// Plan title.
    pub title: String,
    /// Agency.
    pub org_name: String,
    /// Item.
    pub item_name: String,
    /// Period, first day.
    pub period_start: String,
    /// Period, last day.
    pub period_end: String,
    /// When the inputs were announced (RFC 3339).
    pub announced_at: String,
    /// When the draw ran (RFC 3339).
    pub drawn_at: String,
    /// The inputs.
    pub inputs: DrawInputs,
    /// The unit pool.
    pub pool: Vec<RecordUnit>,
    /// The officer pool.
    pub officers: Vec<RecordOfficer>,
    /// The revealed secret (hex).
    pub secret: String,
    /// The seed (hex).
    pub seed: String,
    /// SM3 of the inputs.
    pub inputs_digest: String,
    /// The result.
    pub assignments: Vec<Assignment>,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// Re-runs a published draw. `Ok` only when every digest, the seed and the result are identical; the
/// error lists what differs.
pub fn verify(r: &DrawRecord) -> std::result::Result<(), Vec<String>> {
    let mut problems = Vec::new();
    if r.format != FORMAT {
        return Err(vec![format!("不支持的记录格式“{}”", r.format)]);
    }
    let pool: Vec<PoolUnit> = r
        .pool
        .iter()
        .map(|u| PoolUnit { id: u.id.clone(), stratum: u.stratum.clone(), org_path: u.org_path.clone() })
        .collect();
    if pool_digest(&pool) != r.inputs.pool_digest {
        problems.push("检查对象名录的SM3摘要与公布值不符".to_string());
    }
    if officer_digest(&r.officers) != r.inputs.officer_digest {
        problems.push("执法检查人员名录的SM3摘要与公布值不符".to_string());
    }
    if r.inputs.digest() != r.inputs_digest {
        problems.push("公布的输入摘要与重新计算的不符".to_string());
    }
    let Some(secret) = unhex(&r.secret) else {
        problems.push("揭示的随机数不是十六进制".to_string());
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    match run_draw(&r.inputs, &secret, &pool, &r.officers) {
        Err(e) => Err(vec![e.to_string()]),
        Ok(out) => {
            if out.seed_hex != r.seed {
                problems.push("重新计算的随机种子与公布值不符".to_string());
            }
            if out.assignments.len() != r.assignments.len() {
                problems.push(format!(
                    "重新抽取得到{}个检查对象，公布的结果为{}个",
                    out.assignments.len(),
                    r.assignments.len()
                ));
            }
            for (i, (a, b)) in out.assignments.iter().zip(&r.assignments).enumerate() {
                if a != b {
                    problems.push(format!(
                        "第{}个抽取结果不同：应为单位 {}（{}），公布为单位 {}（{}）",
                        i + 1,
                        a.unit_id,
                        a.officers.join("、"),
                        b.unit_id,
                        b.officers.join("、")
                    ));
                }
            }
            if problems.is_empty() { Ok(()) } else { Err(problems) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::draw::sm3;
    use super::*;

    fn record() -> DrawRecord {
        let pool: Vec<RecordUnit> = (0..200)
            .map(|i| RecordUnit {
                id: format!("u{i:04}"),
                stratum: if i % 4 == 0 { "high".into() } else { "general".into() },
                org_path: "/r/b/".into(),
                name: format!("单位{i}"),
            })
            .collect();
        let officers: Vec<RecordOfficer> = (0..6)
            .map(|i| RecordOfficer {
                id: format!("o{i}"),
                org_path: "/r/b/".into(),
                excluded_units: if i == 0 { BTreeSet::from(["u0000".to_string()]) } else { BTreeSet::new() },
                name: format!("警官{i}"),
            })
            .collect();
        let secret = b"0123456789abcdef0123456789abcdef";
        let pu: Vec<PoolUnit> = pool
            .iter()
            .map(|u| PoolUnit { id: u.id.clone(), stratum: u.stratum.clone(), org_path: u.org_path.clone() })
            .collect();
        let inputs = DrawInputs {
            plan_id: "p1".into(),
            quota: BTreeMap::from([("high".into(), 5), ("general".into(), 10)]),
            officers_per_unit: 2,
            pool_digest: pool_digest(&pu),
            officer_digest: officer_digest(&officers),
            commitment: hex_of(&sm3(secret)),
            beacon: "2026-11-23 福彩3D 123".into(),
        };
        let out = run_draw(&inputs, secret, &pu, &officers).unwrap();
        DrawRecord {
            format: FORMAT.into(),
            title: "t".into(),
            org_name: "东湖".into(),
            item_name: "i".into(),
            period_start: "2026-12-01".into(),
            period_end: "2026-12-31".into(),
            announced_at: String::new(),
            drawn_at: String::new(),
            inputs_digest: out.inputs_digest,
            seed: out.seed_hex,
            assignments: out.assignments,
            inputs,
            pool,
            officers,
            secret: hex_of(secret),
        }
    }

    #[test]
    fn an_honest_record_verifies() {
        let r = record();
        assert_eq!(r.assignments.len(), 15);
        assert!(r.assignments.iter().all(|a| a.officers.len() == 2));
        assert!(!r.assignments.iter().any(|a| a.unit_id == "u0000" && a.officers.contains(&"o0".to_string())));
        verify(&r).unwrap();
        // The JSON round trip is what `firelaw draw verify` reads.
        let back: DrawRecord = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        verify(&back).unwrap();
    }

    #[test]
    fn any_alteration_is_caught() {
        let mut r = record();
        r.assignments.swap(0, 1);
        assert!(verify(&r).is_err());

        let mut r = record();
        r.pool.pop();
        assert!(verify(&r).unwrap_err()[0].contains("检查对象名录"));

        let mut r = record();
        r.officers[0].excluded_units.clear();
        assert!(verify(&r).is_err());

        let mut r = record();
        r.inputs.beacon.push('4');
        assert!(verify(&r).is_err());

        let mut r = record();
        r.secret = hex_of(b"another secret");
        assert!(verify(&r).unwrap_err()[0].contains("承诺值"));
    }
}
