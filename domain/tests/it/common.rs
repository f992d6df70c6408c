//! Shared test fixtures: a one-hall configuration ("H1", UTC+8) and a small driver that runs commands
//! through `decide` + `apply` the way the server does, keeping the event log.

use domain::config::{
    AppointmentRules, City, Department, Hall, HallLevel, PriorityRules, Queue, Role, ServiceItem, SlotTemplate, Staff,
    StaffCard, Window, default_rating_reasons,
};
use domain::decide::{BookAppointment, IdCardFacts, IssueTicket};
use domain::ids::*;
use domain::routing::{Strategy, WorkProfile};
use domain::ticket::{Channel, Ticket};
use domain::time::Date;
use domain::{
    Actor, BusinessDay, CityConfig, Command, Config, DomainError, Event, EventBody, HallState, Millis, decide,
};

pub const HALL: &str = "H1";
/// China Standard Time, +08:00.
pub const OFFSET: i32 = 480;

/// Items (id, queue): plain, needs the ID card, has a daily quota of 3, bookable by appointment.
pub const I_PLAIN: &str = "I-PLAIN";
pub const I_ID: &str = "I-ID";
pub const I_QUOTA: &str = "I-QUOTA";
pub const I_APPT: &str = "I-APPT";
pub const QA: &str = "QA";
pub const QB: &str = "QB";
pub const QC: &str = "QC";
pub const QUEUES: [&str; 3] = [QA, QB, QC];
pub const WINDOWS: [&str; 4] = ["W1", "W2", "W3", "W4"];
/// Staff S1 … S4 may sign in at W1 … W4 respectively; S9 at none.
pub const STAFF: [&str; 4] = ["S1", "S2", "S3", "S4"];
pub const QUOTA: u32 = 3;

/// Monday 2026-11-23 (a business day in Beijing).
pub fn day0() -> BusinessDay {
    BusinessDay(Date::new(2026, 11, 23).map(Date::days).expect("a real date"))
}

pub fn hall_id() -> HallId {
    HallId::new(HALL)
}
pub fn q(id: &str) -> QueueId {
    QueueId::new(id)
}
pub fn w(id: &str) -> WindowId {
    WindowId::new(id)
}
pub fn s(id: &str) -> StaffId {
    StaffId::new(id)
}
pub fn item(id: &str) -> ItemId {
    ItemId::new(id)
}

pub fn profile(queues: &[&str], strategy: Strategy) -> WorkProfile {
    WorkProfile::new(queues.iter().map(|x| q(x)).collect(), strategy)
}

fn window(id: &str, number: &str, p: WorkProfile) -> Window {
    Window {
        id: w(id),
        hall_id: hall_id(),
        number: number.into(),
        department_id: None,
        profile: p,
    }
}

/// Replaces the windows (W1, W2, … in order) and gives staff S1, S2, … one window each.
pub fn set_windows(data: &mut CityConfig, profiles: Vec<WorkProfile>) {
    data.windows = profiles
        .into_iter()
        .enumerate()
        .map(|(i, p)| window(&format!("W{}", i + 1), &format!("{}", i + 1), p))
        .collect();
    data.staff.retain(|st| st.window_ids.is_empty());
    for i in 0..data.windows.len() {
        data.staff.push(Staff {
            id: s(&format!("S{}", i + 1)),
            login: format!("s{}", i + 1),
            name: format!("Staff {}", i + 1),
            roles: vec![Role::WindowStaff],
            hall_id: Some(hall_id()),
            window_ids: vec![w(&format!("W{}", i + 1))],
            card: StaffCard::default(),
        });
    }
}

