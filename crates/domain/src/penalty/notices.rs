//! The wording of a penalty case's documents (执法文书), written from the case's fields. The document engine
//! adds the agency, title, number and QR code and lays them out; nothing here formats pages.

use chrono::NaiveDate;

use super::Yuan;
use super::case::{Case, PartyKind, TransferKind};
use crate::document::{self, Notice, NoticeTable};
use crate::time::Timestamp;

/// How the party is addressed: a unit by name, a person by name (documents served on the party carry the
/// full name; only the public portal masks it).
fn addressee(c: &Case) -> String {
    c.party.name.clone()
}

/// The party as described in a decision: name, credit code or masked ID number, address.
fn party_line(c: &Case) -> String {
    match c.party.kind {
        PartyKind::Unit => {
            let mut s = format!("当事人：{}", c.party.name);
            if !c.party.credit_code.is_empty() {
                s.push_str(&format!("，统一社会信用代码：{}", c.party.credit_code));
            }
            if !c.party.legal_rep.is_empty() {
                s.push_str(&format!("，负责人：{}", c.party.legal_rep));
            }
            if !c.party.address.is_empty() {
                s.push_str(&format!("，地址：{}", c.party.address));
            }
            s + "。"
        }
        PartyKind::Person => {
            // The ID number stays masked on paper too: documents and their PDFs are stored and verified
            // outside the sealed column, and the name, masked number and case identify the party.
            let mut s = format!("当事人：{}", c.party.name);
            if !c.party.id_masked.is_empty() {
                s.push_str(&format!("，身份证件号码：{}", c.party.id_masked));
            }
            s + "。"
        }
    }
}

fn sentence(s: &str) -> String {
    let t = s.trim().trim_end_matches('。');
    format!("{t}。")
}

/// The facts as a decision states them, after 经查 (said once, whether or not the officer wrote it).
fn found(facts: &str) -> String {
    let t = facts.trim();
    let t = t.strip_prefix("经查").map(|r| r.trim_start_matches(['，', ',', '：', ':', ' '])).unwrap_or(t);
    format!("经查，{}", sentence(t))
}

fn handlers(c: &Case) -> String {
    c.handlers.iter().map(|h| h.name.as_str()).collect::<Vec<_>>().join("、")
}

fn date(t: Timestamp) -> String {
    document::chinese_date(t.local_date())
}

/// 立案审批表.
pub fn filing(c: &Case, approver: &str, opinion: &str, at: Timestamp) -> Notice {
    Notice {
        addressee: String::new(),
        paragraphs: vec![
            format!("案件名称：{}", c.title),
            format!("案件来源：{}", c.source.label()),
            party_line(c),
            format!("简要案情：{}", sentence(&c.facts)),
            format!("承办人：{}。办案程序：{}。", handlers(c), c.procedure.label()),
        ],
        closing: vec![format!(
            "机构负责人审批意见：{}。（{}，{}）",
            opinion.trim_end_matches('。'),
            approver,
            date(at)
        )],
        date: date(at),
        ..Default::default()
    }
}

/// 询问笔录 or 现场笔录 as entered by the handlers.
pub fn record(c: &Case, what: &str, person: &str, place: &str, text: &str, at: Timestamp) -> Notice {
    Notice {
        addressee: String::new(),
        paragraphs: vec![
            format!("时间：{}　地点：{}", at.to_local_string(), place),
            format!("执法人员：{}（已出示执法证件）", handlers(c)),
            format!("{what}：{person}"),
        ],
        closing: text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect(),
        date: date(at),
        signatures: vec![format!("{what}签名：＿＿＿＿＿＿　　执法人员签名：＿＿＿＿＿＿")],
        ..Default::default()
    }
}

/// 证据先行登记保存通知书 (行政处罚法第五十六条).
pub fn preservation(c: &Case, items: &str, place: &str, at: Timestamp, decide_by: NaiveDate) -> Notice {
    Notice {
        addressee: addressee(c),
        paragraphs: vec![
            format!(
                "因调查{}一案，证据可能灭失或者以后难以取得，根据《中华人民共和国行政处罚法》第五十六条的规定，经本机构负责人批准，对下列物品予以先行登记保存，保存地点：{}。",
                c.title, place
            ),
            format!("登记保存物品：{}", sentence(items)),
        ],
        closing: vec![format!(
            "本机构将于{}前作出处理决定。在此期间，当事人或者有关人员不得销毁或者转移证据。",
            document::chinese_date(decide_by)
        )],
        date: date(at),
        signatures: vec![document::receipt_line("当事人")],
        ..Default::default()
    }
}

