//! Real-time (text) consultation rules, 6.2.2.3, over the event log of one conversation.
//!
//! How the clauses are read:
//! - 6.2.2.3.4 a "首次回复等待时间不应超过 60 s": from the pickup (or, without a pickup event, the client's first
//!   message) to the lawyer's first message of any kind. The time before the pickup is governed by the 20 s
//!   *average* of 6.2.2.1 a instead.
//! - After the first reply, each unanswered client message opens a *wait* that only a lawyer `Message` closes;
//!   reassurances and consent requests do not close it.
//! - 6.2.2.3.1 b: a wait over 60 s needs a reassurance (a `Reassurance`, or a `ConsentRequest`, which also explains
//!   the delay) before the answer. The countdown asks for it at 60 s.
//! - 6.2.2.3.4 b: a wait over 120 s needs the lawyer to have explained and asked (`ConsentRequest`) by the 120 s
//!   mark ("应先…说明情况并征得咨询人同意") and the client to have agreed (`Consent`) before the answer.
//! - 6.2.2.3.4 b: no answer takes over 3 min, consent or not.
//! - The conversation is judged up to its `End` event, or up to `now` while it is live. A client's last words
//!   before the end (e.g. "谢谢") only count if the lawyer let them wait past a limit before ending.
//!
//! The app tags reassurance and consent messages (quick phrases), so the check needs no text understanding.

use domain::time::Millis;
use serde::{Deserialize, Serialize};

use super::{SlaConfig, plus_secs};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Client,
    Lawyer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    /// The lawyer accepted (接单) the consultation.
    Pickup,
    /// An ordinary message (from either side).
    Message,
    /// Lawyer: a thanks/apology while the client waits (6.2.2.3.1 b).
    Reassurance,
    /// Lawyer: explains that the answer needs more time and asks to continue (6.2.2.3.4 b).
    ConsentRequest,
    /// Client: agrees to wait.
    Consent,
    /// The conversation ended.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatEvent {
    pub at: Millis,
    pub who: Party,
    pub kind: ChatKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ChatViolationKind {
    FirstReplyLate {
        waited_secs: u32,
    },
    MissingReassurance {
        waited_secs: u32,
    },
    /// `asked`: the lawyer asked but the client never agreed (or asked too late).
    UnconsentedGap {
        waited_secs: u32,
        asked: bool,
    },
    ComplexAnswerLate {
        waited_secs: u32,
    },
}

impl std::fmt::Display for ChatViolationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            ChatViolationKind::FirstReplyLate { waited_secs } => {
                write!(
                    f,
                    "首次回复等待 {waited_secs} 秒，超过 60 秒 (first reply after {waited_secs} s)"
                )
            }
            ChatViolationKind::MissingReassurance { waited_secs } => {
                write!(
                    f,
                    "咨询人等待 {waited_secs} 秒未获安抚 (no reassurance during a {waited_secs} s wait)"
                )
            }
            ChatViolationKind::UnconsentedGap { waited_secs, asked } => write!(
                f,
                "回复间隔 {waited_secs} 秒，{} (a {waited_secs} s gap without consent)",
                if asked {
                    "未获咨询人同意"
                } else {
                    "未先说明情况并征得同意"
                }
            ),
            ChatViolationKind::ComplexAnswerLate { waited_secs } => {
                write!(
                    f,
                    "回复等待 {waited_secs} 秒，超过 3 分钟 (answer after {waited_secs} s)"
                )
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatViolation {
    pub clause: &'static str,
    /// When the limit was crossed.
    pub at: Millis,
    pub kind: ChatViolationKind,
}

/// What the lawyer must do next in a live conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatAction {
    PickUp,
    FirstReply,
    Reassure,
    AskConsent,
    Answer,
}

