//! `firelaw bench-registry`: the registry and the draw at scale, each against a baseline measured in the
//! same run (the machines are noisy; ratios travel, absolute figures do not).
//!
//! 1. Import: N generated units (default 1,000,000) from a CSV file through the real import service
//!    (parse, validate, seal the phones with SM4, index the bigrams, write history, audit), against the
//!    floor: plain rusqlite inserts of the same number of rows of the same width in one transaction.
//!    Peak memory is the process's high-water mark during the import (reset just before it).
//! 2. Search: a mix of two-, three- and four-character queries with and without filters through the
//!    search service, against point lookups of a unit by id (the cheapest read there is).
//! 3. Draw: 10,000 of the N units with officer pairs, recusal and load balancing, against sorting the
//!    pool by id once.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use domain::audit::Ctx;
use domain::random_check::draw::{DrawRng, PoolOfficer, PoolUnit, assign_officers, draw_units};
use domain::services::registry::{ImportMode, RowReader, UnitFilter};
use domain::time::SystemClock;

use crate::{Application, Config};

const PLACES: [&str; 24] = [
    "东湖",
    "南湖",
    "光谷",
    "汉正",
    "江滨",
    "长青",
    "金桥",
    "枫林",
    "高新",
    "临江",
    "青石",
    "城关",
    "江北",
    "滨江",
    "古田",
    "雄楚",
    "丁字桥",
    "宝通",
    "珞瑜",
    "中北",
    "徐东",
    "积玉桥",
    "中南",
    "首义",
];
const BRANDS: [&str; 16] = [
    "华联",
    "万达",
    "联华",
    "红星",
    "新世界",
    "大洋",
    "兴隆",
    "永辉",
    "鑫源",
    "恒信",
    "德润",
    "博雅",
    "嘉禾",
    "福满",
    "吉祥",
    "安康",
];
const KINDS: [(&str, &str); 10] = [
    ("商场", "商场市场、人员密集场所"),
    ("大酒店", "宾馆饭店、人员密集场所"),
    ("宾馆", "宾馆饭店、九小场所"),
    ("KTV", "公共娱乐场所、人员密集场所"),
    ("小吃店", "餐饮场所、九小场所"),
    ("服装厂", "厂房仓库、劳动密集型企业"),
    ("仓储中心", "厂房仓库"),
    ("诊所", "医院、九小场所"),
    ("培训学校", "学校、人员密集场所"),
    ("出租房", "自建房、群租房"),
];
const ROADS: [&str; 12] = [
    "南湖路",
    "中山大道",
    "解放路",
    "建设路",
    "青年路",
    "滨江大道",
    "人民路",
    "学府路",
    "珞瑜路",
    "雄楚大道",
    "武珞路",
    "民主路",
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// Writes N template rows; returns the file's size.
fn write_csv(path: &std::path::Path, n: usize, orgs: &[String]) -> anyhow::Result<u64> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "{}", domain::registry::import::template_header().join(","))?;
    for i in 0..n {
        let code =
            domain::identity::CreditCode::complete(&format!("914201{:02}MA{:07}", i / 10_000_000, i % 10_000_000))?;
        let (kind, kinds) = KINDS[i % KINDS.len()];
        let p = (i / 7) % PLACES.len();
        let place = PLACES[p];
        let brand = BRANDS[(i / 3) % BRANDS.len()];
        let road = ROADS[(i / 11) % ROADS.len()];
        // A district's units belong to the brigade, station or town that covers it, as in life.
        let org = &orgs[p % orgs.len()];
        writeln!(
            f,
            "{code},江城{place}{brand}{kind}{i},江城市{place}区{road}{}号,{org},{kinds},{},{},,,{},张{},139{:08},,李{},137{:08},,",
            i % 997 + 1,
            200 + (i * 37) % 20_000,
            1 + i % 30,
            5 + i % 300,
            i % 100,
            i % 100_000_000,
            i % 50,
            (i * 7) % 100_000_000,
        )?;
    }
    f.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn raw_baseline(dir: &std::path::Path, n: usize) -> anyhow::Result<Duration> {
    let conn = store::engine::sqlite::open(&dir.join("baseline.db"))?;
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, address TEXT NOT NULL, \
         kinds TEXT NOT NULL, area INTEGER, floors INTEGER, staff INTEGER, p1 TEXT, ph1 TEXT, p2 TEXT, ph2 TEXT)",
    )?;
    let start = Instant::now();
    conn.execute_batch("BEGIN")?;
    {
        let mut stmt = conn.prepare(
            "INSERT INTO t (code, name, address, kinds, area, floors, staff, p1, ph1, p2, ph2) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for i in 0..n {
            stmt.execute(rusqlite::params![
                format!("91420100MA{i:08}"),
                format!("江城东湖华联商场{i}"),
                format!("江城市东湖区南湖路{}号", i % 997),
                ",shop,crowded,",
                200 + (i as i64 * 37) % 20_000,
                1 + i as i64 % 30,
                5 + i as i64 % 300,
                "张三",
                format!("139{:08}", i % 100_000_000),
                "李四",
                format!("137{:08}", i % 100_000_000),
            ])?;
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(start.elapsed())
}

/// Runs the three measurements.
pub async fn run(units: usize, queries: usize, database_url: Option<String>) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("firelaw-bench-registry-{}", domain::new_id()));
    std::fs::create_dir_all(&dir)?;
    let result = run_in(&dir, units.max(1000), queries.max(100), database_url).await;
    if std::env::var_os("FIRELAW_BENCH_KEEP").is_some() {
        println!("数据保留在 {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

async fn run_in(dir: &std::path::Path, n: usize, queries: usize, database_url: Option<String>) -> anyhow::Result<()> {
    let mut config = Config::for_data_dir(&dir.join("app"), SocketAddr::from(([127, 0, 0, 1], 0)));
    let engine = if let Some(url) = database_url {
        config.database_url = url;
        "PostgreSQL"
    } else {
        "SQLite"
    };
    config.cookie_secure = false;
    config.clock = Arc::new(SystemClock);
    config.password_iterations = Some(1000);
    let app = Application::build(config).await?;
    let services = app.services.clone();
    services.load_demo(&app.system_ctx(), "Bench-Demo-Pass-2026").await.context("演示数据")?;
    // The 支队 head imports into the whole tree (every brigade, station and town gets its share) and
    // searches the whole registry; a brigade's department head searches his brigade's part.
    let ctx_of = async |username: &str| -> anyhow::Result<Ctx> {
        let account = services.store.credentials(username).await?.context("demo account")?.account;
        let actor = services.actor_for(&account).await?;
        Ok(Ctx {
            actor: Some(Arc::new(actor)),
            ip: "bench".into(),
            request_id: "bench".into(),
            now: services.clock.now(),
        })
    };
    let ctx = ctx_of("zhidui.head").await?;
    let brigade_ctx = ctx_of("donghu.head").await?;
    let root = ctx.actor()?.org_path.clone();
    let dh = ctx.actor()?.org_id.0.clone();
    let orgs: Vec<String> = services
        .store
        .orgs_in(std::slice::from_ref(&root))
        .await?
        .into_iter()
        .filter(|o| o.active)
        .map(|o| o.name.as_str().to_string())
        .collect();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("firelaw bench-registry（{cores} 核，{engine}，{n} 家单位）");

    // 1. Import.
    let csv = dir.join("units.csv");
    let t = Instant::now();
    let bytes = write_csv(&csv, n, &orgs)?;
    println!("生成导入文件：{:.1} MB，{:.1} 秒", bytes as f64 / 1e6, t.elapsed().as_secs_f64());
    let baseline = raw_baseline(dir, n)?;
    let rss_before = rss_kb("VmRSS:");
    // Reset the high-water mark so that it measures the import alone (Linux ≥ 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let t = Instant::now();
    let job = services.start_import(&ctx, "bench.csv", ImportMode::AllOrNothing, &dh).await?;
    let path = csv.clone();
    let open = move || -> domain::Result<RowReader> { sheets::read_rows(&path) };
    let done = services.run_import(&ctx, job, ImportMode::AllOrNothing, &dh, &open).await?;
    let import_time = t.elapsed();
    let peak = rss_kb("VmHWM:");
    if done.status != "done" {
        anyhow::bail!("导入未完成：{}；{}", done.message, done.errors.chars().take(600).collect::<String>());
    }
    println!(
        "(1) 导入 {} 行：{:.1} 秒（{:.0} 行/秒），状态 {}，新增 {}；进程内存峰值 {:.0} MB（导入前 {:.0} MB，增加 {:.0} MB）",
        done.total,
        import_time.as_secs_f64(),
        done.total as f64 / import_time.as_secs_f64(),
        done.status,
        done.inserted,
        peak as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        peak.saturating_sub(rss_before) as f64 / 1024.0,
    );
    println!(
        "    基线：rusqlite 单事务直接插入同样行数 {:.1} 秒；导入/基线 = {:.2}",
        baseline.as_secs_f64(),
        import_time.as_secs_f64() / baseline.as_secs_f64()
    );
    let _ = std::fs::remove_file(&csv);

    // 2. Search. What people type: a piece (2 to 6 characters) of a real unit's name or address, half the
    //    time with a filter that unit satisfies; and list filters alone. A deterministic generator keeps
    //    runs comparable.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    let all_ids: Vec<String> = app
        .db
        .query("SELECT id FROM units", vec![])
        .await?
        .iter()
        .map(|r| r.get::<String>("id"))
        .collect::<domain::Result<_>>()?;
    let mut mix: Vec<UnitFilter> = Vec::with_capacity(queries);
    let mut ids: Vec<String> = Vec::new();
    while mix.len() < queries {
        // A unit at random.
        let id = &all_ids[next(all_ids.len())];
        let u = services.get_unit(&ctx, id).await?;
        ids.push(u.id.clone());
        let text: Vec<char> =
            if next(2) == 0 { u.facts.name.chars().collect() } else { u.facts.address.chars().collect() };
        let len = 2 + next(5);
        let start = next(text.len().saturating_sub(len).max(1));
        let q: String = text.iter().skip(start).take(len).collect();
        let mut f = UnitFilter { q: Some(q), page: 1, per_page: 50, ..Default::default() };
        match next(8) {
            0 | 1 => f.venue_kind = u.facts.venue_kinds.iter().next().map(|k| k.code().to_string()),
            2 => f.risk_grade = Some(u.risk_grade.code().to_string()),
            3 => f.status = Some(u.facts.status.code().to_string()),
            4 => {
                // A list filter alone: "key units", "high risk", a kind.
                f.q = None;
                f.venue_kind = u.facts.venue_kinds.iter().next().map(|k| k.code().to_string());
            }
            _ => {}
        }
        mix.push(f);
    }
    // Warm the caches once, as a running server would be.
    for f in mix.iter().take(200) {
        services.search_units(&ctx, f).await?;
    }
    let mut search_ms = Vec::with_capacity(queries);
    let mut brigade_ms = Vec::with_capacity(queries);
    let mut point_ms = Vec::with_capacity(queries);
    let mut slowest: Vec<(f64, String)> = Vec::new();
    for (i, f) in mix.iter().enumerate() {
        let t = Instant::now();
        services.search_units(&ctx, f).await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        search_ms.push(ms);
        slowest.push((ms, format!("{:?} {:?} {:?} {:?}", f.q, f.venue_kind, f.risk_grade, f.status)));
        let t = Instant::now();
        services.search_units(&brigade_ctx, f).await?;
        brigade_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        services.get_unit(&ctx, &ids[i % ids.len()]).await?;
        point_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    search_ms.sort_by(f64::total_cmp);
    brigade_ms.sort_by(f64::total_cmp);
    if std::env::var_os("FIRELAW_BENCH_VERBOSE").is_some() {
        slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (ms, q) in slowest.iter().take(25) {
            println!("    {ms:.2} ms  {q}");
        }
    }
    point_ms.sort_by(f64::total_cmp);
    println!(
        "(2) 支队用户检索全部名录 {queries} 次（单位名称或地址的2至6个字，半数带筛选，另含仅筛选）：p50 {:.2} ms，p99 {:.2} ms，最慢 {:.2} ms",
        percentile(&search_ms, 0.5),
        percentile(&search_ms, 0.99),
        search_ms.last().copied().unwrap_or(0.0)
    );
    println!(
        "    同样的检索由大队用户（辖区约占全部单位的三分之一）执行：p50 {:.2} ms，p99 {:.2} ms",
        percentile(&brigade_ms, 0.5),
        percentile(&brigade_ms, 0.99)
    );
    println!(
        "    基线：按 id 读取单位 p50 {:.3} ms，p99 {:.3} ms；检索p99/基线p99 = {:.1}",
        percentile(&point_ms, 0.5),
        percentile(&point_ms, 0.99),
        percentile(&search_ms, 0.99) / percentile(&point_ms, 0.99).max(1e-6)
    );
    // The worst case of an inverted index: two common terms that never meet (every tenth unit is named
    // 大酒店, every tenth other one is a restaurant), so both lists are walked to the end.
    let mut worst = Vec::new();
    for _ in 0..20 {
        let f = UnitFilter {
            q: Some("大酒".into()),
            venue_kind: Some("restaurant".into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        };
        let t = Instant::now();
        services.search_units(&ctx, &f).await?;
        worst.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    worst.sort_by(f64::total_cmp);
    println!(
        "    最坏情形（两个各占一成、互不相交的条件，如“大酒”＋餐饮场所）：中位数 {:.1} ms",
        percentile(&worst, 0.5)
    );

    // 3. Draw.
    let pool: Vec<PoolUnit> = (0..n)
        .map(|i| PoolUnit {
            id: format!("u{i:08}"),
            stratum: ["high", "elevated", "general", "low"][i % 4].to_string(),
            org_path: format!("/r/b{}/s{}/", i % 8, i % 3),
        })
        .collect();
    let officers: Vec<PoolOfficer> = (0..400)
        .map(|i| PoolOfficer {
            id: format!("o{i:04}"),
            org_path: if i % 5 == 0 { format!("/r/b{}/", i % 8) } else { format!("/r/b{}/s{}/", i % 8, i % 3) },
            // Each officer declares conflicts with a few hundred units.
            excluded_units: (0..300).map(|k| format!("u{:08}", (i * 2_477 + k * 3_331) % n)).collect(),
        })
        .collect();
    let quota = std::collections::BTreeMap::from([
        ("high".to_string(), 4000usize),
        ("elevated".to_string(), 3000),
        ("general".to_string(), 2000),
        ("low".to_string(), 1000),
    ]);
    let mut draw_ms = Vec::new();
    let mut sort_ms = Vec::new();
    for round in 0..5u8 {
        let t = Instant::now();
        let mut rng = DrawRng::new([round; 32]);
        let drawn = draw_units(&pool, &quota, &mut rng)?;
        let pairs = assign_officers(&drawn, &officers, 2, &mut rng)?;
        draw_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(pairs.len(), 10_000);
        let mut copy: Vec<&PoolUnit> = pool.iter().rev().collect();
        let t = Instant::now();
        copy.sort();
        sort_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    draw_ms.sort_by(f64::total_cmp);
    sort_ms.sort_by(f64::total_cmp);
    println!(
        "(3) 从 {n} 家中分层抽取 10000 家并两两配对执法人员（400 人，每人回避 300 家，负载均衡）：中位数 {:.1} ms",
        draw_ms[2]
    );
    println!(
        "    基线：按编号排序整个名录一次 中位数 {:.1} ms；抽取/基线 = {:.2}",
        sort_ms[2],
        draw_ms[2] / sort_ms[2]
    );
    let t = Instant::now();
    let digest = domain::random_check::draw::pool_digest(&pool);
    println!(
        "    名录 SM3 摘要（公布与复核时各算一次）：{:.1} ms（{}…）",
        t.elapsed().as_secs_f64() * 1000.0,
        &digest[..12]
    );
    Ok(())
}
