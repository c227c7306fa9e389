//! A year of entrusted town work in the demo: 东湖大队 entrusts 长青街道, files the agreement, trains and
//! assesses its two officers and visits each quarter; the town inspects its non-key units on video, orders
//! corrections, re-inspects and hands over what was not corrected and a key unit's matter; the brigade
//! reviews, returns one record, records a fault and concludes a handover. 临江大队's agreement with 青石镇 was
//! revoked. Everything goes through the services at the time it happened, interleaved with the brigades'
//! own work so that the shared number series run in date order.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::audit::Ctx;
use crate::error::{DomainError, Result};
use crate::evidence::IncomingFile;
use crate::inspection::hazard::{HazardDraft, HazardStatus};
use crate::ports::registry::UnitSearch;
use crate::registry::unit::Unit;
use crate::services::entrustments::{AgreementInput, HandoverInput, RecordInput};
use crate::services::inspections::{FindingInput, InspectionInput, OutcomeInput};
use crate::time::Timestamp;

use super::Services;
use super::demo_inspections::at;

/// The town's two officers.
const TOWN_OFFICERS: [&str; 2] = ["changqing.town", "changqing.zhou"];

/// What a town does, queued with the brigades' work.
pub(crate) enum TownEvent {
    /// Inspect a non-key unit.
    Inspect { unit: usize, n: usize },
    /// Issue and serve the correction order, then make the town record.
    Order { inspection: String },
    /// 复查 after the deadline.
    Reinspect { unit_id: String, n: usize },
    /// The brigade reviews an act (returns every fifth).
    Review { inspection: String, n: usize },
    /// The town corrects a returned act.
    Correct { inspection: String },
    /// The town archives an act.
    Archive { inspection: String },
}

/// The demo town's units and the agreement start, for the queue.
pub(crate) struct TownDemo {
    /// Non-key units of the town.
    pub units: Vec<Unit>,
    /// A key unit of the town, if any.
    pub key_unit: Option<Unit>,
    /// First inspection day.
    pub first_day: NaiveDate,
}

