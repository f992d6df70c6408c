//! Set-ups the lawyer modules share: a node on the test clock with its configuration tuned, and more
//! lawyers in the test city (each module used to build these itself).

use server::app::{Role as NodeRole, ServerConfig};

use node_testkit::*;

/// A node (all roles) on the test clock at [`MONDAY_0900`], after `tune` has changed its configuration.
pub async fn start(tune: impl FnOnce(&mut ServerConfig)) -> Node {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = ServerConfig {
        role: NodeRole::All,
        data: tmp.path().to_path_buf(),
        listen: "127.0.0.1:0".into(),
        ..ServerConfig::default()
    };
    tune(&mut config);
    let mut n = Node::start_with(config, TestClock::new(MONDAY_0900)).await;
    n.keep(tmp);
    n
}

/// Installs the test city with more lawyers like `LAWYER` (ids as given, logins in lower case) and
/// gives every account the test password.
pub async fn add_lawyers(n: &Node, ids: &[&str]) {
    let app = n.app();
    let mut city = test_city();
    let base = city.staff.iter().find(|s| s.id.as_str() == "LAWYER").cloned().unwrap();
    for id in ids {
        city.staff.push(domain::config::Staff {
            id: (*id).into(),
            login: id.to_lowercase(),
            ..base.clone()
        });
    }
    server::api::halls::install_config(&app, domain::Actor::System, city.clone())
        .await
        .unwrap();
    set_passwords(&app, &city.staff, PASSWORD).await;
}
