//! The server as the desk sees it: JSON over HTTP with the lawyer's session, non-2xx answers turned
//! into [`CommandError`]s carrying the server's own code, message and field. Transport failures are
//! "unreachable", never guessed.

use std::time::Duration;

use app_types::CommandError;
use hall_api::ErrorBody;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

/// `host:port` or a URL → `http(s)://host:port` without a trailing slash.
pub fn normalize_address(input: &str) -> Result<String, CommandError> {
    let t = input.trim().trim_end_matches('/');
    if t.is_empty() {
        return Err(CommandError::new("invalid", "请填写服务器地址 / enter the server address").field("server"));
    }
    let url = if t.starts_with("http://") || t.starts_with("https://") {
        t.to_owned()
    } else {
        format!("http://{t}")
    };
    match reqwest::Url::parse(&url) {
        Ok(u) if u.host_str().is_some() => Ok(url),
        _ => Err(CommandError::new("invalid", format!("服务器地址无效 / not a server address: {t}")).field("server")),
    }
}

#[derive(Clone)]
pub struct Server {
    http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

pub fn unreachable(e: &reqwest::Error) -> CommandError {
    CommandError::new(
        "unreachable",
        format!("无法连接服务器，请检查地址和网络 / server unreachable: {e}"),
    )
}

/// A non-2xx answer as a command error with the server's own code, message and field.
pub fn refused(status: u16, body: &Value) -> CommandError {
    let body = ErrorBody::deserialize(body).ok();
    let code = body.as_ref().map_or("refused", |b| b.code.as_str()).to_owned();
    let msg = body.as_ref().map_or("", |b| b.message.as_str()).to_owned();
    let zh = match status {
        401 => "登录已失效或账号、密码错误",
        403 => "无权执行此操作",
        404 => "对象不存在或服务器暂不支持此功能",
        409 => "当前状态不允许此操作",
        422 => "内容不符合要求",
        _ => "服务器拒绝了请求",
    };
    let mut e = CommandError::new(code, format!("{zh} / {msg}"));
    if let Some(f) = body.and_then(|b| b.field) {
        e = e.field(f);
    }
    e
}

impl Server {
    pub fn new(base: String, timeout: Duration) -> Result<Server, CommandError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| CommandError::new("internal", e.to_string()))?;
        Ok(Server {
            http,
            base,
            token: None,
        })
    }

    /// Status and JSON body (`Null` when there is none) of one request.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<(u16, Value), CommandError> {
        let mut req = self.http.request(method, format!("{}/api/v1{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| unreachable(&e))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| unreachable(&e))?;
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Ok((status, v))
    }

    /// Like [`Server::call`], refusing non-2xx answers.
    pub async fn ok(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value, CommandError> {
        let (status, v) = self.call(method, path, body).await?;
        if (200..300).contains(&status) {
            Ok(v)
        } else {
            Err(refused(status, &v))
        }
    }

    /// The chat WebSocket URL of a consultation (`http` → `ws`).
    pub fn ws_url(&self, consultation: &str, after: i64) -> String {
        let base = if let Some(rest) = self.base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else {
            format!("ws://{}", self.base.trim_start_matches("http://"))
        };
        format!(
            "{base}{}?after={after}",
            hall_api::paths::consultation_action(consultation, "ws")
        )
    }
}

/// Decodes a server answer into an IPC shape; a mismatch is a contract break worth naming.
pub fn decode<T: serde::de::DeserializeOwned>(what: &str, v: Value) -> Result<T, CommandError> {
    serde_json::from_value(v).map_err(|e| {
        CommandError::new(
            "bad_answer",
            format!("服务器返回的{what}无法识别 / cannot read the server's {what}: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalized_and_blank_is_refused_naming_the_field() {
        assert_eq!(
            normalize_address(" 127.0.0.1:8080/ ").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalize_address("https://x.example").ok().as_deref(),
            Some("https://x.example")
        );
        let e = normalize_address("  ").err().map(|e| e.field);
        assert_eq!(e, Some(Some("server".into())));
    }

    #[test]
    fn refusals_keep_the_servers_code_and_field() {
        let e = refused(
            422,
            &serde_json::json!({"code": "reply_rules", "message": "回复未发送", "field": "body"}),
        );
        assert_eq!((e.code.as_str(), e.field.as_deref()), ("reply_rules", Some("body")));
        assert!(e.message.contains("回复未发送"));
    }
}
