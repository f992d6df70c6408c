//! A stand-in upstream for the syncer's tests: the push rule from `protocol::sync::admit`, pull
//! paging, resumable blobs and the signature check, with switches for an outage, a lost response, a
//! restore from backup, a corrupting transfer and an old protocol version. Not the real server (whose
//! integration tests live with it); this pins down what the syncer does with each answer.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use parking_lot::Mutex;
use protocol::sign;
use protocol::sync::{self, Admission, BlobStatus, Change, ConfigDoc, PullResponse, PushRequest, PushResponse};
use protocol::sync::{PushResult, PushStatus, SequenceGap};
use serde::Deserialize;
use serde_json::json;

pub const DEVICE: &str = "dev-kiosk-1";
pub fn key_hex() -> String {
    "42".repeat(32)
}

#[derive(Default)]
pub struct FakeState {
    pub last_seq: i64,
    pub results: BTreeMap<i64, PushResult>,
    /// Event ids in the order they were applied or rejected (a re-application after a restore shows
    /// up twice).
    pub admitted: Vec<String>,
    pub changes: Vec<Change>,
    pub config: Option<ConfigDoc>,
    pub blobs: HashMap<String, Vec<u8>>,
    pub complete: HashSet<String>,
    pub chunk_puts: u32,
    /// Flip a byte of the next chunk received (once), or of every chunk.
    pub corrupt_next_chunk: bool,
    pub corrupt_every_chunk: bool,
    /// Answer like a gateway whose node is down.
    pub down: bool,
    pub down_answers: u32,
    /// Apply the next push but answer like a gateway (the response is lost).
    pub lose_next_push_response: bool,
    pub upgrade_needed: bool,
    pub requests: u32,
    pub bad_requests: Vec<String>,
    nonces: HashSet<String>,
}

impl FakeState {
    /// Forget everything after `last_seq`, as an upstream restored from an older backup would.
    pub fn restore_backup(&mut self, last_seq: i64) {
        self.last_seq = last_seq;
        self.results.retain(|seq, _| *seq <= last_seq);
    }
}

pub struct Fake {
    pub state: Arc<Mutex<FakeState>>,
    pub base: String,
}

impl Fake {
    pub async fn start() -> Fake {
        let state = Arc::new(Mutex::new(FakeState::default()));
        let app = Router::new()
            .route("/api/v1/sync/push", post(push))
            .route("/api/v1/sync/pull", get(pull))
            .route("/api/v1/blobs/{digest}/status", get(blob_status))
            .route("/api/v1/blobs/{digest}", put(blob_put))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Fake { state, base }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut FakeState) -> T) -> T {
        f(&mut self.state.lock())
    }
}

type Shared = State<Arc<Mutex<FakeState>>>;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "code": code, "message": message }))).into_response()
}

/// The checks every request passes: protocol header, signature over exactly the path and query sent,
/// fresh nonce; then the outage and version switches.
fn admit_request(st: &mut FakeState, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
    st.requests += 1;
    if st.down {
        st.down_answers += 1;
        return Some((StatusCode::BAD_GATEWAY, "<html>upstream down</html>").into_response());
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if header(sync::PROTOCOL_HEADER) != sync::PROTOCOL_VERSION.to_string() {
        st.bad_requests.push(format!("{uri}: protocol header"));
    }
    if st.upgrade_needed {
        return Some(error(
            StatusCode::UPGRADE_REQUIRED,
            "upgrade_needed",
            "请升级 / please upgrade",
        ));
    }
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("");
    let signed = sign::string_to_sign(
        method.as_str(),
        path_and_query,
        body,
        &header(sign::HEADER_TIMESTAMP),
        &header(sign::HEADER_NONCE),
    );
    let tag = hex::decode(header(sign::HEADER_SIGNATURE)).unwrap_or_default();
    let key = hex::decode(key_hex()).unwrap();
    if header(sign::HEADER_DEVICE) != DEVICE || !sign::hmac_sm3_verify(&key, signed.as_bytes(), &tag) {
        st.bad_requests.push(format!("{uri}: signature"));
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            "signature does not match",
        ));
    }
    if !st.nonces.insert(header(sign::HEADER_NONCE)) {
        st.bad_requests.push(format!("{uri}: nonce reused"));
    }
    None
}

