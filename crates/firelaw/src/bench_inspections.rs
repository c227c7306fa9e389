//! `firelaw bench-inspections`: the inspection workload against baselines measured in the same run.
//!
//! 1. Recording an inspection with 3 hazards (two with deadlines, one corrected on the spot) through the
//!    HTTP API from many clients: officers' certificates checked, the record, 3 hazards, 5 due dates and
//!    the audit record in one transaction. Baseline: raw single-row inserts into SQLite at
//!    synchronous=FULL (one fsync each).
//! 2. A 责令限期改正通知书 rendered to PDF (typst, 公文 layout, QR code). Baseline: the smallest notice
//!    (title and one line) through the same engine. Also the whole act: number, render, SM3, store, commit.
//! 3. The 检查记录 with a 照片附页 of N phone photos (4032×3024 JPEG): read from storage, SM3 checked,
//!    laid out, stored; time and peak memory. Baseline: the same record without photos.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use domain::document::{Notice, NoticeTable};
use domain::time::SystemClock;

use crate::bench::{DEMO_PASSWORD as PASSWORD, Request, actor_ctx, bench_app, drive, percentile_ms, raw_inserts};

/// What to measure.
pub struct Options {
    /// Seconds per throughput round.
    pub seconds: u64,
    /// Concurrent API clients.
    pub clients: usize,
    /// Throughput rounds.
    pub rounds: usize,
    /// Photos in the record's annex (0: skip).
    pub photos: usize,
    /// Only the API throughput.
    pub api_only: bool,
}

