//! What the demo kiosk can find: a demo citizen with appointments and cases in the city hall (H00), so
//! "预约签到" and "办件进度查询" (tender 21(1)/(2)) show something on the first try. Cases are seeded
//! once; the appointments whenever the demo citizen has none left from today on.

use std::sync::Arc;

use anyhow::anyhow;
use domain::appointment::{AppointmentStatus, BOOKING_HORIZON_DAYS, next_open_slot};
use domain::decide::BookAppointment;
use domain::ids::*;
use domain::{Actor, Command, Millis};

use crate::app::AppState;
use crate::store::Record;

/// The demo citizen's ID number: appointments (居民身份证换领, 不动产转移登记) and three cases.
pub const DEMO_ID_NUMBER: &str = "230102198506150020";
/// A second demo citizen with one delivered case.
pub const DEMO_ID_NUMBER_2: &str = "230103196203080042";
/// The demo cases' receipts: ready for pickup, needs more material, just accepted, delivered.
pub const DEMO_RECEIPTS: [&str; 4] = [
    "HRB-20260301-000001",
    "HRB-20260301-000002",
    "HRB-20260301-000003",
    "HRB-20260301-000004",
];

const HALL: &str = "H00";
/// The clerk the demo cases are recorded by (hrb0001 at window 1).
const CLERK: &str = "staff:S0001";

type Stages = &'static [(&'static str, Option<&'static str>)];

#[rustfmt::skip]
const CASES: [(&str, &str, &str, Stages); 4] = [
    (DEMO_RECEIPTS[0], DEMO_ID_NUMBER, "居民身份证换领", &[
        ("reviewing", None), ("completed", None),
        ("ready_for_pickup", Some("请携带受理回执到 1 号窗口领取新证")),
    ]),
    (DEMO_RECEIPTS[1], DEMO_ID_NUMBER, "不动产转移登记", &[
        ("reviewing", None), ("needs_more", Some("缺少完税凭证原件，请补交后继续审查")),
    ]),
    (DEMO_RECEIPTS[2], DEMO_ID_NUMBER, "社保卡申领", &[]),
    (DEMO_RECEIPTS[3], DEMO_ID_NUMBER_2, "职工退休养老金申领", &[
        ("reviewing", None), ("completed", None), ("delivered", Some("核定通知书已邮寄送达")),
    ]),
];

fn item_named(app: &AppState, name: &str) -> anyhow::Result<ItemId> {
    let cfg = app.engine.shared.cfg.read().clone();
    let hall = HallId::new(HALL);
    cfg.data
        .items
        .iter()
        .find(|i| i.name == name && cfg.queue_for_item(&hall, &i.id).is_some())
        .map(|i| i.id.clone())
        .ok_or_else(|| anyhow!("demo item {name} is not offered in {HALL}"))
}

/// The name sealed into the demo citizen's code (the kiosk shows it masked: 张*).
pub const DEMO_NAME: &str = "张丽";
/// How long the demo's citizen code lives: a day, so it still works when the demo runs all day.
const DEMO_CODE_TTL_MINUTES: u32 = 24 * 60;

/// A fresh one-code-service citizen code (一码通办, tender 2844–2862 "扫码登录…替代身份证读取登录") for the
/// demo citizen, issued at every demo start (the city app that issues them in real life is out of
/// scope): the kiosk's QR scanner takes it instead of the ID card.
pub async fn issue_demo_code(app: &Arc<AppState>) -> anyhow::Result<String> {
    let out = crate::service::citizens::issue_code(
        app,
        "system",
        DEMO_ID_NUMBER,
        Some(DEMO_NAME),
        Some(DEMO_CODE_TTL_MINUTES),
    )
    .await?;
    Ok(out.code)
}

/// Seeds the demo citizen's cases (once) and appointments (when none is left).
pub async fn seed(app: &Arc<AppState>) -> anyhow::Result<()> {
    let reader = app.reader.clone();
    let seeded = tokio::task::spawn_blocking(move || reader.case_by_receipt(DEMO_RECEIPTS[0])).await??;
    if seeded.is_none() {
        for (receipt, id_number, item, stages) in CASES {
            let case_id = uuid::Uuid::now_v7().to_string();
            let opened = Record::CaseOpened {
                case_id: case_id.clone(),
                hall_id: HALL.to_owned(),
                item_id: item_named(app, item)?.to_string(),
                receipt: receipt.to_owned(),
                citizen_key: app.sealer.blind_index(id_number),
                ticket_id: None,
                actor: CLERK.to_owned(),
            };
            app.engine.record(HALL, CLERK, opened).await?;
            for &(stage, note) in stages {
                let r = Record::CaseStage {
                    case_id: case_id.clone(),
                    stage: stage.to_owned(),
                    note: note.map(str::to_owned),
                    actor: CLERK.to_owned(),
                };
                app.engine.record(HALL, CLERK, r).await?;
            }
        }
    }
    book_demo_appointments(app).await
}

async fn book_demo_appointments(app: &Arc<AppState>) -> anyhow::Result<()> {
    let hall = HallId::new(HALL);
    let key = app.sealer.blind_index(DEMO_ID_NUMBER);
    let cfg = app.engine.shared.cfg.read().clone();
    let now = Millis((app.clock)());
    let today = now.business_day(cfg.hall(&hall).map_or(480, |h| h.utc_offset_minutes));
    for name in ["居民身份证换领", "不动产转移登记"] {
        let item = item_named(app, name)?;
        let (has, slot) = {
            let st = app.engine.shared.state.read();
            let h = st.halls.get(&hall);
            let has = h.is_some_and(|h| {
                h.appointments.values().any(|a| {
                    a.citizen_key == key && a.item_id == item && a.status == AppointmentStatus::Booked && a.day >= today
                })
            });
            (has, next_open_slot(&cfg, h, &hall, &item, now, BOOKING_HORIZON_DAYS))
        };
        let Some(slot) = slot.filter(|_| !has) else {
            continue;
        };
        let cmd = Command::Book(BookAppointment {
            appointment_id: AppointmentId::new(uuid::Uuid::now_v7().to_string()),
            code: crate::crypto::random_token(),
            hall_id: hall.clone(),
            item_id: item,
            day: slot.day,
            start_minute: slot.start_minute,
            citizen_key: key.clone(),
        });
        if let Err(e) = app.engine.execute(hall.clone(), Actor::System, cmd, None).await {
            tracing::warn!(error = %e, "demo appointment not booked");
        }
    }
    Ok(())
}
