//! The node's test kit: a real node on 127.0.0.1:0 with a real SQLite file in a temp dir, a clock the
//! test controls, and a small city (two halls) whose staff all use one password. The server's
//! integration tests, the desktop apps' tests and the server's benchmarks depend on it.
//!
//! - [`Node::start`]: a fresh node seeded with [`test_city`] at [`MONDAY_0900`] on a [`TestClock`];
//!   [`Node::start_real_time`] for the apps, which sign with the real clock.
//! - [`Node::req`]: a request builder ([`Req`]) that signs as a device ([`sign`]) or carries a bearer
//!   token; answers come back as `(status, JSON)`.
//! - [`SseReader`]: the live feed's Server-Sent Events; [`KillOnDrop`] for spawned server processes.
//!
//! Everything here panics on failure (with a message saying what failed): it is test code, and a
//! failed set-up is a failed test.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use domain::config::*;
use domain::ids::*;
use domain::routing::{Strategy, WorkProfile};
use serde_json::{Value, json};
use server::app::{Role as NodeRole, ServerConfig};
use server::engine::Clock;

/// The password of every staff account of [`test_city`] (see [`Node::set_test_passwords`]).
pub const PASSWORD: &str = "test-password-1";
/// Monday 2026-11-23, 09:00 in Harbin (+08:00).
pub const MONDAY_0900: i64 = 20_780 * 86_400_000 + 3_600_000;
/// A valid resident ID number (GB 11643 check character), born 1990-01-01.
pub const ID_1990: &str = "230102199001011230";

/// A valid resident ID number (Harbin 230102, born `birth` as `YYYYMMDD`, serial number `serial` < 1000)
/// with its GB 11643 check character.
pub fn id_number(birth: &str, serial: u32) -> String {
    let first17 = format!("230102{birth}{serial:03}");
    let check = domain::idcard::check_char(first17.as_bytes()).expect("17 digits") as char;
    format!("{first17}{check}")
}

/// A clock the test sets and advances (milliseconds since the epoch); the node reads it through
/// [`TestClock::clock`].
#[derive(Clone)]
pub struct TestClock(pub Arc<AtomicI64>);

impl TestClock {
    pub fn new(ms: i64) -> TestClock {
        TestClock(Arc::new(AtomicI64::new(ms)))
    }
    pub fn clock(&self) -> Clock {
        let c = self.0.clone();
        Arc::new(move || c.load(Ordering::SeqCst))
    }
    pub fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
    pub fn advance_minutes(&self, m: i64) {
        self.0.fetch_add(m * 60_000, Ordering::SeqCst);
    }
}

fn staff(id: &str, roles: Vec<Role>, hall: Option<&str>, windows: &[&str]) -> Staff {
    Staff {
        id: id.into(),
        login: id.to_lowercase(),
        name: format!("测试{id}"),
        roles,
        hall_id: hall.map(Into::into),
        window_ids: windows.iter().map(|w| (*w).into()).collect(),
        card: StaffCard::default(),
    }
}

/// Milliseconds since the epoch by the system clock.
pub fn real_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("system clock after 1970")
        .as_millis() as i64
}

