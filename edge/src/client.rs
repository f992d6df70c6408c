//! `SyncClient`: the sync API over HTTP. Every request carries the protocol version header and (except
//! enrollment) the device signature over exactly the path and query it sends.

use std::time::Duration;

use protocol::sync::{BLOB_CHUNK, BlobStatus, MAX_PUSH_EVENTS, PROTOCOL_HEADER, PROTOCOL_VERSION};
use protocol::sync::{PullResponse, PushRequest, PushResponse};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use crate::store::{Identity, now_ms};

/// How much of an unexpected answer's body goes into an error message.
const SNIPPET_LEN: usize = 200;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub connect_timeout: Duration,
    /// For the whole request, answer included.
    pub request_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(15),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// Could not connect, timed out, or the connection was cut (also a gateway saying the node behind
    /// it is down). Retry with backoff.
    #[error("upstream unreachable: {0}")]
    Unreachable(String),
    /// Upstream no longer speaks our protocol version. Retrying cannot help.
    #[error("upstream needs a newer version of this software: {0}")]
    UpgradeNeeded(String),
    /// A push skipped ahead of what upstream settled; it expects `expected` next.
    #[error("upstream expects event {expected} next")]
    Gap { expected: i64 },
    /// Any other refusal (authentication, validation, upstream storage trouble …).
    #[error("upstream refused ({status} {code}): {message}")]
    Refused { status: u16, code: String, message: String },
    /// An answer we cannot understand.
    #[error("unexpected answer from upstream: {0}")]
    Protocol(String),
    /// A mistake on our side before anything was sent (bad URL, key or argument).
    #[error("{0}")]
    Invalid(String),
}

impl ClientError {
    /// The stable error code of a refusal.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The enrollment answer.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct Enrollment {
    pub device_id: String,
    /// Hex of the 32-byte signing key.
    pub key: String,
    pub hall_id: String,
    pub kind: String,
    #[serde(default)]
    pub letter: Option<char>,
}

impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrollment")
            .field("device_id", &self.device_id)
            .field("key", &"<redacted>")
            .field("hall_id", &self.hall_id)
            .field("kind", &self.kind)
            .field("letter", &self.letter)
            .finish()
    }
}

