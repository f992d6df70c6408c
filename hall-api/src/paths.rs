//! The `/api/v1/…` paths the clients call, built in one place. Path segments are put in as given (the
//! ids, codes and digests the node hands out need no escaping); query values are numbers.

/// Where the API is mounted on a node.
pub const PREFIX: &str = "/api/v1";

/// `POST` sign in, answered with a session.
pub fn sessions() -> String {
    format!("{PREFIX}/sessions")
}
/// `DELETE` sign out.
pub fn current_session() -> String {
    format!("{PREFIX}/sessions/current")
}
/// `POST` a device redeems its enrollment code.
pub fn enroll() -> String {
    format!("{PREFIX}/devices/enroll")
}
/// `GET` the devices of a hall and their health.
pub fn hall_devices(hall: &str) -> String {
    format!("{PREFIX}/halls/{hall}/devices")
}

/// `GET` the hall's picture for a wall or a dashboard.
pub fn hall_snapshot(hall: &str) -> String {
    format!("{PREFIX}/halls/{hall}/snapshot")
}
/// `GET` the hall's public live feed (server-sent events).
pub fn hall_events(hall: &str) -> String {
    format!("{PREFIX}/halls/{hall}/events")
}
/// `GET` the service guides of a hall's items.
pub fn hall_guides(hall: &str) -> String {
    format!("{PREFIX}/halls/{hall}/guides")
}
/// `GET` what a ticket for the item would say if taken now.
pub fn item_preview(hall: &str, item: &str) -> String {
    format!("{PREFIX}/halls/{hall}/items/{item}/preview")
}
/// `GET` the appointment slots of an item (`?day=YYYY-MM-DD`).
pub fn item_slots(hall: &str, item: &str) -> String {
    format!("{PREFIX}/halls/{hall}/items/{item}/slots")
}

/// `POST` issue a ticket.
pub fn tickets() -> String {
    format!("{PREFIX}/tickets")
}
/// `GET` one ticket.
pub fn ticket(id: &str) -> String {
    format!("{PREFIX}/tickets/{id}")
}
/// `POST /tickets/{id}/{action}`: `void`, `transfer`, `rating`, `citizen`; `GET` `evidence`.
pub fn ticket_action(id: &str, action: &str) -> String {
    format!("{PREFIX}/tickets/{id}/{action}")
}
/// `GET` a ticket's public status by its QR token.
pub fn ticket_status(token: &str) -> String {
    format!("{PREFIX}/tickets/status/{token}")
}

/// `POST /windows/{id}/{action}`: `call-next`, `call`, `recall`, `start`, `finish`, `no-show`, `park`,
/// `open`, `pause`, `close`, `sign-in`, `sign-out`; `GET` `panel`.
pub fn window_action(window: &str, action: &str) -> String {
    format!("{PREFIX}/windows/{window}/{action}")
}
/// `GET` the window terminal's panel.
pub fn window_panel(window: &str) -> String {
    window_action(window, "panel")
}
/// `GET` a staff member's card for the citizen-facing screen.
pub fn staff_card(staff: &str) -> String {
    format!("{PREFIX}/staff/{staff}/card")
}

/// `POST` book an appointment.
pub fn appointments() -> String {
    format!("{PREFIX}/appointments")
}
/// `GET` an appointment by the code on its QR.
pub fn appointment_by_code(code: &str) -> String {
    format!("{PREFIX}/appointments/by-code/{code}")
}
/// `POST` a citizen's bookings still waiting for check-in.
pub fn appointments_lookup() -> String {
    format!("{PREFIX}/appointments/lookup")
}
/// `POST /appointments/{id}/{action}`: `cancel`, `reschedule`, `check-in`.
pub fn appointment_action(id: &str, action: &str) -> String {
    format!("{PREFIX}/appointments/{id}/{action}")
}

/// `POST` open a case.
pub fn cases() -> String {
    format!("{PREFIX}/cases")
}
/// `POST` a citizen's cases.
pub fn cases_lookup() -> String {
    format!("{PREFIX}/cases/lookup")
}
/// `GET` a case by its receipt number.
pub fn case_by_receipt(receipt: &str) -> String {
    format!("{PREFIX}/cases/by-receipt/{receipt}")
}

/// `POST` resolve a scanned one-code-service code.
pub fn citizen_codes_resolve() -> String {
    format!("{PREFIX}/citizen-codes/resolve")
}

/// `POST` ask a question.
pub fn consultations() -> String {
    format!("{PREFIX}/consultations")
}
/// `GET` one consultation.
pub fn consultation(id: &str) -> String {
    format!("{PREFIX}/consultations/{id}")
}
/// `POST /consultations/{id}/{action}`: `messages`, `pickup`, `close`, `rating`; `GET` `ws`, `signal`.
pub fn consultation_action(id: &str, action: &str) -> String {
    format!("{PREFIX}/consultations/{id}/{action}")
}

/// `POST` upload events (devices and lower nodes).
pub fn sync_push() -> String {
    format!("{PREFIX}/sync/push")
}
/// `GET` events and configuration after a cursor.
pub fn sync_pull(after: i64, config_version: i64, limit: usize) -> String {
    format!("{PREFIX}/sync/pull?after={after}&config_version={config_version}&limit={limit}")
}
/// `GET` how much of a blob the node holds.
pub fn blob_status(digest: &str) -> String {
    format!("{PREFIX}/blobs/{digest}/status")
}
/// `GET` a blob.
pub fn blob(digest: &str) -> String {
    format!("{PREFIX}/blobs/{digest}")
}
/// `PUT` one chunk of a blob.
pub fn blob_chunk(digest: &str, offset: u64, total: u64) -> String {
    format!("{PREFIX}/blobs/{digest}?offset={offset}&total={total}")
}