/// 行政处罚告知书 or 行政处罚听证告知书 (行政处罚法第四十四条、第四十五条、第六十三条、第六十四条).
pub fn intended_penalty(c: &Case, at: Timestamp, statement_by: NaiveDate) -> Notice {
    let Some(p) = &c.proposal else { return Notice::default() };
    let mut closing = vec![format!(
        "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩。请于{}前向本机构提出；逾期未提出的，视为放弃此权利。",
        document::chinese_date(statement_by)
    )];
    if c.hearing_right {
        closing.push(
            "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有权要求听证。如要求听证，应当在收到本告知书之日起五个工作日内向本机构提出；逾期未提出的，视为放弃听证权利。".into(),
        );
    }
    Notice {
        addressee: addressee(c),
        paragraphs: vec![
            found(&c.facts),
            format!(
                "你（单位）的上述行为违反了消防法律法规的规定，属于“{}”的违法行为。依据{}的规定，本机构拟对你（单位）作出如下行政处罚：{}。",
                p.violation_text,
                quote_article(&p.article),
                p.penalty_text()
            ),
        ],
        closing,
        date: date(at),
        signatures: vec![document::receipt_line("当事人")],
        ..Default::default()
    }
}

/// An article as cited in a document: 消防法第六十条… → 《中华人民共和国消防法》第六十条….
pub fn quote_article(article: &str) -> String {
    match article.strip_prefix("消防法") {
        Some(rest) => format!("《中华人民共和国消防法》{rest}"),
        None => article.to_string(),
    }
}

/// 举行听证通知书 (行政处罚法第六十四条).
pub fn hearing_notice(c: &Case, date_on: NaiveDate, place: &str, presider: &str, at: Timestamp) -> Notice {
    Notice {
        addressee: addressee(c),
        paragraphs: vec![format!(
            "根据你（单位）的申请，本机构定于{}在{}就{}一案举行听证，听证主持人：{}。",
            document::chinese_date(date_on),
            place,
            c.title,
            presider
        )],
        closing: vec![
            "你（单位）可以亲自参加听证，也可以委托一至二人代理；委托代理人参加的，应当提交授权委托书。认为主持人与本案有直接利害关系的，有权申请回避。听证不收取费用。".into(),
            "无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利（《中华人民共和国行政处罚法》第六十四条）。".into(),
        ],
        date: date(at),
        signatures: vec![document::receipt_line("当事人")],
        ..Default::default()
    }
}

/// 听证笔录.
pub fn hearing_record(c: &Case, presider: &str, text: &str, held_on: NaiveDate, at: Timestamp) -> Notice {
    let mut closing: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
    closing.push("以上笔录经当事人核对无误。".into());
    Notice {
        addressee: String::new(),
        paragraphs: vec![
            format!("案件名称：{}", c.title),
            format!("听证时间：{}　听证主持人：{}", document::chinese_date(held_on), presider),
            format!("案件调查人员：{}", handlers(c)),
            party_line(c),
        ],
        closing,
        date: date(at),
        signatures: vec!["当事人签名：＿＿＿＿＿＿　　主持人签名：＿＿＿＿＿＿　　记录人签名：＿＿＿＿＿＿".into()],
        ..Default::default()
    }
}

/// 法制审核意见书 (行政处罚法第五十八条).
pub fn legal_review(c: &Case, reviewer: &str, agree: bool, opinion: &str, at: Timestamp) -> Notice {
    let p = c.proposal.as_ref();
    let mut paragraphs = vec![
        format!("案件名称：{}", c.title),
        format!("承办人：{}", handlers(c)),
        format!("拟处罚意见：{}", p.map(|p| p.penalty_text()).unwrap_or_default()),
    ];
    if let Some(r) = p.and_then(|p| p.recommendation.as_ref()) {
        paragraphs.push(format!("裁量基准：{}，推荐幅度{}至{}。", r.rule, r.min, r.max));
    }
    paragraphs.push(
        "审核内容：执法主体是否合法，执法人员是否具备执法资格；执法程序是否合法；案件事实是否清楚，证据是否合法充分；适用法律、法规、规章是否准确，裁量基准运用是否适当；执法是否超越法定权限；行政执法文书是否完备、规范。".into(),
    );
    Notice {
        addressee: String::new(),
        paragraphs,
        closing: vec![format!(
            "审核结论：{}。审核意见：{}。（法制审核人员：{}）",
            if agree { "同意" } else { "退回补充调查或者修改" },
            opinion.trim_end_matches('。'),
            reviewer
        )],
        date: date(at),
        ..Default::default()
    }
}