/// Runs the three measurements and prints them with their ratios.
pub async fn run(options: Options, database_url: Option<String>) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("firelaw-bench-insp-{}-{}", std::process::id(), domain::new_id()));
    std::fs::create_dir_all(&dir)?;
    let result = run_in(&dir, &options, database_url).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run_in(dir: &Path, options: &Options, database_url: Option<String>) -> anyhow::Result<()> {
    let duration = Duration::from_secs(options.seconds.max(1));
    let (clients, rounds, photos) = (options.clients.max(1), options.rounds.max(1), options.photos);
    let app = bench_app(dir, database_url).await?;
    let addr = app.local_addr();
    app.services.load_demo(&app.system_ctx(), PASSWORD).await?;
    let (li, token) = actor_ctx(&app, "donghu.li").await?;
    let filter = domain::services::registry::UnitFilter { per_page: 200, ..Default::default() };
    let units: Vec<String> = app.services.search_units(&li, &filter).await?.0.into_iter().map(|u| u.id).collect();
    anyhow::ensure!(!units.is_empty(), "demo has units");
    let form = app.services.inspection_form(&li, &units[0]).await?;
    let officers: Vec<String> = form.officers.iter().take(2).map(|(id, _)| id.clone()).collect();
    let services = app.services.clone();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("firelaw bench-inspections（{cores} 核）");
    // Where a record's time goes, in-process and one at a time: the reads a record needs, then the service
    // and store without HTTP (64 tasks), the ceiling the API figure is measured against.
    if !options.api_only {
        let day = li.now.local_date();
        let k = 2000;
        let t = Instant::now();
        for _ in 0..k {
            services.calendar_around(day).await?;
        }
        println!("0. 单次读取：工作日历 {:.1} µs", t.elapsed().as_secs_f64() * 1e6 / k as f64);
        let t = Instant::now();
        for _ in 0..k {
            services.checklist().await?;
        }
        println!("   检查项目清单 {:.1} µs", t.elapsed().as_secs_f64() * 1e6 / k as f64);
        let t = Instant::now();
        for _ in 0..k {
            services.get_unit(&li, &units[0]).await?;
        }
        println!("   单位 {:.1} µs", t.elapsed().as_secs_f64() * 1e6 / k as f64);
        let t = Instant::now();
        for _ in 0..k {
            services.agency_of(&li.actor()?.org_path).await?;
        }
        println!("   所属机构 {:.1} µs", t.elapsed().as_secs_f64() * 1e6 / k as f64);
        let now = li.now;
        let deadline = now.local_date().checked_add_days(chrono::Days::new(15)).context("date")?.to_string();
        let input = |u: &str| domain::services::inspections::InspectionInput {
            unit_id: u.into(),
            kind: "key_unit_routine".into(),
            started_at: now.plus_hours(-2).to_rfc3339(),
            ended_at: now.plus_hours(-1).to_rfc3339(),
            officer_ids: officers.clone(),
            representative: "值班经理".into(),
            hazards: (0..3)
                .map(|k| domain::inspection::hazard::HazardDraft {
                    item_code: "G07".into(),
                    description: "一楼东侧疏散通道堆放货物".into(),
                    disposition: if k == 2 { "on_site" } else { "deadline" }.into(),
                    deadline: deadline.clone(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let t = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..64 {
            let (s2, li2, inp) = (services.clone(), li.clone(), input(&units[c % units.len()]));
            tasks.push(tokio::spawn(async move {
                for _ in 0..30 {
                    s2.record_inspection(&li2, inp.clone()).await.expect("records");
                }
            }));
        }
        for t in tasks {
            t.await?;
        }
        println!("   进程内（不经 HTTP，64 个并发任务）登记检查记录：{:.0} 份/秒", 1920.0 / t.elapsed().as_secs_f64());
    }
    let server = tokio::spawn(app.run_until_stopped());

    // 1. Inspections with 3 hazards through the API.
    let now = domain::time::Clock::now(&SystemClock);
    let deadline = now.local_date().checked_add_days(chrono::Days::new(15)).context("date")?.to_string();
    // The bodies are made once: the load generator shares the two cores with the server and should cost
    // it as little as possible.
    let bodies: Arc<Vec<String>> = Arc::new(
        units
            .iter()
            .map(|unit| {
                serde_json::json!({
                    "unit_id": unit, "kind": "key_unit_routine",
                    "started_at": now.plus_hours(-2).to_rfc3339(), "ended_at": now.plus_hours(-1).to_rfc3339(),
                    "officer_ids": officers, "representative": "值班经理",
                    "findings": [{"code": "G07", "result": "fail"}, {"code": "G05", "result": "fail"}, {"code": "G12", "result": "fail"}],
                    "hazards": [
                        {"item_code": "G07", "description": "一楼东侧疏散通道堆放货物", "disposition": "deadline", "deadline": deadline},
                        {"item_code": "G05", "description": "二楼走廊灭火器压力不足2具", "disposition": "deadline", "deadline": deadline},
                        {"item_code": "G12", "description": "楼梯间停放电动自行车", "disposition": "on_site"},
                    ],
                })
                .to_string()
            })
            .collect(),
    );
    let make: Request =
        Arc::new(move |c, i| ("/api/v1/inspections", bodies[(c * 7919 + i as usize) % bodies.len()].clone()));
    let _ = drive(addr, &token, clients, Duration::from_millis(1000), make.clone(), 200).await;
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let raw = raw_inserts(dir, round, duration).await?;
        let (ok, errors, mut lat, elapsed) = drive(addr, &token, clients, duration, make.clone(), 200).await;
        lat.sort_unstable();
        let rate = ok as f64 / elapsed.as_secs_f64();
        ratios.push(rate / raw.max(1e-9));
        println!(
            "1. 第{}轮：(a) SQLite 单行插入 {raw:.0} 行/秒；(b) 检查记录（3处隐患、5个期限、审计）{rate:.0} 份/秒，{clients} 个并发，p50 {:.1} ms，p99 {:.1} ms，失败 {errors}；(b)/(a) = {:.2}",
            round + 1,
            percentile_ms(&lat, 0.5),
            percentile_ms(&lat, 0.99),
            rate / raw.max(1e-9)
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!("   (b)/(a) 中位数 = {:.2}", ratios[ratios.len() / 2]);
    if options.api_only {
        server.abort();
        return Ok(());
    }

    // 2. The correction order as PDF.
    let renderer = documents::Renderer::shared(&documents::Renderer::default_dirs(dir))?;
    let order = order_notice();
    let tiny = Notice {
        title: "通知".into(),
        agency: "东湖区消防救援大队".into(),
        paragraphs: vec!["测试。".into()],
        ..Default::default()
    };
    let time = |n: &Notice, k: usize| -> anyhow::Result<Vec<Duration>> {
        let mut v = Vec::new();
        for _ in 0..k {
            let t = Instant::now();
            renderer.pdf(n, &[])?;
            v.push(t.elapsed());
        }
        v.sort_unstable();
        Ok(v)
    };
    time(&order, 3)?;
    let base = time(&tiny, 30)?;
    let full = time(&order, 30)?;
    println!(
        "2. 责令限期改正通知书 PDF：中位数 {:.1} ms，p99 {:.1} ms；基线（最小文书）{:.1} ms；比值 {:.2}；大小 {} 字节",
        percentile_ms(&full, 0.5),
        percentile_ms(&full, 0.99),
        percentile_ms(&base, 0.5),
        percentile_ms(&full, 0.5) / percentile_ms(&base, 0.5).max(1e-9),
        renderer.pdf(&order, &[])?.len()
    );
    // The whole act through the service: number, render, SM3, store, commit.
    let list = services.inspections(&li, None, 40).await?;
    let mut acts = Vec::new();
    for i in list.iter().filter(|i| i.hazard_count > 0).take(20) {
        let t = Instant::now();
        if services.issue_correction_order(&li, &i.id).await.is_ok() {
            acts.push(t.elapsed());
        }
    }
    acts.sort_unstable();
    println!(
        "   制作通知书全过程（编号、渲染、SM3、存储、提交）：中位数 {:.1} ms，p99 {:.1} ms（{} 份）",
        percentile_ms(&acts, 0.5),
        percentile_ms(&acts, 0.99),
        acts.len()
    );

    // 3. The inspection record with N photos.
    if photos > 0 {
        let mut ids = Vec::new();
        let mut total = 0u64;
        let started = Instant::now();
        for k in 0..photos {
            let path = dir.join(format!("photo-{k}.jpg"));
            let bytes = photo(k)?;
            total += bytes.len() as u64;
            std::fs::write(&path, &bytes)?;
            let file = domain::evidence::IncomingFile {
                path: path.clone(),
                size: bytes.len() as u64,
                head: bytes[..64].to_vec(),
                sm3: services.crypto.digest(&bytes),
            };
            ids.push(services.upload_evidence(&li, "photo", &format!("现场照片{k}.jpg"), "", file).await?.id);
            std::fs::remove_file(&path)?;
        }
        println!(
            "3. 已生成并上传 {photos} 张 4032×3024 照片，共 {:.1} MB（{:.1} 秒，不计入）",
            total as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        let record = |evidence: Vec<String>| {
            let now = domain::time::Clock::now(&SystemClock);
            domain::services::inspections::InspectionInput {
                unit_id: units[0].clone(),
                kind: "key_unit_routine".into(),
                started_at: now.plus_hours(-2).to_rfc3339(),
                ended_at: now.plus_hours(-1).to_rfc3339(),
                officer_ids: officers.clone(),
                representative: "值班经理".into(),
                evidence_ids: evidence,
                ..Default::default()
            }
        };
        let plain = services.record_inspection(&li, record(vec![])).await?;
        let with = services.record_inspection(&li, record(ids)).await?;
        let t = Instant::now();
        services.issue_inspection_record(&li, &plain.id).await?;
        let base = t.elapsed();
        let (peak, before) = (Arc::new(AtomicU64::new(0)), rss_bytes());
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (peak, stop) = (peak.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_bytes(), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        };
        let t = Instant::now();
        let doc = services.issue_inspection_record(&li, &with.id).await?;
        let took = t.elapsed();
        stop.store(true, Ordering::Relaxed);
        let _ = sampler.join();
        let grew = peak.load(Ordering::Relaxed).saturating_sub(before);
        println!(
            "   检查记录含 {photos} 张照片附页：{:.2} 秒（基线：无照片 {:.1} ms，比值 {:.1}）；PDF {:.1} MB；内存峰值增加 {:.1} MB（照片总量的 {:.2} 倍）",
            took.as_secs_f64(),
            base.as_secs_f64() * 1000.0,
            took.as_secs_f64() / base.as_secs_f64().max(1e-9),
            doc.pdf_size as f64 / 1e6,
            grew as f64 / 1e6,
            grew as f64 / total.max(1) as f64
        );
    }
    server.abort();
    Ok(())
}

/// Resident memory of this process (Linux), for the peak sampler.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

/// A phone-sized photo: 4032×3024, noisy enough that JPEG keeps it at a few megabytes, different each time.
fn photo(k: usize) -> anyhow::Result<Vec<u8>> {
    let (w, h) = (4032u32, 3024u32);
    let mut seed = 0x9E37_79B9u32.wrapping_mul(k as u32 + 1);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let n = (seed & 0x1f) as u8;
        image::Rgb([(x / 16) as u8 ^ n, (y / 12) as u8 ^ n, ((x + y) / 28) as u8 ^ n])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img)?;
    Ok(out.into_inner())
}

fn order_notice() -> Notice {
    Notice {
        agency: "江城市东湖区消防救援大队".into(),
        title: "责令限期改正通知书".into(),
        number: "东湖消限字〔2026〕第0012号".into(),
        addressee: "江城长丰国际写字楼".into(),
        paragraphs: vec!["根据《中华人民共和国消防法》第五十三条的规定，江城市东湖区消防救援大队于2026年11月20日对你单位（场所）进行了消防监督检查，发现你单位（场所）存在下列消防安全违法行为：".into()],
        table: Some(NoticeTable {
            headers: vec!["序号".into(), "违法行为".into(), "违反的规定".into(), "改正期限".into()],
            rows: (1..=3)
                .map(|i| vec![i.to_string(), "一楼东侧疏散通道堆放货物约3米".into(), "《中华人民共和国消防法》第六十条第一款第三项".into(), "2026年12月5日".into()])
                .collect(),
        }),
        closing: vec![
            "根据《中华人民共和国消防法》第六十条及《消防监督检查规定》第十八条的规定，责令你单位（场所）于上列期限届满前改正。".into(),
            "如不服本通知，可以在收到本通知之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。".into(),
        ],
        date: "2026年11月20日".into(),
        signatures: vec!["被检查单位签收：＿＿＿＿＿＿＿＿　　　　年　　月　　日".into()],
        verify_url: "https://xf.example.gov.cn/verify/0194f3a0-0000-7000-8000-000000000001".into(),
        photos: vec![],
    }
}
