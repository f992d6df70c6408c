//! Commands and the rules that turn them into events. `decide` reads the configuration and the hall
//! state and either refuses (changing nothing) or returns the events to append.

use serde::{Deserialize, Serialize};

use crate::appointment::{Appointment, AppointmentStatus, template_slots};
use crate::config::{Config, MAX_COMMENT_CHARS, MAX_REASONS, PriorityReason, Role, is_sm3_hex};
use crate::error::DomainError;
use crate::event::{Actor, EVENT_VERSION, Event, EventBody};
use crate::hall::{HallState, WindowStatus};
use crate::ids::*;
use crate::routing::{Class, Strategy};
use crate::ticket::{Channel, Ticket, TicketNumber, TicketStatus, TransferTarget};
use crate::time::{BusinessDay, Date, Millis};

/// Facts read from the citizen's ID card that the rules need. The number itself stays outside the
/// domain (the server encrypts it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdCardFacts {
    pub birth: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueTicket {
    pub ticket_id: TicketId,
    pub token: String,
    pub hall_id: HallId,
    pub item_id: Option<ItemId>,
    pub queue_id: Option<QueueId>,
    pub channel: Channel,
    pub id_card: Option<IdCardFacts>,
    /// Groups the citizen declared (or staff verified): pregnant, disabled, military …
    pub claims: Vec<PriorityReason>,
    /// `None`: the hall numbers it. `Some(Device{..})`: numbered offline by a device.
    pub number: Option<TicketNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookAppointment {
    pub appointment_id: AppointmentId,
    pub code: String,
    pub hall_id: HallId,
    pub item_id: ItemId,
    pub day: BusinessDay,
    pub start_minute: u16,
    pub citizen_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    Issue(IssueTicket),
    CallNext {
        window: WindowId,
    },
    /// Call a chosen waiting ticket, or one this window parked.
    CallTicket {
        window: WindowId,
        ticket: TicketId,
    },
    Recall {
        window: WindowId,
    },
    Start {
        window: WindowId,
    },
    Finish {
        window: WindowId,
    },
    NoShow {
        window: WindowId,
    },
    Park {
        window: WindowId,
    },
    Void {
        ticket: TicketId,
        reason: String,
    },
    Transfer {
        ticket: TicketId,
        to: TransferTarget,
    },
    /// The citizen's rating; see [`check_rating`] for what a rating must carry.
    Rate {
        ticket: TicketId,
        level: u8,
        reasons: Vec<String>,
        comment: Option<String>,
        /// SM3 hex digest of the photo taken at the moment of rating.
        photo: Option<String>,
    },
    /// The citizen's ID card was read for this ticket after it was issued (the data itself is sealed
    /// outside the domain).
    Identify {
        ticket: TicketId,
    },
    OpenWindow {
        window: WindowId,
    },
    PauseWindow {
        window: WindowId,
        reason: Option<String>,
    },
    CloseWindow {
        window: WindowId,
    },
    SignIn {
        window: WindowId,
        staff: StaffId,
    },
    SignOut {
        window: WindowId,
    },
    Book(BookAppointment),
    CancelAppointment {
        appointment: AppointmentId,
    },
    Reschedule {
        appointment: AppointmentId,
        day: BusinessDay,
        start_minute: u16,
    },
    CheckIn {
        appointment: AppointmentId,
        ticket_id: TicketId,
        token: String,
    },
    /// Expire what is still open from earlier business days.
    CloseDay,
}

type Bodies = Vec<EventBody>;

/// Decides `cmd` for the hall whose state is `h`. Returns the events to append, stamped with `now`
/// and `actor`; an error means nothing happened.
pub fn decide(
    cfg: &Config,
    h: &HallState,
    actor: &Actor,
    cmd: &Command,
    now: Millis,
) -> Result<Vec<Event>, DomainError> {
    let hall = cfg
        .hall(&h.hall_id)
        .ok_or_else(|| DomainError::unknown("hall", "hall_id", &h.hall_id))?;
    let today = now.business_day(hall.utc_offset_minutes);
    let bodies: Bodies = match cmd {
        Command::Issue(req) => issue(cfg, h, req, today, now, None)?,
        Command::CallNext { window } => {
            let (w, staff) = ready_to_call(cfg, h, window)?;
            let ticket =
                select_next(cfg, h, window, staff.as_ref(), now).ok_or_else(|| DomainError::NothingWaiting {
                    window: window.to_string(),
                })?;
            vec![EventBody::TicketCalled {
                ticket,
                window: window.clone(),
                staff,
                pool: w.profile.queues.clone(),
            }]
        }
        Command::CallTicket { window, ticket } => {
            let (w, staff) = ready_to_call(cfg, h, window)?;
            let t = ticket_of(h, ticket)?;
            let callable = match t.status {
                TicketStatus::Waiting => match &t.target {
                    None => w.profile.serves(&t.queue_id),
                    Some(TransferTarget::Window(x)) => x == window,
                    Some(TransferTarget::Staff(s)) => Some(s) == staff.as_ref(),
                    Some(TransferTarget::Queue(_)) => false,
                },
                TicketStatus::Parked => t.window_id.as_ref() == Some(window),
                _ => return Err(bad(t, "call")),
            };
            if !callable {
                return Err(DomainError::invalid(
                    "ticket",
                    format!("ticket {} is not for window {window}", t.display),
                ));
            }
            vec![EventBody::TicketCalled {
                ticket: ticket.clone(),
                window: window.clone(),
                staff,
                pool: w.profile.queues.clone(),
            }]
        }
        Command::Recall { window } => {
            let t = current(h, window)?;
            if t.status != TicketStatus::Called {
                return Err(bad(t, "recall"));
            }
            vec![EventBody::TicketRecalled {
                ticket: t.id.clone(),
                window: window.clone(),
            }]
        }
        Command::Start { window } => {
            let t = current(h, window)?;
            if t.status != TicketStatus::Called {
                return Err(bad(t, "start"));
            }
            vec![EventBody::ServiceStarted {
                ticket: t.id.clone(),
                window: window.clone(),
            }]
        }
        Command::Finish { window } => {
            let t = current(h, window)?;
            vec![EventBody::ServiceFinished {
                ticket: t.id.clone(),
                window: window.clone(),
            }]
        }
        Command::NoShow { window } => {
            let t = current(h, window)?;
            if t.status != TicketStatus::Called {
                return Err(bad(t, "mark as no-show"));
            }
            vec![EventBody::TicketNoShow {
                ticket: t.id.clone(),
                window: window.clone(),
            }]
        }
        Command::Park { window } => {
            let t = current(h, window)?;
            vec![EventBody::TicketParked {
                ticket: t.id.clone(),
                window: window.clone(),
            }]
        }
        Command::Void { ticket, reason } => {
            let t = ticket_of(h, ticket)?;
            if t.status.is_terminal() {
                return Err(bad(t, "void"));
            }
            let window = active_window(t);
            vec![EventBody::TicketVoided {
                ticket: ticket.clone(),
                window,
                reason: reason.clone(),
            }]
        }
        Command::Transfer { ticket, to } => {
            let t = ticket_of(h, ticket)?;
            if t.status.is_terminal() {
                return Err(bad(t, "transfer"));
            }
            match to {
                TransferTarget::Queue(q) if cfg.queue(q).is_some_and(|q| q.hall_id == h.hall_id) => {}
                TransferTarget::Window(w) if cfg.window(w).is_some_and(|w| w.hall_id == h.hall_id) => {}
                // A person of this hall (a transfer cannot send a citizen to another building).
                TransferTarget::Staff(s) if cfg.staff(s).is_some_and(|p| p.hall_id.as_ref() == Some(&h.hall_id)) => {}
                _ => {
                    return Err(DomainError::unknown("transfer target", "to", format!("{to:?}")));
                }
            }
            vec![EventBody::TicketTransferred {
                ticket: ticket.clone(),
                from_window: active_window(t),
                to: to.clone(),
            }]
        }
        Command::Rate {
            ticket,
            level,
            reasons,
            comment,
            photo,
        } => {
            let t = ticket_of(h, ticket)?;
            let comment = check_rating(
                &hall.rating_reasons,
                *level,
                reasons,
                comment.as_deref(),
                photo.as_deref(),
            )?;
            if t.status != TicketStatus::Done {
                return Err(bad(t, "rate"));
            }
            if t.rating.is_some() {
                return Err(DomainError::Duplicate {
                    what: "rating of ticket",
                    field: "ticket",
                    id: t.display.clone(),
                });
            }
            vec![EventBody::TicketRated {
                ticket: ticket.clone(),
                level: *level,
                reasons: reasons.clone(),
                comment,
                photo: photo.clone(),
            }]
        }
        Command::Identify { ticket } => {
            let t = ticket_of(h, ticket)?;
            if matches!(
                t.status,
                TicketStatus::Voided | TicketStatus::Expired | TicketStatus::NoShow
            ) {
                return Err(bad(t, "attach an ID card to"));
            }
            vec![EventBody::TicketIdentified { ticket: ticket.clone() }]
        }
        Command::OpenWindow { window } => {
            window_of(cfg, h, window)?;
            if h.window(window).staff.is_none() {
                return Err(DomainError::NotSignedIn {
                    window: window.to_string(),
                });
            }
            vec![EventBody::WindowOpened { window: window.clone() }]
        }
        Command::PauseWindow { window, reason } => {
            window_of(cfg, h, window)?;
            let ws = h.window(window);
            if ws.status != WindowStatus::Open {
                return Err(DomainError::WindowNotOpen {
                    window: window.to_string(),
                    state: ws.status.as_str(),
                    action: "pause",
                });
            }
            vec![EventBody::WindowPaused {
                window: window.clone(),
                reason: reason.clone(),
            }]
        }
        Command::CloseWindow { window } => {
            window_of(cfg, h, window)?;
            not_busy(h, window)?;
            vec![EventBody::WindowClosed { window: window.clone() }]
        }
        Command::SignIn { window, staff } => sign_in(cfg, h, window, staff)?,
        Command::SignOut { window } => {
            window_of(cfg, h, window)?;
            not_busy(h, window)?;
            let staff = h.window(window).staff.ok_or_else(|| DomainError::NotSignedIn {
                window: window.to_string(),
            })?;
            vec![EventBody::StaffSignedOut {
                window: window.clone(),
                staff,
            }]
        }
        Command::Book(req) => book(cfg, h, req, now, today)?,
        Command::CancelAppointment { appointment } => {
            let a = appointment_of(h, appointment)?;
            if a.status != AppointmentStatus::Booked {
                return Err(DomainError::invalid(
                    "appointment",
                    "only a booked appointment can be cancelled",
                ));
            }
            vec![EventBody::AppointmentCancelled {
                appointment: appointment.clone(),
            }]
        }
        Command::Reschedule {
            appointment,
            day,
            start_minute,
        } => {
            let a = appointment_of(h, appointment)?;
            if a.status != AppointmentStatus::Booked {
                return Err(DomainError::invalid(
                    "appointment",
                    "only a booked appointment can be rescheduled",
                ));
            }
            if (a.day, a.start_minute) == (*day, *start_minute) {
                return Err(DomainError::invalid("start_minute", "that is the slot already booked"));
            }
            let slot = free_slot(cfg, h, &a.hall_id, &a.item_id, *day, *start_minute, now, today)?;
            vec![EventBody::AppointmentRescheduled {
                appointment: appointment.clone(),
                day: *day,
                start_minute: slot.0,
                end_minute: slot.1,
            }]
        }
        Command::CheckIn {
            appointment,
            ticket_id,
            token,
        } => {
            let a = appointment_of(h, appointment)?;
            if a.status != AppointmentStatus::Booked {
                return Err(DomainError::invalid(
                    "appointment",
                    "this appointment is not waiting for check-in",
                ));
            }
            if a.day != today {
                return Err(DomainError::invalid(
                    "appointment",
                    format!("this appointment is for {}, not today", a.day.date()),
                ));
            }
            let rules = &hall.appointments;
            let minute = now.minute_of_day(hall.utc_offset_minutes);
            let window = crate::appointment::CheckInWindow::of(a, rules);
            let opens = window.opens_minute;
            if minute < opens {
                return Err(DomainError::CheckInTooEarly {
                    opens_at_minute_of_day: opens,
                    early: rules.early_minutes,
                });
            }
            // Inside the window around the slot: called first. Later: the normal queue.
            let on_time = minute <= window.late_after_minute;
            let req = IssueTicket {
                ticket_id: ticket_id.clone(),
                token: token.clone(),
                hall_id: a.hall_id.clone(),
                item_id: Some(a.item_id.clone()),
                queue_id: None,
                channel: Channel::Appointment,
                id_card: None,
                claims: vec![],
                number: None,
            };
            let mut out = issue(cfg, h, &req, today, now, Some((a.id.clone(), on_time)))?;
            out.push(EventBody::AppointmentCheckedIn {
                appointment: a.id.clone(),
                ticket: ticket_id.clone(),
                on_time,
            });
            out
        }
        Command::CloseDay => {
            let mut stale: Vec<&Ticket> = h
                .tickets
                .values()
                .filter(|t| t.day < today && !t.status.is_terminal())
                .collect();
            stale.sort_by_key(|t| t.arrival);
            stale
                .into_iter()
                .map(|t| EventBody::TicketExpired { ticket: t.id.clone() })
                .collect()
        }
    };
    Ok(bodies
        .into_iter()
        .map(|body| Event {
            v: EVENT_VERSION,
            hall_id: h.hall_id.clone(),
            at: now,
            actor: actor.clone(),
            body,
        })
        .collect())
}

/// The rules of a rating (tender 13(7) 好差评, 1 非常不满意 … 5 非常满意): the level is 1–5; a negative
/// level (1 非常不满意, 2 不满意) needs at least one reason from the hall's list or a comment (13(9)
/// "跟踪差评原因"); reasons are the hall's, each at most once; the comment is at most
/// [`MAX_COMMENT_CHARS`]; the photo is an SM3 digest. Returns the comment trimmed (`None` if blank).
pub fn check_rating(
    offered: &[String],
    level: u8,
    reasons: &[String],
    comment: Option<&str>,
    photo: Option<&str>,
) -> Result<Option<String>, DomainError> {
    if !(1..=5).contains(&level) {
        return Err(DomainError::invalid(
            "level",
            "expected 1 (非常不满意, very dissatisfied) … 5 (非常满意, very satisfied)",
        ));
    }
    if reasons.len() > MAX_REASONS {
        return Err(DomainError::invalid(
            "reasons",
            format!("at most {MAX_REASONS} reasons"),
        ));
    }
    for (i, r) in reasons.iter().enumerate() {
        if !offered.contains(r) {
            return Err(DomainError::invalid(
                "reasons",
                format!("{r:?} is not one of this hall's reasons ({})", offered.join("、")),
            ));
        }
        if reasons[..i].contains(r) {
            return Err(DomainError::invalid("reasons", format!("{r} is given twice")));
        }
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(DomainError::invalid(
            "comment",
            format!("at most {MAX_COMMENT_CHARS} characters"),
        ));
    }
    if level <= 2 && reasons.is_empty() && comment.is_none() {
        return Err(DomainError::invalid(
            "reasons",
            "a rating of 1 (非常不满意) or 2 (不满意) needs at least one reason or a comment",
        ));
    }
    if photo.is_some_and(|p| !is_sm3_hex(p)) {
        return Err(DomainError::invalid(
            "photo",
            "expected the SM3 digest of the rating photo: 64 lowercase hex characters",
        ));
    }
    Ok(comment.map(str::to_owned))
}

fn bad(t: &Ticket, action: &'static str) -> DomainError {
    DomainError::BadTransition {
        display: t.display.clone(),
        from: t.status,
        action,
    }
}

fn active_window(t: &Ticket) -> Option<WindowId> {
    matches!(t.status, TicketStatus::Called | TicketStatus::Serving)
        .then(|| t.window_id.clone())
        .flatten()
}

fn ticket_of<'a>(h: &'a HallState, id: &TicketId) -> Result<&'a Ticket, DomainError> {
    h.ticket(id).ok_or_else(|| DomainError::unknown("ticket", "ticket", id))
}