/// Hall H1: queues A (户口, ID card required), B (咨询), C (不动产, quota 2); windows W1 strict [A],
/// W2 weighted [A,B] 2:1, W3 longest-waiting [A,B,C], W4 strict [C]. Hall H2: W9 [Z].
/// Logins (password PASSWORD): admin, mgr (H1 manager), w1…w4 (window staff), w9 (H2), leader,
/// operator, lawyer.
pub fn test_city() -> CityConfig {
    let hall = |id: &str, name: &str| Hall {
        id: id.into(),
        name: name.into(),
        level: HallLevel::District,
        parent: None,
        address: "测试路 1 号".into(),
        utc_offset_minutes: 480,
        priority: PriorityRules::default(),
        appointments: AppointmentRules::default(),
        rating_reasons: default_rating_reasons(),
    };
    let item = |id: &str, name: &str, dept: &str, id_card: bool, quota: Option<u32>, secs: u32| ServiceItem {
        id: id.into(),
        code: format!("2301-{id}"),
        name: name.into(),
        department_id: dept.into(),
        id_card_required: id_card,
        daily_quota: quota,
        avg_service_secs: secs,
        guide: test_guide(id),
    };
    let queue = |id: &str, hall: &str, prefix: &str, items: &[&str]| Queue {
        id: id.into(),
        hall_id: hall.into(),
        prefix: prefix.into(),
        name: format!("{prefix}队列"),
        item_ids: items.iter().map(|i| (*i).into()).collect(),
    };
    let window = |id: &str, hall: &str, number: &str, profile: WorkProfile| Window {
        id: id.into(),
        hall_id: hall.into(),
        number: number.into(),
        department_id: None,
        profile,
    };
    let q = |ids: &[&str]| ids.iter().map(|i| QueueId::new(*i)).collect::<Vec<_>>();
    CityConfig {
        city: City {
            id: "T".into(),
            name: "测试市".into(),
        },
        halls: vec![hall("H1", "第一大厅"), hall("H2", "第二大厅")],
        departments: vec![
            Department {
                id: "D1".into(),
                hall_id: "H1".into(),
                name: "公安户政".into(),
            },
            Department {
                id: "D2".into(),
                hall_id: "H1".into(),
                name: "不动产".into(),
            },
            Department {
                id: "D9".into(),
                hall_id: "H2".into(),
                name: "综合".into(),
            },
        ],
        items: vec![
            item("I1", "户口迁移", "D1", true, None, 300),
            item("I2", "政策咨询", "D1", false, None, 120),
            item("I3", "不动产登记", "D2", false, Some(2), 600),
            item("I9", "综合受理", "D9", false, None, 300),
        ],
        queues: vec![
            queue("QA", "H1", "A", &["I1"]),
            queue("QB", "H1", "B", &["I2"]),
            queue("QC", "H1", "C", &["I3"]),
            queue("QZ", "H2", "Z", &["I9"]),
        ],
        windows: vec![
            window("W1", "H1", "1", WorkProfile::new(q(&["QA"]), Strategy::StrictOrder)),
            window(
                "W2",
                "H1",
                "2",
                WorkProfile::new(q(&["QA", "QB"]), Strategy::Weighted { weights: vec![2, 1] }),
            ),
            window(
                "W3",
                "H1",
                "3",
                WorkProfile::new(q(&["QA", "QB", "QC"]), Strategy::LongestWaiting),
            ),
            window("W4", "H1", "4", WorkProfile::new(q(&["QC"]), Strategy::StrictOrder)),
            window("W9", "H2", "9", WorkProfile::new(q(&["QZ"]), Strategy::StrictOrder)),
        ],
        staff: vec![
            staff("ADMIN", vec![Role::Admin], None, &[]),
            staff("MGR", vec![Role::HallManager], Some("H1"), &["W1", "W2", "W3", "W4"]),
            Staff {
                card: StaffCard {
                    department: Some("公安户政".into()),
                    staff_number: Some("HRB00001".into()),
                    motto: Some("用心服务，让群众少跑腿".into()),
                    photo: Some("ab".repeat(32)),
                },
                ..staff("W1", vec![Role::WindowStaff], Some("H1"), &["W1"])
            },
            staff("W2", vec![Role::WindowStaff], Some("H1"), &["W2"]),
            staff("W3", vec![Role::WindowStaff], Some("H1"), &["W3"]),
            staff("W4", vec![Role::WindowStaff], Some("H1"), &["W4"]),
            staff("W9", vec![Role::WindowStaff], Some("H2"), &["W9"]),
            staff("LEADER", vec![Role::Leader], None, &[]),
            staff("OPERATOR", vec![Role::Operator], None, &[]),
            staff("LAWYER", vec![Role::Lawyer], None, &[]),
        ],
        slot_templates: vec![SlotTemplate {
            hall_id: "H1".into(),
            item_id: "I1".into(),
            weekdays: vec![1, 2, 3, 4, 5, 6, 7],
            first_start: 540,
            slot_minutes: 30,
            slots: 14,
            capacity: 2,
        }],
    }
}

/// The service guides (办事指南) of [`test_city`]'s items: 户口迁移 and 不动产登记 list materials,
/// 政策咨询 needs none, 综合受理 has no guide configured.
pub fn test_guide(item: &str) -> Option<domain::guide::ServiceGuide> {
    use domain::guide::{Material, ServiceGuide};
    let m = |name: &str, copies: u32, original: bool, note: Option<&str>| Material {
        name: name.into(),
        copies,
        original,
        note: note.map(Into::into),
    };
    match item {
        "I1" => Some(ServiceGuide {
            materials: vec![
                m("居民身份证", 1, true, None),
                m("居民户口簿", 1, true, None),
                m("准予迁入证明", 1, true, Some("迁入地派出所开具")),
            ],
            fee: "免费".into(),
            time_limit: "即办".into(),
            conditions: Some("本市户籍居民市内迁移".into()),
            basis: Some("《中华人民共和国户口登记条例》第十条".into()),
        }),
        "I2" => Some(ServiceGuide {
            materials: vec![],
            fee: "免费".into(),
            time_limit: "即办".into(),
            conditions: None,
            basis: None,
        }),
        "I3" => Some(ServiceGuide {
            materials: vec![
                m("居民身份证", 1, true, None),
                m("不动产权证书", 1, true, None),
                m("买卖合同", 2, false, Some("网签备案合同")),
            ],
            fee: "每件 80 元".into(),
            time_limit: "5 个工作日".into(),
            conditions: None,
            basis: Some("《不动产登记暂行条例》第十四条".into()),
        }),
        _ => None,
    }
}

