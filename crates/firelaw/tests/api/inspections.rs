//! 消防监督检查 through the API: an inspection with hazards and evidence, the correction order numbered,
//! rendered and verified, served; the party's application; the 复查 that closes one hazard and escalates
//! another; and every way a record is refused without writing anything.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// A tiny valid JPEG header is enough for type sniffing; the bytes after it are the photo.
fn jpeg(n: usize) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1];
    v.extend(std::iter::repeat_n(0x42u8, n));
    v
}

fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    v.extend([0u8; 64]);
    v
}

struct Setup {
    token: String,
    unit: String,
    officers: Vec<String>,
    expired: String,
}

async fn setup(app: &TestApp) -> Setup {
    // Records start two hours before "now": shortly after local midnight they would fall on yesterday,
    // before what the tests do "today". Move the application's clock past 03:00 local first.
    let hour = chrono::Timelike::hour(&app.clock_now().to_local());
    if hour < 3 {
        let minute = chrono::Timelike::minute(&app.clock_now().to_local());
        app.clock.advance_minutes(i64::from((3 - hour) * 60 - minute));
    }
    let token = app.token("donghu.li").await;
    let dh = app.org_id("东湖区消防救援大队").await;
    let units: Value = app.get(&token, &format!("/api/v1/units?org_id={dh}")).await.json().await.unwrap();
    let unit = units["units"][0]["id"].as_str().unwrap_or_else(|| panic!("{units}")).to_string();
    let form: Value = app.get(&token, &format!("/api/v1/units/{unit}/inspection-form")).await.json().await.unwrap();
    assert!(form["officers"].is_array(), "{form}");
    let names: Vec<(String, String)> = form["officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o[0].as_str().unwrap().to_string(), o[1].as_str().unwrap().to_string()))
        .collect();
    assert!(!names.iter().any(|(_, n)| n == "张伟"), "an expired certificate is not offered: {names:?}");
    assert!(form["items"].as_array().unwrap().iter().any(|i| i["code"] == "G07"));
    let pick = |n: &str| names.iter().find(|(_, x)| x == n).unwrap().0.clone();
    let expired = app.text_of("SELECT id FROM accounts WHERE username = 'donghu.zhang'").await.unwrap();
    Setup { officers: vec![pick("李想"), pick("王磊")], token, unit, expired }
}

fn times(app: &TestApp) -> (String, String) {
    let now = app.clock_now();
    (now.plus_hours(-2).to_rfc3339(), now.plus_hours(-1).to_rfc3339())
}

fn body(app: &TestApp, s: &Setup, hazards: Value) -> Value {
    let (start, end) = times(app);
    json!({
        "unit_id": s.unit, "kind": "key_unit_routine", "started_at": start, "ended_at": end,
        "officer_ids": s.officers, "representative": "周经理",
        "findings": [{"code": "G07", "result": "fail"}, {"code": "G05", "result": "pass"}],
        "hazards": hazards,
    })
}

fn deadline_in(app: &TestApp, days: u64) -> String {
    app.clock_now().local_date().checked_add_days(chrono::Days::new(days)).unwrap().to_string()
}

#[tokio::test]
async fn the_whole_loop_inspect_order_apply_reinspect_escalate() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let photo: Value = app.upload(&s.token, "photo", "三楼通道.jpg", jpeg(5000)).await.json().await.unwrap();
    assert_eq!(photo["sm3"].as_str().unwrap().len(), 64, "{photo}");
    let sig: Value = app.upload(&s.token, "signature", "sig.png", png()).await.json().await.unwrap();

    let mut b = body(
        &app,
        &s,
        json!([
            {"item_code": "G07", "description": "三楼东侧疏散通道堆放纸箱", "disposition": "deadline", "difficulty": "easy", "deadline": deadline_in(&app, 7)},
            {"item_code": "G08", "description": "一楼室内消火栓被货架遮挡", "disposition": "deadline", "deadline": deadline_in(&app, 7)},
            {"item_code": "G12", "description": "楼梯间停放电动自行车一辆", "disposition": "on_site", "tags": ["电动自行车违规停放充电"]},
        ]),
    );
    b["evidence_ids"] = json!([photo["id"]]);
    b["signatures"] = json!([{"role": "representative", "name": "周经理", "evidence_id": sig["id"]}]);
    let r = app.post(&s.token, "/api/v1/inspections", b).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let i: Value = r.json().await.unwrap();
    let id = i["id"].as_str().unwrap().to_string();
    assert_eq!(i["hazard_count"], 3);
    assert_eq!(i["officers"][0]["certificate_no"], "JC-2021-0231");

    let d: Value = app.get(&s.token, &format!("/api/v1/inspections/{id}")).await.json().await.unwrap();
    assert_eq!(d["evidence"].as_array().unwrap().len(), 2, "photo and signature attached");
    assert_eq!(d["unordered"], 2);
    let rules: Vec<&str> =
        d["deadlines"].as_array().unwrap().iter().map(|w| w["deadline"]["rule_code"].as_str().unwrap()).collect();
    assert_eq!(rules.iter().filter(|r| **r == "order_service").count(), 1);
    assert_eq!(rules.iter().filter(|r| **r == "reinspection").count(), 2);
    assert!(d["deadlines"].to_string().contains("《消防监督检查规定》第十九条"));

    // The correction order: numbered, rendered, stored with its SM3, publicly verifiable.
    let order: Value = app
        .post(&s.token, &format!("/api/v1/inspections/{id}/correction-order"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    let number = order["number"].as_str().unwrap();
    let year = app.clock_now().to_local().format("%Y").to_string();
    assert_eq!(number, format!("东湖消限字〔{year}〕第0001号"), "{order}");
    assert_eq!(order["notice"]["table"]["rows"].as_array().unwrap().len(), 2);
    let again = app.post(&s.token, &format!("/api/v1/inspections/{id}/correction-order"), json!({})).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY, "the hazards are already ordered");
    let doc = order["id"].as_str().unwrap();
    let pdf = app.get(&s.token, &format!("/api/v1/documents/{doc}/pdf")).await.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let docx = app.get(&s.token, &format!("/api/v1/documents/{doc}/docx")).await.bytes().await.unwrap();
    assert!(docx.starts_with(b"PK"));
    let v: Value =
        reqwest::get(format!("{}/api/v1/public/documents/{doc}", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(v["number"], number);
    assert_eq!(v["pdf_sm3"], order["pdf_sm3"]);
    let page = reqwest::get(format!("{}/verify/{doc}", app.base)).await.unwrap().text().await.unwrap();
    assert!(page.contains(number) && page.contains("已制作，待送达"));
    // The record itself is another series.
    let rec: Value =
        app.post(&s.token, &format!("/api/v1/inspections/{id}/record-document"), json!({})).await.json().await.unwrap();
    assert_eq!(rec["number"], format!("东湖消检字〔{year}〕第0001号"), "{rec}");
    // Its 照片附页 holds the site photo (not the signatures).
    assert_eq!(rec["notice"]["photos"].as_array().unwrap().len(), 1, "{rec}");
    assert!(rec["pdf_size"].as_i64().unwrap() > order["pdf_size"].as_i64().unwrap());

    // Service meets the 3-working-day due date.
    let served = app
        .post(
            &s.token,
            &format!("/api/v1/documents/{doc}/serve"),
            json!({"method": "直接送达", "receiver": "周经理", "version": 1}),
        )
        .await;
    assert_eq!(served.status(), StatusCode::OK, "{}", served.text().await.unwrap());
    let d: Value = app.get(&s.token, &format!("/api/v1/inspections/{id}")).await.json().await.unwrap();
    let service =
        d["deadlines"].as_array().unwrap().iter().find(|w| w["deadline"]["rule_code"] == "order_service").unwrap();
    assert_eq!(service["deadline"]["status"], "met");

    // A 复查 before anything is due is refused, and writes nothing.
    let before = app.count("inspections").await;
    let audit_before = app.count("audit_log").await;
    let (start, end) = times(&app);
    let re = json!({"unit_id": s.unit, "kind": "reinspection", "started_at": start, "ended_at": end, "officer_ids": s.officers,
        "representative": "周经理", "reinspection_of": id});
    let r = app.post(&s.token, "/api/v1/inspections", re.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("第十九条"));
    assert_eq!((app.count("inspections").await, app.count("audit_log").await), (before, audit_before));

    // The party applies for a 复查 of both hazards today: the 复查 becomes due.
    let hazards: Vec<Value> =
        d["hazards"].as_array().unwrap().iter().filter(|h| h["status"] == "open").cloned().collect();
    assert_eq!(hazards.len(), 2);
    for h in &hazards {
        let r = app
            .post(
                &s.token,
                &format!("/api/v1/hazards/{}/apply-reinspection", h["id"].as_str().unwrap()),
                json!({"applied_on": app.clock_now().local_date().to_string()}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    let mine: Vec<Value> = app.get(&s.token, "/api/v1/worklist?mine=true").await.json().await.unwrap();
    assert!(mine.iter().any(|w| w["deadline"]["rule_code"] == "reinspection" && w["urgency"] != "overdue"));

    // The 复查 must decide every due hazard.
    let mut partial = re.clone();
    partial["outcomes"] = json!([{"hazard_id": hazards[0]["id"], "rectified": true}]);
    let r = app.post(&s.token, "/api/v1/inspections", partial).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text().await.unwrap();
    assert!(t.contains("复查结果"), "{t}");
    let mut full = re.clone();
    full["outcomes"] = json!([
        {"hazard_id": hazards[0]["id"], "rectified": true},
        {"hazard_id": hazards[1]["id"], "rectified": false, "escalation": "penalty"},
    ]);
    let r = app.post(&s.token, "/api/v1/inspections", full).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let re: Value = r.json().await.unwrap();
    let opinion: Value = app
        .post(&s.token, &format!("/api/v1/inspections/{}/reinspection-opinion", re["id"].as_str().unwrap()), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(opinion["number"], format!("东湖消复字〔{year}〕第0001号"), "{opinion}");
    let rows = opinion["notice"]["table"]["rows"].to_string();
    assert!(rows.contains("已改正") && rows.contains("未改正，移送立案调查"), "{rows}");
    // A first inspection has no 复查意见书.
    assert_eq!(
        app.post(&s.token, &format!("/api/v1/inspections/{id}/reinspection-opinion"), json!({})).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let h0: Value = app
        .get(&s.token, &format!("/api/v1/hazards/{}", hazards[0]["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    let h1: Value = app
        .get(&s.token, &format!("/api/v1/hazards/{}", hazards[1]["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (h0["status"].as_str(), h1["status"].as_str(), h1["escalation"].as_str()),
        (Some("rectified"), Some("escalated"), Some("penalty"))
    );
    let open: Vec<Value> = app.get(&s.token, "/api/v1/worklist").await.json().await.unwrap();
    assert!(
        !open.iter().any(|w| w["deadline"]["subject_id"] == hazards[0]["id"]),
        "the 复查 met the hazard's due dates"
    );
}

#[tokio::test]
async fn bad_records_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let before = (app.count("inspections").await, app.count("hazards").await, app.count("audit_log").await);
    let check = |r: reqwest::Response, needle: &'static str| async move {
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let t = r.text().await.unwrap();
        assert!(t.contains(needle), "expected {needle}: {t}");
    };

    let mut one = body(&app, &s, json!([]));
    one["officer_ids"] = json!([s.officers[0]]);
    check(app.post(&s.token, "/api/v1/inspections", one).await, "不得少于2人").await;

    let mut expired = body(&app, &s, json!([]));
    expired["officer_ids"] = json!([s.officers[0], s.expired]);
    check(app.post(&s.token, "/api/v1/inspections", expired).await, "过期").await;

    let yesterday = app.clock_now().local_date().pred_opt().unwrap().to_string();
    let early = body(
        &app,
        &s,
        json!([{"description": "疏散通道堆放杂物", "basis": "《消防法》第六十条", "disposition": "deadline", "deadline": yesterday}]),
    );
    check(app.post(&s.token, "/api/v1/inspections", early).await, "应晚于检查日期").await;

    let mut unsigned = body(&app, &s, json!([]));
    unsigned["representative"] = json!("");
    unsigned["refused_to_sign"] = json!(true);
    check(app.post(&s.token, "/api/v1/inspections", unsigned).await, "见证人").await;

    assert_eq!((app.count("inspections").await, app.count("hazards").await, app.count("audit_log").await), before);

    // Uploads: not what the name says, too big, not a photo.
    check(app.upload(&s.token, "photo", "a.png", jpeg(10)).await, "不符").await;
    check(app.upload(&s.token, "photo", "a.jpg", b"just some text....".to_vec()).await, "无法识别").await;
    check(app.upload(&s.token, "photo", "big.jpg", jpeg(21 << 20)).await, "20 MB").await;
    assert_eq!(app.count("evidence").await, 0);

    // Another user cannot attach my upload; a leader cannot inspect at all.
    let photo: Value = app.upload(&s.token, "photo", "x.jpg", jpeg(100)).await.json().await.unwrap();
    let other = app.token("donghu.wang").await;
    let mut b = body(&app, &s, json!([]));
    b["evidence_ids"] = json!([photo["id"]]);
    check(app.post(&other, "/api/v1/inspections", b).await, "已归入其他记录").await;
    let leader = app.token("zhidui.leader").await;
    assert_eq!(
        app.post(&leader, "/api/v1/inspections", body(&app, &s, json!([]))).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_changed_evidence_file_is_refused_on_download() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let photo: Value = app.upload(&s.token, "photo", "现场.jpg", jpeg(300)).await.json().await.unwrap();
    let id = photo["id"].as_str().unwrap();
    let ok = app.get(&s.token, &format!("/api/v1/evidence/{id}/file")).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.bytes().await.unwrap().len(), 312);
    let key = app.text_of(&format!("SELECT storage_key FROM evidence WHERE id = '{id}'")).await.unwrap();
    app.overwrite_stored_file(&key, jpeg(301)).await;
    let bad = app.get(&s.token, &format!("/api/v1/evidence/{id}/file")).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("篡改"));
}

#[tokio::test]
async fn the_daily_job_alerts_the_officer_once_per_due_date_and_kind() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let b = body(
        &app,
        &s,
        json!([{"item_code": "G07", "description": "三楼东侧疏散通道堆放纸箱", "disposition": "deadline", "deadline": deadline_in(&app, 7)}]),
    );
    assert_eq!(app.post(&s.token, "/api/v1/inspections", b).await.status(), StatusCode::OK);
    let ctx = domain::audit::Ctx { actor: None, ip: "127.0.0.1".into(), request_id: "t".into(), now: app.clock_now() };
    // Nothing is due yet unless the order's 3 working days are near; move to the day after the order's due date.
    app.clock.advance_minutes(6 * 24 * 60);
    let ctx = domain::audit::Ctx { now: app.clock_now(), ..ctx };
    let n = app.services.raise_deadline_alerts(&ctx).await.unwrap();
    assert!(n >= 1, "the unserved order is overdue");
    assert_eq!(app.services.raise_deadline_alerts(&ctx).await.unwrap(), 0, "raised once");
    let alerts: Vec<Value> = app.get(&s.token, "/api/v1/alerts").await.json().await.unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a["kind"] == "overdue" && a["message"].as_str().unwrap().contains("责令（限期）改正通知书")),
        "{alerts:?}"
    );
    let home = {
        let (c, _) = app.browser_login("donghu.li").await;
        c.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap()
    };
    assert!(home.contains("已逾期"), "the home page shows the overdue item");
}

#[tokio::test]
async fn the_demo_holds_a_year_of_inspections_with_documents_numbered_by_year() {
    let app = spawn_app().await;
    let ctx = app.system_ctx();
    let year = app.services.load_demo_year(&ctx).await.unwrap();
    assert!(year.inspections >= 100, "{year:?}");
    assert!(year.documents >= 40, "{year:?}");
    // A second load changes nothing.
    assert_eq!(app.services.load_demo_year(&ctx).await.unwrap().inspections, 0);
    let token = app.token("donghu.chief").await;
    let list: Vec<Value> = app.get(&token, "/api/v1/inspections?limit=500").await.json().await.unwrap();
    let months: std::collections::BTreeSet<String> = list
        .iter()
        .map(|i| i["started_at"].as_i64().unwrap())
        .map(|t| domain::time::Timestamp(t).local_date().format("%Y-%m").to_string())
        .collect();
    assert!(months.len() >= 12, "a year of months: {months:?}");
    let hazards: Vec<Value> = app.get(&token, "/api/v1/hazards?limit=1000").await.json().await.unwrap();
    for s in ["rectified", "open", "escalated", "corrected_on_site"] {
        assert!(hazards.iter().any(|h| h["status"] == s), "some hazards are {s}");
    }
    let rows = app.db.query("SELECT number FROM documents", vec![]).await.unwrap();
    let numbers: String = rows.iter().map(|r| r.get::<String>("number").unwrap()).collect::<Vec<_>>().join(" ");
    let this_year = app.clock_now().to_local().format("%Y").to_string();
    assert!(numbers.contains(&format!("东湖消限字〔{this_year}〕第0001号")));
    let last_year = (this_year.parse::<i32>().unwrap() - 1).to_string();
    assert!(numbers.contains(&format!("〔{last_year}〕第0001号")), "last year's series starts at 1 too");
    let majors: Vec<Value> = app.get(&token, "/api/v1/major-hazards").await.json().await.unwrap();
    assert_eq!(majors[0]["status"], "supervised");
    let public = reqwest::get(format!("{}/api/v1/public/exposures", app.base)).await.unwrap().text().await.unwrap();
    assert!(public.contains("汽油"));
    // The audit chain stays intact through a year of history.
    assert!(app.services.verify_audit_chain().await.unwrap().first_break.is_none());
}
