//! `spawn_app()` and typed helpers for the tests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use domain::Services;
use domain::time::OffsetClock;
use firelaw::{Application, Config};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Connection;

/// Password of every demo account in the tests.
pub const PW: &str = "Test-Demo-Pass-2026";

/// A running application on a fresh database.
pub struct TestApp {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// The services, to act as the system.
    pub services: Services,
    /// The clock the application uses; tests move it.
    pub clock: Arc<OffsetClock>,
    /// The database.
    pub db: store::Db,
    /// The database URL.
    pub database_url: String,
    /// The audit key file.
    pub key_file: PathBuf,
    /// The data folder.
    pub data_dir: PathBuf,
    /// The object store's address and the test's bucket path, when the files are kept in S3.
    pub s3: Option<(String, String)>,
}

/// A fresh database URL: SQLite in `dir`, or a new PostgreSQL database when `TEST_DATABASE_URL` is set.
async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Err(_) => firelaw::sqlite_url(&dir.join("firelaw.db")),
        Ok(admin_url) => {
            let name = format!("firelaw_test_{}", domain::new_id().replace('-', ""));
            let mut conn =
                sqlx::postgres::PgConnection::connect(&admin_url).await.expect("connect to TEST_DATABASE_URL");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {name} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
            )))
            .execute(&mut conn)
            .await
            .expect("create test database");
            let (base, _) = admin_url.rsplit_once('/').expect("URL has a database name");
            format!("{base}/{name}")
        }
    }
}

/// Boots the application with the demo organisation.
pub async fn spawn_app() -> TestApp {
    spawn(true).await
}

/// Boots the application on an empty database.
pub async fn spawn_empty_app() -> TestApp {
    spawn(false).await
}