fn appointment_of<'a>(h: &'a HallState, id: &AppointmentId) -> Result<&'a Appointment, DomainError> {
    h.appointments
        .get(id)
        .ok_or_else(|| DomainError::unknown("appointment", "appointment", id))
}

fn window_of<'a>(cfg: &'a Config, h: &HallState, id: &WindowId) -> Result<&'a crate::config::Window, DomainError> {
    cfg.window(id)
        .filter(|w| w.hall_id == h.hall_id)
        .ok_or_else(|| DomainError::unknown("window", "window", id))
}

fn not_busy(h: &HallState, window: &WindowId) -> Result<(), DomainError> {
    match h.window(window).current.and_then(|id| h.ticket(&id)) {
        Some(t) => Err(DomainError::WindowBusy {
            window: window.to_string(),
            display: t.display.clone(),
        }),
        None => Ok(()),
    }
}

fn current<'a>(h: &'a HallState, window: &WindowId) -> Result<&'a Ticket, DomainError> {
    h.window(window)
        .current
        .and_then(|id| h.tickets.get(&id))
        .ok_or_else(|| DomainError::NoCurrentTicket {
            window: window.to_string(),
        })
}

fn ready_to_call<'a>(
    cfg: &'a Config,
    h: &HallState,
    window: &WindowId,
) -> Result<(&'a crate::config::Window, Option<StaffId>), DomainError> {
    let w = window_of(cfg, h, window)?;
    let ws = h.window(window);
    // Fix: sign-in is checked first. A window nobody is signed in at is always closed (signing out
    // closes it, opening needs someone signed in), so checking the status first made `not_signed_in`
    // unreachable and told the clerk to open a window they could not open yet.
    if ws.staff.is_none() {
        return Err(DomainError::NotSignedIn {
            window: window.to_string(),
        });
    }
    if ws.status != WindowStatus::Open {
        return Err(DomainError::WindowNotOpen {
            window: window.to_string(),
            state: ws.status.as_str(),
            action: "calling",
        });
    }
    not_busy(h, window)?;
    Ok((w, ws.staff))
}

