//! The window terminal: a clerk signs in from the device (the session is bound to the device, so every
//! request is signed by it), opens the window, then calls and finishes tickets over the HTTP API.
//!
//! It never acts on a guess: a call whose answer did not arrive is not assumed to have happened. The
//! next call-next tells — `window_busy` means the lost call did happen (finish that ticket), anything
//! else means it did not. Every call the hall did answer is appended to `acked.jsonl`, so the chaos run
//! can check that nothing acknowledged was lost.

use std::io::Write as _;
use std::time::Duration;

use anyhow::{Context as _, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use edge::client::{ClientError, SyncClient};

use super::{Ctx, client_config, heartbeat, interval, now_ms};

pub const ACKED_FILE: &str = "acked.jsonl";

/// Consecutive refusals of the password before the terminal gives up (a wrong password does not fix
/// itself; anything else that answers 401 — a request signed just before the hall restarted — does).
const MAX_LOGIN_REFUSALS: u32 = 10;

/// One call the hall answered with success, as written to `acked.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckedCall {
    pub ticket: String,
    pub window: String,
    pub display: String,
    pub at: i64,
}

enum Answer {
    Ok(Value),
    Refused { status: u16, code: String, message: String },
    Unreachable(String),
}

/// One signed API call through edge's client (the path every app's shell takes), sorted into what
/// the terminal does next.
async fn send(client: &SyncClient, method: Method, path: &str, body: Option<&Value>, token: Option<&str>) -> Answer {
    match client.call(method, path, body, token).await {
        Ok((status, v)) if (200..300).contains(&status) => Answer::Ok(v),
        Ok((status, v)) => match v["code"].as_str() {
            Some(code) => Answer::Refused {
                status,
                code: code.to_owned(),
                message: v["message"].as_str().unwrap_or_default().to_owned(),
            },
            // Not our server's error shape: a gateway or a half-dead connection.
            None => Answer::Unreachable(format!("HTTP {status}")),
        },
        Err(ClientError::Unreachable(e)) => Answer::Unreachable(e),
        Err(e) => Answer::Refused {
            status: 0,
            code: "client".to_owned(),
            message: e.to_string(),
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Login,
    SignIn,
    Open,
    Call,
    Finish,
}

pub(super) async fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let window = ctx.args.window.clone().context("a terminal needs --window")?;
    let login = ctx.args.staff.clone().context("a terminal needs --staff")?;
    let password = ctx.args.password.clone().context("a terminal needs --password")?;
    let client = SyncClient::from_identity(&ctx.identity, &client_config()).context("the device's client")?;
    let mut acked = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(ctx.args.data.join(ACKED_FILE))
        .context("opening acked.jsonl")?;
    let mut rng = StdRng::from_entropy();
    let pace = interval(ctx.args.rate);
    let beat = Duration::from_secs(ctx.args.heartbeat_secs.max(1));
    let mut next_beat = tokio::time::Instant::now();
    let mut step = Step::Login;
    let mut token = String::new();
    let mut login_refusals = 0u32;
    let path = |action: &str| format!("/api/v1/windows/{window}/{action}");
    loop {
        if ctx.quiesced() {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        if tokio::time::Instant::now() >= next_beat {
            if let Err(e) = heartbeat(ctx).await {
                tracing::warn!(error = %e, "heartbeat not stored");
            }
            next_beat += beat;
        }
        let answer = match step {
            Step::Login => {
                let body = json!({"login": login, "password": password});
                send(&client, Method::POST, "/api/v1/sessions", Some(&body), None).await
            }
            Step::SignIn => send(&client, Method::POST, &path("sign-in"), None, Some(&token)).await,
            Step::Open => send(&client, Method::POST, &path("open"), None, Some(&token)).await,
            Step::Call => send(&client, Method::POST, &path("call-next"), None, Some(&token)).await,
            Step::Finish => send(&client, Method::POST, &path("finish"), None, Some(&token)).await,
        };
        let mut wait = pace;
        step = match (step, answer) {
            (_, Answer::Unreachable(e)) => {
                // The hall did not answer: nothing is assumed; the same step is tried again.
                tracing::debug!(?step, error = %e, "hall unreachable");
                ctx.stats.update(|s| s.unreachable += 1);
                wait = Duration::from_millis(rng.gen_range(100..400));
                step
            }
            (Step::Login, Answer::Ok(v)) => {
                token = v["token"]
                    .as_str()
                    .context("the session answer has no token")?
                    .to_owned();
                login_refusals = 0;
                ctx.stats.update(|s| s.logins += 1);
                Step::SignIn
            }
            (Step::Login, Answer::Refused { status, code, message }) => {
                login_refusals += 1;
                if login_refusals >= MAX_LOGIN_REFUSALS {
                    bail!("sign-in refused {login_refusals} times in a row ({status} {code}): {message}");
                }
                tracing::warn!(status, %code, %message, "sign-in refused; retrying");
                Step::Login
            }
            (_, Answer::Refused { status: 401, code, .. }) => {
                tracing::info!(%code, "session no longer valid; signing in again");
                Step::Login
            }
            (Step::SignIn, Answer::Ok(_)) => Step::Open,
            (Step::Open, Answer::Ok(_)) => Step::Call,
            (Step::Call, Answer::Ok(v)) => {
                let ticket = &v["ticket"];
                let call = AckedCall {
                    ticket: ticket["id"].as_str().unwrap_or_default().to_owned(),
                    window: window.clone(),
                    display: ticket["display"].as_str().unwrap_or_default().to_owned(),
                    at: now_ms(),
                };
                // Written before anything else happens: a kill right after must not lose the evidence.
                let mut line = serde_json::to_vec(&call)?;
                line.push(b'\n');
                acked.write_all(&line).context("writing acked.jsonl")?;
                ctx.stats.update(|s| s.calls += 1);
                // The citizen walks up and is served.
                wait = Duration::from_millis(rng.gen_range(30..250));
                Step::Finish
            }
            (Step::Finish, Answer::Ok(_)) => {
                ctx.stats.update(|s| s.finishes += 1);
                Step::Call
            }
            (Step::Call, Answer::Refused { code, .. }) if code == "window_busy" => {
                // A call whose answer was lost did happen: serve that ticket.
                ctx.stats.update(|s| s.busy_recovered += 1);
                Step::Finish
            }
            (Step::Call, Answer::Refused { code, .. }) if code == "nothing_waiting" => {
                wait = Duration::from_millis(200);
                Step::Call
            }
            // A finish whose answer was lost did happen.
            (Step::Finish, Answer::Refused { code, .. }) if code == "no_current_ticket" => Step::Call,
            (_, Answer::Refused { code, .. }) if code == "not_signed_in" => Step::SignIn,
            (_, Answer::Refused { code, .. }) if code == "window_not_open" => Step::Open,
            (step, Answer::Refused { status, code, message }) => {
                tracing::warn!(?step, status, %code, %message, "refused; trying again");
                wait = Duration::from_millis(500);
                step
            }
        };
        tokio::time::sleep(wait).await;
    }
}
