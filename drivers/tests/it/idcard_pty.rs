//! Reader ⇄ simulator over a real pseudo-terminal pair (`TTYPort::pair`), per card type and per
//! fault mode. Every case must end in a card, `None` or a clear error within its deadline.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use drivers::idcard::sim::{Fault, SimHandle, Simulator};
use drivers::idcard::{CardInfo, IdCardReader, ReaderConfig, ReaderError, SamError, SerialTransport};
use serialport::TTYPort;

/// Held by each case for its whole run (in the [`Rig`]), so that these cases, whose deadlines are
/// tight, run one at a time as they always have. The pty pair itself is made under the binary-wide
/// [`crate::common::PTY`] lock, as every pair of this test binary is.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const STEP: Duration = Duration::from_millis(300);

struct Rig {
    reader: IdCardReader<SerialTransport>,
    sim: SimHandle,
    _guard: MutexGuard<'static, ()>,
}

fn rig(card: Option<CardInfo>) -> Rig {
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let (master, slave) = {
        let _g = crate::common::PTY.lock().unwrap_or_else(PoisonError::into_inner);
        TTYPort::pair().expect("pty pair")
    };
    let sim = Simulator::new(card).unwrap().spawn(master);
    let config = ReaderConfig {
        timeout: STEP,
        attempts: 3,
        retry_pause: Duration::from_millis(10),
        fingerprint: false,
    };
    let reader = IdCardReader::with_config(SerialTransport::from_port(Box::new(slave)), config);
    Rig {
        reader,
        sim,
        _guard: guard,
    }
}

/// Worst case of one `read_card`: attempts × (find + select + read) deadlines, plus slack.
fn read_card_budget() -> Duration {
    STEP * 3 * 3 + Duration::from_millis(500)
}

/// One card of each type, each with a photo.
fn cards() -> Vec<CardInfo> {
    [
        crate::common::resident(),
        crate::common::hk_macau_taiwan(),
        crate::common::foreign_2017(),
        crate::common::foreign_2023(),
    ]
    .into_iter()
    .map(|mut c| {
        c.photo_wlt = crate::common::wlt_photo();
        c
    })
    .collect()
}

fn resident() -> CardInfo {
    cards().remove(0)
}

#[test]
fn reads_every_card_type_and_waits_for_removal() {
    for card in cards() {
        let mut rig = rig(Some(card.clone()));
        assert_eq!(
            rig.reader.read_card().unwrap(),
            Some(card.clone()),
            "{:?}",
            card.card_type
        );
        assert!(rig.reader.awaiting_removal());

        // Same card still on the reader: not reported again, and not even selected/read.
        let before = rig.sim.requests().len();
        assert_eq!(rig.reader.read_card().unwrap(), None);
        assert_eq!(rig.sim.requests()[before..], [(0x20, 0x01)]);

        // Lifted and put back: reported again.
        rig.sim.set_card(None).unwrap();
        assert_eq!(rig.reader.read_card().unwrap(), None);
        assert!(!rig.reader.awaiting_removal());
        rig.sim.set_card(Some(card.clone())).unwrap();
        assert_eq!(rig.reader.read_card().unwrap(), Some(card));
        rig.sim.stop().unwrap();
    }
}

#[test]
fn single_operations() {
    let mut card = resident();
    card.fingerprint = vec![0x5A; 512];
    let mut rig = rig(Some(card.clone()));
    rig.reader.reset().unwrap();
    rig.reader.sam_status().unwrap();
    let id = rig.reader.sam_id().unwrap();
    assert_eq!(id.raw.len(), 16);
    assert!(id.to_string().starts_with("05.01-"), "{id}");
    assert!(rig.reader.find().unwrap());
    rig.reader.select().unwrap();
    assert_eq!(rig.reader.read_with_fingerprint().unwrap(), card);
    let mut no_fp = card;
    no_fp.fingerprint.clear();
    assert_eq!(rig.reader.read().unwrap(), no_fp);
    assert_eq!(
        rig.sim.requests(),
        [
            (0x10, 0xFF),
            (0x11, 0xFF),
            (0x12, 0xFF),
            (0x20, 0x01),
            (0x20, 0x02),
            (0x30, 0x10),
            (0x30, 0x01)
        ]
    );
}

