//! The state of one hall, built only by applying events (`apply` never fails and reads no
//! configuration, so replaying the log anywhere rebuilds exactly the same state).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::appointment::{Appointment, AppointmentStatus};
use crate::event::{Event, EventBody};
use crate::ids::*;
use crate::routing::Class;
use crate::ticket::{Ticket, TicketNumber, TicketStatus, TransferTarget};
use crate::time::BusinessDay;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WindowStatus {
    #[default]
    Closed,
    Open,
    Paused,
}

impl WindowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WindowStatus::Closed => "closed",
            WindowStatus::Open => "open",
            WindowStatus::Paused => "paused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WindowState {
    pub status: WindowStatus,
    pub staff: Option<StaffId>,
    /// The ticket called to this window and not yet finished (at most one).
    pub current: Option<TicketId>,
    pub pause_reason: Option<String>,
    /// Weighted cycles: the queue being served and how many of it in a row.
    pub cycle_queue: Option<QueueId>,
    pub cycle_count: u32,
    pub served_today: u32,
}

/// Waiting tickets of one queue that are not transferred to a particular window or person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct QueueIndex {
    /// Calling order within the queue: class, then arrival.
    pub by_key: BTreeMap<(Class, u64), TicketId>,
    /// Arrival order: for overtakes and overdue checks.
    pub by_arrival: BTreeMap<u64, TicketId>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HallState {
    pub hall_id: HallId,
    pub utc_offset_minutes: i32,
    pub day: BusinessDay,
    pub next_arrival: u64,
    /// Tickets of the current business day, and any older ones still open.
    pub tickets: HashMap<TicketId, Ticket>,
    pub windows: HashMap<WindowId, WindowState>,
    /// Rolling average service time per queue, milliseconds (exponential, weight 1/8).
    pub avg_service_ms: HashMap<QueueId, u64>,
    pub appointments: HashMap<AppointmentId, Appointment>,
    // Derived indexes, rebuilt from the above when restored from a snapshot.
    pub(crate) tokens: HashMap<String, TicketId>,
    pub(crate) counters: HashMap<QueueId, u32>,
    pub(crate) device_numbers: HashSet<(QueueId, char, u32)>,
    pub(crate) issued_per_item: HashMap<ItemId, u32>,
    pub(crate) pool: HashMap<QueueId, QueueIndex>,
    pub(crate) direct: HashMap<TransferTarget, BTreeMap<u64, TicketId>>,
    pub(crate) appointment_codes: HashMap<String, AppointmentId>,
    pub(crate) slot_usage: HashMap<(ItemId, BusinessDay, u16), u32>,
}

/// How many keys of `m` are below `key`, counted from whichever end is nearer: O(min(below, rest)),
/// so a ticket near the back of a long line is as cheap to place as one near the front.
fn count_below<K: Ord, V>(m: &BTreeMap<K, V>, key: &K) -> usize {
    let (mut below, mut rest) = (m.range(..key), m.range(key..));
    let mut n = 0;
    loop {
        if below.next_back().is_none() {
            return n;
        }
        if rest.next().is_none() {
            return m.len() - n;
        }
        n += 1;
    }
}

/// What a snapshot stores: the state without its derived indexes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HallSnapshot {
    pub hall_id: HallId,
    pub utc_offset_minutes: i32,
    pub day: BusinessDay,
    pub next_arrival: u64,
    pub tickets: Vec<Ticket>,
    pub windows: Vec<(WindowId, WindowState)>,
    pub avg_service_ms: Vec<(QueueId, u64)>,
    pub appointments: Vec<Appointment>,
    /// Today's numbering, per queue that issued the numbers: the last hall-series number and the
    /// device-series numbers used. Not derivable from the tickets: a ticket transferred to another queue
    /// names the new queue in `queue_id`, but its number (A005) belongs to the series of the queue that
    /// issued it. `None` in snapshots written before these fields: then derived from the tickets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<Vec<(QueueId, u32)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_numbers: Option<Vec<(QueueId, char, u32)>>,
}

impl HallState {
    pub fn new(hall_id: HallId, utc_offset_minutes: i32) -> HallState {
        HallState {
            hall_id,
            utc_offset_minutes,
            ..HallState::default()
        }
    }

