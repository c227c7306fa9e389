//! The audit chain: written with every change in one transaction, fail-closed, searchable, exportable,
//! and `firelaw audit verify` names the first tampered record (reliability test R10).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn verify_cli(app: &TestApp) -> (bool, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_firelaw"))
        .args(["audit", "verify", "--data-dir"])
        .arg(&app.data_dir)
        .arg("--database-url")
        .arg(&app.database_url)
        .arg("--key-file")
        .arg(&app.key_file)
        .output()
        .await
        .expect("run firelaw audit verify");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

/// Lets a test edit the audit table the way an attacker with database access would: by removing the
/// append-only triggers first.
async fn drop_append_only_guard(app: &TestApp) {
    if app.is_postgres() {
        app.raw_sql("DROP TRIGGER audit_log_no_update ON audit_log").await;
    } else {
        app.raw_sql("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete").await;
    }
}

#[tokio::test]
async fn the_audit_table_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    let upd = app.db.exec_raw("UPDATE audit_log SET reason = 'x' WHERE seq = 1").await;
    assert!(upd.is_err(), "append-only: UPDATE refused");
    let del = app.db.exec_raw("DELETE FROM audit_log WHERE seq = 1").await;
    assert!(del.is_err(), "append-only: DELETE refused");
}

#[tokio::test]
async fn verify_passes_on_an_intact_chain_and_names_an_edited_record() {
    let app = spawn_app().await;
    let t = app.token("sysadmin").await;
    let parent = app.org_id("西山区消防救援大队").await;
    for i in 0..5 {
        let r = app
            .post(
                &t,
                "/api/v1/orgs",
                json!({ "parent_id": parent, "name": format!("西山区第{i}站"), "level": "station" }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (ok, out) = verify_cli(&app).await;
    assert!(ok, "{out}");
    assert!(out.contains("审计链校验通过"), "{out}");

    drop_append_only_guard(&app).await;
    let target = app.count("audit_log").await - 2;
    app.raw_sql(&format!("UPDATE audit_log SET object_id = 'forged' WHERE seq = {target}")).await;
    let (ok, out) = verify_cli(&app).await;
    assert!(!ok, "verify must fail: {out}");
    assert!(out.contains(&format!("第{target}条记录内容被篡改")), "{out}");
}

#[tokio::test]
async fn verify_names_a_deleted_record_and_a_truncated_tail() {
    let app = spawn_app().await;
    let t = app.token("sysadmin").await;
    let parent = app.org_id("西山区消防救援大队").await;
    for i in 0..4 {
        app.post(
            &t,
            "/api/v1/orgs",
            json!({ "parent_id": parent, "name": format!("西山区第{i}站"), "level": "station" }),
        )
        .await;
    }
    drop_append_only_guard(&app).await;
    app.raw_sql("DELETE FROM audit_log WHERE seq = 3").await;
    let (ok, out) = verify_cli(&app).await;
    assert!(!ok);
    assert!(out.contains("第3至3条记录缺失"), "{out}");

    let app = spawn_app().await;
    drop_append_only_guard(&app).await;
    let last = app.count("audit_log").await;
    app.raw_sql(&format!("DELETE FROM audit_log WHERE seq = {last}")).await;
    let (ok, out) = verify_cli(&app).await;
    assert!(!ok);
    assert!(out.contains("链尾记录缺失"), "{out}");
}

#[tokio::test]
async fn if_the_audit_write_fails_the_change_rolls_back() {
    let app = spawn_app().await;
    let t = app.token("sysadmin").await;
    let parent = app.org_id("临江县消防救援大队").await;
    let orgs_before = app.count("orgs").await;
    if app.is_postgres() {
        app.raw_sql(
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store broken'; END $$; \
             CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit();",
        )
        .await;
    } else {
        app.raw_sql("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit store broken'); END;").await;
    }
    let r = app
        .post(&t, "/api/v1/orgs", json!({ "parent_id": parent, "name": "临江县无审计站", "level": "station" }))
        .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["message"], "系统内部错误，请联系管理员", "no internal detail leaks");
    assert_eq!(app.count("orgs").await, orgs_before, "the org was not created without its audit record");
}

#[tokio::test]
async fn the_audit_administrator_searches_and_exports() {
    let app = spawn_app().await;
    // Produce some events: a failed login and an org creation.
    app.form_login(&crate::helpers::browser(), "donghu.li", "Wrong-Pass-1").await;
    let t = app.token("sysadmin").await;
    let parent = app.org_id("东湖区消防救援大队").await;
    app.post(&t, "/api/v1/orgs", json!({ "parent_id": parent, "name": "东湖区审计测试站", "level": "station" })).await;

    let aud = app.token("auditadmin").await;
    let page: Value =
        app.get(&aud, "/api/v1/audit?action=auth.login_failed&actor=DONGHU.LI").await.json().await.unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["records"][0]["reason"], "密码错误");
    assert_eq!(page["records"][0]["outcome"], "failure");
    let created: Value = app.get(&aud, "/api/v1/audit?action=org.create").await.json().await.unwrap();
    let rec = &created["records"][0];
    assert_eq!(rec["actor"], "sysadmin");
    assert!(rec["detail"].as_str().unwrap().contains("东湖区审计测试站"));
    assert_eq!(rec["mac"].as_str().unwrap().len(), 64);
    let bad = app.get(&aud, "/api/v1/audit?from=2026-13-01").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Export through the page (a plain form with the CSRF token), as CSV with a BOM.
    let (c, csrf) = app.browser_login("auditadmin").await;
    let r = c
        .post(format!("{}/audit/export", app.base))
        .form(&[("action", "org.create"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}序号".as_bytes()));
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.contains("东湖区审计测试站"));
    // The export is itself audited.
    let exports: Value = app.get(&aud, "/api/v1/audit?action=audit.export").await.json().await.unwrap();
    assert_eq!(exports["total"], 1);
}
