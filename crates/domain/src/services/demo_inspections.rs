//! A year of demo inspections: what a brigade's last twelve months look like, recorded through the same
//! services as real work and at the times it happened (so document numbers run by year, due dates are met
//! or missed, and the worklist of today shows what is still open). Deterministic: the same demo every time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::audit::Ctx;
use crate::collective::DecisionDraft;
use crate::error::Result;
use crate::inspection::hazard::{HazardDraft, HazardStatus};
use crate::org::OrgPath;
use crate::ports::registry::UnitSearch;
use crate::registry::unit::Unit;
use crate::services::inspections::{FindingInput, InspectionInput, OutcomeInput};
use crate::services::major_hazards::{ElementFound, MajorInput};
use crate::services::measures::MeasureInput;
use crate::time::Timestamp;

use super::Services;

/// Hazards the demo finds, by checklist item: (item, description, on the spot).
const FINDINGS: [(&str, &str, bool); 16] = [
    ("G07", "一楼东侧疏散通道堆放货物约3米", false),
    ("G07", "三楼安全出口被铁链锁闭", false),
    ("G05", "二楼走廊灭火器压力不足（指针位于红区）2具", false),
    ("G05", "疏散指示标志不亮3处、应急照明灯损坏2处", false),
    ("G06", "消火栓泵控制柜处于手动状态", true),
    ("G08", "室内消火栓箱被货架遮挡", true),
    ("G09", "消防车通道被私家车辆占用", true),
    ("G10", "未能提供年度建筑消防设施检测报告", false),
    ("G11", "配电箱下方堆放可燃纸箱，线路老化", false),
    ("G12", "楼梯间停放电动自行车2辆并充电", true),
    ("G12", "门厅内电动自行车违规充电", false),
    ("G03", "防火巡查记录缺失近两个月", false),
    ("G04", "员工不会使用灭火器、不熟悉疏散路线", false),
    ("G11", "厨房燃气管道未设置紧急切断装置", false),
    ("G07", "地下室疏散楼梯间堆放杂物", false),
    ("G05", "自动喷水灭火系统末端试水装置压力为零", false),
];

/// Tags by item, for 专项整治 inspections.
fn campaign_tag(item: &str) -> &'static str {
    match item {
        "G12" => "电动自行车违规停放充电",
        "G09" => "消防通道",
        "G07" => "人员密集场所",
        _ => "九小场所",
    }
}

/// What the demo history did, for the console.
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoYear {
    /// Inspections recorded (复查 included).
    pub inspections: usize,
    /// Documents issued.
    pub documents: usize,
}

enum Event {
    Inspect { brigade: usize, unit: usize, n: usize },
    Order { brigade: usize, inspection: String },
    Reinspect { brigade: usize, unit_id: String, n: usize },
    Town(super::demo_entrustments::TownEvent),
}

/// (brigade, officers who inspect (the first belongs to the brigade itself), inspections per fortnight).
const BRIGADES: [(&str, [&str; 4], usize); 3] = [
    ("dh", ["donghu.li", "donghu.wang", "donghu.chen", "donghu.zhang"], 4),
    ("xs", ["xishan.liu", "xishan.zhao", "xishan.head", "xishan.liu"], 2),
    ("lj", ["linjiang.he", "linjiang.sun", "linjiang.he", "linjiang.sun"], 1),
];

/// Two different officers of a brigade who may inspect on `day`: 张伟's certificate lapsed on 2026-06-30,
/// so after it he is not sent.
fn pair(brigade: usize, n: usize, day: NaiveDate) -> (&'static str, &'static str) {
    let lapsed = NaiveDate::from_ymd_opt(2026, 6, 30).is_some_and(|d| day > d);
    let mut list: Vec<&'static str> = Vec::new();
    for o in BRIGADES[brigade].1 {
        let expired = lapsed && o == "donghu.zhang";
        if !expired && !list.contains(&o) {
            list.push(o);
        }
    }
    (list[n % list.len()], list[(n + 1) % list.len()])
}

/// The instant of a local wall time on `day`.
pub(super) fn at(day: NaiveDate, hour: u32, minute: u32) -> Timestamp {
    Timestamp::from_local(day.and_hms_opt(hour, minute, 0).unwrap_or_default())
}

