//! The simulated day: citizens arrive, windows call and serve, citizens rate, some book appointments.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use domain::config::{HallLevel, PriorityReason};
use domain::decide::{IdCardFacts, IssueTicket};
use domain::ids::*;
use domain::ticket::{Channel, TicketStatus};
use domain::{Actor, Command, Millis};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::app::AppState;
use crate::service::citizens::SealedCitizen;

/// Arrivals per minute per hall at the given local minute of day, before the hall-size factor.
fn curve(minute: u16) -> f64 {
    let h = f64::from(minute) / 60.0;
    let bump = |centre: f64, width: f64| (-((h - centre) / width).powi(2)).exp();
    0.4 + 3.0 * bump(9.5, 1.2) + 2.4 * bump(14.5, 1.4)
}

fn size(level: HallLevel) -> f64 {
    match level {
        HallLevel::City => 2.0,
        HallLevel::District => 1.0,
        _ => 0.5,
    }
}

/// A resident ID number with a correct check character.
fn id_number(rng: &mut StdRng) -> (String, domain::time::Date) {
    let birth = domain::time::Date::from_days(rng.gen_range(-10_957..12_784)); // 1940 … 2004
    let first17 = format!(
        "230102{:04}{:02}{:02}{:03}",
        birth.year,
        birth.month,
        birth.day,
        rng.gen_range(1..999)
    );
    let check = domain::idcard::check_char(first17.as_bytes()).map_or('0', char::from);
    (format!("{first17}{check}"), birth)
}

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "马"];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
];

struct WindowSim {
    hall: HallId,
    staff: StaffId,
    /// When the next step of this window is due.
    next_at: i64,
}

pub struct Staffed(HashMap<WindowId, WindowSim>);

/// Signs staff in at about 75 % of the windows and opens them (before the demo prints its URLs, so
/// the first look already shows a working hall).
pub async fn staff_windows(app: &Arc<AppState>) -> Staffed {
    let mut rng = StdRng::from_entropy();
    let cfg = app.engine.shared.cfg.read().clone();
    let mut windows: HashMap<WindowId, WindowSim> = HashMap::new();
    // Staff about 75 % of windows; the counter app's window stays free for a person at the demo.
    for w in &cfg.data.windows {
        if w.id.as_str() == super::COUNTER_APP_WINDOW || rng.gen_bool(0.25) {
            continue;
        }
        let Some(staff) = cfg.data.staff.iter().find(|s| s.window_ids.first() == Some(&w.id)) else {
            continue;
        };
        let actor = Actor::Staff(staff.id.clone());
        let signed = app
            .engine
            .execute(
                w.hall_id.clone(),
                actor.clone(),
                Command::SignIn {
                    window: w.id.clone(),
                    staff: staff.id.clone(),
                },
                None,
            )
            .await;
        let opened = app
            .engine
            .execute(
                w.hall_id.clone(),
                actor,
                Command::OpenWindow { window: w.id.clone() },
                None,
            )
            .await;
        if signed.is_ok() && opened.is_ok() {
            windows.insert(
                w.id.clone(),
                WindowSim {
                    hall: w.hall_id.clone(),
                    staff: staff.id.clone(),
                    next_at: 0,
                },
            );
        }
    }
    Staffed(windows)
}

pub async fn simulate(app: Arc<AppState>, staffed: Staffed) {
    let mut rng = StdRng::from_entropy();
    let cfg = app.engine.shared.cfg.read().clone();
    let mut windows = staffed.0;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut booked: Vec<Booked> = Vec::new();
    loop {
        tick.tick().await;
        let now = (app.clock)();
        arrivals(&app, &cfg, &mut rng, now).await;
        appointments(&app, &cfg, &mut rng, now, &mut booked).await;
        for (wid, w) in windows.iter_mut() {
            if w.next_at <= now {
                w.next_at = now + step(&app, &cfg, &mut rng, wid, w).await;
            }
        }
    }
}

async fn arrivals(app: &Arc<AppState>, cfg: &domain::Config, rng: &mut StdRng, now: i64) {
    for hall in &cfg.data.halls {
        let minute = Millis(now).minute_of_day(hall.utc_offset_minutes);
        let per_second = curve(minute) * size(hall.level) / 60.0;
        if !rng.gen_bool(per_second.clamp(0.0, 1.0)) {
            continue;
        }
        let queues: Vec<_> = cfg.queues_of_hall(&hall.id).collect();
        if queues.is_empty() {
            continue;
        }
        let q = queues[rng.gen_range(0..queues.len())];
        let Some(item) = q.item_ids.get(rng.gen_range(0..q.item_ids.len().max(1))) else {
            continue;
        };
        let with_card = cfg.item(item).is_some_and(|i| i.id_card_required) || rng.gen_bool(0.3);
        let mut sealed = SealedCitizen::default();
        let id_card = with_card.then(|| {
            let (number, birth) = id_number(rng);
            let name = format!(
                "{}{}",
                SURNAMES[rng.gen_range(0..SURNAMES.len())],
                GIVEN[rng.gen_range(0..GIVEN.len())]
            );
            sealed.id_number = Some(app.sealer.seal(&number));
            sealed.name = Some(app.sealer.seal(&name));
            IdCardFacts { birth }
        });
        let claims = if rng.gen_bool(0.03) {
            vec![PriorityReason::Pregnant]
        } else {
            vec![]
        };
        let cmd = Command::Issue(IssueTicket {
            ticket_id: TicketId::new(uuid::Uuid::now_v7().to_string()),
            token: crate::crypto::ordered_token(),
            hall_id: hall.id.clone(),
            item_id: Some(item.clone()),
            queue_id: None,
            channel: if rng.gen_bool(0.8) {
                Channel::Kiosk
            } else {
                Channel::Mobile
            },
            id_card,
            claims,
            number: None,
        });
        let sealed = with_card.then(|| serde_json::to_string(&sealed).unwrap_or_default());
        // Quota refusals are part of a real day; the simulation just moves on.
        let _ = app.engine.execute(hall.id.clone(), Actor::Citizen, cmd, sealed).await;
    }
}

