//! ID card protocol without I/O: golden frames from `peripherals.md` §1, text blocks, decoder
//! robustness.

use crate::common::resident;
use drivers::idcard::frame::{self, Decoder, FrameError, PREAMBLE, Request, Response};
use drivers::idcard::sim::{Fault, NOISE, Simulator};
use drivers::idcard::text::{mask_id, mask_name};
use drivers::idcard::{CardInfo, CardType, SamError, TextError};
use proptest::prelude::*;

fn with_preamble(rest: &[u8]) -> Vec<u8> {
    let mut v = PREAMBLE.to_vec();
    v.extend_from_slice(rest);
    v
}

fn decode_one(bytes: &[u8]) -> Response {
    let mut d = Decoder::responses();
    d.push(bytes);
    d.next_response().unwrap().unwrap()
}

#[test]
fn golden_requests() {
    let cases: &[(u8, u8, &[u8], &[u8])] = &[
        (0x10, 0xFF, &[], &[0x00, 0x03, 0x10, 0xFF, 0xEC]),
        (0x11, 0xFF, &[], &[0x00, 0x03, 0x11, 0xFF, 0xED]),
        (0x12, 0xFF, &[], &[0x00, 0x03, 0x12, 0xFF, 0xEE]),
        (0x20, 0x01, &[], &[0x00, 0x03, 0x20, 0x01, 0x22]),
        (0x20, 0x02, &[], &[0x00, 0x03, 0x20, 0x02, 0x21]),
        (0x30, 0x01, &[], &[0x00, 0x03, 0x30, 0x01, 0x32]),
        (0x30, 0x10, &[], &[0x00, 0x03, 0x30, 0x10, 0x23]),
        (0x30, 0x03, &[], &[0x00, 0x03, 0x30, 0x03, 0x30]),
        (0x61, 0xFF, &[0x50], &[0x00, 0x04, 0x61, 0xFF, 0x50, 0xCA]),
    ];
    for &(cmd, para, data, rest) in cases {
        let encoded = frame::encode_request(cmd, para, data).unwrap();
        assert_eq!(encoded, with_preamble(rest), "request {cmd:02X} {para:02X}");
        // The simulator's decoder reads it back.
        let mut d = Decoder::requests();
        d.push(&encoded);
        assert_eq!(
            d.next_request().unwrap(),
            Some(Request {
                cmd,
                para,
                data: data.to_vec()
            })
        );
    }
}

#[test]
fn golden_short_responses() {
    let ok = with_preamble(&[0x00, 0x04, 0x00, 0x00, 0x90, 0x94]);
    assert_eq!(frame::encode_response(0, 0, 0x90, &[]).unwrap(), ok);
    assert_eq!(
        decode_one(&ok),
        Response {
            sw1: 0,
            sw2: 0,
            sw3: 0x90,
            data: vec![]
        }
    );

    let found = with_preamble(&[0x00, 0x08, 0x00, 0x00, 0x9F, 0, 0, 0, 0, 0x97]);
    assert_eq!(frame::encode_response(0, 0, 0x9F, &[0; 4]).unwrap(), found);
    assert_eq!(decode_one(&found).sw3, 0x9F);

    let no_card = with_preamble(&[0x00, 0x04, 0x00, 0x00, 0x80, 0x84]);
    assert_eq!(frame::encode_response(0, 0, 0x80, &[]).unwrap(), no_card);
    assert_eq!(SamError::check(decode_one(&no_card).sw3), Err(SamError::NoCard));

    let mut select = vec![0x00, 0x0C, 0x00, 0x00, 0x90];
    select.extend_from_slice(&[0; 8]);
    select.push(0x9C);
    let select = with_preamble(&select);
    assert_eq!(frame::encode_response(0, 0, 0x90, &[0; 8]).unwrap(), select);
    assert_eq!(decode_one(&select).data, vec![0; 8]);
}

#[test]
fn golden_read_replies() {
    // Text + photo: 1295 bytes, header `05 08 00 00 90 01 00 04 00`.
    let mut data = vec![0x01, 0x00, 0x04, 0x00];
    data.extend(std::iter::repeat_n(0x20, 256 + 1024));
    let f = frame::encode_response(0, 0, 0x90, &data).unwrap();
    assert_eq!(f.len(), 1295);
    assert_eq!(
        f[..14],
        with_preamble(&[0x05, 0x08, 0x00, 0x00, 0x90, 0x01, 0x00, 0x04, 0x00])[..]
    );
    assert_eq!(decode_one(&f).data, data);

    // Text + photo + fingerprint: 2321, 1809 or 1297 bytes.
    for (fp, total, fp_len) in [(1024, 2321, [0x04, 0x00]), (512, 1809, [0x02, 0x00]), (0, 1297, [0, 0])] {
        let mut data = vec![0x01, 0x00, 0x04, 0x00, fp_len[0], fp_len[1]];
        data.extend(std::iter::repeat_n(0x11, 256 + 1024 + fp));
        let f = frame::encode_response(0, 0, 0x90, &data).unwrap();
        assert_eq!(f.len(), total);
        assert_eq!(decode_one(&f).data.len(), data.len());
    }
    let f = frame::encode_response(0, 0, 0x90, &[0; 2321 - 11]).unwrap();
    assert_eq!(f[5..7], [0x09, 0x0A]);
}

