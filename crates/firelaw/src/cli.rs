//! The command line: `serve`, `migrate`, `audit verify`, `import units`, `draw verify`, `bench`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use domain::time::SystemClock;

use crate::{Application, Config};

/// 消防监督执法管理系统
#[derive(Parser)]
#[command(name = "firelaw", version, about = "消防监督执法管理系统（firelaw）")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives.
#[derive(Args, Clone)]
pub struct DbArgs {
    /// Data folder: the SQLite database and the audit key live here.
    #[arg(long, env = "FIRELAW_DATA_DIR", default_value = "firelaw-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL instead of the embedded SQLite, e.g. postgres://user:pass@localhost/firelaw.
    #[arg(long, env = "FIRELAW_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Audit MAC key file (default: <data-dir>/keys/audit.key). Every server of one database needs the same key.
    #[arg(long, env = "FIRELAW_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// Folder for evidence files and issued PDFs (default: <data-dir>/files). Servers of one database share it.
    #[arg(long, env = "FIRELAW_FILES_DIR")]
    pub files_dir: Option<PathBuf>,
    /// Public address printed in the documents' verification QR codes, e.g. https://xf.example.gov.cn.
    #[arg(long, env = "FIRELAW_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// S3-compatible storage instead of the files folder: s3://bucket or s3://bucket/prefix. The keys come
    /// from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
    #[arg(long, env = "FIRELAW_S3_URL")]
    pub s3_url: Option<String>,
    /// Address of a non-AWS store (MinIO, Ceph, a government cloud), e.g. http://10.0.0.5:9000.
    #[arg(long, env = "FIRELAW_S3_ENDPOINT", requires = "s3_url")]
    pub s3_endpoint: Option<String>,
    /// Region of the bucket (default us-east-1; MinIO accepts any).
    #[arg(long, env = "FIRELAW_S3_REGION", requires = "s3_url")]
    pub s3_region: Option<String>,
}

impl DbArgs {
    fn config(&self, listen: SocketAddr) -> Config {
        let mut c = Config::for_data_dir(&self.data_dir, listen);
        if let Some(url) = &self.database_url {
            c.database_url = url.clone();
        }
        if let Some(k) = &self.key_file {
            c.key_file = k.clone();
        }
        if let Some(f) = &self.files_dir {
            c.files_dir = f.clone();
        }
        if let Some(u) = &self.public_url {
            c.public_url = u.clone();
        }
        if let Some(url) = &self.s3_url {
            c.s3 = Some(files::S3Settings {
                url: url.clone(),
                endpoint: self.s3_endpoint.clone(),
                region: self.s3_region.clone(),
                ..Default::default()
            });
        }
        c
    }
}

/// Subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Run the web application.
    Serve {
        /// Database location.
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "FIRELAW_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load the demo organisation (a fictional 支队 with its 大队, stations, towns and officers) into an
        /// empty database.
        #[arg(long)]
        demo: bool,
        /// Password of every demo account (default: a random one, printed).
        #[arg(long, env = "FIRELAW_DEMO_PASSWORD")]
        demo_password: Option<String>,
        /// Plain `firelaw_session` cookie without `Secure` (only for HTTP test setups without TLS).
        #[arg(long, env = "FIRELAW_INSECURE_COOKIES")]
        insecure_cookies: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        /// Database location.
        #[command(flatten)]
        db: DbArgs,
    },
    /// Audit log tools.
    Audit {
        /// Which.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import data from a spreadsheet.
    Import {
        /// What.
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Random-check draw tools.
    Draw {
        /// Which.
        #[command(subcommand)]
        command: DrawCommand,
    },
    /// Measure the registry at scale: import, search and draw, each against a baseline in the same run.
    BenchRegistry {
        /// Units to generate and import.
        #[arg(long, default_value_t = 1_000_000)]
        units: usize,
        /// Search queries to time.
        #[arg(long, default_value_t = 5000)]
        queries: usize,
        /// PostgreSQL URL (a fresh database) instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Measure penalty cases: every step of a whole 普通程序 case, against the filing approval of the same run.
    BenchCases {
        /// Cases to run.
        #[arg(long, default_value_t = 50)]
        cases: usize,
        /// PostgreSQL URL (a fresh database) instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Measure entrustment: the scope guard and a town's inspection, against reading the unit and the
    /// brigade's own inspection of the same units in the same run.
    BenchEntrustments {
        /// Inspections of each kind.
        #[arg(long, default_value_t = 50)]
        inspections: usize,
        /// PostgreSQL URL (a fresh database) instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Measure inspections: records with 3 hazards through the API, correction-order PDFs and a record with
    /// a photo annex, each against a baseline in the same run.
    BenchInspections {
        /// Seconds per throughput measurement.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent API clients.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Rounds of the throughput measurement.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Photos in the record's 照片附页 (0: skip).
        #[arg(long, default_value_t = 50)]
        photos: usize,
        /// Only the API throughput (for profiling it alone).
        #[arg(long)]
        api_only: bool,
        /// PostgreSQL URL (a fresh database) instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Measure the write path: raw SQLite inserts against audited HTTP state changes.
    Bench {
        /// Seconds per measurement.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Rounds of both measurements; the median ratio is reported (the machines are noisy).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// PostgreSQL URL to run part (b) against instead of SQLite.
        #[arg(long)]
        database_url: Option<String>,
    },
}

/// Import subcommands.
#[derive(Subcommand)]
pub enum ImportCommand {
    /// Units into the 检查对象名录库, from an XLSX or CSV file following the template.
    Units {
        /// The file.
        file: PathBuf,
        /// Login name of the account the import is done as (its jurisdiction and audit trail apply).
        #[arg(long = "as")]
        user: String,
        /// Org (id or full name) for rows whose 管辖机构 is empty.
        #[arg(long)]
        org: String,
        /// `all_or_nothing` (default) or `good_rows`.
        #[arg(long, default_value = "all_or_nothing")]
        mode: String,
        /// Database location.
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Draw subcommands.
#[derive(Subcommand)]
pub enum DrawCommand {
    /// Re-run a published draw from its record (downloaded from the public page); exits 0 only when every
    /// digest, the seed and the result are identical.
    Verify {
        /// The record (JSON).
        file: PathBuf,
    },
}

/// Audit subcommands.
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the whole HMAC-SM3 chain; exits non-zero and names the first bad record if it is broken.
    Verify {
        /// Database location.
        #[command(flatten)]
        db: DbArgs,
    },
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FIRELAW_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs a command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { db, listen, demo, demo_password, insecure_cookies } => {
            init_logging();
            let mut config = db.config(listen);
            config.cookie_secure = !insecure_cookies;
            serve(config, demo, demo_password).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { db } => {
            init_logging();
            let config = db.config(SocketAddr::from(([127, 0, 0, 1], 0)));
            crate::open(&config).await?;
            println!("数据库迁移完成。");
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Verify { db } } => {
            let config = db.config(SocketAddr::from(([127, 0, 0, 1], 0)));
            let (services, _) = crate::open(&config).await?;
            let report = services.verify_audit_chain().await?;
            match report.first_break {
                None => {
                    println!("审计链校验通过：共 {} 条记录，未发现篡改、删除或重排。", report.checked);
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!(
                        "审计链校验失败：{}（序号 {}）。此前 {} 条记录校验通过。",
                        b.problem, b.seq, report.checked
                    );
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Import { command: ImportCommand::Units { file, user, org, mode, db } } => {
            let config = db.config(SocketAddr::from(([127, 0, 0, 1], 0)));
            import_units(config, file, &user, &org, &mode).await
        }
        Command::Draw { command: DrawCommand::Verify { file } } => verify_draw(&file),
        Command::BenchInspections { seconds, clients, rounds, photos, api_only, database_url } => {
            let options = crate::bench_inspections::Options { seconds, clients, rounds, photos, api_only };
            crate::bench_inspections::run(options, database_url).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchCases { cases, database_url } => {
            crate::bench_cases::run(cases, database_url).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchEntrustments { inspections, database_url } => {
            crate::bench_entrustments::run(inspections, database_url).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchRegistry { units, queries, database_url } => {
            crate::bench_registry::run(units, queries, database_url).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { seconds, clients, rounds, database_url } => {
            crate::bench::run(seconds, clients, rounds, database_url).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(config: Config, demo: bool, demo_password: Option<String>) -> anyhow::Result<()> {
    let backend =
        if config.database_url.starts_with("sqlite:") { "SQLite（WAL，synchronous=FULL）" } else { "PostgreSQL" };
    let app = Application::build(Config { clock: Arc::new(SystemClock), ..config }).await?;
    let addr = app.local_addr();
    let ctx = app.system_ctx();
    println!("firelaw 消防监督执法管理系统已启动：http://{addr}");
    println!("数据库：{backend}");
    if demo {
        let password = match demo_password {
            Some(p) => p,
            None => format!("Demo-{}", app.services.crypto.random_token(9)),
        };
        let accounts = app.services.load_demo(&ctx, &password).await?;
        if accounts.is_empty() {
            println!(
                "数据库中已有数据，未加载演示数据。演示账户的密码见首次启动时的输出；要重新开始，请停止服务并删除数据目录，或以 --demo-password 指定密码。"
            );
        } else {
            let started = std::time::Instant::now();
            let year = app.services.load_demo_year(&ctx).await?;
            println!(
                "已载入近一年的演示检查记录 {} 份、执法文书 {} 份（{:.1} 秒）。",
                year.inspections,
                year.documents,
                started.elapsed().as_secs_f64()
            );
            println!("已加载演示数据（江城市消防救援支队）。演示账户的密码均为：{password}");
            for a in &accounts {
                println!("  {:<16} {:<6} {:<8} {}", a.username, a.display_name, a.role, a.org);
            }
        }
    }
    if let Some(secret) = app.services.issue_bootstrap_secret(&ctx).await? {
        let hours = domain::policy::ONE_TIME_SECRET_HOURS;
        println!("系统尚未初始化。请在 {hours} 小时内打开 http://{addr}/bootstrap ，输入一次性初始化口令：");
        println!("  {secret}");
    }
    app.run_until_stopped().await
}

async fn import_units(config: Config, file: PathBuf, user: &str, org: &str, mode: &str) -> anyhow::Result<ExitCode> {
    use domain::services::registry::{ImportMode, RowReader};
    let (services, _) = crate::open(&config).await?;
    let account = services
        .store
        .credentials(&user.to_lowercase())
        .await?
        .ok_or_else(|| anyhow::anyhow!("账户“{user}”不存在"))?
        .account;
    let actor = services.actor_for(&account).await?;
    let org_id = match services.store.org(&domain::org::OrgId(org.to_string())).await? {
        Some(o) => o.id.0,
        None => services
            .store
            .orgs_in(&actor.scopes(domain::authz::Perm::OrgRead))
            .await?
            .into_iter()
            .find(|o| o.name.as_str() == org || o.short_name.as_deref() == Some(org))
            .map(|o| o.id.0)
            .ok_or_else(|| anyhow::anyhow!("机构“{org}”不存在或不在该账户的辖区内"))?,
    };
    let mode = ImportMode::parse(mode)?;
    let ctx = domain::audit::Ctx {
        actor: Some(Arc::new(actor)),
        ip: "cli".into(),
        request_id: format!("cli-import-{}", std::process::id()),
        now: services.clock.now(),
    };
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let job = services.start_import(&ctx, &name, mode, &org_id).await?;
    eprintln!("导入任务 {}：{}", job.id, file.display());
    // Progress: the job record is updated as batches commit; show it while the import runs.
    let watcher = {
        let services = services.clone();
        let id = job.id.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                if let Ok(Some(j)) = services.store.import_job(&id).await {
                    if j.finished_at.is_some() {
                        break;
                    }
                    eprintln!("  {}", j.message);
                }
            }
        })
    };
    let path = file.clone();
    let open = move || -> domain::Result<RowReader> { sheets::read_rows(&path) };
    let done = services.run_import(&ctx, job, mode, &org_id, &open).await?;
    watcher.abort();
    println!("{}", done.message);
    let errors: Vec<domain::registry::import::RowError> = serde_json::from_str(&done.errors).unwrap_or_default();
    for e in errors.iter().take(50) {
        println!("  第{}行 {}：{}", e.row, e.column, e.message);
    }
    if errors.len() > 50 {
        println!("  ……共 {} 个问题，完整报告见网页上的导入记录", errors.len());
    }
    Ok(if done.status == "done" { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

fn verify_draw(file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", file.display()))?;
    let record: domain::random_check::record::DrawRecord = match serde_json::from_str(&text) {
        Ok(r) => r,
        Err(e) => {
            println!("抽取记录格式错误：{e}");
            return Ok(ExitCode::from(2));
        }
    };
    match domain::random_check::record::verify(&record) {
        Ok(()) => {
            println!(
                "复核通过：{}。名录 {} 家、人员 {} 名，重新抽取的 {} 个检查对象及其执法人员与公布结果完全一致。",
                record.title,
                record.pool.len(),
                record.officers.len(),
                record.assignments.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            println!("复核不通过：{}", record.title);
            for p in problems.iter().take(20) {
                println!("  {p}");
            }
            Ok(ExitCode::from(1))
        }
    }
}
