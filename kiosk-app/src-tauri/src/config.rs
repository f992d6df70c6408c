//! Kiosk configuration: command-line flags, each also readable from a `KIOSK_*` environment variable
//! (the e2e test starts the app through tauri-driver, so it can only pass the environment).

use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(name = "kiosk-app", about = "政务服务自助终端 / citizen self-service kiosk")]
pub struct Config {
    /// Local data (edge store: identity, configuration replica, outbox; usage counts).
    #[arg(long, env = "KIOSK_DATA_DIR", default_value = "kiosk-data")]
    pub data_dir: PathBuf,
    /// ID card reader: `sim`, a serial device path, or `none`.
    #[arg(long, env = "KIOSK_IDCARD", default_value = "sim")]
    pub idcard: String,
    /// Ticket printer (ESC/POS): `sim`, serial `PATH[@BAUD]`, `/dev/usb/lpN`, `tcp:HOST:PORT`, `none`.
    #[arg(long, env = "KIOSK_PRINTER", default_value = "sim")]
    pub printer: String,
    /// QR scanner: `sim`, serial/CDC `PATH[@BAUD]`, `hid:VID:PID`, `none`.
    #[arg(long, env = "KIOSK_SCANNER", default_value = "sim")]
    pub scanner: String,
    /// Spoken prompts in elderly mode: `aplay`, `file:PATH`, `file-paced:PATH`, `cmd:PROGRAM ARGS`, `none`.
    #[arg(long, env = "KIOSK_AUDIO", default_value = "aplay")]
    pub audio: String,
    /// The prompt clips (default: `assets/voice` beside the binary, else the source tree's).
    #[arg(long, env = "KIOSK_VOICE_DIR")]
    pub voice_dir: Option<PathBuf>,
    /// Seconds without a touch before the kiosk returns home and forgets the citizen.
    #[arg(long, env = "KIOSK_IDLE_SECS", default_value_t = 60)]
    pub idle_secs: u32,
    /// Seconds between sync rounds with the hall node.
    #[arg(long, env = "KIOSK_SYNC_SECS", default_value_t = 2)]
    pub sync_secs: u64,
    /// Test hooks (`sim_*` commands); never set on a real kiosk.
    #[arg(long, env = "KIOSK_SIM_CONTROL", value_parser = clap::builder::BoolishValueParser::new(),
        default_value = "false", num_args = 0..=1, default_missing_value = "true")]
    pub sim_control: bool,
}

impl Config {
    /// Flags and environment; an unparsable command line ends the program with clap's message.
    pub fn from_env() -> Config {
        Config::parse()
    }

    /// Defaults (sim devices) with this data dir: for tests.
    pub fn for_test(data_dir: PathBuf) -> Config {
        let mut c = Config::parse_from(["kiosk-app"]);
        c.data_dir = data_dir;
        c.sim_control = true;
        c.audio = "none".into();
        c
    }
}