/// 集体议案记录 (行政处罚法第五十七条第二款).
pub fn deliberation(c: &Case, chair: &str, attendees: &[String], minutes: &str, agree: bool, at: Timestamp) -> Notice {
    Notice {
        addressee: String::new(),
        paragraphs: vec![
            format!("案件名称：{}", c.title),
            format!("集体讨论理由：{}", c.deliberation_reasons.join("、")),
            format!("主持人：{}　参加人员：{}", chair, attendees.join("、")),
            format!("承办人汇报：{}", c.proposal.as_ref().map(|p| p.penalty_text()).unwrap_or_default()),
        ],
        closing: vec![
            format!("讨论记录：{}", sentence(minutes)),
            format!("集体讨论决定：{}。", if agree { "同意拟处罚意见" } else { "不同意拟处罚意见，退回承办人" }),
        ],
        date: date(at),
        signatures: vec!["参加人员签名：＿＿＿＿＿＿＿＿＿＿＿＿".into()],
        ..Default::default()
    }
}

/// What a decision says about the party's statement and any hearing.
fn statement_paragraph(c: &Case) -> String {
    let told = c.notified_at.map(date).unwrap_or_default();
    let hearing = if c.hearing.as_ref().is_some_and(|h| h.held) { "，并依法举行了听证" } else { "" };
    match &c.statement {
        Some(s) if s.waived => format!(
            "本机构于{told}依法告知你（单位）拟作出行政处罚的内容及事实、理由、依据和享有的权利，你（单位）书面表示放弃陈述、申辩{}。",
            if c.hearing_right { "和听证" } else { "" }
        ),
        Some(s) => format!(
            "本机构于{told}依法告知你（单位）拟作出行政处罚的内容及事实、理由、依据和享有的权利，你（单位）提出了陈述、申辩{hearing}。经复核，{}。",
            if s.adopted {
                "你（单位）提出的事实、理由和证据成立，本机构予以采纳"
            } else {
                "你（单位）提出的事实、理由和证据不成立，不予采纳"
            }
        ),
        None => format!(
            "本机构于{told}依法告知你（单位）拟作出行政处罚的内容及事实、理由、依据和享有的权利，你（单位）在规定期限内未提出陈述、申辩{hearing}。"
        ),
    }
}

/// The paragraph on paying the fine (行政处罚法第六十七条、第七十二条).
fn payment_paragraph(fine: Yuan) -> String {
    format!(
        "你（单位）应当自收到本决定书之日起十五日内，将罚款{}缴至指定银行或者通过电子支付系统缴纳。到期不缴纳罚款的，本机构将根据《中华人民共和国行政处罚法》第七十二条第一款第一项的规定，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额，并依法申请人民法院强制执行。",
        fine
    )
}

/// 行政处罚决定书 or 不予行政处罚决定书 (行政处罚法第五十九条).
pub fn decision(c: &Case, at: Timestamp) -> Notice {
    let Some(p) = &c.proposal else { return Notice::default() };
    let review = document::review_rights("决定", "决定书");
    if let Some(basis) = &p.no_penalty_basis {
        return Notice {
            addressee: addressee(c),
            paragraphs: vec![party_line(c), found(&c.facts), statement_paragraph(c)],
            closing: vec![
                format!("根据{}的规定，本机构决定对你（单位）不予行政处罚。", basis),
                "你（单位）应当立即改正违法行为，并加强消防安全管理。".into(),
                review,
            ],
            date: date(at),
            signatures: vec![document::receipt_line("当事人")],
            ..Default::default()
        };
    }
    let mut closing = vec![format!(
        "根据{}的规定，本机构决定对你（单位）作出如下行政处罚：{}。",
        quote_article(&p.article),
        p.penalty_text()
    )];
    if p.fine.0 > 0 {
        closing.push(payment_paragraph(p.fine));
    }
    closing.push(review);
    let mut paragraphs = vec![party_line(c), found(&c.facts), statement_paragraph(c)];
    if let Some(r) = &p.recommendation {
        paragraphs.push(format!(
            "本案适用裁量基准：{}{}。",
            r.rule,
            if p.reasons.trim().is_empty() {
                String::new()
            } else {
                format!("。裁量理由：{}", p.reasons.trim().trim_end_matches('。'))
            }
        ));
    }
    Notice {
        addressee: addressee(c),
        paragraphs,
        closing,
        date: date(at),
        signatures: vec![document::receipt_line("当事人")],
        ..Default::default()
    }
}