async fn push(State(state): Shared, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let mut st = state.lock();
    if let Some(refused) = admit_request(&mut st, &method, &uri, &headers, &body) {
        return refused;
    }
    let req: PushRequest = serde_json::from_slice(&body).unwrap();
    // A gap anywhere refuses the whole push before anything is applied.
    let mut last = st.last_seq;
    for e in &req.events {
        match sync::admit(last, e.seq) {
            Admission::Gap { expected } => {
                let gap = SequenceGap {
                    code: "sequence_gap".into(),
                    message: format!("expected {expected}"),
                    expected,
                };
                return (StatusCode::CONFLICT, axum::Json(gap)).into_response();
            }
            Admission::Next => last = e.seq,
            Admission::Settled => {}
        }
    }
    let mut results = Vec::new();
    for e in &req.events {
        match sync::admit(st.last_seq, e.seq) {
            Admission::Settled => {
                let stored = st.results.get(&e.seq).cloned().unwrap();
                results.push(PushResult {
                    status: PushStatus::Duplicate,
                    original: Some(stored.status),
                    ..stored
                });
            }
            Admission::Next => {
                let rejected = e.payload.get("reject").is_some();
                let result = PushResult {
                    seq: e.seq,
                    id: e.id.clone(),
                    status: if rejected {
                        PushStatus::Rejected
                    } else {
                        PushStatus::Applied
                    },
                    original: None,
                    server_seq: (!rejected).then_some(1000 + e.seq),
                    code: rejected.then(|| "test_reject".to_owned()),
                    reason: rejected.then(|| "拒绝 / refused".to_owned()),
                };
                st.results.insert(e.seq, result.clone());
                st.admitted.push(e.id.clone());
                st.last_seq = e.seq;
                results.push(result);
            }
            Admission::Gap { .. } => unreachable!("checked above"),
        }
    }
    if std::mem::take(&mut st.lose_next_push_response) {
        return (StatusCode::BAD_GATEWAY, "connection reset").into_response();
    }
    axum::Json(PushResponse {
        producer: req.producer,
        last_seq: st.last_seq,
        results,
    })
    .into_response()
}

#[derive(Deserialize)]
struct PullQuery {
    after: i64,
    config_version: i64,
    limit: usize,
}

async fn pull(
    State(state): Shared,
    Query(q): Query<PullQuery>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock();
    if let Some(refused) = admit_request(&mut st, &method, &uri, &headers, b"") {
        return refused;
    }
    let head = st.changes.last().map_or(0, |c| c.seq);
    let mut after_cursor = st.changes.iter().filter(|c| c.seq > q.after);
    let changes: Vec<Change> = after_cursor.by_ref().take(q.limit).cloned().collect();
    let more = after_cursor.next().is_some();
    let next = match changes.last() {
        Some(last) if more => last.seq,
        _ => head.max(q.after),
    };
    let page = PullResponse {
        config: st.config.clone().filter(|c| c.version > q.config_version),
        changes,
        next,
        head,
        producer_last_seq: st.last_seq,
    };
    axum::Json(page).into_response()
}

fn blob_state(st: &FakeState, digest: &str) -> BlobStatus {
    BlobStatus {
        digest: digest.to_owned(),
        received: st.blobs.get(digest).map_or(0, |b| b.len() as u64),
        complete: st.complete.contains(digest),
    }
}

async fn blob_status(
    State(state): Shared,
    Path(digest): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let mut st = state.lock();
    if let Some(refused) = admit_request(&mut st, &method, &uri, &headers, b"") {
        return refused;
    }
    axum::Json(blob_state(&st, &digest)).into_response()
}

#[derive(Deserialize)]
struct PutQuery {
    offset: u64,
    total: u64,
}

async fn blob_put(
    State(state): Shared,
    Path(digest): Path<String>,
    Query(q): Query<PutQuery>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut st = state.lock();
    if let Some(refused) = admit_request(&mut st, &method, &uri, &headers, &body) {
        return refused;
    }
    st.chunk_puts += 1;
    if headers.get("content-type").and_then(|v| v.to_str().ok()) != Some("application/octet-stream") {
        st.bad_requests.push(format!("{uri}: content type"));
    }
    if body.len() > sync::BLOB_CHUNK {
        st.bad_requests.push(format!("{uri}: chunk too large"));
    }
    if st.complete.contains(&digest) {
        return axum::Json(blob_state(&st, &digest)).into_response();
    }
    let received = blob_state(&st, &digest).received;
    if q.offset != received {
        return error(StatusCode::CONFLICT, "offset_mismatch", &format!("have {received}"));
    }
    let mut chunk = body.to_vec();
    if (std::mem::take(&mut st.corrupt_next_chunk) || st.corrupt_every_chunk)
        && let Some(b) = chunk.first_mut()
    {
        *b ^= 0xff;
    }
    st.blobs.entry(digest.clone()).or_default().extend_from_slice(&chunk);
    let received = blob_state(&st, &digest).received;
    if received >= q.total {
        let bytes = st.blobs.get(&digest).cloned().unwrap_or_default();
        if sign::sm3_hex(&bytes) != digest {
            st.blobs.remove(&digest);
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "digest_mismatch",
                "digest does not match",
            );
        }
        st.complete.insert(digest.clone());
    }
    axum::Json(blob_state(&st, &digest)).into_response()
}
