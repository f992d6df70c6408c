//! The wall's link to its hall node: enrollment (kind `hall_display`), the snapshot on connect, then the
//! live feed, which resumes with `Last-Event-ID` after a drop (edge's `follow_hall`), so calls made
//! while the wall was cut off arrive — and are announced — once, in order, when it reconnects.

use std::sync::Arc;
use std::time::Duration;

use app_types::CommandError;
use edge::feed::{FeedEvent, FeedState, follow_hall};
use edge::{ClientConfig, ClientError, EdgeStore, SyncClient};
use hall_api::halls::HallSnapshot;
use tokio::sync::{mpsc, watch};

use super::Wall;

/// How the wall names itself to the hall node.
pub const DEVICE_NAME: &str = "大厅综合屏";
/// Between snapshot attempts while the hall node cannot be reached.
const SNAPSHOT_RETRY: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("无法连接大厅服务器 / hall node unreachable: {0}")]
    Client(#[from] ClientError),
    #[error("登记码不是大厅综合屏的（类型 {0}）/ the code is for a {0}, not a hall display")]
    WrongKind(String),
    #[error("本机数据 / local store: {0}")]
    Store(#[from] edge::StoreError),
    #[error("大厅快照无法读取 / unreadable snapshot: {0}")]
    Snapshot(String),
}

impl LinkError {
    pub fn to_command_error(&self) -> CommandError {
        let code = match self {
            LinkError::Client(ClientError::Unreachable(_)) => "unreachable",
            LinkError::Client(ClientError::Refused { .. }) => "refused",
            LinkError::Client(ClientError::Invalid(_)) => "invalid",
            LinkError::Client(_) => "upstream",
            LinkError::WrongKind(_) => "wrong_kind",
            LinkError::Store(_) => "store",
            LinkError::Snapshot(_) => "snapshot",
        };
        let e = CommandError::new(code, self.to_string());
        match self {
            LinkError::Client(ClientError::Invalid(_)) => e.field("hall_url"),
            LinkError::Client(ClientError::Refused { .. }) | LinkError::WrongKind(_) => e.field("code"),
            _ => e,
        }
    }
}

/// Enrolls with a one-time code and saves the identity; answers the hall id.
pub async fn enroll(store: &EdgeStore, hall_url: &str, code: &str) -> Result<String, LinkError> {
    let enrollment = SyncClient::enroll(hall_url, code, DEVICE_NAME).await?;
    if enrollment.kind != "hall_display" {
        return Err(LinkError::WrongKind(enrollment.kind));
    }
    let hall = enrollment.hall_id.clone();
    store.save_identity(&enrollment.into_identity(hall_url))?;
    Ok(hall)
}

async fn fetch_snapshot(client: &SyncClient, hall: &str) -> Result<HallSnapshot, LinkError> {
    let (status, body) = client
        .call(reqwest::Method::GET, &hall_api::paths::hall_snapshot(hall), None, None)
        .await?;
    if status != 200 {
        return Err(LinkError::Snapshot(format!("HTTP {status}: {body}")));
    }
    serde_json::from_value(body).map_err(|e| LinkError::Snapshot(e.to_string()))
}

/// Runs the link until `shutdown` flips to true: enrolls from the flags if needed (else waits for the
/// setup screen), then snapshot + feed, reporting reachability to the wall.
pub async fn run(wall: Arc<Wall>, mut shutdown: watch::Receiver<bool>) {
    let stop = async move {
        let _ = shutdown.wait_for(|s| *s).await;
    };
    tokio::pin!(stop);
    tokio::select! {
        () = link(&wall) => {}
        () = &mut stop => {}
    }
}

async fn link(wall: &Arc<Wall>) {
    let s = &wall.settings;
    let enrolled = wall.store().identity().ok().flatten().is_some();
    if let (false, Some(url), Some(code)) = (enrolled, &s.hall_url, &s.enroll_code) {
        // Flags: enroll at once, retrying while the hall node is down; a refused code goes to the
        // setup screen (it cannot get better by retrying).
        loop {
            match enroll(wall.store(), url, code).await {
                Ok(_) => break,
                Err(LinkError::Client(ClientError::Unreachable(e))) => {
                    wall.update(|st| st.set_offline(crate::now_ms(), e.clone()));
                    tokio::time::sleep(SNAPSHOT_RETRY).await;
                }
                Err(e) => {
                    wall.update(|st| st.error = Some(e.to_string()));
                    break;
                }
            }
        }
    }
    let Some(identity) = wall.wait_enrolled().await else {
        return;
    };
    let client = match SyncClient::from_identity(&identity, &ClientConfig::default()) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            wall.update(|st| st.error = Some(e.to_string()));
            return;
        }
    };
    let hall = identity.hall_id.clone();
    // The snapshot gives the hall's name, queues and recent calls (never announced); the feed then
    // resumes right after it.
    loop {
        match fetch_snapshot(&client, &hall).await {
            Ok(snap) => {
                wall.update(|st| {
                    st.apply_snapshot(&snap);
                    st.set_online();
                });
                break;
            }
            Err(e) => {
                wall.update(|st| st.set_offline(crate::now_ms(), e.to_string()));
                tokio::time::sleep(SNAPSHOT_RETRY).await;
            }
        }
    }
    let last = wall.view().last_event_id;
    let (tx, mut rx) = mpsc::channel::<FeedEvent>(256);
    let (state_tx, mut state_rx) = watch::channel(FeedState::Connecting);
    let feed_client = Arc::clone(&client);
    let feed_hall = hall.clone();
    let feed =
        tokio::spawn(
            async move { follow_hall(feed_client, &feed_hall, last, tx, state_tx, std::future::pending()).await },
        );
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Some(ev) => wall.apply_event(ev.id, &ev.kind, &ev.data),
                None => break,
            },
            changed = state_rx.changed() => {
                if changed.is_err() {
                    break;
                }
                let st = state_rx.borrow_and_update().clone();
                match st {
                    FeedState::Live => wall.update(|s| s.set_online()),
                    FeedState::Dropped { since_ms, error } => wall.update(|s| s.set_offline(since_ms, error)),
                    FeedState::Connecting => {}
                }
            }
        }
    }
    feed.abort();
}