/// 当场处罚决定书 (简易程序, 行政处罚法第五十二条).
pub fn on_spot(c: &Case, place: &str, at: Timestamp) -> Notice {
    let Some(p) = &c.proposal else { return Notice::default() };
    let mut closing =
        vec![format!("依据{}的规定，当场作出如下行政处罚：{}。", quote_article(&p.article), p.penalty_text())];
    if p.fine.0 > 0 {
        closing.push(payment_paragraph(p.fine));
    }
    closing.push(document::review_rights("决定", "决定书"));
    Notice {
        addressee: addressee(c),
        paragraphs: vec![
            party_line(c),
            format!("违法事实：{}（时间：{}，地点：{}）", sentence(&c.facts), at.to_local_string(), place),
            "执法人员已当场告知你（单位）拟作出的处罚内容及事实、理由、依据，并听取了你（单位）的陈述和申辩。".into(),
        ],
        closing,
        date: date(at),
        signatures: vec![format!("执法人员：{}", handlers(c)), document::receipt_line("当事人")],
        ..Default::default()
    }
}

/// 送达回证.
pub fn service_receipt(
    c: &Case,
    doc_title: &str,
    doc_number: &str,
    method: &str,
    receiver: &str,
    on: NaiveDate,
) -> Notice {
    Notice {
        addressee: String::new(),
        paragraphs: vec![format!("受送达人：{}", c.party.name)],
        table: Some(NoticeTable {
            headers: vec!["送达文书".into(), "文号".into(), "送达方式".into(), "送达日期".into(), "签收人".into()],
            rows: vec![vec![
                doc_title.into(),
                doc_number.into(),
                method.into(),
                document::chinese_date(on),
                receiver.into(),
            ]],
        }),
        closing: vec![format!("送达人：{}", handlers(c))],
        date: document::chinese_date(on),
        signatures: vec!["受送达人签名：＿＿＿＿＿＿　　　　年　　月　　日".into()],
        ..Default::default()
    }
}

/// 催告书 (行政强制法第三十五条、第五十四条).
pub fn demand(c: &Case, surcharge: Yuan, at: Timestamp) -> Notice {
    let fine = c.proposal.as_ref().map(|p| p.fine).unwrap_or_default();
    let number = c.decision.as_ref().map(|d| d.number.as_str()).unwrap_or_default();
    Notice {
        addressee: addressee(c),
        paragraphs: vec![format!(
            "本机构于{}作出{}行政处罚决定，对你（单位）罚款{}。你（单位）在法定期限内未缴纳罚款，截至{}已加处罚款{}（每日按罚款数额的百分之三加处，总额不超出罚款数额）。",
            c.decision.as_ref().map(|d| date(d.at)).unwrap_or_default(),
            number,
            fine,
            date(at),
            surcharge
        )],
        closing: vec![
            "根据《中华人民共和国行政强制法》第三十五条、第五十四条的规定，现催告你（单位）自收到本催告书之日起十日内履行缴纳罚款和加处罚款的义务。".into(),
            "你（单位）有权进行陈述和申辩。逾期仍不履行的，本机构将依法申请人民法院强制执行。".into(),
        ],
        date: date(at),
        signatures: vec![document::receipt_line("当事人")],
        ..Default::default()
    }
}

