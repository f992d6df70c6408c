//! The configuration model: city → halls → departments → windows → service items → queues, plus staff
//! and the rules each hall applies. Owned by the city node and pushed down by version.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::routing::WorkProfile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HallLevel {
    City,
    District,
    County,
    Street,
    Community,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct City {
    pub id: CityId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hall {
    pub id: HallId,
    pub name: String,
    pub level: HallLevel,
    /// The hall one level up (a street hall's district hall); `None` for the city hall.
    pub parent: Option<HallId>,
    pub address: String,
    /// Local time offset used for business days and appointment slots (China: 480).
    pub utc_offset_minutes: i32,
    #[serde(default)]
    pub priority: PriorityRules,
    #[serde(default)]
    pub appointments: AppointmentRules,
    /// The reasons an evaluator offers for a negative rating (tender 13(7) "实现国家‘好差评’标准评价": a
    /// 差评 names its reason). A hall that configures none gets [`default_rating_reasons`].
    #[serde(default = "default_rating_reasons")]
    pub rating_reasons: Vec<String>,
}

/// The reason list a hall offers unless it configures its own.
pub fn default_rating_reasons() -> Vec<String> {
    [
        "等候时间长",
        "服务态度差",
        "业务不熟练",
        "材料要求不清楚",
        "办理效率低",
        "其他",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// Longest rating reason, in characters.
pub const MAX_REASON_CHARS: usize = 32;
/// Most reasons one rating may carry (and a hall may offer).
pub const MAX_REASONS: usize = 16;
/// Longest rating comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    pub id: DepartmentId,
    pub hall_id: HallId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    pub id: WindowId,
    pub hall_id: HallId,
    /// What the hall calls it out loud: "5" in "请 A023 号到 5 号窗口办理".
    pub number: String,
    pub department_id: Option<DepartmentId>,
    pub profile: WorkProfile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceItem {
    pub id: ItemId,
    /// The item code in the province catalogue.
    pub code: String,
    pub name: String,
    pub department_id: DepartmentId,
    /// Whether a ticket for this item needs the citizen's ID card (tender 2818–2826: 身份证取号).
    pub id_card_required: bool,
    /// Tickets per business day; `None` = unlimited.
    pub daily_quota: Option<u32>,
    /// The planned service time, the starting point of the rolling average used for wait estimates.
    pub avg_service_secs: u32,
    /// 办事指南: materials, fee, time limit, conditions, basis (shown and printed by kiosks).
    #[serde(default)]
    pub guide: Option<crate::guide::ServiceGuide>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Queue {
    pub id: QueueId,
    pub hall_id: HallId,
    /// Number prefix, e.g. "A" → A001, A002 … (restarting every business day).
    pub prefix: String,
    pub name: String,
    pub item_ids: Vec<ItemId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    HallManager,
    WindowStaff,
    Leader,
    Lawyer,
    Operator,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::HallManager,
        Role::WindowStaff,
        Role::Leader,
        Role::Lawyer,
        Role::Operator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::HallManager => "hall_manager",
            Role::WindowStaff => "window_staff",
            Role::Leader => "leader",
            Role::Lawyer => "lawyer",
            Role::Operator => "operator",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Staff {
    pub id: StaffId,
    /// Sign-in name and staff number (工号).
    pub login: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// The hall this person works in; `None` for city-wide roles.
    pub hall_id: Option<HallId>,
    /// Windows this person may sign in to.
    pub window_ids: Vec<WindowId>,
    /// What the evaluator's idle screen shows (工作牌); flattened, so the fields sit on the staff entry.
    #[serde(flatten, default)]
    pub card: StaffCard,
}

/// A staff member's card on the evaluator's idle screen (tender 13(1) "显示窗口受理人员部门、工号、姓名、
/// 座右铭等宣传内容"). Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffCard {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// 工号 as printed on the card (the sign-in name when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_number: Option<String>,
    /// 服务承诺 / motto.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motto: Option<String>,
    /// SM3 hex digest (64 lowercase hex) of the photo blob, uploaded through the blob API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
}

/// Whether `s` is an SM3 digest as the blob API names blobs: 64 lowercase hex characters.
pub fn is_sm3_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// Groups that are called ahead of the normal queue. Which are honoured is per hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PriorityReason {
    Elderly,
    Pregnant,
    Disabled,
    Military,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorityRules {
    /// Honoured groups; a claimed reason outside this list is ignored.
    pub groups: Vec<PriorityReason>,
    /// Age from the ID birth date at which `elderly` applies.
    pub elderly_age: u32,
}

impl PriorityRules {
    /// Whether a citizen born on `birth` gets the elderly priority on `today`: old enough and the group
    /// honoured. The one place that decides it (a ticket at issue, a citizen code when resolved).
    pub fn elderly(&self, birth: crate::time::Date, today: crate::time::Date) -> bool {
        birth.age_on(today) >= self.elderly_age && self.groups.contains(&PriorityReason::Elderly)
    }
}

impl Default for PriorityRules {
    fn default() -> Self {
        PriorityRules {
            groups: vec![
                PriorityReason::Elderly,
                PriorityReason::Pregnant,
                PriorityReason::Disabled,
                PriorityReason::Military,
            ],
            elderly_age: 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentRules {
    /// Check-in opens this many minutes before the slot starts.
    pub early_minutes: u16,
    /// Arrivals up to this many minutes after the slot start keep appointment precedence; later ones join
    /// the normal queue.
    pub late_minutes: u16,
}

impl Default for AppointmentRules {
    fn default() -> Self {
        AppointmentRules {
            early_minutes: 30,
            late_minutes: 15,
        }
    }
}

/// Recurring appointment capacity for one item in one hall: the slots each matching weekday offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotTemplate {
    pub hall_id: HallId,
    pub item_id: ItemId,
    /// ISO weekdays 1 (Mon) … 7 (Sun).
    pub weekdays: Vec<u8>,
    /// Minutes after local midnight of the first slot start, e.g. 540 = 09:00.
    pub first_start: u16,
    pub slot_minutes: u16,
    pub slots: u16,
    pub capacity: u32,
}

/// The whole configuration of a city. Looked up by id through the index built in [`CityConfig::index`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CityConfig {
    pub city: City,
    pub halls: Vec<Hall>,
    pub departments: Vec<Department>,
    pub windows: Vec<Window>,
    pub items: Vec<ServiceItem>,
    pub queues: Vec<Queue>,
    pub staff: Vec<Staff>,
    #[serde(default)]
    pub slot_templates: Vec<SlotTemplate>,
}

/// Fast lookups over a [`CityConfig`].
#[derive(Debug, Clone, Default)]
pub struct ConfigIndex {
    halls: HashMap<HallId, usize>,
    windows: HashMap<WindowId, usize>,
    items: HashMap<ItemId, usize>,
    queues: HashMap<QueueId, usize>,
    staff: HashMap<StaffId, usize>,
    /// For each hall, the queue that serves an item.
    queue_of_item: HashMap<(HallId, ItemId), QueueId>,
}

/// A configuration plus its index: what the rules read.
#[derive(Debug, Clone)]
pub struct Config {
    pub data: CityConfig,
    index: ConfigIndex,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration: {field}: {message}")]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

impl Config {
    /// Checks references and uniqueness, then indexes. A configuration that fails is never half-used.
    pub fn new(data: CityConfig) -> Result<Config, ConfigError> {
        let index = CityConfig::index(&data)?;
        Ok(Config { data, index })
    }

    pub fn hall(&self, id: &HallId) -> Option<&Hall> {
        self.index.halls.get(id).map(|&i| &self.data.halls[i])
    }
    pub fn window(&self, id: &WindowId) -> Option<&Window> {
        self.index.windows.get(id).map(|&i| &self.data.windows[i])
    }
    pub fn item(&self, id: &ItemId) -> Option<&ServiceItem> {
        self.index.items.get(id).map(|&i| &self.data.items[i])
    }
    pub fn queue(&self, id: &QueueId) -> Option<&Queue> {
        self.index.queues.get(id).map(|&i| &self.data.queues[i])
    }
    pub fn staff(&self, id: &StaffId) -> Option<&Staff> {
        self.index.staff.get(id).map(|&i| &self.data.staff[i])
    }
    pub fn queue_for_item(&self, hall: &HallId, item: &ItemId) -> Option<&Queue> {
        self.index
            .queue_of_item
            .get(&(hall.clone(), item.clone()))
            .and_then(|q| self.queue(q))
    }
    pub fn windows_of_hall<'a>(&'a self, hall: &'a HallId) -> impl Iterator<Item = &'a Window> + 'a {
        self.data.windows.iter().filter(move |w| &w.hall_id == hall)
    }
    pub fn queues_of_hall<'a>(&'a self, hall: &'a HallId) -> impl Iterator<Item = &'a Queue> + 'a {
        self.data.queues.iter().filter(move |q| &q.hall_id == hall)
    }
    pub fn slot_templates(&self, hall: &HallId, item: &ItemId) -> impl Iterator<Item = &SlotTemplate> {
        let (hall, item) = (hall.clone(), item.clone());
        self.data
            .slot_templates
            .iter()
            .filter(move |t| t.hall_id == hall && t.item_id == item)
    }
}

fn err(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        field: field.into(),
        message: message.into(),
    }
}

fn unique<T, K: std::hash::Hash + Eq + Clone + std::fmt::Display>(
    what: &str,
    items: &[T],
    key: impl Fn(&T) -> &K,
) -> Result<HashMap<K, usize>, ConfigError> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        if map.insert(key(it).clone(), i).is_some() {
            return Err(err(format!("{what}[{i}].id"), format!("duplicate id {}", key(it))));
        }
    }
    Ok(map)
}

impl CityConfig {
    pub fn index(&self) -> Result<ConfigIndex, ConfigError> {
        let halls = unique("halls", &self.halls, |h| &h.id)?;
        let departments = unique("departments", &self.departments, |d| &d.id)?;
        let windows = unique("windows", &self.windows, |w| &w.id)?;
        let items = unique("items", &self.items, |i| &i.id)?;
        let queues = unique("queues", &self.queues, |q| &q.id)?;
        let staff = unique("staff", &self.staff, |s| &s.id)?;
        for (i, h) in self.halls.iter().enumerate() {
            if h.rating_reasons.len() > MAX_REASONS {
                return Err(err(
                    format!("halls[{i}].rating_reasons"),
                    format!("at most {MAX_REASONS} reasons"),
                ));
            }
            for (j, r) in h.rating_reasons.iter().enumerate() {
                let n = r.trim().chars().count();
                if n == 0 || n > MAX_REASON_CHARS || r.trim() != r {
                    return Err(err(
                        format!("halls[{i}].rating_reasons[{j}]"),
                        format!("expected 1–{MAX_REASON_CHARS} characters without surrounding spaces"),
                    ));
                }
                if h.rating_reasons[..j].contains(r) {
                    return Err(err(
                        format!("halls[{i}].rating_reasons[{j}]"),
                        format!("{r} is listed twice"),
                    ));
                }
            }
            if let Some(p) = &h.parent
                && !halls.contains_key(p)
            {
                return Err(err(format!("halls[{i}].parent"), format!("unknown hall {p}")));
            }
        }
        for (i, d) in self.departments.iter().enumerate() {
            if !halls.contains_key(&d.hall_id) {
                return Err(err(
                    format!("departments[{i}].hall_id"),
                    format!("unknown hall {}", d.hall_id),
                ));
            }
        }
        for (i, it) in self.items.iter().enumerate() {
            if !departments.contains_key(&it.department_id) {
                return Err(err(
                    format!("items[{i}].department_id"),
                    format!("unknown department {}", it.department_id),
                ));
            }
            if let Some(g) = &it.guide {
                g.validate(&format!("items[{i}].guide"))?;
            }
        }
        let mut queue_of_item = HashMap::new();
        let mut prefixes = HashMap::new();
        for (i, q) in self.queues.iter().enumerate() {
            if !halls.contains_key(&q.hall_id) {
                return Err(err(
                    format!("queues[{i}].hall_id"),
                    format!("unknown hall {}", q.hall_id),
                ));
            }
            if q.prefix.is_empty() || !q.prefix.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(err(format!("queues[{i}].prefix"), "expected one or more letters A–Z"));
            }
            if let Some(other) = prefixes.insert((q.hall_id.clone(), q.prefix.clone()), q.id.clone()) {
                return Err(err(
                    format!("queues[{i}].prefix"),
                    format!("prefix {} already used by queue {other}", q.prefix),
                ));
            }
            for item in &q.item_ids {
                if !items.contains_key(item) {
                    return Err(err(format!("queues[{i}].item_ids"), format!("unknown item {item}")));
                }
                if queue_of_item
                    .insert((q.hall_id.clone(), item.clone()), q.id.clone())
                    .is_some()
                {
                    return Err(err(
                        format!("queues[{i}].item_ids"),
                        format!("item {item} is served by two queues in hall {}", q.hall_id),
                    ));
                }
            }
        }
        for (i, w) in self.windows.iter().enumerate() {
            if !halls.contains_key(&w.hall_id) {
                return Err(err(
                    format!("windows[{i}].hall_id"),
                    format!("unknown hall {}", w.hall_id),
                ));
            }
            for (j, q) in w.profile.queues.iter().enumerate() {
                match queues.get(q).map(|&k| &self.queues[k]) {
                    Some(queue) if queue.hall_id == w.hall_id => {}
                    _ => {
                        return Err(err(
                            format!("windows[{i}].profile.queues[{j}]"),
                            format!("no queue {q} in hall {}", w.hall_id),
                        ));
                    }
                }
            }
            w.profile
                .validate()
                .map_err(|m| err(format!("windows[{i}].profile"), m))?;
        }
        for (i, s) in self.staff.iter().enumerate() {
            if let Some(p) = &s.card.photo
                && !is_sm3_hex(p)
            {
                return Err(err(
                    format!("staff[{i}].photo"),
                    "expected the SM3 digest of the photo blob: 64 lowercase hex characters",
                ));
            }
            for (field, v, max) in [
                ("department", &s.card.department, 64),
                ("staff_number", &s.card.staff_number, 32),
                ("motto", &s.card.motto, 200),
            ] {
                if v.as_ref().is_some_and(|v| v.chars().count() > max) {
                    return Err(err(format!("staff[{i}].{field}"), format!("at most {max} characters")));
                }
            }
            for w in &s.window_ids {
                if !windows.contains_key(w) {
                    return Err(err(format!("staff[{i}].window_ids"), format!("unknown window {w}")));
                }
            }
        }
        for (i, t) in self.slot_templates.iter().enumerate() {
            if !queue_of_item.contains_key(&(t.hall_id.clone(), t.item_id.clone())) {
                return Err(err(
                    format!("slot_templates[{i}]"),
                    format!("item {} has no queue in hall {}", t.item_id, t.hall_id),
                ));
            }
            if t.slot_minutes == 0
                || u32::from(t.first_start) + u32::from(t.slot_minutes) * u32::from(t.slots) > 24 * 60
            {
                return Err(err(
                    format!("slot_templates[{i}]"),
                    "slots must have a length and end before midnight",
                ));
            }
        }
        Ok(ConfigIndex {
            halls,
            windows,
            items,
            queues,
            staff,
            queue_of_item,
        })
    }
}