#[test]
fn decoder_rejects_bad_checksum_and_length_then_recovers() {
    let good = frame::encode_response(0, 0, 0x90, &[]).unwrap();
    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 1;
    let mut d = Decoder::responses();
    d.push(&bad);
    d.push(&good);
    assert_eq!(
        d.next_response(),
        Err(FrameError::BadChecksum {
            computed: 0x94,
            received: 0x95
        })
    );
    assert_eq!(d.next_response().unwrap().unwrap().sw3, 0x90);

    // Length below the minimum and above the longest reply.
    for len in [[0x00, 0x02], [0x0A, 0x00], [0xFF, 0xFF]] {
        let mut d = Decoder::responses();
        d.push(&with_preamble(&len));
        d.push(&good);
        assert!(matches!(d.next_response(), Err(FrameError::BadLength(_))));
        assert_eq!(d.next_response().unwrap().unwrap().sw3, 0x90);
    }
}

#[test]
fn decoder_waits_for_truncated_input_at_every_split() {
    let f = frame::encode_response(0, 0, 0x9F, &[1, 2, 3, 4]).unwrap();
    for split in 0..f.len() {
        let mut d = Decoder::responses();
        d.push(&f[..split]);
        assert_eq!(d.next_response(), Ok(None), "split {split}");
        d.push(&f[split..]);
        assert_eq!(d.next_response().unwrap().unwrap().data, vec![1, 2, 3, 4]);
    }
}

