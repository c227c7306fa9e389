//! First start: no default password, a one-time secret, three separated administrators.

use reqwest::StatusCode;

use crate::helpers::{browser, spawn_empty_app};

#[tokio::test]
async fn the_first_administrators_are_created_with_the_one_time_secret() {
    let app = spawn_empty_app().await;
    let ctx = domain::audit::Ctx { actor: None, ip: "127.0.0.1".into(), request_id: "t".into(), now: app.clock_now() };
    let secret = app.services.issue_bootstrap_secret(&ctx).await.unwrap().expect("a secret on an empty system");
    let c = browser();
    assert!(c.get(format!("{}/login", app.base)).send().await.unwrap().text().await.unwrap().contains("系统初始化"));
    let form = |secret: &str| {
        vec![
            ("secret", secret.to_string()),
            ("org_name", "某市消防救援支队".to_string()),
            ("org_short_name", "某市".to_string()),
            ("org_level", "detachment".to_string()),
            ("sys_username", "sysadmin".to_string()),
            ("sys_display_name", "系统管理员甲".to_string()),
            ("sys_password", "Boot-Strap-Pass-2026".to_string()),
            ("sys_password_confirm", "Boot-Strap-Pass-2026".to_string()),
            ("sec_username", "secadmin".to_string()),
            ("audit_username", "auditadmin".to_string()),
        ]
    };
    let wrong = c.post(format!("{}/bootstrap", app.base)).form(&form("guessed")).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("accounts").await, 0);
    let ok = c.post(format!("{}/bootstrap", app.base)).form(&form(&secret)).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let page = ok.text().await.unwrap();
    assert!(page.contains("初始化完成"));
    assert_eq!(app.count("accounts").await, 3);
    // The secret works once.
    let again = c.post(format!("{}/bootstrap", app.base)).form(&form(&secret)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The system administrator logs in with the chosen password; the others must change theirs first.
    let r = app.form_login(&browser(), "sysadmin", "Boot-Strap-Pass-2026").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let needle = "<code class=\"secret\">";
    let start = page.find(needle).unwrap() + needle.len();
    let sec_password = page[start..].split('<').next().unwrap();
    let r = app.form_login(&browser(), "secadmin", sec_password).await;
    assert_eq!(r.headers()["location"], "/password");
}
