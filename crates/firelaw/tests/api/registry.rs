//! 检查对象名录库 through the API: adding, searching, editing with history, personal numbers sealed and
//! revealed with a reason, key-unit designation, import and export.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// A valid credit code for test unit `n`.
fn code(n: u32) -> String {
    domain::identity::CreditCode::complete(&format!("91420106MA{:07}", 5_100_000 + n)).unwrap().as_str().to_string()
}

fn unit_body(n: u32, org_id: &str, name: &str, kinds: &[&str], floor_area: i64) -> Value {
    json!({
        "credit_code": code(n), "name": name, "address": format!("江城市东湖区测试路{n}号"), "org_id": org_id,
        "venue_kinds": kinds, "floor_area": floor_area, "responsible_name": "王五", "responsible_phone": "13812345678",
    })
}

#[tokio::test]
async fn units_are_added_found_by_any_part_of_name_or_address_and_edits_are_kept_in_history() {
    let app = spawn_app().await;
    let li = app.token("donghu.li").await;
    let dh = app.org_id("东湖区消防救援大队").await;
    let r = app.post(&li, "/api/v1/units", unit_body(1, &dh, "江城测试消防器材商行", &["shop", "九小场所"], 300)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let u: Value = r.json().await.unwrap();
    assert_eq!(u["responsible"]["phone"], "138****5678", "numbers are shown masked");
    assert_eq!(u["venue_kind_labels"], "九小场所、商场市场");
    let id = u["id"].as_str().unwrap().to_string();

    // The number is stored as SM4-GCM ciphertext, never as text.
    let stored = app.text_of(&format!("SELECT responsible_phone FROM units WHERE id = '{id}'")).await.unwrap();
    assert!(stored.starts_with("v1:") && !stored.contains("13812345678"), "{stored}");

    // Two characters, three, one, and part of the address all find it; filters narrow.
    for q in ["消防", "器材商", "测", "测试路1号"] {
        let page: Value = app.get(&li, &format!("/api/v1/units?q={}", urlencode(q))).await.json().await.unwrap();
        assert!(page["units"].as_array().unwrap().iter().any(|x| x["id"] == id.as_str()), "search {q}");
    }
    let none: Value =
        app.get(&li, &format!("/api/v1/units?q={}&key_unit=1", urlencode("器材商"))).await.json().await.unwrap();
    assert_eq!(none["total"], 0);
    let kind: Value =
        app.get(&li, "/api/v1/units?venue_kind=nine_small&q=%E6%B5%8B%E8%AF%95").await.json().await.unwrap();
    assert_eq!(kind["total"], 1);
    let other: Value = app.get(&li, &format!("/api/v1/units?q={}", urlencode("器商"))).await.json().await.unwrap();
    assert!(!other["units"].as_array().unwrap().iter().any(|x| x["id"] == id.as_str()), "not a substring");

    // An edit records each changed field.
    let mut body = unit_body(1, &dh, "江城测试消防器材商行", &["shop", "nine_small"], 1500);
    body["version"] = u["version"].clone();
    let r = app.put(&li, &format!("/api/v1/units/{id}"), body).await;
    assert_eq!(r.status(), StatusCode::OK);
    let history: Vec<Value> = app.get(&li, &format!("/api/v1/units/{id}/history")).await.json().await.unwrap();
    assert_eq!(history[0]["action"], "修改");
    assert_eq!(history[0]["changes"][0], json!({ "field": "建筑面积", "before": "300", "after": "1500" }));
    assert!(history[0]["actor"].as_str().unwrap().contains("李想"));
    assert_eq!(history[1]["action"], "新建");
    // A stale version is refused.
    let mut stale = unit_body(1, &dh, "江城测试消防器材商行二", &["shop"], 1500);
    stale["version"] = u["version"].clone();
    assert_eq!(app.put(&li, &format!("/api/v1/units/{id}"), stale).await.status(), StatusCode::CONFLICT);

    // Another brigade does not see it.
    let xs = app.token("xishan.liu").await;
    assert_eq!(app.get(&xs, &format!("/api/v1/units/{id}")).await.status(), StatusCode::NOT_FOUND);
    let page: Value = app.get(&xs, "/api/v1/units?q=%E6%B5%8B%E8%AF%95").await.json().await.unwrap();
    assert_eq!(page["total"], 0);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn bad_units_are_refused_in_chinese_and_nothing_is_written() {
    let app = spawn_app().await;
    let li = app.token("donghu.li").await;
    let dh = app.org_id("东湖区消防救援大队").await;
    let before = app.count("units").await;
    let mut bad = unit_body(2, &dh, "江城校验测试店", &["shop"], 100);
    bad["credit_code"] = json!("91420106MA51000021");
    let r = app.post(&li, "/api/v1/units", bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "credit_code");
    assert!(e["error"]["message"].as_str().unwrap().contains("统一社会信用代码"));

    let r = app.post(&li, "/api/v1/units", unit_body(3, &dh, "江城校验测试店", &["网吧"], 100)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("未知的场所类别“网吧”"));

    let mut phone = unit_body(4, &dh, "江城校验测试店", &["shop"], 100);
    phone["responsible_phone"] = json!("1234");
    let e: Value = app.post(&li, "/api/v1/units", phone).await.json().await.unwrap();
    assert_eq!(e["error"]["field"], "responsible_phone");
    assert_eq!(app.count("units").await, before);

    assert_eq!(
        app.post(&li, "/api/v1/units", unit_body(5, &dh, "江城校验测试店", &["shop"], 100)).await.status(),
        StatusCode::CREATED
    );
    let r = app.post(&li, "/api/v1/units", unit_body(5, &dh, "江城另一家店", &["shop"], 100)).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("已在名录库中"));

    // Outside the officer's jurisdiction.
    let xs = app.org_id("西山区消防救援大队").await;
    let r = app.post(&li, "/api/v1/units", unit_body(6, &xs, "江城越权测试店", &["shop"], 100)).await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an org outside the jurisdiction is not confirmed to exist"
    );
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], "org_id");
    assert_eq!(app.count("units").await, before + 1);
}

