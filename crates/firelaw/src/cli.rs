//! The command line: `serve`, `migrate`, `audit verify`, `bench`.

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
