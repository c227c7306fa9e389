//! Login, lockout, sessions, CSRF, passwords, tokens (等保 L3-CES1-01/02, ASVS V2/V3, reliability test R9).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PW, browser, spawn_app};

#[tokio::test]
async fn login_gives_a_new_session_each_time_and_the_home_page_shows_org_and_roles() {
    let app = spawn_app().await;
    let c = browser();
    let r1 = app.form_login(&c, "donghu.li", PW).await;
    assert_eq!(r1.status(), StatusCode::SEE_OTHER);
    let cookie1 = r1.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie1.contains("HttpOnly") && cookie1.contains("SameSite=Lax"), "{cookie1}");
    let home = c.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("江城市东湖区消防救援大队"));
    assert!(home.contains("执法人员"));
    assert!(home.contains("待办事项"));
    let r2 = app.form_login(&browser(), "donghu.li", PW).await;
    let cookie2 = r2.headers()["set-cookie"].to_str().unwrap().to_string();
    assert_ne!(cookie1, cookie2, "a new session id at every login");
}

#[tokio::test]
async fn five_failures_lock_the_account_for_thirty_minutes() {
    let app = spawn_app().await;
    let c = browser();
    for i in 1..=4 {
        let r = app.form_login(&c, "xishan.liu", &format!("Wrong-Pass-{i}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(r.text().await.unwrap().contains("用户名或密码错误"));
    }
    let r = app.form_login(&c, "xishan.liu", "Wrong-Pass-5").await;
    assert_eq!(r.status(), StatusCode::LOCKED);
    assert!(r.text().await.unwrap().contains("账户已锁定至"));
    // The right password does not help while locked (no oracle).
    assert_eq!(app.form_login(&c, "xishan.liu", PW).await.status(), StatusCode::LOCKED);
    app.clock.advance_minutes(29);
    assert_eq!(app.form_login(&c, "xishan.liu", PW).await.status(), StatusCode::LOCKED);
    app.clock.advance_minutes(2);
    assert_eq!(app.form_login(&c, "xishan.liu", PW).await.status(), StatusCode::SEE_OTHER);
    // Failures and the lock are in the audit log.
    let t = app.token("auditadmin").await;
    let page: serde_json::Value = app.get(&t, "/api/v1/audit?action=auth.locked").await.json().await.unwrap();
    assert_eq!(page["total"], 1);
}

#[tokio::test]
async fn failures_outside_the_window_do_not_lock() {
    let app = spawn_app().await;
    let c = browser();
    for _ in 0..4 {
        app.form_login(&c, "linjiang.he", "Wrong-Pass-x1").await;
    }
    app.clock.advance_minutes(16);
    let r = app.form_login(&c, "linjiang.he", "Wrong-Pass-x1").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the 5th failure is 16 minutes after the first four");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    let a = app.form_login(&browser(), "nobody.here", "Wrong-Pass-1").await;
    let b = app.form_login(&browser(), "donghu.li", "Wrong-Pass-1").await;
    assert_eq!(a.status(), b.status());
    let (ta, tb) = (a.text().await.unwrap(), b.text().await.unwrap());
    assert!(ta.contains("用户名或密码错误") && tb.contains("用户名或密码错误"));
}

#[tokio::test]
async fn sessions_end_after_30_idle_minutes_and_after_12_hours() {
    let app = spawn_app().await;
    let (c, _) = app.browser_login("donghu.li").await;
    app.clock.advance_minutes(29);
    assert_eq!(c.get(format!("{}/", app.base)).send().await.unwrap().status(), StatusCode::OK);
    app.clock.advance_minutes(31);
    let r = c.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "idle for 31 minutes");
    assert_eq!(r.headers()["location"], "/login");

    let (c, _) = app.browser_login("donghu.li").await;
    // 35 × 20 minutes: active all along, 11 h 40 min old.
    for i in 1..=35 {
        app.clock.advance_minutes(20);
        assert_eq!(
            c.get(format!("{}/", app.base)).send().await.unwrap().status(),
            StatusCode::OK,
            "after {} minutes",
            i * 20
        );
    }
    app.clock.advance_minutes(21);
    assert_eq!(c.get(format!("{}/", app.base)).send().await.unwrap().status(), StatusCode::SEE_OTHER, "past 12 hours");
}

#[tokio::test]
async fn logout_kills_the_old_cookie() {
    let app = spawn_app().await;
    let (c, csrf) = app.browser_login("donghu.head").await;
    let html = c.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    // Keep the cookie to replay it after logout.
    let r = app.form_login(&browser(), "donghu.head", PW).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let ok = raw.get(format!("{}/api/v1/me", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let page =
        raw.get(format!("{}/tokens", app.base)).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    let token = &crate::helpers::csrf_in(&page);
    let out = raw
        .post(format!("{}/logout", app.base))
        .header("cookie", &cookie)
        .form(&[("csrf_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let dead = raw.get(format!("{}/api/v1/me", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(dead.status(), StatusCode::UNAUTHORIZED);
    // The other session of the same user is untouched.
    let _ = csrf;
    assert_eq!(c.get(format!("{}/", app.base)).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn cookie_writes_need_the_csrf_token_and_cross_site_writes_are_refused() {
    let app = spawn_app().await;
    let (c, csrf) = app.browser_login("sysadmin").await;
    let parent = app.org_id("临江县消防救援大队").await;
    let form = [("parent_id", parent.as_str()), ("name", "临江县新港镇人民政府"), ("level", "town")];
    let before = app.count("orgs").await;
    let no_token = c.post(format!("{}/admin/orgs", app.base)).form(&form).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    assert!(no_token.text().await.unwrap().contains("请求校验失败"), "the refusal is explained");
    let htmx =
        c.post(format!("{}/admin/orgs", app.base)).header("hx-request", "true").form(&form).send().await.unwrap();
    assert_eq!(htmx.headers()["hx-retarget"], "#flash", "htmx shows it in the message area");
    let wrong =
        c.post(format!("{}/admin/orgs", app.base)).header("x-csrf-token", "forged").form(&form).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let cross = c
        .post(format!("{}/admin/orgs", app.base))
        .header("x-csrf-token", &csrf)
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("orgs").await, before, "nothing written");
    let ok = c.post(format!("{}/admin/orgs", app.base)).header("x-csrf-token", &csrf).form(&form).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let json = c
        .post(format!("{}/admin/orgs", app.base))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({ "parent_id": parent, "name": "临江县某镇", "level": "town" }))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "a page form takes only form bodies");
    // A plain form (no JavaScript) carries the token as a field.
    let mut with_field = form.to_vec();
    with_field[1] = ("name", "临江县东港镇人民政府");
    with_field.push(("csrf_token", csrf.as_str()));
    let ok = c.post(format!("{}/admin/orgs", app.base)).form(&with_field).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("orgs").await, before + 2);
}

#[tokio::test]
async fn a_new_account_must_change_its_initial_password_first() {
    let app = spawn_app().await;
    let admin = app.token("sysadmin").await;
    let org = app.org_id("西山区消防救援大队").await;
    let r = app
        .post(
            &admin,
            "/api/v1/accounts",
            json!({ "username": "Xishan.Wang", "display_name": "王强", "org_id": org,
            "certificate_no": "JC-2026-0999", "certificate_expires_on": "2030-12-31" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["account"]["username"], "xishan.wang", "names are case-insensitive, stored lower case");
    let initial = body["initial_password"].as_str().unwrap().to_string();

    let c = browser();
    let r = app.form_login(&c, "xishan.wang", &initial).await;
    assert_eq!(r.headers()["location"], "/password");
    // Everything else sends the user back to the password page.
    let home = c.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(home.headers()["location"], "/password");
    let token = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/token", app.base))
        .json(&json!({ "username": "xishan.wang", "password": initial, "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let csrf = app.csrf_of_password_page(&c).await;
    let weak = c
        .post(format!("{}/password", app.base))
        .header("x-csrf-token", &csrf)
        .form(&[("old_password", initial.as_str()), ("new_password", "short"), ("confirm_password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.unwrap().contains("密码长度至少12个字符"));
    let good = "Xishan-Fire-2026!";
    let ok = c
        .post(format!("{}/password", app.base))
        .header("x-csrf-token", &csrf)
        .form(&[("old_password", initial.as_str()), ("new_password", good), ("confirm_password", good)])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(c.get(format!("{}/", app.base)).send().await.unwrap().status(), StatusCode::OK);

    // The initial password is void after 72 hours when unused.
    let r = app
        .post(&admin, "/api/v1/accounts", json!({ "username": "xishan.qian", "display_name": "钱进", "org_id": org }))
        .await;
    let initial: String = r.json::<serde_json::Value>().await.unwrap()["initial_password"].as_str().unwrap().into();
    app.clock.advance_minutes(72 * 60 + 1);
    let late = app.form_login(&browser(), "xishan.qian", &initial).await;
    assert_eq!(late.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.text().await.unwrap().contains("72小时"));
}

#[tokio::test]
async fn the_last_passwords_cannot_be_reused() {
    let app = spawn_app().await;
    let (c, _) = app.browser_login("donghu.legal").await;
    let csrf = app.csrf_of_password_page(&c).await;
    let change = |old: &'static str, new: &'static str| {
        let c = c.clone();
        let csrf = csrf.clone();
        let url = format!("{}/password", app.base);
        async move {
            c.post(url)
                .header("x-csrf-token", csrf)
                .form(&[("old_password", old), ("new_password", new), ("confirm_password", new)])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(change(PW, "Second-Pass-2026a").await.status(), StatusCode::SEE_OTHER);
    let back = change("Second-Pass-2026a", PW).await;
    assert_eq!(back.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(back.text().await.unwrap().contains("最近5次"));
}

#[tokio::test]
async fn bearer_tokens_work_until_revoked() {
    let app = spawn_app().await;
    let t = app.token("donghu.li").await;
    let me: serde_json::Value = app.get(&t, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["username"], "donghu.li");
    assert_eq!(me["grants"][0]["role"], "officer");
    let tokens: Vec<serde_json::Value> = app.get(&t, "/api/v1/tokens").await.json().await.unwrap();
    let id = tokens[0]["id"].as_str().unwrap();
    let r =
        reqwest::Client::new().delete(format!("{}/api/v1/tokens/{id}", app.base)).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&t, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("flw_not-a-token", "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(reqwest::get(format!("{}/api/v1/me", app.base)).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/login", "/api/v1/me", "/healthz", "/static/app.css"] {
        let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        let h = r.headers();
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert!(h.contains_key("x-request-id"));
    }
    let page = reqwest::get(format!("{}/login", app.base)).await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn the_security_administrator_sets_the_policy_and_it_applies() {
    let app = spawn_app().await;
    let sec = app.token("secadmin").await;
    let mut p: serde_json::Value = app.get(&sec, "/api/v1/security/policy").await.json().await.unwrap();
    assert_eq!(p["password_min_length"], 12);
    assert_eq!(p["lockout_max_failures"], 5);
    p["lockout_max_failures"] = json!(3);
    let r = app.put(&sec, "/api/v1/security/policy", p.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    // A stale version is refused.
    assert_eq!(app.put(&sec, "/api/v1/security/policy", p.clone()).await.status(), StatusCode::CONFLICT);
    let c = browser();
    for _ in 0..2 {
        app.form_login(&c, "xishan.head", "Wrong-Pass-9").await;
    }
    assert_eq!(app.form_login(&c, "xishan.head", "Wrong-Pass-9").await.status(), StatusCode::LOCKED);
    // Out-of-range values are refused with the field named.
    let mut bad: serde_json::Value = app.get(&sec, "/api/v1/security/policy").await.json().await.unwrap();
    bad["password_min_length"] = json!(4);
    let r = app.put(&sec, "/api/v1/security/policy", bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "password.min_length");
    // Only the security administrator may.
    let sys = app.token("sysadmin").await;
    assert_eq!(app.get(&sys, "/api/v1/security/policy").await.status(), StatusCode::FORBIDDEN);
    // A locked account is unlocked by the security administrator.
    let accounts: Vec<serde_json::Value> = app.get(&sec, "/api/v1/accounts?q=xishan.head").await.json().await.unwrap();
    let id = accounts[0]["id"].as_str().unwrap();
    assert!(accounts[0]["locked_until"].is_string());
    assert_eq!(
        app.post(&sys, &format!("/api/v1/accounts/{id}/unlock"), json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&sec, &format!("/api/v1/accounts/{id}/unlock"), json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.form_login(&c, "xishan.head", PW).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_rotation_forces_a_change() {
    let app = spawn_app().await;
    let (phone, _) = app.browser_login("donghu.li").await;
    let (desk, _) = app.browser_login("donghu.li").await;
    let csrf = app.csrf_of_password_page(&desk).await;
    let new = "Donghu-Li-Fire-2026";
    let r = desk
        .post(format!("{}/password", app.base))
        .header("x-csrf-token", csrf)
        .form(&[("old_password", PW), ("new_password", new), ("confirm_password", new)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(desk.get(format!("{}/", app.base)).send().await.unwrap().status(), StatusCode::OK, "this session stays");
    assert_eq!(
        phone.get(format!("{}/", app.base)).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "the other ends"
    );

    // 等保: a password older than 90 days must be changed before anything else.
    app.clock.advance_minutes(91 * 24 * 60);
    let c = browser();
    let r = app.form_login(&c, "donghu.li", new).await;
    assert_eq!(r.headers()["location"], "/password");
}
