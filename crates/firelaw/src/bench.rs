//! `firelaw bench`: the write path measured against its baseline in the same run.
//!
//! (a) raw single-row inserts into SQLite at synchronous=FULL, one transaction (one fsync) each: the cost
//!     of durability without any application;
//! (b) audited state changes through the HTTP API (`POST /api/v1/orgs` with a bearer token) from many
//!     concurrent clients: permission check, validation, the change and its HMAC-SM3 audit record in one
//!     transaction, shared with the other requests in flight by group commit.
//!
//! Machines are noisy, so the figure that matters is the ratio (b)/(a), both measured here and now.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use domain::time::SystemClock;
use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

use crate::{Application, Config};

/// Results of one run.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// (a) rows per second.
    pub raw_inserts_per_sec: f64,
    /// (b) successful requests per second.
    pub http_writes_per_sec: f64,
    /// (b) median latency, ms.
    pub p50_ms: f64,
    /// (b) 99th percentile latency, ms.
    pub p99_ms: f64,
    /// (b) failed requests.
    pub errors: u64,
}

/// Runs both measurements for `seconds` each and prints them.
pub async fn run(seconds: u64, clients: usize, database_url: Option<String>) -> anyhow::Result<BenchReport> {
    let dir = std::env::temp_dir().join(format!("firelaw-bench-{}-{}", std::process::id(), domain::new_id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        let duration = Duration::from_secs(seconds.max(1));
        let raw = raw_inserts(&dir, duration).await?;
        let http = http_writes(&dir, duration, clients.max(1), database_url).await?;
        Ok::<_, anyhow::Error>(BenchReport { raw_inserts_per_sec: raw, ..http })
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let r = result?;
    println!(
        "firelaw bench（{} 核，每项 {} 秒）",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        seconds
    );
    println!("(a) SQLite 单行插入，synchronous=FULL，每行一个事务：{:.0} 行/秒", r.raw_inserts_per_sec);
    println!(
        "(b) 经 HTTP 接口的留痕写入（POST /api/v1/orgs，{clients} 个并发客户端，组提交）：{:.0} 次/秒，p50 {:.1} ms，p99 {:.1} ms，失败 {}",
        r.http_writes_per_sec, r.p50_ms, r.p99_ms, r.errors
    );
    println!("(b)/(a) = {:.2}", r.http_writes_per_sec / r.raw_inserts_per_sec.max(1e-9));
    Ok(r)
}

async fn raw_inserts(dir: &std::path::Path, duration: Duration) -> anyhow::Result<f64> {
    let url = crate::sqlite_url(&dir.join("raw.db"));
    let mut conn = SqliteConnectOptions::from_str(&url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await?;
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)").execute(&mut conn).await?;
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < duration {
        sqlx::query("INSERT INTO t (v) VALUES ($1)").bind(format!("row {n}")).execute(&mut conn).await?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

async fn http_writes(
    dir: &std::path::Path,
    duration: Duration,
    clients: usize,
    database_url: Option<String>,
) -> anyhow::Result<BenchReport> {
    let mut config = Config::for_data_dir(&dir.join("app"), SocketAddr::from(([127, 0, 0, 1], 0)));
    if let Some(url) = database_url {
        config.database_url = url;
    }
    config.cookie_secure = false;
    config.clock = Arc::new(SystemClock);
    // Account creation is not what is measured; keep the demo load quick.
    config.password_iterations = Some(1000);
    let app = Application::build(config).await?;
    let addr = app.local_addr();
    let ctx = app.system_ctx();
    let password = "Bench-Password-2026";
    app.services.load_demo(&ctx, password).await?;
    let (_, token) = app.services.token_by_password(&ctx, "sysadmin", password, "bench", 1).await?;
    let server = tokio::spawn(app.run_until_stopped());

    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let base = format!("http://{addr}");
    let orgs: serde_json::Value =
        client.get(format!("{base}/api/v1/orgs")).bearer_auth(&token).send().await?.error_for_status()?.json().await?;
    let brigade = orgs
        .as_array()
        .and_then(|a| a.iter().find(|o| o["level"] == "brigade"))
        .and_then(|o| o["id"].as_str())
        .context("demo has a brigade")?
        .to_string();

    // Warm-up: connections, prepared statements, page cache.
    let _ = drive(&client, &base, &token, &brigade, clients, Duration::from_millis(1000), "预热").await;
    let (ok, errors, mut latencies, elapsed) = drive(&client, &base, &token, &brigade, clients, duration, "压测").await;
    server.abort();
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    Ok(BenchReport {
        raw_inserts_per_sec: 0.0,
        http_writes_per_sec: ok as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        errors,
    })
}

async fn drive(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    parent: &str,
    clients: usize,
    duration: Duration,
    tag: &str,
) -> (u64, u64, Vec<Duration>, Duration) {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let client = client.clone();
        let url = format!("{base}/api/v1/orgs");
        let token = token.to_string();
        let parent = parent.to_string();
        let tag = tag.to_string();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut err, mut lat) = (0u64, 0u64, Vec::new());
            let mut i = 0u64;
            while start.elapsed() < duration {
                let body =
                    serde_json::json!({ "parent_id": parent, "name": format!("{tag}站{c}-{i}"), "level": "station" });
                let t = Instant::now();
                match client.post(&url).bearer_auth(&token).json(&body).send().await {
                    Ok(r) if r.status().as_u16() == 201 => {
                        ok += 1;
                        lat.push(t.elapsed());
                    }
                    _ => err += 1,
                }
                i += 1;
            }
            (ok, err, lat)
        }));
    }
    let (mut ok, mut err, mut lat) = (0, 0, Vec::new());
    for t in tasks {
        if let Ok((o, e, l)) = t.await {
            ok += o;
            err += e;
            lat.extend(l);
        }
    }
    (ok, err, lat, start.elapsed())
}
