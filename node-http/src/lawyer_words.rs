//! Sensitive words at run time (10.3.2, 10.5.1.2): screening of posts (called by `consultations.rs`),
//! the reviewer's queue of automatic actions (confirm or lift), appeals, statistics and the word-list
//! reload. Rules and storage are in `lawyer_platform::words`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use domain::config::Role;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::caller::Caller;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
pub use hall_api::words::{
    ActionsQuery, AppealRequest, DecisionRequest, ReloadResponse, ReviewRequest, StatsQuery, WordStatsResponse,
};
use lawyer_platform::lw::{self, LwRecord};
use lawyer_platform::store::ConsultationRow;
use lawyer_platform::words::{self, ActionRow, FoundWord, HitBatch};

/// This area's routes, each registered once with its OpenAPI description (paths relative to `/api/v1`).
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(list_actions))
        .routes(routes!(get_action))
        .routes(routes!(review))
        .routes(routes!(appeal))
        .routes(routes!(decide_appeal))
        .routes(routes!(stats))
        .routes(routes!(reload))
}

/// Who reviews automatic actions and decides appeals (10.3.2 后台人员).
const REVIEWERS: [Role; 1] = [Role::Operator];
/// Who reads the queue and the statistics, and reloads the list.
const READERS: [Role; 2] = [Role::Operator, Role::Admin];

/// Who is posting, and where.
#[derive(Debug, Clone)]
pub struct Poster {
    /// `citizen` or `lawyer`.
    pub party: &'static str,
    /// The subject a new action is recorded against (see `lawyer_platform::words`).
    pub subject: String,
    /// Every subject whose ban blocks this post.
    pub blocked_by: Vec<String>,
    pub consultation_id: Option<String>,
    pub hall_id: Option<String>,
    /// `question` or `message`.
    pub place: &'static str,
}

impl Poster {
    /// A citizen asking a new question (`phone_key`: the keyed digest of the phone left, if any).
    pub fn asker(phone_key: Option<&str>, hall_id: Option<&str>) -> Poster {
        let subject = phone_key.map_or_else(|| "anonymous".to_owned(), |k| format!("phone:{k}"));
        Poster {
            party: "citizen",
            blocked_by: phone_key.map(|k| vec![format!("phone:{k}")]).unwrap_or_default(),
            subject,
            consultation_id: None,
            hall_id: hall_id.map(str::to_owned),
            place: "question",
        }
    }

    /// The citizen of a consultation writing in it.
    pub fn citizen(app: &AppState, row: &ConsultationRow) -> Poster {
        let phone_key = phone_key(app, row);
        let by_consultation = format!("consultation:{}", row.id);
        let mut blocked_by = vec![by_consultation.clone()];
        blocked_by.extend(phone_key.iter().map(|k| format!("phone:{k}")));
        Poster {
            party: "citizen",
            subject: phone_key.map_or(by_consultation, |k| format!("phone:{k}")),
            blocked_by,
            consultation_id: Some(row.id.clone()),
            hall_id: row.hall_id.clone(),
            place: "message",
        }
    }

    /// A lawyer writing in a consultation.
    pub fn lawyer(staff: &str, row: &ConsultationRow) -> Poster {
        let subject = format!("staff:{staff}");
        Poster {
            party: "lawyer",
            blocked_by: vec![subject.clone()],
            subject,
            consultation_id: Some(row.id.clone()),
            hall_id: row.hall_id.clone(),
            place: "message",
        }
    }
}

/// The keyed digest of the consultation's phone (the table keeps it, the row carries it sealed).
fn phone_key(app: &AppState, row: &ConsultationRow) -> Option<String> {
    let phone = app.sealer.open(row.phone_sealed.as_deref()?).ok()?;
    Some(app.sealer.blind_index(&phone))
}

fn banned(a: &ActionRow) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "banned",
        format!(
            "[10.3.2] 您已被{}，原因：使用敏感词“{}”；处理编号 {}，可凭此申诉 (banned from posting: {} {}{})",
            a.describe_zh(),
            a.word,
            a.id,
            a.kind,
            a.days.map(|d| format!("{d} days")).unwrap_or_default(),
            a.ends_at
                .map(|e| format!(" until {}", words::local_time(e)))
                .unwrap_or_default(),
        ),
    )
}

