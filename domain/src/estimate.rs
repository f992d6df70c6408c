//! What a citizen is told at issue and on the status page: people ahead and the estimated wait.
//! Estimated wait = position ÷ open windows serving the queue × rolling average service time.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::hall::{HallState, WindowStatus};
use crate::ids::QueueId;
use crate::routing::Class;
use crate::ticket::{Ticket, TransferTarget};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitEstimate {
    /// Tickets ahead in the same line.
    pub people_ahead: u32,
    /// Open windows that call from this line.
    pub windows_serving: u32,
    pub avg_service_secs: u32,
    /// `None` while no window serving the line is open.
    pub estimated_wait_secs: Option<u32>,
}

/// The average service time of a queue: observed (rolling) if any service finished, else planned
/// (the mean of its items' planned times).
pub fn avg_service_secs(cfg: &Config, h: &HallState, queue: &crate::ids::QueueId) -> u32 {
    if let Some(ms) = h.avg_service_ms.get(queue) {
        return u32::try_from(ms / 1000).unwrap_or(u32::MAX).max(1);
    }
    let planned: Vec<u32> = cfg
        .queue(queue)
        .map(|q| {
            q.item_ids
                .iter()
                .filter_map(|i| cfg.item(i))
                .map(|i| i.avg_service_secs)
                .collect()
        })
        .unwrap_or_default();
    if planned.is_empty() {
        300
    } else {
        planned.iter().sum::<u32>() / u32::try_from(planned.len()).unwrap_or(1)
    }
}

pub fn estimate(cfg: &Config, h: &HallState, t: &Ticket) -> WaitEstimate {
    in_line(cfg, h, &t.queue_id, t.target.as_ref(), h.position(t))
}

/// What a new ticket of `class` for `queue` would be told if it were issued now (the kiosk's preview
/// before issuing): the same formula as [`estimate`], at the next arrival number.
pub fn estimate_new(cfg: &Config, h: &HallState, queue: &QueueId, class: Class) -> WaitEstimate {
    in_line(cfg, h, queue, None, h.position_in_queue(queue, class, h.next_arrival))
}

fn in_line(
    cfg: &Config,
    h: &HallState,
    queue: &QueueId,
    target: Option<&TransferTarget>,
    position: usize,
) -> WaitEstimate {
    let people_ahead = u32::try_from(position).unwrap_or(u32::MAX);
    let windows_serving = match target {
        Some(TransferTarget::Window(_)) | Some(TransferTarget::Staff(_)) => 1,
        _ => u32::try_from(
            cfg.windows_of_hall(&h.hall_id)
                .filter(|w| w.profile.serves(queue) && h.window(&w.id).status == WindowStatus::Open)
                .count(),
        )
        .unwrap_or(0),
    };
    let avg = avg_service_secs(cfg, h, queue);
    let estimated_wait_secs = (windows_serving > 0).then(|| {
        u32::try_from(u64::from(people_ahead) * u64::from(avg) / u64::from(windows_serving)).unwrap_or(u32::MAX)
    });
    WaitEstimate {
        people_ahead,
        windows_serving,
        avg_service_secs: avg,
        estimated_wait_secs,
    }
}
