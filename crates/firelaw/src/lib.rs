//! The firelaw application: configuration, start-up and the command-line tools. `main.rs` only parses
//! arguments; tests boot the real application through [`Application::build`].

pub mod bench;
pub mod bench_cases;
pub mod bench_entrustments;
pub mod bench_inspections;
pub mod bench_registry;
pub mod cli;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use domain::Services;
use domain::audit::Ctx;
use domain::time::{Clock, SystemClock};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

/// How to run.
#[derive(Clone)]
pub struct Config {
    /// `sqlite:…` or `postgres://…`.
    pub database_url: String,
    /// The audit MAC key file (created on first start).
    pub key_file: PathBuf,
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Secure, `__Host-` session cookie.
    pub cookie_secure: bool,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// PBKDF2 iterations for new password hashes (lowered only by tests and benchmarks).
    pub password_iterations: Option<u32>,
    /// Where evidence files and issued PDFs are kept.
    pub files_dir: PathBuf,
    /// S3-compatible storage instead of `files_dir`.
    pub s3: Option<files::S3Settings>,
    /// Font folders for documents, searched in order.
    pub font_dirs: Vec<PathBuf>,
    /// Public address printed in documents' verification QR codes (empty: from `listen`).
    pub public_url: String,
}

impl Config {
    /// A configuration for a data folder: SQLite file and key inside it.
    pub fn for_data_dir(dir: &std::path::Path, listen: SocketAddr) -> Config {
        Config {
            database_url: sqlite_url(&dir.join("firelaw.db")),
            key_file: dir.join("keys").join("audit.key"),
            listen,
            cookie_secure: true,
            clock: Arc::new(SystemClock),
            password_iterations: None,
            files_dir: dir.join("files"),
            s3: None,
            font_dirs: documents::Renderer::default_dirs(dir),
            public_url: String::new(),
        }
    }
}

/// `sqlite://…?mode=rwc` for a file path.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A running application.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// The services, for tests and the command line.
    pub services: Services,
    /// The database, for tests and maintenance commands.
    pub db: store::Db,
}

fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().ok()).clone()
}

/// Opens the database (creating the data folder and key on first start) and wires the services.
pub async fn open(config: &Config) -> anyhow::Result<(Services, store::Db)> {
    if let Some(path) = config.database_url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(file).parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("无法创建数据目录 {}", dir.display()))?;
        }
    }
    // Storage first: a wrong bucket or key stops the start before the database is touched.
    let files: Arc<dyn domain::ports::FileStore> = match &config.s3 {
        None => Arc::new(
            files::LocalFiles::new(&config.files_dir)
                .with_context(|| format!("无法创建文件目录 {}", config.files_dir.display()))?,
        ),
        Some(s3) => {
            let store = files::S3Files::new(s3)?;
            store.check().await?;
            Arc::new(store)
        }
    };
    let mut crypto = crypto::SoftwareCrypto::from_key_file(&config.key_file)
        .with_context(|| format!("无法读取或创建审计密钥文件 {}", config.key_file.display()))?;
    if let Some(i) = config.password_iterations {
        crypto = crypto.with_iterations(i);
    }
    let crypto: Arc<dyn domain::ports::CryptoProvider> = Arc::new(crypto);
    let db = store::Db::connect(&config.database_url, crypto.clone(), config.clock.now().millis()).await?;
    let renderer =
        documents::Renderer::shared(&config.font_dirs).context("无法载入文书字体（请安装 fonts-noto-cjk）")?;
    let public_url =
        if config.public_url.is_empty() { format!("http://{}", config.listen) } else { config.public_url.clone() };
    let services =
        Services::new(Arc::new(db.clone()), crypto, config.clock.clone(), Arc::new(renderer), files, public_url);
    Ok((services, db))
}

impl Application {
    /// Opens the database, applies migrations and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let (services, db) = open(&config).await?;
        let state = web::AppState::new(
            services.clone(),
            web::WebConfig { cookie_secure: config.cookie_secure },
            metrics_handle(),
        );
        let listener = TcpListener::bind(config.listen).await.with_context(|| format!("无法监听 {}", config.listen))?;
        Ok(Application { listener, router: web::app(state), services, db })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// A context for acts of the system itself (start-up, demo data).
    pub fn system_ctx(&self) -> Ctx {
        Ctx { actor: None, ip: "127.0.0.1".into(), request_id: "startup".into(), now: self.services.clock.now() }
    }

    /// Serves until the process is stopped (Ctrl-C or SIGTERM). Alongside, the deadline job raises the
    /// due-soon and overdue alerts every hour (idempotent: several servers may run it).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let services = self.services.clone();
        let jobs = tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tick.tick().await;
                let ctx = Ctx {
                    actor: None,
                    ip: "127.0.0.1".into(),
                    request_id: "deadline-job".into(),
                    now: services.clock.now(),
                };
                match services.raise_deadline_alerts(&ctx).await {
                    Ok(n) if n > 0 => tracing::info!(alerts = n, "deadline alerts raised"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "deadline job failed; retrying next hour"),
                }
            }
        });
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service).with_graceful_shutdown(shutdown_signal()).await;
        jobs.abort();
        served?;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