/// The standard test hall.
///
/// * queues QA "A" (I-PLAIN 300 s, I-ID 600 s needing the ID card), QB "B" (I-QUOTA, 3 a day), QC "C"
///   (I-APPT, bookable);
/// * windows W1 [QA] strict order; W2 [QA, QB] longest waiting; W3 [QA, QB, QC] weighted 2:1:1;
///   W4 [QC, QA] strict order with `max_wait_minutes` 30 and `max_overtakes` 3;
/// * staff S1 … S4 at W1 … W4, S9 allowed nowhere;
/// * slots for I-APPT and I-ID every day, 09:00 … 17:00 in 30-minute slots of capacity 2.
pub fn city() -> CityConfig {
    let dept = DepartmentId::new("D1");
    let it = |id: &str, name: &str, id_card_required, daily_quota, secs| ServiceItem {
        id: item(id),
        code: format!("code-{id}"),
        name: name.into(),
        department_id: dept.clone(),
        id_card_required,
        daily_quota,
        avg_service_secs: secs,
        guide: None,
    };
    let queue = |id: &str, prefix: &str, items: &[&str]| Queue {
        id: q(id),
        hall_id: hall_id(),
        prefix: prefix.into(),
        name: format!("queue {prefix}"),
        item_ids: items.iter().map(|x| item(x)).collect(),
    };
    let template = |id: &str, capacity| SlotTemplate {
        hall_id: hall_id(),
        item_id: item(id),
        weekdays: (1..=7).collect(),
        first_start: 9 * 60,
        slot_minutes: 30,
        slots: 16,
        capacity,
    };
    let mut w4 = profile(&[QC, QA], Strategy::StrictOrder);
    w4.max_wait_minutes = Some(30);
    w4.max_overtakes = 3;
    let mut data = CityConfig {
        city: City {
            id: CityId::new("C1"),
            name: "Test City".into(),
        },
        halls: vec![Hall {
            id: hall_id(),
            name: "Test Hall".into(),
            level: HallLevel::District,
            parent: None,
            address: "1 Test Road".into(),
            utc_offset_minutes: OFFSET,
            priority: PriorityRules::default(),
            appointments: AppointmentRules::default(),
            rating_reasons: default_rating_reasons(),
        }],
        departments: vec![Department {
            id: dept.clone(),
            hall_id: hall_id(),
            name: "Dept".into(),
        }],
        windows: vec![],
        items: vec![
            it(I_PLAIN, "Plain item", false, None, 300),
            it(I_ID, "ID item", true, None, 600),
            it(I_QUOTA, "Quota item", false, Some(QUOTA), 240),
            it(I_APPT, "Appointment item", false, None, 420),
        ],
        queues: vec![
            queue(QA, "A", &[I_PLAIN, I_ID]),
            queue(QB, "B", &[I_QUOTA]),
            queue(QC, "C", &[I_APPT]),
        ],
        staff: vec![Staff {
            id: s("S9"),
            login: "s9".into(),
            name: "Nobody's window".into(),
            roles: vec![Role::WindowStaff],
            hall_id: Some(hall_id()),
            window_ids: vec![],
            card: StaffCard::default(),
        }],
        slot_templates: vec![template(I_APPT, 2), template(I_ID, 2)],
    };
    set_windows(
        &mut data,
        vec![
            profile(&[QA], Strategy::StrictOrder),
            profile(&[QA, QB], Strategy::LongestWaiting),
            profile(&[QA, QB, QC], Strategy::Weighted { weights: vec![2, 1, 1] }),
            w4,
        ],
    );
    data
}

pub fn config(data: CityConfig) -> Config {
    Config::new(data).expect("the test configuration is valid")
}

pub fn standard() -> Config {
    config(city())
}

/// A birth date exactly `years` years before `day` (the citizen turns `years` that day).
pub fn born_years_before(day: BusinessDay, years: i32) -> Date {
    let d = day.date();
    Date::new(d.year - years, d.month, d.day).expect("not 29 February")
}

/// Runs commands like the server does: `decide`, then `apply` every event, keeping the log.
pub struct Sim {
    pub cfg: Config,
    pub state: HallState,
    pub now: Millis,
    pub log: Vec<Event>,
    pub actor: Actor,
    /// Whether `try_exec` compares the state before and after a refusal (on by default; a caller that
    /// keeps its own copy of the previous state turns it off to save a clone per command).
    pub check_refusals: bool,
    next: u32,
}

impl Sim {
    /// Starts at 08:00 local time on [`day0`].
    pub fn new(cfg: Config) -> Sim {
        Sim {
            cfg,
            state: HallState::new(hall_id(), OFFSET),
            now: day0().at_minute(8 * 60, OFFSET),
            log: vec![],
            actor: Actor::System,
            check_refusals: true,
            next: 0,
        }
    }

    pub fn today(&self) -> BusinessDay {
        self.now.business_day(OFFSET)
    }
    pub fn minute(&self) -> u16 {
        self.now.minute_of_day(OFFSET)
    }
    pub fn advance(&mut self, minutes: i64) {
        self.now = self.now.plus_minutes(minutes);
    }
    /// Sets the clock to `minute` after local midnight of the current business day.
    pub fn at(&mut self, minute: u16) {
        self.now = self.today().at_minute(minute, OFFSET);
    }
    /// Moves to `minute` after local midnight of the next business day.
    pub fn next_day_at(&mut self, minute: u16) {
        self.now = BusinessDay(self.today().0 + 1).at_minute(minute, OFFSET);
    }

    pub fn fresh(&mut self, what: &str) -> String {
        self.next += 1;
        format!("{what}{:05}", self.next)
    }

    /// `decide` + `apply`. A refusal must leave the state exactly as it was.
    pub fn try_exec(&mut self, cmd: &Command) -> Result<Vec<Event>, DomainError> {
        let before = self.check_refusals.then(|| self.state.clone());
        match decide(&self.cfg, &self.state, &self.actor, cmd, self.now) {
            Ok(events) => {
                for e in &events {
                    self.state.apply(e);
                }
                self.log.extend(events.iter().cloned());
                Ok(events)
            }
            Err(e) => {
                if let Some(before) = before {
                    assert_eq!(self.state, before, "refused {cmd:?} ({e}) but the state changed");
                }
                Err(e)
            }
        }
    }

    #[track_caller]
    pub fn exec(&mut self, cmd: Command) -> Vec<Event> {
        match self.try_exec(&cmd) {
            Ok(ev) => ev,
            Err(e) => panic!("{cmd:?} refused: {} ({e})", e.code()),
        }
    }

