//! What the syncer tells people: one status, shown by every app's shell, worded Chinese first.

use serde::Serialize;

/// China Standard Time, where the halls are; the wording shows local clock times.
pub const DEFAULT_UTC_OFFSET_MINUTES: i32 = 8 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// No attempt finished yet.
    Starting,
    Online,
    /// Every attempt since `since_ms` failed to reach upstream.
    Unreachable {
        since_ms: i64,
    },
    /// Upstream refuses our protocol version; syncing stopped until the software is upgraded.
    UpgradeNeeded,
    /// Upstream was reached but something went wrong (refusal, bad answer, local storage).
    Error {
        message: String,
    },
}

/// Who the upstream is, for the wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Upstream {
    #[default]
    HallNode,
    CityNode,
}

impl Upstream {
    fn zh(self) -> &'static str {
        match self {
            Upstream::HallNode => "大厅服务器",
            Upstream::CityNode => "市级服务器",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Upstream::HallNode => "hall node",
            Upstream::CityNode => "city node",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Outbox events upstream has not answered for yet.
    pub waiting_events: u64,
    /// Blobs not yet confirmed uploaded.
    pub waiting_blobs: u64,
    /// When a sync last succeeded (ms since 1970).
    pub last_sync_ms: Option<i64>,
    /// The error of the last failed attempt, cleared by a success.
    pub last_error: Option<String>,
    pub upstream: Upstream,
    /// Offset of the local clock times shown, in minutes east of UTC.
    pub utc_offset_minutes: i32,
}

impl SyncStatus {
    pub fn new(upstream: Upstream, utc_offset_minutes: i32) -> SyncStatus {
        SyncStatus {
            state: SyncState::Starting,
            waiting_events: 0,
            waiting_blobs: 0,
            last_sync_ms: None,
            last_error: None,
            upstream,
            utc_offset_minutes,
        }
    }

    fn clock(&self, ms: i64) -> String {
        let minutes = (ms.div_euclid(60_000) + i64::from(self.utc_offset_minutes)).rem_euclid(24 * 60);
        format!("{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

impl std::fmt::Display for SyncStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (zh, en) = (self.upstream.zh(), self.upstream.en());
        match &self.state {
            SyncState::Starting => write!(f, "正在连接{zh}")?,
            SyncState::Online => match self.last_sync_ms {
                Some(ms) => write!(f, "已与{zh}同步（{}）", self.clock(ms))?,
                None => write!(f, "已连接{zh}")?,
            },
            SyncState::Unreachable { since_ms } => write!(f, "{zh}不可达（自 {} 起）", self.clock(*since_ms))?,
            SyncState::UpgradeNeeded => write!(f, "需要升级本机软件才能与{zh}同步，同步已停止")?,
            SyncState::Error { message } => write!(f, "与{zh}同步出错：{message}")?,
        }
        write!(f, "，待同步 {} 条", self.waiting_events)?;
        if self.waiting_blobs > 0 {
            write!(f, "，待上传文件 {} 个", self.waiting_blobs)?;
        }
        f.write_str(" / ")?;
        match &self.state {
            SyncState::Starting => write!(f, "connecting to {en}")?,
            SyncState::Online => match self.last_sync_ms {
                Some(ms) => write!(f, "in sync with {en} ({})", self.clock(ms))?,
                None => write!(f, "connected to {en}")?,
            },
            SyncState::Unreachable { since_ms } => write!(f, "{en} unreachable since {}", self.clock(*since_ms))?,
            SyncState::UpgradeNeeded => write!(f, "software upgrade needed to sync with {en}; sync stopped")?,
            SyncState::Error { message } => write!(f, "sync with {en} failed: {message}")?,
        }
        let plural = if self.waiting_events == 1 { "" } else { "s" };
        write!(f, ", {} event{plural} waiting", self.waiting_events)?;
        if self.waiting_blobs > 0 {
            let plural = if self.waiting_blobs == 1 { "" } else { "s" };
            write!(f, ", {} file{plural} waiting", self.waiting_blobs)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_reads_chinese_first_with_local_time() {
        let mut s = SyncStatus::new(Upstream::HallNode, DEFAULT_UTC_OFFSET_MINUTES);
        // 2025-01-01T01:12:00Z = 09:12 in Beijing.
        s.state = SyncState::Unreachable {
            since_ms: 1_735_693_920_000,
        };
        s.waiting_events = 12;
        assert_eq!(
            s.to_string(),
            "大厅服务器不可达（自 09:12 起），待同步 12 条 / hall node unreachable since 09:12, 12 events waiting"
        );
    }

    #[test]
    fn other_states_name_upstream_and_blobs() {
        let mut s = SyncStatus::new(Upstream::CityNode, 0);
        s.state = SyncState::UpgradeNeeded;
        s.waiting_events = 1;
        s.waiting_blobs = 2;
        let text = s.to_string();
        assert!(text.starts_with("需要升级本机软件才能与市级服务器同步"), "{text}");
        assert!(text.contains("待上传文件 2 个"), "{text}");
        assert!(
            text.ends_with("city node; sync stopped, 1 event waiting, 2 files waiting"),
            "{text}"
        );
        s.state = SyncState::Online;
        s.last_sync_ms = Some(23 * 3_600_000 + 59 * 60_000);
        assert!(s.to_string().starts_with("已与市级服务器同步（23:59）"), "{s}");
    }
}