#[test]
fn decoder_skips_simulator_noise() {
    let mut d = Decoder::responses();
    d.push(NOISE);
    d.push(&frame::encode_response(0, 0, 0x90, &[]).unwrap());
    assert_eq!(d.next_response().unwrap().unwrap().sw3, 0x90);
    assert_eq!(d.discarded(), NOISE.len());
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn resident_block_offsets() {
    let block = resident().to_block().unwrap();
    assert_eq!(block[0..4], utf16("张三")[..]);
    assert_eq!(block[4..6], [0x20, 0x00], "space padding");
    assert_eq!(block[30..32], utf16("1")[..]);
    assert_eq!(block[32..36], utf16("01")[..]);
    assert_eq!(block[36..52], utf16("19900101")[..]);
    assert_eq!(block[122..158], utf16("230102199001011234")[..]);
    assert_eq!(block[204..208], utf16("长期")[..]);
    assert_eq!(block[248..250], [0x20, 0x00]);
    assert_eq!(CardInfo::parse(&block).unwrap(), resident());
}

#[test]
fn every_card_type_round_trips() {
    for (card, marker) in [
        (resident(), 0x20),
        (crate::common::hk_macau_taiwan(), b'J'),
        (crate::common::foreign_2017(), b'I'),
        (crate::common::foreign_2023(), b'Y'),
    ] {
        let block = card.to_block().unwrap();
        assert_eq!(block[248..250], [marker, 0], "{:?}", card.card_type);
        assert_eq!(CardInfo::parse(&block).unwrap(), card);
    }
}

#[test]
fn text_errors_and_codes() {
    assert_eq!(CardInfo::parse(&[0; 10]), Err(TextError::BadSize(10)));
    let mut block = resident().to_block().unwrap();
    block[248] = b'Z';
    assert_eq!(CardInfo::parse(&block), Err(TextError::UnknownCardType(0x5A)));

    let mut c = resident();
    c.name = "一二三四五六七八九十一二三四五六".into();
    assert_eq!(
        c.to_block(),
        Err(TextError::FieldTooLong {
            field: "name",
            max_chars: 15
        })
    );

    // The 2023 English name may use both slots (35 + 11 characters), no more.
    let mut y = CardInfo::empty(CardType::ForeignPermanent2023);
    y.english_name = Some("X".repeat(47));
    assert_eq!(
        y.to_block(),
        Err(TextError::FieldTooLong {
            field: "english_name",
            max_chars: 46
        })
    );
    // Without a Chinese name the masked display falls back to the English one.
    y.english_name = Some("SMITH, JOHN".into());
    assert!(y.to_string().contains("S**********"), "{y}");

    // Codes: 德昂 (46) spelled right; unknown codes kept.
    let mut c = resident();
    c.nation = "德昂".into();
    let block = c.to_block().unwrap();
    assert_eq!(block[32..36], utf16("46")[..]);
    let mut block = resident().to_block().unwrap();
    block[32..36].copy_from_slice(&utf16("77"));
    block[30..32].copy_from_slice(&utf16("9"));
    let parsed = CardInfo::parse(&block).unwrap();
    assert_eq!((parsed.nation.as_str(), parsed.sex.as_str()), ("77", "未说明"));
}

#[test]
fn personal_data_is_masked_unless_asked() {
    assert_eq!(mask_name("张三"), "张*");
    assert_eq!(mask_name("欧阳娜娜"), "欧***");
    assert_eq!(mask_id("230102199001011234"), "230***********1234");
    assert_eq!(mask_id("123"), "***");

    let c = resident();
    let shown = c.to_string();
    assert!(shown.contains("张*") && shown.contains("230***********1234"), "{shown}");
    assert!(!shown.contains("张三") && !shown.contains("19900101"));
    let debug = format!("{c:?}");
    assert!(!debug.contains("张三") && !debug.contains("199001011234"), "{debug}");
    let full = c.unmasked().to_string();
    assert!(full.contains("张三") && full.contains("230102199001011234"));

    let json = serde_json::to_value(&c).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    for key in crate::common::CARD_JSON_FIELDS {
        assert!(keys.contains(&key), "missing {key} in {keys:?}");
    }
    assert_eq!(json["card_type"], "resident");
    assert!(!keys.contains(&"photo_wlt"));
}

#[test]
fn simulator_answers_without_io() {
    let mut sim = Simulator::new(Some(resident())).unwrap();
    let answer = |sim: &mut Simulator, cmd, para| {
        decode_one(&sim.answer(&Request {
            cmd,
            para,
            data: vec![],
        }))
    };
    assert_eq!(answer(&mut sim, 0x20, 0x01).sw3, 0x9F);
    assert_eq!(answer(&mut sim, 0x30, 0x03).sw3, 0x91);
    assert_eq!(answer(&mut sim, 0x77, 0x00).sw3, 0x21);
    let err = sim.answer_bad_request(&FrameError::BadChecksum {
        computed: 0,
        received: 1,
    });
    assert_eq!(decode_one(&err).sw3, 0x10);

    sim.set_fault(Fault::Silent, 1);
    assert!(
        sim.answer(&Request {
            cmd: 0x11,
            para: 0xFF,
            data: vec![]
        })
        .is_empty()
    );
    assert_eq!(answer(&mut sim, 0x11, 0xFF).sw3, 0x90, "fault used up");

    // Read-only faults wait for the read.
    sim.set_fault(Fault::RemoveMidRead, 1);
    assert_eq!(answer(&mut sim, 0x20, 0x01).sw3, 0x9F);
    assert_eq!(answer(&mut sim, 0x30, 0x01).sw3, 0x41);
    assert_eq!(answer(&mut sim, 0x20, 0x01).sw3, 0x80, "card gone");
}

proptest! {
    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..3000), chunk in 1usize..64) {
        let mut d = Decoder::responses();
        for part in bytes.chunks(chunk) {
            d.push(part);
            // Each call either consumes bytes or returns None, so this terminates.
            for _ in 0..=bytes.len() {
                if let Ok(None) = d.next_response() {
                    break;
                }
            }
        }
        prop_assert!(d.buffered() <= 7 + frame::MAX_LEN);
    }

    #[test]
    fn decoder_resyncs_after_garbage(
        garbage in proptest::collection::vec(
            prop_oneof![Just(0xAAu8), Just(0x96), Just(0x69), any::<u8>()], 0..200),
        sw3 in any::<u8>(),
        data in proptest::collection::vec(any::<u8>(), 0..300),
        chunk in 1usize..32,
    ) {
        // Garbage holding a whole preamble and a plausible length is indistinguishable from a
        // frame still arriving, so only garbage without one is expected to be skipped.
        prop_assume!(!garbage.windows(5).any(|w| w == PREAMBLE));
        let good = frame::encode_response(0, 0, sw3, &data).unwrap();
        let mut stream = garbage.clone();
        stream.extend_from_slice(&good);
        let mut d = Decoder::responses();
        let mut got = None;
        for part in stream.chunks(chunk) {
            d.push(part);
            for _ in 0..=stream.len() {
                match d.next_response() {
                    Ok(Some(r)) => { got = Some(r); break; }
                    Ok(None) => break,
                    Err(_) => {}
                }
            }
        }
        prop_assert_eq!(got, Some(Response { sw1: 0, sw2: 0, sw3, data }));
    }
}