impl Enrollment {
    /// The identity to save (`EdgeStore::save_identity`) for syncing with `upstream`.
    pub fn into_identity(self, upstream: &str) -> Identity {
        Identity {
            device_id: self.device_id,
            hall_id: self.hall_id,
            key_hex: self.key,
            kind: self.kind,
            letter: self.letter,
            upstream: normalize_base(upstream),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    expected: Option<i64>,
}

enum Body {
    Empty,
    Json(Vec<u8>),
    Octets(Vec<u8>),
}

pub struct SyncClient {
    http: reqwest::Client,
    /// For live feeds: no overall timeout (a feed stays open for hours), only the connect timeout.
    stream_http: reqwest::Client,
    base: String,
    device_id: String,
    key: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncClient")
            .field("base", &self.base)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl SyncClient {
    /// Enrolls this device with a one-time code; save the answer with
    /// `store.save_identity(&enrollment.into_identity(base))`.
    pub async fn enroll(base: &str, code: &str, name: &str) -> Result<Enrollment, ClientError> {
        SyncClient::enroll_with(base, code, name, &ClientConfig::default()).await
    }

    pub async fn enroll_with(
        base: &str,
        code: &str,
        name: &str,
        config: &ClientConfig,
    ) -> Result<Enrollment, ClientError> {
        let http = build_http(config)?;
        let base = checked_base(base)?;
        let body = serde_json::json!({ "code": code, "name": name });
        let body = serde_json::to_vec(&body).map_err(|e| ClientError::Invalid(e.to_string()))?;
        let resp = http
            .post(format!("{base}{}", hall_api::paths::enroll()))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transport)?;
        let enrollment: Enrollment = decode("enrollment", status, &bytes)?;
        check_key(&enrollment.key)?;
        Ok(enrollment)
    }

    pub fn new(base: &str, device_id: &str, key_hex: &str, config: &ClientConfig) -> Result<SyncClient, ClientError> {
        Ok(SyncClient {
            http: build_http(config)?,
            stream_http: reqwest::Client::builder()
                .connect_timeout(config.connect_timeout)
                .tcp_keepalive(Duration::from_secs(30))
                .build()
                .map_err(|e| ClientError::Invalid(format!("HTTP client: {e}")))?,
            base: checked_base(base)?,
            device_id: device_id.to_owned(),
            key: check_key(key_hex)?,
        })
    }

    pub fn from_identity(identity: &Identity, config: &ClientConfig) -> Result<SyncClient, ClientError> {
        SyncClient::new(&identity.upstream, &identity.device_id, &identity.key_hex, config)
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Pushes events (in sequence order, at most `MAX_PUSH_EVENTS`).
    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, ClientError> {
        if request.events.len() > MAX_PUSH_EVENTS {
            return Err(ClientError::Invalid(format!(
                "{} events in one push; at most {MAX_PUSH_EVENTS}",
                request.events.len()
            )));
        }
        let body = serde_json::to_vec(request).map_err(|e| ClientError::Invalid(e.to_string()))?;
        let (status, bytes) = self
            .send(Method::POST, &hall_api::paths::sync_push(), Body::Json(body))
            .await?;
        decode("push response", status, &bytes)
    }

    /// One page of configuration and changes after cursor `after`.
    pub async fn pull(&self, after: i64, config_version: i64, limit: usize) -> Result<PullResponse, ClientError> {
        let path = hall_api::paths::sync_pull(after, config_version, limit);
        let (status, bytes) = self.send(Method::GET, &path, Body::Empty).await?;
        // A page that ends behind `after` (upstream went back in time) is still returned: the store
        // ignores what lies behind its cursor, and `producer_last_seq` is exactly what a restored
        // upstream needs us to see.
        decode("pull response", status, &bytes)
    }

    pub async fn blob_status(&self, digest: &str) -> Result<BlobStatus, ClientError> {
        check_digest(digest)?;
        let path = hall_api::paths::blob_status(digest);
        let (status, bytes) = self.send(Method::GET, &path, Body::Empty).await?;
        decode("blob status", status, &bytes)
    }

    /// Sends the bytes of blob `digest` (of `total` bytes) starting at `offset`.
    pub async fn put_blob_chunk(
        &self,
        digest: &str,
        offset: u64,
        total: u64,
        chunk: Vec<u8>,
    ) -> Result<BlobStatus, ClientError> {
        check_digest(digest)?;
        if chunk.len() > BLOB_CHUNK {
            return Err(ClientError::Invalid(format!(
                "blob chunk of {} bytes; at most {BLOB_CHUNK}",
                chunk.len()
            )));
        }
        let path = hall_api::paths::blob_chunk(digest, offset, total);
        let (status, bytes) = self.send(Method::PUT, &path, Body::Octets(chunk)).await?;
        decode("blob status", status, &bytes)
    }

    /// A signed API request beside the sync protocol (e.g. a window terminal's call-next), with an
    /// optional staff session. Transport failures are [`ClientError::Unreachable`], so an app can say
    /// plainly that the hall node cannot be reached instead of acting blindly; any HTTP answer is
    /// returned with its status and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&serde_json::Value>,
        session: Option<&str>,
    ) -> Result<(u16, serde_json::Value), ClientError> {
        self.call_with(method, path_and_query, body, session, &[]).await
    }

    /// [`SyncClient::call`] with extra headers (e.g. a consultation's `X-Consultation-Token`, a key
    /// the kiosk holds for one citizen's visit). They are not covered by the signature, which binds
    /// the device, not the citizen.
    pub async fn call_with(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&serde_json::Value>,
        session: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<(u16, serde_json::Value), ClientError> {
        let body = match body {
            Some(v) => Body::Json(serde_json::to_vec(v).map_err(|e| ClientError::Invalid(e.to_string()))?),
            None => Body::Empty,
        };
        let mut req = self.signed(&self.http, method, path_and_query, body);
        if let Some(token) = session {
            req = req.bearer_auth(token);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(transport)?;
        let value = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        Ok((status, value))
    }

    /// Opens a signed live feed (`text/event-stream`), resuming after `last_event_id`.
    pub async fn open_stream(&self, path: &str, last_event_id: Option<i64>) -> Result<reqwest::Response, ClientError> {
        let mut req = self.signed(&self.stream_http, Method::GET, path, Body::Empty);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id.to_string());
        }
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        if !status.is_success() {
            let bytes = resp.bytes().await.map_err(transport)?;
            return decode::<serde_json::Value>("feed", status, &bytes).and_then(|_| {
                Err(ClientError::Protocol(format!(
                    "feed answered {status} without a stream"
                )))
            });
        }
        Ok(resp)
    }

    /// The hall node's address (`http(s)://host:port`, no trailing slash).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A request signed over exactly `path_and_query` and `body`.
    fn signed(
        &self,
        http: &reqwest::Client,
        method: Method,
        path_and_query: &str,
        body: Body,
    ) -> reqwest::RequestBuilder {
        let (bytes, content_type) = match body {
            Body::Empty => (Vec::new(), None),
            Body::Json(b) => (b, Some("application/json")),
            Body::Octets(b) => (b, Some("application/octet-stream")),
        };
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let headers = protocol::sign::sign(
            &self.key,
            &self.device_id,
            method.as_str(),
            path_and_query,
            &bytes,
            now_ms(),
            &nonce,
        );
        let mut req = http
            .request(method, format!("{}{path_and_query}", self.base))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string());
        for (name, value) in headers {
            req = req.header(name, value);
        }
        if let Some(ct) = content_type {
            req = req.header(reqwest::header::CONTENT_TYPE, ct).body(bytes);
        }
        req
    }

    /// Signs and sends one request; returns the status and the whole body.
    async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Body,
    ) -> Result<(StatusCode, Vec<u8>), ClientError> {
        let req = self.signed(&self.http, method, path_and_query, body);
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        // Reading the body can fail too (connection cut mid-answer): that is also "unreachable".
        let bytes = resp.bytes().await.map_err(transport)?;
        Ok((status, bytes.to_vec()))
    }
}