    /// Runs a command that must be refused; returns the refusal (the state is checked unchanged).
    #[track_caller]
    pub fn refused(&mut self, cmd: Command) -> DomainError {
        match self.try_exec(&cmd) {
            Ok(ev) => panic!("{cmd:?} was accepted: {ev:?}"),
            Err(e) => e,
        }
    }

    /// An issue request for an item (or, with `Queue:` prefix handled by the caller, a queue).
    pub fn issue_req(&mut self, item_id: &str) -> IssueTicket {
        IssueTicket {
            ticket_id: TicketId::new(self.fresh("T")),
            token: self.fresh("tok"),
            hall_id: hall_id(),
            item_id: Some(item(item_id)),
            queue_id: None,
            channel: Channel::Kiosk,
            id_card: None,
            claims: vec![],
            number: None,
        }
    }

    pub fn try_issue(&mut self, req: IssueTicket) -> Result<TicketId, DomainError> {
        let id = req.ticket_id.clone();
        self.try_exec(&Command::Issue(req)).map(|_| id)
    }

    #[track_caller]
    pub fn issue(&mut self, item_id: &str) -> TicketId {
        let req = self.issue_req(item_id);
        let id = req.ticket_id.clone();
        self.exec(Command::Issue(req));
        id
    }

    /// Issues a ticket for a whole queue (as a window does for a walk-in), not for an item.
    #[track_caller]
    pub fn issue_queue(&mut self, queue: &str) -> TicketId {
        let mut req = self.issue_req(I_PLAIN);
        req.item_id = None;
        req.queue_id = Some(q(queue));
        req.channel = Channel::Window;
        let id = req.ticket_id.clone();
        self.exec(Command::Issue(req));
        id
    }

    /// Issues with a (possibly empty) set of claims and an optional ID card birth date.
    #[track_caller]
    pub fn issue_as(
        &mut self,
        item_id: &str,
        claims: &[domain::config::PriorityReason],
        birth: Option<Date>,
    ) -> TicketId {
        let mut req = self.issue_req(item_id);
        req.claims = claims.to_vec();
        req.id_card = birth.map(|birth| IdCardFacts { birth });
        let id = req.ticket_id.clone();
        self.exec(Command::Issue(req));
        id
    }

    /// Signs `staff` in at `window` and opens it.
    #[track_caller]
    pub fn open(&mut self, window: &str, staff: &str) {
        self.exec(Command::SignIn {
            window: w(window),
            staff: s(staff),
        });
        self.exec(Command::OpenWindow { window: w(window) });
    }

    /// Signs S1 … Sn in at W1 … Wn and opens every window.
    pub fn open_all(&mut self) {
        let n = self.cfg.data.windows.len();
        for i in 1..=n {
            self.open(&format!("W{i}"), &format!("S{i}"));
        }
    }

    /// Calls next at `window` and returns the called ticket.
    #[track_caller]
    pub fn call(&mut self, window: &str) -> TicketId {
        let ev = self.exec(Command::CallNext { window: w(window) });
        match ev.as_slice() {
            [
                Event {
                    body: EventBody::TicketCalled { ticket, .. },
                    ..
                },
            ] => ticket.clone(),
            other => panic!("expected one TicketCalled, got {other:?}"),
        }
    }

    /// Calls next at `window`, finishes the service and returns the ticket's display.
    #[track_caller]
    pub fn call_and_finish(&mut self, window: &str) -> String {
        let t = self.call(window);
        self.exec(Command::Finish { window: w(window) });
        self.display(&t)
    }

    pub fn ticket(&self, id: &TicketId) -> &Ticket {
        self.state.ticket(id).expect("ticket in state")
    }
    pub fn display(&self, id: &TicketId) -> String {
        self.ticket(id).display.clone()
    }

    pub fn book_req(&mut self, item_id: &str, day: BusinessDay, start_minute: u16, citizen: &str) -> BookAppointment {
        BookAppointment {
            appointment_id: AppointmentId::new(self.fresh("AP")),
            code: self.fresh("code"),
            hall_id: hall_id(),
            item_id: item(item_id),
            day,
            start_minute,
            citizen_key: citizen.into(),
        }
    }

    #[track_caller]
    pub fn book(&mut self, item_id: &str, day: BusinessDay, start_minute: u16, citizen: &str) -> AppointmentId {
        let req = self.book_req(item_id, day, start_minute, citizen);
        let id = req.appointment_id.clone();
        self.exec(Command::Book(req));
        id
    }

    pub fn check_in_cmd(&mut self, appointment: &AppointmentId) -> (Command, TicketId) {
        let ticket_id = TicketId::new(self.fresh("T"));
        let cmd = Command::CheckIn {
            appointment: appointment.clone(),
            ticket_id: ticket_id.clone(),
            token: self.fresh("tok"),
        };
        (cmd, ticket_id)
    }

    #[track_caller]
    pub fn check_in(&mut self, appointment: &AppointmentId) -> TicketId {
        let (cmd, id) = self.check_in_cmd(appointment);
        self.exec(cmd);
        id
    }
}