    pub fn ticket(&self, id: &TicketId) -> Option<&Ticket> {
        self.tickets.get(id)
    }
    pub fn ticket_by_token(&self, token: &str) -> Option<&Ticket> {
        self.tokens.get(token).and_then(|id| self.tickets.get(id))
    }
    pub fn appointment_by_code(&self, code: &str) -> Option<&Appointment> {
        self.appointment_codes
            .get(code)
            .and_then(|id| self.appointments.get(id))
    }
    pub fn window(&self, id: &WindowId) -> WindowState {
        self.windows.get(id).cloned().unwrap_or_default()
    }
    /// Waiting tickets of a queue that anyone serving the queue may call.
    pub fn waiting_in(&self, queue: &QueueId) -> usize {
        self.pool.get(queue).map_or(0, |q| q.by_key.len())
    }
    pub fn issued_today(&self, item: &ItemId) -> u32 {
        self.issued_per_item.get(item).copied().unwrap_or(0)
    }
    pub fn slot_booked(&self, item: &ItemId, day: BusinessDay, start: u16) -> u32 {
        self.slot_usage.get(&(item.clone(), day, start)).copied().unwrap_or(0)
    }
    /// The last number issued today from the hall series of a queue.
    pub fn last_seq(&self, queue: &QueueId) -> u32 {
        self.counters.get(queue).copied().unwrap_or(0)
    }
    pub fn device_number_used(&self, queue: &QueueId, letter: char, seq: u32) -> bool {
        self.device_numbers.contains(&(queue.clone(), letter, seq))
    }

    /// Tickets ahead of `ticket` in its queue, in calling order (ignoring overdue promotions).
    pub fn position(&self, ticket: &Ticket) -> usize {
        match &ticket.target {
            Some(t) => self.direct.get(t).map_or(0, |m| count_below(m, &ticket.arrival)),
            None => self.position_in_queue(&ticket.queue_id, ticket.class, ticket.arrival),
        }
    }

    /// Tickets of `queue`'s pool ahead of a ticket of `class` that arrived at `arrival` (it need not
    /// exist: a kiosk previews where a new ticket would stand).
    pub fn position_in_queue(&self, queue: &QueueId, class: Class, arrival: u64) -> usize {
        self.pool
            .get(queue)
            .map_or(0, |q| count_below(&q.by_key, &(class, arrival)))
    }

    pub fn snapshot(&self) -> HallSnapshot {
        let mut tickets: Vec<Ticket> = self.tickets.values().cloned().collect();
        tickets.sort_by_key(|t| t.arrival);
        let mut windows: Vec<_> = self.windows.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        windows.sort_by(|a, b| a.0.cmp(&b.0));
        let mut avg: Vec<_> = self.avg_service_ms.iter().map(|(k, v)| (k.clone(), *v)).collect();
        avg.sort();
        let mut appointments: Vec<_> = self.appointments.values().cloned().collect();
        appointments.sort_by(|a, b| a.id.cmp(&b.id));
        let mut counters: Vec<_> = self.counters.iter().map(|(k, v)| (k.clone(), *v)).collect();
        counters.sort();
        let mut device_numbers: Vec<_> = self.device_numbers.iter().cloned().collect();
        device_numbers.sort();
        HallSnapshot {
            hall_id: self.hall_id.clone(),
            utc_offset_minutes: self.utc_offset_minutes,
            day: self.day,
            next_arrival: self.next_arrival,
            tickets,
            windows,
            avg_service_ms: avg,
            appointments,
            counters: Some(counters),
            device_numbers: Some(device_numbers),
        }
    }

    pub fn restore(s: HallSnapshot) -> HallState {
        let mut h = HallState::new(s.hall_id, s.utc_offset_minutes);
        h.day = s.day;
        h.next_arrival = s.next_arrival;
        h.windows = s.windows.into_iter().collect();
        h.avg_service_ms = s.avg_service_ms.into_iter().collect();
        for t in s.tickets {
            h.index_ticket_numbers(&t);
            if t.status == TicketStatus::Waiting {
                h.index_waiting(&t);
            }
            h.tickets.insert(t.id.clone(), t);
        }
        for a in s.appointments {
            h.index_appointment(&a);
            h.appointments.insert(a.id.clone(), a);
        }
        // Fix: the numbering derived from the tickets above keys each number by the ticket's *current*
        // queue, which is wrong after a transfer to another queue (a restart then issued A005 or A-K001
        // a second time). Snapshots now carry the numbering as issued.
        if let Some(counters) = s.counters {
            h.counters = counters.into_iter().collect();
        }
        if let Some(device_numbers) = s.device_numbers {
            h.device_numbers = device_numbers.into_iter().collect();
        }
        h
    }

