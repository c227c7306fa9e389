//! `firelaw bench-entrustments`: what entrustment costs a town's inspection, against the brigade's own
//! inspection of the same units measured in the same run.
//!
//! 1. The scope guard alone (agreement, territory, key unit, the officer's certificate and assessment).
//!    Baseline: reading the unit, which every act does anyway.
//! 2. A town inspection with one hazard and one video: the guard, both officers' qualification, the record,
//!    its due dates, the town act and its archive due date in one transaction. Baseline: the brigade's own
//!    inspection of the same unit with the same hazard and video. Alternated, one at a time.

use std::time::{Duration, Instant};

use domain::audit::Ctx;
use domain::entrustment::Act;
use domain::evidence::IncomingFile;
use domain::services::entrustments::{AgreementInput, RecordInput};
use domain::services::inspections::InspectionInput;

use crate::bench::{DEMO_PASSWORD as PASSWORD, actor_ctx, bench_app, percentile_ms};

/// Runs `n` inspections of each kind and prints medians, p99 and the ratios.
pub async fn run(n: usize, database_url: Option<String>) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("firelaw-bench-entrust-{}-{}", std::process::id(), domain::new_id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        let app = bench_app(&dir, database_url).await?;
        app.services.load_demo(&app.system_ctx(), PASSWORD).await?;
        let s = &app.services;
        let (chief, _) = actor_ctx(&app, "donghu.chief").await?;
        let (head, _) = actor_ctx(&app, "donghu.head").await?;
        let (li, _) = actor_ctx(&app, "donghu.li").await?;
        let (xu, _) = actor_ctx(&app, "changqing.town").await?;
        let today = chief.now.local_date().to_string();
        let town = s.towns_to_entrust(&chief).await?.into_iter().next().ok_or_else(|| anyhow::anyhow!("demo town"))?;
        let a = s
            .sign_agreement(
                &chief,
                AgreementInput {
                    town_id: town.id.0.clone(),
                    signed_on: today.clone(),
                    town_signatory: "张建国".into(),
                    ..Default::default()
                },
            )
            .await?;
        let town_officers: Vec<String> =
            s.town_officer_accounts(&town.path).await?.into_iter().map(|o| o.id).take(2).collect();
        for o in &town_officers {
            let r = RecordInput {
                kind: "assessment".into(),
                on: today.clone(),
                topic: "委托执法业务考核".into(),
                officer_ids: vec![o.clone()],
                score: Some(90),
                ..Default::default()
            };
            s.add_entrustment_record(&head, &a.id, r).await?;
        }
        let filter = domain::services::registry::UnitFilter {
            org_id: Some(town.id.0.clone()),
            per_page: 50,
            ..Default::default()
        };
        let units: Vec<_> =
            s.search_units(&li, &filter).await?.0.into_iter().filter(|u| u.key_unit.is_none()).collect();
        anyhow::ensure!(!units.is_empty(), "the demo town has non-key units");
        let brigade_officers: Vec<String> =
            s.inspection_form(&li, &units[0].id).await?.officers.into_iter().map(|(id, _)| id).take(2).collect();

        println!("firelaw bench-entrustments（{n} 次，逐次交替）");
        // 1. The guard against reading the unit.
        let k = 2000;
        let t = Instant::now();
        for i in 0..k {
            s.get_unit(&xu, &units[i % units.len()].id).await?;
        }
        let read = t.elapsed().as_secs_f64() * 1e6 / k as f64;
        let t = Instant::now();
        for i in 0..k {
            s.act_authority(&xu, Act::Inspect, &units[i % units.len()]).await?;
        }
        let guard = t.elapsed().as_secs_f64() * 1e6 / k as f64;
        println!("1. 委托范围检查 {guard:.1} µs；读取单位 {read:.1} µs（基线）；之比 {:.2}", guard / read);

        // 2. A town inspection against the brigade's own, alternated.
        let (mut own, mut entrusted) = (Vec::new(), Vec::new());
        for i in 0..n {
            let unit = &units[i % units.len()].id;
            for (ctx, officers, kind, times) in
                [(&li, &brigade_officers, "campaign", &mut own), (&xu, &town_officers, "town", &mut entrusted)]
            {
                let video = upload_video(s, ctx, &dir).await?;
                let input = inspection(ctx, unit, officers, kind, video)?;
                let t = Instant::now();
                s.record_inspection(ctx, input).await?;
                times.push(t.elapsed());
            }
        }
        let stats = |v: &mut Vec<Duration>| {
            v.sort();
            (percentile_ms(v, 0.5), percentile_ms(v, 0.99))
        };
        let (bm, bp) = stats(&mut own);
        let (tm, tp) = stats(&mut entrusted);
        println!("2. 大队自行检查（基线） 中位数 {bm:.2} ms  p99 {bp:.2} ms");
        println!("   镇（街道）委托检查   中位数 {tm:.2} ms  p99 {tp:.2} ms  之比 {:.2}", tm / bm);
        anyhow::Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// A small 执法记录仪 file, uploaded as the actor's pending evidence.
async fn upload_video(s: &domain::Services, ctx: &Ctx, dir: &std::path::Path) -> anyhow::Result<String> {
    let mut bytes = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41".to_vec();
    bytes.extend(std::iter::repeat_n(7u8, 64 * 1024));
    let path = dir.join(format!("{}.mp4", domain::new_id()));
    std::fs::write(&path, &bytes)?;
    let sm3 = s.crypto.digest(&bytes);
    let file = IncomingFile { path: path.clone(), size: bytes.len() as u64, head: bytes[..64].to_vec(), sm3 };
    let e = s.upload_evidence(ctx, "video", "记录仪.mp4", "", file).await?;
    let _ = std::fs::remove_file(&path);
    Ok(e.id)
}

fn inspection(
    ctx: &Ctx,
    unit: &str,
    officers: &[String],
    kind: &str,
    video: String,
) -> anyhow::Result<InspectionInput> {
    let deadline = ctx.now.plus_days(10).local_date().to_string();
    Ok(serde_json::from_value(serde_json::json!({
        "unit_id": unit, "kind": kind, "tags": if kind == "campaign" { vec!["九小场所"] } else { vec![] },
        "started_at": ctx.now.plus_hours(-2).to_rfc3339(), "ended_at": ctx.now.plus_hours(-1).to_rfc3339(),
        "officer_ids": officers, "representative": "店主", "evidence_ids": [video],
        "findings": [{"code": "G05", "result": "fail"}],
        "hazards": [{"item_code": "G05", "description": "灭火器压力不足2具", "disposition": "deadline", "difficulty": "easy", "deadline": deadline}],
    }))?)
}
