//! USB printer-class printers through the kernel's `usblp` driver.
//!
//! On Linux a USB ESC/POS printer (interface class 7) appears as the character device
//! `/dev/usb/lpN`. It is read/write: bytes written go out on the bulk OUT pipe, and on
//! bidirectional printers (protocol 2, which ESC/POS receipt printers report) the answers to
//! `DLE EOT` and `GS r` come back on the bulk IN pipe and are readable from the same file. No
//! libusb, no detaching of kernel drivers, no root if the device node's group allows it (`lp`).
//!
//! usblp reads and writes block: a read waits until the printer says something, a write until
//! the printer took the data (for ever when it is offline with its buffer full). The transport
//! therefore reads on a thread of its own and writes on another, and the caller waits on channels
//! with its deadline, so a silent or stuck printer is a timeout, never a hang. When the transport
//! is dropped while the printer is still attached, the reader thread stays parked in its read until
//! the printer next sends a byte or is unplugged (one idle thread per abandoned transport).
//!
//! Any character device that behaves the same way works, which is how the tests drive this
//! transport: they open the slave side of a pty, with the printer simulator on the master side.
//!
//! Not covered: Windows (USB printers go through the spooler or WinUSB), macOS, and printers
//! without the printer class (vendor-class bulk pipes need libusb); use their serial (USB-serial)
//! or network port instead.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread;
use std::time::Instant;

use super::driver::Transport;

/// `USB_MAJOR` of Linux: usblp's device nodes (`/dev/usb/lpN`) have this major number.
const USB_MAJOR: u64 = 180;

/// Whether `path` names a usblp device: by its usual names, or on Linux by its device number
/// (a udev rule may have given it another name).
pub fn is_usblp_path(path: &str) -> bool {
    if path.starts_with("/dev/usb/lp") || path.starts_with("/dev/usblp") {
        return true;
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::linux::fs::MetadataExt as _;
        use std::os::unix::fs::FileTypeExt as _;
        if let Ok(m) = std::fs::metadata(path)
            && m.file_type().is_char_device()
        {
            // Linux's dev_t: major in bits 8–19 and 32–63 (glibc's gnu_dev_major).
            let rdev = m.st_rdev();
            let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
            return major == USB_MAJOR;
        }
    }
    false
}

/// EIO, ENXIO and ENODEV: what usblp (and a pty whose far end closed) answer once the device is
/// gone. Reported as `BrokenPipe` so the driver calls it a lost connection.
fn device_err(e: io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(5 | 6 | 19) => io::Error::new(io::ErrorKind::BrokenPipe, format!("USB printer lost: {e}")),
        _ => match e.kind() {
            io::ErrorKind::UnexpectedEof => io::Error::new(io::ErrorKind::BrokenPipe, "USB printer closed"),
            _ => e,
        },
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "deadline passed")
}

/// An ESC/POS printer through a usblp device file (or any read/write character device).
pub struct UsbLpTransport {
    path: String,
    to_writer: Sender<Vec<u8>>,
    write_results: Receiver<io::Result<()>>,
    /// Writes handed to the writer thread whose result has not been collected.
    writes_pending: usize,
    from_reader: Receiver<io::Result<Vec<u8>>>,
    input: VecDeque<u8>,
    /// Set once the reader thread reported the device gone; every later read fails the same way.
    gone: Option<(io::ErrorKind, String)>,
}

impl UsbLpTransport {
    /// Opens `path` (e.g. `/dev/usb/lp0`) for reading and writing.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        let reader = file.try_clone()?;
        Ok(Self::from_files(path.display().to_string(), reader, file))
    }

    fn from_files(path: String, mut reader: File, mut writer: File) -> Self {
        let (in_tx, from_reader) = mpsc::channel::<io::Result<Vec<u8>>>();
        thread::spawn(move || {
            let mut buf = [0u8; 256];
            loop {
                let msg = match reader.read(&mut buf) {
                    Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
                    Ok(n) => Ok(buf.get(..n).unwrap_or(&buf).to_vec()),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => Err(e),
                };
                let last = msg.is_err();
                if in_tx.send(msg).is_err() || last {
                    return;
                }
            }
        });
        let (to_writer, out_rx) = mpsc::channel::<Vec<u8>>();
        let (res_tx, write_results) = mpsc::channel();
        thread::spawn(move || {
            for bytes in out_rx {
                let r = writer.write_all(&bytes).and_then(|()| writer.flush());
                let failed = r.is_err();
                if res_tx.send(r).is_err() || failed {
                    return;
                }
            }
        });
        Self {
            path,
            to_writer,
            write_results,
            writes_pending: 0,
            from_reader,
            input: VecDeque::new(),
            gone: None,
        }
    }

    /// The device path this transport was opened on.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Waits until `deadline` for the result of the oldest write in flight.
    fn await_write(&mut self, deadline: Instant) -> io::Result<()> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.write_results.recv_timeout(left) {
            Ok(r) => {
                self.writes_pending -= 1;
                r.map_err(device_err)
            }
            Err(RecvTimeoutError::Timeout) => Err(timed_out()),
            Err(RecvTimeoutError::Disconnected) => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "USB printer writer stopped after an earlier error",
            )),
        }
    }

    fn gone_err(&self) -> Option<io::Error> {
        self.gone.as_ref().map(|(kind, msg)| io::Error::new(*kind, msg.clone()))
    }

    fn reader_failed(&mut self, e: io::Error) -> io::Error {
        let e = device_err(e);
        self.gone = Some((e.kind(), e.to_string()));
        e
    }
}

impl Transport for UsbLpTransport {
    fn send(&mut self, bytes: &[u8], deadline: Instant) -> io::Result<()> {
        // A write that outlived its own deadline must finish before the next one may start, or
        // the printer would get the two interleaved with whatever the caller does in between.
        while self.writes_pending > 0 {
            self.await_write(deadline)?;
        }
        if bytes.is_empty() {
            return Ok(());
        }
        self.to_writer
            .send(bytes.to_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "USB printer writer stopped"))?;
        self.writes_pending += 1;
        self.await_write(deadline)
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.input.is_empty() {
            if let Some(e) = self.gone_err() {
                return Err(e);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out());
            }
            match self.from_reader.recv_timeout(left) {
                Ok(Ok(chunk)) => self.input.extend(chunk),
                Ok(Err(e)) => return Err(self.reader_failed(e)),
                Err(RecvTimeoutError::Timeout) => return Err(timed_out()),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "USB printer reader stopped"));
                }
            }
        }
        let n = buf.len().min(self.input.len());
        for (slot, b) in buf.iter_mut().zip(self.input.drain(..n)) {
            *slot = b;
        }
        Ok(n)
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.input.clear();
        loop {
            match self.from_reader.try_recv() {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(self.reader_failed(e)),
                Err(TryRecvError::Empty) => return self.gone_err().map_or(Ok(()), Err),
                Err(TryRecvError::Disconnected) => {
                    return Err(self
                        .gone_err()
                        .unwrap_or_else(|| io::Error::new(io::ErrorKind::BrokenPipe, "USB printer reader stopped")));
                }
            }
        }
    }
}