fn sign_in(cfg: &Config, h: &HallState, window: &WindowId, staff: &StaffId) -> Result<Bodies, DomainError> {
    let w = window_of(cfg, h, window)?;
    let person = cfg
        .staff(staff)
        .ok_or_else(|| DomainError::unknown("staff", "staff", staff))?;
    let allowed = person.window_ids.contains(window)
        || person.roles.contains(&Role::Admin)
        || (person.roles.contains(&Role::HallManager) && person.hall_id.as_ref() == Some(&w.hall_id));
    if !allowed {
        return Err(DomainError::NotAllowedAtWindow {
            staff: person.login.clone(),
            window: w.number.clone(),
        });
    }
    let ws = h.window(window);
    if let Some(other) = &ws.staff {
        if other == staff {
            return Ok(vec![]);
        }
        let name = cfg.staff(other).map_or_else(|| other.to_string(), |s| s.name.clone());
        return Err(DomainError::invalid(
            "window",
            format!("window {} is signed in by {name}; they must sign out first", w.number),
        ));
    }
    // One person, one window: leave the previous one first (it must not be mid-service).
    let mut out = Vec::new();
    let mut elsewhere: Vec<_> = h
        .windows
        .iter()
        .filter(|(_, s)| s.staff.as_ref() == Some(staff))
        .collect();
    elsewhere.sort_by(|a, b| a.0.cmp(b.0));
    for (id, _) in elsewhere {
        not_busy(h, id)?;
        out.push(EventBody::StaffSignedOut {
            window: id.clone(),
            staff: staff.clone(),
        });
    }
    out.push(EventBody::StaffSignedIn {
        window: window.clone(),
        staff: staff.clone(),
    });
    Ok(out)
}

