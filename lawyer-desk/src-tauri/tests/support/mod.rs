//! A real server node in-process for the desk's tests (the node's test kit: test city, lawyer login
//! `lawyer`, the test password), its clock following real time, the sample sensitive-word list
//! loaded; and the citizen's side of a consultation over real HTTP and a real WebSocket.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
pub use node_testkit::{Node, PASSWORD, real_now};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite;

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The test city on a node whose clock follows real time, with the sample word list (10.3.2).
pub async fn start_node() -> Node {
    let n = Node::start_real_time().await;
    let words = wordfilter::WordList::parse(include_str!("../../../../assets/wordfilter/sample.tsv")).unwrap();
    n.app().lawyer.set_words(words).unwrap();
    n
}

/// A citizen asks on the web: (consultation id, token).
pub async fn ask(n: &Node, kind: &str, specialty: &str, question: &str) -> (String, String) {
    let body = json!({"kind": kind, "question": question, "specialty": specialty});
    let (st, v) = n.req("POST", "/api/v1/consultations").json(body).send().await;
    assert_eq!(st, 201, "{v}");
    (
        v["consultation"]["id"].as_str().unwrap().to_owned(),
        v["token"].as_str().unwrap().to_owned(),
    )
}

/// The citizen's chat socket.
pub async fn citizen_ws(n: &Node, id: &str, token: &str) -> Ws {
    let url = format!(
        "{}/api/v1/consultations/{id}/ws?token={token}",
        n.base.replace("http", "ws")
    );
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

pub async fn citizen_says(ws: &mut Ws, text: &str) {
    let v = json!({"body": text});
    ws.send(tungstenite::Message::Text(v.to_string().into())).await.unwrap();
}

/// Reads the citizen's socket until a message from `author` containing `needle` arrives (10 s).
pub async fn citizen_sees(ws: &mut Ws, author: &str, needle: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .unwrap_or_else(|_| panic!("the citizen did not see {needle:?} from {author} within 10 s"))
            .unwrap()
            .unwrap();
        if let tungstenite::Message::Text(t) = frame {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == "message"
                && v["message"]["author"] == author
                && v["message"]["body"].as_str().unwrap_or("").contains(needle)
            {
                return v["message"].clone();
            }
        }
    }
}

/// The consultation as the citizen sees it.
pub async fn citizen_view(n: &Node, id: &str, token: &str) -> Value {
    let (st, v) = n
        .req("GET", &format!("/api/v1/consultations/{id}"))
        .header("x-consultation-token", token)
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    v
}

/// A judgement, basis and advice that meet 6.2.1.2 (with the server's default templates).
pub fn good_parts() -> (String, String, String) {
    (
        "用人单位拖欠工资属于违法行为，您有权要求单位足额支付拖欠的劳动报酬，并可主张相应的经济补偿。".into(),
        "《中华人民共和国劳动合同法》第三十条、第八十五条。".into(),
        "先与单位协商并保留工资条、考勤记录等证据；协商不成可向当地劳动监察大队投诉，或申请劳动仲裁。".into(),
    )
}