#[test]
fn no_card() {
    let mut rig = rig(None);
    assert_eq!(rig.reader.read_card().unwrap(), None);
    assert!(!rig.reader.find().unwrap());
    let err = rig.reader.select().unwrap_err();
    assert!(
        matches!(
            err,
            ReaderError::Sam {
                error: SamError::SelectFailed,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("选卡失败"), "{err}");
}

/// One faulty reply: `read_card` recovers within its budget.
#[test]
fn recovers_from_one_off_faults() {
    for fault in [Fault::BadChecksum, Fault::Truncated, Fault::Silent, Fault::Noise] {
        let card = resident();
        let mut rig = rig(Some(card.clone()));
        rig.sim.set_fault(fault, 1);
        let started = Instant::now();
        assert_eq!(rig.reader.read_card().unwrap(), Some(card), "{fault:?}");
        assert!(
            started.elapsed() < read_card_budget(),
            "{fault:?} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn noise_before_every_frame_is_harmless() {
    let card = resident();
    let mut rig = rig(Some(card.clone()));
    rig.sim.set_fault(Fault::Noise, usize::MAX);
    assert_eq!(rig.reader.read_card().unwrap(), Some(card));
    rig.reader.sam_status().unwrap();
}

/// The card is lifted during the read: whether the SAM says 41 or just stops talking, the reader
/// ends up reporting "no card" (after retrying), and the SAM's 41 is a clear error on a bare read.
#[test]
fn card_removed_mid_read() {
    for fault in [Fault::RemoveMidRead, Fault::RemoveMidReadStop] {
        let mut rig = rig(Some(resident()));
        rig.sim.set_fault(fault, 1);
        let started = Instant::now();
        assert_eq!(rig.reader.read_card().unwrap(), None, "{fault:?}");
        assert!(started.elapsed() < read_card_budget());
        assert!(!rig.reader.awaiting_removal());
    }

    let mut rig = rig(Some(resident()));
    rig.sim.set_fault(Fault::RemoveMidRead, 1);
    assert!(rig.reader.find().unwrap());
    rig.reader.select().unwrap();
    let err = rig.reader.read().unwrap_err();
    assert!(
        matches!(
            err,
            ReaderError::Sam {
                error: SamError::ReadFailed,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("SW3=41"), "{err}");
}

#[test]
fn unplugged_reader_times_out_clearly() {
    let mut rig = rig(Some(resident()));
    rig.sim.set_fault(Fault::Silent, usize::MAX);

    let started = Instant::now();
    let err = rig.reader.sam_status().unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, ReaderError::Timeout { op: "sam_status", .. }), "{err}");
    assert!(took >= STEP && took < STEP + Duration::from_secs(1), "{took:?}");
    assert!(err.to_string().contains("无应答"), "{err}");

    let started = Instant::now();
    let err = rig.reader.read_card().unwrap_err();
    assert!(matches!(err, ReaderError::Timeout { op: "find", .. }), "{err}");
    assert!(started.elapsed() < read_card_budget());
}

#[test]
fn persistent_bad_checksum_is_reported() {
    let mut rig = rig(Some(resident()));
    rig.sim.set_fault(Fault::BadChecksum, usize::MAX);
    let started = Instant::now();
    let err = rig.reader.read_card().unwrap_err();
    assert!(matches!(err, ReaderError::Frame { op: "find", .. }), "{err}");
    assert!(err.to_string().contains("校验和"), "{err}");
    assert!(started.elapsed() < read_card_budget());
    // The line recovers as soon as the fault does.
    rig.sim.clear_fault();
    assert!(rig.reader.find().unwrap());
}

/// A reply that outlives its deadline must not be taken for the answer to the next request: here a
/// late "read OK" would otherwise say "card found" although the card is gone.
#[test]
fn late_reply_is_not_taken_for_the_next_one() {
    let mut rig = rig(Some(resident()));
    assert!(rig.reader.find().unwrap());
    rig.reader.select().unwrap();
    rig.sim.set_fault(Fault::Late(STEP + Duration::from_millis(150)), 1);
    let err = rig.reader.read().unwrap_err();
    assert!(matches!(err, ReaderError::Timeout { op: "read", .. }), "{err}");
    rig.sim.set_card(None).unwrap();
    // The stale read reply arrives during this find and is skipped; the real answer is "no card".
    assert!(!rig.reader.find().unwrap());
    // A slow reply within the deadline is simply accepted.
    rig.sim.set_fault(Fault::Late(STEP / 3), 1);
    rig.reader.sam_status().unwrap();
}
