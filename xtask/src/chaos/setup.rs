//! What an operator would do to bring the topology up: the city's configuration (one hall, three
//! queues, a window per terminal), the hall node's enrollment at the city, clerks' passwords at the
//! hall, and enrollment codes for the devices. All over the nodes' own HTTP API, as their admins.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

pub const HALL: &str = "H1";
pub const QUEUES: [(&str, &str, &str); 3] = [("QA", "A", "I1"), ("QB", "B", "I2"), ("QC", "C", "I3")];
/// The clerks' password at the hall node (a test value; the run's data is thrown away).
pub const CLERK_PASSWORD: &str = "chaos-clerk-password";

/// The window and clerk of terminal `i` (from 1).
pub fn window_id(i: usize) -> String {
    format!("W{i}")
}

pub fn clerk_login(i: usize) -> String {
    format!("clerk{i}")
}

fn clerk_id(i: usize) -> String {
    format!("S-CLERK{i}")
}

/// An administrator's session at one node (talking to it directly, not through a proxy).
pub struct Admin {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Admin {
    /// Signs in as `admin`, retrying briefly (the node may still be starting).
    pub async fn login(base: &str, password: &str) -> anyhow::Result<Admin> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .context("HTTP client")?;
        let mut admin = Admin {
            http,
            base: base.to_owned(),
            token: String::new(),
        };
        let started = Instant::now();
        loop {
            let body = json!({"login": "admin", "password": password});
            match admin.call(reqwest::Method::POST, "/api/v1/sessions", Some(&body)).await {
                Ok((201, v)) => {
                    admin.token = v["token"]
                        .as_str()
                        .context("no token in the session answer")?
                        .to_owned();
                    return Ok(admin);
                }
                Ok((st, v)) if started.elapsed() > Duration::from_secs(20) => {
                    bail!("admin sign-in at {base} refused: {st} {v}")
                }
                Err(e) if started.elapsed() > Duration::from_secs(20) => return Err(e),
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !self.token.is_empty() {
            req = req.bearer_auth(&self.token);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.with_context(|| format!("{path} at {}", self.base))?;
        let status = resp.status().as_u16();
        let text = resp.text().await.with_context(|| format!("reading {path}"))?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    async fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        ok: u16,
    ) -> anyhow::Result<Value> {
        let (st, v) = self.call(method, path, body).await?;
        if st != ok {
            bail!("{path} at {}: expected {ok}, got {st}: {v}", self.base);
        }
        Ok(v)
    }

    pub async fn config(&self) -> anyhow::Result<Value> {
        let v = self.expect(reqwest::Method::GET, "/api/v1/config", None, 200).await?;
        Ok(v["config"].clone())
    }

    pub async fn put_config(&self, config: &Value) -> anyhow::Result<()> {
        self.expect(reqwest::Method::PUT, "/api/v1/config", Some(config), 200)
            .await
            .map(|_| ())
    }

    pub async fn enrollment_code(&self, kind: &str) -> anyhow::Result<String> {
        // A week: a long run may restart a device that never got far enough to enroll.
        let body = json!({"hall_id": HALL, "kind": kind, "ttl_minutes": 7 * 24 * 60});
        let v = self
            .expect(
                reqwest::Method::POST,
                "/api/v1/devices/enrollment-codes",
                Some(&body),
                201,
            )
            .await?;
        Ok(v["code"].as_str().context("no code in the answer")?.to_owned())
    }

    pub async fn set_password(&self, staff_id: &str, password: &str) -> anyhow::Result<()> {
        let body = json!({"password": password});
        self.expect(
            reqwest::Method::PUT,
            &format!("/api/v1/staff/{staff_id}/password"),
            Some(&body),
            204,
        )
        .await
        .map(|_| ())
    }

    /// Waits until this (hall) node has a configuration with hall H1, i.e. took the city's.
    pub async fn wait_for_hall_config(&self, timeout: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Ok(cfg) = self.config().await
                && cfg["halls"]
                    .as_array()
                    .is_some_and(|h| h.iter().any(|h| h["id"] == HALL))
            {
                return Ok(());
            }
            if started.elapsed() > timeout {
                bail!("the hall node did not take the city's configuration within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sets every clerk's password at this (hall) node.
    pub async fn set_clerk_passwords(&self, terminals: usize) -> anyhow::Result<()> {
        for i in 1..=terminals {
            self.set_password(&clerk_id(i), CLERK_PASSWORD).await?;
        }
        Ok(())
    }
}

/// The city's configuration: what the city node already has (its administrator) plus hall H1 with
/// three queues and one window per terminal, each window with another routing strategy.
pub fn city_config(current: &Value, terminals: usize) -> anyhow::Result<Value> {
    let mut cfg = current.clone();
    cfg["halls"] = json!([{
        "id": HALL, "name": "混沌测试大厅", "level": "district", "parent": null,
        "address": "测试路 1 号", "utc_offset_minutes": 480
    }]);
    cfg["departments"] = json!([{"id": "D1", "hall_id": HALL, "name": "综合受理"}]);
    cfg["items"] = Value::Array(
        QUEUES
            .iter()
            .map(|(_, prefix, item)| {
                json!({
                    "id": item, "code": format!("2301-{item}"), "name": format!("{prefix} 类事项"),
                    "department_id": "D1", "id_card_required": false, "daily_quota": null,
                    "avg_service_secs": 120
                })
            })
            .collect(),
    );
    cfg["queues"] = Value::Array(
        QUEUES
            .iter()
            .map(|(id, prefix, item)| {
                json!({"id": id, "hall_id": HALL, "prefix": prefix, "name": format!("{prefix} 队列"), "item_ids": [item]})
            })
            .collect(),
    );
    let queue_ids: Vec<&str> = QUEUES.iter().map(|(id, _, _)| *id).collect();
    let strategies = [
        json!({"type": "strict_order"}),
        json!({"type": "longest_waiting"}),
        json!({"type": "weighted", "weights": [2, 1, 1]}),
    ];
    cfg["windows"] = Value::Array(
        (1..=terminals)
            .map(|i| {
                json!({
                    "id": window_id(i), "hall_id": HALL, "number": i.to_string(), "department_id": "D1",
                    "profile": {"queues": queue_ids, "strategy": strategies[(i - 1) % strategies.len()]}
                })
            })
            .collect(),
    );
    let mut staff: Vec<Value> = cfg["staff"]
        .as_array()
        .context("the city's configuration has no staff list")?
        .iter()
        .filter(|s| s["login"] == "admin")
        .cloned()
        .collect();
    if staff.is_empty() {
        bail!("the city's configuration has no admin to keep");
    }
    for i in 1..=terminals {
        staff.push(json!({
            "id": clerk_id(i), "login": clerk_login(i), "name": format!("窗口人员{i}"),
            "roles": ["window_staff"], "hall_id": HALL, "window_ids": [window_id(i)]
        }));
    }
    cfg["staff"] = Value::Array(staff);
    // Checked here too, so that a mistake names the field before any node is involved.
    let typed: domain::CityConfig = serde_json::from_value(cfg.clone()).context("the chaos configuration")?;
    domain::Config::new(typed).map_err(|e| anyhow::anyhow!("the chaos configuration: {}: {}", e.field, e.message))?;
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_configuration_is_valid_and_keeps_the_admin() {
        let current = serde_json::to_value(domain::CityConfig {
            city: domain::config::City {
                id: "CITY".into(),
                name: "未配置".into(),
            },
            halls: vec![],
            departments: vec![],
            windows: vec![],
            items: vec![],
            queues: vec![],
            staff: vec![domain::config::Staff {
                id: "S-ADMIN".into(),
                login: "admin".into(),
                name: "系统管理员".into(),
                roles: vec![domain::config::Role::Admin],
                hall_id: None,
                window_ids: vec![],
                card: Default::default(),
            }],
            slot_templates: vec![],
        })
        .unwrap();
        let cfg = city_config(&current, 4).unwrap();
        assert_eq!(cfg["windows"].as_array().unwrap().len(), 4);
        assert_eq!(cfg["staff"].as_array().unwrap().len(), 5);
        assert_eq!(cfg["staff"][0]["id"], "S-ADMIN");
    }
}
