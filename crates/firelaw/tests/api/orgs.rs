//! The org tree through the API: validation, concurrency, group commit.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn bad_input_gets_a_chinese_message_naming_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let t = app.token("sysadmin").await;
    let parent = app.org_id("东湖区消防救援大队").await;
    let before = app.count("orgs").await;
    let audit_before = app.count("audit_log").await;

    let unknown = app
        .post(
            &t,
            "/api/v1/orgs",
            json!({ "parent_id": parent, "name": "东湖区新站", "level": "station", "colour": "red" }),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = unknown.json().await.unwrap();
    assert_eq!(e["error"]["field"], "colour");
    assert_eq!(e["error"]["message"], "不接受字段“colour”");

    let missing = app.post(&t, "/api/v1/orgs", json!({ "parent_id": parent, "name": "东湖区新站" })).await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"]["field"], "level");

    let level =
        app.post(&t, "/api/v1/orgs", json!({ "parent_id": parent, "name": "东湖区新站", "level": "team" })).await;
    let e: Value = level.json().await.unwrap();
    assert_eq!(e["error"]["field"], "level");
    assert!(e["error"]["message"].as_str().unwrap().contains("机构层级无效"));

    let nesting = app
        .post(&t, "/api/v1/orgs", json!({ "parent_id": parent, "name": "东湖区某支队", "level": "detachment" }))
        .await;
    assert!(
        nesting.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("大队下不能设立支队")
    );

    let wrong_type = reqwest::Client::new()
        .post(format!("{}/api/v1/orgs", app.base))
        .bearer_auth(&t)
        .header("content-type", "text/plain")
        .body(json!({ "parent_id": parent, "name": "东湖区新站", "level": "station" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let garbage = reqwest::Client::new()
        .post(format!("{}/api/v1/orgs", app.base))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(app.count("orgs").await, before, "nothing written");
    assert_eq!(app.count("audit_log").await, audit_before, "nothing audited either");
}

#[tokio::test]
async fn a_change_with_a_stale_version_is_refused() {
    let app = spawn_app().await;
    let t = app.token("sysadmin").await;
    let id = app.org_id("西山区西山消防救援站").await;
    let org: Value = app.get(&t, &format!("/api/v1/orgs/{id}")).await.json().await.unwrap();
    let v = org["version"].as_i64().unwrap();
    let first = app
        .put(
            &t,
            &format!("/api/v1/orgs/{id}"),
            json!({ "name": "西山区西山路消防救援站", "active": true, "version": v }),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.json::<Value>().await.unwrap()["version"], v + 1);
    let stale = app
        .put(&t, &format!("/api/v1/orgs/{id}"), json!({ "name": "西山区旧名站", "active": true, "version": v }))
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let now: Value = app.get(&t, &format!("/api/v1/orgs/{id}")).await.json().await.unwrap();
    assert_eq!(now["name"], "西山区西山路消防救援站");
}

#[tokio::test]
async fn concurrent_writes_share_commits_and_every_one_is_audited() {
    let app = spawn_app().await;
    let t = app.token("sysadmin").await;
    let parent = app.org_id("临江县消防救援大队").await;
    let audit_before = app.count("audit_log").await;
    let mut tasks = Vec::new();
    for i in 0..64 {
        let url = format!("{}/api/v1/orgs", app.base);
        let (t, parent) = (t.clone(), parent.clone());
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(t)
                .json(&json!({ "parent_id": parent, "name": format!("临江县第{i}消防救援站"), "level": "station" }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::CREATED);
    }
    assert_eq!(app.count("audit_log").await, audit_before + 64);
    let report = app.services.verify_audit_chain().await.unwrap();
    assert!(report.first_break.is_none(), "{:?}", report.first_break);
}

#[tokio::test]
async fn one_failing_unit_in_a_batch_does_not_sink_the_others() {
    let app = spawn_app().await;
    let t = app.token("sysadmin").await;
    let id = app.org_id("临江县城关消防救援站").await;
    let org: Value = app.get(&t, &format!("/api/v1/orgs/{id}")).await.json().await.unwrap();
    let v = org["version"].as_i64().unwrap();
    // Ten concurrent renames from the same version: exactly one wins, nine get 409.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let url = format!("{}/api/v1/orgs/{id}", app.base);
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .put(url)
                .bearer_auth(t)
                .json(&json!({ "name": format!("临江县城关{i}号消防救援站"), "active": true, "version": v }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == StatusCode::OK).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == StatusCode::CONFLICT).count(), 9, "{codes:?}");
    let t2 = app.token("auditadmin").await;
    let page: Value =
        app.get(&t2, &format!("/api/v1/audit?action=org.update&object_id={id}")).await.json().await.unwrap();
    assert_eq!(page["total"], 1, "one transition, one audit record");
    assert!(app.services.verify_audit_chain().await.unwrap().first_break.is_none());
}
