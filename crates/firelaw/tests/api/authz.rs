//! Permission = role × org subtree, checked in the services; the three separated administrators.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn roles_reach_only_what_they_carry() {
    let app = spawn_app().await;
    let parent = app.org_id("东湖区消防救援大队").await;
    let new_station = json!({ "parent_id": parent, "name": "东湖区湖滨消防救援站", "level": "station" });
    for user in ["donghu.li", "zhidui.leader", "secadmin", "auditadmin", "donghu.chief"] {
        let t = app.token(user).await;
        let r = app.post(&t, "/api/v1/orgs", new_station.clone()).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{user} must not create orgs");
    }
    for user in ["donghu.li", "zhidui.leader", "auditadmin"] {
        let t = app.token(user).await;
        assert_eq!(
            app.get(&t, "/api/v1/accounts").await.status(),
            StatusCode::FORBIDDEN,
            "{user} must not list accounts"
        );
    }
    for user in ["sysadmin", "secadmin", "donghu.li"] {
        let t = app.token(user).await;
        assert_eq!(
            app.get(&t, "/api/v1/audit").await.status(),
            StatusCode::FORBIDDEN,
            "{user} must not read the audit log"
        );
    }
    let t = app.token("auditadmin").await;
    assert_eq!(app.get(&t, "/api/v1/audit").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_brigade_administrator_acts_only_inside_the_brigade() {
    let app = spawn_app().await;
    let sys = app.token("sysadmin").await;
    let sec = app.token("secadmin").await;
    let donghu = app.org_id("东湖区消防救援大队").await;
    let xishan = app.org_id("西山区消防救援大队").await;
    // A system administrator for 东湖 only.
    let r = app
        .post(
            &sys,
            "/api/v1/accounts",
            json!({ "username": "donghu.sys", "display_name": "东湖管理员", "org_id": donghu }),
        )
        .await;
    let created: Value = r.json().await.unwrap();
    let id = created["account"]["id"].as_str().unwrap().to_string();
    let g = app
        .post(&sec, &format!("/api/v1/accounts/{id}/grants"), json!({ "role": "sys_admin", "org_id": donghu }))
        .await;
    assert_eq!(g.status(), StatusCode::CREATED);
    // Log in, change the initial password, get a token.
    let c = crate::helpers::browser();
    let initial = created["initial_password"].as_str().unwrap();
    app.form_login(&c, "donghu.sys", initial).await;
    let csrf = app.csrf_of_password_page(&c).await;
    let newpw = crate::helpers::PW;
    c.post(format!("{}/password", app.base))
        .header("x-csrf-token", csrf)
        .form(&[("old_password", initial), ("new_password", newpw), ("confirm_password", newpw)])
        .send()
        .await
        .unwrap();
    let t = app.token("donghu.sys").await;

    let inside = app
        .post(&t, "/api/v1/orgs", json!({ "parent_id": donghu, "name": "东湖区湖滨消防救援站", "level": "station" }))
        .await;
    assert_eq!(inside.status(), StatusCode::CREATED);
    let outside =
        app.post(&t, "/api/v1/orgs", json!({ "parent_id": xishan, "name": "西山区某站", "level": "station" })).await;
    assert_eq!(
        outside.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a parent outside the jurisdiction does not exist for them"
    );
    // An id outside the jurisdiction is not found, not forbidden (no confirmation that it exists).
    assert_eq!(app.get(&t, &format!("/api/v1/orgs/{xishan}")).await.status(), StatusCode::NOT_FOUND);
    let visible: Vec<Value> = app.get(&t, "/api/v1/orgs").await.json().await.unwrap();
    assert!(visible.iter().all(|o| o["name"].as_str().unwrap().contains("东湖")), "{visible:?}");
    let accounts: Vec<Value> = app.get(&t, "/api/v1/accounts").await.json().await.unwrap();
    assert!(accounts.iter().all(|a| a["org_name"].as_str().unwrap().contains("东湖")));
    assert!(accounts.iter().any(|a| a["username"] == "donghu.li"));
}

#[tokio::test]
async fn the_three_administrators_stay_separated() {
    let app = spawn_app().await;
    let sec = app.token("secadmin").await;
    let sys = app.token("sysadmin").await;
    let accounts: Vec<Value> = app.get(&sec, "/api/v1/accounts").await.json().await.unwrap();
    let id_of = |u: &str| accounts.iter().find(|a| a["username"] == u).unwrap()["id"].as_str().unwrap().to_string();
    let root = app.org_id("江城市消防救援支队").await;

    let r = app
        .post(
            &sec,
            &format!("/api/v1/accounts/{}/grants", id_of("sysadmin")),
            json!({ "role": "audit_admin", "org_id": root }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("三员分立"));
    let r = app
        .post(
            &sec,
            &format!("/api/v1/accounts/{}/grants", id_of("auditadmin")),
            json!({ "role": "officer", "org_id": root }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &sec,
            &format!("/api/v1/accounts/{}/grants", id_of("donghu.li")),
            json!({ "role": "sys_admin", "org_id": root }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a business account cannot become an administrator");
    // Nobody grants themselves anything.
    let r = app
        .post(
            &sec,
            &format!("/api/v1/accounts/{}/grants", id_of("secadmin")),
            json!({ "role": "sec_admin", "org_id": root }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The system administrator creates accounts but cannot grant roles.
    let r = app
        .post(
            &sys,
            &format!("/api/v1/accounts/{}/grants", id_of("donghu.li")),
            json!({ "role": "dept_head", "org_id": root }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The database refuses a second administrator role even past the service.
    let secadmin_id = id_of("secadmin");
    let raw = format!(
        "INSERT INTO role_grants (id, account_id, role, org_id, granted_at, granted_by) VALUES ('x1', '{secadmin_id}', 'audit_admin', '{root}', 0, 'test')"
    );
    assert!(app.db.exec_raw(&raw).await.is_err());
    // A business role is granted and revoked, both audited.
    let r = app
        .post(
            &sec,
            &format!("/api/v1/accounts/{}/grants", id_of("donghu.li")),
            json!({ "role": "dept_head", "org_id": app.org_id("东湖区消防救援大队").await }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let grant: Value = r.json().await.unwrap();
    let del = reqwest::Client::new()
        .delete(format!("{}/api/v1/grants/{}", app.base, grant["id"].as_str().unwrap()))
        .bearer_auth(&sec)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::NO_CONTENT);
    let aud = app.token("auditadmin").await;
    let grants: Value = app.get(&aud, "/api/v1/audit?action=role.grant").await.json().await.unwrap();
    let revokes: Value = app.get(&aud, "/api/v1/audit?action=role.revoke").await.json().await.unwrap();
    assert_eq!((grants["total"].as_i64(), revokes["total"].as_i64()), (Some(1), Some(1)));
}

#[tokio::test]
async fn a_certificate_shows_whether_it_may_be_used() {
    let app = spawn_app().await;
    let sys = app.token("sysadmin").await;
    let accounts: Vec<Value> = app.get(&sys, "/api/v1/accounts").await.json().await.unwrap();
    let zhang = accounts.iter().find(|a| a["username"] == "donghu.zhang").unwrap();
    assert_eq!(zhang["certificate_expires_on"], "2026-06-30");
    let li = accounts.iter().find(|a| a["username"] == "donghu.li").unwrap();
    assert_eq!(li["certificate_valid"], true);
    // Today is after 2026-06-30 when these tests were written; compare with the clock, not a constant.
    use domain::time::Clock;
    let today = domain::time::SystemClock.now().local_date().to_string();
    let expected = today.as_str() <= "2026-06-30";
    assert_eq!(zhang["certificate_valid"], expected);
    // A malformed certificate is refused, naming the field.
    let id = zhang["id"].as_str().unwrap();
    let r = app
        .put(
            &sys,
            &format!("/api/v1/accounts/{id}"),
            json!({ "display_name": "张伟", "org_id": zhang["org_id"], "status": "active",
            "certificate_no": "JC-2014-0198", "certificate_expires_on": "2026/06/30", "version": zhang["version"] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "certificate_expires_on");
    // Renewed.
    let r = app
        .put(
            &sys,
            &format!("/api/v1/accounts/{id}"),
            json!({ "display_name": "张伟", "org_id": zhang["org_id"], "status": "active",
            "certificate_no": "JC-2026-0198", "certificate_expires_on": "2031-06-30", "version": zhang["version"] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["certificate_valid"], true);
}