/// Moves one window one step; returns milliseconds until its next step.
async fn step(app: &Arc<AppState>, cfg: &domain::Config, rng: &mut StdRng, wid: &WindowId, w: &WindowSim) -> i64 {
    let current = {
        let st = app.engine.shared.state.read();
        st.halls
            .get(&w.hall)
            .and_then(|h| h.window(wid).current.and_then(|t| h.ticket(&t).cloned()))
    };
    let actor = Actor::Staff(w.staff.clone());
    let exec = |cmd| app.engine.execute(w.hall.clone(), actor.clone(), cmd, None);
    match current {
        None => match exec(Command::CallNext { window: wid.clone() }).await {
            Ok(_) => rng.gen_range(5_000..25_000),
            Err(_) => rng.gen_range(5_000..15_000),
        },
        Some(t) if t.status == TicketStatus::Called => {
            if rng.gen_bool(0.06) {
                let _ = exec(Command::NoShow { window: wid.clone() }).await;
                2_000
            } else if t.recall_count == 0 && rng.gen_bool(0.1) {
                let _ = exec(Command::Recall { window: wid.clone() }).await;
                15_000
            } else {
                let _ = exec(Command::Start { window: wid.clone() }).await;
                let planned = t
                    .item_id
                    .as_ref()
                    .and_then(|i| cfg.item(i))
                    .map_or(300, |i| i.avg_service_secs);
                // Ten times faster than life, with spread.
                i64::from(planned) * 100 * rng.gen_range(60..140) / 100
            }
        }
        Some(t) => {
            let _ = exec(Command::Finish { window: wid.clone() }).await;
            if rng.gen_bool(0.8) {
                let level = *[5u8, 5, 5, 5, 5, 4, 4, 3, 2, 1].get(rng.gen_range(0..10)).unwrap_or(&5);
                let _ = app
                    .engine
                    .execute(
                        w.hall.clone(),
                        Actor::Citizen,
                        Command::Rate {
                            ticket: t.id.clone(),
                            level,
                            // A negative rating names its reason (tender 13(7)).
                            reasons: if level <= 2 {
                                vec![
                                    if rng.gen_bool(0.5) {
                                        "等候时间长"
                                    } else {
                                        "办理效率低"
                                    }
                                    .to_owned(),
                                ]
                            } else {
                                Vec::new()
                            },
                            comment: None,
                            photo: None,
                        },
                        None,
                    )
                    .await;
            }
            rng.gen_range(3_000..10_000)
        }
    }
}

/// A booking the simulation made, to check in around its slot.
struct Booked {
    hall: HallId,
    id: AppointmentId,
    /// When this citizen turns up (some come early, some late, a few never).
    arrives_at: Option<i64>,
}

/// About one booking per hall every two minutes, for a slot later today or tomorrow; booked citizens
/// check in around their slot (10 % never come).
async fn appointments(app: &Arc<AppState>, cfg: &domain::Config, rng: &mut StdRng, now: i64, booked: &mut Vec<Booked>) {
    for hall in &cfg.data.halls {
        if !rng.gen_bool(1.0 / 120.0) {
            continue;
        }
        let templates: Vec<_> = cfg
            .data
            .slot_templates
            .iter()
            .filter(|t| t.hall_id == hall.id)
            .collect();
        let Some(t) = templates.get(rng.gen_range(0..templates.len().max(1))) else {
            continue;
        };
        let today = Millis(now).business_day(hall.utc_offset_minutes);
        let day = domain::BusinessDay(today.0 + rng.gen_range(0..2));
        let open: Vec<_> = domain::appointment::template_slots(cfg, &hall.id, &t.item_id, day)
            .into_iter()
            .filter(|s| day.at_minute(s.start_minute, hall.utc_offset_minutes).0 > now)
            .collect();
        let Some(slot) = open.get(rng.gen_range(0..open.len().max(1))) else {
            continue;
        };
        let (number, _) = id_number(rng);
        let id = AppointmentId::new(uuid::Uuid::now_v7().to_string());
        let cmd = Command::Book(domain::decide::BookAppointment {
            appointment_id: id.clone(),
            code: crate::crypto::random_token(),
            hall_id: hall.id.clone(),
            item_id: t.item_id.clone(),
            day,
            start_minute: slot.start_minute,
            citizen_key: app.sealer.blind_index(&number),
        });
        if app
            .engine
            .execute(hall.id.clone(), Actor::Citizen, cmd, None)
            .await
            .is_ok()
        {
            let start = day.at_minute(slot.start_minute, hall.utc_offset_minutes).0;
            let arrives_at = rng.gen_bool(0.9).then(|| start + rng.gen_range(-25..30) * 60_000);
            booked.push(Booked {
                hall: hall.id.clone(),
                id,
                arrives_at,
            });
        }
    }
    let mut due = Vec::new();
    booked.retain(|b| match b.arrives_at {
        Some(t) if t <= now => {
            due.push((b.hall.clone(), b.id.clone()));
            false
        }
        _ => true,
    });
    for (hall, id) in due {
        let cmd = Command::CheckIn {
            appointment: id,
            ticket_id: TicketId::new(uuid::Uuid::now_v7().to_string()),
            token: crate::crypto::ordered_token(),
        };
        let _ = app.engine.execute(hall, Actor::Citizen, cmd, None).await;
    }
}