#[tokio::test]
async fn a_personal_number_is_unmasked_only_with_a_reason_and_the_act_is_audited() {
    let app = spawn_app().await;
    let li = app.token("donghu.li").await;
    let dh = app.org_id("东湖区消防救援大队").await;
    let u: Value =
        app.post(&li, "/api/v1/units", unit_body(7, &dh, "江城揭示测试店", &["shop"], 100)).await.json().await.unwrap();
    let path = format!("/api/v1/units/{}/reveal", u["id"].as_str().unwrap());
    let r = app.post(&li, &path, json!({ "field": "responsible_phone", "reason": "" })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post(&li, &path, json!({ "field": "responsible_phone", "reason": "通知责任人参加约谈" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["value"], "13812345678");
    // The leader reads the registry but may not unmask.
    let leader = app.token("zhidui.leader").await;
    assert_eq!(
        app.post(&leader, &path, json!({ "field": "responsible_phone", "reason": "想看一下号码" })).await.status(),
        StatusCode::FORBIDDEN
    );

    let audit = app.token("auditadmin").await;
    let found: Value = app.get(&audit, "/api/v1/audit?action=unit.pii_reveal").await.json().await.unwrap();
    let rec = &found["records"][0];
    assert_eq!(rec["reason"], "通知责任人参加约谈");
    assert!(!rec.to_string().contains("13812345678"), "the audit record never holds the number");
}

#[tokio::test]
async fn a_key_unit_is_proposed_from_its_facts_and_confirmed_by_a_person() {
    let app = spawn_app().await;
    let li = app.token("donghu.li").await;
    let dh = app.org_id("东湖区消防救援大队").await;
    let small: Value =
        app.post(&li, "/api/v1/units", unit_body(8, &dh, "江城小商场", &["shop"], 800)).await.json().await.unwrap();
    let r = app
        .post(
            &li,
            &format!("/api/v1/units/{}/key-unit", small["id"].as_str().unwrap()),
            json!({ "confirm": true, "version": 1 }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("不构成消防安全重点单位"));

    let big: Value = app
        .post(&li, "/api/v1/units", unit_body(9, &dh, "江城大商场", &["shop", "crowded"], 1200))
        .await
        .json()
        .await
        .unwrap();
    let id = big["id"].as_str().unwrap();
    let r = app.post(&li, &format!("/api/v1/units/{id}/key-unit"), json!({ "confirm": true, "version": 1 })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let u: Value = r.json().await.unwrap();
    assert_eq!(u["key_unit"], true);
    assert_eq!(u["key_category"], "第1类 商场（市场）");
    let history: Vec<Value> = app.get(&li, &format!("/api/v1/units/{id}/history")).await.json().await.unwrap();
    assert_eq!(history[0]["action"], "认定为消防安全重点单位");
    assert!(history[0]["reason"].as_str().unwrap().contains("达到1000平方米的标准"));

    // Lifting needs a reason; a hand-set risk grade too.
    let r = app.post(&li, &format!("/api/v1/units/{id}/key-unit"), json!({ "confirm": false, "version": 2 })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post(&li, &format!("/api/v1/units/{id}/risk"), json!({ "risk_grade": "high", "version": 2 })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &li,
            &format!("/api/v1/units/{id}/risk"),
            json!({ "risk_grade": "high", "reason": "夜间经营，疏散通道狭窄", "version": 2 }),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["risk_grade"], "high");
}

fn csv(rows: &[&str]) -> Vec<u8> {
    let header = domain::registry::import::template_header().join(",");
    let mut s = header;
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.into_bytes()
}

#[tokio::test]
async fn an_import_names_row_column_and_problem_and_a_reimport_changes_nothing() {
    let app = spawn_app().await;
    let head = app.token("donghu.head").await;
    let dh = app.org_id("东湖区消防救援大队").await;
    let before = app.count("units").await;
    let rows = [
        format!("{},江城导入一号店,江城市东湖区导入路1号,,商场市场,1200,2,,,,赵一,13900000001,,,,,", code(20)),
        format!(
            "{},江城导入二号店,江城市东湖区导入路2号,东湖区南湖路消防救援站,餐饮场所、九小场所,80,1,,,,,,,,,停业,高",
            code(21)
        ),
        format!("{},江城导入三号店,江城市东湖区导入路3号,西山,网吧,abc,,,,,,,,,,,", code(22)),
    ];
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let file = csv(&refs);

    let path = format!("/api/v1/units/import?org_id={dh}&wait=true&file_name=test.csv");
    let job: Value = app.post_bytes(&head, &path, file.clone()).await.json().await.unwrap();
    assert_eq!(job["status"], "rejected", "{job}");
    assert_eq!(job["failed"], 1);
    let errors = job["errors"].as_array().unwrap();
    let cols: Vec<&str> = errors.iter().map(|e| e["column"].as_str().unwrap()).collect();
    assert_eq!(cols, ["管辖机构", "场所类别", "建筑面积"]);
    assert!(errors.iter().all(|e| e["row"] == 4));
    assert!(errors[1]["message"].as_str().unwrap().contains("网吧"));
    assert_eq!(app.count("units").await, before, "all or nothing: nothing written");

    let good = format!("{path}&mode=good_rows");
    let job: Value = app.post_bytes(&head, &good, file.clone()).await.json().await.unwrap();
    assert_eq!(
        (job["status"].as_str(), job["inserted"].as_i64(), job["failed"].as_i64()),
        (Some("done"), Some(2), Some(1))
    );
    assert_eq!(app.count("units").await, before + 2);
    let found: Value =
        app.get(&head, &format!("/api/v1/units?q={}", urlencode("导入二号"))).await.json().await.unwrap();
    let u = &found["units"][0];
    assert_eq!((u["status"].as_str(), u["risk_grade"].as_str()), (Some("suspended"), Some("high")));
    assert!(u["org_name"].as_str().unwrap().contains("南湖路消防救援站"));

    // The same file again: nothing changes.
    let job: Value = app.post_bytes(&head, &good, file).await.json().await.unwrap();
    assert_eq!(
        (job["inserted"].as_i64(), job["updated"].as_i64(), job["unchanged"].as_i64()),
        (Some(0), Some(0), Some(2))
    );
    assert_eq!(app.count("units").await, before + 2);
    let history_rows = app.count("unit_history").await;

    // A changed cell updates that unit and says what changed.
    let changed =
        [format!("{},江城导入一号店,江城市东湖区导入路1号,,商场市场,1500,2,,,,赵一,13900000001,,,,,", code(20))];
    let refs: Vec<&str> = changed.iter().map(String::as_str).collect();
    let job: Value = app.post_bytes(&head, &good, csv(&refs)).await.json().await.unwrap();
    assert_eq!(job["updated"], 1);
    assert_eq!(app.count("unit_history").await, history_rows + 1);

    // XLSX and GB18030 CSV read the same way.
    let dir = std::env::temp_dir().join(format!("firelaw-import-{}", domain::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let xlsx = dir.join("u.xlsx");
    let mut w = sheets::Writer::create(&xlsx, sheets::Format::Xlsx).unwrap();
    w.row(&domain::registry::import::template_header()).unwrap();
    let row: Vec<String> = format!("{},江城表格导入店,江城市东湖区表格路9号,,宾馆饭店,,,,60,,,,,,,,", code(23))
        .split(',')
        .map(str::to_string)
        .collect();
    w.row(&row).unwrap();
    w.finish().unwrap();
    let job: Value = app.post_bytes(&head, &good, std::fs::read(&xlsx).unwrap()).await.json().await.unwrap();
    assert_eq!(job["inserted"], 1, "{job}");
    let text =
        String::from_utf8(csv(&[&format!("{},江城国标编码店,江城市东湖区编码路5号,,餐饮场所,,,,,,,,,,,,", code(24))]))
            .unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let job: Value = app.post_bytes(&head, &good, gbk.into_owned()).await.json().await.unwrap();
    assert_eq!(job["inserted"], 1, "{job}");
    std::fs::remove_dir_all(dir).unwrap();

    // The export masks numbers.
    let out = app.get(&head, &format!("/api/v1/units/export?format=csv&org_id={dh}")).await.text().await.unwrap();
    assert!(out.contains("江城导入一号店") && out.contains("139****0001") && !out.contains("13900000001"));
}

#[tokio::test]
async fn the_registry_pages_list_search_and_show_a_unit() {
    let app = spawn_app().await;
    let (c, _) = app.browser_login("donghu.li").await;
    let list = c
        .get(format!("{}/units?q=%E5%95%86%E5%9C%BA&key_unit=1", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("检查对象名录库") && list.contains("百货商场"),
        "search 商场 finds the demo department stores"
    );
    assert!(!list.contains("生鲜超市"));
    let table = list.split("id=\"units\"").nth(1).unwrap();
    let id = table.split("href=\"/units/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let page = c.get(format!("{}/units/{id}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("变更记录") && page.contains("****"));
    let tpl = c.get(format!("{}/units/template.xlsx", app.base)).send().await.unwrap();
    assert_eq!(tpl.status(), StatusCode::OK);
    assert!(tpl.bytes().await.unwrap().starts_with(b"PK"));
}

#[tokio::test]
async fn the_system_administrator_sets_the_province_weights_and_publication_period() {
    let app = spawn_app().await;
    let admin = app.token("sysadmin").await;
    let li = app.token("donghu.li").await;
    let s: Value = app.get(&admin, "/api/v1/settings/registry").await.json().await.unwrap();
    assert_eq!((s["province"].as_str(), s["publish_days"].as_u64()), (Some("全国"), Some(20)));
    let mut b = s.clone();
    b["province"] = json!("北京");
    assert_eq!(app.put(&li, "/api/v1/settings/registry", b.clone()).await.status(), StatusCode::FORBIDDEN);
    let mut bad = b.clone();
    bad["province"] = json!("火星");
    assert_eq!(app.put(&admin, "/api/v1/settings/registry", bad).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.put(&admin, "/api/v1/settings/registry", b.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    // A stale version is refused.
    assert_eq!(app.put(&admin, "/api/v1/settings/registry", b).await.status(), StatusCode::CONFLICT);

    // Under 北京's threshold (3,000 m²) a 1,200 m² shop is not a key unit.
    let dh = app.org_id("东湖区消防救援大队").await;
    let u: Value = app
        .post(&li, "/api/v1/units", unit_body(30, &dh, "江城北京标准商场", &["shop"], 1200))
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(
            &li,
            &format!("/api/v1/units/{}/key-unit", u["id"].as_str().unwrap()),
            json!({ "confirm": true, "version": 1 }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
