//! 委托执法 through the API: the brigade signs, files, publishes and revokes agreements, trains and assesses
//! town officers; the town inspects a non-key unit on video, orders a correction in the brigade's name,
//! archives, and hands over a key unit's matter; and the authorization matrix of the town role: inside
//! scope, outside the territory, a key unit, powers it was not given, an expired and a revoked agreement.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn mp4() -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41".to_vec();
    v.extend([7u8; 256]);
    v
}

async fn refused(r: reqwest::Response, status: StatusCode, needle: &str) {
    let s = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(s, status, "{text}");
    assert!(text.contains(needle), "expected “{needle}” in {text}");
}

async fn id_of(app: &TestApp, username: &str) -> String {
    app.text_of(&format!("SELECT id FROM accounts WHERE username = '{username}'")).await.unwrap()
}

/// The town's units, split into (non-key, key).
async fn town_units(app: &TestApp, token: &str, town: &str) -> (Vec<Value>, Vec<Value>) {
    let units: Value = app.get(token, &format!("/api/v1/units?org_id={town}&per_page=50")).await.json().await.unwrap();
    units["units"].as_array().unwrap().iter().cloned().partition(|u| u["key_unit"] != json!(true))
}

/// A town inspection of `unit` by 徐丽 and `other`, with the given evidence and one hazard to correct.
fn town_inspection(app: &TestApp, unit: &str, officers: &[String], evidence: &[&str]) -> Value {
    let now = app.clock_now();
    let deadline = now.plus_days(10).local_date().to_string();
    json!({"unit_id": unit, "kind": "town", "started_at": now.plus_hours(-2).to_rfc3339(), "ended_at": now.plus_hours(-1).to_rfc3339(),
        "officer_ids": officers, "representative": "店主", "evidence_ids": evidence,
        "findings": [{"code": "G05", "result": "fail"}],
        "hazards": [{"item_code": "G05", "description": "灭火器压力不足2具", "disposition": "deadline", "difficulty": "easy", "deadline": deadline}]})
}

/// The brigade head signs an agreement with the town today; returns its id.
async fn entrust(app: &TestApp, head: &str, town: &str, months: u32) -> String {
    let body = json!({"town_id": town, "signed_on": app.clock_now().local_date().to_string(), "town_signatory": "张建国", "months": months});
    let r = app.post(head, "/api/v1/entrustments", body).await;
    let text = r.text().await.unwrap();
    let a: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
    a["id"].as_str().unwrap_or_else(|| panic!("{text}")).to_string()
}

/// The brigade trains the officers (2 days) and records a passed assessment for each.
async fn qualify(app: &TestApp, token: &str, agreement: &str, officers: &[String]) {
    let today = app.clock_now().local_date().to_string();
    let path = format!("/api/v1/entrustments/{agreement}/records");
    let t =
        json!({"kind": "training", "on": today, "days": 2, "topic": "委托执法权限与检查程序", "officer_ids": officers});
    assert_eq!(app.post(token, &path, t).await.status(), StatusCode::OK);
    for o in officers {
        let a =
            json!({"kind": "assessment", "on": today, "topic": "委托执法业务考核", "officer_ids": [o], "score": 90});
        assert_eq!(app.post(token, &path, a).await.status(), StatusCode::OK);
    }
}

/// Moves the clock past 03:00 local so that records two hours back fall on today.
fn after_three(app: &TestApp) {
    let hour = chrono::Timelike::hour(&app.clock_now().to_local());
    if hour < 3 {
        let minute = chrono::Timelike::minute(&app.clock_now().to_local());
        app.clock.advance_minutes(i64::from((3 - hour) * 60 - minute));
    }
}