impl Services {
    /// Records a year of inspections, orders, 复查, a seal, a 三停, a major hazard and a hazard notice in
    /// the demo brigades, at the times they happened. Skipped when inspections exist already.
    pub async fn load_demo_year(&self, ctx: &Ctx) -> Result<DemoYear> {
        // Each brigade's first officer belongs to the brigade itself: their org is the jurisdiction.
        let mut paths: Vec<OrgPath> = Vec::new();
        for (_, officers, _) in BRIGADES {
            paths.push(self.demo_ctx(ctx, officers[0], ctx.now).await?.actor()?.org_path.clone());
        }
        let root = paths[0].clone();
        let any = self
            .store
            .inspections(&crate::ports::inspection::InspectionQuery {
                scopes: vec![root],
                unit_id: None,
                officer_id: None,
                limit: 1,
            })
            .await?;
        if !any.is_empty() {
            return Ok(DemoYear::default());
        }
        let mut units: Vec<Vec<Unit>> = Vec::new();
        for p in &paths {
            let found = self
                .store
                .search_units(&UnitSearch { scopes: vec![p.clone()], limit: 200, ..Default::default() })
                .await?
                .0;
            units.push(
                found.into_iter().filter(|u| u.facts.status == crate::registry::unit::UnitStatus::Operating).collect(),
            );
        }
        let today = ctx.now.local_date();
        let start = today.checked_sub_days(Days::new(364)).unwrap_or(today);
        let mut queue: BinaryHeap<Reverse<(i64, usize)>> = BinaryHeap::new();
        let mut events: Vec<Option<Event>> = Vec::new();
        fn push(
            queue: &mut BinaryHeap<Reverse<(i64, usize)>>,
            events: &mut Vec<Option<Event>>,
            t: Timestamp,
            e: Event,
        ) {
            events.push(Some(e));
            queue.push(Reverse((t.0, events.len() - 1)));
        }
        let mut n = 0usize;
        for (b, (_, _, per_fortnight)) in BRIGADES.iter().enumerate() {
            if units[b].is_empty() {
                continue;
            }
            let mut day = start;
            while day < today.checked_sub_days(Days::new(1)).unwrap_or(today) {
                for k in 0..*per_fortnight {
                    let d = day.checked_add_days(Days::new((k * 3 % 10) as u64)).unwrap_or(day);
                    if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) || d >= today {
                        continue;
                    }
                    n += 1;
                    push(
                        &mut queue,
                        &mut events,
                        at(d, 9 + (n % 6) as u32, (n * 7 % 60) as u32),
                        Event::Inspect { brigade: b, unit: (n * 7) % units[b].len(), n },
                    );
                }
                day = day.checked_add_days(Days::new(14)).unwrap_or(today);
            }
        }

