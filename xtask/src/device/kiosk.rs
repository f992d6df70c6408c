//! The kiosk: offline tickets from its own letter series, at a steady rate, plus heartbeats. Always the
//! device-owned path (`edge::offline::issue_ticket` into the outbox), whatever the hall's state: that
//! is the path whose delivery the chaos run checks.

use std::time::Duration;

use anyhow::Context as _;
use edge::offline::{OfflineIssue, OfflineTarget, issue_ticket};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::time::Instant;

use super::{Ctx, heartbeat, interval, now_ms};

/// A queue of this kiosk's hall, from the configuration replica.
struct Target {
    hall_id: String,
    queue_id: String,
    prefix: String,
    utc_offset_minutes: i32,
}

pub(super) async fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let letter = ctx
        .identity
        .letter
        .context("this kiosk has no offline series letter (enrolled as something else?)")?;
    let mut rng = StdRng::from_entropy();
    let pace = interval(ctx.args.rate);
    let beat = Duration::from_secs(ctx.args.heartbeat_secs.max(1));
    let mut next_beat = Instant::now();
    let mut known: Option<(i64, Vec<Target>)> = None;
    loop {
        if ctx.quiesced() {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        if Instant::now() >= next_beat {
            if let Err(e) = heartbeat(ctx).await {
                tracing::warn!(error = %e, "heartbeat not stored");
            }
            next_beat += beat;
        }
        let version = ctx.store.config_version()?;
        if known.as_ref().is_none_or(|(v, _)| *v != version) {
            known = Some((version, targets(ctx)?));
        }
        let targets = known.as_ref().map_or(&[][..], |(_, t)| t.as_slice());
        if targets.is_empty() {
            // No configuration pulled yet: nothing to number tickets for.
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        let t = &targets[rng.gen_range(0..targets.len())];
        // Some citizens claim a priority or are elderly, so the windows' routing has classes to order.
        let claims: Vec<String> = if rng.gen_bool(0.1) {
            vec!["pregnant".to_owned()]
        } else {
            Vec::new()
        };
        let birth = rng.gen_bool(0.1).then_some("1950-03-01");
        let now = now_ms();
        let day = domain::Millis(now)
            .business_day(t.utc_offset_minutes)
            .date()
            .to_string();
        let store = ctx.store.clone();
        let (hall_id, queue_id, prefix) = (t.hall_id.clone(), t.queue_id.clone(), t.prefix.clone());
        let issued = tokio::task::spawn_blocking(move || {
            issue_ticket(
                &store,
                &OfflineIssue {
                    hall_id: &hall_id,
                    letter,
                    target: OfflineTarget::Queue { queue_id: &queue_id },
                    prefix: &prefix,
                    birth,
                    claims: &claims,
                    day: &day,
                    now_ms: now,
                },
            )
        })
        .await
        .context("the issuing task failed")?
        .context("issuing an offline ticket")?;
        ctx.stats.update(|s| s.issued += 1);
        tracing::debug!(number = %issued.display_number, seq = issued.seq, "issued");
        // ±50 % around the rate, so kiosks do not tick in step.
        tokio::time::sleep(pace.mul_f64(rng.gen_range(0.5..1.5))).await;
    }
}

/// The queues of this kiosk's hall in the configuration replica (empty before the first pull).
fn targets(ctx: &Ctx) -> anyhow::Result<Vec<Target>> {
    let Some((_, body)) = ctx.store.config()? else {
        return Ok(Vec::new());
    };
    let cfg: domain::CityConfig = serde_json::from_value(body).context("the configuration replica is unreadable")?;
    let hall = &ctx.identity.hall_id;
    let offset = cfg
        .halls
        .iter()
        .find(|h| h.id.as_str() == hall)
        .map_or(480, |h| h.utc_offset_minutes);
    Ok(cfg
        .queues
        .iter()
        .filter(|q| q.hall_id.as_str() == hall)
        .map(|q| Target {
            hall_id: hall.clone(),
            queue_id: q.id.to_string(),
            prefix: q.prefix.clone(),
            utc_offset_minutes: offset,
        })
        .collect())
}
