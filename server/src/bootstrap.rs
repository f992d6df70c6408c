//! First start of an empty node: an administrator account to log in with, so a fresh `server serve`
//! is usable. Its password is random, written once to `DATA/initial-admin-password` (mode 0600).

use std::sync::Arc;

use anyhow::Context as _;
use domain::config::{Role, Staff};

use crate::app::AppState;

pub async fn ensure_admin(app: &Arc<AppState>) -> anyhow::Result<()> {
    let version = app.engine.shared.cfg_version.load(std::sync::atomic::Ordering::SeqCst);
    if version > 0 {
        return Ok(());
    }
    let mut data = app.engine.shared.cfg.read().data.clone();
    data.staff.push(Staff {
        id: "S-ADMIN".into(),
        login: "admin".into(),
        name: "系统管理员".into(),
        roles: vec![Role::Admin],
        hall_id: None,
        window_ids: vec![],
        card: Default::default(),
    });
    let staff = data.staff.last().cloned().context("admin staff")?;
    crate::service::config::install_config(app, domain::Actor::System, data).await?;
    let password = crate::crypto::random_token();
    crate::service::access::set_staff_password(app, "system", staff.id.as_str(), &password).await?;
    let path = app.config.data.join("initial-admin-password");
    write_secret(&path, &password).with_context(|| format!("writing {}", path.display()))?;
    tracing::warn!(path = %path.display(), "created the initial administrator 'admin'; its password is in this file");
    Ok(())
}

fn write_secret(path: &std::path::Path, s: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    writeln!(f, "{s}")
}