fn build_http(config: &ClientConfig) -> Result<reqwest::Client, ClientError> {
    reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .build()
        .map_err(|e| ClientError::Invalid(format!("HTTP client: {e}")))
}

fn normalize_base(base: &str) -> String {
    base.trim().trim_end_matches('/').to_owned()
}

fn checked_base(base: &str) -> Result<String, ClientError> {
    let base = normalize_base(base);
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(ClientError::Invalid(format!(
            "upstream address {base:?} must start with http:// or https://"
        )));
    }
    Ok(base)
}

fn check_key(key_hex: &str) -> Result<Zeroizing<Vec<u8>>, ClientError> {
    let key =
        Zeroizing::new(hex::decode(key_hex).map_err(|_| ClientError::Invalid("device key is not hex".to_owned()))?);
    if key.len() != 32 {
        return Err(ClientError::Invalid(format!(
            "device key has {} bytes; expected 32",
            key.len()
        )));
    }
    Ok(key)
}

/// Digests go into URL paths; anything but 64 lowercase hex characters is refused before sending.
fn check_digest(digest: &str) -> Result<(), ClientError> {
    if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(ClientError::Invalid(format!("{digest:?} is not a hex SM3 digest")))
    }
}

fn transport(e: reqwest::Error) -> ClientError {
    if e.is_builder() {
        return ClientError::Invalid(with_sources(&e));
    }
    // Connect errors, timeouts, resets and truncated bodies all mean the same thing to the caller:
    // try again later.
    ClientError::Unreachable(with_sources(&e))
}

