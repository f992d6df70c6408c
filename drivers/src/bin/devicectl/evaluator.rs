//! `devicectl evaluator test|serve`: one rating from a USB keypad, or from a network pad.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use clap::{Args, Subcommand};
use drivers::evaluator::{
    Evaluation, HidReportSource, KeyMap, Keypad, KeypadError, Outcome, PadAnswer, PadError, PadServer, PadServerConfig,
    PadSim, PadSimConfig, Rating, RatingResult, ReportSource, StaffCard,
};
use serde_json::json;

use crate::Failure;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// 等待 USB 评价器按键并显示评价 / wait for one key press on a USB keypad and print the rating
    Test(HidArgs),
    /// 等待评价平板登录，推送示例评价并显示结果 / wait for a pad to log in, push a sample evaluation, print the rating
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct HidArgs {
    /// HID 设备：VID:PID（十六进制）或 hidraw 路径 / HID device: VID:PID in hex or a hidraw path
    #[arg(long)]
    pub hid: Option<String>,
    /// 等待秒数 / seconds to wait for a key
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// JSON 输出 / print one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// 监听地址 / address to listen on
    #[arg(long, default_value = "0.0.0.0:8899")]
    pub listen: String,
    /// 允许登录的平板 / pad allowed to log in, WORK_NO=KEY (repeatable)
    #[arg(long = "pad", value_name = "WORK_NO=KEY")]
    pub pads: Vec<String>,
    /// 等待登录与等待评价各自的秒数 / seconds to wait for a login, and then for the rating
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// JSON 输出 / print one JSON object
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: &Cmd, sim: bool) -> Result<(), Failure> {
    match cmd {
        Cmd::Test(args) => test(args, sim),
        Cmd::Serve(args) => serve(args, sim),
    }
}

/// The `--sim` keypad: key "1" pressed after a moment, then released.
struct SimKeypad(VecDeque<(Duration, [u8; 8])>);

