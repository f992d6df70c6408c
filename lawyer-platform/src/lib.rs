//! The online-lawyer platform inside the node (issue 7, standard 6.1/6.2): realtime consultations
//! routed to online lawyers and chatted over WebSocket, 留言 consultations answered within 120 min
//! under the reply rules, ratings. The rules are the `lawyer` crate's; this module keeps the state
//! (tables of migration 6, written through the writer as [`store::LawyerRecord`]s), pushes changes to
//! the chat sockets ([`Hub`]), runs the [`chat::sweeper`] that keeps the chat's promises (reassure at
//! 60 s, ask consent before 120 s, offer 留言 when nobody picks up) and tells citizens about replies
//! through a [`notify::Notifier`].
//!
//! Citizens have no account: creating a consultation returns a random bearer token (only its SM3 is
//! stored), sent back as `X-Consultation-Token` (or `?token=` on the WebSocket, which browsers cannot
//! give headers). It is not `Authorization: Bearer`, which the node reserves for staff sessions.

pub mod archive;
pub mod chat;
pub mod history;
pub mod import;
pub mod lw;
pub mod mediation;
pub mod mediation_store;
pub mod notify;
pub mod people;
pub mod quality;
pub mod reports;
pub mod routing;
pub mod schema;
pub mod store;
pub mod video;
pub mod words;

use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

pub use notify::{LogNotifier, Notice, Notifier, RecordingNotifier};

/// `[lawyer]` in `server.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LawyerConfig {
    /// Every limit of 6.2 (defaults from the standard), including the product rule
    /// `no_pickup_offer_message_secs`.
    pub sla: lawyer::SlaConfig,
    /// The fixed opening, disclaimer and closing of 留言 replies (6.2.1.2 a, f).
    pub templates: lawyer::reply::ReplyTemplates,
    /// The operator's sensitive-word list (`word<TAB>category<TAB>action`); none: nothing is refused.
    pub word_list: Option<PathBuf>,
    /// Most live realtime consultations routed to one lawyer at once.
    pub max_load: u32,
    /// How often the sweeper looks at live chats (ms).
    pub sweep_ms: u64,
    /// The automatic consent request goes out this long before the 120 s mark, so that it is in time
    /// even with a sweep period and a busy writer in between (6.2.2.3.4 b: ask *before* 120 s).
    pub consent_lead_secs: u32,
    /// `[lawyer.calendar]`: the holidays and 调休 make-up workdays of each year the working-day
    /// deadlines may fall in (6.2.4.1 mediation, 7.1.2.2, 7.1.3.2). A year not listed refuses such a
    /// deadline rather than guessing it. Default: [`lawyer::CalendarConfig::mainland_china`].
    pub calendar: lawyer::CalendarConfig,
    /// Share (0–100 %) of automatically checked consultations that also go to a human reviewer (7.2.4 a
    /// 随机质检); every automatically failed one goes to the reviewer anyway.
    pub qc_sample_percent: u8,
    /// 表 1 warning values (7.1.4.1).
    pub thresholds: lawyer::report::Thresholds,
}