/// 强制执行申请书 (行政强制法第五十三条、第五十五条).
pub fn enforcement_application(c: &Case, court: &str, surcharge: Yuan, at: Timestamp) -> Notice {
    let fine = c.proposal.as_ref().map(|p| p.fine).unwrap_or_default();
    let number = c.decision.as_ref().map(|d| d.number.as_str()).unwrap_or_default();
    Notice {
        addressee: court.into(),
        paragraphs: vec![
            format!("申请人：本机构。被申请人：{}", party_line(c).trim_start_matches("当事人：")),
            format!(
                "本机构作出的{}行政处罚决定书已依法送达被申请人，被申请人在法定期限内未申请行政复议或者提起行政诉讼，又不履行缴纳罚款{}的义务；经催告仍未履行，加处罚款{}。",
                number, fine, surcharge
            ),
        ],
        closing: vec!["根据《中华人民共和国行政强制法》第五十三条、第五十五条的规定，特申请人民法院强制执行。".into()],
        date: date(at),
        ..Default::default()
    }
}

/// 案件移送通知书.
pub fn transfer(c: &Case, kind: TransferKind, receiver: &str, reason: &str, at: Timestamp) -> Notice {
    let basis = match kind {
        TransferKind::Detention => "《中华人民共和国消防法》第七十条第一款（行政拘留由公安机关决定）",
        TransferKind::Crime => "《行政执法机关移送涉嫌犯罪案件的规定》第三条",
        TransferKind::OtherAuthority => "《中华人民共和国行政处罚法》第二十二条、第二十三条（管辖）",
    };
    Notice {
        addressee: receiver.into(),
        paragraphs: vec![
            format!("本机构在办理{}一案中发现：{}", c.title, sentence(reason)),
            party_line(c),
            format!("根据{}的规定，现将该案移送你单位依法处理，相关案卷材料随案移送。", basis),
        ],
        closing: vec!["请将处理结果书面告知本机构。".into()],
        date: date(at),
        signatures: vec!["接收单位签收：＿＿＿＿＿＿　　　　年　　月　　日".into()],
        ..Default::default()
    }
}

/// 结案报告.
pub fn closing_report(c: &Case, summary: &str, at: Timestamp) -> Notice {
    let mut rows = vec![vec!["立案".to_string(), c.filed_at.map(date).unwrap_or_else(|| date(c.created_at))]];
    if let Some(d) = &c.decision {
        rows.push(vec!["处罚决定".into(), format!("{}（{}）", date(d.at), d.number)]);
    }
    if let Some(s) = &c.service {
        rows.push(vec!["送达".into(), format!("{}（{}）", document::chinese_date(s.on), s.method)]);
    }
    if let Some(p) = &c.payment {
        rows.push(vec![
            "履行".into(),
            format!("{}缴纳罚款{}、加处罚款{}", document::chinese_date(p.paid_on), p.fine, p.surcharge),
        ]);
    }
    if let Some(t) = &c.transfer {
        rows.push(vec!["移送".into(), format!("{}：{}", t.kind.label(), t.receiver)]);
    }
    Notice {
        addressee: String::new(),
        paragraphs: vec![
            format!("案件名称：{}", c.title),
            party_line(c),
            format!("处罚结果：{}", c.proposal.as_ref().map(|p| p.penalty_text()).unwrap_or_else(|| "无".into())),
        ],
        table: Some(NoticeTable { headers: vec!["环节".into(), "情况".into()], rows }),
        closing: vec![format!("结案理由：{}", sentence(summary)), format!("承办人：{}", handlers(c))],
        date: date(at),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_facts_follow_one_jingcha_and_articles_are_cited_in_full() {
        assert_eq!(found("经查，该单位安全出口上锁"), "经查，该单位安全出口上锁。");
        assert_eq!(found("该单位安全出口上锁。"), "经查，该单位安全出口上锁。");
        assert_eq!(quote_article("消防法第六十条第一款第三项"), "《中华人民共和国消防法》第六十条第一款第三项");
        let c = crate::penalty::case::sample();
        let d = decision(&c, c.created_at);
        assert!(d.closing[0].contains("《中华人民共和国消防法》第六十条第一款第三项"), "{:?}", d.closing);
        assert!(d.closing.iter().any(|p| p.contains("百分之三")), "the surcharge is told (行政强制法第四十五条)");
        assert!(d.closing.iter().any(|p| p.contains("六十日内")), "review rights");
    }
}