fn weekday(mut d: NaiveDate) -> NaiveDate {
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

impl Services {
    /// Signs, files and staffs the demo agreements (before any town act), and returns what the queue needs.
    pub(crate) async fn demo_entrust_setup(&self, ctx: &Ctx, start: NaiveDate) -> Result<Option<TownDemo>> {
        let chief = self.demo_ctx(ctx, "donghu.chief", ctx.now).await?;
        let towns = self.towns_to_entrust(&chief).await?;
        let Some(town) = towns.into_iter().next() else { return Ok(None) };
        let signed = weekday(start.checked_add_days(Days::new(12)).unwrap_or(start));
        let chief = self.demo_ctx(ctx, "donghu.chief", at(signed, 10, 0)).await?;
        let a = self
            .sign_agreement(
                &chief,
                AgreementInput {
                    town_id: town.id.0.clone(),
                    signed_on: signed.to_string(),
                    town_signatory: "张建国".into(),
                    ..Default::default()
                },
            )
            .await?;
        let filed = weekday(signed.checked_add_days(Days::new(3)).unwrap_or(signed));
        let head = |day: NaiveDate| self.demo_ctx(ctx, "donghu.head", at(day, 16, 0));
        self.file_agreement(&head(filed).await?, &a.id, &filed.to_string(), "东湖区人民政府、东湖区消防救援大队", 1)
            .await?;
        let mut officer_ids = Vec::new();
        for u in TOWN_OFFICERS {
            officer_ids.push(self.demo_ctx(ctx, u, ctx.now).await?.actor()?.user_id.clone());
        }
        // Training (2 days, then 3), the assessment after the first, a guidance visit in every quarter
        // already over: the year's training is still 2 days short, which the agreement page shows.
        let today = ctx.now.local_date();
        let mut records: Vec<(NaiveDate, RecordInput)> = Vec::new();
        let t1 = weekday(signed.checked_add_days(Days::new(7)).unwrap_or(signed));
        records.push((t1, training(t1, 2, "消防法律法规与委托执法权限", &officer_ids)));
        for (k, id) in officer_ids.iter().enumerate() {
            let day = t1.checked_add_days(Days::new(2)).unwrap_or(t1);
            records.push((
                day,
                RecordInput {
                    kind: "assessment".into(),
                    on: day.to_string(),
                    topic: "委托执法业务考核（笔试、现场检查实操）".into(),
                    officer_ids: vec![id.clone()],
                    score: Some([88, 79][k % 2]),
                    ..Default::default()
                },
            ));
        }
        let t2 = weekday(signed.checked_add_days(Days::new(150)).unwrap_or(signed));
        records.push((t2, training(t2, 3, "消防监督检查记录与责令改正文书制作", &officer_ids)));
        for (_, from, to) in crate::entrustment::oversight::quarters(a.starts_on, a.ends_on) {
            if to >= today {
                break;
            }
            let day = weekday(from.checked_add_days(Days::new(((to - from).num_days() / 2) as u64)).unwrap_or(from));
            records.push((
                day,
                RecordInput {
                    kind: "guidance".into(),
                    on: day.to_string(),
                    topic: "实地指导：随同检查九小场所，讲评检查记录和整改期限".into(),
                    ..Default::default()
                },
            ));
        }
        records.sort_by_key(|(d, _)| *d);
        for (day, r) in records {
            if day < today {
                self.add_entrustment_record(&head(day).await?, &a.id, r).await?;
            }
        }
        // 临江大队 entrusted 青石镇 and revoked the agreement for a serious fault.
        let zhidui = self.demo_ctx(ctx, "zhidui.head", ctx.now).await?;
        if let Some(other) = self.towns_to_entrust(&zhidui).await?.into_iter().find(|o| o.id != town.id) {
            let s2 = weekday(start.checked_add_days(Days::new(60)).unwrap_or(start));
            let head2 = self.demo_ctx(ctx, "zhidui.head", at(s2, 10, 0)).await?;
            let b = self
                .sign_agreement(
                    &head2,
                    AgreementInput {
                        town_id: other.id.0.clone(),
                        signed_on: s2.to_string(),
                        town_signatory: "刘志远".into(),
                        ..Default::default()
                    },
                )
                .await?;
            let f2 = weekday(s2.checked_add_days(Days::new(4)).unwrap_or(s2));
            self.file_agreement(
                &self.demo_ctx(ctx, "zhidui.head", at(f2, 15, 0)).await?,
                &b.id,
                &f2.to_string(),
                "临江县人民政府、临江县消防救援大队",
                1,
            )
            .await?;
            let r2 = weekday(today.checked_sub_days(Days::new(40)).unwrap_or(today));
            self.revoke_agreement(
                &self.demo_ctx(ctx, "zhidui.head", at(r2, 11, 0)).await?,
                &b.id,
                "受委托镇执法人员未经培训考核即实施检查，且超越委托权限对重点单位作出责令改正，情节严重",
                2,
            )
            .await?;
        }
        let found = self
            .store
            .search_units(&UnitSearch { scopes: vec![town.path.clone()], limit: 50, ..Default::default() })
            .await?
            .0;
        let (key, units): (Vec<Unit>, Vec<Unit>) = found
            .into_iter()
            .filter(|u| u.facts.status == crate::registry::unit::UnitStatus::Operating)
            .partition(|u| u.key_unit.is_some());
        if units.is_empty() {
            return Ok(None);
        }
        Ok(Some(TownDemo {
            units,
            key_unit: key.into_iter().next(),
            first_day: weekday(t1.checked_add_days(Days::new(5)).unwrap_or(t1)),
        }))
    }

    /// Uploads a demo 执法记录仪 file (a few bytes with an MP4 header: the demo does not ship real video).
    async fn demo_video(&self, ctx: &Ctx, name: &str) -> Result<String> {
        let mut bytes = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41".to_vec();
        bytes.extend_from_slice(format!("firelaw demo {name}").as_bytes());
        let path = std::env::temp_dir().join(format!("firelaw-demo-{}.mp4", crate::new_id()));
        std::fs::write(&path, &bytes).map_err(DomainError::internal)?;
        let file = IncomingFile {
            path: path.clone(),
            size: bytes.len() as u64,
            head: bytes.clone(),
            sm3: self.crypto.digest(&bytes),
        };
        let e = self.upload_evidence(ctx, "video", name, "执法记录仪全程录像（演示文件）", file).await;
        let _ = std::fs::remove_file(&path);
        Ok(e?.id)
    }

    /// Does one town event; returns the events it leads to.
    pub(crate) async fn demo_town_event(
        &self,
        ctx: &Ctx,
        town: &TownDemo,
        t: Timestamp,
        event: TownEvent,
    ) -> Result<Vec<(Timestamp, TownEvent)>> {
        let mut next = Vec::new();
        let today = ctx.now.local_date();
        let officer = |k: usize, at: Timestamp| self.demo_ctx(ctx, TOWN_OFFICERS[k % 2], at);
        match event {
            TownEvent::Inspect { unit, n } => {
                let u = &town.units[unit % town.units.len()];
                let day = t.local_date();
                let me = officer(n, t.plus_minutes(50)).await?;
                let other = officer(n + 1, t).await?.actor()?.user_id.clone();
                let video = self.demo_video(&me, &format!("记录仪_{}.mp4", day.format("%Y%m%d"))).await?;
                let count = [1usize, 0, 2, 1][n % 4];
                let hazards: Vec<HazardDraft> = (0..count)
                    .map(|k| {
                        let (item, desc) = [
                            ("G05", "灭火器压力不足1具"),
                            ("G12", "门口电动自行车违规充电"),
                            ("G07", "后门疏散通道堆放杂物"),
                            ("G11", "电气线路私拉乱接"),
                        ][(n + k) % 4];
                        HazardDraft {
                            item_code: item.into(),
                            description: desc.into(),
                            disposition: "deadline".into(),
                            difficulty: "easy".into(),
                            deadline: day.checked_add_days(Days::new(10)).map(|d| d.to_string()).unwrap_or_default(),
                            ..Default::default()
                        }
                    })
                    .collect();
                let findings = ["G05", "G07", "G11", "G12"]
                    .iter()
                    .map(|c| FindingInput {
                        code: (*c).into(),
                        result: if hazards.iter().any(|h| h.item_code == *c) { "fail" } else { "pass" }.into(),
                        note: String::new(),
                    })
                    .collect();
                let i = self
                    .record_inspection(
                        &me,
                        InspectionInput {
                            unit_id: u.id.clone(),
                            kind: "town".into(),
                            started_at: t.to_rfc3339(),
                            ended_at: t.plus_minutes(45).to_rfc3339(),
                            officer_ids: vec![me.actor()?.user_id.clone(), other],
                            representative: u.facts.manager.name.clone().unwrap_or_else(|| "经营者".into()),
                            findings,
                            summary: if count == 0 {
                                "检查未发现消防安全违法行为。".into()
                            } else {
                                format!("检查发现消防安全违法行为{count}处，已责令限期改正。")
                            },
                            hazards,
                            evidence_ids: vec![video],
                            ..Default::default()
                        },
                    )
                    .await?;
                let ready = |d: Timestamp| d.0 < ctx.now.0;
                let tomorrow = t.plus_hours(22);
                if count > 0 && ready(tomorrow) {
                    next.push((tomorrow, TownEvent::Order { inspection: i.id.clone() }));
                    let re = at(day.checked_add_days(Days::new(11)).unwrap_or(day), 10, 30);
                    if ready(re.plus_days(1)) {
                        next.push((re, TownEvent::Reinspect { unit_id: u.id.clone(), n }));
                    }
                } else if count == 0 && ready(tomorrow) {
                    self.issue_inspection_record(&officer(n, tomorrow).await?, &i.id).await?;
                }
                let review = t.plus_days(4);
                if ready(review) {
                    next.push((review, TownEvent::Review { inspection: i.id.clone(), n }));
                }
            }
            TownEvent::Order { inspection } => {
                let me = officer(0, t).await?;
                let d = self.issue_correction_order(&me, &inspection).await?;
                let receiver = self.store.inspection(&inspection).await?.map(|i| i.representative).unwrap_or_default();
                let served = Ctx { now: t.plus_hours(1), ..me.clone() };
                self.serve_document(&served, &d.id, "直接送达", &receiver, "", 1).await?;
                self.issue_inspection_record(&served, &inspection).await?;
            }
            TownEvent::Reinspect { unit_id, n } => {
                let day = t.local_date();
                let due: Vec<_> = self
                    .store
                    .open_hazards_of_unit(&unit_id)
                    .await?
                    .into_iter()
                    .filter(|h| h.reinspection_due(day) && h.status == HazardStatus::Open)
                    .collect();
                if due.is_empty() {
                    return Ok(next);
                }
                let me = officer(n, t.plus_minutes(40)).await?;
                let other = officer(n + 1, t).await?.actor()?.user_id.clone();
                let video = self.demo_video(&me, &format!("复查记录仪_{}.mp4", day.format("%Y%m%d"))).await?;
                // Every third 复查 finds a hazard still there: it is handed over.
                let outcomes = due
                    .iter()
                    .enumerate()
                    .map(|(k, h)| {
                        let handed = (n + k) % 3 == 0;
                        OutcomeInput {
                            hazard_id: h.id.clone(),
                            rectified: !handed,
                            escalation: if handed { "handover".into() } else { String::new() },
                        }
                    })
                    .collect();
                let i = self
                    .record_inspection(
                        &me,
                        InspectionInput {
                            unit_id,
                            kind: "reinspection".into(),
                            started_at: t.to_rfc3339(),
                            ended_at: t.plus_minutes(30).to_rfc3339(),
                            officer_ids: vec![me.actor()?.user_id.clone(), other],
                            representative: "经营者".into(),
                            outcomes,
                            summary: "对照责令限期改正通知书逐项复查。".into(),
                            evidence_ids: vec![video],
                            ..Default::default()
                        },
                    )
                    .await?;
                let after = t.plus_hours(3);
                self.issue_reinspection_opinion(&Ctx { now: after, ..me.clone() }, &i.id).await?;
                self.issue_inspection_record(&Ctx { now: after, ..me.clone() }, &i.id).await?;
                if t.plus_days(4).0 < ctx.now.0 {
                    next.push((t.plus_days(4), TownEvent::Review { inspection: i.id.clone(), n: n + 1 }));
                }
            }
            TownEvent::Review { inspection, n } => {
                let head = self.demo_ctx(ctx, "donghu.head", t).await?;
                let Some(act) = self.store.town_act(&inspection).await? else { return Ok(next) };
                let give_back = n % 5 == 3;
                let reasons = "检查记录未写明违法行为的具体位置，整改期限与通知书不一致，请补正";
                self.review_town_act(&head, &inspection, !give_back, if give_back { reasons } else { "" }, act.version)
                    .await?;
                if give_back {
                    if n % 10 == 3 {
                        self.add_entrustment_record(
                            &head,
                            &act.agreement_id,
                            RecordInput {
                                kind: "fault".into(),
                                on: t.local_date().to_string(),
                                topic: "检查记录要素不全，违法行为位置未写明（一般过错）".into(),
                                act_id: Some(inspection.clone()),
                                ..Default::default()
                            },
                        )
                        .await?;
                    }
                    if t.plus_days(2).0 < ctx.now.0 {
                        next.push((t.plus_days(2), TownEvent::Correct { inspection }));
                    }
                } else if t.plus_days(5).0 < ctx.now.0
                    && t.local_date() < today.checked_sub_days(Days::new(20)).unwrap_or(today)
                {
                    next.push((t.plus_days(5), TownEvent::Archive { inspection }));
                }
            }
            TownEvent::Correct { inspection } => {
                let me = officer(0, t).await?;
                let v = self.store.town_act(&inspection).await?.map(|a| a.version).unwrap_or(0);
                self.correct_town_act(
                    &me,
                    &inspection,
                    "已补充违法行为位置（一楼东侧后门），整改期限已与通知书核对一致",
                    v,
                )
                .await?;
                if t.plus_days(3).0 < ctx.now.0 {
                    next.push((t.plus_days(3), TownEvent::Review { inspection, n: 0 }));
                }
            }
            TownEvent::Archive { inspection } => {
                let me = officer(1, t).await?;
                let docs = self.store.documents_of(&inspection).await?;
                if docs.iter().any(|d| d.doc_type == crate::document::DocType::TownInspectionRecord) {
                    let v = self.store.town_act(&inspection).await?.map(|a| a.version).unwrap_or(0);
                    self.archive_town_act(&me, &inspection, v).await?;
                }
            }
        }
        Ok(next)
    }

    /// After the year: the brigade takes up the handovers older than a week (the oldest concluded after its
    /// own inspection), and the town hands over a key unit's matter found on patrol last week.
    pub(crate) async fn demo_town_handovers(&self, ctx: &Ctx, town: &TownDemo) -> Result<usize> {
        let today = ctx.now.local_date();
        let officer = self.demo_ctx(ctx, "donghu.li", ctx.now).await?;
        let mut open = self.handovers(&officer, None).await?;
        open.sort_by_key(|h| h.submitted_at.0);
        let mut done = 0;
        for (k, h) in open.iter().enumerate() {
            if h.submitted_at.plus_days(7).0 > ctx.now.0 {
                continue;
            }
            let t = h.submitted_at.plus_days(1);
            let li = self.demo_ctx(ctx, "donghu.li", t).await?;
            let h = self.accept_handover(&li, &h.id, h.version).await?;
            if k == 0 {
                let t2 = t.plus_days(2);
                let li = self.demo_ctx(ctx, "donghu.li", t2).await?;
                let wang = self.demo_ctx(ctx, "donghu.wang", t2).await?.actor()?.user_id.clone();
                let i = self
                    .record_inspection(
                        &li,
                        InspectionInput {
                            unit_id: h.unit_id.clone(),
                            kind: "complaint".into(),
                            started_at: t2.to_rfc3339(),
                            ended_at: t2.plus_minutes(40).to_rfc3339(),
                            officer_ids: vec![li.actor()?.user_id.clone(), wang],
                            representative: "经营者".into(),
                            summary: "核查长青街道移交事项，隐患已于大队检查时改正。".into(),
                            ..Default::default()
                        },
                    )
                    .await?;
                let li = self.demo_ctx(ctx, "donghu.li", t2.plus_hours(2)).await?;
                self.conclude_handover(&li, &h.id, "inspected", &i.id, "大队检查核实，已当场改正", h.version).await?;
            }
            done += 1;
        }
        if let Some(key) = &town.key_unit {
            let day = weekday(today.checked_sub_days(Days::new(6)).unwrap_or(today));
            let me = self.demo_ctx(ctx, TOWN_OFFICERS[0], at(day, 15, 0)).await?;
            let video = self.demo_video(&me, "巡查记录仪.mp4").await?;
            self.submit_handover(
                &me,
                HandoverInput {
                    unit_id: key.id.clone(),
                    reason: "key_unit".into(),
                    matter: "巡查发现该单位（消防安全重点单位）北侧安全出口上锁，消防控制室无人值班".into(),
                    inspection_id: None,
                    evidence_ids: vec![video],
                },
            )
            .await?;
            done += 1;
        }
        Ok(done)
    }
}

fn training(day: NaiveDate, days: u32, topic: &str, officers: &[String]) -> RecordInput {
    RecordInput {
        kind: "training".into(),
        on: day.to_string(),
        days,
        topic: topic.into(),
        officer_ids: officers.to_vec(),
        ..Default::default()
    }
}