impl ChatAction {
    pub fn label_zh(self) -> &'static str {
        match self {
            ChatAction::PickUp => "接单",
            ChatAction::FirstReply => "首次回复",
            ChatAction::Reassure => "安抚咨询人",
            ChatAction::AskConsent => "说明情况并征得同意",
            ChatAction::Answer => "回复咨询人",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredAction {
    pub action: ChatAction,
    pub due: Millis,
    pub clause: &'static str,
}

/// One unanswered stretch of the client's.
#[derive(Debug, Clone, Copy)]
struct Wait {
    since: Millis,
    /// The end: the answer, or the horizon while still open.
    until: Millis,
    answered: bool,
    reassured: bool,
    consent_asked_at: Option<Millis>,
    consent_given: bool,
}

#[derive(Debug, Clone, Default)]
struct Timeline {
    /// Start of the first-reply clock and the first reply, if any.
    first_reply_from: Option<Millis>,
    first_reply_at: Option<Millis>,
    picked_up: bool,
    ended: bool,
    /// The end event, or `now` while live: open clocks run to here.
    horizon: Millis,
    waits: Vec<Wait>,
}

fn timeline(events: &[ChatEvent], now: Millis) -> Timeline {
    let mut sorted: Vec<ChatEvent> = events.to_vec();
    sorted.sort_by_key(|e| e.at);
    let mut t = Timeline::default();
    let mut open: Option<Wait> = None;
    let mut horizon = now;
    for e in sorted {
        if e.at > now {
            break;
        }
        match (e.who, e.kind) {
            (_, ChatKind::End) => {
                t.ended = true;
                horizon = e.at;
                break;
            }
            (Party::Lawyer, ChatKind::Pickup) if !t.picked_up => {
                t.picked_up = true;
                t.first_reply_from = Some(e.at);
            }
            (Party::Client, ChatKind::Message) => {
                if t.first_reply_from.is_none() {
                    t.first_reply_from = Some(e.at);
                }
                if t.first_reply_at.is_some() && open.is_none() {
                    open = Some(Wait {
                        since: e.at,
                        until: e.at,
                        answered: false,
                        reassured: false,
                        consent_asked_at: None,
                        consent_given: false,
                    });
                }
            }
            (Party::Client, ChatKind::Consent) => {
                if let Some(w) = open.as_mut().filter(|w| w.consent_asked_at.is_some()) {
                    w.consent_given = true;
                }
            }
            (Party::Lawyer, ChatKind::Message | ChatKind::Reassurance | ChatKind::ConsentRequest) => {
                if t.first_reply_at.is_none() && t.first_reply_from.is_some() {
                    t.first_reply_at = Some(e.at);
                }
                if let Some(w) = open.as_mut() {
                    match e.kind {
                        ChatKind::Reassurance => w.reassured = true,
                        ChatKind::ConsentRequest => {
                            w.reassured = true;
                            w.consent_asked_at.get_or_insert(e.at);
                        }
                        _ => {
                            w.until = e.at;
                            w.answered = true;
                            t.waits.push(*w);
                            open = None;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(mut w) = open {
        w.until = horizon;
        t.waits.push(w);
    }
    t.horizon = horizon;
    t
}

fn secs_between(from: Millis, to: Millis) -> u32 {
    to.secs_since(from)
}

fn over(from: Millis, to: Millis, limit_secs: u32) -> bool {
    to.0 - from.0 > i64::from(limit_secs) * 1000
}

/// The violations in a conversation judged at `now` (its end, or the present while it is live), by time.
pub fn check_chat(events: &[ChatEvent], now: Millis, cfg: &SlaConfig) -> Vec<ChatViolation> {
    let t = timeline(events, now);
    let horizon = t.horizon;
    let mut out = Vec::new();
    if let Some(from) = t.first_reply_from {
        let until = t.first_reply_at.unwrap_or(horizon);
        if over(from, until, cfg.first_reply_secs) {
            out.push(ChatViolation {
                clause: "6.2.2.3.4 a",
                at: plus_secs(from, cfg.first_reply_secs),
                kind: ChatViolationKind::FirstReplyLate {
                    waited_secs: secs_between(from, until),
                },
            });
        }
    }
    for w in &t.waits {
        let waited_secs = secs_between(w.since, w.until);
        if over(w.since, w.until, cfg.reassure_after_secs) && !w.reassured {
            out.push(ChatViolation {
                clause: "6.2.2.3.1 b",
                at: plus_secs(w.since, cfg.reassure_after_secs),
                kind: ChatViolationKind::MissingReassurance { waited_secs },
            });
        }
        if over(w.since, w.until, cfg.consent_after_secs) {
            let asked_in_time = w
                .consent_asked_at
                .is_some_and(|a| !over(w.since, a, cfg.consent_after_secs));
            if !(asked_in_time && w.consent_given) {
                out.push(ChatViolation {
                    clause: "6.2.2.3.4 b",
                    at: plus_secs(w.since, cfg.consent_after_secs),
                    kind: ChatViolationKind::UnconsentedGap {
                        waited_secs,
                        asked: w.consent_asked_at.is_some(),
                    },
                });
            }
        }
        if over(w.since, w.until, cfg.complex_answer_max_secs) {
            out.push(ChatViolation {
                clause: "6.2.2.3.4 b",
                at: plus_secs(w.since, cfg.complex_answer_max_secs),
                kind: ChatViolationKind::ComplexAnswerLate { waited_secs },
            });
        }
    }
    out.sort_by_key(|v| v.at);
    out
}

/// Everything the lawyer still owes in a live conversation at `now`, earliest deadline first (overdue ones
/// included, so the inbox can show them red). Empty once the conversation has ended.
pub fn pending_actions(events: &[ChatEvent], now: Millis, cfg: &SlaConfig) -> Vec<RequiredAction> {
    let t = timeline(events, now);
    let mut out = Vec::new();
    if t.ended {
        return out;
    }
    if let Some(from) = t.first_reply_from.filter(|_| !t.picked_up) {
        // The 20 s is an average target (6.2.2.1 a); as a per-request countdown it is the natural goal.
        out.push(RequiredAction {
            action: ChatAction::PickUp,
            due: plus_secs(from, cfg.realtime_pickup_avg_secs),
            clause: "6.2.2.1 a",
        });
    }
    match (t.first_reply_from, t.first_reply_at) {
        (Some(from), None) if t.picked_up => out.push(RequiredAction {
            action: ChatAction::FirstReply,
            due: plus_secs(from, cfg.first_reply_secs),
            clause: "6.2.2.3.4 a",
        }),
        _ => {}
    }
    if let Some(w) = t.waits.last().filter(|w| !w.answered) {
        if !w.reassured {
            out.push(RequiredAction {
                action: ChatAction::Reassure,
                due: plus_secs(w.since, cfg.reassure_after_secs),
                clause: "6.2.2.3.1 b",
            });
        }
        if w.consent_asked_at.is_none() {
            out.push(RequiredAction {
                action: ChatAction::AskConsent,
                due: plus_secs(w.since, cfg.consent_after_secs),
                clause: "6.2.2.3.4 b",
            });
        }
        let answer_within = if w.consent_given {
            cfg.complex_answer_max_secs
        } else {
            cfg.consent_after_secs
        };
        out.push(RequiredAction {
            action: ChatAction::Answer,
            due: plus_secs(w.since, answer_within),
            clause: "6.2.2.3.4 b",
        });
    }
    out.sort_by_key(|a| a.due);
    out
}

/// The most urgent of [`pending_actions`].
pub fn next_action(events: &[ChatEvent], now: Millis, cfg: &SlaConfig) -> Option<RequiredAction> {
    pending_actions(events, now, cfg).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_750_000_000_000;

    fn ev(secs: i64, who: Party, kind: ChatKind) -> ChatEvent {
        ChatEvent {
            at: Millis(T0 + secs * 1000),
            who,
            kind,
        }
    }
    fn t(secs: i64) -> Millis {
        Millis(T0 + secs * 1000)
    }
    use ChatKind::*;
    use Party::*;

    fn kinds(v: &[ChatViolation]) -> Vec<ChatViolationKind> {
        v.iter().map(|v| v.kind).collect()
    }

    #[test]
    fn a_clean_conversation_has_no_violations() {
        let cfg = SlaConfig::default();
        let log = [
            ev(0, Client, Message),
            ev(15, Lawyer, Pickup),
            ev(40, Lawyer, Message),
            ev(60, Client, Message),
            ev(110, Lawyer, Reassurance),
            ev(170, Lawyer, Message),
            ev(200, Client, Message),
            ev(201, Client, End),
        ];
        assert_eq!(check_chat(&log, t(1000), &cfg), vec![]);
    }

    #[test]
    fn first_reply_late_6_2_2_3_4_a() {
        let cfg = SlaConfig::default();
        let log = [ev(0, Client, Message), ev(5, Lawyer, Pickup), ev(65, Lawyer, Message)];
        assert_eq!(check_chat(&log, t(100), &cfg), vec![], "exactly 60 s is on time");
        let log = [ev(0, Client, Message), ev(5, Lawyer, Pickup), ev(66, Lawyer, Message)];
        let v = check_chat(&log, t(100), &cfg);
        assert_eq!(kinds(&v), vec![ChatViolationKind::FirstReplyLate { waited_secs: 61 }]);
        assert_eq!(v[0].clause, "6.2.2.3.4 a");
        assert_eq!(v[0].at, t(65));
        // Still live and silent: the clock runs to `now`.
        let live = [ev(0, Client, Message), ev(5, Lawyer, Pickup)];
        assert_eq!(
            kinds(&check_chat(&live, t(90), &cfg)),
            vec![ChatViolationKind::FirstReplyLate { waited_secs: 85 }]
        );
    }

    #[test]
    fn missing_reassurance_6_2_2_3_1_b() {
        let cfg = SlaConfig::default();
        let log = [
            ev(0, Lawyer, Pickup),
            ev(1, Lawyer, Message),
            ev(10, Client, Message),
            ev(80, Lawyer, Message),
        ];
        let v = check_chat(&log, t(100), &cfg);
        assert_eq!(
            kinds(&v),
            vec![ChatViolationKind::MissingReassurance { waited_secs: 70 }]
        );
        assert_eq!(v[0].clause, "6.2.2.3.1 b");
    }

    #[test]
    fn unconsented_gap_and_complex_limit_6_2_2_3_4_b() {
        let cfg = SlaConfig::default();
        // Asked at 100 s, client agreed, answered at 170 s (160 s wait): fine.
        let ok = [
            ev(0, Lawyer, Pickup),
            ev(1, Lawyer, Message),
            ev(10, Client, Message),
            ev(100, Lawyer, ConsentRequest),
            ev(105, Client, Consent),
            ev(170, Lawyer, Message),
        ];
        assert_eq!(check_chat(&ok, t(300), &cfg), vec![]);
        // Asked but never agreed.
        let no_consent = [
            ev(0, Lawyer, Pickup),
            ev(1, Lawyer, Message),
            ev(10, Client, Message),
            ev(100, Lawyer, ConsentRequest),
            ev(170, Lawyer, Message),
        ];
        assert_eq!(
            kinds(&check_chat(&no_consent, t(300), &cfg)),
            vec![ChatViolationKind::UnconsentedGap {
                waited_secs: 160,
                asked: true
            }]
        );
        // Not asked at all, and over 3 min: four problems, in the order they happened.
        let silent = [
            ev(0, Lawyer, Pickup),
            ev(1, Lawyer, Message),
            ev(10, Client, Message),
            ev(200, Lawyer, Message),
        ];
        assert_eq!(
            kinds(&check_chat(&silent, t(300), &cfg)),
            vec![
                ChatViolationKind::MissingReassurance { waited_secs: 190 },
                ChatViolationKind::UnconsentedGap {
                    waited_secs: 190,
                    asked: false
                },
                ChatViolationKind::ComplexAnswerLate { waited_secs: 190 },
            ]
        );
        // Consent does not stretch the 3 min limit.
        let too_long = [
            ev(0, Lawyer, Pickup),
            ev(1, Lawyer, Message),
            ev(10, Client, Message),
            ev(60, Lawyer, ConsentRequest),
            ev(61, Client, Consent),
            ev(191, Lawyer, Message),
        ];
        assert_eq!(
            kinds(&check_chat(&too_long, t(300), &cfg)),
            vec![ChatViolationKind::ComplexAnswerLate { waited_secs: 181 }]
        );
    }

    #[test]
    fn ending_stops_the_clock() {
        let cfg = SlaConfig::default();
        let log = [
            ev(0, Lawyer, Pickup),
            ev(1, Lawyer, Message),
            ev(10, Client, Message),
            ev(12, Lawyer, End),
        ];
        assert_eq!(check_chat(&log, t(10_000), &cfg), vec![]);
        assert_eq!(pending_actions(&log, t(10_000), &cfg), vec![]);
    }

    #[test]
    fn countdown_of_a_live_conversation() {
        let cfg = SlaConfig::default();
        let waiting = [ev(0, Client, Message)];
        assert_eq!(
            next_action(&waiting, t(3), &cfg),
            Some(RequiredAction {
                action: ChatAction::PickUp,
                due: t(20),
                clause: "6.2.2.1 a"
            })
        );
        let picked = [ev(0, Client, Message), ev(10, Lawyer, Pickup)];
        assert_eq!(
            next_action(&picked, t(12), &cfg).map(|a| (a.action, a.due)),
            Some((ChatAction::FirstReply, t(70)))
        );
        let open = [ev(0, Lawyer, Pickup), ev(1, Lawyer, Message), ev(10, Client, Message)];
        let actions: Vec<_> = pending_actions(&open, t(20), &cfg)
            .iter()
            .map(|a| (a.action, a.due))
            .collect();
        assert_eq!(
            actions,
            vec![
                (ChatAction::Reassure, t(70)),
                (ChatAction::AskConsent, t(130)),
                (ChatAction::Answer, t(130))
            ]
        );
        let consented = [
            ev(0, Lawyer, Pickup),
            ev(1, Lawyer, Message),
            ev(10, Client, Message),
            ev(50, Lawyer, ConsentRequest),
            ev(55, Client, Consent),
        ];
        assert_eq!(
            pending_actions(&consented, t(60), &cfg)
                .iter()
                .map(|a| (a.action, a.due))
                .collect::<Vec<_>>(),
            vec![(ChatAction::Answer, t(190))]
        );
    }
}
