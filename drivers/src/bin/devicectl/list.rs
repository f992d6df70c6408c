//! `devicectl list`: serial ports, HID raw devices and cameras.
//!
//! serialport is built without libudev, so its enumeration reads `/sys/class/tty`; that can be
//! missing or incomplete in containers, hence the `/dev` scan as well. Each port says which method
//! found it.

use std::fs;
use std::path::Path;

use serde::Serialize;
use serialport::SerialPortType;

use crate::Failure;

/// Serial device name prefixes the `/dev` scan picks up.
const SERIAL_PREFIXES: [&str; 3] = ["ttyS", "ttyUSB", "ttyACM"];

#[derive(Debug, Serialize)]
struct SerialEntry {
    path: String,
    /// usb | pci | bluetooth | unknown
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// serialport | dev_scan
    method: &'static str,
}

#[derive(Debug, Serialize)]
struct DeviceEntry {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Debug, Serialize)]
struct Listing {
    /// How serial ports were found: "serialport", "dev_scan" or "serialport+dev_scan".
    serial_method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial_note: Option<String>,
    serial: Vec<SerialEntry>,
    hid: Vec<DeviceEntry>,
    cameras: Vec<DeviceEntry>,
}

fn from_serialport() -> Result<Vec<SerialEntry>, String> {
    // serialport's sysfs scan panics when /sys/class/tty is missing; check first.
    if cfg!(target_os = "linux") && !Path::new("/sys/class/tty").is_dir() {
        return Err("/sys/class/tty 不存在 / missing".into());
    }
    let ports = serialport::available_ports().map_err(|e| e.to_string())?;
    Ok(ports
        .into_iter()
        .map(|p| {
            let (kind, description) = match p.port_type {
                SerialPortType::UsbPort(u) => {
                    let mut d = format!("{:04x}:{:04x}", u.vid, u.pid);
                    for part in [u.manufacturer, u.product].into_iter().flatten() {
                        d.push(' ');
                        d.push_str(&part);
                    }
                    ("usb", Some(d))
                }
                SerialPortType::PciPort => ("pci", None),
                SerialPortType::BluetoothPort => ("bluetooth", None),
                SerialPortType::Unknown => ("unknown", None),
            };
            SerialEntry {
                path: p.port_name,
                kind,
                description,
                method: "serialport",
            }
        })
        .collect())
}

/// `/dev` entries whose names start with one of `prefixes`, sorted.
fn dev_entries(prefixes: &[&str]) -> Vec<String> {
    let Ok(dir) = fs::read_dir("/dev") else {
        return Vec::new();
    };
    let mut names: Vec<String> = dir
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| {
            prefixes.iter().any(|p| {
                n.strip_prefix(p)
                    .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
            })
        })
        .collect();
    names.sort_by_key(|n| natural_key(n));
    names
}

fn natural_key(name: &str) -> (String, u64) {
    let split = name.find(|c: char| c.is_ascii_digit()).unwrap_or(name.len());
    let (prefix, num) = name.split_at(split);
    (prefix.to_owned(), num.parse().unwrap_or(0))
}

fn read_trimmed(path: impl AsRef<Path>) -> Option<String> {
    let s = fs::read_to_string(path).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn hid_name(dev: &str) -> Option<String> {
    let uevent = fs::read_to_string(format!("/sys/class/hidraw/{dev}/device/uevent")).ok()?;
    uevent
        .lines()
        .find_map(|l| l.strip_prefix("HID_NAME="))
        .map(str::to_owned)
}

fn collect() -> Listing {
    let (mut serial, mut methods, note) = match from_serialport() {
        Ok(v) => (v, vec!["serialport"], None),
        Err(e) => (
            Vec::new(),
            Vec::new(),
            Some(format!("serialport 枚举失败 / enumeration failed: {e}")),
        ),
    };
    let mut scanned = false;
    for name in dev_entries(&SERIAL_PREFIXES) {
        let path = format!("/dev/{name}");
        if serial.iter().any(|s| s.path == path) {
            continue;
        }
        scanned = true;
        serial.push(SerialEntry {
            path,
            kind: "unknown",
            description: None,
            method: "dev_scan",
        });
    }
    if scanned || methods.is_empty() {
        methods.push("dev_scan");
    }
    let hid = dev_entries(&["hidraw"])
        .into_iter()
        .map(|n| DeviceEntry {
            name: hid_name(&n),
            path: format!("/dev/{n}"),
        })
        .collect();
    let cameras = dev_entries(&["video"])
        .into_iter()
        .map(|n| DeviceEntry {
            name: read_trimmed(format!("/sys/class/video4linux/{n}/name")),
            path: format!("/dev/{n}"),
        })
        .collect();
    Listing {
        serial_method: methods.join("+"),
        serial_note: note,
        serial,
        hid,
        cameras,
    }
}

fn print_human(l: &Listing) {
    println!("串口 / serial ports (方法 / method: {}):", l.serial_method);
    if let Some(note) = &l.serial_note {
        println!("  注意 / note: {note}");
    }
    if l.serial.is_empty() {
        println!("  （无 / none）");
    }
    for s in &l.serial {
        let desc = s.description.as_deref().unwrap_or("");
        println!("  {:<16} {:<9} [{}] {desc}", s.path, s.kind, s.method);
    }
    for (title, list) in [("HID 设备 / HID devices", &l.hid), ("摄像头 / cameras", &l.cameras)] {
        println!("{title}:");
        if list.is_empty() {
            println!("  （无 / none）");
        }
        for d in list {
            println!("  {:<16} {}", d.path, d.name.as_deref().unwrap_or(""));
        }
    }
}

pub fn run(json: bool, sim: bool) -> Result<(), Failure> {
    let listing = collect();
    if json {
        let mut value = serde_json::to_value(&listing)
            .map_err(|e| Failure::new(Failure::OTHER, format!("JSON 编码失败 / JSON encoding failed: {e}")))?;
        if sim && let Some(obj) = value.as_object_mut() {
            obj.insert("sim".into(), serde_json::Value::Bool(true));
        }
        println!("{value}");
    } else {
        if sim {
            println!("（--sim：列表总是真实设备 / --sim: the listing always shows the real devices）");
        }
        print_human(&listing);
    }
    Ok(())
}
