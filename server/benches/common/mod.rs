//! Shared by the benchmarks: the bench city, HTTP helpers, a kiosk enrolled through the API. The
//! device and the password set-up are the node test kit's (the throughput bench signs with its `sign`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use domain::config::*;
use domain::ids::*;
use domain::routing::{Strategy, WorkProfile};
pub use node_testkit::{Device, set_passwords};
use serde_json::{Value, json};

pub const HALL: &str = "H1";
pub const ITEM: &str = "I1";
pub const QUEUE: &str = "QA";
pub const WINDOWS: usize = 32;
pub const PASSWORD: &str = "bench-password-1";
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn window_id(i: usize) -> String {
    format!("W{:02}", i + 1)
}
pub fn staff_id(i: usize) -> String {
    format!("S{:02}", i + 1)
}

/// One hall, one queue (QA) for one item (I1: no ID card, no daily quota) and 32 windows that all serve
/// QA in strict order, each with its own window-staff member; plus an admin.
pub fn bench_city() -> CityConfig {
    let mut windows = Vec::new();
    let mut staff = vec![Staff {
        id: "ADMIN".into(),
        login: "admin".into(),
        name: "管理员".into(),
        roles: vec![Role::Admin],
        hall_id: None,
        window_ids: vec![],
        card: StaffCard::default(),
    }];
    for i in 0..WINDOWS {
        windows.push(Window {
            id: window_id(i).as_str().into(),
            hall_id: HALL.into(),
            number: (i + 1).to_string(),
            department_id: None,
            profile: WorkProfile::new(vec![QueueId::new(QUEUE)], Strategy::StrictOrder),
        });
        staff.push(Staff {
            id: staff_id(i).as_str().into(),
            login: staff_id(i).to_lowercase(),
            name: format!("窗口{}", i + 1),
            roles: vec![Role::WindowStaff],
            hall_id: Some(HALL.into()),
            window_ids: vec![window_id(i).as_str().into()],
            card: StaffCard::default(),
        });
    }
    CityConfig {
        city: City {
            id: "BENCH".into(),
            name: "压测市".into(),
        },
        halls: vec![Hall {
            id: HALL.into(),
            name: "压测大厅".into(),
            level: HallLevel::District,
            parent: None,
            address: "测试路 1 号".into(),
            utc_offset_minutes: 480,
            priority: PriorityRules::default(),
            appointments: AppointmentRules::default(),
            rating_reasons: default_rating_reasons(),
        }],
        departments: vec![Department {
            id: "D1".into(),
            hall_id: HALL.into(),
            name: "综合受理".into(),
        }],
        windows,
        items: vec![ServiceItem {
            id: ITEM.into(),
            code: "2301-I1".into(),
            name: "政策咨询".into(),
            department_id: "D1".into(),
            id_card_required: false,
            daily_quota: None,
            avg_service_secs: 120,
            guide: None,
        }],
        queues: vec![Queue {
            id: QUEUE.into(),
            hall_id: HALL.into(),
            prefix: "A".into(),
            name: "A队列".into(),
            item_ids: vec![ITEM.into()],
        }],
        staff,
        slot_templates: vec![],
    }
}

/// A kiosk issue of one ticket for ITEM, as the HTTP handler builds it (time-ordered token).
pub fn issue_cmd() -> domain::Command {
    domain::Command::Issue(domain::decide::IssueTicket {
        ticket_id: TicketId::new(uuid::Uuid::now_v7().to_string()),
        token: server::crypto::ordered_token(),
        hall_id: HallId::new(HALL),
        item_id: Some(ItemId::new(ITEM)),
        queue_id: None,
        channel: domain::ticket::Channel::Kiosk,
        id_card: None,
        claims: vec![],
        number: None,
    })
}

/// A one-time enrollment code for a kiosk, issued by the admin.
pub async fn enrollment_code(http: &reqwest::Client, base: &str) -> String {
    let admin = login(http, base, "admin").await;
    let (st, v) = post_json(
        http,
        format!("{base}/api/v1/devices/enrollment-codes"),
        Some(&admin),
        json!({"hall_id": HALL, "kind": "kiosk"}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    v["code"].as_str().unwrap().to_owned()
}

pub fn per_s(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(4)
        .build()
        .unwrap()
}

pub async fn post_json(http: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut rb = http.post(url).json(&body);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let resp = rb.send().await.unwrap();
    let st = resp.status().as_u16();
    (st, resp.json().await.unwrap_or(Value::Null))
}

pub async fn login(http: &reqwest::Client, base: &str, login: &str) -> String {
    let (st, v) = post_json(
        http,
        format!("{base}/api/v1/sessions"),
        None,
        json!({"login": login, "password": PASSWORD}),
    )
    .await;
    assert_eq!(st, 201, "login {login}: {v}");
    v["token"].as_str().unwrap().to_owned()
}

/// A kiosk enrolled through the API: an admin issues a one-time code, the device redeems it.
pub async fn enroll_kiosk(http: &reqwest::Client, base: &str) -> Device {
    let code = enrollment_code(http, base).await;
    let (st, v) = post_json(
        http,
        format!("{base}/api/v1/devices/enroll"),
        None,
        json!({"code": code, "name": "压测自助机"}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    Device {
        id: v["device_id"].as_str().unwrap().to_owned(),
        key: hex::decode(v["key"].as_str().unwrap()).unwrap(),
        letter: v["letter"].as_str().map(str::to_owned),
    }
}