    fn index_ticket_numbers(&mut self, t: &Ticket) {
        self.tokens.insert(t.token.clone(), t.id.clone());
        if t.day == self.day {
            match t.number {
                TicketNumber::Hall { seq } => {
                    let c = self.counters.entry(t.queue_id.clone()).or_default();
                    *c = (*c).max(seq);
                }
                TicketNumber::Device { letter, seq } => {
                    self.device_numbers.insert((t.queue_id.clone(), letter, seq));
                }
            }
            if let Some(item) = &t.item_id {
                *self.issued_per_item.entry(item.clone()).or_default() += 1;
            }
        }
    }

    fn index_appointment(&mut self, a: &Appointment) {
        self.appointment_codes.insert(a.code.clone(), a.id.clone());
        if a.status != AppointmentStatus::Cancelled {
            *self
                .slot_usage
                .entry((a.item_id.clone(), a.day, a.start_minute))
                .or_default() += 1;
        }
    }

    fn index_waiting(&mut self, t: &Ticket) {
        match &t.target {
            Some(target) => {
                self.direct
                    .entry(target.clone())
                    .or_default()
                    .insert(t.arrival, t.id.clone());
            }
            None => {
                let q = self.pool.entry(t.queue_id.clone()).or_default();
                q.by_key.insert((t.class, t.arrival), t.id.clone());
                q.by_arrival.insert(t.arrival, t.id.clone());
            }
        }
    }

    fn unindex_waiting(&mut self, t: &Ticket) {
        match &t.target {
            Some(target) => {
                if let Some(m) = self.direct.get_mut(target) {
                    m.remove(&t.arrival);
                    if m.is_empty() {
                        self.direct.remove(target);
                    }
                }
            }
            None => {
                if let Some(q) = self.pool.get_mut(&t.queue_id) {
                    q.by_key.remove(&(t.class, t.arrival));
                    q.by_arrival.remove(&t.arrival);
                    // Fix: drop an emptied queue index, as `direct` does above; otherwise the live state
                    // keeps empty entries that a state restored from a snapshot does not have.
                    if q.by_key.is_empty() {
                        self.pool.remove(&t.queue_id);
                    }
                }
            }
        }
    }

