//! 临时查封, 三停, 重大火灾隐患 and 隐患曝光 through the API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// An inspection of a 东湖 unit with one hazard (deadline), by two certified officers.
async fn inspected(app: &TestApp, token: &str) -> (String, String, String) {
    let dh = app.org_id("东湖区消防救援大队").await;
    let units: Value = app.get(token, &format!("/api/v1/units?org_id={dh}")).await.json().await.unwrap();
    let unit = units["units"][0]["id"].as_str().unwrap().to_string();
    let form: Value = app.get(token, &format!("/api/v1/units/{unit}/inspection-form")).await.json().await.unwrap();
    let ids: Vec<String> =
        form["officers"].as_array().unwrap().iter().take(2).map(|o| o[0].as_str().unwrap().to_string()).collect();
    let now = app.clock_now();
    let deadline = now.local_date().checked_add_days(chrono::Days::new(10)).unwrap().to_string();
    let i: Value = app
        .post(
            token,
            "/api/v1/inspections",
            json!({"unit_id": unit, "kind": "night", "started_at": now.plus_hours(-2).to_rfc3339(), "ended_at": now.plus_hours(-1).to_rfc3339(),
                "officer_ids": ids, "representative": "值班经理",
                "hazards": [{"item_code": "C02", "description": "营业期间两处安全出口上锁，疏散通道堆满杂物", "disposition": "deadline", "deadline": deadline}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = i["id"].as_str().unwrap().to_string();
    let d: Value = app.get(token, &format!("/api/v1/inspections/{id}")).await.json().await.unwrap();
    (unit, id, d["hazards"][0]["id"].as_str().unwrap().to_string())
}

fn decision() -> Value {
    json!({"chair": "王海波", "attendees": "李明、赵婷", "minutes": "经集体研究，该场所安全出口上锁，严重威胁公共安全，同意临时查封。", "conclusion": "approve"})
}

#[tokio::test]
async fn a_seal_needs_a_collective_decision_is_extended_once_and_lifted_after_a_passed_inspection() {
    let app = spawn_app().await;
    let officer = app.token("donghu.li").await;
    let chief = app.token("donghu.chief").await;
    let (unit, inspection, hazard) = inspected(&app, &officer).await;
    let seal = json!({"kind": "temporary_seal", "inspection_id": inspection, "hazard_ids": [hazard], "grounds": ["exits_insufficient"],
        "facts": "该场所营业期间两处安全出口上锁，疏散通道堆满杂物，已不具备安全疏散条件", "scope": "二楼KTV营业区"});

    // Without a collective decision: refused, nothing written.
    let before = app.count("measures").await;
    let r = app.post(&officer, "/api/v1/measures", seal.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("集体研究"));
    // An officer cannot record the collective decision; the agency head does.
    let mut with = seal.clone();
    with["decision"] = decision();
    let r = app.post(&officer, "/api/v1/measures", with.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("measures").await, before);
    // Too long a term under the default (行政强制法) rule.
    let mut long = with.clone();
    long["term_days"] = json!(31);
    assert!(app.post(&chief, "/api/v1/measures", long).await.text().await.unwrap().contains("行政强制法"));

    let r = app.post(&chief, "/api/v1/measures", with).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let m: Value = r.json().await.unwrap();
    let id = m["measure"]["id"].as_str().unwrap().to_string();
    assert_eq!(m["measure"]["status"], "in_force");
    assert!(m["document"]["number"].as_str().unwrap().contains("消封字"), "{m}");
    assert!(m["document"]["notice"]["paragraphs"][1].as_str().unwrap().contains("第二十二条第一款第（一）项"));
    assert_eq!(m["measure"]["term_days"], 30);

    // One extension of at most 30 days, then no more.
    let e = app
        .post(
            &chief,
            &format!("/api/v1/measures/{id}/extend"),
            json!({"days": 30, "reason": "隐患尚未消除，需继续查封", "version": 1}),
        )
        .await;
    assert_eq!(e.status(), StatusCode::OK, "{}", e.text().await.unwrap());
    let e2 = app
        .post(
            &chief,
            &format!("/api/v1/measures/{id}/extend"),
            json!({"days": 10, "reason": "仍未整改完毕", "version": 2}),
        )
        .await;
    assert!(e2.text().await.unwrap().contains("只能延长一次"));

    // Lifting needs an inspection after the seal that leaves no hazard open.
    let r = app
        .post(&officer, &format!("/api/v1/measures/{id}/lift"), json!({"inspection_id": inspection, "version": 2}))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.post(
        &officer,
        &format!("/api/v1/measures/{id}/apply-lift"),
        json!({"applied_on": app.clock_now().local_date().to_string(), "version": 2}),
    )
    .await;
    app.post(
        &officer,
        &format!("/api/v1/hazards/{hazard}/apply-reinspection"),
        json!({"applied_on": app.clock_now().local_date().to_string()}),
    )
    .await;
    // The 复查 takes place the next day.
    app.clock.advance_minutes(24 * 60);
    let form: Value = app.get(&officer, &format!("/api/v1/units/{unit}/inspection-form")).await.json().await.unwrap();
    let ids: Vec<String> =
        form["officers"].as_array().unwrap().iter().take(2).map(|o| o[0].as_str().unwrap().to_string()).collect();
    let now = app.clock_now();
    let re: Value = app
        .post(
            &officer,
            "/api/v1/inspections",
            json!({"unit_id": unit, "kind": "reinspection", "started_at": now.plus_minutes(-30).to_rfc3339(),
            "ended_at": now.plus_minutes(-10).to_rfc3339(), "officer_ids": ids, "representative": "值班经理",
            "outcomes": [{"hazard_id": hazard, "rectified": true}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(&officer, &format!("/api/v1/measures/{id}/lift"), json!({"inspection_id": re["id"], "version": 3}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let lifted: Value = r.json().await.unwrap();
    assert_eq!(lifted["measure"]["status"], "lifted");
    assert!(lifted["document"]["number"].as_str().unwrap().contains("消解字"));
}

#[tokio::test]
async fn an_emergency_seal_is_decided_within_24_hours_and_a_rejection_lifts_it() {
    let app = spawn_app().await;
    let officer = app.token("donghu.li").await;
    let chief = app.token("donghu.chief").await;
    let (_, inspection, hazard) = inspected(&app, &officer).await;
    let mut seal = json!({"kind": "temporary_seal", "inspection_id": inspection, "hazard_ids": [hazard], "grounds": ["exits_insufficient"],
        "facts": "营业中约80人，安全出口全部锁闭，当场无法打开", "scope": "一楼营业厅", "emergency": true});
    assert!(app.post(&officer, "/api/v1/measures", seal.clone()).await.text().await.unwrap().contains("口头批准"));
    seal["oral_approval_by"] = json!("王海波");
    let m: Value = app.post(&officer, "/api/v1/measures", seal).await.json().await.unwrap();
    assert_eq!(m["measure"]["status"], "awaiting_decision");
    assert!(m["document"].is_null());
    let id = m["measure"]["id"].as_str().unwrap();
    let work: Vec<Value> = app.get(&officer, "/api/v1/worklist?mine=true").await.json().await.unwrap();
    let due = work.iter().find(|w| w["deadline"]["subject_id"] == id).expect("24-hour due date");
    assert_eq!(due["deadline"]["rule_code"], "seal_emergency");
    assert!(due["deadline"]["due_at"].is_number());

    let mut reject = decision();
    reject["conclusion"] = json!("reject");
    reject["minutes"] = json!("经集体研究，出口已当场打开，不予查封，立即解除。");
    let r: Value = app
        .post(&chief, &format!("/api/v1/measures/{id}/decide"), json!({"decision": reject, "version": 1}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["measure"]["status"], "revoked", "{r}");
    let work: Vec<Value> = app.get(&officer, "/api/v1/worklist?mine=true").await.json().await.unwrap();
    assert!(!work.iter().any(|w| w["deadline"]["subject_id"] == id));
}

#[tokio::test]
async fn a_stop_order_resumes_only_after_a_passed_inspection() {
    let app = spawn_app().await;
    let officer = app.token("donghu.li").await;
    let chief = app.token("donghu.chief").await;
    let (_, inspection, hazard) = inspected(&app, &officer).await;
    let mut d = decision();
    d["minutes"] = json!("经集体研究，该场所未经许可擅自投入使用，责令停止使用。");
    let m: Value = app
        .post(
            &chief,
            "/api/v1/measures",
            json!({"kind": "stop_use", "inspection_id": inspection, "hazard_ids": [hazard],
            "facts": "该场所未经消防安全检查擅自投入使用、营业", "scope": "三层宴会厅", "decision": d}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(m["document"]["number"].as_str().unwrap().contains("消停字"), "{m}");
    let id = m["measure"]["id"].as_str().unwrap();
    // The inspection that led to the order cannot end it.
    let r = app
        .post(&officer, &format!("/api/v1/measures/{id}/lift"), json!({"inspection_id": inspection, "version": 1}))
        .await;
    assert!(r.text().await.unwrap().contains("措施实施后"));
    // A later inspection that still finds a hazard does not let it resume.
    app.clock.advance_minutes(3 * 24 * 60);
    let (_, later, _) = inspected(&app, &officer).await;
    let r =
        app.post(&officer, &format!("/api/v1/measures/{id}/lift"), json!({"inspection_id": later, "version": 1})).await;
    assert!(r.text().await.unwrap().contains("恢复生产经营"));
}

#[tokio::test]
async fn a_major_hazard_is_determined_by_the_standard_in_force_reported_and_supervised() {
    let app = spawn_app().await;
    let officer = app.token("donghu.li").await;
    let chief = app.token("donghu.chief").await;
    let (_, inspection, _) = inspected(&app, &officer).await;
    let stds: Vec<Value> = app.get(&officer, "/api/v1/major-hazard-standards").await.json().await.unwrap();
    assert_eq!(stds.len(), 2);
    let body = json!({"inspection_id": inspection, "elements": [{"id": "C1", "note": "消防车道被占用"}, {"id": "C9", "note": "安全出口上锁"}],
        "decision": {"chair": "王海波", "attendees": "李明、赵婷", "minutes": "经集体讨论，依据判定标准逐项核对。", "conclusion": "approve"}});
    // Two composite elements make no major hazard at any kind of place (the least any rule counts is 3).
    let r: Value = app.post(&chief, "/api/v1/major-hazards", body.clone()).await.json().await.unwrap();
    assert_eq!(r["determination"]["status"], "not_major", "{r}");
    assert!(r["document"].is_null());
    assert!(r["determination"]["judgement"]["reason"].as_str().unwrap().contains("未达到"));
    // A direct element: major, under the 2025 standard (in force on the inspection day).
    let mut direct = body.clone();
    direct["elements"] = json!([{"id": "D5", "note": "营业厅内存放汽油两桶"}]);
    let r: Value = app.post(&chief, "/api/v1/major-hazards", direct).await.json().await.unwrap();
    assert_eq!(r["determination"]["standard"], "GB 35181-2025", "{r}");
    assert_eq!(r["determination"]["status"], "determined");
    assert!(r["document"]["number"].as_str().unwrap().contains("消重改字"));
    let id = r["determination"]["id"].as_str().unwrap();
    let work: Vec<Value> = app.get(&chief, "/api/v1/worklist").await.json().await.unwrap();
    assert!(work.iter().any(|w| w["deadline"]["subject_id"] == id && w["deadline"]["rule_code"] == "major_report"));
    let today = app.clock_now().local_date().to_string();
    let rep = app
        .post(
            &officer,
            &format!("/api/v1/major-hazards/{id}/report"),
            json!({"to": "东湖区人民政府", "on": today, "version": 1}),
        )
        .await;
    assert_eq!(rep.status(), StatusCode::OK, "{}", rep.text().await.unwrap());
    let sup: Value = app
        .post(
            &officer,
            &format!("/api/v1/major-hazards/{id}/supervise"),
            json!({"to": "东湖区人民政府", "on": today, "version": 2}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sup["status"], "supervised");
    let work: Vec<Value> = app.get(&chief, "/api/v1/worklist").await.json().await.unwrap();
    assert!(!work.iter().any(|w| w["deadline"]["subject_id"] == id && w["deadline"]["rule_code"] == "major_report"));
    // An unknown element is refused.
    let mut bad = body;
    bad["elements"] = json!([{"id": "Z9"}]);
    assert_eq!(app.post(&chief, "/api/v1/major-hazards", bad).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_hazard_notice_is_published_only_redacted_and_approved() {
    let app = spawn_app().await;
    let officer = app.token("donghu.li").await;
    let chief = app.token("donghu.chief").await;
    let (_, _, hazard) = inspected(&app, &officer).await;
    let r = app
        .post(
            &officer,
            "/api/v1/exposures",
            json!({"hazard_id": hazard, "text": "该单位安全出口上锁，负责人电话13812345678"}),
        )
        .await;
    assert!(r.text().await.unwrap().contains("个人信息"));
    let e: Value = app
        .post(
            &officer,
            "/api/v1/exposures",
            json!({"hazard_id": hazard, "text": "夜查发现该场所营业期间两处安全出口上锁，疏散通道堆满杂物。"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = e["id"].as_str().unwrap();
    let public = reqwest::get(format!("{}/api/v1/public/exposures", app.base)).await.unwrap().text().await.unwrap();
    assert!(!public.contains(id), "a draft is not public");
    assert_eq!(
        app.post(&officer, &format!("/api/v1/exposures/{id}/decide"), json!({"publish": true, "version": 1}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let p: Value = app
        .post(&chief, &format!("/api/v1/exposures/{id}/decide"), json!({"publish": true, "version": 1}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["status"], "published");
    let page = reqwest::get(format!("{}/public/exposures", app.base)).await.unwrap().text().await.unwrap();
    assert!(page.contains("两处安全出口上锁"));
}

#[tokio::test]
async fn the_checklist_and_the_seal_term_rule_are_settings() {
    let app = spawn_app().await;
    let admin = app.token("sysadmin").await;
    let s: Value = app.get(&admin, "/api/v1/settings/inspections").await.json().await.unwrap();
    assert_eq!(s["seal_term_rule"], "coercion_law");
    assert!(s["checklist_csv"].as_str().unwrap().contains("G07"));
    // A bad line is refused with its number, and nothing changes.
    let bad = format!("{}\nX1,nosuchkind,检查内容,《法》第一条", s["checklist_csv"].as_str().unwrap());
    let r = app
        .put(
            &admin,
            "/api/v1/settings/inspections",
            json!({"checklist_csv": bad, "seal_term_rule": "coercion_law", "versions": [0, 0]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("nosuchkind"));
    // An officer may not change them.
    let officer = app.token("donghu.li").await;
    assert_eq!(
        app.put(
            &officer,
            "/api/v1/settings/inspections",
            json!({"checklist_csv": "A1,*,x,《法》第一条", "seal_term_rule": "coercion_law", "versions": [0, 0]})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    // A jurisdiction's own item appears in the form; the 120号令 rule lets a seal be extended twice.
    let own = format!(
        "{}\nL01,*,燃气报警装置完好有效,《中华人民共和国消防法》第十六条第一款第二项",
        s["checklist_csv"].as_str().unwrap()
    );
    let r = app
        .put(
            &admin,
            "/api/v1/settings/inspections",
            json!({"checklist_csv": own, "seal_term_rule": "inspection_rules", "versions": [0, 0]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (_, inspection, hazard) = inspected(&app, &officer).await;
    let form: Value = app.get(&officer, &format!("/api/v1/inspections/{inspection}")).await.json().await.unwrap();
    let unit = form["inspection"]["unit_id"].as_str().unwrap();
    let f: Value = app.get(&officer, &format!("/api/v1/units/{unit}/inspection-form")).await.json().await.unwrap();
    assert!(f["items"].to_string().contains("L01"));
    let chief = app.token("donghu.chief").await;
    let m: Value = app
        .post(&chief, "/api/v1/measures", json!({"kind": "temporary_seal", "inspection_id": inspection, "hazard_ids": [hazard], "grounds": ["exits_insufficient"],
            "facts": "该场所营业期间两处安全出口上锁，疏散通道堆满杂物", "scope": "二楼", "decision": decision()}))
        .await
        .json()
        .await
        .unwrap();
    let id = m["measure"]["id"].as_str().unwrap();
    for v in [1, 2] {
        let r = app
            .post(
                &chief,
                &format!("/api/v1/measures/{id}/extend"),
                json!({"days": 30, "reason": "隐患尚未消除，继续查封", "version": v}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
}
