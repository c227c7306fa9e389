//! 双随机、一公开 through the API: items, a plan announced with its digests and commitment, drawn,
//! verified by anyone (also with `firelaw draw verify`), results recorded and published; and every way a
//! plan or a draw is refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

async fn item_id(app: &TestApp, token: &str, org: &str, name: &str) -> String {
    let items: Vec<Value> = app.get(token, &format!("/api/v1/check-items?org_id={org}")).await.json().await.unwrap();
    items.iter().find(|i| i["name"].as_str().unwrap().starts_with(name)).expect(name)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn next_month(app: &TestApp) -> String {
    let d = app.clock_now().local_date();
    let n = d.checked_add_months(chrono::Months::new(1)).unwrap();
    use chrono::Datelike;
    format!("{}-{:02}", n.year(), n.month())
}

#[tokio::test]
async fn a_plan_is_announced_drawn_verified_by_anyone_and_its_results_published() {
    let app = spawn_app().await;
    let head = app.token("donghu.head").await;
    let dh = app.org_id("东湖区消防救援大队").await;
    let item = item_id(&app, &head, &dh, "人员密集场所类").await;
    let r = app
        .post(
            &head,
            "/api/v1/check-plans",
            json!({ "org_id": dh, "item_id": item, "period": next_month(&app), "quantity": "40%", "rotation": false }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let plan: Value = r.json().await.unwrap();
    let id = plan["id"].as_str().unwrap().to_string();
    assert_eq!(plan["status"], "draft");
    // Drafts are not public.
    let public = reqwest::get(format!("{}/api/v1/public/check-plans", app.base)).await.unwrap().text().await.unwrap();
    assert!(!public.contains(&id));

    let pool: Value = app.get(&head, &format!("/api/v1/check-plans/{id}/pool")).await.json().await.unwrap();
    assert!(pool["units"].as_u64().unwrap() > 0);
    assert!(pool["ineligible"].to_string().contains("张伟"), "an expired certificate keeps 张伟 out: {pool}");

    let announced: Value = app
        .post(&head, &format!("/api/v1/check-plans/{id}/announce"), json!({ "version": 1 }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(announced["status"], "announced", "{announced}");
    assert_eq!(announced["pool_digest"].as_str().unwrap().len(), 64);
    assert_eq!(announced["commitment"].as_str().unwrap().len(), 64);
    assert!(announced["secret"].as_str().unwrap().is_empty(), "the secret stays secret until the draw");
    let public: Value =
        reqwest::get(format!("{}/api/v1/public/check-plans/{id}", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(public["plan"]["commitment"], announced["commitment"]);
    // Announced means fixed: a second announcement is refused.
    assert_eq!(
        app.post(&head, &format!("/api/v1/check-plans/{id}/announce"), json!({ "version": 2 })).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let drawn: Value = app
        .post(
            &head,
            &format!("/api/v1/check-plans/{id}/draw"),
            json!({ "version": 2, "beacon": "2026-12-01 体彩排列3 501" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(drawn["status"], "drawn", "{drawn}");
    let quota: u64 = drawn["quota"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    let detail: Value = app.get(&head, &format!("/api/v1/check-plans/{id}")).await.json().await.unwrap();
    let tasks = detail["tasks"].as_array().unwrap();
    assert_eq!(tasks.len() as u64, quota);
    let conflicts: Vec<Value> =
        app.get(&head, &format!("/api/v1/officer-conflicts?org_id={dh}")).await.json().await.unwrap();
    let conflict = &conflicts[0];
    for t in tasks {
        let officers = t["officers"].as_array().unwrap();
        assert_eq!(officers.len(), 2, "pairs");
        assert!(officers.iter().all(|o| o[1] != "张伟"));
        if t["unit_id"] == conflict["unit_id"] {
            assert!(officers.iter().all(|o| o[0] != conflict["account_id"]), "recusal respected");
        }
    }

    // Anyone re-runs the draw from the public record.
    let record: Value = reqwest::get(format!("{}/api/v1/public/check-plans/{id}/record", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let parsed: domain::random_check::record::DrawRecord = serde_json::from_value(record.clone()).unwrap();
    domain::random_check::record::verify(&parsed).unwrap();
    let dir = std::env::temp_dir().join(format!("firelaw-draw-{}", domain::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("record.json");
    std::fs::write(&good, serde_json::to_vec(&record).unwrap()).unwrap();
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_firelaw")).args(["draw", "verify"]).arg(&good).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("复核通过"));
    let mut forged = record.clone();
    let first = forged["assignments"][0]["unit_id"].clone();
    let other = forged["pool"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].clone())
        .find(|u| !forged["assignments"].as_array().unwrap().iter().any(|a| a["unit_id"] == *u))
        .unwrap();
    assert_ne!(first, other);
    forged["assignments"][0]["unit_id"] = other;
    let bad = dir.join("forged.json");
    std::fs::write(&bad, serde_json::to_vec(&forged).unwrap()).unwrap();
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_firelaw")).args(["draw", "verify"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("复核不通过"));
    std::fs::remove_dir_all(dir).unwrap();

    // An assigned officer records the result; it is public only once published.
    let task = &tasks[0];
    let officer = task["officers"][0][0].as_str().unwrap().to_string();
    let username = app.text_of(&format!("SELECT username FROM accounts WHERE id = '{officer}'")).await.unwrap();
    let t = app.token(&username).await;
    let checked_on = app.clock_now().local_date().to_string();
    let r = app
        .post(
            &t,
            &format!("/api/v1/check-tasks/{}/result", task["id"].as_str().unwrap()),
            json!({ "result": "no_problem", "checked_on": checked_on }),
        )
        .await;
    // The plan period starts next month: a check cannot be dated before it.
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.clock.advance_minutes(40 * 24 * 60);
    let t = app.token(&username).await;
    let checked_on = app.clock_now().local_date().to_string();
    let r = app
        .post(
            &t,
            &format!("/api/v1/check-tasks/{}/result", task["id"].as_str().unwrap()),
            json!({ "result": "no_problem", "note": "未发现问题", "checked_on": checked_on }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let public: Value =
        reqwest::get(format!("{}/api/v1/public/check-plans/{id}", app.base)).await.unwrap().json().await.unwrap();
    assert!(public["tasks"][0]["result"].is_null(), "not yet published");
    let head = app.token("donghu.head").await;
    let r: Value = app.post(&head, &format!("/api/v1/check-plans/{id}/publish"), json!({})).await.json().await.unwrap();
    assert_eq!(r["published"], 1);
    let public: Value =
        reqwest::get(format!("{}/api/v1/public/check-plans/{id}", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(public["tasks"][0]["result"], "no_problem");
    // A published result is final.
    let r = app
        .post(
            &t,
            &format!("/api/v1/check-tasks/{}/result", task["id"].as_str().unwrap()),
            json!({ "result": "closed", "checked_on": checked_on }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_plans_are_refused_and_a_failed_draw_writes_nothing() {
    let app = spawn_app().await;
    let head = app.token("donghu.head").await;
    let dh = app.org_id("东湖区消防救援大队").await;
    let item = item_id(&app, &head, &dh, "人员密集场所类").await;
    let period = next_month(&app);

    let r = app.post(&head, "/api/v1/check-plans", json!({ "org_id": dh, "item_id": item, "period": "2026-13" })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "period");
    // An officer does not plan.
    let li = app.token("donghu.li").await;
    assert_eq!(
        app.post(&li, "/api/v1/check-plans", json!({ "org_id": dh, "item_id": item, "period": period })).await.status(),
        StatusCode::FORBIDDEN
    );

    // More units asked for than the pool holds.
    let p: Value = app
        .post(
            &head,
            "/api/v1/check-plans",
            json!({ "org_id": dh, "item_id": item, "period": period, "quantity": "5000" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(&head, &format!("/api/v1/check-plans/{}/announce", p["id"].as_str().unwrap()), json!({ "version": 1 }))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("少于计划抽取的5000家"));

    // An empty pool: an item whose scope matches nothing.
    let empty = app
        .post(&head, "/api/v1/check-items", json!({
            "org_id": dh, "name": "加油站专项抽查", "basis": "《消防法》第五十三条", "quantity": "50%", "frequency": "monthly",
            "scope": { "venue_kinds_any": ["power"] },
        }))
        .await;
    assert_eq!(empty.status(), StatusCode::CREATED);
    let empty_item = empty.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let p: Value = app
        .post(&head, "/api/v1/check-plans", json!({ "org_id": dh, "item_id": empty_item, "period": period }))
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(&head, &format!("/api/v1/check-plans/{}/announce", p["id"].as_str().unwrap()), json!({ "version": 1 }))
        .await;
    assert!(r.text().await.unwrap().contains("没有符合该事项范围"));

    // An officer pool too small for pairs: everyone but one is on leave for the whole period.
    let members: Vec<Value> = app.get(&head, &format!("/api/v1/officer-pool?org_id={dh}")).await.json().await.unwrap();
    let eligible: Vec<&Value> = members.iter().filter(|m| m["eligible"] == true).collect();
    assert!(eligible.len() >= 3);
    let d = app.clock_now().local_date().checked_add_months(chrono::Months::new(1)).unwrap();
    use chrono::Datelike;
    let from = d.with_day(1).unwrap();
    let to = from.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
    let mut ids = Vec::new();
    for m in &eligible[1..] {
        let r = app
            .post(
                &head,
                "/api/v1/officer-absences",
                json!({ "account_id": m["id"], "kind": "training", "from": from.to_string(), "to": to.to_string() }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    let p: Value = app
        .post(
            &head,
            "/api/v1/check-plans",
            json!({ "org_id": dh, "item_id": item, "period": period, "rotation": false }),
        )
        .await
        .json()
        .await
        .unwrap();
    let pid = p["id"].as_str().unwrap().to_string();
    let r = app.post(&head, &format!("/api/v1/check-plans/{pid}/announce"), json!({ "version": 1 })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("少于每组2人"));
    for id in ids {
        assert_eq!(app.delete(&head, &format!("/api/v1/officer-absences/{id}")).await.status(), StatusCode::NO_CONTENT);
    }

    // A pool changed behind the application's back after announcement: the draw fails and writes nothing.
    let announced: Value = app
        .post(&head, &format!("/api/v1/check-plans/{pid}/announce"), json!({ "version": 1 }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(announced["status"], "announced", "{announced}");
    let unit = app
        .text_of(&format!("SELECT unit_id FROM check_plan_units WHERE plan_id = '{pid}' ORDER BY unit_id LIMIT 1"))
        .await
        .unwrap();
    app.raw_sql(&format!("DELETE FROM check_plan_units WHERE plan_id = '{pid}' AND unit_id = '{unit}'")).await;
    let tasks_before = app.count("check_tasks").await;
    let audit_before = app.count("audit_log").await;
    let r = app.post(&head, &format!("/api/v1/check-plans/{pid}/draw"), json!({ "version": 2 })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("与公布的摘要不一致"));
    assert_eq!(app.count("check_tasks").await, tasks_before);
    assert_eq!(app.count("audit_log").await, audit_before);
    let still: Value = app.get(&head, &format!("/api/v1/check-plans/{pid}")).await.json().await.unwrap();
    assert_eq!(still["plan"]["status"], "announced");

    // It can be cancelled with a reason, which stays public.
    let r = app
        .post(
            &head,
            &format!("/api/v1/check-plans/{pid}/cancel"),
            json!({ "version": 2, "reason": "名录数据异常，重新制定计划" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let public: Value =
        reqwest::get(format!("{}/api/v1/public/check-plans/{pid}", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(public["plan"]["cancel_reason"], "名录数据异常，重新制定计划");
}

#[tokio::test]
async fn the_demo_plan_is_on_the_public_portal_without_login() {
    let app = spawn_app().await;
    let page = reqwest::get(format!("{}/public/checks", app.base)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("人员密集场所类消防安全重点单位消防监督抽查计划"));
    let id = html.split("href=\"/public/checks/").nth(1).unwrap().split('"').next().unwrap();
    let detail = reqwest::get(format!("{}/public/checks/{id}", app.base)).await.unwrap().text().await.unwrap();
    assert!(detail.contains("随机种子") && detail.contains("未发现问题"), "a published result is shown");
    assert!(!detail.contains("发现2处隐患"), "an unpublished result is not");
}

#[tokio::test]
async fn a_station_officer_sent_on_a_brigade_task_sees_the_plan_and_records_the_result() {
    let app = spawn_app().await;
    let head = app.token("donghu.head").await;
    let plans: Vec<Value> = app.get(&head, "/api/v1/check-plans").await.json().await.unwrap();
    let plan = plans.iter().find(|p| p["status"] == "drawn").expect("the demo's drawn plan");
    let id = plan["id"].as_str().unwrap();
    let detail: Value = app.get(&head, &format!("/api/v1/check-plans/{id}")).await.json().await.unwrap();
    let station = app.text_of("SELECT id FROM accounts WHERE username = 'nanhu.station'").await.unwrap();
    let task =
        detail["tasks"].as_array().unwrap().iter().find(|t| t["result"].is_null()).expect("an open task").clone();
    let task_id = task["id"].as_str().unwrap();
    // As if the draw had sent 马骏 (南湖路站) on this task (unless it did).
    if !task["officers"].as_array().unwrap().iter().any(|o| o[0] == station.as_str()) {
        app.raw_sql(&format!(
            "UPDATE check_task_officers SET account_id = '{station}' WHERE task_id = '{task_id}' AND position = 0"
        ))
        .await;
    }
    let ma = app.token("nanhu.station").await;
    assert_eq!(app.get(&ma, &format!("/api/v1/check-plans/{id}")).await.status(), StatusCode::OK);
    let r = app
        .post(
            &ma,
            &format!("/api/v1/check-tasks/{task_id}/result"),
            json!({ "result": "no_problem", "checked_on": app.clock_now().local_date().to_string() }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // Another station's officer, not sent, sees nothing.
    let other = app.token("xishan.liu").await;
    assert_eq!(app.get(&other, &format!("/api/v1/check-plans/{id}")).await.status(), StatusCode::NOT_FOUND);
}
