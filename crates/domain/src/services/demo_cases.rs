//! Demo penalty cases: one brigade's cases in every state, each taken through the cases service step by
//! step at the time it happened (all cases' steps in time order, so every document series is numbered in
//! date order). Deterministic.

use chrono::Days;
use serde_json::Value;

use crate::audit::Ctx;
use crate::error::{DomainError, Result};
use crate::ports::registry::UnitSearch;
use crate::services::cases::{CaseInput, StepInput};
use crate::time::Timestamp;

use super::Services;

/// A step of a demo case: days before today, hour, who, the step (`open`, a case step, `publish`,
/// `withdraw`), its body. In bodies `{d}` is that day's date and `@user` an account's id.
type Scripted = (u64, u32, &'static str, &'static str, &'static str);

/// A demo case: which registry unit (index), or `None` for a natural person, and its steps.
struct DemoCase {
    unit: Option<usize>,
    steps: &'static [Scripted],
}

const OPEN_UNIT: &str = r#"{"procedure":"general","source":"hazard","party_kind":"unit","unit_id":"{unit}","title":"{title}","facts":"{facts}","co_handler_ids":["@co"]}"#;

const FILE: &str = r#"{"agree":true,"opinion":"同意立案调查"}"#;
const INTERVIEW: &str = r#"{"kind":"interview","person":"该单位消防安全管理人","place":"东湖区消防救援大队询问室","text":"问：你单位的违法行为是否属实？\n答：属实，我们会立即整改。"}"#;
const SITE: &str = r#"{"kind":"site","person":"值班经理","place":"该单位营业场所","text":"现场检查发现的情况与举报内容一致，已拍照固定证据。"}"#;
const AGREE: &str = r#"{"agree":true,"opinion":"事实清楚，证据确凿，同意"}"#;
const WAIVE: &str = r#"{"date":"{d}","text":"","waived":true}"#;
const REVIEW: &str = r#"{"agree":true,"opinion":"主体合法，事实清楚，证据确凿，程序合法，适用法律正确，裁量适当。"}"#;
const DECIDE: &str = r#"{"opinion":"同意"}"#;
const SERVE: &str = r#"{"date":"{d}","method":"直接送达","receiver":"该单位消防安全管理人"}"#;
const CLOSE: &str = r#"{"text":"处罚决定已执行完毕"}"#;
const EMPTY: &str = "{}";

/// Cases ending in every state.
const CASES: [DemoCase; 18] = [
    // 已归档: 8,000 元 for a blocked fire lane (一般 within the band), paid on time, published.
    DemoCase {
        unit: Some(0),
        steps: &[
            (
                150,
                9,
                "donghu.li",
                "open",
                "占用消防车通道案|经查，该单位在消防车通道上停放车辆、堆放杂物，妨碍消防车通行，经责令改正后逾期未改正。",
            ),
            (150, 15, "donghu.chief", "approve_filing", FILE),
            (149, 10, "donghu.li", "record", INTERVIEW),
            (
                146,
                10,
                "donghu.li",
                "propose",
                r#"{"violation_code":"F60-1-5","severity":"minor","amount":"8000","factors":"经责令后部分改正"}"#,
            ),
            (146, 16, "donghu.head", "review_proposal", AGREE),
            (145, 10, "donghu.li", "statement", WAIVE),
            (145, 11, "donghu.li", "submit_review", EMPTY),
            (144, 10, "donghu.legal", "legal_review", REVIEW),
            (144, 15, "donghu.chief", "decide", DECIDE),
            (143, 10, "donghu.li", "serve", SERVE),
            (142, 10, "donghu.legal", "publish", EMPTY),
            (135, 10, "donghu.li", "pay", r#"{"date":"{d}","amount":"8000","method":"JC-BANK-20260701"}"#),
            (134, 10, "donghu.chief", "close", CLOSE),
            (120, 10, "donghu.li", "archive", EMPTY),
        ],
    },
    // 已结案待归档.
    DemoCase {
        unit: Some(1),
        steps: &[
            (
                60,
                9,
                "donghu.li",
                "open",
                "损坏、挪用消防设施案|经查，该单位擅自停用自动喷水灭火系统，将消火栓泵控制柜置于手动状态。",
            ),
            (60, 16, "donghu.chief", "approve_filing", FILE),
            (59, 10, "donghu.li", "record", SITE),
            (56, 10, "donghu.li", "propose", r#"{"violation_code":"F60-1-2","severity":"minor","amount":"9000"}"#),
            (56, 15, "donghu.head", "review_proposal", AGREE),
            (55, 10, "donghu.li", "statement", WAIVE),
            (52, 10, "donghu.li", "submit_review", EMPTY),
            (51, 10, "donghu.legal", "legal_review", REVIEW),
            (51, 16, "donghu.chief", "decide", DECIDE),
            (50, 10, "donghu.li", "serve", SERVE),
            (49, 10, "donghu.legal", "publish", EMPTY),
            (40, 10, "donghu.li", "pay", r#"{"date":"{d}","amount":"9000","method":"JC-BANK-20260915"}"#),
            (38, 10, "donghu.chief", "close", CLOSE),
        ],
    },
    // 已履行待结案.
    DemoCase {
        unit: Some(2),
        steps: &[
            (
                45,
                9,
                "donghu.li",
                "open",
                "人员密集场所门窗设置障碍物案|经查，该单位在二层外窗设置固定式防盗网，影响逃生和灭火救援。",
            ),
            (45, 16, "donghu.chief", "approve_filing", FILE),
            (44, 10, "donghu.li", "record", SITE),
            (41, 10, "donghu.li", "propose", r#"{"violation_code":"F60-1-6","severity":"minor","amount":"6000"}"#),
            (41, 15, "donghu.head", "review_proposal", AGREE),
            (40, 10, "donghu.li", "statement", WAIVE),
            (40, 11, "donghu.li", "submit_review", EMPTY),
            (39, 10, "donghu.legal", "legal_review", REVIEW),
            (38, 10, "donghu.chief", "decide", DECIDE),
            (37, 10, "donghu.li", "serve", SERVE),
            (36, 10, "donghu.legal", "publish", EMPTY),
            (30, 10, "donghu.li", "pay", r#"{"date":"{d}","amount":"6000","method":"JC-BANK-20261023"}"#),
        ],
    },
    // 待履行，已逾期: the surcharge runs.
    DemoCase {
        unit: Some(3),
        steps: &[
            (50, 9, "donghu.wang", "open", "埋压、圈占消火栓案|经查，该单位在室外消火栓周边搭建临时仓库，圈占消火栓。"),
            (50, 16, "donghu.chief", "approve_filing", FILE),
            (49, 10, "donghu.wang", "record", SITE),
            (46, 10, "donghu.wang", "propose", r#"{"violation_code":"F60-1-4","severity":"minor","amount":"7000"}"#),
            (46, 15, "donghu.head", "review_proposal", AGREE),
            (32, 10, "donghu.wang", "submit_review", EMPTY),
            (31, 10, "donghu.legal", "legal_review", REVIEW),
            (31, 16, "donghu.chief", "decide", DECIDE),
            (30, 10, "donghu.wang", "serve", SERVE),
            (29, 10, "donghu.chief", "publish", EMPTY),
        ],
    },
    // 申请强制执行.
    DemoCase {
        unit: Some(4),
        steps: &[
            (
                110,
                9,
                "donghu.li",
                "open",
                "消防设施不符合标准逾期未改正案|经查，该单位火灾自动报警系统故障，经责令限期改正后逾期未改正。",
            ),
            (110, 16, "donghu.chief", "approve_filing", FILE),
            (108, 10, "donghu.li", "propose", r#"{"violation_code":"F60-1-1","severity":"ordinary","amount":"20000"}"#),
            (108, 15, "donghu.head", "review_proposal", AGREE),
            (94, 10, "donghu.li", "submit_review", EMPTY),
            (93, 10, "donghu.legal", "legal_review", REVIEW),
            (93, 16, "donghu.chief", "decide", DECIDE),
            (92, 10, "donghu.li", "serve", SERVE),
            (91, 10, "donghu.legal", "publish", EMPTY),
            (70, 10, "donghu.li", "demand", EMPTY),
            (55, 10, "donghu.chief", "apply_enforcement", r#"{"person":"江城市东湖区人民法院"}"#),
        ],
    },
    // 已决定待送达, publication awaiting review.
    DemoCase {
        unit: Some(5),
        steps: &[
            (
                20,
                9,
                "donghu.li",
                "open",
                "占用、堵塞疏散通道案|经查，该单位一楼东侧疏散通道堆放货物约3米，三楼安全出口被铁链锁闭。",
            ),
            (20, 16, "donghu.chief", "approve_filing", FILE),
            (19, 10, "donghu.li", "record", INTERVIEW),
            (16, 10, "donghu.li", "propose", r#"{"violation_code":"F60-1-3","severity":"ordinary","amount":"20000"}"#),
            (16, 15, "donghu.head", "review_proposal", AGREE),
            (
                15,
                10,
                "donghu.li",
                "statement",
                r#"{"date":"{d}","text":"货物系临时卸货，已清理，请求从轻处罚。","waived":false}"#,
            ),
            (6, 10, "donghu.li", "submit_review", EMPTY),
            (5, 10, "donghu.legal", "legal_review", REVIEW),
            (1, 15, "donghu.chief", "decide", DECIDE),
        ],
    },
    // 集体议案: a hearing held, the fine above the band.
    DemoCase {
        unit: Some(6),
        steps: &[
            (
                40,
                9,
                "donghu.li",
                "open",
                "擅自停用消防设施案|经查，该单位擅自关闭火灾自动报警系统主机，拆除疏散指示标志12处。",
            ),
            (40, 16, "donghu.chief", "approve_filing", FILE),
            (39, 10, "donghu.li", "record", SITE),
            (
                35,
                10,
                "donghu.li",
                "propose",
                r#"{"violation_code":"F60-1-2","severity":"ordinary","amount":"40000","opinion":"擅自关闭报警主机且拆除标志，涉及人员密集场所，危害严重","complex":true}"#,
            ),
            (35, 15, "donghu.head", "review_proposal", AGREE),
            (33, 10, "donghu.li", "statement", r#"{"date":"{d}","text":"要求听证。","hearing_requested":true}"#),
            (
                32,
                10,
                "donghu.li",
                "schedule_hearing",
                r#"{"date":"{d+21}","place":"东湖区消防救援大队会议室","presider_id":"@donghu.chen"}"#,
            ),
            (
                11,
                14,
                "donghu.li",
                "hold_hearing",
                r#"{"text":"当事人委托代理人到场，陈述系设备检修期间关闭主机；调查人员出示了维保记录和现场照片。"}"#,
            ),
            (8, 10, "donghu.legal", "legal_review", REVIEW),
        ],
    },
    // 法制审核.
    DemoCase {
        unit: Some(7),
        steps: &[
            (
                18,
                9,
                "donghu.wang",
                "open",
                "电器线路不符合消防技术标准案|经查，该单位配电箱下方堆放可燃纸箱，电气线路敷设不符合消防技术标准。",
            ),
            (18, 16, "donghu.chief", "approve_filing", FILE),
            (15, 10, "donghu.wang", "propose", r#"{"violation_code":"F66","severity":"minor","amount":"1000"}"#),
            (15, 15, "donghu.head", "review_proposal", AGREE),
            (14, 10, "donghu.wang", "statement", WAIVE),
            (1, 10, "donghu.wang", "submit_review", EMPTY),
        ],
    },
    // 听证 scheduled.
    DemoCase {
        unit: Some(8),
        steps: &[
            (
                16,
                9,
                "donghu.li",
                "open",
                "公众聚集场所使用情况与承诺内容不符案|经查，该场所实际营业面积、疏散设施与告知承诺内容不符。",
            ),
            (16, 16, "donghu.chief", "approve_filing", FILE),
            (10, 10, "donghu.li", "propose", r#"{"violation_code":"F58-1-4","severity":"minor","amount":"40000"}"#),
            (10, 15, "donghu.head", "review_proposal", AGREE),
            (8, 10, "donghu.li", "statement", r#"{"date":"{d}","text":"要求听证。","hearing_requested":true}"#),
            (
                5,
                10,
                "donghu.li",
                "schedule_hearing",
                r#"{"date":"{d+21}","place":"东湖区消防救援大队会议室","presider_id":"@donghu.chen"}"#,
            ),
        ],
    },
    // 已告知，陈述申辩期.
    DemoCase {
        unit: Some(9),
        steps: &[
            (
                9,
                9,
                "donghu.wang",
                "open",
                "消防安全标志设置不符合标准案|经查，该单位疏散指示标志不亮3处、应急照明灯损坏2处，经责令改正后逾期未改正。",
            ),
            (9, 16, "donghu.chief", "approve_filing", FILE),
            (2, 10, "donghu.wang", "propose", r#"{"violation_code":"F60-1-1","severity":"minor","amount":"6000"}"#),
            (1, 15, "donghu.head", "review_proposal", AGREE),
        ],
    },
    // 拟处罚意见审核.
    DemoCase {
        unit: Some(10),
        steps: &[
            (12, 9, "donghu.li", "open", "占用防火间距案|经查，该单位在建筑之间搭建彩钢板临时用房，占用防火间距。"),
            (12, 16, "donghu.chief", "approve_filing", FILE),
            (0, 9, "donghu.li", "propose", r#"{"violation_code":"F60-1-4","severity":"ordinary","amount":"20000"}"#),
        ],
    },
    // 调查取证.
    DemoCase {
        unit: Some(11),
        steps: &[
            (
                6,
                9,
                "donghu.wang",
                "open",
                "不及时消除火灾隐患案|经查，该单位楼梯间停放电动自行车并充电，经消防救援机构通知后未及时采取措施消除。",
            ),
            (6, 16, "donghu.chief", "approve_filing", FILE),
            (5, 10, "donghu.wang", "record", SITE),
        ],
    },
    // 立案审批中.
    DemoCase {
        unit: Some(12),
        steps: &[(0, 8, "donghu.li", "open", "安全出口上锁案|经查，该单位营业期间将北侧安全出口上锁。")],
    },
    // 已移送: suspected crime.
    DemoCase {
        unit: Some(13),
        steps: &[
            (
                25,
                9,
                "donghu.li",
                "open",
                "违规存放易燃易爆危险品案|经查，该单位营业厅内存放汽油两桶约50升，与居住场所处于同一建筑。",
            ),
            (25, 16, "donghu.chief", "approve_filing", FILE),
            (
                23,
                10,
                "donghu.chief",
                "transfer",
                r#"{"kind":"crime","person":"江城市公安局东湖分局","text":"当事人在人员密集场所内违规储存汽油，涉嫌危险物品肇事，依法移送公安机关。"}"#,
            ),
        ],
    },
    // 不予立案.
    DemoCase {
        unit: Some(14),
        steps: &[
            (
                30,
                9,
                "donghu.wang",
                "open",
                "举报占用消防通道案|经查，举报所称车辆为临时上下客停靠，未发现占用消防车通道的违法事实。",
            ),
            (30, 16, "donghu.chief", "approve_filing", r#"{"agree":false,"opinion":"经核查不存在违法事实，不予立案"}"#),
        ],
    },
    // 简易程序: a person warned and fined 200 元 on the spot, paid.
    DemoCase {
        unit: None,
        steps: &[
            (
                26,
                15,
                "donghu.li",
                "open",
                r#"{"procedure":"simple","source":"inspection","party_kind":"person","party_name":"刘建华","id_number":"11010519491231002X","phone":"13700001111","address":"东湖区幸福路8号","title":"个人占用疏散通道案","facts":"当事人在居民楼疏散楼梯间堆放杂物，占用疏散通道。","co_handler_ids":["@donghu.wang"],"violation_code":"F60-2","warning":true,"fine":"200","place":"东湖区幸福路8号楼梯间","statement":"表示立即清理","facts_certain":true}"#,
            ),
            (25, 10, "donghu.li", "pay", r#"{"date":"{d}","amount":"200","method":"JC-BANK-20261028"}"#),
        ],
    },
    // 不予处罚 (轻微并当场改正), served, closed.
    DemoCase {
        unit: Some(15),
        steps: &[
            (
                70,
                9,
                "donghu.wang",
                "open",
                "遮挡消火栓案|经查，该单位临时堆放的货物遮挡室内消火栓箱，经指出后当场搬离，未造成危害后果。",
            ),
            (70, 16, "donghu.chief", "approve_filing", FILE),
            (
                66,
                10,
                "donghu.wang",
                "propose",
                r#"{"violation_code":"F60-1-4","severity":"minor","no_penalty":true,"factors":"当场改正"}"#,
            ),
            (66, 15, "donghu.head", "review_proposal", AGREE),
            (65, 10, "donghu.wang", "statement", WAIVE),
            (65, 11, "donghu.wang", "submit_review", EMPTY),
            (64, 10, "donghu.legal", "legal_review", REVIEW),
            (64, 15, "donghu.chief", "decide", DECIDE),
            (63, 10, "donghu.wang", "serve", SERVE),
            (60, 10, "donghu.chief", "close", r#"{"text":"不予行政处罚决定已送达，违法行为已改正"}"#),
        ],
    },
    // A decision revoked on 行政复议: its publication withdrawn, the case closed.
    DemoCase {
        unit: Some(16),
        steps: &[
            (
                100,
                9,
                "donghu.li",
                "open",
                "消防设施未保持完好有效案|经查，该单位消防水泵房内稳压泵损坏，消防水池无水。",
            ),
            (100, 16, "donghu.chief", "approve_filing", FILE),
            (98, 10, "donghu.li", "propose", r#"{"violation_code":"F60-1-1","severity":"minor","amount":"9000"}"#),
            (98, 15, "donghu.head", "review_proposal", AGREE),
            (97, 10, "donghu.li", "statement", WAIVE),
            (97, 11, "donghu.li", "submit_review", EMPTY),
            (96, 10, "donghu.legal", "legal_review", REVIEW),
            (96, 15, "donghu.chief", "decide", DECIDE),
            (95, 10, "donghu.li", "serve", SERVE),
            (94, 10, "donghu.legal", "publish", EMPTY),
            (
                80,
                10,
                "donghu.li",
                "remedy",
                r#"{"kind":"reconsideration","date":"{d}","person":"江城市东湖区人民政府"}"#,
            ),
            (25, 10, "donghu.li", "remedy_outcome", r#"{"outcome":"revoked"}"#),
            (24, 10, "donghu.legal", "withdraw", r#"{"reason":"原处罚决定经行政复议被撤销"}"#),
            (22, 10, "donghu.chief", "close", r#"{"text":"原处罚决定经行政复议被撤销，本案终结"}"#),
        ],
    },
];

/// Fills a body: `{d}` (and `{d+N}`) the day's date, `@user` the account's id.
fn fill(body: &str, day: chrono::NaiveDate, ids: &[(&str, String)]) -> String {
    let mut s = body.replace("{d}", &day.to_string());
    if let Some(i) = s.find("{d+") {
        let end = s[i..].find('}').map(|e| i + e).unwrap_or(i);
        let n: u64 = s[i + 3..end].parse().unwrap_or(0);
        let later = day.checked_add_days(Days::new(n)).unwrap_or(day);
        s.replace_range(i..=end, &later.to_string());
    }
    for (user, id) in ids {
        s = s.replace(&format!("@{user}"), id);
    }
    s
}

impl Services {
    /// Takes the demo cases through their steps in time order. Returns the documents issued.
    pub(crate) async fn load_demo_cases(&self, ctx: &Ctx) -> Result<usize> {
        let today = ctx.now.local_date();
        let brigade = self.demo_ctx(ctx, "donghu.li", ctx.now).await?.actor()?.org_path.clone();
        let units =
            self.store.search_units(&UnitSearch { scopes: vec![brigade], limit: 60, ..Default::default() }).await?.0;
        let units: Vec<_> =
            units.into_iter().filter(|u| u.facts.status == crate::registry::unit::UnitStatus::Operating).collect();
        if units.len() < 17 {
            return Ok(0);
        }
        let mut ids = Vec::new();
        for user in ["donghu.li", "donghu.wang", "donghu.chen"] {
            ids.push((user, self.demo_ctx(ctx, user, ctx.now).await?.actor()?.user_id.clone()));
        }
        let mut events: Vec<(Timestamp, usize, usize)> = Vec::new();
        for (c, case) in CASES.iter().enumerate() {
            for (s, (days, hour, ..)) in case.steps.iter().enumerate() {
                let day = today.checked_sub_days(Days::new(*days)).unwrap_or(today);
                let t = Timestamp::from_local(day.and_hms_opt(*hour, (c * 3 % 60) as u32, 0).unwrap_or_default());
                events.push((t.min(ctx.now), c, s));
            }
        }
        events.sort_by_key(|(t, c, s)| (t.0, *c, *s));
        let mut case_ids: Vec<Option<(String, i64)>> = vec![None; CASES.len()];
        let mut docs = 0;
        for (t, c, s) in events {
            let (_, _, user, step, body) = CASES[c].steps[s];
            let actor = self.demo_ctx(ctx, user, t).await?;
            let body = fill(body, t.local_date(), &ids);
            match step {
                "open" => {
                    let input: CaseInput = if body.starts_with('{') {
                        serde_json::from_str(&body).map_err(DomainError::internal)?
                    } else {
                        let (title, facts) = body.split_once('|').unwrap_or((&body, ""));
                        let u = &units[CASES[c].unit.unwrap_or(0)];
                        // The other officer: 王磊, or 李想 when 王磊 opens the case.
                        let co = if user == "donghu.wang" { "@donghu.li" } else { "@donghu.wang" };
                        let json = fill(&OPEN_UNIT.replace("@co", co), t.local_date(), &ids)
                            .replace("{unit}", &u.id)
                            .replace("{title}", title)
                            .replace("{facts}", facts);
                        serde_json::from_str(&json).map_err(DomainError::internal)?
                    };
                    let (case, doc) = self.open_case(&actor, input).await?;
                    docs += usize::from(doc.is_some());
                    case_ids[c] = Some((case.id.clone(), case.version));
                }
                "publish" | "withdraw" => {
                    let (id, _) = case_ids[c].clone().ok_or_else(|| DomainError::internal("demo case"))?;
                    let p = self
                        .store
                        .publication_of_case(&id)
                        .await?
                        .ok_or_else(|| DomainError::internal("demo publication"))?;
                    if step == "publish" {
                        self.publish_decision(&actor, &p.id, p.version).await?;
                    } else {
                        let reason: Value = serde_json::from_str(&body).map_err(DomainError::internal)?;
                        let reason = reason["reason"].as_str().unwrap_or_default();
                        self.withdraw_decision(&actor, &p.id, reason, p.version).await?;
                    }
                }
                _ => {
                    let (id, version) = case_ids[c].clone().ok_or_else(|| DomainError::internal("demo case"))?;
                    let input: StepInput = serde_json::from_value::<StepInput>(
                        serde_json::from_str::<Value>(&body).map_err(DomainError::internal)?,
                    )
                    .map_err(DomainError::internal)?;
                    let before = self.store.documents_of(&id).await?.len();
                    let case = self
                        .case_step(&actor, &id, step, input, version)
                        .await
                        .map_err(|e| DomainError::internal(format!("demo case {c} step {step}: {e}")))?;
                    let issued = self.store.documents_of(&id).await?;
                    docs += issued.len() - before;
                    // Notices served on the party (告知书, 听证通知书, 催告书, 移送通知书) are handed over at once;
                    // the decision is served by its own step.
                    let decision = case.decision.as_ref().map(|d| d.doc_id.clone());
                    // The 承办人 (who opened the case) serves them.
                    let handler = self.demo_ctx(ctx, CASES[c].steps[0].2, t).await?;
                    for d in issued.iter().skip(before) {
                        if d.doc_type.is_served() && Some(&d.id) != decision.as_ref() {
                            let receiver = if d.doc_type == crate::document::DocType::TransferNotice {
                                "接收机关承办人"
                            } else {
                                "该单位消防安全管理人"
                            };
                            self.serve_document(&handler, &d.id, "直接送达", receiver, "", d.version).await?;
                        }
                    }
                    case_ids[c] = Some((case.id.clone(), case.version));
                }
            }
        }
        Ok(docs)
    }
}