        // The entrusted town works beside the brigades: every three weeks from its officers' assessment.
        let town = self.demo_entrust_setup(ctx, start).await?;
        if let Some(town) = &town {
            let mut day = town.first_day;
            let mut k = 0usize;
            while day < today.checked_sub_days(Days::new(1)).unwrap_or(today) {
                if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                    k += 1;
                    let e = super::demo_entrustments::TownEvent::Inspect { unit: k * 5, n: k };
                    push(&mut queue, &mut events, at(day, 14, (k * 11 % 60) as u32), Event::Town(e));
                }
                day = day.checked_add_days(Days::new(if k.is_multiple_of(2) { 20 } else { 22 })).unwrap_or(today);
            }
        }

        let mut out = DemoYear::default();
        while let Some(Reverse((t, idx))) = queue.pop() {
            let Some(event) = events[idx].take() else { continue };
            let t = Timestamp(t);
            match event {
                Event::Inspect { brigade, unit, n } => {
                    let u = &units[brigade][unit];
                    let day = t.local_date();
                    let (a, b) = pair(brigade, n, day);
                    let actor = self.demo_ctx(ctx, a, t.plus_minutes(75)).await?;
                    let other = self.demo_ctx(ctx, b, t).await?.actor()?.user_id.clone();
                    let count = [0usize, 1, 1, 2, 3, 0, 1, 2][n % 8];
                    let kind = [
                        "key_unit_routine",
                        "campaign",
                        "night",
                        "key_unit_routine",
                        "joint",
                        "complaint",
                        "key_unit_routine",
                        "campaign",
                    ][n % 8];
                    let hazards: Vec<HazardDraft> = (0..count)
                        .map(|k| {
                            let (item, desc, on_site) = FINDINGS[(n * 3 + k * 5) % FINDINGS.len()];
                            HazardDraft {
                                item_code: item.into(),
                                description: desc.into(),
                                tags: if kind == "campaign" { vec![campaign_tag(item).into()] } else { vec![] },
                                disposition: if on_site { "on_site" } else { "deadline" }.into(),
                                difficulty: ["easy", "moderate", "hard"][(n + k) % 3].into(),
                                deadline: day
                                    .checked_add_days(Days::new([7, 15, 30][(n + k) % 3]))
                                    .map(|d| d.to_string())
                                    .unwrap_or_default(),
                                ..Default::default()
                            }
                        })
                        .collect();
                    let mut findings: Vec<FindingInput> = ["G05", "G07", "G09", "G12"]
                        .iter()
                        .map(|c| FindingInput { code: (*c).into(), result: "pass".into(), note: String::new() })
                        .collect();
                    for h in &hazards {
                        match findings.iter_mut().find(|f| f.code == h.item_code) {
                            Some(f) => f.result = "fail".into(),
                            None => findings.push(FindingInput {
                                code: h.item_code.clone(),
                                result: "fail".into(),
                                note: String::new(),
                            }),
                        }
                    }
                    let input = InspectionInput {
                        unit_id: u.id.clone(),
                        kind: kind.into(),
                        departments: if kind == "joint" {
                            vec!["公安".into(), "市场监管".into()]
                        } else {
                            vec![]
                        },
                        tags: if kind == "campaign" { vec!["今冬明春火灾防控".into()] } else { vec![] },
                        started_at: t.to_rfc3339(),
                        ended_at: t.plus_minutes(70).to_rfc3339(),
                        officer_ids: vec![actor.actor()?.user_id.clone(), other],
                        representative: u.facts.manager.name.clone().unwrap_or_else(|| "值班负责人".into()),
                        findings,
                        summary: if count == 0 {
                            "检查未发现火灾隐患。".into()
                        } else {
                            format!("检查发现火灾隐患{count}处，已当场指出。")
                        },
                        hazards,
                        ..Default::default()
                    };
                    let i = self.record_inspection(&actor, input).await?;
                    out.inspections += 1;
                    let hs = self.store.hazards_of_inspection(&i.id).await?;
                    if hs.iter().any(|h| h.status == HazardStatus::Open) {
                        // Most orders go out the next working morning; one in twenty is late, and the
                        // last fortnight's orders are still being prepared.
                        let late = n % 20 == 0;
                        let when = if late { t.plus_days(6) } else { t.plus_hours(20) };
                        if when.0 < ctx.now.0 && today.signed_duration_since(day).num_days() > 3 {
                            push(&mut queue, &mut events, when, Event::Order { brigade, inspection: i.id.clone() });
                        }
                        let first_deadline = hs.iter().filter_map(|h| h.deadline).min();
                        if let Some(dl) = first_deadline {
                            let re = at(dl.checked_add_days(Days::new(1 + (n % 2) as u64)).unwrap_or(dl), 10, 0);
                            if re.0 < ctx.now.0 - 86_400_000 {
                                push(
                                    &mut queue,
                                    &mut events,
                                    re,
                                    Event::Reinspect { brigade, unit_id: u.id.clone(), n },
                                );
                            }
                        }
                    }
                }
                Event::Order { brigade, inspection } => {
                    let actor = self.demo_ctx(ctx, BRIGADES[brigade].1[0], t).await?;
                    out.documents += self.demo_order(&actor, &inspection).await?;
                }
                Event::Reinspect { brigade, unit_id, n } => {
                    let day = t.local_date();
                    let due: Vec<_> = self
                        .store
                        .open_hazards_of_unit(&unit_id)
                        .await?
                        .into_iter()
                        .filter(|h| h.reinspection_due(day))
                        .collect();
                    if due.is_empty() {
                        continue;
                    }
                    let (a, b) = pair(brigade, n + 2, day);
                    let actor = self.demo_ctx(ctx, a, t.plus_minutes(60)).await?;
                    let officer_ids =
                        vec![actor.actor()?.user_id.clone(), self.demo_ctx(ctx, b, t).await?.actor()?.user_id.clone()];
                    let outcomes = due
                        .iter()
                        .enumerate()
                        .map(|(k, h)| {
                            let escalate = (n + k) % 9 == 0;
                            OutcomeInput {
                                hazard_id: h.id.clone(),
                                rectified: !escalate,
                                escalation: if escalate { "penalty".into() } else { String::new() },
                            }
                        })
                        .collect();
                    let input = InspectionInput {
                        unit_id: unit_id.clone(),
                        kind: "reinspection".into(),
                        started_at: t.to_rfc3339(),
                        ended_at: t.plus_minutes(40).to_rfc3339(),
                        officer_ids,
                        representative: "单位消防安全管理人".into(),
                        outcomes,
                        summary: "对照责令限期改正通知书逐项复查。".into(),
                        ..Default::default()
                    };
                    self.record_inspection(&actor, input).await?;
                    out.inspections += 1;
                }
                Event::Town(e) => {
                    let Some(town) = &town else { continue };
                    for (t2, e2) in self.demo_town_event(ctx, town, t, e).await? {
                        push(&mut queue, &mut events, t2, Event::Town(e2));
                    }
                }
            }
        }
        if let Some(town) = &town {
            out.documents += self.demo_town_handovers(ctx, town).await?;
        }
        out.documents += self.demo_escalations(ctx, &units[0]).await?;
        out.documents += self.load_demo_cases(ctx).await?;
        Ok(out)
    }

    /// Issues an inspection's correction order and serves it on the unit's representative an hour later.
    async fn demo_order(&self, ctx: &Ctx, inspection_id: &str) -> Result<usize> {
        let d = self.issue_correction_order(ctx, inspection_id).await?;
        let receiver = self.store.inspection(inspection_id).await?.map(|i| i.representative).unwrap_or_default();
        let served = Ctx { now: ctx.now.plus_hours(1), ..ctx.clone() };
        self.serve_document(&served, &d.id, "直接送达", &receiver, "", 1).await?;
        Ok(1)
    }

    /// Serves a decision document on the unit.
    async fn demo_serve(&self, ctx: &Ctx, doc: Option<crate::document::Document>) -> Result<()> {
        if let Some(d) = doc {
            self.serve_document(ctx, &d.id, "直接送达", "单位消防安全管理人", "", 1).await?;
        }
        Ok(())
    }

    /// The rarer acts, in 东湖: a seal decided collectively and lifted after a 复查, a 三停 still in force,
    /// a major hazard reported and under supervision, and a published hazard notice.
    async fn demo_escalations(&self, ctx: &Ctx, units: &[Unit]) -> Result<usize> {
        if units.len() < 4 {
            return Ok(0);
        }
        let today = ctx.now.local_date();
        let day = |back: u64| today.checked_sub_days(Days::new(back)).unwrap_or(today);
        let decision = |minutes: &str| DecisionDraft {
            chair: "王海波".into(),
            attendees: "李明、赵婷".into(),
            minutes: minutes.into(),
            conclusion: "approve".into(),
        };
        let mut docs = 0;
        let li = |t: Timestamp| self.demo_ctx(ctx, "donghu.li", t);
        let chief = |t: Timestamp| self.demo_ctx(ctx, "donghu.chief", t);
        let wang = self.demo_ctx(ctx, "donghu.wang", ctx.now).await?.actor()?.user_id.clone();
        let me = li(ctx.now).await?.actor()?.user_id.clone();
        let inspect = |unit: &Unit, t: Timestamp, item: &str, desc: &str, deadline_days: u64| InspectionInput {
            unit_id: unit.id.clone(),
            kind: "night".into(),
            started_at: t.to_rfc3339(),
            ended_at: t.plus_minutes(50).to_rfc3339(),
            officer_ids: vec![me.clone(), wang.clone()],
            representative: "值班经理".into(),
            hazards: vec![HazardDraft {
                item_code: item.into(),
                description: desc.into(),
                disposition: "deadline".into(),
                difficulty: "moderate".into(),
                deadline: t
                    .local_date()
                    .checked_add_days(Days::new(deadline_days))
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                ..Default::default()
            }],
            ..Default::default()
        };

        // A seal, 70 days ago, lifted after the 复查 25 days later.
        let t = at(day(70), 21, 10);
        let i = self
            .record_inspection(
                &li(t.plus_minutes(60)).await?,
                inspect(&units[1], t, "C02", "营业期间两处安全出口全部上锁，场内约80人", 10),
            )
            .await?;
        let h = self.store.hazards_of_inspection(&i.id).await?;
        docs += self.demo_order(&li(t.plus_hours(14)).await?, &i.id).await?;
        let (m, seal_doc) = self
            .create_measure(
                &chief(t.plus_hours(16)).await?,
                MeasureInput {
                    kind: "temporary_seal".into(),
                    inspection_id: i.id.clone(),
                    hazard_ids: h.iter().map(|h| h.id.clone()).collect(),
                    grounds: vec!["exits_insufficient".into()],
                    facts: "该场所营业期间两处安全出口全部上锁，场内约80人，已不具备安全疏散条件".into(),
                    scope: "一层、二层营业区".into(),
                    decision: Some(decision(
                        "经集体研究，该场所安全出口全部锁闭，严重威胁公共安全，同意临时查封三十日。",
                    )),
                    ..Default::default()
                },
            )
            .await?;
        docs += 1;
        self.demo_serve(&li(t.plus_hours(17)).await?, seal_doc).await?;
        let re = at(day(45), 10, 0);
        let rei = self
            .record_inspection(
                &li(re.plus_minutes(60)).await?,
                InspectionInput {
                    unit_id: units[1].id.clone(),
                    kind: "reinspection".into(),
                    started_at: re.to_rfc3339(),
                    ended_at: re.plus_minutes(40).to_rfc3339(),
                    officer_ids: vec![me.clone(), wang.clone()],
                    representative: "值班经理".into(),
                    outcomes: h
                        .iter()
                        .map(|h| OutcomeInput { hazard_id: h.id.clone(), rectified: true, escalation: String::new() })
                        .collect(),
                    ..Default::default()
                },
            )
            .await?;
        self.lift_measure(
            &li(re.plus_hours(3)).await?,
            &m.id,
            &rei.id,
            "经复查，安全出口已全部开启，火灾隐患已消除",
            1,
        )
        .await?;
        docs += 1;

        // A 三停, 20 days ago, still in force.
        let t = at(day(20), 15, 0);
        let i = self
            .record_inspection(
                &li(t.plus_minutes(60)).await?,
                inspect(&units[2], t, "G01", "三层宴会厅未经消防安全检查擅自投入使用", 30),
            )
            .await?;
        let h = self.store.hazards_of_inspection(&i.id).await?;
        docs += self.demo_order(&li(t.plus_hours(18)).await?, &i.id).await?;
        let (_, stop_doc) = self
            .create_measure(
                &chief(t.plus_hours(20)).await?,
                MeasureInput {
                    kind: "stop_use".into(),
                    inspection_id: i.id.clone(),
                    hazard_ids: h.iter().map(|h| h.id.clone()).collect(),
                    facts: "该场所三层宴会厅未经消防安全检查擅自投入使用、营业".into(),
                    scope: "三层宴会厅".into(),
                    decision: Some(decision("经集体研究，责令该场所三层宴会厅停止使用，检查合格后方可恢复。")),
                    ..Default::default()
                },
            )
            .await?;
        docs += 1;
        self.demo_serve(&li(t.plus_hours(22)).await?, stop_doc).await?;

        // A major hazard, 40 days ago: determined, reported, under supervision.
        let t = at(day(40), 10, 30);
        let i = self
            .record_inspection(
                &li(t.plus_minutes(60)).await?,
                inspect(&units[3], t, "Z01", "营业厅内存放汽油两桶约50升", 30),
            )
            .await?;
        docs += self.demo_order(&li(t.plus_hours(20)).await?, &i.id).await?;
        let (d, notice) = self
            .determine_major(
                &chief(t.plus_days(2)).await?,
                MajorInput {
                    inspection_id: i.id.clone(),
                    standard: String::new(),
                    elements: vec![ElementFound {
                        id: "D5".into(), note: "营业厅内存放汽油两桶约50升".into()
                    }],
                    exclusions: vec![],
                    expert_review: false,
                    decision: decision("经集体讨论，在人员密集场所内存放汽油，符合直接判定要素，认定为重大火灾隐患。"),
                },
            )
            .await?;
        docs += 1;
        self.demo_serve(&li(t.plus_days(2).plus_hours(2)).await?, notice).await?;
        let reported = day(36).to_string();
        self.report_major(&li(at(day(36), 16, 0)).await?, &d.id, "东湖区人民政府", &reported, 1).await?;
        self.supervise_major(&li(at(day(30), 9, 0)).await?, &d.id, "东湖区人民政府", &day(30).to_string(), 2).await?;

        // A published hazard notice.
        if let Some(h) = self.store.hazards_of_inspection(&i.id).await?.first() {
            let e = self
                .draft_exposure(
                    &li(t.plus_days(3)).await?,
                    &h.id,
                    "该场所营业厅内违规存放汽油，已被认定为重大火灾隐患并由区政府挂牌督办。",
                )
                .await?;
            self.decide_exposure(&chief(t.plus_days(4)).await?, &e.id, true, "", 1).await?;
        }
        Ok(docs)
    }
}