#[tokio::test]
async fn a_town_inspects_orders_archives_and_hands_over_and_is_refused_everything_beyond_scope() {
    let app = spawn_app().await;
    after_three(&app);
    let xu = app.token("changqing.town").await;
    let head = app.token("donghu.head").await;
    let town = app.org_id("东湖区长青街道办事处").await;
    let (plain, key) = town_units(&app, &head, &town).await;
    let unit = plain[0]["id"].as_str().unwrap().to_string();
    // Without an agreement the town can do nothing.
    refused(
        app.get(&xu, &format!("/api/v1/units/{unit}/inspection-form")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "没有有效的行政执法委托协议",
    )
    .await;
    // A one-month term, so that the test can reach its end.
    let agreement = entrust(&app, &app.token("donghu.chief").await, &town, 1).await;
    let agreements: Vec<Value> = app.get(&xu, "/api/v1/entrustments").await.json().await.unwrap();
    assert_eq!(agreements.len(), 1, "the town sees its own agreement: {agreements:?}");
    let officers = vec![id_of(&app, "changqing.town").await, id_of(&app, "changqing.zhou").await];
    // Not yet assessed: refused.
    refused(
        app.get(&xu, &format!("/api/v1/units/{unit}/inspection-form")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "徐丽尚未通过",
    )
    .await;
    qualify(&app, &head, &agreement, &officers).await;

    // The form is the 镇消防安全检查记录, offering the town's officers only.
    let form: Value = app.get(&xu, &format!("/api/v1/units/{unit}/inspection-form")).await.json().await.unwrap();
    assert_eq!(form["entrusted"]["id"], json!(agreement), "{form}");
    let offered: Vec<&str> = form["officers"].as_array().unwrap().iter().map(|o| o[1].as_str().unwrap()).collect();
    assert!(offered.contains(&"徐丽") && offered.contains(&"周敏") && !offered.contains(&"李想"), "{offered:?}");

    // No video: refused, nothing written.
    let before = app.count("inspections").await;
    let r = app.post(&xu, "/api/v1/inspections", town_inspection(&app, &unit, &officers, &[])).await;
    refused(r, StatusCode::UNPROCESSABLE_ENTITY, "全程录像").await;
    assert_eq!(app.count("inspections").await, before);
    // Only the town's kinds.
    let video: Value = app.upload(&xu, "video", "记录仪.mp4", mp4()).await.json().await.unwrap();
    let vid = video["id"].as_str().unwrap();
    let mut body = town_inspection(&app, &unit, &officers, &[vid]);
    body["kind"] = json!("key_unit_routine");
    refused(app.post(&xu, "/api/v1/inspections", body).await, StatusCode::UNPROCESSABLE_ENTITY, "乡镇（街道）委托检查")
        .await;
    // A new officer not yet assessed cannot take part.
    let wu = id_of(&app, "changqing.wu").await;
    let r = app
        .post(&xu, "/api/v1/inspections", town_inspection(&app, &unit, &[officers[0].clone(), wu.clone()], &[vid]))
        .await;
    refused(r, StatusCode::UNPROCESSABLE_ENTITY, "吴涛尚未通过").await;
    // The brigade assesses him (a town officer cannot record it), then he may.
    let rec = json!({"kind": "assessment", "on": app.clock_now().local_date().to_string(), "topic": "委托执法业务考核", "officer_ids": [wu], "score": 82});
    assert_eq!(
        app.post(&xu, &format!("/api/v1/entrustments/{agreement}/records"), rec.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = app.post(&head, &format!("/api/v1/entrustments/{agreement}/records"), rec).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    // With video: the inspection is a town act, due for archive in 30 days.
    let r =
        app.post(&xu, "/api/v1/inspections", town_inspection(&app, &unit, &[officers[0].clone(), wu], &[vid])).await;
    let text = r.text().await.unwrap();
    let i: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
    let iid = i["id"].as_str().unwrap_or_else(|| panic!("{text}")).to_string();
    let act: Value = app.get(&xu, &format!("/api/v1/town-acts/{iid}")).await.json().await.unwrap();
    assert_eq!((act["review"].as_str(), act["videos"].as_i64()), (Some("pending"), Some(1)), "{act}");
    let d: Value = app.get(&xu, &format!("/api/v1/inspections/{iid}")).await.json().await.unwrap();
    assert!(d["deadlines"].as_array().unwrap().iter().any(|w| w["deadline"]["rule_code"] == "town_archive"), "{d}");

    // The order and the record, numbered in the brigade's series, say they were made in its name.
    let r = app.post(&xu, &format!("/api/v1/inspections/{iid}/correction-order"), json!({})).await;
    let order: Value = r.json().await.unwrap();
    assert!(order["number"].as_str().unwrap().starts_with("东湖消限字"), "{order}");
    let closing = order["notice"]["closing"].to_string();
    assert!(closing.contains("受江城市东湖区消防救援大队委托") && closing.contains("移交消防救援机构"), "{closing}");
    let oid = order["id"].as_str().unwrap();
    let served = app
        .post(
            &xu,
            &format!("/api/v1/documents/{oid}/serve"),
            json!({"method": "直接送达", "receiver": "店主", "version": 1}),
        )
        .await;
    assert_eq!(served.status(), StatusCode::OK, "{}", served.text().await.unwrap());
    // Archive needs the record first.
    refused(
        app.post(&xu, &format!("/api/v1/town-acts/{iid}/archive"), json!({"version": 1})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "镇（街道）消防安全检查记录",
    )
    .await;
    let rec: Value =
        app.post(&xu, &format!("/api/v1/inspections/{iid}/record-document"), json!({})).await.json().await.unwrap();
    assert_eq!(rec["doc_type"], "town_inspection_record", "{rec}");
    assert!(rec["number"].as_str().unwrap().starts_with("东湖消镇检字"), "{rec}");

    // The brigade returns it; the town corrects; the brigade accepts; the town archives.
    refused(
        app.post(&xu, &format!("/api/v1/town-acts/{iid}/review"), json!({"accept": true, "version": 1})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "承办部门负责人",
    )
    .await;
    let r = app
        .post(
            &head,
            &format!("/api/v1/town-acts/{iid}/review"),
            json!({"accept": false, "reasons": "整改期限未告知申请复查的方式", "version": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    refused(
        app.post(&xu, &format!("/api/v1/town-acts/{iid}/archive"), json!({"version": 2})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "退回补正",
    )
    .await;
    assert_eq!(
        app.post(
            &xu,
            &format!("/api/v1/town-acts/{iid}/correct"),
            json!({"correction": "已向店主补充告知复查申请方式", "version": 2})
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(&head, &format!("/api/v1/town-acts/{iid}/review"), json!({"accept": true, "version": 3}))
            .await
            .status(),
        StatusCode::OK
    );
    let done: Value =
        app.post(&xu, &format!("/api/v1/town-acts/{iid}/archive"), json!({"version": 4})).await.json().await.unwrap();
    assert!(done["archived_at"].is_number(), "{done}");

    // Powers it was not given: refused with where to hand it over.
    let dh = app.org_id("东湖区消防救援大队").await;
    let case = json!({"procedure": "general", "source": "inspection", "unit_id": unit, "party_kind": "unit", "title": "占用疏散通道案", "facts": "该单位占用疏散通道。", "co_handler_ids": [officers[1]]});
    refused(app.post(&xu, "/api/v1/cases", case).await, StatusCode::UNPROCESSABLE_ENTITY, "不在委托权限范围内").await;
    let seal = json!({"kind": "temporary_seal", "inspection_id": iid, "facts": "x", "scope": "x", "emergency": true, "oral_approval_by": "王海波"});
    refused(app.post(&xu, "/api/v1/measures", seal).await, StatusCode::UNPROCESSABLE_ENTITY, "移交").await;
    let stop = json!({"kind": "stop_business", "inspection_id": iid, "facts": "x", "scope": "x"});
    refused(app.post(&xu, "/api/v1/measures", stop).await, StatusCode::UNPROCESSABLE_ENTITY, "不在委托权限范围内")
        .await;
    let decision =
        json!({"chair": "王海波", "attendees": "李明、赵婷", "minutes": "经集体研究。", "conclusion": "approve"});
    let major = json!({"inspection_id": iid, "elements": [{"id": "x"}], "decision": decision});
    refused(
        app.post(&xu, "/api/v1/major-hazards", major).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "不在委托权限范围内",
    )
    .await;
    // Brigade-only routes.
    let sign =
        json!({"town_id": town, "signed_on": app.clock_now().local_date().to_string(), "town_signatory": "张三"});
    assert_eq!(app.post(&xu, "/api/v1/entrustments", sign).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post(
            &xu,
            &format!("/api/v1/entrustments/{agreement}/revoke"),
            json!({"reason": "自行解除协议", "version": 1})
        )
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.post(
            &xu,
            &format!("/api/v1/entrustments/{agreement}/file"),
            json!({"filed_on": "2026-01-01", "filed_with": "x", "version": 1})
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    // Outside the territory: a unit of the brigade itself is not even visible.
    let brigade_units: Value = app.get(&head, &format!("/api/v1/units?org_id={dh}")).await.json().await.unwrap();
    let outside = brigade_units["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| !u["org_name"].as_str().unwrap_or("").contains("长青"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.get(&xu, &format!("/api/v1/units/{outside}/inspection-form")).await.status(), StatusCode::NOT_FOUND);
    let r = app.post(&xu, "/api/v1/inspections", town_inspection(&app, &outside, &officers, &[])).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A key unit: refused, and handed over with its evidence to the brigade's worklist.
    let key = key.first().map(|u| u["id"].as_str().unwrap().to_string()).expect("the demo town has a key unit");
    refused(
        app.get(&xu, &format!("/api/v1/units/{key}/inspection-form")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "重点单位",
    )
    .await;
    let v2: Value = app.upload(&xu, "video", "巡查.mp4", mp4()).await.json().await.unwrap();
    refused(
        app.post(&xu, "/api/v1/inspections", town_inspection(&app, &key, &officers, &[v2["id"].as_str().unwrap()]))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "请移交",
    )
    .await;
    let h = app.post(&xu, "/api/v1/handovers", json!({"unit_id": key, "reason": "key_unit", "matter": "安全出口上锁，消防控制室无人值班", "evidence_ids": [v2["id"]]})).await;
    let text = h.text().await.unwrap();
    let h: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
    let hid = h["id"].as_str().unwrap_or_else(|| panic!("{text}")).to_string();
    let work: Vec<Value> = app.get(&head, "/api/v1/worklist?limit=500").await.json().await.unwrap();
    assert!(
        work.iter()
            .any(|w| w["deadline"]["subject_id"] == json!(hid) && w["deadline"]["rule_code"] == "handover_accept"),
        "on the brigade's worklist"
    );
    let view: Value = app.get(&xu, &format!("/api/v1/handovers/{hid}")).await.json().await.unwrap();
    assert_eq!(view["evidence"].as_array().unwrap().len(), 1, "{view}");
    assert!(view["document"]["number"].as_str().unwrap().starts_with("东湖消镇移字"), "{view}");
    // The town cannot take it up; the brigade does and records the outcome.
    refused(
        app.post(&xu, &format!("/api/v1/handovers/{hid}/accept"), json!({"version": 1})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "接收办理",
    )
    .await;
    let li = app.token("donghu.li").await;
    assert_eq!(
        app.post(&li, &format!("/api/v1/handovers/{hid}/accept"), json!({"version": 1})).await.status(),
        StatusCode::OK
    );
    refused(
        app.post(&li, &format!("/api/v1/handovers/{hid}/conclude"), json!({"outcome": "case_opened", "version": 2}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "请选择",
    )
    .await;
    refused(
        app.post(
            &li,
            &format!("/api/v1/handovers/{hid}/conclude"),
            json!({"outcome": "inspected", "reference": iid, "version": 2}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "不是该单位",
    )
    .await;
    let c: Value = app
        .post(
            &li,
            &format!("/api/v1/handovers/{hid}/conclude"),
            json!({"outcome": "no_violation", "note": "大队核查时安全出口已开启，值班人员在岗", "version": 2}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["status"], "concluded", "{c}");

    // The brigade sees the town's acts counted apart.
    let v: Value = app.get(&head, &format!("/api/v1/entrustments/{agreement}")).await.json().await.unwrap();
    assert!(
        v["counts"]["inspections"].as_i64().unwrap() >= 1 && v["counts"]["handovers"].as_i64().unwrap() >= 1,
        "{}",
        v["counts"]
    );

    // After the term: nothing more.
    let ends = chrono::NaiveDate::parse_from_str(v["agreement"]["ends_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let days = (ends - app.clock_now().local_date()).num_days() + 1;
    app.clock.advance_minutes(days * 24 * 60);
    let xu = app.token("changqing.town").await;
    refused(
        app.get(&xu, &format!("/api/v1/units/{unit}/inspection-form")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "期限外不能实施执法行为",
    )
    .await;
}

#[tokio::test]
async fn a_brigade_signs_files_publishes_and_revokes_an_agreement() {
    let app = spawn_app().await;
    after_three(&app);
    let head = app.token("zhidui.head").await;
    let he = app.token("linjiang.he").await;
    let gao = app.token("qingshi.town").await;
    let town = app.org_id("临江县青石镇人民政府").await;
    let (units, _) = town_units(&app, &he, &town).await;
    let unit = units[0]["id"].as_str().unwrap().to_string();
    // No agreement: the town can do nothing.
    refused(
        app.get(&gao, &format!("/api/v1/units/{unit}/inspection-form")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "委托协议",
    )
    .await;

    // Only the head signs; bad terms are refused and write nothing.
    let today = app.clock_now().local_date().to_string();
    let body = json!({"town_id": town, "signed_on": today, "town_signatory": "刘志远"});
    refused(app.post(&he, "/api/v1/entrustments", body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "负责人")
        .await;
    let before = app.count("entrustments").await;
    let mut bad = body.clone();
    bad["months"] = json!(0);
    refused(app.post(&head, "/api/v1/entrustments", bad).await, StatusCode::UNPROCESSABLE_ENTITY, "委托期限").await;
    let mut bad = body.clone();
    bad["town_id"] = json!(app.org_id("临江县消防救援大队").await);
    refused(
        app.post(&head, "/api/v1/entrustments", bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "镇人民政府或街道办事处",
    )
    .await;
    assert_eq!(app.count("entrustments").await, before);

    let r = app.post(&head, "/api/v1/entrustments", body.clone()).await;
    let text = r.text().await.unwrap();
    let a: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
    let id = a["id"].as_str().unwrap_or_else(|| panic!("{text}")).to_string();
    assert_eq!(a["powers"], json!(["inspect_non_key_units", "order_correction"]));
    // A second agreement over the same term is refused.
    refused(app.post(&head, "/api/v1/entrustments", body).await, StatusCode::UNPROCESSABLE_ENTITY, "续签").await;
    // Published at once; filing due in 5 working days.
    let public: Value =
        reqwest::get(format!("{}/api/v1/public/entrustments", app.base)).await.unwrap().json().await.unwrap();
    let listed = public.as_array().unwrap().iter().find(|p| p["id"] == json!(id)).expect("published");
    assert_eq!(listed["state"], "生效中");
    assert!(listed["number"].as_str().unwrap().contains("消委字"), "{listed}");
    let v: Value = app.get(&head, &format!("/api/v1/entrustments/{id}")).await.json().await.unwrap();
    assert!(v["filing_due"].is_string(), "{v}");
    let r = app
        .post(
            &he,
            &format!("/api/v1/entrustments/{id}/file"),
            json!({"filed_on": today, "filed_with": "临江县人民政府", "version": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    // Training and assessment: 高峰 is qualified only after passing.
    let gao_id = id_of(&app, "qingshi.town").await;
    let rec = |kind: &str, extra: Value| {
        let mut b = json!({"kind": kind, "on": today, "topic": "委托执法业务培训", "officer_ids": [gao_id]});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    assert_eq!(
        app.post(&he, &format!("/api/v1/entrustments/{id}/records"), rec("training", json!({"days": 3})))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(&he, &format!("/api/v1/entrustments/{id}/records"), rec("assessment", json!({"score": 59})))
            .await
            .status(),
        StatusCode::OK
    );
    refused(
        app.get(&gao, &format!("/api/v1/units/{unit}/inspection-form")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "培训考核",
    )
    .await;
    refused(
        app.post(&he, &format!("/api/v1/entrustments/{id}/records"), rec("assessment", json!({"score": 101}))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "0至100",
    )
    .await;
    assert_eq!(
        app.post(&he, &format!("/api/v1/entrustments/{id}/records"), rec("assessment", json!({"score": 85})))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(app.get(&gao, &format!("/api/v1/units/{unit}/inspection-form")).await.status(), StatusCode::OK);
    let v: Value = app.get(&head, &format!("/api/v1/entrustments/{id}")).await.json().await.unwrap();
    assert_eq!(v["progress"]["training_days"], 3);
    assert_eq!(v["officers"][0]["qualified"], true, "{}", v["officers"]);

    // Revoked with reasons: refused at once, and the portal says so.
    refused(
        app.post(&head, &format!("/api/v1/entrustments/{id}/revoke"), json!({"reason": "", "version": 2})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "理由",
    )
    .await;
    let r = app
        .post(
            &head,
            &format!("/api/v1/entrustments/{id}/revoke"),
            json!({"reason": "超越委托权限对重点单位实施检查", "version": 2}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    refused(
        app.get(&gao, &format!("/api/v1/units/{unit}/inspection-form")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "解除",
    )
    .await;
    let public: Value =
        reqwest::get(format!("{}/api/v1/public/entrustments", app.base)).await.unwrap().json().await.unwrap();
    let listed = public.as_array().unwrap().iter().find(|p| p["id"] == json!(id)).unwrap();
    assert_eq!(
        (listed["state"].as_str(), listed["revoke_reason"].as_str()),
        (Some("已解除"), Some("超越委托权限对重点单位实施检查"))
    );
}

#[tokio::test]
async fn the_demo_town_has_a_year_of_work() {
    let app = spawn_app().await;
    app.services.load_demo_year(&app.system_ctx()).await.unwrap();
    let head = app.token("donghu.head").await;
    let list: Vec<Value> = app.get(&head, "/api/v1/entrustments").await.json().await.unwrap();
    let a = list.iter().find(|a| a["town_name"] == "东湖区长青街道办事处").expect("the demo agreement");
    let v: Value =
        app.get(&head, &format!("/api/v1/entrustments/{}", a["id"].as_str().unwrap())).await.json().await.unwrap();
    let c = &v["counts"];
    assert!(c["inspections"].as_i64().unwrap() >= 12, "{c}");
    assert!(c["archived"].as_i64().unwrap() >= 5, "{c}");
    assert!(c["handovers"].as_i64().unwrap() >= 2, "{c}");
    assert!(c["faults"].as_i64().unwrap() >= 1, "{c}");
    assert!(
        v["acts"].as_array().unwrap().iter().any(|t| !t["returns"].as_array().unwrap().is_empty()),
        "a returned act"
    );
    assert!(v["agreement"]["filed_on"].is_string());
    assert!(
        v["progress"]["quarters"].as_array().unwrap().iter().filter(|q| q["visits"].as_i64().unwrap() > 0).count() >= 3
    );
    assert!(!v["progress"]["behind"].as_array().unwrap().is_empty(), "the training is behind: {}", v["progress"]);
    let handovers: Vec<Value> = app.get(&head, "/api/v1/handovers").await.json().await.unwrap();
    assert!(
        handovers.iter().any(|h| h["status"] == "concluded") && handovers.iter().any(|h| h["status"] == "submitted"),
        "{handovers:?}"
    );
    let public: Value =
        reqwest::get(format!("{}/api/v1/public/entrustments", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(public.as_array().unwrap().len(), 2);
}
