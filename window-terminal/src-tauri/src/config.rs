//! Terminal configuration: command-line flags, each also readable from a `WT_*` environment variable
//! (the e2e test starts the app through tauri-driver, so it can only pass the environment).

use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(name = "window-terminal", about = "窗口叫号终端 / counter terminal")]
pub struct Config {
    /// Local data (edge store, blobs, identity).
    #[arg(long, env = "WT_DATA_DIR", default_value = "window-terminal-data")]
    pub data_dir: PathBuf,
    /// The window this terminal stands at (configuration id, e.g. W1).
    #[arg(long, env = "WT_WINDOW", default_value = "W1")]
    pub window: String,
    /// ID card reader: `sim`, a serial device path, or `none`.
    #[arg(long, env = "WT_IDCARD", default_value = "sim")]
    pub idcard: String,
    /// Document camera: `sim`, `/dev/videoN`, or `none`.
    #[arg(long, env = "WT_CAMERA", default_value = "sim")]
    pub camera: String,
    /// Window LED on RS-485: `sim`, a serial device path, or `none`.
    #[arg(long, env = "WT_LED", default_value = "sim")]
    pub led: String,
    /// Address of this window's LED screen on the bus.
    #[arg(long, env = "WT_LED_ADDR", default_value_t = 1)]
    pub led_addr: u8,
    /// Receipt printer (ESC/POS): `sim`, a serial path (`PATH@BAUD`), `/dev/usb/lpN`, `tcp:HOST:PORT`, or
    /// `none`. Its paper and cover state is polled and shown; faults are reported to the hall node.
    #[arg(long, env = "WT_PRINTER", default_value = "sim")]
    pub printer: String,
    /// Barcode/QR scanner: `sim`, a serial/CDC path (`PATH@BAUD`, codes end in CR), `hid:VID:PID`
    /// (HID-POS), or `none`.
    #[arg(long, env = "WT_SCANNER", default_value = "sim")]
    pub scanner: String,
    /// Citizen evaluator: `window` (second monitor), `pad:HOST:PORT` (network pad: the terminal listens
    /// there for the pad's WebSocket), `none`.
    #[arg(long, env = "WT_EVALUATOR", default_value = "window")]
    pub evaluator: String,
    /// The network pad's login key (with `--evaluator pad:…`); the pad logs in with this window's id
    /// as its work number.
    #[arg(long, env = "WT_PAD_KEY", default_value = "")]
    pub pad_key: String,
    /// Seconds the citizen has to rate before the evaluation lapses (no rating recorded).
    #[arg(long, env = "WT_RATING_TIMEOUT", default_value_t = 60)]
    pub rating_timeout_secs: u64,
    /// Test hooks (`sim_*` commands); never set on a real counter.
    #[arg(long, env = "WT_SIM_CONTROL", value_parser = clap::builder::BoolishValueParser::new(),
        default_value = "false", num_args = 0..=1, default_missing_value = "true")]
    pub sim_control: bool,
    /// Seconds between sync rounds with the hall node (also how quickly the offline banner appears).
    #[arg(long, env = "WT_SYNC_SECS", default_value_t = 1)]
    pub sync_secs: u64,
}

impl Config {
    /// Flags and environment; an unparsable command line ends the program with clap's message.
    pub fn from_env() -> Config {
        Config::parse()
    }

    /// Defaults (sim devices) with this data dir and window: for tests.
    pub fn for_test(data_dir: PathBuf, window: &str) -> Config {
        let mut c = Config::parse_from(["window-terminal"]);
        c.data_dir = data_dir;
        c.window = window.to_owned();
        c.sim_control = true;
        c
    }
}
