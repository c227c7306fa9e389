//! `firelaw bench-cases`: a whole 普通程序 case through the service, step by step, against a baseline
//! measured in the same run.
//!
//! Each case runs 立案审批 → 询问笔录 → 拟处罚意见 → 审核告知 → 放弃陈述申辩 → 提交审核 → 法制审核 → 决定 →
//! 送达 → 缴款 → 结案 → 归档. Seven of the twelve steps number, render, hash and store a document and commit
//! it with the case, its due dates and the audit record (the decision also drafts the publication and the
//! unit's credit record); the other five only change the case. Baseline: the 立案审批 step (one small
//! document) of the same cases. Sequential, one case at a time: what one officer's click costs.

use std::time::{Duration, Instant};

use domain::audit::Ctx;
use domain::services::cases::{CaseInput, StepInput};

use crate::bench::{DEMO_PASSWORD as PASSWORD, actor_ctx, bench_app, percentile_ms};

fn input(v: serde_json::Value) -> anyhow::Result<StepInput> {
    Ok(serde_json::from_value(v)?)
}

/// Runs `cases` cases and prints the median and p99 of every step with its ratio to the filing approval.
pub async fn run(cases: usize, database_url: Option<String>) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("firelaw-bench-cases-{}-{}", std::process::id(), domain::new_id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        let app = bench_app(&dir, database_url).await?;
        app.services.load_demo(&app.system_ctx(), PASSWORD).await?;
        let (li, _) = actor_ctx(&app, "donghu.li").await?;
        let (chief, _) = actor_ctx(&app, "donghu.chief").await?;
        let (head, _) = actor_ctx(&app, "donghu.head").await?;
        let (legal, _) = actor_ctx(&app, "donghu.legal").await?;
        let s = &app.services;
        let filter = domain::services::registry::UnitFilter { per_page: 50, ..Default::default() };
        let units: Vec<String> = s.search_units(&li, &filter).await?.0.into_iter().map(|u| u.id).collect();
        let wang = s
            .case_officers(&li)
            .await?
            .into_iter()
            .find(|(_, n)| n == "王磊")
            .map(|(id, _)| id)
            .ok_or_else(|| anyhow::anyhow!("demo officer"))?;
        let today = li.now.local_date().to_string();
        let steps: Vec<(&str, &Ctx, serde_json::Value)> = vec![
            ("approve_filing", &chief, serde_json::json!({"agree": true, "opinion": "同意立案调查"})),
            ("record", &li, serde_json::json!({"kind": "interview", "person": "店长", "place": "询问室", "text": "问：是否属实？\n答：属实，立即整改。"})),
            ("propose", &li, serde_json::json!({"violation_code": "F60-1-3", "severity": "minor", "amount": "8000"})),
            ("review_proposal", &head, serde_json::json!({"agree": true, "opinion": "同意告知"})),
            ("statement", &li, serde_json::json!({"date": today, "waived": true})),
            ("submit_review", &li, serde_json::json!({})),
            ("legal_review", &legal, serde_json::json!({"agree": true, "opinion": "同意"})),
            ("decide", &chief, serde_json::json!({"opinion": "同意"})),
            ("serve", &li, serde_json::json!({"date": today, "method": "直接送达", "receiver": "店长"})),
            ("pay", &li, serde_json::json!({"date": today, "amount": "8000", "method": "BANK-0001"})),
            ("close", &chief, serde_json::json!({"text": "罚款已缴纳，结案"})),
            ("archive", &li, serde_json::json!({})),
        ];
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); steps.len()];
        let mut whole = Vec::new();
        let mut opens = Vec::new();
        println!("firelaw bench-cases（{cases} 件普通程序案件，逐件、逐环节）");
        for n in 0..cases {
            let started = Instant::now();
            let t = Instant::now();
            let (case, _) = s
                .open_case(
                    &li,
                    CaseInput {
                        procedure: "general".into(),
                        source: "inspection".into(),
                        unit_id: Some(units[n % units.len()].clone()),
                        party_kind: "unit".into(),
                        title: format!("占用疏散通道案（{n}）"),
                        facts: "经查，该单位占用、堵塞疏散通道，经责令改正后逾期未改正。".into(),
                        co_handler_ids: vec![wang.clone()],
                        ..Default::default()
                    },
                )
                .await?;
            opens.push(t.elapsed());
            let mut version = case.version;
            for (k, (step, who, body)) in steps.iter().enumerate() {
                let t = Instant::now();
                let c = s.case_step(who, &case.id, step, input(body.clone())?, version).await?;
                times[k].push(t.elapsed());
                version = c.version;
            }
            whole.push(started.elapsed());
        }
        let median = |v: &mut Vec<Duration>| {
            v.sort();
            (percentile_ms(v, 0.5), percentile_ms(v, 0.99))
        };
        let (base, _) = median(&mut times[0].clone());
        let (m, p) = median(&mut opens);
        println!("  {:<18} 中位数 {m:>7.2} ms  p99 {p:>7.2} ms  与立案审批之比 {:>5.2}", "open", m / base);
        for (k, (step, ..)) in steps.iter().enumerate() {
            let (m, p) = median(&mut times[k]);
            println!("  {:<18} 中位数 {m:>7.2} ms  p99 {p:>7.2} ms  与立案审批之比 {:>5.2}", step, m / base);
        }
        let (m, p) = median(&mut whole);
        println!("  {:<18} 中位数 {m:>7.2} ms  p99 {p:>7.2} ms  与立案审批之比 {:>5.2}", "整个案件", m / base);
        anyhow::Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}
