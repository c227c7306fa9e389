//! The working-day calendar over HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn deadline_counts_working_days_through_the_spring_festival() {
    let app = spawn_app().await;
    let t = app.token("donghu.li").await;
    let r: Value = app.get(&t, "/api/v1/calendar/deadline?from=2026-02-12&working_days=3").await.json().await.unwrap();
    assert_eq!(r["due"], "2026-02-24");
    assert_eq!(r["due_weekday"], "星期二");
    assert_eq!(r["warnings"], json!([]));
    let r: Value = app.get(&t, "/api/v1/calendar/deadline?from=2026-09-30&calendar_days=1").await.json().await.unwrap();
    assert_eq!(r["due"], "2026-10-08", "a period ending in the National Day holiday moves to the next working day");
    let r: Value =
        app.get(&t, "/api/v1/calendar/deadline?from=2026-09-30&calendar_days_exact=1").await.json().await.unwrap();
    assert_eq!(r["due"], "2026-10-01");
}

#[tokio::test]
async fn a_year_without_a_published_calendar_warns_until_the_administrator_enters_it() {
    let app = spawn_app().await;
    let t = app.token("donghu.li").await;
    let r: Value = app.get(&t, "/api/v1/calendar/deadline?from=2026-12-28&working_days=5").await.json().await.unwrap();
    assert_eq!(r["due"], "2027-01-04");
    assert!(r["warnings"][0].as_str().unwrap().contains("2027年的节假日安排尚未录入"));

    // An officer may not edit the calendar.
    let put = app.put(&t, "/api/v1/calendar/days/2027-01-01", json!({ "kind": "holiday", "name": "元旦" })).await;
    assert_eq!(put.status(), StatusCode::FORBIDDEN);

    let sys = app.token("sysadmin").await;
    for (date, kind) in [("2027-01-01", "holiday"), ("2027-01-04", "holiday")] {
        let r = app.put(&sys, &format!("/api/v1/calendar/days/{date}"), json!({ "kind": kind, "name": "元旦" })).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    let r = app
        .put(
            &sys,
            "/api/v1/calendar/years/2027",
            json!({ "published": true, "source": "国务院办公厅关于2027年部分节假日安排的通知" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r: Value = app.get(&t, "/api/v1/calendar/deadline?from=2026-12-28&working_days=5").await.json().await.unwrap();
    assert_eq!(r["due"], "2027-01-06", "1 January and the (test) 4 January are now holidays");
    assert_eq!(r["warnings"], json!([]));
    let year: Value = app.get(&t, "/api/v1/calendar/years/2027").await.json().await.unwrap();
    assert_eq!(year["published"], true);
    assert_eq!(year["days"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_calendar_input_names_the_field() {
    let app = spawn_app().await;
    let t = app.token("sysadmin").await;
    let r = app.get(&t, "/api/v1/calendar/deadline?from=2026-02-30&working_days=3").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "from");
    let r = app.get(&t, "/api/v1/calendar/deadline?from=2026-02-12&working_days=3&calendar_days=2").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.put(&t, "/api/v1/calendar/days/2026-11-20", json!({ "kind": "makeup_workday", "name": "测试" })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a Friday cannot be a make-up working day");
    assert!(r.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("不是周末"));
    let r = app.get(&t, "/api/v1/calendar/deadline?from=2026-02-12&working_days=x").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "working_days");
    assert!(e["error"]["message"].as_str().unwrap().contains("working_days"));
    let r = app.get(&t, "/api/v1/calendar/deadline?from=2026-02-12&working_days=3&colour=red").await;
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["message"], "不接受字段“colour”");
}