/// An enrolled device: its id and key.
#[derive(Clone, Debug)]
pub struct Device {
    pub id: String,
    pub key: Vec<u8>,
    pub letter: Option<String>,
}

/// A running node (or a stopped one, between [`Node::stop`] and a restart) and an HTTP client for it.
pub struct Node {
    pub running: Option<server::Running>,
    pub dir: PathBuf,
    /// The temp dir holding `dir`, when this node owns it (deleted when the node is dropped).
    tmp: Option<tempfile::TempDir>,
    pub base: String,
    pub http: reqwest::Client,
    pub clock: TestClock,
}

impl Node {
    /// A fresh node seeded with [`test_city`] at [`MONDAY_0900`].
    pub async fn start() -> Node {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().to_path_buf();
        let mut n = Node::start_in(dir, TestClock::new(MONDAY_0900), NodeRole::All).await;
        n.tmp = Some(tmp);
        let app = n.app();
        server::api::halls::install_config(&app, domain::Actor::System, test_city())
            .await
            .expect("install the test city");
        n.set_test_passwords().await;
        n
    }

    /// Starts a node on an existing data directory (restart).
    pub async fn start_in(dir: PathBuf, clock: TestClock, role: NodeRole) -> Node {
        let config = ServerConfig {
            role,
            data: dir.clone(),
            listen: "127.0.0.1:0".into(),
            ..ServerConfig::default()
        };
        Node::start_with(config, clock).await
    }