/// The next ticket for `window` under its work profile (see [`crate::routing`] for the order).
pub fn select_next(
    cfg: &Config,
    h: &HallState,
    window: &WindowId,
    staff: Option<&StaffId>,
    now: Millis,
) -> Option<TicketId> {
    let profile = &cfg.window(window)?.profile;
    let queues = &profile.queues;
    // 0. Overdue: the oldest ticket of each queue is the one that has waited and been overtaken most.
    let overdue = queues
        .iter()
        .filter_map(|q| h.pool.get(q)?.by_arrival.first_key_value())
        .filter_map(|(arrival, id)| {
            let t = h.tickets.get(id)?;
            let by_time = profile
                .max_wait_minutes
                .is_some_and(|m| now.0 - t.issued_at.0 >= i64::from(m) * Millis::MINUTE);
            (by_time || t.overtaken >= profile.max_overtakes).then_some((*arrival, id))
        })
        .min_by_key(|(arrival, _)| *arrival);
    if let Some((_, id)) = overdue {
        return Some(id.clone());
    }
    // 1. Transferred to this window or to this person.
    let direct = [
        Some(TransferTarget::Window(window.clone())),
        staff.map(|s| TransferTarget::Staff(s.clone())),
    ]
    .into_iter()
    .flatten()
    .filter_map(|t| h.direct.get(&t)?.first_key_value())
    .min_by_key(|(arrival, _)| **arrival);
    if let Some((_, id)) = direct {
        return Some(id.clone());
    }
    // 2–4 by strategy.
    let head = |q: &QueueId| {
        h.pool
            .get(q)
            .and_then(|i| i.by_key.first_key_value())
            .map(|(k, id)| (*k, id))
    };
    let pick = match &profile.strategy {
        Strategy::StrictOrder => queues.iter().find_map(head),
        Strategy::LongestWaiting => queues.iter().filter_map(head).min_by_key(|(k, _)| *k),
        Strategy::Weighted { weights } => {
            let ws = h.window(window);
            let n = queues.len();
            let cur = ws.cycle_queue.as_ref().and_then(|c| queues.iter().position(|q| q == c));
            match cur {
                Some(i) if ws.cycle_count < weights.get(i).copied().unwrap_or(1) && head(&queues[i]).is_some() => {
                    head(&queues[i])
                }
                Some(i) => (1..=n).map(|k| &queues[(i + k) % n]).find_map(head),
                None => queues.iter().find_map(head),
            }
        }
    };
    pick.map(|(_, id)| id.clone())
}

