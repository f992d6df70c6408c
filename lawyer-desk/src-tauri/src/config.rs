//! Desk configuration: command-line flags, each also readable from a `LAWYER_DESK_*` environment
//! variable (the e2e test starts the app through tauri-driver, so it can only pass the environment).

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(name = "lawyer-desk", about = "12348 律师工作台 / the lawyer's desk")]
pub struct Config {
    /// The server address pre-filled on the sign-in form (the lawyer may change it).
    #[arg(long, env = "LAWYER_DESK_SERVER", default_value = "")]
    pub server: String,
    /// Milliseconds between inbox refreshes while signed in (the countdowns tick locally in between).
    #[arg(long, env = "LAWYER_DESK_POLL_MS", default_value_t = 2000)]
    pub poll_ms: u64,
    /// Seconds a request to the server may take before it counts as unreachable.
    #[arg(long, env = "LAWYER_DESK_TIMEOUT_SECS", default_value_t = 10)]
    pub timeout_secs: u64,
}

impl Config {
    /// Flags and environment; an unparsable command line ends the program with clap's message.
    pub fn from_env() -> Config {
        Config::parse()
    }

    /// Defaults with a fast refresh: for tests.
    pub fn for_test() -> Config {
        let mut c = Config::parse_from(["lawyer-desk"]);
        c.poll_ms = 200;
        c
    }
}
