//! Telling the citizen (6.1 b: "能通过短信的方式提醒用户查看"). The SMS gateway comes in a later
//! issue; until then the node logs the notice (phone masked) and tests record it.

use parking_lot::Mutex;

/// One message to a citizen's phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The full number (opened from its sealed form just for sending; never logged).
    pub phone: String,
    pub consultation_id: String,
    /// The SMS text, Chinese.
    pub text: String,
}

/// Sends notices. Called after the reply is committed; must not block for long (a gateway
/// implementation queues and retries on its own).
pub trait Notifier: Send + Sync {
    fn notify(&self, notice: Notice);
}

/// Logs that a notice would go out, with the phone masked.
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn notify(&self, n: Notice) {
        tracing::info!(phone = %node_core::crypto::mask_phone(&n.phone), consultation = %n.consultation_id,
            text = %n.text, "citizen notice (no SMS gateway configured)");
    }
}

/// Keeps every notice, for tests.
#[derive(Default)]
pub struct RecordingNotifier {
    sent: Mutex<Vec<Notice>>,
}

impl RecordingNotifier {
    pub fn sent(&self) -> Vec<Notice> {
        self.sent.lock().clone()
    }
}

impl Notifier for RecordingNotifier {
    fn notify(&self, n: Notice) {
        self.sent.lock().push(n);
    }
}

/// The SMS text for a 留言 reply.
pub fn reply_text(consultation_id: &str) -> String {
    let short: String = consultation_id
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("【12348在线律师】您的留言咨询（尾号{short}）已有律师回复，请登录查看并对本次服务进行评价。")
}
