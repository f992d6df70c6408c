//! Server assembly: configuration, start-up (keys, store, engine, state), the router and shutdown.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use anyhow::Context as _;
use axum::Router;
use domain::{CityConfig, Config};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::auth::AuthCache;
use crate::crypto::{Sealer, load_or_create_key};
use crate::engine::{Clock, Engine, Shared};
use crate::feed::Feed;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::store::sqlite::{SqliteReader, SqliteStore};

pub use crate::api::state::{AppState, Role, Settings};

/// `server.toml`, overridden by `SERVER_*` environment variables, overridden by flags.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    pub role: Role,
    pub data: PathBuf,
    pub listen: String,
    /// Log as JSON lines (for log shippers) instead of text.
    pub json_logs: bool,
    /// The key file for personal data and device keys (created on first start).
    pub key_file: Option<PathBuf>,
    /// Hall role: the city node's base URL (e.g. `http://city.example:8080`). The hall forwards its
    /// log there and takes its configuration from there. Unset: the hall runs on its own.
    pub upstream: Option<String>,
    /// Hall role, first start only: a `hall_node` enrollment code from the city admin.
    pub upstream_code: Option<String>,
    /// What the city node calls this hall node.
    pub node_name: String,
    /// The online-lawyer platform: SLA limits, reply templates, word list.
    pub lawyer: crate::lawyer::LawyerConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            role: Role::All,
            data: PathBuf::from("./data"),
            listen: "127.0.0.1:8080".into(),
            json_logs: false,
            key_file: None,
            upstream: None,
            upstream_code: None,
            node_name: "大厅节点".into(),
            lawyer: crate::lawyer::LawyerConfig::default(),
        }
    }
}

impl ServerConfig {
    pub fn load(file: Option<&Path>) -> anyhow::Result<ServerConfig> {
        use figment::providers::{Env, Format, Serialized, Toml};
        let mut fig = figment::Figment::from(Serialized::defaults(ServerConfig::default()));
        if let Some(f) = file {
            anyhow::ensure!(f.exists(), "config file {} does not exist", f.display());
            fig = fig.merge(Toml::file(f));
        }
        fig.merge(Env::prefixed("SERVER_"))
            .extract()
            .context("reading the server configuration")
    }

    /// What the HTTP layer needs to know of the configuration.
    pub fn settings(&self) -> Settings {
        Settings {
            role: self.role,
            data: self.data.clone(),
            node_name: self.node_name.clone(),
            upstream: self.upstream.clone(),
            upstream_code: self.upstream_code.clone(),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data.join("node.db")
    }
    pub fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data.join("keys").join("sm4.key"))
    }
}

/// A started server: its address, and the way to stop it.
pub struct Running {
    pub addr: SocketAddr,
    pub app: Arc<AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
    writer: Option<std::thread::JoinHandle<()>>,
    /// The hall node's link to its city node, if any.
    link: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish, then closes the writer (which snapshots).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.app.stopping.send_replace(true);
        let _ = (&mut self.server).await;
        if let Some(l) = self.link.take() {
            let _ = l.await;
        }
        self.app.engine.close().await;
        let writer = self.writer.take();
        if let Some(w) = writer {
            let _ = tokio::task::spawn_blocking(move || w.join()).await;
        }
    }

    pub async fn wait(mut self) {
        let _ = (&mut self.server).await;
    }
}

/// Opens the data directory and builds the application state (no socket yet).
pub fn open(config: ServerConfig, clock: Clock) -> anyhow::Result<(Arc<AppState>, std::thread::JoinHandle<()>)> {
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("creating data directory {}", config.data.display()))?;
    let key = load_or_create_key(&config.key_path())?;
    let sealer = Sealer::new(&key);
    let db = config.db_path();
    let mut store = SqliteStore::open(&db, &[crate::lawyer::schema::MIGRATIONS])
        .with_context(|| format!("opening {}", db.display()))?;
    let (version, cfg) = match store.latest_config()? {
        Some((v, body)) => {
            let data: CityConfig = serde_json::from_str(&body).context("stored configuration is unreadable")?;
            (v, Config::new(data).context("stored configuration is invalid")?)
        }
        None => (0, Config::new(empty_city()).context("empty configuration")?),
    };
    let shared = Arc::new(Shared {
        cfg: RwLock::new(Arc::new(cfg)),
        cfg_version: AtomicI64::new(version),
        state: RwLock::new(Default::default()),
        feed: Arc::new(Feed::new(50_000)),
        metrics: Arc::new(Metrics::new()),
        head_seq: AtomicI64::new(0),
        owns_queues: config.role != Role::City,
    });
    let (engine, writer) = Engine::start(Box::new(store) as Box<dyn Store>, shared, clock.clone())?;
    let reader = Arc::new(SqliteReader::new(&db));
    let node = Arc::new(crate::node::Node {
        engine,
        blobs: crate::blobs::Blobs::new(&config.data, sealer.clone()),
        reader: reader.clone(),
        sealer,
        auth: AuthCache::default(),
        started_at_ms: clock(),
        stopping: tokio::sync::watch::Sender::new(false),
        clock,
    });
    let lawyer = Arc::new(crate::lawyer::Lawyer::new(config.lawyer.clone(), node.clone(), reader)?);
    let app = Arc::new(AppState {
        node,
        lawyer,
        config: config.settings(),
    });
    Ok((app, writer))
}

pub fn empty_city() -> CityConfig {
    CityConfig {
        city: domain::config::City {
            id: "CITY".into(),
            name: "未配置".into(),
        },
        halls: vec![],
        departments: vec![],
        windows: vec![],
        items: vec![],
        queues: vec![],
        staff: vec![],
        slot_templates: vec![],
    }
}

pub fn router(app: Arc<AppState>) -> Router {
    crate::api::router(app)
}

/// Binds `config.listen` and serves until [`Running::stop`].
pub async fn start(config: ServerConfig, clock: Clock) -> anyhow::Result<Running> {
    let listen = config.listen.clone();
    let (app, writer) = open(config, clock)?;
    if app.config.role == Role::Hall && app.config.upstream.is_some() {
        // Before the upstream link starts: the city's configuration must not arrive first and make
        // this look like a node that was already set up (it would then get no administrator).
        crate::bootstrap::ensure_admin(&app).await?;
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    serve(app, writer, listener).await
}

pub async fn serve(
    app: Arc<AppState>,
    writer: std::thread::JoinHandle<()>,
    listener: tokio::net::TcpListener,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let router = router(app.clone());
    let server = tokio::spawn(async move {
        let r = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = r {
            tracing::error!(error = %e, "server stopped with an error");
        }
    });
    tracing::info!(%addr, role = ?app.config.role, "serving");
    let link = crate::upstream::spawn(app.clone());
    crate::lawyer::chat::spawn_sweeper(app.lawyer.clone());
    lawyer_platform::archive::spawn_scheduler(app.lawyer.clone(), crate::api::lawyer_report_archive::archive_dir(&app));
    Ok(Running {
        addr,
        link,
        app,
        shutdown: Some(tx),
        server,
        writer: Some(writer),
    })
}
