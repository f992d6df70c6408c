//! The 留言 reply editor's checks: the same rules the server applies (`lawyer::reply`, 6.2.1.2), run
//! here first with the server's own templates, so the lawyer sees everything missing before sending;
//! and the server's 422 taken apart into the same list when it still refuses (e.g. a sensitive word,
//! 10.3.2, which only the server's list knows).

use app_types::lawyer_desk::{ReplyCheck, ReplyDraft, ReplyProblem, Templates};
use lawyer::reply::{ReplyParts, ReplyTemplates};

fn templates(t: &Templates) -> ReplyTemplates {
    ReplyTemplates {
        opening: t.opening.clone(),
        disclaimer: t.disclaimer.clone(),
        closing: t.closing.clone(),
    }
}

/// Composes the draft exactly as the server will (fixed opening, 【法律分析】【法律依据】【建议】,
/// disclaimer, closing) and checks it.
pub fn check(draft: &ReplyDraft, t: &Templates) -> ReplyCheck {
    let t = templates(t);
    let parts = ReplyParts {
        judgement: draft.judgement.clone(),
        basis: draft.basis.clone(),
        advice: draft.advice.clone(),
    };
    let composed = lawyer::reply::compose(&parts, &t);
    let problems: Vec<ReplyProblem> = match lawyer::reply::check(&composed, &t) {
        Ok(()) => Vec::new(),
        Err(ps) => ps
            .iter()
            .map(|p| ReplyProblem {
                clause: p.clause().to_owned(),
                message: p.message(),
            })
            .collect(),
    };
    ReplyCheck {
        ok: problems.is_empty(),
        own_chars: lawyer::reply::body_chars(&composed, &t),
        problems,
        composed,
    }
}

/// The server lists its problems as `…：[clause] message；[clause] message`; one entry each.
pub fn server_problems(message: &str) -> Vec<ReplyProblem> {
    let list = message.split_once('：').map_or(message, |(_, rest)| rest);
    list.split('；')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix('[').and_then(|r| r.split_once(']')) {
            Some((clause, msg)) => ReplyProblem {
                clause: clause.trim().to_owned(),
                message: msg.trim().to_owned(),
            },
            None => ReplyProblem {
                clause: String::new(),
                message: s.to_owned(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Templates {
        let d = ReplyTemplates::default();
        Templates {
            opening: d.opening,
            disclaimer: d.disclaimer,
            closing: d.closing,
        }
    }

    #[test]
    fn a_thin_draft_lists_every_missing_piece_6_2_1_2() {
        let c = check(
            &ReplyDraft {
                judgement: "可以维权。".into(),
                basis: "劳动法".into(),
                advice: String::new(),
            },
            &defaults(),
        );
        assert!(!c.ok);
        let clauses: Vec<&str> = c.problems.iter().map(|p| p.clause.as_str()).collect();
        // b: too short; d: no 《…》第…条; e: no advice. The fixed parts are there (a, f).
        assert!(clauses.contains(&"6.2.1.2 b") && clauses.contains(&"6.2.1.2 d") && clauses.contains(&"6.2.1.2 e"));
        assert!(!clauses.contains(&"6.2.1.2 a") && !clauses.contains(&"6.2.1.2 f"));
        assert!(c.composed.starts_with("您好") && c.composed.contains("【建议】"));
    }

    #[test]
    fn the_servers_422_is_split_into_its_problems() {
        let ps = server_problems(
            "回复未发送 (not sent)：[10.3.2] 含敏感词 “示例辱骂词”（低俗辱骂）；[6.2.1.2 b] 律师回复仅 3 字",
        );
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].clause, "10.3.2");
        assert!(ps[0].message.contains("示例辱骂词"));
        assert_eq!(ps[1].clause, "6.2.1.2 b");
    }
}