async fn spawn(demo: bool) -> TestApp {
    let dir = std::env::temp_dir().join(format!("firelaw-test-{}", domain::new_id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let clock = Arc::new(OffsetClock::default());
    let mut config = Config::for_data_dir(&dir, SocketAddr::from(([127, 0, 0, 1], 0)));
    config.database_url = fresh_database(&dir).await;
    config.clock = clock.clone();
    config.cookie_secure = false;
    // Real PBKDF2-HMAC-SM3, fewer rounds: the tests log in hundreds of times.
    config.password_iterations = Some(1000);
    // TEST_FILES=s3 keeps the files in scripts/test.sh's S3-compatible server, under a prefix of the test's.
    let s3 = match std::env::var("TEST_FILES").as_deref() {
        Ok("s3") => {
            let endpoint = std::env::var("TEST_S3_ENDPOINT").expect("TEST_FILES=s3 needs TEST_S3_ENDPOINT");
            let prefix = format!("firelaw-test/api-{}", domain::new_id());
            config.s3 = Some(files::S3Settings {
                url: format!("s3://{prefix}"),
                endpoint: Some(endpoint.clone()),
                access_key_id: Some("test".into()),
                secret_access_key: Some("test".into()),
                ..Default::default()
            });
            Some((endpoint, prefix))
        }
        _ => None,
    };
    let database_url = config.database_url.clone();
    let key_file = config.key_file.clone();
    let app = Application::build(config).await.expect("application starts");
    let base = format!("http://{}", app.local_addr());
    if demo {
        let ctx = app.system_ctx();
        app.services.load_demo(&ctx, PW).await.expect("demo loads");
    }
    let services = app.services.clone();
    let db = app.db.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp { base, services, clock, db, database_url, key_file, data_dir: dir, s3 }
}

impl Drop for TestApp {
    /// The data folder goes with the test: thousands of runs must not fill the disk.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The CSRF token in a page's forms.
pub fn csrf_in(html: &str) -> String {
    let needle = "name=\"csrf_token\" value=\"";
    let start = html.find(needle).expect("a form with the CSRF token") + needle.len();
    html[start..].split('"').next().expect("token").to_string()
}

/// A browser-like client: keeps cookies, does not follow redirects (so tests see them).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

impl TestApp {
    /// A bearer token for a demo user.
    pub async fn token(&self, username: &str) -> String {
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/token", self.base))
            .json(&serde_json::json!({ "username": username, "password": PW, "name": "test" }))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), StatusCode::CREATED, "token for {username}: {}", r.text().await.unwrap_or_default());
        r.json::<Value>().await.expect("json")["token"].as_str().expect("token").to_string()
    }

    /// Replaces a stored file behind the application's back (a tampering test), wherever files are kept.
    pub async fn overwrite_stored_file(&self, key: &str, bytes: Vec<u8>) {
        match &self.s3 {
            None => std::fs::write(self.data_dir.join("files").join(key), bytes).expect("overwrite"),
            Some((endpoint, prefix)) => {
                use object_store::ObjectStoreExt;
                let (bucket, under) = prefix.split_once('/').expect("bucket/prefix");
                let store = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_endpoint(endpoint)
                    .with_allow_http(true)
                    .with_region("us-east-1")
                    .with_access_key_id("test")
                    .with_secret_access_key("test")
                    .build()
                    .expect("S3 client");
                let path = object_store::path::Path::parse(format!("{under}/{key}")).expect("path");
                store.put(&path, bytes.into()).await.expect("overwrite in S3");
            }
        }
    }

    /// GET with a bearer token.
    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        reqwest::Client::new().get(format!("{}{path}", self.base)).bearer_auth(token).send().await.expect("request")
    }

    /// POST JSON with a bearer token.
    pub async fn post(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// PUT JSON with a bearer token.
    pub async fn put(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        reqwest::Client::new()
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// DELETE with a bearer token.
    pub async fn delete(&self, token: &str, path: &str) -> reqwest::Response {
        reqwest::Client::new().delete(format!("{}{path}", self.base)).bearer_auth(token).send().await.expect("request")
    }

    /// POST raw bytes (a file upload through the API).
    pub async fn post_bytes(&self, token: &str, path: &str, body: Vec<u8>) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// A context for acts of the system itself.
    pub fn system_ctx(&self) -> domain::audit::Ctx {
        domain::audit::Ctx { actor: None, ip: "127.0.0.1".into(), request_id: "test".into(), now: self.clock_now() }
    }

    /// Uploads an evidence file (multipart).
    pub async fn upload(&self, token: &str, kind: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        let form = reqwest::multipart::Form::new()
            .text("kind", kind.to_string())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        reqwest::Client::new()
            .post(format!("{}/api/v1/evidence", self.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("request")
    }

    /// The first column of the first row of a query, as text.
    pub async fn text_of(&self, sql: &str) -> Option<String> {
        let rows = self.db.query(sql, vec![]).await.expect("query");
        rows.first().and_then(|r| r.get_first::<Option<String>>().expect("text"))
    }

    /// Logs a browser client in through the form; returns the client and its CSRF token.
    pub async fn browser_login(&self, username: &str) -> (reqwest::Client, String) {
        let c = browser();
        let r = self.form_login(&c, username, PW).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {username}");
        let csrf = self.csrf_of(&c).await;
        (c, csrf)
    }

    /// Posts the login form.
    pub async fn form_login(&self, c: &reqwest::Client, username: &str, password: &str) -> reqwest::Response {
        c.post(format!("{}/login", self.base))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .expect("request")
    }

    /// The CSRF token from a logged-in page.
    pub async fn csrf_of(&self, c: &reqwest::Client) -> String {
        self.csrf_from(c, "/tokens").await
    }

    /// The CSRF token from the password page (reachable while a password change is forced).
    pub async fn csrf_of_password_page(&self, c: &reqwest::Client) -> String {
        self.csrf_from(c, "/password").await
    }

    async fn csrf_from(&self, c: &reqwest::Client, path: &str) -> String {
        let html = c.get(format!("{}{path}", self.base)).send().await.expect("request").text().await.expect("text");
        csrf_in(&html)
    }

    /// Orgs as the demo system administrator sees them.
    pub async fn orgs(&self) -> Vec<Value> {
        let t = self.token("sysadmin").await;
        self.get(&t, "/api/v1/orgs").await.json::<Vec<Value>>().await.expect("json")
    }

    /// The id of the demo org whose name contains `name`.
    pub async fn org_id(&self, name: &str) -> String {
        self.orgs().await.iter().find(|o| o["name"].as_str().is_some_and(|n| n.contains(name))).expect(name)["id"]
            .as_str()
            .expect("id")
            .to_string()
    }

    /// Runs raw SQL on the application's database (what an attacker with database access could do).
    pub async fn raw_sql(&self, sql: &str) {
        self.db.exec_raw(sql).await.expect("raw sql");
    }

    /// Number of rows in a table.
    pub async fn count(&self, table: &str) -> i64 {
        self.db.scalar(&format!("SELECT COUNT(*) FROM {table}")).await.expect("count")
    }

    /// The application's "now".
    pub fn clock_now(&self) -> domain::time::Timestamp {
        use domain::time::Clock;
        self.clock.now()
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}