fn issue(
    cfg: &Config,
    h: &HallState,
    req: &IssueTicket,
    today: BusinessDay,
    now: Millis,
    appointment: Option<(AppointmentId, bool)>,
) -> Result<Bodies, DomainError> {
    let hall = cfg
        .hall(&req.hall_id)
        .ok_or_else(|| DomainError::unknown("hall", "hall_id", &req.hall_id))?;
    let queue = match (&req.item_id, &req.queue_id) {
        (Some(item), q) => {
            let it = cfg
                .item(item)
                .ok_or_else(|| DomainError::unknown("service item", "item_id", item))?;
            let queue = cfg.queue_for_item(&req.hall_id, item).ok_or_else(|| {
                DomainError::invalid("item_id", format!("{} is not offered in {}", it.name, hall.name))
            })?;
            if q.as_ref().is_some_and(|q| q != &queue.id) {
                return Err(DomainError::invalid(
                    "queue_id",
                    format!(
                        "{} is served by queue {}, not {}",
                        it.name,
                        queue.id,
                        q.as_ref().map_or("", |q| q.as_str())
                    ),
                ));
            }
            // An appointment was booked with the citizen's ID number: checking in needs no card again.
            if it.id_card_required && req.id_card.is_none() && appointment.is_none() {
                return Err(DomainError::IdCardRequired { item: it.name.clone() });
            }
            let same_day = h.day == today;
            // A ticket a kiosk numbered from its own series while the hall node was unreachable was
            // already printed and handed over: the device owns that fact, so the hall honours it
            // (it still counts toward the quota for later tickets).
            let printed_offline = matches!(req.number, Some(TicketNumber::Device { .. }));
            if let (Some(quota), None) = (it.daily_quota, &appointment)
                && !printed_offline
                && same_day
                && h.issued_today(item) >= quota
            {
                return Err(DomainError::QuotaExhausted {
                    item: it.name.clone(),
                    quota,
                });
            }
            queue
        }
        (None, Some(q)) => cfg
            .queue(q)
            .filter(|q| q.hall_id == req.hall_id)
            .ok_or_else(|| DomainError::unknown("queue", "queue_id", q))?,
        (None, None) => return Err(DomainError::invalid("item_id", "give item_id or queue_id")),
    };
    if h.ticket(&req.ticket_id).is_some() {
        return Err(DomainError::Duplicate {
            what: "ticket",
            field: "ticket_id",
            id: req.ticket_id.to_string(),
        });
    }
    if h.ticket_by_token(&req.token).is_some() {
        return Err(DomainError::Duplicate {
            what: "ticket token",
            field: "token",
            id: "…".into(),
        });
    }
    let same_day = h.day == today;
    let number = match req.number {
        None => TicketNumber::Hall {
            seq: if same_day { h.last_seq(&queue.id) + 1 } else { 1 },
        },
        Some(TicketNumber::Device { letter, seq }) => {
            if !letter.is_ascii_uppercase() || seq == 0 {
                return Err(DomainError::invalid(
                    "number",
                    "a device series needs a letter A–Z and a sequence from 1",
                ));
            }
            if same_day && h.device_number_used(&queue.id, letter, seq) {
                return Err(DomainError::Duplicate {
                    what: "number",
                    field: "number",
                    id: TicketNumber::Device { letter, seq }.display(&queue.prefix),
                });
            }
            TicketNumber::Device { letter, seq }
        }
        Some(TicketNumber::Hall { .. }) => {
            return Err(DomainError::invalid(
                "number",
                "only the hall node numbers from the hall series",
            ));
        }
    };
    let rules = &hall.priority;
    let elderly = req
        .id_card
        .as_ref()
        .is_some_and(|c| rules.elderly(c.birth, today.date()));
    let priority = if elderly {
        Some(PriorityReason::Elderly)
    } else {
        req.claims
            .iter()
            .copied()
            .find(|c| *c != PriorityReason::Elderly && rules.groups.contains(c))
    };
    let on_time_appointment = appointment.as_ref().is_some_and(|(_, on_time)| *on_time);
    let class = if on_time_appointment {
        Class::Appointment
    } else if priority.is_some() {
        Class::Priority
    } else {
        Class::Normal
    };
    let ticket = Ticket {
        id: req.ticket_id.clone(),
        token: req.token.clone(),
        hall_id: req.hall_id.clone(),
        queue_id: queue.id.clone(),
        item_id: req.item_id.clone(),
        day: today,
        number,
        display: number.display(&queue.prefix),
        channel: req.channel,
        status: TicketStatus::Waiting,
        class,
        priority,
        appointment_id: appointment.map(|(id, _)| id),
        has_id_card: req.id_card.is_some(),
        arrival: h.next_arrival,
        issued_at: now,
        called_at: None,
        started_at: None,
        finished_at: None,
        window_id: None,
        staff_id: None,
        recall_count: 0,
        overtaken: 0,
        target: None,
        transfers: 0,
        rating: None,
    };
    Ok(vec![EventBody::TicketIssued {
        ticket: Box::new(ticket),
    }])
}