    /// One booking fewer in a slot. Fix: a slot back at zero is removed (it used to stay as a zero
    /// entry, which a state restored from a snapshot, counting only live bookings, does not have).
    fn release_slot(&mut self, key: &(ItemId, BusinessDay, u16)) {
        if let Some(n) = self.slot_usage.get_mut(key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.slot_usage.remove(key);
            }
        }
    }

    /// A new business day: forget finished tickets and past appointments, restart numbering and quotas.
    fn roll_over(&mut self, day: BusinessDay) {
        self.day = day;
        let done: Vec<TicketId> = self
            .tickets
            .values()
            .filter(|t| t.day < day && t.status.is_terminal())
            .map(|t| t.id.clone())
            .collect();
        for id in done {
            if let Some(t) = self.tickets.remove(&id) {
                self.tokens.remove(&t.token);
            }
        }
        self.counters.clear();
        self.device_numbers.clear();
        self.issued_per_item.clear();
        for w in self.windows.values_mut() {
            w.served_today = 0;
        }
        let past: Vec<AppointmentId> = self
            .appointments
            .values()
            .filter(|a| a.day < day)
            .map(|a| a.id.clone())
            .collect();
        for id in past {
            if let Some(a) = self.appointments.remove(&id) {
                self.appointment_codes.remove(&a.code);
            }
        }
        self.slot_usage.retain(|(_, d, _), _| *d >= day);
    }

    /// Applies one event of this hall. Events are facts: `apply` does not validate (that is `decide`'s
    /// job) and ignores references it cannot resolve, so a replay never stops half-way.
    pub fn apply(&mut self, ev: &Event) {
        let day = ev.at.business_day(self.utc_offset_minutes);
        if day > self.day {
            self.roll_over(day);
        }
        let at = ev.at;
        match &ev.body {
            EventBody::TicketIssued { ticket } => {
                let t = (**ticket).clone();
                self.next_arrival = self.next_arrival.max(t.arrival + 1);
                self.index_ticket_numbers(&t);
                if t.status == TicketStatus::Waiting {
                    self.index_waiting(&t);
                }
                self.tickets.insert(t.id.clone(), t);
            }
            EventBody::TicketCalled {
                ticket,
                window,
                staff,
                pool,
            } => {
                let Some(t) = self.tickets.get(ticket).cloned() else {
                    return;
                };
                if t.status == TicketStatus::Waiting {
                    self.unindex_waiting(&t);
                }
                for q in pool {
                    if let Some(idx) = self.pool.get(q) {
                        let older: Vec<TicketId> =
                            idx.by_arrival.range(..t.arrival).map(|(_, id)| id.clone()).collect();
                        for id in older {
                            if let Some(o) = self.tickets.get_mut(&id) {
                                o.overtaken += 1;
                            }
                        }
                    }
                }
                if let Some(t) = self.tickets.get_mut(ticket) {
                    t.status = TicketStatus::Called;
                    t.called_at = Some(at);
                    t.window_id = Some(window.clone());
                    t.staff_id = staff.clone();
                    t.target = None;
                }
                let w = self.windows.entry(window.clone()).or_default();
                w.current = Some(ticket.clone());
                if w.cycle_queue.as_ref() == Some(&t.queue_id) {
                    w.cycle_count += 1;
                } else {
                    w.cycle_queue = Some(t.queue_id.clone());
                    w.cycle_count = 1;
                }
            }
            EventBody::TicketRecalled { ticket, .. } => {
                if let Some(t) = self.tickets.get_mut(ticket) {
                    t.recall_count += 1;
                }
            }
            EventBody::ServiceStarted { ticket, .. } => {
                if let Some(t) = self.tickets.get_mut(ticket) {
                    t.status = TicketStatus::Serving;
                    t.started_at = Some(at);
                }
            }
            EventBody::ServiceFinished { ticket, window } => {
                let Some(t) = self.tickets.get_mut(ticket) else {
                    return;
                };
                t.status = TicketStatus::Done;
                t.finished_at = Some(at);
                let began = t.started_at.or(t.called_at).unwrap_or(at);
                let sample = u64::try_from((at.0 - began.0).max(0)).unwrap_or(0);
                let avg = self.avg_service_ms.entry(t.queue_id.clone()).or_insert(sample);
                *avg = (*avg * 7 + sample) / 8;
                let w = self.windows.entry(window.clone()).or_default();
                w.served_today += 1;
                self.release_window(window, ticket);
            }
            EventBody::TicketNoShow { ticket, window } => {
                if let Some(t) = self.tickets.get_mut(ticket) {
                    t.status = TicketStatus::NoShow;
                    t.finished_at = Some(at);
                }
                self.release_window(window, ticket);
            }
            EventBody::TicketParked { ticket, window } => {
                if let Some(t) = self.tickets.get_mut(ticket) {
                    t.status = TicketStatus::Parked;
                }
                self.release_window(window, ticket);
            }
            EventBody::TicketVoided { ticket, .. } | EventBody::TicketExpired { ticket } => {
                let Some(t) = self.tickets.get(ticket).cloned() else {
                    return;
                };
                if t.status == TicketStatus::Waiting {
                    self.unindex_waiting(&t);
                }
                if let Some(w) = &t.window_id {
                    self.release_window(w, ticket);
                }
                if let Some(t) = self.tickets.get_mut(ticket) {
                    t.status = if matches!(ev.body, EventBody::TicketVoided { .. }) {
                        TicketStatus::Voided
                    } else {
                        TicketStatus::Expired
                    };
                    t.finished_at = Some(at);
                }
            }
            EventBody::TicketTransferred {
                ticket,
                from_window,
                to,
            } => {
                let Some(mut t) = self.tickets.get(ticket).cloned() else {
                    return;
                };
                if t.status == TicketStatus::Waiting {
                    self.unindex_waiting(&t);
                }
                if let Some(w) = from_window {
                    self.release_window(w, ticket);
                }
                t.status = TicketStatus::Waiting;
                t.transfers += 1;
                t.called_at = None;
                t.started_at = None;
                t.window_id = None;
                t.staff_id = None;
                match to {
                    TransferTarget::Queue(q) => {
                        t.queue_id = q.clone();
                        t.target = None;
                    }
                    other => t.target = Some(other.clone()),
                }
                self.index_waiting(&t);
                self.tickets.insert(t.id.clone(), t);
            }
            EventBody::TicketRated { ticket, level, .. } => {
                if let Some(t) = self.tickets.get_mut(ticket) {
                    t.rating = Some(*level);
                }
            }
            EventBody::TicketIdentified { ticket } => {
                if let Some(t) = self.tickets.get_mut(ticket) {
                    t.has_id_card = true;
                }
            }
            EventBody::WindowOpened { window } => {
                let w = self.windows.entry(window.clone()).or_default();
                w.status = crate::hall::WindowStatus::Open;
                w.pause_reason = None;
            }
            EventBody::WindowPaused { window, reason } => {
                let w = self.windows.entry(window.clone()).or_default();
                w.status = WindowStatus::Paused;
                w.pause_reason = reason.clone();
            }
            EventBody::WindowClosed { window } => {
                let w = self.windows.entry(window.clone()).or_default();
                w.status = WindowStatus::Closed;
                w.pause_reason = None;
            }
            EventBody::StaffSignedIn { window, staff } => {
                self.windows.entry(window.clone()).or_default().staff = Some(staff.clone());
            }
            EventBody::StaffSignedOut { window, .. } => {
                let w = self.windows.entry(window.clone()).or_default();
                w.staff = None;
                w.status = WindowStatus::Closed;
            }
            EventBody::AppointmentBooked { appointment } => {
                let a = (**appointment).clone();
                self.index_appointment(&a);
                self.appointments.insert(a.id.clone(), a);
            }
            EventBody::AppointmentCancelled { appointment } => {
                if let Some(a) = self.appointments.get_mut(appointment)
                    && a.status != AppointmentStatus::Cancelled
                {
                    a.status = AppointmentStatus::Cancelled;
                    let key = (a.item_id.clone(), a.day, a.start_minute);
                    self.release_slot(&key);
                }
            }
            EventBody::AppointmentRescheduled {
                appointment,
                day,
                start_minute,
                end_minute,
            } => {
                if let Some(a) = self.appointments.get_mut(appointment) {
                    let old = (a.item_id.clone(), a.day, a.start_minute);
                    a.day = *day;
                    a.start_minute = *start_minute;
                    a.end_minute = *end_minute;
                    let new = (a.item_id.clone(), *day, *start_minute);
                    self.release_slot(&old);
                    *self.slot_usage.entry(new).or_default() += 1;
                }
            }
            EventBody::AppointmentCheckedIn {
                appointment, ticket, ..
            } => {
                if let Some(a) = self.appointments.get_mut(appointment) {
                    a.status = AppointmentStatus::CheckedIn;
                    a.ticket_id = Some(ticket.clone());
                }
            }
        }
    }

    fn release_window(&mut self, window: &WindowId, ticket: &TicketId) {
        if let Some(w) = self.windows.get_mut(window)
            && w.current.as_ref() == Some(ticket)
        {
            w.current = None;
        }
    }
}

