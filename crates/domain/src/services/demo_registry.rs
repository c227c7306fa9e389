//! The demo registry and random checks: about eighty realistic units across the demo 支队's brigades,
//! with key-unit designations, risk grades, a penalty record, the default item list, a conflict, an
//! absence, and one plan announced, drawn and partly published. Everything goes through the same
//! services a user would call, so the demo is also a smoke test of them.

use std::sync::Arc;

use chrono::Datelike;

use crate::audit::Ctx;
use crate::error::{DomainError, Result};
use crate::identity::CreditCode;
use crate::org::Org;
use crate::ports::registry::{HistoryEntry, NewUnit, RegistryChange};
use crate::ports::{Change, UnitOfWork};
use crate::registry::key_unit::{self, KeyDesignation};
use crate::registry::risk::RiskGrade;
use crate::registry::unit::{Contact, SizeFacts, Unit, UnitFacts, UnitStatus};
use crate::registry::venue::VenueKinds;
use crate::services::random_checks::PlanInput;

use super::Services;

/// (name suffix, venue kinds, floor area, floors, beds, rooms, staff)
type Template = (&'static str, &'static str, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

const TEMPLATES: [Template; 22] = [
    ("商业广场", "商业综合体,人员密集场所,公众聚集场所,高层", Some(85000), Some(24), None, None, Some(1200)),
    ("百货商场", "商场市场,人员密集场所,公众聚集场所", Some(12000), Some(6), None, None, Some(320)),
    ("生鲜超市", "商场市场,人员密集场所", Some(800), Some(1), None, None, Some(25)),
    ("大酒店", "宾馆饭店,人员密集场所,公众聚集场所,高层", Some(26000), Some(18), None, Some(260), Some(180)),
    ("快捷酒店", "宾馆饭店,人员密集场所", Some(2100), Some(5), None, Some(45), Some(12)),
    ("KTV娱乐会所", "公共娱乐场所,人员密集场所,公众聚集场所", Some(650), Some(2), None, None, Some(40)),
    ("网吧", "公共娱乐场所,九小场所,人员密集场所", Some(180), Some(1), None, None, Some(4)),
    ("人民医院", "医院,人员密集场所,高层", Some(68000), Some(16), Some(600), None, Some(900)),
    ("社区卫生服务中心", "医院,人员密集场所", Some(1500), Some(3), Some(20), None, Some(35)),
    ("实验学校", "学校,人员密集场所", Some(42000), Some(6), Some(1200), None, Some(160)),
    ("寄宿制幼儿园", "幼儿园托儿所,人员密集场所", Some(3200), Some(3), Some(60), None, Some(30)),
    ("颐养院", "养老机构,人员密集场所", Some(5600), Some(5), Some(120), None, Some(45)),
    ("服装有限公司", "厂房仓库,劳动密集型企业", Some(15000), Some(4), None, None, Some(350)),
    ("物流仓储中心", "厂房仓库", Some(20000), Some(1), None, None, Some(60)),
    ("加油站", "加油加气站,易燃易爆危险品单位", Some(900), Some(1), None, None, Some(12)),
    ("小吃店", "餐饮场所,九小场所", Some(60), Some(1), None, None, Some(3)),
    ("五金店", "九小场所,商场市场", Some(80), Some(1), None, None, Some(2)),
    ("自建出租房", "自建房,群租房", Some(600), Some(5), None, Some(24), None),
    ("汽车客运站", "车站码头机场,人员密集场所,公众聚集场所", Some(3000), Some(2), None, None, Some(80)),
    ("图书馆", "图书馆展览馆,人员密集场所", Some(6000), Some(4), None, None, Some(40)),
    ("国际写字楼", "高层,多业态混合", Some(46000), Some(30), None, None, None),
    ("农贸市场", "商场市场,人员密集场所,公众聚集场所", Some(4000), Some(1), None, None, Some(20)),
];

/// (org key, county, place-name prefixes, roads, how many units)
type Place = (&'static str, &'static str, [&'static str; 4], [&'static str; 4], usize);

const PLACES: [Place; 6] = [
    ("dh", "江城市东湖区", ["东湖", "南湖", "湖滨", "光谷"], ["南湖路", "中山大道", "湖滨路", "珞瑜路"], 22),
    ("dh-st", "江城市东湖区", ["南湖", "雄楚", "丁字桥", "宝通"], ["雄楚大道", "丁字桥路", "宝通寺路", "南湖大道"], 8),
    (
        "dh-town",
        "江城市东湖区长青街道",
        ["长青", "长丰", "古田", "常青"],
        ["长青路", "长丰大道", "古田二路", "常青花园路"],
        6,
    ),
    ("xs", "江城市西山区", ["西山", "高新", "枫林", "金桥"], ["建设路", "金桥大道", "枫林路", "高新大道"], 20),
    ("lj", "临江县", ["临江", "城关", "江北", "滨江"], ["人民路", "滨江大道", "解放路", "青年路"], 16),
    ("lj-town", "临江县青石镇", ["青石", "石门", "河口", "新集"], ["青石街", "石门路", "河口街", "新集大道"], 6),
];

const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙"];
const GIVEN: [&str; 12] = ["建华", "志强", "秀英", "海燕", "国庆", "红梅", "伟", "静", "磊", "敏", "军", "丽"];

impl Services {
    /// A context acting as a demo account at `now` (the demo history is recorded at the times it happened).
    pub(crate) async fn demo_ctx(&self, ctx: &Ctx, username: &str, now: crate::time::Timestamp) -> Result<Ctx> {
        let account =
            self.store.credentials(username).await?.ok_or_else(|| DomainError::internal("demo account"))?.account;
        let actor = self.actor_for(&account).await?;
        Ok(Ctx { actor: Some(Arc::new(actor)), now, request_id: "demo".into(), ..ctx.clone() })
    }

    /// Loads the demo registry and random checks; `orgs` are the demo orgs by key. Called by
    /// [`Services::load_demo`] after the org tree and accounts are committed.
    pub(crate) async fn load_demo_registry(&self, ctx: &Ctx, orgs: &[(&str, Org)]) -> Result<()> {
        let org = |k: &str| {
            orgs.iter()
                .find(|(key, _)| *key == k)
                .map(|(_, o)| o.clone())
                .ok_or_else(|| DomainError::internal("demo org"))
        };
        let now = ctx.now;
        let criteria = key_unit::shipped_criteria();
        let mut units = Vec::new();
        let mut n = 0usize;
        for (key, county, prefixes, roads, count) in PLACES {
            let o = org(key)?;
            for i in 0..count {
                n += 1;
                let (suffix, kinds, area, floors, beds, rooms, staff) = TEMPLATES[(n * 3 + i / 11) % TEMPLATES.len()];
                let name = format!("江城{}{}", prefixes[i % 4], suffix);
                let address = format!("{county}{}{}号", roads[(i / 4) % 4], 10 + (n * 13) % 190);
                // 9142 + 4-digit area code + 9 organisation characters: a realistic shape, a valid check.
                let code =
                    CreditCode::complete(&format!("914201{:02}MA{:07}", 2 + n % 8, 4_000_000 + n * 7919 % 999_983))?;
                let kinds = VenueKinds::parse("venue_kinds", kinds)?;
                let size = SizeFacts { floor_area: area, floors, beds, rooms, staff };
                let person = |k: usize| format!("{}{}", SURNAMES[(n + k) % 12], GIVEN[(n * 5 + k) % 12]);
                let facts = UnitFacts {
                    name: name.clone(),
                    address,
                    org_id: o.id.clone(),
                    venue_kinds: kinds.clone(),
                    size,
                    responsible: Contact {
                        name: Some(person(0)),
                        phone: Some(format!("139{:08}", 27_000_000 + n * 1_231)),
                        id_card: None,
                    },
                    manager: Contact {
                        name: Some(person(3)),
                        phone: Some(format!("137{:08}", 35_000_000 + n * 977)),
                        id_card: None,
                    },
                    status: if n.is_multiple_of(29) { UnitStatus::Suspended } else { UnitStatus::Operating },
                };
                let id = crate::new_id();
                let key_unit =
                    key_unit::propose(criteria, key_unit::NATIONAL, now.local_date(), &kinds, &size).map(|p| {
                        KeyDesignation {
                            category: p.category,
                            reason: p.reason,
                            confirmed_by: "黄振华".into(),
                            confirmed_at: now,
                        }
                    });
                let risk_grade = match (n % 11, key_unit.is_some()) {
                    (0, _) => RiskGrade::High,
                    (1 | 2, true) => RiskGrade::Elevated,
                    (3, _) => RiskGrade::Low,
                    _ => RiskGrade::General,
                };
                let unit = Unit {
                    credit_code: code,
                    facts: self.seal_facts(&id, facts)?,
                    org_path: o.path.clone(),
                    org_name: o.name.as_str().into(),
                    risk_grade,
                    risk_reason: "演示数据：初始评定".into(),
                    key_unit,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    id: id.clone(),
                };
                let history = HistoryEntry {
                    id: crate::new_id(),
                    unit_id: id,
                    at: now,
                    actor: "系统（演示数据）".into(),
                    action: "导入".into(),
                    changes: Vec::new(),
                    reason: "演示数据".into(),
                };
                units.push(NewUnit { unit, history });
            }
        }
        let year = now.local_date().year();
        let penalised: Vec<Change> = units
            .iter()
            .filter(|u| u.unit.key_unit.is_some())
            .step_by(9)
            .take(3)
            .enumerate()
            .map(|(i, u)| {
                let day = chrono::NaiveDate::from_ymd_opt(year - 1, 4 + i as u32 * 3, 16).unwrap_or_default();
                Services::credit_record_change(
                    &u.unit.id,
                    day,
                    &format!("江东消行罚决字〔{}〕{:04}号", year - 1, 12 + i * 7),
                    "消防设施、器材未保持完好有效，罚款",
                    now,
                )
            })
            .collect();
        let dh = org("dh")?.id;
        let conflict_unit = units.iter().find(|u| u.unit.facts.org_id == dh).map(|u| u.unit.id.clone());
        let mut work = UnitOfWork::default().change(Change::Registry(RegistryChange::InsertUnits(units)));
        for c in penalised {
            work = work.change(c);
        }
        work = work.audit(
            ctx.event(crate::audit::actions::UNIT_IMPORT, "import", "demo")
                .actor_name("system")
                .detail(serde_json::json!({ "demo": true })),
        );
        self.store.commit(work).await?;

        // The item list of the 支队, set by its head; a 东湖 plan drawn by the 东湖 department head.
        let as_user = |username: &'static str| self.demo_ctx(ctx, username, ctx.now);
        let head = as_user("zhidui.head").await?;
        self.load_default_items(&head, &org("root")?.id.0).await?;
        let dh_head = as_user("donghu.head").await?;
        let li = as_user("donghu.li").await?;
        let li_id = li.actor()?.user_id.clone();
        if let Some(u) = conflict_unit {
            self.declare_conflict(&li, &li_id, &u, "relative", "配偶在该单位任职").await?;
        }
        let station = as_user("nanhu.station").await?;
        let station_id = station.actor()?.user_id.clone();
        let today = now.local_date();
        self.add_absence(
            &station,
            &station_id,
            "training",
            &today.to_string(),
            &(today + chrono::Days::new(4)).to_string(),
            "全省消防监督业务培训",
        )
        .await?;
        let items = self.check_items(&dh_head, &org("dh")?.id.0).await?;
        let item = items
            .iter()
            .find(|i| i.name.starts_with("人员密集场所类"))
            .ok_or_else(|| DomainError::internal("demo items"))?;
        let plan = self
            .create_plan(
                &dh_head,
                PlanInput {
                    org_id: org("dh")?.id.0.clone(),
                    item_id: item.id.clone(),
                    period: format!("{}-{:02}", today.year(), today.month()),
                    title: String::new(),
                    quantity: "20%".into(),
                    exclude_recent_days: 90,
                    prioritize_penalised: true,
                    rotation: true,
                    weights: None,
                },
            )
            .await?;
        let plan = self.announce_plan(&dh_head, &plan.id, plan.version).await?;
        let plan = self
            .draw_plan(
                &dh_head,
                &plan.id,
                plan.version,
                &format!("演示：{today} 福彩3D 第{}期开奖号码 3 7 1", today.ordinal()),
            )
            .await?;
        let tasks = self.store.tasks(&plan.id).await?;
        if let Some(t) = tasks.first() {
            self.record_task_result(
                &dh_head,
                &t.id,
                "no_problem",
                "消防设施运行正常，疏散通道畅通",
                &today.to_string(),
            )
            .await?;
            self.publish_results(&dh_head, &plan.id).await?;
        }
        if let Some(t) = tasks.get(1) {
            self.record_task_result(
                &dh_head,
                &t.id,
                "ordered_to_correct",
                "发现2处隐患，已当场下发责令改正通知书",
                &today.to_string(),
            )
            .await?;
        }
        Ok(())
    }
}