/// reqwest's own message ("error sending request") hides the cause; people need "connection refused".
fn with_sources(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Parses a success answer as `T`, or turns an error answer into the matching [`ClientError`].
fn decode<T: DeserializeOwned>(what: &str, status: StatusCode, body: &[u8]) -> Result<T, ClientError> {
    if status.is_success() {
        return serde_json::from_slice(body)
            .map_err(|e| ClientError::Protocol(format!("{what} ({status}): {e}; body: {}", snippet(body))));
    }
    Err(error_from(status, body))
}

fn error_from(status: StatusCode, body: &[u8]) -> ClientError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    match (status.as_u16(), parsed) {
        (426, parsed) => ClientError::UpgradeNeeded(
            parsed
                .map(|p| p.message)
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| format!("protocol version {PROTOCOL_VERSION} is no longer accepted")),
        ),
        (
            409,
            Some(ErrorBody {
                code,
                expected: Some(expected),
                ..
            }),
        ) if code == "sequence_gap" => ClientError::Gap { expected },
        (code @ (502..=504), None) => {
            // Not our server's error shape: a gateway or proxy saying the node behind it is down.
            ClientError::Unreachable(format!("gateway answered HTTP {code}: {}", snippet(body)))
        }
        (code, Some(p)) => ClientError::Refused {
            status: code,
            message: match p.field {
                Some(field) => format!("{} (field {field})", p.message),
                None => p.message,
            },
            code: p.code,
        },
        (code, None) => ClientError::Refused {
            status: code,
            code: format!("http_{code}"),
            message: snippet(body),
        },
    }
}

fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(SNIPPET_LEN).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn error_answers_map_to_their_kind() {
        let gap = br#"{"code":"sequence_gap","message":"expected 6","expected":6}"#;
        assert_eq!(error_from(StatusCode::CONFLICT, gap), ClientError::Gap { expected: 6 });
        let upgrade = br#"{"code":"upgrade_needed","message":"please upgrade"}"#;
        assert_eq!(
            error_from(StatusCode::UPGRADE_REQUIRED, upgrade),
            ClientError::UpgradeNeeded("please upgrade".into())
        );
        let offset = br#"{"code":"offset_mismatch","message":"have 10"}"#;
        let e = error_from(StatusCode::CONFLICT, offset);
        assert_eq!(e.code(), Some("offset_mismatch"));
        let auth = br#"{"code":"bad_signature","message":"no","field":"x-signature"}"#;
        assert_eq!(
            error_from(StatusCode::UNAUTHORIZED, auth),
            ClientError::Refused {
                status: 401,
                code: "bad_signature".into(),
                message: "no (field x-signature)".into()
            }
        );
        assert!(matches!(
            error_from(StatusCode::BAD_GATEWAY, b"<html>down</html>"),
            ClientError::Unreachable(_)
        ));
        let storage = br#"{"code":"storage_unavailable","message":"disk"}"#;
        assert!(matches!(
            error_from(StatusCode::SERVICE_UNAVAILABLE, storage),
            ClientError::Refused { status: 503, .. }
        ));
    }

    #[test]
    fn keys_digests_and_bases_are_checked_before_sending() {
        assert!(check_key(&"ab".repeat(32)).is_ok());
        assert!(check_key("abcd").is_err());
        assert!(check_key("zz").is_err());
        assert!(check_digest(&"0f".repeat(32)).is_ok());
        assert!(check_digest("../../etc").is_err());
        assert!(check_digest(&"0F".repeat(32)).is_err());
        assert_eq!(checked_base("http://h:1/ ").ok(), Some("http://h:1".to_owned()));
        assert!(checked_base("h:1").is_err());
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        // Bind then drop: the port is very likely closed right after.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = SyncClient::new(
            &format!("http://127.0.0.1:{port}"),
            "dev-1",
            &"11".repeat(32),
            &ClientConfig::default(),
        )
        .unwrap();
        let err = client.pull(0, 0, 10).await.err();
        assert!(matches!(err, Some(ClientError::Unreachable(_))), "{err:?}");
    }
}
