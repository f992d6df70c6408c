//! `server demo`: a Harbin-like city with simulated traffic, so every screen has life. Arrivals follow a
//! daily curve (peaks 09:30 and 14:30, a floor so evenings are not empty), service times follow the
//! items' planned averages (sped up ×10 so a visitor sees numbers move), ratings and appointments too.

pub mod city;
mod guides;
pub mod kiosk;
mod traffic;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;

use crate::app::{AppState, ServerConfig};

/// The window the demo leaves to the `window-terminal` app (`scripts/demo` starts it there, signed in
/// as `hrb0001`): the traffic simulation never staffs it.
pub const COUNTER_APP_WINDOW: &str = "H00-W01";

/// Seeds (first run only), serves, prints how to look at it, simulates traffic until `stop` resolves.
pub async fn run(data: PathBuf, listen: String, stop: impl std::future::Future<Output = ()>) -> anyhow::Result<()> {
    let config = ServerConfig {
        data,
        listen,
        ..ServerConfig::default()
    };
    let running = crate::start(config, crate::engine::system_clock()).await?;
    let app = running.app.clone();
    seed(&app).await?;
    kiosk::seed(&app).await?;
    let citizen_code = kiosk::issue_demo_code(&app).await?;
    let staffed = traffic::staff_windows(&app).await;
    let leader = crate::service::access::open_session(&app, None, "leader", city::DEMO_PASSWORD).await?;
    let base = format!("http://{}", running.addr);
    println!(
        "Demo city: 哈尔滨市 — 19 halls, {} windows, simulated traffic",
        app.engine.shared.cfg.read().data.windows.len()
    );
    println!("  API (OpenAPI 3):   {base}/api/v1/openapi.json");
    println!("  city live feed:    {base}/api/v1/events");
    println!("  hall H00 feed:     {base}/api/v1/halls/H00/events");
    println!("  hall H00 snapshot: {base}/api/v1/halls/H00/snapshot");
    println!("  health / metrics:  {base}/healthz  {base}/metrics");
    println!("Demo accounts (password {}):", city::DEMO_PASSWORD);
    for (login, what) in city::demo_logins() {
        println!("  {login:<12} {what}");
    }
    println!("  counter app window: {COUNTER_APP_WINDOW} (left free by the traffic simulation)");
    println!(
        "Kiosk demo (hall H00): ID {} has appointments and cases; receipts {}",
        kiosk::DEMO_ID_NUMBER,
        kiosk::DEMO_RECEIPTS.join(", ")
    );
    println!(
        "  一码通 citizen code (24 h, scan instead of ID {}): {citizen_code}",
        kiosk::DEMO_ID_NUMBER
    );
    println!("leader-token: {}", leader.token);
    println!(
        "Try: curl -N -H 'Authorization: Bearer {}' {base}/api/v1/events",
        leader.token
    );
    let sim = tokio::spawn(traffic::simulate(app.clone(), staffed));
    stop.await;
    sim.abort();
    running.stop().await;
    Ok(())
}

/// Loads the demo city and its passwords into an empty node.
pub async fn seed(app: &Arc<AppState>) -> anyhow::Result<()> {
    if app.engine.shared.cfg_version.load(std::sync::atomic::Ordering::SeqCst) > 0 {
        return Ok(());
    }
    let data = city::harbin();
    crate::service::config::install_config(app, domain::Actor::System, data.clone()).await?;
    // One argon2 hash for the shared demo password (a real deployment sets each password itself).
    let hash = tokio::task::spawn_blocking(|| crate::auth::hash_password(city::DEMO_PASSWORD))
        .await
        .context("hashing")??;
    let jobs: Vec<_> = data
        .staff
        .iter()
        .map(|s| {
            let app = app.clone();
            let (s, hash) = (s.clone(), hash.clone());
            tokio::spawn(async move { crate::service::access::set_password_hash(&app, "system", &s, hash).await })
        })
        .collect();
    for j in jobs {
        j.await.context("seeding")??;
    }
    Ok(())
}