impl Default for LawyerConfig {
    fn default() -> Self {
        LawyerConfig {
            sla: lawyer::SlaConfig::default(),
            templates: lawyer::reply::ReplyTemplates::default(),
            word_list: None,
            max_load: 5,
            sweep_ms: 1000,
            consent_lead_secs: 10,
            // The published mainland schedules (2025, 2026); operators add later years.
            calendar: lawyer::CalendarConfig::mainland_china(),
            qc_sample_percent: 10,
            thresholds: lawyer::report::Thresholds::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LawyerSetupError {
    #[error("敏感词表 {path} 无法读取 (cannot read the word list): {source}")]
    Read { path: String, source: std::io::Error },
    #[error("敏感词表 {path} 有误 (the word list is invalid): {source}")]
    List {
        path: String,
        source: wordfilter::ListError,
    },
    #[error(transparent)]
    Build(#[from] wordfilter::BuildError),
    #[error(transparent)]
    Calendar(#[from] lawyer::CalendarError),
}

/// The platform's live parts: configuration, the word matcher, the notifier, the hub.
pub struct Lawyer {
    /// The node the platform runs on (its writer, reader, sealer, clock).
    pub node: Arc<node_core::node::Node>,
    pub config: LawyerConfig,
    /// The platform's queries (its own tables), on the node's read connections.
    pub reader: Arc<dyn store::LawyerReader>,
    pub hub: Hub,
    /// Relays WebRTC signalling between the two sides of a video consultation.
    pub signals: video::SignalHub,
    words: RwLock<Arc<wordfilter::Matcher>>,
    notifier: RwLock<Arc<dyn Notifier>>,
    /// Working days from `config.calendar` (only needed by working-day tasks; the 留言 deadline is in minutes).
    pub calendar: lawyer::WorkCalendar,
    /// The same calendar with every unlisted year counted as weekends only, for deadlines that must
    /// never refuse the citizen's action (a revisit after a rating, a complaint's call-back): see
    /// [`quality::covering_calendar`]. Mediation bookings use the strict one.
    pub covering_calendar: lawyer::WorkCalendar,
    /// One sweep at a time (the periodic one and one a lawyer's going online triggers), so a
    /// reassurance is never posted twice by two sweeps reading the same state.
    pub(crate) sweep_lock: tokio::sync::Mutex<()>,
}

impl Lawyer {
    pub fn new(
        config: LawyerConfig,
        node: Arc<node_core::node::Node>,
        reader: Arc<dyn store::LawyerReader>,
    ) -> Result<Lawyer, LawyerSetupError> {
        let list = match &config.word_list {
            Some(p) => {
                let path = p.display().to_string();
                let text = std::fs::read_to_string(p).map_err(|source| LawyerSetupError::Read {
                    path: path.clone(),
                    source,
                })?;
                wordfilter::WordList::parse(&text).map_err(|source| LawyerSetupError::List { path, source })?
            }
            None => wordfilter::WordList::default(),
        };
        let calendar = lawyer::WorkCalendar::new(&config.calendar)?;
        let covering_calendar = quality::covering_calendar(&config.calendar)?;
        Ok(Lawyer {
            node,
            config,
            reader,
            hub: Hub::default(),
            signals: video::SignalHub::default(),
            words: RwLock::new(Arc::new(wordfilter::Matcher::new(list)?)),
            notifier: RwLock::new(Arc::new(LogNotifier)),
            calendar,
            covering_calendar,
            sweep_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// Replaces the word list (an operator reload; tests).
    pub fn set_words(&self, list: wordfilter::WordList) -> Result<(), wordfilter::BuildError> {
        *self.words.write() = Arc::new(wordfilter::Matcher::new(list)?);
        Ok(())
    }

    pub fn words(&self) -> Arc<wordfilter::Matcher> {
        self.words.read().clone()
    }

    /// Replaces the notifier (the SMS gateway of a later issue; a recording one in tests).
    pub fn set_notifier(&self, n: Arc<dyn Notifier>) {
        *self.notifier.write() = n;
    }

    pub fn notifier(&self) -> Arc<dyn Notifier> {
        self.notifier.read().clone()
    }
}

/// The platform's code reaches the node's parts (`lawyer.engine`, `lawyer.clock` …) directly.
impl std::ops::Deref for Lawyer {
    type Target = node_core::node::Node;
    fn deref(&self) -> &node_core::node::Node {
        &self.node
    }
}

/// Tells chat sockets that a consultation changed; each socket then reads what is new from the
/// store, so a socket that lagged behind loses nothing.
pub struct Hub {
    tx: broadcast::Sender<Arc<str>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl Hub {
    pub fn changed(&self, consultation: &str) {
        // No socket open is fine.
        let _ = self.tx.send(Arc::from(consultation));
    }
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.tx.subscribe()
    }
}

// The platform's nouns are wire data: they are defined with the API types.
pub use hall_api::consultations::{Author, ConsultKind, ConsultStatus, MessageKind};
pub use hall_api::mediation::MediationStatus;