/// Checks a post before it is stored: a ban in force refuses it (403 `banned`, naming the ban and its
/// end); listed words are recorded with the list's action applied at once (pending review). A `ban`
/// or `permanent` word refuses the post itself; a `warn` word lets it through and returns the warning.
pub async fn screen(app: &AppState, p: &Poster, text: &str) -> Result<Option<String>, ApiError> {
    let now = (app.clock)();
    let subjects = p.blocked_by.clone();
    if !subjects.is_empty()
        && let Some(ban) = lw::read(&app.lawyer, move |c| words::active_ban(c, &subjects, now)).await?
    {
        return Err(banned(&ban));
    }
    let matcher = app.lawyer.words();
    let mut found: Vec<FoundWord> = Vec::new();
    for h in matcher.find_all(text) {
        if !found.iter().any(|f| f.word == h.entry.word) {
            found.push(FoundWord {
                hit_id: uuid::Uuid::now_v7().to_string(),
                word: h.entry.word.clone(),
                category: h.entry.category,
                action: h.entry.action,
            });
        }
    }
    if found.is_empty() {
        return Ok(None);
    }
    let batch = HitBatch {
        party: p.party.into(),
        subject: p.subject.clone(),
        consultation_id: p.consultation_id.clone(),
        hall_id: p.hall_id.clone(),
        place: p.place.into(),
        text_sm3: node_core::crypto::sm3_hex(text.as_bytes()),
        action_id: uuid::Uuid::now_v7().to_string(),
        words: found,
    };
    let named: Vec<String> = batch
        .words
        .iter()
        .map(|w| format!("“{}”（{}）", w.word, w.category.label_zh()))
        .collect();
    let top = batch.action().map(|w| w.action);
    let action_id = batch.action_id.clone();
    let actor = match p.subject.strip_prefix("staff:") {
        Some(s) => format!("staff:{s}"),
        None => "citizen".into(),
    };
    lw::record(&app.lawyer, p.hall_id.as_deref(), actor, LwRecord::WordHits(batch)).await?;
    match top {
        Some(wordfilter::Action::Warn) | None => Ok(Some(format!(
            "[10.3.2] 内容含敏感词 {}，已记录并警告，请文明用语 (warning: listed words were used)",
            named.join("、")
        ))),
        Some(_) if p.subject == "anonymous" => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "sensitive_words",
            format!(
                "[10.3.2] 问题含敏感词 {}，未提交 (not sent: listed words)",
                named.join("、")
            ),
        )
        .field(p.place)),
        Some(_) => {
            let a = lw::read(&app.lawyer, move |c| words::action(c, &action_id))
                .await?
                .ok_or_else(|| ApiError::internal("action not stored"))?;
            Err(banned(&a))
        }
    }
}

fn one_of(field: &str, v: Option<String>, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    match v {
        Some(s) if !allowed.contains(&s.as_str()) => Err(ApiError::invalid(
            field,
            format!("应为 {} 之一 (one of {})", allowed.join("、"), allowed.join(", ")),
        )),
        v => Ok(v),
    }
}

