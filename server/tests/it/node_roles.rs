//! Node roles, configuration replacement and first start.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use node_testkit::*;
use serde_json::json;
use server::app::{Role as NodeRole, ServerConfig};

#[tokio::test]
async fn a_hall_node_refuses_configuration_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let mut n = Node::start_in(tmp.path().to_path_buf(), TestClock::new(MONDAY_0900), NodeRole::Hall).await;
    let app = n.app();
    server::api::halls::install_config(&app, domain::Actor::System, test_city())
        .await
        .unwrap();
    let admin = test_city().staff.into_iter().find(|s| s.login == "admin").unwrap();
    set_passwords(&app, &[admin], PASSWORD).await;
    let token = n.login("admin").await;
    let (st, v) = n
        .req("PUT", "/api/v1/config")
        .bearer(&token)
        .json(serde_json::to_value(test_city()).unwrap())
        .send()
        .await;
    assert_eq!((st, v["code"].as_str()), (409, Some("city_owns_config")), "{v}");
    n.stop().await;
}

#[tokio::test]
async fn configuration_is_validated_before_it_replaces_anything() {
    let mut n = Node::start().await;
    let admin = n.login("admin").await;
    let (_, before) = n.req("GET", "/api/v1/config").bearer(&admin).send().await;
    let mut bad = test_city();
    bad.windows[0].hall_id = "NOWHERE".into();
    let (st, v) = n
        .req("PUT", "/api/v1/config")
        .bearer(&admin)
        .json(serde_json::to_value(&bad).unwrap())
        .send()
        .await;
    assert_eq!((st, v["field"].as_str()), (422, Some("windows[0].hall_id")), "{v}");
    let (st, v) = n
        .req("PUT", "/api/v1/config")
        .bearer(&admin)
        .json(json!({"city": {"id": "T"}}))
        .send()
        .await;
    assert_eq!(
        (st, v["field"].as_str()),
        (400, Some("city.name")),
        "names the field at fault: {v}"
    );
    let (_, after) = n.req("GET", "/api/v1/config").bearer(&admin).send().await;
    assert_eq!(before, after, "a refused configuration changes nothing");

    let mut good = test_city();
    good.items[1].name = "政策咨询（新）".into();
    let (st, v) = n
        .req("PUT", "/api/v1/config")
        .bearer(&admin)
        .json(serde_json::to_value(&good).unwrap())
        .send()
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["version"].as_i64(), before["version"].as_i64().map(|x| x + 1));
    n.restart().await;
    let admin = n.login("admin").await;
    let (_, v) = n.req("GET", "/api/v1/config").bearer(&admin).send().await;
    assert_eq!(
        v["config"]["items"][1]["name"], "政策咨询（新）",
        "the new version survives a restart"
    );
    n.stop().await;
}

#[test]
fn config_file_sets_role_data_and_listen() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("server.toml");
    std::fs::write(
        &f,
        "role = \"hall\"\ndata = \"/var/lib/hall\"\nlisten = \"0.0.0.0:9000\"\njson_logs = true\n",
    )
    .unwrap();
    let c = ServerConfig::load(Some(&f)).unwrap();
    assert_eq!(
        (c.role, c.listen.as_str(), c.json_logs),
        (NodeRole::Hall, "0.0.0.0:9000", true)
    );
    assert_eq!(c.db_path(), std::path::Path::new("/var/lib/hall/node.db"));
    std::fs::write(&f, "role = \"mall\"\n").unwrap();
    let e = ServerConfig::load(Some(&f)).unwrap_err();
    assert!(format!("{e:#}").contains("role"), "names the bad key: {e:#}");
    assert!(ServerConfig::load(Some(&dir.path().join("missing.toml"))).is_err());
    let d = ServerConfig::default();
    assert_eq!((d.role, d.listen.as_str()), (NodeRole::All, "127.0.0.1:8080"));
}

#[tokio::test]
async fn first_start_creates_an_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "serve",
            "--data",
            dir.path().to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut base = None;
    for line in BufReader::new(child.0.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("serving on ") {
            base = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    let base = base.expect("prints its address");
    let password = std::fs::read_to_string(dir.path().join("initial-admin-password")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("initial-admin-password"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "only the owner may read the password file");
        let key = std::fs::metadata(dir.path().join("keys/sm4.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(key & 0o077, 0, "only the owner may read the key");
    }
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/api/v1/sessions"))
        .json(&json!({"login": "admin", "password": password.trim()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = http
        .post(format!("{base}/api/v1/sessions"))
        .json(&json!({"login": "admin", "password": "guess"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