#[allow(clippy::too_many_arguments)]
fn free_slot(
    cfg: &Config,
    h: &HallState,
    hall: &HallId,
    item: &ItemId,
    day: BusinessDay,
    start: u16,
    now: Millis,
    today: BusinessDay,
) -> Result<(u16, u16), DomainError> {
    if day < today {
        return Err(DomainError::invalid("day", "that day is past"));
    }
    let offset = cfg.hall(hall).map_or(480, |h| h.utc_offset_minutes);
    let slot = template_slots(cfg, hall, item, day)
        .into_iter()
        .find(|s| s.start_minute == start)
        .ok_or_else(|| DomainError::invalid("start_minute", "no appointment slot starts then for this item"))?;
    if day.at_minute(start, offset) <= now {
        return Err(DomainError::invalid("start_minute", "that slot has already started"));
    }
    if h.slot_booked(item, day, start) >= slot.capacity {
        return Err(DomainError::SlotFull {
            capacity: slot.capacity,
        });
    }
    Ok((slot.start_minute, slot.end_minute))
}

fn book(
    cfg: &Config,
    h: &HallState,
    req: &BookAppointment,
    now: Millis,
    today: BusinessDay,
) -> Result<Bodies, DomainError> {
    cfg.item(&req.item_id)
        .ok_or_else(|| DomainError::unknown("service item", "item_id", &req.item_id))?;
    if h.appointments.contains_key(&req.appointment_id) || h.appointment_by_code(&req.code).is_some() {
        return Err(DomainError::Duplicate {
            what: "appointment",
            field: "appointment_id",
            id: req.appointment_id.to_string(),
        });
    }
    let already = h.appointments.values().any(|a| {
        a.citizen_key == req.citizen_key
            && a.item_id == req.item_id
            && a.day == req.day
            && a.status != AppointmentStatus::Cancelled
    });
    if already {
        return Err(DomainError::Duplicate {
            what: "booking for this person, item and day",
            field: "day",
            id: req.day.date().to_string(),
        });
    }
    let (start, end) = free_slot(
        cfg,
        h,
        &req.hall_id,
        &req.item_id,
        req.day,
        req.start_minute,
        now,
        today,
    )?;
    let a = Appointment {
        id: req.appointment_id.clone(),
        code: req.code.clone(),
        hall_id: req.hall_id.clone(),
        item_id: req.item_id.clone(),
        day: req.day,
        start_minute: start,
        end_minute: end,
        status: AppointmentStatus::Booked,
        citizen_key: req.citizen_key.clone(),
        booked_at: now,
        ticket_id: None,
    };
    Ok(vec![EventBody::AppointmentBooked {
        appointment: Box::new(a),
    }])
}