/// The reviewer's queue of automatic actions, newest first (filter `status=pending` for those to
/// confirm, `appeal=pending` for appeals to decide). Operators and admins.
#[utoipa::path(get, path = "/lawyer-words/actions", params(("status" = Option<String>, Query, description = "pending|confirmed|lifted"),
        ("appeal" = Option<String>, Query, description = "pending|granted|rejected"), ("limit" = Option<u32>, Query, description = "default 100")),
    responses((status = 200, body = [ActionRow]), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn list_actions(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<ActionsQuery>,
) -> Result<Json<Vec<ActionRow>>, ApiError> {
    caller.staff(&READERS)?;
    let status = one_of("status", q.status, &["pending", "confirmed", "lifted"])?;
    let appeal = one_of("appeal", q.appeal, &["pending", "granted", "rejected"])?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let rows = lw::read(&app.lawyer, move |c| {
        words::actions(c, status.as_deref(), appeal.as_deref(), limit)
    })
    .await?;
    Ok(Json(rows))
}

/// The action and the caller's right to it: reviewers see all; a lawyer their own; a citizen with the
/// token of the consultation the action was recorded in.
async fn party_action(
    app: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    id: &str,
    roles: &[Role],
) -> Result<ActionRow, ApiError> {
    let token = headers
        .get(super::consultations::TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    // The caller's kind is checked before the action is looked up: nobody learns which ids exist.
    if token.is_none() {
        caller.staff(roles)?;
    }
    let i = id.to_owned();
    let a = lw::read(&app.lawyer, move |c| words::action(c, &i))
        .await?
        .ok_or_else(|| ApiError::not_found("action", "id"))?;
    if let Some(t) = token {
        let k = a.consultation_id.clone().unwrap_or_default();
        let row = lawyer_platform::chat::read(&app.lawyer, move |r| r.consultation(&k)).await?;
        return match row {
            Some(r) if r.token_hash == node_core::crypto::sm3_hex(t.as_bytes()) && a.party == "citizen" => Ok(a),
            _ => Err(ApiError::forbidden(
                "咨询凭证与该处理不符 (this token is not for this action)",
            )),
        };
    }
    let s = caller.staff(roles)?;
    if s.has(&READERS) || a.subject == format!("staff:{}", s.id) {
        Ok(a)
    } else {
        Err(ApiError::forbidden("只能查看针对自己的处理 (only your own actions)"))
    }
}

/// One automatic action: for reviewers, the lawyer it concerns, or the citizen (token of the
/// consultation it was recorded in).
#[utoipa::path(get, path = "/lawyer-words/actions/{id}", params(("id" = String, Path, description = "action id")),
    responses((status = 200, body = ActionRow), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("session" = []), ("consultation_token" = [])))]
pub async fn get_action(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<ActionRow>, ApiError> {
    Ok(Json(
        party_action(
            &app,
            &caller,
            &headers,
            &id,
            &[Role::Lawyer, Role::Operator, Role::Admin],
        )
        .await?,
    ))
}

fn note(n: Option<String>) -> Result<Option<String>, ApiError> {
    let n = n.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if n.as_ref().is_some_and(|s| s.chars().count() > 500) {
        return Err(ApiError::invalid("note", "最多 500 字 (at most 500 characters)"));
    }
    Ok(n)
}

async fn after(app: &AppState, id: String) -> Result<Json<ActionRow>, ApiError> {
    let a = lw::read(&app.lawyer, move |c| words::action(c, &id))
        .await?
        .ok_or_else(|| ApiError::not_found("action", "id"))?;
    Ok(Json(a))
}

/// Confirm or lift a pending automatic action (10.3.2 后台人员审核). 409 once reviewed. Operators.
#[utoipa::path(post, path = "/lawyer-words/actions/{id}/review", params(("id" = String, Path, description = "action id")),
    request_body = ReviewRequest,
    responses((status = 200, body = ActionRow), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn review(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> Result<Json<ActionRow>, ApiError> {
    let me = caller.staff(&REVIEWERS)?.id.to_string();
    let r = LwRecord::Review {
        action_id: id.clone(),
        confirm: req.confirm,
        note: note(req.note)?,
        by: me.clone(),
    };
    lw::record(&app.lawyer, None, format!("staff:{me}"), r).await?;
    after(&app, id).await
}

/// Appeal an action against you, once, with a reason: the lawyer it concerns (session) or the citizen
/// (token of the consultation it was recorded in). 409 if lifted or already appealed.
#[utoipa::path(post, path = "/lawyer-words/actions/{id}/appeal", params(("id" = String, Path, description = "action id")),
    request_body = AppealRequest,
    responses((status = 200, body = ActionRow), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = []), ("consultation_token" = [])))]