/// Every hall's state: what a node holds in memory.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CityState {
    pub halls: HashMap<HallId, HallState>,
}

impl CityState {
    pub fn hall_mut(&mut self, hall: &HallId, utc_offset_minutes: i32) -> &mut HallState {
        self.halls
            .entry(hall.clone())
            .or_insert_with(|| HallState::new(hall.clone(), utc_offset_minutes))
    }

    pub fn apply(&mut self, ev: &Event, utc_offset_minutes: i32) {
        self.hall_mut(&ev.hall_id, utc_offset_minutes).apply(ev);
    }
}

impl HallState {
    /// Checks that every waiting ticket is in exactly the index it belongs to (used by property tests
    /// and by the server after a restore).
    pub fn check_indexes(&self) -> Result<(), String> {
        let mut indexed = 0;
        for t in self.tickets.values().filter(|t| t.status == TicketStatus::Waiting) {
            indexed += 1;
            let found = match &t.target {
                Some(target) => self
                    .direct
                    .get(target)
                    .is_some_and(|m| m.get(&t.arrival) == Some(&t.id)),
                None => self
                    .pool
                    .get(&t.queue_id)
                    .is_some_and(|q| q.by_key.get(&(t.class, t.arrival)) == Some(&t.id)),
            };
            if !found {
                return Err(format!("waiting ticket {} missing from its index", t.display));
            }
        }
        let total: usize = self.pool.values().map(|q| q.by_key.len()).sum::<usize>()
            + self.direct.values().map(BTreeMap::len).sum::<usize>();
        if total != indexed {
            return Err(format!("{total} index entries for {indexed} waiting tickets"));
        }
        Ok(())
    }
}