impl ReportSource for SimKeypad {
    fn read_report(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, KeypadError> {
        let Some((delay, report)) = self.0.pop_front() else {
            std::thread::sleep(timeout);
            return Ok(0);
        };
        std::thread::sleep(delay.min(timeout));
        let n = report.len().min(buf.len());
        buf[..n].copy_from_slice(&report[..n]);
        Ok(n)
    }
}

fn print_rating(json: bool, source: &str, result: &RatingResult) {
    let r = result.rating;
    if json {
        let out = json!({
            "source": source,
            "level": r.level(),
            "label": r.label(),
            "reasons": result.reasons,
            "text": result.text,
        });
        println!("{out}");
    } else {
        let mut out = String::new();
        crate::field_line(&mut out, "评价 / rating:", &format!("{} {}", r.level(), r.label()));
        if !result.reasons.is_empty() {
            crate::field_line(&mut out, "原因 / reasons:", &result.reasons.join("，"));
        }
        if let Some(t) = &result.text {
            crate::field_line(&mut out, "意见 / text:", t);
        }
        crate::field_line(&mut out, "来源 / source:", source);
        print!("{out}");
    }
}

fn no_rating(secs: u64) -> Failure {
    Failure::new(
        Failure::NO_ANSWER,
        format!("{secs} 秒内未收到评价 / no rating within {secs} s"),
    )
}

fn test(args: &HidArgs, sim: bool) -> Result<(), Failure> {
    let timeout = Duration::from_secs(args.timeout);
    let rating: Option<Rating> = if sim {
        let mut key1 = [0u8; 8];
        key1[2] = 0x1E;
        let script = VecDeque::from([
            (Duration::from_millis(200), key1),
            (Duration::from_millis(50), [0u8; 8]),
        ]);
        Keypad::new(SimKeypad(script), KeyMap::default()).next_rating(timeout)
    } else {
        let spec = args.hid.as_deref().ok_or_else(|| {
            Failure::new(
                Failure::USAGE,
                "需要 --hid VID:PID 或路径（或使用 --sim）/ --hid VID:PID|PATH is required (or --sim)",
            )
        })?;
        let source = HidReportSource::open(spec).map_err(|e| {
            let code = if matches!(e, KeypadError::BadSpec(_)) {
                Failure::USAGE
            } else {
                Failure::OPEN
            };
            Failure::new(code, e.to_string())
        })?;
        if !args.json {
            eprintln!("请按评价键 / press a rating key (waiting {} s)", args.timeout);
        }
        Keypad::new(source, KeyMap::default()).next_rating(timeout)
    }
    .map_err(|e| Failure::new(Failure::NO_ANSWER, e.to_string()))?;
    let rating = rating.ok_or_else(|| no_rating(args.timeout))?;
    let result = RatingResult {
        rating,
        reasons: Vec::new(),
        text: None,
    };
    print_rating(args.json, "usb-keypad", &result);
    Ok(())
}

fn sample_evaluation(work_no: &str) -> Evaluation {
    Evaluation {
        ticket: "T001".into(),
        case_no: None,
        staff: StaffCard {
            department: "设备检测 / device test".into(),
            staff_no: work_no.into(),
            name: "测试员".into(),
            photo_url: String::new(),
            motto: "测试评价，无效 / test evaluation, not recorded".into(),
        },
    }
}

fn serve(args: &ServeArgs, sim: bool) -> Result<(), Failure> {
    let timeout = Duration::from_secs(args.timeout);
    let mut pads = HashMap::new();
    for p in &args.pads {
        let (work_no, key) = p.split_once('=').ok_or_else(|| {
            Failure::new(
                Failure::USAGE,
                format!("--pad 应为 WORK_NO=KEY / --pad must be WORK_NO=KEY, got {p:?}"),
            )
        })?;
        pads.insert(work_no.to_owned(), key.to_owned());
    }
    let listen = if sim { "127.0.0.1:0" } else { args.listen.as_str() };
    if sim {
        pads.insert("sim".into(), "sim-key".into());
    } else if pads.is_empty() {
        return Err(Failure::new(
            Failure::USAGE,
            "需要至少一个 --pad WORK_NO=KEY（或使用 --sim）/ at least one --pad WORK_NO=KEY is required (or --sim)",
        ));
    }
    let config = PadServerConfig {
        pads,
        rating_timeout: timeout,
        ..PadServerConfig::default()
    };
    let server = PadServer::bind(listen, config).map_err(|e| Failure::new(Failure::OPEN, e.to_string()))?;
    eprintln!("正在监听 / listening on {}", server.local_addr());
    let _pad = sim.then(|| {
        let mut c = PadSimConfig::new(&server.local_addr().to_string(), "sim", "sim-key");
        c.answers = vec![PadAnswer::level(4)];
        c.answer_delay = Duration::from_millis(200);
        PadSim::start(c)
    });
    let work_no = server.wait_for_pad(timeout).ok_or_else(|| {
        Failure::new(
            Failure::NO_ANSWER,
            format!(
                "{} 秒内没有评价器登录 / no pad logged in within {} s",
                args.timeout, args.timeout
            ),
        )
    })?;
    if !args.json {
        eprintln!("评价器已登录 / pad {work_no} logged in; 已推送示例评价 / sample evaluation pushed");
    }
    match server.evaluate(&work_no, &sample_evaluation(&work_no)) {
        Ok(Outcome::Rated(result)) => {
            print_rating(args.json, &format!("pad {work_no}"), &result);
            Ok(())
        }
        Ok(Outcome::NoRating) => Err(no_rating(args.timeout)),
        Err(e @ (PadError::Offline(_) | PadError::Disconnected(_))) => {
            Err(Failure::new(Failure::NO_ANSWER, e.to_string()))
        }
        Err(e) => Err(Failure::new(Failure::OTHER, e.to_string())),
    }
}