    /// A node on 127.0.0.1:0 with [`test_city`] and the test passwords, whose clock follows real time:
    /// for the desktop apps' tests (the apps sign their requests with the real clock).
    pub async fn start_real_time() -> Node {
        let tmp = tempfile::tempdir().expect("temp dir");
        let clock = TestClock::new(real_now());
        let ticking = clock.clone();
        std::thread::spawn(move || {
            loop {
                ticking.set(real_now());
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        let mut n = Node::start_in(tmp.path().to_path_buf(), clock, NodeRole::All).await;
        n.tmp = Some(tmp);
        server::api::halls::install_config(&n.app(), domain::Actor::System, test_city())
            .await
            .expect("install the test city");
        n.set_test_passwords().await;
        n
    }

    /// Starts a node with this configuration (its `data` directory is the node's).
    pub async fn start_with(config: ServerConfig, clock: TestClock) -> Node {
        let dir = config.data.clone();
        let running = server::start(config, clock.clock()).await.expect("start the node");
        let base = format!("http://{}", running.addr);
        Node {
            running: Some(running),
            dir,
            tmp: None,
            base,
            http: reqwest::Client::new(),
            clock,
        }
    }

    /// Hands over the temp dir that keeps the data directory alive (to keep it across a restart).
    pub fn take_tmp(&mut self) -> Option<tempfile::TempDir> {
        self.tmp.take()
    }

    /// Keeps `tmp` (the node's data directory) alive as long as the node.
    pub fn keep(&mut self, tmp: tempfile::TempDir) {
        self.tmp = Some(tmp);
    }

    pub fn app(&self) -> Arc<server::app::AppState> {
        self.running.as_ref().expect("the node is running").app.clone()
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    /// Stops and starts again on the same directory, keeping the temp dir alive.
    pub async fn restart(&mut self) {
        self.stop().await;
        let tmp = self.tmp.take();
        let mut n = Node::start_in(self.dir.clone(), self.clock.clone(), NodeRole::All).await;
        n.tmp = tmp;
        *self = n;
    }

    /// The node's SQLite file.
    pub fn db_path(&self) -> PathBuf {
        self.dir.join("node.db")
    }

    /// A request to this node (`path` with its query, e.g. `/api/v1/tickets`); nothing is sent before
    /// [`Req::send`].
    pub fn req(&self, method: &str, path: &str) -> Req<'_> {
        Req {
            node: self,
            method: method.to_owned(),
            path: path.to_owned(),
            body: None,
            token: None,
            device: None,
            skew_ms: 0,
            replay: None,
            extra: Vec::new(),
        }
    }

    /// Signs `login` in with [`PASSWORD`]; returns the session token.
    pub async fn login(&self, login: &str) -> String {
        let (st, v) = self
            .req("POST", "/api/v1/sessions")
            .json(json!({"login": login, "password": PASSWORD}))
            .send()
            .await;
        assert_eq!(st, 201, "login {login}: {v}");
        v["token"].as_str().expect("a session token").to_owned()
    }

    /// Enrolls a device of `kind` in `hall` (an admin issues the code).
    pub async fn enroll(&self, hall: &str, kind: &str) -> Device {
        let admin = self.login("admin").await;
        let (st, v) = self
            .req("POST", "/api/v1/devices/enrollment-codes")
            .bearer(&admin)
            .json(json!({"hall_id": hall, "kind": kind}))
            .send()
            .await;
        assert_eq!(st, 201, "{v}");
        let code = v["code"].as_str().expect("an enrollment code").to_owned();
        let (st, v) = self
            .req("POST", "/api/v1/devices/enroll")
            .json(json!({"code": code, "name": format!("测试{kind}")}))
            .send()
            .await;
        assert_eq!(st, 201, "{v}");
        Device {
            id: v["device_id"].as_str().expect("a device id").to_owned(),
            key: hex::decode(v["key"].as_str().expect("a device key")).expect("the key in hex"),
            letter: v["letter"].as_str().map(str::to_owned),
        }
    }

    /// One queue of `hall` as the hall snapshot shows it (waiting, next number …), read as admin.
    pub async fn queue_snapshot(&self, hall: &str, queue: &str) -> Value {
        let admin = self.login("admin").await;
        let (_, snap) = self
            .req("GET", &format!("/api/v1/halls/{hall}/snapshot"))
            .bearer(&admin)
            .send()
            .await;
        snap["queues"]
            .as_array()
            .and_then(|qs| qs.iter().find(|q| q["id"] == queue))
            .cloned()
            .unwrap_or_else(|| panic!("no queue {queue} in {snap}"))
    }

    /// Gives every staff member of [`test_city`] the test password on this node.
    pub async fn set_test_passwords(&self) {
        set_passwords(&self.app(), &test_city().staff, PASSWORD).await;
    }

    /// Signs `staff` in at `window` and opens it; returns their token.
    pub async fn open_window(&self, staff: &str, window: &str) -> String {
        let t = self.login(staff).await;
        let (st, v) = self
            .req("POST", &format!("/api/v1/windows/{window}/sign-in"))
            .bearer(&t)
            .send()
            .await;
        assert_eq!(st, 200, "sign-in: {v}");
        let (st, v) = self
            .req("POST", &format!("/api/v1/windows/{window}/open"))
            .bearer(&t)
            .send()
            .await;
        assert_eq!(st, 200, "open: {v}");
        t
    }

    /// Issues a ticket from a kiosk device; returns the response body.
    pub async fn issue(&self, kiosk: &Device, body: Value) -> (u16, Value) {
        self.req("POST", "/api/v1/tickets")
            .device(kiosk)
            .json(body)
            .send()
            .await
    }

    /// `POST /api/v1/windows/{window}/{action}` (call-next, finish, pause …) with `token`.
    pub async fn window_action(&self, token: &str, window: &str, action: &str) -> (u16, Value) {
        self.req("POST", &format!("/api/v1/windows/{window}/{action}"))
            .bearer(token)
            .send()
            .await
    }
}

/// Gives each of `staff` the password `password` on the node of `app` (one hash for all, as the
/// system actor).
pub async fn set_passwords(app: &server::app::AppState, staff: &[Staff], password: &str) {
    let hash = server::auth::hash_password(password).expect("hash the password");
    for s in staff {
        server::api::access::set_password_hash(app, "system", s, hash.clone())
            .await
            .unwrap_or_else(|e| panic!("set the password of {}: {e:?}", s.id.as_str()));
    }
}

/// Headers for a request signed by device `device_id` with `key`, with a fresh nonce: what `edge`
/// sends, through the same `protocol::sign`.
pub fn sign(
    key: &[u8],
    device_id: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now_ms: i64,
) -> Vec<(&'static str, String)> {
    protocol::sign::sign(
        key,
        device_id,
        method,
        path_and_query,
        body,
        now_ms,
        &server::crypto::random_token(),
    )
    .to_vec()
}

/// A request being built by [`Node::req`].
pub struct Req<'a> {
    node: &'a Node,
    method: String,
    path: String,
    body: Option<Vec<u8>>,
    token: Option<String>,
    device: Option<Device>,
    skew_ms: i64,
    replay: Option<Vec<(&'static str, String)>>,
    extra: Vec<(String, String)>,
}

impl Req<'_> {
    pub fn json(mut self, v: Value) -> Self {
        self.body = Some(serde_json::to_vec(&v).expect("JSON to bytes"));
        self
    }
    /// A body sent as is (with `content-type: application/json`).
    pub fn raw_body(mut self, b: &[u8]) -> Self {
        self.body = Some(b.to_vec());
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.extra.push((k.to_owned(), v.to_owned()));
        self
    }
    /// The sync protocol header of this build.
    pub fn sync(self) -> Self {
        self.header(
            protocol::sync::PROTOCOL_HEADER,
            &protocol::sync::PROTOCOL_VERSION.to_string(),
        )
    }
    /// A staff session token.
    pub fn bearer(mut self, t: &str) -> Self {
        self.token = Some(t.to_owned());
        self
    }
    /// Signs the request as device `d` (at the node's clock, see [`Req::skew`]).
    pub fn device(mut self, d: &Device) -> Self {
        self.device = Some(d.clone());
        self
    }
    /// Signs with a clock this far off the server's.
    pub fn skew(mut self, ms: i64) -> Self {
        self.skew_ms = ms;
        self
    }
    /// Sends exactly these signature headers (for replay tests).
    pub fn signature_headers(mut self, h: Vec<(&'static str, String)>) -> Self {
        self.replay = Some(h);
        self
    }
    /// The signature headers this request would carry.
    pub fn sign_now(&self) -> Vec<(&'static str, String)> {
        let d = self.device.as_ref().expect("sign_now needs a device (Req::device)");
        sign(
            &d.key,
            &d.id,
            &self.method,
            &self.path,
            self.body.as_deref().unwrap_or(b""),
            self.node.clock.now() + self.skew_ms,
        )
    }

    /// Sends; the status and the body as JSON (a body that is not JSON comes back as a JSON string).
    pub async fn send(self) -> (u16, Value) {
        let (st, text) = self.send_text().await;
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (st, v)
    }

    /// Sends; the status and the body as text.
    pub async fn send_text(self) -> (u16, String) {
        let url = format!("{}{}", self.node.base, self.path);
        let method = self.method.parse().expect("an HTTP method");
        let mut rb = self.node.http.request(method, url);
        if let Some(h) = self
            .replay
            .clone()
            .or_else(|| self.device.as_ref().map(|_| self.sign_now()))
        {
            for (k, v) in h {
                rb = rb.header(k, v);
            }
        }
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        for (k, v) in &self.extra {
            rb = rb.header(k, v);
        }
        if let Some(b) = self.body {
            rb = rb.header("content-type", "application/json").body(b);
        }
        let resp = rb.send().await.expect("send the request");
        let st = resp.status().as_u16();
        (st, resp.text().await.expect("read the answer"))
    }
}

/// Reads Server-Sent Events from a response: (id, event, data) triples.
pub struct SseReader {
    resp: reqwest::Response,
    buf: String,
}

impl SseReader {
    /// `GET path` with `token` (and `Last-Event-ID` when given); the status and the reader.
    pub async fn open(node: &Node, path: &str, token: &str, last_event_id: Option<i64>) -> (u16, SseReader) {
        let mut rb = node.http.get(format!("{}{}", node.base, path)).bearer_auth(token);
        if let Some(id) = last_event_id {
            rb = rb.header("last-event-id", id.to_string());
        }
        let resp = rb.send().await.expect("open the event stream");
        (
            resp.status().as_u16(),
            SseReader {
                resp,
                buf: String::new(),
            },
        )
    }

    /// The next event, or None after `timeout_ms` without one.
    pub async fn next(&mut self, timeout_ms: u64) -> Option<(i64, String, Value)> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(timeout_ms);
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut ev, mut data) = (None, String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        ev = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                match id {
                    Some(id) => {
                        return Some((id, ev, serde_json::from_str(&data).unwrap_or(Value::Null)));
                    }
                    None => continue, // keep-alive comment
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk())
                .await
                .ok()?
                .ok()??;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// Kills a spawned server process when dropped, also when the test panics.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
