//! Work profiles: which queues a window serves and how it picks the next ticket.
//!
//! The order of precedence when a window calls next (first non-empty class wins):
//! 0. overdue: waited longer than `max_wait_minutes`, or overtaken `max_overtakes` times by later tickets
//!    (this is what bounds every ticket's wait in calls, whatever the strategy: no starvation);
//! 1. tickets transferred to this window or to the person signed in at it;
//! 2. appointment check-ins inside their early/late window;
//! 3. priority groups (elderly, pregnant, disabled, military — as the hall configures);
//! 4. everyone else.
//!
//! Classes 0 and 1 are taken oldest first across all the window's queues. For classes 2–4 the strategy
//! chooses the queue: strict order (the first listed queue that has anyone), longest waiting (the best
//! ticket across all queues), or weighted cycles (serve `weights[i]` tickets of queue i, then move on).

use serde::{Deserialize, Serialize};

use crate::ids::QueueId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Strategy {
    /// The first queue in the profile's list that has a ticket wins.
    StrictOrder,
    /// The ticket that has waited longest across all the window's queues.
    LongestWaiting,
    /// Serve `weights[i]` tickets from queue i, then move to the next queue that has tickets.
    Weighted { weights: Vec<u32> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkProfile {
    pub queues: Vec<QueueId>,
    pub strategy: Strategy,
    /// Any ticket that has waited more than this many minutes is called first.
    #[serde(default)]
    pub max_wait_minutes: Option<u32>,
    /// Any ticket overtaken this many times by later tickets is called first (must be ≥ 1).
    #[serde(default = "default_max_overtakes")]
    pub max_overtakes: u32,
}

fn default_max_overtakes() -> u32 {
    20
}

impl WorkProfile {
    pub fn new(queues: Vec<QueueId>, strategy: Strategy) -> WorkProfile {
        WorkProfile {
            queues,
            strategy,
            max_wait_minutes: None,
            max_overtakes: default_max_overtakes(),
        }
    }

    pub fn serves(&self, queue: &QueueId) -> bool {
        self.queues.contains(queue)
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.max_overtakes == 0 {
            return Err("max_overtakes must be at least 1".into());
        }
        if let Strategy::Weighted { weights } = &self.strategy {
            if weights.len() != self.queues.len() {
                return Err(format!(
                    "weights: expected {} weights, one per queue, got {}",
                    self.queues.len(),
                    weights.len()
                ));
            }
            if weights.contains(&0) {
                return Err("weights: every weight must be at least 1".into());
            }
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(q) = self.queues.iter().find(|q| !seen.insert(*q)) {
            return Err(format!("queues: {q} listed twice"));
        }
        Ok(())
    }
}

/// Precedence class of a waiting ticket; lower is called first (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Appointment = 2,
    Priority = 3,
    Normal = 4,
}
