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
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use domain::time::SystemClock;

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

/// Runs `rounds` rounds of both measurements, `seconds` each, and prints every round and the median ratio.
pub async fn run(
    seconds: u64,
    clients: usize,
    rounds: usize,
    database_url: Option<String>,
) -> anyhow::Result<Vec<BenchReport>> {
    let dir = std::env::temp_dir().join(format!("firelaw-bench-{}-{}", std::process::id(), domain::new_id()));
    std::fs::create_dir_all(&dir)?;
    let result =
        rounds_in(&dir, Duration::from_secs(seconds.max(1)), clients.max(1), rounds.max(1), database_url).await;
    let _ = std::fs::remove_dir_all(&dir);
    let reports = result?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("firelaw bench（{cores} 核，{} 轮，每项 {seconds} 秒）", reports.len());
    println!("(a) SQLite 单行插入，synchronous=FULL，每行一个事务");
    println!("(b) 经 HTTP 接口的留痕写入：POST /api/v1/orgs，{clients} 个并发客户端，组提交");
    let mut ratios = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        let ratio = r.http_writes_per_sec / r.raw_inserts_per_sec.max(1e-9);
        ratios.push(ratio);
        println!(
            "第{}轮：(a) {:.0} 行/秒；(b) {:.0} 次/秒，p50 {:.1} ms，p99 {:.1} ms，失败 {}；(b)/(a) = {ratio:.2}",
            i + 1,
            r.raw_inserts_per_sec,
            r.http_writes_per_sec,
            r.p50_ms,
            r.p99_ms,
            r.errors
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!("(b)/(a) 中位数 = {:.2}", ratios[ratios.len() / 2]);
    Ok(reports)
}

/// The demo accounts' password in the benchmarks.
pub(crate) const DEMO_PASSWORD: &str = "Bench-Password-2026";

/// A demo account acting in-process, with a bearer token for HTTP clients.
pub(crate) async fn actor_ctx(app: &Application, username: &str) -> anyhow::Result<(domain::audit::Ctx, String)> {
    let ctx = app.system_ctx();
    let (_, token) = app.services.token_by_password(&ctx, username, DEMO_PASSWORD, "bench", 1).await?;
    let actor = app.services.authenticate_bearer(&token).await?;
    Ok((domain::audit::Ctx { actor: Some(std::sync::Arc::new(actor)), ..ctx }, token))
}

/// An application for a benchmark on a fresh data folder (or a fresh PostgreSQL database), on the system
/// clock. Account creation is not what is measured: password hashing uses fewer rounds.
pub(crate) async fn bench_app(dir: &std::path::Path, database_url: Option<String>) -> anyhow::Result<Application> {
    let mut config = Config::for_data_dir(&dir.join("app"), SocketAddr::from(([127, 0, 0, 1], 0)));
    if let Some(url) = database_url {
        config.database_url = url;
    }
    config.cookie_secure = false;
    config.clock = Arc::new(SystemClock);
    config.password_iterations = Some(1000);
    Application::build(config).await
}

/// The `p` quantile of sorted latencies, in milliseconds.
pub(crate) fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// What one client sends as its `i`-th request: path and JSON body.
pub(crate) type Request = Arc<dyn Fn(usize, u64) -> (&'static str, String) + Send + Sync>;

/// (a): single-row inserts into a fresh SQLite file at synchronous=FULL for `duration`; rows per second.
pub(crate) async fn raw_inserts(dir: &std::path::Path, round: usize, duration: Duration) -> anyhow::Result<f64> {
    // The same settings as the application's own connections: WAL, synchronous=FULL.
    let conn = store::engine::sqlite::open(&dir.join(format!("raw-{round}.db")))?;
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")?;
    let mut stmt = conn.prepare("INSERT INTO t (v) VALUES (?1)")?;
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < duration {
        stmt.execute([format!("row {n}")])?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

async fn rounds_in(
    dir: &std::path::Path,
    duration: Duration,
    clients: usize,
    rounds: usize,
    database_url: Option<String>,
) -> anyhow::Result<Vec<BenchReport>> {
    let app = bench_app(dir, database_url).await?;
    let addr = app.local_addr();
    let ctx = app.system_ctx();
    app.services.load_demo(&ctx, DEMO_PASSWORD).await?;
    let (admin, token) = actor_ctx(&app, "sysadmin").await?;
    let brigade = app
        .services
        .list_orgs(&admin)
        .await?
        .into_iter()
        .find(|o| o.level == domain::org::OrgLevel::Brigade)
        .context("demo has a brigade")?
        .id
        .0;
    let server = tokio::spawn(app.run_until_stopped());

    let orgs = |tag: &'static str| -> Request {
        let parent = brigade.clone();
        Arc::new(move |c, i| {
            let body =
                serde_json::json!({ "parent_id": parent, "name": format!("{tag}站{c}-{i}"), "level": "station" });
            ("/api/v1/orgs", body.to_string())
        })
    };
    // Warm-up: connections, prepared statements, page cache.
    let _ = drive(addr, &token, clients, Duration::from_millis(1000), orgs("预热"), 201).await;
    let mut reports = Vec::new();
    for round in 0..rounds {
        let raw = raw_inserts(dir, round, duration).await?;
        let tags = ["压测0", "压测1", "压测2", "压测3", "压测4", "压测5", "压测6", "压测7", "压测8", "压测9"];
        let (ok, errors, mut latencies, elapsed) =
            drive(addr, &token, clients, duration, orgs(tags[round % tags.len()]), 201).await;
        latencies.sort_unstable();
        reports.push(BenchReport {
            raw_inserts_per_sec: raw,
            http_writes_per_sec: ok as f64 / elapsed.as_secs_f64(),
            p50_ms: percentile_ms(&latencies, 0.50),
            p99_ms: percentile_ms(&latencies, 0.99),
            errors,
        });
    }
    server.abort();
    Ok(reports)
}

/// `clients` connections, each sending one request after the other for `duration`. A plain HTTP/1.1 client
/// (hyper's connection API): the load generator shares the two cores with the server, so it should cost
/// as little as possible.
pub(crate) async fn drive(
    addr: SocketAddr,
    token: &str,
    clients: usize,
    duration: Duration,
    make: Request,
    expect: u16,
) -> (u64, u64, Vec<Duration>, Duration) {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let auth = format!("Bearer {token}");
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut err, mut lat) = (0u64, 0u64, Vec::new());
            let Ok(stream) = tokio::net::TcpStream::connect(addr).await else { return (0, 1, lat) };
            let _ = stream.set_nodelay(true);
            let Ok((mut sender, conn)) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await
            else {
                return (0, 1, lat);
            };
            tokio::spawn(conn);
            let mut i = 0u64;
            while start.elapsed() < duration {
                let (path, body) = make(c, i);
                let req = hyper::Request::post(path)
                    .header("host", addr.to_string())
                    .header("authorization", &auth)
                    .header("content-type", "application/json")
                    .body(http_body_util::Full::new(hyper::body::Bytes::from(body)));
                let Ok(req) = req else { break };
                let t = Instant::now();
                let sent = async {
                    sender.ready().await?;
                    let resp = sender.send_request(req).await?;
                    let status = resp.status();
                    http_body_util::BodyExt::collect(resp.into_body()).await?;
                    Ok::<_, hyper::Error>(status)
                }
                .await;
                match sent {
                    Ok(s) if s.as_u16() == expect => {
                        ok += 1;
                        lat.push(t.elapsed());
                    }
                    Ok(_) => err += 1,
                    Err(_) => {
                        err += 1;
                        break;
                    }
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
