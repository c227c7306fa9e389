//! Health, metrics, the OpenAPI document, 404s.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_metrics_and_openapi_are_served() {
    let app = spawn_app().await;
    let h: Value = reqwest::get(format!("{}/healthz", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(h["status"], "ok");

    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/calendar/deadline",
        "/api/v1/orgs",
        "/api/v1/accounts/{id}/grants",
        "/api/v1/audit",
        "/api/v1/auth/token",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // Some traffic, then the counters show it.
    let t = app.token("donghu.li").await;
    app.get(&t, "/api/v1/me").await;
    let m = reqwest::get(format!("{}/metrics", app.base)).await.unwrap().text().await.unwrap();
    assert!(m.contains("firelaw_http_requests_total"), "{m}");
    assert!(m.contains("firelaw_write_batch_size"));
}

#[tokio::test]
async fn unknown_paths_answer_in_the_clients_language() {
    let app = spawn_app().await;
    let api = reqwest::get(format!("{}/api/v1/nothing-here", app.base)).await.unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    let page = reqwest::get(format!("{}/nothing-here", app.base)).await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.text().await.unwrap().contains("页面不存在"));
}