pub async fn appeal(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AppealRequest>,
) -> Result<Json<ActionRow>, ApiError> {
    let a = party_action(&app, &caller, &headers, &id, &[Role::Lawyer]).await?;
    let is_party = headers.contains_key(super::consultations::TOKEN_HEADER)
        || caller
            .staff
            .as_deref()
            .is_some_and(|s| a.subject == format!("staff:{}", s.id));
    if !is_party {
        return Err(ApiError::forbidden(
            "只有被处理的一方可以申诉 (only the sanctioned party appeals)",
        ));
    }
    let reason = req.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::invalid(
            "reason",
            "申诉理由必填，最多 500 字 (a reason of 1–500 characters is required)",
        ));
    }
    let actor = caller
        .staff
        .as_deref()
        .filter(|_| !headers.contains_key(super::consultations::TOKEN_HEADER))
        .map_or_else(|| "citizen".to_owned(), |s| format!("staff:{}", s.id));
    let r = LwRecord::Appeal {
        action_id: id.clone(),
        subject: a.subject.clone(),
        reason,
    };
    lw::record(&app.lawyer, None, actor, r).await?;
    after(&app, id).await
}

/// Decide a pending appeal. 409 without one. Operators.
#[utoipa::path(post, path = "/lawyer-words/actions/{id}/appeal-decision", params(("id" = String, Path, description = "action id")),
    request_body = DecisionRequest,
    responses((status = 200, body = ActionRow), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn decide_appeal(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<Json<ActionRow>, ApiError> {
    let me = caller.staff(&REVIEWERS)?.id.to_string();
    let r = LwRecord::AppealDecided {
        action_id: id.clone(),
        grant: req.grant,
        note: note(req.note)?,
        by: me.clone(),
    };
    lw::record(&app.lawyer, None, format!("staff:{me}"), r).await?;
    after(&app, id).await
}

/// Sensitive-word hits by month, region, sex, word and category (10.5.1.2). Operators and admins.
#[utoipa::path(get, path = "/lawyer-words/stats", params(("from" = Option<String>, Query, description = "YYYY-MM"),
        ("to" = Option<String>, Query, description = "YYYY-MM")),
    responses((status = 200, body = WordStatsResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn stats(
    State(app): State<Arc<AppState>>,
    caller: Caller,
    Query(q): Query<StatsQuery>,
) -> Result<Json<WordStatsResponse>, ApiError> {
    caller.staff(&READERS)?;
    let month = |field: &str, v: Option<String>, default: String| -> Result<String, ApiError> {
        let v = v.unwrap_or(default);
        v.parse::<wordfilter::Month>()
            .map_err(|e| ApiError::invalid(field, e.to_string()))?;
        Ok(v)
    };
    let from = month("from", q.from, words::month_of((app.clock)()))?;
    let to = month("to", q.to, from.clone())?;
    if to < from {
        return Err(ApiError::invalid("to", "结束月份不能早于开始月份 (to before from)"));
    }
    let (f, t) = (from.clone(), to.clone());
    let stats = lw::read(&app.lawyer, move |c| words::stats(c, &f, &t)).await?;
    Ok(Json(WordStatsResponse { from, to, stats }))
}

/// Read the configured word list (`[lawyer] word_list`) again and use it from now on. A bad file is
/// refused with every bad line named (422 `word_list_invalid`) and the old list stays in use.
/// Operators and admins.
#[utoipa::path(post, path = "/lawyer-words/reload",
    responses((status = 200, body = ReloadResponse), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("session" = [])))]
pub async fn reload(State(app): State<Arc<AppState>>, caller: Caller) -> Result<Json<ReloadResponse>, ApiError> {
    caller.staff(&READERS)?;
    let Some(path) = app.lawyer.config.word_list.clone() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_word_list",
            "未配置敏感词表（[lawyer] word_list） (no word list is configured)",
        ));
    };
    let shown = path.display().to_string();
    let text = tokio::fs::read_to_string(&path).await.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "word_list_invalid",
            format!("敏感词表 {shown} 无法读取，仍使用原词表 (cannot read; old list kept): {e}"),
        )
        .field("word_list")
    })?;
    let list = wordfilter::WordList::parse_all(&text).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "word_list_invalid",
            format!(
                "敏感词表 {shown} 有误，仍使用原词表 (invalid; old list kept)：{}",
                lines.join("；")
            ),
        )
        .field("word_list")
    })?;
    let words = list.len();
    app.lawyer
        .set_words(list)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    tracing::info!(path = %shown, words, "sensitive-word list reloaded");
    Ok(Json(ReloadResponse { path: shown, words }))
}
